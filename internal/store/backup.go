package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLitePath returns the file of a "sqlite:PATH" database URL, and false for any other URL.
func SQLitePath(dbURL string) (string, bool) {
	path, ok := strings.CutPrefix(dbURL, "sqlite:")
	if !ok || path == "" || path == ":memory:" {
		return "", false
	}
	return path, true
}

// BackupInfo describes a backup just written.
type BackupInfo struct {
	Size int64         // bytes
	Took time.Duration // from the start of VACUUM INTO to the rename
}

// Backup writes a consistent copy of the SQLite database db to out with VACUUM INTO: one read
// transaction, so writers go on (they wait only for the WAL, never for the copy) and the copy holds
// exactly the transactions committed before it began. It writes out+".tmp" and renames it, so out is
// never a half-written file; an existing out is refused unless force.
func Backup(ctx context.Context, db *bun.DB, out string, force bool) (BackupInfo, error) {
	if !IsSQLite(db) {
		return BackupInfo{}, errors.New("store: Backup copies SQLite databases only; use pg_dump for PostgreSQL")
	}
	if !force {
		if err := refuseExisting(out); err != nil {
			return BackupInfo{}, err
		}
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o750); err != nil {
		return BackupInfo{}, fmt.Errorf("store: create the folder of %s: %w", out, err)
	}
	tmp := out + ".tmp"
	// VACUUM INTO wants a missing or empty file: a .tmp left by an interrupted backup goes.
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return BackupInfo{}, fmt.Errorf("store: remove %s: %w", tmp, err)
	}
	start := time.Now()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		os.Remove(tmp)
		return BackupInfo{}, fmt.Errorf("store: back up into %s: %w", tmp, MapError(err))
	}
	// VACUUM INTO does not sync its output: a backup must survive a power cut once it has a name.
	if err := syncFile(tmp); err != nil {
		os.Remove(tmp)
		return BackupInfo{}, err
	}
	if !force {
		// Checked again: another backup may have taken the name meanwhile.
		if err := refuseExisting(out); err != nil {
			os.Remove(tmp)
			return BackupInfo{}, err
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Remove(tmp)
		return BackupInfo{}, fmt.Errorf("store: %w", err)
	}
	syncDir(filepath.Dir(out))
	took := time.Since(start)
	fi, err := os.Stat(out)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("store: %w", err)
	}
	return BackupInfo{Size: fi.Size(), Took: took}, nil
}

func refuseExisting(out string) error {
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("%s already exists; choose another name or use --force to replace it", out)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// CheckBackup opens the file read-only and reports whether it is a sound Caravan database: SQLite,
// passing PRAGMA integrity_check, with bun's migrations table. The error says which test failed.
func CheckBackup(ctx context.Context, path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("cannot read the backup: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a file", path)
	}
	// immutable: nothing else writes a backup, so SQLite takes no lock and creates no -wal or -shm
	// beside it (a backup may sit on read-only storage).
	q := url.Values{}
	q.Set("mode", "ro")
	q.Set("immutable", "1")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	defer db.Close()
	var problems []string
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err == nil {
		for rows.Next() {
			var line string
			if err = rows.Scan(&line); err != nil {
				break
			}
			if line != "ok" && len(problems) < 5 {
				problems = append(problems, strings.Join(strings.Fields(line), " "))
			}
		}
		if err == nil {
			err = rows.Err()
		}
		rows.Close()
	}
	var se *sqlite.Error
	switch {
	case errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_NOTADB:
		return fmt.Errorf("%s is not a SQLite database", path)
	case errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CORRUPT:
		return fmt.Errorf("%s is a damaged SQLite database: %v", path, err)
	case err != nil:
		return fmt.Errorf("%s cannot be read as a SQLite database: %w", path, err)
	case len(problems) > 0:
		return fmt.Errorf("%s is a damaged SQLite database (integrity_check: %s)", path, strings.Join(problems, "; "))
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'bun_migrations'").Scan(&n); err != nil {
		return fmt.Errorf("%s cannot be read as a SQLite database: %w", path, err)
	}
	if n == 0 {
		return fmt.Errorf("%s is a SQLite database but not Caravan's: it has no bun_migrations table", path)
	}
	return nil
}

// ErrDatabaseInUse says another process has the SQLite database open.
var ErrDatabaseInUse = errors.New("the database is in use by another process (is `caravan serve` running?); stop it first")

// Restore puts the backup at backup in place of the SQLite database at dbPath and returns where the
// database it replaced was kept ("" when there was none). The caller checks first that no server holds
// a lease on the database; Restore refuses when another process still has the file open, and leaves
// it untouched when the backup is not a sound Caravan database. dbPath is never missing meanwhile: the
// old file is kept by a hard link (a copy where links are not supported) and the backup, copied to a
// file beside it and synced, replaces it with one rename. Open and Migrate the result afterwards: a
// backup from an older version then gains the migrations it lacks.
func Restore(ctx context.Context, dbPath, backup string, now time.Time) (kept string, err error) {
	if same, _ := sameFile(dbPath, backup); same {
		return "", fmt.Errorf("%s is the database itself, not a backup of it", backup)
	}
	if err := CheckBackup(ctx, backup); err != nil {
		return "", err
	}
	dir := filepath.Dir(dbPath)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("store: create the folder of %s: %w", dbPath, err)
	}
	tmp := dbPath + ".restore-tmp"
	if err := copyFile(backup, tmp); err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if _, err := os.Stat(dbPath); err == nil {
		if err := checkpointAlone(ctx, dbPath); err != nil {
			return "", err
		}
		kept = dbPath + ".before-restore-" + now.Format("20060102T150405")
		if err := os.Link(dbPath, kept); err != nil {
			if err := copyFile(dbPath, kept); err != nil {
				return "", err
			}
		}
		// The old file's -wal would be replayed into the restored one: it goes (after the checkpoint
		// there is none unless the old database was unreadable; then it is kept with it).
		if err := os.Rename(dbPath+"-wal", kept+"-wal"); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("store: %w", err)
		}
		if err := os.Remove(dbPath + "-shm"); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("store: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("store: %w", err)
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	syncDir(dir)
	return kept, nil
}

// checkpointAlone folds the WAL of the SQLite database at path into the file and leaves WAL mode,
// which SQLite allows only to the one connection that has the database open: any other process using
// it makes this fail with ErrDatabaseInUse. The file that is kept is then whole by itself. A file that
// is not a readable database is let through: replacing it is what a restore is for.
func checkpointAlone(ctx context.Context, path string) error {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(2000)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	defer db.Close()
	var mode string
	err = db.QueryRowContext(ctx, "PRAGMA journal_mode=DELETE").Scan(&mode)
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return ErrDatabaseInUse
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("store: check that %s is not in use: %w", path, err)
	}
	if mode != "delete" {
		return ErrDatabaseInUse
	}
	return nil
}

// copyFile copies src to dst (replaced if present) and syncs it.
func copyFile(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer func() {
		if cerr := out.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("store: %w", cerr)
		}
		if err != nil {
			os.Remove(dst)
		}
	}()
	if _, err := io.Copy(out, in); err != nil {
		return fmt.Errorf("store: copy %s to %s: %w", src, dst, err)
	}
	if err := out.Sync(); err != nil {
		return fmt.Errorf("store: sync %s: %w", dst, err)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("store: sync %s: %w", path, err)
	}
	return nil
}

// syncDir makes a rename in dir durable; some systems cannot sync a folder, which is no failure.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

func sameFile(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}
