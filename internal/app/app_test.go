package app

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/config"
	"github.com/caravan-crm/caravan/internal/httpapi"
	"github.com/caravan-crm/caravan/internal/store/storetest"
	"github.com/caravan-crm/caravan/internal/worker"
)

func start(t *testing.T, setup ...func(*App)) (*App, string, context.CancelFunc, chan error) {
	t.Helper()
	cfg := config.Defaults()
	cfg.DatabaseURL = "sqlite:" + filepath.Join(t.TempDir(), "caravan.db")
	a, err := Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	a.HTTP.Echo.GET("/test/slow", func(c echo.Context) error {
		time.Sleep(500 * time.Millisecond)
		return c.String(http.StatusOK, "finished")
	})
	for _, f := range setup {
		f(a)
	}
	go func() { done <- a.Serve(ctx, ln) }()
	return a, "http://" + ln.Addr().String(), cancel, done
}

func TestGracefulShutdownFinishesRequestsInFlight(t *testing.T) {
	_, url, cancel, done := start(t)
	res, err := http.Get(url + "/readyz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", res, err)
	}
	res.Body.Close()

	got := make(chan string, 1)
	go func() {
		res, err := http.Get(url + "/test/slow")
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		got <- string(b)
	}()
	time.Sleep(100 * time.Millisecond) // the request is in flight
	cancel()                           // SIGTERM
	if body := <-got; body != "finished" {
		t.Fatalf("request in flight got %q", body)
	}
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Fatal("the server still accepts connections after shutdown")
	}
}

func TestSlowHeadersAreCutOff(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the read-header timeout")
	}
	t.Parallel()
	_, url, cancel, _ := start(t)
	defer cancel()
	conn, err := net.Dial("tcp", url[len("http://"):])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Trickle a header and never finish it.
	if _, err := conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: a")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	buf := make([]byte, 512)
	for {
		if _, err := conn.Read(buf); err != nil {
			break
		}
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("a client trickling headers held the connection for %s", d)
	}
}

func TestReadyzAnswers503WhileDraining(t *testing.T) {
	_, url, cancel, done := start(t, func(a *App) { a.DrainDelay = 400 * time.Millisecond })
	status := func() int {
		res, err := http.Get(url + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if s := status(); s != http.StatusOK {
		t.Fatalf("readyz before shutdown: %d", s)
	}
	cancel()
	time.Sleep(100 * time.Millisecond)
	if s := status(); s != http.StatusServiceUnavailable {
		t.Fatalf("readyz while draining: %d, want 503 so the load balancer stops sending traffic", s)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestShutdownWaitsForRunningBackgroundJobs(t *testing.T) {
	started := make(chan struct{}, 1)
	var finished atomic.Bool
	job := worker.Job{Name: "slow", Every: 20 * time.Millisecond, Run: func(ctx context.Context) error {
		select {
		case started <- struct{}{}:
		default:
		}
		<-ctx.Done() // shutdown
		time.Sleep(200 * time.Millisecond)
		finished.Store(true)
		return nil
	}}
	_, _, cancel, done := start(t, func(a *App) { a.Jobs = append(a.Jobs, job) })
	<-started
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !finished.Load() {
		t.Fatal("Serve returned while a background job was still running")
	}
}

func TestServeHoldsAServerLeaseUntilItStops(t *testing.T) {
	a, _, cancel, done := start(t)
	ctx := context.Background()
	var servers []string
	for deadline := time.Now().Add(5 * time.Second); len(servers) == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		servers, _ = worker.RunningServers(ctx, a.DB, time.Now())
	}
	if !slices.Equal(servers, []string{a.Holder}) {
		t.Fatalf("running servers %v, want this one (%s)", servers, a.Holder)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if servers, err := worker.RunningServers(ctx, a.DB, time.Now()); err != nil || len(servers) != 0 {
		t.Fatalf("after shutdown: servers %v (%v)", servers, err)
	}
}

func TestJobsRefreshStatisticsAndPurgeOldRateLimitCountersOncePerCluster(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
		for key, at := range map[string]time.Time{"old": now.Add(-25 * time.Hour), "fresh": now.Add(-time.Minute)} {
			if _, err := db.ExecContext(ctx, "INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)", key, at); err != nil {
				t.Fatal(err)
			}
		}
		deps := httpapi.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), DB: db}
		jobs := map[string]worker.Job{}
		for _, j := range Jobs(deps, clock.NewManual(now)) {
			jobs[j.Name] = j
		}
		if j, ok := jobs["optimize"]; !ok || !j.Once || j.Every != time.Hour {
			t.Fatalf("optimize job %+v", j)
		}
		purge, ok := jobs["purge-rate-limits"]
		if !ok || !purge.Once {
			t.Fatalf("purge job %+v: it must exist and run once per cluster", purge)
		}
		for _, j := range jobs {
			if err := j.Run(ctx); err != nil {
				t.Fatalf("%s: %v", j.Name, err)
			}
		}
		var keys []string
		if err := db.NewRaw("SELECT key FROM rate_limits ORDER BY key").Scan(ctx, &keys); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(keys, []string{"fresh"}) {
			t.Fatalf("rate-limit keys after the purge: %v, want [fresh]", keys)
		}
	})
}
