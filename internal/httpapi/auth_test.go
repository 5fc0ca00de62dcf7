package httpapi_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/auth"
	"github.com/caravan-crm/caravan/internal/config"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// signingKey reads the key currently signing access tokens.
func signingKey(t *testing.T, db *bun.DB) (kid string, secret []byte) {
	t.Helper()
	var row struct {
		ID     string `bun:"id"`
		Secret []byte `bun:"secret"`
	}
	if err := db.NewRaw("SELECT id, secret FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1").Scan(context.Background(), &row); err != nil {
		t.Fatal(err)
	}
	return row.ID, row.Secret
}

func TestForgedAccessTokensAreRejected(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		kid, secret := signingKey(t, db)

		parts := strings.Split(owner.Token, ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		now := e.Clock.Now()
		claims := func(mut func(jwt.MapClaims)) jwt.MapClaims {
			c := jwt.MapClaims{}
			if _, _, err := jwt.NewParser().ParseUnverified(owner.Token, c); err != nil {
				t.Fatal(err)
			}
			m := jwt.MapClaims{}
			for k, v := range c {
				m[k] = v
			}
			m["exp"] = now.Add(10 * time.Minute).Unix()
			m["iat"] = now.Unix()
			mut(m)
			return m
		}
		sign := func(method jwt.SigningMethod, key any, c jwt.MapClaims, kidValue string) string {
			tok := jwt.NewWithClaims(method, c)
			if kidValue != "" {
				tok.Header["kid"] = kidValue
			}
			s, err := tok.SignedString(key)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
		same := func(jwt.MapClaims) {}

		// Sanity: a token we build with the real key and claims is accepted, so each rejection
		// below is due to the one thing changed.
		good := sign(jwt.SigningMethodHS256, secret, claims(same), kid)
		e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: good})

		cases := map[string]string{
			"alg none":             sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(same), kid),
			"HS256 with wrong key": sign(jwt.SigningMethodHS256, []byte("not our key at all, 32 bytes...."), claims(same), kid),
			"RS256 header":         sign(jwt.SigningMethodRS256, rsaKey, claims(same), kid),
			"HS512":                sign(jwt.SigningMethodHS512, secret, claims(same), kid),
			"no exp":               sign(jwt.SigningMethodHS256, secret, claims(func(m jwt.MapClaims) { delete(m, "exp") }), kid),
			"expired":              sign(jwt.SigningMethodHS256, secret, claims(func(m jwt.MapClaims) { m["exp"] = now.Add(-2 * time.Minute).Unix() }), kid),
			"wrong issuer":         sign(jwt.SigningMethodHS256, secret, claims(func(m jwt.MapClaims) { m["iss"] = "https://evil.example" }), kid),
			"wrong audience":       sign(jwt.SigningMethodHS256, secret, claims(func(m jwt.MapClaims) { m["aud"] = []string{"other-api"} }), kid),
			"no audience":          sign(jwt.SigningMethodHS256, secret, claims(func(m jwt.MapClaims) { delete(m, "aud") }), kid),
			"issued in the future": sign(jwt.SigningMethodHS256, secret, claims(func(m jwt.MapClaims) { m["iat"] = now.Add(time.Hour).Unix() }), kid),
			"kid path traversal":   sign(jwt.SigningMethodHS256, secret, claims(same), "../../etc/passwd"),
			"kid SQL":              sign(jwt.SigningMethodHS256, secret, claims(same), "' OR 1=1 --"),
			"unknown kid":          sign(jwt.SigningMethodHS256, secret, claims(same), "01a20d7c-0000-7000-8000-000000000000"),
			"no kid":               sign(jwt.SigningMethodHS256, secret, claims(same), ""),
			"tampered payload": parts[0] + "." + base64.RawURLEncoding.EncodeToString(
				[]byte(strings.Replace(string(payload), `"sub":"`, `"sub":"x`, 1))) + "." + parts[2],
			"another org in claims": sign(jwt.SigningMethodHS256, secret, claims(func(m jwt.MapClaims) { m["org"] = "01a20d7c-0000-7000-8000-000000000001" }), kid),
			"garbage":               "not.a.jwt",
			"megabyte of dots":      strings.Repeat(".", 1<<20-100),
		}
		for name, tok := range cases {
			start := time.Now()
			res := e.Do(apitest.Request{Method: "GET", Path: "/api/v1/me", Token: tok})
			if res.Status != http.StatusUnauthorized {
				t.Errorf("%s: status %d, want 401: %s", name, res.Status, res.Body)
				continue
			}
			res.ErrorCode(t)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("%s: took %s", name, d)
			}
		}
		for _, auth := range []string{"Basic dXNlcjpwYXNz", "Bearer", "bearer " + owner.Token, owner.Token} {
			res := e.Do(apitest.Request{Method: "GET", Path: "/api/v1/me", Headers: map[string]string{"Authorization": auth}})
			if res.Status != http.StatusUnauthorized {
				t.Errorf("Authorization %.20q: status %d, want 401", auth, res.Status)
			}
		}
	})
}

