package conversion

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/platform"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/text"
)

// Filter narrows GET /api/v1/conversions.
type Filter struct {
	Status     string
	CreatorID  string
	CampaignID string
	Platform   string
	Source     string
	Rule       string
	From, To   string // days, YYYY-MM-DD, in the organization's time zone (inclusive)
	Attributed *bool
	Search     string // external id, exact or prefix
	IDs        []string
}

// FilterParams documents the list's query parameters.
var FilterParams = [][2]string{
	{"status", "pending, approved, paid, rejected or reversed"},
	{"creator_id", "the creator's id"},
	{"campaign_id", "the campaign's id"},
	{"platform", "the platform of the account that brought the order"},
	{"source", "api, manual, file, tiktok_shop or shopify:{store id}"},
	{"rule", "the attribution rule: creator, account, promo_code, click, link or manual"},
	{"from", "first day, YYYY-MM-DD in the organization's time zone"},
	{"to", "last day, YYYY-MM-DD in the organization's time zone"},
	{"attributed", "true or false"},
	{"q", "an order number (external id), or its beginning"},
}

func badParam(msg string) error { return apperr.BadRequest("invalid_parameter", msg) }

// ParseFilter reads the list's filter from a query string.
func ParseFilter(q url.Values) (Filter, error) {
	f := Filter{
		Status: strings.TrimSpace(q.Get("status")), CreatorID: strings.TrimSpace(q.Get("creator_id")),
		CampaignID: strings.TrimSpace(q.Get("campaign_id")), Platform: strings.ToLower(strings.TrimSpace(q.Get("platform"))),
		Source: strings.TrimSpace(q.Get("source")), Rule: strings.TrimSpace(q.Get("rule")),
		From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")), Search: strings.TrimSpace(q.Get("q")),
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		return f, badParam("status must be one of " + strings.Join(Statuses, ", "))
	}
	if f.Platform != "" && !platform.Valid(f.Platform) {
		return f, badParam("platform must be one of " + platform.Keys())
	}
	if f.Source != "" && !slices.Contains([]string{SourceAPI, SourceManual, SourceFile, SourceTikTokShop}, f.Source) &&
		!(strings.HasPrefix(f.Source, sourceShopify) && len(f.Source) > len(sourceShopify)) {
		return f, badParam("source must be api, manual, file, tiktok_shop or shopify:{store id}")
	}
	if f.Rule != "" && !slices.Contains([]string{RuleCreator, RuleAccount, RulePromoCode, RuleClick, RuleLink, RuleManual}, f.Rule) {
		return f, badParam("rule must be creator, account, promo_code, click, link or manual")
	}
	for name, v := range map[string]string{"from": f.From, "to": f.To} {
		if _, err := clock.ParseDay(v); v != "" && err != nil {
			return f, badParam(name + " must be a date YYYY-MM-DD")
		}
	}
	if f.From != "" && f.To != "" && f.To < f.From {
		return f, badParam("to must not be before from")
	}
	switch a := strings.TrimSpace(q.Get("attributed")); a {
	case "":
	case "true", "false":
		b := a == "true"
		f.Attributed = &b
	default:
		return f, badParam("attributed must be true or false")
	}
	if len(f.Search) > 200 {
		return f, badParam("q must be at most 200 characters")
	}
	return f, nil
}

// where applies f to a query on conversions (alias cv).
func (s *Service) where(ctx context.Context, q *bun.SelectQuery, orgID string, f Filter) (*bun.SelectQuery, error) {
	q = q.Where("cv.org_id = ?", orgID)
	for col, v := range map[string]string{"status": f.Status, "creator_id": f.CreatorID, "campaign_id": f.CampaignID,
		"platform": f.Platform, "source": f.Source, "rule": f.Rule} {
		if v != "" {
			q = q.Where("?.? = ?", bun.Ident("cv"), bun.Ident(col), v)
		}
	}
	if f.Attributed != nil {
		if *f.Attributed {
			q = q.Where("cv.creator_id IS NOT NULL")
		} else {
			q = q.Where("cv.creator_id IS NULL")
		}
	}
	if f.Search != "" {
		// LIKE ignores case on SQLite and not on PostgreSQL: both sides lowered, it ignores case on both.
		q = q.Where("LOWER(cv.external_id) LIKE ? ESCAPE '\\'", likePrefix(strings.ToLower(f.Search)))
	}
	if len(f.IDs) > 0 {
		q = q.Where("cv.id IN (?)", bun.In(f.IDs))
	}
	if f.From != "" || f.To != "" {
		loc, err := s.orgs.Location(ctx, orgID)
		if err != nil {
			return nil, err
		}
		if f.From != "" {
			start, _, _ := clock.DayRange(f.From, loc)
			q = q.Where("cv.occurred_at >= ?", start)
		}
		if f.To != "" {
			_, end, _ := clock.DayRange(f.To, loc)
			q = q.Where("cv.occurred_at < ?", end)
		}
	}
	return q, nil
}

func likePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}

// List lists conversions, the latest order first.
func (s *Service) List(ctx context.Context, p actor.Actor, f Filter, req page.Request) (page.List[Conversion], error) {
	cq, err := s.where(ctx, s.db.NewSelect().Model((*Conversion)(nil)), p.OrgID, f)
	if err != nil {
		return page.List[Conversion]{}, err
	}
	total, err := cq.Count(ctx)
	if err != nil {
		return page.List[Conversion]{}, store.MapError(err)
	}
	var rows []Conversion
	q, err := s.where(ctx, s.db.NewSelect().Model(&rows), p.OrgID, f)
	if err != nil {
		return page.List[Conversion]{}, err
	}
	q = q.OrderExpr("cv.occurred_at DESC, cv.id DESC").Limit(req.Fetch())
	if len(req.After) == 2 {
		at, err := time.Parse(time.RFC3339Nano, req.After[0])
		if err != nil {
			return page.List[Conversion]{}, badParam("cursor is not one this server issued")
		}
		q = q.Where("(cv.occurred_at < ? OR (cv.occurred_at = ? AND cv.id < ?))", at, at, req.After[1])
	} else if len(req.After) > 0 {
		return page.List[Conversion]{}, badParam("cursor is not one this server issued")
	}
	if err := q.Scan(ctx); err != nil {
		return page.List[Conversion]{}, store.MapError(err)
	}
	l := page.Finish(rows, req, int64(total), func(c Conversion) []string {
		return []string{c.OccurredAt.UTC().Format(time.RFC3339Nano), c.ID}
	})
	return l, s.hydrate(ctx, s.db, p.OrgID, l.Items)
}

// Get returns one conversion with its items, refunds and entries.
func (s *Service) Get(ctx context.Context, p actor.Actor, id string) (*Conversion, error) {
	return s.get(ctx, s.db, p.OrgID, id)
}

func (s *Service) get(ctx context.Context, db bun.IDB, orgID, id string) (*Conversion, error) {
	c, err := store.ByID[Conversion](ctx, db, orgID, id, "conversion")
	if err != nil {
		return nil, err
	}
	cs := []Conversion{*c}
	if err := s.hydrate(ctx, db, orgID, cs); err != nil {
		return nil, err
	}
	return &cs[0], nil
}

// hydrate fills the clues, creator names, items, refunds and entries of cs.
func (s *Service) hydrate(ctx context.Context, db bun.IDB, orgID string, cs []Conversion) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]string, len(cs))
	var creatorIDs []string
	byID := make(map[string]*Conversion, len(cs))
	for i := range cs {
		c := &cs[i]
		c.decodeClues()
		c.Items, c.Refunds, c.Entries = []Item{}, []Refund{}, []Entry{}
		ids[i] = c.ID
		byID[c.ID] = c
		if c.CreatorID != nil {
			creatorIDs = append(creatorIDs, *c.CreatorID)
		}
	}
	refs, err := creator.Refs(ctx, db, orgID, creatorIDs)
	if err != nil {
		return err
	}
	for i := range cs {
		if cs[i].CreatorID != nil {
			if r, ok := refs[*cs[i].CreatorID]; ok {
				name := r.DisplayName
				cs[i].CreatorName = &name
			}
		}
	}
	var items []itemRow
	if err := db.NewSelect().Model(&items).Where("ci.org_id = ? AND ci.conversion_id IN (?)", orgID, bun.In(ids)).Order("ci.conversion_id", "ci.line").Scan(ctx); err != nil {
		return store.MapError(err)
	}
	for _, it := range items {
		c := byID[it.ConversionID]
		c.Items = append(c.Items, Item{SKU: it.SKU, Quantity: it.Quantity, AmountMinor: it.AmountMinor})
	}
	var refunds []Refund
	if err := db.NewSelect().Model(&refunds).Where("rf.org_id = ? AND rf.conversion_id IN (?)", orgID, bun.In(ids)).Order("rf.occurred_at", "rf.id").Scan(ctx); err != nil {
		return store.MapError(err)
	}
	for _, r := range refunds {
		c := byID[*r.ConversionID]
		c.Refunds = append(c.Refunds, r)
	}
	if s.ledger != nil {
		entries, err := s.ledger.Entries(ctx, db, orgID, ids)
		if err != nil {
			return err
		}
		for id, es := range entries {
			if c, ok := byID[id]; ok {
				c.Entries = es
			}
		}
	}
	return nil
}

