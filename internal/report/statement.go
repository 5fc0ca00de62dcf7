package report

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/ledger"
	"github.com/caravan-crm/caravan/internal/observe"
	"github.com/caravan-crm/caravan/internal/sheet"
)

// Statement writes one creator's statement workbook for a period or date range to w — what a seller
// sends the creator: a Statement sheet with her figures per currency (orders, GMV, commission,
// reversals, adjustments, agency share, payable, pending) and an Orders sheet with every entry and
// its explanation, totals per currency as SUMIF formulas. Another organization's creator is a 404.
func (s *Service) Statement(ctx context.Context, p actor.Actor, creatorID string, req Request, w io.Writer) (err error) {
	defer observe.Done("report_statement", time.Now(), &err)
	cr, err := s.creator(ctx, p.OrgID, creatorID)
	if err != nil {
		return err
	}
	req.Range.CreatorID = creatorID
	b, err := s.book(ctx, p.OrgID, req)
	if err != nil {
		return err
	}
	r := b.req.Range
	statements, err := s.payouts.Statements(ctx, p, r)
	if err != nil {
		return err
	}
	status, closedAt, err := s.status(ctx, b, p.OrgID)
	if err != nil {
		return err
	}
	props := sheet.Props{Title: b.w("statement.title") + " " + b.req.label(), Subject: cr.DisplayName, Creator: b.org.Name, Language: b.lang}
	return writeTo(w, b, props, func(wb *sheet.Workbook) error {
		top, err := wb.AddSheet(b.w("sheet.statement"), sheet.Col{Width: 22}, sheet.Col{Width: 16}, sheet.Col{Width: 16}, sheet.Col{Width: 16},
			sheet.Col{Width: 16}, sheet.Col{Width: 16}, sheet.Col{Width: 16}, sheet.Col{Width: 16}, sheet.Col{Width: 16})
		if err != nil {
			return err
		}
		orders, err := wb.AddSheet(b.w("sheet.orders"), b.cols(orderCols...)...)
		if err != nil {
			return err
		}
		periodLabel, period := b.periodWords()
		rows := [][]any{
			{sheet.Bold{Value: b.w("statement.title")}},
			{b.w("statement.from"), b.org.Name},
			{b.w("statement.to"), cr.DisplayName},
			{b.w("statement.creatorID"), sheet.Text(cr.ID)},
			{periodLabel, period},
			{b.w("cover.status"), status},
		}
		if closedAt != nil {
			rows = append(rows, []any{b.w("cover.closedAt"), *closedAt})
		}
		rows = append(rows, []any{b.w("cover.generated"), b.now.Truncate(time.Second)}, nil)
		head := []any{}
		for _, k := range []string{"h.currency", "h.conversions", "h.gmv", "h.commission", "h.reversals", "h.adjustments", "h.agencyShare", "h.payable", "h.pending"} {
			head = append(head, sheet.Bold{Value: b.w(k)})
		}
		rows = append(rows, head)
		for _, it := range statements.Items {
			if it.CreatorID != creatorID {
				continue
			}
			cur := it.Currency
			rows = append(rows, []any{cur, it.Conversions, sheet.Amount{Minor: it.GMVMinor, Currency: cur},
				sheet.Amount{Minor: it.CommissionMinor, Currency: cur}, sheet.Amount{Minor: it.ReversalMinor, Currency: cur},
				sheet.Amount{Minor: it.AdjustmentMinor, Currency: cur}, sheet.Amount{Minor: it.AgencyShareMinor, Currency: cur},
				sheet.Amount{Minor: it.PayableMinor, Currency: cur}, sheet.Amount{Minor: it.PendingMinor, Currency: cur}})
		}
		rows = append(rows, nil, []any{b.w("cover.rounding"), b.w("rounding")}, []any{b.w("cover.payable"), b.w("payableRule")})
		for _, row := range rows {
			if err := top.Row(row...); err != nil {
				return err
			}
		}
		return s.statementOrders(ctx, p.OrgID, b, orders)
	})
}

// creator is the organization's creator id (deleted or erased ones too: their statements stay), or a 404.
func (s *Service) creator(ctx context.Context, orgID, id string) (creator.Ref, error) {
	refs, err := creator.Refs(ctx, s.db, orgID, []string{id})
	if err != nil {
		return creator.Ref{}, err
	}
	cr, ok := refs[id]
	if !ok {
		return creator.Ref{}, notFound()
	}
	return cr, nil
}

// orderCols are the statement's Orders columns; the formulas refer to the amount, currency and
// agency share by position.
var orderCols = []any{"h.order", 22, "h.orderDate", 20, "h.entryDate", 20, "h.period", 10, "h.platform", 12, "h.account", 18,
	"h.campaign", 20, "h.kind", 12, "h.status", 12, "h.rate", 10, "h.base", 16, "h.amount", 16, "h.currency", 8, "h.agencyShare", 14,
	"h.explanation", 90}

const (
	orderAmount   = 11
	orderCurrency = 12
	orderShare    = 13
)

// statementOrders writes the creator's entries, then a totals row per currency.
func (s *Service) statementOrders(ctx context.Context, orgID string, b *book, sh *sheet.Sheet) error {
	type sum struct{ amount, share int64 }
	sums := map[string]*sum{}
	first := sh.NextRow()
	err := s.eachEntry(ctx, orgID, b, func(e ledger.Entry, o *conversion.Ref) error {
		c := cellsOf(b, e, o)
		if err := sh.Row(c.orderNo, c.orderAt, e.OccurredAt, e.Period, c.platform, c.account, c.campaign, enum(b.lang, "kind", e.Kind),
			c.status, c.rate, c.base, c.amount, e.Currency, c.share, explain(b.lang, e, o)); err != nil {
			return err
		}
		t := sums[e.Currency]
		if t == nil {
			t = &sum{}
			sums[e.Currency] = t
		}
		t.amount += e.AmountMinor
		t.share += e.AgencyShareMinor
		return nil
	}, nil)
	if err != nil {
		return err
	}
	last := sh.NextRow() - 1
	currencies := make([]string, 0, len(sums))
	for c := range sums {
		currencies = append(currencies, c)
	}
	slices.Sort(currencies)
	sumIf := func(col int, cur string, cached int64) any {
		c, k := colName(col), colName(orderCurrency)
		return sheet.Formula{Expr: fmt.Sprintf(`SUMIF(%s%d:%s%d,"%s",%s%d:%s%d)`, k, first, k, last, cur, c, first, c, last),
			Value: sheet.Amount{Minor: cached, Currency: cur}}
	}
	for _, cur := range currencies {
		row := make([]any, orderShare+1)
		row[0] = sheet.Bold{Value: b.w("total") + " " + cur}
		row[orderAmount] = sumIf(orderAmount, cur, sums[cur].amount)
		row[orderCurrency] = cur
		row[orderShare] = sumIf(orderShare, cur, sums[cur].share)
		if err := sh.Total(row...); err != nil {
			return err
		}
	}
	return nil
}

// colName is the letter of the i-th column (0-based): 0 → A, 26 → AA.
func colName(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}
