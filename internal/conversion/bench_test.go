package conversion_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// BenchmarkIngest measures orders stored per second, on SQLite (and PostgreSQL when
// CARAVAN_TEST_POSTGRES is set), against a baseline in the same process:
//
//   - raw_batched_insert (the baseline): rows written straight into conversions, 1000 per INSERT,
//     no validation, attribution, idempotency or ledger;
//   - single_64_clients: POST /api/v1/conversions through the real router with an API key, one order
//     per request, from 64 concurrent clients (written in groups: group commit); every order
//     attributed by promo code, with its commission entry, each at its own time;
//   - batch_1000: POST /api/v1/conversions/batch with 1000 such orders per request.
//
// Each reports orders/s; ns/op is per order (b.N orders: the raw and batch sides write them 1000 at a time).
//
//	go test -run '^$' -bench Ingest -benchtime 3000x -count 6 ./internal/conversion/
func BenchmarkIngest(b *testing.B) {
	dialects := map[string]func(testing.TB) *bun.DB{"sqlite": storetest.SQLite}
	if storetest.URLs(b)["postgres"] != "" {
		dialects["postgres"] = storetest.Postgres
	}
	for name, open := range dialects {
		b.Run(name, func(b *testing.B) {
			w := newWorld(b, open(b))
			var seq atomic.Int64
			next := func() string { return fmt.Sprintf("O-%d", seq.Add(1)) }
			order := func(id string) string {
				return `{"external_id":"` + id + `","occurred_at":"` + occurred(id) + `","currency":"USD","amount_minor":8097,"discount_minor":900,"promo_code":"LUNA10","items":[{"sku":"NB-TEA-01","quantity":1,"amount_minor":8097}]}`
			}
			post := func(path, body string) int {
				req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-API-Key", w.key)
				rec := httptest.NewRecorder()
				w.e.Server.Echo.ServeHTTP(rec, req)
				return rec.Code
			}
			perSecond := func(b *testing.B, orders int, start time.Time) {
				b.ReportMetric(float64(orders)/time.Since(start).Seconds(), "orders/s")
			}

			b.Run("raw_batched_insert", func(b *testing.B) {
				ctx := context.Background()
				start := time.Now()
				b.ResetTimer()
				for n := 0; n < b.N; n += 1000 {
					rows := make([]conversion.Conversion, 0, 1000)
					for range min(1000, b.N-n) {
						now := time.Now().UTC()
						rows = append(rows, conversion.Conversion{ID: store.NewID(), OrgID: w.owner.OrgID, Source: "bench", ExternalID: next(),
							OccurredAt: now, Currency: "USD", AmountMinor: 8097, CluesJSON: "{}", Status: conversion.StatusPending,
							Version: 1, CreatedAt: now, UpdatedAt: now})
					}
					if _, err := w.e.DB.NewInsert().Model(&rows).Exec(ctx); err != nil {
						b.Fatal(err)
					}
				}
				perSecond(b, b.N, start)
			})
			b.Run("single_64_clients", func(b *testing.B) {
				b.SetParallelism(32) // × GOMAXPROCS (2 here) = 64 clients
				start := time.Now()
				var fails atomic.Int64
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if code := post("/api/v1/conversions", order(next())); code != http.StatusCreated {
							fails.Add(1)
						}
					}
				})
				if fails.Load() > 0 {
					b.Fatalf("%d orders were not created", fails.Load())
				}
				perSecond(b, b.N, start)
			})
			b.Run("batch_1000", func(b *testing.B) {
				start := time.Now()
				b.ResetTimer()
				for n := 0; n < b.N; n += 1000 {
					var sb strings.Builder
					sb.WriteString(`{"conversions":[`)
					for i := range min(1000, b.N-n) {
						if i > 0 {
							sb.WriteByte(',')
						}
						sb.WriteString(order(next()))
					}
					sb.WriteString(`]}`)
					if code := post("/api/v1/conversions/batch", sb.String()); code != http.StatusOK {
						b.Fatalf("batch answered %d", code)
					}
				}
				perSecond(b, b.N, start)
			})
		})
	}
}

// occurred is the time of order O-n: orders of a day a second apart, as a shop's orders come, so
// that what is read per instant (plans, rates, terms in force) is read for each order.
func occurred(id string) string {
	n := 0
	_, _ = fmt.Sscanf(id, "O-%d", &n)
	return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC).Add(time.Duration(n%86_400) * time.Second).Format(time.RFC3339)
}
