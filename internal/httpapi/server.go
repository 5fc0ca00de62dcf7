// Package httpapi is the HTTP face of Caravan: echo set up with safe defaults, the middleware, the
// error handler, the one route table (routes.go), the OpenAPI document and the embedded web UI.
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/auth"
	"github.com/caravan-crm/caravan/internal/campaign"
	"github.com/caravan-crm/caravan/internal/config"
	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/insight"
	"github.com/caravan-crm/caravan/internal/ledger"
	"github.com/caravan-crm/caravan/internal/payout"
	"github.com/caravan-crm/caravan/internal/report"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/tracking"
	"github.com/caravan-crm/caravan/internal/web"
)

// Deps is what the HTTP layer serves.
type Deps struct {
	Config  config.Config
	Log     *slog.Logger
	DB      *bun.DB
	Auth    *auth.Service
	Version string
	// Draining reports that the server is shutting down: /readyz answers 503 so the load balancer
	// sends traffic elsewhere. Nil means never.
	Draining func() bool
	// Metrics counts and times requests by route (internal/metrics); nil: not measured.
	Metrics echo.MiddlewareFunc

	Creators  *creator.Service
	Platforms *insight.Service
	Tracking  *tracking.Service
	Campaigns *campaign.Service
	// Conversions takes orders in; Ledger keeps their money.
	Conversions *conversion.Service
	Ledger      *ledger.Service
	Payouts     *payout.Service
	// Reports writes the finance workbooks.
	Reports *report.Service
}

// Server is the configured echo instance and its routes.
type Server struct {
	Echo   *echo.Echo
	routes []route
	deps   Deps

	openAPIOnce sync.Once
	openAPIDoc  []byte
}

// New builds the HTTP server: middleware, routes and the UI.
func New(d Deps) *Server {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Logger.SetOutput(discard{})
	e.HTTPErrorHandler = errorHandler(d.Log)
	e.IPExtractor = ipExtractor(d.Config)

	e.Pre(requestID)
	e.Pre(rejectControls)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			d.Log.Error("panic", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err, "stack", string(stack))
			return fmt.Errorf("panic: %w", err)
		},
	}))
	if d.Metrics != nil {
		e.Use(d.Metrics) // outside the access log, which renders errors: it sees the status sent
	}
	e.Use(accessLog(d.Log))
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		Skipper:            isRedirect,
		XSSProtection:      "0",
		ContentTypeNosniff: "nosniff",
		XFrameOptions:      "DENY",
		HSTSMaxAge:         hstsMaxAge(d.Config.PublicURL),
		ReferrerPolicy:     "strict-origin-when-cross-origin",
		// Ant Design injects its styles at run time, hence 'unsafe-inline' for styles only.
		ContentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; " +
			"connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
	}))
	if len(d.Config.CORSOrigins) > 0 {
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins: d.Config.CORSOrigins,
			AllowHeaders: []string{echo.HeaderAuthorization, echo.HeaderContentType, "X-API-Key", "X-Requested-With"},
			MaxAge:       600,
		}))
	}

	s := &Server{Echo: e, deps: d}
	s.routes = s.table()
	for _, r := range s.routes {
		if err := r.check(); err != nil {
			panic(err) // a wrong row of the route table is a programming error: fail at start-up
		}
		mw := []echo.MiddlewareFunc{middleware.BodyLimit(bodyLimit(r, d.Config))}
		if r.Auth == authUser {
			mw = append(mw, s.authenticate(r.Roles))
		}
		if r.Method == http.MethodPost && r.Status == http.StatusCreated {
			mw = append(mw, s.idempotent)
		}
		e.Add(r.Method, r.Path, r.Handler, mw...)
	}
	s.registerUI()
	return s
}

// HTTPServer wraps the handler in a server with timeouts: echo sets none, and a slow client must not
// hold a connection open forever.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Addr:              s.deps.Config.Addr,
		Handler:           s.Echo,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(s.deps.Log.Handler(), slog.LevelWarn),
	}
}

// hstsMaxAge is a year when the public URL is https, else 0 (no HSTS): echo sends the header when a
// request merely says X-Forwarded-Proto: https, which must not pin a site served over http to https.
func hstsMaxAge(publicURL string) int {
	if strings.HasPrefix(publicURL, "https://") {
		return 31536000
	}
	return 0
}

