package creator_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// parallel runs each fn at once and waits for all of them.
func parallel(fns ...func()) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, fn := range fns {
		wg.Add(1)
		go func() { defer wg.Done(); <-start; fn() }()
	}
	close(start)
	wg.Wait()
}

// On PostgreSQL two PATCHes of different fields of one creator lost a write in 190 of 200 rounds:
// each read the row, changed its field and wrote the whole row back.
func TestConcurrentPatchesOfDifferentFieldsLoseNothing(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		u := e.Setup("Org", "owner@example.com")
		c := newCreator(t, e, u, obj{"display_name": "Luna", "country": "US"})
		path := "/api/v1/creators/" + c["id"].(string)
		lost := 0
		const rounds = 200
		for i := range rounds {
			var s1, s2 int
			parallel(
				func() {
					s1 = e.Do(apitest.Request{Method: "PATCH", Path: path, Token: u.Token, Body: obj{"notes": fmt.Sprint("note ", i)}}).Status
				},
				func() {
					s2 = e.Do(apitest.Request{Method: "PATCH", Path: path, Token: u.Token, Body: obj{"wechat": fmt.Sprint("wx", i)}}).Status
				},
			)
			if s1 != 200 || s2 != 200 {
				t.Fatalf("round %d: statuses %d %d", i, s1, s2)
			}
			got := call(t, e, u, "GET", path, nil, 200)
			if got["notes"] != fmt.Sprint("note ", i) || got["wechat"] != fmt.Sprint("wx", i) {
				lost++
			}
		}
		if lost > 0 {
			t.Fatalf("%d of %d rounds lost a write", lost, rounds)
		}
	})
}

// Concurrent tag changes gave 500 (creator_tags_pkey 23505) in 96 of 400; concurrent follower
// updates of two accounts left max_followers wrong in 56 of 100 rounds.
func TestConcurrentTagAndFollowerChangesStayConsistent(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		u := e.Setup("Org", "owner@example.com")
		c := newCreator(t, e, u, obj{"display_name": "Luna", "country": "US", "accounts": []obj{
			{"platform": "tiktok", "handle": "@luna", "followers": 10}, {"platform": "youtube", "handle": "@luna", "followers": 10}}})
		path := "/api/v1/creators/" + c["id"].(string)
		accts := accounts(c)
		for i := range 100 {
			var st [4]int
			parallel(
				func() {
					st[0] = e.Do(apitest.Request{Method: "PATCH", Path: path, Token: u.Token, Body: obj{"tags": []string{"a", "b"}}}).Status
				},
				func() {
					st[1] = e.Do(apitest.Request{Method: "PATCH", Path: path, Token: u.Token, Body: obj{"tags": []string{"b", "c"}}}).Status
				},
				func() {
					st[2] = e.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/accounts/" + accts[0]["id"].(string), Token: u.Token, Body: obj{"followers": 1000 + i}}).Status
				},
				func() {
					st[3] = e.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/accounts/" + accts[1]["id"].(string), Token: u.Token, Body: obj{"followers": 2000 + i}}).Status
				},
			)
			if st != [4]int{200, 200, 200, 200} {
				t.Fatalf("round %d: statuses %v", i, st)
			}
			got := call(t, e, u, "GET", path, nil, 200)
			if got["followers"] != float64(2000+i) {
				t.Fatalf("round %d: followers %v, want %d (the larger account)", i, got["followers"], 2000+i)
			}
			call(t, e, u, "PATCH", path, obj{"tags": nil}, 200)
		}
	})
}

func TestETagAndIfMatchRefuseAStaleWrite(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		u := e.Setup("Org", "owner@example.com")
		c := newCreator(t, e, u, obj{"display_name": "Luna", "country": "US", "accounts": []obj{{"platform": "tiktok", "handle": "@luna"}}})
		ag := call(t, e, u, "POST", "/api/v1/agencies", obj{"name": "MCN", "country": "US"}, 201)
		for _, path := range []string{
			"/api/v1/creators/" + c["id"].(string),
			"/api/v1/agencies/" + ag["id"].(string),
			"/api/v1/accounts/" + accounts(c)[0]["id"].(string),
		} {
			body := obj{"country": "GB"}
			if strings.Contains(path, "accounts") {
				body = obj{"followers": 5}
			}
			res := e.Expect(200, apitest.Request{Method: "GET", Path: path, Token: u.Token})
			if res.Header.Get("ETag") != `"1"` {
				t.Fatalf("%s: ETag %q, want \"1\"", path, res.Header.Get("ETag"))
			}
			res = e.Expect(200, apitest.Request{Method: "PATCH", Path: path, Token: u.Token, Body: body, Headers: map[string]string{"If-Match": `"1"`}})
			if res.Header.Get("ETag") != `"2"` || res.Map(t)["version"] != float64(2) {
				t.Fatalf("%s: after a change ETag %q body %s", path, res.Header.Get("ETag"), res.Body)
			}
			res = e.Expect(412, apitest.Request{Method: "PATCH", Path: path, Token: u.Token, Body: body, Headers: map[string]string{"If-Match": `"1"`}})
			var eb struct {
				Error struct {
					Code   string         `json:"code"`
					Params map[string]any `json:"params"`
				} `json:"error"`
			}
			res.JSON(t, &eb)
			if eb.Error.Code != "version_mismatch" || eb.Error.Params["current_version"] != float64(2) {
				t.Fatalf("%s: stale If-Match answered %s", path, res.Body)
			}
			e.Expect(412, apitest.Request{Method: "DELETE", Path: path, Token: u.Token, Headers: map[string]string{"If-Match": `W/"1"`}})
			e.Expect(400, apitest.Request{Method: "PATCH", Path: path, Token: u.Token, Body: body, Headers: map[string]string{"If-Match": "abc"}})
			e.Expect(200, apitest.Request{Method: "PATCH", Path: path, Token: u.Token, Body: body, Headers: map[string]string{"If-Match": "*"}})
		}
	})
}

