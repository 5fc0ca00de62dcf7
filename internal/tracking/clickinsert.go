package tracking

// The flusher's INSERT. bun writes a multi-row INSERT with every value inlined: a 2,000-click batch
// is a statement of about a megabyte that Go builds and SQLite parses on every flush, and it showed
// in profiles next to the B-tree work itself. Here the values are bound parameters, in chunks of a few
// sizes, each prepared once per transaction, with the values encoded exactly as bun inlines them
// (times as bun's text, strings as they are), so a stored row is the same byte for byte whichever
// path wrote it.

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// clickColumns are the columns the flusher writes, in the order of clickArgs.
var clickColumns = []string{"id", "org_id", "link_id", "creator_id", "campaign_id", "account_id", "clicked_at", "kind",
	"ip_hash", "visitor", "dedupe_key", "user_agent", "referer", "country"}

// maxClickChunk is the most rows one INSERT statement carries: 3,584 parameters, well within SQLite's
// and PostgreSQL's limits. A batch is written as chunks of maxClickChunk rows, then the rest in
// powers of two, so a transaction prepares at most nine statements however the batch is sized.
const maxClickChunk = 256

// bunTimeFormat is how bun writes a time.Time into SQL (schema.BaseDialect.AppendTime, in UTC):
// the clicks the flusher binds are stored as the same text bun would have inlined.
const bunTimeFormat = "2006-01-02 15:04:05.999999-07:00"

// clickChunk is the size of the next INSERT for n rows still to write.
func clickChunk(n int) int {
	if n >= maxClickChunk {
		return maxClickChunk
	}
	c := 1
	for c*2 <= n {
		c *= 2
	}
	return c
}

// insertClicksSQL is the INSERT of n clicks, skipping those whose id or dedupe key is already
// stored and returning the ids of those it wrote. PostgreSQL numbers its placeholders, SQLite does not.
func insertClicksSQL(name dialect.Name, n int) string {
	var b strings.Builder
	b.Grow(64 + n*len(clickColumns)*6)
	b.WriteString("INSERT INTO clicks (")
	b.WriteString(strings.Join(clickColumns, ", "))
	b.WriteString(") VALUES ")
	k := 0
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range clickColumns {
			if j > 0 {
				b.WriteString(", ")
			}
			k++
			if name == dialect.PG {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(k))
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	b.WriteString(" ON CONFLICT DO NOTHING RETURNING id")
	return b.String()
}

// clickArgs appends row's values in the order of clickColumns, encoded as bun would inline them.
func clickArgs(args []any, row *clickRow) []any {
	return append(args, row.ID, row.OrgID, row.LinkID, row.CreatorID, row.CampaignID, nullable(row.AccountID),
		row.ClickedAt.UTC().Format(bunTimeFormat), row.Kind, row.IPHash, row.Visitor, nullable(row.DedupeKey),
		row.UserAgent, row.Referer, nullable(row.Country))
}

// nullable is a *string as a parameter: nil is NULL.
func nullable(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// insertClicks writes rows in tx and returns the ids of the rows written (a row whose id or dedupe
// key is already stored is skipped).
func insertClicks(ctx context.Context, tx bun.Tx, rows []clickRow) ([]string, error) {
	name := tx.Dialect().Name()
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	inserted := make([]string, 0, len(rows))
	args := make([]any, 0, min(len(rows), maxClickChunk)*len(clickColumns))
	for len(rows) > 0 {
		n := clickChunk(len(rows))
		st, ok := stmts[n]
		if !ok {
			var err error
			if st, err = tx.Tx.PrepareContext(ctx, insertClicksSQL(name, n)); err != nil {
				return nil, err
			}
			stmts[n] = st
		}
		args = args[:0]
		for i := range rows[:n] {
			args = clickArgs(args, &rows[i])
		}
		res, err := st.QueryContext(ctx, args...)
		if err != nil {
			return nil, err
		}
		for res.Next() {
			var id string
			if err := res.Scan(&id); err != nil {
				res.Close()
				return nil, err
			}
			inserted = append(inserted, id)
		}
		if err := res.Close(); err != nil {
			return nil, err
		}
		if err := res.Err(); err != nil {
			return nil, err
		}
		rows = rows[n:]
	}
	return inserted, nil
}