// --- decisions ---

// Decision is the body of /reject (and, optionally, /approve): the reason is required to reject.
type Decision struct {
	Reason string `json:"reason"`
}

// Decision actions.
const (
	ActionApprove = "approve"
	ActionReject  = "reject"
)

func errStatus(c *Conversion, action string) error {
	return apperr.Conflict("invalid_status", fmt.Sprintf("a %s conversion cannot be %sd", c.Status, strings.TrimSuffix(action, "e"))).
		WithParams(map[string]any{"status": c.Status, "action": action})
}

// decide applies an action to a locked conversion. It reports whether the conversion changed; an
// action its status does not allow is a 409 (approving an approved one, rejecting a rejected one
// change nothing and are no error).
func (s *Service) decide(ctx context.Context, tx bun.Tx, p actor.Actor, c *Conversion, action, reason string) (bool, error) {
	now := s.now()
	before := c.Status
	switch action {
	case ActionApprove:
		switch {
		case c.Status == StatusApproved:
			return false, nil
		case c.Status != StatusPending:
			return false, errStatus(c, action)
		case !c.Attributed():
			return false, apperr.Conflict("not_attributed", "an unattributed conversion cannot be approved: attribute it to a creator first")
		}
		c.Status, c.StatusReason, c.ApprovedAt = StatusApproved, nil, &now
	case ActionReject:
		switch c.Status {
		case StatusRejected:
			return false, nil
		case StatusPending, StatusApproved:
		default:
			return false, errStatus(c, action)
		}
		if c.Attributed() && s.ledger != nil {
			if err := s.ledger.Reverse(ctx, tx, c, nil, reason, p.ID()); err != nil {
				return false, err
			}
		}
		c.Status, c.StatusReason = StatusRejected, &reason
	}
	id := p.ID()
	if id != "" {
		c.DecidedBy = &id
	}
	c.DecidedAt = &now
	c.Version++
	c.UpdatedAt = now
	if _, err := tx.NewUpdate().Model(c).Column("status", "status_reason", "decided_by", "decided_at", "approved_at", "version", "updated_at").WherePK().Exec(ctx); err != nil {
		return false, store.MapError(err)
	}
	// "status" is the new status too, as the first audit entries said it; before/after is the change.
	return true, audit.Record(ctx, tx, now, p, "conversion."+action, "conversion", c.ID, map[string]any{
		"reason": reason, "status": c.Status, "before": before, "after": c.Status})
}

func checkReason(action, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	f := apperr.Fields{}
	f.Check(action == ActionReject && reason == "", "reason", "is required")
	f.Check(len(reason) > 500, "reason", "must be at most 500 characters")
	return reason, f.Err()
}

// Decide approves or rejects one conversion (finance); ifMatch, when given, must be its version.
func (s *Service) Decide(ctx context.Context, p actor.Actor, id, action string, in Decision, ifMatch *int64) (*Conversion, error) {
	if _, err := store.ByID[Conversion](ctx, s.db, p.OrgID, id, "conversion"); err != nil {
		return nil, err // another organization's conversion is a 404 before any 422
	}
	reason, err := checkReason(action, in.Reason)
	if err != nil {
		return nil, err
	}
	err = store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		c, err := store.ByIDForUpdate[Conversion](ctx, tx, p.OrgID, id, "conversion")
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != c.Version {
			return apperr.Precondition(c.Version)
		}
		_, err = s.decide(ctx, tx, p, c, action, reason)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.get(ctx, s.db, p.OrgID, id)
}

