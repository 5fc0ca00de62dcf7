package creator

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/store"
)

// A search's exact total is the count of every creator it matches, and gathering them costs what
// they number: a common three letters of a name ("son") match 6,000 of 100,000 creators, and their
// first page took 10 ms on SQLite and 19 ms on PostgreSQL to find, sort and count them all (sqlite3
// and psql on the bench's catalogue). Such a search is common and its exact total means little to a
// seller (nobody reads 6,000 names), so its total is estimated, and the answer marks it
// (total_estimated); a search is the only list whose total is ever estimated. On SQLite the search
// index yields matches in creation order and the estimate comes from it (ordered.go). On
// PostgreSQL the first page walks the newest creators instead, testing each one's name, e-mail and
// handles, and stops once the page is full: about 700 creators for "son". The share of the walked
// creators that matched, times the organization's creators, estimates the total.
//
// A search that matches few creators is counted exactly: a walk would pass over many creators to
// fill its page. walkRows bounds the walk: a search whose page is not full by then matches few
// enough (about 1,000 of 100,000) to gather. Totals below estimateFrom are always exact, and an
// organization of no more than walkRows creators never sees an estimate.
// (Variables only for the tests, which walk catalogues of hundreds.)
var (
	walkRows     int64 = 5_000
	estimateFrom int64 = 1_000
)

// walkHit is a creator a search's walk found, with its rank in the walk.
type walkHit struct {
	ID   string `bun:"id"`
	Rank int64  `bun:"rn"`
}

// searchWalkMatch is the condition a walk tests on each creator (alias.id, alias.name_key,
// alias.email): q in its name or e-mail, or a handle starting with q. It answers what the trigram
// indexes and the accounts' handle index answer for a gathered search: the values are lower-cased
// as q is, and compared as they are. The handles' set is gathered once and probed for each creator
// walked. Its parameters: q, q, the organization, the handle prefix and its end.
func searchWalkMatch(sqlite bool, alias string) string {
	handles := alias + ".id IN (SELECT creator_id FROM creator_accounts WHERE org_id = ? AND handle >= ? AND handle < ?)"
	if sqlite {
		// The trigram index holds lower(email) (SQLite's lower, ASCII only), as here.
		return "instr(" + alias + ".name_key, ?) > 0 OR instr(lower(" + alias + ".email), ?) > 0 OR " + handles
	}
	return "strpos(" + alias + ".name_key, ?) > 0 OR strpos(" + alias + ".email, ?) > 0 OR " + handles
}

// searchWalkQuery is the walk over the organization's newest walkRows live creators, by
// creators_created_idx, for the first fetch matches of a search, each ranked in the walk
// (row_number streams). PostgreSQL stops at the page's last match; SQLite, which sorts what the
// subquery returns, reads the walkRows creators. Its parameters: the organization, walkRows,
// searchWalkMatch's, fetch.
func searchWalkQuery(sqlite bool) string {
	return `SELECT w.id, w.rn FROM (
		SELECT c.id, c.created_at, c.name_key, c.email, row_number() OVER (ORDER BY c.created_at DESC, c.id DESC) AS rn
		FROM creators AS c WHERE c.org_id = ? AND c.deleted_at IS NULL
		ORDER BY c.created_at DESC, c.id DESC LIMIT ?) AS w
	WHERE ` + searchWalkMatch(sqlite, "w") + `
	ORDER BY w.created_at DESC, w.id DESC LIMIT ?`
}

// searchPlanQuery asks PostgreSQL's planner how many live creators of the organization have q in
// their name or e-mail (parameters: org, like, like), from the columns' statistics: the EXPLAIN
// plans the query with its values and runs nothing. Its answer only chooses how the page is found
// (it never reaches the answer); it is rough (within about two times on the bench's catalogue), so
// a walk is tried from twice estimateFrom.
var searchPlanQuery = `EXPLAIN (FORMAT JSON) SELECT 1 FROM creators AS c WHERE c.org_id = ? AND c.deleted_at IS NULL
	AND (` + pgLike("c.name_key") + ` OR ` + pgLike("c.email") + `)`

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
// all is the number of the organization's live creators. On SQLite only a search too short for the
// trigram index walks (ordered.go answers the others).
func (s *Service) walkedPage(ctx context.Context, orgID string, f Filter, fetch, all int64) ([]string, int64, bool, error) {
	if _, indexed := f.indexedSearch(); indexed && !s.sqlite {
		n, err := s.plannedMatches(ctx, orgID, f)
		if err != nil {
			return nil, 0, false, err
		}
		if n < float64(2*estimateFrom) {
			return nil, 0, false, nil
		}
	}
	q, h := strings.ToLower(f.Q), f.handlePrefix()
	var hits []walkHit
	if err := s.page.searchWalk.Scan(ctx, s.db, &hits, orgID, walkRows, q, q, orgID, h, h+"\U0010FFFF", fetch); err != nil {
		return nil, 0, false, err
	}
	if int64(len(hits)) < fetch {
		return nil, 0, false, nil // not full within walkRows creators: few matches
	}
	est := estimateTotal(fetch, hits[len(hits)-1].Rank, all)
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
	return roundEstimate(float64(found-1)/float64(rank-1)*float64(all), found)
}

// roundEstimate is est to two significant digits, and never below the matches found.
func roundEstimate(est float64, found int64) int64 {
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
