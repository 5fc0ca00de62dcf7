package tracking_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store/storetest"
	"github.com/caravan-crm/caravan/internal/tracking"
)

// figures are every click count the tracking package exports, over ranges inside, across and
// outside the retention window.
func (w *world) figures(t *testing.T, links []tracking.Link) string {
	t.Helper()
	now := w.e.Clock.Now().UTC()
	day := func(n int) time.Time { return now.Truncate(24*time.Hour).AddDate(0, 0, -n) }
	ranges := [][2]time.Time{
		{time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), now.Add(time.Hour)}, // all time
		{day(240), day(190)},          // rolled up only
		{day(200), day(100)},          // across the cutoff
		{now.AddDate(0, 0, -30), now}, // within the window, not at midnight
	}
	org := w.u.OrgID
	var out []string
	add := func(name string, v any, err error) {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, fmt.Sprintf("%s=%v", name, v))
	}
	for i, r := range ranges {
		m, err := w.svc.ClicksByAccount(w.ctx, org, r[0], r[1])
		add(fmt.Sprint("account", i), m, err)
		m, err = w.svc.ClicksByCampaign(w.ctx, org, r[0], r[1])
		add(fmt.Sprint("campaign", i), m, err)
		m, err = w.svc.ClicksByCreator(w.ctx, org, r[0], r[1])
		add(fmt.Sprint("creator", i), m, err)
	}
	for _, since := range []time.Time{now.AddDate(0, 0, -30), day(220), day(500)} {
		m, err := w.svc.ClicksOfCreators(w.ctx, org, []string{w.creator, w.other}, since)
		add("creators since "+since.Format(time.RFC3339), m, err)
	}
	// In the order CampaignClicks gives (it promises one whatever was rolled up). Sorting here by
	// fmt.Sprint of a ClickCount compared the account pointer's address: a random order.
	cc, err := w.svc.CampaignClicks(w.ctx, org, w.campaign)
	var flat []string
	for _, c := range cc {
		acct := "-"
		if c.AccountID != nil {
			acct = *c.AccountID
		}
		flat = append(flat, fmt.Sprintf("%s/%s:%d", c.CreatorID, acct, c.Clicks))
	}
	add("campaign clicks", flat, err)
	for _, l := range links {
		var got tracking.Link
		w.call(t, "GET", "/api/v1/links/"+l.ID, nil, 200).JSON(t, &got)
		add("link "+l.ID, got.Clicks, nil)
	}
	return fmt.Sprint(out)
}

