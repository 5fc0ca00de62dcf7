// Package payout turns the ledger into what finance pays: statements per creator and currency for a
// period, payout batches for closed periods, marking them paid, and payout files for the bank or
// provider. It writes only its own tables (payouts, payout_items); entries come from the ledger,
// conversion statuses from the conversion package.
package payout

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/ledger"
	"github.com/caravan-crm/caravan/internal/money"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/text"
)

// Service serves statements and payouts.
type Service struct {
	db     *bun.DB
	clock  clock.Clock
	ledger *ledger.Service
	orgs   ledger.Orgs
}

// NewService returns the payout service.
func NewService(db *bun.DB, clk clock.Clock, l *ledger.Service, orgs ledger.Orgs) *Service {
	if clk == nil {
		clk = clock.System{}
	}
	return &Service{db: db, clock: clk, ledger: l, orgs: orgs}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// --- statements ---

// StatementLine is one creator's figures in one currency, exactly the contract's fields. Amounts are
// sums of ledger entries (each rounded once), so they reconcile to the ledger to the minor unit.
type StatementLine struct {
	CreatorID        string `json:"creator_id"`
	CreatorName      string `json:"creator_name"`
	Currency         string `json:"currency"`
	Conversions      int64  `json:"conversions"`
	GMVMinor         int64  `json:"gmv_minor"`
	CommissionMinor  int64  `json:"commission_minor"`
	ReversalMinor    int64  `json:"reversal_minor"`
	AdjustmentMinor  int64  `json:"adjustment_minor"`
	AgencyShareMinor int64  `json:"agency_share_minor"`
	PayableMinor     int64  `json:"payable_minor"`
	PendingMinor     int64  `json:"pending_minor"`
	BaseCurrency     string `json:"base_currency"`
	// BasePayableMinor is the payable in the base currency: empty when an entry lacks an FX rate.
	BasePayableMinor *int64 `json:"base_payable_minor"`
}

// StatementList answers GET /api/v1/statements.
type StatementList struct {
	Period string          `json:"period"`
	From   string          `json:"from,omitempty"`
	To     string          `json:"to,omitempty"`
	Status string          `json:"status"` // open | closed (a range: closed when every month in it is)
	Items  []StatementLine `json:"items"`
}

// state says what an entry counts toward.
type state int

const (
	neither state = iota
	payable
	pending
)

// classify says whether each entry of a page is payable, pending or neither: adjustments are always
// payable; a conversion's entries are payable once it was approved (a refund or a rejection after
// approval books a reversal that claws back), pending while it is pending, neither when rejected or
// reversed before approval (its entries net to zero).
func (s *Service) classify(ctx context.Context, db bun.IDB, orgID string, es []ledger.Entry) ([]state, error) {
	var ids []string
	for _, e := range es {
		if e.ConversionID != nil {
			ids = append(ids, *e.ConversionID)
		}
	}
	refs, err := conversion.Refs(ctx, db, orgID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]state, len(es))
	for i, e := range es {
		if e.Kind == ledger.KindAdjustment {
			out[i] = payable
			continue
		}
		r, ok := refs[deref(e.ConversionID)]
		switch {
		case !ok:
		case r.Payable():
			out[i] = payable
		case r.Pending():
			out[i] = pending
		}
	}
	return out, nil
}

// line is a statement line from the ledger's sums: the base payable is unknown (null) when any
// payable entry lacks a base amount.
func line(m ledger.Sums, name, baseCurrency string) StatementLine {
	l := StatementLine{CreatorID: m.CreatorID, CreatorName: name, Currency: m.Currency, Conversions: m.Conversions, GMVMinor: m.GMVMinor,
		CommissionMinor: m.CommissionMinor, ReversalMinor: m.ReversalMinor, AdjustmentMinor: m.AdjustmentMinor, AgencyShareMinor: m.AgencyShareMinor,
		PayableMinor: m.PayableMinor, PendingMinor: m.PendingMinor, BaseCurrency: baseCurrency}
	if m.BaseMissing == 0 {
		base := m.BasePayableMinor
		l.BasePayableMinor = &base
	}
	return l
}

