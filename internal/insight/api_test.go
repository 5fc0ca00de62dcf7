package insight_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/insight"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

type obj = map[string]any

func call(t *testing.T, e *apitest.Env, u apitest.User, method, path string, body any, want int) *apitest.Response {
	t.Helper()
	return e.Expect(want, apitest.Request{Method: method, Path: path, Body: body, Token: u.Token})
}

func creator(t *testing.T, e *apitest.Env, u apitest.User, name, country string, accounts ...obj) string {
	t.Helper()
	var c struct {
		ID string `json:"id"`
	}
	call(t, e, u, "POST", "/api/v1/creators", obj{"display_name": name, "country": country, "accounts": accounts}, http.StatusCreated).JSON(t, &c)
	return c.ID
}

func TestPlatformCatalogueListsEveryPlatformWithTheOrganizationsMarks(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		a := e.Setup("Ningbo Export", "li@example.com")
		b := e.NewOrg("Yiwu Trading", "zhao@example.com")
		call(t, e, a, "PUT", "/api/v1/platforms/tiktok/risk", obj{"country": "us", "level": "banned", "note": "divest-or-ban law"}, http.StatusOK)
		call(t, e, a, "PUT", "/api/v1/platforms/tiktok/risk", obj{"country": "IN", "level": "at_risk"}, http.StatusOK)
		call(t, e, a, "PUT", "/api/v1/platforms/tiktok/risk", obj{"country": "IN", "level": "banned"}, http.StatusOK) // upsert

		var l insight.ListAnswer
		call(t, e, a, "GET", "/api/v1/platforms", nil, http.StatusOK).JSON(t, &l)
		var keys []string
		for _, p := range l.Items {
			keys = append(keys, p.Key)
			if p.Name == "" || p.NameZh == "" {
				t.Errorf("%s has no display names", p.Key)
			}
		}
		want := []string{"tiktok", "youtube", "instagram", "rednote", "facebook", "x", "pinterest", "snapchat", "twitch", "kwai", "douyin", "bilibili", "other"}
		if !slices.Equal(keys, want) {
			t.Fatalf("platforms %v, want %v", keys, want)
		}
		tk := l.Items[0]
		if len(tk.Marks) != 2 || tk.Marks[0].Country != "IN" || tk.Marks[0].Level != "banned" || tk.Marks[1].Note != "divest-or-ban law" {
			t.Fatalf("tiktok marks = %+v", tk.Marks)
		}
		// B sees none of A's marks
		call(t, e, b, "GET", "/api/v1/platforms", nil, http.StatusOK).JSON(t, &l)
		if len(l.Items[0].Marks) != 0 {
			t.Fatalf("B sees A's marks: %+v", l.Items[0].Marks)
		}
		// level ok clears the mark
		call(t, e, a, "PUT", "/api/v1/platforms/tiktok/risk", obj{"country": "IN", "level": "ok"}, http.StatusOK)
		call(t, e, a, "GET", "/api/v1/platforms", nil, http.StatusOK).JSON(t, &l)
		if len(l.Items[0].Marks) != 1 || l.Items[0].Marks[0].Country != "US" {
			t.Fatalf("marks after clearing IN = %+v", l.Items[0].Marks)
		}
	})
}

