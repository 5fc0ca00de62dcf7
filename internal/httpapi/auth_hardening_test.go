package httpapi_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/auth"
	"github.com/caravan-crm/caravan/internal/config"
	"github.com/caravan-crm/caravan/internal/httpapi"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// sleeps records the login delays instead of waiting them out.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return nil
}

func (s *sleeps) take() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.d
	s.d = nil
	return out
}

// behindProxy makes X-Forwarded-For count (the test peer 192.0.2.10 is a trusted proxy), so a test can
// send from many client addresses; delays are recorded in rec.
func behindProxy(rec *sleeps) apitest.Option {
	return func(c *config.Config, o *auth.Options) {
		c.TrustedProxies, _ = parsePrefixes("192.0.2.0/24")
		o.Sleep = rec.sleep
	}
}

func login(e *apitest.Env, from, email, password string) *apitest.Response {
	return e.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": email, "password": password},
		Headers: map[string]string{"X-Forwarded-For": from}})
}

func TestWrongPasswordsFromOneAddressDoNotLockTheOwnerOut(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		rec := &sleeps{}
		e := apitest.New(t, db, behindProxy(rec))
		e.Setup("Ningbo Export", "li@example.com")
		for i := 0; i < 10; i++ {
			if res := login(e, "203.0.113.66", "li@example.com", fmt.Sprintf("guess number %d", i)); res.Status != http.StatusUnauthorized {
				t.Fatalf("attempt %d: status %d", i, res.Status)
			}
		}
		// The guesser's address is stopped for this account, even with the right password…
		res := login(e, "203.0.113.66", "li@example.com", "guess number 11")
		if res.Status != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || res.ErrorCode(t) != "rate_limited" {
			t.Fatalf("eleventh wrong password from one address: %d %v %s", res.Status, res.Header, res.Body)
		}
		e.Expect(http.StatusTooManyRequests, apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
			Body: map[string]string{"email": "li@example.com", "password": apitest.Password}, Headers: map[string]string{"X-Forwarded-For": "203.0.113.66"}})
		// …and the owner, from anywhere else, signs in at once, again and again.
		for i := 0; i < 3; i++ {
			if res := login(e, "198.51.100.7", "li@example.com", apitest.Password); res.Status != http.StatusOK {
				t.Fatalf("the owner from another address: status %d: %s", res.Status, res.Body)
			}
		}
		// The guesser's other accounts (and other guessers) are unaffected by this pair's limit.
		e.Expect(http.StatusUnauthorized, apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
			Body: map[string]string{"email": "other@example.com", "password": "whatever123"}, Headers: map[string]string{"X-Forwarded-For": "203.0.113.66"}})
	})
}

func TestTwentyWrongPasswordsFromChangingAddressesSlowTheAccountWithoutLockingIt(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		rec := &sleeps{}
		e := apitest.New(t, db, behindProxy(rec))
		e.Setup("Ningbo Export", "li@example.com")
		run := func(email string) (bodies []string, delays []time.Duration) {
			for i := 0; i < 20; i++ {
				res := login(e, fmt.Sprintf("203.0.113.%d", i+1), email, fmt.Sprintf("guess number %d", i))
				if res.Status != http.StatusUnauthorized {
					t.Fatalf("%s attempt %d from a new address: status %d, want 401 (slowed, never locked): %s", email, i, res.Status, res.Body)
				}
				m := res.Map(t)["error"].(map[string]any)
				bodies = append(bodies, m["code"].(string)+"|"+m["message"].(string))
			}
			return bodies, rec.take()
		}
		realBodies, realDelays := run("li@example.com")
		if len(realDelays) != 10 || realDelays[0] != 250*time.Millisecond || realDelays[2] != time.Second || realDelays[9] != 5*time.Second {
			t.Fatalf("delays %v: want none for ten failures, then 250ms doubling up to 5s", realDelays)
		}
		// An unknown e-mail is answered and slowed exactly the same way: the limits reveal nothing.
		ghostBodies, ghostDelays := run("ghost@example.com")
		if fmt.Sprint(realBodies) != fmt.Sprint(ghostBodies) || fmt.Sprint(realDelays) != fmt.Sprint(ghostDelays) {
			t.Fatalf("unknown and real accounts differ:\n%v %v\n%v %v", realBodies, realDelays, ghostBodies, ghostDelays)
		}
		// The right password from a fresh address waits its turn and signs in.
		e.Expect(http.StatusOK, apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
			Body: map[string]string{"email": "li@example.com", "password": apitest.Password}, Headers: map[string]string{"X-Forwarded-For": "198.51.100.200"}})
		if d := rec.take(); len(d) != 1 || d[0] != 5*time.Second {
			t.Fatalf("the right password after twenty failures waited %v, want 5s", d)
		}
		// Once the window ends the account is not slowed any more.
		e.Clock.Advance(16 * time.Minute)
		e.Login("li@example.com", apitest.Password)
		if d := rec.take(); len(d) != 0 {
			t.Fatalf("delays after the window: %v", d)
		}
	})
}

