// Command caravan is the Caravan server and its administration commands.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // organizations' time zones work on machines without a zoneinfo database

	"github.com/uptrace/bun"
	"golang.org/x/term"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/app"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/auth"
	"github.com/caravan-crm/caravan/internal/bench"
	"github.com/caravan-crm/caravan/internal/config"
	"github.com/caravan-crm/caravan/internal/httpapi"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/worker"
)

const usage = `caravan: a CRM for sellers who sell abroad through creators.

Usage:
  caravan [serve] [flags]                 start the server (the default)
  caravan migrate up|down|status|unlock   manage the database schema; down undoes the last migration
          [--steps N | --all] [--yes]     (N of them, or all; --yes skips the question on a terminal)
  caravan org create --name N --owner-email E [--owner-name N] [--base-currency CNY] [--timezone Asia/Shanghai]
  caravan user create --org ORG_ID --email E --name N [--role manager]
  caravan keys rotate                     start signing access tokens with a new key
  caravan import creators --org ORG_ID [--dry-run] FILE   import creators from .xlsx or .csv
  caravan import orders --org ORG_ID [--dry-run] [--timezone ZONE] [--currency CUR] FILE
                                          import orders from .xlsx or .csv (generic, TikTok Shop exports)
  caravan demo [--email E] [--password P] [--seed N]   create an organization full of realistic demo data
  caravan report commissions --org ORG_ID (--period YYYY-MM | --from D --to D) [--lang en|zh-CN] --out FILE
                                          write the finance workbook of a month or of days
  caravan backup --out FILE [--force]    copy the SQLite database while the server runs (PostgreSQL: pg_dump)
  caravan restore [--yes] FILE            put a backup in place of the SQLite database (the server stopped)
  caravan bench [--quick] [--json] [--only a,b] [--runs N] [--postgres URL] [--markdown FILE]
                                          measure the hot paths against baselines (see BENCHMARKS.md)
  caravan openapi                         print the OpenAPI 3.1 document of the HTTP API
  caravan version
  caravan help                            this text (also -h, --help)

Passwords are read from standard input, or asked for when it is a terminal.
Every command takes the configuration flags (see caravan serve -h) and CARAVAN_* variables.
`

func main() {
	if bench.IsLoadWorker() { // caravan bench's load generator, started by caravan bench itself
		if err := bench.ServeLoadWorker(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "caravan:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "caravan:", describe(err))
	}
	os.Exit(exitCode(err))
}

// usageError is a command line Caravan does not understand: exit status 2, as for flag errors.
type usageError string

func (e usageError) Error() string { return string(e) }

// exitCode is 0 on success and when help was asked for, 2 for a command line not understood, 1 for
// any other failure.
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		return 2
	}
	return 1
}

// isTerminal reports whether f is a terminal (a variable so tests can pretend).
var isTerminal = func(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// describe says what went wrong in one sentence, with field details for validation errors.
func describe(err error) string {
	if ae, ok := apperr.As(err); ok && ae.Kind != apperr.KindInternal {
		return ae.Error()
	}
	return err.Error()
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		switch args[0] {
		case "help", "-h", "-help", "--help":
			fmt.Fprint(stdout, usage)
			return nil
		}
		if !strings.HasPrefix(args[0], "-") {
			cmd, args = args[0], args[1:]
		}
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, stderr)
	case "migrate":
		return migrate(ctx, args, stdin, stdout, stderr)
	case "org":
		return orgCmd(ctx, args, stdin, stdout, stderr)
	case "user":
		return userCmd(ctx, args, stdin, stdout, stderr)
	case "keys":
		return keysCmd(ctx, args, stdout, stderr)
	case "import":
		return importCmd(ctx, args, stdout, stderr)
	case "demo":
		return demoCmd(ctx, args, stdout, stderr)
	case "report":
		return reportCmd(ctx, args, stdout, stderr)
	case "backup":
		return backupCmd(ctx, args, stdout, stderr)
	case "restore":
		return restoreCmd(ctx, args, stdin, stdout, stderr)
	case "bench":
		return benchCmd(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "caravan", app.Version)
		return nil
	case "openapi":
		b, err := httpapi.Document(app.Version)
		if err != nil {
			return err
		}
		_, err = stdout.Write(append(b, '\n'))
		return err
	}
	return usageError(fmt.Sprintf("unknown command %q; see caravan --help", cmd))
}

func load(name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (config.Config, []string, error) {
	return config.Load("caravan "+name, args, os.Getenv, stderr, extra)
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, _, err := load("serve", args, stderr, nil)
	if err != nil {
		return err
	}
	log := app.Logger(cfg)
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", cfg.Addr, err)
	}
	return a.Serve(ctx, ln)
}

