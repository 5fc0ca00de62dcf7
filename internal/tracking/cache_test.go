package tracking_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"golang.org/x/time/rate"

	"github.com/caravan-crm/caravan/internal/store/storetest"
	"github.com/caravan-crm/caravan/internal/tracking"
)

// destination is where a redirect sends its visitor, without the parameters it adds.
func (w *world) destination(t *testing.T, code string) string {
	t.Helper()
	to, err := w.svc.Redirect(w.ctx, tracking.Visit{Code: code, IP: "198.51.100.9", UserAgent: w.browser})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(to)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host + u.Path
}

// A link still being visited is read again shortly before it expires, off the visitor's request, so
// it never expires under a burst; what a replica redirects with is still never older than five
// seconds.
func TestAHotLinkIsReadAgainBeforeItExpiresAndNeverServedStale(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		w.svc.SetRedirectLimit(rate.Inf, 0)
		l := w.link(t, "https://shop.example/one", nil)
		setDest := func(d string) { // behind the service's back, as another replica would
			t.Helper()
			if _, err := db.NewUpdate().Table("links").Set("destination_url = ?", d).Where("id = ?", l.ID).Exec(w.ctx); err != nil {
				t.Fatal(err)
			}
		}
		if got := w.destination(t, l.Code); got != "shop.example/one" {
			t.Fatalf("first visit: %s", got)
		}
		setDest("https://shop.example/two")
		w.e.Clock.Advance(4500 * time.Millisecond) // within the last second: due for a read ahead
		if got := w.destination(t, l.Code); got != "shop.example/one" {
			t.Fatalf("the visit that starts the read ahead waits for nothing: %s", got)
		}
		deadline := time.Now().Add(5 * time.Second)
		for w.destination(t, l.Code) != "shop.example/two" {
			if time.Now().After(deadline) {
				t.Fatal("the link was never read again")
			}
			time.Sleep(5 * time.Millisecond)
		}
		setDest("https://shop.example/three")
		w.e.Clock.Advance(time.Second) // 5.5 s after the first read: the link read at 4.5 s still serves
		if got := w.destination(t, l.Code); got != "shop.example/two" {
			t.Fatalf("5.5 s after the first read: %s, want what the read ahead found", got)
		}
		w.e.Clock.Advance(4100 * time.Millisecond) // 5.1 s after the read ahead: expired
		if got := w.destination(t, l.Code); got != "shop.example/three" {
			t.Fatalf("past five seconds: %s", got)
		}
	})
}

// linkReads counts the redirect's reads of links and makes each take a while, so that concurrent
// requests overlap them.
type linkReads struct{ n atomic.Int64 }

func (h *linkReads) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context {
	if strings.Contains(e.Query, "l.code = ") {
		h.n.Add(1)
		time.Sleep(50 * time.Millisecond)
	}
	return ctx
}

func (h *linkReads) AfterQuery(context.Context, *bun.QueryEvent) {}

// The requests that miss a link while it is being read wait for that read instead of each reading
// it: a burst on a link the replica has not read yet costs one read, not one per request.
func TestRequestsThatMissALinkTogetherShareOneRead(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		w.svc.SetRedirectLimit(rate.Inf, 0)
		l := w.link(t, "https://shop.example/one", &w.tiktok)
		reads := &linkReads{}
		db.AddQueryHook(reads)
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := w.svc.Redirect(w.ctx, tracking.Visit{Code: l.Code, IP: "198.51.100.9", UserAgent: w.browser}); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if n := reads.n.Load(); n != 1 {
			t.Fatalf("16 requests at once read the link %d times, want 1", n)
		}
	})
}