func TestAPIKeyActsWithAtMostItsCreatorsCurrentRole(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		admin := e.AddUser(owner, "admin@example.com", "admin")
		newKey := func(role string) string {
			var k auth.CreatedAPIKey
			e.Expect(http.StatusCreated, apitest.Request{Method: "POST", Path: "/api/v1/api-keys", Token: admin.Token,
				Body: map[string]string{"name": role + " script", "role": role}}).JSON(t, &k)
			return k.Key
		}
		financeKey, managerKey := newKey("finance"), newKey("manager")
		setAdminRole := func(role string) {
			e.Expect(http.StatusOK, apitest.Request{Method: "PATCH", Path: "/api/v1/users/" + admin.UserID, Token: owner.Token,
				Body: map[string]string{"role": role}})
		}
		keyRole := func(key string) string {
			var me auth.MeResponse
			e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/me", APIKey: key}).JSON(t, &me)
			return me.Role
		}
		audit := func(key string) int {
			return e.Do(apitest.Request{Method: "GET", Path: "/api/v1/audit-log", APIKey: key}).Status
		}

		// rank: a key keeps its role while its creator may do all it may; takes the creator's role when
		// that is smaller; and is read-only (viewer) when neither covers the other.
		steps := []struct {
			creatorRole          string
			finance, manager     string
			financeAuditReadable int
		}{
			{"admin", "finance", "manager", 200},
			{"manager", "viewer", "manager", 403}, // finance ∩ manager = read only
			{"finance", "finance", "viewer", 200},
			{"viewer", "viewer", "viewer", 403},
			{"owner", "finance", "manager", 200}, // regaining the role gives it back
		}
		for _, s := range steps {
			setAdminRole(s.creatorRole)
			if got := keyRole(financeKey); got != s.finance {
				t.Errorf("creator now %s: finance key acts as %q, want %s", s.creatorRole, got, s.finance)
			}
			if got := keyRole(managerKey); got != s.manager {
				t.Errorf("creator now %s: manager key acts as %q, want %s", s.creatorRole, got, s.manager)
			}
			if got := audit(financeKey); got != s.financeAuditReadable {
				t.Errorf("creator now %s: finance key reads the audit log: %d, want %d", s.creatorRole, got, s.financeAuditReadable)
			}
		}

		// A disabled creator's keys stop at once.
		e.Expect(http.StatusOK, apitest.Request{Method: "PATCH", Path: "/api/v1/users/" + admin.UserID, Token: owner.Token,
			Body: map[string]string{"status": "disabled"}})
		for _, key := range []string{financeKey, managerKey} {
			res := e.Expect(http.StatusUnauthorized, apitest.Request{Method: "GET", Path: "/api/v1/creators", APIKey: key})
			if code := res.ErrorCode(t); code != "invalid_api_key" {
				t.Fatalf("key of a disabled creator: code %s", code)
			}
		}
	})
}

