package tracking_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"golang.org/x/time/rate"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
	"github.com/caravan-crm/caravan/internal/tracking"
)

type obj = map[string]any

// world is an organization with a creator (two accounts), a second creator and a campaign.
type world struct {
	e                 *apitest.Env
	u                 apitest.User
	creator, other    string
	tiktok, youtube   string // the creator's accounts
	otherAccount      string // the other creator's account
	campaign          string
	ctx               context.Context
	svc               *tracking.Service
	browser, browser2 string
}

func newWorld(t testing.TB, db *bun.DB) *world {
	t.Helper()
	e := apitest.New(t, db)
	w := &world{e: e, ctx: context.Background(), svc: e.Deps.Tracking,
		browser:  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1",
		browser2: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"}
	t.Cleanup(func() {
		if err := w.svc.Close(context.Background()); err != nil {
			t.Errorf("close the click flusher: %v", err)
		}
	})
	w.u = e.Setup("Org", "owner@example.com")
	var cr struct {
		ID       string `json:"id"`
		Accounts []struct {
			ID       string `json:"id"`
			Platform string `json:"platform"`
		} `json:"accounts"`
	}
	w.call(t, "POST", "/api/v1/creators", obj{"display_name": "Luna", "country": "US", "accounts": []obj{
		{"platform": "tiktok", "handle": "@luna", "followers": 1000}, {"platform": "youtube", "handle": "@lunatube", "followers": 10}}}, 201).JSON(t, &cr)
	w.creator = cr.ID
	for _, a := range cr.Accounts {
		if a.Platform == "tiktok" {
			w.tiktok = a.ID
		} else {
			w.youtube = a.ID
		}
	}
	w.call(t, "POST", "/api/v1/creators", obj{"display_name": "Mia", "country": "GB", "accounts": []obj{{"platform": "instagram", "handle": "@mia"}}}, 201).JSON(t, &cr)
	w.other, w.otherAccount = cr.ID, cr.Accounts[0].ID
	w.campaign = w.call(t, "POST", "/api/v1/campaigns", obj{"name": "Spring", "starts_on": "2026-12-01",
		"plan": obj{"type": "percent", "rate_bps": 1000}}, 201).Map(t)["id"].(string)
	return w
}

func (w *world) call(t testing.TB, method, path string, body any, status int) *apitest.Response {
	t.Helper()
	return w.e.Expect(status, apitest.Request{Method: method, Path: path, Body: body, Token: w.u.Token})
}

func (w *world) link(t testing.TB, dest string, account *string) tracking.Link {
	t.Helper()
	body := obj{"creator_id": w.creator, "campaign_id": w.campaign, "destination_url": dest}
	if account != nil {
		body["account_id"] = *account
	}
	var l tracking.Link
	w.call(t, "POST", "/api/v1/links", body, 201).JSON(t, &l)
	return l
}

// visit sends GET /r/{code} with a user agent through the router.
func (w *world) visit(code, ua string, headers ...string) *apitest.Response {
	h := map[string]string{"User-Agent": ua}
	for i := 0; i+1 < len(headers); i += 2 {
		h[headers[i]] = headers[i+1]
	}
	return w.e.Do(apitest.Request{Method: "GET", Path: "/r/" + code, Headers: h})
}

func (w *world) flush(t *testing.T) {
	t.Helper()
	if err := w.svc.Flush(w.ctx); err != nil {
		t.Fatal(err)
	}
}

// kinds counts a link's stored clicks by kind.
func (w *world) kinds(t *testing.T, linkID string) map[string]int {
	t.Helper()
	var rows []struct {
		Kind string `bun:"kind"`
		N    int    `bun:"n"`
	}
	if err := w.e.DB.NewSelect().Table("clicks").ColumnExpr("kind, COUNT(*) AS n").Where("link_id = ?", linkID).Group("kind").Scan(w.ctx, &rows); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Kind] = r.N
	}
	return out
}

func ptr[T any](v T) *T { return &v }

var codeShape = regexp.MustCompile(`^[0-9A-Za-z]{10}$`)

