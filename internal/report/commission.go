package report

import (
	"cmp"
	"context"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/ledger"
	"github.com/caravan-crm/caravan/internal/observe"
	"github.com/caravan-crm/caravan/internal/payout"
	"github.com/caravan-crm/caravan/internal/sheet"
)

// Commissions writes the commission workbook of a period or date range to w: Cover, Summary (the
// statements, with totals per currency as SUM formulas), Entries (every ledger entry), By campaign,
// By platform, By agency and FX rates, in req.Lang. Nothing reaches w before every entry has been
// read, so an error while reading is still the caller's to answer.
func (s *Service) Commissions(ctx context.Context, p actor.Actor, req Request, w io.Writer, progress Progress) (err error) {
	defer observe.Done("report_commissions", time.Now(), &err)
	req.Range.CreatorID = ""
	b, err := s.book(ctx, p.OrgID, req)
	if err != nil {
		return err
	}
	r := b.req.Range
	statements, err := s.payouts.Statements(ctx, p, r)
	if err != nil {
		return err
	}
	rates, err := s.ledger.RatesUsed(ctx, p.OrgID, r)
	if err != nil {
		return err
	}
	total, err := s.ledger.CountEntries(ctx, p.OrgID, r)
	if err != nil {
		return err
	}
	status, closedAt, err := s.status(ctx, b, p.OrgID)
	if err != nil {
		return err
	}
	props := sheet.Props{Title: b.w("cover.title") + " " + b.req.label(), Subject: b.org.Name, Creator: "Caravan", Language: b.lang}
	return writeTo(w, b, props, func(wb *sheet.Workbook) error {
		c, err := newCommissionBook(wb, b)
		if err != nil {
			return err
		}
		if err := c.writeCover(status, closedAt, total); err != nil {
			return err
		}
		if err := c.writeSummary(statements.Items); err != nil {
			return err
		}
		var done int64
		if progress != nil {
			progress(0, total)
		}
		err = s.eachEntry(ctx, p.OrgID, b, c.writeEntry, func(n int) error {
			done += int64(n)
			if progress != nil {
				progress(done, max(total, done))
			}
			return ctx.Err()
		})
		if err != nil {
			return err
		}
		return c.finish(rates)
	})
}

// commissionBook lays out the commission workbook and adds up its groups as entries go by.
type commissionBook struct {
	*book
	cover, summary, entries, campaigns, platforms, agencies, fx *sheet.Sheet

	byCampaign, byPlatform, byAgency map[groupKey]*group
	fxUse                            map[fxKey]int64
	row                              []any // reused for every entry
}

type groupKey struct{ id, currency string }

type fxKey struct{ currency, rate string }

// group is what a campaign, platform or agency adds up to in one currency.
type group struct {
	orders, gmv, commission, reversals, adjustments, share int64
	creators                                               map[string]bool
}

func (g *group) add(e ledger.Entry) {
	switch e.Kind {
	case ledger.KindCommission:
		g.orders++
		g.gmv += e.GMVMinor
		g.commission += e.AmountMinor
	case ledger.KindReversal:
		g.reversals += e.AmountMinor
	case ledger.KindAdjustment:
		g.adjustments += e.AmountMinor
	}
	g.share += e.AgencyShareMinor
	if g.creators != nil {
		g.creators[e.CreatorID] = true
	}
}

func (g *group) net() int64 { return g.commission + g.reversals + g.adjustments }

// Column positions the formulas refer to.
const (
	sumCurrency    = 2 // Summary: creator, creator id, currency, then the figures
	sumFirstFigure = 3
	sumBasePayable = 11
)

// entryCols are the Entries sheet's columns, in order, with their widths.
var entryCols = []any{"h.entryID", 38, "h.order", 22, "h.source", 12, "h.orderDate", 20, "h.entryDate", 20, "h.period", 10,
	"h.creator", 20, "h.creatorID", 38, "h.platform", 12, "h.account", 18, "h.campaign", 20, "h.kind", 12, "h.status", 12,
	"h.rate", 10, "h.base", 16, "h.amount", 16, "h.currency", 8, "h.agencyShare", 14, "h.baseAmount", 16, "h.fxRate", 10,
	"h.explanation", 90}

