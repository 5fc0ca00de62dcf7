package creator

import (
	"cmp"
	"context"
	"errors"
	"math"
	"slices"
	"strings"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/store"
)

// On SQLite the search index numbers its rows in creation order: a creator's rowid in creator_search
// (its name and e-mail) is the millisecond of its created_at times 2^20 plus a slot within that
// millisecond, and creator_handle_rows holds each account's handle with that number (migration
// 20261205800000). So a search reads its name matches newest millisecond first from the index, and
// its handle matches' numbers from a range of handles, and the first page of a search for q alone
// no longer gathers and sorts every match: orderedMatchesQuery merges the two newest first, passing
// over other organizations' and deleted creators, and orderedMatches stops once it has fetch
// matches and has finished the millisecond of the last of them; those are put in the list's order
// (created_at, then id: the slots of one millisecond are not in id order).
//
// The total is counted (orderedTotalQuery: one probe of creator_search_rows a match), or needs no
// count when the page is not full. A search with estimateFrom matches or more in the index (names
// of every organization, handles of its own), in an organization a walk would estimate for
// (f.walks), estimates its total instead (orderedCountQuery): those matches times the share of them
// that were distinct live creators of the organization down to the page's last. In an organization
// alone on its server, with few creators in the bin, the estimate is close to the count.
//
// Measured in the server's own driver on the bench's 100,000 creators (the thirteenth pass in
// BENCHMARKS.md): the search's query alone, 900 terms, p95 12.6–15.3 → 4.4–5.4 ms against the gather.

// searchSlotBits is the bits of a search index rowid below its millisecond.
const searchSlotBits = 20

// orderedMatchesQuery is the organization's live creators whose name or e-mail matches a phrase or
// who have a handle starting with a prefix, newest millisecond first (parameters: the phrase, the
// organization, the prefix and its end, the organization). SQLite merges the two as they come (a
// co-routine: the index yields its rowids in order, the handles' numbers are sorted, integers
// alone), and the rows are probed in that order, so closing the rows stops it all; a creator
// matched twice comes twice, one after the other. The LIMIT -1 keeps the merge a subquery of its
// own, where SQLite would join the rows into each half and sort the handles' with their rows;
// orderedMatches checks the order all the same. created_at is read as the text SQLite orders.
const orderedMatchesQuery = `SELECT u.id, r.creator_id, CAST(r.created_at AS TEXT) FROM (
		SELECT s.rowid AS id FROM creator_search AS s WHERE creator_search MATCH ?
		UNION ALL SELECT h.search_id FROM creator_handle_rows AS h WHERE h.org_id = ? AND h.handle >= ? AND h.handle < ?
		ORDER BY 1 DESC LIMIT -1) AS u
	CROSS JOIN creator_search_rows AS r
	WHERE r.id = u.id AND r.org_id = ? AND r.deleted_at IS NULL`

// orderedUnion is the numbers of every creator, of every organization, whose name or e-mail matches
// a phrase, and of the organization's creators with a handle starting with a prefix (parameters:
// the phrase, the organization, the prefix and its end).
const orderedUnion = `SELECT rowid FROM creator_search WHERE creator_search MATCH ?
	UNION SELECT search_id FROM creator_handle_rows WHERE org_id = ? AND handle >= ? AND handle < ?`

// orderedTotalQuery counts the organization's live creators a search matches (parameters:
// orderedUnion's, the organization).
const orderedTotalQuery = `SELECT count(*) FROM (` + orderedUnion + `) AS u CROSS JOIN creator_search_rows AS r
	WHERE r.id = u.rowid AND r.org_id = ? AND r.deleted_at IS NULL`

// orderedCountQuery counts the index's name matches of every organization and the organization's
// handle matches, and those of each from a number on (parameters: the number, the phrase, the
// number, the organization, the prefix and its end): from the index and the handles' keys alone,
// with a creator matched twice counted twice on both sides of the share.
const orderedCountQuery = `SELECT f.n + h.n, f.r + h.r FROM
	(SELECT count(*) AS n, coalesce(sum(rowid >= ?), 0) AS r FROM creator_search WHERE creator_search MATCH ?) AS f,
	(SELECT count(*) AS n, coalesce(sum(search_id >= ?), 0) AS r FROM creator_handle_rows
		WHERE org_id = ? AND handle >= ? AND handle < ?) AS h`

// orderedSearch is a search as SQLite's search index and creator_handle_rows answer it.
type orderedSearch struct{ phrase, handle, end string }

// ordered returns f's search for SQLite's search index, when it answers f's first page: q alone
// over live creators, long enough for trigrams. Not ok on PostgreSQL.
func (s *Service) ordered(f Filter) (orderedSearch, bool) {
	h, indexed := f.indexedSearch()
	if !s.sqlite || !indexed || !f.searchAlone() || f.Deleted {
		return orderedSearch{}, false
	}
	return orderedSearch{ftsPhrase(f.Q), h, h + "\U0010FFFF"}, true
}

