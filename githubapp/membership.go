package githubapp

import (
	"context"
	"slices"
	"strings"

	"github.com/callboard/callboard/githubapp/queue"
	"github.com/google/go-github/v62/github"
)

// membershipHandler adds a member to a team's group, or takes one out.
type membershipHandler struct{ sync *syncer }

func (h membershipHandler) handle(ctx context.Context, d delivery[github.MembershipEvent]) error {
	ev := d.Event
	org := ev.GetOrg().GetLogin()
	slug := ev.GetTeam().GetSlug()
	login := ev.GetMember().GetLogin()
	if org == "" || slug == "" || login == "" || ev.GetScope() != "team" {
		return queue.Ignored("not a change of a team's members")
	}
	st, err := h.sync.loadOrg(ctx, org)
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
		return queue.IgnoredAction("membership", ev.GetAction())
	}
	_, err = h.sync.saveOrg(ctx, st)
	return err
}
