// Package app wires Caravan together: configuration → database → services → HTTP server and
// background jobs, and shuts it all down in order.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/auth"
	"github.com/caravan-crm/caravan/internal/campaign"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/config"
	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/httpapi"
	"github.com/caravan-crm/caravan/internal/insight"
	"github.com/caravan-crm/caravan/internal/ledger"
	"github.com/caravan-crm/caravan/internal/metrics"
	"github.com/caravan-crm/caravan/internal/money"
	"github.com/caravan-crm/caravan/internal/payout"
	"github.com/caravan-crm/caravan/internal/ratelimit"
	"github.com/caravan-crm/caravan/internal/report"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/tracking"
	"github.com/caravan-crm/caravan/internal/worker"
)

// Version is set at build time with -ldflags "-X github.com/caravan-crm/caravan/internal/app.Version=…".
var Version = "dev"

// Logger returns the process logger for cfg.
func Logger(cfg config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// App is a wired Caravan: its database, services, HTTP server and background jobs.
type App struct {
	Config config.Config
	Log    *slog.Logger
	DB     *bun.DB
	Auth   *auth.Service
	HTTP   *httpapi.Server
	// Metrics is the Prometheus registry; Serve answers /metrics on Config.MetricsAddr when it is set.
	Metrics *metrics.Metrics
	// Deps holds every domain service the server uses.
	Deps httpapi.Deps
	// Holder identifies this process in the leases table (random per process).
	Holder string
	// Jobs run in the background while Serve runs; Open fills it from Jobs.
	Jobs []worker.Job
	// DrainDelay is how long Serve keeps answering after the signal, with /readyz at 503, before it
	// stops taking connections: the time a load balancer needs to notice and send traffic elsewhere.
	DrainDelay time.Duration

	draining atomic.Bool
}

// ServerLeaseTTL is how long a server's lease outlives its last renewal: a server killed without a
// shutdown stops counting as running (for `caravan migrate down`) after this.
const ServerLeaseTTL = 15 * time.Second

// Timings of the shutdown and of the server lease's renewal.
const (
	shutdownTimeout = 25 * time.Second
	serverLeaseTick = ServerLeaseTTL / 3
)

// rateLimitRetention is how long rate-limit counters are kept: far longer than any limiter's window
// (the login limits count per 15 minutes), so purging never changes an answer.
const rateLimitRetention = 24 * time.Hour

// NewDeps builds the domain services on db: the one place a new package is wired in. Tests build
// their server through it too, with their own clock and auth settings.
func NewDeps(cfg config.Config, log *slog.Logger, db *bun.DB, authSvc *auth.Service, clk clock.Clock) httpapi.Deps {
	creators := creator.NewService(db, clk, authSvc)
	creators.SetPeople(authSvc)
	campaigns := campaign.NewService(db, clk, authSvc)
	clicks := tracking.NewService(db, clk, tracking.Options{PublicURL: cfg.PublicURL, Log: log})
	creators.SetActivity(creatorActivity{campaigns, clicks})
	creators.AddEraser(campaigns) // erasure: each package scrubs its own rows (creator.Eraser)
	creators.AddEraser(clicks)
	conversions := conversion.NewService(db, clk, authSvc, clicks, conversion.Options{PublicURL: cfg.PublicURL, Log: log})
	books := ledger.NewService(db, clk, authSvc, campaigns, creators)
	conversions.SetLedger(books) // the ledger sits above conversions: it is plugged in, not imported
	revenue := platformRevenue{books}
	creators.SetRisks(insight.NewService(db, clk, authSvc, creators, revenue)) // the creator list's exposed filter reads the risk marks
	campaigns.SetResults(campaignResults{clicks, books})
	payouts := payout.NewService(db, clk, books, authSvc)
	platforms := insight.NewService(db, clk, authSvc, creators, revenue)
	platforms.SetFigures(dashboardFigures{books, clicks, conversions})
	return httpapi.Deps{
		Config: cfg, Log: log, DB: db, Version: Version,
		Auth:        authSvc,
		Creators:    creators,
		Platforms:   platforms,
		Campaigns:   campaigns,
		Tracking:    clicks,
		Conversions: conversions,
		Ledger:      books,
		Payouts:     payouts,
		Reports:     report.NewService(db, clk, authSvc, books, payouts),
	}
}

// campaignResults gives the campaign report the clicks the tracking package owns and the orders,
// GMV and commission the ledger owns.
type campaignResults struct {
	clicks *tracking.Service
	books  *ledger.Service
}

func (r campaignResults) CampaignResults(ctx context.Context, orgID, campaignID string) ([]campaign.Result, error) {
	counts, err := r.clicks.CampaignClicks(ctx, orgID, campaignID)
	if err != nil {
		return nil, err
	}
	out := make([]campaign.Result, 0, len(counts))
	for _, c := range counts {
		out = append(out, campaign.Result{CreatorID: c.CreatorID, AccountID: c.AccountID, Clicks: c.Clicks})
	}
	lines, err := r.books.CampaignLines(ctx, orgID, campaignID)
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		out = append(out, campaign.Result{CreatorID: l.CreatorID, AccountID: l.AccountID, Conversions: l.Orders,
			GMV: money.Money{Minor: l.GMV, Currency: l.Currency}, Commission: money.Money{Minor: l.Commission, Currency: l.Currency}})
	}
	return out, nil
}

