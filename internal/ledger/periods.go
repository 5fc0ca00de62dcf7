package ledger

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/campaign"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/money"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/text"
)

// Period is a commission month (YYYY-MM in the organization's time zone) and whether it is locked.
type Period struct {
	bun.BaseModel `bun:"table:periods,alias:pd"`

	OrgID    string     `bun:"org_id,pk" json:"-"`
	Period   string     `bun:"period,pk" json:"period"`
	Status   string     `bun:"status" json:"status"`
	ClosedBy *string    `bun:"closed_by" json:"closed_by"`
	ClosedAt *time.Time `bun:"closed_at" json:"closed_at"`
	// Entries counts the ledger entries of the period.
	Entries int64 `bun:"-" json:"entries"`
}

// PeriodList answers GET /api/v1/periods.
type PeriodList struct {
	Current string   `json:"current"` // this month in the organization's time zone
	Items   []Period `json:"items"`
}

func checkPeriod(period string) error {
	if _, _, err := clock.ParseMonth(period); err != nil {
		return apperr.NotFound("period")
	}
	return nil
}

// Period returns one month's status (a month never closed is open).
func (s *Service) Period(ctx context.Context, orgID, period string) (*Period, error) {
	if err := checkPeriod(period); err != nil {
		return nil, err
	}
	return s.period(ctx, s.db, orgID, period)
}

func (s *Service) period(ctx context.Context, db bun.IDB, orgID, period string) (*Period, error) {
	p := &Period{OrgID: orgID, Period: period, Status: PeriodOpen}
	err := db.NewSelect().Model(p).Where("pd.org_id = ? AND pd.period = ?", orgID, period).Scan(ctx)
	if err != nil && !store.IsNoRows(err) {
		return nil, store.MapError(err)
	}
	return p, nil
}

// Periods lists the months that have entries or were ever closed, the latest first, and the current
// month.
func (s *Service) Periods(ctx context.Context, p actor.Actor) (*PeriodList, error) {
	loc, err := s.orgs.Location(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	out := &PeriodList{Current: clock.Month(s.clock.Now(), loc), Items: []Period{}}
	var counts []struct {
		Period string `bun:"period"`
		N      int64  `bun:"n"`
	}
	if err := s.db.NewSelect().TableExpr("ledger_entries AS le").ColumnExpr("le.period, COUNT(*) AS n").
		Where("le.org_id = ?", p.OrgID).Group("le.period").Scan(ctx, &counts); err != nil {
		return nil, store.MapError(err)
	}
	var rows []Period
	if err := s.db.NewSelect().Model(&rows).Where("pd.org_id = ?", p.OrgID).Scan(ctx); err != nil {
		return nil, store.MapError(err)
	}
	byPeriod := map[string]*Period{}
	for i := range rows {
		byPeriod[rows[i].Period] = &rows[i]
	}
	add := func(period string) *Period {
		if pd, ok := byPeriod[period]; ok {
			return pd
		}
		pd := &Period{OrgID: p.OrgID, Period: period, Status: PeriodOpen}
		byPeriod[period] = pd
		return pd
	}
	add(out.Current)
	for _, c := range counts {
		add(c.Period).Entries = c.N
	}
	for _, pd := range byPeriod {
		out.Items = append(out.Items, *pd)
	}
	sortPeriods(out.Items)
	return out, nil
}

func sortPeriods(ps []Period) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].Period > ps[j-1].Period; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

