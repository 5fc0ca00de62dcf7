package conversion_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// later moves the world's clock on and signs its people in again (access tokens last 15 minutes).
func (w *world) later(d time.Duration) {
	w.e.Clock.Advance(d)
	w.owner, w.fin = w.e.Login(w.owner.Email, apitest.Password), w.e.Login(w.fin.Email, apitest.Password)
}

// TestAGrossBasePlanPaysOnTheAmountPlusTheDiscount: a campaign whose plan is on the gross base pays
// its rate on amount_minor + discount_minor (the contract's "gross"), rounded once half away from
// zero, says so in the entry's explanation, and keeps the order's GMV net; the same order on a net
// plan pays on amount_minor alone.
func TestAGrossBasePlanPaysOnTheAmountPlusTheDiscount(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		e := w.e
		g := call(t, e, w.owner, "POST", "/api/v1/campaigns", obj{"name": "Gross tea", "starts_on": "2026-11-01",
			"plan": obj{"type": "percent", "rate_bps": 1000, "base": "gross"}}, http.StatusCreated)
		if g["plan"].(obj)["base"] != "gross" {
			t.Fatalf("campaign = %v", g)
		}
		gid := g["id"].(string)
		call(t, e, w.owner, "POST", "/api/v1/campaigns/"+gid+"/creators", obj{"creator_id": w.creator}, http.StatusCreated)
		call(t, e, w.owner, "POST", "/api/v1/promo-codes", obj{"code": "GROSS10", "creator_id": w.creator, "campaign_id": gid, "account_id": w.account}, http.StatusCreated)

		for _, c := range []struct {
			ext, code        string
			amount, discount int64
			base, want       int64
			baseName         string
		}{
			{"G-1", "GROSS10", 8097, 900, 8997, 900, "gross"}, // 899.7 → 900
			{"G-2", "GROSS10", 8095, 900, 8995, 900, "gross"}, // 899.5 → 900, half away from zero
			{"G-3", "GROSS10", 8097, 0, 8097, 810, "gross"},   // no discount: gross is the amount
			{"N-1", "LUNA10", 8097, 900, 8097, 810, "net"},    // the net plan ignores the discount
		} {
			body := obj{"external_id": c.ext, "amount_minor": c.amount, "promo_code": c.code}
			if c.discount != 0 {
				body["discount_minor"] = c.discount
			}
			o := w.order(t, body, http.StatusCreated)
			es := entries(o)
			if len(es) != 1 {
				t.Fatalf("%s entries = %v", c.ext, es)
			}
			en, ex := es[0], es[0]["explanation"].(obj)
			if num(en["amount_minor"]) != c.want || num(en["gmv_minor"]) != c.amount || num(en["rate_bps"]) != 1000 ||
				ex["base"] != c.baseName || num(ex["base_minor"]) != c.base || ex["source"] != "plan" {
				t.Errorf("%s: entry %v", c.ext, en)
			}
			if c.code == "GROSS10" && (o["campaign_id"] != gid || num(o["discount_minor"]) != c.discount) {
				t.Errorf("%s: conversion %v", c.ext, o)
			}
		}
		// the ledger's own list says the same
		l := call(t, e, w.fin, "GET", "/api/v1/commissions?campaign_id="+gid, nil, http.StatusOK)
		if num(l["total"]) != 3 {
			t.Fatalf("the gross campaign's entries = %v", l)
		}
		for _, en := range list(l, "items") {
			if en["explanation"].(obj)["base"] != "gross" {
				t.Errorf("entry %v", en)
			}
		}
	})
}

