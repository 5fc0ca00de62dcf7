package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
)

// Prepared is a hot query run with bound parameters through a statement prepared once on the pool
// (database/sql then prepares it once on each connection that runs it). bun writes values into the
// SQL text, so the database parses each of its queries anew; a query run on every request is worth
// preparing. Query is written with ? placeholders, numbered for PostgreSQL, and "= ANY(?)" for a
// column in a List (SQLite reads the list from its JSON). The zero value is not usable: set Query.
// A Prepared keeps the statement of the last pool it ran on, and through it the pool's connections:
// keep it with what holds the pool (a service), not in a package variable that outlives the pool.
type Prepared struct {
	Query string
	// PlanEachRun, on PostgreSQL, runs Query unprepared: an unnamed statement that the server parses
	// and plans with the values bound, sent with them in one round trip. For a query whose best plan
	// depends on its values, such as how many creators an organization has or how rare a pattern is:
	// after five runs PostgreSQL may keep a prepared statement's generic plan, made without them. On
	// SQLite the query is prepared all the same.
	PlanEachRun bool

	mu   sync.Mutex
	db   *sql.DB
	stmt *sql.Stmt
}

// List is a parameter of a Prepared query that holds many values, compared with "= ANY(?)": a page's
// ids, bound as one parameter, so that one statement serves every page whatever its length (an IN
// list of placeholders would be a statement of its own for each length).
type List []string

// QueryRow runs the query on db (not in a transaction) and returns its row.
func (p *Prepared) QueryRow(ctx context.Context, db *bun.DB, args ...any) *sql.Row {
	if p.planEachRun(db) {
		return db.DB.QueryRowContext(ctx, p.query(db), p.unpreparedArgs(db, args)...)
	}
	stmt, err := p.prepared(ctx, db)
	if err != nil {
		return db.DB.QueryRowContext(ctx, p.query(db), p.args(db, args)...) // answers with the same error, or tries again
	}
	return stmt.QueryRowContext(ctx, p.args(db, args)...)
}

// Scan runs the query on db (not in a transaction) and scans its rows into dest as bun scans a
// model's: a pointer to a slice of models, or of structs whose bun tags name the query's columns.
func (p *Prepared) Scan(ctx context.Context, db *bun.DB, dest any, args ...any) error {
	rows, err := p.Rows(ctx, db, args...)
	if err != nil {
		return err
	}
	return MapError(db.ScanRows(ctx, rows, dest))
}

// Rows runs the query on db, the *bun.DB or a bun.Tx, and returns its rows. In a transaction the
// query is not prepared on the pool, which would take a connection of its own: while this
// transaction holds SQLite's write lock every other connection may be waiting for it. Its one
// statement with bound parameters is short to parse all the same.
func (p *Prepared) Rows(ctx context.Context, db bun.IDB, args ...any) (*sql.Rows, error) {
	var rows *sql.Rows
	var err error
	switch d := db.(type) {
	case *bun.DB:
		if p.planEachRun(d) {
			rows, err = d.DB.QueryContext(ctx, p.query(d), p.unpreparedArgs(d, args)...)
			break
		}
		var stmt *sql.Stmt
		if stmt, err = p.prepared(ctx, d); err == nil {
			rows, err = stmt.QueryContext(ctx, p.args(d, args)...)
		}
	case bun.Tx:
		rows, err = d.Tx.QueryContext(ctx, p.query(d), p.unpreparedArgs(d, args)...)
	default:
		return nil, fmt.Errorf("store: Prepared in a %T", db)
	}
	return rows, MapError(err)
}

func (p *Prepared) planEachRun(db bun.IDB) bool { return p.PlanEachRun && !IsSQLite(db) }

// unpreparedArgs are the parameters of the query run without its prepared statement. With
// PlanEachRun on PostgreSQL they start with pgx's option to send the query unnamed: pgx otherwise
// prepares and keeps a statement of each query text it runs.
func (p *Prepared) unpreparedArgs(db bun.IDB, args []any) []any {
	if p.planEachRun(db) {
		return append([]any{pgx.QueryExecModeExec}, p.args(db, args)...)
	}
	return p.args(db, args)
}

// prepared returns the pool's statement, preparing it on first use (or on another pool's).
func (p *Prepared) prepared(ctx context.Context, db *bun.DB) (*sql.Stmt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stmt == nil || p.db != db.DB {
		stmt, err := db.DB.PrepareContext(ctx, p.query(db))
		if err != nil {
			return nil, err
		}
		p.stmt, p.db = stmt, db.DB
	}
	return p.stmt, nil
}

// anyList is how a query compares a column with a List; SQLite's form reads the List's JSON.
const (
	anyList       = "= ANY(?)"
	sqliteAnyList = "IN (SELECT value FROM json_each(?))"
)

// SQL is the query as it is run on db's dialect (for an EXPLAIN).
func (p *Prepared) SQL(db *bun.DB) string { return p.query(db) }

// unplanned writes SQLite's comparisons with a parameter as comparisons with +parameter, the same
// value. With statistics of a column's distribution (sqlite_stat4, which ANALYZE writes), SQLite
// plans a comparison of an indexed column with a bare parameter for the value bound, and so compiles
// the statement again each time the parameter is bound anew: a full parse and plan on every run,
// which is what preparing was for (about 8 % of a name search's CPU). An expression is planned
// without its value, as PostgreSQL plans a generic statement; our hot queries look rows up by key,
// where the value does not change the plan.
var unplanned = strings.NewReplacer("= ?", "= +?", "< ?", "< +?", "> ?", "> +?")

// query is Query with the placeholders of db's dialect.
func (p *Prepared) query(db bun.IDB) string {
	if IsSQLite(db) {
		return unplanned.Replace(strings.ReplaceAll(p.Query, anyList, sqliteAnyList))
	}
	var sb strings.Builder
	n := 0
	for _, part := range strings.SplitAfter(p.Query, "?") {
		if strings.HasSuffix(part, "?") {
			n++
			sb.WriteString(part[:len(part)-1] + "$" + strconv.Itoa(n))
			continue
		}
		sb.WriteString(part)
	}
	return sb.String()
}

// args are the parameters as the dialect binds them: a List as JSON text on SQLite (a text[] on
// PostgreSQL), and on SQLite a time as the text bun writes, which is what the columns hold and
// compare as.
func (p *Prepared) args(db bun.IDB, in []any) []any {
	args := make([]any, len(in))
	copy(args, in)
	if !IsSQLite(db) {
		for i, a := range args {
			if l, ok := a.(List); ok {
				args[i] = []string(l)
			}
		}
		return args
	}
	for i, a := range args {
		switch v := a.(type) {
		case List:
			if v == nil {
				v = List{}
			}
			b, _ := json.Marshal(v) // a []string always marshals
			args[i] = string(b)
		case time.Time:
			args[i] = v.UTC().Format(BunTimeFormat)
		}
	}
	return args
}

// Columns is the column list of model (a pointer to a bun model struct) as bun selects it, each
// prefixed with alias and a dot when alias is not empty: the SELECT list of a Prepared query that
// scans the model.
func Columns(db *bun.DB, model any, alias string) string {
	t := db.Table(reflect.TypeOf(model).Elem())
	cols := make([]string, 0, len(t.Fields))
	for _, f := range t.Fields {
		c := string(f.SQLName)
		if alias != "" {
			c = alias + "." + c
		}
		cols = append(cols, c)
	}
	return strings.Join(cols, ", ")
}
