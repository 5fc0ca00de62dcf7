package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"
)

// Bulk writes the rows of one model with multi-row INSERTs whose values are bound parameters, through
// statements prepared once per connection and row count. bun writes every value into the SQL text,
// so each of its multi-row INSERTs is a new statement for the database to parse: on SQLite that was
// about a fifth of a 1,000-order batch's CPU, and the formatting another seventh. The hot paths
// (orders, their items, commission entries, the creator import's new rows, the click flusher) write
// through a Bulk; everything else stays with bun.
//
// On SQLite a write is split into statements of bulkSizes rows. On PostgreSQL a write is one
// statement whatever its number of rows (up to unnestRows): each column's values are bound as one
// array, and the rows are unnest's (INSERT … SELECT … FROM unnest($1::text[], $2::bigint[], …)). Fewer
// statements are fewer round trips, and the statement-level trigger of ledger entries (ledger_sums,
// about 0.23 ms a call to plan) runs once per write: a group of 28 orders was 4 statements per table.
//
// The values are the ones bun would write, so a row reads back the same whichever wrote it
// (TestBulkWritesWhatBunWrites): times as bun's text, structs as their JSON, booleans as 1/0 on
// SQLite. A model with a field Bulk cannot write that way is refused when the Bulk is made.
type Bulk struct {
	db     *bun.DB
	sqlite bool
	fields []*schema.Field
	head   string // INSERT INTO table (columns) VALUES
	row    string // one row's placeholders (SQLite)
	suffix string
	unnest string // PostgreSQL's statement, whatever the number of rows

	mu        sync.Mutex
	stmts     map[int]*sql.Stmt // by row count (unnestKey on PostgreSQL), prepared on the pool: database/sql re-prepares per connection
	preparing map[int]bool
}

// bulkSizes are the row counts of the statements a Bulk prepares; a write of n rows is split into
// them, largest first, so few statements serve every n. The largest keeps a statement of a 30-column
// table under SQLite's 32,766 parameters.
var bulkSizes = [...]int{BulkRows, 64, 16, 4, 1}

// BulkRows is the most rows one statement of a Bulk writes on SQLite. A caller that writes in
// batches writes fewest statements with batches of a multiple of it: 250 rows were ten statements
// (3 × 64, 3 × 16, 2 × 4, 2 × 1).
const BulkRows = 256

// unnestRows is the most rows one statement of a Bulk writes on PostgreSQL, and unnestKey the key of
// that statement among a Bulk's prepared ones.
const (
	unnestRows = 5000
	unnestKey  = 0
)

// MustBulk makes the Bulk of model (a pointer to a bun model struct); suffix follows the VALUES (an
// ON CONFLICT clause, or ""). It panics on a field whose value Bulk cannot bind as bun would write it
// (a programming error, found when the service is built).
func MustBulk(db *bun.DB, model any, suffix string) *Bulk {
	t := db.Table(reflect.TypeOf(model).Elem())
	b := &Bulk{db: db, sqlite: IsSQLite(db), suffix: suffix, stmts: map[int]*sql.Stmt{}, preparing: map[int]bool{}}
	var cols, marks []string
	for _, f := range t.Fields {
		if f.Tag.HasOption("scanonly") {
			continue
		}
		if f.NullZero || f.SQLDefault != "" || f.AutoIncrement || f.Identity {
			panic(fmt.Sprintf("store: Bulk of %s: field %s has a default or nullzero: bun writes DEFAULT there", t.TypeName, f.GoName))
		}
		if _, ok := bindKind(f.IndirectType); !ok {
			panic(fmt.Sprintf("store: Bulk of %s: field %s of type %s cannot be bound", t.TypeName, f.GoName, f.IndirectType))
		}
		b.fields = append(b.fields, f)
		cols, marks = append(cols, string(f.SQLName)), append(marks, "?")
	}
	b.head = "INSERT INTO " + string(t.SQLName) + " (" + strings.Join(cols, ", ") + ") VALUES "
	b.row = "(" + strings.Join(marks, ", ") + ")"
	b.unnest = b.unnestSQL(string(t.SQLName), cols)
	return b
}

// unnestSQL is PostgreSQL's INSERT of any number of rows into table's cols, from one array a column.
// Every value is bound as bun would write it (bind): times as bun's text, read as timestamptz like
// bun's literals; integers as bigint, which INSERT casts to an integer column as it would a literal.
func (b *Bulk) unnestSQL(table string, cols []string) string {
	var arrays, values, names []string
	for i, f := range b.fields {
		kind, _ := bindKind(f.IndirectType)
		name := "v" + strconv.Itoa(i+1)
		value, array := name, "text[]"
		switch kind {
		case bindInt:
			array = "bigint[]"
		case bindBool:
			array = "boolean[]"
		case bindTime:
			value = name + "::timestamptz"
		}
		arrays = append(arrays, "$"+strconv.Itoa(i+1)+"::"+array)
		values, names = append(values, value), append(names, name)
	}
	q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") SELECT " + strings.Join(values, ", ") +
		" FROM unnest(" + strings.Join(arrays, ", ") + ") AS u(" + strings.Join(names, ", ") + ")"
	if b.suffix != "" {
		q += " " + b.suffix
	}
	return q
}

