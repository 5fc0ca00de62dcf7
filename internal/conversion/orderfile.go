package conversion

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/caravan-crm/caravan/internal/money"
	"github.com/caravan-crm/caravan/internal/platform"
	"github.com/caravan-crm/caravan/internal/sheet"
)

// Layouts of an order file, as ParseOrderFile reports them.
const (
	LayoutTikTokOrders    = "tiktok_orders"    // TikTok Shop Seller Center: Orders → Export
	LayoutTikTokAffiliate = "tiktok_affiliate" // TikTok Shop Seller Center: Affiliate → Affiliate orders → Export
	LayoutGeneric         = "generic"          // any spreadsheet with our column names, in English or Chinese
)

// Bounds on one file: its orders (the sheet limits bound its rows to the same), and the SKU lines of
// one order (as many as a Shopify order may have).
const (
	maxFileOrders    = 100_000
	maxLinesPerOrder = 1000
)

// FileOptions say what an order file does not: the zone its times without an offset are in (the
// organization's or the shop region's; nil is UTC), and its currency when it has no Currency column
// (or an empty cell).
type FileOptions struct {
	Location *time.Location
	Currency string
}

// TikTokOrdersColumns are the columns of TikTok Shop's orders export that the import reads. The file
// has one row per SKU line; order-level columns (Order Amount, Order Refund Amount) repeat on each line
// and are ignored: the order's net merchandise is the sum of its lines' SKU Subtotal After Discount.
var TikTokOrdersColumns = []sheet.Column{
	{Key: "order_id", Aliases: []string{"Order ID"}, Required: true},
	{Key: "status", Aliases: []string{"Order Status"}},
	{Key: "sku_id", Aliases: []string{"SKU ID"}},
	{Key: "seller_sku", Aliases: []string{"Seller SKU"}},
	{Key: "quantity", Aliases: []string{"Quantity", "SKU Quantity"}, Required: true},
	{Key: "returned", Aliases: []string{"Sku Quantity of return", "SKU Quantity of Return", "Quantity of return"}},
	{Key: "platform_discount", Aliases: []string{"SKU Platform Discount"}},
	{Key: "seller_discount", Aliases: []string{"SKU Seller Discount"}},
	{Key: "subtotal", Aliases: []string{"SKU Subtotal After Discount"}, Required: true},
	{Key: "created", Aliases: []string{"Created Time", "Order Created Time"}, Required: true},
	{Key: "currency", Aliases: []string{"Currency"}},
	{Key: "promo_code", Aliases: []string{"Promo Code", "Coupon Code", "Voucher Code"}},
}

// TikTokAffiliateColumns are the columns of TikTok Shop's affiliate orders export that the import
// reads: one row per SKU line of an order a creator brought, with the creator's TikTok handle.
var TikTokAffiliateColumns = []sheet.Column{
	{Key: "order_id", Aliases: []string{"Order ID"}, Required: true},
	{Key: "sku_id", Aliases: []string{"SKU ID"}},
	{Key: "creator", Aliases: []string{"Creator Username"}, Required: true},
	{Key: "status", Aliases: []string{"Order Status"}},
	{Key: "currency", Aliases: []string{"Currency"}},
	{Key: "price", Aliases: []string{"Price"}},
	{Key: "quantity", Aliases: []string{"Quantity"}},
	{Key: "payment", Aliases: []string{"Payment Amount"}},
	{Key: "created", Aliases: []string{"Order Created Time", "Created Time"}, Required: true},
}

