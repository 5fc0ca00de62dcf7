package store_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

type probeDoc struct {
	Rate  string   `json:"rate"`
	Steps []string `json:"steps,omitempty"`
	Note  string   `json:"note"`
}

// bulkProbe has a field of every kind the hot paths' models have.
type bulkProbe struct {
	bun.BaseModel `bun:"table:bulk_probe"`

	ID    string     `bun:"id,pk"`
	Name  *string    `bun:"name"`
	N     int64      `bun:"n"`
	M     *int64     `bun:"m"`
	Small int        `bun:"small"`
	On    bool       `bun:"on_"`
	At    time.Time  `bun:"at"`
	When  *time.Time `bun:"when_"`
	Doc   probeDoc   `bun:"doc,type:text"`
	Kind  string     `bun:"kind"`
}

// seedProbe creates bulk_probe and writes rows into it through bun.
func seedProbe(t *testing.T, db *bun.DB, rows []bulkProbe) {
	t.Helper()
	createProbe(t, db)
	if _, err := db.NewInsert().Model(&rows).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func createProbe(t *testing.T, db *bun.DB) {
	t.Helper()
	ts := "TIMESTAMP"
	if !store.IsSQLite(db) {
		ts = "TIMESTAMPTZ"
	}
	_, err := db.ExecContext(context.Background(), `CREATE TABLE bulk_probe (id TEXT PRIMARY KEY, name TEXT, n BIGINT NOT NULL,
		m BIGINT, small INTEGER NOT NULL, on_ BOOLEAN NOT NULL, at `+ts+` NOT NULL, when_ `+ts+`, doc TEXT NOT NULL, kind TEXT NOT NULL)`)
	if err != nil {
		t.Fatal(err)
	}
}

// probeRows are rows with awkward values: quotes, NULs of every nullable, times with nanoseconds and
// zones other than UTC, the extremes of int64.
func probeRows(prefix string, n int) []bulkProbe {
	zone := time.FixedZone("CST", 8*3600)
	names := []string{"", "O'Brien", `back\slash "quoted"`, "达人 ✨ <tag>&", "emoji 😀", strings.Repeat("x", 300)}
	out := make([]bulkProbe, n)
	for i := range out {
		p := bulkProbe{
			ID:    fmt.Sprintf("%s-%04d", prefix, i),
			N:     int64(i*7919) - 5000,
			Small: i % 3,
			On:    i%2 == 0,
			At:    time.Date(2026, 11, 30, 23, 59, 59, i*123_457, zone),
			Doc:   probeDoc{Rate: fmt.Sprintf("%d.%02d%%", i%20, i%100), Note: names[i%len(names)]},
			Kind:  []string{"commission", "reversal", "adjustment"}[i%3],
		}
		if i%4 != 0 {
			name := names[i%len(names)]
			p.Name = &name
		}
		if i%5 == 1 {
			m := int64(math.MaxInt64)
			if i%10 == 1 {
				m = math.MinInt64
			}
			p.M = &m
		}
		if i%3 == 0 {
			w := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			p.When = &w
			p.Doc.Steps = []string{"plan", "tier 2"}
		}
		out[i] = p
	}
	return out
}

// readProbes returns each probe row as the database renders its columns, keyed by id without its prefix.
func readProbes(t *testing.T, db *bun.DB, prefix string) map[string]string {
	t.Helper()
	cols := []string{"name", "n", "m", "small", "on_", "at", "when_", "doc", "kind"}
	expr := make([]string, len(cols))
	for i, c := range cols {
		if store.IsSQLite(db) {
			expr[i] = "typeof(" + c + ") || ':' || quote(" + c + ")"
		} else {
			expr[i] = "COALESCE(" + c + "::text, 'NULL')"
		}
	}
	rows, err := db.QueryContext(context.Background(), "SELECT id, "+strings.Join(expr, " || ' | ' || ")+
		" FROM bulk_probe WHERE id LIKE ? ORDER BY id", prefix+"-%")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, row string
		if err := rows.Scan(&id, &row); err != nil {
			t.Fatal(err)
		}
		out[strings.TrimPrefix(id, prefix)] = row
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBulkWritesWhatBunWrites: rows written by a Bulk read back exactly as the same rows written by
// bun, in a transaction and outside one, through statements prepared in the transaction and on the
// pool, on both databases.
func TestBulkWritesWhatBunWrites(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		createProbe(t, db)
		const n = 341 // 256 + 64 + 16 + 4 + 1: every statement size of SQLite
		want := probeRows("bun", n)
		if _, err := db.NewInsert().Model(&want).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		bulk := store.MustBulk(db, (*bulkProbe)(nil), "")
		for pass, prefix := range []string{"tx", "db", "prepared"} {
			if pass == 2 {
				// The first passes prepared the pool's statements aside.
				keys := []int{256, 1}
				if !store.IsSQLite(db) {
					keys = []int{store.UnnestKey}
				}
				deadline := time.Now().Add(10 * time.Second)
				for slices.ContainsFunc(keys, func(k int) bool { return !store.BulkPrepared(bulk, k) }) {
					if time.Now().After(deadline) {
						t.Fatal("the pool's statements were never prepared")
					}
					time.Sleep(5 * time.Millisecond)
				}
			}
			rows := probeRows(prefix, n)
			ptrs := make([]*bulkProbe, n) // a slice of pointers is taken too
			for i := range rows {
				ptrs[i] = &rows[i]
			}
			var written int64
			var err error
			if prefix == "db" {
				written, err = bulk.Insert(ctx, db, &ptrs)
			} else {
				err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
					written, err = bulk.Insert(ctx, tx, rows)
					return err
				})
			}
			if err != nil {
				t.Fatalf("%s: %v", prefix, err)
			}
			if written != n {
				t.Fatalf("%s: %d rows written, want %d", prefix, written, n)
			}
			got, exp := readProbes(t, db, prefix), readProbes(t, db, "bun")
			if len(got) != n || len(exp) != n {
				t.Fatalf("%s: %d rows read, bun's %d, want %d", prefix, len(got), len(exp), n)
			}
			for id, e := range exp {
				if got[id] != e {
					t.Fatalf("%s: row %s reads\n  %s\nbun's reads\n  %s", prefix, id, got[id], e)
				}
			}
		}
		// Re-reading through bun gives back the values written.
		var back []bulkProbe
		if err := db.NewSelect().Model(&back).Where("id LIKE 'tx-%'").Order("id").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		src := probeRows("tx", n)
		for i := range back {
			if !back[i].At.Equal(src[i].At.Truncate(time.Microsecond)) || back[i].Doc.Note != src[i].Doc.Note || (back[i].M == nil) != (src[i].M == nil) {
				t.Fatalf("row %d read back as %+v, written %+v", i, back[i], src[i])
			}
		}
	})
}

