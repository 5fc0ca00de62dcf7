// Package apitest drives the real HTTP router over a real database, for scenario tests of every
// domain package: set up organizations, sign in, send requests, and check that another
// organization's objects are invisible (404) to a second organization.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/app"
	"github.com/caravan-crm/caravan/internal/auth"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/config"
	"github.com/caravan-crm/caravan/internal/httpapi"
)

// FastArgon2 keeps tests quick; production uses auth.DefaultArgon2.
var FastArgon2 = auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}

// Env is a server on a database, with a controllable clock.
type Env struct {
	T      testing.TB
	DB     *bun.DB
	Clock  *clock.Manual
	Auth   *auth.Service
	Deps   httpapi.Deps // the domain services behind the server
	Server *httpapi.Server
	Config config.Config
	Log    *SafeBuffer // everything the server logged
}

// Option changes the environment before the server is built.
type Option func(*config.Config, *auth.Options)

// New builds the real router on db (already migrated).
func New(t testing.TB, db *bun.DB, opts ...Option) *Env {
	t.Helper()
	cfg := config.Defaults()
	clk := clock.NewManual(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	ao := auth.Options{Clock: clk, Issuer: cfg.PublicURL, Argon2: FastArgon2, AccessTTL: cfg.AccessTTL, RefreshTTL: cfg.RefreshTTL}
	for _, o := range opts {
		o(&cfg, &ao)
	}
	ao.Issuer = cfg.PublicURL
	svc := auth.NewService(db, ao)
	if err := svc.Start(context.Background()); err != nil {
		t.Fatalf("apitest: start auth: %v", err)
	}
	logs := &SafeBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	deps := app.NewDeps(cfg, log, db, svc, clk)
	return &Env{T: t, DB: db, Clock: clk, Auth: svc, Deps: deps, Server: httpapi.New(deps), Config: cfg, Log: logs}
}

// Request is one HTTP call.
type Request struct {
	Method  string
	Path    string
	Body    any // marshalled to JSON unless it is a string or []byte
	Headers map[string]string
	Token   string // bearer access token
	APIKey  string
	Cookies []*http.Cookie
}

// Response is what came back.
type Response struct {
	Status  int
	Header  http.Header
	Body    []byte
	Cookies []*http.Cookie
}

// JSON decodes the body into v, failing the test if it is not JSON.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("response is not JSON (%v): %s", err, r.Body)
	}
}

