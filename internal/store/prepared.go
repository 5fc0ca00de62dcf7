package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"

	"github.com/uptrace/bun"
)

// Prepared is a hot query run with bound parameters through a statement prepared once on the pool
// (database/sql then prepares it once on each connection that runs it). bun writes values into the
// SQL text, so the database parses each of its queries anew; a query run on every request is worth
// preparing. Query is written with ? placeholders, numbered for PostgreSQL. The zero value is not
// usable: set Query.
type Prepared struct {
	Query string

	mu   sync.Mutex
	db   *sql.DB
	stmt *sql.Stmt
}

// QueryRow runs the query on db (not in a transaction) and returns its row.
func (p *Prepared) QueryRow(ctx context.Context, db *bun.DB, args ...any) *sql.Row {
	p.mu.Lock()
	stmt := p.stmt
	if stmt == nil || p.db != db.DB {
		var err error
		if stmt, err = db.DB.PrepareContext(ctx, p.query(db)); err != nil {
			p.mu.Unlock()
			return db.DB.QueryRowContext(ctx, p.query(db), args...) // answers with the same error, or tries again
		}
		p.stmt, p.db = stmt, db.DB
	}
	p.mu.Unlock()
	return stmt.QueryRowContext(ctx, args...)
}

// query is Query with the dialect's placeholders.
func (p *Prepared) query(db *bun.DB) string {
	if IsSQLite(db) {
		return p.Query
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
