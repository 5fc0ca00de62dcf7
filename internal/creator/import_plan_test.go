package creator_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
	"github.com/uptrace/bun"
)

// A big first import into a new PostgreSQL database checked each row's foreign keys (accounts, tags,
// terms, snapshots and timeline events to their creator) with plans made while the tables were empty:
// a scan of every creator stored so far for every row, quadratic over the file (888 rows a second
// for a 10,000-row file in caravan bench). The import analyzes the tables after its first batch so
// the checks are lookups. PostgreSQL's own counters of the rows read from creators (not a clock)
// tell the plans apart.
func TestABigFirstImportChecksForeignKeysByLookups(t *testing.T) {
	db := storetest.Postgres(t)
	e := apitest.New(t, db)
	owner := e.Setup("Ningbo Export", "li@example.com")
	const n = 2000
	rows := newCreatorRows(n)
	ctx := context.Background()
	// A backend reports its counts to the statistics view when it has been idle a while (up to 10 s in
	// PostgreSQL 15) or when it exits: the pool's connections are closed before each reading, so that
	// every backend that worked reports, and the view is read in a fresh snapshot.
	read := func() int64 {
		t.Helper()
		db.DB.SetMaxIdleConns(0)
		db.DB.SetMaxIdleConns(8)
		last, same := int64(-1), 0
		for deadline := time.Now().Add(15 * time.Second); same < 5 && time.Now().Before(deadline); {
			time.Sleep(200 * time.Millisecond)
			var v int64
			if _, err := db.ExecContext(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRowContext(ctx, `SELECT COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0) FROM pg_stat_user_tables
				WHERE schemaname = current_schema() AND relname = 'creators'`).Scan(&v); err != nil {
				t.Fatal(err)
			}
			if v == last {
				same++
			} else {
				last, same = v, 0
			}
		}
		return last
	}
	before := read()
	res := upload(t, e, owner, "", "creators.csv", csvFile(t, false, rows...), http.StatusOK)
	if res["created"].(float64) != n {
		t.Fatalf("import = %v", res)
	}
	// Each row's account, tag, terms, snapshot and events check their creator. Planned on the empty
	// table, each check scans the creators stored so far: about 6 × n²/2 rows (12 million here). The
	// first batch is still checked that way (about 6 × 250²/2 = 190,000); the rest by lookups.
	got := read() - before
	t.Logf("importing %d creators read %d rows of creators", n, got)
	if got > n*n/4 {
		t.Fatalf("importing %d creators read %d rows of creators (at most %d expected): foreign keys are checked by scans", n, got, n*n/4)
	}
}

// After an import the planner's statistics of the tables the list reads are refreshed, and only
// those: the search index's own tables (on SQLite) are not analyzed, which was most of the time the
// refresh took.
func TestAnImportRefreshesTheListsStatistics(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		const n = 600
		if res := upload(t, e, owner, "", "creators.csv", csvFile(t, false, newCreatorRows(n)...), http.StatusOK); res["created"].(float64) != n {
			t.Fatalf("import = %v", res)
		}
		ctx := context.Background()
		if !store.IsSQLite(db) {
			for _, table := range []string{"creators", "creator_accounts", "creator_tags"} {
				var tuples float64
				if err := db.QueryRowContext(ctx, "SELECT reltuples FROM pg_class WHERE oid = to_regclass(?)", table).Scan(&tuples); err != nil {
					t.Fatal(err)
				}
				if tuples != n {
					t.Errorf("%s: the planner counts %v rows, want %d", table, tuples, n)
				}
			}
			return
		}
		var analyzed []string
		if err := db.NewRaw("SELECT DISTINCT tbl FROM sqlite_stat1 ORDER BY tbl").Scan(ctx, &analyzed); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(analyzed, []string{"creator_accounts", "creator_tags", "creators"}) {
			t.Errorf("tables analyzed after the import: %v, want the list's three", analyzed)
		}
		var stat string
		if err := db.NewRaw("SELECT stat FROM sqlite_stat1 WHERE idx = 'creators_created_idx'").Scan(ctx, &stat); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stat, fmt.Sprint(n)+" ") {
			t.Errorf("creators_created_idx's statistics %q do not count the %d creators", stat, n)
		}
	})
}

// newCreatorRows is an import file's rows of n new creators, a TikTok account and a tag each, under
// its header row.
func newCreatorRows(n int) [][]string {
	rows := [][]string{{"Display Name", "Country", "Platform", "Handle", "Followers", "Tags"}}
	for i := range n {
		rows = append(rows, []string{fmt.Sprintf("Creator %d", i), "US", "tiktok", fmt.Sprintf("@creator%d", i), "1000", "beauty"})
	}
	return rows
}
