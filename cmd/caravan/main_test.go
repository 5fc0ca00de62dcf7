package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
	"github.com/caravan-crm/caravan/internal/worker"
)

func runCmd(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String() + errb.String(), err
}

func TestCommandsWorkOnBothDatabases(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			db := []string{"--database-url", url, "--log-level", "error"}
			out, err := runCmd(t, "", append([]string{"migrate", "up"}, db...)...)
			if err != nil || !strings.Contains(out, "up:") {
				t.Fatalf("migrate up: %v %s", err, out)
			}
			out, err = runCmd(t, "", append([]string{"migrate", "status"}, db...)...)
			if err != nil || !strings.Contains(out, "applied") {
				t.Fatalf("migrate status: %v %s", err, out)
			}

			out, err = runCmd(t, "a long password\n", append([]string{"org", "create", "--name", "宁波出口", "--owner-email", "boss@nb.example"}, db...)...)
			if err != nil {
				t.Fatalf("org create: %v %s", err, out)
			}
			m := regexp.MustCompile(`organization .* \(([0-9a-f-]{36})\) created`).FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("org create printed %q", out)
			}
			out, err = runCmd(t, "another password\n", append([]string{"user", "create", "--org", m[1], "--email", "cw@nb.example", "--name", "财务", "--role", "finance"}, db...)...)
			if err != nil || !strings.Contains(out, "role finance") {
				t.Fatalf("user create: %v %s", err, out)
			}
			// The same e-mail twice, a bad role, no password, an unknown org: clear errors.
			for _, c := range []struct {
				stdin string
				args  []string
				want  string
			}{
				{"a long password\n", []string{"user", "create", "--org", m[1], "--email", "cw@nb.example", "--name", "X"}, "email"},
				{"a long password\n", []string{"user", "create", "--org", m[1], "--email", "x@nb.example", "--name", "X", "--role", "king"}, "role"},
				{"", []string{"user", "create", "--org", m[1], "--email", "y@nb.example", "--name", "Y"}, "password"},
				{"a long password\n", []string{"user", "create", "--org", "nope", "--email", "z@nb.example", "--name", "Z"}, "not found"},
				{"a long password\n", []string{"org", "create", "--name", "X", "--owner-email", "o@x.example", "--base-currency", "XYZ"}, "base_currency"},
			} {
				_, err := runCmd(t, c.stdin, append(c.args, db...)...)
				if err == nil || !strings.Contains(describe(err), c.want) {
					t.Errorf("%v: err %v, want it to mention %q", c.args, err, c.want)
				}
			}
			if out, err := runCmd(t, "", append([]string{"keys", "rotate"}, db...)...); err != nil {
				t.Fatalf("keys rotate: %v %s", err, out)
			}
			if out, err := runCmd(t, "", append([]string{"migrate", "down"}, db...)...); err != nil || !strings.Contains(out, "down:") {
				t.Fatalf("migrate down: %v %s", err, out)
			}
		})
	}
}

func TestVersionHelpAndUnknownCommands(t *testing.T) {
	if out, err := runCmd(t, "", "version"); err != nil || !strings.HasPrefix(out, "caravan ") {
		t.Fatal(out, err)
	}
	if out, err := runCmd(t, "", "help"); err != nil || !strings.Contains(out, "migrate up|down|status") {
		t.Fatal(out, err)
	}
	if _, err := runCmd(t, "", "frobnicate"); err == nil {
		t.Fatal("unknown command accepted")
	}
	if _, err := runCmd(t, "", "serve", "--database-url", "mysql://x"); err == nil || !strings.Contains(err.Error(), "sqlite: or postgres://") {
		t.Fatalf("bad config: %v", err)
	}
	dir := t.TempDir()
	if _, err := runCmd(t, "", "migrate", "sideways", "--database-url", "sqlite:"+filepath.Join(dir, "x.db")); err == nil {
		t.Fatal("unknown migrate action accepted")
	}
}