// PATCH {"display_name": null} answered 200 and changed nothing: null now clears what may be empty
// and is a 422 for what may not.
func TestNullClearsNullableFieldsAndIsRefusedForRequiredOnes(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		u := e.Setup("Org", "owner@example.com")
		c := newCreator(t, e, u, obj{"display_name": "Luna", "country": "US", "email": "l@example.com", "notes": "n",
			"tags": []string{"x"}, "languages": []string{"en"}, "default_rate_bps": 100, "accounts": []obj{{"platform": "tiktok", "handle": "@luna", "avg_views": 5}}})
		cp := "/api/v1/creators/" + c["id"].(string)
		ap := "/api/v1/accounts/" + accounts(c)[0]["id"].(string)
		ag := call(t, e, u, "POST", "/api/v1/agencies", obj{"name": "MCN", "country": "US", "contact_email": "m@example.com"}, 201)
		gp := "/api/v1/agencies/" + ag["id"].(string)
		for _, tc := range []struct{ path, field string }{
			{cp, "display_name"}, {cp, "country"}, {cp, "status"},
			{ap, "platform"}, {ap, "handle"}, {ap, "followers"}, {ap, "status"},
			{gp, "name"}, {gp, "country"}, {gp, "share_bps"},
		} {
			res := e.Expect(422, apitest.Request{Method: "PATCH", Path: tc.path, Token: u.Token, Body: obj{tc.field: nil}})
			if f := res.Map(t)["error"].(obj)["fields"].(obj); f[tc.field] != "must not be null" {
				t.Errorf("%s %s: null answered %s", tc.path, tc.field, res.Body)
			}
		}
		got := call(t, e, u, "PATCH", cp, obj{"email": nil, "notes": nil, "tags": nil, "languages": nil, "default_rate_bps": nil}, 200)
		if got["email"] != nil || got["notes"] != "" || len(got["tags"].([]any)) != 0 || len(got["languages"].([]any)) != 0 || got["default_rate_bps"] != nil {
			t.Fatalf("null did not clear: %v", got)
		}
		if got := call(t, e, u, "PATCH", ap, obj{"avg_views": nil}, 200); got["avg_views"] != nil {
			t.Fatalf("avg_views not cleared: %v", got)
		}
		if got := call(t, e, u, "PATCH", gp, obj{"contact_email": nil}, 200); got["contact_email"] != nil {
			t.Fatalf("contact_email not cleared: %v", got)
		}
	})
}

// A NUL anywhere gave 500 on both databases.
func TestNULAndControlCharactersAreBadInputNotA500(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		u := e.Setup("Org", "owner@example.com")
		c := newCreator(t, e, u, obj{"display_name": "Luna", "country": "US"})
		cp := "/api/v1/creators/" + c["id"].(string)
		for _, r := range []apitest.Request{
			{Method: "POST", Path: "/api/v1/auth/login", Body: `{"email":"a\u0000@example.com","password":"x"}`},
			{Method: "GET", Path: "/api/v1/creators/%00", Token: u.Token},
			{Method: "GET", Path: "/api/v1/creators?q=%00", Token: u.Token},
			{Method: "GET", Path: "/api/v1/creators?tag=a%00b", Token: u.Token},
			{Method: "GET", Path: "/api/v1/creators?agency_id=%00", Token: u.Token},
			{Method: "GET", Path: "/api/v1/audit-log?action=%00", Token: u.Token},
			{Method: "GET", Path: "/api/v1/audit-log?target_id=x%01", Token: u.Token},
			{Method: "POST", Path: "/api/v1/creators", Token: u.Token, Body: `{"display_name":"Lu\u0000na","country":"US"}`},
			{Method: "PATCH", Path: cp, Token: u.Token, Body: `{"notes":"a\u0000b"}`},
			{Method: "PATCH", Path: cp, Token: u.Token, Body: `{"tags":["a\u0007"]}`},
			{Method: "POST", Path: cp + "/notes", Token: u.Token, Body: `{"text":"x\u0000"}`},
		} {
			res := e.Do(r)
			if res.Status != 400 || res.ErrorCode(t) != "invalid_characters" {
				t.Errorf("%s %s %v: %d %s", r.Method, r.Path, r.Body, res.Status, res.Body)
			}
		}
		// Tab and newline stay allowed where text allows them.
		call(t, e, u, "POST", cp+"/notes", obj{"text": "line 1\n\tline 2"}, 201)
		// Bidirectional overrides have no place in a name.
		res := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/creators", Token: u.Token, Body: obj{"display_name": "\u202eanuL", "country": "US"}})
		if res.Status != 422 {
			t.Errorf("a name with U+202E: %d %s", res.Status, res.Body)
		}
	})
}

