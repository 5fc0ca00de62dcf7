// Package storetest runs a test body against every database dialect Caravan supports: SQLite in a
// temporary folder always, PostgreSQL when CARAVAN_TEST_POSTGRES holds a URL. Each PostgreSQL test
// gets a fresh schema, dropped afterwards, so runs never see each other's rows.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store"
)

// EnvPostgres names the variable holding the PostgreSQL URL for tests.
const EnvPostgres = "CARAVAN_TEST_POSTGRES"

// EachDialect runs fn once per available dialect, as subtests named "sqlite" and "postgres", each on a
// freshly migrated, empty database.
func EachDialect(t *testing.T, fn func(t *testing.T, db *bun.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	if os.Getenv(EnvPostgres) != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
	}
}

// URLs returns a database URL per available dialect, each for a fresh empty (unmigrated) database,
// for tests that start the whole binary.
func URLs(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "caravan.db")}
	if os.Getenv(EnvPostgres) != "" {
		out["postgres"] = PostgresURL(t)
	}
	return out
}

// SQLite returns a migrated database in t.TempDir().
func SQLite(t testing.TB) *bun.DB {
	t.Helper()
	return open(t, "sqlite:"+filepath.Join(t.TempDir(), "caravan.db"))
}

// Postgres returns a migrated database in a new schema; the test is skipped when
// CARAVAN_TEST_POSTGRES is unset.
func Postgres(t testing.TB) *bun.DB {
	t.Helper()
	return open(t, PostgresURL(t))
}

// PostgresURL creates an empty schema for this test, dropped when it ends, and returns a URL whose
// connections use it.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skip(EnvPostgres + " is not set")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "caravan_test_" + hex.EncodeToString(b[:])

	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("storetest: create schema: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Conns holds every connection of db's pool at once (distinct connections, not one reused) until
// the test ends: a setting each connection runs when it opens is checked on all of them.
func Conns(t testing.TB, db *bun.DB) []bun.Conn {
	t.Helper()
	var conns []bun.Conn
	for range db.DB.Stats().MaxOpenConnections {
		c, err := db.Conn(context.Background())
		if err != nil {
			t.Fatalf("storetest: conn: %v", err)
		}
		t.Cleanup(func() { c.Close() })
		conns = append(conns, c)
	}
	return conns
}

func open(t testing.TB, dsn string) *bun.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := store.Migrate(ctx, db); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	return db
}