// BulkDecision is the body of POST /api/v1/conversions/decisions: approve or reject the conversions
// named by ids, or every conversion the filter matches (the list's filters).
type BulkDecision struct {
	Action string      `json:"action"` // approve | reject
	IDs    []string    `json:"ids,omitempty"`
	Filter *BulkFilter `json:"filter,omitempty"`
	Reason string      `json:"reason,omitempty"`
}

// BulkFilter is the list's filters, for a bulk decision.
type BulkFilter struct {
	Status     string `json:"status,omitempty"`
	CreatorID  string `json:"creator_id,omitempty"`
	CampaignID string `json:"campaign_id,omitempty"`
	Platform   string `json:"platform,omitempty"`
	Source     string `json:"source,omitempty"`
	Rule       string `json:"rule,omitempty"`
	Attributed *bool  `json:"attributed,omitempty"`
	Q          string `json:"q,omitempty"`
	From       string `json:"from,omitempty"`
	To         string `json:"to,omitempty"`
}

// BulkResult counts what a bulk decision did: matched conversions, changed ones, and skipped ones
// (their status does not allow the action, or unattributed for an approval).
type BulkResult struct {
	Matched int `json:"matched"`
	Changed int `json:"changed"`
	Skipped int `json:"skipped"`
}

// maxBulk bounds one bulk decision.
const maxBulk = 10_000

// DecideMany applies a decision to many conversions in one transaction.
func (s *Service) DecideMany(ctx context.Context, p actor.Actor, in BulkDecision) (*BulkResult, error) {
	f := apperr.Fields{}
	f.Check(in.Action != ActionApprove && in.Action != ActionReject, "action", "must be approve or reject")
	f.Check(len(in.IDs) == 0 && in.Filter == nil, "ids", "give ids or a filter")
	f.Check(len(in.IDs) > 0 && in.Filter != nil, "filter", "give ids or a filter, not both")
	f.Check(len(in.IDs) > maxBulk, "ids", fmt.Sprintf("at most %d", maxBulk))
	if err := f.Err(); err != nil {
		return nil, err
	}
	reason, err := checkReason(in.Action, in.Reason)
	if err != nil {
		return nil, err
	}
	filter := Filter{IDs: in.IDs}
	if in.Filter != nil {
		v := url.Values{}
		if in.Filter.Attributed != nil {
			v.Set("attributed", fmt.Sprint(*in.Filter.Attributed))
		}
		for k, x := range map[string]string{"status": in.Filter.Status, "creator_id": in.Filter.CreatorID, "campaign_id": in.Filter.CampaignID,
			"platform": in.Filter.Platform, "source": in.Filter.Source, "rule": in.Filter.Rule, "q": in.Filter.Q, "from": in.Filter.From, "to": in.Filter.To} {
			if x != "" {
				v.Set(k, x)
			}
		}
		if filter, err = ParseFilter(v); err != nil {
			e, _ := apperr.As(err)
			return nil, apperr.Validation(map[string]string{"filter": e.Message})
		}
	}
	res := &BulkResult{}
	err = store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		*res = BulkResult{}
		var rows []Conversion
		q, err := s.where(ctx, tx.NewSelect().Model(&rows), p.OrgID, filter)
		if err != nil {
			return err
		}
		if err := store.Lock(tx, q.OrderExpr("cv.occurred_at, cv.id").Limit(maxBulk+1)).Scan(ctx); err != nil {
			return store.MapError(err)
		}
		if len(rows) > maxBulk {
			return apperr.Validation(map[string]string{"filter": fmt.Sprintf("matches more than %d conversions: narrow it (a date range, a creator)", maxBulk)})
		}
		res.Matched = len(rows)
		for i := range rows {
			changed, err := s.decide(ctx, tx, p, &rows[i], in.Action, reason)
			switch {
			case err != nil && apperr.KindOf(err) == apperr.KindConflict:
				res.Skipped++
			case err != nil:
				return err
			case changed:
				res.Changed++
			default:
				res.Skipped++
			}
		}
		return nil
	})
	return res, err
}

