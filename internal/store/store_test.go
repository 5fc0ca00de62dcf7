package store_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/ratelimit"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

func TestBothDialectsHaveTheSameMigrationIDs(t *testing.T) {
	lite, err := store.MigrationIDs("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	pg, err := store.MigrationIDs("postgres")
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 || !slices.Equal(lite, pg) {
		t.Fatalf("sqlite %v\npostgres %v", lite, pg)
	}
	// Every migration can be undone: each .up.sql has its .down.sql, in both folders.
	for _, d := range []string{"sqlite", "postgres"} {
		ups, _ := filepath.Glob(filepath.Join("..", "..", "migrations", d, "*.up.sql"))
		for _, up := range ups {
			down := up[:len(up)-len(".up.sql")] + ".down.sql"
			if _, err := os.Stat(down); err != nil {
				t.Errorf("%s has no down migration", up)
			}
		}
	}
}

func TestMigrationsGoDownAndUpAgain(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		again, err := store.Migrate(ctx, db)
		if err != nil || len(again) != 0 {
			t.Fatalf("second migrate applied %v (%v)", again, err)
		}
		undone, err := store.Rollback(ctx, db, store.AllSteps)
		if err != nil || len(undone) == 0 {
			t.Fatalf("rollback: %v %v", undone, err)
		}
		slices.Reverse(undone) // undone newest first, applied oldest first
		status, err := store.MigrationStatus(ctx, db)
		if err != nil || len(status) == 0 {
			t.Fatal(status, err)
		}
		redone, err := store.Migrate(ctx, db)
		if err != nil || !slices.Equal(redone, undone) {
			t.Fatalf("migrate after rollback applied %v, want %v (%v)", redone, undone, err)
		}
	})
}

func TestRollbackUndoesOneMigrationAtATimeUnlessToldMore(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		ids, _ := store.MigrationIDs("sqlite")
		if len(ids) < 3 {
			t.Skip("needs three migrations")
		}
		name := func(i int) string { return ids[i][:strings.IndexByte(ids[i], '_')] }
		last, prev := name(len(ids)-1), name(len(ids)-2)
		// A fresh database applied every migration in one group; one step still undoes only the last.
		plan, err := store.ToRollBack(ctx, db, 1)
		if err != nil || len(plan) != 1 || plan[0] != ids[len(ids)-1] {
			t.Fatalf("plan %v (%v), want [%s]", plan, err, ids[len(ids)-1])
		}
		undone, err := store.Rollback(ctx, db, 1)
		if err != nil || !slices.Equal(undone, []string{last}) {
			t.Fatalf("one step undid %v (%v), want [%s]", undone, err, last)
		}
		undone, err = store.Rollback(ctx, db, 1)
		if err != nil || !slices.Equal(undone, []string{prev}) {
			t.Fatalf("the next step undid %v (%v), want [%s]", undone, err, prev)
		}
		// Re-applied in a new group, the newest comes off first again.
		if redone, err := store.Migrate(ctx, db); err != nil || !slices.Equal(redone, []string{prev, last}) {
			t.Fatalf("migrate applied %v (%v)", redone, err)
		}
		if undone, err := store.Rollback(ctx, db, 2); err != nil || !slices.Equal(undone, []string{last, prev}) {
			t.Fatalf("two steps undid %v (%v)", undone, err)
		}
		undone, err = store.Rollback(ctx, db, store.AllSteps)
		if err != nil || len(undone) != len(ids)-2 {
			t.Fatalf("all undid %v (%v)", undone, err)
		}
		if ok, err := store.TableExists(ctx, db, "organizations"); err != nil || ok {
			t.Fatalf("organizations still exists after rolling back everything (%v)", err)
		}
		if undone, err := store.Rollback(ctx, db, 1); err != nil || len(undone) != 0 {
			t.Fatalf("nothing left, yet undid %v (%v)", undone, err)
		}
		if _, err := store.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if ok, err := store.TableExists(ctx, db, "organizations"); err != nil || !ok {
			t.Fatalf("organizations missing after migrating again (%v)", err)
		}
	})
}

