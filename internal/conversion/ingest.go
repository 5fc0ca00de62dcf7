package conversion

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/store"
)

// Outcomes of one order's ingestion (the batch answer's status).
const (
	OutcomeCreated   = "created"
	OutcomeDuplicate = "duplicate"
	OutcomeUpdated   = "updated" // a file's row attributed or refunded an order already stored
	OutcomeRejected  = "rejected"
)

// staged is an order ready to be written: validated, attributed and quoted, all before the write
// transaction (reference data only), so the transaction itself is short and touches no other
// connection.
type staged struct {
	*prepared
	match *match
	quote any
}

// stage validates, attributes and quotes an order.
func (s *Service) stage(ctx context.Context, orgID, source string, o Order) (*staged, error) {
	pr, err := s.prepare(orgID, source, o)
	if err != nil {
		return nil, err
	}
	st, err := s.attributeStaged(ctx, s.newLookups(), pr)
	if err != nil {
		return nil, err
	}
	if st.match != nil && s.ledger != nil && pr.c.Status == StatusPending {
		if st.quote, err = s.ledger.Quote(ctx, pr.c); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// Create stores one order sent to POST /api/v1/conversions: from an API key its source is "api",
// from a person (finance entering an order by hand) "manual". created is false when the source
// already had the external id: the stored conversion is answered and nothing is added.
//
// Orders arriving together are written together (group commit): the order is validated here, then
// queued, and a committer stores the orders queued meanwhile — up to maxGroup — in one transaction,
// each with its own answer (see committer). The answer comes once the group has committed.
func (s *Service) Create(ctx context.Context, p actor.Actor, in Input) (c *Conversion, created bool, err error) {
	pr, err := s.prepare(p.OrgID, sourceOf(p), Order{Input: in})
	if err != nil {
		return nil, false, err
	}
	it := &queued{pending: pending{pr: pr, actorID: p.ID()}}
	if err := s.group.submit(ctx, s, it); err != nil {
		return nil, false, err
	}
	return it.conv, it.outcome == OutcomeCreated, nil
}

// CreateAlone is Create in a transaction of the order's own: for a request whose Idempotency-Key
// its transaction must record (store.RunInTx writes the key of the context's request).
func (s *Service) CreateAlone(ctx context.Context, p actor.Actor, in Input) (c *Conversion, created bool, err error) {
	st, err := s.stage(ctx, p.OrgID, sourceOf(p), Order{Input: in})
	if err != nil {
		return nil, false, err
	}
	var id, outcome string
	err = store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		id, outcome, err = s.write(ctx, tx, p.ID(), st, false)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	c, err = s.get(ctx, s.db, p.OrgID, id)
	return c, outcome == OutcomeCreated, err
}

// sourceOf is the source of an order sent through the API: "api" from an API key, "manual" from a
// person.
func sourceOf(p actor.Actor) string {
	if p.APIKeyID != "" {
		return SourceAPI
	}
	return SourceManual
}

// BatchInput is the body of POST /api/v1/conversions/batch.
type BatchInput struct {
	Conversions []Input `json:"conversions"`
}

// BatchItem is the result of one order of a batch.
type BatchItem struct {
	Index  int            `json:"index"`
	Status string         `json:"status"` // created | duplicate | rejected
	ID     *string        `json:"id,omitempty"`
	Error  *apperr.Public `json:"error,omitempty"`
}

// BatchResult answers a batch: one result per order, in order.
type BatchResult struct {
	Items      []BatchItem `json:"items"`
	Created    int         `json:"created"`
	Duplicates int         `json:"duplicates"`
	Rejected   int         `json:"rejected"`
}

// Batch stores up to 1000 orders. Each order is validated and attributed on its own (a bad one is
// "rejected" with its error, the others go on); the valid ones are written set-based in one
// transaction (see ingestMany), exactly as one at a time in their order would write them.
func (s *Service) Batch(ctx context.Context, p actor.Actor, in BatchInput) (*BatchResult, error) {
	f := apperr.Fields{}
	f.Check(in.Conversions == nil, "conversions", "is required")
	f.Check(len(in.Conversions) > maxBatch, "conversions", fmt.Sprintf("at most %d conversions per batch", maxBatch))
	if err := f.Err(); err != nil {
		return nil, err
	}
	source := sourceOf(p)
	res := &BatchResult{Items: make([]BatchItem, len(in.Conversions))}
	ps := make([]*pending, len(in.Conversions))
	var valid []*pending
	for i, o := range in.Conversions {
		res.Items[i].Index = i
		pr, err := s.prepare(p.OrgID, source, Order{Input: o})
		ps[i] = &pending{pr: pr, actorID: p.ID(), err: err}
		if err == nil {
			valid = append(valid, ps[i])
		}
	}
	if err := s.ingestMany(ctx, valid); err != nil {
		return nil, err
	}
	for i, pd := range ps {
		it := &res.Items[i]
		switch {
		case pd.err == nil:
			id := pd.id
			it.ID, it.Status = &id, pd.outcome
		case apperr.KindOf(pd.err) == apperr.KindValidation:
			pub := apperr.PublicOf(pd.err)
			it.Status, it.Error = OutcomeRejected, &pub
		default:
			return nil, pd.err // not the order's fault: the batch may be sent again as a whole
		}
		switch it.Status {
		case OutcomeCreated:
			res.Created++
		case OutcomeDuplicate:
			res.Duplicates++
		case OutcomeRejected:
			res.Rejected++
		}
	}
	return res, nil
}

// write stores a staged order in tx: created, or — when its source already has the external id —
// the stored one answered as it is (duplicate), or, with merge (order files), completed with what
// this delivery knows that the stored one did not (an attribution, a refund): updated.
func (s *Service) write(ctx context.Context, tx bun.Tx, actorID string, st *staged, merge bool) (id, outcome string, err error) {
	c := st.c
	existing, err := s.bySource(ctx, tx, c.OrgID, c.Source, c.ExternalID)
	if err != nil {
		return "", "", err
	}
	if existing == nil {
		res, err := tx.NewInsert().Model(c).On("CONFLICT (org_id, source, external_id) DO NOTHING").Exec(ctx)
		if err != nil {
			return "", "", store.MapError(err)
		}
		if n, _ := res.RowsAffected(); n == 0 { // a parallel delivery of the same order won
			if existing, err = s.bySource(ctx, tx, c.OrgID, c.Source, c.ExternalID); err != nil {
				return "", "", err
			}
			if existing == nil {
				return "", "", apperr.Unavailable("the order is being stored by another request, try again", nil)
			}
		}
	}
	if existing != nil {
		if !merge {
			return existing.ID, OutcomeDuplicate, nil
		}
		changed, err := s.merge(ctx, tx, actorID, existing, st)
		if err != nil {
			return "", "", err
		}
		if changed {
			return existing.ID, OutcomeUpdated, nil
		}
		return existing.ID, OutcomeDuplicate, nil
	}
	if len(st.items) > 0 {
		if _, err := tx.NewInsert().Model(&st.items).Exec(ctx); err != nil {
			return "", "", store.MapError(err)
		}
	}
	if c.Attributed() && c.Status == StatusPending && s.ledger != nil {
		if err := s.ledger.Commission(ctx, tx, c, st.quote, actorID); err != nil {
			return "", "", err
		}
	}
	if err := s.claimWaitingRefunds(ctx, tx, c, actorID); err != nil {
		return "", "", err
	}
	if _, err := s.orderRefunds(ctx, tx, c, st.order, actorID); err != nil {
		return "", "", err
	}
	return c.ID, OutcomeCreated, nil
}

// merge completes a stored order with a later delivery of it (an order file): an attribution when
// the stored one had none, a larger total refunded. Amounts stay as first stored.
func (s *Service) merge(ctx context.Context, tx bun.Tx, actorID string, c *Conversion, st *staged) (bool, error) {
	changed := false
	if !c.Attributed() && st.match != nil {
		if err := s.setAttribution(ctx, tx, c, st.match, st.quote, actorID); err != nil {
			return false, err
		}
		changed = true
	}
	refunded, err := s.orderRefunds(ctx, tx, c, st.order, actorID)
	if err != nil {
		return false, err
	}
	return changed || refunded, nil
}

// orderRefunds records what a delivery says has been refunded: each listed refund under its own id
// (one that would take the order past its amount is already counted: logged, skipped), or else the
// total refunded as one refund naming it. It reports whether it added any.
func (s *Service) orderRefunds(ctx context.Context, tx bun.Tx, c *Conversion, o Order, actorID string) (bool, error) {
	if len(o.Refunds) == 0 {
		if o.RefundedMinor == nil {
			return false, nil
		}
		return s.refundTo(ctx, tx, c, *o.RefundedMinor, o.RefundedAt, actorID)
	}
	added := false
	for _, in := range o.Refunds {
		amount := deref(in.AmountMinor)
		if amount <= 0 {
			continue
		}
		if c.RefundedMinor+amount > c.AmountMinor {
			s.log.Warn("a listed refund would take the order past its amount: skipped", "org", c.OrgID, "conversion", c.ID,
				"refund", in.ExternalID, "amount_minor", amount, "refunded_minor", c.RefundedMinor)
			continue
		}
		when := c.OccurredAt
		if in.OccurredAt != nil {
			if t, err := time.Parse(time.RFC3339Nano, *in.OccurredAt); err == nil && t.After(when) {
				when = t.UTC().Truncate(time.Microsecond)
			}
		}
		r := &Refund{ID: store.NewID(), OrgID: c.OrgID, Source: c.Source, ExternalID: in.ExternalID, OrderExternalID: c.ExternalID,
			ConversionID: &c.ID, AmountMinor: amount, Currency: &c.Currency, OccurredAt: when, CreatedAt: s.now()}
		res, err := tx.NewInsert().Model(r).On("CONFLICT (org_id, source, external_id) DO NOTHING").Exec(ctx)
		if err != nil {
			return added, store.MapError(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // its own delivery came first
		}
		if err := s.applyRefund(ctx, tx, c, r, actorID); err != nil {
			return added, err
		}
		added = true
	}
	return added, nil
}

// setAttribution attributes a stored, unattributed conversion (manual attribution, or an order file
// naming the creator of an order stored without one): it records the commission and reverses what
// was already refunded. A rejected conversion keeps its status and earns nothing.
func (s *Service) setAttribution(ctx context.Context, tx bun.Tx, c *Conversion, m *match, quote any, actorID string) error {
	now := s.now()
	m.apply(c, now)
	c.Version++
	c.UpdatedAt = now
	if _, err := tx.NewUpdate().Model(c).Column("creator_id", "account_id", "platform", "campaign_id", "rule", "hold_until", "attributed_at", "version", "updated_at").
		WherePK().Exec(ctx); err != nil {
		return store.MapError(err)
	}
	if s.ledger == nil || c.Status == StatusRejected {
		return nil
	}
	if err := s.ledger.Commission(ctx, tx, c, quote, actorID); err != nil {
		return err
	}
	var refunds []Refund
	if err := tx.NewSelect().Model(&refunds).Where("rf.org_id = ? AND rf.conversion_id = ?", c.OrgID, c.ID).Order("rf.occurred_at", "rf.id").Scan(ctx); err != nil {
		return store.MapError(err)
	}
	// Replay the refunds in order, each seeing the refunded total as it stood after it, so only the
	// one that completed a full refund takes the remainder.
	total := c.RefundedMinor
	defer func() { c.RefundedMinor = total }()
	c.RefundedMinor = 0
	for i := range refunds {
		c.RefundedMinor += refunds[i].AmountMinor
		if err := s.ledger.Reverse(ctx, tx, c, &refunds[i], "", actorID); err != nil {
			return err
		}
	}
	return nil
}

// bySource reads (and, on PostgreSQL, locks) the conversion of a source's external id; nil when
// there is none.
func (s *Service) bySource(ctx context.Context, tx bun.Tx, orgID, source, externalID string) (*Conversion, error) {
	var c Conversion
	err := store.Lock(tx, tx.NewSelect().Model(&c).Where("cv.org_id = ? AND cv.source = ? AND cv.external_id = ?", orgID, source, externalID)).Scan(ctx)
	if store.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, store.MapError(err)
	}
	return &c, nil
}

// claimWaitingRefunds applies the refunds that arrived before their order (Shopify delivers out of
// order). One that would refund more than the order stays waiting and is logged.
func (s *Service) claimWaitingRefunds(ctx context.Context, tx bun.Tx, c *Conversion, actorID string) error {
	var waiting []Refund
	if err := tx.NewSelect().Model(&waiting).
		Where("rf.org_id = ? AND rf.source = ? AND rf.order_external_id = ? AND rf.conversion_id IS NULL", c.OrgID, c.Source, c.ExternalID).
		Order("rf.occurred_at", "rf.id").Scan(ctx); err != nil {
		return store.MapError(err)
	}
	for i := range waiting {
		r := &waiting[i]
		if c.RefundedMinor+r.AmountMinor > c.AmountMinor {
			s.log.Warn("a refund that arrived before its order refunds more than the order: left unapplied",
				"org", c.OrgID, "conversion", c.ID, "refund", r.ID, "amount_minor", r.AmountMinor)
			continue
		}
		if _, err := tx.NewUpdate().Model(r).Set("conversion_id = ?", c.ID).WherePK().Exec(ctx); err != nil {
			return store.MapError(err)
		}
		r.ConversionID = &c.ID
		if err := s.applyRefund(ctx, tx, c, r, actorID); err != nil {
			return err
		}
	}
	return nil
}

// refundTo records what an order file or an order payload says has been refunded in total: the
// difference from what is recorded becomes one refund whose external id names the total, so the
// same file again adds nothing. It reports whether it added one.
func (s *Service) refundTo(ctx context.Context, tx bun.Tx, c *Conversion, total int64, at string, actorID string) (bool, error) {
	if total <= c.RefundedMinor {
		return false, nil
	}
	when := s.now()
	if at != "" {
		if t, err := time.Parse(time.RFC3339Nano, at); err == nil {
			when = t.UTC().Truncate(time.Microsecond)
		}
	}
	if when.Before(c.OccurredAt) {
		when = c.OccurredAt
	}
	r := &Refund{ID: store.NewID(), OrgID: c.OrgID, Source: c.Source, ExternalID: fmt.Sprintf("%s:refunded-to:%d", c.ExternalID, total),
		OrderExternalID: c.ExternalID, ConversionID: &c.ID, AmountMinor: total - c.RefundedMinor, Currency: &c.Currency,
		OccurredAt: when, CreatedAt: s.now()}
	res, err := tx.NewInsert().Model(r).On("CONFLICT (org_id, source, external_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, store.MapError(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	return true, s.applyRefund(ctx, tx, c, r, actorID)
}

// errRefundExceeds is the 422 of a refund past the order's amount.
func errRefundExceeds(c *Conversion, amount int64) error {
	return (&apperr.Error{Kind: apperr.KindValidation, Code: "refund_exceeds_order",
		Message: fmt.Sprintf("the refund of %d would take the refunded total past the order's amount of %d (already refunded: %d)", amount, c.AmountMinor, c.RefundedMinor),
		Fields:  map[string]string{"amount_minor": "must not take the refunded total past the order's amount"}}).
		WithParams(map[string]any{"amount_minor": c.AmountMinor, "refunded_minor": c.RefundedMinor, "currency": c.Currency})
}

// applyRefund adds a stored refund to its conversion: the refunded total, the reversal entry (when
// the conversion earns), and the reversed status once fully refunded.
func (s *Service) applyRefund(ctx context.Context, tx bun.Tx, c *Conversion, r *Refund, actorID string) error {
	if c.RefundedMinor+r.AmountMinor > c.AmountMinor {
		return errRefundExceeds(c, r.AmountMinor)
	}
	c.RefundedMinor += r.AmountMinor
	if c.Attributed() && c.Status != StatusRejected && s.ledger != nil {
		if err := s.ledger.Reverse(ctx, tx, c, r, "", actorID); err != nil {
			return err
		}
	}
	if c.RefundedMinor == c.AmountMinor && (c.Status == StatusPending || c.Status == StatusApproved || c.Status == StatusPaid) {
		c.Status = StatusReversed
	}
	c.Version++
	c.UpdatedAt = s.now()
	_, err := tx.NewUpdate().Model(c).Column("refunded_minor", "status", "version", "updated_at").WherePK().Exec(ctx)
	return store.MapError(err)
}

// RefundResult answers POST /api/v1/conversions/{id}/refunds: the refund, the entries it added and
// the conversion after it.
type RefundResult struct {
	Refund     Refund     `json:"refund"`
	Entries    []Entry    `json:"entries"`
	Conversion Conversion `json:"conversion"`
}

// AddRefund records a refund of net merchandise on a conversion. The same external id again answers
// the stored refund and adds nothing (created false); past the order's amount is a 422.
func (s *Service) AddRefund(ctx context.Context, p actor.Actor, conversionID string, in RefundInput) (*RefundResult, bool, error) {
	if _, err := store.ByID[Conversion](ctx, s.db, p.OrgID, conversionID, "conversion"); err != nil {
		return nil, false, err // another organization's conversion is a 404 before any 422
	}
	f := apperr.Fields{}
	ext := strings.TrimSpace(in.ExternalID)
	f.Check(ext == "" || len(ext) > maxExternalID, "external_id", fmt.Sprintf("must be 1 to %d characters", maxExternalID))
	f.Check(ext != "" && strings.ContainsAny(ext, "\x00\r\n"), "external_id", "must not contain control characters")
	f.Check(in.AmountMinor == nil, "amount_minor", "is required")
	f.Check(in.AmountMinor != nil && (*in.AmountMinor <= 0 || *in.AmountMinor > maxAmountMinor), "amount_minor", "must be more than 0")
	now := s.now()
	when := now
	if in.OccurredAt != nil && strings.TrimSpace(*in.OccurredAt) != "" {
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(*in.OccurredAt))
		f.Check(err != nil, "occurred_at", "must be an RFC 3339 time such as 2026-11-03T09:15:22Z")
		when = t.UTC().Truncate(time.Microsecond)
		f.Check(err == nil && when.After(now.Add(futureSlack)), "occurred_at", "must not be in the future")
	}
	if err := f.Err(); err != nil {
		return nil, false, err
	}
	var refundID string
	created := false
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		created = false
		c, err := store.ByIDForUpdate[Conversion](ctx, tx, p.OrgID, conversionID, "conversion")
		if err != nil {
			return err
		}
		var prior Refund
		err = tx.NewSelect().Model(&prior).Where("rf.org_id = ? AND rf.source = ? AND rf.external_id = ?", p.OrgID, c.Source, ext).Scan(ctx)
		switch {
		case err == nil && deref(prior.ConversionID) == c.ID:
			refundID = prior.ID
			return nil
		case err == nil:
			return apperr.Conflict("refund_taken", fmt.Sprintf("the refund %q belongs to another order", ext)).WithParams(map[string]any{"external_id": ext})
		case !store.IsNoRows(err):
			return store.MapError(err)
		}
		at := when
		if at.Before(c.OccurredAt) {
			f.Add("occurred_at", "must not be before the order")
			return f.Err()
		}
		r := &Refund{ID: store.NewID(), OrgID: p.OrgID, Source: c.Source, ExternalID: ext, OrderExternalID: c.ExternalID,
			ConversionID: &c.ID, AmountMinor: *in.AmountMinor, Currency: &c.Currency, OccurredAt: at, CreatedAt: now}
		if c.RefundedMinor+r.AmountMinor > c.AmountMinor {
			return errRefundExceeds(c, r.AmountMinor)
		}
		if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
			return store.MapError(err)
		}
		refundID, created = r.ID, true
		return s.applyRefund(ctx, tx, c, r, p.ID())
	})
	if err != nil {
		return nil, false, err
	}
	c, err := s.get(ctx, s.db, p.OrgID, conversionID)
	if err != nil {
		return nil, false, err
	}
	out := &RefundResult{Conversion: *c, Entries: []Entry{}}
	for _, r := range c.Refunds {
		if r.ID == refundID {
			out.Refund = r
		}
	}
	for _, e := range c.Entries {
		if deref(e.RefundID) == refundID {
			out.Entries = append(out.Entries, e)
		}
	}
	return out, created, nil
}
