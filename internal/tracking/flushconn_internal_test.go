package tracking

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// The flusher's own SQLite connection, given back to the pool, keeps the page cache the pool gives
// every connection (store's cache_size), not SQLite's default nor the flusher's 32 MiB: a list
// request that later drew it read most pages back from the operating system.
func TestTheFlushersConnectionGoesBackWithThePoolsCache(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	r := newRecorder(db, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Hour, 100, 100)
	r.writing.Lock()
	var during int64
	if err := r.inTx(ctx, true, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&during)
	}); err != nil {
		t.Fatal(err)
	}
	r.releaseConn(ctx)
	r.writing.Unlock()
	if during != -32768 {
		t.Errorf("the flusher's connection had cache_size %d, want -32768 (32 MiB)", during)
	}
	conns := storetest.Conns(t, db) // every connection of the pool: the flusher's is among them
	want := -int64(store.SQLitePageCache / 1024 / len(conns))
	for i, c := range conns {
		var size int64
		if err := c.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&size); err != nil {
			t.Fatal(err)
		}
		if size != want {
			t.Errorf("connection %d of the pool: cache_size %d, want %d", i, size, want)
		}
	}
}
