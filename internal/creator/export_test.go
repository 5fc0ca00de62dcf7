package creator

import (
	"testing"

	"github.com/uptrace/bun"
)

// ExplainSQLite is explainSQLite, for the package's external tests.
var ExplainSQLite = explainSQLite

// SearchAloneSQL is the prepared query of the first page of a search for q alone
// (Filter.searchAlone) on db, of live creators or of the bin.
func SearchAloneSQL(db *bun.DB, deleted bool) string {
	return newPageQueries(db).search[deleted].SQL(db)
}

// SetSearchWalk sets how many creators a search's walk passes over at most and the smallest total
// it estimates, for the rest of the test: a test's catalogue has hundreds of creators, not 100,000.
func SetSearchWalk(t testing.TB, rows, from int64) {
	oldRows, oldFrom := walkRows, estimateFrom
	walkRows, estimateFrom = rows, from
	t.Cleanup(func() { walkRows, estimateFrom = oldRows, oldFrom })
}

// EstimateTotal is estimateTotal.
var EstimateTotal = estimateTotal
