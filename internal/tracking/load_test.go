package tracking_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"golang.org/x/time/rate"

	"github.com/caravan-crm/caravan/internal/store/storetest"
	"github.com/caravan-crm/caravan/internal/tracking"
)

// Thousands of redirects from many goroutines through a real listener, then the flusher's graceful
// stop (what the app does on shutdown): every click is in the database exactly once, with the id
// its visitor was sent with.
func TestConcurrentRedirectsAreAllRecordedOnceAfterAGracefulStop(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		w.svc.SetRedirectLimit(rate.Inf, 0) // every request comes from 127.0.0.1
		links := []tracking.Link{w.link(t, "https://shop.example/a?x=1#f", nil), w.link(t, "https://shop.example/b", &w.tiktok)}
		srv := httptest.NewServer(w.e.Server.Echo)
		defer srv.Close()
		client := &http.Client{
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Transport:     &http.Transport{MaxIdleConnsPerHost: 32},
		}
		const workers, each = 16, 130 // 2,080 clicks
		var (
			mu        sync.Mutex
			ids       = map[string]string{} // click id → link id
			latencies []time.Duration
			wg        sync.WaitGroup
			failures  = make(chan error, workers)
		)
		for g := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					l := links[(g+i)%len(links)]
					req, _ := http.NewRequest("GET", srv.URL+"/r/"+l.Code, nil)
					// A distinct browser per request, so no click is a repeat of another.
					req.Header.Set("User-Agent", fmt.Sprintf("Mozilla/5.0 (test; worker %d; visit %d) Safari/604.1", g, i))
					start := time.Now()
					res, err := client.Do(req)
					took := time.Since(start)
					if err != nil {
						failures <- err
						return
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusFound {
						failures <- fmt.Errorf("status %d", res.StatusCode)
						return
					}
					u, err := url.Parse(res.Header.Get("Location"))
					if err != nil {
						failures <- err
						return
					}
					mu.Lock()
					ids[u.Query().Get("cv_click")] = l.ID
					latencies = append(latencies, took)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(failures)
		for err := range failures {
			t.Fatal(err)
		}
		if len(ids) != workers*each {
			t.Fatalf("%d distinct click ids for %d redirects", len(ids), workers*each)
		}
		slices.Sort(latencies)
		var sum time.Duration
		for _, d := range latencies {
			sum += d
		}
		t.Logf("%d redirects: mean %v, p50 %v, p99 %v (race detector: %v)", len(latencies), sum/time.Duration(len(latencies)),
			latencies[len(latencies)/2], latencies[len(latencies)*99/100], raceEnabled)

		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := w.svc.Close(ctx); err != nil {
			t.Fatal(err)
		}
		var rows []struct {
			ID     string `bun:"id"`
			LinkID string `bun:"link_id"`
			Kind   string `bun:"kind"`
		}
		if err := db.NewSelect().Table("clicks").Column("id", "link_id", "kind").Scan(ctx, &rows); err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(ids) {
			t.Fatalf("%d clicks stored, %d sent", len(rows), len(ids))
		}
		seen := map[string]bool{}
		for _, r := range rows {
			if seen[r.ID] || ids[r.ID] != r.LinkID || r.Kind != tracking.ClickCounted {
				t.Fatalf("click %+v: stored twice, unknown or not counted", r)
			}
			seen[r.ID] = true
		}
		var total int64
		for _, l := range links {
			var got tracking.Link
			w.call(t, "GET", "/api/v1/links/"+l.ID, nil, 200).JSON(t, &got)
			total += got.Clicks
		}
		if total != int64(len(ids)) {
			t.Fatalf("links count %d clicks, want %d", total, len(ids))
		}

		// After the stop a click is written on its own request: still nothing lost.
		res, err := client.Get(srv.URL + "/r/" + links[0].Code)
		if err != nil || res.StatusCode != http.StatusFound {
			t.Fatalf("after the stop: %v %v", res, err)
		}
		res.Body.Close()
		if k := w.kinds(t, links[0].ID); k[tracking.ClickCounted]+k[tracking.ClickBot] != len(ids)/2+1 {
			t.Fatalf("after the stop: kinds %v", k)
		}
	})
}

// A buffer smaller than the burst makes requests write their own clicks: nothing is dropped.
func TestAFullBufferWritesOnTheRequestAndDropsNothing(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		svc := tracking.NewService(db, w.e.Clock, tracking.Options{FlushEvery: time.Hour, FlushSize: 5, BufferSize: 5, RedirectRate: rate.Inf})
		t.Cleanup(func() { _ = svc.Close(context.Background()) })
		l := w.link(t, "https://shop.example/", nil)
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := svc.Redirect(w.ctx, tracking.Visit{Code: l.Code, IP: "198.51.100.7", UserAgent: fmt.Sprintf("Mozilla/5.0 v%d", i)}); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if err := svc.Close(w.ctx); err != nil {
			t.Fatal(err)
		}
		if k := w.kinds(t, l.ID); k[tracking.ClickCounted] != 40 {
			t.Fatalf("kinds %v, want 40 counted", k)
		}
	})
}

// A click the flusher has taken from the buffer and is still writing is pending all the same: the
// attribution of an order by its click id waits for the write instead of answering "no such click".
// (The flusher took its batch out of the buffer and only the buffer was searched.) The write is held
// back by a lock on the clicks table from another connection.
func TestAClickBeingWrittenIsFoundByItsID(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		svc := tracking.NewService(db, w.e.Clock, tracking.Options{FlushEvery: time.Hour, FlushSize: 1, BufferSize: 100, RedirectRate: rate.Inf})
		t.Cleanup(func() { _ = svc.Close(context.Background()) })
		l := w.link(t, "https://shop.example/", nil)

		release := tracking.HoldClickWrites(t, db)

		target, err := svc.Redirect(w.ctx, tracking.Visit{Code: l.Code, IP: "198.51.100.9", UserAgent: w.browser})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(target)
		id := u.Query().Get("cv_click")
		for deadline := time.Now().Add(5 * time.Second); svc.Buffered() > 0; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the flusher did not take the click")
			}
		}
		type answer struct {
			c   *tracking.Click
			err error
		}
		got := make(chan answer, 1)
		go func() {
			c, err := svc.ResolveClick(w.ctx, w.u.OrgID, id)
			got <- answer{c, err}
		}()
		select {
		case a := <-got: // answered while the click could not be written: it must not have been
			t.Fatalf("answered before the click was written: %+v, %v", a.c, a.err)
		case <-time.After(200 * time.Millisecond):
		}
		release()
		a := <-got
		if a.err != nil || a.c.ID != id || a.c.LinkID != l.ID {
			t.Fatalf("resolve the click being written: %+v, %v", a.c, a.err)
		}
	})
}
