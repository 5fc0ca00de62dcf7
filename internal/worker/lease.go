package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/store"
)

// NewHolder returns an id for this process, unique among the replicas sharing a database: the host
// name (for the operator reading the leases table) and random bytes (two processes on one host differ).
func NewHolder() string {
	host, _ := os.Hostname()
	var b [6]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Leases claims, renews and releases named leases in the leases table for one holder.
type Leases struct {
	DB     bun.IDB
	Clock  clock.Clock
	Holder string
}

// Lease is one row of the leases table.
type Lease struct {
	bun.BaseModel `bun:"table:leases,alias:l"`
	Name          string    `bun:"name,pk"`
	Holder        string    `bun:"holder"`
	ExpiresAt     time.Time `bun:"expires_at"`
}

// Claim takes the lease name until the time until, or extends it when this holder has it already.
// It reports false when another holder has it and it has not expired. One statement does it, so two
// replicas claiming at once cannot both win: the row lock (PostgreSQL) or the write lock (SQLite)
// orders them, and the second sees the first's unexpired row in its WHERE.
func (l Leases) Claim(ctx context.Context, name string, until time.Time) (bool, error) {
	now := l.Clock.Now().UTC()
	var got string
	err := l.DB.NewRaw(`INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
WHERE leases.expires_at < ? OR leases.holder = excluded.holder
RETURNING holder`, name, l.Holder, until.UTC(), now).Scan(ctx, &got)
	if store.IsNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("worker: claim lease %s: %w", name, store.MapError(err))
	}
	return got == l.Holder, nil
}

// Release gives the lease up if this holder has it. Expiring at until rather than deleting the row
// lets a once-per-cluster job keep its window: no other replica runs it again before until; until in
// the past (or now) frees it at once.
// It reports whether this holder still had the lease.
func (l Leases) Release(ctx context.Context, name string, until time.Time) (bool, error) {
	res, err := l.DB.NewUpdate().Model((*Lease)(nil)).
		Set("expires_at = ?", until.UTC()).
		Where("name = ? AND holder = ?", name, l.Holder).
		Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("worker: release lease %s: %w", name, store.MapError(err))
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Delete removes the lease if this holder has it.
func (l Leases) Delete(ctx context.Context, name string) error {
	_, err := l.DB.NewDelete().Model((*Lease)(nil)).Where("name = ? AND holder = ?", name, l.Holder).Exec(ctx)
	if err != nil {
		return fmt.Errorf("worker: delete lease %s: %w", name, store.MapError(err))
	}
	return nil
}

// Active lists the unexpired leases whose name starts with prefix, at now.
func Active(ctx context.Context, db bun.IDB, prefix string, now time.Time) ([]Lease, error) {
	var ls []Lease
	q := db.NewSelect().Model(&ls).Where("l.expires_at >= ?", now.UTC()).Order("l.name")
	if prefix != "" {
		q = q.Where("substr(l.name, 1, ?) = ?", len(prefix), prefix)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("worker: list leases: %w", store.MapError(err))
	}
	return ls, nil
}

// ServerLeasePrefix names the lease every `caravan serve` holds while it runs (ServerLease).
const ServerLeasePrefix = "server:"

// ServerLease is the name of the lease a server holds while it runs on a database.
func ServerLease(holder string) string { return ServerLeasePrefix + holder }

// RunningServers lists the holders of unexpired server leases: the servers using db now.
func RunningServers(ctx context.Context, db bun.IDB, now time.Time) ([]string, error) {
	ls, err := Active(ctx, db, ServerLeasePrefix, now)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range ls {
		out = append(out, strings.TrimPrefix(l.Name, ServerLeasePrefix))
	}
	return out, nil
}