func TestALinkHasAnUnguessableCodeAShortURLAndAVersion(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		l := w.link(t, "https://shop.example/p/lamp?ref=a", ptr(w.tiktok))
		if !codeShape.MatchString(l.Code) || l.ShortURL != w.e.Config.PublicURL+"/r/"+l.Code || l.Status != "active" || l.Version != 1 {
			t.Fatalf("link %+v", l)
		}
		codes := map[string]bool{l.Code: true}
		for range 20 {
			c := w.link(t, "https://shop.example/", nil).Code
			if codes[c] || !codeShape.MatchString(c) {
				t.Fatalf("code %q repeated or malformed", c)
			}
			codes[c] = true
		}
		res := w.call(t, "GET", "/api/v1/links/"+l.ID, nil, 200)
		var got tracking.Link
		res.JSON(t, &got)
		if got.Code != l.Code || got.Clicks != 0 || res.Header.Get("ETag") != `"1"` || *got.AccountID != w.tiktok {
			t.Fatalf("GET %+v etag %s", got, res.Header.Get("ETag"))
		}
		var list struct {
			Items []tracking.Link `json:"items"`
			Total int64           `json:"total"`
		}
		w.call(t, "GET", "/api/v1/links?account_id="+w.tiktok, nil, 200).JSON(t, &list)
		if list.Total != 1 || list.Items[0].ID != l.ID {
			t.Fatalf("filtered list %+v", list)
		}
		w.call(t, "GET", "/api/v1/links?creator_id="+w.creator+"&campaign_id="+w.campaign+"&limit=5", nil, 200).JSON(t, &list)
		if list.Total != 21 || len(list.Items) != 5 {
			t.Fatalf("list total %d items %d", list.Total, len(list.Items))
		}
		w.call(t, "GET", "/api/v1/links?status=gone", nil, 400)

		// Change the destination with a stale version: 412; with the current one: done.
		w.e.Expect(412, apitest.Request{Method: "PATCH", Path: "/api/v1/links/" + l.ID, Token: w.u.Token,
			Headers: map[string]string{"If-Match": `"7"`}, Body: obj{"destination_url": "https://shop.example/new"}})
		w.e.Expect(200, apitest.Request{Method: "PATCH", Path: "/api/v1/links/" + l.ID, Token: w.u.Token,
			Headers: map[string]string{"If-Match": `"1"`}, Body: obj{"destination_url": "https://shop.example/new"}}).JSON(t, &got)
		if got.DestinationURL != "https://shop.example/new" || got.Version != 2 || got.Code != l.Code {
			t.Fatalf("after PATCH %+v", got)
		}
		w.call(t, "PATCH", "/api/v1/links/"+l.ID, obj{"status": nil}, 422)
		w.call(t, "PATCH", "/api/v1/links/"+l.ID, obj{"code": "mine"}, 400) // the code never changes
	})
}

func TestALinkNamesTheOrganizationsCreatorCampaignAndTheCreatorsAccount(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		stranger := w.e.NewOrg("Other", "owner@other.example")
		var theirs struct {
			ID string `json:"id"`
		}
		w.e.Expect(201, apitest.Request{Method: "POST", Path: "/api/v1/campaigns", Token: stranger.Token,
			Body: obj{"name": "Theirs", "starts_on": "2026-12-01", "plan": obj{"type": "percent", "rate_bps": 1000}}}).JSON(t, &theirs)
		for name, c := range map[string]struct {
			body  obj
			field string
		}{
			"unknown creator":           {obj{"creator_id": "nope", "campaign_id": w.campaign, "destination_url": "https://x.example"}, "creator_id"},
			"another org's campaign":    {obj{"creator_id": w.creator, "campaign_id": theirs.ID, "destination_url": "https://x.example"}, "campaign_id"},
			"another creator's account": {obj{"creator_id": w.creator, "campaign_id": w.campaign, "account_id": w.otherAccount, "destination_url": "https://x.example"}, "account_id"},
			"no destination":            {obj{"creator_id": w.creator, "campaign_id": w.campaign}, "destination_url"},
			"javascript":                {obj{"creator_id": w.creator, "campaign_id": w.campaign, "destination_url": "javascript:alert(1)"}, "destination_url"},
			"relative":                  {obj{"creator_id": w.creator, "campaign_id": w.campaign, "destination_url": "/p/lamp"}, "destination_url"},
			"scheme-relative":           {obj{"creator_id": w.creator, "campaign_id": w.campaign, "destination_url": "//evil.example/"}, "destination_url"},
			"user info":                 {obj{"creator_id": w.creator, "campaign_id": w.campaign, "destination_url": "https://shop.example@evil.example/"}, "destination_url"},
			"ftp":                       {obj{"creator_id": w.creator, "campaign_id": w.campaign, "destination_url": "ftp://shop.example/"}, "destination_url"},
			"a space":                   {obj{"creator_id": w.creator, "campaign_id": w.campaign, "destination_url": "https://shop.example/a b"}, "destination_url"},
			"its own cv_click":          {obj{"creator_id": w.creator, "campaign_id": w.campaign, "destination_url": "https://shop.example/?cv_click=1"}, "destination_url"},
			"another short link":        {obj{"creator_id": w.creator, "campaign_id": w.campaign, "destination_url": w.e.Config.PublicURL + "/r/abcdefgh12"}, "destination_url"},
		} {
			res := w.call(t, "POST", "/api/v1/links", c.body, 422)
			var e struct {
				Error struct {
					Fields map[string]string `json:"fields"`
				} `json:"error"`
			}
			res.JSON(t, &e)
			if _, ok := e.Error.Fields[c.field]; !ok {
				t.Errorf("%s: fields %v, want %s", name, e.Error.Fields, c.field)
			}
		}
		var n int
		if err := db.NewSelect().Table("links").ColumnExpr("COUNT(*)").Scan(w.ctx, &n); err != nil || n != 0 {
			t.Fatalf("links stored: %d %v", n, err)
		}
	})
}

