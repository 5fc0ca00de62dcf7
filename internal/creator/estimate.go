package creator

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/store"
)

// A search's exact total is the count of every creator it matches, and gathering them costs what
// they number: a common three letters of a name ("son") match 6,000 of 100,000 creators, and their
// first page took 10 ms on SQLite and 19 ms on PostgreSQL to find, sort and count them all (sqlite3
// and psql on the bench's catalogue). Such a search is common and its exact total means little to a
// seller (nobody reads 6,000 names), so its first page walks the newest creators instead, testing
// each one's name, e-mail and handles, and stops once the page is full: about 700 creators for
// "son". The share of the walked creators that matched, times the organization's creators,
// estimates the total, which the answer marks (total_estimated); a search is the only list whose
// total is ever estimated.
//
// A search that matches few creators gathers them as before and counts them exactly: a walk would
// pass over many creators to fill its page. walkRows bounds the walk: a search whose page is not
// full by then matches few enough (about 1,000 of 100,000) to gather. Totals below estimateFrom are
// always exact, so an organization of a few thousand creators never sees an estimate.
// (Variables only for the tests, which walk catalogues of hundreds.)
var (
	walkRows     int64 = 5_000
	estimateFrom int64 = 1_000
)

// walkHit is a creator a search's walk found, with its rank in the walk (PostgreSQL counts it in the
// walk itself; SQLite counts afterwards).
type walkHit struct {
	ID        string    `bun:"id"`
	CreatedAt time.Time `bun:"created_at"`
	Rank      int64     `bun:"rn"`
}

// searchMatch is the condition a walk tests on each creator c: q in its name or e-mail, or a handle
// starting with q. It answers what the trigram indexes and the accounts' handle index answer for a
// gathered search: the values are lower-cased as q is, and compared as they are. Its parameters are
// matchArgs'.
//
// On SQLite search_handles holds the creator's handles, each after a char(31) (migration
// 20261205700000), so the walk tests a creator from the default order's index alone; the set of
// accounts whose handle starts with q had to be gathered first (6,300 start with "hanna" in the
// bench's 100,000 creators: 3.7 ms, where the walk itself takes 0.5 ms). PostgreSQL hashes that set
// once and probes it for each creator walked.
func searchMatch(sqlite bool, c string) string {
	if sqlite {
		// The trigram index holds lower(email) (SQLite's lower, ASCII only), as here.
		return "instr(" + c + ".name_key, ?) > 0 OR instr(lower(" + c + ".email), ?) > 0 OR instr(" + c + ".search_handles, ?) > 0"
	}
	return "strpos(" + c + ".name_key, ?) > 0 OR strpos(" + c + ".email, ?) > 0 OR " +
		c + ".id IN (SELECT creator_id FROM creator_accounts WHERE org_id = ? AND handle >= ? AND handle < ?)"
}

// handleMark starts every handle in SQLite's search_handles; no handle holds it.
const handleMark = "\x1f"

func (s *Service) matchArgs(orgID string, f Filter) []any {
	q, h := strings.ToLower(f.Q), f.handlePrefix()
	if !s.sqlite {
		return []any{q, q, orgID, h, h + "\U0010FFFF"}
	}
	if strings.Contains(h, handleMark) {
		return []any{q, q, handleMark + handleMark} // never found: no handle is empty
	}
	return []any{q, q, handleMark + h}
}

// searchWalkQuery is the walk over the organization's live creators, newest first, for the first
// fetch creators of a search. Its parameters: the organization, then walkRows on PostgreSQL or
// walkBound's key on SQLite, then matchArgs', then fetch.
//
// PostgreSQL walks the newest walkRows creators by creators_created_idx, ranks them as it goes
// (row_number streams) and stops at the page's last match. SQLite would sort what such a subquery
// returns, reading every one of its rows: its walk is bounded by the key of the walkRows-th newest
// creator instead (walkBound), a range of creators_created_idx, which holds name_key, e-mail and
// search_handles (the walk reads no creator's row); the rank of its last match is counted
// afterwards (walkRankQuery).
func searchWalkQuery(sqlite bool) string {
	if sqlite {
		return `SELECT c.id, c.created_at FROM creators AS c
			WHERE c.org_id = ? AND c.deleted_at IS NULL AND (c.created_at, c.id) >= (?, ?)
			AND (` + searchMatch(true, "c") + `)
			ORDER BY c.created_at DESC, c.id DESC LIMIT ?`
	}
	return `SELECT w.id, w.created_at, w.rn FROM (
			SELECT c.id, c.created_at, c.name_key, c.email, row_number() OVER (ORDER BY c.created_at DESC, c.id DESC) AS rn
			FROM creators AS c WHERE c.org_id = ? AND c.deleted_at IS NULL
			ORDER BY c.created_at DESC, c.id DESC LIMIT ?) AS w
		WHERE ` + searchMatch(false, "w") + `
		ORDER BY w.created_at DESC, w.id DESC LIMIT ?`
}

