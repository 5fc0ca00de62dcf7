package worker_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
	"github.com/caravan-crm/caravan/internal/worker"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)) }

// syncBuffer is a log destination safe for the runner's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestOncePerClusterJobRunsOnceAWindowAcrossReplicasAndNeverOverlaps(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			// Two replicas: two processes, each with its own pool, on one database.
			var dbs []*bun.DB
			for range 2 {
				db, err := store.Open(ctx, url)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				if _, err := store.Migrate(ctx, db); err != nil {
					t.Fatal(err)
				}
				dbs = append(dbs, db)
			}
			const every = 40 * time.Millisecond
			var (
				inFlight, overlaps atomic.Int32
				mu                 sync.Mutex
				perWindow          = map[time.Time]int{}
			)
			job := worker.Job{Name: "rollup", Every: every, Once: true, Run: func(ctx context.Context) error {
				if inFlight.Add(1) > 1 {
					overlaps.Add(1)
				}
				defer inFlight.Add(-1)
				mu.Lock()
				perWindow[worker.WindowStart(ctx)]++
				mu.Unlock()
				// Sometimes longer than a window: the next window's claim must find the lease still held.
				time.Sleep(every * 3 / 4)
				if time.Now().UnixNano()%3 == 0 {
					time.Sleep(every)
				}
				return nil
			}}
			var runners []*worker.Runner
			var logs syncBuffer
			for i, db := range dbs {
				r := &worker.Runner{Log: slog.New(slog.NewTextHandler(&logs, nil)), LeaseTTL: time.Second,
					Leases: &worker.Leases{DB: db, Clock: clock.System{}, Holder: worker.NewHolder() + string(rune('a'+i))}}
				if err := r.Start(ctx, job); err != nil {
					t.Fatal(err)
				}
				runners = append(runners, r)
			}
			time.Sleep(60 * every)
			for _, r := range runners {
				stopCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
				if err := r.Stop(stopCtx); err != nil {
					t.Fatal(err)
				}
				cancel()
			}
			if n := overlaps.Load(); n > 0 {
				t.Fatalf("the job ran on two replicas at once %d times; log:\n%s", n, logs.String())
			}
			mu.Lock()
			defer mu.Unlock()
			for w, n := range perWindow {
				if n > 1 || w.IsZero() {
					t.Fatalf("window %v ran %d times", w, n)
				}
			}
			if len(perWindow) < 8 {
				t.Fatalf("the job ran in %d windows of 60: the replicas starved it", len(perWindow))
			}
		})
	}
}

func TestALongRunRenewsItsLeaseSoNoOtherReplicaTakesIt(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		const ttl = 600 * time.Millisecond
		var logs syncBuffer
		started, finished := make(chan struct{}), make(chan struct{})
		r := &worker.Runner{Log: slog.New(slog.NewTextHandler(&logs, nil)), LeaseTTL: ttl,
			Leases: &worker.Leases{DB: db, Clock: clock.System{}, Holder: "a"}}
		var once sync.Once
		err := r.Start(context.Background(), worker.Job{Name: "rollup", Every: 20 * time.Millisecond, Once: true, Run: func(ctx context.Context) error {
			first := false
			once.Do(func() { first = true })
			if !first {
				return nil
			}
			close(started)
			defer close(finished)
			time.Sleep(3 * ttl)
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Stop(context.Background()) //nolint:errcheck
		other := worker.Leases{DB: db, Clock: clock.System{}, Holder: "b"}
		<-started
		for {
			select {
			case <-finished:
				if strings.Contains(logs.String(), "lease expired") {
					t.Fatalf("the lease lapsed during the run:\n%s", logs.String())
				}
				return
			case <-time.After(50 * time.Millisecond):
			}
			ok, err := other.Claim(context.Background(), "rollup", time.Now().Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				select {
				case <-finished: // released after the run: fair
					return
				default:
					t.Fatalf("another replica took the lease of a job still running past its TTL; log:\n%s", logs.String())
				}
			}
		}
	})
}

func TestStopDrainsARunningJobAndCancelsItsContext(t *testing.T) {
	started := make(chan struct{})
	var finished atomic.Bool
	r := &worker.Runner{Log: quiet()}
	err := r.Start(context.Background(), worker.Job{Name: "slow", Every: 20 * time.Millisecond, Run: func(ctx context.Context) error {
		select {
		case started <- struct{}{}:
		default:
		}
		<-ctx.Done()
		time.Sleep(100 * time.Millisecond) // cleaning up after the cancellation
		finished.Store(true)
		return ctx.Err()
	}})
	if err != nil {
		t.Fatal(err)
	}
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if !finished.Load() {
		t.Fatal("Stop returned while the job was still running")
	}
}

func TestStopGivesUpOnAJobThatIgnoresCancellation(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	r := &worker.Runner{Log: quiet()}
	_ = r.Start(context.Background(), worker.Job{Name: "stubborn", Every: 10 * time.Millisecond, Run: func(ctx context.Context) error {
		select {
		case started <- struct{}{}:
		default:
		}
		<-release
		return nil
	}})
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := r.Stop(ctx); err == nil || !strings.Contains(err.Error(), "stubborn") {
		t.Fatalf("Stop = %v, want it to name the job still running", err)
	}
}

func TestAPanickingOrFailingJobIsLoggedAndRunsAgain(t *testing.T) {
	var logs syncBuffer
	var runs atomic.Int32
	r := &worker.Runner{Log: slog.New(slog.NewTextHandler(&logs, nil))}
	_ = r.Start(context.Background(),
		worker.Job{Name: "boom", Every: 10 * time.Millisecond, Run: func(context.Context) error {
			runs.Add(1)
			panic("nil map")
		}},
		worker.Job{Name: "fails", Every: 10 * time.Millisecond, Run: func(context.Context) error { return errors.New("disk full") }},
	)
	deadline := time.Now().Add(5 * time.Second)
	for runs.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	_ = r.Stop(context.Background())
	if runs.Load() < 3 {
		t.Fatalf("the job ran %d times after panicking", runs.Load())
	}
	out := logs.String()
	for _, want := range []string{"background job panicked", "nil map", "background job failed", "disk full"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %q:\n%s", want, out)
		}
	}
}