// platformRevenue gives the exposure insight the ledger's GMV and commission per platform.
type platformRevenue struct{ books *ledger.Service }

func (r platformRevenue) ByPlatform(ctx context.Context, orgID string, from, to time.Time) (map[string]insight.Amounts, error) {
	totals, err := r.books.TotalsBy(ctx, orgID, ledger.ByPlatform, from, to)
	if err != nil {
		return nil, err
	}
	out := make(map[string]insight.Amounts, len(totals))
	for k, t := range totals {
		out[k] = insight.Amounts{GMVMinor: t.GMVMinor, CommissionMinor: t.CommissionMinor}
	}
	return out, nil
}

// dashboardFigures gives the dashboard the ledger's amounts, the clicks and the conversions waiting.
type dashboardFigures struct {
	books       *ledger.Service
	clicks      *tracking.Service
	conversions *conversion.Service
}

func amounts(t map[string]ledger.Totals) map[string]insight.Amounts {
	out := make(map[string]insight.Amounts, len(t))
	for k, v := range t {
		out[k] = insight.Amounts{GMVMinor: v.GMVMinor, CommissionMinor: v.CommissionMinor, Conversions: v.Orders}
	}
	return out
}

func (d dashboardFigures) Totals(ctx context.Context, orgID, by string, from, to time.Time) (map[string]insight.Amounts, error) {
	t, err := d.books.TotalsBy(ctx, orgID, by, from, to)
	return amounts(t), err
}

func (d dashboardFigures) Daily(ctx context.Context, orgID string, from, to time.Time, loc *time.Location) (map[string]insight.Amounts, error) {
	t, err := d.books.Daily(ctx, orgID, from, to, loc)
	return amounts(t), err
}

func (d dashboardFigures) Clicks(ctx context.Context, orgID, by string, from, to time.Time, loc *time.Location) (map[string]int64, error) {
	switch by {
	case "day":
		return d.clicks.ClicksByDay(ctx, orgID, from, to, loc)
	case "account_id":
		return d.clicks.ClicksByAccount(ctx, orgID, from, to)
	case "campaign_id":
		return d.clicks.ClicksByCampaign(ctx, orgID, from, to)
	case "creator_id":
		return d.clicks.ClicksByCreator(ctx, orgID, from, to)
	}
	return nil, fmt.Errorf("dashboard: clicks by %q", by)
}

func (d dashboardFigures) Queue(ctx context.Context, orgID string) (int64, int64, error) {
	return d.conversions.Queue(ctx, orgID)
}