// walkBoundQuery is the key of the organization's walkRows-th newest live creator, where SQLite's
// walk stops (parameters: org, walkRows).
const walkBoundQuery = `SELECT c.created_at, c.id FROM creators AS c WHERE c.org_id = ? AND c.deleted_at IS NULL
	ORDER BY c.created_at DESC, c.id DESC LIMIT 1 OFFSET ? - 1`

// walkBound is walkBoundQuery's answer, kept while the organization's creators stay as they were
// (passing over 5,000 index entries took 0.4 ms, a third of a walk).
type walkBound struct {
	seq       int64
	CreatedAt time.Time `bun:"created_at"`
	ID        string    `bun:"id"`
}

// walkBounds keeps each organization's walkBound.
type walkBounds struct {
	mu sync.Mutex
	m  map[string]walkBound
}

// bound returns the organization's walkBound at change number seq.
func (s *Service) bound(ctx context.Context, orgID string, seq int64) (walkBound, error) {
	s.bounds.mu.Lock()
	b, ok := s.bounds.m[orgID]
	s.bounds.mu.Unlock()
	if ok && b.seq == seq {
		return b, nil
	}
	var found []walkBound
	if err := s.page.walkBound.Scan(ctx, s.db, &found, orgID, walkRows); err != nil {
		return walkBound{}, err
	}
	if len(found) == 0 {
		return walkBound{}, sql.ErrNoRows
	}
	b = found[0]
	b.seq = seq
	s.bounds.mu.Lock()
	defer s.bounds.mu.Unlock()
	if s.bounds.m == nil || len(s.bounds.m) >= totalEntries {
		s.bounds.m = map[string]walkBound{}
	}
	s.bounds.m[orgID] = b
	return b, nil
}

// walkRankQuery counts, on SQLite, the live creators from the newest to the walk's last match (an
// index range: it reads no row).
const walkRankQuery = `SELECT count(*) FROM creators AS c WHERE c.org_id = ? AND c.deleted_at IS NULL AND (c.created_at, c.id) >= (?, ?)`

// searchCountQuery is SQLite's bound on how many creators a search can match: the trigram index's
// matches of every organization, live or deleted, counted from the index alone up to its limit.
// It only chooses how the page is found (a search matching fewer than estimateFrom gathers them at
// once) and never reaches the answer: it counts other organizations' creators.
const searchCountQuery = `SELECT count(*) FROM (SELECT rowid FROM creator_search WHERE creator_search MATCH ? LIMIT ?)`

// searchPlanQuery asks PostgreSQL's planner how many live creators of the organization have q in
// their name or e-mail (parameters: org, like, like), from the columns' statistics: the EXPLAIN
// plans the query with its values and runs nothing. As searchCountQuery on SQLite, its answer only
// chooses how the page is found; it is rough (within about two times on the bench's catalogue), so
// a walk is tried from twice estimateFrom.
const searchPlanQuery = `EXPLAIN (FORMAT JSON) SELECT 1 FROM creators AS c WHERE c.org_id = ? AND c.deleted_at IS NULL
	AND (c.name_key LIKE ? ESCAPE '\' OR c.email LIKE ? ESCAPE '\')`

// plannedMatches is the number of rows searchPlanQuery's plan expects.
func (s *Service) plannedMatches(ctx context.Context, orgID string, f Filter) (float64, error) {
	like := "%" + likeEscaper.Replace(strings.ToLower(f.Q)) + "%"
	var out string
	if err := s.page.searchPlan.QueryRow(ctx, s.db, orgID, like, like).Scan(&out); err != nil {
		return 0, store.MapError(err)
	}
	var plans []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	if err := json.Unmarshal([]byte(out), &plans); err != nil || len(plans) != 1 {
		return 0, fmt.Errorf("creator: reading the search's plan: %v", err)
	}
	return plans[0].Plan.Rows, nil
}