// OrderFileColumns are the columns of the generic order file, with the English and Chinese headers
// accepted for each. Rows with the same order id are the SKU lines of one order.
var OrderFileColumns = []sheet.Column{
	{Key: "external_id", Aliases: []string{"Order ID", "Order Number", "Order No", "订单号", "订单编号"}, Required: true},
	{Key: "occurred_at", Aliases: []string{"Date", "Order Date", "Created At", "Time", "下单时间", "订单时间", "日期"}, Required: true},
	{Key: "currency", Aliases: []string{"Currency", "币种"}},
	{Key: "amount", Aliases: []string{"Amount", "Net Amount", "Subtotal", "金额", "净额"}, Required: true},
	{Key: "discount", Aliases: []string{"Discount", "折扣"}},
	{Key: "creator_id", Aliases: []string{"Creator ID"}},
	{Key: "platform", Aliases: []string{"Platform", "平台"}},
	{Key: "account_handle", Aliases: []string{"Handle", "Account", "Creator Username", "达人账号", "账号"}},
	{Key: "promo_code", Aliases: []string{"Promo Code", "Coupon", "优惠码", "折扣码"}},
	{Key: "link_code", Aliases: []string{"Link Code", "链接代码"}},
	{Key: "click_id", Aliases: []string{"Click ID"}},
	{Key: "campaign_id", Aliases: []string{"Campaign ID"}},
	{Key: "sku", Aliases: []string{"SKU"}},
	{Key: "quantity", Aliases: []string{"Quantity", "数量"}},
	{Key: "refunded", Aliases: []string{"Refunded", "Refund Amount", "退款金额"}},
	{Key: "status", Aliases: []string{"Status", "状态"}},
}

// ParseOrderFile reads the orders of an uploaded file. The layout is recognised from the headers
// (TikTok Shop's orders export, its affiliate orders export, or the generic layout), and columns are
// found by their header, never by position. The SKU lines of an order (rows with the same order id)
// are summed into one Order, whose Line is the row of its first line. Every problem is a CellError
// with the row the user sees and the header as written; an order with any problem on any of its
// lines is left out of orders.
func ParseOrderFile(t *sheet.Table, opt FileOptions) (layout, source string, orders []Order, errs []sheet.CellError) {
	if t == nil {
		return LayoutGeneric, SourceFile, nil, []sheet.CellError{{Row: 1, Column: "", Message: "the file has no header row"}}
	}
	p := &fileParser{t: t, loc: opt.Location, currency: money.NormalizeCurrency(opt.Currency), groups: map[string]*fileGroup{}}
	if p.loc == nil {
		p.loc = time.UTC
	}
	layout = detectOrderLayout(t.Headers)
	var cols []sheet.Column
	var line func(sheet.Row) (*fileLine, bool)
	switch layout {
	case LayoutTikTokOrders:
		source, cols, line = SourceTikTokShop, TikTokOrdersColumns, p.tiktokOrderLine
	case LayoutTikTokAffiliate:
		source, cols, line = SourceTikTokShop, TikTokAffiliateColumns, p.affiliateLine
	default:
		source, cols, line = SourceFile, OrderFileColumns, p.genericLine
	}
	m, herrs := sheet.MapHeaders(t.Headers, cols)
	p.m = m
	for _, e := range herrs {
		e.Row = t.HeaderLine
		p.errs = append(p.errs, e)
	}
	p.checkHeaders(layout)
	if len(p.errs) > 0 {
		return layout, source, nil, p.errs
	}
	rows := t.Rows
	if layout != LayoutGeneric && len(rows) > 0 && p.isDescriptionRow(rows[0], layout) {
		rows = rows[1:]
		if len(rows) == 0 {
			p.errs = append(p.errs, sheet.CellError{Row: t.Rows[0].Line, Column: p.m.Header("order_id"),
				Message: "the file has TikTok's row of column descriptions but no orders under it"})
		}
	}
	for _, row := range rows {
		l, ok := line(row)
		if !ok {
			continue
		}
		if !p.add(l) {
			break
		}
	}
	return layout, source, p.finish(), p.errs
}

// detectOrderLayout recognises TikTok Shop's exports by the columns only they have.
func detectOrderLayout(headers []string) string {
	probe, _ := sheet.MapHeaders(headers, []sheet.Column{
		{Key: "order_id", Aliases: []string{"Order ID"}},
		{Key: "subtotal", Aliases: []string{"SKU Subtotal After Discount"}},
		{Key: "creator", Aliases: []string{"Creator Username"}},
		{Key: "payment", Aliases: []string{"Payment Amount"}},
		{Key: "created", Aliases: []string{"Order Created Time"}},
		{Key: "content", Aliases: []string{"Content Type"}},
	})
	switch {
	case probe.Has("order_id") && probe.Has("subtotal"):
		return LayoutTikTokOrders
	// The generic layout accepts a "Creator Username" column too: the affiliate export is recognised
	// only with one of its own columns besides.
	case probe.Has("order_id") && probe.Has("creator") &&
		(probe.Has("payment") || probe.Has("created") || probe.Has("content")):
		return LayoutTikTokAffiliate
	}
	return LayoutGeneric
}