// RefreshCreatorGMV copies each creator's attributed GMV over the last 90 days from the ledger into
// the creator list's sort column, for every organization with entries.
func RefreshCreatorGMV(ctx context.Context, deps httpapi.Deps, now time.Time) (int, error) {
	orgs, err := deps.Ledger.Orgs(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, org := range orgs {
		totals, err := deps.Ledger.TotalsBy(ctx, org, ledger.ByCreator, now.AddDate(0, 0, -90), now.Add(time.Hour))
		if err != nil {
			return n, err
		}
		gmv := make(map[string]int64, len(totals))
		for id, t := range totals {
			gmv[id] = t.GMVMinor
		}
		changed, err := deps.Creators.SetGMV90d(ctx, org, gmv)
		if err != nil {
			return n, err
		}
		n += changed
	}
	return n, nil
}

// creatorActivity gives the creator answer the campaigns and clicks other packages own.
type creatorActivity struct {
	campaigns *campaign.Service
	clicks    *tracking.Service
}

// CreatorActivity reads the campaigns and the clicks side by side: a list page waits for the slower
// of the two lookups, not for both (on PostgreSQL a round trip each).
func (a creatorActivity) CreatorActivity(ctx context.Context, orgID string, ids []string, since time.Time) (map[string]creator.ActivityFigures, error) {
	var (
		enrolled    map[string]int64
		enrolledErr error
		done        = make(chan struct{})
	)
	go func() {
		defer close(done)
		enrolled, enrolledErr = a.campaigns.EnrolmentCounts(ctx, orgID, ids)
	}()
	clicked, err := a.clicks.ClicksOfCreators(ctx, orgID, ids, since)
	<-done
	if err == nil {
		err = enrolledErr
	}
	if err != nil {
		return nil, err
	}
	out := make(map[string]creator.ActivityFigures, len(ids))
	for _, id := range ids {
		out[id] = creator.ActivityFigures{Campaigns: enrolled[id], Clicks: clicked[id]}
	}
	return out, nil
}

// Jobs lists the background jobs built on deps: the one place a package adds a job (automatic
// approval, rollups, click flushing). A job that touches data shared by the replicas sets Once.
func Jobs(deps httpapi.Deps, clk clock.Clock) []worker.Job {
	db := deps.DB
	return []worker.Job{
		// Statistics are the database's: on PostgreSQL one replica refreshes them for all.
		{Name: "optimize", Every: time.Hour, Once: true, Run: func(ctx context.Context) error {
			return store.Optimize(ctx, db)
		}},
		{Name: "purge-rate-limits", Every: time.Hour, Once: true, Run: func(ctx context.Context) error {
			n, err := ratelimit.Purge(ctx, db, clk.Now().Add(-rateLimitRetention))
			if err != nil {
				return fmt.Errorf("purge rate-limit counters: %w", err)
			}
			deps.Log.Debug("rate-limit counters purged", "rows", n)
			return nil
		}},
		{Name: "roll-up-clicks", Every: time.Hour, Once: true, Run: func(ctx context.Context) error {
			if deps.Tracking == nil {
				return nil
			}
			n, err := deps.Tracking.RollUpClicks(ctx, deps.Config.ClickRetention)
			if err != nil {
				return fmt.Errorf("roll up old clicks: %w", err)
			}
			deps.Log.Debug("old clicks rolled up", "clicks", n)
			return nil
		}},
		{Name: "approve-held-conversions", Every: time.Hour, Once: true, Run: func(ctx context.Context) error {
			if deps.Conversions == nil {
				return nil
			}
			for {
				n, err := deps.Conversions.AutoApprove(ctx, 500)
				if err != nil {
					return fmt.Errorf("approve held conversions: %w", err)
				}
				deps.Log.Debug("held conversions approved", "conversions", n)
				if n < 500 {
					return nil
				}
			}
		}},
		{Name: "refresh-creator-gmv", Every: time.Hour, Once: true, Run: func(ctx context.Context) error {
			if deps.Ledger == nil {
				return nil
			}
			n, err := RefreshCreatorGMV(ctx, deps, clk.Now())
			if err != nil {
				return fmt.Errorf("refresh creators' 90-day GMV: %w", err)
			}
			deps.Log.Debug("creators' 90-day GMV refreshed", "creators", n)
			return nil
		}},
		{Name: "purge-idempotency-keys", Every: time.Hour, Once: true, Run: func(ctx context.Context) error {
			n, err := store.PurgeIdempotencyKeys(ctx, db, clk.Now().Add(-idempotencyRetention))
			if err != nil {
				return fmt.Errorf("purge idempotency keys: %w", err)
			}
			deps.Log.Debug("idempotency keys purged", "rows", n)
			return nil
		}},
	}
}

// idempotencyRetention keeps Idempotency-Keys a little past the 24 hours they answer for.
const idempotencyRetention = 25 * time.Hour

// Open connects to the database, applies pending migrations and builds the services.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	applied, err := store.Migrate(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "migrations", applied)
	}
	if err := store.Optimize(ctx, db); err != nil {
		log.Warn("refreshing the query planner's statistics failed", "err", err)
	}
	if !store.IsSQLite(db) {
		var autovacuum string
		if err := db.QueryRowContext(ctx, "SHOW autovacuum").Scan(&autovacuum); err == nil && autovacuum != "on" {
			log.Warn("PostgreSQL's autovacuum is off: Caravan analyzes its tables every hour, but dead rows pile up until a VACUUM; turn autovacuum on")
		}
	}
	a := &App{Config: cfg, Log: log, DB: db, Holder: worker.NewHolder(), DrainDelay: cfg.DrainDelay}
	a.Auth = auth.NewService(db, auth.Options{
		Issuer: cfg.PublicURL, AccessTTL: cfg.AccessTTL, RefreshTTL: cfg.RefreshTTL, MinPasswordLength: cfg.MinPasswordLength,
		PurgeOneIn: -1, // the purge-rate-limits job does it
	})
	if err := a.Auth.Start(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("app: load signing keys: %w", err)
	}
	a.Deps = NewDeps(cfg, log, db, a.Auth, clock.System{})
	if n, err := a.Deps.Creators.BackfillHandleKeys(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("app: compute handle keys: %w", err)
	} else if n > 0 {
		log.Info("handle keys computed", "accounts", n)
	}
	a.Deps.Draining = a.draining.Load
	a.Metrics = metrics.New(metrics.Sources{DB: db.DB, ClickBuffer: a.Deps.Tracking.Buffered})
	a.Deps.Metrics = a.Metrics.Middleware
	a.Jobs = Jobs(a.Deps, clock.System{})
	a.HTTP = httpapi.New(a.Deps)
	return a, nil
}

