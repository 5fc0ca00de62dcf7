package campaign_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// A plan edit is a new version: PlanAt answers the old plan for instants before the edit and the new
// one after, a scheduled version takes effect on its date, and a version in the past is refused.
func TestAPlanEditLeavesEarlierDatesUnchanged(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		u := e.Setup("Ningbo Export", "li@example.com")
		t0 := e.Clock.Now()
		c := newCampaign(t, e, u, obj{"name": "Winter", "plan": obj{"type": "tiered", "currency": "usd",
			"tiers": []obj{{"from_gmv_minor": 0, "rate_bps": 500}, {"from_gmv_minor": 100000, "rate_bps": 800}}}})
		if c["status"] != "draft" || c["attribution_window_days"] != float64(30) || c["hold_days"] != float64(30) || c["plan_version"] != float64(1) ||
			c["plan"].(obj)["base"] != "net" || c["plan"].(obj)["currency"] != "USD" {
			t.Fatalf("created campaign = %v", c)
		}
		id := c["id"].(string)

		e.Clock.Advance(2 * time.Hour)
		u = e.Login(u.Email, apitest.Password)
		up := call(t, e, u, "PATCH", "/api/v1/campaigns/"+id, obj{"plan": obj{"type": "percent", "rate_bps": 1500, "base": "gross"}, "status": "active"}, 200)
		if up["plan_version"] != float64(2) || up["plan"].(obj)["rate_bps"] != float64(1500) || up["status"] != "active" {
			t.Fatalf("after the edit = %v", up)
		}
		// scheduled: from 2026-12-15 in the organization's zone (Asia/Shanghai)
		v3 := call(t, e, u, "POST", "/api/v1/campaigns/"+id+"/plans", obj{"plan": obj{"type": "flat", "amount_minor": 300, "currency": "USD"},
			"effective_from": "2026-12-15"}, http.StatusCreated)
		if v3["version"] != float64(3) || v3["effective_from"] != "2026-12-14T16:00:00Z" {
			t.Fatalf("scheduled version = %v", v3)
		}
		if got := call(t, e, u, "GET", "/api/v1/campaigns/"+id, nil, 200); got["plan_version"] != float64(2) || got["next_plan"].(obj)["version"] != float64(3) {
			t.Fatalf("campaign with a scheduled plan = %v", got)
		}
		fieldError(t, e, u, "POST", "/api/v1/campaigns/"+id+"/plans", obj{"plan": obj{"type": "percent", "rate_bps": 1}, "effective_from": "2026-11-01"}, "effective_from")
		fieldError(t, e, u, "PATCH", "/api/v1/campaigns/"+id, obj{"plan": obj{"type": "percent", "rate_bps": 1}, "plan_effective_from": t0.Format(time.RFC3339)}, "plan_effective_from")

		plans := call(t, e, u, "GET", "/api/v1/campaigns/"+id+"/plans", nil, 200)
		if n := len(items(plans)); n != 3 {
			t.Fatalf("plan versions = %v", plans)
		}
		ctx := context.Background()
		for _, tc := range []struct {
			at      time.Time
			version int
			typ     string
		}{
			{t0.Add(-24 * time.Hour), 1, "tiered"}, // before the campaign existed: its first plan
			{t0, 1, "tiered"},
			{t0.Add(2*time.Hour - time.Microsecond), 1, "tiered"},
			{t0.Add(2 * time.Hour), 2, "percent"},
			{time.Date(2026, 12, 14, 15, 59, 0, 0, time.UTC), 2, "percent"},
			{time.Date(2026, 12, 14, 16, 0, 0, 0, time.UTC), 3, "flat"},
		} {
			plan, v, err := e.Deps.Campaigns.PlanAt(ctx, u.OrgID, id, tc.at)
			if err != nil || v != tc.version || plan.Type != tc.typ {
				t.Errorf("PlanAt(%s) = %s v%d (%v), want %s v%d", tc.at.Format(time.RFC3339Nano), plan.Type, v, err, tc.typ, tc.version)
			}
		}
		if _, _, err := e.Deps.Campaigns.PlanAt(ctx, u.OrgID, "no-such-campaign", t0); err == nil {
			t.Error("PlanAt of an unknown campaign answered a plan")
		}
		b := e.NewOrg("Yiwu Trading", "zhao@example.com")
		if _, _, err := e.Deps.Campaigns.PlanAt(ctx, b.OrgID, id, t0); err == nil {
			t.Error("PlanAt answered another organization's plan")
		}
	})
}

