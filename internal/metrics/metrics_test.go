package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestRequestsAreCountedByRoutePatternNeverByRawPath(t *testing.T) {
	m := New(Sources{})
	e := echo.New()
	e.Use(m.Middleware)
	e.GET("/api/v1/creators/:id", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
	e.GET("/api/v1/gone", func(c echo.Context) error { return echo.ErrNotFound })
	for _, p := range []string{"/api/v1/creators/a", "/api/v1/creators/b", "/api/v1/creators/c", "/api/v1/gone", "/metrics", "/elsewhere"} {
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, p, nil))
	}
	want := `
# HELP caravan_http_requests_total HTTP requests answered, by method, route pattern and status code.
# TYPE caravan_http_requests_total counter
caravan_http_requests_total{code="200",method="GET",route="/api/v1/creators/:id"} 3
caravan_http_requests_total{code="404",method="GET",route="/api/v1/gone"} 1
caravan_http_requests_total{code="404",method="GET",route="unmatched"} 2
`
	if err := testutil.CollectAndCompare(m.requests, strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}
}

func TestMetricsPathIsNotFoundOnTheRouterItGuards(t *testing.T) {
	m := New(Sources{})
	e := echo.New()
	e.Use(m.Middleware)
	e.GET("/*", func(c echo.Context) error { return c.HTML(http.StatusOK, "<html>the app</html>") })
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "the app") {
		t.Fatalf("public /metrics: %d %q, want 404", rec.Code, rec.Body.String())
	}
}

func TestUnknownMethodsShareOneLabel(t *testing.T) {
	if got := methodLabel("BREW"); got != "OTHER" {
		t.Fatalf("methodLabel(BREW) = %q", got)
	}
}

func TestJobLagIsTheTimeSinceItsLastSuccess(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	j := newJobCollector(func() time.Time { return now })
	j.observe("rollup", "ok", time.Second)
	now = now.Add(90 * time.Second)
	j.observe("rollup", "error", time.Second) // a failure does not reset the lag
	want := `
# HELP caravan_job_seconds_since_success Seconds since the job last succeeded in this process (no series before its first success).
# TYPE caravan_job_seconds_since_success gauge
caravan_job_seconds_since_success{job="rollup"} 90
# HELP caravan_job_runs_total Background job runs, by job and result (ok, error, stopped, panic).
# TYPE caravan_job_runs_total counter
caravan_job_runs_total{job="rollup",result="error"} 1
caravan_job_runs_total{job="rollup",result="ok"} 1
`
	if err := testutil.CollectAndCompare(j, strings.NewReader(want), "caravan_job_seconds_since_success", "caravan_job_runs_total"); err != nil {
		t.Fatal(err)
	}
}
