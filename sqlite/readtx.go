package sqlite

import (
	"container/list"
	"context"
	"database/sql"
	"slices"
	"sync"
)

// readStmts is how many read statements the pool keeps prepared (on each
// reading connection that has run them), least recently used out first.
const readStmts = 128

// ReadTx is a read-only transaction whose queries are prepared once per
// text and kept: a page of a few entities costs less to read than its
// queries cost to parse and plan, so the catalog API's reads run as
// statements prepared before. A text is run as it is the first time, and
// prepared on the pool once the transaction has ended (preparing needs a
// connection of the pool: asked for while the transaction holds one, every
// connection could be waiting for another). A statement kept is run once
// at a time: a text asked for again while its rows may still be open (a
// query row not yet scanned, rows not yet closed) runs as it is.
type ReadTx struct {
	tx *sql.Tx
	db *DB
	// What each kept statement's last use in this transaction returned:
	// rows (reusable once closed), or nil (a query row: not reused).
	inUse map[string]*sql.Rows
	// Texts to prepare once the transaction has ended.
	pending []string
}

// pendingMax is how many texts one transaction prepares after it ends.
const pendingMax = 8

// ReadTx runs fn in a read-only transaction on the pool, so that several
// reads see one snapshot (the ids a list selects and the entities it then
// writes).
func (db *DB) ReadTx(ctx context.Context, fn func(tx *ReadTx) error) error {
	var rt *ReadTx
	err := inTx(ctx, db.r, &sql.TxOptions{ReadOnly: true}, func(tx *sql.Tx) error {
		rt = &ReadTx{tx: tx, db: db}
		return fn(rt)
	})
	if rt != nil {
		for _, q := range rt.pending {
			db.stmts.prepare(ctx, db.r, q)
		}
	}
	return err
}

// QueryContext runs a query in the transaction.
func (t *ReadTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st := t.kept(ctx, query)
	if st == nil {
		return t.tx.QueryContext(ctx, query, args...)
	}
	rows, err := st.QueryContext(ctx, args...)
	if err == nil {
		t.inUse[query] = rows
	}
	return rows, err
}

// QueryRowContext runs a query of one row in the transaction.
func (t *ReadTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st := t.kept(ctx, query)
	if st == nil {
		return t.tx.QueryRowContext(ctx, query, args...)
	}
	t.inUse[query] = nil
	return st.QueryRowContext(ctx, args...)
}

// kept is the kept statement of query, bound to the transaction; nil when
// it is in use here or not kept yet (it is then prepared after).
func (t *ReadTx) kept(ctx context.Context, query string) *sql.Stmt {
	if rows, seen := t.inUse[query]; seen && (rows == nil || !closed(rows)) {
		return nil
	}
	st := t.db.stmts.get(query)
	if st == nil {
		if len(t.pending) < pendingMax && !slices.Contains(t.pending, query) {
			t.pending = append(t.pending, query)
		}
		return nil
	}
	if t.inUse == nil {
		t.inUse = make(map[string]*sql.Rows)
	}
	return t.tx.StmtContext(ctx, st)
}

// closed says whether rows were closed (read to the end, or closed).
func closed(rows *sql.Rows) bool {
	_, err := rows.Columns()
	return err != nil
}

// stmtCache keeps prepared statements by their text, least recently used
// out first.
type stmtCache struct {
	mu    sync.Mutex
	order *list.List // of *keptStmt, most recently used first
	byKey map[string]*list.Element
}

type keptStmt struct {
	query string
	stmt  *sql.Stmt
}

// get returns the kept statement of query, or nil.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[query]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*keptStmt).stmt
	}
	return nil
}

// prepare prepares query on pool and keeps it, unless it is kept already
// or cannot be prepared (it then keeps running as it is).
func (c *stmtCache) prepare(ctx context.Context, pool *sql.DB, query string) {
	if c.get(query) != nil {
		return
	}
	st, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey == nil {
		c.order, c.byKey = list.New(), make(map[string]*list.Element)
	}
	if _, ok := c.byKey[query]; ok { // prepared meanwhile by another reader
		st.Close()
		return
	}
	c.byKey[query] = c.order.PushFront(&keptStmt{query, st})
	if c.order.Len() > readStmts {
		old := c.order.Remove(c.order.Back()).(*keptStmt)
		delete(c.byKey, old.query)
		old.stmt.Close() // closed for good once the transactions using it end
	}
}

// close closes every kept statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, el := range c.byKey {
		el.Value.(*keptStmt).stmt.Close()
	}
	c.order, c.byKey = nil, nil
}
