package store

import (
	"context"

	"github.com/callboard/callboard/catalog"
)

// Coverage measures the catalog against every repository callboard knows.
func (s *Store) Coverage(ctx context.Context) (catalog.Coverage, error) {
	var c catalog.Coverage
	repos, err := s.Repositories(ctx)
	if err != nil {
		return c, err
	}
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM entities`).Scan(&c.Entities); err != nil {
		return c, err
	}
	// Three queries in all, whatever the number of repositories: the known
	// owners, and every repository's entities.
	owners := map[string]bool{}
	rows, err := s.db.Query(ctx, `SELECT ref FROM entities WHERE kind IN ('group', 'user')`)
	if err != nil {
		return c, err
	}
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			rows.Close()
			return c, err
		}
		owners[ref] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return c, err
	}
	bySource := map[string][]*catalog.Entity{}
	rows, err = s.db.Query(ctx, `SELECT source, uid, etag, body FROM entities WHERE source IN (SELECT source FROM repositories)`)
	if err != nil {
		return c, err
	}
	for rows.Next() {
		var source, uid, etag string
		var body []byte
		if err := rows.Scan(&source, &uid, &etag, &body); err != nil {
			rows.Close()
			return c, err
		}
		e, err := decode(uid, etag, body)
		if err != nil {
			rows.Close()
			return c, err
		}
		bySource[source] = append(bySource[source], e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return c, err
	}
	for _, r := range repos {
		if r.Archived {
			continue
		}
		c.Repositories++
		switch r.CatalogStatus {
		case catalog.StatusRegistered:
			c.Registered++
		case catalog.StatusInvalid:
			c.Invalid++
		}
		es := bySource[r.Source]
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
	return c, nil
}
