// Package ratelimit counts attempts in fixed windows kept in the database, so every replica behind a
// load balancer shares the same counters.
package ratelimit

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/store"
)

// Limiter allows Limit events per Window for each key.
type Limiter struct {
	DB     bun.IDB
	Clock  clock.Clock
	Limit  int
	Window time.Duration
}

// Hit counts one event for key and reports whether it is within the limit; when it is not,
// retryAfter says when the window ends.
func (l Limiter) Hit(ctx context.Context, key string) (ok bool, retryAfter time.Duration, err error) {
	now := l.Clock.Now().UTC()
	expired := now.Add(-l.Window)
	var row struct {
		Count       int       `bun:"count"`
		WindowStart time.Time `bun:"window_start"`
	}
	// One statement, so concurrent hits on any replica never lose a count.
	err = l.DB.NewRaw(`INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN rate_limits.window_start <= ? THEN 1 ELSE rate_limits.count + 1 END,
  window_start = CASE WHEN rate_limits.window_start <= ? THEN excluded.window_start ELSE rate_limits.window_start END
RETURNING count, window_start`, key, now, expired, expired).Scan(ctx, &row)
	if err != nil {
		return false, 0, store.MapError(err)
	}
	if row.Count <= l.Limit {
		return true, 0, nil
	}
	return false, retryIn(row.WindowStart.Add(l.Window), now), nil
}

// Exceeded reports, without counting, whether key has used up its window.
func (l Limiter) Exceeded(ctx context.Context, key string) (bool, time.Duration, error) {
	now := l.Clock.Now().UTC()
	var row struct {
		Count       int       `bun:"count"`
		WindowStart time.Time `bun:"window_start"`
	}
	err := l.DB.NewRaw(`SELECT count, window_start FROM rate_limits WHERE key = ? AND window_start > ?`,
		key, now.Add(-l.Window)).Scan(ctx, &row)
	if err != nil {
		if store.IsNoRows(err) {
			return false, 0, nil
		}
		return false, 0, store.MapError(err)
	}
	if row.Count < l.Limit {
		return false, 0, nil
	}
	return true, retryIn(row.WindowStart.Add(l.Window), now), nil
}

// Count returns how many events key has in its current window (0 when the window has ended).
func (l Limiter) Count(ctx context.Context, key string) (int, error) {
	var n int
	err := l.DB.NewRaw(`SELECT count FROM rate_limits WHERE key = ? AND window_start > ?`,
		key, l.Clock.Now().UTC().Add(-l.Window)).Scan(ctx, &n)
	if err != nil {
		if store.IsNoRows(err) {
			return 0, nil
		}
		return 0, store.MapError(err)
	}
	return n, nil
}

// Reset forgets key's count.
func (l Limiter) Reset(ctx context.Context, key string) error {
	_, err := l.DB.NewRaw(`DELETE FROM rate_limits WHERE key = ?`, key).Exec(ctx)
	return store.MapError(err)
}

func retryIn(end, now time.Time) time.Duration {
	d := end.Sub(now).Round(time.Second)
	if d < time.Second {
		d = time.Second
	}
	return d
}

// PurgeBatch is how many rows Purge deletes per statement: small, so a purge never holds the table
// (SQLite's single writer, PostgreSQL's row locks) for long.
const PurgeBatch = 500

// Purge deletes the counters whose window started before olderThan, in batches of PurgeBatch, and
// returns how many it deleted. Pass now minus the longest window any limiter uses: a counter older
// than its window counts nothing, so deleting it changes no answer. Safe to run on every replica at
// once.
func Purge(ctx context.Context, db bun.IDB, olderThan time.Time) (int64, error) {
	var total int64
	for {
		res, err := db.NewRaw(`DELETE FROM rate_limits WHERE key IN (
  SELECT key FROM rate_limits WHERE window_start < ? LIMIT ?)`, olderThan.UTC(), PurgeBatch).Exec(ctx)
		if err != nil {
			return total, store.MapError(err)
		}
		n, _ := res.RowsAffected()
		total += n
		if n < PurgeBatch {
			return total, nil
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}
