package ledger_test

import (
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// auditOfTarget is the audit log of one object, the oldest entry first.
func auditOfTarget(t *testing.T, e *apitest.Env, u apitest.User, targetID string) []obj {
	t.Helper()
	l := items(call(t, e, u, "GET", "/api/v1/audit-log?target_id="+targetID, nil, http.StatusOK))
	for i, j := 0, len(l)-1; i < j; i, j = i+1, j-1 {
		l[i], l[j] = l[j], l[i]
	}
	return l
}

// The audit log says what each finance action changed, as period close/reopen and payout.paid do:
// the previous value under "before", the new one under "after" (a first value has no before).
func TestFinanceActionsAreAuditedWithWhatWasBeforeAndAfter(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Home", "owner@nb.example") // CNY; 2026-11-24
		fin := e.AddUser(owner, "finance@nb.example", actor.RoleFinance)
		c := call(t, e, owner, "POST", "/api/v1/creators", obj{"display_name": "Luna", "country": "US",
			"accounts": []obj{{"platform": "tiktok", "handle": "@luna"}}}, http.StatusCreated)
		luna := c["id"].(string)
		cm := call(t, e, owner, "POST", "/api/v1/campaigns", obj{"name": "Tea", "starts_on": "2026-11-01", "plan": obj{"type": "percent", "rate_bps": 1000}}, http.StatusCreated)
		call(t, e, owner, "POST", "/api/v1/campaigns/"+cm["id"].(string)+"/creators", obj{"creator_id": luna}, http.StatusCreated)
		call(t, e, owner, "POST", "/api/v1/promo-codes", obj{"code": "LUNA10", "creator_id": luna, "campaign_id": cm["id"]}, http.StatusCreated)

		// FX rates: the first rate of a day has nothing before it; a correction names the rate it replaced
		rate := obj{"on": "2026-11-01", "currency": "USD", "base_currency": "CNY", "rate": "7.1"}
		call(t, e, fin, "PUT", "/api/v1/fx-rates", rate, http.StatusOK)
		rate["rate"] = "7.15"
		call(t, e, fin, "PUT", "/api/v1/fx-rates", rate, http.StatusOK)
		fx := auditOfTarget(t, e, owner, "USD/CNY/2026-11-01")
		if len(fx) != 2 {
			t.Fatalf("fx audit = %v", fx)
		}
		for i, want := range []obj{
			{"rate": "7.1", "before": nil, "after": "7.1"},
			{"rate": "7.15", "before": "7.1", "after": "7.15"},
		} {
			if fx[i]["action"] != "fx_rate.put" || !reflect.DeepEqual(fx[i]["details"], want) {
				t.Errorf("fx_rate.put %d: %v, want details %v", i, fx[i], want)
			}
		}

		// conversions: approve, reject a pending one, reject an approved one; a repeat is not audited
		order := func(id string) string {
			o := call(t, e, fin, "POST", "/api/v1/conversions", obj{"external_id": id, "occurred_at": "2026-11-24T08:00:00Z", "currency": "USD",
				"amount_minor": 10000, "promo_code": "LUNA10"}, http.StatusCreated)
			return o["id"].(string)
		}
		a, b := order("A"), order("B")
		call(t, e, fin, "POST", "/api/v1/conversions/"+a+"/approve", nil, http.StatusOK)
		call(t, e, fin, "POST", "/api/v1/conversions/"+a+"/approve", nil, http.StatusOK) // already approved: no change
		call(t, e, fin, "POST", "/api/v1/conversions/"+b+"/reject", obj{"reason": "fake order"}, http.StatusOK)
		call(t, e, fin, "POST", "/api/v1/conversions/decisions", obj{"action": "reject", "ids": []string{a}, "reason": "returned"}, http.StatusOK)
		for id, want := range map[string][]obj{
			a: {
				{"action": "conversion.approve", "details": obj{"reason": "", "status": "approved", "before": "pending", "after": "approved"}},
				{"action": "conversion.reject", "details": obj{"reason": "returned", "status": "rejected", "before": "approved", "after": "rejected"}},
			},
			b: {{"action": "conversion.reject", "details": obj{"reason": "fake order", "status": "rejected", "before": "pending", "after": "rejected"}}},
		} {
			log := auditOfTarget(t, e, owner, id)
			if len(log) != len(want) {
				t.Errorf("conversion %s audit = %v, want %d entries", id, log, len(want))
				continue
			}
			for i, w := range want {
				if log[i]["action"] != w["action"] || !reflect.DeepEqual(log[i]["details"], w["details"]) {
					t.Errorf("conversion %s audit %d = %v %v, want %v", id, i, log[i]["action"], log[i]["details"], w)
				}
			}
		}

		// an adjustment adds an entry: nothing before, the entry's figures after (3.00 USD at 7.15 = ¥21.45)
		adj := call(t, e, fin, "POST", "/api/v1/adjustments", obj{"creator_id": luna, "amount_minor": 300, "currency": "USD", "reason": "bonus", "period": "2026-11"}, http.StatusCreated)
		log := auditOfTarget(t, e, owner, adj["id"].(string))
		want := obj{"creator_id": luna, "amount_minor": 300.0, "currency": "USD", "period": "2026-11", "reason": "bonus", "before": nil,
			"after": obj{"kind": "adjustment", "amount_minor": 300.0, "currency": "USD", "period": "2026-11", "agency_share_minor": 0.0,
				"base_amount_minor": 2145.0, "base_currency": "CNY"}}
		if len(log) != 1 || log[0]["action"] != "adjustment.create" || !reflect.DeepEqual(log[0]["details"], want) {
			t.Errorf("adjustment audit = %v, want details %v", log, want)
		}
	})
}