type fileParser struct {
	t        *sheet.Table
	m        sheet.Mapping
	loc      *time.Location
	currency string // the default, normalised
	errs     []sheet.CellError
	groups   map[string]*fileGroup
	order    []*fileGroup
}

// fileLine is one SKU line of an order, parsed.
type fileLine struct {
	row      sheet.Row
	line     int
	orderID  string
	amount   int64
	discount *int64 // nil: the file does not say
	refunded *int64 // nil: the file does not say
	item     *Item
	// fields are the order-level values the line gives, by column key; every line of an order must
	// agree on them (an empty cell says nothing).
	fields []fileField
}

type fileField struct {
	key   string // the Input field it sets
	col   string // the column key it comes from, for messages ("" when no column gives it)
	cmp   string // compared across lines
	value string // what the order gets
}

type fileGroup struct {
	line     int // the row of its first line
	lines    int
	id       string
	amount   int64
	discount *int64
	refunded *int64
	items    []Item
	fields   map[string]fileFieldAt
	bad      bool
}

type fileFieldAt struct {
	fileField
	line  int
	cells []string
}

func (p *fileParser) cellError(line int, key, msg string) {
	p.errs = append(p.errs, sheet.CellError{Row: line, Column: p.m.Header(key), Message: msg})
}

// checkHeaders reports what the layout needs beyond its required columns: a currency, and for the
// affiliate export an amount.
func (p *fileParser) checkHeaders(layout string) {
	if !p.m.Has("currency") {
		switch {
		case p.currency == "":
			p.errs = append(p.errs, sheet.CellError{Row: p.t.HeaderLine, Column: "Currency",
				Message: "the file has no Currency column: add one, or choose the currency of the file's amounts"})
		case !money.ValidCurrency(p.currency):
			p.errs = append(p.errs, sheet.CellError{Row: p.t.HeaderLine, Column: "Currency",
				Message: fmt.Sprintf("the file has no Currency column and the currency chosen for it, %s, is not an ISO 4217 code such as USD", quoteClip(p.currency))})
		}
	}
	if layout == LayoutTikTokAffiliate && !p.m.Has("payment") && !(p.m.Has("price") && p.m.Has("quantity")) {
		p.errs = append(p.errs, sheet.CellError{Row: p.t.HeaderLine, Column: "Payment Amount",
			Message: `required column is missing: add a column named "Payment Amount" (or "Price" and "Quantity")`})
	}
}

// isDescriptionRow recognises the row of column descriptions TikTok puts under the header in some
// exports: neither its order id, nor its amount, nor its time is one.
func (p *fileParser) isDescriptionRow(row sheet.Row, layout string) bool {
	amountKey := "subtotal"
	if layout == LayoutTikTokAffiliate {
		amountKey = "payment"
		if !p.m.Has(amountKey) {
			amountKey = "price"
		}
	}
	_, timeOK := parseFileTime(p.m.Get(row, "created"), p.loc, true)
	return !digitsOnly(p.m.Get(row, "order_id")) && !looksNumeric(p.m.Get(row, amountKey)) && !timeOK
}

