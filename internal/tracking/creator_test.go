package tracking_test

import (
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// The creator answer gains the campaigns they are in and the clicks on their links in the last 30
// days; the timeline shows their enrolment, samples and posts.
func TestTheCreatorShowsCampaignsClicksAndCampaignEvents(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		w.call(t, "POST", "/api/v1/campaigns/"+w.campaign+"/creators", obj{"creator_id": w.creator}, 201)
		product := w.call(t, "POST", "/api/v1/products", obj{"sku": "LAMP-1", "name": "Lamp", "price_minor": 1999, "currency": "USD"}, 201).Map(t)["id"]
		w.call(t, "POST", "/api/v1/campaigns/"+w.campaign+"/samples", obj{"creator_id": w.creator, "product_id": product, "quantity": 1,
			"unit_cost_minor": 500, "currency": "USD", "carrier": "DHL", "tracking_number": "1Z999"}, 201)
		w.call(t, "POST", "/api/v1/campaigns/"+w.campaign+"/deliverables", obj{"creator_id": w.creator, "account_id": w.tiktok,
			"url": "https://www.tiktok.com/@luna/video/1", "status": "posted"}, 201)
		l := w.link(t, "https://shop.example.com/lamp", &w.tiktok)
		w.visit(l.Code, w.browser)
		w.visit(l.Code, w.browser2)
		w.visit(l.Code, "facebookexternalhit/1.1") // a link preview: recorded, not counted
		w.flush(t)

		c := w.call(t, "GET", "/api/v1/creators/"+w.creator, nil, 200).Map(t)
		if c["campaigns"] != float64(1) || c["clicks_30d"] != float64(2) {
			t.Fatalf("campaigns %v, clicks_30d %v; want 1 and 2", c["campaigns"], c["clicks_30d"])
		}
		other := w.call(t, "GET", "/api/v1/creators/"+w.other, nil, 200).Map(t)
		if other["campaigns"] != float64(0) || other["clicks_30d"] != float64(0) {
			t.Fatalf("the other creator: %v %v", other["campaigns"], other["clicks_30d"])
		}
		kinds := map[string]bool{}
		for _, it := range w.call(t, "GET", "/api/v1/creators/"+w.creator+"/timeline", nil, 200).Map(t)["items"].([]any) {
			kinds[it.(obj)["kind"].(string)] = true
		}
		for _, k := range []string{"enrolled", "sample_sent", "posted"} {
			if !kinds[k] {
				t.Errorf("the timeline has no %q event: %v", k, kinds)
			}
		}
	})
}

// Clicks arrive in the campaign report per creator and per account.
func TestTheCampaignReportCountsClicksPerCreatorAndAccount(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		w.call(t, "POST", "/api/v1/campaigns/"+w.campaign+"/creators", obj{"creator_id": w.creator}, 201)
		tiktok := w.link(t, "https://shop.example.com/a", &w.tiktok)
		youtube := w.link(t, "https://shop.example.com/b", &w.youtube)
		w.visit(tiktok.Code, w.browser)
		w.visit(tiktok.Code, w.browser2)
		w.visit(youtube.Code, w.browser)
		w.flush(t)
		rep := w.call(t, "GET", "/api/v1/campaigns/"+w.campaign+"/report", nil, 200).Map(t)
		byAccount := map[string]float64{}
		for _, a := range rep["accounts"].([]any) {
			a := a.(obj)
			byAccount[a["account_id"].(string)] = a["clicks"].(float64)
		}
		if byAccount[w.tiktok] != 2 || byAccount[w.youtube] != 1 {
			t.Fatalf("clicks per account %v; want tiktok 2, youtube 1", byAccount)
		}
		if got := rep["totals"].(obj)["clicks"]; got != float64(3) {
			t.Fatalf("total clicks %v, want 3", got)
		}
	})
}

// A replica redirects a hot link from memory for a few seconds: a change made through it applies at
// once, one made through another replica (here: straight in the database) within linkCacheTTL.
func TestARedirectReadsAHotLinkFromMemoryForAFewSeconds(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		l := w.link(t, "https://shop.example.com/a", nil)
		if res := w.visit(l.Code, w.browser); res.Status != 302 {
			t.Fatalf("first visit: %d", res.Status)
		}
		if _, err := db.NewUpdate().Table("links").Set("status = 'disabled'").Where("id = ?", l.ID).Exec(w.ctx); err != nil {
			t.Fatal(err)
		}
		if res := w.visit(l.Code, w.browser); res.Status != 302 {
			t.Fatalf("within the cache's time: %d", res.Status)
		}
		w.e.Clock.Advance(6 * time.Second)
		if res := w.visit(l.Code, w.browser); res.Status != 404 {
			t.Fatalf("after the cache's time: %d", res.Status)
		}
	})
}
