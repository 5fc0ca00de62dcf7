package insight

import (
	"cmp"
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/campaign"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/creator"
)

// Figures are what the dashboard reads from the packages that own them: the ledger (GMV, commission
// and orders, in the base currency), the clicks (tracking) and the conversions waiting for someone.
// app wires them; the insight package never names their tables.
type Figures interface {
	// Totals groups by "creator_id", "account_id", "platform" or "campaign_id" over orders in [from, to).
	Totals(ctx context.Context, orgID, by string, from, to time.Time) (map[string]Amounts, error)
	// Daily groups by day (YYYY-MM-DD in loc).
	Daily(ctx context.Context, orgID string, from, to time.Time, loc *time.Location) (map[string]Amounts, error)
	// Clicks counts counted clicks by "creator_id", "account_id", "campaign_id" or "day" (in loc).
	Clicks(ctx context.Context, orgID, by string, from, to time.Time, loc *time.Location) (map[string]int64, error)
	// Queue counts pending approvals and unattributed orders.
	Queue(ctx context.Context, orgID string) (pending, unattributed int64, err error)
}

// SetFigures plugs in the dashboard's sources.
func (s *Service) SetFigures(f Figures) { s.figures = f }

// Figure is one line of the dashboard: GMV and commission in the base currency, orders, clicks
// and the conversion rate (orders per click, in basis points; 0 without clicks).
type Figure struct {
	GMVMinor          int64 `json:"gmv_minor"`
	CommissionMinor   int64 `json:"commission_minor"`
	Conversions       int64 `json:"conversions"`
	Clicks            int64 `json:"clicks"`
	ConversionRateBps int64 `json:"conversion_rate_bps"`
}

func (f *Figure) rate() {
	f.ConversionRateBps = 0
	if f.Clicks > 0 {
		f.ConversionRateBps = f.Conversions * 10_000 / f.Clicks
	}
}

// DayFigure is one day of the chart.
type DayFigure struct {
	Day string `json:"day"`
	Figure
}

// NamedFigure is a platform's, a campaign's, an account's or a creator's line.
type NamedFigure struct {
	Key       string  `json:"key"` // the platform key, or the id
	Name      string  `json:"name"`
	CreatorID *string `json:"creator_id,omitempty"` // an account's creator
	Platform  *string `json:"platform,omitempty"`   // an account's platform
	Figure
}

// Dashboard answers GET /api/v1/insights/dashboard.
type Dashboard struct {
	From     string `json:"from"` // days in the organization's time zone, inclusive
	To       string `json:"to"`
	Currency string `json:"currency"` // the base currency of every amount
	Totals   Figure `json:"totals"`
	// PendingApprovals and Unattributed are conversions waiting for finance or for attribution.
	PendingApprovals int64         `json:"pending_approvals"`
	Unattributed     int64         `json:"unattributed"`
	Days             []DayFigure   `json:"days"`
	Platforms        []NamedFigure `json:"platforms"`
	Campaigns        []NamedFigure `json:"campaigns"`
	Accounts         []NamedFigure `json:"accounts"`     // the top 20 by GMV
	TopCreators      []NamedFigure `json:"top_creators"` // the top 10 by GMV
}

// maxDashboardDays bounds the range of the dashboard.
const maxDashboardDays = 366

// DashboardRange reads from/to (default: the last 30 days, today included).
func (s *Service) dashboardRange(ctx context.Context, orgID string, q url.Values) (from, to string, loc *time.Location, err error) {
	loc, err = s.orgs.Location(ctx, orgID)
	if err != nil {
		return "", "", nil, err
	}
	today := clock.Today(s.clock, loc)
	from, to = strings.TrimSpace(q.Get("from")), strings.TrimSpace(q.Get("to"))
	if to == "" {
		to = today
	}
	tt, err := clock.ParseDay(to)
	if err != nil {
		return "", "", nil, apperr.BadRequest("invalid_parameter", "to must be a date YYYY-MM-DD")
	}
	if from == "" {
		from = tt.AddDate(0, 0, -29).Format(time.DateOnly)
	}
	ft, err := clock.ParseDay(from)
	if err != nil {
		return "", "", nil, apperr.BadRequest("invalid_parameter", "from must be a date YYYY-MM-DD")
	}
	if ft.After(tt) || tt.Sub(ft) > maxDashboardDays*24*time.Hour {
		return "", "", nil, apperr.BadRequest("invalid_parameter", "from must be before to, at most 366 days apart")
	}
	return from, to, loc, nil
}

