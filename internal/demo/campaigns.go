package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/caravan-crm/caravan/internal/campaign"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/platform"
	"github.com/caravan-crm/caravan/internal/tracking"
)

// productRun is a product as written.
type productRun struct {
	*product
	id string
}

// campaignRun is a campaign as written: the instants it runs between.
type campaignRun struct {
	spec     *campaignSpec
	id       string
	created  time.Time
	from, to time.Time // its first instant, and the first after its last day (the end of the window when open)
	ended    bool
	products []*productRun
}

// channel is a promo code or a link of a creator in a campaign, usable by orders between from and to.
type channel struct {
	creator     *creatorPlan
	account     *accountPlan
	camp        *campaignRun
	code        string // the promo code or the link's code
	linkID      string
	discountBps int64 // a promo code's discount
	from, to    time.Time
	weight      float64
}

// catalogue writes the products, the campaigns with their plans, and every enrolment with its
// links, promo codes, sample and post.
func (g *gen) catalogue(ctx context.Context) error {
	g.at(g.start.AddDate(0, 0, -200))
	for i := range products {
		p := &products[i]
		url := shopURL + "/products/" + p.slug
		nameZh := p.nameZh
		in := campaign.NewProduct{SKU: p.sku, Name: p.name, NameZh: &nameZh, PriceMinor: p.usdCents, Currency: "USD", URL: &url}
		if p.rateBps > 0 {
			rate := p.rateBps
			in.RateBps = &rate
		}
		got, err := g.svc.Campaigns.CreateProduct(ctx, g.owner, in)
		if err != nil {
			return fail("product "+p.sku, err)
		}
		g.products = append(g.products, &productRun{product: p, id: got.ID})
	}
	g.res.Products = len(g.products)

	for i := range campaigns {
		spec := &campaigns[i]
		// The catalogue places campaigns in six months (183 days); a shorter or longer history stretches them.
		start, days := spec.start*g.days/183, spec.days*g.days/183
		if spec.status == campaign.StatusDraft {
			start, days = g.days+spec.start, spec.days
		} else if start < 0 {
			start += g.days
		}
		cr := &campaignRun{spec: spec, from: g.day(start)}
		cr.to = g.now
		var endsOn *string
		if days > 0 {
			end := g.day(start + days)
			e := g.dayOf(end.Add(-time.Hour))
			endsOn = &e
			if end.Before(g.now) {
				cr.to, cr.ended = end, true
			}
		}
		for _, p := range g.products {
			if slices.Contains(spec.kinds, p.kind) {
				cr.products = append(cr.products, p)
			}
		}
		in := campaign.NewCampaign{Name: spec.name, StartsOn: g.dayOf(cr.from), EndsOn: endsOn, Platforms: spec.platforms, Status: campaign.StatusActive}
		if spec.status == campaign.StatusDraft {
			in.Status = campaign.StatusDraft
		}
		for _, p := range cr.products {
			in.ProductIDs = append(in.ProductIDs, p.id)
		}
		if spec.window > 0 {
			w := spec.window
			in.AttributionWindowDays = &w
		}
		if spec.hold > 0 {
			h := spec.hold
			in.HoldDays = &h
		}
		if spec.budget > 0 {
			b, cur := spec.budget, "USD"
			in.BudgetMinor, in.Currency = &b, &cur
		}
		in.Plan = planOf(spec, spec.rateBps)
		cr.created = cr.from.AddDate(0, 0, -7).Add(10 * time.Hour)
		if spec.status == campaign.StatusDraft {
			cr.created = g.now.AddDate(0, 0, -3)
		}
		g.at(cr.created)
		got, err := g.svc.Campaigns.CreateCampaign(ctx, g.owner, in)
		if err != nil {
			return fail("campaign "+spec.name, err)
		}
		cr.id = got.ID
		if spec.raise > 0 && days > 0 {
			from := cr.from.Add(cr.to.Sub(cr.from) / 2).Format(time.RFC3339)
			if _, err := g.svc.Campaigns.AddPlan(ctx, g.owner, cr.id, campaign.NewPlanVersion{Plan: planOf(spec, spec.raise), EffectiveFrom: &from}); err != nil {
				return fail("plan of "+spec.name, err)
			}
		}
		g.camps = append(g.camps, cr)
		g.res.Campaigns++
	}

	// Enrolments, campaign by campaign, each at the instant the creator was signed.
	codes := map[string]bool{}
	for _, code := range storeCodes {
		codes[code] = true
	}
	total := 0
	plans := make([][]*creatorPlan, len(g.camps))
	for i, cr := range g.camps {
		plans[i] = g.enrolees(cr)
		total += len(plans[i])
	}
	done := 0
	g.progress(StepCampaigns, 0, total)
	for i, cr := range g.camps {
		for _, c := range plans[i] {
			if err := g.enrol(ctx, cr, c, codes); err != nil {
				return err
			}
			done++
			g.progress(StepCampaigns, done, total)
		}
		if cr.ended {
			g.at(cr.to.Add(26 * time.Hour))
			ended := campaign.StatusEnded
			if _, err := g.svc.Campaigns.UpdateCampaign(ctx, g.owner, cr.id, campaign.CampaignChange{Status: creator.Nullable[string]{Set: true, Value: &ended}}, nil); err != nil {
				return fail("ending "+cr.spec.name, err)
			}
		}
	}
	return nil
}

