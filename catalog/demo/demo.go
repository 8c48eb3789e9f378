// Package demo seeds a small, believable sample organisation (Acme: teams,
// people, services, APIs, a system, and a repository with CODEOWNERS but no
// catalog file) so a newcomer can try callboard at once.
package demo

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/callboard/callboard/catalog"
)

//go:embed data
var data embed.FS

// Org is the demo organisation's GitHub login.
const Org = "acme"

// Store is what seeding writes to.
type Store interface {
	catalog.Replacer
	SyncRepository(ctx context.Context, r *catalog.Repository, decl []catalog.Declared, opts catalog.ReplaceOptions) (catalog.ReplaceResult, error)
	// CountOutside counts the entities and repositories whose source does
	// not start with prefix.
	CountOutside(ctx context.Context, prefix string) (entities, repositories int, err error)
}

// NotOnlyDemoError is Seed's refusal of a database that holds more than
// the sample: what else it holds.
type NotOnlyDemoError struct{ Entities, Repositories int }

func (e *NotOnlyDemoError) Error() string {
	return fmt.Sprintf("%d entities and %d repositories besides the sample organisation", e.Entities, e.Repositories)
}

var repos = []catalog.Repository{
	{GitHubID: 900001, FullName: "acme/payments-api", Description: "Charges, refunds and payouts", DefaultBranch: "main"},
	{GitHubID: 900002, FullName: "acme/search-service", Description: "Product search and autocomplete", DefaultBranch: "main"},
	{GitHubID: 900003, FullName: "acme/checkout-web", Description: "Basket and checkout pages", DefaultBranch: "main"},
	{GitHubID: 900004, FullName: "acme/legacy-billing", Description: "Invoice generation (pre-2019)", DefaultBranch: "master"},
	{GitHubID: 900005, FullName: "acme/service-templates", Description: "Templates for new services", DefaultBranch: "main"},
}

// Seed loads the demo organisation, as sources of its own (demo:...) that
// callboard unregister demo removes. It is idempotent: seeding twice changes
// nothing. It refuses (*NotOnlyDemoError) a database that holds anything but
// the sample, so sample data never mixes with real data.
func Seed(ctx context.Context, s Store) (int, error) {
	entities, rows, err := s.CountOutside(ctx, catalog.DemoSourcePrefix)
	if err != nil {
		return 0, err
	}
	if entities+rows > 0 {
		return 0, &NotOnlyDemoError{Entities: entities, Repositories: rows}
	}
	n, err := seedOrg(ctx, s)
	if err != nil {
		return 0, err
	}
	for _, r := range repos {
		added, err := seedRepository(ctx, s, r)
		if err != nil {
			return n, err
		}
		n += added
	}
	return n, nil
}

// seedOrg loads the teams and people, as the GitHub sync records them.
func seedOrg(ctx context.Context, s Store) (int, error) {
	org, err := data.ReadFile("data/org.yaml")
	if err != nil {
		return 0, err
	}
	parsed, problems := catalog.ParseFile("org.yaml", org, nil)
	if len(problems) > 0 {
		return 0, fmt.Errorf("demo org: %v", problems[0])
	}
	source := catalog.DemoSourcePrefix + "github-org:" + Org
	decl := make([]catalog.Declared, 0, len(parsed))
	for _, p := range parsed {
		// As the GitHub sync records them: managed by the team's or the user's page.
		loc := "url:https://github.com/orgs/" + Org + "/teams/" + p.Entity.Metadata.Name
		if p.Entity.Kind == "User" {
			loc = "url:https://github.com/" + p.Entity.Metadata.Name
		}
		p.Entity.Metadata.Annotations[catalog.AnnotationManagedByLocation] = loc
		decl = append(decl, catalog.Declared{Entity: p.Entity, Location: loc})
	}
	if _, err := s.ReplaceSource(ctx, source, decl, catalog.ReplaceOptions{}); err != nil {
		return 0, err
	}
	return len(decl), nil
}

// seedRepository loads one repository with its CODEOWNERS and its catalog
// file, when it has them, and returns how many entities it declares.
func seedRepository(ctx context.Context, s Store, r catalog.Repository) (int, error) {
	r.Source = fmt.Sprintf("%srepo:%d", catalog.DemoSourcePrefix, r.GitHubID)
	dir := "data/repos/" + r.Name()
	if co, err := data.ReadFile(dir + "/CODEOWNERS"); err == nil {
		c, err := catalog.ParseCodeowners(co)
		if err != nil {
			return 0, err
		}
		r.Codeowners, r.CodeownersPath = c, ".github/CODEOWNERS"
	}
	var decl []catalog.Declared
	body, err := data.ReadFile(dir + "/catalog-info.yaml")
	switch {
	case err == nil:
		parsed, problems := catalog.ParseFile("catalog-info.yaml", body, nil)
		if len(problems) > 0 {
			return 0, fmt.Errorf("demo %s: %v", r.FullName, problems[0])
		}
		r.CatalogPath, r.CatalogStatus = "catalog-info.yaml", catalog.StatusRegistered
		for _, p := range parsed {
			catalog.StampRepoEntity(p.Entity, &r, r.CatalogPath)
			decl = append(decl, catalog.Declared{Entity: p.Entity, Location: catalog.RepoLocation(&r, r.CatalogPath), Line: p.Line})
		}
	case isNotExist(err):
		r.CatalogStatus = catalog.StatusMissing
	default:
		return 0, err
	}
	if _, err := s.SyncRepository(ctx, &r, decl, catalog.ReplaceOptions{}); err != nil {
		return 0, err
	}
	return len(decl), nil
}

func isNotExist(err error) bool { return err != nil && errors.Is(err, fs.ErrNotExist) }