// Rates put for one day at the same moment are recorded one after the other: exactly one of them
// found the day without a rate, and each other one names a rate put before it as what it replaced.
// On PostgreSQL two requests used to read "no rate" side by side and both say so.
func TestRatesPutAtOnceForOneDayEachNameTheRateTheyReplaced(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Home", "owner@nb.example")
		fin := e.AddUser(owner, "finance@nb.example", actor.RoleFinance)
		const n = 8
		for round, day := range []string{"2026-11-02", "2026-11-03", "2026-11-04"} {
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					res := e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/fx-rates", Token: fin.Token,
						Body: obj{"on": day, "currency": "USD", "base_currency": "CNY", "rate": fmt.Sprintf("7.%d", 10+i)}})
					if res.Status != http.StatusOK {
						t.Errorf("round %d, rate %d: %d %s", round, i, res.Status, res.Body)
					}
				}()
			}
			close(start)
			wg.Wait()
			log := auditOfTarget(t, e, owner, "USD/CNY/"+day)
			if len(log) != n {
				t.Fatalf("round %d: %d audit entries, want %d", round, len(log), n)
			}
			firsts := 0
			afters := map[any]int{}
			for _, l := range log {
				afters[l["details"].(obj)["after"]]++
			}
			final := items(call(t, e, owner, "GET", "/api/v1/fx-rates?currency=USD&from="+day+"&to="+day, nil, http.StatusOK))
			if len(final) != 1 {
				t.Fatalf("round %d: rates %v", round, final)
			}
			afters[final[0]["rate"]]-- // the last rate put is replaced by none
			for _, l := range log {
				switch before := l["details"].(obj)["before"]; {
				case before == nil:
					firsts++
				default:
					afters[before]--
				}
			}
			var chain []string
			for _, l := range log {
				d := l["details"].(obj)
				chain = append(chain, fmt.Sprintf("%v→%v", d["before"], d["after"]))
			}
			for rate, left := range afters {
				if left != 0 {
					t.Errorf("round %d: rate %v was put %+d times more than it was replaced (audit: %v)", round, rate, left, chain)
				}
			}
			if firsts != 1 {
				t.Errorf("round %d: %d rates say the day had none before them, want 1", round, firsts)
			}
		}
	})
}
