package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// ReadWithMemory runs fn, a read, with up to mib MiB of memory for each sort and hash of its
// queries. On PostgreSQL that is a read-only transaction with work_mem set for it alone (SET LOCAL;
// the server's default is 4 MB, and a query that needs more spills to temporary files, or is planned
// to sort where a hash would do); the pool's connections keep their setting. SQLite has no such
// limit: fn runs on db.
func ReadWithMemory(ctx context.Context, db *bun.DB, mib int, fn func(ctx context.Context, db bun.IDB) error) error {
	if db.Dialect().Name() != dialect.PG {
		return fn(ctx, db)
	}
	err := db.RunInTx(ctx, &sql.TxOptions{ReadOnly: true}, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("SET LOCAL work_mem = '%dMB'", mib)); err != nil {
			return err
		}
		return fn(ctx, tx)
	})
	return MapError(err)
}