func TestReplicasStartingTogetherMigrateOnce(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			const replicas = 4
			var wg sync.WaitGroup
			applied := make([][]string, replicas)
			errs := make([]error, replicas)
			for i := range replicas {
				wg.Add(1)
				go func() {
					defer wg.Done()
					db, err := store.Open(ctx, url)
					if err != nil {
						errs[i] = err
						return
					}
					defer db.Close()
					applied[i], errs[i] = store.Migrate(ctx, db)
				}()
			}
			wg.Wait()
			total := 0
			for i := range replicas {
				if errs[i] != nil {
					t.Fatalf("replica %d: %v", i, errs[i])
				}
				total += len(applied[i])
			}
			want, _ := store.MigrationIDs("sqlite")
			if total != len(want) {
				t.Fatalf("migrations applied %d times in all, want %d (once each): %v", total, len(want), applied)
			}
		})
	}
}

func TestUniqueViolationIsRecognisedOnBothDialects(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		_, err := db.ExecContext(ctx, "INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)", "k", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.ExecContext(ctx, "INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)", "k", time.Now())
		if !store.IsUniqueViolation(err) {
			t.Fatalf("not recognised as a unique violation: %v", err)
		}
		_, err = db.ExecContext(ctx, "INSERT INTO users (id, org_id, email, name, role, status, password_hash, password_changed_at, created_at, updated_at) VALUES ('u', 'no-such-org', 'e', 'n', 'viewer', 'active', 'h', ?, ?, ?)", time.Now(), time.Now(), time.Now())
		if !store.IsForeignKeyViolation(err) {
			t.Fatalf("foreign keys must be enforced (SQLite needs the pragma on every connection): %v", err)
		}
	})
}

func TestRunInTxRollsBackOnError(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := store.RunInTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO rate_limits (key, window_start, count) VALUES ('half', ?, 1)", time.Now()); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		n, _ := db.NewSelect().Table("rate_limits").Where("key = 'half'").Count(ctx)
		if n != 0 {
			t.Fatal("a failed transaction left a row behind")
		}
	})
}

func TestConcurrentWritersNeverSeeBusyErrors(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		lim := ratelimit.Limiter{DB: db, Clock: clock.System{}, Limit: 1000, Window: time.Hour}
		var wg sync.WaitGroup
		errs := make(chan error, 400)
		for w := 0; w < 20; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 20; i++ {
					// A read-then-write transaction is the case that deadlocks into SQLITE_BUSY without
					// immediate transactions.
					err := store.RunInTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
						n, err := tx.NewSelect().Table("rate_limits").Count(ctx)
						if err != nil {
							return err
						}
						_, err = tx.ExecContext(ctx, "INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, ?)", store.NewID(), time.Now(), n)
						return err
					})
					if err != nil {
						errs <- err
					}
					if _, _, err := lim.Hit(ctx, "shared"); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("a writer failed: %v (kind %v)", err, apperr.KindOf(err))
		}
		ok, _, _ := lim.Hit(ctx, "shared")
		if !ok {
			t.Fatal("the limit counted more hits than were made")
		}
		var count int
		_ = db.NewRaw("SELECT count FROM rate_limits WHERE key = 'shared'").Scan(ctx, &count)
		if count != 401 {
			t.Fatalf("shared counter %d, want 401: concurrent hits were lost", count)
		}
	})
}

func TestOpenRefusesUnknownURLsAndCreatesTheSQLiteFolder(t *testing.T) {
	ctx := context.Background()
	if _, err := store.Open(ctx, "mysql://x"); err == nil {
		t.Fatal("mysql URL accepted")
	}
	dir := filepath.Join(t.TempDir(), "nested", "data")
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.NewRaw("PRAGMA journal_mode").Scan(ctx, &mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q (%v), want wal", mode, err)
	}
	var fk, timeout int
	_ = db.NewRaw("PRAGMA foreign_keys").Scan(ctx, &fk)
	_ = db.NewRaw("PRAGMA busy_timeout").Scan(ctx, &timeout)
	if fk != 1 || timeout < 1000 {
		t.Fatalf("foreign_keys=%d busy_timeout=%d", fk, timeout)
	}
}

// TestEveryPooledSQLiteConnectionKeepsStatementJournalsInMemory: each connection the pool opens
// has temp_store MEMORY, so a batch's statement journal never spills to a temporary file.
func TestEveryPooledSQLiteConnectionKeepsStatementJournalsInMemory(t *testing.T) {
	ctx := context.Background()
	for i, c := range storetest.Conns(t, storetest.SQLite(t)) {
		var mode int
		if err := c.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != 2 {
			t.Fatalf("connection %d: temp_store = %d, want 2 (MEMORY)", i, mode)
		}
	}
}