func migrate(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	steps, all, yes := 1, false, false
	cfg, rest, err := load("migrate", args, stderr, func(fs *flag.FlagSet) {
		fs.IntVar(&steps, "steps", 1, "down: how many migrations to undo, newest first")
		fs.BoolVar(&all, "all", false, "down: undo every migration (the database loses all its tables)")
		fs.BoolVar(&yes, "yes", false, "down: do not ask for confirmation on a terminal")
	})
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError("say which: caravan migrate up|down|status|unlock")
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	var names []string
	switch rest[0] {
	case "up":
		names, err = store.Migrate(ctx, db)
		if err == nil && len(names) == 0 {
			fmt.Fprintln(stdout, "the database is up to date")
		}
	case "down":
		if all {
			steps = store.AllSteps
		} else if steps < 1 {
			return usageError("--steps must be 1 or more (or use --all)")
		}
		names, err = migrateDown(ctx, db, steps, yes, stdin, stdout, stderr)
	case "status":
		names, err = store.MigrationStatus(ctx, db)
	case "unlock":
		err = store.Unlock(ctx, db)
	default:
		return usageError(fmt.Sprintf("unknown migrate action %q: use up, down, status or unlock", rest[0]))
	}
	for _, n := range names {
		fmt.Fprintln(stdout, rest[0]+":", n)
	}
	return err
}

// migrateDown undoes the last steps migrations, after checking that no server uses the database (a
// server holds a lease while it runs) and, on a terminal, asking.
func migrateDown(ctx context.Context, db *bun.DB, steps int, yes bool, stdin io.Reader, stdout, stderr io.Writer) ([]string, error) {
	servers, err := runningServers(ctx, db)
	if err != nil {
		return nil, err
	}
	if len(servers) > 0 {
		return nil, fmt.Errorf("refusing to roll back: %d server(s) are running on this database (%s); stop every `caravan serve` first "+
			"(a server that was killed stops counting %s after it died)", len(servers), strings.Join(servers, ", "), app.ServerLeaseTTL)
	}
	plan, err := store.ToRollBack(ctx, db, steps)
	if err != nil {
		return nil, err
	}
	if len(plan) == 0 {
		fmt.Fprintln(stdout, "nothing to roll back")
		return nil, nil
	}
	if !yes && isTerminal(stdin) {
		fmt.Fprintf(stderr, "This undoes %d migration(s), newest first; the data in the tables they drop is lost:\n", len(plan))
		for _, n := range plan {
			fmt.Fprintln(stderr, "  "+n)
		}
		fmt.Fprint(stderr, "Roll back? [y/N] ")
		answer, _ := bufio.NewReader(stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			return nil, errors.New("nothing was rolled back")
		}
	}
	return store.Rollback(ctx, db, steps)
}

// runningServers lists the servers holding a lease on db (none before the leases table exists).
func runningServers(ctx context.Context, db *bun.DB) ([]string, error) {
	ok, err := store.TableExists(ctx, db, "leases")
	if err != nil || !ok {
		return nil, err
	}
	return worker.RunningServers(ctx, db, time.Now())
}

func orgCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: caravan org create --name N --owner-email E [--owner-name N] [--base-currency CNY] [--timezone Asia/Shanghai]")
	}
	var in auth.NewOrg
	cfg, _, err := load("org create", args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&in.OrgName, "name", "", "organization name (required)")
		fs.StringVar(&in.Email, "owner-email", "", "owner's e-mail (required)")
		fs.StringVar(&in.Name, "owner-name", "", "owner's name (defaults to the part of the e-mail before @)")
		fs.StringVar(&in.BaseCurrency, "base-currency", "CNY", "ISO 4217 base currency")
		fs.StringVar(&in.Timezone, "timezone", "Asia/Shanghai", "IANA time zone")
	})
	if err != nil {
		return err
	}
	if in.Name == "" {
		in.Name, _, _ = strings.Cut(in.Email, "@")
	}
	if in.Password, err = readPassword(stdin, stderr); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	org, user, err := a.Auth.CreateOrg(ctx, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "organization %s (%s) created; owner %s (%s)\n", org.Name, org.ID, user.Email, user.ID)
	return nil
}

func userCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: caravan user create --org ORG_ID --email E --name N [--role manager]")
	}
	var orgID, role string
	var in auth.NewUser
	cfg, _, err := load("user create", args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&orgID, "org", "", "organization id (required)")
		fs.StringVar(&in.Email, "email", "", "e-mail (required)")
		fs.StringVar(&in.Name, "name", "", "name (required)")
		fs.StringVar(&role, "role", "manager", "owner, admin, manager, finance or viewer")
	})
	if err != nil {
		return err
	}
	in.Role = actor.Role(role)
	if in.Password, err = readPassword(stdin, stderr); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Auth.CreateUserInOrg(ctx, orgID, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s (%s) created with role %s\n", u.Email, u.ID, u.Role)
	return nil
}

func keysCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rotate" {
		return errors.New("usage: caravan keys rotate")
	}
	cfg, _, err := load("keys rotate", args[1:], stderr, nil)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Auth.RotateSigningKey(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "a new signing key is in use; tokens signed by the old one stay valid until they expire")
	return nil
}

func openApp(ctx context.Context, cfg config.Config) (*app.App, error) {
	return app.Open(ctx, cfg, app.Logger(cfg))
}

// readPassword prompts without echo on a terminal, or reads the first line of standard input.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password: ")
		pw, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stderr, "Again: ")
		again, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if string(pw) != string(again) {
			return "", errors.New("the two passwords differ")
		}
		return string(pw), nil
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}
