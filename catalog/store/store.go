package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/sqlite"
)

// Store is the catalog's tables in callboard's database.
type Store struct {
	db  *sqlite.DB
	Now func() time.Time

	// Prepared once: preparing costs more than running these hot reads.
	byRef, relsOfRef *sql.Stmt

	// gen counts this process's writes, so caches know when to refresh.
	gen    atomic.Int64
	counts versioned[int]                  // entities matching a filter, by catalog version
	facets versioned[[]catalog.FacetCount] // facet counts, by catalog version
	// refresh counts them again in the background after a change.
	refresh refresher
	names   struct {
		mu   sync.Mutex
		list []catalog.NameEntry
		gen  int64
		at   time.Time
	}
}

// wrote marks the catalog changed by this process.
func (s *Store) wrote() { s.gen.Add(1) }

// New returns the catalog store over db, whose migrations must be applied.
func New(ctx context.Context, db *sqlite.DB) (*Store, error) {
	s := &Store{db: db, Now: time.Now}
	if err := s.prepareReads(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close releases the statements the store prepared; the database stays
// open (its owner closes it).
func (s *Store) Close() error {
	s.stopRefresh()
	var errs []error
	for _, st := range []*sql.Stmt{s.byRef, s.relsOfRef} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

const relationsOfRefSQL = `SELECT e.ref, r.type, r.target_ref, 0 FROM relations r JOIN entities e ON e.id = r.entity_id WHERE e.ref = ?1
	UNION
	SELECT r.target_ref, r.type, e.ref, 1 FROM relations r JOIN entities e ON e.id = r.entity_id WHERE r.target_ref = ?1`

func (s *Store) prepareReads(ctx context.Context) error {
	var err error
	if s.byRef, err = s.db.Prepare(ctx, `SELECT uid, etag, body FROM entities WHERE ref = ?`); err != nil {
		return fmt.Errorf("preparing reads: %w", err)
	}
	if s.relsOfRef, err = s.db.Prepare(ctx, relationsOfRefSQL); err != nil {
		return fmt.Errorf("preparing reads: %w", err)
	}
	return nil
}