// ClosePeriod locks a month that has ended: from now on an entry dated in it goes to the first open
// month after it (late refunds, late orders), and an adjustment naming it is refused (409).
func (s *Service) ClosePeriod(ctx context.Context, p actor.Actor, period string) (*Period, error) {
	if err := checkPeriod(period); err != nil {
		return nil, err
	}
	loc, err := s.orgs.Location(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	if current := clock.Month(s.clock.Now(), loc); period >= current {
		return nil, apperr.Conflict("period_not_ended", fmt.Sprintf("%s has not ended yet (this month is %s): only a past month can be closed", period, current)).
			WithParams(map[string]any{"period": period, "current": current})
	}
	now := s.now()
	var out *Period
	err = store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		pd, err := s.period(ctx, tx, p.OrgID, period)
		if err != nil {
			return err
		}
		if pd.Status == PeriodClosed {
			out = pd
			return nil // closing a closed month changes nothing
		}
		id := p.ID()
		pd.Status, pd.ClosedAt, pd.ClosedBy = PeriodClosed, &now, nil
		if id != "" {
			pd.ClosedBy = &id
		}
		if _, err := tx.NewInsert().Model(pd).On("CONFLICT (org_id, period) DO UPDATE").
			Set("status = EXCLUDED.status").Set("closed_at = EXCLUDED.closed_at").Set("closed_by = EXCLUDED.closed_by").Exec(ctx); err != nil {
			return store.MapError(err)
		}
		out = pd
		return audit.Record(ctx, tx, now, p, "period.close", "period", period, map[string]any{"before": PeriodOpen, "after": PeriodClosed})
	})
	return out, err
}

// Reopen is the body of POST /api/v1/periods/{period}/reopen.
type Reopen struct {
	Reason string `json:"reason"`
}

// ReopenPeriod unlocks a closed month (owners only, with a reason, audited). Entries already moved
// to later months stay where they are: the ledger is never rewritten.
func (s *Service) ReopenPeriod(ctx context.Context, p actor.Actor, period string, in Reopen) (*Period, error) {
	if err := checkPeriod(period); err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 || text.CheckMultiline(reason) != nil {
		return nil, apperr.Validation(map[string]string{"reason": "is required"})
	}
	now := s.now()
	var out *Period
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		pd, err := s.period(ctx, tx, p.OrgID, period)
		if err != nil {
			return err
		}
		if pd.Status != PeriodClosed {
			return apperr.Conflict("period_open", period+" is not closed")
		}
		if _, err := tx.NewUpdate().Model(pd).Set("status = ?", PeriodOpen).Set("closed_at = NULL").Set("closed_by = NULL").
			Where("org_id = ? AND period = ?", p.OrgID, period).Exec(ctx); err != nil {
			return store.MapError(err)
		}
		before := *pd
		pd.Status, pd.ClosedAt, pd.ClosedBy = PeriodOpen, nil, nil
		out = pd
		return audit.Record(ctx, tx, now, p, "period.reopen", "period", period, map[string]any{
			"reason": reason, "before": PeriodClosed, "after": PeriodOpen, "closed_at": before.ClosedAt, "closed_by": before.ClosedBy})
	})
	return out, err
}

// errPeriodClosed is the 409 of a write that names a closed month.
func errPeriodClosed(period string) error {
	return apperr.Conflict("period_closed", fmt.Sprintf("the period %s is closed: its entries are locked", period)).
		WithParams(map[string]any{"period": period})
}

// RefuseClosedDay answers 409 when day (YYYY-MM-DD) falls in a closed month: FX rates of a locked
// month are locked with it.
func (s *Service) RefuseClosedDay(ctx context.Context, db bun.IDB, orgID, day string) error {
	if len(day) < 7 {
		return nil
	}
	pd, err := s.period(ctx, db, orgID, day[:7])
	if err != nil {
		return err
	}
	if pd.Status == PeriodClosed {
		return errPeriodClosed(pd.Period)
	}
	return nil
}

// --- adjustments ---

// NewAdjustment is the body of POST /api/v1/adjustments: a positive or negative amount owed to a
// creator, with a reason, in a period (default: the current month).
type NewAdjustment struct {
	CreatorID   string  `json:"creator_id"`
	AmountMinor *int64  `json:"amount_minor"`
	Currency    string  `json:"currency"`
	Reason      string  `json:"reason"`
	Period      *string `json:"period,omitempty"`
	CampaignID  *string `json:"campaign_id,omitempty"`
}

