package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/campaign"
	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/ledger"
	"github.com/caravan-crm/caravan/internal/money"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/platform"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/tracking"
)

// --- FX rates ---

// fxWalk is a currency's rate in the base currency as an integer of 10^-decimals units: a random walk
// pulled back towards center, so six months stay plausible.
type fxWalk struct {
	currency string
	center   int64
	decimals int
	step     int64 // about one day's move
}

var fxWalks = []fxWalk{
	{"USD", 71_850, 4, 60},  // 7.1850 CNY
	{"EUR", 83_300, 4, 220}, // 8.3300
	{"GBP", 96_100, 4, 260}, // 9.6100
	{"JPY", 46_900, 6, 180}, // 0.046900
}

// format writes v as a plain decimal with the walk's decimals.
func (w fxWalk) format(v int64) string {
	unit := int64(1)
	for range w.decimals {
		unit *= 10
	}
	return fmt.Sprintf("%d.%0*d", v/unit, w.decimals, v%unit)
}

// fxRates records every day's rate of every order currency in CNY, as finance copies them from the
// bank's table: a new fixing each working day, and Friday's again on Saturday and Sunday.
func (g *gen) fxRates(ctx context.Context) error {
	g.rates = map[string]map[string]string{}
	var days []time.Time
	for d := g.start; !d.After(g.now); d = d.In(g.loc).AddDate(0, 0, 1).UTC() {
		days = append(days, d)
	}
	total := len(days) * len(fxWalks)
	g.progress(StepFX, 0, total)
	for i, w := range fxWalks {
		g.rates[w.currency] = map[string]string{}
		v := w.center + (int64(g.r.IntN(41))-20)*w.center/1000 // within 2% of the centre
		for j, d := range days {
			if wd := d.In(g.loc).Weekday(); wd != time.Saturday && wd != time.Sunday || j == 0 {
				noise := int64(0)
				for range 3 {
					noise += g.r.Int64N(2*w.step+1) - w.step
				}
				v += noise/2 + (w.center-v)/40
			}
			rate := w.format(v)
			day := g.dayOf(d)
			g.at(d.Add(9*time.Hour + 30*time.Minute)) // after the 9:15 fixing
			if _, err := g.svc.Ledger.PutRate(ctx, g.owner, ledger.NewFXRate{On: day, Currency: w.currency, BaseCurrency: baseCurrency, Rate: rate}); err != nil {
				return fail("FX rate "+w.currency+" "+day, err)
			}
			g.rates[w.currency][day] = rate
			g.res.FXRates++
			g.progress(StepFX, i*len(days)+j+1, total)
		}
	}
	return nil
}

// rateOn is the rate of currency on day, as the ledger finds it.
func (g *gen) rateOn(currency, day string) (money.Rate, bool) {
	r, ok := g.rates[currency][day]
	if !ok {
		return money.Rate{}, false
	}
	return money.MustParseRate(r), true
}

// --- orders ---

// orderPlan is an order to send, with what happens to it later.
type orderPlan struct {
	at       time.Time
	in       conversion.Input
	tiktok   bool // a TikTok Shop order: its number is TikTok's
	refund   *refundPlan
	reject   string
	id       string
	lineNets []int64
	stream   int // which of the streams sends it: its creator's (see ingest)
}

// refundPlan is a refund of part or all of an order.
type refundPlan struct {
	at     time.Time
	amount int64
	order  *orderPlan
}

// localPrice is a product's price in a market's currency, from its US price: rounded as shops
// round (19.99 €, £15.99, ¥2,980).
func localPrice(usdCents int64, currency string) int64 {
	switch currency {
	case "EUR":
		return (usdCents*93+5_000)/10_000*100 - 1
	case "GBP":
		return (usdCents*80+5_000)/10_000*100 - 1
	case "JPY":
		return (usdCents*150/100+50)/100*100 - 20
	}
	return usdCents
}

// Shares of the orders by how they are attributed.
const (
	shareUnattributed = 0.15
	sharePromo        = 0.26
	shareClick        = 0.20
	shareLink         = 0.14 // the rest: the creator's platform handle (TikTok Shop and marketplace orders)
)

