package sqlite

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// numbers fills a table of n numbers to read back.
func numbers(t *testing.T, db *DB, n int) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.Exec(ctx, `CREATE TABLE numbers (n INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) INSERT INTO numbers SELECT x FROM c`, n); err != nil {
		t.Fatal(err)
	}
}

func sum(t *testing.T, tx *ReadTx, query string, args ...any) int {
	t.Helper()
	rows, err := tx.QueryContext(context.Background(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return total
}

// A text run again while its first rows are still open reads its own rows
// (a kept statement is never run twice at once); run again after they are
// closed, and in later transactions, the kept statement serves, once.
func TestReadTxKeepsStatements(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	numbers(t, db, 100)
	const q = `SELECT n FROM numbers WHERE n <= ? ORDER BY n`
	for round := 0; round < 3; round++ {
		if round == 2 {
			waitKept(t, db, 2) // offered twice: prepared in the background
		}
		err := db.ReadTx(ctx, func(tx *ReadTx) error {
			outer, err := tx.QueryContext(ctx, q, 10)
			if err != nil {
				return err
			}
			defer outer.Close()
			var got []int
			for outer.Next() {
				var n int
				if err := outer.Scan(&n); err != nil {
					return err
				}
				got = append(got, n)
				if n == 3 { // the same text, nested, with other arguments
					if inner := sum(t, tx, q, 100); inner != 5050 {
						t.Errorf("nested: sum %d, want 5050", inner)
					}
				}
			}
			if len(got) != 10 || got[9] != 10 {
				t.Errorf("outer rows %v, want 1..10", got)
			}
			var max int
			if err := tx.QueryRowContext(ctx, `SELECT max(n) FROM numbers WHERE n <= ?`, 42).Scan(&max); err != nil || max != 42 {
				t.Errorf("query row: %d, %v; want 42", max, err)
			}
			if again := sum(t, tx, q, 4); again != 10 { // after the rows above closed
				t.Errorf("again: sum %d, want 10", again)
			}
			return outer.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := kept(db); n != 2 {
		t.Fatalf("%d statements kept, want 2 (one per text)", n)
	}
	if err := db.Close(); err != nil { // and again when the test ends: harmless
		t.Fatal(err)
	}
}

func kept(db *DB) int {
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	if db.stmts.order == nil {
		return 0
	}
	return db.stmts.order.Len()
}

// waitKept waits for the background preparer to keep n statements.
func waitKept(t *testing.T, db *DB, n int) {
	t.Helper()
	for i := 0; i < 1000 && kept(db) < n; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if got := kept(db); got != n {
		t.Fatalf("%d statements kept, want %d", got, n)
	}
}

// A query that cannot be prepared reports its error as an unkept one would,
// and is not kept nor offered again; what is kept is bounded, least
// recently used out first, and what was evicted still answers.
func TestReadTxErrorsAndBound(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	numbers(t, db, 10)
	for i := 0; i < 3; i++ {
		err := db.ReadTx(ctx, func(tx *ReadTx) error {
			_, err := tx.QueryContext(ctx, `SELECT n FROM no_such_table`)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "no such table") {
			t.Fatalf("query of a missing table: %v", err)
		}
	}
	failed := false
	for i := 0; i < 1000 && !failed; i++ {
		time.Sleep(10 * time.Millisecond)
		db.stmts.mu.Lock()
		failed = db.stmts.failed[`SELECT n FROM no_such_table`]
		db.stmts.mu.Unlock()
	}
	if !failed {
		t.Fatal("the text that cannot be prepared is not marked so: it would be offered again")
	}
	if n := kept(db); n != 0 {
		t.Fatalf("%d statements kept after a failed prepare", n)
	}
	for i := 0; i < readStmts+20; i++ {
		q := fmt.Sprintf(`SELECT n + %d FROM numbers WHERE n = 1`, i)
		st, err := db.r.PrepareContext(ctx, q)
		db.stmts.keep(q, st, err)
	}
	if n := kept(db); n != readStmts {
		t.Fatalf("%d statements kept, at most %d", n, readStmts)
	}
	for _, i := range []int{0, readStmts + 19} { // evicted, and kept
		err := db.ReadTx(ctx, func(tx *ReadTx) error {
			if got := sum(t, tx, fmt.Sprintf(`SELECT n + %d FROM numbers WHERE n = 1`, i)); got != i+1 {
				t.Errorf("query %d: %d, want %d", i, got, i+1)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Readers on every connection of the pool share the kept statements while
// texts are evicted under them (run with -race).
func TestReadTxConcurrent(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	numbers(t, db, 50)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				k := (g*200 + i) % (readStmts * 2)
				err := db.ReadTx(ctx, func(tx *ReadTx) error {
					if got := sum(t, tx, fmt.Sprintf(`SELECT n FROM numbers WHERE n <= ? AND %d >= 0`, k), 5); got != 15 {
						return fmt.Errorf("text %d: sum %d, want 15", k, got)
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}
