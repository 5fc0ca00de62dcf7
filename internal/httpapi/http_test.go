package httpapi_test

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

func TestBadInputGetsItsOwn4xxInTheErrorShape(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	owner := e.Setup("Ningbo Export", "li@example.com")
	users := "/api/v1/users"
	valid := `{"email":"a@example.com","name":"A","role":"viewer","password":"long enough 1"}`
	cases := []struct {
		name    string
		body    string
		ctype   string
		status  int
		code    string
		comment string
	}{
		{"malformed JSON", `{"email":`, "application/json", 400, "malformed_json", ""},
		{"not an object", `[1,2]`, "application/json", 400, "malformed_json", ""},
		{"trailing garbage", valid + `{"x":1}`, "application/json", 400, "malformed_json", ""},
		{"duplicate keys", `{"email":"a@example.com","email":"b@example.com","name":"A","role":"viewer","password":"long enough 1"}`, "application/json", 400, "malformed_json", ""},
		{"case variant of a key", `{"Email":"a@example.com","name":"A","role":"viewer","password":"long enough 1"}`, "application/json", 400, "malformed_json", ""},
		{"unknown field", `{"email":"a@example.com","name":"A","role":"viewer","password":"long enough 1","org_id":"x"}`, "application/json", 400, "malformed_json", ""},
		{"wrong type", `{"email":42,"name":"A","role":"viewer","password":"long enough 1"}`, "application/json", 400, "malformed_json", ""},
		{"empty body", ``, "application/json", 400, "empty_body", ""},
		{"form content type", `email=a`, "application/x-www-form-urlencoded", 415, "unsupported_media_type", ""},
		{"text content type", valid, "text/plain", 415, "unsupported_media_type", ""},
		{"invalid fields", `{"email":"not-an-email","name":"","role":"emperor","password":"x"}`, "application/json", 422, "validation_failed", ""},
		{"20 MB body", `{"name":"` + strings.Repeat("a", 20<<20) + `"}`, "application/json", 413, "body_too_large", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := e.Do(apitest.Request{Method: "POST", Path: users, Body: c.body, Token: owner.Token, Headers: map[string]string{"Content-Type": c.ctype}})
			if res.Status != c.status {
				t.Fatalf("status %d, want %d: %.300s", res.Status, c.status, res.Body)
			}
			if code := res.ErrorCode(t); code != c.code {
				t.Fatalf("code %q, want %q", code, c.code)
			}
		})
	}
	res := e.Do(apitest.Request{Method: "POST", Path: users, Token: owner.Token, Body: `{"email":"not-an-email","name":"","role":"emperor","password":"x"}`})
	fields := res.Map(t)["error"].(map[string]any)["fields"].(map[string]any)
	for _, f := range []string{"email", "name", "role", "password"} {
		if fields[f] == nil {
			t.Errorf("no message for field %s: %v", f, fields)
		}
	}
	// Nothing was created by any of the bad requests.
	list := e.Expect(200, apitest.Request{Method: "GET", Path: users, Token: owner.Token}).Map(t)
	if list["total"].(float64) != 1 {
		t.Fatalf("bad requests created users: %v", list)
	}
}

func TestRoutingErrorsUseTheErrorShape(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	for _, c := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/api/v1/no-such-thing", 404, "not_found"},
		{"POST", "/api/v1/no-such-thing", 404, "not_found"},
		{"DELETE", "/api/v1/me", 405, "method_not_allowed"},
		{"GET", "/api/v1/me", 401, "unauthenticated"},
		{"GET", "/api/v1/users?limit=9999", 401, "unauthenticated"},
	} {
		res := e.Do(apitest.Request{Method: c.method, Path: c.path})
		if res.Status != c.status || res.ErrorCode(t) != c.code {
			t.Errorf("%s %s: %d %s, want %d %s", c.method, c.path, res.Status, res.Body, c.status, c.code)
		}
	}
	owner := e.Setup("Ningbo Export", "li@example.com")
	for _, q := range []string{"limit=0", "limit=501", "limit=abc", "cursor=!!!", "cursor=bm90LWpzb24"} {
		res := e.Do(apitest.Request{Method: "GET", Path: "/api/v1/users?" + q, Token: owner.Token})
		if res.Status != 400 || res.ErrorCode(t) != "invalid_parameter" {
			t.Errorf("?%s: %d %s, want 400 invalid_parameter", q, res.Status, res.Body)
		}
	}
}

