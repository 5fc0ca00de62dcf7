package store_test

import (
	"context"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// ReadWithMemory gives a read at least the memory asked for its sorts and hashes on PostgreSQL, for
// that read alone: never less than the server's setting, the pool's connections keep theirs, and the
// read cannot write. SQLite has no such setting; the read runs on the pool.
func TestReadWithMemoryRaisesWorkMemForTheReadAlone(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		if _, err := db.ExecContext(ctx, "CREATE TABLE mem_probe (n INTEGER)"); err != nil {
			t.Fatal(err)
		}
		var def string // the server's setting, before the read
		if !store.IsSQLite(db) {
			if err := db.QueryRowContext(ctx, "SHOW work_mem").Scan(&def); err != nil || def == "48MB" {
				t.Fatalf("work_mem %q before the read: %v", def, err)
			}
		}
		var ran bool
		err := store.ReadWithMemory(ctx, db, 48, func(ctx context.Context, idb bun.IDB) error {
			ran = true
			if store.IsSQLite(db) {
				if idb != bun.IDB(db) {
					t.Error("on SQLite the read does not run on the pool")
				}
				return nil
			}
			var mem string
			if err := idb.QueryRowContext(ctx, "SHOW work_mem").Scan(&mem); err != nil {
				return err
			}
			if mem != "48MB" {
				t.Errorf("work_mem in the read: %s", mem)
			}
			return nil
		})
		if !ran {
			t.Fatal("the read did not run")
		}
		if store.IsSQLite(db) {
			if err != nil {
				t.Fatal(err)
			}
			return
		}
		// Every connection of the pool still has the server's default (held at once, so each is another).
		var conns []bun.Conn
		for range db.DB.Stats().MaxOpenConnections {
			c, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
			var mem string
			if err := c.QueryRowContext(ctx, "SHOW work_mem").Scan(&mem); err != nil {
				t.Fatal(err)
			}
			if mem != def {
				t.Errorf("a pooled connection kept work_mem %s (default %s)", mem, def)
			}
		}
		for _, c := range conns {
			c.Close()
		}
		// Less than the server's setting leaves it.
		err = store.ReadWithMemory(ctx, db, 1, func(ctx context.Context, idb bun.IDB) error {
			var mem string
			if err := idb.QueryRowContext(ctx, "SHOW work_mem").Scan(&mem); err != nil {
				return err
			}
			if mem != def {
				t.Errorf("asked for 1 MiB, the read has work_mem %s, not the server's %s", mem, def)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = store.ReadWithMemory(ctx, db, 48, func(ctx context.Context, idb bun.IDB) error {
			_, err := idb.ExecContext(ctx, "INSERT INTO mem_probe VALUES (1)")
			return err
		})
		if err == nil {
			t.Error("the read wrote")
		}
	})
}
