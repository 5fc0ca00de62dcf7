package creator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

type obj = map[string]any

// call sends a request as u and checks the status; it answers the decoded JSON object, if any.
func call(t *testing.T, e *apitest.Env, u apitest.User, method, path string, body any, want int) obj {
	t.Helper()
	res := e.Expect(want, apitest.Request{Method: method, Path: path, Body: body, Token: u.Token})
	if len(res.Body) == 0 {
		return nil
	}
	return res.Map(t)
}

func newCreator(t *testing.T, e *apitest.Env, u apitest.User, body obj) obj {
	t.Helper()
	return call(t, e, u, "POST", "/api/v1/creators", body, http.StatusCreated)
}

func accounts(c obj) []obj {
	var out []obj
	for _, a := range c["accounts"].([]any) {
		out = append(out, a.(obj))
	}
	return out
}

func items(l obj) []obj {
	var out []obj
	for _, it := range l["items"].([]any) {
		out = append(out, it.(obj))
	}
	return out
}

func ids(list []obj) []string {
	out := make([]string, len(list))
	for i, it := range list {
		out[i] = it["id"].(string)
	}
	return out
}

func TestCreatorLifecycleWithTimeline(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		mgr := e.AddUser(owner, "wang@example.com", actor.RoleManager)

		c := newCreator(t, e, mgr, obj{
			"display_name": "Mary Jane", "country": "us", "email": "Mary@Example.com", "languages": []string{"en", "es-MX"},
			"tags": []string{"Beauty", "beauty", " Skin  care "}, "payout_currency": "usd", "default_rate_bps": 1200, "owner_id": mgr.UserID,
			"accounts": []obj{
				{"handle": "https://www.tiktok.com/@MaryJ?lang=en", "followers": 120000},
				{"platform": "instagram", "handle": "@mary.j", "followers": 8000},
			},
		})
		if c["country"] != "US" || c["email"] != "mary@example.com" || c["payout_currency"] != "USD" || c["status"] != "prospect" || c["tier"] != "mid" {
			t.Fatalf("created creator = %v", c)
		}
		if c["owner_name"] != "manager user" || c["agency_name"] != nil {
			t.Fatalf("owner_name %v, agency_name %v: the creator answer names its owner", c["owner_name"], c["agency_name"])
		}
		if got := fmt.Sprint(c["tags"]); got != "[Beauty Skin care]" { // as typed, once whatever the case
			t.Fatalf("tags = %s", got)
		}
		tags := call(t, e, mgr, "GET", "/api/v1/creators/tags", nil, http.StatusOK)
		if got := fmt.Sprint(tags["items"]); got != "[map[creators:1 tag:Beauty] map[creators:1 tag:Skin care]]" {
			t.Fatalf("tag list = %s", got)
		}
		if got := fmt.Sprint(c["languages"]); got != "[en es-mx]" {
			t.Fatalf("languages = %s", got)
		}
		acc := accounts(c)
		if len(acc) != 2 || acc[0]["platform"] != "tiktok" || acc[0]["handle"] != "maryj" || acc[0]["url"] != "https://www.tiktok.com/@MaryJ?lang=en" {
			t.Fatalf("accounts = %v", acc)
		}
		id := c["id"].(string)

		e.Clock.Advance(60_000_000_000)
		up := call(t, e, mgr, "PATCH", "/api/v1/creators/"+id, obj{"status": "contacted", "email": nil, "display_name": "Mary J."}, http.StatusOK)
		if up["status"] != "contacted" || up["email"] != nil || up["display_name"] != "Mary J." || up["payout_currency"] != "USD" {
			t.Fatalf("patched = %v", up)
		}
		e.Clock.Advance(60_000_000_000)
		call(t, e, owner, "POST", "/api/v1/creators/"+id+"/notes", obj{"text": "asked for samples"}, http.StatusCreated)

		tl := call(t, e, owner, "GET", "/api/v1/creators/"+id+"/timeline", nil, http.StatusOK)
		var kinds []string
		for _, ev := range items(tl) {
			kinds = append(kinds, ev["kind"].(string))
		}
		// newest first: the note, the status change, then the creation, which names the two accounts
		// the creator came with (one event, not one more for each account).
		if !slices.Equal(kinds, []string{"note", "status_changed", "created"}) {
			t.Fatalf("timeline kinds = %v", kinds)
		}
		created := items(tl)[2]["data"].(obj)
		if got := fmt.Sprint(created["display_name"], created["accounts"]); got != fmt.Sprintf(
			"Mary Jane[map[account_id:%s followers:120000 handle:maryj platform:tiktok] map[account_id:%s followers:8000 handle:mary.j platform:instagram]]",
			acc[0]["id"], acc[1]["id"]) {
			t.Fatalf("created event = %s", got)
		}
		first := items(tl)[0]
		if first["actor_name"] != "Owner" || first["data"].(obj)["text"] != "asked for samples" {
			t.Fatalf("note event = %v", first)
		}
		if sc := items(tl)[1]; sc["actor_name"] != "manager user" || sc["data"].(obj)["from"] != "prospect" || sc["data"].(obj)["to"] != "contacted" {
			t.Fatalf("status event = %v", sc)
		}
		// paging the timeline gives the same order
		p1 := call(t, e, owner, "GET", "/api/v1/creators/"+id+"/timeline?limit=2", nil, http.StatusOK)
		p2 := call(t, e, owner, "GET", "/api/v1/creators/"+id+"/timeline?limit=10&cursor="+p1["next_cursor"].(string), nil, http.StatusOK)
		if got := append(ids(items(p1)), ids(items(p2))...); !slices.Equal(got, ids(items(tl))) {
			t.Fatalf("paged timeline %v, want %v", got, ids(items(tl)))
		}

		// soft delete: hidden from the list, still readable, frozen, restorable
		call(t, e, mgr, "DELETE", "/api/v1/creators/"+id, nil, http.StatusNoContent)
		if l := call(t, e, owner, "GET", "/api/v1/creators", nil, http.StatusOK); l["total"].(float64) != 0 {
			t.Fatalf("deleted creator listed: %v", l)
		}
		if l := call(t, e, owner, "GET", "/api/v1/creators?deleted=true", nil, http.StatusOK); l["total"].(float64) != 1 {
			t.Fatalf("bin = %v", l)
		}
		if got := call(t, e, owner, "GET", "/api/v1/creators/"+id, nil, http.StatusOK); got["deleted_at"] == nil {
			t.Fatalf("deleted creator has no deleted_at: %v", got)
		}
		res := e.Expect(http.StatusConflict, apitest.Request{Method: "PATCH", Path: "/api/v1/creators/" + id, Body: obj{"status": "active"}, Token: mgr.Token})
		if res.ErrorCode(t) != "creator_deleted" {
			t.Fatalf("patch of a deleted creator: %s", res.Body)
		}
		r := call(t, e, mgr, "POST", "/api/v1/creators/"+id+"/restore", nil, http.StatusOK)
		if r["deleted_at"] != nil {
			t.Fatalf("restored = %v", r)
		}
		if l := call(t, e, owner, "GET", "/api/v1/creators", nil, http.StatusOK); l["total"].(float64) != 1 {
			t.Fatalf("restored creator not listed: %v", l)
		}
		tl = call(t, e, owner, "GET", "/api/v1/creators/"+id+"/timeline?limit=2", nil, http.StatusOK)
		if k := items(tl)[0]["kind"]; k != "restored" {
			t.Fatalf("latest event %v, want restored", k)
		}
		audit := call(t, e, owner, "GET", "/api/v1/audit-log?target_id="+id, nil, http.StatusOK)
		if audit["total"].(float64) < 4 {
			t.Fatalf("audit log misses creator changes: %v", audit)
		}
	})
}

