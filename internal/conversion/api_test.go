package conversion_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

type obj = map[string]any

func call(t testing.TB, e *apitest.Env, u apitest.User, method, path string, body any, want int) obj {
	t.Helper()
	res := e.Expect(want, apitest.Request{Method: method, Path: path, Body: body, Token: u.Token})
	if len(res.Body) == 0 {
		return nil
	}
	return res.Map(t)
}

func list(l obj, key string) []obj {
	var out []obj
	raw, _ := l[key].([]any)
	for _, it := range raw {
		out = append(out, it.(obj))
	}
	return out
}

func num(v any) int64 {
	f, ok := v.(float64)
	if !ok {
		return -999_999
	}
	return int64(f)
}

// world is an organization with a creator (TikTok @luna), a campaign paying 10 % that she is enrolled
// in, her promo code LUNA10 and a link, and a USD → CNY rate.
type world struct {
	e                  *apitest.Env
	owner, fin         apitest.User
	key                string
	creator, account   string
	campaign, linkCode string
}

func newWorld(t testing.TB, db *bun.DB) *world {
	t.Helper()
	e := apitest.New(t, db)
	w := &world{e: e}
	w.owner = e.Setup("Ningbo Home", "owner@nb.example")
	w.fin = e.AddUser(w.owner, "finance@nb.example", actor.RoleFinance)
	c := call(t, e, w.owner, "POST", "/api/v1/creators", obj{"display_name": "Luna", "country": "US",
		"accounts": []obj{{"platform": "tiktok", "handle": "@luna"}}}, http.StatusCreated)
	w.creator, w.account = c["id"].(string), list(c, "accounts")[0]["id"].(string)
	cm := call(t, e, w.owner, "POST", "/api/v1/campaigns", obj{"name": "Spring tea", "starts_on": "2026-11-01",
		"plan": obj{"type": "percent", "rate_bps": 1000}, "attribution_window_days": 7}, http.StatusCreated)
	w.campaign = cm["id"].(string)
	call(t, e, w.owner, "POST", "/api/v1/campaigns/"+w.campaign+"/creators", obj{"creator_id": w.creator}, http.StatusCreated)
	call(t, e, w.owner, "POST", "/api/v1/promo-codes", obj{"code": "LUNA10", "creator_id": w.creator, "campaign_id": w.campaign, "account_id": w.account}, http.StatusCreated)
	l := call(t, e, w.owner, "POST", "/api/v1/links", obj{"creator_id": w.creator, "campaign_id": w.campaign, "account_id": w.account, "destination_url": "https://shop.example/tea"}, http.StatusCreated)
	w.linkCode = l["code"].(string)
	k := call(t, e, w.owner, "POST", "/api/v1/api-keys", obj{"name": "shop"}, http.StatusCreated)
	w.key = k["key"].(string)
	call(t, e, w.fin, "PUT", "/api/v1/fx-rates", obj{"on": "2026-11-01", "currency": "USD", "base_currency": "CNY", "rate": "7.1"}, http.StatusOK)
	e.Clock.Advance(2 * time.Hour) // 2026-11-24 11:00 UTC: access tokens expire, sign in again
	w.owner, w.fin = e.Login(w.owner.Email, apitest.Password), e.Login(w.fin.Email, apitest.Password)
	return w
}

// order posts an order with the API key.
func (w *world) order(t *testing.T, body obj, want int) obj {
	t.Helper()
	if body["occurred_at"] == nil {
		body["occurred_at"] = "2026-11-24T10:00:00Z"
	}
	if body["currency"] == nil {
		body["currency"] = "USD"
	}
	res := w.e.Expect(want, apitest.Request{Method: "POST", Path: "/api/v1/conversions", Body: body, APIKey: w.key})
	return res.Map(t)
}

func entries(c obj) []obj { return list(c, "entries") }

