package digest

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/digest/kpi"
)

// KPICatalog is what the KPIs read of the catalog; *store.Store satisfies it.
type KPICatalog interface {
	Query(ctx context.Context, q catalog.Query) (catalog.Page, error)
}

// Catalog annotations the KPIs read.
const (
	annotationProjectSlug    = "github.com/project-slug"
	annotationSourceTemplate = "backstage.io/source-template"
)

// LoadCatalogKPIFacts adds what the catalog says to f: each repository's
// Systems, Domains, owning group and source template (from the entities a
// repository declares, by their github.com/project-slug), the members of
// each group, and who owns each usage plugin.
func LoadCatalogKPIFacts(ctx context.Context, cat KPICatalog, f *kpi.Facts) error {
	systems, err := queryKind(ctx, cat, "system")
	if err != nil {
		return err
	}
	domainOf := map[string]string{} // system ref → domain name
	for _, s := range systems {
		if d := s.SpecString("domain"); d != "" {
			if r, err := catalog.ParseRef(d, catalog.RefDefaults{Kind: "Domain", Namespace: s.Ref().Namespace}); err == nil {
				domainOf[s.Ref().String()] = r.Name
			}
		}
	}
	if err := loadRepoCatalogFacts(ctx, cat, f, domainOf); err != nil {
		return err
	}
	if err := loadTeams(ctx, cat, f); err != nil {
		return err
	}
	return loadPluginOwners(ctx, cat, f)
}

// queryKind reads the catalog's entities of a kind.
func queryKind(ctx context.Context, cat KPICatalog, kind string) ([]*catalog.Entity, error) {
	p, err := cat.Query(ctx, catalog.Query{Filter: catalog.Filter{{{Key: "kind", Values: []string{kind}}}}})
	if err != nil {
		return nil, fmt.Errorf("reading the catalog's %s entities: %w", kind, err)
	}
	return p.Entities, nil
}

// loadRepoCatalogFacts adds to each repository what the entities it
// declares say; a repository known only from the catalog is added.
func loadRepoCatalogFacts(ctx context.Context, cat KPICatalog, f *kpi.Facts, domainOf map[string]string) error {
	byRepo := map[string]*kpi.Repo{} // what the catalog says, by org/repo
	var order []string
	for _, kind := range []string{"component", "resource", "api"} {
		es, err := queryKind(ctx, cat, kind)
		if err != nil {
			return err
		}
		for _, e := range es {
			slug := strings.ToLower(e.Metadata.Annotations[annotationProjectSlug])
			if !strings.Contains(slug, "/") {
				continue
			}
			r := byRepo[slug]
			if r == nil {
				r = &kpi.Repo{Name: slug}
				byRepo[slug] = r
				order = append(order, slug)
			}
			addCatalogFacts(r, e, domainOf)
		}
	}
	for i := range f.Repos {
		slug := strings.ToLower(f.Repos[i].Name)
		if c := byRepo[slug]; c != nil {
			f.Repos[i].Systems, f.Repos[i].Domains = c.Systems, c.Domains
			f.Repos[i].Owner, f.Repos[i].Template = c.Owner, c.Template
			delete(byRepo, slug)
		}
	}
	for _, slug := range order {
		if c := byRepo[slug]; c != nil {
			f.Repos = append(f.Repos, *c) // known only from the catalog
		}
	}
	return nil
}

// loadTeams adds the groups each member belongs to.
func loadTeams(ctx context.Context, cat KPICatalog, f *kpi.Facts) error {
	groups, err := queryKind(ctx, cat, "group")
	if err != nil {
		return err
	}
	if f.Teams == nil {
		f.Teams = map[string][]string{}
	}
	for _, g := range groups {
		for _, m := range g.SpecStrings("members") {
			r, err := catalog.ParseRef(m, catalog.RefDefaults{Kind: "User", Namespace: g.Ref().Namespace})
			if err != nil {
				continue
			}
			login := strings.ToLower(r.Name)
			if !slices.Contains(f.Teams[login], strings.ToLower(g.Metadata.Name)) {
				f.Teams[login] = append(f.Teams[login], strings.ToLower(g.Metadata.Name))
			}
		}
	}
	return nil
}

// loadPluginOwners adds who owns each usage plugin id.
func loadPluginOwners(ctx context.Context, cat KPICatalog, f *kpi.Facts) error {
	p, err := cat.Query(ctx, catalog.Query{Filter: catalog.Filter{{{Key: "metadata.annotations." + AnnotationPluginID}}}})
	if err != nil {
		return fmt.Errorf("finding plugin owners: %w", err)
	}
	if f.PluginOwners == nil {
		f.PluginOwners = map[string]string{}
	}
	for _, e := range p.Entities {
		owner, ok := e.OwnerRef()
		if !ok {
			continue
		}
		for _, id := range strings.Split(e.Metadata.Annotations[AnnotationPluginID], ",") {
			if id = strings.ToLower(strings.TrimSpace(id)); id != "" && f.PluginOwners[id] == "" {
				f.PluginOwners[id] = strings.ToLower(owner.Name)
			}
		}
	}
	return nil
}

// addCatalogFacts adds an entity's System (and its Domain), owner and
// source template to its repository's.
func addCatalogFacts(r *kpi.Repo, e *catalog.Entity, domainOf map[string]string) {
	if sys := e.SpecString("system"); sys != "" {
		if ref, err := catalog.ParseRef(sys, catalog.RefDefaults{Kind: "System", Namespace: e.Ref().Namespace}); err == nil {
			if !slices.Contains(r.Systems, ref.Name) {
				r.Systems = append(r.Systems, ref.Name)
			}
			if d := domainOf[ref.String()]; d != "" && !slices.Contains(r.Domains, d) {
				r.Domains = append(r.Domains, d)
			}
		}
	}
	if owner, ok := e.OwnerRef(); ok && r.Owner == "" && strings.EqualFold(owner.Kind, "group") {
		r.Owner = strings.ToLower(owner.Name)
	}
	if t := e.Metadata.Annotations[annotationSourceTemplate]; t != "" && r.Template == "" {
		r.Template = strings.ToLower(t)
	}
}
