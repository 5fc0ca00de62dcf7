package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// The benchmarks below run through the whole router and middleware on SQLite. BenchmarkRouterBaseline
// (/healthz: no auth, no database) is the baseline the others are compared with in BENCHMARKS.md.

func benchGet(b *testing.B, e *apitest.Env, path string, hdr map[string]string) {
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.RemoteAddr = "192.0.2.10:40000"
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		e.Server.Echo.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

func benchEnv(b *testing.B) (*apitest.Env, apitest.User) {
	e := apitest.New(b, storetest.SQLite(b))
	owner := e.Setup("Bench Org", "bench@example.com")
	return e, owner
}

func BenchmarkRouterBaseline(b *testing.B) {
	e, _ := benchEnv(b)
	benchGet(b, e, "/healthz", nil)
}

// BenchmarkAuthenticatedRequest: JWT verification, the session and user lookup, GET /api/v1/me.
func BenchmarkAuthenticatedRequest(b *testing.B) {
	e, owner := benchEnv(b)
	benchGet(b, e, "/api/v1/me", map[string]string{"Authorization": "Bearer " + owner.Token})
}

// BenchmarkAPIKeyRequest: the same with an API key (hash lookup).
func BenchmarkAPIKeyRequest(b *testing.B) {
	e, owner := benchEnv(b)
	res := e.Expect(201, apitest.Request{Method: "POST", Path: "/api/v1/api-keys", Token: owner.Token, Body: map[string]string{"name": "bench"}})
	key := res.Map(b)["key"].(string)
	benchGet(b, e, "/api/v1/me", map[string]string{"X-API-Key": key})
}