// hourWeights are the orders of each UTC hour: American evenings, then European, then Japanese.
var hourWeights = []int{8, 9, 9, 8, 6, 4, 3, 2, 2, 2, 3, 3, 4, 4, 4, 4, 5, 6, 7, 7, 7, 7, 6, 7}

// planOrders draws every order of the window: when, in which currency, what was bought, who brought
// it, and whether it is refunded or rejected later.
func (g *gen) planOrders(context.Context) error {
	counts := g.dailyCounts()
	for d, n := range counts {
		dayStart := g.day(d)
		for range n {
			hw := make([]int, 24)
			for h := range hw {
				hw[h] = hourWeights[(dayStart.Hour()+h)%24]
			}
			t := dayStart.Add(time.Duration(g.weighted(hw))*time.Hour + time.Duration(g.r.IntN(3600))*time.Second)
			if !t.Before(g.now) {
				t = g.now.Add(-time.Duration(g.between(60, 6*3600)) * time.Second)
			}
			g.orders = append(g.orders, g.order(t))
		}
	}
	slices.SortStableFunc(g.orders, func(a, b *orderPlan) int { return a.at.Compare(b.at) })
	seq, tt := int64(1_000_000), int64(576_400_000_000_000_000)
	for _, o := range g.orders {
		if o.tiktok {
			tt += 1 + g.r.Int64N(900_000_000)
			o.in.ExternalID = fmt.Sprint(tt)
		} else {
			seq++
			o.in.ExternalID = fmt.Sprintf("SY%d", seq)
		}
	}
	return nil
}

// dailyCounts spreads the orders over the window's days: growing sales, weekends, and the shopping
// days of the calendar (Prime Day, Singles' Day, Black Friday to Cyber Monday).
func (g *gen) dailyCounts() []int {
	weights := make([]int64, g.days+1)
	var total int64
	for d := range weights {
		t := g.day(d).In(g.loc)
		w := int64(550 + 900*d/g.days)
		w = w * []int64{112, 96, 95, 97, 100, 102, 108}[t.Weekday()] / 100
		y := t.Year()
		bf := thanksgiving(y).AddDate(0, 0, 1)
		switch {
		case t.Month() == time.July && t.Day() >= 8 && t.Day() <= 11:
			w = w * 150 / 100
		case t.Month() == time.November && t.Day() == 11:
			w = w * 130 / 100
		case !t.Before(bf.AddDate(0, 0, -1)) && !t.After(bf.AddDate(0, 0, 3)):
			w = w * 240 / 100
		case !t.Before(bf.AddDate(0, 0, -8)) && t.Before(bf):
			w = w * 130 / 100
		}
		if d == g.days { // today, so far
			elapsed := g.now.Sub(g.day(d))
			w = w * int64(elapsed/time.Minute) / (24 * 60)
		}
		weights[d] = w
		total += w
	}
	counts := make([]int, len(weights))
	given := 0
	for d, w := range weights {
		counts[d] = int(int64(g.opt.Orders) * w / total)
		given += counts[d]
	}
	for d := 0; given < g.opt.Orders; d = (d + 1) % len(counts) {
		if weights[d] > 0 {
			counts[d]++
			given++
		}
	}
	return counts
}

// thanksgiving is the fourth Thursday of November.
func thanksgiving(year int) time.Time {
	t := time.Date(year, time.November, 1, 0, 0, 0, 0, time.UTC)
	for t.Weekday() != time.Thursday {
		t = t.AddDate(0, 0, 1)
	}
	return t.AddDate(0, 0, 21)
}

// marketCurrencies are the currencies of orders nobody brought (or from abroad), per mille.
var marketCurrencies = []struct {
	currency string
	weight   int
}{{"USD", 520}, {"EUR", 240}, {"GBP", 130}, {"JPY", 110}}

func (g *gen) anyCurrency() string {
	w := make([]int, len(marketCurrencies))
	for i, m := range marketCurrencies {
		w[i] = m.weight
	}
	return marketCurrencies[g.weighted(w)].currency
}

