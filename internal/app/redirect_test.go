package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/time/rate"

	"github.com/caravan-crm/caravan/internal/config"
	"github.com/caravan-crm/caravan/internal/store/storetest"
	"github.com/caravan-crm/caravan/internal/tracking"
)

// Thousands of redirects under concurrency, then the server is stopped as SIGTERM stops it: every
// click that got its 302 is in the database once, none twice, none lost in the buffer.
func TestEveryRedirectedClickIsStoredOnceAfterAGracefulStop(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			cfg := config.Defaults()
			cfg.DatabaseURL = url
			a, err := Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			a.Deps.Tracking.SetRedirectLimit(rate.Inf, 0) // one client address sends everything
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- a.Serve(ctx, ln) }()
			base := "http://" + ln.Addr().String()

			post := func(path, token string, body any) map[string]any {
				b, _ := json.Marshal(body)
				req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(b))
				req.Header.Set("Content-Type", "application/json")
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				var out map[string]any
				if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode >= 300 {
					t.Fatalf("POST %s: %d %v %v", path, res.StatusCode, out, err)
				}
				return out
			}
			setup := post("/api/v1/setup", "", map[string]any{"org_name": "Org", "base_currency": "USD", "timezone": "UTC",
				"name": "Owner", "email": "owner@example.com", "password": "correct horse battery"})
			token := setup["access_token"].(string)
			cr := post("/api/v1/creators", token, map[string]any{"display_name": "Luna", "country": "US",
				"accounts": []map[string]any{{"platform": "tiktok", "handle": "@luna"}}})
			camp := post("/api/v1/campaigns", token, map[string]any{"name": "Spring", "starts_on": "2026-01-01",
				"plan": map[string]any{"type": "percent", "rate_bps": 1000}})
			link := post("/api/v1/links", token, map[string]any{"creator_id": cr["id"], "campaign_id": camp["id"],
				"destination_url": "https://shop.example.com/lamp?a=1"})
			code := link["code"].(string)

			client := &http.Client{
				Transport:     &http.Transport{MaxIdleConnsPerHost: 32},
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			}
			var next, ok atomic.Int64
			var wg sync.WaitGroup
			for range 32 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1)
						if i > redirectLoad {
							return
						}
						req, _ := http.NewRequest(http.MethodGet, base+"/r/"+code, nil)
						// A distinct visitor each time: repeats within a minute count once.
						req.Header.Set("User-Agent", fmt.Sprintf("Mozilla/5.0 (visitor %d)", i))
						res, err := client.Do(req)
						if err != nil {
							t.Errorf("redirect %d: %v", i, err)
							return
						}
						io.Copy(io.Discard, res.Body)
						res.Body.Close()
						if res.StatusCode == http.StatusFound {
							ok.Add(1)
						}
					}
				}()
			}
			wg.Wait()
			cancel() // what SIGTERM does in main
			if err := <-done; err != nil {
				t.Fatalf("Serve: %v", err)
			}
			var counted, distinct int64
			if err := a.DB.NewSelect().Table("clicks").ColumnExpr("COUNT(*), COUNT(DISTINCT id)").
				Where("kind = ?", tracking.ClickCounted).Scan(context.Background(), &counted, &distinct); err != nil {
				t.Fatal(err)
			}
			if ok.Load() != redirectLoad || counted != redirectLoad || distinct != counted {
				t.Fatalf("302s %d, counted clicks stored %d (%d distinct); want %d of each", ok.Load(), counted, distinct, redirectLoad)
			}
		})
	}
}
