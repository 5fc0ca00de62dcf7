package ledger

import (
	"context"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/money"
	"github.com/caravan-crm/caravan/internal/observe"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/sheet"
	"github.com/caravan-crm/caravan/internal/store"
)

// --- periods ---

// Period statuses; a month without a row is open.
const (
	PeriodOpen   = "open"
	PeriodClosed = "closed"
)

// openPeriodFrom is the first month from period on that is not closed.
func openPeriodFrom(ctx context.Context, db bun.IDB, orgID, period string) (string, error) {
	var closed []string
	if err := db.NewSelect().TableExpr("periods AS pd").Column("pd.period").
		Where("pd.org_id = ? AND pd.period >= ? AND pd.status = ?", orgID, period, PeriodClosed).
		Order("pd.period").Scan(ctx, &closed); err != nil {
		return "", store.MapError(err)
	}
	for _, c := range closed {
		if c != period {
			break
		}
		period = nextMonth(period)
	}
	return period, nil
}

func nextMonth(period string) string {
	y, m, err := clock.ParseMonth(period)
	if err != nil {
		return period
	}
	return time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
}

// --- FX rates ---

// FXRate is one day's rate: 1 unit of currency = rate units of base_currency.
type FXRate struct {
	bun.BaseModel `bun:"table:fx_rates,alias:fx"`

	OrgID        string     `bun:"org_id,pk" json:"-"`
	Currency     string     `bun:"currency,pk" json:"currency"`
	BaseCurrency string     `bun:"base_currency,pk" json:"base_currency"`
	On           string     `bun:"day,pk" json:"on"`
	Rate         money.Rate `bun:"rate" json:"rate"`
	UpdatedBy    *string    `bun:"updated_by" json:"-"`
	UpdatedAt    time.Time  `bun:"updated_at" json:"updated_at"`
}

// NewFXRate is the body of PUT /api/v1/fx-rates.
type NewFXRate struct {
	On           string `json:"on"`
	Currency     string `json:"currency"`
	BaseCurrency string `json:"base_currency"`
	Rate         string `json:"rate"`
}

// PutRate records (or corrects) a day's rate. Entries already written keep the rate they used: a
// correction applies to entries written after it.
func (s *Service) PutRate(ctx context.Context, p actor.Actor, in NewFXRate) (*FXRate, error) {
	if err := s.checkRate(&in); err != nil {
		return nil, err
	}
	cur, base := in.Currency, in.BaseCurrency
	rate, _ := money.ParseRate(in.Rate)
	now := s.now()
	row := &FXRate{OrgID: p.OrgID, Currency: cur, BaseCurrency: base, On: in.On, Rate: rate, UpdatedAt: now}
	if id := p.ID(); id != "" {
		row.UpdatedBy = &id
	}
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if err := s.RefuseClosedDay(ctx, tx, p.OrgID, in.On); err != nil {
			return err
		}
		// The rate a correction replaces, for the audit log (nil: the day had none). The day's row is
		// locked while it is read (PostgreSQL), and a first rate goes in only if the day still has
		// none: two rates put at once for one day are recorded one after the other, the second
		// naming the first as what it replaced, instead of both saying the day had none.
		var before *string
		for {
			var prev FXRate
			err := store.Lock(tx, tx.NewSelect().Model(&prev).Column("rate").
				Where("fx.org_id = ? AND fx.currency = ? AND fx.base_currency = ? AND fx.day = ?", p.OrgID, cur, base, in.On)).Scan(ctx)
			if err == nil {
				v := prev.Rate.String()
				before = &v
				if _, err := tx.NewUpdate().Model(row).Column("rate", "updated_by", "updated_at").
					Where("fx.org_id = ? AND fx.currency = ? AND fx.base_currency = ? AND fx.day = ?", p.OrgID, cur, base, in.On).Exec(ctx); err != nil {
					return store.MapError(err)
				}
				break
			}
			if !store.IsNoRows(err) {
				return store.MapError(err)
			}
			res, err := tx.NewInsert().Model(row).On("CONFLICT (org_id, currency, base_currency, day) DO NOTHING").Exec(ctx)
			if err != nil {
				return store.MapError(err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				break
			}
			// Another request put the day's first rate meanwhile: read it (and wait for its lock).
		}
		return audit.Record(ctx, tx, now, p, "fx_rate.put", "fx_rate", cur+"/"+base+"/"+in.On, map[string]any{
			"rate": rate.String(), "before": before, "after": rate.String()})
	})
	if err != nil {
		return nil, err
	}
	return row, nil
}