// pickChannel picks one of list usable at t, in proportion to its weight; nil when none is.
func (g *gen) pickChannel(list []*channel, t time.Time) *channel {
	var total float64
	for _, c := range list {
		if !t.Before(c.from) && t.Before(c.to) {
			total += c.weight
		}
	}
	if total == 0 {
		return nil
	}
	x := g.r.Float64() * total
	var last *channel
	for _, c := range list {
		if !t.Before(c.from) && t.Before(c.to) {
			last = c
			if x < c.weight {
				return c
			}
			x -= c.weight
		}
	}
	return last
}

// pickSeller picks a creator selling at t with an active account, in proportion to their pull.
func (g *gen) pickSeller(t time.Time) (*creatorPlan, *accountPlan) {
	var total float64
	for _, c := range g.creators {
		if c.sells(t) && len(c.live) > 0 {
			total += c.weight
		}
	}
	if total == 0 {
		return nil, nil
	}
	x := g.r.Float64() * total
	for _, c := range g.creators {
		if !c.sells(t) || len(c.live) == 0 {
			continue
		}
		if x < c.weight {
			return c, c.live[g.r.IntN(len(c.live))]
		}
		x -= c.weight
	}
	return nil, nil
}

// order draws one order at t.
func (g *gen) order(t time.Time) *orderPlan {
	o := &orderPlan{at: t}
	o.in.OccurredAt = t.Format(time.RFC3339)
	var by *creatorPlan
	var camp *campaignRun
	var discountBps int64
	u := g.r.Float64()
	switch {
	case u < shareUnattributed:
	case u < shareUnattributed+sharePromo:
		if ch := g.pickChannel(g.codes, t); ch != nil {
			by, camp, discountBps = ch.creator, ch.camp, ch.discountBps
			code := ch.code
			if g.chance(0.2) {
				code = strings.ToLower(code) // shops match codes in any case, and so does attribution
			}
			o.in.PromoCode = &code
		}
	case u < shareUnattributed+sharePromo+shareClick:
		if ch := g.pickChannel(g.links, t); ch != nil {
			by, camp = ch.creator, ch.camp
			id := store.NewID()
			window := time.Duration(campaign.DefaultAttributionWindowDays) * 24 * time.Hour
			if ch.camp.spec.window > 0 {
				window = time.Duration(ch.camp.spec.window) * 24 * time.Hour
			}
			// Most buy within days of the click, inside the campaign's window.
			back := time.Minute + time.Duration(g.r.Int64N(int64(min(window, 5*24*time.Hour)-2*time.Minute)))
			at := t.Add(-back)
			if at.Before(ch.from) {
				at = ch.from.Add(time.Duration(g.r.Int64N(int64(t.Sub(ch.from)) + 1)))
			}
			g.clickRows = append(g.clickRows, g.click(ch, at, id, false))
			o.in.ClickID = &id
		}
	case u < shareUnattributed+sharePromo+shareClick+shareLink:
		if ch := g.pickChannel(g.links, t); ch != nil {
			by, camp = ch.creator, ch.camp
			code := ch.code
			o.in.LinkCode = &code
		}
	}
	if by == nil && u >= shareUnattributed {
		if c, a := g.pickSeller(t); c != nil {
			by = c
			plat, handle := a.platform, a.handle
			if g.chance(0.3) {
				handle = "@" + handle
			}
			o.in.Platform, o.in.AccountHandle = &plat, &handle
			o.tiktok = a.platform == platform.TikTok
		}
	}
	if by != nil {
		o.stream = by.index % streams
	} else {
		o.stream = g.r.IntN(streams)
	}
	if by == nil && g.chance(0.35) {
		code := pick(g, storeCodes) // the shop's own code: nobody's
		o.in.PromoCode = &code
		discountBps = 1000
	}

	cur := g.anyCurrency()
	if by != nil && g.chance(0.88) {
		cur = by.market.currency
	}
	o.in.Currency = cur

	// What was bought.
	lines := 1
	if x := g.r.IntN(100); x >= 60 {
		lines = 2
		if x >= 88 {
			lines = 3
		}
	}
	var chosen []*productRun
	var qty []int64
	for i := range lines {
		pool := g.products
		if i == 0 && camp != nil && len(camp.products) > 0 && g.chance(0.7) {
			pool = camp.products
		}
		w := make([]int, len(pool))
		for j, p := range pool {
			w[j] = p.popularity
		}
		p := pool[g.weighted(w)]
		q := int64(1)
		if x := g.r.IntN(100); x >= 85 {
			q = 2
			if x >= 97 {
				q = 3
			}
		}
		if k := slices.Index(chosen, p); k >= 0 {
			qty[k] += q
			continue
		}
		chosen, qty = append(chosen, p), append(qty, q)
	}
	if discountBps == 0 && g.chance(0.08) {
		discountBps = int64(g.between(1, 4)) * 500
	}
	var gross int64
	grossLines := make([]int64, len(chosen))
	for i, p := range chosen {
		grossLines[i] = localPrice(p.usdCents, cur) * qty[i]
		gross += grossLines[i]
	}
	discount := (gross*discountBps + 5_000) / 10_000
	net := gross - discount
	left := net
	o.lineNets = make([]int64, len(chosen))
	for i, p := range chosen {
		ln := grossLines[i] - grossLines[i]*discount/max(gross, 1)
		if i == len(chosen)-1 {
			ln = left
		}
		left -= ln
		o.lineNets[i] = ln
		o.in.Items = append(o.in.Items, conversion.Item{SKU: p.sku, Quantity: qty[i], AmountMinor: ln})
	}
	o.in.AmountMinor = &net
	if discount > 0 {
		o.in.DiscountMinor = &discount
	}

	// Later: a refund (about one order in twenty), or finance's rejection.
	if g.chance(0.055) {
		at := t.Add(time.Duration(g.between(2*24*3600, 30*24*3600)) * time.Second)
		if at.Before(g.now.Add(-time.Hour)) {
			amount := net
			if !g.chance(0.55) {
				if len(o.lineNets) > 1 {
					amount = o.lineNets[g.r.IntN(len(o.lineNets))]
				} else {
					amount = net * int64(g.between(20, 60)) / 100
				}
			}
			if amount > 0 {
				o.refund = &refundPlan{at: at, amount: amount, order: o}
			}
		}
	}
	if by != nil && o.refund == nil && g.chance(0.0035) {
		o.reject = pick(g, rejections)
	}
	return o
}