func TestPanicIsAGeneric500AndTheServerStaysUp(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	e.Server.Echo.GET("/test/panic", func(echo.Context) error { panic("secret internal detail") })
	res := e.Do(apitest.Request{Method: "GET", Path: "/test/panic"})
	if res.Status != 500 || res.ErrorCode(t) != "internal" {
		t.Fatalf("panic answered %d %s", res.Status, res.Body)
	}
	if bytes.Contains(res.Body, []byte("secret")) || bytes.Contains(res.Body, []byte("goroutine")) {
		t.Fatalf("the panic leaked into the answer: %s", res.Body)
	}
	if !strings.Contains(e.Log.String(), "secret internal detail") || !strings.Contains(e.Log.String(), "goroutine") {
		t.Fatal("the panic and its stack must be in the log")
	}
	e.Expect(200, apitest.Request{Method: "GET", Path: "/healthz"})
}

func TestEveryAnswerHasARequestID(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	res := e.Do(apitest.Request{Method: "GET", Path: "/healthz", Headers: map[string]string{"X-Request-Id": "proxy-id-12345678"}})
	if res.Header.Get("X-Request-Id") != "proxy-id-12345678" {
		t.Fatalf("a well-formed incoming id must be kept, got %q", res.Header.Get("X-Request-Id"))
	}
	res = e.Do(apitest.Request{Method: "GET", Path: "/healthz", Headers: map[string]string{"X-Request-Id": "bad id\r\nwith=newline"}})
	if id := res.Header.Get("X-Request-Id"); strings.ContainsAny(id, " \r\n=") || id == "" {
		t.Fatalf("a malformed incoming id must be replaced, got %q", id)
	}
	res = e.Do(apitest.Request{Method: "GET", Path: "/api/v1/nothing"})
	if res.Map(t)["error"].(map[string]any)["request_id"] != res.Header.Get("X-Request-Id") {
		t.Fatal("the error's request_id must match the header")
	}
}

func TestSecureHeadersAndNoCORSForUnlistedOrigins(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	res := e.Do(apitest.Request{Method: "GET", Path: "/api/v1/setup", Headers: map[string]string{"Origin": "https://evil.example"}})
	for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Referrer-Policy"} {
		if res.Header.Get(h) == "" {
			t.Errorf("missing %s", h)
		}
	}
	if res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("an unlisted origin got a CORS grant")
	}
	pre := e.Do(apitest.Request{Method: "OPTIONS", Path: "/api/v1/auth/refresh", Headers: map[string]string{
		"Origin": "https://evil.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-requested-with"}})
	if pre.Header.Get("Access-Control-Allow-Origin") != "" || pre.Header.Get("Access-Control-Allow-Headers") != "" {
		t.Fatal("a preflight from an unlisted origin was granted")
	}
}

func TestUIIsServedWithFallbackAndNothingOutsideIt(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	root := e.Expect(200, apitest.Request{Method: "GET", Path: "/"})
	if !bytes.Contains(bytes.ToLower(root.Body), []byte("<!doctype html>")) {
		t.Fatalf("/ is not the UI: %.200s", root.Body)
	}
	deep := e.Expect(200, apitest.Request{Method: "GET", Path: "/creators/123"})
	if !bytes.Equal(deep.Body, root.Body) {
		t.Fatal("a deep link must get the app's index page")
	}
	for _, p := range []string{"/assets/..%2f..%2fetc/passwd", "/assets/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fgo.mod", "/assets/missing.js", "/favicon-missing.png"} {
		req := httptest.NewRequest("GET", "http://x"+p, nil)
		rec := httptest.NewRecorder()
		e.Server.Echo.ServeHTTP(rec, req)
		body := rec.Body.String()
		if strings.Contains(body, "root:") || strings.Contains(body, "module github.com") {
			t.Fatalf("%s served a file outside the UI", p)
		}
		if rec.Code != 404 && !(rec.Code == 200 && bytes.Equal(rec.Body.Bytes(), root.Body)) {
			t.Fatalf("%s: status %d", p, rec.Code)
		}
	}
	// API paths never fall back to the app.
	res := e.Do(apitest.Request{Method: "GET", Path: "/api/v2/anything"})
	if res.Status != 404 || res.ErrorCode(t) != "not_found" {
		t.Fatalf("/api/v2/anything: %d %s", res.Status, res.Body)
	}
}