func TestAccessTokenExpiresAfterItsLifetime(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	owner := e.Setup("Ningbo Export", "li@example.com")
	e.Clock.Advance(e.Config.AccessTTL - time.Second)
	e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: owner.Token})
	e.Clock.Advance(2 * time.Minute) // past the 30 s leeway
	e.Expect(http.StatusUnauthorized, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: owner.Token})
}

func TestUnknownEmailAndWrongPasswordGetTheSameAnswer(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		e.Setup("Ningbo Export", "li@example.com")
		wrong := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": "li@example.com", "password": "not the password"}})
		unknown := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": "nobody@example.com", "password": "not the password"}})
		if wrong.Status != 401 || unknown.Status != 401 {
			t.Fatalf("statuses %d and %d, want 401", wrong.Status, unknown.Status)
		}
		strip := func(r *apitest.Response) string {
			m := r.Map(t)["error"].(map[string]any)
			delete(m, "request_id")
			return strings.TrimSpace(strings.Join([]string{m["code"].(string), m["message"].(string)}, "|"))
		}
		if strip(wrong) != strip(unknown) {
			t.Fatalf("answers differ: %s vs %s", wrong.Body, unknown.Body)
		}
		if wrong.Cookie(auth.RefreshCookie) != nil {
			t.Fatal("a failed login must not set a session cookie")
		}
		// Case and spaces in the e-mail do not matter.
		e.Login("  LI@Example.com ", apitest.Password)
	})
}

func TestLoginRateLimitPerAccountIgnoresForwardedFor(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		e.Setup("Ningbo Export", "li@example.com")
		var limited *apitest.Response
		for i := 0; i < 20; i++ {
			res := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
				Body:    map[string]string{"email": "li@example.com", "password": "guess number " + string(rune('a'+i))},
				Headers: map[string]string{"X-Forwarded-For": "203.0.113." + string(rune('1'+i%9)), "X-Real-Ip": "198.51.100.7"}})
			if res.Status == http.StatusTooManyRequests {
				limited = res
				break
			}
			if res.Status != http.StatusUnauthorized {
				t.Fatalf("attempt %d: status %d", i, res.Status)
			}
		}
		if limited == nil {
			t.Fatal("twenty wrong passwords were never rate limited")
		}
		if limited.Header.Get("Retry-After") == "" || limited.ErrorCode(t) != "rate_limited" {
			t.Fatalf("429 without Retry-After or with the wrong code: %v %s", limited.Header, limited.Body)
		}
		// From this address even the right password waits until the window ends (other addresses do
		// not: TestWrongPasswordsFromOneAddressDoNotLockTheOwnerOut).
		e.Expect(http.StatusTooManyRequests, apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
			Body: map[string]string{"email": "li@example.com", "password": apitest.Password}})
		// An unknown e-mail is limited the same way, so the limit reveals nothing.
		for i := 0; i < 11; i++ {
			e.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": "ghost@example.com", "password": "whatever123"}})
		}
		e.Expect(http.StatusTooManyRequests, apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
			Body: map[string]string{"email": "ghost@example.com", "password": "whatever123"}})
		e.Clock.Advance(16 * time.Minute)
		e.Login("li@example.com", apitest.Password)
	})
}