func TestTheRedirectKeepsTheDestinationsQueryFragmentAndEncodingsExactly(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		utm := func(source string) string {
			return "utm_source=" + source + "&utm_medium=creator&utm_campaign=" + url.QueryEscape(w.campaign)
		}
		for _, c := range []struct {
			dest, account *string
			before, after string // Location = before + "cv_click=<id>&" + utm + after
		}{
			{dest: ptr("https://shop.example/p/lamp?a=1&a=2&b=x#reviews"), account: ptr(w.tiktok),
				before: "https://shop.example/p/lamp?a=1&a=2&b=x&", after: "&" + utm("tiktok") + "#reviews"},
			{dest: ptr("https://shop.example/c%2Fd/%E7%81%AF?path=%2Fhome&q=hello%20world&plus=a+b&u=%E2%9C%93&raw=ü&a=1&a=2#top/x?y=1&z"),
				before: "https://shop.example/c%2Fd/%E7%81%AF?path=%2Fhome&q=hello%20world&plus=a+b&u=%E2%9C%93&raw=ü&a=1&a=2&", after: "&" + utm("creator") + "#top/x?y=1&z"},
			{dest: ptr("https://shop.example/灯/ünï?名=值"), account: ptr(w.youtube),
				before: "https://shop.example/灯/ünï?名=值&", after: "&" + utm("youtube")},
			{dest: ptr("http://shop.example"), before: "http://shop.example?", after: "&" + utm("creator")},
			{dest: ptr("https://shop.example/?"), before: "https://shop.example/?", after: "&" + utm("creator")},
			{dest: ptr("https://shop.example/?a=&"), before: "https://shop.example/?a=&", after: "&" + utm("creator")},
			{dest: ptr("https://shop.example/#"), before: "https://shop.example/?", after: "&" + utm("creator") + "#"},
			// The seller's own utm_source stays; the rest is added.
			{dest: ptr("https://shop.example/?utm_source=newsletter"), before: "https://shop.example/?utm_source=newsletter&",
				after: "&utm_medium=creator&utm_campaign=" + url.QueryEscape(w.campaign)},
		} {
			l := w.link(t, *c.dest, c.account)
			res := w.visit(l.Code, w.browser)
			if res.Status != http.StatusFound {
				t.Fatalf("%s: status %d %s", *c.dest, res.Status, res.Body)
			}
			loc := res.Header.Get("Location")
			rest, ok := strings.CutPrefix(loc, c.before+"cv_click=")
			if !ok {
				t.Fatalf("%s:\nLocation %s\nwant     %scv_click=…%s", *c.dest, loc, c.before, c.after)
			}
			id, tail, _ := strings.Cut(rest, "&")
			if "&"+tail != c.after {
				t.Fatalf("%s:\nLocation %s\nwant     %scv_click=%s%s", *c.dest, loc, c.before, id, c.after)
			}
			if res.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", res.Header.Get("Cache-Control"))
			}
			w.flush(t)
			click, err := w.svc.ResolveClick(w.ctx, w.u.OrgID, id)
			if err != nil || click.LinkID != l.ID || click.CreatorID != w.creator || click.CampaignID != w.campaign || click.Kind != tracking.ClickCounted {
				t.Fatalf("click %s: %+v %v", id, click, err)
			}
		}
		// Repeated keys survive a parse of the result too.
		l := w.link(t, "https://shop.example/?a=1&a=2", nil)
		u, err := url.Parse(w.visit(l.Code, w.browser).Header.Get("Location"))
		if err != nil || strings.Join(u.Query()["a"], ",") != "1,2" || u.Query().Get("cv_click") == "" {
			t.Fatalf("parsed %v %v", u, err)
		}
	})
}

