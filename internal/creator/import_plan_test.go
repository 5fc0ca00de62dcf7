package creator_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
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
	const n = 1500
	rows := [][]string{{"Display Name", "Country", "Platform", "Handle", "Followers", "Tags"}}
	for i := range n {
		rows = append(rows, []string{fmt.Sprintf("Creator %d", i), "US", "tiktok", fmt.Sprintf("@creator%d", i), "1000", "beauty"})
	}
	ctx := context.Background()
	// The statistics collector's counters reach the view a little after each transaction ends.
	read := func() int64 {
		t.Helper()
		var v int64
		if _, err := db.ExecContext(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, `SELECT COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0) FROM pg_stat_user_tables
			WHERE schemaname = current_schema() AND relname = 'creators'`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	settled := func() int64 {
		t.Helper()
		last := read()
		for range 20 {
			time.Sleep(150 * time.Millisecond)
			v := read()
			if v == last {
				return v
			}
			last = v
		}
		return last
	}
	before := settled()
	res := upload(t, e, owner, "", "creators.csv", csvFile(t, false, rows...), http.StatusOK)
	if res["created"].(float64) != n {
		t.Fatalf("import = %v", res)
	}
	// Each row's account, tag, terms, snapshot and events check their creator: a few lookups a row.
	// Scanning the creators stored so far for each check is n²/2 per table (over a million rows here).
	if got := settled() - before; got > 20*n {
		t.Fatalf("importing %d creators read %d rows of creators (at most %d expected): foreign keys are checked by scans", n, got, 20*n)
	}
}