// Every pooled SQLite connection reads the file through a memory map (store.SQLiteMmap): with its
// own page cache alone, a name search over 20,000 creators spent a tenth of its CPU in pread.
func TestEveryPooledSQLiteConnectionReadsTheFileThroughAMemoryMap(t *testing.T) {
	ctx := context.Background()
	for i, c := range storetest.Conns(t, storetest.SQLite(t)) {
		var size int64
		if err := c.QueryRowContext(ctx, "PRAGMA mmap_size").Scan(&size); err != nil {
			t.Fatal(err)
		}
		if size != store.SQLiteMmap {
			t.Fatalf("connection %d: mmap_size = %d, want %d", i, size, int64(store.SQLiteMmap))
		}
	}
}

// The pool's SQLite connections share a page cache budget (store.SQLitePageCache), each its part of
// it, instead of SQLite's 2 MB each: a filtered list page probes indexes all over the file and, with
// 2 MB, read most of its pages back from the operating system (CPU per filtered page of 20,000
// creators: 4.2-4.4 ms with 2 MB, 3.8-4.1 ms with 16 MiB).
func TestThePooledSQLiteConnectionsShareAPageCacheBudget(t *testing.T) {
	ctx := context.Background()
	conns := storetest.Conns(t, storetest.SQLite(t))
	var kib int64
	for _, c := range conns {
		var size int64
		if err := c.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&size); err != nil {
			t.Fatal(err)
		}
		if size >= 0 {
			t.Fatalf("cache_size %d: a number of pages, not KiB", size)
		}
		kib -= size
	}
	if budget := int64(store.SQLitePageCache / 1024); kib > budget || kib < budget-int64(len(conns)) {
		t.Errorf("the pool's %d connections keep %d KiB of page cache in all, want %d", len(conns), kib, budget)
	}
}

func TestSerializationFailuresAreRetriedThenUnavailable(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		for _, code := range []string{"40001", "40P01"} {
			attempts := 0
			err := store.RunInTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
				attempts++
				return &pgconn.PgError{Code: code}
			})
			if attempts != 5 || apperr.KindOf(err) != apperr.KindUnavailable {
				t.Fatalf("%s: %d attempts, err %v; want 5 attempts then unavailable (503)", code, attempts, err)
			}
			attempts = 0
			err = store.RunInTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
				if attempts++; attempts < 3 {
					return &pgconn.PgError{Code: code}
				}
				return nil
			})
			if err != nil || attempts != 3 {
				t.Fatalf("%s: a transient failure must succeed on retry: %d attempts, %v", code, attempts, err)
			}
		}
		// Other errors are not retried.
		attempts := 0
		_ = store.RunInTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			attempts++
			return &pgconn.PgError{Code: "23505"}
		})
		if attempts != 1 {
			t.Fatalf("a unique violation was retried %d times", attempts)
		}
	})
}

func TestPostgresConnectionsRecoverAfterTheServerDropsThem(t *testing.T) {
	ctx := context.Background()
	app := "caravan_recover_" + store.NewID()[:8]
	db, err := store.Open(ctx, storetest.PostgresURL(t)+"&application_name="+app)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := store.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	// Kill this pool's sessions, as a database restart would.
	admin := storetest.Postgres(t)
	var killed int
	if err := admin.NewRaw("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?", app).Scan(ctx, &killed); err != nil || killed == 0 {
		t.Fatalf("terminated %d sessions (%v)", killed, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := store.Ping(ctx, db)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still failing after the connections were dropped: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	n, err := db.NewSelect().Table("rate_limits").Count(ctx)
	if err != nil || n != 0 {
		t.Fatalf("after recovery: %d %v", n, err)
	}
}

// PostgreSQL restarting (57P01 admin_shutdown and friends) answered 500 where a 503 with
// Retry-After was due: the client may simply retry.
func TestConnectionLossIsUnavailableNotInternal(t *testing.T) {
	for _, err := range []error{
		&pgconn.PgError{Code: "57P01"}, &pgconn.PgError{Code: "57P02"}, &pgconn.PgError{Code: "57P03"},
		&pgconn.PgError{Code: "08006"}, fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: "08003"}),
		driver.ErrBadConn, io.ErrUnexpectedEOF, syscall.ECONNREFUSED, &net.OpError{Op: "read", Err: syscall.ECONNRESET},
	} {
		if k := apperr.KindOf(store.MapError(err)); k != apperr.KindUnavailable {
			t.Errorf("%v: kind %v, want unavailable", err, k)
		}
	}
	if k := apperr.KindOf(store.MapError(&pgconn.PgError{Code: "23505"})); k == apperr.KindUnavailable {
		t.Errorf("a unique violation is not a lost connection")
	}
}

