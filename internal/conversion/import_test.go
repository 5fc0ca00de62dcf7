package conversion_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"os"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// importFile uploads an order file as u.
func importFile(t *testing.T, e *apitest.Env, u apitest.User, name string, content []byte, query string, want int) obj {
	t.Helper()
	return importFileRaw(t, e, u, name, content, query, want).Map(t)
}

func tiktokFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/tiktok-shop/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBothTikTokExportsGiveTheOrdersTheirREADMEImplies imports TikTok Shop's order export and its
// affiliate export, in either order: four orders (one canceled), the affiliate's creators attributed
// by their TikTok handle, the refunded one reversed, and importing again changes nothing.
func TestBothTikTokExportsGiveTheOrdersTheirREADMEImplies(t *testing.T) {
	for _, affiliateFirst := range []bool{false, true} {
		name := "orders then affiliate"
		if affiliateFirst {
			name = "affiliate then orders"
		}
		t.Run(name, func(t *testing.T) {
			storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
				w := newWorld(t, db)
				e := w.e
				// the creators behind the affiliate export, with their TikTok accounts
				ids := map[string]string{}
				for _, h := range []string{"lunabeauty", "jakemillerfits"} {
					c := call(t, e, w.owner, "POST", "/api/v1/creators", obj{"display_name": h, "country": "US",
						"accounts": []obj{{"platform": "tiktok", "handle": "@" + h}}}, http.StatusCreated)
					ids[h] = c["id"].(string)
					call(t, e, w.owner, "POST", "/api/v1/campaigns/"+w.campaign+"/creators", obj{"creator_id": c["id"]}, http.StatusCreated)
				}
				files := []string{"orders-export.csv", "affiliate-orders-export.csv"}
				if affiliateFirst {
					files[0], files[1] = files[1], files[0]
				}
				const q = "?timezone=America/Los_Angeles&currency=USD"
				for _, f := range files {
					dry := importFile(t, e, w.fin, f, tiktokFile(t, f), q+"&dry_run=true", 200)
					res := importFile(t, e, w.fin, f, tiktokFile(t, f), q, 200)
					if len(list(res, "errors")) != 0 || res["source"] != "tiktok_shop" || dry["created"] != res["created"] || dry["updated"] != res["updated"] {
						t.Fatalf("%s: dry %v, import %v", f, dry, res)
					}
				}
				l := call(t, e, w.owner, "GET", "/api/v1/conversions?source=tiktok_shop&limit=10", nil, 200)
				got := map[string]obj{}
				for _, c := range list(l, "items") {
					got[c["external_id"].(string)] = c
				}
				if len(got) != 4 {
					t.Fatalf("%d orders: %v", len(got), l)
				}
				check := func(id, creator string, amount int64, status string, commission int64) {
					t.Helper()
					c := got[id]
					var sum int64
					for _, en := range entries(c) {
						sum += num(en["amount_minor"])
					}
					if num(c["amount_minor"]) != amount || c["status"] != status || sum != commission || c["currency"] != "USD" {
						t.Errorf("order %s: amount %v status %v entries %v", id, c["amount_minor"], c["status"], entries(c))
					}
					if creator == "" {
						return
					}
					if c["creator_id"] != ids[creator] || c["rule"] != "account" || c["platform"] != "tiktok" || c["account_id"] == nil {
						t.Errorf("order %s attributed to %v by %v, want %s by account", id, c["creator_id"], c["rule"], creator)
					}
				}
				check("577012345678901234", "lunabeauty", 3599, "pending", 360)      // 10 % of 35.99 = 3.599 → 3.60
				check("577012345678901999", "jakemillerfits", 9997, "pending", 1000) // two SKU lines: 74.98 + 24.99
				check("577012345678902555", "", 2499, "rejected", 0)                 // canceled: earns nothing
				check("577012345678903777", "lunabeauty", 3999, "reversed", 0)       // returned: commission and its reversal
				if got["577012345678901999"]["occurred_at"] != "2026-11-06T04:02:10Z" || len(list(got["577012345678901999"], "items")) != 2 {
					t.Errorf("multi-SKU order = %v", got["577012345678901999"])
				}
				// replaying both files changes nothing
				entriesBefore := count(t, db, "ledger_entries")
				for _, f := range files {
					res := importFile(t, e, w.fin, f, tiktokFile(t, f), q, 200)
					if num(res["created"]) != 0 || num(res["updated"]) != 0 || num(res["skipped"]) != num(res["orders"]) {
						t.Fatalf("re-import of %s: %v", f, res)
					}
				}
				if count(t, db, "ledger_entries") != entriesBefore || count(t, db, "refunds") != 1 {
					t.Fatalf("re-import added entries or refunds")
				}
			})
		})
	}
}

// TestAnOrderFileIsAllOrNothing: one bad row, and nothing of the file is stored; the errors name the
// row and the column.
func TestAnOrderFileIsAllOrNothing(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		bad := []byte("订单号,下单时间,币种,金额,优惠码\nG-1,2026-11-20 10:00,USD,19.99,LUNA10\nG-2,2026-11-20 11:00,USD,abc,\nG-3,2026-11-20 12:00,XYZ,5.00,\n")
		r := importFileRaw(t, w.e, w.fin, "orders.csv", bad, "", http.StatusUnprocessableEntity)
		if r.ErrorCode(t) != "import_failed" {
			t.Fatalf("bad file: %s", r.Body)
		}
		var eb struct {
			Error struct {
				Details []struct {
					Row    int    `json:"row"`
					Column string `json:"column"`
				} `json:"details"`
			} `json:"error"`
		}
		r.JSON(t, &eb)
		if len(eb.Error.Details) != 2 || eb.Error.Details[0].Row != 3 || eb.Error.Details[0].Column != "金额" || eb.Error.Details[1].Row != 4 {
			t.Fatalf("problems = %+v", eb.Error.Details)
		}
		if n := count(t, db, "conversions"); n != 0 {
			t.Fatalf("%d conversions stored from a refused file", n)
		}
		good := importFile(t, w.e, w.fin, "orders.csv", []byte("订单号,下单时间,币种,金额,优惠码\nG-1,2026-11-20 10:00,USD,19.99,LUNA10\n"), "", 200)
		if num(good["created"]) != 1 || good["layout"] != "generic" {
			t.Fatalf("good file = %v", good)
		}
	})
}

func importFileRaw(t *testing.T, e *apitest.Env, u apitest.User, name string, content []byte, query string, want int) *apitest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = mw.Close()
	return e.Expect(want, apitest.Request{Method: "POST", Path: "/api/v1/conversions/import" + query, Body: body.Bytes(), Token: u.Token,
		Headers: map[string]string{"Content-Type": mw.FormDataContentType()}})
}