func TestEachRuleAttributesTheOrderToTheRightAccountAndOneCommission(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		e := w.e

		// promo code: rule promo_code, the code's account, 10 % of the net amount rounded once
		a := w.order(t, obj{"external_id": "1042", "amount_minor": 8097, "discount_minor": 900, "promo_code": "luna10"}, http.StatusCreated)
		if a["rule"] != "promo_code" || a["creator_id"] != w.creator || a["account_id"] != w.account || a["campaign_id"] != w.campaign || a["source"] != "api" {
			t.Fatalf("promo order = %v", a)
		}
		es := entries(a)
		if len(es) != 1 || es[0]["kind"] != "commission" || num(es[0]["amount_minor"]) != 810 || es[0]["currency"] != "USD" ||
			num(es[0]["base_amount_minor"]) != 5751 || es[0]["base_currency"] != "CNY" || es[0]["fx_rate"] != "7.1" ||
			num(es[0]["rate_bps"]) != 1000 || es[0]["period"] != "2026-11" {
			t.Fatalf("commission entry = %v", es)
		}
		ex := es[0]["explanation"].(obj)
		if ex["source"] != "plan" || num(ex["plan_version"]) != 1 || ex["base"] != "net" || num(ex["base_minor"]) != 8097 || ex["rule"] != "promo_code" {
			t.Fatalf("explanation = %v", ex)
		}
		// the same external id again: 200, the stored conversion, nothing added
		again := w.order(t, obj{"external_id": "1042", "amount_minor": 1, "promo_code": "LUNA10"}, http.StatusOK)
		if again["id"] != a["id"] || num(again["amount_minor"]) != 8097 || len(entries(again)) != 1 {
			t.Fatalf("redelivery = %v", again)
		}

		// platform + handle, written as a marketplace export writes it
		b := w.order(t, obj{"external_id": "TT-1", "amount_minor": 5000, "platform": "TikTok", "account_handle": "@LUNA"}, http.StatusCreated)
		if b["rule"] != "account" || b["account_id"] != w.account || b["platform"] != "tiktok" || b["campaign_id"] != w.campaign || num(entries(b)[0]["amount_minor"]) != 500 {
			t.Fatalf("account order = %v", b)
		}
		// a click on her link, then an order naming the click id
		res := e.Do(apitest.Request{Method: "GET", Path: "/r/" + w.linkCode, Headers: map[string]string{"User-Agent": "Mozilla/5.0 (iPhone) Safari/604.1"}})
		loc, _ := url.Parse(res.Header.Get("Location"))
		click := loc.Query().Get("cv_click")
		if res.Status != http.StatusFound || click == "" {
			t.Fatalf("redirect: %d %v", res.Status, res.Header)
		}
		c := w.order(t, obj{"external_id": "C-1", "amount_minor": 3000, "click_id": click, "occurred_at": e.Clock.Now().Add(time.Hour).Format(time.RFC3339)}, http.StatusCreated)
		if c["rule"] != "click" || c["creator_id"] != w.creator {
			t.Fatalf("click order = %v", c)
		}
		// a click too old for the campaign's 7-day window falls through to the link code
		d := w.order(t, obj{"external_id": "C-2", "amount_minor": 3000, "click_id": click, "link_code": w.linkCode,
			"occurred_at": e.Clock.Now().AddDate(0, 0, -8).Format(time.RFC3339)}, http.StatusCreated)
		if d["rule"] != "link" {
			t.Fatalf("stale click order = %v", d)
		}
		// first match wins: an explicit creator beats the promo code of another creator
		other := call(t, e, w.owner, "POST", "/api/v1/creators", obj{"display_name": "Jake", "country": "GB",
			"accounts": []obj{{"platform": "youtube", "handle": "@jake"}}}, http.StatusCreated)
		x := w.order(t, obj{"external_id": "X-1", "amount_minor": 1000, "creator_id": other["id"], "promo_code": "LUNA10"}, http.StatusCreated)
		if x["rule"] != "creator" || x["creator_id"] != other["id"] || len(entries(x)) != 1 || num(entries(x)[0]["amount_minor"]) != 0 ||
			num(entries(x)[0]["gmv_minor"]) != 1000 || entries(x)[0]["explanation"].(obj)["source"] != "no_rate" {
			t.Fatalf("explicit creator (no campaign, no default rate: a zero commission with its GMV) = %v", x)
		}
		// a stranger's creator id is a field error, not a silent drop
		b2 := e.NewOrg("Other", "o@other.example")
		strangers := call(t, e, b2, "POST", "/api/v1/creators", obj{"display_name": "Z", "country": "US", "accounts": []obj{{"platform": "tiktok", "handle": "@z"}}}, http.StatusCreated)
		r := e.Expect(http.StatusUnprocessableEntity, apitest.Request{Method: "POST", Path: "/api/v1/conversions", APIKey: w.key,
			Body: obj{"external_id": "S-1", "occurred_at": "2026-11-24T10:00:00Z", "currency": "USD", "amount_minor": 1, "creator_id": strangers["id"]}})
		if !strings.Contains(string(r.Body), "creator_id") {
			t.Fatalf("stranger's creator: %s", r.Body)
		}
		// an order that matches nothing is kept, unattributed
		u := w.order(t, obj{"external_id": "U-1", "amount_minor": 2000, "promo_code": "NOPE"}, http.StatusCreated)
		if u["rule"] != nil || u["creator_id"] != nil || len(entries(u)) != 0 || u["status"] != "pending" {
			t.Fatalf("unattributed = %v", u)
		}
		l := call(t, e, w.owner, "GET", "/api/v1/conversions?attributed=false", nil, 200)
		if num(l["total"]) != 1 {
			t.Fatalf("unattributed list = %v", l)
		}
		// finance attributes it by hand: its commission is recorded
		m := call(t, e, w.fin, "POST", "/api/v1/conversions/"+u["id"].(string)+"/attribute", obj{"creator_id": w.creator, "account_id": w.account}, 200)
		if m["rule"] != "manual" || m["campaign_id"] != w.campaign || len(entries(m)) != 1 || num(entries(m)[0]["amount_minor"]) != 200 {
			t.Fatalf("manual attribution = %v", m)
		}
		call(t, e, w.fin, "POST", "/api/v1/conversions/"+u["id"].(string)+"/attribute", obj{"creator_id": w.creator}, http.StatusConflict)

		// the campaign report and the creator list read the ledger
		rep := call(t, e, w.owner, "GET", "/api/v1/campaigns/"+w.campaign+"/report", nil, 200)
		tot := rep["totals"].(obj)
		if num(tot["conversions"]) != 5 {
			t.Fatalf("report totals = %v", tot)
		}
		l = call(t, e, w.owner, "GET", "/api/v1/conversions?creator_id="+w.creator+"&rule=promo_code", nil, 200)
		if num(l["total"]) != 1 {
			t.Fatalf("filter by rule = %v", l)
		}
	})
}

