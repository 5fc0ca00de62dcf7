package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/caravan-crm/caravan/internal/app"
	"github.com/caravan-crm/caravan/internal/bench"
)

// benchCmd runs `caravan bench`: every scenario of internal/bench, each against its baseline.
func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("caravan bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "a run of a few minutes: smaller data sets and shorter runs")
	asJSON := fs.Bool("json", false, `print the results as a JSON array of {"name","unit","value","baseline","ratio","target","met"}`)
	only := fs.String("only", "", "comma-separated scenarios to run (default: all): "+strings.Join(bench.Scenarios(), ", "))
	runs := fs.Int("runs", 5, "interleaved runs of each subject and its baseline behind every median (at least 5)")
	pg := fs.String("postgres", firstSet(os.Getenv("CARAVAN_BENCH_POSTGRES"), os.Getenv("CARAVAN_TEST_POSTGRES")),
		"PostgreSQL server for the PostgreSQL figures, a schema of its own per scenario (default $CARAVAN_BENCH_POSTGRES, "+
			"then $CARAVAN_TEST_POSTGRES); empty: SQLite only")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (server and load generator) to this file, for go tool pprof")
	markdown := fs.String("markdown", "", "also write the table, with the machine and the command, into this Markdown file "+
		"between its <!-- caravan bench --> markers (BENCHMARKS.md)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: caravan bench [flags]\n\nMeasures Caravan's hot paths, each against a baseline in the same run.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("caravan bench takes no arguments; see caravan bench -h")
	}
	if *runs < 5 {
		return usageError("--runs must be at least 5: a median of fewer runs says little on a shared machine")
	}
	dir, err := os.MkdirTemp("", "caravan-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var names []string
	if *only != "" {
		names = strings.Split(*only, ",")
	}
	env := &bench.Env{Quick: *quick, Runs: *runs, PostgresURL: *pg, Dir: dir,
		Log: func(format string, a ...any) {
			fmt.Fprintf(stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, a...))
		}}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	results, err := bench.Run(ctx, env, names)
	if err != nil {
		return err
	}
	if *asJSON {
		if err := bench.WriteJSON(stdout, results); err != nil {
			return err
		}
	} else if err := bench.WriteTable(stdout, results); err != nil {
		return err
	}
	if *markdown != "" {
		var b bytes.Buffer
		cmd := "caravan bench " + strings.Join(args, " ")
		fmt.Fprintf(&b, "Run of %s by `%s` (%s in all, medians of %d interleaved runs):\n%s, %d CPUs, %s, %s, Caravan %s, PostgreSQL %s.\n\n",
			start.UTC().Format("2006-01-02 15:04 MST"), strings.TrimSpace(cmd), time.Since(start).Round(time.Second), *runs,
			cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH, app.Version, yesNo(*pg != ""))
		if err := bench.WriteTable(&b, results); err != nil {
			return err
		}
		if err := replaceBetweenMarkers(*markdown, b.String()); err != nil {
			return err
		}
	}
	missed := 0
	for _, r := range results {
		if !r.Met {
			missed++
		}
	}
	fmt.Fprintf(stderr, "%d figures, %d targets met, %d missed, in %s\n", len(results), len(results)-missed, missed, time.Since(start).Round(time.Second))
	return nil
}

const benchStart, benchEnd = "<!-- caravan bench -->", "<!-- /caravan bench -->"

// replaceBetweenMarkers puts text between the markers of file, adding them at its end when missing.
func replaceBetweenMarkers(file, text string) error {
	old, err := os.ReadFile(file)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	s := string(old)
	block := benchStart + "\n" + text + benchEnd
	i, j := strings.Index(s, benchStart), strings.Index(s, benchEnd)
	if i >= 0 && j > i {
		s = s[:i] + block + s[j+len(benchEnd):]
	} else {
		s = strings.TrimRight(s, "\n") + "\n\n" + block + "\n"
	}
	return os.WriteFile(file, []byte(s), 0o644)
}

// cpuModel names the processor, from /proc/cpuinfo where there is one.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return "unknown CPU"
}

func yesNo(b bool) string {
	if b {
		return "included"
	}
	return "not measured"
}

func firstSet(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
