// Package config loads Caravan's settings from CARAVAN_* environment variables, overridden by flags.
// Any setting X may instead be read from the file named by X_FILE (for secrets kept by an orchestrator).
// Secrets are never logged: String redacts them.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"
)

// Config is everything the binary needs to start.
type Config struct {
	Addr        string // listen address, e.g. ":8080"
	DatabaseURL string // sqlite:./data/caravan.db, sqlite:/abs/path.db or postgres://…
	PublicURL   string // public base URL, used in short links, e.g. https://go.example.com
	LogLevel    slog.Level
	LogFormat   string // text | json

	// TrustedProxies are the networks whose X-Forwarded-For is believed. Empty: the peer address counts.
	TrustedProxies []netip.Prefix
	// CORSOrigins may call the API from a browser on another origin. Empty: same origin only.
	CORSOrigins []string

	AccessTTL  time.Duration // lifetime of an access JWT
	RefreshTTL time.Duration // lifetime of a refresh token (and its session when idle)
	BodyLimit  int64         // bytes; larger JSON bodies get 413

	MinPasswordLength int           // NIST SP 800-63B: at least 10 by default, never below 8
	DrainDelay        time.Duration // after SIGTERM, /readyz answers 503 this long before the server stops
	ClickRetention    time.Duration // raw clicks older than this are rolled up into daily counts and deleted

	// MetricsAddr is the private listen address of /metrics (Prometheus), e.g. "127.0.0.1:9090".
	// Empty: no metrics listener. Never the public address: metrics tell outsiders too much.
	MetricsAddr string
}

// Defaults returns the settings used when nothing is configured.
func Defaults() Config {
	return Config{
		Addr:        ":8080",
		DatabaseURL: "sqlite:./data/caravan.db",
		PublicURL:   "http://localhost:8080",
		LogLevel:    slog.LevelInfo,
		LogFormat:   "text",
		AccessTTL:   15 * time.Minute,
		RefreshTTL:  30 * 24 * time.Hour,
		BodyLimit:   2 << 20,

		MinPasswordLength: 10,
		ClickRetention:    180 * 24 * time.Hour,
	}
}

// Load reads the environment (through getenv) and then the flags in args. It returns the remaining
// arguments. extra, if not nil, registers a subcommand's own flags on the same set. Unknown flags are
// an error; -h prints the usage to out.
func Load(name string, args []string, getenv func(string) string, out io.Writer, extra func(*flag.FlagSet)) (Config, []string, error) {
	c := Defaults()
	env := func(key string) (string, error) {
		if v := getenv(key); v != "" {
			return v, nil
		}
		if path := getenv(key + "_FILE"); path != "" {
			b, err := os.ReadFile(path)
			if err != nil {
				return "", fmt.Errorf("%s_FILE: cannot read %s: %w", key, path, err)
			}
			return strings.TrimSpace(string(b)), nil
		}
		return "", nil
	}

	raw := map[string]*string{}
	keys := []struct{ env, flag, def, usage string }{
		{"CARAVAN_ADDR", "addr", c.Addr, "listen address"},
		{"CARAVAN_DATABASE_URL", "database-url", c.DatabaseURL, "sqlite:PATH or postgres://… (secret)"},
		{"CARAVAN_PUBLIC_URL", "public-url", c.PublicURL, "public base URL used in short links"},
		{"CARAVAN_LOG_LEVEL", "log-level", "info", "debug, info, warn or error"},
		{"CARAVAN_LOG_FORMAT", "log-format", c.LogFormat, "text or json"},
		{"CARAVAN_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated CIDRs whose X-Forwarded-For is trusted"},
		{"CARAVAN_CORS_ORIGINS", "cors-origins", "", "comma-separated origins allowed to call the API from a browser"},
		{"CARAVAN_ACCESS_TTL", "access-ttl", c.AccessTTL.String(), "access token lifetime"},
		{"CARAVAN_REFRESH_TTL", "refresh-ttl", c.RefreshTTL.String(), "refresh token lifetime"},
		{"CARAVAN_BODY_LIMIT", "body-limit", fmt.Sprint(c.BodyLimit), "largest JSON body in bytes"},
		{"CARAVAN_MIN_PASSWORD_LENGTH", "min-password-length", fmt.Sprint(c.MinPasswordLength), "fewest characters of a new password (8 or more)"},
		{"CARAVAN_DRAIN_DELAY", "drain-delay", "0s", "after SIGTERM, how long /readyz answers 503 before the server stops (behind a load balancer: a few seconds)"},
		{"CARAVAN_CLICK_RETENTION", "click-retention", "180d", "how long raw clicks are kept before they are rolled up into daily counts (e.g. 180d or 4320h; at least 31d)"},
		{"CARAVAN_METRICS_ADDR", "metrics-addr", "", "private listen address of /metrics (Prometheus), e.g. 127.0.0.1:9090; empty: none"},
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	for _, k := range keys {
		v, err := env(k.env)
		if err != nil {
			return c, nil, err
		}
		if v == "" {
			v = k.def
		}
		raw[k.flag] = fs.String(k.flag, v, k.usage+" ($"+k.env+")")
	}
	if extra != nil {
		extra(fs)
	}
	// Flags may come before or after the positional arguments (caravan migrate up --database-url …).
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return c, nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			positional = append(positional, args[1:]...)
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}

	c.Addr = *raw["addr"]
	c.MetricsAddr = *raw["metrics-addr"]
	c.DatabaseURL = *raw["database-url"]
	c.PublicURL = strings.TrimRight(*raw["public-url"], "/")
	c.LogFormat = *raw["log-format"]
	var err error
	if err = c.LogLevel.UnmarshalText([]byte(*raw["log-level"])); err != nil {
		return c, nil, fmt.Errorf("log level %q is not one of debug, info, warn, error", *raw["log-level"])
	}
	if c.TrustedProxies, err = parsePrefixes(*raw["trusted-proxies"]); err != nil {
		return c, nil, err
	}
	c.CORSOrigins = splitList(*raw["cors-origins"])
	if c.AccessTTL, err = time.ParseDuration(*raw["access-ttl"]); err != nil {
		return c, nil, fmt.Errorf("access TTL %q is not a duration such as 15m", *raw["access-ttl"])
	}
	if c.RefreshTTL, err = time.ParseDuration(*raw["refresh-ttl"]); err != nil {
		return c, nil, fmt.Errorf("refresh TTL %q is not a duration such as 720h", *raw["refresh-ttl"])
	}
	if _, err = fmt.Sscan(*raw["body-limit"], &c.BodyLimit); err != nil {
		return c, nil, fmt.Errorf("body limit %q is not a number of bytes", *raw["body-limit"])
	}
	if _, err = fmt.Sscan(*raw["min-password-length"], &c.MinPasswordLength); err != nil {
		return c, nil, fmt.Errorf("minimum password length %q is not a number", *raw["min-password-length"])
	}
	if c.DrainDelay, err = time.ParseDuration(*raw["drain-delay"]); err != nil {
		return c, nil, fmt.Errorf("drain delay %q is not a duration such as 5s", *raw["drain-delay"])
	}
	if c.ClickRetention, err = parseDays(*raw["click-retention"]); err != nil {
		return c, nil, fmt.Errorf("click retention %q is not a duration such as 180d or 4320h", *raw["click-retention"])
	}
	return c, positional, c.Validate()
}

