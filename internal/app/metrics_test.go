package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/caravan-crm/caravan/internal/config"
	"github.com/caravan-crm/caravan/internal/store/storetest"
	"github.com/caravan-crm/caravan/internal/worker"
)

// serveWithMetrics opens and serves the app with CARAVAN_METRICS_ADDR on a second local port, plus
// a job that runs every 50 ms. It returns the public and the metrics base URLs.
func serveWithMetrics(t *testing.T, databaseURL string) (public, private string) {
	t.Helper()
	metricsAddr := freeAddr(t)
	env := map[string]string{"CARAVAN_DATABASE_URL": databaseURL, "CARAVAN_METRICS_ADDR": metricsAddr}
	cfg, _, err := config.Load("caravan", nil, func(k string) string { return env[k] }, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	a.Jobs = append(a.Jobs, worker.Job{Name: "metrics-test-tick", Every: 50 * time.Millisecond, Run: func(context.Context) error { return nil }})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	private = "http://" + metricsAddr
	waitFor(t, func() bool {
		res, err := http.Get(private + "/metrics")
		if err == nil {
			res.Body.Close()
		}
		return err == nil
	})
	return "http://" + ln.Addr().String(), private
}

// freeAddr returns a local address nothing listens on (the metrics listener is configured by address,
// so the test cannot hand it a listener).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %d", res.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// sample returns the value of the family's series with exactly these labels (a subset match), and
// whether there is one.
func sample(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

func TestMetricsAreServedOnTheirOwnListenerOnly(t *testing.T) {
	for dialect, url := range storetest.URLs(t) {
		t.Run(dialect, func(t *testing.T) {
			public, private := serveWithMetrics(t, url)
			var token string
			sendAs := func(method, path, contentType, body string, want int) []byte {
				t.Helper()
				req, _ := http.NewRequest(method, public+path, strings.NewReader(body))
				if body != "" {
					req.Header.Set("Content-Type", contentType)
				}
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				if res.StatusCode != want {
					t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, b)
				}
				return b
			}
			send := func(method, path, body string, want int) []byte {
				t.Helper()
				return sendAs(method, path, "application/json", body, want)
			}
			send("GET", "/healthz", "", 200)
			send("GET", "/healthz", "", 200)
			send("GET", "/api/v1/no-such-thing", "", 404)
			var setup struct {
				AccessToken string `json:"access_token"`
			}
			if err := json.Unmarshal(send("POST", "/api/v1/setup", `{"org_name":"Metrics Ltd","base_currency":"USD","timezone":"UTC",`+
				`"name":"Owner","email":"owner@example.com","password":"correct horse battery"}`, 201), &setup); err != nil {
				t.Fatal(err)
			}
			token = setup.AccessToken
			// Two imports, one of an unreadable file: each is timed by kind and result.
			importFile := func(name, content string, want int) {
				t.Helper()
				var body bytes.Buffer
				mw := multipart.NewWriter(&body)
				fw, _ := mw.CreateFormFile("file", name)
				fw.Write([]byte(content))
				mw.Close()
				sendAs("POST", "/api/v1/creators/import", mw.FormDataContentType(), body.String(), want)
			}
			// The timings are process-wide: count what this subtest adds to them.
			worked := func(fams map[string]*dto.MetricFamily, result string) float64 {
				n, _ := sample(fams, "caravan_work_duration_seconds", map[string]string{"kind": "import_creators", "result": result})
				return n
			}
			before := scrape(t, private)
			importFile("creators.csv", "name,country,platform,handle\nLuna,US,tiktok,@luna.metrics\n", 200)
			importFile("creators.xlsx", "not a workbook", 422) // unreadable: the import ends in an error
			token = ""
			send("GET", "/metrics", "", 404) // never on the public port
			send("GET", "/readyz", "", 200)

			var fams map[string]*dto.MetricFamily
			waitFor(t, func() bool { // the job runs at the next 50 ms boundary
				fams = scrape(t, private)
				_, ok := sample(fams, "caravan_job_runs_total", map[string]string{"job": "metrics-test-tick", "result": "ok"})
				return ok
			})
			for _, c := range []struct {
				route, method, code string
				want                float64
			}{
				{"/healthz", "GET", "200", 2},
				{"/api/v1/setup", "POST", "201", 1},
				{"/*", "GET", "404", 2}, // the unknown API path and the public /metrics: the catch-all's pattern, never the raw path
			} {
				got, ok := sample(fams, "caravan_http_requests_total", map[string]string{"route": c.route, "method": c.method, "code": c.code})
				if !ok || got != c.want {
					t.Errorf("requests %s %s %s = %v (found %v), want %v", c.method, c.route, c.code, got, ok, c.want)
				}
			}
			for _, result := range []string{"ok", "error"} {
				if n := worked(fams, result) - worked(before, result); n != 1 {
					t.Errorf("creators imports timed with result %s: %v more, want 1", result, n)
				}
			}
			if n, ok := sample(fams, "caravan_http_request_duration_seconds", map[string]string{"route": "/api/v1/setup", "method": "POST"}); !ok || n != 1 {
				t.Errorf("setup latency observations = %v (found %v), want 1", n, ok)
			}
			for name := range fams {
				if strings.Contains(name, "no-such-thing") {
					t.Errorf("a raw path leaked into %s", name)
				}
			}
			if f := fams["caravan_http_requests_total"]; f != nil {
				for _, m := range f.GetMetric() {
					for _, l := range m.GetLabel() {
						if strings.Contains(l.GetValue(), "no-such-thing") {
							t.Errorf("a raw path became a label value: %v", m)
						}
					}
				}
			}
			for _, name := range []string{"go_sql_open_connections", "go_sql_in_use_connections", "go_sql_idle_connections",
				"go_sql_wait_count_total", "go_sql_wait_duration_seconds_total", "caravan_click_buffer_clicks",
				"caravan_db_tx_retries_total", "caravan_db_tx_gave_up_total"} {
				if _, ok := sample(fams, name, nil); !ok {
					t.Errorf("no %s", name)
				}
			}
			if open, _ := sample(fams, "go_sql_open_connections", map[string]string{"db_name": "caravan"}); open < 1 {
				t.Errorf("go_sql_open_connections = %v after queries, want at least 1", open)
			}
			if lag, ok := sample(fams, "caravan_job_seconds_since_success", map[string]string{"job": "metrics-test-tick"}); !ok || lag < 0 || lag > 10 {
				t.Errorf("lag of a job that just ran = %v (found %v)", lag, ok)
			}
		})
	}
}