func newCommissionBook(wb *sheet.Workbook, b *book) (*commissionBook, error) {
	c := &commissionBook{book: b, byCampaign: map[groupKey]*group{}, byPlatform: map[groupKey]*group{}, byAgency: map[groupKey]*group{},
		fxUse: map[fxKey]int64{}}
	groupCols := func(lead ...any) []sheet.Col {
		return b.cols(append(lead, "h.currency", 8, "h.conversions", 10, "h.gmv", 16, "h.commission", 16, "h.reversals", 16,
			"h.adjustments", 16, "h.net", 16, "h.agencyShare", 16, "h.toCreator", 16)...)
	}
	var err error
	add := func(dst **sheet.Sheet, name string, cols []sheet.Col) {
		if err == nil {
			*dst, err = wb.AddSheet(b.w(name), cols...)
		}
	}
	add(&c.cover, "sheet.cover", []sheet.Col{{Width: 22}, {Width: 100}})
	add(&c.summary, "sheet.summary", b.cols("h.creator", 24, "h.creatorID", 38, "h.currency", 8, "h.conversions", 10, "h.gmv", 16,
		"h.commission", 16, "h.reversals", 16, "h.adjustments", 16, "h.agencyShare", 16, "h.payable", 16, "h.pending", 16, "h.basePayable", 20))
	add(&c.entries, "sheet.entries", b.cols(entryCols...))
	add(&c.campaigns, "sheet.campaigns", groupCols("h.campaign", 28))
	add(&c.platforms, "sheet.platforms", groupCols("h.platform", 16))
	add(&c.agencies, "sheet.agencies", groupCols("h.agency", 24, "h.shareRate", 12, "h.creators", 10))
	add(&c.fx, "sheet.fx", b.cols("h.currency", 10, "h.baseCurrency", 12, "h.fxRate", 14, "h.fxDay", 14, "h.entries", 10))
	return c, err
}

func (c *commissionBook) writeCover(status string, closedAt *time.Time, entries int64) error {
	periodLabel, period := c.periodWords()
	rows := [][]any{
		{sheet.Bold{Value: c.w("cover.title")}},
		{c.w("cover.org"), c.org.Name},
		{periodLabel, period},
		{c.w("cover.status"), status},
	}
	if closedAt != nil {
		rows = append(rows, []any{c.w("cover.closedAt"), *closedAt})
	}
	rows = append(rows,
		[]any{c.w("cover.generated"), c.now.Truncate(time.Second)},
		[]any{c.w("cover.zone"), c.loc.String()},
		[]any{c.w("cover.base"), c.org.BaseCurrency},
		[]any{c.w("cover.entries"), entries},
		[]any{c.w("cover.rounding"), c.w("rounding")},
		[]any{c.w("cover.payable"), c.w("payableRule")},
		[]any{c.w("cover.sheets"), c.w("sheetsList")},
	)
	for _, r := range rows {
		if err := c.cover.Row(r...); err != nil {
			return err
		}
	}
	return nil
}

