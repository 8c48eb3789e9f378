package githubapp

import (
	"context"

	"github.com/google/go-github/v62/github"
)

// onOrganization adds or removes a member's user entity.
func (a *App) onOrganization(ctx context.Context, d *Delivery, ev *github.OrganizationEvent) error {
	org := ev.GetOrganization().GetLogin()
	login := ev.GetMembership().GetUser().GetLogin()
	if org == "" || login == "" {
		return ignored("names no member")
	}
	st, err := a.sync.loadOrg(ctx, org)
	if err != nil {
		return err
	}
	switch ev.GetAction() {
	case "member_added":
		st.addUser(login)
	case "member_removed":
		st.removeUser(login)
	default:
		return ignoredAction("organization", ev.GetAction())
	}
	_, err = a.sync.saveOrg(ctx, st)
	return err
}
