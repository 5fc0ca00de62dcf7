// Package metrics owns Caravan's Prometheus metrics: HTTP requests by route, the database pool,
// transaction retries, background jobs, the click buffer, and imports and reports. They are served on a listener of their
// own (CARAVAN_METRICS_ADDR), never on the public one. The packages measured import no metrics
// library: each publishes a hook (store.ObserveTx, worker.ObserveRuns, tracking.ObserveFlushes,
// observe.Set for imports and reports) that this package sets.
package metrics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/caravan-crm/caravan/internal/observe"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/tracking"
	"github.com/caravan-crm/caravan/internal/worker"
)

// Path is where the metrics listener answers.
const Path = "/metrics"

// Sources are what a Metrics reads at scrape time.
type Sources struct {
	// DB is the pool whose statistics (open, in use, idle, waits) are exported as go_sql_*.
	DB *sql.DB
	// ClickBuffer returns how many clicks wait in memory for the flusher; nil: not exported.
	ClickBuffer func() int
}

// Metrics is one registry: the process-wide metrics (transactions, jobs, click flushes, the Go
// runtime) and those of one app (its requests, its pool, its click buffer).
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// New builds the registry for the app reading from src, and connects the hooks of the store,
// worker and tracking packages (once per process: they are process-wide).
func New(src Sources) *Metrics {
	hookOnce.Do(installHooks)
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "caravan_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status code.",
		}, []string{"method", "route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "caravan_http_request_duration_seconds",
			Help: "Time to answer an HTTP request, by method and route pattern (imports included: their route is theirs).",
			// Up to two minutes: a spreadsheet import of many rows takes far longer than a page of JSON.
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120},
		}, []string{"method", "route"}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.latency,
		txRetries, txGaveUp, jobs, flushDuration, flushBatch, flushErrors, workDuration,
	)
	if src.DB != nil {
		m.reg.MustRegister(collectors.NewDBStatsCollector(src.DB, "caravan"))
	}
	if src.ClickBuffer != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "caravan_click_buffer_clicks",
			Help: "Clicks waiting in memory for the flusher to write them.",
		}, func() float64 { return float64(src.ClickBuffer()) }))
	}
	return m
}

// Registry is the registry behind Handler, for tests and for collectors of other packages.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler answers a scrape in the Prometheus text (or protobuf) format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Middleware counts and times every request by its route pattern (echo's c.Path(), never the raw
// path: one series per route, whatever the ids in it). It must run outside the access log, which
// renders errors, so the status is the one sent. It also answers 404 to /metrics, which the UI's
// catch-all would otherwise answer with index.html: a scraper pointed at the public port fails loudly.
func (m *Metrics) Middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if c.Request().URL.Path == Path {
			m.observe(c, http.StatusNotFound, start)
			return echo.ErrNotFound
		}
		panicking := true
		defer func() {
			if panicking { // the recover middleware further out answers 500
				m.observe(c, http.StatusInternalServerError, start)
			}
		}()
		err := next(c)
		panicking = false
		status := c.Response().Status
		if err != nil && !c.Response().Committed {
			status = http.StatusInternalServerError
			var he *echo.HTTPError
			if errors.As(err, &he) {
				status = he.Code
			}
		}
		m.observe(c, status, start)
		return err
	}
}

func (m *Metrics) observe(c echo.Context, status int, start time.Time) {
	route := c.Path()
	if route == "" {
		route = "unmatched"
	}
	method := methodLabel(c.Request().Method)
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
}

// methodLabel keeps the label's values few: a client may send any token as a method.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	}
	return "OTHER"
}

// Listen serves /metrics (and nothing else) on addr until stop is called.
func (m *Metrics) Listen(addr string, log *slog.Logger) (stop func(context.Context) error, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+Path, m.Handler())
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "err", err)
		}
	}()
	log.Info("metrics listening", "addr", ln.Addr().String(), "path", Path)
	return func(ctx context.Context) error {
		err := srv.Shutdown(ctx)
		<-done
		return err
	}, nil
}

// The process-wide metrics, fed by the hooks of the packages they measure.
var (
	hookOnce sync.Once

	txRetries = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "caravan_db_tx_retries_total",
		Help: "Transactions run again after a serialization failure, a deadlock or a busy database.",
	})
	txGaveUp = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "caravan_db_tx_gave_up_total",
		Help: "Transactions given up after their last retry: each was answered 503.",
	})
	jobs = newJobCollector(time.Now)

	flushDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "caravan_click_flush_duration_seconds",
		Help:    "Time to write one batch of buffered clicks.",
		Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	})
	flushBatch = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "caravan_click_flush_batch_clicks",
		Help:    "Clicks in one batch written by the flusher.",
		Buckets: []float64{1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500},
	})
	flushErrors = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "caravan_click_flush_errors_total",
		Help: "Batches of clicks the database did not take (they are tried again or written one by one).",
	})
	workDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "caravan_work_duration_seconds",
		Help: "Time an import (creators, products, orders, FX rates) or a report (commission workbook, statement) took, " +
			"by kind and result (ok or error), whether asked for over HTTP or by a worker.",
		Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600},
	}, []string{"kind", "result"})
)

func installHooks() {
	store.ObserveTx(func(gaveUp bool) {
		if gaveUp {
			txGaveUp.Inc()
		} else {
			txRetries.Inc()
		}
	})
	worker.ObserveRuns(jobs.observe)
	observe.Set(func(w observe.Work) {
		result := "ok"
		if w.Err != nil {
			result = "error"
		}
		workDuration.WithLabelValues(w.Kind, result).Observe(w.Took.Seconds())
	})
	tracking.ObserveFlushes(func(clicks int, took time.Duration, err error) {
		flushDuration.Observe(took.Seconds())
		flushBatch.Observe(float64(clicks))
		if err != nil {
			flushErrors.Inc()
		}
	})
}