func TestAccountHandleIsUniquePerOrganization(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		holder := newCreator(t, e, owner, obj{"display_name": "Holder", "country": "US", "accounts": []obj{{"platform": "tiktok", "handle": "@foo"}}})
		other := newCreator(t, e, owner, obj{"display_name": "Other", "country": "US"})

		for _, body := range []obj{
			{"display_name": "Copycat", "country": "US", "accounts": []obj{{"handle": "https://www.tiktok.com/@FOO"}}},
		} {
			res := e.Expect(http.StatusConflict, apitest.Request{Method: "POST", Path: "/api/v1/creators", Body: body, Token: owner.Token})
			if res.ErrorCode(t) != "account_taken" || !strings.Contains(string(res.Body), `\"Holder\"`) {
				t.Fatalf("409 must name the holder: %s", res.Body)
			}
		}
		res := e.Expect(http.StatusConflict, apitest.Request{Method: "POST", Path: "/api/v1/creators/" + other["id"].(string) + "/accounts",
			Body: obj{"platform": "tiktok", "handle": "Foo"}, Token: owner.Token})
		if !strings.Contains(string(res.Body), "Holder") {
			t.Fatalf("409 must name the holder: %s", res.Body)
		}
		// the same handle on another platform is another account
		call(t, e, owner, "POST", "/api/v1/creators/"+other["id"].(string)+"/accounts", obj{"platform": "instagram", "handle": "foo"}, http.StatusCreated)
		// two accounts of one creator on the same platform are fine; the same one twice in a request is not
		call(t, e, owner, "POST", "/api/v1/creators/"+other["id"].(string)+"/accounts", obj{"platform": "instagram", "handle": "foo.shop"}, http.StatusCreated)
		res = e.Expect(http.StatusUnprocessableEntity, apitest.Request{Method: "POST", Path: "/api/v1/creators", Token: owner.Token,
			Body: obj{"display_name": "Twice", "country": "US", "accounts": []obj{{"platform": "x", "handle": "a"}, {"platform": "x", "handle": "@A"}}}})
		if !strings.Contains(string(res.Body), "accounts[1].handle") {
			t.Fatalf("duplicate in one request: %s", res.Body)
		}
		// a deleted creator keeps its handles
		call(t, e, owner, "DELETE", "/api/v1/creators/"+holder["id"].(string), nil, http.StatusNoContent)
		res = e.Expect(http.StatusConflict, apitest.Request{Method: "POST", Path: "/api/v1/creators/" + other["id"].(string) + "/accounts",
			Body: obj{"platform": "tiktok", "handle": "foo"}, Token: owner.Token})
		if !strings.Contains(string(res.Body), "deleted") {
			t.Fatalf("409 must say the holder is deleted: %s", res.Body)
		}
		// another organization may have the same handle
		b := e.NewOrg("Yiwu Trading", "zhao@example.com")
		newCreator(t, e, b, obj{"display_name": "Holder B", "country": "US", "accounts": []obj{{"platform": "tiktok", "handle": "foo"}}})
	})
}