func TestStartRefusesAOncePerClusterJobWithoutLeases(t *testing.T) {
	r := &worker.Runner{Log: quiet()}
	if err := r.Start(context.Background(), worker.Job{Name: "x", Every: time.Second, Once: true, Run: func(context.Context) error { return nil }}); err == nil {
		t.Fatal("accepted")
	}
}

func TestALeaseIsHeldUntilItExpiresOrIsReleased(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		clk := clock.NewManual(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
		a := worker.Leases{DB: db, Clock: clk, Holder: "a"}
		b := worker.Leases{DB: db, Clock: clk, Holder: "b"}
		claim := func(l worker.Leases, until time.Duration) bool {
			t.Helper()
			ok, err := l.Claim(ctx, "job", clk.Now().Add(until))
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !claim(a, 10*time.Second) {
			t.Fatal("a free lease was refused")
		}
		if claim(b, 10*time.Second) {
			t.Fatal("b took a's unexpired lease")
		}
		if !claim(a, 10*time.Second) {
			t.Fatal("a could not renew its own lease")
		}
		clk.Advance(9*time.Second + 999*time.Millisecond)
		if claim(b, 10*time.Second) {
			t.Fatal("b took a's lease a millisecond before it expired")
		}
		clk.Advance(2 * time.Millisecond)
		if !claim(b, 10*time.Second) {
			t.Fatal("b could not take an expired lease")
		}
		if claim(a, 10*time.Second) {
			t.Fatal("a took its lease back from b")
		}
		if held, err := a.Release(ctx, "job", clk.Now()); err != nil || held {
			t.Fatalf("a released b's lease (%v)", err)
		}
		if held, err := b.Release(ctx, "job", clk.Now()); err != nil || !held {
			t.Fatalf("b could not release its lease (%v)", err)
		}
		clk.Advance(time.Microsecond)
		if !claim(a, 10*time.Second) {
			t.Fatal("a released lease was not free")
		}
	})
}

func TestRunningServersListsOnlyUnexpiredServerLeases(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		clk := clock.NewManual(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
		for _, h := range []string{"one", "two"} {
			l := worker.Leases{DB: db, Clock: clk, Holder: h}
			if _, err := l.Claim(ctx, worker.ServerLease(h), clk.Now().Add(3*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := (worker.Leases{DB: db, Clock: clk, Holder: "x"}).Claim(ctx, "rollup", clk.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, err := worker.RunningServers(ctx, db, clk.Now())
		if err != nil || strings.Join(got, ",") != "one,two" {
			t.Fatalf("running servers %v (%v)", got, err)
		}
		clk.Advance(4 * time.Second)
		got, _ = worker.RunningServers(ctx, db, clk.Now())
		if strings.Join(got, ",") != "" {
			t.Fatalf("expired server leases still listed: %v", got)
		}
		if err := (worker.Leases{DB: db, Clock: clk, Holder: "one"}).Delete(ctx, worker.ServerLease("one")); err != nil {
			t.Fatal(err)
		}
	})
}