func TestOpenAPIDescribesExactlyTheRegisteredRoutes(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	e.Expect(200, apitest.Request{Method: "GET", Path: "/api/openapi.json"}).JSON(t, &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for m, op := range ops {
			documented[strings.ToUpper(m)+" "+p] = true
			if o, ok := op.(map[string]any); !ok || o["summary"] == "" || o["responses"] == nil {
				t.Errorf("%s %s has no summary or responses", m, p)
			}
		}
	}
	registered := map[string]bool{}
	for _, r := range e.Server.Echo.Routes() {
		if r.Path == "/*" { // the web UI
			continue
		}
		p := r.Path
		for _, seg := range strings.Split(p, "/") {
			if strings.HasPrefix(seg, ":") {
				// echo's parameter runs to the next slash: :creator_id.xlsx is {creator_id}.xlsx
				name, ext, dotted := strings.Cut(seg[1:], ".")
				if dotted {
					name += "}." + ext
				} else {
					name += "}"
				}
				p = strings.Replace(p, seg, "{"+name, 1)
			}
		}
		registered[r.Method+" "+p] = true
	}
	var missing, extra []string
	for k := range registered {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !registered[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("registered but not documented: %v\ndocumented but not registered: %v", missing, extra)
	}
	if len(registered) < 15 {
		t.Fatalf("only %d routes registered", len(registered))
	}
}

func TestReadyzFailsWhenTheDatabaseIsGone(t *testing.T) {
	db := storetest.SQLite(t)
	e := apitest.New(t, db)
	e.Expect(200, apitest.Request{Method: "GET", Path: "/readyz"})
	e.Expect(200, apitest.Request{Method: "GET", Path: "/healthz"})
	db.Close()
	res := e.Do(apitest.Request{Method: "GET", Path: "/readyz"})
	if res.Status != 503 || res.ErrorCode(t) != "unavailable" || res.Header.Get("Retry-After") == "" {
		t.Fatalf("readyz with the database closed: %d %s", res.Status, res.Body)
	}
	e.Expect(200, apitest.Request{Method: "GET", Path: "/healthz"})
}

func TestUserManagementRules(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		admin := e.AddUser(owner, "admin@example.com", actor.RoleAdmin)
		seller := e.AddUser(owner, "seller@example.com", actor.RoleManager)
		viewer := e.AddUser(owner, "viewer@example.com", actor.RoleViewer)
		finance := e.AddUser(owner, "finance@example.com", actor.RoleFinance)

		for _, u := range []apitest.User{seller, viewer, finance} {
			e.Expect(403, apitest.Request{Method: "GET", Path: "/api/v1/users", Token: u.Token})
			e.Expect(403, apitest.Request{Method: "POST", Path: "/api/v1/users", Token: u.Token, Body: map[string]string{"email": "z@example.com", "name": "Z", "role": "viewer", "password": "long enough 1"}})
			e.Expect(403, apitest.Request{Method: "POST", Path: "/api/v1/api-keys", Token: u.Token, Body: map[string]string{"name": "k"}})
			e.Expect(200, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: u.Token})
		}
		e.Expect(403, apitest.Request{Method: "GET", Path: "/api/v1/audit-log", Token: seller.Token})
		e.Expect(200, apitest.Request{Method: "GET", Path: "/api/v1/audit-log", Token: finance.Token})

		// Nobody changes their own role or status.
		res := e.Expect(400, apitest.Request{Method: "PATCH", Path: "/api/v1/users/" + admin.UserID, Token: admin.Token, Body: map[string]string{"role": "owner"}})
		if res.ErrorCode(t) != "cannot_change_self" {
			t.Fatal(string(res.Body))
		}
		// An admin cannot make or touch owners.
		e.Expect(403, apitest.Request{Method: "PATCH", Path: "/api/v1/users/" + seller.UserID, Token: admin.Token, Body: map[string]string{"role": "owner"}})
		e.Expect(403, apitest.Request{Method: "PATCH", Path: "/api/v1/users/" + owner.UserID, Token: admin.Token, Body: map[string]string{"status": "disabled"}})
		e.Expect(403, apitest.Request{Method: "POST", Path: "/api/v1/users", Token: admin.Token, Body: map[string]string{"email": "o2@example.com", "name": "O", "role": "owner", "password": "long enough 1"}})
		// Duplicate e-mail, in any case.
		res = e.Expect(409, apitest.Request{Method: "POST", Path: "/api/v1/users", Token: admin.Token, Body: map[string]string{"email": "SELLER@example.com", "name": "S", "role": "viewer", "password": "long enough 1"}})
		if res.ErrorCode(t) != "email_taken" {
			t.Fatal(string(res.Body))
		}

		// A role change takes effect on the next request; disabling ends the user's sessions.
		e.Expect(200, apitest.Request{Method: "PATCH", Path: "/api/v1/users/" + seller.UserID, Token: admin.Token, Body: map[string]string{"role": "viewer"}})
		me := e.Expect(200, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: seller.Token}).Map(t)
		if me["user"].(map[string]any)["role"] != "viewer" {
			t.Fatalf("role not updated: %v", me)
		}
		e.Expect(200, apitest.Request{Method: "PATCH", Path: "/api/v1/users/" + seller.UserID, Token: admin.Token, Body: map[string]string{"status": "disabled"}})
		e.Expect(401, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: seller.Token})
		e.Expect(401, apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": "seller@example.com", "password": apitest.Password}})

		// An owner may demote another owner; the demoted one then has no power over owners.
		second := e.AddUser(owner, "owner2@example.com", actor.RoleOwner)
		e.Expect(200, apitest.Request{Method: "PATCH", Path: "/api/v1/users/" + second.UserID, Token: owner.Token, Body: map[string]string{"role": "admin"}})
		e.Expect(403, apitest.Request{Method: "PATCH", Path: "/api/v1/users/" + owner.UserID, Token: second.Token, Body: map[string]string{"role": "admin"}})
	})
}

