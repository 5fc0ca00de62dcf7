package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/caravan-crm/caravan/internal/app"
	"github.com/caravan-crm/caravan/internal/store"
)

// backupCmd writes a consistent copy of the SQLite database while the server may be running.
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var out string
	var force bool
	cfg, rest, err := load("backup", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "the backup file to write (required)")
		fs.BoolVar(&force, "force", false, "replace the file if it exists")
	})
	if err != nil {
		return err
	}
	if out == "" || len(rest) != 0 {
		return usageError("usage: caravan backup --out FILE [--force]")
	}
	path, ok := store.SQLitePath(cfg.DatabaseURL)
	if !ok {
		return usageError("caravan backup copies the embedded SQLite database; for PostgreSQL use pg_dump " +
			"(pg_dump -Fc -f caravan.dump \"$CARAVAN_DATABASE_URL\"; see Backups in the README)")
	}
	// store.Open would create an empty database where there is none: say so instead.
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("there is no database to back up at %s: %w", path, err)
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	info, err := store.Backup(ctx, db, out, force)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s: %s in %s\n", path, out, humanBytes(info.Size), info.Took.Round(time.Millisecond))
	return nil
}

// restoreCmd puts a backup in place of the SQLite database, keeping the one it replaces, and migrates it.
func restoreCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var yes bool
	cfg, rest, err := load("restore", args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&yes, "yes", false, "do not ask for confirmation on a terminal")
	})
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError("usage: caravan restore [--yes] FILE")
	}
	backup := rest[0]
	path, ok := store.SQLitePath(cfg.DatabaseURL)
	if !ok {
		return usageError("caravan restore replaces the embedded SQLite database; for PostgreSQL use pg_restore " +
			"(pg_restore --clean --if-exists -d \"$CARAVAN_DATABASE_URL\" caravan.dump; see Backups in the README)")
	}
	// Checked before asking, so nobody confirms a restore that cannot happen.
	if err := store.CheckBackup(ctx, backup); err != nil {
		return fmt.Errorf("refusing to restore: %w", err)
	}
	_, statErr := os.Stat(path)
	exists := statErr == nil
	if exists {
		if err := refuseWhileServing(ctx, cfg.DatabaseURL, stderr); err != nil {
			return err
		}
	}
	if !yes && isTerminal(stdin) {
		if exists {
			fmt.Fprintf(stderr, "This replaces the database %s with %s (the current one is kept beside it).\n", path, backup)
		} else {
			fmt.Fprintf(stderr, "This puts %s in place as the database %s.\n", backup, path)
		}
		fmt.Fprint(stderr, "Restore? [y/N] ")
		answer, _ := bufio.NewReader(stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			return errors.New("nothing was restored")
		}
	}
	kept, err := store.Restore(ctx, path, backup, time.Now())
	if err != nil {
		return fmt.Errorf("refusing to restore: %w", err)
	}
	if kept != "" {
		fmt.Fprintf(stdout, "the database it replaced is kept as %s\n", kept)
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	names, err := store.Migrate(ctx, db)
	for _, n := range names {
		fmt.Fprintln(stdout, "up:", n)
	}
	if err != nil {
		return fmt.Errorf("restored, but migrating it failed: %w", err)
	}
	fmt.Fprintf(stdout, "restored %s from %s\n", path, backup)
	return nil
}

// refuseWhileServing fails when a server holds its lease on the database, as migrate down does.
// A database that cannot be read is no server's: restoring over it is what a restore is for (and
// store.Restore still refuses a file another process has open).
func refuseWhileServing(ctx context.Context, url string, stderr io.Writer) error {
	db, err := store.Open(ctx, url)
	if err != nil {
		fmt.Fprintf(stderr, "the current database cannot be read (%v); it will be kept and replaced\n", err)
		return nil
	}
	defer db.Close()
	servers, err := runningServers(ctx, db)
	if err != nil {
		fmt.Fprintf(stderr, "the current database cannot be read (%v); it will be kept and replaced\n", err)
		return nil
	}
	if len(servers) > 0 {
		return fmt.Errorf("refusing to restore: %d server(s) are running on this database (%s); stop every `caravan serve` first "+
			"(a server that was killed stops counting %s after it died)", len(servers), strings.Join(servers, ", "), app.ServerLeaseTTL)
	}
	return nil
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