func TestAccountHandlesAreNormalised(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		c := newCreator(t, e, owner, obj{"display_name": "多平台", "country": "CN"})
		path := "/api/v1/creators/" + c["id"].(string) + "/accounts"
		for _, tc := range []struct{ platform, handle, wantPlatform, wantHandle string }{
			{"tiktok", "@Name", "tiktok", "name"},
			{"", "youtube.com/channel/UCabcDEF", "youtube", "ucabcdef"},
			{"", "https://www.youtube.com/@Chan", "youtube", "chan"},
			{"", "instagram.com/ig.name/", "instagram", "ig.name"},
			{"rednote", "https://www.xiaohongshu.com/user/profile/5f1a2b3c", "rednote", "5f1a2b3c"},
			{"", "twitter.com/Tweeter", "x", "tweeter"},
			{"X", "x.com/other", "x", "other"},
		} {
			a := call(t, e, owner, "POST", path, obj{"platform": tc.platform, "handle": tc.handle}, http.StatusCreated)
			if a["platform"] != tc.wantPlatform || a["handle"] != tc.wantHandle {
				t.Errorf("%s %q → %v/%v, want %s/%s", tc.platform, tc.handle, a["platform"], a["handle"], tc.wantPlatform, tc.wantHandle)
			}
		}
		for _, tc := range []struct {
			body  obj
			field string
		}{
			{obj{"platform": "tiktok", "handle": "https://www.youtube.com/@x"}, "handle"},
			{obj{"platform": "myspace", "handle": "x"}, "platform"},
			{obj{"handle": "plainhandle"}, "platform"},
			{obj{"platform": "tiktok", "handle": "  @ "}, "handle"},
			{obj{"platform": "instagram", "handle": "https://www.instagram.com/p/Cxyz/"}, "handle"},
			{obj{"platform": "tiktok", "handle": "ok", "followers": -1}, "followers"},
			{obj{"platform": "tiktok", "handle": "ok2", "status": "deleted"}, "status"},
		} {
			res := e.Expect(http.StatusUnprocessableEntity, apitest.Request{Method: "POST", Path: path, Body: tc.body, Token: owner.Token})
			var eb struct {
				Error struct {
					Fields map[string]string `json:"fields"`
				} `json:"error"`
			}
			res.JSON(t, &eb)
			if eb.Error.Fields[tc.field] == "" {
				t.Errorf("%v: want a message for %s: %s", tc.body, tc.field, res.Body)
			}
		}
	})
}

func TestSnapshotsKeepOnePerDayAndGiveGrowth30d(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db) // the clock stands at 2026-11-24
		owner := e.Setup("Ningbo Export", "li@example.com")
		c := newCreator(t, e, owner, obj{"display_name": "Grower", "country": "US", "accounts": []obj{{"platform": "tiktok", "handle": "grower", "followers": 1000}}})
		acc := accounts(c)[0]
		if acc["growth_30d"] != nil {
			t.Fatalf("growth without history must be null: %v", acc)
		}
		aid := acc["id"].(string)
		snap := "/api/v1/accounts/" + aid + "/snapshots"

		call(t, e, owner, "POST", snap, obj{"captured_on": "2026-10-25", "followers": 800}, http.StatusCreated)
		h := call(t, e, owner, "POST", snap, obj{"captured_on": "2026-10-25", "followers": 900, "avg_views": 50}, http.StatusOK)
		snaps := h["snapshots"].([]any)
		if len(snaps) != 2 { // today's (from the account's followers) and 2026-10-25
			t.Fatalf("snapshots = %v", snaps)
		}
		old := snaps[1].(obj)
		if old["captured_on"] != "2026-10-25" || old["followers"].(float64) != 900 {
			t.Fatalf("the second snapshot of a day must replace the first: %v", old)
		}
		// an older snapshot does not change the current followers
		if a := h["account"].(obj); a["followers"].(float64) != 1000 || a["growth_30d"].(float64) != 100 {
			t.Fatalf("account after backfill = %v", a)
		}
		// a snapshot far from 30 days ago does not count; the nearest one does
		call(t, e, owner, "POST", snap, obj{"captured_on": "2026-09-01", "followers": 10}, http.StatusCreated)
		call(t, e, owner, "POST", snap, obj{"captured_on": "2026-10-27", "followers": 950}, http.StatusCreated)
		h = call(t, e, owner, "POST", snap, obj{"captured_on": "2026-11-24", "followers": 1500}, http.StatusOK)
		if a := h["account"].(obj); a["followers"].(float64) != 1500 || a["growth_30d"].(float64) != 600 {
			t.Fatalf("account after today's snapshot = %v (want followers 1500, growth 1500-900)", a)
		}
		got := call(t, e, owner, "GET", "/api/v1/creators/"+c["id"].(string), nil, http.StatusOK)
		if a := accounts(got)[0]; a["growth_30d"].(float64) != 600 || got["followers"].(float64) != 1500 {
			t.Fatalf("creator answer = %v", got)
		}
		// A list page reads its accounts' snapshots (on PostgreSQL by the creators' ids, beside the
		// accounts; on SQLite by the accounts' ids): each account gets its own, one without history none.
		other := call(t, e, owner, "POST", "/api/v1/creators/"+c["id"].(string)+"/accounts", obj{"platform": "youtube", "handle": "grower-yt", "followers": 70}, http.StatusCreated)
		call(t, e, owner, "POST", "/api/v1/accounts/"+other["id"].(string)+"/snapshots", obj{"captured_on": "2026-10-22", "followers": 40}, http.StatusCreated)
		newCreator(t, e, owner, obj{"display_name": "Quiet", "country": "US", "accounts": []obj{{"platform": "tiktok", "handle": "quiet", "followers": 5}}})
		growth := map[string]any{}
		for _, it := range call(t, e, owner, "GET", "/api/v1/creators", nil, http.StatusOK)["items"].([]any) {
			for _, a := range accounts(it.(obj)) {
				growth[a["handle"].(string)] = a["growth_30d"]
			}
		}
		if growth["grower"] != 600.0 || growth["grower-yt"] != 30.0 || growth["quiet"] != nil || len(growth) != 3 {
			t.Fatalf("growth on the list page = %v, want grower 600, grower-yt 30 (70-40), quiet null", growth)
		}
		if l := call(t, e, owner, "GET", snap+"?days=40", nil, http.StatusOK); len(l["snapshots"].([]any)) != 3 {
			t.Fatalf("history of 40 days = %v", l["snapshots"])
		}
		for _, bad := range []obj{{"captured_on": "2026-13-01", "followers": 1}, {"captured_on": "2026-12-24", "followers": 1}, {"captured_on": "2026-11-01", "followers": -5}} {
			e.Expect(http.StatusUnprocessableEntity, apitest.Request{Method: "POST", Path: snap, Body: bad, Token: owner.Token})
		}
	})
}

