// Package app wires Caravan together: configuration → database → services → HTTP server, and shuts
// it all down in order.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/auth"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/config"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/httpapi"
	"github.com/caravan-crm/caravan/internal/platform"
	"github.com/caravan-crm/caravan/internal/store"
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

// App is a wired Caravan: its database, services and HTTP server.
type App struct {
	Config config.Config
	Log    *slog.Logger
	DB     *bun.DB
	Auth   *auth.Service
	HTTP   *httpapi.Server
	// Deps holds every domain service the server uses.
	Deps httpapi.Deps
}

// NewDeps builds the domain services on db: the one place a new package is wired in. Tests build
// their server through it too, with their own clock and auth settings.
func NewDeps(cfg config.Config, log *slog.Logger, db *bun.DB, authSvc *auth.Service, clk clock.Clock) httpapi.Deps {
	return httpapi.Deps{
		Config: cfg, Log: log, DB: db, Version: Version,
		Auth:      authSvc,
		Creators:  creator.NewService(db, clk),
		Platforms: platform.NewService(db, clk, nil),
	}
}

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
	a := &App{Config: cfg, Log: log, DB: db}
	a.Auth = auth.NewService(db, auth.Options{
		Issuer: cfg.PublicURL, AccessTTL: cfg.AccessTTL, RefreshTTL: cfg.RefreshTTL,
	})
	if err := a.Auth.Start(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("app: load signing keys: %w", err)
	}
	a.Deps = NewDeps(cfg, log, db, a.Auth, clock.System{})
	a.HTTP = httpapi.New(a.Deps)
	return a, nil
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }

// Serve answers HTTP requests on ln until ctx is cancelled, then stops taking new connections and
// lets requests in flight finish (up to 25 s) before returning.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := a.HTTP.HTTPServer()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("caravan listening", "addr", ln.Addr().String(), "config", a.Config.String(), "version", Version)
	optimize := time.NewTicker(6 * time.Hour)
	defer optimize.Stop()
wait:
	for {
		select {
		case err := <-errc:
			return err
		case <-optimize.C:
			if err := store.Optimize(ctx, a.DB); err != nil {
				a.Log.Warn("refreshing the query planner's statistics failed", "err", err)
			}
		case <-ctx.Done():
			break wait
		}
	}
	a.Log.Info("shutting down: finishing requests in flight")
	shutCtx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("app: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
