// Package migrations embeds the SQL migrations, one folder per dialect with the same IDs:
// YYYYMMDDHHMMSS_verb_noun.up.sql and .down.sql, statements separated by --bun:split.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// For returns the migrations of one dialect: "sqlite" or "postgres".
func For(dialect string) fs.FS {
	sub, err := fs.Sub(files, dialect)
	if err != nil {
		panic(err) // the folders are embedded at compile time
	}
	return sub
}