// Statements computes the statements of a period (or date range): one line per creator and
// currency with entries in it. The ledger sums the entries where they lie (one set-based query,
// classified as classify does); nothing reads them one by one.
func (s *Service) Statements(ctx context.Context, p actor.Actor, r ledger.Range) (*StatementList, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	org, err := s.orgs.Org(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	out := &StatementList{Period: r.Period, From: r.From, To: r.To, Status: ledger.PeriodOpen, Items: []StatementLine{}}
	if month := cmp.Or(r.Period, r.UpTo); month != "" { // every period up to one: that period's status
		pd, err := s.ledger.Period(ctx, p.OrgID, month)
		if err != nil {
			return nil, err
		}
		out.Status = pd.Status
	} else if closed, err := s.rangeClosed(ctx, p.OrgID, r); err != nil {
		return nil, err
	} else if closed {
		out.Status = ledger.PeriodClosed
	}
	sums, err := s.ledger.SumsBy(ctx, p.OrgID, r)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(sums))
	for _, m := range sums {
		ids = append(ids, m.CreatorID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids) // a creator paid in several currencies has several lines
	refs, err := creator.Refs(ctx, s.db, p.OrgID, ids)
	if err != nil {
		return nil, err
	}
	for _, m := range sums {
		out.Items = append(out.Items, line(m, refs[m.CreatorID].DisplayName, org.BaseCurrency))
	}
	slices.SortFunc(out.Items, func(a, b StatementLine) int {
		return cmp.Or(cmp.Compare(a.CreatorName, b.CreatorName), cmp.Compare(a.CreatorID, b.CreatorID), cmp.Compare(a.Currency, b.Currency))
	})
	return out, nil
}

// rangeClosed reports whether every month of a date range is closed.
func (s *Service) rangeClosed(ctx context.Context, orgID string, r ledger.Range) (bool, error) {
	closed, err := s.ledger.ClosedPeriods(ctx, s.db, orgID)
	if err != nil {
		return false, err
	}
	for m := r.From[:7]; m <= r.To[:7]; m = nextMonth(m) {
		if !closed[m] {
			return false, nil
		}
	}
	return true, nil
}

func nextMonth(period string) string {
	y, m, err := clock.ParseMonth(period)
	if err != nil {
		return "9999-12"
	}
	return time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
}

func deref[T any](v *T) T {
	var zero T
	if v == nil {
		return zero
	}
	return *v
}

// --- payouts ---

// Payout statuses.
const (
	StatusPending = "pending"
	StatusPaid    = "paid"
)

// Payout pays a creator, in one currency, what is payable and unpaid in the closed periods up to
// its period.
type Payout struct {
	bun.BaseModel `bun:"table:payouts,alias:po"`

	ID          string     `bun:"id,pk" json:"id"`
	OrgID       string     `bun:"org_id" json:"-"`
	Period      string     `bun:"period" json:"period"`
	CreatorID   string     `bun:"creator_id" json:"creator_id"`
	Currency    string     `bun:"currency" json:"currency"`
	AmountMinor int64      `bun:"amount_minor" json:"amount_minor"`
	Entries     int        `bun:"entries" json:"entries"`
	Status      string     `bun:"status" json:"status"`
	Reference   *string    `bun:"reference" json:"reference"`
	PaidOn      *string    `bun:"paid_on" json:"paid_on"`
	PaidBy      *string    `bun:"paid_by" json:"paid_by"`
	PaidAt      *time.Time `bun:"paid_at" json:"paid_at"`
	CreatedBy   *string    `bun:"created_by" json:"-"`
	CreatedAt   time.Time  `bun:"created_at" json:"created_at"`
	Version     int64      `bun:"version" json:"version"`

	CreatorName string `bun:"-" json:"creator_name"`
}

// ETagVersion makes the answer carry an ETag.
func (p Payout) ETagVersion() int64 { return p.Version }

type itemRow struct {
	bun.BaseModel `bun:"table:payout_items,alias:pi"`

	OrgID    string `bun:"org_id"`
	EntryID  string `bun:"entry_id,pk"`
	PayoutID string `bun:"payout_id"`
}

// NewBatch is the body of POST /api/v1/payouts: the closed period to pay, and optional minimums per
// currency (minor units): a smaller payable is carried over to a later batch.
type NewBatch struct {
	Period   string           `json:"period"`
	Minimums map[string]int64 `json:"minimums,omitempty"`
}

// Carry is a payable left for a later batch: under the minimum, or negative (a clawback larger than
// what was owed).
type Carry struct {
	CreatorID   string `json:"creator_id"`
	Currency    string `json:"currency"`
	AmountMinor int64  `json:"amount_minor"`
}

// Batch answers POST /api/v1/payouts.
type Batch struct {
	Period      string   `json:"period"`
	Items       []Payout `json:"items"`
	CarriedOver []Carry  `json:"carried_over"`
}

// CreateBatch creates, for a closed period, one payout per creator and currency with a positive
// payable: every payable entry of the closed periods up to it that no payout has taken yet. An entry
// belongs to at most one payout (the database refuses a second), so two batches at once pay nothing
// twice: the second finds nothing left, or is refused (409) if they collide.
func (s *Service) CreateBatch(ctx context.Context, p actor.Actor, in NewBatch) (*Batch, error) {
	f := apperr.Fields{}
	if _, _, err := clock.ParseMonth(in.Period); err != nil {
		f.Add("period", "must be a month YYYY-MM")
	}
	mins := map[string]int64{}
	for c, v := range in.Minimums {
		cur := money.NormalizeCurrency(c)
		f.Check(!money.ValidCurrency(cur), "minimums", "must map ISO 4217 currency codes to amounts in minor units")
		f.Check(v < 0, "minimums", "must not be negative")
		mins[cur] = v
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	pd, err := s.ledger.Period(ctx, p.OrgID, in.Period)
	if err != nil {
		return nil, err
	}
	if pd.Status != ledger.PeriodClosed {
		return nil, apperr.Conflict("period_open", fmt.Sprintf("close %s before paying it", in.Period)).WithParams(map[string]any{"period": in.Period})
	}
	// What is payable and untaken, read before the write transaction (which then touches one
	// connection); the payout_items key makes a collision with another batch a 409, never a double.
	closed, err := s.ledger.ClosedPeriods(ctx, s.db, p.OrgID)
	if err != nil {
		return nil, err
	}
	type key struct{ creator, currency string }
	type group struct {
		amount  int64
		entries []string
	}
	groups := map[key]*group{}
	var order []key
	err = s.ledger.EachPage(ctx, p.OrgID, ledger.Range{UpTo: in.Period}, func(es []ledger.Entry) error {
		ids := make([]string, len(es))
		for i, e := range es {
			ids[i] = e.ID
		}
		var taken []string
		if err := s.db.NewSelect().Model((*itemRow)(nil)).Column("entry_id").Where("org_id = ? AND entry_id IN (?)", p.OrgID, bun.In(ids)).Scan(ctx, &taken); err != nil {
			return store.MapError(err)
		}
		paid := make(map[string]bool, len(taken))
		for _, id := range taken {
			paid[id] = true
		}
		states, err := s.classify(ctx, s.db, p.OrgID, es)
		if err != nil {
			return err
		}
		for i, e := range es {
			if paid[e.ID] || states[i] != payable || !closed[e.Period] {
				continue
			}
			k := key{e.CreatorID, e.Currency}
			g := groups[k]
			if g == nil {
				g = &group{}
				groups[k] = g
				order = append(order, k)
			}
			g.amount += e.AmountMinor - e.AgencyShareMinor
			g.entries = append(g.entries, e.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &Batch{Period: in.Period, Items: []Payout{}, CarriedOver: []Carry{}}
	err = store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		*out = Batch{Period: in.Period, Items: []Payout{}, CarriedOver: []Carry{}}
		now := s.now()
		for _, k := range order {
			g := groups[k]
			if g.amount <= 0 || g.amount < mins[k.currency] {
				if g.amount != 0 {
					out.CarriedOver = append(out.CarriedOver, Carry{CreatorID: k.creator, Currency: k.currency, AmountMinor: g.amount})
				}
				continue
			}
			po := Payout{ID: store.NewID(), OrgID: p.OrgID, Period: in.Period, CreatorID: k.creator, Currency: k.currency, AmountMinor: g.amount,
				Entries: len(g.entries), Status: StatusPending, CreatedAt: now, Version: 1}
			if id := p.ID(); id != "" {
				po.CreatedBy = &id
			}
			if _, err := tx.NewInsert().Model(&po).Exec(ctx); err != nil {
				return store.MapError(err)
			}
			items := make([]itemRow, len(g.entries))
			for i, id := range g.entries {
				items[i] = itemRow{OrgID: p.OrgID, EntryID: id, PayoutID: po.ID}
			}
			for i := 0; i < len(items); i += 1000 {
				chunk := items[i:min(i+1000, len(items))]
				if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
					if store.IsUniqueViolation(err) {
						return apperr.Conflict("payouts_in_progress", "another payout batch took these entries at the same time: list the payouts")
					}
					return store.MapError(err)
				}
			}
			out.Items = append(out.Items, po)
		}
		return audit.Record(ctx, tx, now, p, "payout.batch", "period", in.Period, map[string]any{
			"payouts": len(out.Items), "carried_over": len(out.CarriedOver), "minimums": mins})
	})
	if err != nil {
		return nil, err
	}
	return out, s.names(ctx, p.OrgID, out.Items)
}

func (s *Service) names(ctx context.Context, orgID string, ps []Payout) error {
	ids := make([]string, len(ps))
	for i, po := range ps {
		ids[i] = po.CreatorID
	}
	refs, err := creator.Refs(ctx, s.db, orgID, ids)
	if err != nil {
		return err
	}
	for i := range ps {
		ps[i].CreatorName = refs[ps[i].CreatorID].DisplayName
	}
	return nil
}

// Filter narrows GET /api/v1/payouts.
type Filter struct {
	Period, Status, CreatorID, Currency string
}

// List lists payouts, the newest first.
func (s *Service) List(ctx context.Context, p actor.Actor, f Filter, req page.Request) (page.List[Payout], error) {
	apply := func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("po.org_id = ?", p.OrgID)
		for col, v := range map[string]string{"period": f.Period, "status": f.Status, "creator_id": f.CreatorID, "currency": f.Currency} {
			if v != "" {
				q = q.Where("?.? = ?", bun.Ident("po"), bun.Ident(col), v)
			}
		}
		return q
	}
	total, err := apply(s.db.NewSelect().Model((*Payout)(nil))).Count(ctx)
	if err != nil {
		return page.List[Payout]{}, store.MapError(err)
	}
	var rows []Payout
	q := apply(s.db.NewSelect().Model(&rows)).OrderExpr("po.id DESC").Limit(req.Fetch())
	if len(req.After) > 0 {
		q = q.Where("po.id < ?", req.After[0])
	}
	if err := q.Scan(ctx); err != nil {
		return page.List[Payout]{}, store.MapError(err)
	}
	l := page.Finish(rows, req, int64(total), func(po Payout) []string { return []string{po.ID} })
	return l, s.names(ctx, p.OrgID, l.Items)
}

// MarkPaid is the body of POST /api/v1/payouts/{id}/paid.
type MarkPaid struct {
	Reference string `json:"reference"`
	PaidOn    string `json:"paid_on"`
}

// Paid records that a payout was paid (reference and date): its approved conversions become paid. A
// payout is paid once: a second request, concurrent or not, is a 409.
func (s *Service) Paid(ctx context.Context, p actor.Actor, id string, in MarkPaid) (*Payout, error) {
	if _, err := store.ByID[Payout](ctx, s.db, p.OrgID, id, "payout"); err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	ref := strings.TrimSpace(in.Reference)
	f.Check(ref == "" || utf8.RuneCountInString(ref) > 200 || text.CheckName(ref) != nil, "reference", "is required")
	_, err := clock.ParseDay(strings.TrimSpace(in.PaidOn))
	f.Check(err != nil, "paid_on", "must be a date YYYY-MM-DD")
	if err := f.Err(); err != nil {
		return nil, err
	}
	paidOn := strings.TrimSpace(in.PaidOn)
	var out *Payout
	err = store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		po, err := store.ByIDForUpdate[Payout](ctx, tx, p.OrgID, id, "payout")
		if err != nil {
			return err
		}
		if po.Status == StatusPaid {
			return apperr.Conflict("payout_paid", fmt.Sprintf("this payout was already paid on %s (reference %s)", deref(po.PaidOn), deref(po.Reference))).
				WithParams(map[string]any{"paid_on": deref(po.PaidOn), "reference": deref(po.Reference)})
		}
		now := s.now()
		uid := p.ID()
		po.Status, po.Reference, po.PaidOn, po.PaidAt = StatusPaid, &ref, &paidOn, &now
		if uid != "" {
			po.PaidBy = &uid
		}
		po.Version++
		res, err := tx.NewUpdate().Model(po).Column("status", "reference", "paid_on", "paid_by", "paid_at", "version").
			WherePK().Where("status = ?", StatusPending).Exec(ctx)
		if err != nil {
			return store.MapError(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("payout_paid", "this payout was already paid")
		}
		var entryIDs []string
		if err := tx.NewSelect().Model((*itemRow)(nil)).Column("entry_id").Where("org_id = ? AND payout_id = ?", p.OrgID, po.ID).Scan(ctx, &entryIDs); err != nil {
			return store.MapError(err)
		}
		entries, err := s.ledger.EntriesByID(ctx, tx, p.OrgID, entryIDs)
		if err != nil {
			return err
		}
		var convs []string
		for _, e := range entries {
			if e.ConversionID != nil {
				convs = append(convs, *e.ConversionID)
			}
		}
		if err := conversion.MarkPaid(ctx, tx, p.OrgID, convs, now); err != nil {
			return err
		}
		out = po
		return audit.Record(ctx, tx, now, p, "payout.paid", "payout", po.ID, map[string]any{
			"before": StatusPending, "after": StatusPaid, "reference": ref, "paid_on": paidOn, "amount_minor": po.AmountMinor, "currency": po.Currency})
	})
	if err != nil {
		return nil, err
	}
	ps := []Payout{*out}
	if err := s.names(ctx, p.OrgID, ps); err != nil {
		return nil, err
	}
	return &ps[0], nil
}
