// Package ledger keeps the commission ledger: append-only entries in minor units (commissions,
// reversals, adjustments), the FX rates that give each its base-currency amount, and the monthly
// periods entries belong to. It writes only its own tables (ledger_entries, fx_rates, periods); a
// trigger in both databases refuses any UPDATE or DELETE of an entry.
package ledger

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/auth"
	"github.com/caravan-crm/caravan/internal/campaign"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/money"
	"github.com/caravan-crm/caravan/internal/store"
)

// Entry is a ledger entry; the type is declared by the conversion package so a conversion carries
// its entries.
type Entry = conversion.Entry

// Kinds of entry.
const (
	KindCommission = conversion.KindCommission
	KindReversal   = conversion.KindReversal
	KindAdjustment = conversion.KindAdjustment
)

type entryRow struct {
	bun.BaseModel `bun:"table:ledger_entries,alias:le"`

	OrgID string `bun:"org_id"`
	conversion.Entry
}

// Orgs gives an organization's time zone and base currency; *auth.Service is one.
type Orgs interface {
	Location(ctx context.Context, orgID string) (*time.Location, error)
	Org(ctx context.Context, orgID string) (*auth.Org, error)
}

// Service is the ledger.
type Service struct {
	db        *bun.DB
	clock     clock.Clock
	orgs      Orgs
	campaigns *campaign.Service
	creators  *creator.Service
	// newEntries writes the entries of many orders with bound parameters (store.Bulk).
	newEntries *store.Bulk
}

