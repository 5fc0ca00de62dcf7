// Package observe lets the packages that do long work on a request (imports, reports) say how long
// it took without importing a metrics library: internal/metrics sets the observer once, and Done is
// a no-op until it does (tests, the command-line tools).
package observe

import (
	"sync/atomic"
	"time"
)

// Work is one import or report that ended.
type Work struct {
	Kind string // e.g. "import_creators", "report_commissions": a fixed set, never user input
	Took time.Duration
	Err  error // nil: it succeeded (a dry run included)
}

var observer atomic.Pointer[func(Work)]

// Set installs f as the observer of every Work that ends from now on.
func Set(f func(Work)) { observer.Store(&f) }

// Done reports that the work of kind started at start has ended with *err. It is meant to be
// deferred with the function's named error result: defer observe.Done("import_orders", time.Now(), &err).
func Done(kind string, start time.Time, err *error) {
	if f := observer.Load(); f != nil {
		(*f)(Work{Kind: kind, Took: time.Since(start), Err: *err})
	}
}
