package githubapp

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/google/go-github/v62/github"
)

// orgSource is the entities source GitHub's teams and members feed.
func orgSource(org string) string { return "github-org:" + strings.ToLower(org) }

// team is a GitHub team as the catalog needs it.
type team struct {
	Slug, Name, Description, Parent string
	Members                         []string
}

// orgState is an organisation's teams and members, as groups and users.
type orgState struct {
	org   string
	teams map[string]*team  // by slug
	users map[string]string // logins of members, by lower-cased login
}

func newOrgState(org string) *orgState {
	return &orgState{org: org, teams: map[string]*team{}, users: map[string]string{}}
}

func (st *orgState) addUser(login string) { st.users[strings.ToLower(login)] = login }

func (st *orgState) removeUser(login string) {
	delete(st.users, strings.ToLower(login))
	for _, t := range st.teams {
		t.Members = slices.DeleteFunc(t.Members, func(m string) bool { return strings.EqualFold(m, login) })
	}
}

// loadOrg rebuilds an organisation's state from what the catalog holds, so
// an event changes one team or member without asking GitHub for the rest.
func (s *syncer) loadOrg(ctx context.Context, org string) (*orgState, error) {
	st := newOrgState(org)
	es, err := s.store.EntitiesOfSource(ctx, orgSource(org))
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		switch strings.ToLower(e.Kind) {
		case "group":
			_, slug, _ := strings.Cut(e.Metadata.Annotations[catalog.AnnotationTeamSlug], "/")
			if slug == "" {
				slug = e.Metadata.Name
			}
			t := &team{Slug: slug, Name: e.DisplayName(), Description: e.Metadata.Description, Members: e.SpecStrings("members")}
			if p := e.SpecString("parent"); p != "" {
				t.Parent = p
			}
			st.teams[slug] = t
		case "user":
			login := e.Metadata.Annotations[catalog.AnnotationUserLogin]
			if login == "" {
				login = e.Metadata.Name
			}
			st.addUser(login)
		}
	}
	return st, nil
}

// saveOrg writes an organisation's groups and users in one transaction.
func (s *syncer) saveOrg(ctx context.Context, st *orgState) (catalog.ReplaceResult, error) {
	memberOf := map[string][]string{}
	children := map[string][]string{}
	for slug, t := range st.teams {
		for _, m := range t.Members {
			memberOf[strings.ToLower(m)] = append(memberOf[strings.ToLower(m)], slug)
			st.addUser(m)
		}
		if t.Parent != "" {
			children[t.Parent] = append(children[t.Parent], slug)
		}
	}
	var decl []catalog.Declared
	for _, slug := range slices.Sorted(maps.Keys(st.teams)) {
		if !catalog.ValidName(slug) {
			continue
		}
		kids := children[slug]
		sort.Strings(kids)
		decl = append(decl, groupEntity(st.org, slug, st.teams[slug], kids))
	}
	logins := make([]string, 0, len(st.users))
	for _, l := range st.users {
		logins = append(logins, l)
	}
	sort.Strings(logins)
	for _, login := range logins {
		name := strings.ToLower(login)
		if !catalog.ValidName(name) {
			continue
		}
		groups := memberOf[name]
		sort.Strings(groups)
		decl = append(decl, userEntity(login, groups))
	}
	return s.store.ReplaceSource(ctx, orgSource(st.org), decl, catalog.ReplaceOptions{})
}

// groupEntity is a team's Group entity.
func groupEntity(org, slug string, t *team, kids []string) catalog.Declared {
	loc := fmt.Sprintf("url:https://github.com/orgs/%s/teams/%s", org, slug)
	members := slices.Clone(t.Members)
	sort.Strings(members)
	spec := map[string]any{
		"type":     "team",
		"children": toAny(kids),
		"members":  toAny(members),
	}
	if t.Name != "" {
		spec["profile"] = map[string]any{"displayName": t.Name}
	}
	if t.Parent != "" {
		spec["parent"] = t.Parent
	}
	e := &catalog.Entity{
		APIVersion: "backstage.io/v1alpha1", Kind: "Group",
		Metadata: catalog.Metadata{Name: slug, Description: t.Description, Annotations: map[string]string{
			catalog.AnnotationTeamSlug:          org + "/" + slug,
			catalog.AnnotationManagedByLocation: loc,
			catalog.AnnotationManagedByOrigin:   loc,
		}},
		Spec: spec,
	}
	return catalog.Declared{Entity: e, Location: loc}
}

// userEntity is a member's User entity.
func userEntity(login string, groups []string) catalog.Declared {
	loc := "url:https://github.com/" + login
	e := &catalog.Entity{
		APIVersion: "backstage.io/v1alpha1", Kind: "User",
		Metadata: catalog.Metadata{Name: strings.ToLower(login), Annotations: map[string]string{
			catalog.AnnotationUserLogin:         login,
			catalog.AnnotationManagedByLocation: loc,
			catalog.AnnotationManagedByOrigin:   loc,
		}},
		Spec: map[string]any{"memberOf": toAny(groups), "profile": map[string]any{"displayName": login}},
	}
	return catalog.Declared{Entity: e, Location: loc}
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// syncOrg reads every team and its members from GitHub: one call per page
// of teams and one per team.
func (s *syncer) syncOrg(ctx context.Context, gh *github.Client, org string) (catalog.ReplaceResult, error) {
	st := newOrgState(org)
	opts := &github.ListOptions{PerPage: 100}
	for {
		teams, resp, err := gh.Teams.ListTeams(ctx, org, opts)
		if err != nil {
			return catalog.ReplaceResult{}, fmt.Errorf("listing teams of %s: %w", org, err)
		}
		for _, t := range teams {
			tm := &team{Slug: t.GetSlug(), Name: t.GetName(), Description: t.GetDescription()}
			if t.Parent != nil {
				tm.Parent = t.Parent.GetSlug()
			}
			st.teams[tm.Slug] = tm
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	mopts := &github.ListMembersOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for {
		users, resp, err := gh.Organizations.ListMembers(ctx, org, mopts)
		if err != nil {
			return catalog.ReplaceResult{}, fmt.Errorf("listing members of %s: %w", org, err)
		}
		for _, u := range users {
			st.addUser(u.GetLogin())
		}
		if resp.NextPage == 0 {
			break
		}
		mopts.Page = resp.NextPage
	}
	for slug, t := range st.teams {
		mopts := &github.TeamListTeamMembersOptions{ListOptions: github.ListOptions{PerPage: 100}}
		for {
			users, resp, err := gh.Teams.ListTeamMembersBySlug(ctx, org, slug, mopts)
			if err != nil {
				return catalog.ReplaceResult{}, fmt.Errorf("listing members of %s/%s: %w", org, slug, err)
			}
			for _, u := range users {
				t.Members = append(t.Members, u.GetLogin())
			}
			if resp.NextPage == 0 {
				break
			}
			mopts.Page = resp.NextPage
		}
	}
	return s.saveOrg(ctx, st)
}
