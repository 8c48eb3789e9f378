package queue

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// inserter stores deliveries for concurrent webhook requests in shared
// transactions (group commit): under load one commit acknowledges many
// deliveries, and each request still answers only after its row is durable.
type inserter struct {
	running atomic.Bool
	last    atomic.Int64 // unix nanoseconds of the latest stored delivery
	store   *store
	reqs    chan *insertReq
	wg      sync.WaitGroup
	stopC   chan struct{}
}

type insertReq struct {
	d    *Delivery
	dup  bool
	err  error
	done chan struct{}
}

// maxGroup bounds how many deliveries one transaction stores.
const maxGroup = 64

func newInserter(s *store) *inserter {
	return &inserter{store: s, reqs: make(chan *insertReq), stopC: make(chan struct{})}
}

// lastStored is when the latest delivery was stored.
func (in *inserter) lastStored() time.Time { return time.Unix(0, in.last.Load()) }

func (in *inserter) start() {
	in.running.Store(true)
	in.wg.Add(1)
	go in.loop()
}

func (in *inserter) stop() {
	if !in.running.Swap(false) {
		return
	}
	close(in.stopC)
	in.wg.Wait()
}

// insert stores d, through the group committer when it runs.
func (in *inserter) insert(ctx context.Context, d *Delivery) (bool, error) {
	if !in.running.Load() {
		return in.store.insert(ctx, d)
	}
	r := &insertReq{d: d, done: make(chan struct{})}
	select {
	case in.reqs <- r:
	case <-in.stopC:
		return in.store.insert(ctx, d)
	case <-ctx.Done():
		return false, ctx.Err()
	}
	<-r.done // never abandon a request the committer holds: it answers promptly
	return r.dup, r.err
}

func (in *inserter) loop() {
	defer in.wg.Done()
	for {
		var first *insertReq
		select {
		case first = <-in.reqs:
		case <-in.stopC:
			return
		}
		group := []*insertReq{first}
	more:
		for len(group) < maxGroup {
			select {
			case r := <-in.reqs:
				group = append(group, r)
			default:
				break more
			}
		}
		in.commit(group)
	}
}

func (in *inserter) commit(group []*insertReq) {
	ds := make([]*Delivery, len(group))
	for i, r := range group {
		ds[i] = r.d
	}
	dups, err := in.store.insertMany(context.Background(), ds)
	in.last.Store(time.Now().UnixNano())
	for i, r := range group {
		if err != nil {
			r.err = err
		} else {
			r.dup = dups[i]
		}
		close(r.done)
	}
}
