package store

import (
	"context"

	"github.com/callboard/callboard/catalog"
)

// Coverage measures the catalog against every repository callboard knows,
// in four queries whatever the number of repositories: the repositories,
// the count of entities, the known owners, and every repository's entities.
func (s *Store) Coverage(ctx context.Context) (catalog.Coverage, error) {
	var c catalog.Coverage
	repos, err := s.Repositories(ctx)
	if err != nil {
		return c, err
	}
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM entities`).Scan(&c.Entities); err != nil {
		return c, err
	}
	owners, err := s.ownerRefs(ctx)
	if err != nil {
		return c, err
	}
	bySource, err := s.repositoryEntities(ctx)
	if err != nil {
		return c, err
	}
	for _, r := range repos {
		if !r.Archived {
			countCoverage(&c, r, bySource[r.Source], owners)
		}
	}
	return c, nil
}

// ownerRefs are the refs of every group and user: the owners that are known.
func (s *Store) ownerRefs(ctx context.Context) (map[string]bool, error) {
	owners := map[string]bool{}
	rows, err := s.db.Query(ctx, `SELECT ref FROM entities WHERE kind IN ('group', 'user')`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			return nil, err
		}
		owners[ref] = true
	}
	return owners, rows.Err()
}

// repositoryEntities are the entities repositories declare, by source.
func (s *Store) repositoryEntities(ctx context.Context) (map[string][]*catalog.Entity, error) {
	bySource := map[string][]*catalog.Entity{}
	rows, err := s.db.Query(ctx, `SELECT source, uid, etag, body FROM entities WHERE source IN (SELECT source FROM repositories)`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var source, uid, etag string
		var body []byte
		if err := rows.Scan(&source, &uid, &etag, &body); err != nil {
			return nil, err
		}
		e, err := decode(uid, etag, body)
		if err != nil {
			return nil, err
		}
		bySource[source] = append(bySource[source], e)
	}
	return bySource, rows.Err()
}

// countCoverage adds one repository that is not archived, with the
// entities it declares, to c.
func countCoverage(c *catalog.Coverage, r *catalog.Repository, es []*catalog.Entity, owners map[string]bool) {
	c.Repositories++
	switch r.CatalogStatus {
	case catalog.StatusRegistered:
		c.Registered++
	case catalog.StatusInvalid:
		c.Invalid++
	}
	owned, documented := false, false
	for _, e := range es {
		if ref, ok := e.OwnerRef(); ok && owners[ref.String()] {
			owned = true
		}
		if catalog.HasDocs(e) {
			documented = true
		}
	}
	if !owned && len(es) == 0 && r.Codeowners != nil {
		if rule, ok := r.Codeowners.Match("catalog-info.yaml"); ok && len(rule.Owners) > 0 {
			owned = true
		}
	}
	if owned {
		c.Owned++
	}
	if documented {
		c.Documented++
	}
}