// AutoApprove approves, in every organization, the pending attributed conversions whose hold has
// passed and that are not fully refunded (those are reversed): the once-per-cluster worker's job.
func (s *Service) AutoApprove(ctx context.Context, batch int) (int, error) {
	now := s.now()
	n := 0
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		n = 0
		var rows []Conversion
		if err := store.Lock(tx, tx.NewSelect().Model(&rows).
			Where("cv.status = ? AND cv.hold_until <= ? AND cv.creator_id IS NOT NULL AND cv.refunded_minor < cv.amount_minor", StatusPending, now).
			OrderExpr("cv.hold_until").Limit(int64(batch))).Scan(ctx); err != nil {
			return store.MapError(err)
		}
		for i := range rows {
			sys := actor.Actor{OrgID: rows[i].OrgID}
			changed, err := s.decide(ctx, tx, sys, &rows[i], ActionApprove, "")
			if err != nil {
				return err
			}
			if changed {
				n++
			}
		}
		return nil
	})
	return n, err
}

// ManualAttribution is the body of POST /api/v1/conversions/{id}/attribute.
type ManualAttribution struct {
	CreatorID  string  `json:"creator_id"`
	AccountID  *string `json:"account_id,omitempty"`
	CampaignID *string `json:"campaign_id,omitempty"`
}

// Attribute attributes an unattributed conversion by hand (rule manual) and records its commission
// and the reversals of what was already refunded. An attributed one is a 409.
func (s *Service) Attribute(ctx context.Context, p actor.Actor, id string, in ManualAttribution) (*Conversion, error) {
	c, err := store.ByID[Conversion](ctx, s.db, p.OrgID, id, "conversion")
	if err != nil {
		return nil, err
	}
	if c.Attributed() {
		return nil, apperr.Conflict("already_attributed", "the conversion is already attributed")
	}
	// Reuse the attribution rules on the explicit creator (and account, campaign) given.
	probe := *c
	probe.Clues = Clues{CreatorID: text.Optional(&in.CreatorID), AccountID: text.Optional(in.AccountID), CampaignID: text.Optional(in.CampaignID)}
	if probe.Clues.CreatorID == nil {
		return nil, apperr.Validation(map[string]string{"creator_id": "is required"})
	}
	m, err := s.attribute(ctx, s.newLookups(), &probe)
	if err != nil {
		return nil, err
	}
	m.rule = RuleManual
	m.apply(&probe, s.now())
	var quote any
	if s.ledger != nil && probe.Status == StatusPending {
		if quote, err = s.ledger.Quote(ctx, &probe); err != nil {
			return nil, err
		}
	}
	err = store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		c, err := store.ByIDForUpdate[Conversion](ctx, tx, p.OrgID, id, "conversion")
		if err != nil {
			return err
		}
		if c.Attributed() {
			return apperr.Conflict("already_attributed", "the conversion is already attributed")
		}
		if err := s.setAttribution(ctx, tx, c, m, quote, p.ID()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), p, "conversion.attribute", "conversion", c.ID, map[string]any{"creator_id": in.CreatorID})
	})
	if err != nil {
		return nil, err
	}
	return s.get(ctx, s.db, p.OrgID, id)
}

// ItemsOf returns a conversion's items in order, for the ledger's per-item rates.
func ItemsOf(ctx context.Context, db bun.IDB, orgID, conversionID string) ([]Item, error) {
	var rows []itemRow
	if err := db.NewSelect().Model(&rows).Where("ci.org_id = ? AND ci.conversion_id = ?", orgID, conversionID).Order("ci.line").Scan(ctx); err != nil {
		return nil, store.MapError(err)
	}
	out := make([]Item, len(rows))
	for i, r := range rows {
		out[i] = Item{SKU: r.SKU, Quantity: r.Quantity, AmountMinor: r.AmountMinor}
	}
	return out, nil
}

// Ref is what other packages read of a conversion: the ledger's statements (is its commission
// payable, pending, or neither?), the workbook (its order number), payouts.
type Ref struct {
	ID          string     `bun:"id"`
	Source      string     `bun:"source"`
	ExternalID  string     `bun:"external_id"`
	OccurredAt  time.Time  `bun:"occurred_at"`
	Currency    string     `bun:"currency"`
	AmountMinor int64      `bun:"amount_minor"`
	Status      string     `bun:"status"`
	ApprovedAt  *time.Time `bun:"approved_at"`
	PaidAt      *time.Time `bun:"paid_at"`
}

