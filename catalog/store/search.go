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