func TestTierFollowsTheLargestLiveAccount(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		for _, tc := range []struct {
			followers int
			tier      string
		}{{0, "nano"}, {9_999, "nano"}, {10_000, "micro"}, {99_999, "micro"}, {100_000, "mid"}, {499_999, "mid"}, {500_000, "macro"}, {999_999, "macro"}, {1_000_000, "mega"}} {
			c := newCreator(t, e, owner, obj{"display_name": fmt.Sprint("T", tc.followers), "country": "US",
				"accounts": []obj{{"platform": "youtube", "handle": fmt.Sprint("t", tc.followers), "followers": tc.followers}}})
			if c["tier"] != tc.tier {
				t.Errorf("%d followers: tier %v, want %s", tc.followers, c["tier"], tc.tier)
			}
		}
		c := newCreator(t, e, owner, obj{"display_name": "Two", "country": "US", "accounts": []obj{
			{"platform": "tiktok", "handle": "two", "followers": 200_000}, {"platform": "instagram", "handle": "two", "followers": 5_000}}})
		big := accounts(c)[0]
		if c["tier"] != "mid" || big["followers"].(float64) != 200_000 {
			t.Fatalf("creator = %v", c)
		}
		a := call(t, e, owner, "PATCH", "/api/v1/accounts/"+big["id"].(string), obj{"status": "banned"}, http.StatusOK)
		if a["status"] != "banned" {
			t.Fatalf("account = %v", a)
		}
		if got := call(t, e, owner, "GET", "/api/v1/creators/"+c["id"].(string), nil, http.StatusOK); got["tier"] != "nano" || got["followers"].(float64) != 5000 {
			t.Fatalf("a banned account must not count for the tier: %v", got)
		}
		call(t, e, owner, "DELETE", "/api/v1/accounts/"+big["id"].(string), nil, http.StatusNoContent)
		if got := call(t, e, owner, "GET", "/api/v1/creators/"+c["id"].(string), nil, http.StatusOK); len(accounts(got)) != 1 {
			t.Fatalf("account not removed: %v", got)
		}
		// the handle is free again
		call(t, e, owner, "POST", "/api/v1/creators/"+c["id"].(string)+"/accounts", obj{"platform": "tiktok", "handle": "two"}, http.StatusCreated)
	})
}