// add puts a line into its order; false when the file holds too many orders to go on.
func (p *fileParser) add(l *fileLine) bool {
	g := p.groups[l.orderID]
	if g == nil {
		if len(p.order) >= maxFileOrders {
			p.cellError(l.line, p.idKey(), fmt.Sprintf("the file has more than %d orders: split it into smaller files", maxFileOrders))
			return false
		}
		g = &fileGroup{line: l.line, id: l.orderID, fields: map[string]fileFieldAt{}}
		p.groups[l.orderID] = g
		p.order = append(p.order, g)
	}
	if l.fields == nil { // the line had a problem: its order is not imported
		g.bad = true
		return true
	}
	if g.lines++; g.lines > maxLinesPerOrder {
		if !g.bad {
			p.cellError(l.line, p.idKey(), fmt.Sprintf("order %s has more than %d lines: Caravan takes at most %d lines per order",
				quoteClip(l.orderID), maxLinesPerOrder, maxLinesPerOrder))
		}
		g.bad = true
		return true
	}
	ok := true
	for _, f := range l.fields {
		prev, seen := g.fields[f.key]
		if !seen {
			g.fields[f.key] = fileFieldAt{f, l.line, l.row.Cells}
			continue
		}
		if prev.cmp != f.cmp {
			// The cells as written, so the user sees what to fix.
			here := strings.TrimSpace(p.m.Get(l.row, f.col))
			there := strings.TrimSpace(p.m.Get(sheet.Row{Cells: prev.cells}, f.col))
			p.cellError(l.line, f.col, fmt.Sprintf("this line of order %s says %s, but its line on row %d says %s: the lines of one order must agree",
				quoteClip(l.orderID), quoteClip(here), prev.line, quoteClip(there)))
			ok = false
		}
	}
	if !ok {
		g.bad = true
		return true
	}
	var sumOK bool
	if g.amount, sumOK = addMinor(g.amount, l.amount); !sumOK {
		p.cellError(l.line, p.amountKey(), fmt.Sprintf("the lines of order %s add up to more than an amount can hold", quoteClip(l.orderID)))
		g.bad = true
		return true
	}
	for _, s := range []struct {
		to   **int64
		from *int64
		key  string
	}{{&g.discount, l.discount, p.firstKey("discount", "seller_discount", "platform_discount")}, {&g.refunded, l.refunded, p.firstKey("refunded", "returned", "payment")}} {
		if s.from == nil {
			continue
		}
		if *s.to == nil {
			v := int64(0)
			*s.to = &v
		}
		v, ok := addMinor(**s.to, *s.from)
		if !ok {
			p.cellError(l.line, s.key, fmt.Sprintf("the lines of order %s add up to more than an amount can hold", quoteClip(l.orderID)))
			g.bad = true
			return true
		}
		**s.to = v
	}
	if l.item != nil {
		g.items = append(g.items, *l.item)
	}
	return true
}

func (p *fileParser) idKey() string {
	if p.m.Has("external_id") {
		return "external_id"
	}
	return "order_id"
}

func (p *fileParser) amountKey() string { return p.firstKey("amount", "subtotal", "payment", "price") }

// firstKey is the first of keys the file has a column for (the first of them if none).
func (p *fileParser) firstKey(keys ...string) string {
	for _, k := range keys {
		if p.m.Has(k) {
			return k
		}
	}
	return keys[0]
}

// finish turns the groups into orders, leaving out those with a problem.
func (p *fileParser) finish() []Order {
	var out []Order
	for _, g := range p.order {
		if g.bad {
			continue
		}
		get := func(key string) *string {
			if f, ok := g.fields[key]; ok && f.value != "" {
				v := f.value
				return &v
			}
			return nil
		}
		amount := g.amount
		in := Input{ExternalID: g.id, AmountMinor: &amount, DiscountMinor: g.discount, Items: g.items,
			CreatorID: get("creator_id"), Platform: get("platform"), AccountHandle: get("account_handle"),
			PromoCode: get("promo_code"), LinkCode: get("link_code"), ClickID: get("click_id"), CampaignID: get("campaign_id")}
		if v := get("occurred_at"); v != nil {
			in.OccurredAt = *v
		}
		if v := get("currency"); v != nil {
			in.Currency = *v
		}
		o := Order{Line: g.line, Input: in, RefundedMinor: g.refunded}
		if v := get("status"); v != nil && *v == "canceled" {
			o.Canceled = true
		}
		if g.refunded != nil && *g.refunded > amount {
			key := "refunded"
			if !p.m.Has(key) {
				key = p.amountKey()
			}
			p.cellError(g.line, key, fmt.Sprintf("order %s has %s refunded, more than its amount %s",
				quoteClip(g.id), money.Format(money.Money{Minor: *g.refunded, Currency: in.Currency}),
				money.Format(money.Money{Minor: amount, Currency: in.Currency})))
			continue
		}
		out = append(out, o)
	}
	return out
}

// lineParser collects the problems of one row.
type lineParser struct {
	p   *fileParser
	row sheet.Row
	bad bool
}

func (lp *lineParser) get(key string) string { return strings.TrimSpace(lp.p.m.Get(lp.row, key)) }

// fail reports a problem with a cell, quoting it so the user finds it without counting columns.
func (lp *lineParser) fail(key, msg string) {
	if v := lp.get(key); v != "" {
		msg = fmt.Sprintf("%s (the cell holds %s)", msg, quoteClip(v))
	}
	lp.p.cellError(lp.row.Line, key, msg)
	lp.bad = true
}