// checkRate validates and normalises a rate.
func (s *Service) checkRate(in *NewFXRate) error {
	f := apperr.Fields{}
	in.On = strings.TrimSpace(in.On)
	_, err := clock.ParseDay(in.On)
	f.Check(err != nil, "on", "must be a date YYYY-MM-DD")
	in.Currency, in.BaseCurrency = money.NormalizeCurrency(in.Currency), money.NormalizeCurrency(in.BaseCurrency)
	f.Check(!money.ValidCurrency(in.Currency), "currency", "must be an ISO 4217 currency code such as USD")
	f.Check(!money.ValidCurrency(in.BaseCurrency), "base_currency", "must be an ISO 4217 currency code such as USD")
	f.Check(in.Currency == in.BaseCurrency && in.Currency != "", "currency", "must differ from base_currency")
	in.Rate = strings.TrimSpace(in.Rate)
	rate, err := money.ParseRate(in.Rate)
	f.Check(err != nil || rate.Decimal().Sign() <= 0 || len(in.Rate) > 40, "rate", "must be a positive decimal such as 7.1234")
	return f.Err()
}

// FXRateList answers GET /api/v1/fx-rates.
type FXRateList struct {
	Items []FXRate `json:"items"`
}

// ListRates lists the organization's rates, the latest day first; currency and from/to narrow it.
func (s *Service) ListRates(ctx context.Context, p actor.Actor, q url.Values) (*FXRateList, error) {
	out := &FXRateList{Items: []FXRate{}}
	sel := s.db.NewSelect().Model(&out.Items).Where("fx.org_id = ?", p.OrgID)
	if c := money.NormalizeCurrency(q.Get("currency")); c != "" {
		if !money.ValidCurrency(c) {
			return nil, apperr.BadRequest("invalid_parameter", "currency must be an ISO 4217 currency code")
		}
		sel = sel.Where("fx.currency = ?", c)
	}
	for name, op := range map[string]string{"from": ">=", "to": "<="} {
		if v := strings.TrimSpace(q.Get(name)); v != "" {
			if _, err := clock.ParseDay(v); err != nil {
				return nil, apperr.BadRequest("invalid_parameter", name+" must be a date YYYY-MM-DD")
			}
			sel = sel.Where("fx.day "+op+" ?", v)
		}
	}
	if err := sel.Order("fx.day DESC", "fx.currency").Limit(page.MaxLimit * 4).Scan(ctx); err != nil {
		return nil, store.MapError(err)
	}
	return out, nil
}

// RateOn returns the rate of currency in base on day: the most recent on or before it, and the day it
// was quoted for; nil when there is none.
func (s *Service) RateOn(ctx context.Context, orgID, currency, base, day string) (*money.Rate, string, error) {
	var row FXRate
	err := s.db.NewSelect().Model(&row).Where("fx.org_id = ? AND fx.currency = ? AND fx.base_currency = ? AND fx.day <= ?", orgID, currency, base, day).
		Order("fx.day DESC").Limit(1).Scan(ctx)
	if store.IsNoRows(err) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", store.MapError(err)
	}
	return &row.Rate, row.On, nil
}

// --- entries ---

// Filter narrows GET /api/v1/commissions.
type Filter struct {
	CreatorID, CampaignID, ConversionID, Kind, Period string
	FXMissing                                         bool
}

// FilterParams documents the list's query parameters.
var FilterParams = [][2]string{
	{"creator_id", "the creator's id"},
	{"campaign_id", "the campaign's id"},
	{"conversion_id", "the conversion's id"},
	{"kind", "commission, reversal or adjustment"},
	{"period", "YYYY-MM"},
	{"fx_missing", "true: only entries without an FX rate"},
}