func (w *world) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := w.e.DB.NewRaw(q, args...).Scan(w.ctx, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Clicks older than the retention window roll up into daily counts and are deleted; every figure
// stays what it was, and running the job again changes nothing.
func TestOldClicksRollUpIntoDailyCountsAndEveryFigureStays(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		w.call(t, "POST", "/api/v1/campaigns/"+w.campaign+"/creators", obj{"creator_id": w.creator}, 201)
		tiktok := w.link(t, "https://shop.example.com/a", &w.tiktok)
		youtube := w.link(t, "https://shop.example.com/b", &w.youtube)
		bare := w.link(t, "https://shop.example.com/c", nil)
		w.visit(tiktok.Code, w.browser) // a real click: the organization's hashing secret exists
		w.flush(t)

		now := w.e.Clock.Now().UTC()
		kinds := []string{tracking.ClickCounted, tracking.ClickCounted, tracking.ClickBot, tracking.ClickDuplicate}
		n := 0
		for d := 0; d < 260; d++ {
			for i, l := range []tracking.Link{tiktok, youtube, bare} {
				if (d+i)%3 == 0 {
					continue
				}
				for k := 0; k <= (d+i)%4; k++ {
					at := now.AddDate(0, 0, -d).Add(-time.Duration(k*5+i) * time.Hour) // some on the day before
					n++
					if _, err := db.NewRaw(`INSERT INTO clicks (id, org_id, link_id, creator_id, campaign_id, account_id, clicked_at, kind,
						ip_hash, visitor, user_agent, referer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'h', 'v', 'ua', '')`,
						fmt.Sprintf("old-%d", n), w.u.OrgID, l.ID, l.CreatorID, l.CampaignID, l.AccountID, at, kinds[(d+k)%4]).Exec(w.ctx); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		links := []tracking.Link{tiktok, youtube, bare}
		// These clicks went around the click writer, which keeps each link's count in link_clicks:
		// count them as it would, so the links' figures below are checked too.
		if _, err := db.NewRaw(`DELETE FROM link_clicks WHERE org_id = ?`, w.u.OrgID).Exec(w.ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.NewRaw(`INSERT INTO link_clicks (org_id, link_id, counted, bots, duplicates)
			SELECT org_id, link_id, SUM(CASE WHEN kind = 'counted' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'bot' THEN 1 ELSE 0 END),
				SUM(CASE WHEN kind <> 'counted' AND kind <> 'bot' THEN 1 ELSE 0 END)
			FROM clicks WHERE org_id = ? GROUP BY org_id, link_id`, w.u.OrgID).Exec(w.ctx); err != nil {
			t.Fatal(err)
		}
		for _, l := range links {
			var got tracking.Link
			w.call(t, "GET", "/api/v1/links/"+l.ID, nil, 200).JSON(t, &got)
			want := w.count(t, "SELECT COUNT(*) FROM clicks WHERE link_id = ? AND kind = ?", l.ID, tracking.ClickCounted)
			if got.Clicks != int64(want) || want < 50 {
				t.Fatalf("link %s shows %d clicks, %d counted clicks stored", l.ID, got.Clicks, want)
			}
		}
		before := w.figures(t, links)
		for _, empty := range []string{"account1=map[]", "creator1=map[]", "campaign2=map[]"} {
			if strings.Contains(before, empty) {
				t.Fatalf("the fixture has no clicks where it should: %s", before)
			}
		}
		allBefore, err := w.svc.ClicksByCreator(w.ctx, w.u.OrgID, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), now.Add(48*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		cutoff := tracking.RetentionCutoff(now, tracking.DefaultClickRetention)
		old := w.count(t, "SELECT COUNT(*) FROM clicks WHERE clicked_at < ?", cutoff)
		kept := w.count(t, "SELECT COUNT(*) FROM clicks WHERE clicked_at >= ?", cutoff)
		if old < 100 || kept < 100 {
			t.Fatalf("the fixture has %d old and %d recent clicks", old, kept)
		}

		// Small batches: many transactions, each rolling up and deleting its own clicks.
		rolled, err := w.svc.RollUpClicksBefore(context.Background(), cutoff, 37)
		if err != nil {
			t.Fatal(err)
		}
		if rolled != old {
			t.Fatalf("rolled up %d clicks, want %d", rolled, old)
		}
		if got := w.count(t, "SELECT COUNT(*) FROM clicks WHERE clicked_at < ?", cutoff); got != 0 {
			t.Fatalf("%d old raw clicks remain", got)
		}
		if got := w.count(t, "SELECT COUNT(*) FROM clicks WHERE clicked_at >= ?", cutoff); got != kept {
			t.Fatalf("recent clicks: %d, want %d", got, kept)
		}
		total := "SELECT CAST(COALESCE(SUM(counted + bots + duplicates), 0) AS BIGINT) FROM click_days"
		if got := w.count(t, total); got != old {
			t.Fatalf("click_days hold %d clicks, want %d", got, old)
		}
		if after := w.figures(t, links); after != before {
			t.Fatalf("figures changed by the roll-up:\nbefore %s\nafter  %s", before, after)
		}

		// Again, as the job runs it: nothing to do, nothing changes.
		if rolled, err := w.svc.RollUpClicks(context.Background(), tracking.DefaultClickRetention); err != nil || rolled != 0 {
			t.Fatalf("second run: %d, %v", rolled, err)
		}
		if got := w.count(t, total); got != old {
			t.Fatalf("after a second run click_days hold %d clicks, want %d", got, old)
		}
		if after := w.figures(t, links); after != before {
			t.Fatalf("figures changed by the second run:\nbefore %s\nafter  %s", before, after)
		}

		// A day later the next day rolls up, and the all-time figures still agree.
		w.e.Clock.Advance(24 * time.Hour)
		if rolled, err := w.svc.RollUpClicks(context.Background(), tracking.DefaultClickRetention); err != nil || rolled == 0 {
			t.Fatalf("next day: %d, %v", rolled, err)
		}
		all, err := w.svc.ClicksByCreator(w.ctx, w.u.OrgID, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), w.e.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(all, allBefore) {
			t.Fatalf("all-time clicks per creator %v, before any roll-up %v", all, allBefore)
		}
	})
}
