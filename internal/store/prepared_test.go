package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// TestPreparedListsAndTimesSelectWhatBunSelects: a Prepared query with a List of ids and a time bound
// as parameters selects exactly the rows bun's query with an IN list and the time in its text selects,
// on both databases: the time compares as the text bun stores (SQLite), whatever its zone and
// nanoseconds, and a List holds any text, quotes included, or nothing at all. Scan fills bun models.
func TestPreparedListsAndTimesSelectWhatBunSelects(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		createProbe(t, db)
		rows := probeRows("p", 60)
		if _, err := db.NewInsert().Model(&rows).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		q := &store.Prepared{Query: `SELECT ` + store.Columns(db, (*bulkProbe)(nil), "b") + ` FROM bulk_probe AS b
			WHERE b.id = ANY(?) AND b.at >= ? ORDER BY b.id`}
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
	})
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
// pool does not see them until the commit.
func TestPreparedRowsRunInTheTransaction(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		createProbe(t, db)
		q := &store.Prepared{Query: `SELECT id FROM bulk_probe WHERE id = ANY(?)`}
		count := func(db bun.IDB) int {
			rows, err := q.Rows(ctx, db, store.List{"tx-0000", "tx-0001", "none"})
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
		// One connection: a query that needed another would wait for ever.
		db.SetMaxOpenConns(1)
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			rows := probeRows("tx", 2)
			if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
				return err
			}
			if n := count(tx); n != 2 {
				t.Errorf("the transaction reads %d of its 2 rows", n)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := count(db); n != 2 {
			t.Errorf("after the commit the pool reads %d rows, want 2", n)
		}
	})
}