// ParseFilter reads the list's filter.
func ParseFilter(q url.Values) (Filter, error) {
	f := Filter{CreatorID: strings.TrimSpace(q.Get("creator_id")), CampaignID: strings.TrimSpace(q.Get("campaign_id")),
		ConversionID: strings.TrimSpace(q.Get("conversion_id")), Kind: strings.TrimSpace(q.Get("kind")), Period: strings.TrimSpace(q.Get("period"))}
	if f.Kind != "" && !slices.Contains([]string{KindCommission, KindReversal, KindAdjustment}, f.Kind) {
		return f, apperr.BadRequest("invalid_parameter", "kind must be commission, reversal or adjustment")
	}
	if _, _, err := clock.ParseMonth(f.Period); f.Period != "" && err != nil {
		return f, apperr.BadRequest("invalid_parameter", "period must be a month YYYY-MM")
	}
	switch q.Get("fx_missing") {
	case "", "false":
	case "true":
		f.FXMissing = true
	default:
		return f, apperr.BadRequest("invalid_parameter", "fx_missing must be true or false")
	}
	return f, nil
}

func (f Filter) apply(q *bun.SelectQuery, orgID string) *bun.SelectQuery {
	q = q.Where("le.org_id = ?", orgID)
	for col, v := range map[string]string{"creator_id": f.CreatorID, "campaign_id": f.CampaignID, "conversion_id": f.ConversionID, "kind": f.Kind, "period": f.Period} {
		if v != "" {
			q = q.Where("?.? = ?", bun.Ident("le"), bun.Ident(col), v)
		}
	}
	if f.FXMissing {
		q = q.Where("le.fx_missing")
	}
	return q
}

// List lists ledger entries, the newest first.
func (s *Service) List(ctx context.Context, p actor.Actor, f Filter, req page.Request) (page.List[Entry], error) {
	total, err := f.apply(s.db.NewSelect().Model((*entryRow)(nil)), p.OrgID).Count(ctx)
	if err != nil {
		return page.List[Entry]{}, store.MapError(err)
	}
	var rows []entryRow
	q := f.apply(s.db.NewSelect().Model(&rows), p.OrgID).OrderExpr("le.id DESC").Limit(req.Fetch())
	if len(req.After) > 0 {
		q = q.Where("le.id < ?", req.After[0])
	}
	if err := q.Scan(ctx); err != nil {
		return page.List[Entry]{}, store.MapError(err)
	}
	entries := make([]Entry, len(rows))
	for i, r := range rows {
		entries[i] = r.Entry
	}
	return page.Finish(entries, req, int64(total), func(e Entry) []string { return []string{e.ID} }), nil
}

// --- what other packages read ---

// Totals are attributed GMV and commission (net of reversals) in the organization's base currency,
// and the number of commissioned orders. Entries without an FX rate count in Orders only.
type Totals struct {
	Orders          int64
	GMVMinor        int64
	CommissionMinor int64
}

// Group keys of TotalsBy.
const (
	ByCreator  = "creator_id"
	ByAccount  = "account_id"
	ByPlatform = "platform"
	ByCampaign = "campaign_id"
)

// TotalsBy sums the organization's entries of orders that occurred in [from, to) by creator,
// account, platform or campaign, in the base currency. Rows without the key (an order without an
// account, an adjustment) are left out.
func (s *Service) TotalsBy(ctx context.Context, orgID, by string, from, to time.Time) (map[string]Totals, error) {
	if !slices.Contains([]string{ByCreator, ByAccount, ByPlatform, ByCampaign}, by) {
		return nil, apperr.BadRequest("invalid_parameter", "cannot group entries by "+by)
	}
	var rows []struct {
		Key        string `bun:"k"`
		Orders     int64  `bun:"orders"`
		GMV        int64  `bun:"gmv"`
		Commission int64  `bun:"commission"`
	}
	err := s.db.NewSelect().TableExpr("ledger_entries AS le").
		ColumnExpr("le.? AS k", bun.Ident(by)).
		ColumnExpr("SUM(CASE WHEN le.kind = ? THEN 1 ELSE 0 END) AS orders", KindCommission).
		ColumnExpr("COALESCE(SUM(le.base_gmv_minor), 0) AS gmv").
		ColumnExpr("COALESCE(SUM(le.base_amount_minor), 0) AS commission").
		Where("le.org_id = ? AND le.? IS NOT NULL AND le.kind IN (?)", orgID, bun.Ident(by), bun.In([]string{KindCommission, KindReversal})).
		Where("le.occurred_at >= ? AND le.occurred_at < ?", from, to).
		GroupExpr("le.?", bun.Ident(by)).Scan(ctx, &rows)
	if err != nil {
		return nil, store.MapError(err)
	}
	out := make(map[string]Totals, len(rows))
	for _, r := range rows {
		out[r.Key] = Totals{Orders: r.Orders, GMVMinor: r.GMV, CommissionMinor: r.Commission}
	}
	return out, nil
}