func TestBadRiskMarksAreRefused(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		viewer := e.AddUser(owner, "v@example.com", actor.RoleViewer)
		finance := e.AddUser(owner, "f@example.com", actor.RoleFinance)
		for _, tc := range []struct {
			path   string
			body   any
			status int
		}{
			{"/api/v1/platforms/myspace/risk", obj{"country": "US", "level": "banned"}, 404},
			{"/api/v1/platforms/tiktok/risk", obj{"country": "USA", "level": "banned"}, 422},
			{"/api/v1/platforms/tiktok/risk", obj{"country": "US", "level": "doomed"}, 422},
			{"/api/v1/platforms/tiktok/risk", obj{"country": "US", "level": "banned", "org_id": "x"}, 400},
			{"/api/v1/platforms/tiktok/risk", `{"country":"US"`, 400},
		} {
			res := call(t, e, owner, "PUT", tc.path, tc.body, tc.status)
			res.ErrorCode(t)
		}
		for _, u := range []apitest.User{viewer, finance} {
			call(t, e, u, "PUT", "/api/v1/platforms/tiktok/risk", obj{"country": "US", "level": "banned"}, http.StatusForbidden)
			call(t, e, u, "GET", "/api/v1/platforms", nil, http.StatusOK)
			call(t, e, u, "GET", "/api/v1/insights/platform-exposure", nil, http.StatusOK)
		}
		for _, q := range []string{"days=0", "days=x", "limit=-1", "days=99999"} {
			call(t, e, owner, "GET", "/api/v1/insights/platform-exposure?"+q, nil, http.StatusBadRequest).ErrorCode(t)
		}
	})
}

func TestTikTokBannedInUSSplitsDependentsByAlternative(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		a := e.Setup("Ningbo Export", "li@example.com")
		mover := creator(t, e, a, "Mover", "US", obj{"platform": "tiktok", "handle": "mover", "followers": 300_000},
			obj{"platform": "instagram", "handle": "mover.ig", "followers": 40_000})
		stuck := creator(t, e, a, "Stuck", "US", obj{"platform": "tiktok", "handle": "stuck", "followers": 900_000})
		// an alternative that is itself banned in the US does not count; a dormant one neither
		creator(t, e, a, "Also stuck", "US", obj{"platform": "tiktok", "handle": "alsostuck", "followers": 1_000},
			obj{"platform": "snapchat", "handle": "alsostuck", "followers": 50_000},
			obj{"platform": "youtube", "handle": "alsostuck", "followers": 70_000, "status": "dormant"})
		riskyAlt := creator(t, e, a, "Risky alternative", "US", obj{"platform": "tiktok", "handle": "risky", "followers": 2_000},
			obj{"platform": "x", "handle": "risky", "followers": 3_000})
		// not dependent: another country, a dormant TikTok account, no TikTok, deleted
		creator(t, e, a, "British", "GB", obj{"platform": "tiktok", "handle": "brit", "followers": 10})
		creator(t, e, a, "Dormant", "US", obj{"platform": "tiktok", "handle": "dormant", "followers": 10, "status": "dormant"})
		creator(t, e, a, "YouTuber", "US", obj{"platform": "youtube", "handle": "yt", "followers": 10})
		gone := creator(t, e, a, "Gone", "US", obj{"platform": "tiktok", "handle": "gone", "followers": 10})
		call(t, e, a, "DELETE", "/api/v1/creators/"+gone, nil, http.StatusNoContent)

		call(t, e, a, "PUT", "/api/v1/platforms/tiktok/risk", obj{"country": "US", "level": "banned"}, http.StatusOK)
		call(t, e, a, "PUT", "/api/v1/platforms/snapchat/risk", obj{"country": "US", "level": "banned"}, http.StatusOK)
		call(t, e, a, "PUT", "/api/v1/platforms/x/risk", obj{"country": "US", "level": "at_risk"}, http.StatusOK)

		var ex insight.Exposure
		call(t, e, a, "GET", "/api/v1/insights/platform-exposure?days=90", nil, http.StatusOK).JSON(t, &ex)
		if ex.Days != 90 || ex.Currency != "CNY" || ex.Totals.GMVMinor != 0 {
			t.Fatalf("exposure header = %+v", ex)
		}
		tk := ex.Platforms[0]
		// TikTok: Mover, Stuck, Also stuck, Risky alternative, British (active accounts; Dormant and Gone are not)
		if tk.Key != "tiktok" || tk.Creators != 5 || tk.Accounts != 5 || ex.Totals.Creators != 6 {
			t.Fatalf("tiktok = %+v, totals = %+v", tk, ex.Totals)
		}
		if tk.CreatorShareBps != 8333 { // 5 of 6 (Mover, Stuck, Also stuck, Risky alternative, British; YouTuber)
			t.Fatalf("tiktok creator share = %d", tk.CreatorShareBps)
		}
		var mark *insight.MarkExposure
		for i := range ex.Marks {
			if ex.Marks[i].Platform == "tiktok" && ex.Marks[i].Country == "US" {
				mark = &ex.Marks[i]
			}
		}
		if mark == nil || mark.Level != "banned" {
			t.Fatalf("no tiktok/US mark in %+v", ex.Marks)
		}
		if mark.Creators != 4 || mark.WithAlternativeCount != 2 || mark.WithoutAlternativeCount != 2 {
			t.Fatalf("tiktok/US counts = %+v", mark)
		}
		with, without := mark.WithAlternative, mark.WithoutAlternative
		if len(with) != 2 || with[0].CreatorID != mover || with[1].CreatorID != riskyAlt {
			t.Fatalf("with alternative = %+v", with)
		}
		if alt := with[0].Alternatives; len(alt) != 1 || alt[0].Platform != "instagram" || alt[0].Handle != "mover.ig" || alt[0].AtRisk {
			t.Fatalf("mover's alternatives = %+v", alt)
		}
		if alt := with[1].Alternatives; len(alt) != 1 || alt[0].Platform != "x" || !alt[0].AtRisk {
			t.Fatalf("an at-risk alternative must say so: %+v", alt)
		}
		if with[0].Followers != 300_000 || with[0].Accounts[0].Handle != "mover" {
			t.Fatalf("mover = %+v", with[0])
		}
		if len(without) != 2 || without[0].CreatorID != stuck || without[1].DisplayName != "Also stuck" || len(without[1].Alternatives) != 0 {
			t.Fatalf("without alternative = %+v", without)
		}
		// the lists stop at limit; the counts stay exact
		call(t, e, a, "GET", "/api/v1/insights/platform-exposure?limit=1", nil, http.StatusOK).JSON(t, &ex)
		for _, m := range ex.Marks {
			if m.Platform == "tiktok" && (len(m.WithAlternative) != 1 || m.WithAlternativeCount != 2 || !m.Truncated) {
				t.Fatalf("limited mark = %+v", m)
			}
		}

		// another organization sees none of it
		b := e.NewOrg("Yiwu Trading", "zhao@example.com")
		call(t, e, b, "GET", "/api/v1/insights/platform-exposure", nil, http.StatusOK).JSON(t, &ex)
		if ex.Totals.Creators != 0 || len(ex.Marks) != 0 || ex.Platforms[0].Creators != 0 {
			t.Fatalf("B sees A's exposure: %+v", ex)
		}
	})
}

