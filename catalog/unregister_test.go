package catalog_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/testcatalog"
)

// A repository's source is unregistered by its org/repo (and named so in
// the list); the organisation's teams by their source as listed; a name
// that is no source is refused, and nothing is removed.
func TestUnregisterRepositoryAndRawSource(t *testing.T) {
	ctx := context.Background()
	st := testcatalog.Open(t)
	parse := func(body string) []catalog.Declared {
		ps, problems := catalog.ParseFile("catalog-info.yaml", []byte(body), nil)
		if len(problems) > 0 {
			t.Fatal(problems)
		}
		var out []catalog.Declared
		for _, p := range ps {
			out = append(out, catalog.Declared{Entity: p.Entity, Location: "url:https://github.com/acme/ledger/blob/main/catalog-info.yaml"})
		}
		return out
	}
	repo := &catalog.Repository{GitHubID: 77, FullName: "acme/ledger", DefaultBranch: "main", Source: "repo:77", CatalogStatus: catalog.StatusRegistered}
	if _, err := st.SyncRepository(ctx, repo, parse("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: ledger}\nspec: {type: service, lifecycle: production, owner: payments}\n"), catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ReplaceSource(ctx, "github-org:acme", parse("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: payments}\nspec: {type: team, children: []}\n"), catalog.ReplaceOptions{}); err != nil {
		t.Fatal(err)
	}
	counts, err := st.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, c := range counts {
		targets = append(targets, catalog.SourceTarget(counts, c.Source))
	}
	if want := []string{"github-org:acme", "acme/ledger"}; !slices.Equal(targets, want) {
		t.Errorf("sources listed as %v, want %v", targets, want)
	}

	if _, err := catalog.Unregister(ctx, st, "acme/nope"); !errors.Is(err, catalog.ErrNothingToUnregister) {
		t.Errorf("unregister acme/nope: %v, want nothing to unregister", err)
	}
	res, err := catalog.Unregister(ctx, st, "ACME/Ledger")
	if err != nil || res.Repository != "acme/ledger" || !slices.Equal(res.Removed, []string{"component:default/ledger"}) {
		t.Errorf("unregister ACME/Ledger: %+v, %v", res, err)
	}
	if r, err := st.Repository(ctx, "acme/ledger"); err != nil || r.CatalogStatus != catalog.StatusRegistered {
		t.Errorf("the repository's row went with its entities: %+v, %v", r, err)
	}
	if _, err := catalog.Unregister(ctx, st, "group:payments"); err == nil || !strings.Contains(err.Error(), "callboard unregister github-org:acme removes all of that") {
		t.Errorf("unregister group:payments: %v, want the source named", err)
	}
	if res, err := catalog.Unregister(ctx, st, "github-org:acme"); err != nil || len(res.Removed) != 1 {
		t.Errorf("unregister github-org:acme: %+v, %v", res, err)
	}
}
