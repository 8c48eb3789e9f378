// Package benchorg writes a generated organisation of a given size into a
// catalog, as callboard's GitHub sync would have left it: teams and people,
// one repository per service with its catalog file (or CODEOWNERS only, or
// nothing, or archived), and eight weeks of usage events. The benchmark
// program and the web view's testing.B measure pages against it.
package benchorg

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/store"
)

// Org is the organisation's name on GitHub.
const Org = "bench"

// Words that descriptions are made of, so a search has something to find.
var words = []string{"payments", "ledger", "search", "index", "checkout", "billing", "orders", "stock",
	"shipping", "identity", "reports", "pricing", "catalog", "notifications", "fraud", "refunds"}

var lifecycles = []string{"production", "production", "production", "experimental", "deprecated"}

// Built says what Build wrote, for the pages a benchmark asks for.
type Built struct {
	Entities   int
	Teams      []string // group names
	Services   []string // component names declared by a registered repository
	Repos      int
	UsageCount int
}

// Build writes about n entities (teams and people included) into st. now
// dates the usage events: eight weeks up to now.
func Build(ctx context.Context, st *store.Store, n int, now time.Time) (*Built, error) {
	b := &Built{}
	teams := max(n/100, 1)
	users := teams * 3
	org := b.organisation(teams, users)
	if _, err := st.ReplaceSource(ctx, "github-org:"+Org, org, catalog.ReplaceOptions{}); err != nil {
		return nil, fmt.Errorf("writing the organisation: %w", err)
	}
	b.Entities = len(org)
	if err := b.repositories(ctx, st, n, teams); err != nil {
		return nil, err
	}
	events := usage(b.Services, users, n, now)
	for i := 0; i < len(events); i += 1000 {
		if err := st.RecordUsage(ctx, events[i:min(i+1000, len(events))]...); err != nil {
			return nil, err
		}
	}
	b.UsageCount = len(events)
	return b, nil
}

// organisation is the teams, three people each, as the GitHub sync
// declares them.
func (b *Built) organisation(teams, users int) []catalog.Declared {
	var org []catalog.Declared
	for t := range teams {
		name := fmt.Sprintf("team-%d", t)
		b.Teams = append(b.Teams, name)
		members := []any{fmt.Sprintf("user-%d", t*3), fmt.Sprintf("user-%d", t*3+1), fmt.Sprintf("user-%d", t*3+2)}
		e := &catalog.Entity{APIVersion: "backstage.io/v1alpha1", Kind: "Group",
			Metadata: catalog.Metadata{Name: name, Title: fmt.Sprintf("Team %d", t),
				Description: fmt.Sprintf("Looks after %s and %s.", words[t%len(words)], words[(t+3)%len(words)]),
				Annotations: map[string]string{catalog.AnnotationTeamSlug: Org + "/" + name, catalog.AnnotationSlackChannel: "#" + name}},
			Spec: map[string]any{"type": "team", "children": []any{}, "members": members,
				"profile": map[string]any{"displayName": fmt.Sprintf("Team %d", t), "email": name + "@bench.example"}}}
		org = append(org, catalog.Declared{Entity: e, Location: "url:https://github.com/orgs/" + Org + "/teams/" + name})
	}
	for u := range users {
		name := fmt.Sprintf("user-%d", u)
		e := &catalog.Entity{APIVersion: "backstage.io/v1alpha1", Kind: "User",
			Metadata: catalog.Metadata{Name: name, Annotations: map[string]string{catalog.AnnotationUserLogin: name}},
			Spec: map[string]any{"profile": map[string]any{"displayName": fmt.Sprintf("User %d", u), "email": name + "@bench.example"},
				"memberOf": []any{fmt.Sprintf("team-%d", u/3)}}}
		org = append(org, catalog.Declared{Entity: e, Location: "url:https://github.com/" + name})
	}
	return org
}

