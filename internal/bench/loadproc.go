package bench

// The load generator in a process of its own. A load generator in the server's process shares its
// Go scheduler: with both processors busy, a goroutine waiting for an answer is woken only when a
// processor runs out of work or the runtime's monitor polls the network (every 10 ms at worst), so
// the tail latency measured was mostly the generator's own. At half of the redirect's peak a bare
// net/http handler measured a p99 of 5–6 ms that way. Real visitors are other machines; a process of
// its own is as close as one machine gets. The servers (Caravan and the bare baseline) stay in the
// bench's process, side by side, and both are driven by the same worker.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"time"
)

// loadWorkerEnv, set in a process's environment, makes it a load worker (ServeLoadWorker) instead of
// what it would have been: the caravan binary and the bench's test binary both check it first.
const loadWorkerEnv = "CARAVAN_BENCH_LOAD_WORKER"

// IsLoadWorker reports whether this process was started as a load worker.
func IsLoadWorker() bool { return os.Getenv(loadWorkerEnv) == "1" }

// LoadSpec is one load run for a worker: n GET requests from Conc keep-alive connections, request i
// to URL + Paths[i%len(Paths)] with Header, and, when ForwardedEvery > 0, the X-Forwarded-For address
// of visitor ForwardedFirst + i/ForwardedEvery (visitorIP). Each must answer Want. PerSecond paces
// them as Load does (0: as fast as answered).
type LoadSpec struct {
	URL            string            `json:"url"`
	Paths          []string          `json:"paths"`
	Header         map[string]string `json:"header,omitempty"`
	ForwardedFirst int               `json:"forwarded_first,omitempty"`
	ForwardedEvery int               `json:"forwarded_every,omitempty"`
	Conc           int               `json:"conc"`
	N              int               `json:"n"`
	PerSecond      float64           `json:"per_second,omitempty"`
	Want           int               `json:"want"`
}

// loadReply is a worker's answer to a LoadSpec: a LoadResult on the wire.
type loadReply struct {
	Requests  int     `json:"requests"`
	Errors    int     `json:"errors"`
	FirstErr  string  `json:"first_err,omitempty"`
	Took      int64   `json:"took_ns"`
	Latencies []int64 `json:"latencies_ns"`
	Fail      string  `json:"fail,omitempty"` // the spec could not be run at all
}

// ServeLoadWorker is a load worker's life: it reads LoadSpecs, one JSON document a line, runs each
// and writes its result as a line, until in ends. One client (and so one set of keep-alive
// connections) per URL and connection count lives for the whole session.
func ServeLoadWorker(in io.Reader, out io.Writer) error {
	clients := map[string]*http.Client{}
	defer func() {
		for _, c := range clients {
			c.CloseIdleConnections()
		}
	}()
	dec, enc := json.NewDecoder(bufio.NewReader(in)), json.NewEncoder(out)
	for {
		var spec LoadSpec
		if err := dec.Decode(&spec); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("bench: load worker: %w", err)
		}
		if err := enc.Encode(runSpec(clients, spec)); err != nil {
			return fmt.Errorf("bench: load worker: %w", err)
		}
	}
}

func runSpec(clients map[string]*http.Client, spec LoadSpec) loadReply {
	if spec.Conc <= 0 || spec.N < 0 || len(spec.Paths) == 0 {
		return loadReply{Fail: fmt.Sprintf("a spec needs connections (%d) and paths (%d)", spec.Conc, len(spec.Paths))}
	}
	key := fmt.Sprintf("%s %d", spec.URL, spec.Conc)
	c := clients[key]
	if c == nil {
		c = Keepalive(spec.Conc)
		clients[key] = c
	}
	r := Load(context.Background(), c, spec.Conc, spec.N, spec.PerSecond, func(i int) (*http.Request, int) {
		req, _ := http.NewRequest(http.MethodGet, spec.URL+spec.Paths[i%len(spec.Paths)], nil)
		for k, v := range spec.Header {
			req.Header.Set(k, v)
		}
		if spec.ForwardedEvery > 0 {
			req.Header.Set("X-Forwarded-For", visitorIP(spec.ForwardedFirst+i/spec.ForwardedEvery))
		}
		return req, spec.Want
	})
	rep := loadReply{Requests: r.Requests, Errors: r.Errors, Took: int64(r.Took), Latencies: make([]int64, len(r.Latencies))}
	if r.FirstErr != nil {
		rep.FirstErr = r.FirstErr.Error()
	}
	for i, l := range r.Latencies {
		rep.Latencies[i] = int64(l)
	}
	return rep
}

// LoadProcess is a running load worker: a child process of this one's own executable.
type LoadProcess struct {
	mu   sync.Mutex
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *json.Decoder
	errs *limitedBuffer
	done bool
}

// StartLoadProcess starts a load worker: this executable again, with loadWorkerEnv set.
func StartLoadProcess() (*LoadProcess, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("bench: the load worker: %w", err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), loadWorkerEnv+"=1")
	errs := &limitedBuffer{max: 4096}
	cmd.Stderr = errs
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start the load worker: %w", err)
	}
	return &LoadProcess{cmd: cmd, in: in, out: json.NewDecoder(bufio.NewReader(out)), errs: errs}, nil
}

// Run has the worker run spec and returns what it measured.
func (p *LoadProcess) Run(spec LoadSpec) (LoadResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := json.NewEncoder(p.in).Encode(spec); err != nil {
		return LoadResult{}, fmt.Errorf("bench: the load worker: %w (%s)", err, p.errs.String())
	}
	var rep loadReply
	if err := p.out.Decode(&rep); err != nil {
		return LoadResult{}, fmt.Errorf("bench: the load worker's answer: %w (%s)", err, p.errs.String())
	}
	if rep.Fail != "" {
		return LoadResult{}, errors.New("bench: the load worker: " + rep.Fail)
	}
	r := LoadResult{Requests: rep.Requests, Errors: rep.Errors, Took: time.Duration(rep.Took), Latencies: make([]time.Duration, len(rep.Latencies))}
	if rep.FirstErr != "" {
		r.FirstErr = errors.New(rep.FirstErr)
	}
	for i, l := range rep.Latencies {
		r.Latencies[i] = time.Duration(l)
	}
	return r, nil
}

// Close ends the worker (its input closed, it exits) and waits for it; closing again does nothing.
func (p *LoadProcess) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return nil
	}
	p.done = true
	p.in.Close()
	if err := p.cmd.Wait(); err != nil {
		return fmt.Errorf("bench: the load worker: %w (%s)", err, p.errs.String())
	}
	return nil
}

// limitedBuffer keeps the first max bytes written to it: a worker's stderr, for error messages.
type limitedBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := l.max - len(l.b); room > 0 {
		l.b = append(l.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.b)
}
