package store

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/callboard/callboard/catalog"
)

// Search finds entities whose name, title, description or tags contain the
// words of text (each word as a prefix), best matches first.
func (s *Store) Search(ctx context.Context, text string, limit int) ([]*catalog.Entity, error) {
	q := ftsQuery(text)
	if q == "" {
		return nil, nil
	}
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	// Names weigh most, then titles, tags, descriptions.
	return s.list(ctx, `SELECT e.uid, e.etag, e.body FROM entities_fts f JOIN entities e ON e.id = f.rowid
		WHERE entities_fts MATCH ? ORDER BY bm25(entities_fts, 10.0, 5.0, 1.0, 3.0), e.ref LIMIT ?`, q, limit)
}

// ftsQuery turns what a person typed into an FTS5 query: each word a quoted
// prefix, all required. Quoting keeps FTS5 syntax out of people's hands.
func ftsQuery(text string) string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	var parts []string
	for _, w := range words {
		if len(parts) == 8 {
			break
		}
		parts = append(parts, fmt.Sprintf(`"%s"*`, w))
	}
	return strings.Join(parts, " ")
}

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
