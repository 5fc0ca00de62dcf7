// Package store opens the database (embedded SQLite by default, PostgreSQL in production), applies the
// embedded migrations, runs transactions with bounded retries and maps driver errors to apperr values.
// Domain packages keep their own queries; dialect differences live here or in one small place per package.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/caravan-crm/caravan/internal/apperr"
)

// Open connects to the database named by url: "sqlite:PATH" (relative to the working directory, created
// with its folder if missing) or "postgres://…". The connection is checked before Open returns.
func Open(ctx context.Context, url string) (*bun.DB, error) {
	var db *bun.DB
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		// One writer at a time is SQLite's rule; readers run beside it in WAL mode. A few connections
		// are enough and keep the per-connection page caches small.
		conns := max(4, runtime.NumCPU())
		dsn, err := sqliteDSN(strings.TrimPrefix(url, "sqlite:"), conns)
		if err != nil {
			return nil, err
		}
		sqldb, err := sql.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		sqldb.SetMaxOpenConns(conns)
		sqldb.SetMaxIdleConns(conns)
		sqldb.SetConnMaxIdleTime(0)
		db = bun.NewDB(sqldb, sqlitedialect.New())
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		sqldb, err := sql.Open("pgx", url)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		sqldb.SetMaxOpenConns(4 * runtime.NumCPU())
		sqldb.SetMaxIdleConns(4 * runtime.NumCPU())
		sqldb.SetConnMaxLifetime(30 * time.Minute)
		db = bun.NewDB(sqldb, pgdialect.New())
	default:
		return nil, errors.New("store: the database URL must start with sqlite: or postgres://")
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: cannot reach the database: %w", err)
	}
	return db, nil
}

// sqliteDSN builds the modernc DSN. Every pooled connection runs these pragmas when it opens:
//   - journal_mode(WAL): readers never block the writer and the writer never blocks readers.
//   - busy_timeout(10000): a writer waits up to 10 s for the lock instead of failing with SQLITE_BUSY.
//   - foreign_keys(1): SQLite leaves them off unless asked, per connection.
//   - synchronous(NORMAL): durable at every checkpoint and safe against corruption in WAL mode; a power
//     cut may lose the last transactions, a process crash (kill -9) loses nothing.
//   - temp_store(MEMORY): a statement that changes rows in a transaction keeps the pages it may have to
//     undo in a statement journal, which past 64 KiB SQLite writes to a temporary file, a system call
//     per page: every batch of orders, creators or clicks went through one. Writes are batched (at most
//     a few hundred rows a statement), so the journal stays small; temporary tables and indexes
//     (DISTINCT, UNION, IN over a subquery) live in memory too.
//   - cache_size: the pool's connections share SQLitePageCache, so each of conns keeps a page cache of
//     SQLitePageCache/conns (16 MiB on two cores) instead of SQLite's 2 MB. A list page probes
//     indexes all over the file and, with 2 MB, read most pages back from the operating system, a
//     system call each: a filtered page of the bench's 20,000 creators took 4.2-4.4 ms of CPU with
//     2 MB, 3.8-4.1 ms with 16 MiB. Pages are allocated as they are read; the budget bounds them.
//   - mmap_size: connections read the database file through one memory map of it (up to SQLiteMmap)
//     instead of a pread per page their own cache lacks. The pool's caches are per connection and
//     a search or a filter probes pages all over the file, so they missed often: a tenth of a name
//     search's CPU was pread. With the map the pages are the operating system's page cache, shared
//     by every connection; writes and the WAL are unchanged (SQLite only reads through the map).
//     Name search p95 over 20,000 creators, 3,000 requests, in turns: 5.10, 5.03 → 3.82, 3.97 ms
//     (list_search_name in two quick benches: 5.04 → 3.42 ms).
//     The risk SQLite documents, another process truncating the file under the map, is one Caravan
//     does not take: Restore refuses a database in use and puts the backup in place by a rename.
//   - _txlock=immediate: BEGIN takes the write lock at once, so two transactions that read and then write
//     wait on busy_timeout instead of deadlocking into SQLITE_BUSY when the second upgrades its lock.
func sqliteDSN(path string, conns int) (string, error) {
	if path == "" {
		return "", errors.New("store: the sqlite: URL has no file path")
	}
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return "", fmt.Errorf("store: create the folder of %s: %w", path, err)
		}
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Add("_pragma", fmt.Sprintf("mmap_size(%d)", SQLiteMmap))
	q.Add("_pragma", fmt.Sprintf("cache_size(%d)", -SQLitePageCache/1024/conns))
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode(), nil
}