// ?tag=t0&…&tag=t149 took 28.7 s on PostgreSQL; 1,000 tags or 2,000 tiers overflowed SQLite.
func TestFilterValuesAreCappedAndOneSetBasedCondition(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		u := e.Setup("Org", "owner@example.com")
		newCreator(t, e, u, obj{"display_name": "A", "country": "US", "tags": []string{"t0", "t1", "t2"}})
		newCreator(t, e, u, obj{"display_name": "B", "country": "US", "tags": []string{"t0", "t1"}})
		q := url.Values{}
		for i := range 150 {
			q.Add("tag", fmt.Sprint("t", i))
		}
		start := time.Now()
		res := e.Do(apitest.Request{Method: "GET", Path: "/api/v1/creators?" + q.Encode(), Token: u.Token})
		if res.Status != 400 || res.ErrorCode(t) != "too_many_values" {
			t.Fatalf("150 tags: %d %s", res.Status, res.Body)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("150 tags took %v", d)
		}
		l := call(t, e, u, "GET", "/api/v1/creators?tag=t0&tag=t1&tag=t2", nil, 200)
		if names := names(items(l)); len(names) != 1 || names[0] != "A" {
			t.Fatalf("every tag must match: %v", names)
		}
		if l := call(t, e, u, "GET", "/api/v1/creators?tag=t0&tag=T1&tag=t0", nil, 200); l["total"] != float64(2) {
			t.Fatalf("repeated tags: %v", l["total"])
		}
		tiers := strings.Repeat("tier=nano&tier=micro&", 1000)
		if l := call(t, e, u, "GET", "/api/v1/creators?"+tiers, nil, 200); l["total"] != float64(2) {
			t.Fatalf("2,000 repeated tiers: %v", l["total"])
		}
		many := make([]string, 60)
		for i := range many {
			many[i] = fmt.Sprintf("s%d", i)
		}
		res = e.Do(apitest.Request{Method: "GET", Path: "/api/v1/creators?country=" + strings.Join(many, ","), Token: u.Token})
		if res.Status != 400 {
			t.Fatalf("60 countries: %d", res.Status)
		}
	})
}

// During a 100k-row dry run on SQLite other writers made no progress for 9 s: a dry run writes
// nothing and must not hold the write lock. The import's progress callback runs inside its
// transaction, so a write from there would wait on the lock (and time out) if it were held.
func TestADryRunDoesNotBlockWriters(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		u := e.Setup("Org", "owner@example.com")
		newCreator(t, e, u, obj{"display_name": "Luna", "country": "US", "accounts": []obj{{"platform": "tiktok", "handle": "@luna"}}})
		svc := e.Deps.Creators
		p := actor.Actor{OrgID: u.OrgID, UserID: u.UserID, Role: actor.RoleOwner}
		file := []byte("Name,Country,Platform,Handle,Followers\nLuna,US,tiktok,@luna,500\nNew,US,tiktok,@new,1\n")
		wrote := false
		var writeErr error
		res, err := svc.Import(context.Background(), p, bytes.NewReader(file), int64(len(file)), "f.csv", true, func(done, total int) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			_, writeErr = svc.Create(ctx, p, creator.NewCreator{DisplayName: "Writer", Country: "US"})
			wrote = true
		})
		if err != nil {
			t.Fatal(err)
		}
		if !wrote || writeErr != nil {
			t.Fatalf("a write during the dry run: called %v, err %v", wrote, writeErr)
		}
		if res.Created != 1 || res.Updated != 1 || !res.DryRun {
			t.Fatalf("dry run counts: %+v", res)
		}
		l := call(t, e, u, "GET", "/api/v1/creators?q=luna", nil, 200)
		if f := items(l)[0]["followers"]; f != float64(0) {
			t.Fatalf("the dry run wrote followers %v", f)
		}
	})
}