// seedList makes creators that differ in every filtered field, with ties on followers.
func seedList(t *testing.T, e *apitest.Env, u apitest.User, agencyID, ownerID string) {
	t.Helper()
	people := []struct {
		name, country, status, platform, handle, email string
		followers                                      int
		tags                                           []string
		agency                                         bool
	}{
		{"Alice", "US", "active", "tiktok", "alice", "alice@a.com", 50_000, []string{"beauty"}, true},
		{"bob", "US", "prospect", "youtube", "bobtube", "", 50_000, []string{"tech"}, false},
		{"Carol", "GB", "active", "instagram", "carol", "carol@c.com", 2_000_000, []string{"beauty", "fashion"}, true},
		{"李佳琦", "CN", "negotiating", "rednote", "lijiaqi", "", 700_000, []string{"beauty"}, false},
		{"王小明", "CN", "paused", "douyin", "wangxm", "", 5_000, nil, false},
		{"Dave", "DE", "active", "tiktok", "dave_de", "", 50_000, nil, false},
		{"Éva", "FR", "contacted", "instagram", "eva", "", 150_000, []string{"fashion"}, false},
		{"Frank", "US", "churned", "x", "frank", "frank@f.com", 0, nil, false},
		{"Gina", "BR", "active", "kwai", "gina", "", 50_000, []string{"beauty"}, true},
		{"alice", "US", "blocked", "twitch", "alice2", "", 9_999, nil, false},
		{"Hank", "US", "active", "tiktok", "hank", "", 10_000, nil, false},
	}
	for _, p := range people {
		body := obj{"display_name": p.name, "country": p.country, "status": p.status, "tags": p.tags,
			"accounts": []obj{{"platform": p.platform, "handle": p.handle, "followers": p.followers}}}
		if p.email != "" {
			body["email"] = p.email
		}
		if p.agency {
			body["agency_id"] = agencyID
		}
		if p.status == "active" {
			body["owner_id"] = ownerID
		}
		newCreator(t, e, u, body)
		e.Clock.Advance(1_000_000_000)
	}
}

func listAll(t *testing.T, e *apitest.Env, u apitest.User, query string, limit int) ([]obj, float64) {
	t.Helper()
	var all []obj
	cursor := ""
	var total float64 = -1
	for range 100 {
		q := fmt.Sprintf("/api/v1/creators?limit=%d&%s", limit, query)
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		l := call(t, e, u, "GET", q, nil, http.StatusOK)
		if total >= 0 && l["total"].(float64) != total {
			t.Fatalf("total changed between pages")
		}
		total = l["total"].(float64)
		all = append(all, items(l)...)
		if l["next_cursor"] == nil {
			return all, total
		}
		cursor = l["next_cursor"].(string)
	}
	t.Fatal("paging never ended")
	return nil, 0
}

func names(list []obj) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c["display_name"].(string)
	}
	return out
}

func TestCreatorListFiltersSortsAndPagesWithoutGapsOrDuplicates(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		ag := call(t, e, owner, "POST", "/api/v1/agencies", obj{"name": "Star MCN", "country": "US", "share_bps": 2000}, http.StatusCreated)
		seedList(t, e, owner, ag["id"].(string), owner.UserID)

		all, total := listAll(t, e, owner, "", 500)
		if total != 11 || len(all) != 11 {
			t.Fatalf("total %v, %d items", total, len(all))
		}
		byName := map[string]obj{}
		for _, c := range all {
			byName[c["display_name"].(string)] = c
		}
		// every sort, paged by 2, 3 and 4, equals the full order computed here
		type key struct {
			f   float64
			s   string
			id  string
			asc bool
		}
		for _, sort := range []string{"name", "-followers", "-created_at", "-gmv_90d"} {
			want := slices.Clone(all)
			slices.SortFunc(want, func(a, b obj) int {
				switch sort {
				case "name":
					if c := strings.Compare(strings.ToLower(a["display_name"].(string)), strings.ToLower(b["display_name"].(string))); c != 0 {
						return c
					}
					return strings.Compare(a["id"].(string), b["id"].(string))
				case "-followers":
					if a["followers"].(float64) != b["followers"].(float64) {
						if a["followers"].(float64) > b["followers"].(float64) {
							return -1
						}
						return 1
					}
				case "-created_at":
					if c := strings.Compare(b["created_at"].(string), a["created_at"].(string)); c != 0 {
						return c
					}
				}
				return strings.Compare(b["id"].(string), a["id"].(string))
			})
			for _, limit := range []int{2, 3, 4} {
				got, _ := listAll(t, e, owner, "sort="+url.QueryEscape(sort), limit)
				if !slices.Equal(ids(got), ids(want)) {
					t.Fatalf("sort %s by %d: %v, want %v", sort, limit, names(got), names(want))
				}
			}
		}
		if got, _ := listAll(t, e, owner, "sort=name", 3); got[0]["display_name"] != "Alice" && got[0]["display_name"] != "alice" {
			t.Fatalf("name sort must ignore case: %v", names(got))
		}

		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"status=active", []string{"Alice", "Carol", "Dave", "Gina", "Hank"}},
			{"status=paused,churned", []string{"王小明", "Frank"}},
			{"country=cn", []string{"李佳琦", "王小明"}},
			{"platform=tiktok", []string{"Alice", "Dave", "Hank"}},
			{"platform=instagram&country=FR", []string{"Éva"}},
			{"tier=micro", []string{"Alice", "bob", "Dave", "Gina", "Hank"}},
			{"tier=mega,macro", []string{"Carol", "李佳琦"}},
			{"tier=nano", []string{"王小明", "Frank", "alice"}},
			{"agency_id=" + ag["id"].(string), []string{"Alice", "Carol", "Gina"}},
			{"owner_id=" + owner.UserID, []string{"Alice", "Carol", "Dave", "Gina", "Hank"}},
			{"tag=beauty", []string{"Alice", "Carol", "李佳琦", "Gina"}},
			{"tag=beauty&tag=fashion", []string{"Carol"}},
			{"min_followers=100000", []string{"Carol", "李佳琦", "Éva"}},
			{"max_followers=9999", []string{"王小明", "Frank", "alice"}},
			{"min_followers=10000&max_followers=50000", []string{"Alice", "bob", "Dave", "Gina", "Hank"}},
			{"q=alice", []string{"Alice", "alice"}},
			{"q=%40BobTube", []string{"bob"}},                                          // by handle, with @ and in another case
			{"q=" + url.QueryEscape("https://www.tiktok.com/@dave"), []string{"Dave"}}, // by pasted profile URL (prefix of dave_de)
			{"q=" + url.QueryEscape("李"), []string{"李佳琦"}},                             // Chinese name
			{"q=lijiaqi", []string{"李佳琦"}},
			{"q=" + url.QueryEscape("ÉVA"), []string{"Éva"}},
			{"q=f.com", []string{"Frank"}}, // email
			{"q=" + url.QueryEscape("100%"), nil},
			{"q=dave_", []string{"Dave"}}, // handle prefix with an underscore
			{"q=l_c", nil},                // _ is literal, not a wildcard (else it finds Alice)
		} {
			got, total := listAll(t, e, owner, tc.query+"&sort=name", 2)
			gotNames := names(got)
			slices.Sort(gotNames)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(gotNames, want) || int(total) != len(want) {
				t.Errorf("%s: %v (total %v), want %v", tc.query, gotNames, total, want)
			}
		}
		for _, bad := range []string{"sort=followers", "status=sleeping", "country=XX", "platform=myspace", "tier=giga", "min_followers=-1",
			"limit=0", "limit=501", "cursor=garbage", "deleted=maybe"} {
			res := e.Expect(http.StatusBadRequest, apitest.Request{Method: "GET", Path: "/api/v1/creators?" + bad, Token: owner.Token})
			if res.ErrorCode(t) != "invalid_parameter" {
				t.Errorf("%s: %s", bad, res.Body)
			}
		}
	})
}

