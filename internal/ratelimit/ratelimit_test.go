package ratelimit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/ratelimit"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

func TestPurgeDeletesEndedWindowsInBatchesAndKeepsLiveOnes(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		clk := clock.NewManual(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
		lim := ratelimit.Limiter{DB: db, Clock: clk, Limit: 3, Window: 15 * time.Minute}
		old := 2*ratelimit.PurgeBatch + 7 // more than one batch
		for i := 0; i < old; i++ {
			if _, _, err := lim.Hit(ctx, fmt.Sprintf("old:%d", i)); err != nil {
				t.Fatal(err)
			}
		}
		clk.Advance(20 * time.Minute)
		for i := 0; i < 3; i++ {
			if _, _, err := lim.Hit(ctx, "live"); err != nil {
				t.Fatal(err)
			}
		}
		n, err := ratelimit.Purge(ctx, db, clk.Now().Add(-lim.Window))
		if err != nil || n != int64(old) {
			t.Fatalf("purged %d (%v), want %d", n, err, old)
		}
		left, err := db.NewSelect().Table("rate_limits").Count(ctx)
		if err != nil || left != 1 {
			t.Fatalf("%d rows left (%v), want the live one", left, err)
		}
		// The live counter still counts: the fourth hit is over the limit.
		if ok, _, err := lim.Hit(ctx, "live"); err != nil || ok {
			t.Fatalf("live counter lost its count: ok=%v err=%v", ok, err)
		}
		if n, err := lim.Count(ctx, "live"); err != nil || n != 4 {
			t.Fatalf("Count = %d (%v), want 4", n, err)
		}
		if n, err := ratelimit.Purge(ctx, db, clk.Now().Add(-lim.Window)); err != nil || n != 0 {
			t.Fatalf("second purge deleted %d (%v)", n, err)
		}
	})
}