// writeSummary writes the statements sorted by currency, then after every row (so that sorting and
// filtering the data leave them alone) a totals row per currency, SUMs over that currency's rows,
// and the payable in the base currency over all of them. A line without a base amount (an entry
// lacked its FX rate) leaves its cell empty and counts as nothing in the base total.
func (c *commissionBook) writeSummary(items []payout.StatementLine) error {
	items = slices.Clone(items)
	slices.SortStableFunc(items, func(a, b payout.StatementLine) int {
		return cmp.Or(cmp.Compare(a.Currency, b.Currency), cmp.Compare(a.CreatorName, b.CreatorName), cmp.Compare(a.CreatorID, b.CreatorID))
	})
	type span struct {
		currency    string
		first, last int
		sum         payout.StatementLine
		base        int64
	}
	var spans []*span
	var baseTotal int64
	for _, it := range items {
		row := c.summary.NextRow()
		if len(spans) == 0 || spans[len(spans)-1].currency != it.Currency {
			spans = append(spans, &span{currency: it.Currency, first: row})
		}
		sp := spans[len(spans)-1]
		sp.last = row
		sp.sum.Conversions += it.Conversions
		sp.sum.GMVMinor += it.GMVMinor
		sp.sum.CommissionMinor += it.CommissionMinor
		sp.sum.ReversalMinor += it.ReversalMinor
		sp.sum.AdjustmentMinor += it.AdjustmentMinor
		sp.sum.AgencyShareMinor += it.AgencyShareMinor
		sp.sum.PayableMinor += it.PayableMinor
		sp.sum.PendingMinor += it.PendingMinor
		var base any
		if it.BasePayableMinor != nil {
			base = sheet.Amount{Minor: *it.BasePayableMinor, Currency: it.BaseCurrency}
			sp.base += *it.BasePayableMinor
			baseTotal += *it.BasePayableMinor
		}
		cur := it.Currency
		if err := c.summary.Row(it.CreatorName, sheet.Text(it.CreatorID), cur, it.Conversions,
			sheet.Amount{Minor: it.GMVMinor, Currency: cur}, sheet.Amount{Minor: it.CommissionMinor, Currency: cur},
			sheet.Amount{Minor: it.ReversalMinor, Currency: cur}, sheet.Amount{Minor: it.AdjustmentMinor, Currency: cur},
			sheet.Amount{Minor: it.AgencyShareMinor, Currency: cur}, sheet.Amount{Minor: it.PayableMinor, Currency: cur},
			sheet.Amount{Minor: it.PendingMinor, Currency: cur}, base); err != nil {
			return err
		}
	}
	if len(spans) == 0 {
		return nil
	}
	base := c.org.BaseCurrency
	for _, sp := range spans {
		cur, s := sp.currency, sp.sum
		figures := []any{s.Conversions, sheet.Amount{Minor: s.GMVMinor, Currency: cur}, sheet.Amount{Minor: s.CommissionMinor, Currency: cur},
			sheet.Amount{Minor: s.ReversalMinor, Currency: cur}, sheet.Amount{Minor: s.AdjustmentMinor, Currency: cur},
			sheet.Amount{Minor: s.AgencyShareMinor, Currency: cur}, sheet.Amount{Minor: s.PayableMinor, Currency: cur},
			sheet.Amount{Minor: s.PendingMinor, Currency: cur}, sheet.Amount{Minor: sp.base, Currency: base}}
		row := []any{sheet.Bold{Value: c.w("total") + " " + cur}, nil, cur}
		for i, v := range figures {
			row = append(row, sheet.Sum(sumFirstFigure+i, sp.first, sp.last, v))
		}
		if err := c.summary.Total(row...); err != nil {
			return err
		}
	}
	row := make([]any, sumBasePayable+1)
	row[0], row[sumCurrency] = sheet.Bold{Value: c.w("totalBase")}, base
	row[sumBasePayable] = sheet.Sum(sumBasePayable, spans[0].first, spans[len(spans)-1].last, sheet.Amount{Minor: baseTotal, Currency: base})
	return c.summary.Total(row...)
}

// writeEntry writes one ledger entry and counts it in its campaign, platform and agency.
func (c *commissionBook) writeEntry(e ledger.Entry, o *conversion.Ref) error {
	c.row = entryRow(c.book, e, o, c.row[:0])
	if err := c.entries.Row(c.row...); err != nil {
		return err
	}
	groupOf(c.byCampaign, deref(e.CampaignID), e.Currency, false).add(e)
	groupOf(c.byPlatform, deref(e.Platform), e.Currency, false).add(e)
	groupOf(c.byAgency, deref(e.AgencyID), e.Currency, true).add(e)
	if e.FXRate != nil && e.Currency != e.BaseCurrency {
		c.fxUse[fxKey{e.Currency, *e.FXRate}]++
	}
	return nil
}