func TestCampaignValidationIsStrict(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		u := e.Setup("Ningbo Export", "li@example.com")
		b := e.NewOrg("Yiwu Trading", "zhao@example.com")
		theirs := call(t, e, b, "POST", "/api/v1/products", obj{"sku": "B-1", "name": "B", "price_minor": 1, "currency": "USD"}, 201)
		base := func(extra obj) obj {
			body := obj{"name": "C", "starts_on": "2026-12-01", "plan": obj{"type": "percent", "rate_bps": 1000}}
			for k, v := range extra {
				body[k] = v
			}
			return body
		}
		for field, body := range map[string]obj{
			"plan":                         {"name": "C", "starts_on": "2026-12-01"},
			"plan.tiers[1].from_gmv_minor": base(obj{"plan": obj{"type": "tiered", "currency": "USD", "tiers": []obj{{"from_gmv_minor": 0, "rate_bps": 1}, {"from_gmv_minor": 0, "rate_bps": 2}}}}),
			"plan.tiers[0].from_gmv_minor": base(obj{"plan": obj{"type": "tiered", "currency": "USD", "tiers": []obj{{"from_gmv_minor": 5, "rate_bps": 1}}}}),
			"plan.tiers[0].rate_bps":       base(obj{"plan": obj{"type": "tiered", "currency": "USD", "tiers": []obj{{"from_gmv_minor": 0, "rate_bps": 10001}}}}),
			"plan.currency":                base(obj{"plan": obj{"type": "flat", "amount_minor": 1, "currency": "ABC"}}),
			"plan.tiers":                   base(obj{"plan": obj{"type": "percent", "rate_bps": 1, "tiers": []obj{}}}),
			"plan.type":                    base(obj{"plan": obj{"type": "cpa"}}),
			"starts_on":                    base(obj{"starts_on": "1 Dec"}),
			"ends_on":                      base(obj{"ends_on": "2026-11-30"}),
			"status":                       base(obj{"status": "running"}),
			"platforms":                    base(obj{"platforms": []string{"myspace"}}),
			"currency":                     base(obj{"budget_minor": 100000}),
			"attribution_window_days":      base(obj{"attribution_window_days": 0}),
			"product_ids":                  base(obj{"product_ids": []string{theirs["id"].(string)}}),
		} {
			fieldError(t, e, u, "POST", "/api/v1/campaigns", body, field)
		}
		// unknown fields are a 400, never ignored
		e.Expect(http.StatusBadRequest, apitest.Request{Method: "POST", Path: "/api/v1/campaigns", Token: u.Token,
			Body: base(obj{"plan": obj{"type": "percent", "rate_bps": 1, "bonus": 5}})})
		c := newCampaign(t, e, u, obj{"name": "OK", "platforms": []string{"TikTok", "tiktok", "youtube"}, "budget_minor": 500000, "currency": "usd",
			"attribution_window_days": 7, "hold_days": 0})
		if fmt.Sprint(c["platforms"]) != "[tiktok youtube]" || c["currency"] != "USD" || c["hold_days"] != float64(0) || c["attribution_window_days"] != float64(7) {
			t.Fatalf("campaign = %v", c)
		}
		path := "/api/v1/campaigns/" + c["id"].(string)
		// If-Match: a stale version is a 412
		res := e.Expect(http.StatusPreconditionFailed, apitest.Request{Method: "PATCH", Path: path, Token: u.Token, Body: obj{"name": "X"},
			Headers: map[string]string{"If-Match": `"7"`}})
		if res.ErrorCode(t) != "version_mismatch" {
			t.Fatalf("stale write: %s", res.Body)
		}
		got := e.Expect(200, apitest.Request{Method: "PATCH", Path: path, Token: u.Token, Body: obj{"currency": nil, "budget_minor": nil},
			Headers: map[string]string{"If-Match": `"1"`}})
		if got.Header.Get("ETag") != `"2"` {
			t.Fatalf("ETag after a change: %q", got.Header.Get("ETag"))
		}
		fieldError(t, e, u, "PATCH", path, obj{"budget_minor": 5}, "currency")
		fieldError(t, e, u, "PATCH", path, obj{"name": nil}, "name")
	})
}

