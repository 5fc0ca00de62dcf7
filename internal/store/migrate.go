package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

	"github.com/caravan-crm/caravan/migrations"
)

// migrationLockKey is the PostgreSQL advisory lock that serialises migrations across replicas
// (an arbitrary constant: "caravan" in ASCII).
const migrationLockKey = 0x63617261766e

func migrator(db *bun.DB) (*migrate.Migrator, error) {
	name := "sqlite"
	if !IsSQLite(db) {
		name = "postgres"
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(migrations.For(name)); err != nil {
		return nil, fmt.Errorf("store: load migrations: %w", err)
	}
	return migrate.NewMigrator(db, ms, migrate.WithMarkAppliedOnSuccess(true)), nil
}

// withMigrationLock runs fn while holding bun's migration lock. On PostgreSQL an advisory lock is
// taken first and waited for, so replicas starting together migrate one after another, and a lock
// row left by a process killed mid-migration can be cleared safely. SQLite is one file on one
// machine: the lock row is retried for a while.
func withMigrationLock(ctx context.Context, db *bun.DB, m *migrate.Migrator, fn func() error) error {
	if !IsSQLite(db) {
		conn, err := db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("store: migration lock: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", migrationLockKey); err != nil {
			return fmt.Errorf("store: migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", migrationLockKey) //nolint:errcheck // released with the connection anyway
		if err := m.Init(ctx); err != nil {
			return fmt.Errorf("store: init migrations: %w", err)
		}
		// Holding the advisory lock, any lock row is a leftover of a crashed process.
		if err := m.Unlock(ctx); err != nil {
			return fmt.Errorf("store: clear stale migration lock: %w", err)
		}
	} else if err := m.Init(ctx); err != nil {
		return fmt.Errorf("store: init migrations: %w", err)
	}

	deadline := time.Now().Add(60 * time.Second)
	for {
		err := m.Lock(ctx)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("store: migrations are locked by another process; if none is running, run `caravan migrate unlock`: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	defer m.Unlock(context.WithoutCancel(ctx)) //nolint:errcheck // best effort; reported by the next run
	return fn()
}

// Migrate applies every migration not yet applied and returns their names.
func Migrate(ctx context.Context, db *bun.DB) ([]string, error) {
	m, err := migrator(db)
	if err != nil {
		return nil, err
	}
	var applied []string
	err = withMigrationLock(ctx, db, m, func() error {
		group, err := m.Migrate(ctx)
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		for _, mg := range group.Migrations {
			applied = append(applied, mg.Name)
		}
		return nil
	})
	return applied, err
}

// AllSteps asks Rollback to undo every applied migration.
const AllSteps = -1

// Rollback undoes the last steps applied migrations (every one with AllSteps), newest first, one at a
// time, and returns their names. bun's own Rollback undoes a whole group, which after a fresh install
// is every migration: one step is the safer default for an operator.
func Rollback(ctx context.Context, db *bun.DB, steps int) ([]string, error) {
	m, err := migrator(db)
	if err != nil {
		return nil, err
	}
	var undone []string
	err = withMigrationLock(ctx, db, m, func() error {
		last, err := lastApplied(ctx, m, steps)
		if err != nil {
			return err
		}
		for i := range last {
			mg := &last[i]
			if mg.Down == nil {
				return fmt.Errorf("store: rollback: %s has no down migration", mg.Name)
			}
			if err := mg.Down(ctx, m, mg); err != nil {
				return fmt.Errorf("store: rollback %s: %w", mg.Name, err)
			}
			if err := m.MarkUnapplied(ctx, mg); err != nil {
				return fmt.Errorf("store: rollback %s: %w", mg.Name, err)
			}
			undone = append(undone, mg.Name)
		}
		return nil
	})
	return undone, err
}

// ToRollBack names the migrations Rollback(ctx, db, steps) would undo, in that order.
func ToRollBack(ctx context.Context, db *bun.DB, steps int) ([]string, error) {
	m, err := migrator(db)
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("store: init migrations: %w", err)
	}
	last, err := lastApplied(ctx, m, steps)
	var names []string
	for _, mg := range last {
		names = append(names, mg.Name+"_"+mg.Comment)
	}
	return names, err
}

// lastApplied returns the last steps applied migrations, the most recent first: the latest group,
// and in a group the latest name (the order bun applied them in).
func lastApplied(ctx context.Context, m *migrate.Migrator, steps int) (migrate.MigrationSlice, error) {
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migration status: %w", err)
	}
	applied := ms.Applied()
	slices.SortStableFunc(applied, func(a, b migrate.Migration) int {
		if c := cmp.Compare(b.GroupID, a.GroupID); c != 0 {
			return c
		}
		return cmp.Compare(b.Name, a.Name)
	})
	if steps >= 0 && steps < len(applied) {
		applied = applied[:steps]
	}
	return applied, nil
}

// TableExists reports whether the table is in the database (in the search path on PostgreSQL).
func TableExists(ctx context.Context, db bun.IDB, table string) (bool, error) {
	var n int
	var err error
	if IsSQLite(db) {
		err = db.NewRaw("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", table).Scan(ctx, &n)
	} else {
		err = db.NewRaw("SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = ? AND schemaname = ANY (current_schemas(false))", table).Scan(ctx, &n)
	}
	if err != nil {
		return false, fmt.Errorf("store: look for table %s: %w", table, MapError(err))
	}
	return n > 0, nil
}

// MigrationStatus describes each known migration, oldest first, as "NAME applied|pending".
func MigrationStatus(ctx context.Context, db *bun.DB) ([]string, error) {
	m, err := migrator(db)
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("store: init migrations: %w", err)
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migration status: %w", err)
	}
	var out []string
	for _, mg := range ms {
		state := "pending"
		if mg.IsApplied() {
			state = "applied (group " + fmt.Sprint(mg.GroupID) + ")"
		}
		out = append(out, mg.Name+"_"+mg.Comment+" "+state)
	}
	return out, nil
}

// Unlock clears bun's migration lock row, for an operator after a crash.
func Unlock(ctx context.Context, db *bun.DB) error {
	m, err := migrator(db)
	if err != nil {
		return err
	}
	if err := m.Init(ctx); err != nil {
		return err
	}
	return m.Unlock(ctx)
}

// MigrationIDs lists the migration IDs of one dialect's folder (for the test that keeps both in step).
func MigrationIDs(dialect string) ([]string, error) {
	ms := migrate.NewMigrations()
	if err := ms.Discover(migrations.For(dialect)); err != nil {
		return nil, err
	}
	var ids []string
	for _, m := range ms.Sorted() {
		ids = append(ids, m.Name+"_"+strings.TrimSpace(m.Comment))
	}
	return ids, nil
}
