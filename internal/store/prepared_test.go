package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"modernc.org/sqlite"

	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// TestPreparedListsAndTimesSelectWhatBunSelects: a Prepared query with a List of ids and a time bound
// as parameters selects exactly the rows bun's query with an IN list and the time in its text selects,
// on both databases: the time compares as the text bun stores (SQLite), whatever its zone and
// nanoseconds, and a List holds any text, quotes included, or nothing at all. Scan fills bun models.
// The same holds for a query planned on each run (on PostgreSQL its values are sent as text).
func TestPreparedListsAndTimesSelectWhatBunSelects(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		rows := probeRows("p", 60)
		seedProbe(t, db, rows)
		for _, each := range []bool{false, true} {
			t.Run(fmt.Sprintf("PlanEachRun=%v", each), func(t *testing.T) { selectsWhatBunSelects(t, db, rows, each) })
		}
	})
}

func selectsWhatBunSelects(t *testing.T, db *bun.DB, rows []bulkProbe, planEachRun bool) {
	ctx := context.Background()
	q := &store.Prepared{Query: `SELECT ` + store.Columns(db, (*bulkProbe)(nil), "b") + ` FROM bulk_probe AS b
		WHERE b.id = ANY(?) AND b.at >= ? ORDER BY b.id`, PlanEachRun: planEachRun}
	zone := time.FixedZone("CST", 8*3600)
	for _, c := range []struct {
		name  string
		ids   []string
		since time.Time
	}{
		{"every row", []string{"p-0000", "p-0007", "p-0031", "p-0059", "p-0042"}, time.Time{}},
		// rows i ≥ 20 are at or after this instant, to the nanosecond, written in another zone
		{"since a row's time", []string{"p-0019", "p-0020", "p-0021", "p-0058"}, rows[20].At.In(time.UTC)},
		{"a microsecond later", []string{"p-0019", "p-0020", "p-0021"}, rows[20].At.In(zone).Add(time.Microsecond)},
		{"ids no row has", []string{"p-'0001", `p-"2"`, "", "达人"}, time.Time{}},
		{"no ids", nil, time.Time{}},
	} {
		var want []bulkProbe
		if len(c.ids) > 0 {
			if err := db.NewSelect().Model(&want).Where("id IN (?) AND at >= ?", bun.In(c.ids), c.since).
				Order("id").Scan(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for pass := range 2 { // the second runs the statement prepared by the first
			var got []bulkProbe
			if err := q.Scan(ctx, db, &got, store.List(c.ids), c.since); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if !slices.EqualFunc(got, want, func(a, b bulkProbe) bool {
				return a.ID == b.ID && a.N == b.N && a.At.Equal(b.At) && a.Doc.Note == b.Doc.Note
			}) {
				t.Errorf("%s, pass %d: got %d rows %v, bun selects %d %v", c.name, pass, len(got), ids(got), len(want), ids(want))
			}
		}
	}
	if got := ids(mustScan(t, db, q, store.List{"p-0020"}, rows[20].At)); len(got) != 1 {
		t.Errorf("a row at the very time bound: %v", got)
	}
}

// A query planned on each run is not a prepared statement on PostgreSQL: the server plans it with the
// values bound every time, where after five runs it may keep a prepared statement's generic plan,
// made without them (an organization's size, a pattern's rarity). The same query prepared is one.
func TestAQueryPlannedEachRunIsNotPreparedOnPostgres(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	rows := probeRows("p", 20)
	seedProbe(t, db, rows)
	db.SetMaxOpenConns(1) // pg_prepared_statements is the connection's
	for _, each := range []bool{true, false} {
		q := &store.Prepared{Query: fmt.Sprintf(`SELECT b.id FROM bulk_probe AS b WHERE b.n >= ? AND b.id <> 'PlanEachRun=%v' ORDER BY b.id`, each),
			PlanEachRun: each}
		for i := range 7 {
			if got := ids(mustScan(t, db, q, rows[i].N)); len(got) != 20-i { // n grows with the row
				t.Fatalf("PlanEachRun=%v, from row %d: %d rows, want %d", each, i, len(got), 20-i)
			}
		}
		var prepared int
		if err := db.NewRaw("SELECT count(*) FROM pg_prepared_statements WHERE statement = ?", q.SQL(db)).Scan(ctx, &prepared); err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 0, false: 1}[each]; prepared != want {
			t.Errorf("PlanEachRun=%v: %d prepared statements of the query, want %d", each, prepared, want)
		}
	}
}

func ids(ps []bulkProbe) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func mustScan(t *testing.T, db *bun.DB, q *store.Prepared, args ...any) []bulkProbe {
	t.Helper()
	var out []bulkProbe
	if err := q.Scan(context.Background(), db, &out, args...); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPreparedRowsRunInTheTransaction: in a transaction, a Prepared query reads the transaction's own
// rows (it runs on the transaction's connection, never waiting for another of the pool's), and the
// pool does not see them until the commit; the same for a query planned on each run, whose QueryRow
// reads the pool too.
func TestPreparedRowsRunInTheTransaction(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		createProbe(t, db)
		// One connection: a query that needed another would wait for ever.
		db.SetMaxOpenConns(1)
		for _, each := range []bool{false, true} {
			prefix := fmt.Sprintf("tx-%v", each)
			ids := store.List{prefix + "-0000", prefix + "-0001", "none"}
			q := &store.Prepared{Query: `SELECT id FROM bulk_probe WHERE id = ANY(?)`, PlanEachRun: each}
			count := func(db bun.IDB) int {
				rows, err := q.Rows(ctx, db, ids)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				n := 0
				for rows.Next() {
					n++
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				return n
			}
			err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				rows := probeRows(prefix, 2)
				if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
					return err
				}
				if n := count(tx); n != 2 {
					t.Errorf("PlanEachRun=%v: the transaction reads %d of its 2 rows", each, n)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := count(db); n != 2 {
				t.Errorf("PlanEachRun=%v: after the commit the pool reads %d rows, want 2", each, n)
			}
			var n int
			counted := &store.Prepared{Query: `SELECT count(*) FROM bulk_probe WHERE id = ANY(?)`, PlanEachRun: each}
			if err := counted.QueryRow(ctx, db, ids).Scan(&n); err != nil || n != 2 {
				t.Errorf("PlanEachRun=%v: QueryRow counts %d (%v), want 2", each, n, err)
			}
		}
	})
}

// A Prepared query on SQLite is compiled once per connection, not again on every run. With
// statistics of the column's distribution (sqlite_stat4, written by ANALYZE), SQLite re-prepares a
// statement each time a parameter compared with an indexed column is bound anew, to plan for that
// value: on the list pages and the API-key lookup that was a full parse and plan on every request
// (about 8 % of a name search's CPU). The values are compared as they are, so the plan cannot depend
// on them. The authorizer, which SQLite consults whenever it compiles, counts the compilations.
func TestAPreparedQueryIsNotCompiledAgainForEachRunOnSQLite(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	rows := probeRows("p", 300)
	for i := range rows {
		rows[i].Kind = []string{"commission", "reversal", "adjustment", "bonus"}[min(i%40, 3)] // skewed: worth a stat4 sample
	}
	seedProbe(t, db, rows)
	for _, q := range []string{"CREATE INDEX bulk_probe_kind_idx ON bulk_probe (kind, at)", "ANALYZE"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	p := &store.Prepared{Query: `SELECT b.id FROM bulk_probe AS b WHERE b.kind = ? AND b.at >= ? AND b.at < ? AND b.id = ANY(?) AND b.n <> ?`}
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var compiled atomic.Int64
	if err := conn.Raw(func(c any) error {
		return c.(sqlite.AuthorizerRegisterer).RegisterAuthorizer(func(a sqlite.AuthorizerActionCode, arg1, _, _, _ string) sqlite.AuthorizerReturnCode {
			if a == sqlite.AuthSelect {
				compiled.Add(1)
			}
			return sqlite.AuthorizerOK
		})
	}); err != nil {
		t.Fatal(err)
	}
	stmt, err := conn.PrepareContext(ctx, p.SQL(db))
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	after := compiled.Load()
	t0 := rows[0].At
	for i, kind := range []string{"commission", "bonus", "reversal", "commission", "adjustment"} {
		var n int
		at := func(h int) string { return t0.Add(time.Duration(h) * time.Hour).UTC().Format(store.BunTimeFormat) } // as Prepared binds it
		for r, err := stmt.QueryContext(ctx, kind, at(-i), at(i+1),
			`["p-0001","p-0002","p-0039","p-0040"]`, int64(i)); ; n++ {
			if err != nil {
				t.Fatal(err)
			}
			if !r.Next() {
				r.Close()
				break
			}
		}
		if n == 0 && kind == "commission" {
			t.Errorf("run %d found nothing: the query does not select what it should", i)
		}
	}
	if got := compiled.Load() - after; got != 0 {
		t.Errorf("the prepared statement was compiled %d more times over 5 runs, want 0 (its SQL: %s)", got, p.SQL(db))
	}
}
