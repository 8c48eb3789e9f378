package githubapp

import (
	"context"
	"slices"
	"strings"

	"github.com/google/go-github/v62/github"
)

// onMembership adds a member to a team's group, or takes one out.
func (a *App) onMembership(ctx context.Context, d *Delivery, ev *github.MembershipEvent) error {
	org := ev.GetOrg().GetLogin()
	slug := ev.GetTeam().GetSlug()
	login := ev.GetMember().GetLogin()
	if org == "" || slug == "" || login == "" || ev.GetScope() != "team" {
		return ignored("not a change of a team's members")
	}
	st, err := a.sync.loadOrg(ctx, org)
	if err != nil {
		return err
	}
	tm := st.teams[slug]
	switch ev.GetAction() {
	case "added":
		if tm == nil {
			tm = &team{Slug: slug, Name: ev.GetTeam().GetName(), Description: ev.GetTeam().GetDescription()}
			st.teams[slug] = tm
		}
		if !slices.ContainsFunc(tm.Members, func(m string) bool { return strings.EqualFold(m, login) }) {
			tm.Members = append(tm.Members, login)
		}
		st.addUser(login)
	case "removed":
		if tm == nil {
			return nil // the team is gone (a deleted team's payload is partial)
		}
		tm.Members = slices.DeleteFunc(tm.Members, func(m string) bool { return strings.EqualFold(m, login) })
	default:
		return ignoredAction("membership", ev.GetAction())
	}
	_, err = a.sync.saveOrg(ctx, st)
	return err
}
