package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/app"
	"github.com/caravan-crm/caravan/internal/config"
	"github.com/caravan-crm/caravan/internal/store"
)

// Dialects are the databases a scenario can run on: SQLite always, PostgreSQL when the Env has it.
func (e *Env) Dialects() []string {
	if e.PostgresURL != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// Database is an empty, migrated database of its own for one scenario.
type Database struct {
	Dialect string
	URL     string
	DB      *bun.DB
	drop    func() error
}

// NewDatabase creates a fresh database: a new SQLite file under Dir, or a new schema on the
// PostgreSQL server (dropped by Close, so a run leaves the server as it found it).
func (e *Env) NewDatabase(ctx context.Context, dialect, name string) (*Database, error) {
	d := &Database{Dialect: dialect, drop: func() error { return nil }}
	switch dialect {
	case "sqlite":
		d.URL = "sqlite:" + filepath.Join(e.Dir, name+"-"+randomHex(4)+".db")
	case "postgres":
		if e.PostgresURL == "" {
			return nil, errors.New("bench: no PostgreSQL URL")
		}
		schema := "caravan_bench_" + randomHex(6)
		admin, err := sql.Open("pgx", e.PostgresURL)
		if err != nil {
			return nil, err
		}
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			admin.Close()
			return nil, fmt.Errorf("bench: create schema: %w", err)
		}
		d.drop = func() error {
			defer admin.Close()
			_, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE")
			return err
		}
		u, err := url.Parse(e.PostgresURL)
		if err != nil {
			d.drop()
			return nil, err
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		d.URL = u.String()
	default:
		return nil, fmt.Errorf("bench: unknown dialect %q", dialect)
	}
	db, err := store.Open(ctx, d.URL)
	if err == nil {
		_, err = store.Migrate(ctx, db)
		if err != nil {
			db.Close()
		}
	}
	if err != nil {
		d.drop()
		return nil, fmt.Errorf("bench: open %s: %w", dialect, err)
	}
	d.DB = db
	return d, nil
}

// Close releases the database and drops a PostgreSQL schema.
func (d *Database) Close() error {
	return errors.Join(d.DB.Close(), d.drop())
}

// Server is a real Caravan (app.Open, the router, its middleware and background jobs) on a fresh
// database, listening on a loopback port, with an organization set up through the API.
type Server struct {
	*app.App
	URL    string // http://127.0.0.1:port
	OrgID  string
	Token  string // the owner's access token
	APIKey string // an owner-role API key
	// Client talks to the server over keep-alive connections, as many at once as a load generator uses.
	Client *http.Client
	db     *Database
	stop   context.CancelFunc
	done   chan error
}

// Owner is the owner set up on every bench server.
const (
	OwnerEmail    = "bench@caravan.example"
	OwnerPassword = "bench-password-long"
)

// NewServer starts Caravan on a fresh database of dialect. Requests may carry X-Forwarded-For: the
// loopback peer is a trusted proxy, as a load balancer would be, so each simulated visitor has its
// own address (the redirect limit is per visitor).
func (e *Env) NewServer(ctx context.Context, dialect, name string) (*Server, error) {
	d, err := e.NewDatabase(ctx, dialect, name)
	if err != nil {
		return nil, err
	}
	d.DB.Close() // app.Open opens its own pool
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		d.drop()
		return nil, err
	}
	cfg := config.Defaults()
	cfg.DatabaseURL = d.URL
	cfg.PublicURL = "http://" + ln.Addr().String()
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	cfg.BodyLimit = 8 << 20
	cfg.AccessTTL = 12 * time.Hour // a scenario's seeding can outlast the usual 15 minutes
	// The server's warnings and errors (a background job that failed, an answer of 500) join the
	// bench's progress lines: a failed scenario says what the server saw.
	log := slog.New(slog.NewTextHandler(logLines{e.Log, name + " server: "}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		ln.Close()
		d.drop()
		return nil, err
	}
	d.DB = a.DB
	sctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s := &Server{App: a, URL: cfg.PublicURL, db: d, stop: stop, done: make(chan error, 1),
		Client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}, Timeout: 30 * time.Minute}} // a big import on a loaded machine
	a.DrainDelay = 0
	go func() { s.done <- a.Serve(sctx, ln) }()
	if err := s.setup(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) setup(ctx context.Context) error {
	var out struct {
		Org         struct{ ID string } `json:"org"`
		AccessToken string              `json:"access_token"`
	}
	if err := s.Do(ctx, http.MethodPost, "/api/v1/setup", map[string]string{"org_name": "Bench Trading Co.", "base_currency": "USD",
		"timezone": "Asia/Shanghai", "name": "Bench", "email": OwnerEmail, "password": OwnerPassword}, http.StatusCreated, &out); err != nil {
		return err
	}
	s.OrgID, s.Token = out.Org.ID, out.AccessToken
	var key struct{ Key string }
	if err := s.Do(ctx, http.MethodPost, "/api/v1/api-keys", map[string]string{"name": "bench"}, http.StatusCreated, &key); err != nil {
		return err
	}
	s.APIKey = key.Key
	return nil
}

// Do sends one JSON request as the owner and decodes the answer into out (when not nil); an answer
// other than want is an error that quotes the body.
func (s *Server) Do(ctx context.Context, method, path string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if s.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.Token)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("bench: %s %s answered %d: %.300s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// Close stops the server (flushing its clicks), closes the database and drops a PostgreSQL schema.
func (s *Server) Close() error {
	s.stop()
	err := <-s.done
	s.Client.CloseIdleConnections()
	return errors.Join(err, s.App.Close(), s.db.drop())
}

// logLines writes each line it is given (slog writes a record in one Write) to a progress log.
type logLines struct {
	log    func(format string, args ...any)
	prefix string
}

func (l logLines) Write(p []byte) (int, error) {
	l.log("%s%s", l.prefix, strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