// orderID reads the order id: a TikTok id is digits only; any id is one line of text.
func (lp *lineParser) orderID(key string, digits bool) string {
	v := lp.get(key)
	switch {
	case v == "":
		lp.fail(key, "the order id is empty")
	case excelNumber.MatchString(v):
		lp.fail(key, "the order id was shortened by Excel into a rounded number: format the column as text and export the file again")
	case digits && !digitsOnly(v):
		lp.fail(key, "a TikTok Shop order id is made of digits only")
	case len(v) > 200 || !printableText(v):
		lp.fail(key, "an order id must be at most 200 characters, without control characters")
	default:
		return v
	}
	return ""
}

func (lp *lineParser) time(key string, monthFirst bool) string {
	v := lp.get(key)
	if v == "" {
		lp.fail(key, "the order time is empty")
		return ""
	}
	at, ok := parseFileTime(v, lp.p.loc, monthFirst)
	if !ok {
		example := "2025-03-09 14:30:00"
		if monthFirst {
			example = "03/09/2025 02:30:00 PM"
		}
		lp.fail(key, "this is not a date and time such as "+example)
		return ""
	}
	return at
}

// currency is the line's currency: its cell, else the file's default.
func (lp *lineParser) currency() string {
	v := money.NormalizeCurrency(lp.get("currency"))
	if v == "" {
		v = lp.p.currency
	}
	switch {
	case v == "":
		lp.fail("currency", "the currency is empty and no currency was chosen for the file")
	case !money.ValidCurrency(v):
		lp.fail("currency", "this is not an ISO 4217 currency code such as USD")
	default:
		return v
	}
	return ""
}

// amount reads a non-negative amount in major units; ok is false when the cell is empty or bad (bad
// also reports it). cur "" means the currency is already reported bad: nothing to say.
func (lp *lineParser) amount(key, cur string, required bool) (minor int64, ok bool) {
	v := lp.get(key)
	if v == "" {
		if required {
			lp.fail(key, "the amount is empty")
		}
		return 0, false
	}
	if cur == "" {
		lp.bad = true
		return 0, false
	}
	m, msg := parseFileAmount(v, cur)
	if msg != "" {
		lp.fail(key, msg)
		return 0, false
	}
	if m < 0 {
		lp.fail(key, "the amount must not be negative")
		return 0, false
	}
	return m, true
}

// optAmount is amount for an optional column: nil when the cell is empty or the file has no such
// column (the file does not say).
func (lp *lineParser) optAmount(key, cur string) *int64 {
	if lp.get(key) == "" {
		return nil
	}
	v, _ := lp.amount(key, cur, false)
	return &v
}

// quantity reads a positive whole number; def when the cell is empty (0: required).
func (lp *lineParser) quantity(key string, def int64) int64 {
	v := lp.get(key)
	if v == "" && def > 0 {
		return def
	}
	n, ok := parseCount(v)
	if !ok || n <= 0 {
		lp.fail(key, "the quantity must be a whole number of at least 1")
		return 0
	}
	return n
}

// text reads an optional order-level text such as a promo code.
func (lp *lineParser) text(key string) string {
	v := lp.get(key)
	if len(v) > 255 || !printableText(v) {
		lp.fail(key, "this must be at most 255 characters, without control characters")
		return ""
	}
	return v
}

func (lp *lineParser) status() string {
	v := lp.get("status")
	if v == "" {
		return ""
	}
	switch strings.ToLower(v) {
	case "canceled", "cancelled", "已取消", "取消":
		return "canceled"
	}
	return "open"
}

