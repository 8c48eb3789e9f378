package catalog

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func edgeStrings(edges []Edge) []string {
	out := []string{}
	for _, e := range edges {
		out = append(out, fmt.Sprintf("%s %s %s", e.Source, e.Type, e.Target))
	}
	return out
}

func TestDeriveEdges(t *testing.T) {
	tests := []struct {
		name string
		e    Entity
		want []string
	}{
		{
			name: "Component",
			e: Entity{Kind: "Component", Metadata: Metadata{Name: "shop", Namespace: "ops"}, Spec: map[string]any{
				"owner":          "team-a",
				"subcomponentOf": "platform",
				"providesApis":   []any{"shop-api", "default/legacy-api"},
				"consumesApis":   []any{"api:payments/charge"},
				"dependsOn":      []any{"resource:db", "no-kind"},
				"dependencyOf":   []any{"component:default/site"},
				"system":         "retail",
			}},
			want: []string{
				"component:ops/shop ownedBy group:ops/team-a",
				"group:ops/team-a ownerOf component:ops/shop",
				"component:ops/shop partOf component:ops/platform",
				"component:ops/platform hasPart component:ops/shop",
				"component:ops/shop providesApi api:ops/shop-api",
				"api:ops/shop-api apiProvidedBy component:ops/shop",
				"component:ops/shop providesApi api:default/legacy-api",
				"api:default/legacy-api apiProvidedBy component:ops/shop",
				"component:ops/shop consumesApi api:payments/charge",
				"api:payments/charge apiConsumedBy component:ops/shop",
				"component:ops/shop dependsOn resource:ops/db",
				"resource:ops/db dependencyOf component:ops/shop",
				"component:ops/shop dependencyOf component:default/site",
				"component:default/site dependsOn component:ops/shop",
				"component:ops/shop partOf system:ops/retail",
				"system:ops/retail hasPart component:ops/shop",
			},
		},
		{
			name: "API",
			e:    Entity{Kind: "API", Metadata: Metadata{Name: "shop-api"}, Spec: map[string]any{"owner": "user:alice", "system": "retail", "definition": "openapi: 3.0.0"}},
			want: []string{
				"api:default/shop-api ownedBy user:default/alice",
				"user:default/alice ownerOf api:default/shop-api",
				"api:default/shop-api partOf system:default/retail",
				"system:default/retail hasPart api:default/shop-api",
			},
		},
		{
			name: "Resource",
			e: Entity{Kind: "Resource", Metadata: Metadata{Name: "db", Namespace: "data"}, Spec: map[string]any{
				"owner": "group:default/dba", "dependsOn": []any{"resource:disk"}, "dependencyOf": []any{"component:shop"}, "system": "retail",
			}},
			want: []string{
				"resource:data/db ownedBy group:default/dba",
				"group:default/dba ownerOf resource:data/db",
				"resource:data/db dependsOn resource:data/disk",
				"resource:data/disk dependencyOf resource:data/db",
				"resource:data/db dependencyOf component:data/shop",
				"component:data/shop dependsOn resource:data/db",
				"resource:data/db partOf system:data/retail",
				"system:data/retail hasPart resource:data/db",
			},
		},
		{
			name: "System",
			e:    Entity{Kind: "System", Metadata: Metadata{Name: "retail"}, Spec: map[string]any{"owner": "team-a", "domain": "commerce"}},
			want: []string{
				"system:default/retail ownedBy group:default/team-a",
				"group:default/team-a ownerOf system:default/retail",
				"system:default/retail partOf domain:default/commerce",
				"domain:default/commerce hasPart system:default/retail",
			},
		},
		{
			name: "Domain",
			e:    Entity{Kind: "Domain", Metadata: Metadata{Name: "artists"}, Spec: map[string]any{"owner": "team-a", "subdomainOf": "audio"}},
			want: []string{
				"domain:default/artists ownedBy group:default/team-a",
				"group:default/team-a ownerOf domain:default/artists",
				"domain:default/artists partOf domain:default/audio",
				"domain:default/audio hasPart domain:default/artists",
			},
		},
		{
			name: "Group",
			e: Entity{Kind: "Group", Metadata: Metadata{Name: "team-a", Namespace: "acme"}, Spec: map[string]any{
				"type": "team", "parent": "backstage", "children": []any{"team-a1", "group:default/team-x"}, "members": []any{"alice", "default/bob"},
			}},
			want: []string{
				"group:acme/team-a childOf group:acme/backstage",
				"group:acme/backstage parentOf group:acme/team-a",
				"group:acme/team-a parentOf group:acme/team-a1",
				"group:acme/team-a1 childOf group:acme/team-a",
				"group:acme/team-a parentOf group:default/team-x",
				"group:default/team-x childOf group:acme/team-a",
				"group:acme/team-a hasMember user:acme/alice",
				"user:acme/alice memberOf group:acme/team-a",
				"group:acme/team-a hasMember user:default/bob",
				"user:default/bob memberOf group:acme/team-a",
			},
		},
		{
			name: "Group with no relations",
			e:    Entity{Kind: "Group", Metadata: Metadata{Name: "root"}, Spec: map[string]any{"type": "root", "children": []any{}}},
			want: []string{},
		},
		{
			name: "User",
			e:    Entity{Kind: "User", Metadata: Metadata{Name: "alice"}, Spec: map[string]any{"memberOf": []any{"team-a", "group:ops/oncall"}}},
			want: []string{
				"user:default/alice memberOf group:default/team-a",
				"group:default/team-a hasMember user:default/alice",
				"user:default/alice memberOf group:ops/oncall",
				"group:ops/oncall hasMember user:default/alice",
			},
		},
		{
			name: "Template",
			e:    Entity{Kind: "Template", Metadata: Metadata{Name: "service"}, Spec: map[string]any{"type": "service", "owner": "user:guest", "steps": []any{}}},
			want: []string{
				"template:default/service ownedBy user:default/guest",
				"user:default/guest ownerOf template:default/service",
			},
		},
		{
			name: "Template owned by an e-mail-like name",
			e:    Entity{Kind: "Template", Metadata: Metadata{Name: "cra"}, Spec: map[string]any{"owner": "web@example.com"}},
			want: []string{
				"template:default/cra ownedBy group:default/web@example.com",
				"group:default/web@example.com ownerOf template:default/cra",
			},
		},
		{
			name: "Location",
			e:    Entity{Kind: "Location", Metadata: Metadata{Name: "all"}, Spec: map[string]any{"targets": []any{"./a.yaml"}, "owner": "team-a"}},
			want: []string{},
		},
		{
			name: "kind written in lower case",
			e:    Entity{Kind: "component", Metadata: Metadata{Name: "shop"}, Spec: map[string]any{"owner": "team-a"}},
			want: []string{
				"component:default/shop ownedBy group:default/team-a",
				"group:default/team-a ownerOf component:default/shop",
			},
		},
		{
			name: "unknown kind",
			e:    Entity{Kind: "Website", Metadata: Metadata{Name: "www"}, Spec: map[string]any{"owner": "team-a"}},
			want: []string{},
		},
		{
			name: "refs that do not parse are skipped",
			e:    Entity{Kind: "Component", Metadata: Metadata{Name: "shop"}, Spec: map[string]any{"owner": "a:b:c", "system": 5.0, "dependsOn": []any{"", 3.0, "component:ok"}}},
			want: []string{
				"component:default/shop dependsOn component:default/ok",
				"component:default/ok dependencyOf component:default/shop",
			},
		},
		{
			name: "no spec",
			e:    Entity{Kind: "Component", Metadata: Metadata{Name: "shop"}},
			want: []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := edgeStrings(DeriveEdges(&tt.e))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DeriveEdges =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestDeriveEdgesUsesCanonicalKinds(t *testing.T) {
	e := &Entity{Kind: "api", Metadata: Metadata{Name: "a"}, Spec: map[string]any{"owner": "USER:alice", "system": "s"}}
	edges := DeriveEdges(e)
	if len(edges) != 4 {
		t.Fatalf("got %d edges, want 4", len(edges))
	}
	for _, ed := range edges {
		for _, r := range []Ref{ed.Source, ed.Target} {
			if CanonicalKind(r.Kind) != r.Kind {
				t.Errorf("edge %s %s %s: kind %q, want Backstage's spelling %q", ed.Source, ed.Type, ed.Target, r.Kind, CanonicalKind(r.Kind))
			}
		}
	}
	if got := edges[0].Source.Kind; got != "API" {
		t.Errorf("source kind = %q, want API", got)
	}
}

func TestDeriveEdgesCrossNamespaceGuest(t *testing.T) {
	path := filepath.Join(modelExamples, "acme", "team-a-group.yaml")
	parsed, problems := ParseFile("team-a-group.yaml", readModelFile(t, path), nil)
	if len(problems) != 0 {
		t.Fatalf("problems: %v", problems)
	}
	edges := map[string][]string{}
	for _, p := range parsed {
		edges[p.Entity.Ref().String()] = edgeStrings(DeriveEdges(p.Entity))
	}
	want := map[string][]string{
		"group:default/team-a": {
			"group:default/team-a childOf group:default/backstage",
			"group:default/backstage parentOf group:default/team-a",
		},
		"user:default/breanna.davison": {
			"user:default/breanna.davison memberOf group:default/team-a",
			"group:default/team-a hasMember user:default/breanna.davison",
		},
		"user:default/janelle.dawe": {
			"user:default/janelle.dawe memberOf group:default/team-a",
			"group:default/team-a hasMember user:default/janelle.dawe",
		},
		"user:default/nigel.manning": {
			"user:default/nigel.manning memberOf group:default/team-a",
			"group:default/team-a hasMember user:default/nigel.manning",
		},
		"user:default/guest": {
			"user:default/guest memberOf group:default/team-a",
			"group:default/team-a hasMember user:default/guest",
		},
		// The second guest lives in namespace development and names team-a
		// in default explicitly: the two guests stay distinct.
		"user:development/guest": {
			"user:development/guest memberOf group:default/team-a",
			"group:default/team-a hasMember user:development/guest",
		},
	}
	if !reflect.DeepEqual(edges, want) {
		t.Errorf("edges = %v\nwant %v", edges, want)
	}
}

func TestDeriveEdgesOfTheDemoCatalogResolve(t *testing.T) {
	// In Backstage's demo catalog every relation points at an entity the
	// catalog declares, so a target we cannot find is a ref we read wrongly.
	declared := map[string]bool{}
	var all []*Entity
	err := filepath.WalkDir(modelExamples, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		r := &besideResolver{dir: filepath.Dir(path)}
		parsed, _ := ParseFile(path, readModelFile(t, path), r.resolve)
		for _, p := range parsed {
			declared[p.Entity.Ref().String()] = true
			all = append(all, p.Entity)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	count := 0
	for ref := range refusedExamples {
		// Backstage refuses these too, but other examples still name them.
		declared[strings.TrimSuffix(strings.TrimPrefix(ref, "apis/"), "-api.yaml")] = true
	}
	for _, e := range all {
		for _, ed := range DeriveEdges(e) {
			count++
			if t := ed.Target; !declared[t.String()] && !(strings.EqualFold(t.Kind, "API") && declared[t.Name]) {
				missing = append(missing, fmt.Sprintf("%s %s %s", ed.Source, ed.Type, ed.Target))
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d of %d edges point at undeclared entities:\n  %s", len(missing), count, strings.Join(missing, "\n  "))
	}
	if count < 100 {
		t.Errorf("derived %d edges from the demo catalog, want well over 100", count)
	}
}

func TestOwnerRef(t *testing.T) {
	tests := []struct {
		name   string
		e      Entity
		want   string
		wantOK bool
	}{
		{"bare name", Entity{Kind: "Component", Metadata: Metadata{Name: "a"}, Spec: map[string]any{"owner": "payments"}}, "group:default/payments", true},
		{"kind given", Entity{Kind: "Component", Metadata: Metadata{Name: "a"}, Spec: map[string]any{"owner": "group:payments"}}, "group:default/payments", true},
		{"full ref", Entity{Kind: "Component", Metadata: Metadata{Name: "a"}, Spec: map[string]any{"owner": "group:default/payments"}}, "group:default/payments", true},
		{"user", Entity{Kind: "Component", Metadata: Metadata{Name: "a"}, Spec: map[string]any{"owner": "user:alice"}}, "user:default/alice", true},
		{"entity's namespace", Entity{Kind: "Component", Metadata: Metadata{Name: "a", Namespace: "ops"}, Spec: map[string]any{"owner": "payments"}}, "group:ops/payments", true},
		{"no owner", Entity{Kind: "Group", Metadata: Metadata{Name: "a"}, Spec: map[string]any{"type": "team"}}, "", false},
		{"owner not a string", Entity{Kind: "Component", Metadata: Metadata{Name: "a"}, Spec: map[string]any{"owner": []any{"a"}}}, "", false},
		{"owner malformed", Entity{Kind: "Component", Metadata: Metadata{Name: "a"}, Spec: map[string]any{"owner": "a:b:c"}}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.e.OwnerRef()
			if ok != tt.wantOK || (ok && got.String() != tt.want) {
				t.Errorf("OwnerRef() = %v, %v; want %s, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