// TestBulkCountsOnlyTheRowsItsSuffixKeeps: with ON CONFLICT DO NOTHING, the count is of the new rows.
func TestBulkCountsOnlyTheRowsItsSuffixKeeps(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		createProbe(t, db)
		bulk := store.MustBulk(db, (*bulkProbe)(nil), "ON CONFLICT (id) DO NOTHING")
		first := probeRows("p", 100)
		if _, err := bulk.Insert(ctx, db, first[:60]); err != nil {
			t.Fatal(err)
		}
		written, err := bulk.Insert(ctx, db, first)
		if err != nil {
			t.Fatal(err)
		}
		if written != 40 {
			t.Fatalf("%d rows written, want the 40 new ones", written)
		}
		if n, err := db.NewSelect().Model((*bulkProbe)(nil)).Count(ctx); err != nil || n != 100 {
			t.Fatalf("%d rows stored (%v), want 100", n, err)
		}
		if written, err := bulk.Insert(ctx, db, []bulkProbe{}); err != nil || written != 0 {
			t.Fatalf("an empty slice wrote %d (%v)", written, err)
		}

		// RETURNING: the ids of the rows written, and only theirs.
		returning := store.MustBulk(db, (*bulkProbe)(nil), "ON CONFLICT (id) DO NOTHING RETURNING id")
		more := probeRows("q", 30)
		if _, err := bulk.Insert(ctx, db, more[:10]); err != nil {
			t.Fatal(err)
		}
		more = append(more, first[:5]...)
		var ids []string
		err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			ids, err = returning.InsertReturning(ctx, tx, more)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(ids)
		want := make([]string, 0, 20)
		for _, p := range more[10:30] {
			want = append(want, p.ID)
		}
		if !slices.Equal(ids, want) {
			t.Fatalf("RETURNING gave %v, want the 20 new ids %v", ids, want)
		}
	})
}

