//go:build race

package app

// redirectLoad is how many redirects the shutdown test sends: the race detector makes each ~10×
// slower, so it checks the same property on fewer.
const redirectLoad = 2_000