// Adjust records an adjustment entry. A closed period is a 409; the creator must be the
// organization's (422).
func (s *Service) Adjust(ctx context.Context, p actor.Actor, in NewAdjustment) (*Entry, error) {
	f := apperr.Fields{}
	cur := money.NormalizeCurrency(in.Currency)
	f.Check(!money.ValidCurrency(cur), "currency", "must be an ISO 4217 currency code such as USD")
	f.Check(in.AmountMinor == nil, "amount_minor", "is required")
	f.Check(in.AmountMinor != nil && (*in.AmountMinor == 0 || *in.AmountMinor > 1e15 || *in.AmountMinor < -1e15), "amount_minor", "must not be zero")
	reason := strings.TrimSpace(in.Reason)
	f.Check(reason == "" || utf8.RuneCountInString(reason) > 500 || text.CheckMultiline(reason) != nil, "reason", "is required")
	loc, err := s.orgs.Location(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	period := clock.Month(s.clock.Now(), loc)
	if in.Period != nil {
		period = strings.TrimSpace(*in.Period)
		if _, _, err := clock.ParseMonth(period); err != nil {
			f.Add("period", "must be a month YYYY-MM")
		}
	}
	refs, err := creator.Refs(ctx, s.db, p.OrgID, []string{in.CreatorID})
	if err != nil {
		return nil, err
	}
	f.Check(len(refs) == 0, "creator_id", "must be a creator of your organization")
	if in.CampaignID != nil {
		cs, err := campaign.Refs(ctx, s.db, p.OrgID, []string{*in.CampaignID})
		if err != nil {
			return nil, err
		}
		f.Check(len(cs) == 0, "campaign_id", "must be a campaign of your organization")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	org, err := s.orgs.Org(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	q := &quote{loc: loc, baseCurrency: org.BaseCurrency, fx: map[string]fxQuote{}}
	start, _, _ := clock.MonthRange(period, loc)
	if cur != q.baseCurrency {
		day := clock.Day(s.clock.Now(), loc)
		if end := clock.Day(start.AddDate(0, 1, -1), loc); day > end {
			day = end // a past month's adjustment uses the rate of its last day
		}
		r, rateDay, err := s.RateOn(ctx, p.OrgID, cur, q.baseCurrency, day)
		if err != nil {
			return nil, err
		}
		q.fx[cur] = fxQuote{rate: r, day: rateDay}
	}
	terms, err := s.creators.TermsAt(ctx, p.OrgID, in.CreatorID, s.clock.Now())
	if err != nil {
		return nil, err
	}
	e := Entry{ID: store.NewID(), CreatorID: in.CreatorID, CampaignID: in.CampaignID, Kind: KindAdjustment, AmountMinor: *in.AmountMinor,
		Currency: cur, BaseCurrency: q.baseCurrency, OccurredAt: s.now(), Reason: &reason,
		Explanation: conversion.Explanation{Source: SourceAdjustment, Note: reason}}
	if err := s.toBase(&e, q, cur); err != nil {
		return nil, err
	}
	e.GMVMinor, e.BaseGMVMinor = 0, nil
	if terms.AgencyID != nil && terms.AgencyShareBps > 0 {
		share, err := money.ApplyBps(e.AmountMinor, terms.AgencyShareBps)
		if err != nil {
			return nil, err
		}
		e.AgencyID, e.AgencyShareBps, e.AgencyShareMinor = terms.AgencyID, terms.AgencyShareBps, share
		if e.BaseAmountMinor != nil {
			b, err := money.ApplyBps(*e.BaseAmountMinor, terms.AgencyShareBps)
			if err != nil {
				return nil, err
			}
			e.BaseAgencyShareMinor = &b
		}
	}
	err = store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		pd, err := s.period(ctx, tx, p.OrgID, period)
		if err != nil {
			return err
		}
		if pd.Status == PeriodClosed {
			return errPeriodClosed(period)
		}
		if err := s.insert(ctx, tx, p.OrgID, &e, period, p.ID()); err != nil {
			return err
		}
		// An adjustment adds an entry: nothing before it, the entry's figures after.
		return audit.Record(ctx, tx, s.now(), p, "adjustment.create", "ledger_entry", e.ID, map[string]any{
			"creator_id": in.CreatorID, "amount_minor": e.AmountMinor, "currency": cur, "period": period, "reason": reason,
			"before": nil, "after": map[string]any{"kind": e.Kind, "amount_minor": e.AmountMinor, "currency": e.Currency, "period": e.Period,
				"agency_share_minor": e.AgencyShareMinor, "base_amount_minor": e.BaseAmountMinor, "base_currency": e.BaseCurrency}})
	})
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// --- reading ranges of entries ---

// Range selects entries: those of a period, or those whose event (order, refund, adjustment) falls
// on the days From..To (YYYY-MM-DD, inclusive) in the organization's time zone; optionally one
// creator's.
type Range struct {
	Period    string
	From, To  string
	CreatorID string
	// UpTo selects the entries of every period up to and including this one (payouts).
	UpTo string
}

// Validate checks a range as the API takes it (a 400 for bad query parameters).
func (r Range) Validate() error {
	bad := func(msg string) error { return apperr.BadRequest("invalid_parameter", msg) }
	switch {
	case r.UpTo != "":
		if _, _, err := clock.ParseMonth(r.UpTo); err != nil || r.Period != "" || r.From != "" {
			return bad("up to must be a month YYYY-MM, alone")
		}
	case r.Period != "" && (r.From != "" || r.To != ""):
		return bad("give period or from/to, not both")
	case r.Period != "":
		if _, _, err := clock.ParseMonth(r.Period); err != nil {
			return bad("period must be a month YYYY-MM")
		}
	case r.From == "" || r.To == "":
		return bad("period (YYYY-MM), or from and to (YYYY-MM-DD), is required")
	default:
		for _, d := range []string{r.From, r.To} {
			if _, err := clock.ParseDay(d); err != nil {
				return bad("from and to must be dates YYYY-MM-DD")
			}
		}
		if r.To < r.From {
			return bad("to must not be before from")
		}
	}
	return nil
}

func (s *Service) rangeWhere(ctx context.Context, q *bun.SelectQuery, orgID string, r Range) (*bun.SelectQuery, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	q = q.Where("le.org_id = ?", orgID)
	if r.CreatorID != "" {
		q = q.Where("le.creator_id = ?", r.CreatorID)
	}
	if r.UpTo != "" {
		return q.Where("le.period <= ?", r.UpTo), nil
	}
	if r.Period != "" {
		return q.Where("le.period = ?", r.Period), nil
	}
	loc, err := s.orgs.Location(ctx, orgID)
	if err != nil {
		return nil, err
	}
	start, _, _ := clock.DayRange(r.From, loc)
	_, end, _ := clock.DayRange(r.To, loc)
	return q.Where("le.occurred_at >= ? AND le.occurred_at < ?", start, end), nil
}

// CountEntries counts the entries of a range (for progress bars).
func (s *Service) CountEntries(ctx context.Context, orgID string, r Range) (int64, error) {
	q, err := s.rangeWhere(ctx, s.db.NewSelect().Model((*entryRow)(nil)), orgID, r)
	if err != nil {
		return 0, err
	}
	n, err := q.Count(ctx)
	return n, store.MapError(err)
}

// eachPage is the keyset page size of EachEntry.
const eachPage = 5000

// EachEntry calls fn with every entry of the range, in id (creation) order, reading pages of 5000 so
// memory stays flat whatever the number of entries.
func (s *Service) EachEntry(ctx context.Context, orgID string, r Range, fn func(Entry) error) error {
	return s.EachPage(ctx, orgID, r, func(es []Entry) error {
		for _, e := range es {
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	})
}

// EachPage calls fn with the range's entries a page (at most 5000) at a time, in id order: for
// readers that look something up per page (the conversions' statuses).
func (s *Service) EachPage(ctx context.Context, orgID string, r Range, fn func([]Entry) error) error {
	after := ""
	for {
		var rows []entryRow
		q, err := s.rangeWhere(ctx, s.db.NewSelect().Model(&rows), orgID, r)
		if err != nil {
			return err
		}
		if after != "" {
			q = q.Where("le.id > ?", after)
		}
		if err := q.OrderExpr("le.id").Limit(eachPage).Scan(ctx); err != nil {
			return store.MapError(err)
		}
		page := make([]Entry, len(rows))
		for i, row := range rows {
			page[i] = row.Entry
		}
		if len(page) > 0 {
			if err := fn(page); err != nil {
				return err
			}
		}
		if len(rows) < eachPage {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}

// RatesUsed returns the FX rates the range's entries used: each distinct currency, base and rate,
// with the day it was quoted for (the latest day the organization recorded that rate).
func (s *Service) RatesUsed(ctx context.Context, orgID string, r Range) ([]FXRate, error) {
	var used []struct {
		Currency     string `bun:"currency"`
		BaseCurrency string `bun:"base_currency"`
		Rate         string `bun:"fx_rate"`
	}
	q, err := s.rangeWhere(ctx, s.db.NewSelect().TableExpr("ledger_entries AS le").ColumnExpr("DISTINCT le.currency, le.base_currency, le.fx_rate"), orgID, r)
	if err != nil {
		return nil, err
	}
	if err := q.Where("le.fx_rate IS NOT NULL AND le.currency <> le.base_currency").OrderExpr("le.currency, le.fx_rate").Scan(ctx, &used); err != nil {
		return nil, store.MapError(err)
	}
	out := make([]FXRate, 0, len(used))
	for _, u := range used {
		rate, err := money.ParseRate(u.Rate)
		if err != nil {
			return nil, err
		}
		fx := FXRate{Currency: u.Currency, BaseCurrency: u.BaseCurrency, Rate: rate}
		var days []string
		if err := s.db.NewSelect().Model((*FXRate)(nil)).Column("day").
			Where("org_id = ? AND currency = ? AND base_currency = ? AND rate = ?", orgID, u.Currency, u.BaseCurrency, u.Rate).
			Order("day DESC").Limit(1).Scan(ctx, &days); err != nil {
			return nil, store.MapError(err)
		}
		if len(days) > 0 {
			fx.On = days[0]
		}
		out = append(out, fx)
	}
	return out, nil
}

// ClosedPeriods returns the organization's closed months.
func (s *Service) ClosedPeriods(ctx context.Context, db bun.IDB, orgID string) (map[string]bool, error) {
	var ps []string
	if err := db.NewSelect().Model((*Period)(nil)).Column("period").Where("org_id = ? AND status = ?", orgID, PeriodClosed).Scan(ctx, &ps); err != nil {
		return nil, store.MapError(err)
	}
	out := make(map[string]bool, len(ps))
	for _, p := range ps {
		out[p] = true
	}
	return out, nil
}

// EntriesByID returns the organization's entries among ids (db may be the caller's transaction).
func (s *Service) EntriesByID(ctx context.Context, db bun.IDB, orgID string, ids []string) ([]Entry, error) {
	var out []Entry
	for i := 0; i < len(ids); i += 500 {
		var rows []entryRow
		if err := db.NewSelect().Model(&rows).Where("le.org_id = ? AND le.id IN (?)", orgID, bun.In(ids[i:min(i+500, len(ids))])).Scan(ctx); err != nil {
			return nil, store.MapError(err)
		}
		for _, r := range rows {
			out = append(out, r.Entry)
		}
	}
	return out, nil
}
