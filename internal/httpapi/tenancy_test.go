package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// tenantFixture creates one object of every kind a route's path parameter can name, in org A, and
// returns A's owner and the ids by the path segment that precedes the parameter (creators/:id →
// "creators"). A new kind of resource needs one line here, not one per route.
func tenantFixture(t *testing.T, e *apitest.Env) (apitest.User, map[string]string) {
	a := e.Setup("Org A", "owner@a.example")
	var ag, cr, user, key struct {
		ID       string `json:"id"`
		Accounts []struct {
			ID string `json:"id"`
		} `json:"accounts"`
	}
	e.Expect(201, apitest.Request{Method: "POST", Path: "/api/v1/agencies", Token: a.Token, Body: map[string]any{"name": "MCN A", "country": "US", "share_bps": 1000}}).JSON(t, &ag)
	e.Expect(201, apitest.Request{Method: "POST", Path: "/api/v1/creators", Token: a.Token, Body: map[string]any{
		"display_name": "Luna", "country": "US", "agency_id": ag.ID, "tags": []string{"home"},
		"accounts": []map[string]any{{"platform": "tiktok", "handle": "@luna", "followers": 12000}},
	}}).JSON(t, &cr)
	e.Expect(201, apitest.Request{Method: "POST", Path: "/api/v1/users", Token: a.Token, Body: map[string]any{
		"email": "seller@a.example", "name": "Seller", "role": "manager", "password": apitest.Password}}).JSON(t, &user)
	e.Expect(201, apitest.Request{Method: "POST", Path: "/api/v1/api-keys", Token: a.Token, Body: map[string]any{"name": "shop"}}).JSON(t, &key)
	var prod, camp, enr, dlv, smp struct {
		ID string `json:"id"`
	}
	e.Expect(201, apitest.Request{Method: "POST", Path: "/api/v1/products", Token: a.Token, Body: map[string]any{"sku": "SKU-A", "name": "Lamp", "price_minor": 1999, "currency": "USD"}}).JSON(t, &prod)
	e.Expect(201, apitest.Request{Method: "POST", Path: "/api/v1/campaigns", Token: a.Token, Body: map[string]any{"name": "Spring", "starts_on": "2026-12-01", "product_ids": []string{prod.ID}, "plan": map[string]any{"type": "percent", "rate_bps": 1000}}}).JSON(t, &camp)
	e.Expect(201, apitest.Request{Method: "POST", Path: "/api/v1/campaigns/" + camp.ID + "/creators", Token: a.Token, Body: map[string]any{"creator_id": cr.ID, "rate_bps": 1500}}).JSON(t, &enr)
	e.Expect(201, apitest.Request{Method: "POST", Path: "/api/v1/campaigns/" + camp.ID + "/deliverables", Token: a.Token, Body: map[string]any{"creator_id": cr.ID, "account_id": cr.Accounts[0].ID, "due_on": "2026-12-10"}}).JSON(t, &dlv)
	e.Expect(201, apitest.Request{Method: "POST", Path: "/api/v1/campaigns/" + camp.ID + "/samples", Token: a.Token, Body: map[string]any{"creator_id": cr.ID, "product_id": prod.ID, "quantity": 2, "unit_cost_minor": 500, "currency": "USD"}}).JSON(t, &smp)
	return a, map[string]string{
		"creators": cr.ID, "statements": cr.ID, "accounts": cr.Accounts[0].ID, "agencies": ag.ID, "users": user.ID, "api-keys": key.ID,
		"products": prod.ID, "campaigns": camp.ID, "enrolments": enr.ID, "deliverables": dlv.ID, "samples": smp.ID,
		"links":       postID(t, e, a, "/api/v1/links", map[string]any{"creator_id": cr.ID, "campaign_id": camp.ID, "destination_url": "https://shop.example/p"}),
		"promo-codes": postID(t, e, a, "/api/v1/promo-codes", map[string]any{"code": "LUNA10", "creator_id": cr.ID, "campaign_id": camp.ID}),
		"r":           "UnknownCode1", // public and global: a code names no organization; an unknown one is a 404 to anyone
		"conversions": postID(t, e, a, "/api/v1/conversions", map[string]any{"external_id": "A-1", "occurred_at": "2026-11-20T10:00:00Z", "currency": "USD", "amount_minor": 5000, "promo_code": "LUNA10"}),
		"stores":      postID(t, e, a, "/api/v1/stores", map[string]any{"name": "Shop A", "domain": "shop-a.myshopify.com", "webhook_secret": "a-secret-of-shop-a-1234"}),
		"payouts":     payoutID(t, e, a),
	}
}

