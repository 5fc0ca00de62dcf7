package creator_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// The first page of a search not counted before is counted and fetched in one pass; it must answer
// exactly what the same request answers once its total is known (counted first, then paged), for
// every sort, with other filters, deleted creators and an empty answer, and its cursor must lead on
// to the same next pages.
func TestSearchFirstPageAnswersTheSameCountedInOnePassOrFromTheKnownTotal(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		ag := call(t, e, owner, "POST", "/api/v1/agencies", obj{"name": "Star MCN", "country": "US", "share_bps": 2000}, http.StatusCreated)
		seedList(t, e, owner, ag["id"].(string), owner.UserID)
		for _, c := range []obj{
			{"display_name": "Alicia Keys", "country": "US", "email": "keys@a.com", "tags": []string{"beauty"}},
			{"display_name": "Malice Studio", "country": "GB"},
		} {
			newCreator(t, e, owner, c)
			e.Clock.Advance(1_000_000_000)
		}
		gone := newCreator(t, e, owner, obj{"display_name": "Alice Gone", "country": "US"})
		call(t, e, owner, "DELETE", "/api/v1/creators/"+gone["id"].(string), nil, http.StatusNoContent)

		// Any change to the creators makes every total unknown again.
		bump := newCreator(t, e, owner, obj{"display_name": "Zed Bump", "country": "US"})["id"].(string)
		n := 0
		forget := func() {
			n++
			call(t, e, owner, "PATCH", "/api/v1/creators/"+bump, obj{"notes": strings.Repeat("x", n)}, http.StatusOK)
		}
		get := func(query string) string {
			t.Helper()
			raw, _ := json.Marshal(call(t, e, owner, "GET", "/api/v1/creators?"+query, nil, http.StatusOK))
			return string(raw)
		}
		for _, q := range []string{"ali", "lic", ".com", "ice", "李佳琦", "zzz"} {
			for _, extra := range []string{"", "&sort=name", "&sort=-followers", "&sort=-gmv_90d", "&status=active",
				"&tag=beauty", "&platform=tiktok", "&deleted=true", "&limit=1", "&limit=2&sort=name"} {
				query := "q=" + url.QueryEscape(q) + extra
				forget()
				first := get(query)  // not counted yet: one pass
				second := get(query) // the total is known: counted, then paged
				if first != second {
					t.Errorf("%s:\n one pass   %s\n known total %s", query, first, second)
				}
			}
		}
		// Paging on from the one-pass page reaches every match once.
		forget()
		all, total := listAll(t, e, owner, "q=lic&sort=name&status=active,blocked,prospect", 1)
		if got := names(all); int(total) != len(got) || !slices.Equal(got, []string{"Alice", "alice", "Alicia Keys", "Malice Studio"}) {
			t.Errorf("paged by one: %v, total %v", got, total)
		}
	})
}

// A list page fills in each creator as reading the creator alone does: tags, accounts (largest
// first), owner and agency names, tier and languages, however the lookups behind it are run.
func TestListPageFillsEachCreatorAsReadingItAlone(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		ag := call(t, e, owner, "POST", "/api/v1/agencies", obj{"name": "Star MCN", "country": "US", "share_bps": 2000}, http.StatusCreated)
		seedList(t, e, owner, ag["id"].(string), owner.UserID)
		c := newCreator(t, e, owner, obj{"display_name": "Multi Platform", "country": "US", "languages": []string{"en", "es"},
			"tags": []string{"zeta", "Alpha", "mid"}, "agency_id": ag["id"], "owner_id": owner.UserID,
			"accounts": []obj{{"platform": "tiktok", "handle": "multi_tt", "followers": 1_000}, {"platform": "youtube", "handle": "multi_yt", "followers": 900_000},
				{"platform": "instagram", "handle": "multi_ig", "followers": 40_000}}})
		if got := accounts(c); len(got) != 3 {
			t.Fatalf("created with %d accounts", len(got))
		}
		for _, query := range []string{"", "q=multi", "tag=beauty", "platform=tiktok", "sort=name"} {
			list, _ := listAll(t, e, owner, query, 2)
			if len(list) == 0 {
				t.Fatalf("%s: nothing listed", query)
			}
			for _, it := range list {
				alone := call(t, e, owner, "GET", "/api/v1/creators/"+it["id"].(string), nil, http.StatusOK)
				a, _ := json.Marshal(it)
				b, _ := json.Marshal(alone)
				if string(a) != string(b) {
					t.Errorf("%s: listed\n %s\nalone\n %s", query, a, b)
				}
			}
		}
	})
}
