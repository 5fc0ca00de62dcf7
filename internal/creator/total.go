package creator

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/caravan-crm/caravan/internal/store"
)

// The list's total is exact, but counting it is most of what a page costs: a tag + platform filter
// over 100,000 creators counts for hundreds of milliseconds, and paging through the answer would
// count it again for every page. So a total is counted once and reused while the organization's
// creators stay as they were: creator_changes holds a number per organization that triggers move on
// every change to its creators, their tags and their accounts (whoever writes them), and a total is
// reused only with the number it was counted at. Reading that number is one primary-key lookup, and
// it lives in the database, so every replica sees a change at once; the cache only saves work and
// never answers differently from a fresh count.

// Totals older than totalTTL are counted again even if nothing moved, and at most totalEntries are
// kept: bounds on memory, not on correctness.
const (
	totalTTL     = 10 * time.Minute
	totalEntries = 4096
)

type totalKey struct {
	org    string
	filter string
}

type totalEntry struct {
	seq       int64 // creator_changes.seq when counted
	total     int64
	estimated bool // a search's estimate (estimate.go), not a count
	counted   time.Time
}

// totals caches list totals by organization and filter.
type totals struct {
	mu      sync.Mutex
	entries map[totalKey]totalEntry
}

func newTotals() *totals { return &totals{entries: map[totalKey]totalEntry{}} }

func (t *totals) get(k totalKey, seq int64, now time.Time) (totalEntry, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.entries[k]
	if !ok || e.seq != seq || now.Sub(e.counted) > totalTTL || now.Before(e.counted) {
		return totalEntry{}, false
	}
	return e, true
}

func (t *totals) put(k totalKey, e totalEntry) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.entries) >= totalEntries {
		clear(t.entries) // rare: 4,096 filters within ten minutes
	}
	t.entries[k] = e
}

// key is what makes two filters count the same creators: every condition, not the sort. The marks
// an exposed filter read are part of it, so a new risk mark is a new key.
func (f Filter) key(orgID string) totalKey {
	b, _ := json.Marshal([]any{f.Q, f.Statuses, f.Countries, f.Platforms, f.Tiers, f.AgencyID, f.OwnerID, f.Tags,
		f.MinFollowers, f.MaxFollowers, f.Deleted, f.Exposed, f.marked})
	return totalKey{org: orgID, filter: string(b)}
}

// changeSeq is the organization's creator_changes number (0 before its first creator).
func (s *Service) changeSeq(ctx context.Context, orgID string) (int64, error) {
	var seq int64
	switch err := s.page.changes.QueryRow(ctx, s.db, orgID).Scan(&seq); {
	case errors.Is(err, sql.ErrNoRows):
		return 0, nil
	case err != nil:
		return 0, store.MapError(err)
	}
	return seq, nil
}

// total counts the creators f matches, or reuses the count of the same filter if nothing has changed
// since it was taken.
func (s *Service) total(ctx context.Context, orgID string, f Filter) (int64, error) {
	seq, err := s.changeSeq(ctx, orgID)
	if err != nil {
		return 0, err
	}
	n, _, err := s.totalAt(ctx, orgID, f, seq)
	return n, err
}

// totalAt is total with the organization's change number already read (seq): a list request reads
// it once for the counts it needs. The total reused may be a search's estimate (estimated): the
// later pages of a search repeat its first page's.
func (s *Service) totalAt(ctx context.Context, orgID string, f Filter, seq int64) (n int64, estimated bool, err error) {
	c, e, ok := s.cachedTotalAt(orgID, f, seq)
	if ok {
		return e.total, e.estimated, nil
	}
	cnt, err := f.apply(s.db.NewSelect().Model((*Creator)(nil)), orgID).Count(ctx)
	if err != nil {
		return 0, false, store.MapError(err)
	}
	s.keepTotal(c, int64(cnt), false)
	return int64(cnt), false, nil
}

// counting is a total being counted: its key and the change number and time it was counted at.
type counting struct {
	key totalKey
	seq int64
	at  time.Time
}

// cachedTotalAt returns f's reusable total if there is one (ok), else what keepTotal needs to store
// the count the caller takes. The change number (seq) is read before counting: a change that lands
// in between moves it past the number stored with the count, so that count is never reused.
func (s *Service) cachedTotalAt(orgID string, f Filter, seq int64) (counting, totalEntry, bool) {
	// The wall clock, not the service's: this is the cache's age, not a business time.
	c := counting{key: f.key(orgID), seq: seq, at: time.Now()}
	e, ok := s.totals.get(c.key, seq, c.at)
	return c, e, ok
}

// keepTotal stores a total counted (or, for a search, estimated) after cachedTotalAt.
func (s *Service) keepTotal(c counting, n int64, estimated bool) {
	s.totals.put(c.key, totalEntry{seq: c.seq, total: n, estimated: estimated, counted: c.at})
}