func groupOf(m map[groupKey]*group, id, currency string, creators bool) *group {
	k := groupKey{id, currency}
	g := m[k]
	if g == nil {
		g = &group{}
		if creators {
			g.creators = map[string]bool{}
		}
		m[k] = g
	}
	return g
}

// cells are the cells of an entry that both workbooks show, in the reader's words.
type cells struct {
	orderNo, source, orderAt, status      any
	platform, account, campaign           any
	rate, base, amount, share, baseAmount any
	fx                                    any
}

// cellsOf reads an entry, its order (nil for an adjustment) and the names it refers to.
func cellsOf(b *book, e ledger.Entry, o *conversion.Ref) cells {
	var c cells
	orderCur := e.Currency
	if o != nil {
		c.orderNo, c.source, c.orderAt, c.status = sheet.Text(o.ExternalID), o.Source, o.OccurredAt, enum(b.lang, "status", o.Status)
		orderCur = o.Currency
	}
	if e.Platform != nil {
		c.platform = platformName(b.lang, *e.Platform)
	}
	if e.AccountID != nil {
		c.account = b.names.accounts[*e.AccountID].Handle
	}
	if e.CampaignID != nil {
		c.campaign = b.names.campaigns[*e.CampaignID].Name
	}
	if e.RateBps != nil {
		c.rate = sheet.Percent(float64(*e.RateBps) / 10_000)
	}
	if x := e.Explanation.BaseMinor; x != nil && e.Kind == ledger.KindCommission {
		c.base = sheet.Amount{Minor: *x, Currency: orderCur}
	}
	c.amount = sheet.Amount{Minor: e.AmountMinor, Currency: e.Currency}
	if e.AgencyShareMinor != 0 {
		c.share = sheet.Amount{Minor: e.AgencyShareMinor, Currency: e.Currency}
	}
	if e.BaseAmountMinor != nil {
		c.baseAmount = sheet.Amount{Minor: *e.BaseAmountMinor, Currency: e.BaseCurrency}
	}
	if e.FXRate != nil {
		c.fx = rateCell(*e.FXRate)
	}
	return c
}

// entryRow is an Entries row (the columns of entryCols), appended to row.
func entryRow(b *book, e ledger.Entry, o *conversion.Ref, row []any) []any {
	c := cellsOf(b, e, o)
	return append(row, sheet.Text(e.ID), c.orderNo, c.source, c.orderAt, e.OccurredAt, e.Period,
		b.names.creators[e.CreatorID].DisplayName, sheet.Text(e.CreatorID), c.platform, c.account, c.campaign,
		enum(b.lang, "kind", e.Kind), c.status, c.rate, c.base, c.amount, e.Currency, c.share, c.baseAmount, c.fx, explain(b.lang, e, o))
}

// rateCell is an FX rate as a number a clerk can multiply by, or as text when it has more significant
// digits than a spreadsheet keeps.
func rateCell(rate string) any {
	digits := strings.TrimLeft(strings.ReplaceAll(rate, ".", ""), "0")
	if len(digits) > 15 {
		return sheet.Text(rate)
	}
	f, err := strconv.ParseFloat(rate, 64)
	if err != nil {
		return sheet.Text(rate)
	}
	return f
}

// noneLast sorts the group of entries without a campaign, platform or agency after the others.
func noneLast(id string) int {
	if id == "" {
		return 1
	}
	return 0
}

func deref[T any](v *T) T {
	var zero T
	if v == nil {
		return zero
	}
	return *v
}