func (p *fileParser) tiktokOrderLine(row sheet.Row) (*fileLine, bool) {
	lp := &lineParser{p: p, row: row}
	l := &fileLine{row: row, line: row.Line, orderID: lp.orderID("order_id", true)}
	if l.orderID == "" {
		return nil, false
	}
	at := lp.time("created", true)
	cur := lp.currency()
	l.amount, _ = lp.amount("subtotal", cur, true)
	if p.m.Has("platform_discount") || p.m.Has("seller_discount") {
		var d int64
		for _, key := range []string{"platform_discount", "seller_discount"} {
			v, _ := lp.amount(key, cur, false)
			var ok bool
			if d, ok = addMinor(d, v); !ok {
				lp.fail(key, "the discounts are too large")
			}
		}
		l.discount = &d
	}
	qty := lp.quantity("quantity", 0)
	if p.m.Has("returned") && lp.get("returned") != "" {
		n, ok := parseCount(lp.get("returned"))
		switch {
		case !ok || n < 0:
			lp.fail("returned", "the quantity returned must be a whole number, 0 or more")
		case qty > 0 && n > qty:
			lp.fail("returned", fmt.Sprintf("more units are returned than the %d bought", qty))
		case n > 0 && qty > 0:
			r, err := money.Proportion(l.amount, n, qty)
			if err != nil {
				lp.fail("returned", "the refund of this line cannot be computed")
			}
			l.refunded = &r
		}
	}
	sku := lp.get("seller_sku")
	if sku == "" {
		sku = lp.get("sku_id")
	}
	promo := lp.text("promo_code")
	if lp.bad {
		return l, true
	}
	l.item = &Item{SKU: sku, Quantity: qty, AmountMinor: l.amount}
	l.fields = []fileField{
		{key: "occurred_at", col: "created", cmp: at, value: at},
		{key: "currency", col: "currency", cmp: cur, value: cur},
	}
	if s := lp.status(); s != "" {
		l.fields = append(l.fields, fileField{key: "status", col: "status", cmp: s, value: s})
	}
	if promo != "" {
		l.fields = append(l.fields, fileField{key: "promo_code", col: "promo_code", cmp: promo, value: promo})
	}
	return l, true
}

func (p *fileParser) affiliateLine(row sheet.Row) (*fileLine, bool) {
	lp := &lineParser{p: p, row: row}
	l := &fileLine{row: row, line: row.Line, orderID: lp.orderID("order_id", true)}
	if l.orderID == "" {
		return nil, false
	}
	at := lp.time("created", false)
	cur := lp.currency()
	qty := int64(1)
	if p.m.Has("quantity") {
		qty = lp.quantity("quantity", 0)
	}
	switch {
	case lp.get("payment") != "" || !p.m.Has("price"):
		l.amount, _ = lp.amount("payment", cur, true)
	default: // TikTok leaves Payment Amount empty on some lines: price × quantity is the same
		if price, ok := lp.amount("price", cur, true); ok && qty > 0 {
			if price > 0 && qty > math.MaxInt64/price {
				lp.fail("price", "price × quantity is too large")
			}
			l.amount = price * qty
		}
	}
	handle := strings.TrimLeft(lp.text("creator"), "@")
	handle = strings.TrimSpace(handle)
	if handle == "" && !lp.bad {
		lp.fail("creator", "the creator's username is empty")
	}
	if lp.bad {
		return l, true
	}
	if strings.EqualFold(lp.get("status"), "ineligible") {
		r := l.amount
		l.refunded = &r
	}
	l.item = &Item{SKU: lp.get("sku_id"), Quantity: qty, AmountMinor: l.amount}
	_, key := platform.NormalizeHandle(handle)
	l.fields = []fileField{
		{key: "occurred_at", col: "created", cmp: at, value: at},
		{key: "currency", col: "currency", cmp: cur, value: cur},
		{key: "platform", cmp: platform.TikTok, value: platform.TikTok},
		{key: "account_handle", col: "creator", cmp: key, value: handle},
	}
	return l, true
}

