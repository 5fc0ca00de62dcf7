package store

// BulkPrepared reports whether b's statement of n rows is prepared on the pool.
func BulkPrepared(b *Bulk, n int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stmts[n] != nil
}
