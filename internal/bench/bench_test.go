package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
)

func TestPercentileInterpolatesBetweenRanks(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3}
	for _, c := range []struct{ p, want float64 }{{0, 1}, {50, 3}, {100, 5}, {25, 2}, {95, 4.8}} {
		if got := Percentile(xs, c.p); got != c.want {
			t.Errorf("Percentile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	if Median([]float64{4, 1, 3, 2}) != 2.5 || Median(nil) != 0 {
		t.Error("median of an even count is the mean of the middle two; of none, 0")
	}
	if xs[0] != 5 {
		t.Error("Percentile sorted its caller's slice")
	}
}

func TestTargetsSayWhetherTheyAreMet(t *testing.T) {
	for _, c := range []struct {
		r    Result
		want bool
	}{
		{AtLeast("a", "req/s", 95, 100, 0.9, ""), true},
		{AtLeast("a", "req/s", 85, 100, 0.9, ""), false},
		{AtMost("b", "s", 1.4, 1, 1.5, ""), true},
		{AtMost("b", "s", 1.6, 1, 1.5, ""), false},
		{AtMost("b", "s", 1, 0, 1.5, ""), false}, // no baseline measured: not met
		{Below("c", "ms", 180, 200, ""), true},
		{Below("c", "ms", 201, 200, ""), false},
	} {
		if c.r.Met != c.want {
			t.Errorf("%s %v %s: met = %v, want %v", c.r.Name, c.r.Value, c.r.Target, c.r.Met, c.want)
		}
	}
	if r := AtLeast("a", "req/s", 1234.5678, 1000, 0.9, ""); r.Ratio != 1.23 || r.Value != 1235 {
		t.Errorf("rounding: value %v ratio %v", r.Value, r.Ratio)
	}
}

func TestRunInterleavesAndReportsAFailedScenarioAsMissed(t *testing.T) {
	saved := scenarios
	t.Cleanup(func() { scenarios = saved })
	scenarios = nil
	var order []string
	Register(Scenario{Name: "ok", Run: func(ctx context.Context, env *Env) ([]Result, error) {
		b, s, err := Interleave(env.Runs, func(int) (float64, error) { order = append(order, "b"); return 10, nil },
			func(int) (float64, error) { order = append(order, "s"); return 12, nil })
		if err != nil {
			return nil, err
		}
		return []Result{AtMost("ok", "s", Median(s), Median(b), 1.5, "")}, nil
	}})
	Register(Scenario{Name: "broken", Run: func(context.Context, *Env) ([]Result, error) { return nil, errors.New("no database") }})

	if _, err := Run(context.Background(), &Env{}, []string{"nope"}); err == nil || !strings.Contains(err.Error(), "ok, broken") {
		t.Errorf("an unknown scenario: %v", err)
	}
	rs, err := Run(context.Background(), &Env{Runs: 2}, nil) // fewer than 5 runs are raised to 5
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(order, "") != "bsbsbsbsbs" {
		t.Errorf("runs were not interleaved five times: %v", order)
	}
	if len(rs) != 2 || !rs[0].Met || rs[0].Ratio != 1.2 || rs[1].Name != "broken" || rs[1].Met || rs[1].Note != "no database" {
		t.Errorf("results: %+v", rs)
	}

	var js bytes.Buffer
	if err := WriteJSON(&js, rs); err != nil {
		t.Fatal(err)
	}
	var decoded []map[string]any
	if err := json.Unmarshal(js.Bytes(), &decoded); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"name", "unit", "value", "baseline", "ratio", "target", "met"} {
		if _, ok := decoded[0][key]; !ok {
			t.Errorf("--json lacks %q: %s", key, js.String())
		}
	}
	var md bytes.Buffer
	if err := WriteTable(&md, rs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| `ok` | 12 s | 10 s | 1.2× | ≤ 1.5× baseline | **yes** |") {
		t.Errorf("table:\n%s", md.String())
	}
}