func TestLoginRateLimitPerIPCannotBeDodgedWithForwardedFor(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db, func(_ *config.Config, o *auth.Options) { o.LoginPerIP = 5 })
		e.Setup("Ningbo Export", "li@example.com")
		statuses := []int{}
		for i := 0; i < 7; i++ {
			res := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
				Body:    map[string]string{"email": "user" + string(rune('a'+i)) + "@example.com", "password": "whatever123"},
				Headers: map[string]string{"X-Forwarded-For": "203.0.113." + string(rune('1'+i))}})
			statuses = append(statuses, res.Status)
		}
		if statuses[4] != 401 || statuses[5] != 429 || statuses[6] != 429 {
			t.Fatalf("statuses %v: want 401 for five attempts from one peer, then 429 whatever X-Forwarded-For says", statuses)
		}
	})
}

func TestTrustedProxyForwardedForIsUsed(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t), func(c *config.Config, o *auth.Options) {
		c.TrustedProxies, _ = parsePrefixes("192.0.2.0/24")
		o.LoginPerIP = 2
	})
	e.Setup("Ningbo Export", "li@example.com")
	// Behind our proxy (the test peer is 192.0.2.10), each client address has its own budget.
	for i := 0; i < 4; i++ {
		res := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
			Body:    map[string]string{"email": "x" + string(rune('a'+i)) + "@example.com", "password": "whatever123"},
			Headers: map[string]string{"X-Forwarded-For": "203.0.113." + string(rune('1'+i))}})
		if res.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d from its own client IP: status %d, want 401", i, res.Status)
		}
	}
}

func TestRefreshRotatesAndReuseRevokesTheFamily(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		csrf := map[string]string{"X-Requested-With": "caravan"}

		// Without the CSRF header the cookie alone does nothing.
		e.Expect(http.StatusForbidden, apitest.Request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{owner.Refresh}})

		first := e.Expect(http.StatusOK, apitest.Request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{owner.Refresh}, Headers: csrf})
		rotated := first.Cookie(auth.RefreshCookie)
		if rotated == nil || rotated.Value == owner.Refresh.Value {
			t.Fatal("refresh must rotate the refresh token")
		}
		var tok auth.TokenResponse
		first.JSON(t, &tok)
		e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: tok.AccessToken})

		// Replayed at once, it is a race between two tabs: refused, the cookie kept, nothing revoked.
		race := e.Expect(http.StatusUnauthorized, apitest.Request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{owner.Refresh}, Headers: csrf})
		if race.ErrorCode(t) != "refresh_in_progress" || race.Cookie(auth.RefreshCookie) != nil {
			t.Fatalf("a replay within seconds must be a retryable race that keeps the cookie: %s %v", race.Body, race.Cookies)
		}
		e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: tok.AccessToken})

		// Replayed later, it is theft: refused, and the whole family is revoked, rotated token and access token too.
		e.Clock.Advance(11 * time.Second)
		e.Expect(http.StatusUnauthorized, apitest.Request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{owner.Refresh}, Headers: csrf})
		e.Expect(http.StatusUnauthorized, apitest.Request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{rotated}, Headers: csrf})
		e.Expect(http.StatusUnauthorized, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: tok.AccessToken})

		// The reuse is in the audit log, for another owner session to see.
		again := e.Login("li@example.com", apitest.Password)
		log := e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/audit-log?action=session.refresh_reused", Token: again.Token}).Map(t)
		if log["total"].(float64) != 1 {
			t.Fatalf("audit log: %v", log)
		}
	})
}

func TestConcurrentRefreshWithOneTokenSucceedsOnce(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		var wg sync.WaitGroup
		statuses := make([]int, 8)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = e.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{owner.Refresh},
					Headers: map[string]string{"X-Requested-With": "caravan"}}).Status
			}()
		}
		wg.Wait()
		ok := 0
		for _, s := range statuses {
			switch s {
			case 200:
				ok++
			case 401:
			default:
				t.Fatalf("status %d in %v", s, statuses)
			}
		}
		if ok != 1 {
			t.Fatalf("one refresh token was exchanged %d times: %v", ok, statuses)
		}
		// Tabs racing is not theft: the session lives on.
		e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: owner.Token})
	})
}

func TestLogoutEndsTheSession(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		csrf := map[string]string{"X-Requested-With": "caravan"}
		res := e.Expect(http.StatusNoContent, apitest.Request{Method: "POST", Path: "/api/v1/auth/logout", Cookies: []*http.Cookie{owner.Refresh}, Headers: csrf})
		if c := res.Cookie(auth.RefreshCookie); c == nil || c.MaxAge >= 0 {
			t.Fatal("logout must clear the refresh cookie")
		}
		e.Expect(http.StatusUnauthorized, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: owner.Token})
		e.Expect(http.StatusUnauthorized, apitest.Request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{owner.Refresh}, Headers: csrf})
		// Logging out twice, or with no cookie, is harmless.
		e.Expect(http.StatusNoContent, apitest.Request{Method: "POST", Path: "/api/v1/auth/logout", Cookies: []*http.Cookie{owner.Refresh}, Headers: csrf})
		e.Expect(http.StatusNoContent, apitest.Request{Method: "POST", Path: "/api/v1/auth/logout", Headers: csrf})
	})
}