func TestUnknownDisabledAndMalformedCodesAre404(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		l := w.link(t, "https://shop.example/", nil)
		for _, code := range []string{"Zz9Zz9Zz9Z", strings.ToLower(l.Code) + "x", "a", "abc-def-ghi", "%E2%9C%93abcdefgh"} {
			if res := w.visit(code, w.browser); res.Status != 404 || res.ErrorCode(t) != "not_found" {
				t.Fatalf("%s: %d %s", code, res.Status, res.Body)
			}
		}
		w.call(t, "PATCH", "/api/v1/links/"+l.ID, obj{"status": "disabled"}, 200)
		if res := w.visit(l.Code, w.browser); res.Status != 404 || res.ErrorCode(t) != "not_found" {
			t.Fatalf("disabled: %d %s", res.Status, res.Body)
		}
		w.call(t, "PATCH", "/api/v1/links/"+l.ID, obj{"status": "active"}, 200)
		if res := w.visit(l.Code, w.browser); res.Status != 302 {
			t.Fatalf("enabled again: %d %s", res.Status, res.Body)
		}
		w.flush(t)
		if k := w.kinds(t, l.ID); k[tracking.ClickCounted] != 1 || len(k) != 1 {
			t.Fatalf("only the visit of the enabled link is a click: %v", k)
		}
	})
}

func TestBotsAreRecordedButNotCountedAndAVisitorCountsOnceAMinute(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		l := w.link(t, "https://shop.example/", ptr(w.tiktok))
		for _, ua := range []string{"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "Twitterbot/1.0",
			"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "WhatsApp/2.23.20.0", "TelegramBot (like TwitterBot)",
			"Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "LinkedInBot/1.0", "Mozilla/5.0 (compatible; Googlebot/2.1)",
			"Mozilla/5.0 (compatible; bingbot/2.0)", "curl/8.5.0", ""} {
			if res := w.visit(l.Code, ua); res.Status != 302 {
				t.Fatalf("%q: bots are redirected too, got %d", ua, res.Status)
			}
		}
		w.visit(l.Code, w.browser, "CF-IPCountry", "de")
		w.visit(l.Code, w.browser) // the same visitor within the minute
		w.visit(l.Code, w.browser2)
		w.flush(t)
		if k := w.kinds(t, l.ID); k[tracking.ClickBot] != 11 || k[tracking.ClickCounted] != 2 || k[tracking.ClickDuplicate] != 1 {
			t.Fatalf("kinds %v", k)
		}
		var got tracking.Link
		w.call(t, "GET", "/api/v1/links/"+l.ID, nil, 200).JSON(t, &got)
		if got.Clicks != 2 {
			t.Fatalf("clicks %d, want 2", got.Clicks)
		}
		w.e.Clock.Advance(61 * time.Second)
		w.visit(l.Code, w.browser)
		w.flush(t)
		w.call(t, "GET", "/api/v1/links/"+l.ID, nil, 200).JSON(t, &got)
		if got.Clicks != 3 {
			t.Fatalf("a minute later the visitor counts again: clicks %d, want 3", got.Clicks)
		}
		var stored []struct {
			IPHash    string  `bun:"ip_hash"`
			UserAgent string  `bun:"user_agent"`
			Country   *string `bun:"country"`
		}
		if err := db.NewSelect().Table("clicks").Column("ip_hash", "user_agent", "country").Where("link_id = ? AND country IS NOT NULL", l.ID).Scan(w.ctx, &stored); err != nil {
			t.Fatal(err)
		}
		if len(stored) != 1 || *stored[0].Country != "DE" || len(stored[0].IPHash) != 32 || strings.Contains(stored[0].IPHash, "192.0.2") {
			t.Fatalf("stored %+v", stored)
		}

		from, to := w.e.Clock.Now().Add(-time.Hour), w.e.Clock.Now().Add(time.Hour)
		byAccount, err := w.svc.ClicksByAccount(w.ctx, w.u.OrgID, from, to)
		if err != nil || byAccount[w.tiktok] != 3 || len(byAccount) != 1 {
			t.Fatalf("by account %v %v", byAccount, err)
		}
		byCampaign, err := w.svc.ClicksByCampaign(w.ctx, w.u.OrgID, from, to)
		if err != nil || byCampaign[w.campaign] != 3 {
			t.Fatalf("by campaign %v %v", byCampaign, err)
		}
		byCreator, err := w.svc.ClicksByCreator(w.ctx, w.u.OrgID, from, to)
		if err != nil || byCreator[w.creator] != 3 {
			t.Fatalf("by creator %v %v", byCreator, err)
		}
		if n, err := w.svc.ClicksByAccount(w.ctx, w.u.OrgID, to, to.Add(time.Hour)); err != nil || len(n) != 0 {
			t.Fatalf("outside the window %v %v", n, err)
		}
		cc, err := w.svc.CampaignClicks(w.ctx, w.u.OrgID, w.campaign)
		if err != nil || len(cc) != 1 || cc[0].Clicks != 3 || *cc[0].AccountID != w.tiktok {
			t.Fatalf("campaign clicks %+v %v", cc, err)
		}
	})
}

