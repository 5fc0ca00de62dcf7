package conversion_test

import (
	"net/http"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// TestFinanceEntersAnOrderByHandAndItIsAManualConversion: an order posted with a session (no API key)
// is source "manual", attributed and commissioned like any other; the same order number again is the
// stored one, while the shop's API key sending that number is another source's order. The route lets
// the ingesters (owner, admin, manager, finance) enter orders; a viewer gets 403 and nothing is stored.
func TestFinanceEntersAnOrderByHandAndItIsAManualConversion(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		e := w.e
		body := obj{"external_id": "M-1", "occurred_at": "2026-11-24T10:00:00Z", "currency": "USD", "amount_minor": 4999, "promo_code": "LUNA10"}
		res := e.Expect(http.StatusCreated, apitest.Request{Method: "POST", Path: "/api/v1/conversions", Body: body, Token: w.fin.Token})
		m := res.Map(t)
		if m["source"] != "manual" || m["rule"] != "promo_code" || m["creator_id"] != w.creator || m["status"] != "pending" ||
			len(entries(m)) != 1 || num(entries(m)[0]["amount_minor"]) != 500 {
			t.Fatalf("finance's order = %v", m)
		}
		again := call(t, e, w.fin, "POST", "/api/v1/conversions", body, http.StatusOK)
		if again["id"] != m["id"] || len(entries(again)) != 1 {
			t.Fatalf("the same order entered twice = %v", again)
		}
		// unique per (organization, source, external id): the shop's own M-1 is another order
		api := w.order(t, obj{"external_id": "M-1", "amount_minor": 4999, "promo_code": "LUNA10"}, http.StatusCreated)
		if api["source"] != "api" || api["id"] == m["id"] {
			t.Fatalf("the API's M-1 = %v", api)
		}
		if l := call(t, e, w.owner, "GET", "/api/v1/conversions?source=manual", nil, http.StatusOK); num(l["total"]) != 1 || list(l, "items")[0]["id"] != m["id"] {
			t.Fatalf("manual orders = %v", l)
		}

		// a seller (manager) is among the route's ingesters: allowed, and also manual
		seller := e.AddUser(w.owner, "seller@nb.example", actor.RoleManager)
		s := call(t, e, seller, "POST", "/api/v1/conversions", obj{"external_id": "M-2", "occurred_at": "2026-11-24T10:00:00Z",
			"currency": "USD", "amount_minor": 1000}, http.StatusCreated)
		if s["source"] != "manual" || s["creator_id"] != nil {
			t.Fatalf("seller's order = %v", s)
		}
		// a viewer is not: 403 in the contract's shape, nothing stored
		viewer := e.AddUser(w.owner, "viewer@nb.example", actor.RoleViewer)
		r := e.Expect(http.StatusForbidden, apitest.Request{Method: "POST", Path: "/api/v1/conversions", Token: viewer.Token,
			Body: obj{"external_id": "M-3", "occurred_at": "2026-11-24T10:00:00Z", "currency": "USD", "amount_minor": 1000}})
		if code := r.ErrorCode(t); code != "forbidden" {
			t.Fatalf("viewer: %s", r.Body)
		}
		e.Expect(http.StatusForbidden, apitest.Request{Method: "POST", Path: "/api/v1/conversions/batch", Token: viewer.Token,
			Body: obj{"conversions": []obj{{"external_id": "M-4", "occurred_at": "2026-11-24T10:00:00Z", "currency": "USD", "amount_minor": 1000}}}})
		if n := count(t, db, "conversions"); n != 3 {
			t.Fatalf("%d conversions, want M-1 twice (manual, api) and M-2", n)
		}
		// and without any credentials: 401
		e.Expect(http.StatusUnauthorized, apitest.Request{Method: "POST", Path: "/api/v1/conversions", Body: body})
	})
}