// planOf is a campaign's plan at rate (percent plans) or its tiers.
func planOf(spec *campaignSpec, rate int64) *campaign.Plan {
	if len(spec.tiers) > 0 {
		cur := spec.tierCur
		p := &campaign.Plan{Type: campaign.PlanTiered, Currency: &cur, Base: spec.base}
		for _, t := range spec.tiers {
			bps := t.bps
			if rate > 0 && t.from == 0 {
				bps = rate
			}
			p.Tiers = append(p.Tiers, campaign.Tier{FromGMVMinor: t.from, RateBps: bps})
		}
		return p
	}
	return &campaign.Plan{Type: campaign.PlanPercent, RateBps: &rate, Base: spec.base}
}

// enrolees are the creators a campaign signs: sellers of its countries with an account on one of its
// platforms, who were with the seller while it ran.
func (g *gen) enrolees(cr *campaignRun) []*creatorPlan {
	var out []*creatorPlan
	for _, c := range g.creators {
		draft := cr.spec.status == campaign.StatusDraft
		if c.weight == 0 && !(draft && c.in.Status == creator.StatusNegotiating) {
			continue
		}
		if !c.joined.Before(cr.to.Add(-7*24*time.Hour)) || (!c.until.IsZero() && c.until.Before(cr.from)) {
			continue
		}
		if len(cr.spec.countries) > 0 && !slices.Contains(cr.spec.countries, c.market.country) {
			continue
		}
		if len(g.campaignAccounts(cr, c)) == 0 {
			continue
		}
		if g.chance(cr.spec.share) {
			out = append(out, c)
		}
	}
	return out
}

// campaignAccounts are the creator's active accounts on the campaign's platforms.
func (g *gen) campaignAccounts(cr *campaignRun, c *creatorPlan) []*accountPlan {
	var out []*accountPlan
	for _, a := range c.active() {
		if slices.Contains(cr.spec.platforms, a.platform) {
			out = append(out, a)
		}
	}
	return out
}