// The limit is per client address, and a rotating X-Forwarded-For does not make a new one (no
// proxy is trusted by default).
func TestTheRedirectIsRateLimitedPerAddress(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		w.svc.SetRedirectLimit(rate.Every(time.Second), 3)
		l := w.link(t, "https://shop.example/", nil)
		for i := range 3 {
			if res := w.visit(l.Code, w.browser, "X-Forwarded-For", "203.0.113."+string(rune('1'+i))); res.Status != 302 {
				t.Fatalf("visit %d: %d", i, res.Status)
			}
		}
		res := w.visit(l.Code, w.browser, "X-Forwarded-For", "203.0.113.99")
		if res.Status != 429 || res.ErrorCode(t) != "rate_limited" || res.Header.Get("Retry-After") != "1" {
			t.Fatalf("4th visit: %d %s Retry-After %q", res.Status, res.Body, res.Header.Get("Retry-After"))
		}
		if res := w.visit("Zz9Zz9Zz9Z", w.browser); res.Status != 429 {
			t.Fatalf("guessing codes is limited too: %d", res.Status)
		}
		w.e.Clock.Advance(time.Second)
		if res := w.visit(l.Code, w.browser); res.Status != 302 {
			t.Fatalf("a second later: %d", res.Status)
		}
		w.flush(t)
		if k := w.kinds(t, l.ID); k[tracking.ClickCounted]+k[tracking.ClickDuplicate] != 4 {
			t.Fatalf("a refused visit is no click: %v", k)
		}
	})
}

