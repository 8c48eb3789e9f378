package web

import (
	"slices"
	"strings"
	"testing"

	"github.com/callboard/callboard/catalog"
)

func TestLocalPath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/teams/payments?x=1", "/teams/payments?x=1"},
		{"/catalog/component/default/a%2Fb", "/catalog/component/default/a%2Fb"},
		{"//evil.example/", "/"},
		{"/\\evil.example", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"teams/payments", "/"},
		{"/a\r\nSet-Cookie: x=1", "/"},
		{"/" + strings.Repeat("a", 3000), "/"},
	} {
		if got := localPath(tc.in); got != tc.want {
			t.Errorf("localPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEntityPath(t *testing.T) {
	for _, tc := range []struct {
		ref  catalog.Ref
		want string
	}{
		{catalog.Ref{Kind: "Component", Namespace: "default", Name: "payments-api"}, "/catalog/component/default/payments-api"},
		{catalog.Ref{Kind: "Group", Namespace: "default", Name: "Payments"}, "/teams/payments"},
		{catalog.Ref{Kind: "Group", Namespace: "ops", Name: "sre"}, "/catalog/group/ops/sre"},
		{catalog.Ref{Kind: "API", Name: "a b"}, "/catalog/api/default/a%20b"},
	} {
		if got := EntityPath(tc.ref); got != tc.want {
			t.Errorf("EntityPath(%v) = %q, want %q", tc.ref, got, tc.want)
		}
	}
}

func TestGraphLayout(t *testing.T) {
	center := neighbour{Kind: "Component", Name: "Payments API"}
	var ns []neighbour
	for i := range 10 {
		ns = append(ns, neighbour{Rel: catalog.RelDependsOn, Name: strings.Repeat("x", i+20), URL: "/x"})
	}
	ns = append(ns, neighbour{Rel: catalog.RelOwnedBy, Kind: "Group", Name: "Payments", URL: "/teams/payments"})
	g := layoutWide(center, ns)
	// Left: the owner; right: 6 dependencies and "+4 more"; and the entity.
	if len(g.Nodes) != 1+7+1 || len(g.Edges) != 1+7 {
		t.Fatalf("wide: %d nodes and %d edges, want 9 and 8", len(g.Nodes), len(g.Edges))
	}
	more := g.Nodes[7]
	if !more.More || more.Name != "4 more relations" || more.URL != "#relations" {
		t.Errorf("the last right node %+v, want 4 more relations linking to the list", more)
	}
	for _, n := range g.Nodes {
		if n.X < 0 || n.Y < 0 || n.X+n.W > g.W || n.Y+n.H > g.H {
			t.Errorf("node %q at %d,%d %dx%d is outside the %dx%d drawing", n.Name, n.X, n.Y, n.W, n.H, g.W, g.H)
		}
		if len([]rune(n.Name)) > nameChars {
			t.Errorf("node name %q is longer than %d characters", n.Name, nameChars)
		}
	}
	if !g.Nodes[len(g.Nodes)-1].Center {
		t.Error("the entity is not drawn last (on top)")
	}
	narrow := layoutNarrow(center, ns)
	if len(narrow.Nodes) != 12 || narrow.W > 400 {
		t.Errorf("narrow: %d nodes, %d wide; want 11 neighbours (10 and one more) and the entity, at most 400 wide", len(narrow.Nodes), narrow.W)
	}
	if g := layoutWide(center, nil); len(g.Nodes) != 1 || !strings.Contains(g.Label, "no relations") {
		t.Errorf("an entity without relations: %+v", g)
	}
}

func TestGaps(t *testing.T) {
	co := func(s string) *catalog.Codeowners {
		c, err := catalog.ParseCodeowners([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	documented := map[string]string{catalog.AnnotationTechDocsRef: "dir:."}
	for _, tc := range []struct {
		name string
		e    catalog.Entity
		repo *catalog.Repository
		want []string
	}{
		{"all there", catalog.Entity{Kind: "Component", Metadata: catalog.Metadata{Annotations: documented}, Spec: map[string]any{"lifecycle": "production"}},
			&catalog.Repository{Codeowners: co("* @acme/payments\n")}, nil},
		{"no docs, no lifecycle", catalog.Entity{Kind: "API"}, nil, []string{gapNoDocs, gapLifecycle}},
		{"a system needs neither", catalog.Entity{Kind: "System"}, nil, nil},
		{"no CODEOWNERS", catalog.Entity{Kind: "Resource"}, &catalog.Repository{}, []string{gapNoCO}},
		{"CODEOWNERS names another team", catalog.Entity{Kind: "Resource"}, &catalog.Repository{Codeowners: co("* @acme/search\n")}, []string{gapCOMismatch}},
		{"the team among others, any case", catalog.Entity{Kind: "Resource"}, &catalog.Repository{Codeowners: co("* @acme/search @Acme/Payments\n")}, nil},
		{"the rule that covers the catalog file counts", catalog.Entity{Kind: "Resource"},
			&catalog.Repository{CatalogPath: "catalog-info.yaml", Codeowners: co("* @acme/payments\n*.yaml @acme/search\n")}, []string{gapCOMismatch}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := gapsOf(&tc.e, tc.repo, "acme/payments"); !slices.Equal(got, tc.want) {
				t.Errorf("gaps %v, want %v", got, tc.want)
			}
		})
	}
}
