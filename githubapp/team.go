package githubapp

import (
	"context"

	"github.com/callboard/callboard/githubapp/queue"
	"github.com/google/go-github/v62/github"
)

// teamHandler keeps a team's group current from the payload alone.
type teamHandler struct{ sync *syncer }

func (h teamHandler) handle(ctx context.Context, d delivery[github.TeamEvent]) error {
	ev := d.Event
	org := ev.GetOrg().GetLogin()
	t := ev.GetTeam()
	if org == "" || t.GetSlug() == "" {
		return queue.Ignored("names no team")
	}
	st, err := h.sync.loadOrg(ctx, org)
	if err != nil {
		return err
	}
	switch ev.GetAction() {
	case "created", "edited":
		tm := st.teams[t.GetSlug()]
		if tm == nil {
			tm = &team{Slug: t.GetSlug()}
			// A renamed slug arrives as an edit of the old one.
			if from := ev.GetChanges().GetName().GetFrom(); from != "" {
				for slug, old := range st.teams {
					if old.Name == from && slug != t.GetSlug() {
						tm.Members = old.Members
						delete(st.teams, slug)
					}
				}
			}
			st.teams[t.GetSlug()] = tm
		}
		tm.Name, tm.Description = t.GetName(), t.GetDescription()
		tm.Parent = ""
		if t.Parent != nil {
			tm.Parent = t.Parent.GetSlug()
		}
	case "deleted":
		delete(st.teams, t.GetSlug())
	default:
		return queue.IgnoredAction("team", ev.GetAction())
	}
	_, err = h.sync.saveOrg(ctx, st)
	return err
}
