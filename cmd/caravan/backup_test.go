package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/worker"
)

func orgNames(t *testing.T, url string) []string {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var names []string
	if err := db.NewRaw("SELECT name FROM organizations ORDER BY name").Scan(context.Background(), &names); err != nil {
		t.Fatal(err)
	}
	return names
}

func TestABackupFromAnOlderVersionRestoresAndGainsItsMigrations(t *testing.T) {
	dir := t.TempDir()
	url := "sqlite:" + filepath.Join(dir, "data", "caravan.db")
	cmd := func(stdin string, args ...string) (string, error) {
		return runCmd(t, stdin, append(args, "--database-url", url, "--log-level", "error")...)
	}
	if out, err := cmd("", "backup", "--out", filepath.Join(dir, "none.db")); err == nil || !strings.Contains(err.Error(), "no database") {
		t.Fatalf("backup of no database: %v %s", err, out)
	}
	if out, err := cmd("a long password\n", "org", "create", "--name", "Before", "--owner-email", "a@x.example"); err != nil {
		t.Fatal(out, err)
	}
	// The backup is taken by the previous version: one migration fewer.
	if out, err := cmd("", "migrate", "down", "--yes"); err != nil {
		t.Fatal(out, err)
	}
	backup := filepath.Join(dir, "backups", "caravan-2026-01-31.db")
	out, err := cmd("", "backup", "--out", backup)
	if err != nil || !regexp.MustCompile(`backed up .* to .*caravan-2026-01-31\.db: [0-9.]+ (KiB|MiB|bytes) in [0-9.]+m?s`).MatchString(out) {
		t.Fatalf("backup: %v %q", err, out)
	}
	if out, err := cmd("", "migrate", "up"); err != nil {
		t.Fatal(out, err)
	}
	if out, err := cmd("a long password\n", "org", "create", "--name", "After", "--owner-email", "b@x.example"); err != nil {
		t.Fatal(out, err)
	}

	out, err = cmd("", "restore", backup)
	if err != nil || strings.Count(out, "up: ") != 1 || !strings.Contains(out, "kept as "+filepath.Join(dir, "data", "caravan.db.before-restore-")) {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if got := orgNames(t, url); strings.Join(got, ",") != "Before" {
		t.Fatalf("the restored database holds %v", got)
	}
	kept := regexp.MustCompile(`kept as (\S+)`).FindStringSubmatch(out)[1]
	if got := orgNames(t, "sqlite:"+kept); strings.Join(got, ",") != "After,Before" {
		t.Fatalf("the database kept before the restore holds %v", got)
	}
	// The restored database serves: the commands that write to it work.
	if out, err := cmd("a long password\n", "org", "create", "--name", "Again", "--owner-email", "c@x.example"); err != nil {
		t.Fatal(out, err)
	}
}

func TestBackupRefusesToOverwriteAndRestoreRefusesWhileAServerRuns(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	url := "sqlite:" + filepath.Join(dir, "caravan.db")
	cmd := func(stdin string, args ...string) (string, error) {
		return runCmd(t, stdin, append(args, "--database-url", url, "--log-level", "error")...)
	}
	if out, err := cmd("a long password\n", "org", "create", "--name", "Kept", "--owner-email", "a@x.example"); err != nil {
		t.Fatal(out, err)
	}
	backup := filepath.Join(dir, "backup.db")
	if out, err := cmd("", "backup", "--out", backup); err != nil {
		t.Fatal(out, err)
	}
	first, _ := os.ReadFile(backup)
	if out, err := cmd("", "backup", "--out", backup); err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("overwrote a backup: %v %s", err, out)
	}
	if now, _ := os.ReadFile(backup); !bytes.Equal(first, now) {
		t.Fatal("the refused backup changed the file")
	}
	if out, err := cmd("", "backup", "--out", backup, "--force"); err != nil {
		t.Fatal(out, err)
	}

	conn, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	server := worker.Leases{DB: conn, Clock: clock.System{}, Holder: "replica-1"}
	if _, err := server.Claim(ctx, worker.ServerLease(server.Holder), time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	conn.Close() // the lease alone refuses, whether or not the server's file is open
	out, err := cmd("", "restore", "--yes", backup)
	if err == nil || !strings.Contains(err.Error(), "replica-1") || strings.Contains(out, "restored") {
		t.Fatalf("restore while a server runs: %v %s", err, out)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "caravan.db.*")); len(m) != 0 {
		t.Fatalf("a refused restore left %v", m)
	}

	// A file that is no Caravan database is refused before anything is asked or touched.
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte(strings.Repeat("hello\n", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := cmd("", "restore", notes); err == nil || !strings.Contains(err.Error(), "is not a SQLite database") {
		t.Fatalf("restore of a text file: %v %s", err, out)
	}
	if got := orgNames(t, url); strings.Join(got, ",") != "Kept" {
		t.Fatalf("the database holds %v", got)
	}
}

func TestRestoreAsksOnATerminal(t *testing.T) {
	dir := t.TempDir()
	url := "sqlite:" + filepath.Join(dir, "caravan.db")
	cmd := func(stdin string, args ...string) (string, error) {
		return runCmd(t, stdin, append(args, "--database-url", url, "--log-level", "error")...)
	}
	if out, err := cmd("", "migrate", "up"); err != nil {
		t.Fatal(out, err)
	}
	backup := filepath.Join(dir, "backup.db")
	if out, err := cmd("", "backup", "--out", backup); err != nil {
		t.Fatal(out, err)
	}
	orig := isTerminal
	isTerminal = func(any) bool { return true }
	defer func() { isTerminal = orig }()
	if out, err := cmd("n\n", "restore", backup); err == nil || !strings.Contains(out, "Restore? [y/N]") || strings.Contains(out, "kept as") {
		t.Fatalf("answered no: %v\n%s", err, out)
	}
	if out, err := cmd("y\n", "restore", backup); err != nil || !strings.Contains(out, "kept as") {
		t.Fatalf("answered yes: %v\n%s", err, out)
	}
	if out, err := cmd("", "restore", "--yes", backup); err != nil || strings.Contains(out, "Restore?") {
		t.Fatalf("--yes: %v\n%s", err, out)
	}
}

func TestBackupAndRestoreSendPostgreSQLToItsOwnTools(t *testing.T) {
	// Port 1 answers nothing: the commands must not even try to connect.
	db := []string{"--database-url", "postgres://caravan@127.0.0.1:1/caravan", "--log-level", "error"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"backup", "--out", filepath.Join(t.TempDir(), "x.db")}, "pg_dump"},
		{[]string{"restore", "--yes", "caravan.dump"}, "pg_restore"},
	} {
		_, err := runCmd(t, "", append(c.args, db...)...)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v (exit %d), want exit 2 naming %s", c.args, err, exitCode(err), c.want)
		}
	}
	if _, err := runCmd(t, "", "backup"); exitCode(err) != 2 {
		t.Errorf("backup without --out: %v", err)
	}
}