func TestRefundsReverseExactlyAndAFullRefundNetsToZeroInBothCurrencies(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		e := w.e
		a := w.order(t, obj{"external_id": "1042", "amount_minor": 8097, "promo_code": "LUNA10"}, http.StatusCreated)
		id := a["id"].(string)
		path := "/api/v1/conversions/" + id + "/refunds"
		r1 := call(t, e, w.fin, "POST", path, obj{"external_id": "R1", "amount_minor": 1349}, http.StatusCreated)
		// round(810 × 1349 ÷ 8097) = round(134.95) = 135
		if es := list(r1, "entries"); len(es) != 1 || num(es[0]["amount_minor"]) != -135 || es[0]["kind"] != "reversal" {
			t.Fatalf("partial refund entries = %v", r1)
		}
		// the same refund again: 200, nothing added
		r1b := call(t, e, w.fin, "POST", path, obj{"external_id": "R1", "amount_minor": 1349}, http.StatusOK)
		if len(list(r1b, "entries")) != 1 || num(r1b["conversion"].(obj)["refunded_minor"]) != 1349 {
			t.Fatalf("repeated refund = %v", r1b)
		}
		// past the order's amount: 422, nothing stored
		res := e.Expect(http.StatusUnprocessableEntity, apitest.Request{Method: "POST", Path: path, Token: w.fin.Token, Body: obj{"external_id": "R2", "amount_minor": 8097}})
		if res.ErrorCode(t) != "refund_exceeds_order" {
			t.Fatalf("over-refund: %s", res.Body)
		}
		// the rest: the reversal takes exactly the remainder, in both currencies
		r3 := call(t, e, w.fin, "POST", path, obj{"external_id": "R3", "amount_minor": 8097 - 1349}, http.StatusCreated)
		conv := r3["conversion"].(obj)
		if conv["status"] != "reversed" {
			t.Fatalf("status after full refund = %v", conv["status"])
		}
		var sum, base int64
		for _, en := range entries(conv) {
			sum += num(en["amount_minor"])
			base += num(en["base_amount_minor"])
		}
		if sum != 0 || base != 0 || len(entries(conv)) != 3 {
			t.Fatalf("full refund nets %d USD minor, %d CNY minor: %v", sum, base, entries(conv))
		}
		// a reversed conversion cannot be approved
		call(t, e, w.fin, "POST", "/api/v1/conversions/"+id+"/approve", nil, http.StatusConflict)

		// rejection: a reason is required, and the commission is reversed
		b := w.order(t, obj{"external_id": "1043", "amount_minor": 1000, "promo_code": "LUNA10"}, http.StatusCreated)
		bp := "/api/v1/conversions/" + b["id"].(string)
		call(t, e, w.fin, "POST", bp+"/reject", obj{}, http.StatusUnprocessableEntity)
		call(t, e, w.owner, "POST", bp+"/reject", obj{"reason": "fake order"}, 200)
		rb := call(t, e, w.fin, "GET", bp, nil, 200)
		if rb["status"] != "rejected" || rb["status_reason"] != "fake order" || len(entries(rb)) != 2 || num(entries(rb)[1]["amount_minor"]) != -100 {
			t.Fatalf("rejected = %v", rb)
		}
		call(t, e, w.fin, "POST", bp+"/approve", nil, http.StatusConflict)
		// a seller may not approve; finance may, and twice is no error
		c := w.order(t, obj{"external_id": "1044", "amount_minor": 1000, "promo_code": "LUNA10"}, http.StatusCreated)
		seller := e.AddUser(w.owner, "seller@nb.example", actor.RoleManager)
		call(t, e, seller, "POST", "/api/v1/conversions/"+c["id"].(string)+"/approve", nil, http.StatusForbidden)
		if ap := call(t, e, w.fin, "POST", "/api/v1/conversions/"+c["id"].(string)+"/approve", nil, 200); ap["status"] != "approved" {
			t.Fatalf("approve = %v", ap)
		}
		call(t, e, w.fin, "POST", "/api/v1/conversions/"+c["id"].(string)+"/approve", nil, 200)
		// bulk by filter: the pending ones of the campaign
		w.order(t, obj{"external_id": "1045", "amount_minor": 1000, "promo_code": "LUNA10"}, http.StatusCreated)
		w.order(t, obj{"external_id": "1046", "amount_minor": 1000, "promo_code": "LUNA10"}, http.StatusCreated)
		bulk := call(t, e, w.fin, "POST", "/api/v1/conversions/decisions", obj{"action": "approve", "filter": obj{"campaign_id": w.campaign, "status": "pending"}}, 200)
		if num(bulk["matched"]) != 2 || num(bulk["changed"]) != 2 {
			t.Fatalf("bulk approve = %v", bulk)
		}
		// the list's other filters work in bulk too: an order number, attributed or not
		w.order(t, obj{"external_id": "X-1047", "amount_minor": 1000}, http.StatusCreated)
		bulk = call(t, e, w.fin, "POST", "/api/v1/conversions/decisions", obj{"action": "reject", "reason": "test order",
			"filter": obj{"q": "X-10", "attributed": false}}, 200)
		if num(bulk["matched"]) != 1 || num(bulk["changed"]) != 1 {
			t.Fatalf("bulk reject by order number = %v", bulk)
		}
	})
}