func bodyLimit(r route, c config.Config) string {
	n := c.BodyLimit
	if r.MaxBody > 0 {
		n = r.MaxBody
	}
	return fmt.Sprintf("%dB", n)
}

// ipExtractor takes the peer address unless proxies are configured; only then is X-Forwarded-For
// believed, and only the part added by those proxies. (echo's default trusts any client's header.)
func ipExtractor(c config.Config) echo.IPExtractor {
	if len(c.TrustedProxies) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range c.TrustedProxies {
		_, n, err := net.ParseCIDR(p.String())
		if err == nil {
			opts = append(opts, echo.TrustIPRange(n))
		}
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// requestID tags every request and response with X-Request-Id. A well-formed id from the client
// (a proxy's, say) is kept; anything else is replaced, so logs cannot be forged through it.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !requestIDPattern.MatchString(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
			c.Request().Header.Set(echo.HeaderXRequestID, id)
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

// rejectControls answers 400 to a path or query parameter holding a control character (%00 in an
// id, a NUL in a filter): nothing Caravan serves takes one, and the databases refuse NUL in text.
func rejectControls(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := c.Request().URL
		if web.ControlAt(u.Path, false) >= 0 {
			return apperr.BadRequest("invalid_characters", "the address holds a control character (such as %00)")
		}
		if strings.Contains(u.RawQuery, "%") || web.ControlAt(u.RawQuery, false) >= 0 {
			for name, vs := range u.Query() {
				for _, v := range append(vs, name) {
					if web.ControlAt(v, false) >= 0 {
						return apperr.BadRequest("invalid_characters", "the query parameter "+strconv.Quote(name)+" holds a control character (such as %00)")
					}
				}
			}
		}
		return next(c)
	}
}

// redirectPath is the route of the public short links, the hot path of a promotion's clicks.
const redirectPath = "/r/:code"

// isRedirect skips, for GET /r/{code}, the middleware it does not need: the access log (the clicks
// table records every visit, the metrics count the answers by status, and a line per click would be
// most of the log) and the security headers of pages (a 302 has no document to protect).
func isRedirect(c echo.Context) bool { return c.Path() == redirectPath }

func accessLog(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		Skipper:   isRedirect,
		LogStatus: true, LogMethod: true, LogURIPath: true, LogLatency: true, LogRemoteIP: true, LogRequestID: true,
		LogResponseSize: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", v.Method), slog.String("path", v.URIPath), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.String("ip", v.RemoteIP), slog.String("request_id", v.RequestID),
				slog.Int64("bytes", v.ResponseSize))
			return nil
		},
	})
}

// authenticate resolves the caller from a bearer access token or an API key and checks its role.
func (s *Server) authenticate(roles []actor.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ctx := c.Request().Context()
			var a actor.Actor
			var err error
			h := c.Request().Header
			switch {
			case h.Get(echo.HeaderAuthorization) != "":
				raw, ok := strings.CutPrefix(h.Get(echo.HeaderAuthorization), "Bearer ")
				if !ok {
					return apperr.Unauthorized("invalid_token", "use Authorization: Bearer <access token>")
				}
				a, err = s.deps.Auth.Authenticate(ctx, strings.TrimSpace(raw), c.RealIP())
			case h.Get("X-API-Key") != "":
				a, err = s.deps.Auth.AuthenticateAPIKey(ctx, h.Get("X-API-Key"), c.RealIP())
			default:
				return apperr.Unauthorized("unauthenticated", "sign in or send an API key")
			}
			if err != nil {
				return err
			}
			if !a.Can(roles...) {
				return apperr.Forbidden("your role does not allow this")
			}
			c.SetRequest(c.Request().WithContext(actor.With(ctx, a)))
			return next(c)
		}
	}
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, Health{Status: "ok", Version: s.deps.Version})
}

func (s *Server) readyz(c echo.Context) error {
	if s.deps.Draining != nil && s.deps.Draining() {
		return apperr.Unavailable("the server is shutting down", nil)
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := store.Ping(ctx, s.deps.DB); err != nil {
		return apperr.Unavailable("the database does not answer", err)
	}
	return c.JSON(http.StatusOK, Health{Status: "ready", Version: s.deps.Version})
}

// Health is the answer of /healthz and /readyz.
type Health struct {
	Status  string `json:"status"`
	Version string `json:"version"`
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