// payoutID makes a payout in A: an October order, approved, October closed, a batch.
func payoutID(t *testing.T, e *apitest.Env, a apitest.User) string {
	conv := postID(t, e, a, "/api/v1/conversions", map[string]any{"external_id": "A-OCT", "occurred_at": "2026-10-15T10:00:00Z", "currency": "USD", "amount_minor": 5000, "promo_code": "LUNA10"})
	e.Expect(200, apitest.Request{Method: "POST", Path: "/api/v1/conversions/" + conv + "/approve", Token: a.Token})
	e.Expect(200, apitest.Request{Method: "POST", Path: "/api/v1/periods/2026-10/close", Token: a.Token})
	var batch struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	e.Expect(201, apitest.Request{Method: "POST", Path: "/api/v1/payouts", Token: a.Token, Body: map[string]any{"period": "2026-10"}}).JSON(t, &batch)
	if len(batch.Items) != 1 {
		t.Fatalf("payout batch = %+v", batch)
	}
	return batch.Items[0].ID
}

// postID creates an object as u and returns its id.
func postID(t *testing.T, e *apitest.Env, u apitest.User, path string, body any) string {
	var out struct {
		ID string `json:"id"`
	}
	e.Expect(201, apitest.Request{Method: "POST", Path: path, Token: u.Token, Body: body}).JSON(t, &out)
	return out.ID
}

// globalParams are path parameters that name no object of an organization (a platform of the
// catalogue, a webhook's store, which its signature authenticates, not a session): another
// organization may use them, and A's data must stay unchanged.
var globalParams = map[string]string{"platforms": "tiktok", "shopify": "no-such-store", "periods": "2026-10"}

// TestEveryRouteWithAnIDIsNotFoundToAnotherOrganization walks the route table: every route with a
// path parameter is called by the owner of organization B with a real id of organization A, and must
// answer 404 with A's data unchanged. A route whose parameter the fixture cannot fill fails the test,
// so a new route cannot escape the walk.
func TestEveryRouteWithAnIDIsNotFoundToAnotherOrganization(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		a, ids := tenantFixture(t, e)
		b := e.NewOrg("Org B", "owner@b.example")
		before := orgFingerprint(t, db, a.OrgID)

		walked := 0
		for _, r := range e.Server.Echo.Routes() {
			if !strings.Contains(r.Path, ":") || r.Path == "/*" {
				continue
			}
			path, global, ok := fillPath(r.Path, ids)
			if !ok {
				t.Errorf("%s %s: the walk cannot fill its path parameter; add its resource to tenantFixture", r.Method, r.Path)
				continue
			}
			walked++
			req := apitest.Request{Method: r.Method, Path: path, Token: b.Token}
			if r.Method == http.MethodPost || r.Method == http.MethodPatch || r.Method == http.MethodPut {
				req.Body = map[string]any{}
			}
			res := e.Do(req)
			switch {
			case global:
				if res.Status >= 500 {
					t.Errorf("%s %s as B: %d %s", r.Method, path, res.Status, res.Body)
				}
			case res.Status != http.StatusNotFound:
				t.Errorf("%s %s as B: status %d, want 404: %s", r.Method, path, res.Status, res.Body)
			case res.ErrorCode(t) != "not_found":
				t.Errorf("%s %s as B: code %s, want not_found", r.Method, path, res.ErrorCode(t))
			}
		}
		if walked < 15 {
			t.Fatalf("the walk reached only %d routes", walked)
		}
		if after := orgFingerprint(t, db, a.OrgID); after != before {
			t.Fatalf("organization A's data changed under B's requests:\nbefore %s\nafter  %s", before, after)
		}
	})
}