func TestHelpListsEveryCommandAndExitsZero(t *testing.T) {
	for _, arg := range []string{"--help", "-h", "help"} {
		out, err := runCmd(t, "", arg)
		if err != nil || exitCode(err) != 0 {
			t.Fatalf("%s: err %v (exit %d)", arg, err, exitCode(err))
		}
		for _, cmd := range []string{"serve", "migrate up|down|status|unlock", "org create", "user create", "keys rotate", "import creators", "import orders", "demo", "backup --out", "restore", "version", "help"} {
			if !strings.Contains(out, "caravan "+cmd) && !strings.Contains(out, "caravan ["+cmd) {
				t.Errorf("%s does not list %q:\n%s", arg, cmd, out)
			}
		}
	}
	// A command's own -h prints its flags and is no failure either.
	if _, err := runCmd(t, "", "serve", "-h"); exitCode(err) != 0 {
		t.Fatalf("serve -h: exit %d", exitCode(err))
	}
}

func TestAnUnknownCommandSaysSoAndExitsTwo(t *testing.T) {
	_, err := runCmd(t, "", "frobnicate")
	if err == nil || describe(err) != `unknown command "frobnicate"; see caravan --help` || exitCode(err) != 2 {
		t.Fatalf("err %v, exit %d", err, exitCode(err))
	}
	if _, err := runCmd(t, "", "migrate", "sideways", "--database-url", "sqlite:"+filepath.Join(t.TempDir(), "x.db")); exitCode(err) != 2 {
		t.Fatalf("unknown migrate action: %v, exit %d", err, exitCode(err))
	}
	if code := exitCode(errors.New("the database does not answer")); code != 1 {
		t.Fatalf("a failure exits %d", code)
	}
}

func downLines(out string) int { return strings.Count(out, "down: ") }

func TestMigrateDownUndoesOneMigrationAsksFirstAndRefusesWhileAServerRuns(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := []string{"--database-url", url, "--log-level", "error"}
			cmd := func(stdin string, args ...string) (string, error) {
				return runCmd(t, stdin, append(args, db...)...)
			}
			if out, err := cmd("", "migrate", "up"); err != nil {
				t.Fatal(out, err)
			}
			// A server is running: it holds a lease, and down refuses.
			conn, err := store.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			server := worker.Leases{DB: conn, Clock: clock.System{}, Holder: "replica-1"}
			if _, err := server.Claim(ctx, worker.ServerLease(server.Holder), time.Now().Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if out, err := cmd("", "migrate", "down"); err == nil || !strings.Contains(err.Error(), "replica-1") || downLines(out) != 0 {
				t.Fatalf("down while a server runs: %v %s", err, out)
			}
			if err := server.Delete(ctx, worker.ServerLease(server.Holder)); err != nil {
				t.Fatal(err)
			}

			ids, _ := store.MigrationIDs("sqlite")
			out, err := cmd("", "migrate", "down")
			if err != nil || downLines(out) != 1 || !strings.Contains(out, "down: "+ids[len(ids)-1][:14]) {
				t.Fatalf("down undid more or less than the last migration: %v\n%s", err, out)
			}
			if out, err := cmd("", "migrate", "down", "--steps", "2"); err != nil || downLines(out) != 2 {
				t.Fatalf("--steps 2: %v\n%s", err, out)
			}
			if out, err := cmd("", "migrate", "up"); err != nil || strings.Count(out, "up: ") != 3 {
				t.Fatalf("up again: %v\n%s", err, out)
			}

			// On a terminal it asks, naming what it would undo; anything but yes keeps the schema.
			orig := isTerminal
			isTerminal = func(any) bool { return true }
			defer func() { isTerminal = orig }()
			out, err = cmd("n\n", "migrate", "down")
			if err == nil || downLines(out) != 0 || !strings.Contains(out, "Roll back?") || !strings.Contains(out, ids[len(ids)-1]) {
				t.Fatalf("answered no: %v\n%s", err, out)
			}
			if out, err := cmd("yes\n", "migrate", "down"); err != nil || downLines(out) != 1 {
				t.Fatalf("answered yes: %v\n%s", err, out)
			}
			if out, err := cmd("", "migrate", "down", "--all", "--yes"); err != nil || downLines(out) != len(ids)-1 || strings.Contains(out, "Roll back?") {
				t.Fatalf("--all --yes: %v\n%s", err, out)
			}
			if out, err := cmd("", "migrate", "down"); err != nil || !strings.Contains(out, "nothing to roll back") {
				t.Fatalf("down on an empty schema: %v\n%s", err, out)
			}
		})
	}
}