func TestViewerReadsButCannotWriteCreators(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		viewer := e.AddUser(owner, "v@example.com", actor.RoleViewer)
		finance := e.AddUser(owner, "f@example.com", actor.RoleFinance)
		c := newCreator(t, e, owner, obj{"display_name": "A", "country": "US", "accounts": []obj{{"platform": "tiktok", "handle": "a"}}})
		ag := call(t, e, owner, "POST", "/api/v1/agencies", obj{"name": "MCN", "country": "US"}, http.StatusCreated)
		id, aid, gid := c["id"].(string), accounts(c)[0]["id"].(string), ag["id"].(string)
		writes := []apitest.Request{
			{Method: "POST", Path: "/api/v1/creators", Body: obj{"display_name": "B", "country": "US"}},
			{Method: "PATCH", Path: "/api/v1/creators/" + id, Body: obj{"status": "active"}},
			{Method: "DELETE", Path: "/api/v1/creators/" + id},
			{Method: "POST", Path: "/api/v1/creators/" + id + "/restore"},
			{Method: "POST", Path: "/api/v1/creators/" + id + "/accounts", Body: obj{"platform": "x", "handle": "b"}},
			{Method: "PATCH", Path: "/api/v1/accounts/" + aid, Body: obj{"followers": 5}},
			{Method: "DELETE", Path: "/api/v1/accounts/" + aid},
			{Method: "POST", Path: "/api/v1/accounts/" + aid + "/snapshots", Body: obj{"captured_on": "2026-11-01", "followers": 1}},
			{Method: "POST", Path: "/api/v1/creators/" + id + "/notes", Body: obj{"text": "hi"}},
			{Method: "POST", Path: "/api/v1/agencies", Body: obj{"name": "X", "country": "US"}},
			{Method: "PATCH", Path: "/api/v1/agencies/" + gid, Body: obj{"share_bps": 1}},
			{Method: "DELETE", Path: "/api/v1/agencies/" + gid},
		}
		for _, u := range []apitest.User{viewer, finance} {
			for _, r := range writes {
				r.Token = u.Token
				res := e.Expect(http.StatusForbidden, r)
				if res.ErrorCode(t) != "forbidden" {
					t.Errorf("%s %s as %s: %s", r.Method, r.Path, u.Role, res.Body)
				}
			}
			for _, p := range []string{"/api/v1/creators", "/api/v1/creators/" + id, "/api/v1/creators/" + id + "/timeline",
				"/api/v1/accounts/" + aid + "/snapshots", "/api/v1/agencies", "/api/v1/agencies/" + gid} {
				e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: p, Token: u.Token})
			}
		}
	})
}

