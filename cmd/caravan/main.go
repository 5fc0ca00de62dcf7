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
	_ "time/tzdata" // organizations' time zones work on machines without a zoneinfo database

	"golang.org/x/term"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/app"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/auth"
	"github.com/caravan-crm/caravan/internal/config"
	"github.com/caravan-crm/caravan/internal/store"
)

const usage = `caravan: a CRM for sellers who sell abroad through creators.

Usage:
  caravan [serve] [flags]                 start the server (the default)
  caravan migrate up|down|status|unlock   manage the database schema
  caravan org create --name N --owner-email E [--owner-name N] [--base-currency CNY] [--timezone Asia/Shanghai]
  caravan user create --org ORG_ID --email E --name N [--role manager]
  caravan keys rotate                     start signing access tokens with a new key
  caravan import creators --org ORG_ID [--dry-run] FILE   import creators from .xlsx or .csv
  caravan version

Passwords are read from standard input, or asked for when it is a terminal.
Every command takes the configuration flags (see caravan serve -h) and CARAVAN_* variables.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "caravan:", describe(err))
		}
		os.Exit(1)
	}
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
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, stderr)
	case "migrate":
		return migrate(ctx, args, stdout, stderr)
	case "org":
		return orgCmd(ctx, args, stdin, stdout, stderr)
	case "user":
		return userCmd(ctx, args, stdin, stdout, stderr)
	case "keys":
		return keysCmd(ctx, args, stdout, stderr)
	case "import":
		return importCmd(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "caravan", app.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
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

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, rest, err := load("migrate", args, stderr, nil)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("say which: caravan migrate up|down|status|unlock")
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
		names, err = store.Rollback(ctx, db)
		if err == nil && len(names) == 0 {
			fmt.Fprintln(stdout, "nothing to roll back")
		}
	case "status":
		names, err = store.MigrationStatus(ctx, db)
	case "unlock":
		err = store.Unlock(ctx, db)
	default:
		return fmt.Errorf("unknown migrate action %q: use up, down, status or unlock", rest[0])
	}
	for _, n := range names {
		fmt.Fprintln(stdout, rest[0]+":", n)
	}
	return err
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