func TestEnrolmentOverrideKeepsItsHistoryAndGoesToTheTimeline(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		u := e.Setup("Ningbo Export", "li@example.com")
		b := e.NewOrg("Yiwu Trading", "zhao@example.com")
		creatorID, accountID := newCreator(t, e, u, "luna")
		theirCreator, theirAccount := newCreator(t, e, b, "sol")
		c := newCampaign(t, e, u, obj{"name": "Spring"})
		id := c["id"].(string)
		path := "/api/v1/campaigns/" + id + "/creators"

		fieldError(t, e, u, "POST", path, obj{"creator_id": theirCreator}, "creator_id")
		fieldError(t, e, u, "POST", path, obj{"creator_id": creatorID, "account_ids": []string{theirAccount}}, "account_ids")
		fieldError(t, e, u, "POST", path, obj{"creator_id": creatorID, "rate_bps": 10001}, "rate_bps")
		fieldError(t, e, u, "POST", path, obj{"creator_id": creatorID, "fee_minor": 100}, "fee_currency")
		call(t, e, u, "POST", "/api/v1/campaigns/no-such-campaign/creators", obj{"creator_id": creatorID}, http.StatusNotFound)
		call(t, e, b, "POST", path, obj{"creator_id": theirCreator}, http.StatusNotFound)

		t0 := e.Clock.Now()
		en := call(t, e, u, "POST", path, obj{"creator_id": creatorID, "rate_bps": 1500, "account_ids": []string{accountID}}, http.StatusCreated)
		if en["status"] != "invited" || en["rate_bps"] != float64(1500) || en["creator_name"] != "luna" || fmt.Sprint(en["account_ids"]) != "["+accountID+"]" {
			t.Fatalf("enrolment = %v", en)
		}
		res := e.Expect(http.StatusConflict, apitest.Request{Method: "POST", Path: path, Body: obj{"creator_id": creatorID}, Token: u.Token})
		if res.ErrorCode(t) != "already_enrolled" {
			t.Fatalf("enrolled twice: %s", res.Body)
		}
		tl := call(t, e, u, "GET", "/api/v1/creators/"+creatorID+"/timeline", nil, 200)
		if ev := items(tl)[0]; ev["kind"] != "enrolled" || ev["data"].(obj)["campaign_id"] != id {
			t.Fatalf("timeline = %v", tl)
		}

		e.Clock.Advance(24 * time.Hour)
		u = e.Login(u.Email, apitest.Password)
		enPath := "/api/v1/enrolments/" + en["id"].(string)
		up := call(t, e, u, "PATCH", enPath, obj{"status": "accepted", "rate_bps": nil}, 200)
		if up["status"] != "accepted" || up["rate_bps"] != nil || up["version"] != float64(2) {
			t.Fatalf("patched = %v", up)
		}
		fieldError(t, e, u, "PATCH", enPath, obj{"status": "married"}, "status")
		fieldError(t, e, u, "PATCH", enPath, obj{"status": nil}, "status")
		ctx := context.Background()
		before, err := e.Deps.Campaigns.OverrideAt(ctx, u.OrgID, id, creatorID, t0.Add(time.Hour))
		after, err2 := e.Deps.Campaigns.OverrideAt(ctx, u.OrgID, id, creatorID, e.Clock.Now())
		if err != nil || err2 != nil || before == nil || *before != 1500 || after != nil {
			t.Fatalf("override history: before %v, after %v (%v %v)", before, after, err, err2)
		}
		l := call(t, e, u, "GET", path, nil, 200)
		if l["total"] != float64(1) || items(l)[0]["status"] != "accepted" {
			t.Fatalf("enrolments = %v", l)
		}
		if got := call(t, e, u, "GET", "/api/v1/campaigns/"+id, nil, 200); got["enrolled"] != float64(1) {
			t.Fatalf("campaign.enrolled = %v", got["enrolled"])
		}
	})
}