func TestCreatorRoutesAnswerNotFoundToAnotherOrganization(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		a := e.Setup("Ningbo Export", "li@example.com")
		ag := call(t, e, a, "POST", "/api/v1/agencies", obj{"name": "MCN A", "country": "US", "share_bps": 1000}, http.StatusCreated)
		c := newCreator(t, e, a, obj{"display_name": "A's creator", "country": "US", "agency_id": ag["id"], "tags": []string{"vip"},
			"accounts": []obj{{"platform": "tiktok", "handle": "secret", "followers": 100}}})
		deleted := newCreator(t, e, a, obj{"display_name": "A's deleted", "country": "US"})
		call(t, e, a, "DELETE", "/api/v1/creators/"+deleted["id"].(string), nil, http.StatusNoContent)
		id, aid, gid := c["id"].(string), accounts(c)[0]["id"].(string), ag["id"].(string)
		before := e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/creators/" + id, Token: a.Token}).Body
		beforeAg := e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/agencies/" + gid, Token: a.Token}).Body
		beforeTL := e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/creators/" + id + "/timeline", Token: a.Token}).Body

		b := e.NewOrg("Yiwu Trading", "zhao@example.com")
		e.ExpectCrossOrgNotFound(b, []apitest.CrossOrgCase{
			{Method: "GET", Path: "/api/v1/creators/" + id},
			{Method: "PATCH", Path: "/api/v1/creators/" + id, Body: obj{"status": "blocked"}},
			{Method: "DELETE", Path: "/api/v1/creators/" + id},
			{Method: "POST", Path: "/api/v1/creators/" + deleted["id"].(string) + "/restore"},
			{Method: "POST", Path: "/api/v1/creators/" + id + "/accounts", Body: obj{"platform": "x", "handle": "intruder"}},
			{Method: "PATCH", Path: "/api/v1/accounts/" + aid, Body: obj{"followers": 1}},
			{Method: "DELETE", Path: "/api/v1/accounts/" + aid},
			{Method: "POST", Path: "/api/v1/accounts/" + aid + "/snapshots", Body: obj{"captured_on": "2026-11-01", "followers": 1}},
			{Method: "GET", Path: "/api/v1/accounts/" + aid + "/snapshots"},
			{Method: "GET", Path: "/api/v1/creators/" + id + "/timeline"},
			{Method: "POST", Path: "/api/v1/creators/" + id + "/notes", Body: obj{"text": "hi"}},
			{Method: "GET", Path: "/api/v1/agencies/" + gid},
			{Method: "PATCH", Path: "/api/v1/agencies/" + gid, Body: obj{"share_bps": 9000}},
			{Method: "DELETE", Path: "/api/v1/agencies/" + gid},
		})
		// filters and references cannot reach A's data either
		for _, q := range []string{"", "?q=secret", "?agency_id=" + gid, "?deleted=true", "?owner_id=" + a.UserID} {
			if l := call(t, e, b, "GET", "/api/v1/creators"+q, nil, http.StatusOK); l["total"].(float64) != 0 {
				t.Fatalf("B sees A's creators with %q: %v", q, l)
			}
		}
		if l := call(t, e, b, "GET", "/api/v1/creators/tags", nil, http.StatusOK); len(l["items"].([]any)) != 0 {
			t.Fatalf("B sees A's tags: %v", l)
		}
		if l := call(t, e, b, "GET", "/api/v1/agencies", nil, http.StatusOK); l["total"].(float64) != 0 {
			t.Fatalf("B sees A's agencies: %v", l)
		}
		res := e.Expect(http.StatusUnprocessableEntity, apitest.Request{Method: "POST", Path: "/api/v1/creators", Token: b.Token,
			Body: obj{"display_name": "B's", "country": "US", "agency_id": gid, "owner_id": a.UserID}})
		if !strings.Contains(string(res.Body), "agency_id") || !strings.Contains(string(res.Body), "owner_id") {
			t.Fatalf("A's agency and user must be invalid references for B: %s", res.Body)
		}

		after := e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/creators/" + id, Token: a.Token}).Body
		afterAg := e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/agencies/" + gid, Token: a.Token}).Body
		afterTL := e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/creators/" + id + "/timeline", Token: a.Token}).Body
		if string(before) != string(after) || string(beforeAg) != string(afterAg) || string(beforeTL) != string(afterTL) {
			t.Fatalf("A's data changed:\n%s\n%s", before, after)
		}
		if d := call(t, e, a, "GET", "/api/v1/creators/"+deleted["id"].(string), nil, http.StatusOK); d["deleted_at"] == nil {
			t.Fatal("B restored A's creator")
		}
	})
}

