package creator

// ExplainSQLite is explainSQLite, for the package's external tests.
var ExplainSQLite = explainSQLite
