package tracking

// The flusher's own SQLite connection. SQLite keeps a page cache per connection and, in WAL mode,
// drops all of it when the connection starts a transaction after another connection has written. The
// pool hands the flusher whichever connection is free, so most flushes started cold: every B-tree
// page a batch touched was read again (a system call each), a 2,000-click batch dirtied more pages
// than the default cache (2 MB) holds and spilled them to the WAL in the middle of the transaction,
// and each chunk's statement journal went to a temporary file. Profiles put these system calls at
// about a third of the flusher's time. The flusher therefore keeps one connection while it runs,
// with a larger cache (its statement journals are in memory, as on every pooled connection: store's
// temp_store); the redirect's reads and everything else use the rest of the pool. PostgreSQL has no such cache per connection: there the flusher uses the
// pool like everyone else.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store"
)

// flushConnPragmas set up the flusher's SQLite connection: a cache of up to 32 MiB (pages are
// allocated as they are used; this bounds it).
var flushConnPragmas = []string{"PRAGMA cache_size = -32768"}

// inTx runs fn in a transaction: on SQLite on the flusher's own connection when held is true (the
// caller holds r.writing, which guards the connection) until the recorder is closed, otherwise
// through store.RunInTx on the pool.
func (r *recorder) inTx(ctx context.Context, held bool, fn func(ctx context.Context, tx bun.Tx) error) error {
	r.mu.Lock()
	closed := r.closed
	r.mu.Unlock()
	if !held || closed || !store.IsSQLite(r.db) {
		return store.RunInTx(ctx, r.db, fn)
	}
	if r.conn == nil {
		c, err := r.db.Conn(ctx)
		if err != nil {
			return store.MapError(err)
		}
		// The pool's own cache size, which releaseConn gives the connection back with.
		if err := c.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&r.poolCache); err != nil {
			c.Close()
			return store.MapError(err)
		}
		for _, p := range flushConnPragmas {
			if _, err := c.ExecContext(ctx, p); err != nil {
				c.Close()
				return store.MapError(err)
			}
		}
		r.conn = &c
	}
	err := r.conn.RunInTx(ctx, nil, fn)
	if err != nil && errors.Is(err, sql.ErrConnDone) {
		// The connection is gone (the pool closed, say): the next batch takes a new one.
		r.conn.Close()
		r.conn = nil
	}
	return store.MapError(err)
}

// releaseConn gives the flusher's connection back to the pool; the caller holds r.writing.
func (r *recorder) releaseConn(ctx context.Context) {
	if r.conn == nil {
		return
	}
	_, _ = r.conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", r.poolCache))
	r.conn.Close()
	r.conn = nil
}
