package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// LoadResult is what one load run measured.
type LoadResult struct {
	Requests  int
	Errors    int   // transport errors and unexpected status codes
	FirstErr  error // the first of them, to say what went wrong
	Took      time.Duration
	Latencies []time.Duration // one per request, in no particular order
}

// PerSecond is the throughput: requests answered per second of the run.
func (r LoadResult) PerSecond() float64 { return float64(r.Requests) / r.Took.Seconds() }

// P is the p-th percentile latency in milliseconds.
func (r LoadResult) P(p float64) float64 { return Percentile(Durations(r.Latencies), p) }

// Load sends n requests from conc goroutines over client's keep-alive connections. build makes
// request i and says which status it must answer; the body is read to the end, as a browser would.
// With perSecond > 0 request i is due at start + i/perSecond and its latency counts from then (an
// open model: a slow answer does not hold back the requests behind it, which would hide the delay);
// with 0 they go as fast as the server answers.
func Load(ctx context.Context, client *http.Client, conc, n int, perSecond float64,
	build func(i int) (*http.Request, int)) LoadResult {
	var (
		next  atomic.Int64
		errs  atomic.Int64
		once  sync.Once
		first error
		wg    sync.WaitGroup
	)
	lat := make([]time.Duration, n)
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				due := time.Now()
				if perSecond > 0 {
					due = start.Add(time.Duration(float64(i) / perSecond * float64(time.Second)))
					if d := time.Until(due); d > 0 {
						time.Sleep(d)
					}
				}
				req, want := build(i)
				resp, err := client.Do(req.WithContext(ctx))
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != want {
						err = fmt.Errorf("%s %s answered %d, not %d", req.Method, req.URL.Path, resp.StatusCode, want)
					}
				}
				lat[i] = time.Since(due)
				if err != nil {
					errs.Add(1)
					once.Do(func() { first = err })
				}
			}
		}()
	}
	wg.Wait()
	return LoadResult{Requests: n, Errors: int(errs.Load()), FirstErr: first, Took: time.Since(start), Latencies: lat}
}

// Keepalive is a client for a load generator: conc connections kept open to one host.
func Keepalive(conc int) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: time.Minute}
}
