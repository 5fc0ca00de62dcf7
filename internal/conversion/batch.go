package conversion

import (
	"context"
	"sort"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/store"
)

// pending is one validated order on its way in with others (a batch, a group of single orders):
// what it is, who sent it, and once written what it came to.
type pending struct {
	pr      *prepared
	actorID string
	st      *staged
	// id and outcome once written (created or duplicate); err when this order alone failed
	// (a validation error: the others go on).
	id, outcome string
	err         error
}

// testHookBeforeWrite lets a test spoil staged orders before their write (export_test.go).
var testHookBeforeWrite func([]*pending)

// ingestMany stores validated orders set-based, the way one order at a time would store them in
// their order: the ones their source already has (or that appear earlier in ps) are duplicates and
// are neither attributed nor quoted again; the others are attributed and quoted with shared reads,
// then written in one transaction with multi-row INSERTs (conversions, items, commission entries).
// An order whose attribution is refused gets its own error. When the transaction fails, each order
// is written in a transaction of its own, so one bad order does not fail the others; an order that
// fails then has its error. The error returned is one that stopped every order before anything was
// written (a reference read failed, say).
func (s *Service) ingestMany(ctx context.Context, ps []*pending) error {
	if len(ps) == 0 {
		return nil
	}
	// Duplicates first: a redelivery costs one read, not an attribution and a quote.
	if err := s.markStored(ctx, s.db, ps); err != nil {
		return err
	}
	lk := s.newLookups()
	var fresh []*pending
	for _, p := range ps {
		if p.outcome != "" || p.err != nil {
			continue
		}
		st, err := s.attributeStaged(ctx, lk, p.pr)
		if err != nil {
			if apperr.KindOf(err) != apperr.KindValidation {
				return err
			}
			p.err = err
			continue
		}
		p.st = st
		fresh = append(fresh, p)
	}
	if err := s.quoteMany(ctx, fresh); err != nil {
		return err
	}
	if len(fresh) == 0 {
		return nil
	}
	if testHookBeforeWrite != nil {
		testHookBeforeWrite(fresh)
	}
	// A transaction may run again (RunInTx retries a busy database): each attempt starts from the
	// conversions as staged.
	staged := make([]Conversion, len(fresh))
	for i, p := range fresh {
		staged[i] = *p.st.c
	}
	restore := func(i int, p *pending) {
		*p.st.c = staged[i]
		p.id, p.outcome = "", ""
	}
	unlock := s.writeTurn()
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		for i, p := range fresh {
			restore(i, p)
		}
		return s.writeMany(ctx, tx, fresh)
	})
	unlock()
	if err == nil {
		return nil
	}
	if len(fresh) > 1 && ctx.Err() == nil {
		// The group's transaction failed: each order alone, so only the ones at fault fail.
		s.log.Warn("orders failed to commit together: writing them one by one", "orders", len(fresh), "err", err)
		for i, p := range fresh {
			err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
				restore(i, p)
				var err error
				p.id, p.outcome, err = s.write(ctx, tx, p.actorID, p.st, false)
				return err
			})
			if err != nil {
				p.id, p.outcome, p.err = "", "", err
			}
		}
		return nil
	}
	for _, p := range fresh {
		p.id, p.outcome, p.err = "", "", err
	}
	return nil
}

// writeTurn waits for this process's turn to write a group on SQLite, which has one writer: the
// groups in flight take turns here instead of polling for the database's lock (its busy handler
// sleeps for milliseconds). PostgreSQL writes them side by side.
func (s *Service) writeTurn() (unlock func()) {
	if !store.IsSQLite(s.db) {
		return func() {}
	}
	s.writeMu.Lock()
	return s.writeMu.Unlock
}