func TestAPlanEditedAfterAnOrderLeavesThatOrdersCommissionUnchanged(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		e := w.e
		before := w.order(t, obj{"external_id": "B-1", "amount_minor": 10000, "promo_code": "LUNA10"}, http.StatusCreated)
		call(t, e, w.owner, "POST", "/api/v1/campaigns/"+w.campaign+"/plans", obj{"plan": obj{"type": "percent", "rate_bps": 2000}}, http.StatusCreated)
		late := w.order(t, obj{"external_id": "B-2", "amount_minor": 10000, "promo_code": "LUNA10", "occurred_at": "2026-11-24T10:30:00Z"}, http.StatusCreated)
		after := w.order(t, obj{"external_id": "B-3", "amount_minor": 10000, "promo_code": "LUNA10", "occurred_at": "2026-11-24T11:30:00Z"}, http.StatusCreated)
		if num(entries(late)[0]["amount_minor"]) != 1000 || num(entries(after)[0]["amount_minor"]) != 2000 {
			t.Fatalf("late order (before the change) %v, order after it %v", entries(late), entries(after))
		}
		again := call(t, e, w.owner, "GET", "/api/v1/conversions/"+before["id"].(string), nil, 200)
		en := entries(again)[0]
		if num(en["amount_minor"]) != 1000 || num(en["explanation"].(obj)["plan_version"]) != 1 || en["id"] != entries(before)[0]["id"] {
			t.Fatalf("the first order's commission changed: %v", en)
		}
	})
}

