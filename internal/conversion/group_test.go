package conversion_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// rows counts an organization's rows of a table.
func rows(t *testing.T, db *bun.DB, table, orgID string) int64 {
	t.Helper()
	n, err := db.NewSelect().TableExpr(table).Where("org_id = ?", orgID).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// postAll sends the orders at once, each from a client of its own, and returns the answers in order.
func postAll(w *world, bodies []obj) []*apitest.Response {
	out := make([]*apitest.Response, len(bodies))
	var wg sync.WaitGroup
	for i, b := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = w.e.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/conversions", Body: b, APIKey: w.key})
		}()
	}
	wg.Wait()
	return out
}

func groupOrder(i int) obj {
	return obj{"external_id": fmt.Sprintf("G-%d", i), "occurred_at": "2026-11-24T10:00:00Z", "currency": "USD",
		"amount_minor": 1000 + i, "promo_code": "LUNA10", "items": []obj{{"sku": "NB-TEA-01", "quantity": 1, "amount_minor": 1000 + i}}}
}

// TestConcurrentSingleOrdersWrittenTogetherEachGetTheirOwnAnswer sends 64 single orders at once, so
// they are written in groups: a valid one is 201 with its own commission, an invalid one its own
// 422, a redelivery the first delivery's answer (200), two deliveries of one new order one 201 and
// one 200 with the same conversion, and nothing is half-written.
func TestConcurrentSingleOrdersWrittenTogetherEachGetTheirOwnAnswer(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		first := w.order(t, obj{"external_id": "G-stored", "amount_minor": 5000, "promo_code": "LUNA10"}, http.StatusCreated)
		bodies := make([]obj, 64)
		for i := range bodies {
			bodies[i] = groupOrder(i)
		}
		bodies[10]["currency"] = "XXX"                  // invalid: refused before the queue
		bodies[20]["external_id"] = "G-stored"          // a redelivery of a stored order
		bodies[30]["creator_id"] = "01JNOSUCHCREATOR00" // refused by attribution, in its group
		bodies[41]["external_id"] = "G-40"              // two deliveries of one new order at once
		res := postAll(w, bodies)

		var twins []obj
		for i, r := range res {
			switch i {
			case 10:
				if r.Status != http.StatusUnprocessableEntity || r.ErrorCode(t) != "validation_failed" {
					t.Fatalf("invalid order: %d %s", r.Status, r.Body)
				}
			case 20:
				c := r.Map(t)
				if r.Status != http.StatusOK || c["id"] != first["id"] || num(c["amount_minor"]) != 5000 || len(entries(c)) != 1 {
					t.Fatalf("redelivery: %d %s", r.Status, r.Body)
				}
			case 30:
				if r.Status != http.StatusUnprocessableEntity || r.ErrorCode(t) != "validation_failed" {
					t.Fatalf("order naming another creator: %d %s", r.Status, r.Body)
				}
			case 40, 41:
				if r.Status != http.StatusCreated && r.Status != http.StatusOK {
					t.Fatalf("order %d: %d %s", i, r.Status, r.Body)
				}
				twins = append(twins, r.Map(t))
			default:
				c := r.Map(t)
				amount := int64(1000 + i)
				es := entries(c)
				if r.Status != http.StatusCreated || c["external_id"] != fmt.Sprintf("G-%d", i) || num(c["amount_minor"]) != amount ||
					c["rule"] != "promo_code" || len(list(c, "items")) != 1 || len(es) != 1 || num(es[0]["amount_minor"]) != roundHalfAway(amount, 1000, 10_000) {
					t.Fatalf("order %d: %d %s", i, r.Status, r.Body)
				}
			}
		}
		if res[40].Status == res[41].Status || twins[0]["id"] != twins[1]["id"] || len(entries(twins[0])) != 1 || len(entries(twins[1])) != 1 {
			t.Fatalf("two deliveries of one order: %d %v / %d %v", res[40].Status, twins[0], res[41].Status, twins[1])
		}
		// 60 new orders, each with its item, and the stored one (without items): one entry each.
		for table, want := range map[string]int64{"conversions": 61, "conversion_items": 60, "ledger_entries": 61} {
			if n := rows(t, db, table, w.owner.OrgID); n != want {
				t.Fatalf("%s holds %d rows, want %d", table, n, want)
			}
		}
		// All of it again: every one a duplicate answered as first stored, nothing added.
		again := postAll(w, bodies)
		for i, r := range again {
			if i == 10 || i == 30 {
				continue
			}
			if r.Status != http.StatusOK {
				t.Fatalf("replay of order %d: %d %s", i, r.Status, r.Body)
			}
		}
		if n := rows(t, db, "ledger_entries", w.owner.OrgID); n != 61 {
			t.Fatalf("the replay added entries: %d", n)
		}
	})
}

// TestAnOrderThatFailsInItsGroupFailsAlone breaks the write of one order of a group (its campaign is
// gone by the time it is written): the group's transaction fails, each order is written alone, the
// broken one answers an error and the others are stored, each once.
func TestAnOrderThatFailsInItsGroupFailsAlone(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		undo := conversion.BreakOrder("G-7")
		defer undo()
		bodies := make([]obj, 32)
		for i := range bodies {
			bodies[i] = groupOrder(i)
		}
		res := postAll(w, bodies)
		for i, r := range res {
			if i == 7 {
				if r.Status < 500 {
					t.Fatalf("the broken order answered %d %s", r.Status, r.Body)
				}
				continue
			}
			if r.Status != http.StatusCreated || len(entries(r.Map(t))) != 1 {
				t.Fatalf("order %d: %d %s", i, r.Status, r.Body)
			}
		}
		for _, table := range []string{"conversions", "conversion_items", "ledger_entries"} {
			if n := rows(t, db, table, w.owner.OrgID); n != 31 {
				t.Fatalf("%s holds %d rows, want 31", table, n)
			}
		}
		undo()
		if r := w.order(t, groupOrder(7), http.StatusCreated); len(entries(r)) != 1 {
			t.Fatalf("the order sent again: %v", r)
		}
	})
}

// TestASingleOrderWithAnIdempotencyKeyIsAnsweredFromItsKey: an order sent with an Idempotency-Key is
// written in a transaction of its own, which records the key, so a retry is answered from the key.
func TestASingleOrderWithAnIdempotencyKeyIsAnsweredFromItsKey(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		req := apitest.Request{Method: http.MethodPost, Path: "/api/v1/conversions", Body: groupOrder(1), APIKey: w.key,
			Headers: map[string]string{"Idempotency-Key": "order-1-attempt"}}
		first := w.e.Expect(http.StatusCreated, req)
		retry := w.e.Expect(http.StatusCreated, req)
		if retry.Header.Get("Idempotent-Replayed") != "true" || string(retry.Body) != string(first.Body) {
			t.Fatalf("retry: %v %s", retry.Header, retry.Body)
		}
		if n := rows(t, db, "ledger_entries", w.owner.OrgID); n != 1 {
			t.Fatalf("%d entries", n)
		}
	})
}
