package tracking

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store"
)

// The flusher's own SQLite connection, given back to the pool, keeps the page cache the pool gives
// every connection (store's cache_size), not SQLite's default nor the flusher's 32 MiB: a list
// request that later drew it read most pages back from the operating system.
func TestTheFlushersConnectionGoesBackWithThePoolsCache(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "f.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conns := max(4, runtime.NumCPU())
	want := -int64(store.SQLitePageCache / 1024 / conns)
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
	var held []bun.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for i := range conns { // every connection of the pool, held together: the flusher's is among them
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
		var size int64
		if err := c.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&size); err != nil {
			t.Fatal(err)
		}
		if size != want {
			t.Errorf("connection %d of the pool: cache_size %d, want %d", i, size, want)
		}
	}
}
