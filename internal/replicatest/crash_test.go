package replicatest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// kills is how many times the crash test kills the server.
const kills = 20

// sent is one request of the crash test, kept to replay it at the end.
type sent struct {
	path    string
	body    []byte
	headers map[string]string
	ids     []string // the external ids it carries
	batch   bool
}

// TestAcknowledgedWritesSurviveKill9 sends orders (single and batches of 20) and Shopify orders/create
// deliveries (the sample order under an id of its own; its refunds list is empty and no refund is
// sent) to a `caravan serve` child from 12 clients, SIGKILLs it at a random moment, starts it again
// on the same database, 20 times over. Then every request that got a 2xx is in the database exactly
// once, with its commission entry, and replaying every request ever sent adds nothing. On SQLite
// (the embedded default, synchronous=NORMAL in WAL mode) and PostgreSQL.
func TestAcknowledgedWritesSurviveKill9(t *testing.T) {
	bin := buildBinary(t)
	for dialect, dbURL := range storetest.URLs(t) {
		t.Run(dialect, func(t *testing.T) {
			env := []string{"CARAVAN_ADDR=127.0.0.1:0", "CARAVAN_DATABASE_URL=" + dbURL, "CARAVAN_LOG_FORMAT=json", "CARAVAN_DRAIN_DELAY=0s"}
			hc := &http.Client{Timeout: 20 * time.Second}
			r := startReplica(t, bin, 0, env)
			base := "http://" + r.waitListening(t, startTimeout)
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
			const secret = "shpss_crash_test_secret_0123"
			shop := c.must("POST", "/api/v1/stores", token, map[string]any{"name": "Shop", "domain": "crash.myshopify.com", "webhook_secret": secret}, 201).str("id")
			template, err := os.ReadFile(filepath.Join(moduleRoot(t), "internal", "conversion", "testdata", "shopify", "orders-create.json"))
			if err != nil {
				t.Fatal(err)
			}

			var mu sync.Mutex
			var all []sent
			acked := map[string]int{} // external id → acknowledged requests carrying it
			makeRequest := func(w, n int) sent {
				at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
				switch n % 3 {
				case 0:
					id := fmt.Sprintf("S-%d-%d", w, n)
					body := fmt.Sprintf(`{"external_id":%q,"occurred_at":%q,"currency":"USD","amount_minor":1000,"promo_code":"LUNA10"}`, id, at)
					return sent{path: "/api/v1/conversions", body: []byte(body), headers: map[string]string{"X-API-Key": key}, ids: []string{id}}
				case 1:
					var parts, ids []string
					for k := range 20 {
						id := fmt.Sprintf("B-%d-%d-%d", w, n, k)
						ids = append(ids, id)
						parts = append(parts, fmt.Sprintf(`{"external_id":%q,"occurred_at":%q,"currency":"USD","amount_minor":1000,"promo_code":"LUNA10"}`, id, at))
					}
					return sent{path: "/api/v1/conversions/batch", body: []byte(`{"conversions":[` + strings.Join(parts, ",") + `]}`),
						headers: map[string]string{"X-API-Key": key}, ids: ids, batch: true}
				default: // a Shopify order with its own id; the delivery id is the dedupe key
					orderID := fmt.Sprintf("%d%06d%04d", 7, w, n)
					body := strings.Replace(string(template), "5862118367508125371", orderID, 1)
					mac := hmac.New(sha256.New, []byte(secret))
					mac.Write([]byte(body))
					return sent{path: "/webhooks/shopify/" + shop, body: []byte(body), ids: []string{orderID}, headers: map[string]string{
						"X-Shopify-Topic": "orders/create", "X-Shopify-Webhook-Id": "d-" + orderID,
						"X-Shopify-Hmac-Sha256": base64.StdEncoding.EncodeToString(mac.Sum(nil))}}
				}
			}
			rng := rand.New(rand.NewPCG(uint64(len(dialect)), 2026))
			n := 0
			for round := range kills {
				if round > 0 {
					r = startReplica(t, bin, round, env)
					base = "http://" + r.waitListening(t, startTimeout)
				}
				stop := make(chan struct{})
				var wg sync.WaitGroup
				for w := range 12 {
					wg.Go(func() {
						for k := 0; ; k++ {
							select {
							case <-stop:
								return
							default:
							}
							mu.Lock()
							n++
							req := makeRequest(w, n)
							all = append(all, req)
							mu.Unlock()
							res := doRaw(hc, base+req.path, req.body, req.headers)
							if res.err != nil {
								return // the server is gone
							}
							if res.status/100 == 2 {
								mu.Lock()
								for _, id := range req.ids {
									acked[id]++
								}
								mu.Unlock()
							}
						}
					})
				}
				time.Sleep(time.Duration(50+rng.IntN(400)) * time.Millisecond)
				if err := r.cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				<-r.done
				close(stop)
				wg.Wait()
			}

			// A last server: replay everything ever sent; nothing may be added.
			r = startReplica(t, bin, kills, env)
			base = "http://" + r.waitListening(t, startTimeout)
			ctx := context.Background()
			db, err := store.Open(ctx, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			counts := func() (convs, entries, deliveries int) {
				for table, dst := range map[string]*int{"conversions": &convs, "ledger_entries": &entries, "webhook_deliveries": &deliveries} {
					if err := db.NewSelect().TableExpr(table).ColumnExpr("COUNT(*)").Scan(ctx, dst); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			var stored []string
			if err := db.NewSelect().TableExpr("conversions").Column("external_id").Scan(ctx, &stored); err != nil {
				t.Fatal(err)
			}
			have := map[string]int{}
			for _, id := range stored {
				have[id]++
			}
			lost, twice := 0, 0
			for id := range acked {
				if have[id] == 0 {
					lost++
				}
			}
			for _, k := range have {
				if k > 1 {
					twice++
				}
			}
			convs, entries, _ := counts()
			t.Logf("%s: %d kills; %d requests sent, %d orders acknowledged, %d stored, %d lost, %d stored twice, %d entries",
				dialect, kills, len(all), len(acked), convs, lost, twice, entries)
			if lost > 0 || twice > 0 || entries != convs {
				t.Fatalf("after %d kills: %d acknowledged orders lost, %d stored twice, %d conversions with %d entries", kills, lost, twice, convs, entries)
			}
			var wg sync.WaitGroup
			jobs := make(chan sent)
			for range 8 {
				wg.Go(func() {
					for req := range jobs {
						res := doRaw(hc, base+req.path, req.body, req.headers)
						if res.err != nil || res.status/100 != 2 {
							t.Errorf("replay of %s: %d %v %s", req.path, res.status, res.err, res.raw)
						}
					}
				})
			}
			for _, req := range all {
				jobs <- req
			}
			close(jobs)
			wg.Wait()
			convs2, entries2, deliveries2 := counts()
			sentIDs := map[string]bool{}
			for _, req := range all {
				for _, id := range req.ids {
					sentIDs[id] = true
				}
			}
			if convs2 != len(sentIDs) || entries2 != convs2 {
				t.Fatalf("after the replay: %d conversions for %d distinct orders sent, %d entries", convs2, len(sentIDs), entries2)
			}
			t.Logf("replay of %d requests: %d conversions (every order sent, once), %d entries, %d webhook deliveries", len(all), convs2, entries2, deliveries2)
			r.signal(t, syscall.SIGTERM)
			r.waitExit(t, stopTimeout)
		})
	}
}
