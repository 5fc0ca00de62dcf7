package store

// BulkPrepared reports whether b's statement of n rows is prepared on the pool.
func BulkPrepared(b *Bulk, n int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stmts[n] != nil
}

// UnnestKey is the key of PostgreSQL's one statement among a Bulk's prepared ones.
const UnnestKey = unnestKey

// UnnestRows is the most rows one statement of a Bulk writes on PostgreSQL.
const UnnestRows = unnestRows