// SQLitePageCache is the memory the pool's SQLite connections may keep as page caches, in all.
const SQLitePageCache = 64 << 20

// SQLiteMmap is how much of the SQLite database file connections read through a memory map: address
// space, not memory (the pages are the operating system's file cache). Past it, reads are preads.
const SQLiteMmap = 1 << 30

// IsSQLite reports whether db is the embedded SQLite database.
func IsSQLite(db bun.IDB) bool { return db.Dialect().Name() == dialect.SQLite }

// maxAttempts bounds RunInTx's retries of serialization failures, deadlocks and busy errors.
const maxAttempts = 5

// RunInTx runs fn in a transaction. Serialization failures and deadlocks (PostgreSQL) and busy
// errors (SQLite) are retried a bounded number of times with backoff; past that the caller gets an
// apperr Unavailable (503). fn must therefore be safe to run again.
func RunInTx(ctx context.Context, db *bun.DB, fn func(ctx context.Context, tx bun.Tx) error) error {
	var err error
	idem := idempotencyKeyFrom(ctx)
	run := fn
	if idem != nil && !idem.recorded {
		run = func(ctx context.Context, tx bun.Tx) error {
			if err := fn(ctx, tx); err != nil {
				return err
			}
			return recordIdempotencyKey(ctx, tx, time.Now().UTC())
		}
	}
	for attempt := 1; ; attempt++ {
		err = db.RunInTx(ctx, nil, run)
		if err == nil && idem != nil {
			idem.recorded = true
		}
		if err == nil || !isRetryable(err) {
			return MapError(err)
		}
		observeTx(attempt == maxAttempts)
		if attempt == maxAttempts {
			return apperr.Unavailable("the database is busy, try again", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt*attempt) * 10 * time.Millisecond):
		}
	}
}

// txObserver is told of each retry of RunInTx and of each transaction it gives up (answered 503).
var txObserver atomic.Pointer[func(gaveUp bool)]

// ObserveTx sets the function told of RunInTx's retries (gaveUp false) and of the transactions it
// gives up (gaveUp true). The metrics package sets it, so the store imports no metrics library.
func ObserveTx(f func(gaveUp bool)) { txObserver.Store(&f) }

func observeTx(gaveUp bool) {
	if f := txObserver.Load(); f != nil {
		(*f)(gaveUp)
	}
}

func isRetryable(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "40001" || pg.Code == "40P01"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		code := se.Code() & 0xff
		return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
	}
	return false
}

// IsUniqueViolation reports whether err comes from a unique or primary key constraint.
func IsUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsForeignKeyViolation reports whether err comes from a foreign key constraint.
func IsForeignKeyViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23503"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// MapError turns driver errors that callers act on into apperr values: sql.ErrNoRows stays as is
// (callers know what was not found), a dead connection becomes Unavailable.
func MapError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := apperr.As(err); ok {
		return err
	}
	if isRetryable(err) {
		return apperr.Unavailable("the database is busy, try again", err)
	}
	if errors.Is(err, sql.ErrConnDone) || errors.Is(err, context.DeadlineExceeded) || isConnError(err) {
		return apperr.Unavailable("the database is unavailable, try again", err)
	}
	return err
}

// isConnError reports a lost or refused connection: the server is restarting (57P01
// admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now), a connection exception (class
// 08), or the network said so. The client may retry later: a 503, never a 500.
func isConnError(err error) bool {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return strings.HasPrefix(pg.Code, "08") || strings.HasPrefix(pg.Code, "57P")
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	return pgconn.SafeToRetry(err) || pgconn.Timeout(err)
}