// On PostgreSQL a write is one statement whatever its number of rows (up to store.UnnestRows), so a
// statement-level trigger (ledger_sums on ledger entries) runs once per write: a statement-level
// trigger on the probe table counts the statements.
func TestBulkWritesOneStatementAWriteOnPostgres(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	createProbe(t, db)
	for _, q := range []string{
		"CREATE TABLE probe_statements (n BIGINT NOT NULL)",
		"INSERT INTO probe_statements VALUES (0)",
		"CREATE FUNCTION count_probe_statement() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE probe_statements SET n = n + 1; RETURN NULL; END $$",
		"CREATE TRIGGER probe_statement AFTER INSERT ON bulk_probe FOR EACH STATEMENT EXECUTE FUNCTION count_probe_statement()",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	bulk := store.MustBulk(db, (*bulkProbe)(nil), "")
	for _, c := range []struct{ rows, statements int }{{341, 1}, {28, 1}, {1, 1}, {store.UnnestRows + 3, 2}} {
		if _, err := db.ExecContext(ctx, "UPDATE probe_statements SET n = 0"); err != nil {
			t.Fatal(err)
		}
		written, err := bulk.Insert(ctx, db, probeRows(fmt.Sprintf("r%d", c.rows), c.rows))
		if err != nil {
			t.Fatal(err)
		}
		var statements int
		if err := db.QueryRowContext(ctx, "SELECT n FROM probe_statements").Scan(&statements); err != nil {
			t.Fatal(err)
		}
		if written != int64(c.rows) || statements != c.statements {
			t.Errorf("%d rows: %d written in %d statements, want %d", c.rows, written, statements, c.statements)
		}
	}
}

// TestMustBulkRefusesWhatItCannotBind: a field bun writes as DEFAULT, or whose value it would write
// some other way, is refused when the Bulk is made, not found in the data later.
func TestMustBulkRefusesWhatItCannotBind(t *testing.T) {
	db := storetest.SQLite(t)
	type withDefault struct {
		bun.BaseModel `bun:"table:x"`
		ID            string    `bun:"id,pk"`
		At            time.Time `bun:"at,nullzero,notnull,default:current_timestamp"`
	}
	type withMap struct {
		bun.BaseModel `bun:"table:y"`
		ID            string         `bun:"id,pk"`
		Attrs         map[string]int `bun:"attrs"`
	}
	for name, model := range map[string]any{"default": (*withDefault)(nil), "map": (*withMap)(nil)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: MustBulk took it", name)
				}
			}()
			store.MustBulk(db, model, "")
		}()
	}
}

// A Bulk splits rows into the fewest statements its sizes allow, largest first.
func TestBulkStatementsCountsTheStatementsOfAWrite(t *testing.T) {
	for _, c := range []struct{ rows, want int }{
		{0, 0}, {1, 1}, {3, 3}, {4, 1}, {64, 1}, {250, 10}, {256, 1}, {300, 6}, {1024, 4}, {1025, 5},
	} {
		if got := store.BulkStatements(c.rows); got != c.want {
			t.Errorf("%d rows: %d statements, want %d", c.rows, got, c.want)
		}
	}
}
