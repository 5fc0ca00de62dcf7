package tracking_test

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"golang.org/x/time/rate"

	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
	"github.com/caravan-crm/caravan/internal/tracking"
	"github.com/caravan-crm/caravan/migrations"
)

// The migration that introduced link_clicks counted the clicks already stored, raw and rolled up;
// run again on the same clicks it must find exactly what the click writer has counted since.
func TestTheMigrationCountsALinksStoredAndRolledUpClicksAsTheWriterDoes(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		w.svc.SetRedirectLimit(rate.Inf, 0)
		links := []tracking.Link{w.link(t, "https://shop.example/a", &w.tiktok), w.link(t, "https://shop.example/b", nil)}
		visit := func(n int) {
			for i := range n {
				ua := fmt.Sprintf("Mozilla/5.0 visitor %d", i%5)
				if i%7 == 0 {
					ua = "Twitterbot/1.0"
				}
				if _, err := w.svc.Redirect(w.ctx, tracking.Visit{Code: links[i%2].Code, IP: "198.51.100.3", UserAgent: ua}); err != nil {
					t.Fatal(err)
				}
			}
			w.flush(t)
		}
		visit(40)
		w.e.Clock.Advance(200 * 24 * time.Hour)
		if n, err := w.svc.RollUpClicks(context.Background(), tracking.DefaultClickRetention); err != nil || n != 40 {
			t.Fatalf("rolled up %d clicks: %v", n, err)
		}
		visit(30)

		snapshot := func() string {
			var rows []struct {
				LinkID                    string `bun:"link_id"`
				Counted, Bots, Duplicates int64
			}
			if err := db.NewSelect().Table("link_clicks").Column("link_id", "counted", "bots", "duplicates").
				Order("link_id").Scan(w.ctx, &rows); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(rows)
		}
		want := snapshot()
		if strings.Count(want, " ") < 6 {
			t.Fatalf("the writer counted nothing: %s", want)
		}

		dialect := "postgres"
		if store.IsSQLite(db) {
			dialect = "sqlite"
		}
		up, err := fs.ReadFile(migrations.For(dialect), "20261205400000_count_link_clicks.up.sql")
		if err != nil {
			t.Fatal(err)
		}
		backfill := strings.Split(string(up), "--bun:split")[1]
		if _, err := db.ExecContext(w.ctx, "DELETE FROM link_clicks"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(w.ctx, backfill); err != nil {
			t.Fatal(err)
		}
		if got := snapshot(); got != want {
			t.Fatalf("the migration counts %s, the writer %s", got, want)
		}
	})
}