// click is a visit of a link at t: a browser (or, for clicks that led nowhere, sometimes a bot),
// mostly from the creator's audience.
func (g *gen) click(ch *channel, at time.Time, id string, mayBeBot bool) tracking.PastClick {
	ua := pick(g, userAgents)
	if mayBeBot && g.chance(0.06) {
		ua = pick(g, botAgents)
	}
	country := ch.creator.market.country
	if g.chance(0.15) {
		country = markets[g.r.IntN(len(markets))].country
	}
	octets := []int{23, 45, 66, 73, 81, 98, 104, 151, 185, 203}
	ip := fmt.Sprintf("%d.%d.%d.%d", pick(g, octets), g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))
	return tracking.PastClick{ID: id, LinkID: ch.linkID, At: at, IP: ip, UserAgent: ua, Referer: referers[ch.account.platform], Country: country}
}

// clicks writes every click of the links: those that led to an order (drawn with the orders) and
// the many more that did not.
func (g *gen) clicks(ctx context.Context) error {
	more := g.opt.Clicks - len(g.clickRows)
	var total float64
	for _, ch := range g.links {
		total += ch.weight * ch.to.Sub(ch.from).Hours()
	}
	for range max(more, 0) {
		if total == 0 {
			break
		}
		x := g.r.Float64() * total
		var ch *channel
		for _, c := range g.links {
			ch = c
			w := c.weight * c.to.Sub(c.from).Hours()
			if x < w {
				break
			}
			x -= w
		}
		at := ch.from.Add(time.Duration(g.r.Int64N(int64(ch.to.Sub(ch.from)))))
		c := g.click(ch, at, "", true)
		g.clickRows = append(g.clickRows, c)
		if g.chance(0.02) { // the same visitor again within the minute: a duplicate
			again := c
			again.At = c.At.Add(time.Duration(g.between(5, 50)) * time.Second)
			if again.At.Before(g.now) {
				g.clickRows = append(g.clickRows, again)
			}
		}
	}
	slices.SortStableFunc(g.clickRows, func(a, b tracking.PastClick) int { return a.At.Compare(b.At) })
	g.at(g.now)
	g.progress(StepClicks, 0, len(g.clickRows))
	const chunk = 10_000
	for i := 0; i < len(g.clickRows); i += chunk {
		part := g.clickRows[i:min(i+chunk, len(g.clickRows))]
		if err := g.svc.Tracking.RecordPastClicks(ctx, g.owner.OrgID, part); err != nil {
			return fail("clicks", err)
		}
		g.res.Clicks += len(part)
		g.progress(StepClicks, g.res.Clicks, len(g.clickRows))
	}
	g.clickRows = nil
	return nil
}