// Map decodes the body as a JSON object.
func (r *Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// ErrorCode returns error.code of an error answer, failing if the shape is wrong.
func (r *Response) ErrorCode(t testing.TB) string {
	t.Helper()
	var e httpapi.ErrorBody
	r.JSON(t, &e)
	if e.Error.Code == "" || e.Error.Message == "" || e.Error.RequestID == "" {
		t.Fatalf("not the contract's error shape: %s", r.Body)
	}
	return e.Error.Code
}

// Cookie returns the named cookie set by the answer.
func (r *Response) Cookie(name string) *http.Cookie {
	for _, c := range r.Cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Do sends a request through the router.
func (e *Env) Do(r Request) *Response {
	e.T.Helper()
	var body io.Reader
	switch b := r.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	case io.Reader:
		body = b
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.T.Fatalf("apitest: marshal body: %v", err)
		}
		body = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(r.Method, r.Path, body)
	req.RemoteAddr = "192.0.2.10:40000"
	if r.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	if r.APIKey != "" {
		req.Header.Set("X-API-Key", r.APIKey)
	}
	for k, v := range r.Headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	for _, c := range r.Cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	e.Server.Echo.ServeHTTP(rec, req)
	res := rec.Result()
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.Header.Get("X-Request-Id") == "" {
		e.T.Errorf("%s %s: answer has no X-Request-Id", r.Method, r.Path)
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: raw, Cookies: res.Cookies()}
}

// Expect sends a request and fails the test unless the status matches.
func (e *Env) Expect(status int, r Request) *Response {
	e.T.Helper()
	res := e.Do(r)
	if res.Status != status {
		e.T.Fatalf("%s %s: status %d, want %d: %s", r.Method, r.Path, res.Status, status, res.Body)
	}
	return res
}

// User is a signed-in user of an organization.
type User struct {
	OrgID   string
	UserID  string
	Email   string
	Role    actor.Role
	Token   string
	Refresh *http.Cookie
}

// Password is the password of every user the helpers create.
const Password = "correct horse battery"

// Setup runs the first-run setup and returns its owner, signed in.
func (e *Env) Setup(orgName, email string) User {
	e.T.Helper()
	res := e.Expect(http.StatusCreated, Request{Method: http.MethodPost, Path: "/api/v1/setup", Body: map[string]string{
		"org_name": orgName, "base_currency": "CNY", "timezone": "Asia/Shanghai", "name": "Owner", "email": email, "password": Password,
	}})
	var out struct {
		Org         auth.Org  `json:"org"`
		User        auth.User `json:"user"`
		AccessToken string    `json:"access_token"`
	}
	res.JSON(e.T, &out)
	return User{OrgID: out.Org.ID, UserID: out.User.ID, Email: email, Role: actor.RoleOwner, Token: out.AccessToken, Refresh: res.Cookie(auth.RefreshCookie)}
}

// NewOrg creates another organization (as `caravan org create` does) and signs its owner in.
func (e *Env) NewOrg(orgName, email string) User {
	e.T.Helper()
	_, _, err := e.Auth.CreateOrg(context.Background(), auth.NewOrg{OrgName: orgName, BaseCurrency: "USD", Timezone: "America/New_York",
		Name: "Owner", Email: email, Password: Password})
	if err != nil {
		e.T.Fatalf("apitest: create org: %v", err)
	}
	return e.Login(email, Password)
}

// AddUser creates a user with role in owner's organization and signs them in.
func (e *Env) AddUser(owner User, email string, role actor.Role) User {
	e.T.Helper()
	e.Expect(http.StatusCreated, Request{Method: http.MethodPost, Path: "/api/v1/users", Token: owner.Token,
		Body: map[string]string{"email": email, "name": string(role) + " user", "role": string(role), "password": Password}})
	return e.Login(email, Password)
}

// Login signs in.
func (e *Env) Login(email, password string) User {
	e.T.Helper()
	res := e.Expect(http.StatusOK, Request{Method: http.MethodPost, Path: "/api/v1/auth/login",
		Body: map[string]string{"email": email, "password": password}})
	var out struct {
		AccessToken string    `json:"access_token"`
		User        auth.User `json:"user"`
	}
	res.JSON(e.T, &out)
	var me auth.MeResponse
	e.Expect(http.StatusOK, Request{Method: http.MethodGet, Path: "/api/v1/me", Token: out.AccessToken}).JSON(e.T, &me)
	return User{OrgID: me.Org.ID, UserID: out.User.ID, Email: email, Role: out.User.Role, Token: out.AccessToken,
		Refresh: res.Cookie(auth.RefreshCookie)}
}

// CrossOrgCase is a request that organization B must not be able to aim at organization A's data.
type CrossOrgCase struct {
	Method string
	Path   string // built from A's ids
	Body   any
}

// ExpectCrossOrgNotFound sends each request as outsider (a user of another organization with every
// right in it) and expects 404 in the contract's shape. Check afterwards that A's data is unchanged.
func (e *Env) ExpectCrossOrgNotFound(outsider User, cases []CrossOrgCase) {
	e.T.Helper()
	for _, c := range cases {
		res := e.Do(Request{Method: c.Method, Path: c.Path, Body: c.Body, Token: outsider.Token})
		if res.Status != http.StatusNotFound {
			e.T.Errorf("cross-organization %s %s: status %d, want 404: %s", c.Method, c.Path, res.Status, res.Body)
			continue
		}
		if code := res.ErrorCode(e.T); code != "not_found" {
			e.T.Errorf("cross-organization %s %s: code %q, want not_found", c.Method, c.Path, code)
		}
	}
}

// SafeBuffer collects logs written from concurrent requests.
type SafeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SafeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SafeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