func TestMeListsTheCallersCapabilities(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		want := map[string][]string{
			"owner":   {"api_keys:manage", "audit:read", "creators:write", "data:read", "finance:approve", "owners:manage", "payouts:manage", "periods:close", "reports:read", "settings:manage", "users:manage"},
			"finance": {"audit:read", "data:read", "finance:approve", "payouts:manage", "periods:close", "reports:read"},
			"manager": {"creators:write", "data:read"},
			"viewer":  {"data:read"},
		}
		tokens := map[string]string{"owner": owner.Token}
		for _, r := range []string{"finance", "manager", "viewer"} {
			tokens[r] = e.AddUser(owner, r+"@example.com", actor.Role(r)).Token
		}
		for role, tok := range tokens {
			var me auth.MeResponse
			e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: tok}).JSON(t, &me)
			if !sort.StringsAreSorted(me.Capabilities) || fmt.Sprint(me.Capabilities) != fmt.Sprint(want[role]) {
				t.Errorf("%s: capabilities %v, want %v", role, me.Capabilities, want[role])
			}
		}
	})
}

func TestShortAndCommonPasswordsAreRefused(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		cases := []struct{ pw, code string }{
			{"12345678", "password_too_short"},
			{"password", "password_too_short"},
			{"123456789", "password_too_short"},
			{"1234567890", "password_common"},
			{"password123", "password_common"},
			{"QwertyUIOP", "password_common"}, // case does not matter
			{"  iloveyou123  ", "password_common"},
			{"          ", "password_common"},
			{"tidal lantern 42", ""},
		}
		for i, c := range cases {
			res := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/users", Token: owner.Token,
				Body: map[string]string{"email": fmt.Sprintf("u%d@example.com", i), "name": "U", "role": "viewer", "password": c.pw}})
			if c.code == "" {
				if res.Status != http.StatusCreated {
					t.Errorf("%q: status %d: %s", c.pw, res.Status, res.Body)
				}
				continue
			}
			if res.Status != http.StatusUnprocessableEntity || res.ErrorCode(t) != c.code || fieldCode(t, res, "password") != c.code {
				t.Errorf("%q: %d %s, want 422 %s under password", c.pw, res.Status, res.Body, c.code)
			}
		}
		// Among other problems the password keeps its code.
		res := e.Expect(http.StatusUnprocessableEntity, apitest.Request{Method: "POST", Path: "/api/v1/users", Token: owner.Token,
			Body: map[string]string{"email": "nope", "name": "U", "role": "viewer", "password": "password"}})
		if res.ErrorCode(t) != "validation_failed" || fieldCode(t, res, "password") != "password_too_short" {
			t.Errorf("several problems: %s", res.Body)
		}
		// The same rules for a new password, under new_password.
		res = e.Expect(http.StatusUnprocessableEntity, apitest.Request{Method: "POST", Path: "/api/v1/me/password", Token: owner.Token,
			Body: map[string]string{"current_password": apitest.Password, "new_password": "1234567890"}})
		if fieldCode(t, res, "new_password") != "password_common" {
			t.Errorf("change to a common password: %s", res.Body)
		}
		// And at setup (the first owner).
		e2 := apitest.New(t, storetest.SQLite(t))
		res = e2.Expect(http.StatusUnprocessableEntity, apitest.Request{Method: "POST", Path: "/api/v1/setup", Body: map[string]string{
			"org_name": "X", "base_currency": "CNY", "timezone": "Asia/Shanghai", "name": "O", "email": "o@example.com", "password": "12345678"}})
		if res.ErrorCode(t) != "password_too_short" {
			t.Errorf("setup with 12345678: %s", res.Body)
		}
	})
}

