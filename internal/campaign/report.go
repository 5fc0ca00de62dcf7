package campaign

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/money"
	"github.com/caravan-crm/caravan/internal/store"
)

// Figures are the results of a creator, an account or the whole campaign. Amounts are lists with one
// entry per currency: samples, fees and orders come in several, and this package converts nothing.
type Figures struct {
	Deliverables int64         `json:"deliverables"`
	Posts        int64         `json:"posts"` // deliverables posted
	Views        int64         `json:"views"`
	Likes        int64         `json:"likes"`
	Comments     int64         `json:"comments"`
	Shares       int64         `json:"shares"`
	Clicks       int64         `json:"clicks"`
	Conversions  int64         `json:"conversions"`
	GMV          []money.Money `json:"gmv"`
	Commission   []money.Money `json:"commission"`
}

// Costs are what a campaign spent: samples (quantity × unit cost) and enrolments' fixed fees.
type Costs struct {
	SamplesCost []money.Money `json:"samples_cost"`
	Fees        []money.Money `json:"fees"`
	Cost        []money.Money `json:"cost"` // samples + fees
}

// CreatorLine is one enrolled creator's line of the report.
type CreatorLine struct {
	CreatorID   string `json:"creator_id"`
	CreatorName string `json:"creator_name"`
	EnrolmentID string `json:"enrolment_id"`
	Status      string `json:"status"`
	Figures
	Costs
}

// AccountLine is one account's line of the report (accounts that posted, take part or earned).
type AccountLine struct {
	AccountID string `json:"account_id"`
	CreatorID string `json:"creator_id"`
	Platform  string `json:"platform"`
	Handle    string `json:"handle"`
	Figures
}

// ReportTotals are the campaign's totals.
type ReportTotals struct {
	Figures
	Costs
	// ReturnBps is GMV ÷ cost in basis points (20000: the campaign sold twice what it cost), when GMV
	// and cost are each in one and the same currency and the cost is not zero; null otherwise.
	ReturnBps *int64 `json:"return_bps"`
}

// Report is a campaign's results per creator and per account, with its totals.
type Report struct {
	CampaignID string        `json:"campaign_id"`
	Creators   []CreatorLine `json:"creators"`
	Accounts   []AccountLine `json:"accounts"`
	Totals     ReportTotals  `json:"totals"`
}

// sums adds amounts per currency.
type sums map[string]int64

func (s sums) add(m money.Money) {
	if m.Currency != "" {
		s[m.Currency] += m.Minor
	}
}

func (s sums) list() []money.Money {
	out := []money.Money{}
	for c, v := range s {
		out = append(out, money.Money{Minor: v, Currency: c})
	}
	slices.SortFunc(out, func(a, b money.Money) int { return strings.Compare(a.Currency, b.Currency) })
	return out
}

// tally accumulates the figures of one line.
type tally struct {
	f                   Figures
	gmv, commission     sums
	samples, fees       sums
	enrolmentID, status string
	creatorID           string
}

func newTally() *tally {
	return &tally{gmv: sums{}, commission: sums{}, samples: sums{}, fees: sums{}}
}

func (t *tally) figures() Figures {
	f := t.f
	f.GMV, f.Commission = t.gmv.list(), t.commission.list()
	return f
}

func (t *tally) costs() Costs {
	cost := sums{}
	for c, v := range t.samples {
		cost[c] += v
	}
	for c, v := range t.fees {
		cost[c] += v
	}
	return Costs{SamplesCost: t.samples.list(), Fees: t.fees.list(), Cost: cost.list()}
}

