package tracking

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// When the database cannot take a batch now (locked, here past the flush's deadline), the clicks the
// flush took go back to the front of the buffer in their order, before the ones pushed meanwhile, and
// none is lost or counted as being written.
func TestClicksTheDatabaseCannotTakeNowGoBackInOrder(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		r := newRecorder(db, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Hour, 2, 100)
		r.started = true               // no flusher of its own: the test flushes
		r.secrets["org"] = []byte("k") // nothing to read before the write
		click := func(i int) pendingClick {
			return pendingClick{ID: fmt.Sprintf("click-%d", i), OrgID: "org", LinkID: "link", CreatorID: "creator", CampaignID: "campaign",
				ClickedAt: time.Now().UTC(), IP: "198.51.100.1", UserAgent: "Mozilla/5.0"}
		}
		for i := range 5 {
			if err := r.push(ctx, click(i)); err != nil {
				t.Fatal(err)
			}
		}

		HoldClickWrites(t, db)

		short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		defer cancel()
		failed := make(chan error, 1)
		go func() { failed <- r.flush(short) }()
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
			r.mu.Lock()
			taken := len(r.taken)
			r.mu.Unlock()
			if taken > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the flush took nothing")
			}
		}
		if _, ok := r.pending("click-4"); !ok {
			t.Error("a click being written is not pending")
		}
		if err := r.push(ctx, click(5)); err != nil { // meanwhile
			t.Fatal(err)
		}
		if err := <-failed; err == nil || !transient(short, err) {
			t.Fatalf("the flush of a locked database: %v", err)
		}
		r.mu.Lock()
		var ids []string
		for _, c := range r.buf {
			ids = append(ids, c.ID)
		}
		taken := len(r.taken)
		r.mu.Unlock()
		want := []string{"click-0", "click-1", "click-2", "click-3", "click-4", "click-5"}
		if !slices.Equal(ids, want) || taken != 0 {
			t.Errorf("buffer after the failed flush: %v (%d still taken), want %v", ids, taken, want)
		}
	})
}
