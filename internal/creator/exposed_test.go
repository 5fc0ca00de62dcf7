package creator_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// exposed=true lists the creators with an active account on a platform the organization marked at
// risk or banned in the creator's country — the marks come from the insight package through
// creator.Risks, wired by app — and nobody else: not another country's mark, not a dormant account,
// not a cleared mark, not a deleted creator, not another organization's creators.
func TestExposedFilterFollowsTheRiskMarksOfTheCreatorsCountry(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		u := e.Setup("Org", "owner@example.com")
		acct := func(plat, handle, status string) obj {
			return obj{"platform": plat, "handle": handle, "status": status}
		}
		mk := func(name, country string, accts ...obj) string {
			return newCreator(t, e, u, obj{"display_name": name, "country": country, "accounts": accts})["id"].(string)
		}
		mk("Ann", "US", acct("tiktok", "ann", "active"))                                         // TikTok at risk in US
		mk("Ben", "US", acct("tiktok", "ben", "dormant"), acct("youtube", "ben", "active"))      // only a dormant TikTok
		mk("Cat", "GB", acct("tiktok", "cat", "active"))                                         // TikTok is fine in GB
		mk("Dan", "GB", acct("instagram", "dan", "active"), acct("youtube", "dan", "active"))    // Instagram banned in GB
		mk("Eve", "US", acct("youtube", "eve", "active"))                                        // YouTube mark cleared
		gone := mk("Fay", "US", acct("tiktok", "fay", "active"))                                 // deleted
		mk("Gus", "CA", acct("instagram", "gus", "active"), acct("tiktok", "gus", "active"))     // CA unmarked
		mk("Hal", "US", acct("instagram", "hal", "active"), acct("tiktok", "hal.two", "active")) // TikTok at risk in US
		call(t, e, u, "DELETE", "/api/v1/creators/"+gone, nil, http.StatusNoContent)

		list := func(query string) []string {
			t.Helper()
			got := names(items(call(t, e, u, "GET", "/api/v1/creators?sort=name&"+query, nil, http.StatusOK)))
			slices.Sort(got)
			return got
		}
		expect := func(query string, want ...string) {
			t.Helper()
			if got := list(query); !slices.Equal(got, want) {
				t.Fatalf("%s: got %v, want %v", query, got, want)
			}
		}
		// No marks yet: nobody is exposed; exposed=false is no filter.
		expect("exposed=true")
		expect("exposed=false", "Ann", "Ben", "Cat", "Dan", "Eve", "Gus", "Hal")

		mark := func(plat, country, level string) {
			call(t, e, u, "PUT", "/api/v1/platforms/"+plat+"/risk", obj{"country": country, "level": level}, http.StatusOK)
		}
		mark("tiktok", "US", "at_risk")
		mark("instagram", "GB", "banned")
		mark("youtube", "US", "banned")
		mark("youtube", "US", "ok") // cleared
		expect("exposed=true", "Ann", "Dan", "Hal")
		// It combines with the other filters, and the total agrees.
		expect("exposed=true&country=GB", "Dan")
		expect("exposed=true&platform=instagram", "Dan", "Hal")
		if l := call(t, e, u, "GET", "/api/v1/creators?exposed=true", nil, http.StatusOK); l["total"] != float64(3) {
			t.Fatalf("total %v, want 3", l["total"])
		}
		// The export takes the same filter.
		e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/creators/export.xlsx?exposed=true", Token: u.Token})

		// A viewer may use the filter; another organization sees only its own creators.
		viewer := e.AddUser(u, "viewer@example.com", "viewer")
		if got := names(items(call(t, e, viewer, "GET", "/api/v1/creators?exposed=true", nil, http.StatusOK))); len(got) != 3 {
			t.Fatalf("viewer: %v", got)
		}
		other := e.NewOrg("Other", "other@example.com")
		newCreator(t, e, other, obj{"display_name": "Ivy", "country": "US", "accounts": []obj{acct("youtube", "ivy", "active")}})
		if got := names(items(call(t, e, other, "GET", "/api/v1/creators?exposed=true", nil, http.StatusOK))); len(got) != 0 {
			t.Fatalf("another organization: %v", got)
		}
		call(t, e, other, "PUT", "/api/v1/platforms/youtube/risk", obj{"country": "US", "level": "banned"}, http.StatusOK)
		if got := names(items(call(t, e, other, "GET", "/api/v1/creators?exposed=true", nil, http.StatusOK))); !slices.Equal(got, []string{"Ivy"}) {
			t.Fatalf("another organization: %v", got)
		}
		expect("exposed=true", "Ann", "Dan", "Hal") // the other organization's mark changes nothing here

		if code := e.Expect(http.StatusBadRequest, apitest.Request{Method: "GET", Path: "/api/v1/creators?exposed=yes", Token: u.Token}).ErrorCode(t); code != "invalid_parameter" {
			t.Fatalf("code %q", code)
		}
	})
}
