package payout_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

type obj = map[string]any

func call(t *testing.T, e *apitest.Env, u apitest.User, method, path string, body any, want int) obj {
	t.Helper()
	res := e.Expect(want, apitest.Request{Method: method, Path: path, Body: body, Token: u.Token})
	if len(res.Body) == 0 || res.Body[0] != '{' {
		return nil
	}
	return res.Map(t)
}

func num(v any) int64 {
	f, ok := v.(float64)
	if !ok {
		return -999_999
	}
	return int64(f)
}

func items(l obj) []obj {
	var out []obj
	for _, it := range l["items"].([]any) {
		out = append(out, it.(obj))
	}
	return out
}

// TestAWorkedMonthStatementsLockingAndPayouts builds November by hand: two USD orders and one EUR
// order for a creator whose agency takes 20 %, a partial refund, an adjustment, approvals; then
// closes November, refunds in December, and pays. Every figure is computed by hand below.
func TestAWorkedMonthStatementsLockingAndPayouts(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Home", "owner@nb.example") // CNY, Asia/Shanghai; the clock is 2026-11-24 09:00 UTC
		fin := e.AddUser(owner, "finance@nb.example", actor.RoleFinance)
		ag := call(t, e, owner, "POST", "/api/v1/agencies", obj{"name": "MCN", "country": "US", "share_bps": 2000}, 201)
		c := call(t, e, owner, "POST", "/api/v1/creators", obj{"display_name": "Luna", "country": "US", "agency_id": ag["id"],
			"payout_method": "paypal", "payout_account": "luna@pay.example", "payout_holder": "Luna Park",
			"accounts": []obj{{"platform": "tiktok", "handle": "@luna"}}}, 201)
		luna := c["id"].(string)
		if c["payout_method"] != "paypal" || c["payout_account"] != "luna@pay.example" {
			t.Fatalf("payout details = %v", c)
		}
		cm := call(t, e, owner, "POST", "/api/v1/campaigns", obj{"name": "Tea", "starts_on": "2026-11-01", "plan": obj{"type": "percent", "rate_bps": 1000}}, 201)
		call(t, e, owner, "POST", "/api/v1/campaigns/"+cm["id"].(string)+"/creators", obj{"creator_id": luna}, 201)
		call(t, e, owner, "POST", "/api/v1/promo-codes", obj{"code": "LUNA10", "creator_id": luna, "campaign_id": cm["id"]}, 201)
		call(t, e, fin, "PUT", "/api/v1/fx-rates", obj{"on": "2026-11-01", "currency": "USD", "base_currency": "CNY", "rate": "7.1"}, 200)
		order := func(id, cur string, amount int64) string {
			o := call(t, e, fin, "POST", "/api/v1/conversions", obj{"external_id": id, "occurred_at": "2026-11-24T10:00:00Z", "currency": cur,
				"amount_minor": amount, "promo_code": "LUNA10"}, 201)
			return o["id"].(string)
		}
		a, b := order("A", "USD", 10000), order("B", "USD", 5000)
		order("C", "EUR", 2000)
		call(t, e, fin, "POST", "/api/v1/conversions/"+b+"/refunds", obj{"external_id": "RB1", "amount_minor": 2500, "occurred_at": "2026-11-24T10:30:00Z"}, 201)
		adj := call(t, e, fin, "POST", "/api/v1/adjustments", obj{"creator_id": luna, "amount_minor": 300, "currency": "USD", "reason": "bonus for the live", "period": "2026-11"}, 201)
		if adj["kind"] != "adjustment" || num(adj["agency_share_minor"]) != 60 || num(adj["base_amount_minor"]) != 2130 {
			t.Fatalf("adjustment = %v", adj)
		}
		call(t, e, fin, "POST", "/api/v1/adjustments", obj{"creator_id": luna, "amount_minor": 300, "currency": "USD"}, http.StatusUnprocessableEntity) // no reason
		call(t, e, fin, "POST", "/api/v1/conversions/"+a+"/approve", nil, 200)
		call(t, e, fin, "POST", "/api/v1/conversions/"+b+"/approve", nil, 200)

		want := map[string]obj{
			// A: 1000 (share 200, base 7100, base share 1420); B: 500 (100; 3550, 710); B's refund of half:
			// -250 (-50; -1775, -355); adjustment 300 (60; 2130, 426).
			"USD": {"conversions": 2, "gmv_minor": 15000, "commission_minor": 1500, "reversal_minor": -250, "adjustment_minor": 300,
				"agency_share_minor": 310, "payable_minor": 1240, "pending_minor": 0, "base_payable_minor": 8804},
			// C: 200 (share 40), pending, no EUR rate.
			"EUR": {"conversions": 1, "gmv_minor": 2000, "commission_minor": 200, "reversal_minor": 0, "adjustment_minor": 0,
				"agency_share_minor": 40, "payable_minor": 0, "pending_minor": 160, "base_payable_minor": 0},
		}
		check := func(st obj, status string) {
			t.Helper()
			if st["status"] != status || len(items(st)) != 2 {
				t.Fatalf("statements = %v", st)
			}
			for _, l := range items(st) {
				w := want[l["currency"].(string)]
				for k, v := range w {
					if num(l[k]) != int64(v.(int)) {
						t.Errorf("%s %s = %v, want %v", l["currency"], k, l[k], v)
					}
				}
				if l["creator_name"] != "Luna" || l["base_currency"] != "CNY" {
					t.Errorf("line = %v", l)
				}
			}
		}
		check(call(t, e, fin, "GET", "/api/v1/statements?period=2026-11", nil, 200), "open")
		call(t, e, fin, "POST", "/api/v1/periods/2026-11/close", nil, http.StatusConflict) // November has not ended
		call(t, e, fin, "POST", "/api/v1/payouts", obj{"period": "2026-11"}, http.StatusConflict)

		// December: close November, and everything that names it is locked
		e.Clock.Set(time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC))
		owner, fin = e.Login(owner.Email, apitest.Password), e.Login(fin.Email, apitest.Password)
		seller := e.AddUser(owner, "seller@nb.example", actor.RoleManager)
		call(t, e, seller, "POST", "/api/v1/periods/2026-11/close", nil, http.StatusForbidden)
		if pd := call(t, e, fin, "POST", "/api/v1/periods/2026-11/close", nil, 200); pd["status"] != "closed" {
			t.Fatalf("close = %v", pd)
		}
		for _, w := range []struct {
			method, path string
			body         obj
		}{
			{"POST", "/api/v1/adjustments", obj{"creator_id": luna, "amount_minor": 100, "currency": "USD", "reason": "late", "period": "2026-11"}},
			{"PUT", "/api/v1/fx-rates", obj{"on": "2026-11-15", "currency": "USD", "base_currency": "CNY", "rate": "7.2"}},
		} {
			res := e.Expect(http.StatusConflict, apitest.Request{Method: w.method, Path: w.path, Body: w.body, Token: fin.Token})
			if res.ErrorCode(t) != "period_closed" {
				t.Errorf("%s %s into a closed period: %s", w.method, w.path, res.Body)
			}
		}
		// a late refund dated in November lands in December, and November does not change
		r := call(t, e, fin, "POST", "/api/v1/conversions/"+b+"/refunds", obj{"external_id": "RB2", "amount_minor": 2500, "occurred_at": "2026-11-30T10:00:00Z"}, 201)
		rev := r["entries"].([]any)[0].(obj)
		if rev["period"] != "2026-12" || rev["explanation"].(obj)["event_period"] != "2026-11" || num(rev["amount_minor"]) != -250 {
			t.Fatalf("late reversal = %v", rev)
		}
		// a late order dated in November too
		late := call(t, e, fin, "POST", "/api/v1/conversions", obj{"external_id": "D", "occurred_at": "2026-11-28T10:00:00Z", "currency": "USD", "amount_minor": 1000, "promo_code": "LUNA10"}, 201)
		if late["entries"].([]any)[0].(obj)["period"] != "2026-12" {
			t.Fatalf("late order's entry = %v", late["entries"])
		}
		check(call(t, e, fin, "GET", "/api/v1/statements?period=2026-11", nil, 200), "closed")
		dec := call(t, e, fin, "GET", "/api/v1/statements?period=2026-12", nil, 200)
		if l := items(dec)[0]; num(l["reversal_minor"]) != -250 || num(l["payable_minor"]) != -200 || num(l["pending_minor"]) != 80 {
			t.Fatalf("December = %v", l) // the clawback (-250 + 50 share) is payable; D (100 - 20) pending
		}

		// pay November: one payout of 12.40 USD; two "paid" at once pay once
		batch := call(t, e, fin, "POST", "/api/v1/payouts", obj{"period": "2026-11"}, 201)
		pos := batch["items"].([]any)
		if len(pos) != 1 || num(pos[0].(obj)["amount_minor"]) != 1240 || pos[0].(obj)["currency"] != "USD" {
			t.Fatalf("batch = %v", batch)
		}
		if again := call(t, e, fin, "POST", "/api/v1/payouts", obj{"period": "2026-11"}, 201); len(again["items"].([]any)) != 0 {
			t.Fatalf("a second batch paid again: %v", again)
		}
		id := pos[0].(obj)["id"].(string)
		for _, f := range []struct{ format, want string }{
			{"csv", "luna@pay.example"}, {"paypal", "luna@pay.example,12.40,USD,"}, {"wise", "Luna Park,luna@pay.example,CARAVAN 2026-11"},
		} {
			res := e.Expect(200, apitest.Request{Method: "GET", Path: "/api/v1/payouts/file?period=2026-11&format=" + f.format, Token: fin.Token})
			if !strings.Contains(string(res.Body), f.want) {
				t.Errorf("%s file:\n%s", f.format, res.Body)
			}
		}
		e.Expect(200, apitest.Request{Method: "GET", Path: "/api/v1/payouts/file?period=2026-11", Token: fin.Token})
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i := range codes {
			wg.Go(func() {
				codes[i] = e.Do(apitest.Request{Method: "POST", Path: "/api/v1/payouts/" + id + "/paid", Token: fin.Token,
					Body: obj{"reference": "PP-123", "paid_on": "2026-12-02"}}).Status
			})
		}
		wg.Wait()
		if !(codes[0] == 200 && codes[1] == 409) && !(codes[0] == 409 && codes[1] == 200) {
			t.Fatalf("two simultaneous marks: %v", codes)
		}
		if st := call(t, e, fin, "GET", "/api/v1/conversions/"+a, nil, 200); st["status"] != "paid" || st["paid_at"] == nil {
			t.Fatalf("A after the payout = %v", st["status"])
		}
		// B was refunded in full after its approval: reversed, and its clawback waits in December
		if st := call(t, e, fin, "GET", "/api/v1/conversions/"+b, nil, 200); st["status"] != "reversed" || st["paid_at"] == nil {
			t.Fatalf("B after the payout = %v %v", st["status"], st["paid_at"])
		}
		// reopening is the owner's, with a reason
		call(t, e, fin, "POST", "/api/v1/periods/2026-11/reopen", obj{"reason": "x"}, http.StatusForbidden)
		call(t, e, owner, "POST", "/api/v1/periods/2026-11/reopen", obj{}, http.StatusUnprocessableEntity)
		if pd := call(t, e, owner, "POST", "/api/v1/periods/2026-11/reopen", obj{"reason": "a missing invoice"}, 200); pd["status"] != "open" {
			t.Fatalf("reopen = %v", pd)
		}
		log := call(t, e, owner, "GET", "/api/v1/audit-log?target_id=2026-11", nil, 200)
		if num(log["total"]) < 2 {
			t.Fatalf("period actions audited: %v", log)
		}
	})
}
