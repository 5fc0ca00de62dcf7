package creator

import (
	"testing"

	"github.com/caravan-crm/caravan/internal/store"
)

// An import writes its new creators in batches that a Bulk writes in full statements: batches of
// 250 creators were ten INSERTs a table (the most of 64 rows), and the bench's 10,000-row import ran
// at 0.463-0.477x the rate of a raw batched insert; in batches of four full statements, 0.499-0.519x.
func TestAnImportBatchIsWrittenInFullStatements(t *testing.T) {
	if got, want := store.BulkStatements(importBatch), importBatch/store.BulkRows; importBatch < store.BulkRows || got != want {
		t.Errorf("a batch of %d creators is written in %d statements; want full statements of %d rows", importBatch, got, store.BulkRows)
	}
}
