package demo_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/demo"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// TestTheSmallDemoHasEveryCurrencyPlatformAgencyRefundAndRate builds the small demo and reads it back
// through the API, as its owner signing in: orders in USD, EUR, GBP and JPY, each with FX rates;
// creator accounts on TikTok, YouTube, Instagram and RedNote; at least one agency with creators;
// refunded orders and their reversal entries.
func TestTheSmallDemoHasEveryCurrencyPlatformAgencyRefundAndRate(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		clk := clock.NewManual(time.Now())
		opt := small("mix@demo.example")
		if _, err := demo.Run(context.Background(), services(t, db, clk), clk, opt); err != nil {
			t.Fatal(err)
		}
		e := apitest.New(t, db)
		owner := e.Login(opt.Email, opt.Password)
		get := func(path string) map[string]any {
			t.Helper()
			return e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: path, Token: owner.Token}).Map(t)
		}
		items := func(m map[string]any) []map[string]any {
			var out []map[string]any
			for _, it := range m["items"].([]any) {
				out = append(out, it.(map[string]any))
			}
			return out
		}

		four := []string{"EUR", "GBP", "JPY", "USD"}
		orders := get("/api/v1/conversions?limit=500")
		if n := len(items(orders)); n != opt.Orders {
			t.Fatalf("%d orders listed, want %d", n, opt.Orders)
		}
		byCurrency := map[string]int{}
		refunded := 0
		for _, c := range items(orders) {
			byCurrency[c["currency"].(string)]++
			if c["refunded_minor"].(float64) > 0 {
				refunded++
			}
		}
		for _, cur := range four {
			if byCurrency[cur] == 0 {
				t.Errorf("no order in %s: %v", cur, byCurrency)
			}
			if len(items(get("/api/v1/fx-rates?currency="+cur))) == 0 {
				t.Errorf("no FX rate for %s", cur)
			}
		}
		if len(byCurrency) != len(four) {
			t.Errorf("orders in %v, want exactly %v", byCurrency, four)
		}

		for _, p := range []string{"tiktok", "youtube", "instagram", "rednote"} {
			if l := get("/api/v1/creators?limit=1&platform=" + p); l["total"].(float64) == 0 {
				t.Errorf("no creator with an account on %s", p)
			}
		}
		var accounts []string
		for _, c := range items(get("/api/v1/creators?limit=500")) {
			for _, a := range c["accounts"].([]any) {
				if p := a.(map[string]any)["platform"].(string); !slices.Contains(accounts, p) {
					accounts = append(accounts, p)
				}
			}
		}
		for _, p := range []string{"tiktok", "youtube", "instagram", "rednote"} {
			if !slices.Contains(accounts, p) {
				t.Errorf("no account on %s among %v", p, accounts)
			}
		}

		agencies := items(get("/api/v1/agencies?limit=500"))
		members := 0
		for _, ag := range agencies {
			members += int(get("/api/v1/creators?limit=1&agency_id=" + ag["id"].(string))["total"].(float64))
		}
		if len(agencies) == 0 || members == 0 {
			t.Errorf("%d agencies with %d creators", len(agencies), members)
		}

		if refunded == 0 {
			t.Error("no refunded order")
		}
		if l := get("/api/v1/commissions?limit=1&kind=reversal"); l["total"].(float64) == 0 {
			t.Error("no reversal entry")
		}
	})
}
