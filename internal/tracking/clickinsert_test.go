package tracking_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"golang.org/x/time/rate"

	"github.com/caravan-crm/caravan/internal/store/storetest"
	"github.com/caravan-crm/caravan/internal/tracking"
)

// The flusher binds its values instead of inlining them as bun does; what it stores must be what bun
// stored, byte for byte: the time's text above all (SQLite keeps it as written, and reads, reports
// and the retention job compare it as text), strings with quotes and non-ASCII, NULLs.
func TestTheFlusherStoresAClickExactlyAsBunWould(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		l := w.link(t, "https://shop.example/a", &w.tiktok)
		var cols struct {
			Org, Creator, Campaign string
		}
		if err := db.NewSelect().Table("links").ColumnExpr("org_id AS org, creator_id AS creator, campaign_id AS campaign").
			Where("id = ?", l.ID).Scan(w.ctx, &cols.Org, &cols.Creator, &cols.Campaign); err != nil {
			t.Fatal(err)
		}
		tokyo := time.FixedZone("JST", 9*3600)
		for _, c := range []struct {
			at       time.Time
			account  *string
			country  *string
			ua, from string
		}{
			{time.Date(2026, 11, 24, 9, 0, 0, 123400000, time.UTC), &w.tiktok, ptr("JP"), "Mozilla/5.0 l'iPhone «ünïcode» 日本", ""},
			{time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), nil, nil, "", "https://t.co/x?a='1'"},
			{time.Date(2026, 11, 24, 23, 59, 59, 999999000, tokyo), nil, ptr("US"), "Mozilla/5.0", "-"},
			{time.Date(2026, 11, 24, 9, 0, 0, 100000, time.UTC), &w.tiktok, nil, "x", "y"},
		} {
			a, b, err := tracking.ClickTwoWays(w.ctx, db, cols.Org, l.ID, cols.Creator, cols.Campaign, c.account, c.country, c.at, c.ua, c.from)
			if err != nil {
				t.Fatal(err)
			}
			read := func(id string) string {
				var got []string
				q := "SELECT CAST(clicked_at AS TEXT), org_id, link_id, creator_id, campaign_id, COALESCE(account_id, '<null>'), kind, " +
					"ip_hash, visitor, user_agent, referer, COALESCE(country, '<null>') FROM clicks WHERE id = ?"
				rows, err := db.QueryContext(w.ctx, q, id)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				vals := make([]string, 12)
				ptrs := make([]any, len(vals))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if !rows.Next() {
					t.Fatalf("click %s not stored", id)
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				got = append(got, vals...)
				return fmt.Sprintf("%q", got)
			}
			if viaBun, viaParams := read(a), read(b); viaBun != viaParams {
				t.Errorf("at %v:\nbun stored   %s\nbound params %s", c.at, viaBun, viaParams)
			}
		}
	})
}

// A link's count (the links list) is kept as clicks are written; it must match the clicks stored,
// counted ones only, whatever the mix of visitors, repeats and bots, and a batch written again after
// a commit whose answer was lost adds nothing.
func TestALinksCountMatchesItsStoredClicksEvenWhenABatchIsWrittenTwice(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		w.svc.SetRedirectLimit(rate.Inf, 0)
		links := []tracking.Link{w.link(t, "https://shop.example/a", &w.tiktok), w.link(t, "https://shop.example/b", nil)}
		var ids []string
		for i := range 60 {
			ua := fmt.Sprintf("Mozilla/5.0 visitor %d", i%7) // repeats within the minute: duplicates
			if i%5 == 0 {
				ua = "Slackbot-LinkExpanding 1.0"
			}
			to, err := w.svc.Redirect(w.ctx, tracking.Visit{Code: links[i%2].Code, IP: "198.51.100.7", UserAgent: ua})
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(to)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, u.Query().Get(tracking.ParamClick))
		}
		w.flush(t)
		if err := w.svc.WriteAgain(w.ctx, ids); err != nil {
			t.Fatal(err)
		}
		for _, l := range links {
			stored := w.kinds(t, l.ID)
			var got tracking.Link
			w.call(t, "GET", "/api/v1/links/"+l.ID, nil, 200).JSON(t, &got)
			if got.Clicks != int64(stored[tracking.ClickCounted]) || stored[tracking.ClickCounted] == 0 ||
				stored[tracking.ClickDuplicate] == 0 || stored[tracking.ClickBot] == 0 {
				t.Errorf("link %s: count %d, stored %v", l.Code, got.Clicks, stored)
			}
			var counts struct{ Counted, Bots, Duplicates int }
			if err := db.NewSelect().Table("link_clicks").Column("counted", "bots", "duplicates").Where("link_id = ?", l.ID).
				Scan(w.ctx, &counts.Counted, &counts.Bots, &counts.Duplicates); err != nil {
				t.Fatal(err)
			}
			if counts.Counted != stored[tracking.ClickCounted] || counts.Bots != stored[tracking.ClickBot] ||
				counts.Duplicates != stored[tracking.ClickDuplicate] {
				t.Errorf("link %s: link_clicks %+v, stored %v", l.Code, counts, stored)
			}
		}
	})
}
