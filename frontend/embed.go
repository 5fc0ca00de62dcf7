// Package frontend holds the web UI, built by Vite into dist/ and embedded in the binary.
//
// dist/placeholder.html is committed (and copied back by every Vite build from public/), so
// `go build` works on a machine without Node: the server then answers with the placeholder page.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built UI rooted at dist/.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // dist/ is embedded at compile time; this cannot fail at run time
	}
	return sub
}
