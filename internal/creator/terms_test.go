package creator_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// A rate changed in April leaves a March computation unchanged: the default rate, the agency and
// the agency's share keep their history, and TermsAt answers what was in force at an instant.
func TestARateChangedInAprilLeavesMarchTermsUnchanged(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		e.Clock.Set(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
		u := e.Setup("Org", "owner@example.com")
		ag := call(t, e, u, "POST", "/api/v1/agencies", obj{"name": "MCN", "country": "US", "share_bps": 2000}, 201)
		ag2 := call(t, e, u, "POST", "/api/v1/agencies", obj{"name": "Other MCN", "country": "US", "share_bps": 3000}, 201)
		c := newCreator(t, e, u, obj{"display_name": "Luna", "country": "US", "default_rate_bps": 1000, "agency_id": ag["id"]})
		id := c["id"].(string)

		e.Clock.Set(time.Date(2026, 4, 10, 8, 0, 0, 0, time.UTC))
		u = e.Login(u.Email, apitest.Password)
		call(t, e, u, "PATCH", "/api/v1/creators/"+id, obj{"default_rate_bps": 1500}, 200)
		call(t, e, u, "PATCH", "/api/v1/agencies/"+ag["id"].(string), obj{"share_bps": 2500}, 200)
		e.Clock.Set(time.Date(2026, 5, 2, 8, 0, 0, 0, time.UTC))
		u = e.Login(u.Email, apitest.Password)
		call(t, e, u, "PATCH", "/api/v1/creators/"+id, obj{"agency_id": ag2["id"], "status": "active"}, 200)
		call(t, e, u, "PATCH", "/api/v1/creators/"+id, obj{"notes": "no term changes"}, 200)

		ctx := context.Background()
		for _, tc := range []struct {
			at     time.Time
			rate   int64
			agency string
			share  int64
		}{
			{time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC), 1000, ag["id"].(string), 2000},
			{time.Date(2026, 4, 9, 23, 59, 0, 0, time.UTC), 1000, ag["id"].(string), 2000},
			{time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC), 1500, ag["id"].(string), 2500},
			{time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC), 1500, ag2["id"].(string), 3000},
		} {
			got, err := e.Deps.Creators.TermsAt(ctx, u.OrgID, id, tc.at)
			if err != nil {
				t.Fatal(err)
			}
			if got.DefaultRateBps == nil || *got.DefaultRateBps != tc.rate || got.AgencyID == nil || *got.AgencyID != tc.agency || got.AgencyShareBps != tc.share {
				t.Errorf("at %s: rate %v agency %v share %d; want %d %s %d", tc.at.Format(time.DateOnly), got.DefaultRateBps, got.AgencyID, got.AgencyShareBps, tc.rate, tc.agency, tc.share)
			}
		}
		// Before the creator existed there were no terms; today's answer shows today's values.
		if got, _ := e.Deps.Creators.TermsAt(ctx, u.OrgID, id, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)); got.DefaultRateBps != nil || got.AgencyID != nil {
			t.Errorf("before creation: %+v", got)
		}
		if now := call(t, e, u, "GET", "/api/v1/creators/"+id, nil, 200); now["default_rate_bps"] != float64(1500) || now["agency_id"] != ag2["id"] {
			t.Errorf("today's creator: %v", now)
		}
	})
}

// A day is the organization's: a snapshot taken at 05:45 in Shanghai (21:45 UTC the day before)
// belongs to that Shanghai day, and that day is not "in the future".
func TestASnapshotBelongsToTheOrganizationsDay(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		e.Clock.Set(time.Date(2026, 2, 28, 21, 45, 0, 0, time.UTC)) // 2026-03-01 05:45 in Asia/Shanghai
		u := e.Setup("Org", "owner@example.com")                    // the setup's organization is in Asia/Shanghai
		c := newCreator(t, e, u, obj{"display_name": "Luna", "country": "CN", "accounts": []obj{{"platform": "rednote", "handle": "luna", "followers": 100}}})
		acct := accounts(c)[0]["id"].(string)
		h := call(t, e, u, "GET", "/api/v1/accounts/"+acct+"/snapshots", nil, 200)
		if snaps := h["snapshots"].([]any); len(snaps) != 1 || snaps[0].(obj)["captured_on"] != "2026-03-01" {
			t.Fatalf("snapshots %v, want one on 2026-03-01", h["snapshots"])
		}
		call(t, e, u, "POST", "/api/v1/accounts/"+acct+"/snapshots", obj{"captured_on": "2026-03-01", "followers": 120}, 200)
		e.Expect(422, apitest.Request{Method: "POST", Path: "/api/v1/accounts/" + acct + "/snapshots", Token: u.Token, Body: obj{"captured_on": "2026-03-02", "followers": 1}})
	})
}