func TestOrdersWithoutARateAreFlaggedNotGuessed(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		eur := w.order(t, obj{"external_id": "E-1", "amount_minor": 1999, "currency": "EUR", "promo_code": "LUNA10"}, http.StatusCreated)
		en := entries(eur)[0]
		if en["base_amount_minor"] != nil || en["fx_missing"] != true || num(en["amount_minor"]) != 200 {
			t.Fatalf("EUR entry without a rate = %v", en)
		}
		l := call(t, w.e, w.fin, "GET", "/api/v1/commissions?fx_missing=true", nil, 200)
		if num(l["total"]) != 1 {
			t.Fatalf("fx_missing filter = %v", l)
		}
		// JPY has no minor unit, KWD three: the rate converts between exponents and rounds once
		call(t, w.e, w.fin, "PUT", "/api/v1/fx-rates", obj{"on": "2026-11-20", "currency": "JPY", "base_currency": "CNY", "rate": "0.0473"}, 200)
		call(t, w.e, w.fin, "PUT", "/api/v1/fx-rates", obj{"on": "2026-11-20", "currency": "KWD", "base_currency": "CNY", "rate": "23.15"}, 200)
		jpy := entries(w.order(t, obj{"external_id": "J-1", "amount_minor": 12345, "currency": "JPY", "promo_code": "LUNA10"}, http.StatusCreated))[0]
		// 10 % of ¥12345 = 1234.5 → ¥1235; × 0.0473 = 58.4155 CNY → 5842 fen
		if num(jpy["amount_minor"]) != 1235 || num(jpy["base_amount_minor"]) != 5842 {
			t.Fatalf("JPY entry = %v", jpy)
		}
		kwd := entries(w.order(t, obj{"external_id": "K-1", "amount_minor": 12345, "currency": "KWD", "promo_code": "LUNA10"}, http.StatusCreated))[0]
		// 10 % of 12.345 KWD = 1.2345 → 1.235 (1235 fils); × 23.15 = 28.59025 CNY → 2859 fen
		if num(kwd["amount_minor"]) != 1235 || num(kwd["base_amount_minor"]) != 2859 {
			t.Fatalf("KWD entry = %v", kwd)
		}
		for _, bad := range []obj{
			{"on": "2026-13-01", "currency": "USD", "base_currency": "CNY", "rate": "7"},
			{"on": "2026-11-01", "currency": "USD", "base_currency": "CNY", "rate": "0"},
			{"on": "2026-11-01", "currency": "USD", "base_currency": "CNY", "rate": "7.1e3x"},
			{"on": "2026-11-01", "currency": "CNY", "base_currency": "CNY", "rate": "1"},
		} {
			call(t, w.e, w.fin, "PUT", "/api/v1/fx-rates", bad, http.StatusUnprocessableEntity)
		}
	})
}

