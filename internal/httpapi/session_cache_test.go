package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/auth"
	"github.com/caravan-crm/caravan/internal/config"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// Every test here first makes a request with the access token, so that the replica holds its session
// in the session cache, and then checks that the event ends or changes access on the very next
// request all the same.

var csrfHeader = map[string]string{"X-Requested-With": "caravan"}

func me(e *apitest.Env, token string, status int) *apitest.Response {
	e.T.Helper()
	return e.Expect(status, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: token})
}

func TestAfterLogoutTheCachedAccessTokenIsRefusedAtOnce(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		phone := e.Login("li@example.com", apitest.Password)
		me(e, owner.Token, http.StatusOK)
		me(e, phone.Token, http.StatusOK)

		e.Expect(http.StatusNoContent, apitest.Request{Method: "POST", Path: "/api/v1/auth/logout", Cookies: []*http.Cookie{owner.Refresh}, Headers: csrfHeader})
		me(e, owner.Token, http.StatusUnauthorized)
		e.Expect(http.StatusUnauthorized, apitest.Request{Method: "GET", Path: "/api/v1/creators", Token: owner.Token})
		// Only that session ended: the same user's other device goes on.
		me(e, phone.Token, http.StatusOK)
	})
}

func TestAfterAPasswordChangeEveryCachedOldSessionIsRefusedAtOnce(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		laptop := e.Login("li@example.com", apitest.Password)
		me(e, owner.Token, http.StatusOK)
		me(e, laptop.Token, http.StatusOK)

		var tok auth.TokenResponse
		e.Expect(http.StatusOK, apitest.Request{Method: "POST", Path: "/api/v1/me/password", Token: laptop.Token,
			Body: map[string]string{"current_password": apitest.Password, "new_password": "a new long password"}}).JSON(t, &tok)
		me(e, owner.Token, http.StatusUnauthorized)
		me(e, laptop.Token, http.StatusUnauthorized)
		me(e, tok.AccessToken, http.StatusOK)
	})
}

func TestADisabledUserIsRefusedAtOnceThoughTheirSessionIsCached(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		seller := e.AddUser(owner, "seller@example.com", actor.RoleManager)
		me(e, seller.Token, http.StatusOK)
		e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/creators", Token: seller.Token})

		e.Expect(http.StatusOK, apitest.Request{Method: "PATCH", Path: "/api/v1/users/" + seller.UserID, Token: owner.Token, Body: map[string]string{"status": "disabled"}})
		me(e, seller.Token, http.StatusUnauthorized)
		e.Expect(http.StatusUnauthorized, apitest.Request{Method: "POST", Path: "/api/v1/creators", Token: seller.Token,
			Body: map[string]any{"display_name": "Luna", "country": "US"}})
		// Enabling them again does not bring the ended session back.
		e.Expect(http.StatusOK, apitest.Request{Method: "PATCH", Path: "/api/v1/users/" + seller.UserID, Token: owner.Token, Body: map[string]string{"status": "active"}})
		me(e, seller.Token, http.StatusUnauthorized)
	})
}

func TestARoleChangeAndARenameApplyToTheNextRequestThoughTheSessionIsCached(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		seller := e.AddUser(owner, "seller@example.com", actor.RoleManager)
		e.Expect(http.StatusCreated, apitest.Request{Method: "POST", Path: "/api/v1/creators", Token: seller.Token,
			Body: map[string]any{"display_name": "Luna", "country": "US"}})

		e.Expect(http.StatusOK, apitest.Request{Method: "PATCH", Path: "/api/v1/users/" + seller.UserID, Token: owner.Token,
			Body: map[string]string{"role": "viewer", "name": "Wang Fang"}})
		e.Expect(http.StatusForbidden, apitest.Request{Method: "POST", Path: "/api/v1/creators", Token: seller.Token,
			Body: map[string]any{"display_name": "Mia", "country": "GB"}})
		var m auth.MeResponse
		me(e, seller.Token, http.StatusOK).JSON(t, &m)
		if m.Role != "viewer" || m.User.Role != actor.RoleViewer || m.User.Name != "Wang Fang" || len(m.Capabilities) != 1 {
			t.Fatalf("/me after the change: %+v %+v", m, m.User)
		}
	})
}