// attributeStaged attributes a validated order (its quote comes after, for all orders at once).
func (s *Service) attributeStaged(ctx context.Context, lk *lookups, pr *prepared) (*staged, error) {
	st := &staged{prepared: pr}
	m, err := s.attribute(ctx, lk, pr.c)
	if err != nil {
		return nil, err
	}
	st.match = m
	if m != nil {
		m.apply(pr.c, pr.c.CreatedAt)
	}
	return st, nil
}

// quoteMany quotes the attributed, pending orders of ps together.
func (s *Service) quoteMany(ctx context.Context, ps []*pending) error {
	if s.ledger == nil {
		return nil
	}
	var cs []*Conversion
	var at []*staged
	for _, p := range ps {
		if p.st.match != nil && p.st.c.Status == StatusPending {
			cs, at = append(cs, p.st.c), append(at, p.st)
		}
	}
	if len(cs) == 0 {
		return nil
	}
	quotes, err := s.ledger.QuoteMany(ctx, cs)
	if err != nil {
		return err
	}
	for i, st := range at {
		st.quote = quotes[i]
	}
	return nil
}

// sourceKey is one source of one organization: external ids are unique within it.
type sourceKey struct{ org, source string }

// markStored answers as duplicates the orders whose source already has their external id, and the
// later of two orders with the same one.
func (s *Service) markStored(ctx context.Context, db bun.IDB, ps []*pending) error {
	bySource := map[sourceKey][]*pending{}
	for _, p := range ps {
		if p.err == nil {
			k := sourceKey{p.pr.c.OrgID, p.pr.c.Source}
			bySource[k] = append(bySource[k], p)
		}
	}
	for k, group := range bySource {
		exts := make([]string, len(group))
		for i, p := range group {
			exts[i] = p.pr.c.ExternalID
		}
		stored, err := s.storedIDs(ctx, db, k, exts)
		if err != nil {
			return err
		}
		first := map[string]string{}
		for _, p := range group {
			ext := p.pr.c.ExternalID
			if id, ok := stored[ext]; ok {
				p.id, p.outcome = id, OutcomeDuplicate
			} else if id, ok := first[ext]; ok {
				p.id, p.outcome = id, OutcomeDuplicate
			} else {
				first[ext] = p.pr.c.ID
			}
		}
	}
	return nil
}

// storedIDs returns the ids of the conversions of a source among external ids, by external id.
func (s *Service) storedIDs(ctx context.Context, db bun.IDB, k sourceKey, exts []string) (map[string]string, error) {
	out := make(map[string]string, len(exts))
	rows, err := s.stored.Rows(ctx, db, k.org, k.source, store.List(exts))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, ext string
		if err := rows.Scan(&id, &ext); err != nil {
			return nil, store.MapError(err)
		}
		out[ext] = id
	}
	return out, store.MapError(rows.Err())
}

// writeMany writes staged orders in tx: duplicates (stored since they were staged, or earlier in ps)
// are answered as such; the others are inserted with multi-row INSERTs, then their commission
// entries, then — for the few that have them — the refunds that were waiting for them and the ones
// their channel listed.
func (s *Service) writeMany(ctx context.Context, tx bun.Tx, ps []*pending) error {
	if err := s.markStored(ctx, tx, ps); err != nil {
		return err
	}
	type part struct {
		sourceKey
		actorID string
	}
	var parts []part
	byPart := map[part][]*pending{}
	for _, p := range ps {
		if p.outcome != "" {
			continue
		}
		k := part{sourceKey{p.pr.c.OrgID, p.pr.c.Source}, p.actorID}
		if _, ok := byPart[k]; !ok {
			parts = append(parts, k)
		}
		byPart[k] = append(byPart[k], p)
	}
	for _, k := range parts {
		if err := s.insertMany(ctx, tx, k.sourceKey, k.actorID, byPart[k]); err != nil {
			return err
		}
	}
	return nil
}

