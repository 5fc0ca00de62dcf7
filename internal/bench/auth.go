package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"
)

func init() { Register(Scenario{Name: "auth_request", Run: runAuthRequest}) }

// runAuthRequest measures an authenticated GET /api/v1/me (bearer access token: its signature, its
// session and user, the organization, the capabilities) against GET /healthz (no caller, no
// database), both through the real server's router and every middleware, one request after
// another, on SQLite. The figure is the time per request served in process (the server's own
// cost, as BenchmarkAuthenticatedRequest measured it); the note adds the same over keep-alive HTTP
// on the loopback, where the connection's cost is shared by both sides.
func runAuthRequest(ctx context.Context, env *Env) ([]Result, error) {
	s, err := env.NewServer(ctx, "sqlite", "auth")
	if err != nil {
		return nil, err
	}
	defer s.Close()
	n := env.Scale(20_000, 4_000)
	h := s.HTTP.Echo

	inProcess := func(path, token string) (float64, error) {
		start := time.Now()
		for range n {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				return 0, fmt.Errorf("bench: GET %s answered %d: %.300s", path, rec.Code, rec.Body)
			}
		}
		return float64(time.Since(start)) / float64(n) / float64(time.Microsecond), nil
	}
	client := Keepalive(1)
	defer client.CloseIdleConnections()
	overHTTP := func(path, token string) (float64, error) {
		r := Load(ctx, client, 1, n, 0, func(int) (*http.Request, int) {
			req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			return req, http.StatusOK
		})
		if r.Errors > 0 {
			return 0, fmt.Errorf("bench: GET %s: %d errors, the first: %w", path, r.Errors, r.FirstErr)
		}
		return float64(r.Took) / float64(r.Requests) / float64(time.Microsecond), nil
	}

	// Warm up both paths (caches, connections, the allocator) before measuring.
	for _, p := range []struct{ path, token string }{{"/healthz", ""}, {"/api/v1/me", s.Token}} {
		if _, err := inProcess(p.path, p.token); err != nil {
			return nil, err
		}
		if _, err := overHTTP(p.path, p.token); err != nil {
			return nil, err
		}
	}
	base, subj, err := Interleave(env.Runs,
		func(int) (float64, error) { return inProcess("/healthz", "") },
		func(int) (float64, error) { return inProcess("/api/v1/me", s.Token) })
	if err != nil {
		return nil, err
	}
	hbase, hsubj, err := Interleave(env.Runs,
		func(int) (float64, error) { return overHTTP("/healthz", "") },
		func(int) (float64, error) { return overHTTP("/api/v1/me", s.Token) })
	if err != nil {
		return nil, err
	}
	note := fmt.Sprintf("baseline GET /healthz; in process through the router and middleware, %d sequential requests a run, "+
		"SQLite; over keep-alive HTTP: %.0f µs vs %.0f µs (%.2f×)", n, Median(hsubj), Median(hbase), Median(hsubj)/Median(hbase))
	return []Result{AtMost("auth_request", "µs", Median(subj), Median(base), 3, note)}, nil
}
