package conversion

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/store"
)

// Group commit: single orders (POST /api/v1/conversions) that arrive while others are being written
// wait in a queue; a committer takes up to maxGroup of them and stores them together through
// ingestMany — one attribution pass with shared reads, one transaction with multi-row INSERTs —
// then answers each request with its own result: created, duplicate (the stored conversion, as the
// first delivery was answered), or its own error. An order that fails does not fail the others:
// when the group's transaction fails, each order is written alone. Nothing is acknowledged before
// its transaction has committed, and the queue holds only requests that are still waiting for their
// answer, so a replica that stops loses nothing it has answered.
const (
	// maxGroup bounds a group: a larger one holds the database's write lock longer.
	maxGroup = 128
	// maxCommitters is how many groups are in flight at once. One: two groups of one replica holding
	// copies of the same order deadlocked on PostgreSQL often enough to exhaust the retries (503s in
	// TestFiftyParallelCopiesOfOneDeliveryStoreOneConversion under -race), and on SQLite their
	// transactions take turns at the one writer anyway.
	maxCommitters = 1
	// groupTimeout bounds the work of one group, whatever its requests' deadlines.
	groupTimeout = time.Minute
)

// committer is the queue of single orders waiting to be written.
type committer struct {
	mu      sync.Mutex
	queue   []*queued
	running int
}

// queued is a single order waiting in the queue, and its answer once written.
type queued struct {
	pending
	ctx  context.Context
	done chan struct{}
	conv *Conversion // the stored conversion, as the API answers it
}

// submit queues it and waits for its answer (it.err, else it.conv and it.outcome).
func (c *committer) submit(ctx context.Context, s *Service, it *queued) error {
	it.ctx, it.done = ctx, make(chan struct{})
	c.mu.Lock()
	c.queue = append(c.queue, it)
	start := c.running < maxCommitters
	if start {
		c.running++
	}
	c.mu.Unlock()
	if start {
		go c.run(s)
	}
	select {
	case <-it.done:
		return it.err
	case <-ctx.Done():
		// The request has gone; its order may still be written (a retry will be a duplicate).
		return ctx.Err()
	}
}

// run writes groups until the queue is empty.
func (c *committer) run(s *Service) {
	for {
		c.mu.Lock()
		n := min(len(c.queue), maxGroup)
		if n == 0 {
			c.running--
			c.mu.Unlock()
			return
		}
		group := c.queue[:n:n]
		c.queue = append([]*queued(nil), c.queue[n:]...)
		c.mu.Unlock()
		s.commitGroup(group)
	}
}

// commitGroup writes a group and answers each of its requests.
func (s *Service) commitGroup(group []*queued) {
	var live []*queued
	for _, it := range group {
		if err := it.ctx.Err(); err != nil {
			it.err = err // gone before its turn: nothing written
			close(it.done)
			continue
		}
		live = append(live, it)
	}
	if len(live) == 0 {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			err := fmt.Errorf("conversion: group commit panicked: %v", r)
			s.log.Error("group commit panicked", "err", err)
			for _, it := range live {
				if it.err == nil && it.conv == nil {
					it.err = err
				}
			}
		}
		for _, it := range live {
			close(it.done)
		}
	}()
	// The group's work is not any one request's: a client that gives up does not stop the others.
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	ps := make([]*pending, len(live))
	for i, it := range live {
		ps[i] = &it.pending
	}
	err := s.ingestMany(ctx, ps)
	if err == nil {
		err = s.answer(ctx, live)
	}
	if err != nil {
		for _, it := range live {
			if it.err == nil {
				it.err = err
			}
		}
	}
}

// answer reads the stored conversions of a group, as GET /api/v1/conversions/{id} shows them.
func (s *Service) answer(ctx context.Context, group []*queued) error {
	byOrg := map[string][]string{}
	for _, it := range group {
		if it.err == nil {
			byOrg[it.pr.c.OrgID] = append(byOrg[it.pr.c.OrgID], it.id)
		}
	}
	found := map[string]*Conversion{}
	for org, ids := range byOrg {
		var cs []Conversion
		if err := s.db.NewSelect().Model(&cs).Where("cv.org_id = ? AND cv.id IN (?)", org, bun.In(ids)).Scan(ctx); err != nil {
			return store.MapError(err)
		}
		if err := s.hydrate(ctx, s.db, org, cs); err != nil {
			return err
		}
		for i := range cs {
			found[cs[i].ID] = &cs[i]
		}
	}
	for _, it := range group {
		if it.err != nil {
			continue
		}
		c, ok := found[it.id]
		if !ok {
			return apperr.Unavailable("the order is being stored by another request, try again", nil)
		}
		it.conv = c // two orders of a group may share one (read-only) answer
	}
	return nil
}