func TestAPIKeysAreShownOnceStoredHashedAndRevocable(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		res := e.Expect(201, apitest.Request{Method: "POST", Path: "/api/v1/api-keys", Token: owner.Token, Body: map[string]string{"name": "Shopify script"}})
		created := res.Map(t)
		key, id := created["key"].(string), created["id"].(string)
		if !strings.HasPrefix(key, "cvk_") || len(key) < 40 || created["role"] != "manager" {
			t.Fatalf("created key: %v", created)
		}
		var stored int
		if err := db.NewRaw("SELECT count(*) FROM api_keys WHERE key_hash = ? OR prefix = ?", key, key).Scan(context.Background(), &stored); err != nil || stored != 0 {
			t.Fatalf("the key is stored in clear (%d, %v)", stored, err)
		}
		list := e.Expect(200, apitest.Request{Method: "GET", Path: "/api/v1/api-keys", Token: owner.Token})
		if bytes.Contains(list.Body, []byte(key)) || !bytes.Contains(list.Body, []byte(key[:10])) {
			t.Fatalf("the list must show the prefix and never the key: %s", list.Body)
		}
		me := e.Expect(200, apitest.Request{Method: "GET", Path: "/api/v1/me", APIKey: key}).Map(t)
		if me["org"].(map[string]any)["id"] != owner.OrgID {
			t.Fatalf("API key acts for the wrong org: %v", me)
		}
		// A manager key cannot manage users or keys.
		e.Expect(403, apitest.Request{Method: "GET", Path: "/api/v1/users", APIKey: key})
		e.Expect(422, apitest.Request{Method: "POST", Path: "/api/v1/api-keys", Token: owner.Token, Body: map[string]string{"name": "root", "role": "owner"}})

		e.Expect(204, apitest.Request{Method: "DELETE", Path: "/api/v1/api-keys/" + id, Token: owner.Token})
		e.Expect(401, apitest.Request{Method: "GET", Path: "/api/v1/me", APIKey: key})
		e.Expect(404, apitest.Request{Method: "DELETE", Path: "/api/v1/api-keys/" + id, Token: owner.Token})
		for _, bad := range []string{"cvk_" + strings.Repeat("A", 43), "nope", strings.Repeat("k", 10000)} {
			e.Expect(401, apitest.Request{Method: "GET", Path: "/api/v1/me", APIKey: bad})
		}
	})
}

