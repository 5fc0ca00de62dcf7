// Package worker runs Caravan's background jobs (statistics refresh, purges, automatic approval,
// rollups) beside the HTTP server: each job on its own schedule, stopped and drained on shutdown, a
// failure or a panic logged and never fatal. A job that must run once per cluster takes a lease in
// the database (the leases table, which this package owns), so among replicas behind a load balancer
// exactly one runs it in each window.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type windowKey struct{}

// WindowStart returns the start of the window a job's run belongs to (the same on every replica), or
// the zero time outside a job.
func WindowStart(ctx context.Context) time.Time {
	t, _ := ctx.Value(windowKey{}).(time.Time)
	return t
}

// Job is a piece of background work.
type Job struct {
	// Name identifies the job in logs and, for a once-per-cluster job, names its lease.
	Name string
	// Every is the length of the job's windows: it runs once in each, at the window's start. Windows
	// are aligned on the clock (every 6 h: at 00:00, 06:00, … UTC), so replicas share them.
	Every time.Duration
	// Once makes the job run once per cluster in each window: the replica that claims the job's lease
	// runs it, the others skip that window.
	Once bool
	// Run does the work. Its context is cancelled on shutdown.
	Run func(ctx context.Context) error
}

// DefaultLeaseTTL is how long a once-per-cluster job's lease outlives its last renewal: the time
// another replica waits before taking over from one that died mid-run.
const DefaultLeaseTTL = 30 * time.Second

// Runner runs jobs until stopped.
type Runner struct {
	Log *slog.Logger
	// Leases claims the leases of once-per-cluster jobs; required when a job has Once. The schedule
	// follows the wall clock, so its Clock should be clock.System outside tests of leases themselves.
	Leases *Leases
	// LeaseTTL defaults to DefaultLeaseTTL; the lease is renewed every third of it while the job runs.
	LeaseTTL time.Duration

	mu      sync.Mutex
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	running map[string]bool
}

// Start runs each job in its own goroutine until Stop. ctx's values reach the jobs; its cancellation
// stops them like Stop does.
func (r *Runner) Start(ctx context.Context, jobs ...Job) error {
	for _, j := range jobs {
		if j.Name == "" || j.Every <= 0 || j.Run == nil {
			return fmt.Errorf("worker: job %q needs a name, a positive Every and a Run", j.Name)
		}
		if j.Once && r.Leases == nil {
			return fmt.Errorf("worker: job %s runs once per cluster and the runner has no leases", j.Name)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cancel != nil {
		return errors.New("worker: the runner is already started")
	}
	if r.Log == nil {
		r.Log = slog.Default()
	}
	if r.LeaseTTL <= 0 {
		r.LeaseTTL = DefaultLeaseTTL
	}
	r.running = map[string]bool{}
	ctx, r.cancel = context.WithCancel(ctx)
	for _, j := range jobs {
		r.wg.Add(1)
		go r.loop(ctx, j)
	}
	return nil
}

// Stop cancels the jobs' context and waits for running jobs to return, until ctx ends; it then
// returns an error naming the jobs still running.
func (r *Runner) Stop(ctx context.Context) error {
	r.mu.Lock()
	cancel := r.cancel
	r.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		r.mu.Lock()
		var names []string
		for n, on := range r.running {
			if on {
				names = append(names, n)
			}
		}
		r.mu.Unlock()
		slices.Sort(names)
		return fmt.Errorf("worker: jobs still running at shutdown: %s", strings.Join(names, ", "))
	}
}

func (r *Runner) loop(ctx context.Context, j Job) {
	defer r.wg.Done()
	for {
		// The next window starts at the next multiple of Every: a process never runs a job twice in
		// one window, even when a run outlasts it.
		now := time.Now()
		next := now.Truncate(j.Every).Add(j.Every)
		t := time.NewTimer(next.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		r.tick(ctx, j, next)
	}
}

// tick runs j once for the window starting at start, under the job's lease when it is once per cluster.
func (r *Runner) tick(ctx context.Context, j Job, start time.Time) {
	ctx = context.WithValue(ctx, windowKey{}, start)
	if !j.Once {
		r.run(ctx, j)
		return
	}
	end := start.Add(j.Every)
	hold := func() time.Time { return later(end, r.Leases.Clock.Now().Add(r.LeaseTTL)) }
	ok, err := r.Leases.Claim(ctx, j.Name, hold())
	if err != nil {
		r.Log.Error("background job: cannot claim its lease", "job", j.Name, "err", err)
		return
	}
	if !ok {
		r.Log.Debug("background job: another replica has it", "job", j.Name)
		return
	}
	runCtx, cancel := context.WithCancel(ctx)
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		t := time.NewTicker(r.LeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-t.C:
				ok, err := r.Leases.Claim(runCtx, j.Name, hold())
				if runCtx.Err() != nil {
					return
				}
				if err != nil || !ok {
					// Lost it (the database was unreachable past the TTL): stop rather than overlap
					// with the replica that takes over.
					r.Log.Error("background job: lost its lease; stopping it", "job", j.Name, "err", err)
					cancel()
					return
				}
			}
		}
	}()
	r.run(runCtx, j)
	cancel()
	<-renewed
	// Keep the window: the lease expires when the window ends, so no replica runs the job again in it.
	held, err := r.Leases.Release(context.WithoutCancel(ctx), j.Name, end)
	switch {
	case err != nil:
		r.Log.Warn("background job: cannot release its lease; it expires by itself", "job", j.Name, "err", err)
	case !held:
		r.Log.Error("background job: its lease expired while it ran (renewals came too late); another replica may have run it too", "job", j.Name)
	}
}

// run calls the job, logging its failure or panic.
func (r *Runner) run(ctx context.Context, j Job) {
	r.setRunning(j.Name, true)
	defer r.setRunning(j.Name, false)
	start := time.Now()
	result := "panic" // until Run returns
	defer func() { observeRun(j.Name, result, time.Since(start)) }()
	defer func() {
		if p := recover(); p != nil {
			r.Log.Error("background job panicked", "job", j.Name, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
	}()
	if err := j.Run(ctx); err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			result = "stopped"
			r.Log.Info("background job stopped by shutdown", "job", j.Name)
			return
		}
		result = "error"
		r.Log.Error("background job failed", "job", j.Name, "err", err, "took", time.Since(start))
		return
	}
	result = "ok"
	r.Log.Debug("background job done", "job", j.Name, "took", time.Since(start))
}

// runObserver is told of every run of every job.
var runObserver atomic.Pointer[func(job, result string, took time.Duration)]

// ObserveRuns sets the function told of every job run: its result (ok, error, stopped, panic) and
// how long it took. The metrics package sets it, so the worker imports no metrics library.
func ObserveRuns(f func(job, result string, took time.Duration)) { runObserver.Store(&f) }

func observeRun(job, result string, took time.Duration) {
	if f := runObserver.Load(); f != nil {
		(*f)(job, result, took)
	}
}

func (r *Runner) setRunning(name string, on bool) {
	r.mu.Lock()
	r.running[name] = on
	r.mu.Unlock()
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
