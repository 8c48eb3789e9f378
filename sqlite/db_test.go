package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "callboard.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrateIsIdempotentAndReady(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	applied, err := db.Migrate(ctx)
	if err != nil || len(applied) != 0 {
		t.Fatalf("second migrate applied %v (%v), want nothing", applied, err)
	}
	if err := db.Ready(ctx); err != nil {
		t.Fatal(err)
	}
}

// WithTx commits what fn wrote when it returns nil, and nothing of it when
// it fails; the pool reads what was committed.
func TestWithTxCommitsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	write := func(id int, fail error) error {
		return db.WithTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO health_probe (id, page) VALUES (?, x'00')`, id); err != nil {
				return err
			}
			return fail
		})
	}
	boom := errors.New("boom")
	if err := write(1, boom); !errors.Is(err, boom) {
		t.Fatalf("WithTx returned %v, want fn's error", err)
	}
	if err := write(2, nil); err != nil {
		t.Fatal(err)
	}
	var ids []int
	rows, err := db.Query(ctx, `SELECT id FROM health_probe ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if len(ids) != 1 || ids[0] != 2 {
		t.Errorf("rows after a failed and a committed transaction: %v, want [2]", ids)
	}
}

func TestOpenMustExist(t *testing.T) {
	_, err := Open(context.Background(), filepath.Join(t.TempDir(), "missing.db"), Options{MustExist: true})
	if !errors.Is(err, ErrNoDatabase) {
		t.Errorf("Open of a missing file with MustExist: %v, want ErrNoDatabase", err)
	}
}