// NewService returns the ledger.
func NewService(db *bun.DB, clk clock.Clock, orgs Orgs, campaigns *campaign.Service, creators *creator.Service) *Service {
	if clk == nil {
		clk = clock.System{}
	}
	return &Service{db: db, clock: clk, orgs: orgs, campaigns: campaigns, creators: creators,
		newEntries: store.MustBulk(db, (*entryRow)(nil), "")}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// Sources of a commission's rate, besides the campaign package's (override, product, plan).
const (
	SourceCreatorDefault = "creator_default"
	SourceRefund         = "refund"
	SourceRejection      = "rejection"
	SourceAdjustment     = "adjustment"
	SourceNoRate         = "no_rate"
)

// quote is what a commission depends on outside the ledger, gathered before the write transaction.
type quote struct {
	loc          *time.Location
	baseCurrency string
	plan         *campaign.Plan
	planVersion  int
	override     *int64
	items        []conversion.Item
	productRates []*int64 // per item
	terms        creator.Terms
	fx           map[string]fxQuote // by currency
}

type fxQuote struct {
	rate *money.Rate
	day  string
}

// Quote gathers the plan, override and product rates in force on the order's date, the creator's
// terms then (default rate, agency share), and the FX rates of the order's day.
func (s *Service) Quote(ctx context.Context, c *conversion.Conversion) (any, error) {
	return s.newQuoter().quote(ctx, c)
}

// QuoteMany quotes several conversions (a batch, a group of single orders), reading each plan,
// override, product rate, set of terms and FX rate once per distinct (what, when) among them: the
// orders of one campaign, creator and moment share their reads. quotes[i] is cs[i]'s.
func (s *Service) QuoteMany(ctx context.Context, cs []*conversion.Conversion) ([]any, error) {
	qr := s.newQuoter()
	out := make([]any, len(cs))
	for i, c := range cs {
		q, err := qr.quote(ctx, c)
		if err != nil {
			return nil, err
		}
		out[i] = q
	}
	return out, nil
}

// quoter remembers the reads of one QuoteMany: reference data read before the write transaction.
// Plans, overrides, product rates and terms are read as histories, once per campaign, enrolment, SKU
// or creator, and asked for each order's instant in memory: exactly what each order alone would
// read (PlanAt, OverrideAt, ProductRateAt and TermsAt answer from the same histories), in a few
// reads for a batch of a thousand orders at a thousand different instants. FX rates are read per day.
type quoter struct {
	s         *Service
	orgs      map[string]*auth.Org
	locs      map[string]*time.Location
	plans     map[quoteKey]campaign.PlanHistory
	overrides map[quoteKey]campaign.RateHistory
	products  map[quoteKey]campaign.RateHistory
	terms     map[quoteKey]creator.TermsHistory
	fx        map[quoteKey]fxQuote
}

// quoteKey names one read: the organization and up to three ids, codes or a day.
type quoteKey struct {
	org, a, b, c string
}

func (s *Service) newQuoter() *quoter {
	return &quoter{s: s, orgs: map[string]*auth.Org{}, locs: map[string]*time.Location{}, plans: map[quoteKey]campaign.PlanHistory{},
		overrides: map[quoteKey]campaign.RateHistory{}, products: map[quoteKey]campaign.RateHistory{},
		terms: map[quoteKey]creator.TermsHistory{}, fx: map[quoteKey]fxQuote{}}
}

func (qr *quoter) quote(ctx context.Context, c *conversion.Conversion) (*quote, error) {
	s := qr.s
	org, ok := qr.orgs[c.OrgID]
	if !ok {
		o, err := s.orgs.Org(ctx, c.OrgID)
		if err != nil {
			return nil, err
		}
		org, qr.orgs[c.OrgID] = o, o
	}
	loc, ok := qr.locs[c.OrgID]
	if !ok {
		l, err := s.orgs.Location(ctx, c.OrgID)
		if err != nil {
			return nil, err
		}
		loc, qr.locs[c.OrgID] = l, l
	}
	q := &quote{loc: loc, baseCurrency: org.BaseCurrency, fx: map[string]fxQuote{}}
	at := c.OccurredAt.UTC()
	if c.CampaignID != nil {
		k := quoteKey{org: c.OrgID, a: *c.CampaignID}
		plans, ok := qr.plans[k]
		if !ok {
			var err error
			if plans, err = s.campaigns.PlanHistory(ctx, c.OrgID, *c.CampaignID); err != nil {
				return nil, err
			}
			qr.plans[k] = plans
		}
		if plan, version, ok := plans.At(at); ok {
			q.plan, q.planVersion = &plan, version
			ek := quoteKey{org: c.OrgID, a: *c.CampaignID, b: *c.CreatorID}
			overrides, found := qr.overrides[ek]
			if !found {
				var err error
				if overrides, err = s.campaigns.OverrideHistory(ctx, c.OrgID, *c.CampaignID, *c.CreatorID); err != nil {
					return nil, err
				}
				qr.overrides[ek] = overrides
			}
			q.override = overrides.At(at)
			var err error
			if q.items, err = s.items(ctx, c); err != nil {
				return nil, err
			}
			// Product rates count only in a percent or tiered plan without an override (see
			// itemCommission): elsewhere they are not read.
			for _, it := range q.items {
				if q.override != nil || plan.Type == campaign.PlanFlat {
					break
				}
				pk := quoteKey{org: c.OrgID, a: it.SKU}
				rates, found := qr.products[pk]
				if !found {
					if rates, err = s.campaigns.ProductRateHistory(ctx, c.OrgID, it.SKU); err != nil {
						return nil, err
					}
					qr.products[pk] = rates
				}
				q.productRates = append(q.productRates, rates.At(at))
			}
		}
	}
	if c.CreatorID != nil {
		tk := quoteKey{org: c.OrgID, a: *c.CreatorID}
		terms, found := qr.terms[tk]
		if !found {
			var err error
			if terms, err = s.creators.TermsHistory(ctx, c.OrgID, *c.CreatorID); err != nil {
				return nil, err
			}
			qr.terms[tk] = terms
		}
		q.terms = terms.At(at)
	}
	day := clock.Day(at, loc)
	currencies := []string{c.Currency}
	if q.plan != nil && q.plan.Currency != nil {
		currencies = append(currencies, *q.plan.Currency)
	}
	for _, cur := range currencies {
		if cur == q.baseCurrency {
			continue
		}
		fk := quoteKey{org: c.OrgID, a: cur, b: q.baseCurrency, c: day}
		fx, found := qr.fx[fk]
		if !found {
			r, rateDay, err := s.RateOn(ctx, c.OrgID, cur, q.baseCurrency, day)
			if err != nil {
				return nil, err
			}
			fx = fxQuote{rate: r, day: rateDay}
			qr.fx[fk] = fx
		}
		q.fx[cur] = fx
	}
	return q, nil
}

// items returns the conversion's items: the ones it carries, or the stored ones.
func (s *Service) items(ctx context.Context, c *conversion.Conversion) ([]conversion.Item, error) {
	if c.Items != nil {
		return c.Items, nil
	}
	return conversion.ItemsOf(ctx, s.db, c.OrgID, c.ID)
}

// Commission records the commission entry of an attributed conversion, from its quote: the rate in
// force on the order's date (enrolment override > product rate > campaign plan, tiers by the
// creator's GMV in the campaign and month before this order; without a campaign plan, the creator's
// default rate), on the plan's base, rounded once. Without any rate the entry is zero, with its GMV.
func (s *Service) Commission(ctx context.Context, tx bun.IDB, c *conversion.Conversion, qa any, actorID string) error {
	e, eventPeriod, err := s.commission(ctx, tx, c, qa, nil)
	if err != nil {
		return err
	}
	return s.insert(ctx, tx, c.OrgID, &e, eventPeriod, actorID)
}

// CommissionMany records the commission entries of conversions just stored together (a batch, a
// group of single orders), in order, exactly as Commission would one after the other: an order's
// tier counts the GMV of the entries before it in the slice as well as the stored ones. The closed
// periods are read once and the entries written with multi-row INSERTs.
func (s *Service) CommissionMany(ctx context.Context, tx bun.IDB, cs []*conversion.Conversion, quotes []any, actorID string) error {
	if len(cs) != len(quotes) {
		return fmt.Errorf("ledger: %d conversions and %d quotes", len(cs), len(quotes))
	}
	rows := make([]entryRow, 0, len(cs))
	events := make([]string, 0, len(cs))
	first := map[string]string{} // the earliest event period of each organization
	for i, c := range cs {
		e, eventPeriod, err := s.commission(ctx, tx, c, quotes[i], rows)
		if err != nil {
			return err
		}
		rows, events = append(rows, entryRow{OrgID: c.OrgID, Entry: e}), append(events, eventPeriod)
		if p, ok := first[c.OrgID]; !ok || eventPeriod < p {
			first[c.OrgID] = eventPeriod
		}
	}
	closed := map[string]map[string]bool{}
	for org, from := range first {
		var ps []string
		if err := tx.NewSelect().TableExpr("periods AS pd").Column("pd.period").
			Where("pd.org_id = ? AND pd.period >= ? AND pd.status = ?", org, from, PeriodClosed).Scan(ctx, &ps); err != nil {
			return store.MapError(err)
		}
		closed[org] = map[string]bool{}
		for _, p := range ps {
			closed[org][p] = true
		}
	}
	for i := range rows {
		r := &rows[i]
		period := events[i]
		for closed[r.OrgID][period] {
			period = nextMonth(period)
		}
		s.stamp(&r.Entry, events[i], period, actorID)
	}
	if _, err := s.newEntries.Insert(ctx, tx, rows); err != nil {
		return store.MapError(err)
	}
	return nil
}

// commission computes the commission entry of c and the month of its event; earlier are entries of
// the same write not stored yet, counted in the tiers as stored ones are.
func (s *Service) commission(ctx context.Context, tx bun.IDB, c *conversion.Conversion, qa any, earlier []entryRow) (Entry, string, error) {
	q, ok := qa.(*quote)
	if !ok || q == nil || c.CreatorID == nil {
		return Entry{}, "", fmt.Errorf("ledger: commission of conversion %s without a quote", c.ID)
	}
	ex := conversion.Explanation{Rule: deref(c.Rule)}
	net := c.AmountMinor
	currency := c.Currency
	var amount int64
	var rateBps *int64
	switch {
	case q.plan != nil:
		plan := *q.plan
		version := q.planVersion
		ex.PlanVersion, ex.PlanType = &version, plan.Type
		var prior int64
		if plan.Type == campaign.PlanTiered {
			p, err := s.priorGMV(ctx, tx, c, *plan.Currency, q.loc, earlier)
			if err != nil {
				return Entry{}, "", err
			}
			prior = p
			ex.PriorGMVMinor = &prior
		}
		d, err := campaign.Rate(plan, q.override, nil, prior)
		if err != nil {
			return Entry{}, "", err
		}
		ex.Source, ex.Base, ex.Tier, ex.TierFromMinor = d.Source, d.Base, d.Tier, d.TierFromMinor
		base := d.BaseAmount(net, c.DiscountMinor)
		ex.BaseMinor = &base
		if d.Type == campaign.PlanFlat {
			amount, currency = d.AmountMinor, d.Currency
			flat := d.AmountMinor
			ex.FlatMinor = &flat
			break
		}
		amount, rateBps, err = itemCommission(plan, q, d, q.items, base, prior, &ex)
		if err != nil {
			return Entry{}, "", err
		}
	case q.terms.DefaultRateBps != nil:
		r := *q.terms.DefaultRateBps
		ex.Source, ex.Base, ex.BaseMinor = SourceCreatorDefault, campaign.BaseNet, &net
		a, err := money.ApplyBps(net, r)
		if err != nil {
			return Entry{}, "", err
		}
		amount, rateBps = a, &r
	default:
		// No campaign plan and no default rate: the order earns nothing, and a zero entry records
		// why and carries its GMV (the creator's revenue counts whatever she earns on it).
		ex.Source, ex.Base, ex.BaseMinor = SourceNoRate, campaign.BaseNet, &net
		ex.Note = "no campaign plan in force and no default rate for the creator"
	}
	if rateBps != nil {
		ex.RateBps = rateBps
	}
	e := Entry{
		ID: store.NewID(), ConversionID: &c.ID, CreatorID: *c.CreatorID, AccountID: c.AccountID, Platform: c.Platform,
		CampaignID: c.CampaignID, Kind: KindCommission, AmountMinor: amount, Currency: currency, BaseCurrency: q.baseCurrency,
		RateBps: rateBps, GMVMinor: net, OccurredAt: c.OccurredAt, Explanation: ex,
	}
	if err := s.toBase(&e, q, c.Currency); err != nil {
		return Entry{}, "", err
	}
	if q.terms.AgencyID != nil && q.terms.AgencyShareBps > 0 {
		share, err := money.ApplyBps(amount, q.terms.AgencyShareBps)
		if err != nil {
			return Entry{}, "", err
		}
		e.AgencyID, e.AgencyShareBps, e.AgencyShareMinor = q.terms.AgencyID, q.terms.AgencyShareBps, share
		if e.BaseAmountMinor != nil {
			b, err := money.ApplyBps(*e.BaseAmountMinor, q.terms.AgencyShareBps)
			if err != nil {
				return Entry{}, "", err
			}
			e.BaseAgencyShareMinor = &b
		}
	}
	return e, clock.Month(c.OccurredAt, q.loc), nil
}

// itemCommission is a percent commission: one rate for the order, or — when the order lists items
// and a product has a rate of its own (or the creator an override) — each item's rate on its share
// of the base, summed exactly and rounded once.
func itemCommission(plan campaign.Plan, q *quote, d campaign.RateDecision, items []conversion.Item, base, prior int64, ex *conversion.Explanation) (int64, *int64, error) {
	mixed := false
	for _, r := range q.productRates {
		if r != nil && q.override == nil {
			mixed = true
		}
	}
	var itemTotal int64
	for _, it := range items {
		itemTotal += it.AmountMinor
	}
	if !mixed || len(items) != len(q.productRates) || itemTotal <= 0 {
		a, err := money.ApplyBps(base, d.RateBps)
		r := d.RateBps
		return a, &r, err
	}
	// commission = base × Σ(item × rate) ÷ (Σ items × 10000), rounded once.
	num := new(big.Int)
	uniform, first := true, int64(-1)
	for i, it := range items {
		di, err := campaign.Rate(plan, q.override, q.productRates[i], prior)
		if err != nil {
			return 0, nil, err
		}
		ex.Items = append(ex.Items, conversion.ItemRate{SKU: it.SKU, AmountMinor: it.AmountMinor, RateBps: di.RateBps, Source: di.Source})
		num.Add(num, new(big.Int).Mul(big.NewInt(it.AmountMinor), big.NewInt(di.RateBps)))
		if first >= 0 && di.RateBps != first {
			uniform = false
		}
		first = di.RateBps
	}
	num.Mul(num, big.NewInt(base))
	den := new(big.Int).Mul(big.NewInt(itemTotal), big.NewInt(10_000))
	a, err := money.RoundHalfAwayFromZero(num, den)
	if err != nil {
		return 0, nil, err
	}
	ex.Source = "items"
	if uniform {
		return a, &first, nil
	}
	return a, nil, nil
}

// priorGMV is the creator's attributed GMV in the campaign in the order's month before the order,
// in the plan's currency (orders in other currencies are not counted): the stored entries' and those
// of earlier, entries of the same write not stored yet.
func (s *Service) priorGMV(ctx context.Context, tx bun.IDB, c *conversion.Conversion, currency string, loc *time.Location, earlier []entryRow) (int64, error) {
	start, _, err := clock.MonthRange(clock.Month(c.OccurredAt, loc), loc)
	if err != nil {
		return 0, err
	}
	var sum int64
	err = tx.NewSelect().TableExpr("ledger_entries AS le").ColumnExpr("COALESCE(SUM(le.gmv_minor), 0)").
		Where("le.org_id = ? AND le.creator_id = ? AND le.campaign_id = ? AND le.kind = ? AND le.currency = ?", c.OrgID, *c.CreatorID, *c.CampaignID, KindCommission, currency).
		Where("le.occurred_at >= ? AND le.occurred_at < ?", start, c.OccurredAt).Scan(ctx, &sum)
	if err != nil {
		return 0, store.MapError(err)
	}
	for _, e := range earlier {
		if e.OrgID == c.OrgID && e.CreatorID == *c.CreatorID && e.CampaignID != nil && *e.CampaignID == *c.CampaignID &&
			e.Kind == KindCommission && e.Currency == currency && !e.OccurredAt.Before(start) && e.OccurredAt.Before(c.OccurredAt) {
			sum += e.GMVMinor
		}
	}
	return sum, nil
}

// toBase sets the entry's base-currency amounts at the quoted rate of the order's day; without one
// they stay empty and the entry is flagged, never guessed.
func (s *Service) toBase(e *Entry, q *quote, orderCurrency string) error {
	one := "1"
	gmvIn := func(amount int64, cur string) (*int64, *string, bool, error) {
		if cur == q.baseCurrency {
			v := amount
			return &v, &one, false, nil
		}
		fx, ok := q.fx[cur]
		if !ok || fx.rate == nil {
			return nil, nil, true, nil
		}
		v, err := money.Convert(amount, cur, *fx.rate, q.baseCurrency)
		r := fx.rate.String()
		return &v, &r, false, err
	}
	base, rate, missing, err := gmvIn(e.AmountMinor, e.Currency)
	if err != nil {
		return err
	}
	e.BaseAmountMinor, e.FXRate, e.FXMissing = base, rate, missing
	e.Explanation.FXRate, e.Explanation.FXMissing = rate, missing
	if fx, ok := q.fx[e.Currency]; ok && fx.rate != nil {
		day := fx.day
		e.Explanation.FXDay = &day
	}
	g, _, _, err := gmvIn(e.GMVMinor, orderCurrency)
	if err != nil {
		return err
	}
	e.BaseGMVMinor = g
	return nil
}

// insert writes an entry in the first open period from its event's month on.
func (s *Service) insert(ctx context.Context, tx bun.IDB, orgID string, e *Entry, eventPeriod, actorID string) error {
	period, err := openPeriodFrom(ctx, tx, orgID, eventPeriod)
	if err != nil {
		return err
	}
	s.stamp(e, eventPeriod, period, actorID)
	if _, err := tx.NewInsert().Model(&entryRow{OrgID: orgID, Entry: *e}).Exec(ctx); err != nil {
		return store.MapError(err)
	}
	return nil
}

// stamp sets what an entry gets as it is written: its period (the event's month when saying so if
// that one is closed), who wrote it and when.
func (s *Service) stamp(e *Entry, eventPeriod, period, actorID string) {
	e.Period = period
	if period != eventPeriod {
		ev := eventPeriod
		e.Explanation.EventPeriod = &ev
	}
	if actorID != "" {
		e.CreatedBy = &actorID
	}
	e.CreatedAt = s.now()
}

// Reverse records the reversal of a refund on each commission entry of the conversion:
// round(commission × refunded ÷ order amount), the refund that completes a full refund taking
// exactly what remains (in both currencies and of the agency's share), never more than remains.
// With refund nil (a rejection) everything that remains is reversed. A reversal uses the FX rate of
// the entry it reverses, and lands in the refund's month (or the first open one after it).
func (s *Service) Reverse(ctx context.Context, tx bun.IDB, c *conversion.Conversion, refund *conversion.Refund, reason, actorID string) error {
	var entries []entryRow
	if err := tx.NewSelect().Model(&entries).Where("le.org_id = ? AND le.conversion_id = ?", c.OrgID, c.ID).Order("le.created_at", "le.id").Scan(ctx); err != nil {
		return store.MapError(err)
	}
	loc, err := s.orgs.Location(ctx, c.OrgID)
	if err != nil {
		return err
	}
	when := s.now()
	if refund != nil {
		when = refund.OccurredAt
	}
	for _, e := range entries {
		if e.Kind != KindCommission {
			continue
		}
		left := remains{amount: e.AmountMinor, share: e.AgencyShareMinor, base: copyPtr(e.BaseAmountMinor), baseShare: copyPtr(e.BaseAgencyShareMinor)}
		for _, r := range entries {
			if r.Kind == KindReversal && deref(r.ReversesID) == e.ID {
				left.amount += r.AmountMinor
				left.share += r.AgencyShareMinor
				addTo(left.base, r.BaseAmountMinor)
				addTo(left.baseShare, r.BaseAgencyShareMinor)
			}
		}
		if left.amount == 0 && left.share == 0 && deref(left.base) == 0 && deref(left.baseShare) == 0 {
			continue
		}
		rev := left
		ex := conversion.Explanation{Source: SourceRejection, Note: reason}
		commission, orderAmount := e.AmountMinor, c.AmountMinor
		ex.CommissionMinor, ex.OrderAmountMinor = &commission, &orderAmount
		if refund != nil {
			refunded := refund.AmountMinor
			ex.Source, ex.RefundedMinor = SourceRefund, &refunded
			if complete := c.RefundedMinor >= c.AmountMinor; complete {
				ex.Remainder = true
			} else if rev, err = proportional(e.Entry, left, refunded, c.AmountMinor); err != nil {
				return err
			}
		}
		out := Entry{
			ID: store.NewID(), ConversionID: &c.ID, ReversesID: &e.ID, CreatorID: e.CreatorID, AccountID: e.AccountID,
			Platform: e.Platform, CampaignID: e.CampaignID, Kind: KindReversal, AmountMinor: -rev.amount, Currency: e.Currency,
			BaseCurrency: e.BaseCurrency, FXRate: e.FXRate, FXMissing: e.FXMissing, RateBps: e.RateBps,
			AgencyID: e.AgencyID, AgencyShareBps: e.AgencyShareBps, AgencyShareMinor: -rev.share, OccurredAt: when, Explanation: ex,
		}
		ex.FXRate = e.FXRate
		out.Explanation = ex
		out.BaseAmountMinor, out.BaseAgencyShareMinor = negPtr(rev.base), negPtr(rev.baseShare)
		if refund != nil {
			out.RefundID = &refund.ID
			out.GMVMinor = -refund.AmountMinor
			if e.BaseGMVMinor != nil && e.GMVMinor != 0 {
				g, err := money.Proportion(*e.BaseGMVMinor, refund.AmountMinor, e.GMVMinor)
				if err != nil {
					return err
				}
				g = -g
				out.BaseGMVMinor = &g
			}
		}
		if reason != "" {
			out.Reason = &reason
		}
		if err := s.insert(ctx, tx, c.OrgID, &out, clock.Month(when, loc), actorID); err != nil {
			return err
		}
	}
	return nil
}

// remains is what is left of a commission entry (or what a reversal takes of it).
type remains struct {
	amount, share int64
	base          *int64
	baseShare     *int64
}

// proportional is a partial refund's reversal: round(commission × refunded ÷ order amount) of the
// amount, the base amount and the agency's share, each capped at what remains.
func proportional(e Entry, left remains, refunded, orderAmount int64) (remains, error) {
	if orderAmount <= 0 {
		return left, nil
	}
	capAt := func(v, limit int64) int64 {
		if (limit >= 0 && v > limit) || (limit < 0 && v < limit) {
			return limit
		}
		return v
	}
	a, err := money.Proportion(e.AmountMinor, refunded, orderAmount)
	if err != nil {
		return remains{}, err
	}
	out := remains{amount: capAt(a, left.amount)}
	if out.share, err = money.Proportion(e.AgencyShareMinor, refunded, orderAmount); err != nil {
		return remains{}, err
	}
	out.share = capAt(out.share, left.share)
	part := func(total, left *int64) (*int64, error) {
		if total == nil || left == nil {
			return nil, nil
		}
		v, err := money.Proportion(*total, refunded, orderAmount)
		if err != nil {
			return nil, err
		}
		v = capAt(v, *left)
		return &v, nil
	}
	if out.base, err = part(e.BaseAmountMinor, left.base); err != nil {
		return remains{}, err
	}
	if out.baseShare, err = part(e.BaseAgencyShareMinor, left.baseShare); err != nil {
		return remains{}, err
	}
	return out, nil
}

func copyPtr(v *int64) *int64 {
	if v == nil {
		return nil
	}
	c := *v
	return &c
}

func negPtr(v *int64) *int64 {
	if v == nil {
		return nil
	}
	n := -*v
	return &n
}

// addTo adds v to *sum when both are known.
func addTo(sum, v *int64) {
	if sum != nil && v != nil {
		*sum += *v
	}
}

// Entries returns the entries of conversions, by conversion id, oldest first.
func (s *Service) Entries(ctx context.Context, db bun.IDB, orgID string, ids []string) (map[string][]Entry, error) {
	out := map[string][]Entry{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []entryRow
	// Ordered as ledger_entries_conversion_idx is: by created_at alone, SQLite's planner walks the
	// organization's whole ledger in the created_at index instead of the few entries asked for.
	if err := db.NewSelect().Model(&rows).Where("le.org_id = ? AND le.conversion_id IN (?)", orgID, bun.In(ids)).
		Order("le.conversion_id", "le.created_at", "le.id").Scan(ctx); err != nil {
		return nil, store.MapError(err)
	}
	for _, r := range rows {
		out[*r.ConversionID] = append(out[*r.ConversionID], r.Entry)
	}
	return out, nil
}

func deref[T any](v *T) T {
	var zero T
	if v == nil {
		return zero
	}
	return *v
}
