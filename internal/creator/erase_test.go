package creator_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// findInDatabase lists the table.column places where any of needles (case-insensitively) appears
// in any value of any row of any table.
func findInDatabase(t *testing.T, db *bun.DB, needles ...string) []string {
	t.Helper()
	ctx := context.Background()
	var tables []string
	if store.IsSQLite(db) {
		if err := db.NewRaw(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).Scan(ctx, &tables); err != nil {
			t.Fatal(err)
		}
	} else if err := db.NewRaw(`SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`).Scan(ctx, &tables); err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, tbl := range tables {
		rows, err := db.QueryContext(ctx, "SELECT * FROM "+tbl)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var s string
				switch v := v.(type) {
				case string:
					s = v
				case []byte:
					s = string(v)
				default:
					continue
				}
				for _, n := range needles {
					if strings.Contains(strings.ToLower(s), strings.ToLower(n)) {
						found = append(found, fmt.Sprintf("%s.%s has %q: %.200s", tbl, cols[i], n, s))
					}
				}
			}
		}
		rows.Close()
	}
	return found
}

// An erased creator's name, email, phone, handles, notes, post addresses and click details are found
// nowhere in the database; the row stays under a pseudonym, the erasure is audited, and the creator
// can no longer be changed.
func TestErasureRemovesACreatorsPersonalDataEverywhere(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		t.Cleanup(func() { _ = e.Deps.Tracking.Close(context.Background()) })
		u := e.Setup("Org", "owner@example.com")
		manager := e.AddUser(u, "manager@example.com", actor.RoleManager)
		c := newCreator(t, e, u, obj{"display_name": "Zelda Quasimodo", "country": "US", "email": "zelda.q@example.com",
			"phone": "+1 555 0199", "wechat": "zeldawx", "whatsapp": "+1 555 0198", "languages": []string{"en"},
			"tags": []string{"Quasimodo fans"}, "notes": "Zelda lives on Elm Street", "payout_currency": "USD",
			"accounts": []obj{{"platform": "tiktok", "handle": "@zeldaquasi", "followers": 1000},
				{"platform": "youtube", "handle": "@zeldatube", "followers": 10},
				{"platform": "instagram", "handle": "@zeldaold"}}})
		id := c["id"].(string)
		accts := map[string]string{}
		for _, a := range accounts(c) {
			accts[a["platform"].(string)] = a["id"].(string)
		}
		other := newCreator(t, e, u, obj{"display_name": "Mia", "country": "GB"})
		call(t, e, u, "PATCH", "/api/v1/accounts/"+accts["youtube"], obj{"url": "https://www.youtube.com/@zeldatube"}, 200)
		call(t, e, u, "DELETE", "/api/v1/accounts/"+accts["instagram"], nil, 204)
		call(t, e, u, "POST", "/api/v1/creators/"+id+"/notes", obj{"text": "Zelda's home: 12 Elm Street"}, 201)

		campaign := call(t, e, u, "POST", "/api/v1/campaigns", obj{"name": "Spring", "starts_on": "2026-12-01",
			"plan": obj{"type": "percent", "rate_bps": 1000}}, 201)["id"].(string)
		call(t, e, u, "POST", "/api/v1/campaigns/"+campaign+"/creators", obj{"creator_id": id}, 201)
		product := call(t, e, u, "POST", "/api/v1/products", obj{"sku": "LAMP-1", "name": "Lamp", "price_minor": 1999, "currency": "USD"}, 201)["id"]
		call(t, e, u, "POST", "/api/v1/campaigns/"+campaign+"/samples", obj{"creator_id": id, "product_id": product, "quantity": 1,
			"unit_cost_minor": 500, "currency": "USD", "carrier": "DHL", "tracking_number": "ZQTRACK123"}, 201)
		call(t, e, u, "POST", "/api/v1/campaigns/"+campaign+"/deliverables", obj{"creator_id": id, "account_id": accts["tiktok"],
			"url": "https://www.tiktok.com/@zeldaquasi/video/1", "status": "posted"}, 201)
		link := call(t, e, u, "POST", "/api/v1/links", obj{"creator_id": id, "campaign_id": campaign, "account_id": accts["tiktok"],
			"destination_url": "https://shop.example.com/lamp"}, 201)
		for _, ua := range []string{"Mozilla/5.0 (iPhone) Safari/604.1", "Mozilla/5.0 (Windows NT 10.0) Chrome/131.0"} {
			e.Do(apitest.Request{Method: "GET", Path: "/r/" + link["code"].(string),
				Headers: map[string]string{"User-Agent": ua, "Referer": "https://www.tiktok.com/@zeldaquasi"}})
		}
		if err := e.Deps.Tracking.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		before := call(t, e, u, "GET", "/api/v1/creators/"+id, nil, 200)
		if before["clicks_30d"] != float64(2) {
			t.Fatalf("clicks_30d %v before the erasure, want 2", before["clicks_30d"])
		}
		secrets := []string{"Quasimodo", "zelda.q@example.com", "zeldaquasi", "zeldatube", "zeldaold", "zeldawx", "555 0199",
			"555 0198", "Elm Street", "ZQTRACK123"}
		if found := findInDatabase(t, db, secrets...); len(found) == 0 {
			t.Fatal("the fixture left no personal data to erase")
		}

		path := "/api/v1/creators/" + id + "/erase"
		call(t, e, manager, "POST", path, obj{"confirm": true}, 403)
		call(t, e, u, "POST", path, obj{}, 422)
		call(t, e, u, "POST", path, obj{"confirm": false}, 422)
		b := e.NewOrg("Org B", "owner@b.example")
		call(t, e, b, "POST", path, obj{"confirm": true}, 404)
		call(t, e, u, "POST", path, obj{"confirm": true}, 204)
		call(t, e, u, "POST", path, obj{"confirm": true}, 204) // again: nothing left, still 204

		if found := findInDatabase(t, db, secrets...); len(found) > 0 {
			t.Fatalf("personal data survived the erasure:\n%s", strings.Join(found, "\n"))
		}
		got := call(t, e, u, "GET", "/api/v1/creators/"+id, nil, 200)
		if got["display_name"] != creator.Pseudonym(id) || !strings.HasPrefix(got["display_name"].(string), "Erased creator ") {
			t.Fatalf("display name %v, want the pseudonym %q", got["display_name"], creator.Pseudonym(id))
		}
		if got["email"] != nil || got["phone"] != nil || got["notes"] != "" || len(got["tags"].([]any)) != 0 || got["erased_at"] == nil {
			t.Fatalf("erased creator: %v", got)
		}
		if got["payout_currency"] != "USD" || got["clicks_30d"] != float64(2) || got["campaigns"] != float64(1) {
			t.Fatalf("what accounting and reports need changed: %v", got)
		}
		handles := map[string]bool{}
		for _, a := range accounts(got) {
			h := a["handle"].(string)
			if !strings.HasPrefix(h, "erased-") || a["url"] != nil || handles[h] {
				t.Fatalf("account after erasure: %v", a)
			}
			handles[h] = true
		}
		if len(handles) != 2 {
			t.Fatalf("accounts after erasure: %v", handles)
		}
		// Found by neither its old name nor an old handle.
		for _, q := range []string{"Quasimodo", "zeldaquasi", "zelda.q@example.com"} {
			if l := call(t, e, u, "GET", "/api/v1/creators?q="+url.QueryEscape(q), nil, 200); len(items(l)) != 0 {
				t.Fatalf("search %q finds %v", q, ids(items(l)))
			}
		}
		// Audited: who and when, nothing erased.
		log := items(call(t, e, u, "GET", "/api/v1/audit-log?action=creator.erase", nil, 200))
		if len(log) != 2 || log[0]["actor_id"] != u.UserID || log[0]["target_id"] != id {
			t.Fatalf("audit entries of the erasure: %v", log)
		}
		// Frozen: no change, no new account.
		res := e.Expect(409, apitest.Request{Method: "PATCH", Path: "/api/v1/creators/" + id, Body: obj{"display_name": "Zelda"}, Token: u.Token})
		if res.ErrorCode(t) != "creator_erased" {
			t.Fatalf("PATCH of an erased creator: %s", res.Body)
		}
		call(t, e, u, "POST", "/api/v1/creators/"+id+"/notes", obj{"text": "new personal data"}, 409)
		call(t, e, u, "POST", "/api/v1/creators/"+id+"/accounts", obj{"platform": "tiktok", "handle": "@zeldaquasi2"}, 409)
		call(t, e, u, "PATCH", "/api/v1/accounts/"+accts["tiktok"], obj{"followers": 5}, 409)
		// The handles are free again, and the other creator is untouched.
		call(t, e, u, "POST", "/api/v1/creators/"+other["id"].(string)+"/accounts", obj{"platform": "tiktok", "handle": "@zeldaquasi"}, 201)
		if o := call(t, e, u, "GET", "/api/v1/creators/"+other["id"].(string), nil, 200); o["display_name"] != "Mia" {
			t.Fatalf("the other creator: %v", o)
		}
	})
}