// Orders go in batches of maxBatch (the most Batch takes), streams batches at a time.
const (
	maxBatch = 1000
	streams  = 2
)

// ingest sends the orders through the shop's order sync in batches, in the order they were placed,
// each batch when its last order is an hour old; refunds follow as they fall due. Two batches go at
// once, one per stream: a creator's orders are always in the same stream, in order, so what one
// order's commission depends on (the creator's earlier GMV in the campaign, for tiers) is the same
// however the two interleave, and one batch's checks run while the other writes.
func (g *gen) ingest(ctx context.Context) error {
	var refunds []*refundPlan
	for _, o := range g.orders {
		if o.refund != nil {
			refunds = append(refunds, o.refund)
		}
	}
	slices.SortStableFunc(refunds, func(a, b *refundPlan) int { return a.at.Compare(b.at) })
	g.refunds = refunds
	g.progress(StepOrders, 0, len(g.orders))
	round := 0
	for i := 0; i < len(g.orders); i += maxBatch * streams {
		chunk := g.orders[i:min(i+maxBatch*streams, len(g.orders))]
		var parts [streams][]*orderPlan
		for _, o := range chunk {
			parts[o.stream] = append(parts[o.stream], o)
		}
		g.at(chunk[len(chunk)-1].at.Add(time.Hour))
		var errs [streams]error
		var wg sync.WaitGroup
		for s := range streams {
			wg.Go(func() { errs[s] = g.send(ctx, parts[s]) })
		}
		wg.Wait()
		if err := errors.Join(errs[:]...); err != nil {
			return err
		}
		for _, o := range chunk {
			g.res.Orders++
			g.res.GMV[o.in.Currency] += *o.in.AmountMinor
			if r, ok := g.rateOn(o.in.Currency, g.dayOf(o.at)); ok {
				if v, err := money.Convert(*o.in.AmountMinor, o.in.Currency, r, baseCurrency); err == nil {
					g.res.GMVBase += v
				}
			}
		}
		if g.res.First.IsZero() {
			g.res.First = chunk[0].at.In(g.loc)
		}
		g.res.Last = chunk[len(chunk)-1].at.In(g.loc)
		g.progress(StepOrders, g.res.Orders, len(g.orders))
		if err := g.refundDue(ctx, g.clk.Now()); err != nil {
			return err
		}
		if round++; round == 1 || round == 3 || round == 10 { // statistics of the tables as they fill
			if err := g.optimize(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// send stores orders (of one stream) in batches, in order.
func (g *gen) send(ctx context.Context, orders []*orderPlan) error {
	for i := 0; i < len(orders); i += maxBatch {
		part := orders[i:min(i+maxBatch, len(orders))]
		in := conversion.BatchInput{Conversions: make([]conversion.Input, len(part))}
		for j, o := range part {
			in.Conversions[j] = o.in
		}
		res, err := g.svc.Conversions.Batch(ctx, g.sync, in)
		for try := 1; apperr.KindOf(err) == apperr.KindUnavailable && try < 5; try++ {
			// The other stream held the database past the busy timeout (a loaded machine): the batch
			// was rolled back whole, so sending it again is safe.
			res, err = g.svc.Conversions.Batch(ctx, g.sync, in)
		}
		if err != nil {
			return fail("orders", err)
		}
		for j, it := range res.Items {
			if it.Status != conversion.OutcomeCreated || it.ID == nil {
				msg := ""
				if it.Error != nil {
					msg = fmt.Sprintf(": %s %v", it.Error.Message, it.Error.Fields)
				}
				return fmt.Errorf("demo: order %s was %s%s", part[j].in.ExternalID, it.Status, msg)
			}
			part[j].id = *it.ID
		}
	}
	return nil
}

// refundDue records the refunds that happened by t.
func (g *gen) refundDue(ctx context.Context, t time.Time) error {
	for len(g.refunds) > 0 && !g.refunds[0].at.After(t) {
		r := g.refunds[0]
		g.refunds = g.refunds[1:]
		at := r.at.Format(time.RFC3339)
		amount := r.amount
		_, _, err := g.svc.Conversions.AddRefund(ctx, g.sync, r.order.id, conversion.RefundInput{
			ExternalID: "RF-" + r.order.in.ExternalID + "-1", AmountMinor: &amount, OccurredAt: &at})
		if err != nil {
			return fail("refund of "+r.order.in.ExternalID, err)
		}
		g.res.Refunds++
	}
	return nil
}

// refundRest records the refunds still due at the end of the window (the others were recorded
// between the batches of orders, as they fell due).
func (g *gen) refundRest(ctx context.Context) error {
	g.at(g.now)
	g.progress(StepRefunds, g.res.Refunds, g.res.Refunds+len(g.refunds))
	if err := g.refundDue(ctx, g.now); err != nil {
		return err
	}
	g.progress(StepRefunds, g.res.Refunds, g.res.Refunds)
	return nil
}

// decisions are finance's: a few attributed orders rejected (with the reason), and the orders of
// the window's first months approved, a fortnight at a time, ten days after each fortnight; the
// server's automatic approval takes the rest as their hold ends.
func (g *gen) decisions(ctx context.Context) error {
	g.at(g.now.Add(-2 * time.Hour))
	byReason := map[string][]string{}
	for _, o := range g.orders {
		if o.reject != "" {
			byReason[o.reject] = append(byReason[o.reject], o.id)
		}
	}
	reasons := make([]string, 0, len(byReason))
	for r := range byReason {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, reason := range reasons {
		res, err := g.svc.Conversions.DecideMany(ctx, g.owner, conversion.BulkDecision{Action: conversion.ActionReject, IDs: byReason[reason], Reason: reason})
		if err != nil {
			return fail("rejections", err)
		}
		g.res.Rejected += res.Changed
	}
	// A bulk decision takes at most 10,000 conversions: a fortnight of the default's orders is about
	// 5,000; more orders a day, shorter stretches.
	span := 14
	if perDay := g.opt.Orders / g.days; perDay > 0 {
		span = min(max(5_000/(perDay*5/2), 1), 14)
	}
	last := g.now.AddDate(0, 0, -45)
	steps := 0
	for from := g.start; from.Before(last); from = from.AddDate(0, 0, span) {
		steps++
	}
	g.progress(StepDecisions, 0, steps)
	for i, from := 0, g.start; from.Before(last); i, from = i+1, from.AddDate(0, 0, span) {
		to := from.AddDate(0, 0, span-1)
		if to.After(last) {
			to = last
		}
		g.at(to.AddDate(0, 0, 10).Add(3 * time.Hour))
		bulk := conversion.BulkDecision{Action: conversion.ActionApprove}
		bulk.Filter = &conversion.BulkFilter{Status: conversion.StatusPending, From: g.dayOf(from), To: g.dayOf(to)}
		res, err := g.svc.Conversions.DecideMany(ctx, g.owner, bulk)
		if err != nil {
			return fail("approvals", err)
		}
		g.res.Approved += res.Changed
		g.progress(StepDecisions, i+1, steps)
	}
	g.at(g.now)
	f := false
	l, err := g.svc.Conversions.List(ctx, g.owner, conversion.Filter{Attributed: &f}, page.Request{Limit: 1})
	if err != nil {
		return err
	}
	g.res.Unattributed = int(l.Total)
	return nil
}