func TestAReusedRefreshTokenEndsTheCachedAccessTokenAtOnce(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		var tok auth.TokenResponse
		e.Expect(http.StatusOK, apitest.Request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{owner.Refresh}, Headers: csrfHeader}).JSON(t, &tok)
		e.Clock.Advance(11 * time.Second) // past the race window of two tabs
		me(e, tok.AccessToken, http.StatusOK)
		me(e, owner.Token, http.StatusOK)

		e.Expect(http.StatusUnauthorized, apitest.Request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{owner.Refresh}, Headers: csrfHeader})
		me(e, tok.AccessToken, http.StatusUnauthorized)
		me(e, owner.Token, http.StatusUnauthorized)
	})
}

// Replicas share one database and each keeps its own cache: a change made through one replica
// reaches the others within the cache's lifetime (auth.DefaultSessionCacheTTL), the documented bound.
func TestAnotherReplicaRefusesAnEndedSessionWithinTheCacheLifetime(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		a := apitest.New(t, db)
		owner := a.Setup("Ningbo Export", "li@example.com")
		seller := a.AddUser(owner, "seller@example.com", actor.RoleManager)
		b := apitest.New(t, db) // a second replica: the same database and signing keys, its own cache
		me(b, owner.Token, http.StatusOK)
		me(b, seller.Token, http.StatusOK)

		a.Expect(http.StatusNoContent, apitest.Request{Method: "POST", Path: "/api/v1/auth/logout", Cookies: []*http.Cookie{owner.Refresh}, Headers: csrfHeader})
		a.Expect(http.StatusOK, apitest.Request{Method: "PATCH", Path: "/api/v1/users/" + seller.UserID, Token: a.Login("li@example.com", apitest.Password).Token,
			Body: map[string]string{"status": "disabled"}})
		me(a, owner.Token, http.StatusUnauthorized)
		me(a, seller.Token, http.StatusUnauthorized)

		// Replica b answers from its cache until its entries are older than the lifetime (this is
		// what the cache saves: no database read), and not a moment longer.
		me(b, owner.Token, http.StatusOK)
		b.Clock.Advance(auth.DefaultSessionCacheTTL)
		me(b, owner.Token, http.StatusUnauthorized)
		me(b, seller.Token, http.StatusUnauthorized)
	})
}

// With the cache turned off (a negative lifetime) every request reads the session: a replica that
// must see another's changes at once can have that.
func TestWithoutTheSessionCacheAnotherReplicaRefusesAtOnce(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		a := apitest.New(t, db)
		owner := a.Setup("Ningbo Export", "li@example.com")
		b := apitest.New(t, db, func(_ *config.Config, o *auth.Options) { o.SessionCacheTTL = -1 })
		me(b, owner.Token, http.StatusOK)
		a.Expect(http.StatusNoContent, apitest.Request{Method: "POST", Path: "/api/v1/auth/logout", Cookies: []*http.Cookie{owner.Refresh}, Headers: csrfHeader})
		me(b, owner.Token, http.StatusUnauthorized)
	})
}

// A remembered token is still refused the moment it expires, however long the cache would keep it.
func TestACachedAccessTokenIsRefusedOnceItExpires(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t), func(_ *config.Config, o *auth.Options) { o.SessionCacheTTL = 24 * time.Hour })
	owner := e.Setup("Ningbo Export", "li@example.com")
	e.Clock.Advance(e.Config.AccessTTL - time.Second)
	me(e, owner.Token, http.StatusOK)
	e.Clock.Advance(31 * time.Second) // just past the 30 s leeway
	me(e, owner.Token, http.StatusUnauthorized)
}
