package store

import (
	"context"
	"database/sql"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// ReadWithMemory runs fn, a read, with at least mib MiB of memory for each sort and hash of its
// queries. On PostgreSQL that is a read-only transaction whose work_mem is raised for it alone (as
// SET LOCAL does; the server's default is 4 MB, and a query that needs more spills to temporary files,
// or is planned to sort where a hash would do); a server set higher keeps its setting, and the pool's
// connections keep theirs after. SQLite has no such limit: fn runs on db.
func ReadWithMemory(ctx context.Context, db *bun.DB, mib int, fn func(ctx context.Context, db bun.IDB) error) error {
	if db.Dialect().Name() != dialect.PG {
		return fn(ctx, db)
	}
	err := db.RunInTx(ctx, &sql.TxOptions{ReadOnly: true}, func(ctx context.Context, tx bun.Tx) error {
		// pg_settings gives work_mem in kB.
		if _, err := tx.ExecContext(ctx, "SELECT set_config('work_mem', GREATEST(setting::bigint, ?)::text || 'kB', true) "+
			"FROM pg_settings WHERE name = 'work_mem'", int64(mib)<<10); err != nil {
			return err
		}
		return fn(ctx, tx)
	})
	return MapError(err)
}