// Validate checks the settings and says, in one sentence, what is wrong.
func (c Config) Validate() error {
	switch {
	case c.Addr == "":
		return errors.New("the listen address (CARAVAN_ADDR) is empty")
	case !strings.HasPrefix(c.DatabaseURL, "sqlite:") && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://"):
		return errors.New("the database URL (CARAVAN_DATABASE_URL) must start with sqlite: or postgres://")
	case c.LogFormat != "text" && c.LogFormat != "json":
		return fmt.Errorf("log format %q is not text or json", c.LogFormat)
	case c.AccessTTL < time.Minute || c.AccessTTL > 24*time.Hour:
		return fmt.Errorf("access TTL %s must be between 1m and 24h", c.AccessTTL)
	case c.RefreshTTL < c.AccessTTL:
		return fmt.Errorf("refresh TTL %s must not be shorter than the access TTL %s", c.RefreshTTL, c.AccessTTL)
	case c.BodyLimit < 1024:
		return fmt.Errorf("body limit %d is below 1024 bytes", c.BodyLimit)
	case c.MinPasswordLength < 8 || c.MinPasswordLength > 64:
		return fmt.Errorf("minimum password length %d must be between 8 and 64 (NIST SP 800-63B)", c.MinPasswordLength)
	case c.DrainDelay < 0 || c.DrainDelay > time.Minute:
		return fmt.Errorf("drain delay %s must be between 0s and 1m", c.DrainDelay)
	case c.ClickRetention < 31*24*time.Hour:
		// The 30-day click figures count raw clicks only while they are kept for more than 30 days.
		return fmt.Errorf("click retention %s must be at least 31 days (744h)", c.ClickRetention)
	case c.MetricsAddr != "" && !strings.Contains(c.MetricsAddr, ":"):
		return fmt.Errorf("the metrics address (CARAVAN_METRICS_ADDR) %q is not host:port, such as 127.0.0.1:9090", c.MetricsAddr)
	case c.MetricsAddr != "" && c.MetricsAddr == c.Addr:
		return errors.New("the metrics address (CARAVAN_METRICS_ADDR) must differ from the public listen address (CARAVAN_ADDR)")
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("the public URL (CARAVAN_PUBLIC_URL) %q must be an absolute http(s) URL", c.PublicURL)
	}
	return nil
}

// String describes the configuration for logs, with the database password redacted.
func (c Config) String() string {
	return fmt.Sprintf("addr=%s database=%s public_url=%s log=%s/%s trusted_proxies=%v",
		c.Addr, RedactURL(c.DatabaseURL), c.PublicURL, c.LogLevel, c.LogFormat, c.TrustedProxies)
}

// RedactURL hides the password of a database URL.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// parseDays reads a duration that may be written in days ("180d") as well as Go's units ("4320h").
func parseDays(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var days int64
		if _, err := fmt.Sscan(n, &days); err != nil || fmt.Sprint(days) != n {
			return 0, fmt.Errorf("not a number of days: %q", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, p := range splitList(s) {
		if !strings.Contains(p, "/") {
			a, err := netip.ParseAddr(p)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q is not an IP address or CIDR", p)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		pf, err := netip.ParsePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is not an IP address or CIDR", p)
		}
		out = append(out, pf.Masked())
	}
	return out, nil
}