// Dashboard computes the dashboard for a range of days.
func (s *Service) Dashboard(ctx context.Context, p actor.Actor, q url.Values) (*Dashboard, error) {
	fromDay, toDay, loc, err := s.dashboardRange(ctx, p.OrgID, q)
	if err != nil {
		return nil, err
	}
	org, err := s.orgs.Org(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	out := &Dashboard{From: fromDay, To: toDay, Currency: org.BaseCurrency, Days: []DayFigure{}, Platforms: []NamedFigure{},
		Campaigns: []NamedFigure{}, Accounts: []NamedFigure{}, TopCreators: []NamedFigure{}}
	if s.figures == nil {
		return out, nil
	}
	from, _, _ := clock.DayRange(fromDay, loc)
	_, to, _ := clock.DayRange(toDay, loc)
	f := s.figures
	if out.PendingApprovals, out.Unattributed, err = f.Queue(ctx, p.OrgID); err != nil {
		return nil, err
	}

	// Days: every day of the range, zeros included, so the chart has no gaps.
	daily, err := f.Daily(ctx, p.OrgID, from, to, loc)
	if err != nil {
		return nil, err
	}
	clicksByDay, err := f.Clicks(ctx, p.OrgID, "day", from, to, loc)
	if err != nil {
		return nil, err
	}
	start, _ := clock.ParseDay(fromDay)
	end, _ := clock.ParseDay(toDay)
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		day := d.Format(time.DateOnly)
		a := daily[day]
		fig := Figure{GMVMinor: a.GMVMinor, CommissionMinor: a.CommissionMinor, Conversions: a.Conversions, Clicks: clicksByDay[day]}
		fig.rate()
		out.Days = append(out.Days, DayFigure{Day: day, Figure: fig})
		out.Totals.GMVMinor += fig.GMVMinor
		out.Totals.CommissionMinor += fig.CommissionMinor
		out.Totals.Conversions += fig.Conversions
		out.Totals.Clicks += fig.Clicks
	}
	out.Totals.rate()

	// Accounts, with their platform and creator: the platforms' clicks are their accounts' clicks.
	accAmounts, err := f.Totals(ctx, p.OrgID, "account_id", from, to)
	if err != nil {
		return nil, err
	}
	accClicks, err := f.Clicks(ctx, p.OrgID, "account_id", from, to, loc)
	if err != nil {
		return nil, err
	}
	accounts := lines(accAmounts, accClicks)
	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = a.Key
	}
	accRefs, err := creator.AccountRefs(ctx, s.db, p.OrgID, ids)
	if err != nil {
		return nil, err
	}
	platformClicks := map[string]int64{}
	for i := range accounts {
		if r, ok := accRefs[accounts[i].Key]; ok {
			cid, plat := r.CreatorID, r.Platform
			accounts[i].Name, accounts[i].CreatorID, accounts[i].Platform = "@"+r.Handle, &cid, &plat
			platformClicks[plat] += accounts[i].Clicks
		}
	}
	out.Accounts = top(accounts, 20)

	platAmounts, err := f.Totals(ctx, p.OrgID, "platform", from, to)
	if err != nil {
		return nil, err
	}
	out.Platforms = lines(platAmounts, platformClicks)
	for i := range out.Platforms {
		out.Platforms[i].Name = out.Platforms[i].Key
	}

	campAmounts, err := f.Totals(ctx, p.OrgID, "campaign_id", from, to)
	if err != nil {
		return nil, err
	}
	campClicks, err := f.Clicks(ctx, p.OrgID, "campaign_id", from, to, loc)
	if err != nil {
		return nil, err
	}
	out.Campaigns = lines(campAmounts, campClicks)
	cids := make([]string, len(out.Campaigns))
	for i, c := range out.Campaigns {
		cids[i] = c.Key
	}
	campRefs, err := campaign.Refs(ctx, s.db, p.OrgID, cids)
	if err != nil {
		return nil, err
	}
	for i := range out.Campaigns {
		out.Campaigns[i].Name = campRefs[out.Campaigns[i].Key].Name
	}

	crAmounts, err := f.Totals(ctx, p.OrgID, "creator_id", from, to)
	if err != nil {
		return nil, err
	}
	crClicks, err := f.Clicks(ctx, p.OrgID, "creator_id", from, to, loc)
	if err != nil {
		return nil, err
	}
	out.TopCreators = top(lines(crAmounts, crClicks), 10)
	crids := make([]string, len(out.TopCreators))
	for i, c := range out.TopCreators {
		crids[i] = c.Key
	}
	crRefs, err := creator.Refs(ctx, s.db, p.OrgID, crids)
	if err != nil {
		return nil, err
	}
	for i := range out.TopCreators {
		out.TopCreators[i].Name = crRefs[out.TopCreators[i].Key].DisplayName
	}
	return out, nil
}

// lines joins amounts and clicks by key, the highest GMV first (then clicks, then key).
func lines(amounts map[string]Amounts, clicks map[string]int64) []NamedFigure {
	keys := map[string]bool{}
	for k := range amounts {
		keys[k] = true
	}
	for k := range clicks {
		keys[k] = true
	}
	out := make([]NamedFigure, 0, len(keys))
	for k := range keys {
		a := amounts[k]
		fig := Figure{GMVMinor: a.GMVMinor, CommissionMinor: a.CommissionMinor, Conversions: a.Conversions, Clicks: clicks[k]}
		fig.rate()
		out = append(out, NamedFigure{Key: k, Figure: fig})
	}
	slices.SortFunc(out, func(a, b NamedFigure) int {
		return cmp.Or(cmp.Compare(b.GMVMinor, a.GMVMinor), cmp.Compare(b.Clicks, a.Clicks), cmp.Compare(a.Key, b.Key))
	})
	return out
}

func top(ls []NamedFigure, n int) []NamedFigure {
	if len(ls) > n {
		return ls[:n]
	}
	return ls
}