// repositories writes repositories until the catalog holds about n
// entities, their entities in batches of 300 sources.
func (b *Built) repositories(ctx context.Context, st *store.Store, n, teams int) error {
	var batch []catalog.SourceBatch
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := st.ReplaceSources(ctx, batch)
		batch = batch[:0]
		return err
	}
	for i := 0; b.Entities < n; i++ {
		repo, decl, err := b.repository(i, n, teams)
		if err != nil {
			return err
		}
		if err := st.PutRepository(ctx, repo); err != nil {
			return err
		}
		b.Repos++
		if len(decl) > 0 {
			b.Entities += len(decl)
			batch = append(batch, catalog.SourceBatch{Source: repo.Source, Entities: decl})
			if len(batch) == 300 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// repository is the i-th repository and what its catalog file declares:
// 80 in 100 registered, the others with CODEOWNERS only, nothing, archived,
// or an invalid catalog file.
func (b *Built) repository(i, n, teams int) (*catalog.Repository, []catalog.Declared, error) {
	name := fmt.Sprintf("service-%05d", i)
	team := fmt.Sprintf("team-%d", i%teams)
	repo := &catalog.Repository{GitHubID: int64(100000 + i), FullName: Org + "/" + name, DefaultBranch: "main",
		Description: "Service number " + fmt.Sprint(i), Source: fmt.Sprintf("repo:%d", 100000+i)}
	owners := "@" + Org + "/" + team
	if i%10 == 9 { // CODEOWNERS disagrees with the catalog now and then
		owners = "@" + Org + "/" + fmt.Sprintf("team-%d", (i+1)%teams)
	}
	co, err := catalog.ParseCodeowners([]byte("* " + owners + "\n/docs/ @" + Org + "/docs-writers\n"))
	if err != nil {
		return nil, nil, err
	}
	var decl []catalog.Declared
	switch r := i % 100; {
	case r < 80: // registered
		repo.CatalogPath, repo.CatalogStatus = "catalog-info.yaml", catalog.StatusRegistered
		repo.Codeowners, repo.CodeownersPath = co, ".github/CODEOWNERS"
		decl = b.registered(i, n, name, team, repo)
	case r < 90: // CODEOWNERS only
		repo.CatalogStatus, repo.Codeowners, repo.CodeownersPath = catalog.StatusMissing, co, ".github/CODEOWNERS"
	case r < 95: // nothing
		repo.CatalogStatus = catalog.StatusMissing
	case r < 98:
		repo.CatalogStatus, repo.Archived = catalog.StatusMissing, true
	default:
		repo.CatalogPath, repo.CatalogStatus = "catalog-info.yaml", catalog.StatusInvalid
		repo.CatalogProblems = []catalog.Problem{{File: "catalog-info.yaml", Line: 4, Field: "spec.owner", Message: "want a string"}}
	}
	return repo, decl, nil
}

// registered is what a registered repository's catalog file declares: a
// service, and for one in four its API.
func (b *Built) registered(i, n int, name, team string, repo *catalog.Repository) []catalog.Declared {
	ann := map[string]string{}
	if i%5 < 3 {
		ann[catalog.AnnotationTechDocsRef] = "dir:."
	}
	c := &catalog.Entity{APIVersion: "backstage.io/v1alpha1", Kind: "Component",
		Metadata: catalog.Metadata{Name: name, Title: fmt.Sprintf("Service %d", i),
			Description: fmt.Sprintf("Handles %s for %s, with %s.", words[i%len(words)], words[(i/7)%len(words)], words[(i/3)%len(words)]),
			Tags:        []string{"go", fmt.Sprintf("tier-%d", i%3)}, Annotations: ann},
		Spec: map[string]any{"type": "service", "lifecycle": lifecycles[i%len(lifecycles)], "owner": team, "system": fmt.Sprintf("system-%d", i%50)}}
	catalog.StampRepoEntity(c, repo, repo.CatalogPath)
	decl := []catalog.Declared{{Entity: c, Location: catalog.RepoLocation(repo, repo.CatalogPath)}}
	b.Services = append(b.Services, name)
	if i%4 == 0 && b.Entities+2 <= n {
		c.Spec["providesApis"] = []any{name + "-api"}
		api := &catalog.Entity{APIVersion: "backstage.io/v1alpha1", Kind: "API",
			Metadata: catalog.Metadata{Name: name + "-api", Description: "The API of " + name + "."},
			Spec:     map[string]any{"type": "openapi", "lifecycle": "production", "owner": team, "definition": "openapi: 3.0.0"}}
		catalog.StampRepoEntity(api, repo, repo.CatalogPath)
		decl = append(decl, catalog.Declared{Entity: api, Location: catalog.RepoLocation(repo, repo.CatalogPath)})
	}
	return decl
}

// usage is eight weeks of usage up to now: each service asked about now
// and then, in Slack, through the API and by the PR check of its
// repository. The same n gives the same events.
func usage(services []string, users, n int, now time.Time) []catalog.UsageEvent {
	rng := rand.New(rand.NewPCG(7, 11))
	plugins := []string{catalog.PluginSlackOwner, catalog.PluginCatalogAPI, catalog.PluginPRCheck, "techdocs"}
	var events []catalog.UsageEvent
	from := now.Add(-8 * 7 * 24 * time.Hour)
	span := now.Sub(from)
	for range n * 2 {
		s := services[rng.IntN(len(services))]
		p := plugins[rng.IntN(len(plugins))]
		ev := catalog.UsageEvent{Plugin: p, Action: "view", Actor: fmt.Sprintf("user-%d", rng.IntN(users)),
			At: from.Add(time.Duration(rng.Int64N(int64(span)))), Entity: "component:default/" + s, Outcome: catalog.OutcomeAnswered}
		if p == catalog.PluginPRCheck {
			ev.Action, ev.Entity, ev.Outcome = "evaluate", Org+"/"+s, catalog.OutcomeSuccess
			if rng.IntN(5) == 0 {
				ev.Outcome = catalog.OutcomeFailure
			}
		}
		events = append(events, ev)
	}
	return events
}
