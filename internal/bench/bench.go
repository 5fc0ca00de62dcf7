// Package bench is `caravan bench`: it measures Caravan's hot paths, each against a baseline run in
// the same process and interleaved with it, so that a shared, noisy machine still gives honest
// ratios. Every scenario registers itself (Register, from an init function in its own file) and
// returns Results: the median of at least five interleaved runs of the subject and of its baseline,
// their ratio and whether the target is met.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/caravan-crm/caravan/internal/text"
)

// Result is one figure of the table `caravan bench` prints and `--json` encodes.
type Result struct {
	Name     string  `json:"name"`
	Unit     string  `json:"unit"`
	Value    float64 `json:"value"`
	Baseline float64 `json:"baseline"` // the same measure of the baseline; 0 where the target is absolute
	Ratio    float64 `json:"ratio"`    // Value / Baseline; 0 where there is no baseline
	Target   string  `json:"target"`
	Met      bool    `json:"met"`
	Note     string  `json:"note,omitempty"` // what the baseline is, what was checked, why a target is missed
}

// Env is what every scenario runs with.
type Env struct {
	// Quick asks for a run of a few minutes in all: smaller data sets, shorter runs.
	Quick bool
	// Runs is how many interleaved runs of subject and baseline give each median (at least 5).
	Runs int
	// PostgresURL is a PostgreSQL server to measure against (a fresh schema per scenario, dropped
	// after); empty: the PostgreSQL figures are skipped.
	PostgresURL string
	// Dir holds the scenarios' SQLite files and other scratch files.
	Dir string
	// Log receives progress lines (never nil once Run has started).
	Log func(format string, args ...any)
}

// Scale returns quick in a quick run and full otherwise.
func (e *Env) Scale(full, quick int) int {
	if e.Quick {
		return quick
	}
	return full
}

// Scenario measures one hot path; it may return several Results (one per dialect, say).
type Scenario struct {
	Name string // what --only matches
	Run  func(ctx context.Context, env *Env) ([]Result, error)
}

var scenarios []Scenario

// Register adds a scenario; the scenario files call it from init, so the run order is the files'.
func Register(s Scenario) { scenarios = append(scenarios, s) }

// Scenarios lists the registered scenarios' names in run order.
func Scenarios() []string {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.Name
	}
	return names
}

// Run runs the scenarios whose name is in only (all when only is empty) and returns every Result. A
// scenario that fails is reported as a Result that is not met, with the error as its note, and the
// run goes on.
func Run(ctx context.Context, env *Env, only []string) ([]Result, error) {
	if env.Runs < 5 {
		env.Runs = 5
	}
	if env.Log == nil {
		env.Log = func(string, ...any) {}
	}
	for _, name := range only {
		if !slices.Contains(Scenarios(), name) {
			return nil, fmt.Errorf("bench: no scenario %q (there are: %s)", name, strings.Join(Scenarios(), ", "))
		}
	}
	var all []Result
	for _, s := range scenarios {
		if len(only) > 0 && !slices.Contains(only, s.Name) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return all, err
		}
		start := time.Now()
		env.Log("%s: running", s.Name)
		rs, err := s.Run(ctx, env)
		if err != nil {
			env.Log("%s: failed: %v", s.Name, err)
			rs = append(rs, Result{Name: s.Name, Target: "runs", Note: err.Error()})
		}
		env.Log("%s: done in %s", s.Name, time.Since(start).Round(time.Second))
		all = append(all, rs...)
	}
	return all, nil
}

// Interleave runs baseline and subject one after the other, runs times, and returns every run's
// figure of each: interleaving spreads the machine's slow moments over both sides.
func Interleave(runs int, baseline, subject func(run int) (float64, error)) (base, subj []float64, err error) {
	for i := range runs {
		b, err := baseline(i)
		if err != nil {
			return nil, nil, fmt.Errorf("baseline: %w", err)
		}
		s, err := subject(i)
		if err != nil {
			return nil, nil, err
		}
		base, subj = append(base, b), append(subj, s)
	}
	return base, subj, nil
}

// Median is the middle value of xs (the mean of the two middle ones for an even count); 0 for none.
func Median(xs []float64) float64 { return Percentile(xs, 50) }

// Percentile is the p-th percentile of xs (0 ≤ p ≤ 100), interpolated between the closest ranks.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	r := p / 100 * float64(len(s)-1)
	lo := int(math.Floor(r))
	hi := min(lo+1, len(s)-1)
	return s[lo] + (s[hi]-s[lo])*(r-float64(lo))
}

// Durations converts durations to milliseconds, the unit of latency figures.
func Durations(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = float64(d) / float64(time.Millisecond)
	}
	return out
}

// AtLeast builds the Result of a ratio target "≥ min×" (throughput: higher is better).
func AtLeast(name, unit string, value, baseline, minRatio float64, note string) Result {
	r := ratio(value, baseline)
	return Result{Name: name, Unit: unit, Value: round(value), Baseline: round(baseline), Ratio: round(r),
		Target: fmt.Sprintf("≥ %g× baseline", minRatio), Met: r >= minRatio, Note: note}
}

// AtMost builds the Result of a ratio target "≤ max×" (time: lower is better).
func AtMost(name, unit string, value, baseline, maxRatio float64, note string) Result {
	r := ratio(value, baseline)
	return Result{Name: name, Unit: unit, Value: round(value), Baseline: round(baseline), Ratio: round(r),
		Target: fmt.Sprintf("≤ %g× baseline", maxRatio), Met: baseline > 0 && r <= maxRatio, Note: note}
}

// Below builds the Result of an absolute target "≤ limit unit" (a latency, a memory growth).
func Below(name, unit string, value, limit float64, note string) Result {
	return Result{Name: name, Unit: unit, Value: round(value), Target: fmt.Sprintf("≤ %g %s", limit, unit),
		Met: value <= limit, Note: note}
}

func ratio(value, baseline float64) float64 {
	if baseline == 0 {
		return 0
	}
	return value / baseline
}

// round keeps three significant decimals: figures are medians of noisy runs.
func round(x float64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	mag := math.Pow(10, 3-math.Ceil(math.Log10(math.Abs(x))))
	if mag < 1 {
		return math.Round(x)
	}
	return math.Round(x*mag) / mag
}

// WriteJSON writes results as the JSON array `caravan bench --json` prints.
func WriteJSON(w io.Writer, results []Result) error {
	if results == nil {
		results = []Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(results)
}

// WriteTable writes results as a Markdown table, the form BENCHMARKS.md keeps.
func WriteTable(w io.Writer, results []Result) error {
	var b strings.Builder
	b.WriteString("| name | value | baseline | ratio | target | met | note |\n|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		base, rat := "", ""
		if r.Baseline != 0 {
			base = fmt.Sprintf("%s %s", num(r.Baseline), r.Unit)
		}
		if r.Ratio != 0 {
			rat = fmt.Sprintf("%s×", num(r.Ratio))
		}
		met := "no"
		if r.Met {
			met = "**yes**"
		}
		fmt.Fprintf(&b, "| `%s` | %s %s | %s | %s | %s | %s | %s |\n", r.Name, num(r.Value), r.Unit, base, rat, r.Target, met,
			strings.ReplaceAll(r.Note, "|", "\\|"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// num prints a figure without a float's noise: thousands separated, at most three decimals.
func num(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return text.Thousands(fmt.Sprintf("%d", int64(x)))
	}
	s := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", x), "0"), ".")
	whole, frac, _ := strings.Cut(s, ".")
	if frac == "" {
		return text.Thousands(whole)
	}
	return text.Thousands(whole) + "." + frac
}