func TestPromoCodesAreUniquePerOrganizationWhateverTheirCase(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		var pc tracking.PromoCode
		w.call(t, "POST", "/api/v1/promo-codes", obj{"code": "Luna10", "creator_id": w.creator, "campaign_id": w.campaign, "account_id": w.tiktok}, 201).JSON(t, &pc)
		if pc.Code != "Luna10" || pc.Status != "active" || pc.Version != 1 {
			t.Fatalf("created %+v", pc)
		}
		for _, dup := range []string{"LUNA10", "luna10", " luna10 ", "ＬＵＮＡ10"} {
			res := w.call(t, "POST", "/api/v1/promo-codes", obj{"code": dup, "creator_id": w.other, "campaign_id": w.campaign}, 409)
			var e struct {
				Error struct {
					Code   string         `json:"code"`
					Params map[string]any `json:"params"`
				} `json:"error"`
			}
			res.JSON(t, &e)
			if e.Error.Code != "promo_code_taken" || e.Error.Params["promo_code_id"] != pc.ID || e.Error.Params["creator_id"] != w.creator ||
				e.Error.Params["existing_code"] != "Luna10" {
				t.Fatalf("%q: %s", dup, res.Body)
			}
		}
		// Another organization may have the same code.
		stranger := w.e.NewOrg("Other", "owner@other.example")
		w.e.Expect(422, apitest.Request{Method: "POST", Path: "/api/v1/promo-codes", Token: stranger.Token,
			Body: obj{"code": "LUNA10", "creator_id": w.creator, "campaign_id": w.campaign}}) // but not with our creator

		for name, body := range map[string]obj{
			"empty":           {"code": "", "creator_id": w.creator, "campaign_id": w.campaign},
			"space":           {"code": "LU NA", "creator_id": w.creator, "campaign_id": w.campaign},
			"too long":        {"code": strings.Repeat("x", 65), "creator_id": w.creator, "campaign_id": w.campaign},
			"others' account": {"code": "MIA5", "creator_id": w.creator, "campaign_id": w.campaign, "account_id": w.otherAccount},
		} {
			if res := w.e.Do(apitest.Request{Method: "POST", Path: "/api/v1/promo-codes", Token: w.u.Token, Body: body}); res.Status != 422 {
				t.Errorf("%s: %d %s", name, res.Status, res.Body)
			}
		}

		got, err := w.svc.ResolveCode(w.ctx, w.u.OrgID, "luNA10")
		if err != nil || got.ID != pc.ID {
			t.Fatalf("resolve: %+v %v", got, err)
		}
		if _, err := w.svc.ResolveCode(w.ctx, stranger.OrgID, "luna10"); apperr.KindOf(err) != apperr.KindNotFound {
			t.Fatalf("another organization's code: %v", err)
		}

		var other tracking.PromoCode
		w.call(t, "POST", "/api/v1/promo-codes", obj{"code": "MIA5", "creator_id": w.other, "campaign_id": w.campaign}, 201).JSON(t, &other)
		w.call(t, "PATCH", "/api/v1/promo-codes/"+other.ID, obj{"code": "luna10"}, 409)
		w.e.Expect(412, apitest.Request{Method: "PATCH", Path: "/api/v1/promo-codes/" + other.ID, Token: w.u.Token,
			Headers: map[string]string{"If-Match": `"9"`}, Body: obj{"status": "disabled"}})
		res := w.e.Expect(200, apitest.Request{Method: "PATCH", Path: "/api/v1/promo-codes/" + other.ID, Token: w.u.Token,
			Headers: map[string]string{"If-Match": `"1"`}, Body: obj{"status": "disabled", "code": "Mia-5"}})
		res.JSON(t, &other)
		if other.Status != "disabled" || other.Code != "Mia-5" || other.Version != 2 || res.Header.Get("ETag") != `"2"` {
			t.Fatalf("after PATCH %+v", other)
		}
		w.call(t, "PATCH", "/api/v1/promo-codes/"+other.ID, obj{"code": "MIA-5"}, 200) // its own code in another case

		var list struct {
			Items []tracking.PromoCode `json:"items"`
			Total int64                `json:"total"`
		}
		w.call(t, "GET", "/api/v1/promo-codes?creator_id="+w.other, nil, 200).JSON(t, &list)
		if list.Total != 1 || list.Items[0].ID != other.ID {
			t.Fatalf("list %+v", list)
		}
		w.call(t, "GET", "/api/v1/promo-codes?status=active", nil, 200).JSON(t, &list)
		if list.Total != 1 || list.Items[0].ID != pc.ID {
			t.Fatalf("active %+v", list)
		}
		w.call(t, "GET", "/api/v1/promo-codes/"+pc.ID, nil, 200)
	})
}

func TestLinksAndClicksResolveForAttribution(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		l := w.link(t, "https://shop.example/", ptr(w.tiktok))
		got, err := w.svc.ResolveLink(w.ctx, w.u.OrgID, l.Code)
		if err != nil || got.ID != l.ID || got.ShortURL != l.ShortURL {
			t.Fatalf("resolve link %+v %v", got, err)
		}
		if _, err := w.svc.ResolveLink(w.ctx, w.u.OrgID, strings.ToLower(l.Code)); apperr.KindOf(err) != apperr.KindNotFound && strings.ToLower(l.Code) != l.Code {
			t.Fatalf("codes are case-sensitive: %v", err)
		}
		u, _ := url.Parse(w.visit(l.Code, w.browser).Header.Get("Location"))
		id := u.Query().Get("cv_click")
		// Not flushed yet: still found.
		c, err := w.svc.ResolveClick(w.ctx, w.u.OrgID, id)
		if err != nil || c.LinkID != l.ID || *c.AccountID != w.tiktok {
			t.Fatalf("resolve click %+v %v", c, err)
		}
		other := w.e.NewOrg("Other", "owner@other.example")
		if _, err := w.svc.ResolveClick(w.ctx, other.OrgID, id); apperr.KindOf(err) != apperr.KindNotFound {
			t.Fatalf("another organization's click: %v", err)
		}
	})
}