// Ping checks that the database answers, for /readyz.
func Ping(ctx context.Context, db *bun.DB) error {
	var one int
	return db.NewSelect().ColumnExpr("1").Scan(ctx, &one)
}

// IsNoRows reports whether err says a query found no row.
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Optimize refreshes the query planner's statistics where they are stale. SQLite keeps none until
// asked: without them it may walk a whole table where an index lookup would do (a search by handle
// went from 10 ms to 0.4 ms on 20,000 creators). PRAGMA optimize only analyzes tables that changed a
// lot, so it is cheap to run at start, after bulk writes and periodically. PostgreSQL's autovacuum
// does this by itself when it is on; when it is off (as on some shared servers), or before its first
// round on a new database, tables have no statistics, and the planner may then check a foreign key
// such as (org_id, conversion_id) through an index that matches the organization alone, reading all
// its rows for every row written. Optimize analyzes the tables of the schema that were never analyzed
// or changed by more than autovacuum's default threshold (50 rows and 10 %) since.
func Optimize(ctx context.Context, db bun.IDB) error {
	if !IsSQLite(db) {
		var tables []string
		if err := db.NewRaw(`SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema()
			AND (COALESCE(last_analyze, last_autoanalyze) IS NULL OR n_mod_since_analyze > 50 + 0.1 * n_live_tup)`).Scan(ctx, &tables); err != nil {
			return MapError(err)
		}
		return Analyze(ctx, db, tables...)
	}
	// 0x10012: analyze the tables that might benefit (0x02), with a temporary analysis_limit (0x10,
	// part of the default mask but not of a mask given), checking every table, not only those this
	// connection used (0x10000). Without 0x10 the ANALYZE reads each index whole and holds the write
	// lock throughout: seconds over millions of conversions, past every writer's busy timeout.
	_, err := db.ExecContext(ctx, "PRAGMA optimize=0x10012")
	return MapError(err)
}

// AnalyzeWritten refreshes the planner's statistics of tables a bulk write has just reshaped (the
// creators an import added), on both databases. Optimize would also analyze every other table that
// grew, the search index's own tables included, which none of our queries plans by statistics: 60 ms
// after a 6,000-creator import, against a few for the tables the list's plans depend on. The hourly
// Optimize job refreshes the rest. On SQLite, ANALYZE reads a sample of about analysisLimit rows
// of each index, as PRAGMA optimize does, not the whole table.
func AnalyzeWritten(ctx context.Context, db *bun.DB, tables ...string) error {
	if !IsSQLite(db) {
		return Analyze(ctx, db, tables...)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return MapError(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA analysis_limit = %d", analysisLimit)); err != nil {
		return MapError(err)
	}
	// The limit stays with the connection: it is lifted for whoever uses it next.
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA analysis_limit = 0") }()
	for _, t := range tables {
		if _, err := conn.ExecContext(ctx, "ANALYZE ?", bun.Ident(t)); err != nil {
			return MapError(err)
		}
	}
	return nil
}

// analysisLimit is the rows of each index AnalyzeWritten samples on SQLite (SQLite's documentation:
// "values between 100 and 1000 work well for most applications").
const analysisLimit = 1000

// Analyze refreshes PostgreSQL's statistics of tables within a transaction that is filling them: the
// transaction's own rows count. PostgreSQL plans a foreign key's check once per connection, with the
// statistics of the moment; planned on an empty parent table it scans the table for every row
// checked (EXPLAIN: a sequential scan, or an index matching the organization alone), which a bulk
// write into a new database pays for every row. Analyzing the parents once they hold a batch replans
// the checks as lookups. SQLite checks foreign keys through the parent's key: nothing to do.
func Analyze(ctx context.Context, db bun.IDB, tables ...string) error {
	if IsSQLite(db) {
		return nil
	}
	for _, t := range tables {
		if _, err := db.ExecContext(ctx, "ANALYZE ?", bun.Ident(t)); err != nil {
			return MapError(err)
		}
	}
	return nil
}
