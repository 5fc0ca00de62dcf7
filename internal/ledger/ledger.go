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

	"github.com/caravan-crm/caravan/internal/apperr"
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
}

// NewService returns the ledger.
func NewService(db *bun.DB, clk clock.Clock, orgs Orgs, campaigns *campaign.Service, creators *creator.Service) *Service {
	if clk == nil {
		clk = clock.System{}
	}
	return &Service{db: db, clock: clk, orgs: orgs, campaigns: campaigns, creators: creators}
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
	org, err := s.orgs.Org(ctx, c.OrgID)
	if err != nil {
		return nil, err
	}
	loc, err := s.orgs.Location(ctx, c.OrgID)
	if err != nil {
		return nil, err
	}
	q := &quote{loc: loc, baseCurrency: org.BaseCurrency, fx: map[string]fxQuote{}}
	at := c.OccurredAt
	if c.CampaignID != nil {
		plan, version, err := s.campaigns.PlanAt(ctx, c.OrgID, *c.CampaignID, at)
		if err != nil && apperr.KindOf(err) != apperr.KindNotFound {
			return nil, err
		}
		if err == nil {
			q.plan, q.planVersion = &plan, version
			if q.override, err = s.campaigns.OverrideAt(ctx, c.OrgID, *c.CampaignID, *c.CreatorID, at); err != nil {
				return nil, err
			}
			if q.items, err = s.items(ctx, c); err != nil {
				return nil, err
			}
			for _, it := range q.items {
				r, err := s.campaigns.ProductRateAt(ctx, c.OrgID, it.SKU, at)
				if err != nil {
					return nil, err
				}
				q.productRates = append(q.productRates, r)
			}
		}
	}
	if c.CreatorID != nil {
		if q.terms, err = s.creators.TermsAt(ctx, c.OrgID, *c.CreatorID, at); err != nil {
			return nil, err
		}
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
		r, rateDay, err := s.RateOn(ctx, c.OrgID, cur, q.baseCurrency, day)
		if err != nil {
			return nil, err
		}
		q.fx[cur] = fxQuote{rate: r, day: rateDay}
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
	q, ok := qa.(*quote)
	if !ok || q == nil || c.CreatorID == nil {
		return fmt.Errorf("ledger: commission of conversion %s without a quote", c.ID)
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
			p, err := s.priorGMV(ctx, tx, c, *plan.Currency, q.loc)
			if err != nil {
				return err
			}
			prior = p
			ex.PriorGMVMinor = &prior
		}
		d, err := campaign.Rate(plan, q.override, nil, prior)
		if err != nil {
			return err
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
			return err
		}
	case q.terms.DefaultRateBps != nil:
		r := *q.terms.DefaultRateBps
		ex.Source, ex.Base, ex.BaseMinor = SourceCreatorDefault, campaign.BaseNet, &net
		a, err := money.ApplyBps(net, r)
		if err != nil {
			return err
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
		return err
	}
	if q.terms.AgencyID != nil && q.terms.AgencyShareBps > 0 {
		share, err := money.ApplyBps(amount, q.terms.AgencyShareBps)
		if err != nil {
			return err
		}
		e.AgencyID, e.AgencyShareBps, e.AgencyShareMinor = q.terms.AgencyID, q.terms.AgencyShareBps, share
		if e.BaseAmountMinor != nil {
			b, err := money.ApplyBps(*e.BaseAmountMinor, q.terms.AgencyShareBps)
			if err != nil {
				return err
			}
			e.BaseAgencyShareMinor = &b
		}
	}
	return s.insert(ctx, tx, c.OrgID, &e, clock.Month(c.OccurredAt, q.loc), actorID)
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
// in the plan's currency (orders in other currencies are not counted).
func (s *Service) priorGMV(ctx context.Context, tx bun.IDB, c *conversion.Conversion, currency string, loc *time.Location) (int64, error) {
	start, _, err := clock.MonthRange(clock.Month(c.OccurredAt, loc), loc)
	if err != nil {
		return 0, err
	}
	var sum int64
	err = tx.NewSelect().TableExpr("ledger_entries AS le").ColumnExpr("COALESCE(SUM(le.gmv_minor), 0)").
		Where("le.org_id = ? AND le.creator_id = ? AND le.campaign_id = ? AND le.kind = ? AND le.currency = ?", c.OrgID, *c.CreatorID, *c.CampaignID, KindCommission, currency).
		Where("le.occurred_at >= ? AND le.occurred_at < ?", start, c.OccurredAt).Scan(ctx, &sum)
	return sum, store.MapError(err)
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
	e.Period = period
	if period != eventPeriod {
		ev := eventPeriod
		e.Explanation.EventPeriod = &ev
	}
	if actorID != "" {
		e.CreatedBy = &actorID
	}
	e.CreatedAt = s.now()
	if _, err := tx.NewInsert().Model(&entryRow{OrgID: orgID, Entry: *e}).Exec(ctx); err != nil {
		return store.MapError(err)
	}
	return nil
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
	if err := db.NewSelect().Model(&rows).Where("le.org_id = ? AND le.conversion_id IN (?)", orgID, bun.In(ids)).Order("le.created_at", "le.id").Scan(ctx); err != nil {
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
