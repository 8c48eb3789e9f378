package sqlite

import (
	"container/list"
	"context"
	"database/sql"
	"errors"
	"slices"
	"sync"
	"time"
)

// readStmts is how many read statements the pool keeps prepared (on each
// reading connection that has run them), least recently used out first.
const readStmts = 128

// ReadTx is a read-only transaction whose queries are prepared once per
// text and kept: a page of a few entities costs less to read than its
// queries cost to parse and plan, so the catalog API's reads run as
// statements prepared before. A text seen a second time is prepared on
// the pool in the background, off every request's path (preparing inside
// the transaction would need a second connection of the pool: with every
// connection held by a transaction waiting for one, none would come); till
// then it runs as it is. A statement kept is run once at a time: a text
// asked for again while its rows may still be open (a query row not yet
// scanned, rows not yet closed) runs as it is.
type ReadTx struct {
	tx *sql.Tx
	db *DB
	// What each kept statement's last use in this transaction returned:
	// rows (reusable once closed), or nil (a query row: not reused).
	inUse map[string]*sql.Rows
	// Texts not kept yet, offered to the preparer once the transaction ends.
	pending []string
}

// pendingMax is how many texts one transaction offers to the preparer.
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
			db.stmts.offer(db.r, q)
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
// out first, and prepares in one background goroutine the texts offered a
// second time.
type stmtCache struct {
	mu     sync.Mutex
	order  *list.List // of *keptStmt, most recently used first
	byKey  map[string]*list.Element
	seen   map[string]bool // offered once (bounded: emptied when full)
	failed map[string]bool // failed to prepare: run as they are (bounded too)
	queue  chan string     // texts to prepare
	start  sync.Once
	done   chan struct{}
	closed bool
	worker sync.WaitGroup
}

type keptStmt struct {
	query string
	stmt  *sql.Stmt
}

// seenMax bounds the texts remembered as offered once.
const seenMax = 4 * readStmts

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

// offer asks for query to be prepared: the second time it is offered, and
// only if the preparer has room (else it is offered again later).
func (c *stmtCache) offer(pool *sql.DB, query string) {
	c.mu.Lock()
	if c.closed || c.byKey[query] != nil || c.failed[query] {
		c.mu.Unlock()
		return
	}
	if !c.seen[query] {
		if c.seen == nil || len(c.seen) >= seenMax {
			c.seen = make(map[string]bool)
		}
		c.seen[query] = true
		c.mu.Unlock()
		return
	}
	delete(c.seen, query)
	c.start.Do(func() {
		c.queue, c.done = make(chan string, 32), make(chan struct{})
		c.worker.Add(1)
		go c.prepareLoop(pool)
	})
	c.mu.Unlock()
	select {
	case c.queue <- query:
	default: // busy: offered again by a later transaction
	}
}

// prepareLoop prepares the texts queued, each within a few seconds, until
// the database closes.
func (c *stmtCache) prepareLoop(pool *sql.DB) {
	defer c.worker.Done()
	for {
		select {
		case <-c.done:
			return
		case query := <-c.queue:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			st, err := pool.PrepareContext(ctx, query)
			cancel()
			c.keep(query, st, err)
		}
	}
}

// keep keeps a statement prepared for query, unless it failed (the text
// then runs as it is, and is not offered again unless the pool was only
// busy), is kept already, or the database is closing.
func (c *stmtCache) keep(query string, st *sql.Stmt, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if errors.Is(err, context.DeadlineExceeded) {
		return
	}
	if err != nil {
		if c.failed == nil || len(c.failed) >= seenMax {
			c.failed = make(map[string]bool)
		}
		c.failed[query] = true
		return
	}
	if c.closed || c.byKey[query] != nil {
		st.Close()
		return
	}
	if c.byKey == nil {
		c.order, c.byKey = list.New(), make(map[string]*list.Element)
	}
	c.byKey[query] = c.order.PushFront(&keptStmt{query, st})
	if c.order.Len() > readStmts {
		old := c.order.Remove(c.order.Back()).(*keptStmt)
		delete(c.byKey, old.query)
		old.stmt.Close() // closed for good once the transactions using it end
	}
}

// close stops the preparer and closes every kept statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	if c.done != nil && !c.closed {
		close(c.done)
	}
	c.closed = true
	c.mu.Unlock()
	c.worker.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, el := range c.byKey {
		el.Value.(*keptStmt).stmt.Close()
	}
	c.order, c.byKey = nil, nil
}