func TestRiskNotesRefuseBidiOverridesAndControls(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		a := e.Setup("Ningbo Export", "li@example.com")
		for _, note := range []string{"ban \u202etxt.exe", "ban\u2066", "ban\u0085ban"} {
			var body struct {
				Error struct {
					FieldCodes map[string]string `json:"field_codes"`
				} `json:"error"`
			}
			call(t, e, a, "PUT", "/api/v1/platforms/tiktok/risk", obj{"country": "US", "level": "banned", "note": note}, http.StatusUnprocessableEntity).JSON(t, &body)
			if body.Error.FieldCodes["note"] != "invalid_characters" {
				t.Fatalf("note %q: field codes %v", note, body.Error.FieldCodes)
			}
		}
		for _, note := range []string{"ban\x00", "ban\x1b[31m"} { // refused when the body is read
			call(t, e, a, "PUT", "/api/v1/platforms/tiktok/risk", obj{"country": "US", "level": "banned", "note": note}, http.StatusBadRequest).ErrorCode(t)
		}
		var m insight.Mark
		call(t, e, a, "PUT", "/api/v1/platforms/tiktok/risk", obj{"country": "US", "level": "banned", "note": "divest-or-ban law\r\nsee 中文 notes\tand עברית\u200f"}, http.StatusOK).JSON(t, &m)
		if m.Note != "divest-or-ban law\r\nsee 中文 notes\tand עברית\u200f" {
			t.Fatalf("note = %q", m.Note)
		}
	})
}
