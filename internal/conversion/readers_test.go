package conversion_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/app"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// TestHeldConversionsAreApprovedOnceTheHoldHasPassed: the worker's job approves pending attributed
// conversions whose hold has passed, and leaves the fully refunded, the unattributed and the
// still-held ones alone.
func TestHeldConversionsAreApprovedOnceTheHoldHasPassed(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		e := w.e
		ctx := context.Background()
		held := w.order(t, obj{"external_id": "H-1", "amount_minor": 1000, "promo_code": "LUNA10"}, http.StatusCreated)
		refunded := w.order(t, obj{"external_id": "H-2", "amount_minor": 1000, "promo_code": "LUNA10"}, http.StatusCreated)
		call(t, e, w.fin, "POST", "/api/v1/conversions/"+refunded["id"].(string)+"/refunds", obj{"external_id": "R", "amount_minor": 1000}, http.StatusCreated)
		unattributed := w.order(t, obj{"external_id": "H-3", "amount_minor": 1000}, http.StatusCreated)
		late := w.order(t, obj{"external_id": "H-4", "amount_minor": 1000, "promo_code": "LUNA10", "occurred_at": "2026-11-24T10:55:00Z"}, http.StatusCreated)
		hold := held["hold_until"].(string)
		until, _ := time.Parse(time.RFC3339, hold)
		e.Clock.Set(until.Add(time.Minute)) // past H-1's hold, before H-4's (55 minutes later)
		n, err := e.Deps.Conversions.AutoApprove(ctx, 500)
		if err != nil || n != 1 {
			t.Fatalf("approved %d (%v), want 1", n, err)
		}
		fin := e.Login(w.fin.Email, "correct horse battery")
		for id, want := range map[string]string{held["id"].(string): "approved", refunded["id"].(string): "reversed",
			unattributed["id"].(string): "pending", late["id"].(string): "pending"} {
			if got := call(t, e, fin, "GET", "/api/v1/conversions/"+id, nil, 200)["status"]; got != want {
				t.Errorf("conversion %s is %v, want %s", id, got, want)
			}
		}
		if n, _ := e.Deps.Conversions.AutoApprove(ctx, 500); n != 0 {
			t.Fatalf("a second run approved %d", n)
		}
	})
}

// TestTheCreatorListAndTheExposureInsightReadTheLedger: the creator list's -gmv_90d sort and the
// platform exposure show the ledger's GMV, in the base currency.
func TestTheCreatorListAndTheExposureInsightReadTheLedger(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		e := w.e
		call(t, e, w.owner, "POST", "/api/v1/creators", obj{"display_name": "Quiet", "country": "US",
			"accounts": []obj{{"platform": "youtube", "handle": "@quiet"}}}, http.StatusCreated)
		w.order(t, obj{"external_id": "G-1", "amount_minor": 10000, "platform": "tiktok", "account_handle": "luna"}, http.StatusCreated)
		// no campaign and no default rate: she earns nothing, but the GMV is hers and YouTube's
		w.order(t, obj{"external_id": "G-2", "amount_minor": 500, "platform": "youtube", "account_handle": "quiet"}, http.StatusCreated)
		if _, err := app.RefreshCreatorGMV(context.Background(), e.Deps, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		l := call(t, e, w.owner, "GET", "/api/v1/creators?sort=-gmv_90d", nil, 200)
		first := list(l, "items")[0]
		// 100.00 USD at 7.1 = 710.00 CNY
		if first["id"] != w.creator || num(first["gmv_90d_minor"]) != 71000 {
			t.Fatalf("creators by GMV: %v", list(l, "items"))
		}
		ex := call(t, e, w.owner, "GET", "/api/v1/insights/platform-exposure", nil, 200)
		for _, p := range list(ex, "platforms") {
			if (p["key"] == "tiktok" && (num(p["gmv_minor"]) != 71000 || num(p["commission_minor"]) != 7100)) ||
				(p["key"] == "youtube" && (num(p["gmv_minor"]) != 3550 || num(p["commission_minor"]) != 0)) {
				t.Fatalf("%s exposure = %v", p["key"], p)
			}
		}
		if num(ex["totals"].(obj)["gmv_minor"]) != 71000+3550 {
			t.Fatalf("exposure totals = %v", ex["totals"])
		}
	})
}

// TestTheDashboardAddsUpTheLedgerAndTheClicks: a click on Luna's link and two orders; the dashboard
// shows them per day, platform, campaign, account and creator, in the base currency (CNY).
func TestTheDashboardAddsUpTheLedgerAndTheClicks(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		e := w.e
		for i := range 4 {
			e.Do(apitest.Request{Method: "GET", Path: "/r/" + w.linkCode, Headers: map[string]string{"User-Agent": fmt.Sprintf("Mozilla/5.0 (iPhone; visitor %d) Safari", i)}})
		}
		if err := e.Deps.Tracking.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		w.order(t, obj{"external_id": "D-1", "amount_minor": 10000, "platform": "tiktok", "account_handle": "luna"}, http.StatusCreated)
		w.order(t, obj{"external_id": "D-2", "amount_minor": 5000}, http.StatusCreated) // unattributed
		d := call(t, e, w.owner, "GET", "/api/v1/insights/dashboard?from=2026-11-20&to=2026-11-24", nil, 200)
		tot := d["totals"].(obj)
		// 100.00 USD at 7.1 = 710.00 CNY; 10 % = 71.00 CNY; 1 order of 4 clicks = 2500 bps
		if d["currency"] != "CNY" || num(tot["gmv_minor"]) != 71000 || num(tot["commission_minor"]) != 7100 || num(tot["clicks"]) != 4 ||
			num(tot["conversions"]) != 1 || num(tot["conversion_rate_bps"]) != 2500 {
			t.Fatalf("totals = %v", tot)
		}
		days := list(d, "days")
		if len(days) != 5 || days[4]["day"] != "2026-11-24" || num(days[4]["gmv_minor"]) != 71000 || num(days[4]["clicks"]) != 4 || num(days[0]["gmv_minor"]) != 0 {
			t.Fatalf("days = %v", days)
		}
		if p := list(d, "platforms"); len(p) != 1 || p[0]["key"] != "tiktok" || num(p[0]["clicks"]) != 4 {
			t.Fatalf("platforms = %v", p)
		}
		if c := list(d, "campaigns"); len(c) != 1 || c[0]["name"] != "Spring tea" {
			t.Fatalf("campaigns = %v", c)
		}
		if c := list(d, "top_creators"); len(c) != 1 || c[0]["name"] != "Luna" || num(c[0]["gmv_minor"]) != 71000 {
			t.Fatalf("top creators = %v", c)
		}
		if a := list(d, "accounts"); len(a) != 1 || a[0]["name"] != "@luna" || a[0]["platform"] != "tiktok" {
			t.Fatalf("accounts = %v", a)
		}
		if num(d["pending_approvals"]) != 1 || num(d["unattributed"]) != 1 {
			t.Fatalf("queue = %v %v", d["pending_approvals"], d["unattributed"])
		}
		call(t, e, w.owner, "GET", "/api/v1/insights/dashboard?from=2026-11-24&to=2026-11-20", nil, http.StatusBadRequest)
	})
}