func TestOnlyADraftWithoutEnrolmentsCanBeDeleted(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		u := e.Setup("Ningbo Export", "li@example.com")
		creatorID, _ := newCreator(t, e, u, "luna")
		active := newCampaign(t, e, u, obj{"name": "Active", "status": "active"})
		res := e.Expect(http.StatusConflict, apitest.Request{Method: "DELETE", Path: "/api/v1/campaigns/" + active["id"].(string), Token: u.Token})
		if res.ErrorCode(t) != "campaign_not_draft" {
			t.Fatalf("delete an active campaign: %s", res.Body)
		}
		withCreator := newCampaign(t, e, u, obj{"name": "Draft with a creator"})
		call(t, e, u, "POST", "/api/v1/campaigns/"+withCreator["id"].(string)+"/creators", obj{"creator_id": creatorID}, 201)
		res = e.Expect(http.StatusConflict, apitest.Request{Method: "DELETE", Path: "/api/v1/campaigns/" + withCreator["id"].(string), Token: u.Token})
		if res.ErrorCode(t) != "campaign_has_enrolments" {
			t.Fatalf("delete a campaign with enrolments: %s", res.Body)
		}
		empty := newCampaign(t, e, u, obj{"name": "Empty draft"})
		call(t, e, u, "DELETE", "/api/v1/campaigns/"+empty["id"].(string), nil, http.StatusNoContent)
		call(t, e, u, "GET", "/api/v1/campaigns/"+empty["id"].(string), nil, http.StatusNotFound)
		// ended is final; ending is how a campaign goes away
		path := "/api/v1/campaigns/" + active["id"].(string)
		call(t, e, u, "PATCH", path, obj{"status": "ended"}, 200)
		res = e.Expect(http.StatusConflict, apitest.Request{Method: "PATCH", Path: path, Token: u.Token, Body: obj{"status": "active"}})
		if res.ErrorCode(t) != "campaign_ended" {
			t.Fatalf("restart an ended campaign: %s", res.Body)
		}
		if l := call(t, e, u, "GET", "/api/v1/campaigns?status=ended", nil, 200); l["total"] != float64(1) {
			t.Fatalf("status filter: %v", l)
		}
		if l := call(t, e, u, "GET", "/api/v1/campaigns?q=draft", nil, 200); l["total"] != float64(1) {
			t.Fatalf("q filter: %v", l)
		}
	})
}