// walks tells whether a search's first page may be found by a walk: q alone over live creators, in
// the default order, of an organization with more creators than a walk passes over (a smaller one
// gathers its matches at once). A q that can only be a handle ("@luna", a profile URL) reads the
// handles' index and never walks.
func (f Filter) walks(all int64) bool {
	return f.searchAlone() && !f.Deleted && all > walkRows && !strings.HasPrefix(f.Q, "@") && !strings.Contains(f.Q, "/")
}

// walkedPage finds the first page of a search by a walk and estimates its total (ok); not ok when
// the search matches too few creators for an estimate, which the caller then gathers and counts.
// all is the number of the organization's live creators, seq its change number.
func (s *Service) walkedPage(ctx context.Context, orgID string, f Filter, fetch, all, seq int64) ([]string, int64, bool, error) {
	args := []any{orgID, walkRows}
	if s.sqlite {
		if _, indexed := f.indexedSearch(); indexed {
			// Fewer matches in the whole index than an estimate starts from: gather them.
			var n int64
			if err := s.page.searchCount.QueryRow(ctx, s.db, ftsPhrase(f.Q), estimateFrom).Scan(&n); err != nil {
				return nil, 0, false, store.MapError(err)
			}
			if n < estimateFrom {
				return nil, 0, false, nil
			}
		}
		b, err := s.bound(ctx, orgID, seq)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, 0, false, nil // fewer live creators than a walk's length: deleted meanwhile
		} else if err != nil {
			return nil, 0, false, err
		}
		args = []any{orgID, b.CreatedAt, b.ID}
	} else if _, indexed := f.indexedSearch(); indexed {
		n, err := s.plannedMatches(ctx, orgID, f)
		if err != nil {
			return nil, 0, false, err
		}
		if n < float64(2*estimateFrom) {
			return nil, 0, false, nil
		}
	}
	args = append(append(args, s.matchArgs(orgID, f)...), fetch)
	var hits []walkHit
	if err := s.page.searchWalk.Scan(ctx, s.db, &hits, args...); err != nil {
		return nil, 0, false, err
	}
	if int64(len(hits)) < fetch {
		return nil, 0, false, nil // not full within walkRows creators: few matches
	}
	last := hits[len(hits)-1]
	rank := last.Rank
	if s.sqlite {
		if err := s.page.walkRank.QueryRow(ctx, s.db, orgID, last.CreatedAt, last.ID).Scan(&rank); err != nil {
			return nil, 0, false, store.MapError(err)
		}
	}
	est := estimateTotal(fetch, rank, all)
	if est < estimateFrom {
		return nil, 0, false, nil
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids, est, true, nil
}

// estimateTotal estimates how many of all creators a search matches from a walk whose found-th
// match was the rank-th creator walked: (found-1)/(rank-1) is the unbiased estimate of the share of
// creators that match when a walk stops at its found-th match. Two significant digits: it is about
// that good (found = 51 gives a standard error of about 14%), and 6,400 reads as the estimate it is
// where 6,437 would not.
func estimateTotal(found, rank, all int64) int64 {
	if rank <= 1 || found <= 1 {
		return found
	}
	est := float64(found-1) / float64(rank-1) * float64(all)
	if est < 100 {
		return max(found, int64(math.Round(est)))
	}
	scale := math.Pow(10, math.Floor(math.Log10(est))-1)
	return max(found, int64(math.Round(est/scale)*scale))
}

// listFound completes a first page from the ids a search found, in their order: the creators' rows
// by primary key, then their accounts and tags. Not ok when one of them was deleted in between.
func (s *Service) listFound(ctx context.Context, p actor.Actor, f Filter, req page.Request, ids []string, total int64) (page.List[Creator], bool, error) {
	rows := make([]Creator, 0, len(ids))
	if len(ids) > 0 {
		var found []Creator
		if err := s.page.creators.Scan(ctx, s.db, &found, store.List(ids), p.OrgID); err != nil {
			return page.List[Creator]{}, false, err
		}
		byID := make(map[string]Creator, len(found))
		for _, r := range found {
			byID[r.ID] = r
		}
		for _, id := range ids {
			r, ok := byID[id]
			if !ok {
				return page.List[Creator]{}, false, nil
			}
			rows = append(rows, r)
		}
	}
	l := page.Finish(rows, req, total, f.cursorKey)
	if err := s.hydrate(ctx, p.OrgID, l.Items); err != nil {
		return page.List[Creator]{}, false, err
	}
	return l, true, nil
}