// CampaignLine is a creator's (and account's) results in a campaign in one currency: orders
// commissioned, their GMV and the commission net of reversals, in the orders' currency.
type CampaignLine struct {
	CreatorID  string  `bun:"creator_id"`
	AccountID  *string `bun:"account_id"`
	Currency   string  `bun:"currency"`
	Orders     int64   `bun:"orders"`
	GMV        int64   `bun:"gmv"`
	Commission int64   `bun:"commission"`
}

// CampaignLines returns a campaign's results by creator, account and currency.
func (s *Service) CampaignLines(ctx context.Context, orgID, campaignID string) ([]CampaignLine, error) {
	var rows []CampaignLine
	err := s.db.NewSelect().TableExpr("ledger_entries AS le").
		ColumnExpr("le.creator_id, le.account_id, le.currency").
		ColumnExpr("SUM(CASE WHEN le.kind = ? THEN 1 ELSE 0 END) AS orders", KindCommission).
		ColumnExpr("SUM(le.gmv_minor) AS gmv, SUM(le.amount_minor) AS commission").
		Where("le.org_id = ? AND le.campaign_id = ? AND le.kind IN (?)", orgID, campaignID, bun.In([]string{KindCommission, KindReversal})).
		Group("le.creator_id", "le.account_id", "le.currency").Scan(ctx, &rows)
	return rows, store.MapError(err)
}

// Orgs lists the organizations with entries (for jobs that refresh per organization).
func (s *Service) Orgs(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.db.NewSelect().TableExpr("ledger_entries AS le").ColumnExpr("DISTINCT le.org_id").Scan(ctx, &ids)
	return ids, store.MapError(err)
}

// FXImportColumns are the columns of an FX-rate file, in English and Chinese.
var FXImportColumns = []sheet.Column{
	{Key: "on", Aliases: []string{"Date", "Day", "On", "日期"}, Required: true},
	{Key: "currency", Aliases: []string{"Currency", "From", "币种", "外币"}, Required: true},
	{Key: "base_currency", Aliases: []string{"Base Currency", "Base", "To", "本位币", "记账本位币"}},
	{Key: "rate", Aliases: []string{"Rate", "FX Rate", "汇率"}, Required: true},
}

// FXImportResult answers POST /api/v1/fx-rates/import.
type FXImportResult struct {
	DryRun bool              `json:"dry_run"`
	Rows   int               `json:"rows"`
	Saved  int               `json:"saved"`
	Errors []sheet.CellError `json:"errors"`
}