// Close writes the clicks still buffered (when Serve has not) and releases the database.
func (a *App) Close() error {
	a.flushClicks(context.Background())
	return a.DB.Close()
}

// clickFlushTimeout bounds the final write of the buffered clicks at shutdown.
const clickFlushTimeout = 20 * time.Second

// flushClicks stops the tracking package's click flusher and writes every click it still holds. Serve
// calls it once the HTTP server has finished its requests, so no redirect adds a click after it (one
// that did would be written on its own request).
func (a *App) flushClicks(ctx context.Context) {
	if a.Deps.Tracking == nil {
		return
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), clickFlushTimeout)
	defer cancel()
	if err := a.Deps.Tracking.Close(fctx); err != nil {
		a.Log.Error("shutting down: buffered clicks were not all written", "err", err)
	}
}

// Serve answers HTTP requests on ln and runs the background jobs until ctx is cancelled. While it
// runs it holds a server lease, so `caravan migrate down` knows a server uses the database. On
// cancellation /readyz answers 503 for DrainDelay, then the server stops taking connections and the
// jobs' context is cancelled; requests in flight and running jobs get up to 25 s to finish.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	leases := &worker.Leases{DB: a.DB, Clock: clock.System{}, Holder: a.Holder}
	serverLease := worker.ServerLease(a.Holder)
	holdServerLease := func(ctx context.Context) error {
		_, err := leases.Claim(ctx, serverLease, time.Now().Add(ServerLeaseTTL))
		return err
	}
	if err := holdServerLease(ctx); err != nil {
		return fmt.Errorf("app: %w", err)
	}
	if a.Config.MetricsAddr != "" {
		stopMetrics, err := a.Metrics.Listen(a.Config.MetricsAddr, a.Log)
		if err != nil {
			return fmt.Errorf("app: %w", err)
		}
		// Last to stop: a scrape during the drain still answers.
		defer func() {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := stopMetrics(sctx); err != nil {
				a.Log.Warn("shutting down: the metrics listener did not stop cleanly", "err", err)
			}
		}()
	}
	defer func() {
		if err := leases.Delete(context.WithoutCancel(ctx), serverLease); err != nil {
			a.Log.Warn("cannot release the server lease; it expires by itself", "err", err)
		}
	}()
	runner := &worker.Runner{Log: a.Log, Leases: leases}
	jobs := append([]worker.Job{{Name: "server-lease", Every: serverLeaseTick, Run: holdServerLease}}, a.Jobs...)
	if err := runner.Start(context.WithoutCancel(ctx), jobs...); err != nil {
		return fmt.Errorf("app: %w", err)
	}
	shutCtx := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	}

	srv := a.HTTP.HTTPServer()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("caravan listening", "addr", ln.Addr().String(), "config", a.Config.String(), "version", Version)
	select {
	case err := <-errc:
		sctx, cancel := shutCtx()
		defer cancel()
		defer a.flushClicks(ctx)
		if serr := runner.Stop(sctx); serr != nil {
			a.Log.Warn("background jobs did not finish", "err", serr)
		}
		return err
	case <-ctx.Done():
	}
	a.draining.Store(true)
	if a.DrainDelay > 0 {
		a.Log.Info("shutting down: telling the load balancer", "delay", a.DrainDelay)
		time.Sleep(a.DrainDelay)
	}
	a.Log.Info("shutting down: finishing requests in flight and background jobs")
	sctx, cancel := shutCtx()
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- runner.Stop(sctx) }()
	err := srv.Shutdown(sctx)
	if serr := <-stopped; serr != nil {
		a.Log.Warn("background jobs did not finish", "err", serr)
	}
	a.flushClicks(ctx)
	if err != nil {
		return fmt.Errorf("app: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
