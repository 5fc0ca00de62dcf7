package tracking

import (
	"errors"
	"testing"
	"time"
)

// A read that panics (recovered higher up, on its request) still answers the requests waiting for
// it, with an error, instead of leaving them waiting forever; and the next request reads again.
func TestTheWaitersOfAReadThatPanickedAreAnswered(t *testing.T) {
	c := newLinkCache()
	started, release := make(chan struct{}), make(chan struct{})
	go func() {
		defer func() { _ = recover() }()
		_, _ = c.read("abc", true, func() (cachedLink, error) {
			close(started)
			<-release
			panic("boom")
		})
	}()
	<-started
	waited := make(chan error, 1)
	go func() {
		_, err := c.read("abc", true, func() (cachedLink, error) { return cachedLink{}, errors.New("second read") })
		waited <- err
	}()
	time.Sleep(20 * time.Millisecond) // the second request is waiting for the first read
	close(release)
	select {
	case err := <-waited:
		if !errors.Is(err, errLinkReadPanicked) && (err == nil || err.Error() != "second read") {
			t.Fatalf("the waiter got %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiter of a read that panicked is still waiting")
	}
	v, err := c.read("abc", true, func() (cachedLink, error) { return cachedLink{before: "L1"}, nil })
	if err != nil || v.before != "L1" {
		t.Fatalf("the next read: %+v, %v", v, err)
	}
}