// TestAnAgencyChangeAfterAnOrderLeavesItsSplitAndLaterOrdersTakeTheNewOne: the agency split of an
// entry is the membership and share in force on the order's date. Raising the agency's share, then
// moving the creator to another agency, leaves the earlier orders' entries (and the reversal of a
// refund of one) on the old split; orders after each change take the new one; an order that arrives
// late takes the split of its own date.
func TestAnAgencyChangeAfterAnOrderLeavesItsSplitAndLaterOrdersTakeTheNewOne(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		e := w.e
		a := call(t, e, w.owner, "POST", "/api/v1/agencies", obj{"name": "Star MCN", "country": "US", "share_bps": 2000}, http.StatusCreated)
		b := call(t, e, w.owner, "POST", "/api/v1/agencies", obj{"name": "Moon MCN", "country": "US", "share_bps": 1000}, http.StatusCreated)
		aID, bID := a["id"].(string), b["id"].(string)
		call(t, e, w.owner, "PATCH", "/api/v1/creators/"+w.creator, obj{"agency_id": aID}, http.StatusOK) // 11:00
		w.later(time.Hour)

		split := func(name string, c obj, agency string, bps, share, baseShare int64) {
			t.Helper()
			es := entries(c)
			if len(es) == 0 {
				t.Fatalf("%s: no entries: %v", name, c)
			}
			en := es[0]
			if en["agency_id"] != agency || num(en["agency_share_bps"]) != bps || num(en["agency_share_minor"]) != share ||
				num(en["base_agency_share_minor"]) != baseShare {
				t.Errorf("%s: agency %v %v bps, share %v (base %v); want %s %d bps, %d (base %d)", name, en["agency_id"],
					en["agency_share_bps"], en["agency_share_minor"], en["base_agency_share_minor"], agency, bps, share, baseShare)
			}
		}
		// 10 % of 100.00 USD = 10.00 = 71.00 CNY
		o1 := w.order(t, obj{"external_id": "A-1", "amount_minor": 10000, "promo_code": "LUNA10", "occurred_at": "2026-11-24T11:30:00Z"}, http.StatusCreated)
		split("A-1", o1, aID, 2000, 200, 1420)

		call(t, e, w.owner, "PATCH", "/api/v1/agencies/"+aID, obj{"share_bps": 3000}, http.StatusOK) // 12:00
		w.later(time.Hour)
		o2 := w.order(t, obj{"external_id": "A-2", "amount_minor": 10000, "promo_code": "LUNA10", "occurred_at": "2026-11-24T12:30:00Z"}, http.StatusCreated)
		split("A-2 (after the share changed)", o2, aID, 3000, 300, 2130)

		call(t, e, w.owner, "PATCH", "/api/v1/creators/"+w.creator, obj{"agency_id": bID}, http.StatusOK) // 13:00
		w.later(time.Hour)
		o3 := w.order(t, obj{"external_id": "A-3", "amount_minor": 10000, "promo_code": "LUNA10", "occurred_at": "2026-11-24T13:30:00Z"}, http.StatusCreated)
		split("A-3 (after the move)", o3, bID, 1000, 100, 710)
		late := w.order(t, obj{"external_id": "A-4", "amount_minor": 10000, "promo_code": "LUNA10", "occurred_at": "2026-11-24T11:45:00Z"}, http.StatusCreated)
		split("A-4 (dated before both changes, sent after)", late, aID, 2000, 200, 1420)

		// the first orders' entries are as they were written
		for name, o := range map[string]obj{"A-1": o1, "A-2": o2} {
			again := call(t, e, w.owner, "GET", "/api/v1/conversions/"+o["id"].(string), nil, http.StatusOK)
			if entries(again)[0]["id"] != entries(o)[0]["id"] {
				t.Fatalf("%s: entry replaced: %v", name, entries(again))
			}
			want := entries(o)[0]
			split(name+" read again", again, aID, num(want["agency_share_bps"]), num(want["agency_share_minor"]), num(want["base_agency_share_minor"]))
		}
		// a refund of half of A-1 now reverses half of its commission and of its agency's share on
		// A-1's split, not the creator's current one
		r := call(t, e, w.fin, "POST", "/api/v1/conversions/"+o1["id"].(string)+"/refunds", obj{"external_id": "R-1", "amount_minor": 5000}, http.StatusCreated)
		rev := list(r, "entries")
		if len(rev) != 1 || num(rev[0]["amount_minor"]) != -500 || rev[0]["agency_id"] != aID || num(rev[0]["agency_share_minor"]) != -100 ||
			num(rev[0]["base_agency_share_minor"]) != -710 {
			t.Fatalf("reversal of A-1 = %v", rev)
		}
	})
}