func (p *fileParser) genericLine(row sheet.Row) (*fileLine, bool) {
	lp := &lineParser{p: p, row: row}
	l := &fileLine{row: row, line: row.Line, orderID: lp.orderID("external_id", false)}
	if l.orderID == "" {
		return nil, false
	}
	at := lp.time("occurred_at", false)
	cur := lp.currency()
	l.amount, _ = lp.amount("amount", cur, true)
	l.discount = lp.optAmount("discount", cur)
	l.refunded = lp.optAmount("refunded", cur)
	qty := int64(1)
	if p.m.Has("quantity") {
		qty = lp.quantity("quantity", 1)
	}
	var fields []fileField
	for _, key := range []string{"creator_id", "promo_code", "link_code", "click_id", "campaign_id"} {
		if v := lp.text(key); v != "" {
			fields = append(fields, fileField{key: key, col: key, cmp: v, value: v})
		}
	}
	plat, platBad := "", false
	if v := lp.get("platform"); v != "" {
		if plat = filePlatform(v); plat == "" {
			lp.fail("platform", "this is not a platform Caravan knows: use one of "+platform.Keys())
			platBad = true
		}
	}
	if v := strings.TrimSpace(strings.TrimLeft(lp.text("account_handle"), "@")); v != "" && !platBad {
		urlPlatform, key := platform.NormalizeHandle(v)
		switch {
		case plat == "" && urlPlatform == "":
			lp.fail("account_handle", "a handle needs its platform: fill in the Platform column")
		case key == "":
			lp.fail("account_handle", "this names no account")
		default:
			if plat == "" {
				plat = urlPlatform
			}
			fields = append(fields, fileField{key: "account_handle", col: "account_handle", cmp: key, value: v})
		}
	}
	sku := lp.text("sku")
	if lp.bad {
		return l, true
	}
	if sku != "" {
		l.item = &Item{SKU: sku, Quantity: qty, AmountMinor: l.amount}
	}
	if plat != "" {
		fields = append(fields, fileField{key: "platform", col: "platform", cmp: plat, value: plat})
	}
	if s := lp.status(); s != "" {
		fields = append(fields, fileField{key: "status", col: "status", cmp: s, value: s})
	}
	l.fields = append([]fileField{
		{key: "occurred_at", col: "occurred_at", cmp: at, value: at},
		{key: "currency", col: "currency", cmp: cur, value: cur},
	}, fields...)
	return l, true
}

// filePlatform turns a platform cell ("TikTok", "tiktok", "小红书") into a platform key, "" when unknown.
func filePlatform(s string) string {
	f := strings.ToLower(strings.Join(strings.Fields(s), " "))
	for _, p := range platform.Catalogue {
		if f == p.Key || f == strings.ToLower(p.Name) || f == strings.ToLower(p.NameZh) {
			return p.Key
		}
	}
	switch f {
	case "xiaohongshu", "xhs", "红书":
		return platform.RedNote
	case "twitter":
		return platform.X
	case "tik tok":
		return platform.TikTok
	case "快手", "kuaishou":
		return platform.Kwai
	case "b站":
		return platform.Bilibili
	}
	return ""
}

// excelNumber matches an id Excel turned into a rounded number, such as 5.77012E+17.
var excelNumber = regexp.MustCompile(`^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$`)

// fileTimeLayouts are the date and time forms the generic layout reads: year first, with "-", "/" or
// Chinese, with or without a time. Go's parser takes one or two digits for "1", "2" and "15", and
// fractional seconds after the seconds.
var fileTimeLayouts = []string{
	"2006-1-2 15:04:05", "2006-1-2 15:04", "2006-1-2T15:04:05", "2006-1-2T15:04", "2006-1-2",
	"2006/1/2 15:04:05", "2006/1/2 15:04", "2006/1/2",
	"2006年1月2日 15:04:05", "2006年1月2日 15:04", "2006年1月2日",
}

// tiktokTimeLayouts are TikTok's month-first forms, tried before the others in its exports.
var tiktokTimeLayouts = []string{"1/2/2006 3:04:05 PM", "1/2/2006 3:04 PM", "1/2/2006 15:04:05", "1/2/2006 15:04"}

// parseFileTime reads a cell as a time, in loc unless it carries an offset, and writes it as RFC 3339
// in UTC. monthFirst also accepts TikTok's MM/DD/YYYY forms.
func parseFileTime(s string, loc *time.Location, monthFirst bool) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return "", false
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return utcRFC3339(t)
	}
	if t, err := time.Parse("2006-01-02 15:04:05Z07:00", s); err == nil {
		return utcRFC3339(t)
	}
	layouts := fileTimeLayouts
	if monthFirst {
		layouts = append(append([]string{}, tiktokTimeLayouts...), fileTimeLayouts...)
		s = strings.ToUpper(s) // am/pm
	}
	for _, l := range layouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return utcRFC3339(t)
		}
	}
	return "", false
}