func TestBadOrdersGetAClearErrorAndBatchesAnswerPerItem(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		for _, bad := range []obj{
			{"external_id": "", "amount_minor": 1},
			{"external_id": "A", "amount_minor": -1},
			{"external_id": "A"},
			{"external_id": "A", "amount_minor": 1, "currency": "XXX1"},
			{"external_id": "A", "amount_minor": 1, "occurred_at": "yesterday"},
			{"external_id": "A", "amount_minor": 1, "occurred_at": "2030-01-01T00:00:00Z"},
			{"external_id": "A", "amount_minor": 1, "platform": "myspace", "account_handle": "x"},
			{"external_id": "A", "amount_minor": 1, "items": []obj{{"sku": "", "quantity": 0, "amount_minor": 1}}},
		} {
			w.order(t, bad, http.StatusUnprocessableEntity)
		}
		batch := make([]obj, 0, 4)
		batch = append(batch,
			obj{"external_id": "B1", "occurred_at": "2026-11-24T10:00:00Z", "currency": "USD", "amount_minor": 1000, "promo_code": "LUNA10"},
			obj{"external_id": "B2", "occurred_at": "2026-11-24T10:00:00Z", "currency": "USD", "amount_minor": -5},
			obj{"external_id": "B1", "occurred_at": "2026-11-24T10:00:00Z", "currency": "USD", "amount_minor": 1000},
			obj{"external_id": "B3", "occurred_at": "2026-11-24T10:00:00Z", "currency": "USD", "amount_minor": 1000})
		res := w.e.Expect(200, apitest.Request{Method: "POST", Path: "/api/v1/conversions/batch", APIKey: w.key, Body: obj{"conversions": batch}}).Map(t)
		items := list(res, "items")
		want := []string{"created", "rejected", "duplicate", "created"}
		for i, it := range items {
			if it["status"] != want[i] || num(it["index"]) != int64(i) {
				t.Fatalf("batch item %d = %v", i, it)
			}
		}
		if items[1]["error"].(obj)["code"] != "validation_failed" || items[0]["id"] != items[2]["id"] {
			t.Fatalf("batch = %v", res)
		}
		big := make([]obj, 1001)
		for i := range big {
			big[i] = obj{"external_id": fmt.Sprint(i)}
		}
		w.e.Expect(http.StatusUnprocessableEntity, apitest.Request{Method: "POST", Path: "/api/v1/conversions/batch", APIKey: w.key, Body: obj{"conversions": big}})
	})
}

func TestTheLedgerRefusesUpdatesAndDeletesInTheDatabase(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		w.order(t, obj{"external_id": "L-1", "amount_minor": 1000, "promo_code": "LUNA10"}, http.StatusCreated)
		ctx := context.Background()
		for _, q := range []string{
			"UPDATE ledger_entries SET amount_minor = amount_minor + 1",
			"DELETE FROM ledger_entries",
		} {
			if _, err := db.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err %v, want the append-only trigger", q, err)
			}
		}
		var n int
		if err := db.NewSelect().TableExpr("ledger_entries").ColumnExpr("COUNT(*)").Scan(ctx, &n); err != nil || n != 1 {
			t.Fatalf("entries after the attempts: %d %v", n, err)
		}
	})
}

// --- Shopify ---

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/shopify/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func deliver(e *apitest.Env, store, topic, id, secret string, body []byte) *apitest.Response {
	h := map[string]string{"X-Shopify-Topic": topic, "X-Shopify-Webhook-Id": id, "X-Shopify-Shop-Domain": "senyu.myshopify.com",
		"Content-Type": "application/json"}
	if secret != "" {
		h["X-Shopify-Hmac-Sha256"] = sign(secret, body)
	}
	return e.Do(apitest.Request{Method: "POST", Path: "/webhooks/shopify/" + store, Headers: h, Body: body})
}