func TestLoadCountsEveryRequestAndEveryWrongAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bad" {
			w.WriteHeader(http.StatusTeapot)
			return
		}
		http.Redirect(w, r, "https://example.com/", http.StatusFound)
	}))
	defer srv.Close()
	client := Keepalive(4)
	res := Load(context.Background(), client, 4, 200, 0, func(i int) (*http.Request, int) {
		path := "/r/x"
		if i%50 == 0 {
			path = "/bad"
		}
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		return req, http.StatusFound
	})
	if res.Requests != 200 || res.Errors != 4 || res.FirstErr == nil || len(res.Latencies) != 200 || res.PerSecond() <= 0 {
		t.Errorf("load: %d requests, %d errors (%v), %d latencies", res.Requests, res.Errors, res.FirstErr, len(res.Latencies))
	}
	for i, l := range res.Latencies {
		if l <= 0 {
			t.Fatalf("request %d has no latency", i)
		}
	}
}

func TestNumPrintsFiguresWithoutFloatNoise(t *testing.T) {
	for in, want := range map[float64]string{1234567: "1,234,567", 0.125: "0.125", 1.5: "1.5", -2000: "-2,000", 12.3456: "12.346"} {
		if got := num(in); got != want {
			t.Errorf("num(%v) = %q, want %q", in, got, want)
		}
	}
}

// TestMain makes the test binary a load worker when the bench starts it as one (StartLoadProcess
// runs this executable again).
func TestMain(m *testing.M) {
	if IsLoadWorker() {
		if err := ServeLoadWorker(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestALoadWorkerProcessRunsEachSpecOnItsOwnConnections(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{} // X-Forwarded-For → requests
	agents := map[string]bool{}
	peers := map[string]bool{} // client connections
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Header.Get("X-Forwarded-For")]++
		agents[r.Header.Get("User-Agent")] = true
		peers[r.RemoteAddr] = true
		mu.Unlock()
		if r.URL.Path == "/r/bad" {
			w.WriteHeader(http.StatusTeapot)
			return
		}
		http.Redirect(w, r, "https://example.com/", http.StatusFound)
	}))
	defer srv.Close()
	gen, err := StartLoadProcess()
	if err != nil {
		t.Fatal(err)
	}
	defer gen.Close()

	spec := LoadSpec{URL: srv.URL, Paths: []string{"/r/a", "/r/b"}, Header: map[string]string{"User-Agent": "probe/1"},
		ForwardedFirst: 7, ForwardedEvery: 10, Conc: 3, N: 100, Want: http.StatusFound}
	r, err := gen.Run(spec)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 100 || r.Errors != 0 || len(r.Latencies) != 100 || r.Took <= 0 {
		t.Fatalf("first run: %d requests, %d errors (%v), %d latencies, took %v", r.Requests, r.Errors, r.FirstErr, len(r.Latencies), r.Took)
	}
	for i, l := range r.Latencies {
		if l <= 0 {
			t.Fatalf("request %d has no latency", i)
		}
	}
	// Paced, with a wrong answer every other request: the errors come back with the first of them.
	spec.Paths, spec.N, spec.PerSecond, spec.ForwardedFirst = []string{"/r/a", "/r/bad"}, 20, 1000, 17
	r, err = gen.Run(spec)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 20 || r.Errors != 10 || r.FirstErr == nil || !strings.Contains(r.FirstErr.Error(), "418") {
		t.Errorf("second run: %d requests, %d errors (%v)", r.Requests, r.Errors, r.FirstErr)
	}
	mu.Lock()
	// Visitors 7..16 sent ten requests each in the first run, 17 and 18 ten each in the second.
	for v := 7; v <= 18; v++ {
		if seen[visitorIP(v)] != 10 {
			t.Errorf("visitor %s sent %d requests, want 10", visitorIP(v), seen[visitorIP(v)])
		}
	}
	if len(seen) != 12 || !agents["probe/1"] || len(agents) != 1 {
		t.Errorf("addresses %v, agents %v", seen, agents)
	}
	if len(peers) > 3 {
		t.Errorf("%d connections for 3 kept alive across both runs", len(peers))
	}
	mu.Unlock()

	if _, err := gen.Run(LoadSpec{URL: srv.URL, Conc: 1, N: 1}); err == nil || !strings.Contains(err.Error(), "paths") {
		t.Errorf("a spec without paths: %v", err)
	}
	if err := gen.Close(); err != nil {
		t.Errorf("the worker did not end cleanly: %v", err)
	}
}
