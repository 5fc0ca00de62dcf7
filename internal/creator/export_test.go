package creator

import "github.com/uptrace/bun"

// ExplainSQLite is explainSQLite, for the package's external tests.
var ExplainSQLite = explainSQLite

// SearchAloneSQL is the prepared query of the first page of a search for q alone
// (Filter.searchAlone) on db, of live creators or of the bin.
func SearchAloneSQL(db *bun.DB, deleted bool) string {
	return newPageQueries(db).search[deleted].SQL(db)
}