func TestBadCreatorInputGetsAClearError(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		c := newCreator(t, e, owner, obj{"display_name": "Valid", "country": "US"})
		for _, tc := range []struct {
			method, path string
			body         any
			status       int
			field        string
		}{
			{"POST", "/api/v1/creators", obj{"display_name": "X", "country": "US", "org_id": "other"}, 400, ""},
			{"POST", "/api/v1/creators", `{"display_name":"X","country":"US","Country":"CN"}`, 400, ""},
			{"POST", "/api/v1/creators", `{"display_name":"X","country":"US"} trailing`, 400, ""},
			{"POST", "/api/v1/creators", `{"display_name":"X","country":"US","display_name":"Y"}`, 400, ""},
			{"POST", "/api/v1/creators", obj{"display_name": "X", "country": "USA"}, 422, "country"},
			{"POST", "/api/v1/creators", obj{"display_name": "X", "country": "UK"}, 422, "country"},
			{"POST", "/api/v1/creators", obj{"display_name": "", "country": "US"}, 422, "display_name"},
			{"POST", "/api/v1/creators", obj{"display_name": "X", "country": "US", "payout_currency": "XYZ"}, 422, "payout_currency"},
			{"POST", "/api/v1/creators", obj{"display_name": "X", "country": "US", "status": "vip"}, 422, "status"},
			{"POST", "/api/v1/creators", obj{"display_name": "X", "country": "US", "email": "not-an-email"}, 422, "email"},
			{"POST", "/api/v1/creators", obj{"display_name": "X", "country": "US", "languages": []string{"english"}}, 422, "languages"},
			{"POST", "/api/v1/creators", obj{"display_name": "X", "country": "US", "default_rate_bps": 10001}, 422, "default_rate_bps"},
			{"POST", "/api/v1/creators", obj{"display_name": "X", "country": "US", "accounts": []obj{{"platform": "myspace", "handle": "x"}}}, 422, "accounts[0].platform"},
			{"POST", "/api/v1/creators", obj{"display_name": "X", "country": "US", "agency_id": "nope"}, 422, "agency_id"},
			{"PATCH", "/api/v1/creators/" + c["id"].(string), obj{"country": "ZZ"}, 422, "country"},
			{"PATCH", "/api/v1/creators/" + c["id"].(string), obj{"payout_currency": "usd1"}, 422, "payout_currency"},
			{"PATCH", "/api/v1/creators/" + c["id"].(string), obj{"default_rate_bps": "ten"}, 400, ""},
			{"PATCH", "/api/v1/creators/" + c["id"].(string), obj{"tier": "mega"}, 400, ""},
			{"POST", "/api/v1/creators/" + c["id"].(string) + "/notes", obj{"text": "  "}, 422, "text"},
			{"POST", "/api/v1/agencies", obj{"name": "M", "country": "US", "share_bps": -1}, 422, "share_bps"},
			{"POST", "/api/v1/agencies", obj{"name": "M", "country": "Mars"}, 422, "country"},
			{"GET", "/api/v1/creators/does-not-exist", nil, 404, ""},
		} {
			res := e.Expect(tc.status, apitest.Request{Method: tc.method, Path: tc.path, Body: tc.body, Token: owner.Token})
			res.ErrorCode(t) // the contract's shape
			if tc.field != "" {
				var eb struct {
					Error struct {
						Fields map[string]string `json:"fields"`
					} `json:"error"`
				}
				_ = json.Unmarshal(res.Body, &eb)
				if eb.Error.Fields[tc.field] == "" {
					t.Errorf("%s %s %v: no message for %s: %s", tc.method, tc.path, tc.body, tc.field, res.Body)
				}
			}
		}
		// a wrong content type is a 415
		e.Expect(http.StatusUnsupportedMediaType, apitest.Request{Method: "POST", Path: "/api/v1/creators", Body: `display_name=x`,
			Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, Token: owner.Token})
	})
}

func TestAgenciesHoldCreatorsAndRefuseDeletionWhileInUse(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		ag := call(t, e, owner, "POST", "/api/v1/agencies", obj{"name": "Star MCN", "country": "us", "contact_email": "Boss@Star.com", "share_bps": 2000}, http.StatusCreated)
		if ag["country"] != "US" || ag["contact_email"] != "boss@star.com" || ag["share_bps"].(float64) != 2000 {
			t.Fatalf("agency = %v", ag)
		}
		res := e.Expect(http.StatusConflict, apitest.Request{Method: "POST", Path: "/api/v1/agencies", Body: obj{"name": " star  mcn", "country": "US"}, Token: owner.Token})
		if res.ErrorCode(t) != "agency_name_taken" {
			t.Fatalf("duplicate agency: %s", res.Body)
		}
		gid := ag["id"].(string)
		c := newCreator(t, e, owner, obj{"display_name": "Signed", "country": "US", "agency_id": gid})
		if c["agency_name"] != "Star MCN" {
			t.Fatalf("agency_name = %v", c["agency_name"])
		}
		if got := call(t, e, owner, "GET", "/api/v1/agencies/"+gid, nil, http.StatusOK); got["creators"].(float64) != 1 {
			t.Fatalf("agency creators = %v", got)
		}
		res = e.Expect(http.StatusConflict, apitest.Request{Method: "DELETE", Path: "/api/v1/agencies/" + gid, Token: owner.Token})
		if res.ErrorCode(t) != "agency_in_use" {
			t.Fatalf("delete in use: %s", res.Body)
		}
		up := call(t, e, owner, "PATCH", "/api/v1/creators/"+c["id"].(string), obj{"agency_id": nil}, http.StatusOK)
		if up["agency_id"] != nil {
			t.Fatalf("agency not cleared: %v", up)
		}
		tl := call(t, e, owner, "GET", "/api/v1/creators/"+c["id"].(string)+"/timeline?limit=1", nil, http.StatusOK)
		if items(tl)[0]["kind"] != "agency_changed" {
			t.Fatalf("timeline = %v", tl)
		}
		call(t, e, owner, "PATCH", "/api/v1/agencies/"+gid, obj{"share_bps": 2500, "contact_email": nil}, http.StatusOK)
		l := call(t, e, owner, "GET", "/api/v1/agencies", nil, http.StatusOK)
		if got := items(l)[0]; got["share_bps"].(float64) != 2500 || got["contact_email"] != nil || got["creators"].(float64) != 0 {
			t.Fatalf("agencies = %v", l)
		}
		call(t, e, owner, "DELETE", "/api/v1/agencies/"+gid, nil, http.StatusNoContent)
		e.Expect(http.StatusNotFound, apitest.Request{Method: "GET", Path: "/api/v1/agencies/" + gid, Token: owner.Token})
	})
}