func TestMinimumPasswordLengthIsASetting(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t), func(_ *config.Config, o *auth.Options) { o.MinPasswordLength = 8 })
	owner := e.Setup("Ningbo Export", "li@example.com")
	for i, c := range []struct{ pw, code string }{{"12345678", "password_common"}, {"Password", "password_common"}, {"1234567", "password_too_short"}, {"tidal42!", ""}} {
		pw, code := c.pw, c.code
		res := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/users", Token: owner.Token,
			Body: map[string]string{"email": fmt.Sprintf("u%d@example.com", i), "name": "U", "role": "viewer", "password": pw}})
		switch {
		case code == "" && res.Status != http.StatusCreated:
			t.Errorf("%q: status %d: %s", pw, res.Status, res.Body)
		case code != "" && (res.Status != http.StatusUnprocessableEntity || fieldCode(t, res, "password") != code):
			t.Errorf("%q: %d %s, want %s", pw, res.Status, res.Body, code)
		}
	}
}

func fieldCode(t *testing.T, res *apitest.Response, field string) string {
	t.Helper()
	var body struct {
		Error struct {
			FieldCodes map[string]string `json:"field_codes"`
		} `json:"error"`
	}
	res.JSON(t, &body)
	return body.Error.FieldCodes[field]
}

func TestAnEmailInAnotherOrganizationRevealsNothing(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		a := e.Setup("Ningbo Export", "li@example.com")
		b := e.NewOrg("Yiwu Goods", "wang@example.com")
		c := e.NewOrg("Shenzhen Gadgets", "chen@example.com")
		add := func(owner apitest.User, email, password string) *apitest.Response {
			return e.Do(apitest.Request{Method: "POST", Path: "/api/v1/users", Token: owner.Token,
				Body: map[string]string{"email": email, "name": "Bookkeeper", "role": "finance", "password": password}})
		}
		shared := "ledger and abacus"
		if res := add(a, "zhao@example.com", shared); res.Status != http.StatusCreated {
			t.Fatalf("first: %d %s", res.Status, res.Body)
		}
		// Another organization adds the same address: nothing tells it the address is known elsewhere.
		if res := add(b, "ZHAO@example.com", shared); res.Status != http.StatusCreated {
			t.Fatalf("the same e-mail in another organization: %d %s, want 201", res.Status, res.Body)
		}
		if res := add(c, "zhao@example.com", "a different secret"); res.Status != http.StatusCreated {
			t.Fatalf("third organization: %d %s", res.Status, res.Body)
		}
		// Twice in one organization is still a conflict.
		if res := add(a, "zhao@example.com", "whatever else 1"); res.Status != http.StatusConflict || res.ErrorCode(t) != "email_taken" {
			t.Fatalf("the same e-mail twice in one organization: %d %s", res.Status, res.Body)
		}

		// The password that opens A and B: choose, offered only those two.
		res := e.Expect(http.StatusConflict, apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
			Body: map[string]string{"email": "zhao@example.com", "password": shared}})
		var choice struct {
			Error struct {
				Code    string           `json:"code"`
				Details []auth.OrgChoice `json:"details"`
			} `json:"error"`
		}
		res.JSON(t, &choice)
		res.ErrorCode(t)
		got := map[string]string{}
		for _, o := range choice.Error.Details {
			got[o.OrgID] = o.OrgName
		}
		if choice.Error.Code != "choose_organization" || len(got) != 2 || got[a.OrgID] != "Ningbo Export" || got[b.OrgID] != "Yiwu Goods" {
			t.Fatalf("choose_organization must list A and B only: %s", res.Body)
		}
		if res.Cookie(auth.RefreshCookie) != nil {
			t.Fatal("no session before an organization is chosen")
		}
		for _, org := range []apitest.User{a, b} {
			var tok auth.TokenResponse
			e.Expect(http.StatusOK, apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
				Body: map[string]string{"email": "zhao@example.com", "password": shared, "org_id": org.OrgID}}).JSON(t, &tok)
			var me auth.MeResponse
			e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: tok.AccessToken}).JSON(t, &me)
			if me.Org.ID != org.OrgID {
				t.Fatalf("signed in to %s, want %s", me.Org.ID, org.OrgID)
			}
		}
		// Choosing an organization the password does not open is a wrong password.
		wrongOrg := e.Expect(http.StatusUnauthorized, apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
			Body: map[string]string{"email": "zhao@example.com", "password": shared, "org_id": c.OrgID}})
		// A password that opens one organization signs straight in.
		var tok auth.TokenResponse
		e.Expect(http.StatusOK, apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
			Body: map[string]string{"email": "zhao@example.com", "password": "a different secret"}}).JSON(t, &tok)
		var me auth.MeResponse
		e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: tok.AccessToken}).JSON(t, &me)
		if me.Org.ID != c.OrgID {
			t.Fatalf("signed in to %s, want C", me.Org.ID)
		}
		// A wrong password and an unknown e-mail: the same 401.
		wrong := e.Expect(http.StatusUnauthorized, apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
			Body: map[string]string{"email": "zhao@example.com", "password": "not any of them"}})
		unknown := e.Expect(http.StatusUnauthorized, apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
			Body: map[string]string{"email": "nobody@example.com", "password": "not any of them"}})
		for _, r := range []*apitest.Response{wrongOrg, wrong, unknown} {
			if r.ErrorCode(t) != "invalid_credentials" {
				t.Fatalf("want invalid_credentials: %s", r.Body)
			}
		}
	})
}

