package tracking

// The flusher's INSERT. bun writes a multi-row INSERT with every value inlined: a 2,000-click batch
// is a statement of about a megabyte that Go builds and SQLite parses on every flush, and it showed
// in profiles next to the B-tree work itself. The flusher writes through a store.Bulk instead: bound
// values encoded as bun inlines them (so a stored row is the same byte for byte whichever path wrote
// it), in statements of a few sizes prepared once per connection.

// clickInsertSuffix skips a click whose id or dedupe key is already stored and returns the ids of
// the clicks written.
const clickInsertSuffix = "ON CONFLICT DO NOTHING RETURNING id"