func TestPasswordChangeEndsEveryOtherSession(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		laptop := e.Login("li@example.com", apitest.Password)

		e.Expect(http.StatusUnprocessableEntity, apitest.Request{Method: "POST", Path: "/api/v1/me/password", Token: owner.Token,
			Body: map[string]string{"current_password": "wrong one", "new_password": "a new long password"}})
		e.Expect(http.StatusUnprocessableEntity, apitest.Request{Method: "POST", Path: "/api/v1/me/password", Token: owner.Token,
			Body: map[string]string{"current_password": apitest.Password, "new_password": "short"}})
		res := e.Expect(http.StatusOK, apitest.Request{Method: "POST", Path: "/api/v1/me/password", Token: owner.Token,
			Body: map[string]string{"current_password": apitest.Password, "new_password": "a new long password"}})
		var tok auth.TokenResponse
		res.JSON(t, &tok)

		for _, old := range []string{owner.Token, laptop.Token} {
			e.Expect(http.StatusUnauthorized, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: old})
		}
		e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: tok.AccessToken})
		e.Expect(http.StatusUnauthorized, apitest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": "li@example.com", "password": apitest.Password}})
		e.Login("li@example.com", "a new long password")
	})
}

func TestPasswordsOfAnyShapeGetAClearAnswer(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	owner := e.Setup("Ningbo Export", "li@example.com")
	cases := map[string]int{
		"":                         422,
		"       ":                  422,
		"short":                    422,
		strings.Repeat("x", 1000):  422,
		"密码是长城长城长城长城":              201,
		"pässwörd with ümlauts 🐫🐫": 201,
		strings.Repeat("密", 256):   201,
	}
	i := 0
	for pw, want := range cases {
		i++
		res := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/users", Token: owner.Token,
			Body: map[string]string{"email": "u" + string(rune('a'+i)) + "@example.com", "name": "U", "role": "viewer", "password": pw}})
		if res.Status != want {
			t.Errorf("password of %d characters: status %d, want %d: %s", len([]rune(pw)), res.Status, want, res.Body)
			continue
		}
		if want == 201 {
			e.Login("u"+string(rune('a'+i))+"@example.com", pw)
		} else if f := res.Map(t)["error"].(map[string]any)["fields"].(map[string]any); f["password"] == nil {
			t.Errorf("no field error for the password: %s", res.Body)
		}
	}
	// A megabyte password at login is refused quickly, not hashed.
	start := time.Now()
	e.Expect(http.StatusUnauthorized, apitest.Request{Method: "POST", Path: "/api/v1/auth/login",
		Body: map[string]string{"email": "li@example.com", "password": strings.Repeat("p", 1<<20)}})
	if time.Since(start) > 2*time.Second {
		t.Fatal("a huge password took too long")
	}
}

func TestSigningKeyRotationKeepsIssuedTokensValid(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		oldKid, _ := signingKey(t, db)
		if err := e.Auth.RotateSigningKey(context.Background()); err != nil {
			t.Fatal(err)
		}
		newKid, _ := signingKey(t, db)
		if newKid == oldKid {
			t.Fatal("rotation did not create a key")
		}
		e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: owner.Token})
		fresh := e.Login("li@example.com", apitest.Password)
		var hdr struct {
			Kid string `json:"kid"`
		}
		raw, _ := base64.RawURLEncoding.DecodeString(strings.Split(fresh.Token, ".")[0])
		jsonUnmarshal(t, raw, &hdr)
		if hdr.Kid != newKid {
			t.Fatalf("new tokens signed by %s, want the new key %s", hdr.Kid, newKid)
		}
		// A second replica (a new service on the same database) verifies both without any manual step.
		other := apitest.New(t, db)
		other.Clock.Set(e.Clock.Now())
		other.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: fresh.Token})
		other.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: owner.Token})
	})
}