// Payable reports whether the conversion's entries are owed: approved, now or before. Once approved,
// a refund or a rejection does not take the commission back from its period (which may be closed and
// paid): it books a reversal, which is payable too, in the first open period, where it claws back.
func (r Ref) Payable() bool {
	return r.ApprovedAt != nil
}

// Pending reports whether the conversion's entries may still become payable.
func (r Ref) Pending() bool { return r.Status == StatusPending }

// A conversion's state, as a number in SQL (JoinState): whether its entries are owed.
const (
	StateNeither = 0
	StatePayable = 1 // Ref.Payable
	StatePending = 2 // Ref.Pending
)

// JoinState left-joins to q, as cv, the conversion named by the conversion_id of q's rows under
// alias (matched in the same organization), so that StateExpr can be selected: the set-based form of
// Ref.Payable and Ref.Pending for packages that sum entries without reading each conversion. More
// conditions can follow with JoinOn.
func JoinState(q *bun.SelectQuery, alias string) *bun.SelectQuery {
	return q.Join("LEFT JOIN conversions AS cv").JoinOn("cv.org_id = " + alias + ".org_id").JoinOn("cv.id = " + alias + ".conversion_id")
}

// StateExpr is the state of JoinState's conversion: StatePayable, StatePending or StateNeither (also
// for a row without a conversion). The property test in internal/payout holds it to Ref's methods.
const StateExpr = "(CASE WHEN cv.approved_at IS NOT NULL THEN 1 WHEN cv.status = '" + StatusPending + "' THEN 2 ELSE 0 END)"

// Refs returns the organization's conversions among ids, by id, 500 ids per query.
func Refs(ctx context.Context, db bun.IDB, orgID string, ids []string) (map[string]Ref, error) {
	out := make(map[string]Ref, len(ids))
	for i := 0; i < len(ids); i += 500 {
		var rows []Ref
		if err := db.NewSelect().TableExpr("conversions AS cv").
			ColumnExpr("cv.id, cv.source, cv.external_id, cv.occurred_at, cv.currency, cv.amount_minor, cv.status, cv.approved_at, cv.paid_at").
			Where("cv.org_id = ? AND cv.id IN (?)", orgID, bun.In(ids[i:min(i+500, len(ids))])).Scan(ctx, &rows); err != nil {
			return nil, store.MapError(err)
		}
		for _, r := range rows {
			out[r.ID] = r
		}
	}
	return out, nil
}

// MarkPaid records that a payout paid the conversions among ids: approved ones become paid (a
// reversed one keeps its status; its paid_at says its commission was paid). db is the payout's
// transaction.
func MarkPaid(ctx context.Context, db bun.IDB, orgID string, ids []string, at time.Time) error {
	for i := 0; i < len(ids); i += 500 {
		chunk := ids[i:min(i+500, len(ids))]
		if _, err := db.NewUpdate().Model((*Conversion)(nil)).
			Set("status = CASE WHEN status = ? THEN ? ELSE status END", StatusApproved, StatusPaid).
			Set("paid_at = COALESCE(paid_at, ?)", at).Set("version = version + 1").Set("updated_at = ?", at).
			Where("org_id = ? AND id IN (?)", orgID, bun.In(chunk)).Exec(ctx); err != nil {
			return store.MapError(err)
		}
	}
	return nil
}

// Queue counts what waits for someone: attributed conversions pending approval, and unattributed
// ones (pending, not reversed), for the dashboard.
func (s *Service) Queue(ctx context.Context, orgID string) (pending, unattributed int64, err error) {
	var rows []struct {
		Attributed bool  `bun:"attributed"`
		N          int64 `bun:"n"`
	}
	if err := s.db.NewSelect().Model((*Conversion)(nil)).ColumnExpr("cv.creator_id IS NOT NULL AS attributed, COUNT(*) AS n").
		Where("cv.org_id = ? AND cv.status = ?", orgID, StatusPending).GroupExpr("cv.creator_id IS NOT NULL").Scan(ctx, &rows); err != nil {
		return 0, 0, store.MapError(err)
	}
	for _, r := range rows {
		if r.Attributed {
			pending = r.N
		} else {
			unattributed = r.N
		}
	}
	return pending, unattributed, nil
}
