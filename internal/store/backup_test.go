package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store"
)

func openSQLite(t *testing.T, path string) *bun.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := store.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	return db
}

// insertProbe writes one row of the schema's leases table (no foreign keys: any row will do).
func insertProbe(ctx context.Context, db *bun.DB, name string) error {
	return store.RunInTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO leases (name, holder, expires_at) VALUES (?, 'probe', ?)", name, time.Now().UTC())
		return err
	})
}

func probes(t *testing.T, db *bun.DB) map[string]bool {
	t.Helper()
	var names []string
	if err := db.NewRaw("SELECT name FROM leases WHERE holder = 'probe'").Scan(context.Background(), &names); err != nil {
		t.Fatal(err)
	}
	got := make(map[string]bool, len(names))
	for _, n := range names {
		got[n] = true
	}
	return got
}

func integrity(t *testing.T, db *bun.DB) string {
	t.Helper()
	var res string
	if err := db.NewRaw("PRAGMA integrity_check").Scan(context.Background(), &res); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestABackupTakenUnderWriteLoadHoldsEveryWriteAcknowledgedBeforeItBegan(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openSQLite(t, filepath.Join(dir, "caravan.db"))

	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
	)
	stop := make(chan struct{})
	errs := make(chan error, 4)
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("probe:%d:%d", w, i)
				if err := insertProbe(ctx, db, name); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				acked = append(acked, name)
				mu.Unlock()
			}
		})
	}
	// Let the writers get going, then note what was acknowledged before the backup began.
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 200 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	before := append([]string(nil), acked...)
	mu.Unlock()
	out := filepath.Join(dir, "backups", "caravan.db")
	info, err := store.Backup(ctx, db, out, false)
	mu.Lock()
	during := len(acked) - len(before)
	mu.Unlock()
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("a writer failed during the backup: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("backup of %d rows: %d bytes in %v; %d writes acknowledged while it ran", len(before), info.Size, info.Took, during)
	if _, err := os.Stat(out + ".tmp"); !os.IsNotExist(err) {
		t.Fatalf("the temporary file is left: %v", err)
	}

	// Restored in place of another database, it holds every acknowledged write and serves.
	target := filepath.Join(t.TempDir(), "caravan.db")
	other := openSQLite(t, target)
	other.Close()
	kept, err := store.Restore(ctx, target, out, time.Now())
	if err != nil || kept == "" {
		t.Fatalf("restore: kept %q, %v", kept, err)
	}
	restored := openSQLite(t, target)
	if res := integrity(t, restored); res != "ok" {
		t.Fatalf("integrity_check: %s", res)
	}
	got := probes(t, restored)
	for _, name := range before {
		if !got[name] {
			t.Fatalf("%s was acknowledged before the backup began but is not in it (%d of %d rows there)", name, len(got), len(before))
		}
	}
	if err := insertProbe(ctx, restored, "probe:after-restore"); err != nil {
		t.Fatalf("the restored database does not take writes: %v", err)
	}
}

func TestBackupRefusesToOverwriteAFileUnlessForced(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openSQLite(t, filepath.Join(dir, "caravan.db"))
	out := filepath.Join(dir, "backup.db")
	if err := os.WriteFile(out, []byte("last night's backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Backup(ctx, db, out, false); err == nil || !strings.Contains(err.Error(), "already exists") || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("overwrote or failed unclearly: %v", err)
	}
	if b, _ := os.ReadFile(out); string(b) != "last night's backup" {
		t.Fatal("the existing file was changed")
	}
	if _, err := store.Backup(ctx, db, out, true); err != nil {
		t.Fatal(err)
	}
	if err := store.CheckBackup(ctx, out); err != nil {
		t.Fatalf("a forced backup is no sound backup: %v", err)
	}
}

func TestRestoreRefusesAFileThatIsNoSoundCaravanDatabaseAndLeavesTheDatabaseAlone(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "caravan.db")
	db := openSQLite(t, path)
	if err := insertProbe(ctx, db, "probe:precious"); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.db")
	if _, err := store.Backup(ctx, db, good, false); err != nil {
		t.Fatal(err)
	}
	db.Close()
	goodBytes, _ := os.ReadFile(good)

	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Damage a page in the middle of the file, past the header and the schema.
	corrupt := bytes.Clone(goodBytes)
	for i := len(corrupt) / 2; i < len(corrupt)/2+4096 && i < len(corrupt); i++ {
		corrupt[i] = 0xA5
	}
	foreign := filepath.Join(dir, "foreign.db")
	fdb, err := sql.Open("sqlite", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fdb.Exec("CREATE TABLE notes (body TEXT)"); err != nil {
		t.Fatal(err)
	}
	fdb.Close()

	for _, c := range []struct {
		name, path, want string
	}{
		{"text", write("notes.txt", []byte(strings.Repeat("not a database\n", 400))), "is not a SQLite database"},
		{"corrupt", write("corrupt.db", corrupt), "damaged"},
		{"foreign", foreign, "not Caravan's"},
		{"truncated", write("truncated.db", goodBytes[:len(goodBytes)/3]), "damaged"},
		{"missing", filepath.Join(dir, "nope.db"), "cannot read the backup"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, _ := os.ReadFile(path)
			_, err := store.Restore(ctx, path, c.path, time.Now())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want it to say %q", err, c.want)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Fatal("the database was changed")
			}
			if m, _ := filepath.Glob(path + ".*"); len(m) != 0 {
				t.Fatalf("files left beside the database: %v", m)
			}
		})
	}
	if got := probes(t, openSQLite(t, path)); !got["probe:precious"] {
		t.Fatal("the database lost its row")
	}
}

func TestRestoreRefusesWhileAnotherProcessHasTheDatabaseOpen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "caravan.db")
	db := openSQLite(t, path)
	backup := filepath.Join(dir, "backup.db")
	if _, err := store.Backup(ctx, db, backup, false); err != nil {
		t.Fatal(err)
	}
	if err := insertProbe(ctx, db, "probe:after-backup"); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Restore(ctx, path, backup, time.Now()); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("restored under a running server: %v", err)
	}
	if !probes(t, db)["probe:after-backup"] {
		t.Fatal("the database in use was replaced")
	}
	db.Close()

	// Closed, it is restored, and the old one is kept whole beside it, with its last write.
	kept, err := store.Restore(ctx, path, backup, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path + "-wal", path + "-shm", path + ".restore-tmp"} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Fatalf("%s is left: %v", p, err)
		}
	}
	if !probes(t, openSQLite(t, kept))["probe:after-backup"] {
		t.Fatal("the database kept before the restore lacks its last write")
	}
	if probes(t, openSQLite(t, path))["probe:after-backup"] {
		t.Fatal("the restored database holds a write made after the backup")
	}
}