// Report answers a campaign's results. Every source (enrolments, posts, samples and, through
// Results, clicks, conversions, GMV and commission) is rows keyed by creator and, where it has one,
// account, added into the same lines: a new source joins without changing the others.
func (s *Service) Report(ctx context.Context, p actor.Actor, campaignID string) (*Report, error) {
	c, err := store.ByID[Campaign](ctx, s.db, p.OrgID, campaignID, "campaign")
	if err != nil {
		return nil, err
	}
	creators, accounts := map[string]*tally{}, map[string]*tally{}
	line := func(m map[string]*tally, key, creatorID string) *tally {
		t := m[key]
		if t == nil {
			t = newTally()
			t.creatorID = creatorID
			m[key] = t
		}
		return t
	}
	total := newTally()

	var ens []Enrolment
	if err := s.db.NewSelect().Model(&ens).Where("en.org_id = ? AND en.campaign_id = ?", p.OrgID, c.ID).Scan(ctx); err != nil {
		return nil, store.MapError(err)
	}
	for _, en := range ens {
		t := line(creators, en.CreatorID, en.CreatorID)
		t.enrolmentID, t.status = en.ID, en.Status
		if en.FeeMinor != nil && en.FeeCurrency != nil {
			fee := money.Money{Minor: *en.FeeMinor, Currency: *en.FeeCurrency}
			t.fees.add(fee)
			total.fees.add(fee)
		}
		var ids []string
		_ = json.Unmarshal([]byte(en.AccountIDsJSON), &ids)
		for _, a := range ids {
			line(accounts, a, en.CreatorID)
		}
	}

	var posts []struct {
		CreatorID    string  `bun:"creator_id"`
		AccountID    *string `bun:"account_id"`
		Deliverables int64   `bun:"deliverables"`
		Posts        int64   `bun:"posts"`
		Views        int64   `bun:"views"`
		Likes        int64   `bun:"likes"`
		Comments     int64   `bun:"comments"`
		Shares       int64   `bun:"shares"`
	}
	if err := s.db.NewSelect().Model((*Deliverable)(nil)).
		ColumnExpr("d.creator_id, d.account_id, COUNT(*) AS deliverables").
		ColumnExpr("SUM(CASE WHEN d.status = ? THEN 1 ELSE 0 END) AS posts", DeliverablePosted).
		ColumnExpr("SUM(COALESCE(d.views, 0)) AS views, SUM(COALESCE(d.likes, 0)) AS likes").
		ColumnExpr("SUM(COALESCE(d.comments, 0)) AS comments, SUM(COALESCE(d.shares, 0)) AS shares").
		Where("d.org_id = ? AND d.campaign_id = ?", p.OrgID, c.ID).
		Group("d.creator_id", "d.account_id").Scan(ctx, &posts); err != nil {
		return nil, store.MapError(err)
	}
	for _, r := range posts {
		ts := []*tally{line(creators, r.CreatorID, r.CreatorID), total}
		if r.AccountID != nil {
			ts = append(ts, line(accounts, *r.AccountID, r.CreatorID))
		}
		for _, t := range ts {
			t.f.Deliverables += r.Deliverables
			t.f.Posts += r.Posts
			t.f.Views += r.Views
			t.f.Likes += r.Likes
			t.f.Comments += r.Comments
			t.f.Shares += r.Shares
		}
	}

	var samples []struct {
		CreatorID string `bun:"creator_id"`
		Currency  string `bun:"currency"`
		Cost      int64  `bun:"cost"`
	}
	if err := s.db.NewSelect().Model((*Sample)(nil)).ColumnExpr("sm.creator_id, sm.currency, SUM(sm.quantity * sm.unit_cost_minor) AS cost").
		Where("sm.org_id = ? AND sm.campaign_id = ?", p.OrgID, c.ID).Group("sm.creator_id", "sm.currency").Scan(ctx, &samples); err != nil {
		return nil, store.MapError(err)
	}
	for _, r := range samples {
		m := money.Money{Minor: r.Cost, Currency: r.Currency}
		line(creators, r.CreatorID, r.CreatorID).samples.add(m)
		total.samples.add(m)
	}

	if s.results != nil {
		results, err := s.results.CampaignResults(ctx, p.OrgID, c.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range results {
			ts := []*tally{line(creators, r.CreatorID, r.CreatorID), total}
			if r.AccountID != nil {
				ts = append(ts, line(accounts, *r.AccountID, r.CreatorID))
			}
			for _, t := range ts {
				t.f.Clicks += r.Clicks
				t.f.Conversions += r.Conversions
				t.gmv.add(r.GMV)
				t.commission.add(r.Commission)
			}
		}
	}

	rep := &Report{CampaignID: c.ID, Creators: []CreatorLine{}, Accounts: []AccountLine{}}
	creatorIDs := make([]string, 0, len(creators))
	for id := range creators {
		creatorIDs = append(creatorIDs, id)
	}
	refs, err := creator.Refs(ctx, s.db, p.OrgID, creatorIDs)
	if err != nil {
		return nil, err
	}
	for id, t := range creators {
		rep.Creators = append(rep.Creators, CreatorLine{CreatorID: id, CreatorName: refs[id].DisplayName, EnrolmentID: t.enrolmentID,
			Status: t.status, Figures: t.figures(), Costs: t.costs()})
	}
	slices.SortFunc(rep.Creators, func(a, b CreatorLine) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.CreatorName), strings.ToLower(b.CreatorName)), strings.Compare(a.CreatorID, b.CreatorID))
	})
	accountIDs := make([]string, 0, len(accounts))
	for id := range accounts {
		accountIDs = append(accountIDs, id)
	}
	arefs, err := creator.AccountRefs(ctx, s.db, p.OrgID, accountIDs)
	if err != nil {
		return nil, err
	}
	for id, t := range accounts {
		a := arefs[id] // an account removed since it posted keeps its line, without platform and handle
		rep.Accounts = append(rep.Accounts, AccountLine{AccountID: id, CreatorID: t.creatorID, Platform: a.Platform, Handle: a.Handle, Figures: t.figures()})
	}
	slices.SortFunc(rep.Accounts, func(a, b AccountLine) int {
		return cmp.Or(strings.Compare(a.Platform, b.Platform), strings.Compare(a.Handle, b.Handle), strings.Compare(a.AccountID, b.AccountID))
	})
	rep.Totals = ReportTotals{Figures: total.figures(), Costs: total.costs()}
	gmv, cost := rep.Totals.GMV, rep.Totals.Cost
	if len(gmv) == 1 && len(cost) == 1 && gmv[0].Currency == cost[0].Currency && cost[0].Minor > 0 {
		if r, err := money.Proportion(10_000, gmv[0].Minor, cost[0].Minor); err == nil {
			rep.Totals.ReturnBps = &r
		}
	}
	return rep, nil
}