// Insert writes rows (a slice of the model's structs or of pointers to them) in db, a bun.Tx or the
// *bun.DB, and returns how many rows the database says it wrote (fewer when the suffix skips some).
func (b *Bulk) Insert(ctx context.Context, db bun.IDB, rows any) (int64, error) {
	var written int64
	err := b.each(ctx, db, rows, func(tx *sql.Tx, n int, args []any) error {
		res, err := b.exec(ctx, tx, n, args)
		if err != nil {
			return err
		}
		affected, err := res.RowsAffected()
		written += affected
		return err
	})
	return written, err
}

// InsertReturning is Insert for a Bulk whose suffix ends with RETURNING one column: it returns that
// column of each row written, as text.
func (b *Bulk) InsertReturning(ctx context.Context, db bun.IDB, rows any) ([]string, error) {
	var out []string
	err := b.each(ctx, db, rows, func(tx *sql.Tx, n int, args []any) error {
		res, err := b.query(ctx, tx, n, args)
		if err != nil {
			return err
		}
		defer res.Close()
		for res.Next() {
			var v string
			if err := res.Scan(&v); err != nil {
				return err
			}
			out = append(out, v)
		}
		return res.Err()
	})
	return out, err
}

// each binds rows in statements of bulkSizes rows and runs write on each, in the transaction of db
// (nil for the *bun.DB).
func (b *Bulk) each(ctx context.Context, db bun.IDB, rows any, write func(tx *sql.Tx, n int, args []any) error) error {
	v := reflect.Indirect(reflect.ValueOf(rows))
	if v.Kind() != reflect.Slice {
		return fmt.Errorf("store: Bulk takes a slice, not %T", rows)
	}
	var tx *sql.Tx
	switch d := db.(type) {
	case bun.Tx:
		tx = d.Tx
	case *bun.Tx:
		tx = d.Tx
	case *bun.DB:
	default:
		return fmt.Errorf("store: Bulk in a %T", db)
	}
	if !b.sqlite {
		for at := 0; at < v.Len(); at += unnestRows {
			args, err := b.columns(v, at, min(at+unnestRows, v.Len()))
			if err != nil {
				return err
			}
			if err := write(tx, unnestKey, args); err != nil {
				return err
			}
		}
		return nil
	}
	args := make([]any, 0, min(v.Len(), bulkSizes[0])*len(b.fields))
	for at := 0; at < v.Len(); {
		n := statementRows(v.Len() - at)
		args = args[:0]
		for i := at; i < at+n; i++ {
			strct := reflect.Indirect(v.Index(i))
			for _, f := range b.fields {
				a, err := b.bind(f.Value(strct))
				if err != nil {
					return fmt.Errorf("store: %s.%s: %w", strct.Type().Name(), f.GoName, err)
				}
				args = append(args, a)
			}
		}
		if err := write(tx, n, args); err != nil {
			return err
		}
		at += n
	}
	return nil
}

// columns binds rows lo..hi of v as PostgreSQL's unnest statement takes them: one array a column.
func (b *Bulk) columns(v reflect.Value, lo, hi int) ([]any, error) {
	n := hi - lo
	args := make([]any, len(b.fields))
	for j, f := range b.fields {
		kind, _ := bindKind(f.IndirectType)
		switch kind {
		case bindInt:
			args[j] = make([]pgtype.Int8, n)
		case bindBool:
			args[j] = make([]pgtype.Bool, n)
		default:
			args[j] = make([]pgtype.Text, n)
		}
	}
	for i := lo; i < hi; i++ {
		strct := reflect.Indirect(v.Index(i))
		for j, f := range b.fields {
			a, err := b.bind(f.Value(strct))
			if err != nil {
				return nil, fmt.Errorf("store: %s.%s: %w", strct.Type().Name(), f.GoName, err)
			}
			if a == nil {
				continue // NULL: the zero value is not Valid
			}
			switch col := args[j].(type) {
			case []pgtype.Int8:
				col[i-lo] = pgtype.Int8{Int64: a.(int64), Valid: true}
			case []pgtype.Bool:
				col[i-lo] = pgtype.Bool{Bool: a.(bool), Valid: true}
			case []pgtype.Text:
				col[i-lo] = pgtype.Text{String: a.(string), Valid: true}
			}
		}
	}
	return args, nil
}

// statementRows is how many of left rows to write next: the largest of bulkSizes that fits.
func statementRows(left int) int {
	for _, size := range bulkSizes {
		if size <= left {
			return size
		}
	}
	return bulkSizes[len(bulkSizes)-1]
}