// A post past its due date in the organization's day that is neither posted nor cancelled shows as
// late; posting goes to the creator's timeline; the report adds posts, samples and fees per creator
// and account, with zeros for what tracking and conversions will fill.
func TestPostsSamplesAndTheCampaignReport(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db) // 2026-11-24 09:00 UTC is 17:00 in Shanghai
		u := e.Setup("Ningbo Export", "li@example.com")
		luna, lunaTikTok := newCreator(t, e, u, "luna")
		sol, _ := newCreator(t, e, u, "sol")
		stranger, _ := newCreator(t, e, u, "stranger")
		lamp := call(t, e, u, "POST", "/api/v1/products", obj{"sku": "LAMP", "name": "Lamp", "price_minor": 1999, "currency": "USD"}, 201)["id"].(string)
		c := newCampaign(t, e, u, obj{"name": "Spring", "status": "active"})
		id := c["id"].(string)
		call(t, e, u, "POST", "/api/v1/campaigns/"+id+"/creators", obj{"creator_id": luna, "fee_minor": 20000, "fee_currency": "USD"}, 201)
		call(t, e, u, "POST", "/api/v1/campaigns/"+id+"/creators", obj{"creator_id": sol}, 201)

		dpath := "/api/v1/campaigns/" + id + "/deliverables"
		fieldError(t, e, u, "POST", dpath, obj{"creator_id": stranger}, "creator_id")
		fieldError(t, e, u, "POST", dpath, obj{"creator_id": luna, "url": "javascript:alert(1)"}, "url")
		fieldError(t, e, u, "POST", dpath, obj{"creator_id": luna, "views": -1}, "views")
		due := call(t, e, u, "POST", dpath, obj{"creator_id": luna, "account_id": lunaTikTok, "due_on": "2026-11-24"}, 201)
		late := call(t, e, u, "POST", dpath, obj{"creator_id": luna, "due_on": "2026-11-23"}, 201)
		if due["status"] != "planned" || due["late"] != false || late["status"] != "late" || late["late"] != true {
			t.Fatalf("due today %v / due yesterday %v", due, late)
		}
		call(t, e, u, "POST", dpath, obj{"creator_id": sol, "due_on": "2026-11-01", "status": "cancelled"}, 201)

		posted := call(t, e, u, "PATCH", "/api/v1/deliverables/"+due["id"].(string), obj{"status": "posted", "url": "https://www.tiktok.com/@luna/video/1",
			"views": 12000, "likes": 800}, 200)
		if posted["status"] != "posted" || posted["posted_at"] == nil {
			t.Fatalf("posted = %v", posted)
		}
		tl := call(t, e, u, "GET", "/api/v1/creators/"+luna+"/timeline", nil, 200)
		if ev := items(tl)[0]; ev["kind"] != "posted" || ev["data"].(obj)["deliverable_id"] != due["id"] {
			t.Fatalf("timeline after posting = %v", items(tl)[0])
		}
		// the next day in Shanghai, the post due today that is not posted is late; the posted one is not
		e.Clock.Advance(8 * time.Hour)
		u = e.Login(u.Email, apitest.Password)
		ds := items(call(t, e, u, "GET", dpath, nil, 200))
		if len(ds) != 3 || ds[0]["status"] != "posted" || ds[1]["status"] != "late" || ds[2]["status"] != "cancelled" {
			t.Fatalf("deliverables = %v", ds)
		}

		spath := "/api/v1/campaigns/" + id + "/samples"
		fieldError(t, e, u, "POST", spath, obj{"creator_id": stranger, "product_id": lamp, "quantity": 1, "unit_cost_minor": 1, "currency": "USD"}, "creator_id")
		fieldError(t, e, u, "POST", spath, obj{"creator_id": luna, "product_id": lamp, "quantity": 0, "unit_cost_minor": 1, "currency": "USD"}, "quantity")
		fieldError(t, e, u, "POST", spath, obj{"creator_id": luna, "product_id": lamp, "quantity": 1, "unit_cost_minor": 1, "currency": "USD",
			"shipped_on": "2026-11-20", "delivered_on": "2026-11-19"}, "delivered_on")
		sm := call(t, e, u, "POST", spath, obj{"creator_id": luna, "product_id": lamp, "quantity": 3, "unit_cost_minor": 800, "currency": "usd",
			"carrier": "SF Express", "shipped_on": "2026-11-20"}, 201)
		if sm["cost_minor"] != float64(2400) || sm["currency"] != "USD" {
			t.Fatalf("sample = %v", sm)
		}
		up := call(t, e, u, "PATCH", "/api/v1/samples/"+sm["id"].(string), obj{"delivered_on": "2026-11-23", "tracking_number": "SF123"}, 200)
		if up["delivered_on"] != "2026-11-23" || up["version"] != float64(2) {
			t.Fatalf("patched sample = %v", up)
		}
		call(t, e, u, "POST", spath, obj{"creator_id": sol, "product_id": lamp, "quantity": 1, "unit_cost_minor": 5000, "currency": "CNY"}, 201)

		rep := call(t, e, u, "GET", "/api/v1/campaigns/"+id+"/report", nil, 200)
		creators := rep["creators"].([]any)
		if len(creators) != 2 {
			t.Fatalf("report creators = %v", creators)
		}
		l := creators[0].(obj)
		if l["creator_name"] != "luna" || l["posts"] != float64(1) || l["deliverables"] != float64(2) || l["views"] != float64(12000) ||
			fmt.Sprint(l["samples_cost"]) != "[map[amount_minor:2400 currency:USD]]" || fmt.Sprint(l["fees"]) != "[map[amount_minor:20000 currency:USD]]" ||
			fmt.Sprint(l["cost"]) != "[map[amount_minor:22400 currency:USD]]" || l["clicks"] != float64(0) || l["conversions"] != float64(0) ||
			fmt.Sprint(l["gmv"]) != "[]" {
			t.Fatalf("luna's line = %v", l)
		}
		accts := rep["accounts"].([]any)
		if len(accts) != 1 || accts[0].(obj)["handle"] != "luna" || accts[0].(obj)["posts"] != float64(1) {
			t.Fatalf("account lines = %v", accts)
		}
		tot := rep["totals"].(obj)
		if fmt.Sprint(tot["cost"]) != "[map[amount_minor:5000 currency:CNY] map[amount_minor:22400 currency:USD]]" || tot["posts"] != float64(1) ||
			tot["return_bps"] != nil || fmt.Sprint(tot["gmv"]) != "[]" {
			t.Fatalf("totals = %v", tot)
		}

		// another organization sees none of it
		b := e.NewOrg("Yiwu Trading", "zhao@example.com")
		e.ExpectCrossOrgNotFound(b, []apitest.CrossOrgCase{
			{Method: "GET", Path: "/api/v1/campaigns/" + id + "/report"},
			{Method: "GET", Path: dpath},
			{Method: "GET", Path: spath},
			{Method: "PATCH", Path: "/api/v1/deliverables/" + due["id"].(string), Body: obj{"status": "cancelled"}},
			{Method: "PATCH", Path: "/api/v1/samples/" + sm["id"].(string), Body: obj{"quantity": 9}},
		})
	})
}
