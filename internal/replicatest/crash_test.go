package replicatest

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// TestAcknowledgedOrdersSurviveKill9 sends orders to a `caravan serve` child from 16 clients, kills
// it with SIGKILL in the middle of the stream, starts it again on the same database and checks that
// every order answered with a 2xx is stored, once, with its commission entry: an acknowledgement is
// a commit. Half the clients send single orders, half send batches of 20.
func TestAcknowledgedOrdersSurviveKill9(t *testing.T) {
	bin := buildBinary(t)
	for dialect, dbURL := range storetest.URLs(t) {
		t.Run(dialect, func(t *testing.T) {
			env := []string{"CARAVAN_ADDR=127.0.0.1:0", "CARAVAN_DATABASE_URL=" + dbURL, "CARAVAN_LOG_FORMAT=json", "CARAVAN_DRAIN_DELAY=0s"}
			r := startReplica(t, bin, 0, env)
			base := "http://" + r.waitListening(t, startTimeout)
			hc := &http.Client{Timeout: 20 * time.Second}
			c := &cluster{t: t, base: base, hc: hc}
			setup := c.must("POST", "/api/v1/setup", "", map[string]any{"org_name": "Crash test", "base_currency": "USD", "timezone": "UTC",
				"name": "Owner", "email": ownerEmail, "password": ownerPassword}, 201)
			token := setup.str("access_token")
			cr := c.must("POST", "/api/v1/creators", token, map[string]any{"display_name": "Luna", "country": "US",
				"accounts": []map[string]any{{"platform": "tiktok", "handle": "@luna"}}}, 201)
			camp := c.must("POST", "/api/v1/campaigns", token, map[string]any{"name": "Spring", "starts_on": "2026-01-01",
				"plan": map[string]any{"type": "percent", "rate_bps": 1000}}, 201)
			c.must("POST", "/api/v1/campaigns/"+camp.str("id")+"/creators", token, map[string]any{"creator_id": cr.str("id")}, 201)
			c.must("POST", "/api/v1/promo-codes", token, map[string]any{"code": "LUNA10", "creator_id": cr.str("id"), "campaign_id": camp.str("id")}, 201)
			key := c.must("POST", "/api/v1/api-keys", token, map[string]any{"name": "shop"}, 201).str("key")

			order := func(id string) map[string]any {
				return map[string]any{"external_id": id, "occurred_at": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339), "currency": "USD",
					"amount_minor": 1000, "promo_code": "LUNA10"}
			}
			var mu sync.Mutex
			acked := map[string]bool{}
			var sent atomic.Int64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for w := range 16 {
				wg.Go(func() {
					for n := 0; ; n++ {
						select {
						case <-stop:
							return
						default:
						}
						if w%2 == 0 {
							id := fmt.Sprintf("S-%d-%d", w, n)
							res := do(hc, "POST", base+"/api/v1/conversions", order(id), map[string]string{"X-API-Key": key})
							if res.err != nil {
								return // the server is gone
							}
							if res.status/100 == 2 {
								mu.Lock()
								acked[id] = true
								mu.Unlock()
							}
						} else {
							var batch []map[string]any
							var ids []string
							for k := range 20 {
								id := fmt.Sprintf("B-%d-%d-%d", w, n, k)
								ids, batch = append(ids, id), append(batch, order(id))
							}
							res := do(hc, "POST", base+"/api/v1/conversions/batch", map[string]any{"conversions": batch}, map[string]string{"X-API-Key": key})
							if res.err != nil {
								return
							}
							if res.status == 200 {
								mu.Lock()
								for _, id := range ids {
									acked[id] = true
								}
								mu.Unlock()
							}
						}
						sent.Add(1)
					}
				})
			}
			// kill once a good stream is in flight
			deadline := time.Now().Add(60 * time.Second)
			for sent.Load() < 150 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if err := r.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			<-r.done
			close(stop)
			wg.Wait()
			mu.Lock()
			n := len(acked)
			mu.Unlock()
			if n < 100 {
				t.Fatalf("only %d orders were acknowledged before the kill", n)
			}

			// the database after the crash, opened as the next process would
			r2 := startReplica(t, bin, 1, env)
			r2.waitListening(t, startTimeout)
			ctx := context.Background()
			db, err := store.Open(ctx, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var stored []string
			if err := db.NewSelect().TableExpr("conversions").Column("external_id").Scan(ctx, &stored); err != nil {
				t.Fatal(err)
			}
			have := map[string]bool{}
			for _, id := range stored {
				have[id] = true
			}
			lost := 0
			for id := range acked {
				if !have[id] {
					lost++
				}
			}
			var entries, orphans int
			if err := db.NewSelect().TableExpr("ledger_entries").ColumnExpr("COUNT(*)").Scan(ctx, &entries); err != nil {
				t.Fatal(err)
			}
			if err := db.NewRaw("SELECT COUNT(*) FROM conversions AS cv WHERE NOT EXISTS (SELECT 1 FROM ledger_entries AS le WHERE le.conversion_id = cv.id)").Scan(ctx, &orphans); err != nil {
				t.Fatal(err)
			}
			t.Logf("%d orders acknowledged before SIGKILL, %d stored after it, %d lost, %d entries", n, len(stored), lost, entries)
			if lost > 0 || entries != len(stored) || orphans != 0 {
				t.Fatalf("after kill -9: %d acknowledged orders lost; %d conversions, %d entries, %d without their entry", lost, len(stored), entries, orphans)
			}
			r2.signal(t, syscall.SIGTERM)
			r2.waitExit(t, stopTimeout)
		})
	}
}