func TestHSTSOnlyWhenThePublicURLIsHTTPS(t *testing.T) {
	db := storetest.SQLite(t)
	// From a private address, which echo trusts to say X-Forwarded-Proto, as a proxy in front would.
	hsts := func(e *apitest.Env) string {
		req := httptest.NewRequest("GET", "/healthz", nil)
		req.RemoteAddr = "10.0.0.2:40000"
		req.Header.Set("X-Forwarded-Proto", "https")
		rec := httptest.NewRecorder()
		e.Server.Echo.ServeHTTP(rec, req)
		return rec.Header().Get("Strict-Transport-Security")
	}
	if h := hsts(apitest.New(t, db)); h != "" {
		t.Fatalf("an http deployment sent HSTS because a request said X-Forwarded-Proto: https: %q", h)
	}
	secure := apitest.New(t, db, func(c *config.Config, _ *auth.Options) { c.PublicURL = "https://crm.example.com" })
	if h := hsts(secure); !strings.HasPrefix(h, "max-age=31536000") {
		t.Fatalf("an https deployment behind a proxy: HSTS %q", h)
	}
}

var requestIDShape = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

func TestControlCharacterInRequestIDIsReplaced(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	forged := "abc\x01def"

	// Straight into the handler (as a proxy speaking HTTP/2 or a test might): the id is replaced, and
	// an error still comes in the contract's shape, with the new id.
	for _, path := range []string{"/healthz", "/api/v1/no-such-route", "/api/v1/me"} {
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = "192.0.2.10:40000"
		req.Header["X-Request-Id"] = []string{forged}
		rec := httptest.NewRecorder()
		e.Server.Echo.ServeHTTP(rec, req)
		id := rec.Header().Get("X-Request-Id")
		if !requestIDShape.MatchString(id) {
			t.Fatalf("%s: X-Request-Id %q was not replaced", path, id)
		}
		if rec.Code >= 400 {
			res := &apitest.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
			var body httpapi.ErrorBody
			res.JSON(t, &body)
			if res.ErrorCode(t) == "" || body.Error.RequestID != id {
				t.Fatalf("%s: error body %s, want request_id %s", path, rec.Body, id)
			}
		}
	}

	// Over a real connection Go's HTTP server refuses the header before any handler runs: a bare 400
	// that echoes nothing back, and nothing reaches the log.
	srv := httptest.NewServer(e.Server.Echo)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: %s\r\nConnection: close\r\n\r\n", forged)
	raw, _ := io.ReadAll(bufio.NewReader(conn))
	if !strings.HasPrefix(string(raw), "HTTP/1.1 400 ") || strings.Contains(string(raw), "\x01") {
		t.Fatalf("raw request with a control character: %q", raw)
	}
	if strings.Contains(e.Log.String(), "\x01") {
		t.Fatal("the control character reached the log")
	}
}