// fileCurrencySymbols are the signs people type before an amount; a code of the amount's currency
// before or after it is accepted too. A sign that names another currency than the line's is refused
// by the check in parseFileAmount.
var fileCurrencySymbols = []struct{ sign, currency string }{
	{"US$", "USD"}, {"CA$", "CAD"}, {"C$", "CAD"}, {"A$", "AUD"}, {"AU$", "AUD"}, {"NZ$", "NZD"},
	{"HK$", "HKD"}, {"S$", "SGD"}, {"NT$", "TWD"}, {"MX$", "MXN"}, {"R$", "BRL"}, {"RM", "MYR"},
	{"$", ""}, {"€", "EUR"}, {"£", "GBP"}, {"¥", ""}, {"￥", ""}, {"₩", "KRW"}, {"₹", "INR"},
	{"₫", "VND"}, {"₱", "PHP"}, {"฿", "THB"}, {"₺", "TRY"}, {"₽", "RUB"}, {"₦", "NGN"},
}

var thousandsGrouped = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$`)

// parseFileAmount reads a cell holding an amount of cur in major units ("19.99", "$35.99",
// "1,234.50", "35.99 USD") and returns it in minor units, or a message saying what is wrong.
func parseFileAmount(s, cur string) (int64, string) {
	v, symbol := cleanAmount(s, cur)
	if symbol != "" {
		return 0, fmt.Sprintf("the amount is marked %s but the line's currency is %s", symbol, cur)
	}
	m, err := money.Parse(v, cur)
	switch {
	case err == nil:
		return m.Minor, ""
	case errors.Is(err, money.ErrTooManyDecimals):
		exp, _ := money.Exponent(cur)
		return 0, fmt.Sprintf("the amount has more decimals than %s allows (%d)", cur, exp)
	case errors.Is(err, money.ErrOutOfRange):
		return 0, "the amount is too large"
	}
	return 0, fmt.Sprintf("this is not an amount of %s such as %s", cur, money.Format(money.Money{Minor: 1999, Currency: cur}))
}

// cleanAmount strips a currency sign or code and thousands separators from s. mismatch names a sign
// or code of another currency than cur.
func cleanAmount(s, cur string) (v, mismatch string) {
	v = strings.TrimSpace(strings.ReplaceAll(s, "\u00a0", " "))
	sign := ""
	takeSign := func() {
		if strings.HasPrefix(v, "-") || strings.HasPrefix(v, "+") {
			sign, v = v[:1], strings.TrimSpace(v[1:])
		} else if strings.HasPrefix(v, "−") { // U+2212 MINUS SIGN
			sign, v = "-", strings.TrimSpace(v[len("−"):])
		}
	}
	takeSign()
	// A code before or after the number: "USD 35.99", "35.99 usd". cur "" accepts any.
	if n := len(v); n > 3 && isLetters(v[:3]) && !isLetters(v[3:4]) {
		if code := strings.ToUpper(v[:3]); cur != "" && code != cur {
			return "", code
		}
		v = strings.TrimSpace(v[3:])
	} else if n > 3 && isLetters(v[n-3:]) && !isLetters(v[n-4:n-3]) {
		if code := strings.ToUpper(v[n-3:]); cur != "" && code != cur {
			return "", code
		}
		v = strings.TrimSpace(v[:n-3])
	}
	for _, cs := range fileCurrencySymbols {
		if rest, ok := strings.CutPrefix(v, cs.sign); ok {
			if cur != "" && cs.currency != "" && cs.currency != cur {
				return "", cs.sign
			}
			v = strings.TrimSpace(rest)
			break
		}
	}
	if sign == "" {
		takeSign()
	}
	if thousandsGrouped.MatchString(v) {
		v = strings.ReplaceAll(v, ",", "")
	}
	return sign + v, ""
}

// isLetters reports whether s is ASCII letters only.
func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return s != ""
}

// looksNumeric reports whether a cell holds a number, whatever its currency.
func looksNumeric(s string) bool {
	v, _ := cleanAmount(s, "")
	v = strings.TrimLeft(v, "+-")
	a, b, _ := strings.Cut(v, ".")
	return a != "" && digitsOnly(a) && (b == "" || digitsOnly(b))
}

// parseCount reads a whole number of units; spreadsheets may write 2 as "2.0".
func parseCount(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '.'); i >= 0 && strings.Trim(s[i+1:], "0") == "" {
		s = s[:i]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > 1_000_000_000 {
		return 0, false
	}
	return n, true
}

func digitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// printableText reports whether s is valid UTF-8 without control or format characters.
func printableText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}
