package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsWithoutAnything(t *testing.T) {
	c, rest, err := Load("t", nil, env(nil), io.Discard, nil)
	if err != nil || len(rest) != 0 {
		t.Fatal(err, rest)
	}
	if c.Addr != ":8080" || c.DatabaseURL != "sqlite:./data/caravan.db" || c.AccessTTL != 15*time.Minute || len(c.TrustedProxies) != 0 {
		t.Fatalf("%+v", c)
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	c, _, err := Load("t", []string{"--addr", "127.0.0.1:9000", "--log-level", "debug"},
		env(map[string]string{"CARAVAN_ADDR": ":7000", "CARAVAN_DATABASE_URL": "postgres://u:pw@db/caravan", "CARAVAN_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.1"}), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || c.DatabaseURL != "postgres://u:pw@db/caravan" || c.LogLevel.String() != "DEBUG" || len(c.TrustedProxies) != 2 {
		t.Fatalf("%+v", c)
	}
	if strings.Contains(c.String(), "pw") {
		t.Fatalf("the database password leaks into logs: %s", c.String())
	}
}

func TestSecretsFromFiles(t *testing.T) {
	f := filepath.Join(t.TempDir(), "db")
	if err := os.WriteFile(f, []byte("postgres://u:secret@db/caravan\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err := Load("t", nil, env(map[string]string{"CARAVAN_DATABASE_URL_FILE": f}), io.Discard, nil)
	if err != nil || c.DatabaseURL != "postgres://u:secret@db/caravan" {
		t.Fatal(c.DatabaseURL, err)
	}
	_, _, err = Load("t", nil, env(map[string]string{"CARAVAN_DATABASE_URL_FILE": "/no/such/file"}), io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "CARAVAN_DATABASE_URL_FILE") {
		t.Fatalf("a missing secret file must be named: %v", err)
	}
}

func TestInvalidConfigurationIsOneClearSentence(t *testing.T) {
	for name, e := range map[string]map[string]string{
		"database":   {"CARAVAN_DATABASE_URL": "mysql://x"},
		"log level":  {"CARAVAN_LOG_LEVEL": "loud"},
		"log format": {"CARAVAN_LOG_FORMAT": "xml"},
		"proxy":      {"CARAVAN_TRUSTED_PROXIES": "not-an-ip"},
		"public URL": {"CARAVAN_PUBLIC_URL": "go.example.com"},
		"ttl":        {"CARAVAN_ACCESS_TTL": "forever"},
		"short ttl":  {"CARAVAN_ACCESS_TTL": "1s"},
		"body limit": {"CARAVAN_BODY_LIMIT": "lots"},
	} {
		_, _, err := Load("t", nil, env(e), io.Discard, nil)
		if err == nil {
			t.Errorf("%s: accepted %v", name, e)
			continue
		}
		if msg := err.Error(); strings.Count(msg, "\n") > 0 || len(msg) > 200 {
			t.Errorf("%s: %q is not one sentence", name, msg)
		}
	}
	if _, _, err := Load("t", []string{"--no-such-flag"}, env(nil), io.Discard, nil); err == nil {
		t.Error("unknown flag accepted")
	}
}