// ImportRates reads a file of daily rates (a month of them, typically): date, currency, base
// currency (default the organization's) and rate. All or nothing: a day in a closed month refuses
// the whole file with 409 (period_closed), and a dry run names each such row.
func (s *Service) ImportRates(ctx context.Context, p actor.Actor, r io.ReaderAt, size int64, filename string, dryRun bool) (_ *FXImportResult, err error) {
	defer observe.Done("import_fx_rates", time.Now(), &err)
	t, err := sheet.Read(r, size, filename, sheet.Limits{})
	if err != nil {
		return nil, err
	}
	org, err := s.orgs.Org(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	res := &FXImportResult{DryRun: dryRun, Rows: len(t.Rows), Errors: []sheet.CellError{}}
	m, herrs := sheet.MapHeaders(t.Headers, FXImportColumns)
	if len(herrs) > 0 {
		res.Errors = append(res.Errors, herrs...)
		return res, nil
	}
	var rates []NewFXRate
	var lines []int // each rate's row in the file
	for _, row := range t.Rows {
		in := NewFXRate{On: strings.TrimSpace(m.Get(row, "on")), Currency: m.Get(row, "currency"), BaseCurrency: m.Get(row, "base_currency"), Rate: strings.TrimSpace(m.Get(row, "rate"))}
		if in.BaseCurrency == "" {
			in.BaseCurrency = org.BaseCurrency
		}
		if d, err := time.Parse("2006/01/02", in.On); err == nil {
			in.On = d.Format("2006-01-02")
		}
		if err := s.checkRate(&in); err != nil {
			if e, ok := apperr.As(err); ok {
				for field, msg := range e.Fields {
					res.Errors = append(res.Errors, sheet.CellError{Row: row.Line, Column: m.Header(field), Message: msg})
				}
			}
			continue
		}
		rates = append(rates, in)
		lines = append(lines, row.Line)
	}
	if dryRun {
		// The import refuses a day of a closed month (409, in its transaction); a dry run says which
		// rows would, rather than promise an import that will be refused.
		closed, err := s.ClosedPeriods(ctx, s.db, p.OrgID)
		if err != nil {
			return nil, err
		}
		for i, in := range rates {
			if closed[in.On[:7]] {
				res.Errors = append(res.Errors, sheet.CellError{Row: lines[i], Column: m.Header("on"),
					Message: "the period " + in.On[:7] + " is closed: its rates are locked"})
			}
		}
	}
	if len(res.Errors) > 0 || dryRun {
		return res, nil
	}
	now := s.now()
	err = store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		for _, in := range rates {
			if err := s.RefuseClosedDay(ctx, tx, p.OrgID, in.On); err != nil {
				return err
			}
			rate, _ := money.ParseRate(in.Rate)
			row := &FXRate{OrgID: p.OrgID, Currency: in.Currency, BaseCurrency: in.BaseCurrency, On: in.On, Rate: rate, UpdatedAt: now}
			if id := p.ID(); id != "" {
				row.UpdatedBy = &id
			}
			if _, err := tx.NewInsert().Model(row).On("CONFLICT (org_id, currency, base_currency, day) DO UPDATE").
				Set("rate = EXCLUDED.rate").Set("updated_by = EXCLUDED.updated_by").Set("updated_at = EXCLUDED.updated_at").Exec(ctx); err != nil {
				return store.MapError(err)
			}
		}
		res.Saved = len(rates)
		return audit.Record(ctx, tx, now, p, "fx_rate.import", "fx_rate", "", map[string]any{"file": filename, "rates": len(rates)})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Daily sums, per day in loc (YYYY-MM-DD), the commissions and reversals of orders that occurred in
// [from, to): orders commissioned, GMV and commission in the base currency (entries without an FX
// rate count in orders only), for the dashboard's chart.
func (s *Service) Daily(ctx context.Context, orgID string, from, to time.Time, loc *time.Location) (map[string]Totals, error) {
	var rows []struct {
		OccurredAt time.Time `bun:"occurred_at"`
		Kind       string    `bun:"kind"`
		GMV        *int64    `bun:"base_gmv_minor"`
		Amount     *int64    `bun:"base_amount_minor"`
	}
	if err := s.db.NewSelect().TableExpr("ledger_entries AS le").ColumnExpr("le.occurred_at, le.kind, le.base_gmv_minor, le.base_amount_minor").
		Where("le.org_id = ? AND le.kind IN (?) AND le.occurred_at >= ? AND le.occurred_at < ?", orgID, bun.In([]string{KindCommission, KindReversal}), from, to).
		Scan(ctx, &rows); err != nil {
		return nil, store.MapError(err)
	}
	out := map[string]Totals{}
	for _, r := range rows {
		d := clock.Day(r.OccurredAt, loc)
		t := out[d]
		if r.Kind == KindCommission {
			t.Orders++
		}
		t.GMVMinor += deref(r.GMV)
		t.CommissionMinor += deref(r.Amount)
		out[d] = t
	}
	return out, nil
}