func count(t *testing.T, db *bun.DB, table string) int {
	t.Helper()
	var n int
	if err := db.NewSelect().TableExpr(table).ColumnExpr("COUNT(*)").Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestShopifyWebhooksAreVerifiedDedupedAndRefundsWaitForTheirOrder(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		e := w.e
		const secret = "shpss_test_secret_0123456789"
		st := call(t, e, w.owner, "POST", "/api/v1/stores", obj{"name": "Senyu US", "domain": "https://Senyu.myshopify.com/", "webhook_secret": secret}, http.StatusCreated)
		id := st["id"].(string)
		if st["domain"] != "senyu.myshopify.com" || !strings.HasSuffix(st["webhook_url"].(string), "/webhooks/shopify/"+id) || st["webhook_secret"] != nil {
			t.Fatalf("store = %v", st)
		}
		other := call(t, e, w.owner, "POST", "/api/v1/stores", obj{"name": "Senyu EU", "domain": "senyu-eu.myshopify.com", "webhook_secret": "another_secret_0123456789"}, http.StatusCreated)
		lst := call(t, e, w.owner, "GET", "/api/v1/stores", nil, 200)
		if strings.Contains(fmt.Sprint(lst), secret) {
			t.Fatalf("the secret leaked: %v", lst)
		}
		order, refund := fixture(t, "orders-create.json"), fixture(t, "refunds-create.json")

		// bad, missing and another store's signatures: 401, nothing stored
		for name, res := range map[string]*apitest.Response{
			"bad":         deliver(e, id, "orders/create", "w-0", "wrong-secret-0000000", order),
			"missing":     deliver(e, id, "orders/create", "w-0", "", order),
			"other store": deliver(e, id, "orders/create", "w-0", "another_secret_0123456789", order),
			"unknown":     deliver(e, "no-such-store", "orders/create", "w-0", secret, order),
			"tampered":    e.Do(apitest.Request{Method: "POST", Path: "/webhooks/shopify/" + id, Body: append([]byte(" "), order...), Headers: map[string]string{"X-Shopify-Topic": "orders/create", "X-Shopify-Webhook-Id": "w-0", "X-Shopify-Hmac-Sha256": sign(secret, order)}}),
		} {
			if res.Status != http.StatusUnauthorized || res.ErrorCode(t) != "invalid_signature" {
				t.Errorf("%s signature: %d %s", name, res.Status, res.Body)
			}
		}
		if n := count(t, db, "conversions") + count(t, db, "webhook_deliveries"); n != 0 {
			t.Fatalf("%d rows stored by refused deliveries", n)
		}

		// the refund arrives first: kept, waiting
		res := deliver(e, id, "refunds/create", "w-1", secret, refund)
		if res.Status != 200 || res.Map(t)["status"] != "waiting" {
			t.Fatalf("early refund: %d %s", res.Status, res.Body)
		}
		// then the order: stored with its exact id, attributed by its discount code, the refund applied
		res = deliver(e, id, "orders/create", "w-2", secret, order)
		if res.Status != 200 || res.Map(t)["status"] != "created" {
			t.Fatalf("order: %d %s", res.Status, res.Body)
		}
		l := call(t, e, w.owner, "GET", "/api/v1/conversions?source=shopify:"+id, nil, 200)
		if num(l["total"]) != 1 {
			t.Fatalf("shopify conversions = %v", l)
		}
		c := list(l, "items")[0]
		if c["external_id"] != "5862118367508125371" || num(c["amount_minor"]) != 8097 || num(c["discount_minor"]) != 900 ||
			c["rule"] != "promo_code" || num(c["refunded_minor"]) != 1349 || len(entries(c)) != 2 {
			t.Fatalf("shopify conversion = %v", c)
		}
		// round(810 × 1349 ÷ 8097) = 135
		if num(entries(c)[0]["amount_minor"]) != 810 || num(entries(c)[1]["amount_minor"]) != -135 {
			t.Fatalf("entries = %v", entries(c))
		}
		// orders/paid for the same order, and redeliveries: nothing added
		for _, d := range [][2]string{{"orders/paid", "w-3"}, {"orders/create", "w-2"}, {"refunds/create", "w-1"}, {"refunds/create", "w-9"}} {
			body := order
			if d[0] == "refunds/create" {
				body = refund
			}
			res := deliver(e, id, d[0], d[1], secret, body)
			if st := res.Map(t)["status"]; res.Status != 200 || (st != "duplicate") {
				t.Fatalf("redelivery %v: %d %s", d, res.Status, res.Body)
			}
		}
		if n := count(t, db, "ledger_entries"); n != 2 {
			t.Fatalf("%d ledger entries after redeliveries, want 2", n)
		}
		// the other store's copy of the same order id is another order (another source)
		res = deliver(e, other["id"].(string), "orders/create", "w-2", "another_secret_0123456789", order)
		if res.Status != 200 || res.Map(t)["status"] != "created" {
			t.Fatalf("other store: %d %s", res.Status, res.Body)
		}
		// a disconnected store's deliveries are refused
		call(t, e, w.owner, "DELETE", "/api/v1/stores/"+other["id"].(string), nil, http.StatusNoContent)
		if res := deliver(e, other["id"].(string), "orders/create", "w-5", "another_secret_0123456789", order); res.Status != http.StatusUnauthorized {
			t.Fatalf("disconnected store: %d", res.Status)
		}
		// an order whose payload already lists its refund, then the refund's own delivery: counted once,
		// and the delivery acknowledged (a 422 would make Shopify retry it for days)
		listed := []byte(strings.Replace(strings.Replace(string(order), `"refunds": []`, `"refunds": [`+string(refund)+`]`, 1),
			"5862118367508125371", "5862118367508125999", -1))
		listed = []byte(strings.Replace(string(listed), "1098462232915", "1098462239999", 1))
		refundOf := []byte(strings.Replace(strings.Replace(string(refund), "5862118367508125371", "5862118367508125999", 1), "1098462232915", "1098462239999", 1))
		if res := deliver(e, id, "orders/create", "w-10", secret, listed); res.Map(t)["status"] != "created" {
			t.Fatalf("order listing its refund: %s", res.Body)
		}
		if res := deliver(e, id, "refunds/create", "w-11", secret, refundOf); res.Status != 200 || res.Map(t)["status"] != "duplicate" {
			t.Fatalf("its refund's own delivery: %d %s", res.Status, res.Body)
		}
		l = call(t, e, w.owner, "GET", "/api/v1/conversions?q=5862118367508125999", nil, 200)
		if c := list(l, "items")[0]; num(c["refunded_minor"]) != 1349 || len(entries(c)) != 2 {
			t.Fatalf("refund listed then delivered = %v", c)
		}
		// malformed bodies with a good signature: a clear 422, nothing stored
		before := count(t, db, "webhook_deliveries")
		for i, body := range []string{`{`, `{"id": "abc"}`, `[]`, `{"id": 1, "currency": "USD", "subtotal_price": "x"}`} {
			res := deliver(e, id, "orders/create", fmt.Sprintf("m-%d", i), secret, []byte(body))
			if res.Status != http.StatusUnprocessableEntity {
				t.Errorf("malformed %q: %d %s", body, res.Status, res.Body)
			}
		}
		if count(t, db, "webhook_deliveries") != before {
			t.Fatal("a refused delivery was recorded")
		}
	})
}

