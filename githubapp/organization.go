package githubapp

import (
	"context"

	"github.com/callboard/callboard/githubapp/queue"
	"github.com/google/go-github/v62/github"
)

// organizationHandler adds or removes a member's user entity.
type organizationHandler struct{ sync *syncer }

func (h organizationHandler) handle(ctx context.Context, d delivery[github.OrganizationEvent]) error {
	ev := d.Event
	org := ev.GetOrganization().GetLogin()
	login := ev.GetMembership().GetUser().GetLogin()
	if org == "" || login == "" {
		return queue.Ignored("names no member")
	}
	st, err := h.sync.loadOrg(ctx, org)
	if err != nil {
		return err
	}
	switch ev.GetAction() {
	case "member_added":
		st.addUser(login)
	case "member_removed":
		st.removeUser(login)
	default:
		return queue.IgnoredAction("organization", ev.GetAction())
	}
	_, err = h.sync.saveOrg(ctx, st)
	return err
}
