package store

import (
	"context"
	"fmt"
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

// Rollback undoes the last group of migrations and returns their names.
func Rollback(ctx context.Context, db *bun.DB) ([]string, error) {
	m, err := migrator(db)
	if err != nil {
		return nil, err
	}
	var undone []string
	err = withMigrationLock(ctx, db, m, func() error {
		group, err := m.Rollback(ctx)
		if err != nil {
			return fmt.Errorf("store: rollback: %w", err)
		}
		for _, mg := range group.Migrations {
			undone = append(undone, mg.Name)
		}
		return nil
	})
	return undone, err
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