// On PostgreSQL Optimize analyzes the tables that were never analyzed or changed a lot since, as
// autovacuum would (and does not when it is off): without statistics the planner checked a foreign
// key such as (org_id, conversion_id) through an index matching the organization alone.
func TestOptimizeAnalyzesTheTablesPostgresHasNoStatisticsFor(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	analyzed := func() map[string]bool {
		t.Helper()
		var rows []struct {
			Name     string `bun:"relname"`
			Analyzed bool   `bun:"analyzed"`
		}
		if err := db.NewRaw(`SELECT relname, COALESCE(last_analyze, last_autoanalyze) IS NOT NULL AS analyzed
			FROM pg_stat_user_tables WHERE schemaname = current_schema()`).Scan(ctx, &rows); err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, r := range rows {
			out[r.Name] = r.Analyzed
		}
		return out
	}
	// A new database: the migrations just ran.
	if err := store.Optimize(ctx, db); err != nil {
		t.Fatal(err)
	}
	before := analyzed()
	if len(before) < 10 {
		t.Fatalf("only %d tables in the schema: %v", len(before), before)
	}
	for name, ok := range before {
		if !ok {
			t.Errorf("table %s was not analyzed", name)
		}
	}
	// Analyzed again only once it has changed a lot: the time of the last analyse moves.
	var last time.Time
	stamp := func() time.Time {
		t.Helper()
		// The statistics collector's view is a snapshot per transaction: a new one for each read.
		if _, err := db.ExecContext(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
			t.Fatal(err)
		}
		var at time.Time
		if err := db.QueryRowContext(ctx, `SELECT last_analyze FROM pg_stat_user_tables
			WHERE schemaname = current_schema() AND relname = 'rate_limits'`).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	last = stamp()
	if err := store.Optimize(ctx, db); err != nil {
		t.Fatal(err)
	}
	if got := stamp(); !got.Equal(last) {
		t.Fatalf("rate_limits analyzed again without a change (%v, then %v)", last, got)
	}
	for i := range 200 {
		if _, err := db.ExecContext(ctx, "INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)", fmt.Sprintf("k%d", i), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	// The collector receives a backend's counts when its transaction ends; give it a moment.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := store.Optimize(ctx, db); err != nil {
			t.Fatal(err)
		}
		if stamp().After(last) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("rate_limits was not analyzed again after 200 inserts")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// On SQLite Optimize samples a grown table's indexes instead of reading them whole: an ANALYZE holds
// the write lock for as long as it reads, and the hourly job's full ANALYZE of a few million
// conversions kept every other writer waiting past the 10-second busy timeout (the statement bench's
// seed failed with SQLITE_BUSY). PRAGMA optimize limits its ANALYZE only with the 0x10 bit. Seen from
// outside: 50,000 rows sharing one window_start, rate_limits_window_idx's statistics say every row
// shares its value when the index was read whole ("50000 50000"); a sample cannot have seen that many.
func TestOptimizeSamplesAGrownTableOnSQLite(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	if err := store.Optimize(ctx, db); err != nil { // the new database's statistics: empty tables
		t.Fatal(err)
	}
	const rows = 50_000
	if _, err := db.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO rate_limits (key, window_start, count) SELECT 'k' || i, ?, 1 FROM n`, rows, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := store.Optimize(ctx, db); err != nil {
		t.Fatal(err)
	}
	var stat string
	if err := db.QueryRowContext(ctx, "SELECT stat FROM sqlite_stat1 WHERE idx = 'rate_limits_window_idx'").Scan(&stat); err != nil {
		t.Fatalf("rate_limits was not analyzed after %d inserts: %v", rows, err)
	}
	var total, same int
	if _, err := fmt.Sscanf(stat, "%d %d", &total, &same); err != nil {
		t.Fatalf("stat %q: %v", stat, err)
	}
	if total < rows/2 {
		t.Errorf("stat %q: %d rows estimated, %d written", stat, total, rows)
	}
	if same > rows/10 {
		t.Errorf("stat %q: Optimize read the whole index (%d rows alike), not a sample", stat, same)
	}
}
