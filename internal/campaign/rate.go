package campaign

import (
	"fmt"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/money"
)

// Plan types and bases.
const (
	PlanPercent = "percent"
	PlanFlat    = "flat"
	PlanTiered  = "tiered"

	BaseNet   = "net"   // the order's amount after discounts, before tax and shipping
	BaseGross = "gross" // net + discount
)

// maxTiers bounds a tiered plan.
const maxTiers = 20

// Plan is a campaign's commission plan: {type: "percent", rate_bps}, {type: "flat", amount_minor,
// currency} (an amount per order), or {type: "tiered", tiers, currency}, on base "net" (default) or
// "gross". Fields of another type are refused.
type Plan struct {
	Type        string  `json:"type"`
	RateBps     *int64  `json:"rate_bps,omitempty"`
	AmountMinor *int64  `json:"amount_minor,omitempty"`
	Currency    *string `json:"currency,omitempty"`
	Tiers       []Tier  `json:"tiers,omitempty"`
	Base        string  `json:"base,omitempty"`
}

// Tier is a step of a tiered plan: from the creator's prior GMV from_gmv_minor (in the plan's
// currency) on, orders earn rate_bps.
type Tier struct {
	FromGMVMinor int64 `json:"from_gmv_minor"`
	RateBps      int64 `json:"rate_bps"`
}

// validate checks p strictly and normalises it (base defaults to net, currency upper case); the
// field names of its problems start with prefix ("plan.").
func (p *Plan) validate(f apperr.Fields, prefix string) {
	if p.Base == "" {
		p.Base = BaseNet
	}
	f.Check(p.Base != BaseNet && p.Base != BaseGross, prefix+"base", "must be net or gross")
	if p.Currency != nil {
		c := money.NormalizeCurrency(*p.Currency)
		p.Currency = &c
		f.Check(!money.ValidCurrency(c), prefix+"currency", "must be an ISO 4217 currency code such as USD")
	}
	rate := func(field string, v int64) {
		f.Check(v < 0 || v > 10_000, field, "must be basis points from 0 to 10000")
	}
	notFor := func(bad bool, field string) {
		f.Check(bad, prefix+field, "must not be given for a "+p.Type+" plan")
	}
	switch p.Type {
	case PlanPercent:
		f.Check(p.RateBps == nil, prefix+"rate_bps", "is required")
		if p.RateBps != nil {
			rate(prefix+"rate_bps", *p.RateBps)
		}
		notFor(p.AmountMinor != nil, "amount_minor")
		notFor(p.Tiers != nil, "tiers")
		notFor(p.Currency != nil, "currency")
	case PlanFlat:
		f.Check(p.AmountMinor == nil, prefix+"amount_minor", "is required")
		f.Check(p.AmountMinor != nil && *p.AmountMinor < 0, prefix+"amount_minor", "must not be negative")
		f.Check(p.Currency == nil, prefix+"currency", "is required")
		notFor(p.RateBps != nil, "rate_bps")
		notFor(p.Tiers != nil, "tiers")
	case PlanTiered:
		f.Check(len(p.Tiers) == 0, prefix+"tiers", "is required")
		f.Check(len(p.Tiers) > maxTiers, prefix+"tiers", fmt.Sprintf("at most %d tiers", maxTiers))
		f.Check(p.Currency == nil, prefix+"currency", "is required")
		notFor(p.RateBps != nil, "rate_bps")
		notFor(p.AmountMinor != nil, "amount_minor")
		for i, t := range p.Tiers {
			field := fmt.Sprintf("%stiers[%d].", prefix, i)
			rate(field+"rate_bps", t.RateBps)
			switch {
			case i == 0:
				f.Check(t.FromGMVMinor != 0, field+"from_gmv_minor", "the first tier must start from 0")
			case t.FromGMVMinor <= p.Tiers[i-1].FromGMVMinor:
				f.Add(field+"from_gmv_minor", "must be greater than the previous tier's")
			}
		}
	case "":
		f.Add(prefix+"type", "is required")
	default:
		f.Add(prefix+"type", "must be percent, flat or tiered")
	}
}