// BulkStatements is how many statements a Bulk writes n rows in on SQLite.
func BulkStatements(n int) int {
	k := 0
	for left := n; left > 0; left -= statementRows(left) {
		k++
	}
	return k
}

// stmt returns the pool's prepared statement of n rows, or nil while it is being prepared aside.
// Preparing on the pool takes a connection of its own, which a transaction must not wait for: every
// other connection may be waiting for this transaction's lock. database/sql prepares the pool's
// statement once on each connection that runs it.
func (b *Bulk) stmt(ctx context.Context, tx *sql.Tx, n int) *sql.Stmt {
	b.mu.Lock()
	stmt := b.stmts[n]
	if stmt == nil && !b.preparing[n] {
		b.preparing[n] = true
		go b.prepare(n)
	}
	b.mu.Unlock()
	if stmt != nil && tx != nil {
		return tx.StmtContext(ctx, stmt)
	}
	return stmt
}

// exec runs the statement of n rows: the pool's prepared one when there is one, else the SQL
// (prepared in the transaction alone).
func (b *Bulk) exec(ctx context.Context, tx *sql.Tx, n int, args []any) (sql.Result, error) {
	switch stmt := b.stmt(ctx, tx, n); {
	case stmt != nil:
		return stmt.ExecContext(ctx, args...)
	case tx != nil:
		return tx.ExecContext(ctx, b.sql(n), args...)
	default:
		return b.db.DB.ExecContext(ctx, b.sql(n), args...)
	}
}

// query is exec for a statement that returns rows.
func (b *Bulk) query(ctx context.Context, tx *sql.Tx, n int, args []any) (*sql.Rows, error) {
	switch stmt := b.stmt(ctx, tx, n); {
	case stmt != nil:
		return stmt.QueryContext(ctx, args...)
	case tx != nil:
		return tx.QueryContext(ctx, b.sql(n), args...)
	default:
		return b.db.DB.QueryContext(ctx, b.sql(n), args...)
	}
}

// prepare prepares the pool's statement of n rows; a failure leaves the next write to try again.
func (b *Bulk) prepare(n int) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stmt, err := b.db.DB.PrepareContext(ctx, b.sql(n))
	b.mu.Lock()
	defer b.mu.Unlock()
	b.preparing[n] = false
	if err == nil {
		b.stmts[n] = stmt
	}
}

// sql is SQLite's INSERT of n rows, or PostgreSQL's unnest statement.
func (b *Bulk) sql(n int) string {
	if !b.sqlite {
		return b.unnest
	}
	var sb strings.Builder
	sb.Grow(len(b.head) + n*(len(b.row)+2)*2 + len(b.suffix) + 1)
	sb.WriteString(b.head)
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(b.row)
	}
	if b.suffix != "" {
		sb.WriteByte(' ')
		sb.WriteString(b.suffix)
	}
	return sb.String()
}

// BunTimeFormat is the text bun writes a time as, in UTC (schema.BaseDialect.AppendTime): a time
// bound as this text is stored as bun would have stored it.
const BunTimeFormat = "2006-01-02 15:04:05.999999-07:00"

// The kinds of value Bulk binds.
const (
	bindInt = iota
	bindString
	bindBool
	bindTime
	bindJSON
)

var (
	timeType   = reflect.TypeFor[time.Time]()
	valuerType = reflect.TypeFor[driver.Valuer]()
)

// bindKind says how a field of type t (pointers removed) is bound, and whether it can be.
func bindKind(t reflect.Type) (int, bool) {
	switch {
	case t == timeType:
		return bindTime, true
	case t.Kind() == reflect.String:
		return bindString, true
	case t.Kind() == reflect.Bool:
		return bindBool, true
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		return bindInt, true
	case t.Kind() == reflect.Struct && !t.Implements(valuerType) && !reflect.PointerTo(t).Implements(valuerType):
		return bindJSON, true // bun writes a struct as its JSON
	}
	return 0, false
}

// bind is the parameter of field value v, as bun would write it.
func (b *Bulk) bind(v reflect.Value) (any, error) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil, nil
		}
		v = v.Elem()
	}
	kind, _ := bindKind(v.Type())
	switch kind {
	case bindTime:
		// bun's text of a time (schema.BaseDialect.AppendTime); PostgreSQL reads it as the same instant.
		return v.Interface().(time.Time).UTC().Format(BunTimeFormat), nil
	case bindString:
		return v.String(), nil
	case bindBool:
		if b.sqlite {
			if v.Bool() {
				return int64(1), nil
			}
			return int64(0), nil
		}
		return v.Bool(), nil
	case bindInt:
		return v.Int(), nil
	default:
		j, err := json.Marshal(v.Interface())
		if err != nil {
			return nil, err
		}
		return string(j), nil
	}
}
