package creator_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"runtime"
	"testing"
	"weak"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/store"
)

// A closed database is let go once its services are: the list's prepared statements live with the
// service, not in package variables, which kept the last pool they ran on, and every connection of
// it, in memory for the life of the process (caravan bench: a PostgreSQL pool's connections with
// their statement caches, 23 MiB more garbage allowed before the next collection in the scenario
// after the creators list).
func TestAClosedDatabaseIsReleasedWithItsCreatorService(t *testing.T) {
	ctx := context.Background()
	released := func() weak.Pointer[sql.DB] {
		db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "r.db"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		s := creator.NewService(db, nil, nil)
		p := actor.Actor{OrgID: store.NewID(), UserID: store.NewID(), Role: actor.RoleOwner}
		if _, err := s.List(ctx, p, creator.Filter{Sort: creator.SortCreated}, page.Request{Limit: 10}); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		return weak.Make(db.DB)
	}()
	for range 5 {
		runtime.GC()
		if released.Value() == nil {
			return
		}
	}
	t.Error("the closed database is still reachable after its service is gone")
}
