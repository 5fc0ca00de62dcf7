package campaign_test

import (
	"testing"

	"github.com/caravan-crm/caravan/internal/campaign"
)

func ptr[T any](v T) *T { return &v }

var tiered = campaign.Plan{Type: "tiered", Currency: ptr("USD"), Tiers: []campaign.Tier{
	{FromGMVMinor: 0, RateBps: 500}, {FromGMVMinor: 100_000, RateBps: 800}, {FromGMVMinor: 500_000, RateBps: 1000},
}}

// A tiered plan earns the rate of the highest tier whose threshold is at most the creator's GMV
// before this order: exactly at a boundary is the new tier, one below is the old one.
func TestTierIsChosenByPriorGMVAtAndBelowTheBoundary(t *testing.T) {
	for _, tc := range []struct {
		prior    int64
		wantRate int64
		wantTier int
	}{
		{0, 500, 0},
		{-500, 500, 0}, // refunds left the creator below zero: still the first tier
		{99_999, 500, 0},
		{100_000, 800, 1},
		{100_001, 800, 1},
		{499_999, 800, 1},
		{500_000, 1000, 2},
		{1 << 40, 1000, 2},
	} {
		d, err := campaign.Rate(tiered, nil, nil, tc.prior)
		if err != nil {
			t.Fatal(err)
		}
		if d.Source != "plan" || d.Type != "percent" || d.RateBps != tc.wantRate || d.Tier == nil || *d.Tier != tc.wantTier || d.Currency != "USD" {
			t.Errorf("prior %d: %+v, want rate %d tier %d", tc.prior, d, tc.wantRate, tc.wantTier)
		}
	}
}

// Precedence: enrolment override > product rate_bps > campaign plan, whatever the plan's type.
func TestRatePrecedenceOverrideThenProductThenPlan(t *testing.T) {
	percent := campaign.Plan{Type: "percent", RateBps: ptr[int64](1000)}
	flat := campaign.Plan{Type: "flat", AmountMinor: ptr[int64](300), Currency: ptr("USD")}
	for _, tc := range []struct {
		name              string
		plan              campaign.Plan
		override, product *int64
		wantSource        string
		wantType          string
		wantRate          int64
	}{
		{"override beats product and plan", percent, ptr[int64](2000), ptr[int64](1500), "override", "percent", 2000},
		{"a zero override still wins", percent, ptr[int64](0), ptr[int64](1500), "override", "percent", 0},
		{"product beats plan", percent, nil, ptr[int64](1500), "product", "percent", 1500},
		{"plan alone", percent, nil, nil, "plan", "percent", 1000},
		{"override beats a tiered plan", tiered, ptr[int64](1200), nil, "override", "percent", 1200},
		{"product beats a flat plan", flat, nil, ptr[int64](700), "product", "percent", 700},
		{"flat plan alone", flat, nil, nil, "plan", "flat", 0},
	} {
		d, err := campaign.Rate(tc.plan, tc.override, tc.product, 200_000)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if d.Source != tc.wantSource || d.Type != tc.wantType || d.RateBps != tc.wantRate {
			t.Errorf("%s: %+v, want %s %s %d", tc.name, d, tc.wantSource, tc.wantType, tc.wantRate)
		}
	}
}

// A flat plan earns its amount per order, whatever the order's size.
func TestFlatPlanEarnsItsAmountPerOrder(t *testing.T) {
	d, err := campaign.Rate(campaign.Plan{Type: "flat", AmountMinor: ptr[int64](300), Currency: ptr("usd")}, nil, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, net := range []int64{1, 10_000, 1_000_000} {
		if got, _ := d.Commission(net, 500); got != 300 || d.Currency != "USD" {
			t.Errorf("flat on %d: %d %s, want 300 USD", net, got, d.Currency)
		}
	}
}

// Gross is net plus discount; the base is the plan's even when an override sets the rate; rounding
// is once, half away from zero.
func TestGrossAndNetBases(t *testing.T) {
	for _, tc := range []struct {
		base           string
		override       *int64
		net, discount  int64
		wantCommission int64
	}{
		{"", nil, 9000, 1000, 900},
		{"net", nil, 9000, 1000, 900},
		{"gross", nil, 9000, 1000, 1000},
		{"gross", ptr[int64](2000), 9000, 1000, 2000},
		{"net", ptr[int64](1250), 1999, 0, 250}, // 249.875 → 250
	} {
		plan := campaign.Plan{Type: "percent", RateBps: ptr[int64](1000), Base: tc.base}
		d, err := campaign.Rate(plan, tc.override, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		got, err := d.Commission(tc.net, tc.discount)
		if err != nil || got != tc.wantCommission {
			t.Errorf("base %q override %v on %d-%d: %d (%v), want %d", tc.base, tc.override, tc.net, tc.discount, got, err, tc.wantCommission)
		}
	}
}

func TestRateRefusesPlansThatBreakTheRules(t *testing.T) {
	for name, plan := range map[string]campaign.Plan{
		"no type":                 {},
		"unknown type":            {Type: "bonus", RateBps: ptr[int64](10)},
		"percent without rate":    {Type: "percent"},
		"percent above 100 %":     {Type: "percent", RateBps: ptr[int64](10_001)},
		"negative rate":           {Type: "percent", RateBps: ptr[int64](-1)},
		"percent with tiers":      {Type: "percent", RateBps: ptr[int64](10), Tiers: tiered.Tiers},
		"flat without currency":   {Type: "flat", AmountMinor: ptr[int64](10)},
		"flat with bad currency":  {Type: "flat", AmountMinor: ptr[int64](10), Currency: ptr("XXX")},
		"flat negative":           {Type: "flat", AmountMinor: ptr[int64](-10), Currency: ptr("USD")},
		"tiered without tiers":    {Type: "tiered", Currency: ptr("USD")},
		"tiered without currency": {Type: "tiered", Tiers: tiered.Tiers},
		"first tier not from 0":   {Type: "tiered", Currency: ptr("USD"), Tiers: []campaign.Tier{{FromGMVMinor: 1, RateBps: 5}}},
		"tiers not ascending": {Type: "tiered", Currency: ptr("USD"), Tiers: []campaign.Tier{
			{FromGMVMinor: 0, RateBps: 5}, {FromGMVMinor: 100, RateBps: 6}, {FromGMVMinor: 100, RateBps: 7}}},
		"tier rate too high": {Type: "tiered", Currency: ptr("USD"), Tiers: []campaign.Tier{{FromGMVMinor: 0, RateBps: 20_000}}},
		"unknown base":       {Type: "percent", RateBps: ptr[int64](10), Base: "margin"},
	} {
		if _, err := campaign.Rate(plan, nil, nil, 0); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := campaign.Rate(campaign.Plan{Type: "percent", RateBps: ptr[int64](10)}, ptr[int64](10_001), nil, 0); err == nil {
		t.Error("an override above 10000 bps was accepted")
	}
}