func TestAnotherOrganizationsUsersAndKeysAreNotFound(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		a := e.Setup("Ningbo Export", "li@example.com")
		aSeller := e.AddUser(a, "seller@a.example", actor.RoleManager)
		key := e.Expect(201, apitest.Request{Method: "POST", Path: "/api/v1/api-keys", Token: a.Token, Body: map[string]string{"name": "A's key"}}).Map(t)
		b := e.NewOrg("Yiwu Trading", "boss@b.example")

		e.ExpectCrossOrgNotFound(b, []apitest.CrossOrgCase{
			{Method: "GET", Path: "/api/v1/users/" + aSeller.UserID},
			{Method: "PATCH", Path: "/api/v1/users/" + aSeller.UserID, Body: map[string]string{"status": "disabled"}},
			{Method: "PATCH", Path: "/api/v1/users/" + a.UserID, Body: map[string]string{"name": "pwned"}},
			{Method: "DELETE", Path: "/api/v1/api-keys/" + key["id"].(string)},
		})
		// B's lists show none of A's rows.
		for _, p := range []string{"/api/v1/users", "/api/v1/api-keys", "/api/v1/audit-log"} {
			body := e.Expect(200, apitest.Request{Method: "GET", Path: p, Token: b.Token}).Body
			for _, id := range []string{a.UserID, aSeller.UserID, key["id"].(string), a.OrgID} {
				if bytes.Contains(body, []byte(id)) {
					t.Fatalf("%s as B shows A's %s", p, id)
				}
			}
		}
		// A's data is unchanged.
		e.Expect(200, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: aSeller.Token})
		e.Expect(200, apitest.Request{Method: "GET", Path: "/api/v1/me", APIKey: key["key"].(string)})
		u := e.Expect(200, apitest.Request{Method: "GET", Path: "/api/v1/users/" + a.UserID, Token: a.Token}).Map(t)
		if u["name"] == "pwned" {
			t.Fatal("B renamed A's owner")
		}
	})
}

func TestListsPageWithCursors(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	owner := e.Setup("Ningbo Export", "li@example.com")
	for i := 0; i < 6; i++ {
		e.AddUser(owner, "user"+string(rune('a'+i))+"@example.com", actor.RoleViewer)
	}
	seen := map[string]bool{}
	path := "/api/v1/users?limit=3"
	pages := 0
	for {
		var l struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			NextCursor *string `json:"next_cursor"`
			Total      int     `json:"total"`
		}
		e.Expect(200, apitest.Request{Method: "GET", Path: path, Token: owner.Token}).JSON(t, &l)
		pages++
		if l.Total != 7 {
			t.Fatalf("total %d, want 7", l.Total)
		}
		for _, it := range l.Items {
			if seen[it.ID] {
				t.Fatalf("user %s on two pages", it.ID)
			}
			seen[it.ID] = true
		}
		if l.NextCursor == nil {
			break
		}
		path = "/api/v1/users?limit=3&cursor=" + *l.NextCursor
	}
	if len(seen) != 7 || pages != 3 {
		t.Fatalf("saw %d users on %d pages", len(seen), pages)
	}
}

func TestAChunkedBodyPastTheLimitIs413(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	owner := e.Setup("Ningbo Export", "li@example.com")
	// No Content-Length: the limit can only be enforced while reading.
	body := io.MultiReader(strings.NewReader(`{"name":"`), strings.NewReader(strings.Repeat("a", 3<<20)), strings.NewReader(`"}`))
	req := httptest.NewRequest("POST", "/api/v1/users", body)
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+owner.Token)
	rec := httptest.NewRecorder()
	e.Server.Echo.ServeHTTP(rec, req)
	if rec.Code != 413 || !strings.Contains(rec.Body.String(), `"body_too_large"`) {
		t.Fatalf("chunked oversized body: %d %s", rec.Code, rec.Body)
	}
}
