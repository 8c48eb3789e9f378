package githubapp

import (
	"context"

	"github.com/google/go-github/v62/github"
)

// onTeam keeps a team's group current from the payload alone.
func (a *App) onTeam(ctx context.Context, d *Delivery, ev *github.TeamEvent) error {
	org := ev.GetOrg().GetLogin()
	t := ev.GetTeam()
	if org == "" || t.GetSlug() == "" {
		return ignored("names no team")
	}
	st, err := a.sync.loadOrg(ctx, org)
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
		return ignoredAction("team", ev.GetAction())
	}
	_, err = a.sync.saveOrg(ctx, st)
	return err
}