// insertMany inserts new orders of one source sent by one actor.
func (s *Service) insertMany(ctx context.Context, tx bun.Tx, k sourceKey, actorID string, ps []*pending) error {
	// Rows in external-id order: two transactions inserting overlapping orders (PostgreSQL) wait for
	// each other in the same order instead of deadlocking.
	rows := make([]*pending, len(ps))
	copy(rows, ps)
	sort.Slice(rows, func(i, j int) bool { return rows[i].pr.c.ExternalID < rows[j].pr.c.ExternalID })
	cs := make([]*Conversion, len(rows))
	for i, p := range rows {
		cs[i] = p.st.c
	}
	inserted, err := s.newOrders.Insert(ctx, tx, cs)
	if err != nil {
		return store.MapError(err)
	}
	created := ps
	if inserted < int64(len(ps)) {
		// Parallel deliveries of some of these orders won (PostgreSQL): they are duplicates.
		if created, err = s.lostRaces(ctx, tx, k, ps); err != nil {
			return err
		}
	}
	var items []itemRow
	for _, p := range created {
		items = append(items, p.st.items...)
	}
	if _, err := s.newItems.Insert(ctx, tx, items); err != nil {
		return store.MapError(err)
	}
	if s.ledger != nil {
		var cs []*Conversion
		var quotes []any
		for _, p := range created {
			if c := p.st.c; c.Attributed() && c.Status == StatusPending {
				cs, quotes = append(cs, c), append(quotes, p.st.quote)
			}
		}
		if err := s.ledger.CommissionMany(ctx, tx, cs, quotes, actorID); err != nil {
			return err
		}
	}
	waiting, err := s.waitingFor(ctx, tx, k, created)
	if err != nil {
		return err
	}
	for _, p := range created {
		c := p.st.c
		if waiting[c.ExternalID] {
			if err := s.claimWaitingRefunds(ctx, tx, c, actorID); err != nil {
				return err
			}
		}
		if len(p.st.order.Refunds) > 0 || p.st.order.RefundedMinor != nil {
			if _, err := s.orderRefunds(ctx, tx, c, p.st.order, actorID); err != nil {
				return err
			}
		}
		p.id, p.outcome = c.ID, OutcomeCreated
	}
	return nil
}

// lostRaces answers as duplicates the orders of ps whose row another transaction stored first, and
// returns the ones this one inserted.
func (s *Service) lostRaces(ctx context.Context, tx bun.Tx, k sourceKey, ps []*pending) ([]*pending, error) {
	exts := make([]string, len(ps))
	for i, p := range ps {
		exts[i] = p.pr.c.ExternalID
	}
	stored, err := s.storedIDs(ctx, tx, k, exts)
	if err != nil {
		return nil, err
	}
	var created []*pending
	for _, p := range ps {
		id, ok := stored[p.pr.c.ExternalID]
		switch {
		case !ok:
			return nil, apperr.Unavailable("the order is being stored by another request, try again", nil)
		case id == p.pr.c.ID:
			created = append(created, p)
		default:
			p.id, p.outcome = id, OutcomeDuplicate
		}
	}
	return created, nil
}

// waitingFor returns the external ids among ps's orders that refunds are waiting for (refunds that
// arrived before their order).
func (s *Service) waitingFor(ctx context.Context, tx bun.Tx, k sourceKey, ps []*pending) (map[string]bool, error) {
	out := map[string]bool{}
	for i := 0; i < len(ps); i += 500 {
		var exts []string
		for _, p := range ps[i:min(i+500, len(ps))] {
			exts = append(exts, p.pr.c.ExternalID)
		}
		var found []string
		if err := tx.NewSelect().Model((*Refund)(nil)).Column("rf.order_external_id").
			Where("rf.org_id = ? AND rf.source = ? AND rf.conversion_id IS NULL AND rf.order_external_id IN (?)", k.org, k.source, bun.In(exts)).
			Scan(ctx, &found); err != nil {
			return nil, store.MapError(err)
		}
		for _, e := range found {
			out[e] = true
		}
	}
	return out, nil
}
