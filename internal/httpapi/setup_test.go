package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

func TestSetupOnlyWhileNoUserExists(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		var st struct {
			SetupRequired bool `json:"setup_required"`
		}
		e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/setup"}).JSON(t, &st)
		if !st.SetupRequired {
			t.Fatal("a fresh database must ask for setup")
		}
		owner := e.Setup("Ningbo Export", "li@example.com")
		if owner.Token == "" || owner.Refresh == nil || !owner.Refresh.HttpOnly || owner.Refresh.Path != "/api/v1/auth" ||
			owner.Refresh.SameSite != http.SameSiteStrictMode {
			t.Fatalf("setup must sign the owner in with an HttpOnly, SameSite=Strict refresh cookie on /api/v1/auth: %+v", owner.Refresh)
		}
		res := e.Expect(http.StatusConflict, apitest.Request{Method: "POST", Path: "/api/v1/setup", Body: map[string]string{
			"org_name": "Intruder", "base_currency": "USD", "timezone": "UTC", "name": "X", "email": "x@example.com", "password": "long enough pw"}})
		if code := res.ErrorCode(t); code != "setup_done" {
			t.Fatalf("code %q, want setup_done", code)
		}
		e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/setup"}).JSON(t, &st)
		if st.SetupRequired {
			t.Fatal("setup must be closed once a user exists")
		}
		me := e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/me", Token: owner.Token}).Map(t)
		if me["org"].(map[string]any)["name"] != "Ningbo Export" || me["user"].(map[string]any)["role"] != "owner" {
			t.Fatalf("me = %v", me)
		}
	})
}
