package tracking_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/caravan-crm/caravan/internal/store/storetest"
	"github.com/caravan-crm/caravan/internal/tracking"
)

// BenchmarkRedirect measures GET /r/{code} through the whole router on SQLite holding 2,000 links:
// the link lookup, the account's platform, the URL and the click put in the buffer (the flusher
// writes in the background, as in production).
func BenchmarkRedirect(b *testing.B) {
	w := newWorld(b, storetest.SQLite(b))
	w.svc.SetRedirectLimit(rate.Inf, 0)
	var code string
	for i := range 2000 {
		acct := &w.tiktok
		if i%2 == 0 {
			acct = nil
		}
		code = w.link(b, fmt.Sprintf("https://shop.example/p/%d?a=1&a=2#f", i), acct).Code
	}
	for i := 0; b.Loop(); i++ {
		req := httptest.NewRequest(http.MethodGet, "/r/"+code, nil)
		req.Header.Set("User-Agent", fmt.Sprintf("Mozilla/5.0 bench %d", i))
		rec := httptest.NewRecorder()
		w.e.Server.Echo.ServeHTTP(rec, req)
		if rec.Code != http.StatusFound {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkRedirectOverHTTP compares GET /r/{code} through the real server (router, middleware,
// link lookup, click buffered and flushed) with a bare net/http handler that looks the code up in a
// map and answers the same 302, both over keep-alive connections from the same parallel client, in
// the same process. It reports requests per second and the p99 latency of each.
//
//	go test -run '^$' -bench RedirectOverHTTP -count 6 ./internal/tracking/
func BenchmarkRedirectOverHTTP(b *testing.B) {
	w := newWorld(b, storetest.SQLite(b))
	w.svc.SetRedirectLimit(rate.Inf, 0)
	codes := map[string]string{}
	var list []string
	for i := range 200 {
		l := w.link(b, fmt.Sprintf("https://shop.example/p/%d?a=1", i), &w.tiktok)
		codes[l.Code] = l.DestinationURL
		list = append(list, l.Code)
	}
	bare := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		dest, ok := codes[strings.TrimPrefix(r.URL.Path, "/r/")]
		if !ok {
			http.NotFound(rw, r)
			return
		}
		http.Redirect(rw, r, dest+"&cv_click=x&utm_medium=creator", http.StatusFound)
	})
	for _, tc := range []struct {
		name string
		h    http.Handler
	}{{"bare", bare}, {"caravan", w.e.Server.Echo}} {
		b.Run(tc.name, func(b *testing.B) {
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			client := &http.Client{
				Transport:     &http.Transport{MaxIdleConnsPerHost: 64},
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			}
			var mu sync.Mutex
			var lat []time.Duration
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				i := 0
				for pb.Next() {
					i++
					t0 := time.Now()
					req, _ := http.NewRequest(http.MethodGet, srv.URL+"/r/"+list[i%len(list)], nil)
					req.Header.Set("User-Agent", fmt.Sprintf("Mozilla/5.0 bench %d", i))
					res, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusFound {
						b.Errorf("status %d", res.StatusCode)
						return
					}
					mine = append(mine, time.Since(t0))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			elapsed := time.Since(start)
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
			}
		})
	}
}

// BenchmarkFlush measures the click writer: batches of 2,000 clicks on 200 links (half of them naming
// an account), each from a new visitor, put in the buffer through the service and written by Flush,
// into a clicks table that grows as a busy day's would. It reports the cost per click.
//
//	go test -run '^$' -bench Flush -benchtime 40x -cpuprofile /tmp/flush.prof ./internal/tracking/
func BenchmarkFlush(b *testing.B) {
	w := newWorld(b, storetest.SQLite(b))
	w.svc.SetRedirectLimit(rate.Inf, 0)
	var codes []string
	for i := range 200 {
		acct := &w.tiktok
		if i%2 == 0 {
			acct = nil
		}
		codes = append(codes, w.link(b, fmt.Sprintf("https://shop.example/p/%d?a=1", i), acct).Code)
	}
	const batch = 2000
	visitor := 0
	cpu0 := cpuTime()
	for b.Loop() {
		for range batch {
			visitor++
			v := tracking.Visit{Code: codes[visitor%len(codes)], UserAgent: "Mozilla/5.0 (iPhone) Safari/604.1",
				IP: fmt.Sprintf("10.%d.%d.%d", visitor>>16&0xff, visitor>>8&0xff, visitor&0xff)}
			if _, err := w.svc.Redirect(w.ctx, v); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.svc.Flush(w.ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/click")
	// CPU time says more than the clock on a machine shared with other work.
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N*batch), "cpu-ns/click")
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