func TestFiftyParallelCopiesOfOneDeliveryStoreOneConversion(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		e := w.e
		const secret = "shpss_test_secret_0123456789"
		st := call(t, e, w.owner, "POST", "/api/v1/stores", obj{"name": "Senyu US", "domain": "senyu.myshopify.com", "webhook_secret": secret}, http.StatusCreated)
		order := fixture(t, "orders-create.json")
		statuses := make(chan string, 100)
		done := make(chan struct{})
		for i := range 100 {
			go func() {
				defer func() { done <- struct{}{} }()
				if i%2 == 0 { // 50 copies of one webhook delivery
					res := deliver(e, st["id"].(string), "orders/create", "same-delivery", secret, order)
					statuses <- fmt.Sprint(res.Status, " ", string(res.Body))
					return
				}
				// and 50 of one API order
				res := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/conversions", APIKey: w.key, Body: obj{"external_id": "P-1",
					"occurred_at": "2026-11-24T10:00:00Z", "currency": "USD", "amount_minor": 1000, "promo_code": "LUNA10"}})
				statuses <- fmt.Sprint(res.Status)
			}()
		}
		for range 100 {
			<-done
		}
		close(statuses)
		for s := range statuses {
			if !strings.HasPrefix(s, "200") && !strings.HasPrefix(s, "201") {
				t.Errorf("a parallel copy answered %s", s)
			}
		}
		if n := count(t, db, "conversions"); n != 2 {
			t.Fatalf("%d conversions from 2 orders sent 50 times each", n)
		}
		if n := count(t, db, "ledger_entries"); n != 2 {
			t.Fatalf("%d ledger entries, want 2", n)
		}
	})
}