func fillPath(p string, ids map[string]string) (string, bool, bool) {
	segs := strings.Split(p, "/")
	global := false
	for i, s := range segs {
		if !strings.HasPrefix(s, ":") || i == 0 {
			continue
		}
		_, ext, dotted := strings.Cut(s, ".") // :creator_id.xlsx names a creator's file
		if id, ok := ids[segs[i-1]]; ok {
			segs[i] = id
		} else if g, ok := globalParams[segs[i-1]]; ok {
			segs[i], global = g, true
		} else {
			return "", false, false
		}
		if dotted {
			segs[i] += "." + ext
		}
	}
	return strings.Join(segs, "/"), global, true
}

// orgFingerprint serialises every row of every table with an org_id column that belongs to org.
func orgFingerprint(t *testing.T, db *bun.DB, org string) string {
	t.Helper()
	ctx := context.Background()
	var tables []string
	if store.IsSQLite(db) {
		if err := db.NewRaw(`SELECT m.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS c
			WHERE m.type = 'table' AND c.name = 'org_id' ORDER BY m.name`).Scan(ctx, &tables); err != nil {
			t.Fatal(err)
		}
	} else if err := db.NewRaw(`SELECT table_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND column_name = 'org_id' ORDER BY table_name`).Scan(ctx, &tables); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, tbl := range tables {
		if tbl == "audit_log" { // B's requests are audited in B's name, never in A's
			continue
		}
		rows, err := db.QueryContext(ctx, "SELECT * FROM "+tbl+" WHERE org_id = ?", org)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			j, _ := json.Marshal(vals)
			lines = append(lines, string(j))
		}
		rows.Close()
		sort.Strings(lines)
		fmt.Fprintf(&b, "%s=%d:%s;", tbl, len(lines), strings.Join(lines, ","))
	}
	return b.String()
}

// TestTheSchemaRefusesAReferenceIntoAnotherOrganization inserts, bypassing every service, a row of
// organization B that points at organization A's creator: the composite foreign keys refuse it.
func TestTheSchemaRefusesAReferenceIntoAnotherOrganization(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		_, ids := tenantFixture(t, e)
		b := e.NewOrg("Org B", "owner@b.example")
		ctx := context.Background()
		for name, q := range map[string]string{
			"account of A's creator": `INSERT INTO creator_accounts (id, org_id, creator_id, platform, handle, status, created_at, updated_at)
				VALUES ('x1', ?, ?, 'youtube', 'intruder', 'active', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
			"tag on A's creator": `INSERT INTO creator_tags (org_id, creator_id, tag, created_at) VALUES (?, ?, 'intruder', CURRENT_TIMESTAMP)`,
			"event on A's creator": `INSERT INTO creator_events (id, org_id, creator_id, kind, data, created_at)
				VALUES ('x2', ?, ?, 'note', '{}', CURRENT_TIMESTAMP)`,
		} {
			if _, err := db.ExecContext(ctx, q, b.OrgID, ids["creators"]); err == nil || !store.IsForeignKeyViolation(err) {
				t.Errorf("%s: err %v, want a foreign key violation", name, err)
			}
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO creators (id, org_id, display_name, name_key, country, status, agency_id, created_at, updated_at)
			VALUES ('x3', ?, 'Intruder', 'intruder', 'US', 'prospect', ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`, b.OrgID, ids["agencies"]); err == nil || !store.IsForeignKeyViolation(err) {
			t.Errorf("creator of B in A's agency: err %v, want a foreign key violation", err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO account_snapshots (org_id, account_id, captured_on, followers, created_at)
			VALUES (?, ?, '2026-01-01', 1, CURRENT_TIMESTAMP)`, b.OrgID, ids["accounts"]); err == nil || !store.IsForeignKeyViolation(err) {
			t.Errorf("snapshot of A's account: err %v, want a foreign key violation", err)
		}
	})
}