// enrol signs a creator up for a campaign; an accepted enrolment gets a link (two, sometimes), often
// a promo code, a sample and a post.
func (g *gen) enrol(ctx context.Context, cr *campaignRun, c *creatorPlan, codes map[string]bool) error {
	at := cr.created.Add(time.Duration(g.r.IntN(4*24*3600)) * time.Second)
	if j := c.joined.Add(24 * time.Hour); at.Before(j) {
		at = j
	}
	if at.After(g.now.Add(-time.Hour)) {
		return nil
	}
	accts := g.campaignAccounts(cr, c)
	in := campaign.NewEnrolment{CreatorID: c.id, Status: campaign.EnrolmentAccepted}
	switch x := g.r.IntN(100); {
	case cr.spec.status == campaign.StatusDraft || x < 8:
		in.Status = campaign.EnrolmentInvited
	case x < 15:
		in.Status = campaign.EnrolmentDeclined
	}
	accepted := in.Status == campaign.EnrolmentAccepted
	for _, a := range accts {
		in.AccountIDs = append(in.AccountIDs, a.id)
	}
	if accepted && g.chance(0.08) {
		rate := []int64{1500, 1800, 2000}[g.r.IntN(3)]
		in.RateBps = &rate
	}
	if accepted && c.accounts[0].followers[len(c.accounts[0].followers)-1] > 300_000 && g.chance(0.5) {
		fee, cur := int64(g.between(3, 15))*10_000, "USD"
		in.FeeMinor, in.FeeCurrency = &fee, &cur
	}
	g.at(at)
	_, err := g.svc.Campaigns.Enrol(ctx, g.owner, cr.id, in)
	if err != nil {
		return fail("enrolling "+c.in.DisplayName+" in "+cr.spec.name, err)
	}
	g.res.Enrolments++
	if !accepted {
		return nil
	}

	// Until when the creator's codes and links bring orders.
	until := cr.to.AddDate(0, 0, 10)
	if !c.until.IsZero() && c.until.Before(until) {
		until = c.until
	}
	if until.After(g.now) {
		until = g.now
	}
	weight := c.weight * (0.6 + 0.8*g.r.Float64())
	dest := shopURL + "/collections/" + cr.spec.slug
	g.at(at.Add(time.Hour))
	for i, a := range accts {
		if i > 0 && !g.chance(0.25) {
			break
		}
		id := a.id
		l, err := g.svc.Tracking.CreateLink(ctx, g.owner, tracking.NewLink{CreatorID: c.id, CampaignID: cr.id, AccountID: &id, DestinationURL: dest})
		if err != nil {
			return fail("link of "+c.in.DisplayName, err)
		}
		g.links = append(g.links, &channel{creator: c, account: a, camp: cr, code: l.Code, linkID: l.ID, from: at.Add(time.Hour), to: until,
			weight: weight / float64(i+1)})
		g.res.Links++
	}
	if g.chance(0.65) {
		pct := []int64{10, 10, 15, 15, 20}[g.r.IntN(5)]
		code := g.promoCode(codes, c.stem, cr.spec.slug, pct)
		pc, err := g.svc.Tracking.CreatePromoCode(ctx, g.owner, tracking.NewPromoCode{Code: code, CreatorID: c.id, CampaignID: cr.id, AccountID: &accts[0].id})
		if err != nil {
			return fail("promo code "+code, err)
		}
		g.codes = append(g.codes, &channel{creator: c, account: accts[0], camp: cr, code: pc.Code, discountBps: pct * 100, from: at.Add(time.Hour),
			to: until, weight: weight})
		g.res.PromoCodes++
	}

	// The sample, and the post it led to.
	prods := cr.products
	if len(prods) == 0 {
		prods = g.products
	}
	p := pick(g, prods)
	shipped := at.AddDate(0, 0, 2)
	if !shipped.After(g.now) {
		g.at(at.AddDate(0, 0, 1))
		on := g.dayOf(shipped)
		carrier := pick(g, []string{"DHL Express", "FedEx International", "YunExpress", "4PX", "UPS"})
		tn := fmt.Sprintf("%s%010d", strings.ToUpper(carrier[:2]), g.r.Int64N(10_000_000_000))
		in := campaign.NewSample{CreatorID: c.id, ProductID: p.id, Quantity: 1, UnitCostMinor: p.usdCents * 252 / 100, Currency: baseCurrency,
			Carrier: &carrier, TrackingNumber: &tn, ShippedOn: &on}
		if d := at.AddDate(0, 0, g.between(8, 14)); d.Before(g.now) {
			don := g.dayOf(d)
			in.DeliveredOn = &don
		}
		if _, err := g.svc.Campaigns.AddSample(ctx, g.owner, cr.id, in); err != nil {
			return fail("sample for "+c.in.DisplayName, err)
		}
		g.res.Samples++
	}
	a := accts[0]
	posted := at.AddDate(0, 0, g.between(12, 24))
	d := campaign.NewDeliverable{CreatorID: c.id, AccountID: &a.id}
	if posted.Before(g.now) {
		g.at(posted)
		url := postURL(g, a)
		views := a.avgViews * int64(g.between(50, 300)) / 100
		likes := views * a.engBps / 10_000
		comments, shares := likes/25, likes/40
		d.Status, d.URL, d.Views, d.Likes, d.Comments, d.Shares = campaign.DeliverablePosted, &url, &views, &likes, &comments, &shares
	} else {
		due := g.dayOf(posted)
		d.Status, d.DueOn = campaign.DeliverablePlanned, &due
	}
	if _, err := g.svc.Campaigns.AddDeliverable(ctx, g.owner, cr.id, d); err != nil {
		return fail("post of "+c.in.DisplayName, err)
	}
	g.res.Deliverables++
	return nil
}

// promoCode draws a free code from the creator's stem: EMMA15, then EMMARATTAN15, then with digits.
func (g *gen) promoCode(codes map[string]bool, stem, slug string, pct int64) string {
	word := strings.ToUpper(strings.SplitN(slug, "-", 2)[0])
	for try := 0; ; try++ {
		var code string
		switch try {
		case 0:
			code = fmt.Sprintf("%s%d", stem, pct)
		case 1:
			code = fmt.Sprintf("%s%s%d", stem, word, pct)
		default:
			code = fmt.Sprintf("%s%d%d", stem, g.between(2, 99), pct)
		}
		if !codes[code] {
			codes[code] = true
			return code
		}
	}
}

// postURL is the address of a post on the account's platform.
func postURL(g *gen, a *accountPlan) string {
	const hex = "0123456789abcdef"
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	rnd := func(alphabet string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[g.r.IntN(len(alphabet))]
		}
		return string(b)
	}
	switch a.platform {
	case platform.TikTok:
		return fmt.Sprintf("https://www.tiktok.com/@%s/video/74%017d", a.handle, g.r.Int64N(1e17))
	case platform.YouTube:
		return "https://www.youtube.com/watch?v=" + rnd(b64, 11)
	case platform.Instagram:
		return "https://www.instagram.com/reel/" + rnd(b64[:62], 11) + "/"
	}
	return "https://www.xiaohongshu.com/explore/" + rnd(hex, 24)
}