// figures keys a dashboard section's lines by key.
func figures(d obj, section string) map[string]obj {
	out := map[string]obj{}
	for _, f := range list(d, section) {
		out[f["key"].(string)] = f
	}
	return out
}

// TestDashboardTotalsByAccountCampaignAndPlatformEqualTheLedgersEntries: the ledger's totals by account,
// campaign and platform (ledger.TotalsBy, which the dashboard reads) are the sums of the entries the
// commissions list answers: orders are commission entries, GMV and commission the base-currency
// amounts of commissions and reversals; entries without an FX rate count in orders only; orders
// without an account or a campaign are in no line of that grouping.
func TestDashboardTotalsByAccountCampaignAndPlatformEqualTheLedgersEntries(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		e := w.e
		mia := call(t, e, w.owner, "POST", "/api/v1/creators", obj{"display_name": "Mia", "country": "GB", "default_rate_bps": 300,
			"accounts": []obj{{"platform": "instagram", "handle": "@mia"}, {"platform": "youtube", "handle": "@miatube"}}}, http.StatusCreated)
		miaID := mia["id"].(string)
		insta, tube := list(mia, "accounts")[0]["id"].(string), list(mia, "accounts")[1]["id"].(string)
		au := call(t, e, w.owner, "POST", "/api/v1/campaigns", obj{"name": "Autumn", "starts_on": "2026-11-01",
			"plan": obj{"type": "percent", "rate_bps": 500}}, http.StatusCreated)
		auID := au["id"].(string)
		for _, c := range []string{miaID, w.creator} {
			call(t, e, w.owner, "POST", "/api/v1/campaigns/"+auID+"/creators", obj{"creator_id": c}, http.StatusCreated)
		}
		call(t, e, w.owner, "POST", "/api/v1/promo-codes", obj{"code": "MIA5", "creator_id": miaID, "campaign_id": auID, "account_id": insta}, http.StatusCreated)
		call(t, e, w.owner, "POST", "/api/v1/promo-codes", obj{"code": "LUNAAUTUMN", "creator_id": w.creator, "campaign_id": auID}, http.StatusCreated)
		zed := call(t, e, w.owner, "POST", "/api/v1/creators", obj{"display_name": "Zed", "country": "US",
			"accounts": []obj{{"platform": "rednote", "handle": "zed"}}}, http.StatusCreated) // in no campaign
		call(t, e, w.fin, "PUT", "/api/v1/fx-rates", obj{"on": "2026-11-20", "currency": "JPY", "base_currency": "CNY", "rate": "0.0473"}, http.StatusOK)

		orders := []obj{
			{"external_id": "T-1", "amount_minor": 8097, "promo_code": "LUNA10", "occurred_at": "2026-11-21T10:00:00Z"},
			{"external_id": "T-2", "amount_minor": 12345, "currency": "JPY", "promo_code": "LUNA10", "occurred_at": "2026-11-22T10:00:00Z"},
			{"external_id": "T-3", "amount_minor": 2599, "promo_code": "MIA5", "occurred_at": "2026-11-22T11:00:00Z"},
			{"external_id": "T-4", "amount_minor": 4999, "platform": "youtube", "account_handle": "@miatube", "occurred_at": "2026-11-23T11:00:00Z"}, // her campaign, her other account
			{"external_id": "T-5", "amount_minor": 1999, "currency": "EUR", "promo_code": "MIA5", "occurred_at": "2026-11-23T12:00:00Z"},             // no EUR rate
			{"external_id": "T-6", "amount_minor": 3000, "promo_code": "LUNAAUTUMN", "occurred_at": "2026-11-23T13:00:00Z"},                          // a campaign, no account
			{"external_id": "T-7", "amount_minor": 7000, "creator_id": zed["id"], "occurred_at": "2026-11-23T14:00:00Z"},                             // neither: no account, no campaign
			{"external_id": "T-8", "amount_minor": 5000, "occurred_at": "2026-11-23T15:00:00Z"},                                                      // nobody's
			{"external_id": "T-9", "amount_minor": 6000, "promo_code": "MIA5", "occurred_at": "2026-11-24T01:00:00Z"},
		}
		ids := map[string]string{}
		for _, o := range orders {
			ids[o["external_id"].(string)] = w.order(t, o, http.StatusCreated)["id"].(string)
		}
		// a partial refund of one, a full refund of another
		call(t, e, w.fin, "POST", "/api/v1/conversions/"+ids["T-1"]+"/refunds", obj{"external_id": "R-1", "amount_minor": 1349}, http.StatusCreated)
		call(t, e, w.fin, "POST", "/api/v1/conversions/"+ids["T-9"]+"/refunds", obj{"external_id": "R-9", "amount_minor": 6000}, http.StatusCreated)

		type sum struct{ orders, gmv, commission int64 }
		want := map[string]map[string]*sum{"account_id": {}, "campaign_id": {}, "platform": {}}
		var all sum
		l := call(t, e, w.fin, "GET", "/api/v1/commissions?limit=500", nil, http.StatusOK)
		if num(l["total"]) != 10 { // 8 commissions (T-8 is nobody's), 2 reversals
			t.Fatalf("entries = %v", l)
		}
		for _, en := range list(l, "items") {
			var s sum
			if en["kind"] == "commission" {
				s.orders = 1
			}
			if en["base_amount_minor"] != nil {
				s.gmv, s.commission = num(en["base_gmv_minor"]), num(en["base_amount_minor"])
			} else if en["base_gmv_minor"] != nil {
				t.Errorf("an entry without a base amount has a base GMV: %v", en)
			}
			all.orders, all.gmv, all.commission = all.orders+s.orders, all.gmv+s.gmv, all.commission+s.commission
			for by, m := range want {
				k, _ := en[by].(string)
				if k == "" {
					continue
				}
				if m[k] == nil {
					m[k] = &sum{}
				}
				m[k].orders, m[k].gmv, m[k].commission = m[k].orders+s.orders, m[k].gmv+s.gmv, m[k].commission+s.commission
			}
		}
		if len(want["account_id"]) != 3 || len(want["campaign_id"]) != 2 || len(want["platform"]) != 3 {
			t.Fatalf("the orders should reach 3 accounts, 2 campaigns and 3 platforms: %v", want)
		}

		d := call(t, e, w.owner, "GET", "/api/v1/insights/dashboard?from=2026-11-01&to=2026-11-30", nil, http.StatusOK)
		for by, section := range map[string]string{"account_id": "accounts", "campaign_id": "campaigns", "platform": "platforms"} {
			got := figures(d, section)
			for k, s := range want[by] {
				f := got[k]
				if f == nil {
					t.Errorf("%s %s: no line in the dashboard", by, k)
					continue
				}
				if num(f["conversions"]) != s.orders || num(f["gmv_minor"]) != s.gmv || num(f["commission_minor"]) != s.commission {
					t.Errorf("%s %s: dashboard %v orders, %v GMV, %v commission; entries %+v", by, k, f["conversions"], f["gmv_minor"], f["commission_minor"], *s)
				}
			}
			for k, f := range got {
				if want[by][k] == nil && (num(f["gmv_minor"]) != 0 || num(f["conversions"]) != 0) {
					t.Errorf("%s %s: a dashboard line without entries: %v", by, k, f)
				}
			}
		}
		tot := d["totals"].(obj)
		if num(tot["conversions"]) != all.orders || num(tot["gmv_minor"]) != all.gmv || num(tot["commission_minor"]) != all.commission {
			t.Errorf("dashboard totals %v; entries %+v", tot, all)
		}
		// spot checks of the arithmetic the sums rest on: Luna's TikTok account has T-1 (commission 810,
		// partly reversed) and T-2 (in JPY); the fully refunded T-9 nets to nothing on Mia's Instagram
		acc := figures(d, "accounts")
		if num(acc[w.account]["conversions"]) != 2 || num(acc[insta]["conversions"]) != 3 || num(acc[tube]["conversions"]) != 1 {
			t.Errorf("accounts = %v", list(d, "accounts"))
		}
		if camp := figures(d, "campaigns"); num(camp[w.campaign]["conversions"]) != 2 || num(camp[auID]["conversions"]) != 5 {
			t.Errorf("campaigns = %v", list(d, "campaigns"))
		}
	})
}
