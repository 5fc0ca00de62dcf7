package tracking

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store"
)

// clickColumns are the columns of clicks the flusher writes, in the order of insertArgs.
var clickColumns = []string{"id", "org_id", "link_id", "creator_id", "campaign_id", "account_id", "clicked_at", "kind",
	"ip_hash", "visitor", "dedupe_key", "user_agent", "referer", "country"}

// insertSizes are the numbers of rows of the INSERT statements the flusher prepares: a batch is
// written as full statements of the largest size and the rest as a sum of the smaller ones.
var insertSizes = []int{256, 64, 16, 4, 1}

// timeFormat is how bun writes a time into SQL (UTC), so that a click written here compares with the
// times every other query passes (SQLite keeps timestamps as text).
const timeFormat = "2006-01-02 15:04:05.999999-07:00"

// clickInserter writes click rows with prepared multi-row INSERT statements. bun writes every value
// into the SQL text, so each batch was new SQL for the database to parse: a CPU profile of the
// redirect under load put most of the flusher's time in SQLite's parser. Prepared once per size (and
// by database/sql once per connection), a batch is only bound and run.
type clickInserter struct {
	db     *bun.DB
	sqlite bool

	mu    sync.Mutex
	stmts map[int]*sql.Stmt
}

func newClickInserter(db *bun.DB) *clickInserter {
	return &clickInserter{db: db, sqlite: store.IsSQLite(db), stmts: map[int]*sql.Stmt{}}
}

// stmt returns the prepared INSERT of n rows. A click already stored (its id) or a counted click
// whose dedupe key is taken is skipped, as ON CONFLICT DO NOTHING does on both databases.
func (ci *clickInserter) stmt(ctx context.Context, n int) (*sql.Stmt, error) {
	ci.mu.Lock()
	defer ci.mu.Unlock()
	if s, ok := ci.stmts[n]; ok {
		return s, nil
	}
	var b strings.Builder
	b.WriteString("INSERT INTO clicks (" + strings.Join(clickColumns, ", ") + ") VALUES ")
	p := 0
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range clickColumns {
			if j > 0 {
				b.WriteString(", ")
			}
			p++
			if ci.sqlite {
				b.WriteByte('?')
			} else {
				fmt.Fprintf(&b, "$%d", p)
			}
		}
		b.WriteByte(')')
	}
	b.WriteString(" ON CONFLICT DO NOTHING")
	s, err := ci.db.DB.PrepareContext(ctx, b.String())
	if err != nil {
		return nil, err
	}
	ci.stmts[n] = s
	return s, nil
}

// insert writes rows in tx and returns how many it stored.
func (ci *clickInserter) insert(ctx context.Context, tx bun.Tx, rows []clickRow) (int64, error) {
	var stored int64
	for len(rows) > 0 {
		n := insertSizes[len(insertSizes)-1]
		for _, size := range insertSizes {
			if size <= len(rows) {
				n = size
				break
			}
		}
		s, err := ci.stmt(ctx, n)
		if err != nil {
			return stored, err
		}
		res, err := tx.Tx.StmtContext(ctx, s).ExecContext(ctx, ci.args(rows[:n])...)
		if err != nil {
			return stored, err
		}
		k, err := res.RowsAffected()
		if err != nil {
			return stored, err
		}
		stored += k
		rows = rows[n:]
	}
	return stored, nil
}

func (ci *clickInserter) args(rows []clickRow) []any {
	args := make([]any, 0, len(rows)*len(clickColumns))
	for _, r := range rows {
		var at any = r.ClickedAt.UTC()
		if ci.sqlite {
			at = r.ClickedAt.UTC().Format(timeFormat)
		}
		args = append(args, r.ID, r.OrgID, r.LinkID, r.CreatorID, r.CampaignID, nullable(r.AccountID), at, r.Kind,
			r.IPHash, r.Visitor, nullable(r.DedupeKey), r.UserAgent, r.Referer, nullable(r.Country))
	}
	return args
}

func nullable(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}
