//go:build !race

package app

// redirectLoad is how many redirects the shutdown test sends.
const redirectLoad = 10_000