func writeCSV(t *testing.T, rows ...[]string) string {
	t.Helper()
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.WriteAll(rows)
	path := filepath.Join(t.TempDir(), "creators.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestImportDryRunReportsCountsAndProblemsInRowThenColumnOrder(t *testing.T) {
	url := storetest.URLs(t)["sqlite"]
	db := []string{"--database-url", url, "--log-level", "error"}
	out, err := runCmd(t, "a long password\n", append([]string{"org", "create", "--name", "宁波出口", "--owner-email", "boss@nb.example"}, db...)...)
	if err != nil {
		t.Fatal(out, err)
	}
	org := regexp.MustCompile(`\(([0-9a-f-]{36})\) created`).FindStringSubmatch(out)[1]
	header := []string{"Display Name", "Country", "Platform", "Handle", "Followers", "Email", "Payout Currency", "Default Rate (bps)"}
	// More creators than one batch of the import, so there is progress to show.
	rows := [][]string{header}
	for i := range 300 {
		rows = append(rows, []string{fmt.Sprintf("Creator %d", i), "US", "tiktok", fmt.Sprintf("@creator%d", i), "1200", "", "", ""})
	}
	good := writeCSV(t, rows...)
	bad := writeCSV(t, header,
		[]string{"Ana", "BR", "instagram", "@ana", "100", "", "", ""},
		[]string{"Bad", "ZZZ", "tiktok", "@bad", "lots", "not-an-email", "XXX", "high"},
		[]string{"Worse", "", "tiktok", "@worse", "many", "", "", ""})

	var stdout, stderr bytes.Buffer
	err = run(context.Background(), append([]string{"import", "creators", "--org", org, "--dry-run", bad}, db...), strings.NewReader(""), &stdout, &stderr)
	if err == nil {
		t.Fatal("a dry run of a file with problems succeeded")
	}
	for _, want := range []string{"3 rows", "1 creators would be created", "0 updated", "0 skipped", "problems"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the dry run's report lacks %q:\n%s", want, stdout.String())
		}
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	re := regexp.MustCompile(`^row (\d+), column ([^:]+): `)
	type at struct {
		row    int
		column string
	}
	var got []at
	for _, l := range lines {
		m := re.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("not a problem line: %q\n%s", l, stderr.String())
		}
		n, _ := strconv.Atoi(m[1])
		got = append(got, at{n, m[2]})
	}
	if len(got) < 5 || !slices.IsSortedFunc(got, func(a, b at) int { return cmp.Or(cmp.Compare(a.row, b.row), cmp.Compare(a.column, b.column)) }) {
		t.Fatalf("problems not in row then column order:\n%s", stderr.String())
	}

	// Stderr is no terminal here: no progress bar in it.
	stdout.Reset()
	stderr.Reset()
	if err := run(context.Background(), append([]string{"import", "creators", "--org", org, good}, db...), strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatal(err, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Fatalf("a progress bar was written to a file or pipe: %q", stderr.String())
	}
	if !strings.Contains(stdout.String(), "300 creators created") {
		t.Fatalf("import printed %q", stdout.String())
	}
	stdout.Reset()
	if err := run(context.Background(), append([]string{"import", "creators", "--org", org, "--dry-run", good}, db...), strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatal(err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "0 creators would be created, 0 updated, 300 skipped") {
		t.Fatalf("dry run of an imported file: %q", stdout.String())
	}
}

func TestMakeTestSaysWhenPostgresWasSkipped(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	makeTestGo := func(extraEnv ...string) ([]byte, error) {
		// GO=true: the recipe runs, the tests do not.
		cmd := exec.Command("make", "-s", "-C", filepath.Join("..", ".."), "test-go", "GO=true")
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, storetest.EnvPostgres+"=") && !strings.HasPrefix(kv, "MAKEFLAGS=") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, extraEnv...)
		return cmd.CombinedOutput()
	}
	out, err := makeTestGo()
	if err != nil || !strings.Contains(string(out), "NOTE: "+storetest.EnvPostgres+" is not set") {
		t.Fatalf("make test-go without PostgreSQL: %v\n%s", err, out)
	}
	if out, err := makeTestGo(storetest.EnvPostgres + "=postgres://x"); err != nil || strings.Contains(string(out), "NOTE") {
		t.Fatalf("make test-go with PostgreSQL: %v\n%s", err, out)
	}
}