// orderedPage is the first fetch matches of search among the organization's live creators, in the
// default order, and its total: counted, or estimated when mayEstimate (f.walks) and the index's
// matches are many.
func (s *Service) orderedPage(ctx context.Context, orgID string, search orderedSearch, fetch int64, mayEstimate bool) ([]string, int64, bool, error) {
	found, last, err := s.orderedMatches(ctx, orgID, search, fetch)
	if err != nil {
		return nil, 0, false, err
	}
	ids := firstIDs(found, fetch)
	if int64(len(found)) < fetch {
		return ids, int64(len(found)), false, nil // every match is on the page
	}
	if mayEstimate {
		var all, rank int64
		if err := s.page.orderedCount.QueryRow(ctx, s.db, last, search.phrase, last, orgID, search.handle, search.end).Scan(&all, &rank); err != nil {
			return nil, 0, false, store.MapError(err)
		}
		// The share of the index's matches down to the page's last that were distinct creators of
		// the page: a creator matched by name and handle is two of them, wherever it stands. (A
		// walk's (found-1)/(rank-1) is for creators tested one by one.)
		if est := roundEstimate(float64(fetch)/float64(max(rank, 1))*float64(all), fetch); all >= estimateFrom && est >= estimateFrom {
			return ids, est, true, nil
		}
	}
	var total int64
	if err := s.page.orderedTotal.QueryRow(ctx, s.db, search.phrase, orgID, search.handle, search.end, orgID).Scan(&total); err != nil {
		return nil, 0, false, store.MapError(err)
	}
	return ids, total, false, nil
}

// knownOrderedPage is the first page of a search whose total is known (the same search asked
// again, on SQLite): its matches read newest first from the search index, as orderedPage reads
// them, without the count. Not ok when the index does not answer f, or a creator found was deleted
// in between; the caller then walks the list.
func (s *Service) knownOrderedPage(ctx context.Context, p actor.Actor, f Filter, req page.Request, total int64) (page.List[Creator], bool, error) {
	search, ok := s.ordered(f)
	if !ok {
		return page.List[Creator]{}, false, nil
	}
	found, _, err := s.orderedMatches(ctx, p.OrgID, search, req.Fetch())
	if errors.Is(err, errUnordered) {
		return page.List[Creator]{}, false, nil
	}
	if err != nil {
		return page.List[Creator]{}, false, err
	}
	return s.listFound(ctx, p, f, req, firstIDs(found, req.Fetch()), total)
}

// firstIDs is the ids of the first fetch matches found.
func firstIDs(found []orderedMatch, fetch int64) []string {
	ids := make([]string, min(int64(len(found)), fetch))
	for i := range ids {
		ids[i] = found[i].id
	}
	return ids
}

// errUnordered is orderedMatches' answer when the matches did not come newest first, which would be
// a plan of SQLite's other than the one its query asks for: the search is then gathered.
var errUnordered = errors.New("creator: the search index's matches came out of order")

// orderedMatch is a match read from the search index.
type orderedMatch struct{ id, createdAt string }

// orderedMatches reads the matches of search newest millisecond first until it has fetch and has
// finished the millisecond of the fetch-th, and puts them in the default order. last is the
// fetch-th one's rowid.
func (s *Service) orderedMatches(ctx context.Context, orgID string, search orderedSearch, fetch int64) (found []orderedMatch, last int64, err error) {
	rows, err := s.page.orderedMatches.Rows(ctx, s.db, search.phrase, orgID, search.handle, search.end, orgID)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	prev := int64(math.MinInt64)
	for rows.Next() {
		var rowid int64
		var m orderedMatch
		if err := rows.Scan(&rowid, &m.id, &m.createdAt); err != nil {
			return nil, 0, store.MapError(err)
		}
		switch {
		case rowid == prev:
			continue // matched again (by name and by handle, or by two handles)
		case rowid > prev && prev != math.MinInt64:
			return nil, 0, errUnordered
		}
		prev = rowid
		if int64(len(found)) >= fetch && rowid>>searchSlotBits != last>>searchSlotBits {
			break // a millisecond before the page's last match: no later match is on the page
		}
		found = append(found, m)
		if int64(len(found)) == fetch {
			last = rowid
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, store.MapError(err)
	}
	// SQLite compares the texts byte by byte, as strings.Compare does.
	slices.SortFunc(found, func(a, b orderedMatch) int {
		return cmp.Or(strings.Compare(b.createdAt, a.createdAt), strings.Compare(b.id, a.id))
	})
	return found, last, nil
}