// finish writes the sheets that add up what the entries showed, and the FX rates.
func (c *commissionBook) finish(rates []ledger.FXRate) error {
	// Every campaign and agency named here was looked up with its page of entries.
	campaignName := func(id string) string {
		if id == "" {
			return c.w("none.campaign")
		}
		return c.names.campaigns[id].Name
	}
	platformLabel := func(id string) string {
		if id == "" {
			return c.w("none.platform")
		}
		return platformName(c.lang, id)
	}
	agencyName := func(id string) string {
		if id == "" {
			return c.w("none.agency")
		}
		return c.names.agencies[id].Name
	}
	if err := c.writeGroups(c.campaigns, c.byCampaign, campaignName, nil); err != nil {
		return err
	}
	if err := c.writeGroups(c.platforms, c.byPlatform, platformLabel, nil); err != nil {
		return err
	}
	agencyExtra := func(k groupKey, g *group) []any {
		var share any
		if ag, ok := c.names.agencies[k.id]; ok && k.id != "" {
			share = sheet.Percent(float64(ag.ShareBps) / 10_000)
		}
		return []any{share, int64(len(g.creators))}
	}
	if err := c.writeGroups(c.agencies, c.byAgency, agencyName, agencyExtra); err != nil {
		return err
	}
	for _, r := range rates {
		if err := c.fx.Row(r.Currency, r.BaseCurrency, rateCell(r.Rate.String()), sheet.Day(r.On), c.fxUse[fxKey{r.Currency, r.Rate.String()}]); err != nil {
			return err
		}
	}
	return nil
}

// writeGroups writes one row per group and currency, sorted by currency then name, then a totals row
// per currency: SUM formulas over that currency's rows, cached with the sums Caravan computed.
func (c *commissionBook) writeGroups(sh *sheet.Sheet, m map[groupKey]*group, name func(string) string, extra func(groupKey, *group) []any) error {
	type line struct {
		k    groupKey
		name string
		g    *group
	}
	lines := make([]line, 0, len(m))
	for k, g := range m {
		lines = append(lines, line{k, name(k.id), g})
	}
	slices.SortFunc(lines, func(a, b line) int {
		return cmp.Or(cmp.Compare(a.k.currency, b.k.currency), cmp.Compare(noneLast(a.k.id), noneLast(b.k.id)),
			cmp.Compare(a.name, b.name), cmp.Compare(a.k.id, b.k.id))
	})
	lead := 1
	if extra != nil {
		lead += 2
	}
	figures := func(g *group, cur string) []any {
		return []any{g.orders, sheet.Amount{Minor: g.gmv, Currency: cur}, sheet.Amount{Minor: g.commission, Currency: cur},
			sheet.Amount{Minor: g.reversals, Currency: cur}, sheet.Amount{Minor: g.adjustments, Currency: cur},
			sheet.Amount{Minor: g.net(), Currency: cur}, sheet.Amount{Minor: g.share, Currency: cur},
			sheet.Amount{Minor: g.net() - g.share, Currency: cur}}
	}
	type span struct {
		currency    string
		first, last int
		sum         group
	}
	var spans []*span
	for _, l := range lines {
		row := []any{l.name}
		if extra != nil {
			row = append(row, extra(l.k, l.g)...)
		}
		row = append(row, l.k.currency)
		row = append(row, figures(l.g, l.k.currency)...)
		at := sh.NextRow()
		if err := sh.Row(row...); err != nil {
			return err
		}
		if len(spans) == 0 || spans[len(spans)-1].currency != l.k.currency {
			spans = append(spans, &span{currency: l.k.currency, first: at})
		}
		sp := spans[len(spans)-1]
		sp.last = at
		sp.sum.orders += l.g.orders
		sp.sum.gmv += l.g.gmv
		sp.sum.commission += l.g.commission
		sp.sum.reversals += l.g.reversals
		sp.sum.adjustments += l.g.adjustments
		sp.sum.share += l.g.share
	}
	for _, sp := range spans {
		row := make([]any, lead, lead+9)
		row[0] = sheet.Bold{Value: c.w("total") + " " + sp.currency}
		row = append(row, sp.currency)
		for i, v := range figures(&sp.sum, sp.currency) {
			row = append(row, sheet.Sum(lead+1+i, sp.first, sp.last, v))
		}
		if err := sh.Total(row...); err != nil {
			return err
		}
	}
	return nil
}