// Handles that read the same are the same account: invisible characters, full-width letters and
// look-alike letters from another script do not make a new one.
func TestLookAlikeHandlesAreRefused(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		u := e.Setup("Org", "owner@example.com")
		c := newCreator(t, e, u, obj{"display_name": "Luna", "country": "US", "accounts": []obj{{"platform": "tiktok", "handle": "@luna"}}})
		other := newCreator(t, e, u, obj{"display_name": "Other", "country": "US"})
		for _, h := range []string{"@lu\u200dna", "@lu\u2060na", "@lu\u00adna", "\u202e@luna", "ｌｕｎａ", "@lunа" /* Cyrillic а */, "@LUNA"} {
			res := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/creators/" + other["id"].(string) + "/accounts", Token: u.Token,
				Body: obj{"platform": "tiktok", "handle": h}})
			if res.Status != 409 {
				t.Errorf("handle %q: %d %s", h, res.Status, res.Body)
				continue
			}
			var eb struct {
				Error struct {
					Code   string         `json:"code"`
					Params map[string]any `json:"params"`
				} `json:"error"`
			}
			res.JSON(t, &eb)
			if (eb.Error.Code != "account_taken" && eb.Error.Code != "account_lookalike") || eb.Error.Params["creator_id"] != c["id"] {
				t.Errorf("handle %q: %s", h, res.Body)
			}
		}
		// Another platform, and a genuinely different handle, are fine.
		call(t, e, u, "POST", "/api/v1/creators/"+other["id"].(string)+"/accounts", obj{"platform": "youtube", "handle": "@luna"}, 201)
		call(t, e, u, "POST", "/api/v1/creators/"+other["id"].(string)+"/accounts", obj{"platform": "tiktok", "handle": "@luna2"}, 201)
	})
}

// 3 creators were saved although their client got a 5xx: a retry duplicated them. With an
// Idempotency-Key the retry answers the first response and adds nothing.
func TestIdempotencyKeyMakesACreatingPOSTSafeToRetry(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		u := e.Setup("Org", "owner@example.com")
		key := map[string]string{"Idempotency-Key": "8b2f1c3e-0000-4000-8000-000000000001"}
		body := obj{"display_name": "Luna", "country": "US"}
		first := e.Expect(201, apitest.Request{Method: "POST", Path: "/api/v1/creators", Token: u.Token, Body: body, Headers: key})
		again := e.Expect(201, apitest.Request{Method: "POST", Path: "/api/v1/creators", Token: u.Token, Body: body, Headers: key})
		if again.Header.Get("Idempotent-Replayed") != "true" || again.Map(t)["id"] != first.Map(t)["id"] {
			t.Fatalf("replay: %s %s", again.Header, again.Body)
		}
		res := e.Expect(422, apitest.Request{Method: "POST", Path: "/api/v1/creators", Token: u.Token, Body: obj{"display_name": "Other", "country": "US"}, Headers: key})
		if res.ErrorCode(t) != "idempotency_key_reused" {
			t.Fatalf("another body: %s", res.Body)
		}
		// Ten copies at once: one creator; the others replay or are told to retry.
		key2 := map[string]string{"Idempotency-Key": "burst-1"}
		var mu sync.Mutex
		statuses := map[int]int{}
		fns := make([]func(), 10)
		for i := range fns {
			fns[i] = func() {
				st := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/creators", Token: u.Token, Body: obj{"display_name": "Burst", "country": "US"}, Headers: key2}).Status
				mu.Lock()
				statuses[st]++
				mu.Unlock()
			}
		}
		parallel(fns...)
		if statuses[201] < 1 || statuses[201]+statuses[409] != 10 {
			t.Fatalf("statuses %v", statuses)
		}
		if l := call(t, e, u, "GET", "/api/v1/creators?q=burst", nil, 200); l["total"] != float64(1) {
			t.Fatalf("%v creators for one key", l["total"])
		}
		// A failed request leaves no key behind: fixing the body and retrying with the key works.
		key3 := map[string]string{"Idempotency-Key": "fix-1"}
		e.Expect(422, apitest.Request{Method: "POST", Path: "/api/v1/creators", Token: u.Token, Body: obj{"display_name": "", "country": "US"}, Headers: key3})
		e.Expect(422, apitest.Request{Method: "POST", Path: "/api/v1/creators", Token: u.Token, Body: obj{"display_name": "", "country": "US"}, Headers: key3})
		e.Expect(400, apitest.Request{Method: "POST", Path: "/api/v1/creators", Token: u.Token, Body: body, Headers: map[string]string{"Idempotency-Key": "bad key with spaces"}})
	})
}

var _ = http.StatusOK