// Validate checks a plan as the API does, without changing it.
func (p Plan) Validate() error {
	f := apperr.Fields{}
	p.validate(f, "plan.")
	return f.Err()
}

// Rate sources, in precedence order.
const (
	SourceOverride = "override" // the creator's enrolment override
	SourceProduct  = "product"  // the product's rate_bps (per item, when the order lists items)
	SourcePlan     = "plan"     // the campaign's plan
)

// RateDecision is what an order (or one of its items) earns, and why, so a finance user can
// recompute it by hand.
type RateDecision struct {
	Source string `json:"source"` // override | product | plan
	Type   string `json:"type"`   // percent | flat
	// RateBps is the rate of a percent decision.
	RateBps int64 `json:"rate_bps"`
	// AmountMinor and Currency are a flat plan's amount per order.
	AmountMinor int64  `json:"amount_minor,omitempty"`
	Currency    string `json:"currency,omitempty"`
	Base        string `json:"base"` // net | gross
	// Tier is the index of the tier that applied, and TierFromMinor its threshold (tiered plans).
	Tier          *int   `json:"tier,omitempty"`
	TierFromMinor *int64 `json:"tier_from_gmv_minor,omitempty"`
}

// Rate decides the rate of an order under plan, following the contract: an enrolment override
// beats a product's rate_bps (which applies per item, when the order lists items), which beats the
// plan. A tiered plan earns the rate of the highest tier whose from_gmv_minor is at most
// priorGMVMinor, the creator's attributed GMV in the campaign and period before this order (in the
// plan's currency). A flat plan earns its amount per order. The base is the plan's (net or gross)
// whatever the source. A plan that breaks the rules, or a rate outside 0..10000, is an error.
func Rate(plan Plan, overrideBps *int64, productRateBps *int64, priorGMVMinor int64) (RateDecision, error) {
	f := apperr.Fields{}
	plan.validate(f, "plan.") // on Rate's copy: normalises the base and currency
	if err := f.Err(); err != nil {
		return RateDecision{}, err
	}
	base := plan.Base
	for _, o := range []struct {
		v      *int64
		source string
	}{{overrideBps, SourceOverride}, {productRateBps, SourceProduct}} {
		if o.v == nil {
			continue
		}
		if *o.v < 0 || *o.v > 10_000 {
			return RateDecision{}, apperr.Validation(map[string]string{o.source + "_rate_bps": "must be basis points from 0 to 10000"})
		}
		return RateDecision{Source: o.source, Type: PlanPercent, RateBps: *o.v, Base: base}, nil
	}
	d := RateDecision{Source: SourcePlan, Base: base}
	switch plan.Type {
	case PlanPercent:
		d.Type, d.RateBps = PlanPercent, *plan.RateBps
	case PlanFlat:
		d.Type, d.AmountMinor, d.Currency = PlanFlat, *plan.AmountMinor, *plan.Currency
	case PlanTiered:
		i := 0 // the first tier starts from 0; a negative prior GMV (refunds) stays in it
		for j, t := range plan.Tiers {
			if t.FromGMVMinor <= priorGMVMinor {
				i = j
			}
		}
		from := plan.Tiers[i].FromGMVMinor
		d.Type, d.RateBps, d.Currency, d.Tier, d.TierFromMinor = PlanPercent, plan.Tiers[i].RateBps, *plan.Currency, &i, &from
	}
	return d, nil
}

// BaseAmount is the amount a percent decision applies to: the order's net amount, or net plus the
// discount on a gross base.
func (d RateDecision) BaseAmount(netMinor, discountMinor int64) int64 {
	if d.Base == BaseGross {
		return netMinor + discountMinor
	}
	return netMinor
}

// Commission is what the decision earns on an order (or item) of netMinor after discountMinor, in
// the order's currency for a percent decision (rounded once, half away from zero) and in
// d.Currency for a flat one.
func (d RateDecision) Commission(netMinor, discountMinor int64) (int64, error) {
	if d.Type == PlanFlat {
		return d.AmountMinor, nil
	}
	return money.ApplyBps(d.BaseAmount(netMinor, discountMinor), d.RateBps)
}
