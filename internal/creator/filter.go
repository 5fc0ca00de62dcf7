package creator

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/country"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/platform"
	"github.com/caravan-crm/caravan/internal/store"
)

// Sorts of the creator list.
const (
	SortName      = "name"
	SortFollowers = "-followers"
	SortCreated   = "-created_at"
	SortGMV       = "-gmv_90d"
)

// Filter narrows and orders the creator list (and the export).
type Filter struct {
	Q            string
	Statuses     []string
	Countries    []string
	Platforms    []string
	Tiers        []string
	AgencyID     string
	OwnerID      string
	Tags         []string // all of them
	MinFollowers *int64
	MaxFollowers *int64
	Deleted      bool // only deleted creators (the bin) instead of live ones
	Exposed      bool // only creators with an active account on a platform at risk or banned in their country
	Sort         string

	marked []string // with Exposed: the marked "platform:country" pairs (Service.withMarks)
	walk   bool     // test conditions on accounts, tags and search row by row along the sort (see apply)
	byTag  bool     // walk the first tag's creators newest first (creator_tags AS dt; see pageQuery)
	qApart bool     // the caller applies q itself (searchMatches): apply leaves it out
}

// FilterParams documents the query parameters ParseFilter reads.
var FilterParams = [][2]string{
	{"q", "name (any script, any case), email, or any handle (prefix; @ and profile URLs accepted)"},
	{"status", "pipeline status; several separated by commas"},
	{"country", "ISO 3166-1 alpha-2 code; several separated by commas"},
	{"platform", "has an account on this platform; several separated by commas"},
	{"tier", "nano, micro, mid, macro or mega; several separated by commas"},
	{"agency_id", "belongs to this agency"},
	{"owner_id", "managed by this user"},
	{"tag", "has this tag; repeat for several (all must match)"},
	{"min_followers", "largest account has at least this many followers"},
	{"max_followers", "largest account has at most this many followers"},
	{"deleted", "true: only deleted creators"},
	{"exposed", "true: only creators with an active account on a platform marked at risk or banned in their country"},
	{"sort", "name, -followers, -created_at or -gmv_90d (default -created_at)"},
}

// maxFilterValues bounds how many values one filter takes (after removing repeats): a request must
// not grow a query without limit (150 tags took 28 s on PostgreSQL; 2,000 tiers overflowed SQLite's
// expression tree).
const (
	maxFilterValues = 50
	maxTagFilters   = 20
)

// splitList reads a multi-value parameter (repeated, comma-separated or both) without repeats; more
// than limit values is a 400.
func splitList(name string, vs []string, limit int) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, v := range vs {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" && !seen[p] {
				if len(out) == limit {
					return nil, tooMany(name, limit)
				}
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out, nil
}

func tooMany(name string, limit int) error {
	return apperr.BadRequest("too_many_values", fmt.Sprintf("%s takes at most %d values", name, limit)).
		WithParams(map[string]any{"parameter": name, "max": limit})
}

func badParam(msg string) error { return apperr.BadRequest("invalid_parameter", msg) }

// ParseFilter reads the list's query parameters; unknown values are a 400.
func ParseFilter(v url.Values) (Filter, error) {
	f := Filter{Q: strings.TrimSpace(v.Get("q")), AgencyID: v.Get("agency_id"), OwnerID: v.Get("owner_id"), Sort: v.Get("sort")}
	if len(f.Q) > 200 {
		return f, badParam("q must be at most 200 characters")
	}
	var err error
	if f.Statuses, err = splitList("status", v["status"], maxFilterValues); err != nil {
		return f, err
	}
	for _, s := range f.Statuses {
		if !slices.Contains(Statuses, s) {
			return f, badParam("status must be among " + strings.Join(Statuses, ", "))
		}
	}
	countries, err := splitList("country", v["country"], maxFilterValues)
	if err != nil {
		return f, err
	}
	for _, c := range countries {
		c = country.Normalize(c)
		if !country.Valid(c) {
			return f, badParam("country must be ISO 3166-1 alpha-2 codes such as US")
		}
		f.Countries = append(f.Countries, c)
	}
	if f.Platforms, err = splitList("platform", v["platform"], maxFilterValues); err != nil {
		return f, err
	}
	for _, p := range f.Platforms {
		if !platform.Valid(p) {
			return f, badParam("platform must be among " + platform.Keys())
		}
	}
	if f.Tiers, err = splitList("tier", v["tier"], maxFilterValues); err != nil {
		return f, err
	}
	for _, t := range f.Tiers {
		if _, ok := tierBounds[t]; !ok {
			return f, badParam("tier must be among nano, micro, mid, macro, mega")
		}
	}
	for _, t := range v["tag"] {
		if t = tagKey(strings.Join(strings.Fields(t), " ")); t != "" && !slices.Contains(f.Tags, t) {
			if len(f.Tags) == maxTagFilters {
				return f, tooMany("tag", maxTagFilters)
			}
			f.Tags = append(f.Tags, t)
		}
	}
	for name, dst := range map[string]**int64{"min_followers": &f.MinFollowers, "max_followers": &f.MaxFollowers} {
		if s := v.Get(name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return f, badParam(name + " must be a whole number of at least 0")
			}
			*dst = &n
		}
	}
	switch v.Get("deleted") {
	case "", "false":
	case "true":
		f.Deleted = true
	default:
		return f, badParam("deleted must be true or false")
	}
	switch v.Get("exposed") {
	case "", "false":
	case "true":
		f.Exposed = true
	default:
		return f, badParam("exposed must be true or false")
	}
	switch f.Sort {
	case "":
		f.Sort = SortCreated
	case SortName, SortFollowers, SortCreated, SortGMV:
	default:
		return f, badParam("sort must be name, -followers, -created_at or -gmv_90d")
	}
	return f, nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// apply adds the filter's conditions to a query on creators AS c. Conditions on accounts, tags and
// the search are subqueries, not joins, so a creator is never counted twice, in one of two shapes:
//
//   - sets (the default, and every count): IN subqueries on the indexes of accounts, tags and the
//     search, from which the database fetches the creators that match and then sorts them. The cost
//     grows with the number that match;
//   - walk: a probe of the creator's own accounts and tags (EXISTS on their creator_id indexes), so
//     the database walks the sort's index and stops once the page is full. The cost grows with the
//     rows it passes over before the page is full: few when many creators match.
//
// listPage picks the cheaper one from the total; a planner cannot, as it knows nothing of how many
// creators a tag or a search matches (SQLite always picks sets, and sorts a third of the catalogue
// to show 50 creators of a common tag).
func (f Filter) apply(q *bun.SelectQuery, orgID string) *bun.SelectQuery {
	q = q.Where("c.org_id = ?", orgID)
	// who is the creator a probe names: with byTag, the tag row's, so that SQLite probes a creator's
	// other tags and accounts before it reads the creator's row.
	who, tags := "c.id", f.Tags
	// probeEnd ends the probes' subqueries. Walking a tag's rows on PostgreSQL, OFFSET 0 keeps each
	// probe a filter of the tag's rows, tested before the creator's row is read: as a plain EXISTS the
	// planner made it a semi-join after the creators, and read the row of every creator of the tag it
	// passed over (a filtered page of 50 read about 1,500 buffers, 1,100 this way). Elsewhere the
	// semi-join is the better plan (a count hashes the accounts).
	probeEnd := ""
	if f.byTag {
		q = q.Where("dt.org_id = ? AND dt.tag_key = ? AND c.id = dt.creator_id", orgID, f.Tags[0])
		who, tags = "dt.creator_id", f.Tags[1:]
		if !store.IsSQLite(q.DB()) {
			probeEnd = " OFFSET 0"
		}
	}
	if f.Deleted {
		q = q.Where("c.deleted_at IS NOT NULL")
	} else {
		q = q.Where("c.deleted_at IS NULL")
	}
	if f.Q != "" && !f.qApart {
		like := "%" + likeEscaper.Replace(strings.ToLower(f.Q)) + "%"
		h := f.handlePrefix()
		// handle >= h AND handle < h+U+10FFFF is a prefix match that uses the (org_id, handle) index on
		// both dialects (both compare these columns by code point).
		byHandle := "c.id IN (SELECT creator_id FROM creator_accounts WHERE org_id = ? AND handle >= ? AND handle < ?)"
		switch {
		case strings.HasPrefix(f.Q, "@") || strings.Contains(f.Q, "/"):
			// "@name" or a pasted profile URL can only be a handle: an index range, no scan of names.
			q = q.Where(byHandle, orgID, h, h+"\U0010FFFF")
		case utf8.RuneCountInString(f.Q) >= minIndexedQ:
			sub, args := searchIDs(q.DB(), orgID, strings.ToLower(f.Q), like, h)
			switch sqlite := store.IsSQLite(q.DB()); {
			case f.walk && sqlite:
				// The unary + keeps SQLite from driving the query from the matches: it builds their set
				// once and tests each creator of the walk against it.
				q = q.Where("+c.id IN ("+sub+")", args...)
			case sqlite:
				q = q.Where("c.id IN ("+sub+")", args...)
			case f.walk:
				// PostgreSQL, many matches (the total is known): each creator the walk passes over is
				// tested itself, its name and e-mail (strpos) and the set of handles starting with q,
				// as the first page's walk does (searchWalkMatch). As a plain IN of every match the
				// planner, which cannot tell how many the set holds, joined it to a scan of every
				// creator (20 ms for page 2 of a 1,000-match search of 20,000 creators); as a set of
				// every match tested by the walk (IS TRUE) it gathered all of them first: "har", 7,074
				// of 100,000 creators, hashed 16,030 ids (28 of its 36 ms) for a walk of 700 creators.
				lower := strings.ToLower(f.Q)
				q = q.Where("("+searchWalkMatch(false, "c")+")", lower, lower, orgID, h, h+"\U0010FFFF")
			default:
				// PostgreSQL, few matches for the page: they are looked up by primary key.
				q = q.Where("c.id = ANY(ARRAY("+sub+"))", args...)
			}
		default:
			// Too short for a trigram index: read the names and e-mails.
			q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
				return q.Where(`c.name_key LIKE ? ESCAPE '\'`, like).
					WhereOr(`c.email LIKE ? ESCAPE '\'`, like).
					WhereOr(byHandle, orgID, h, h+"\U0010FFFF")
			})
		}
	}
	if len(f.Statuses) > 0 {
		q = q.Where("c.status IN (?)", bun.In(f.Statuses))
	}
	if len(f.Countries) > 0 {
		q = q.Where("c.country IN (?)", bun.In(f.Countries))
	}
	// A walk probes the tags first: each probe is one entry of an index (creator_tags_key_key), and
	// a tag is usually the rarer condition, so fewer creators reach the platform probe.
	if f.walk {
		for _, t := range tags {
			// One EXISTS per tag: PostgreSQL estimates each from the tag's statistics (it guessed 0.5%
			// for a counting subquery, sorted every match and took 940 ms where walking takes a few).
			q = q.Where("EXISTS (SELECT 1 FROM creator_tags AS ct WHERE ct.creator_id = "+who+" AND ct.tag_key = ?"+probeEnd+")", t)
		}
	}
	switch {
	case len(f.Platforms) == 0:
	case f.walk || len(f.Tags) > 0 || f.Q != "":
		// Also when a tag or the search gives the set: a platform is no narrow set of its own (TikTok
		// is half the catalogue), so its creators are probed, never gathered. The probe names the
		// creator alone (its accounts are its organization's: their foreign key says so): with
		// pa.org_id too, a SQLite connection without statistics took the (org_id, platform) index
		// and read every account of the platform for each creator walked. On SQLite that index ends
		// with platform, so the probe reads no account row.
		q = q.Where("EXISTS (SELECT 1 FROM creator_accounts AS pa WHERE pa.creator_id = "+who+" AND pa.platform IN (?)"+probeEnd+")",
			bun.In(f.Platforms))
	default:
		q = q.Where("c.id IN (SELECT creator_id FROM creator_accounts WHERE org_id = ? AND platform IN (?))", orgID, bun.In(f.Platforms))
	}
	if len(f.Tiers) > 0 {
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			for _, b := range tierRanges(f.Tiers) {
				if b[1] == 0 {
					q = q.WhereOr("c.max_followers >= ?", b[0])
				} else {
					q = q.WhereOr("(c.max_followers >= ? AND c.max_followers < ?)", b[0], b[1])
				}
			}
			return q
		})
	}
	if f.AgencyID != "" {
		q = q.Where("c.agency_id = ?", f.AgencyID)
	}
	if f.OwnerID != "" {
		q = q.Where("c.owner_id = ?", f.OwnerID)
	}
	// Every tag must match, whatever its case: one lookup whatever their number, on the (org_id,
	// tag_key) index for sets, on the (creator_id, tag_key) one for a walk.
	switch {
	case len(f.Tags) == 0 || f.walk: // a walk's tags are probed above
	case len(f.Tags) == 1:
		q = q.Where("c.id IN (SELECT creator_id FROM creator_tags WHERE org_id = ? AND tag_key = ?)", orgID, f.Tags[0])
	default:
		q = q.Where("c.id IN (SELECT creator_id FROM creator_tags WHERE org_id = ? AND tag_key IN (?) GROUP BY creator_id HAVING COUNT(*) = ?)",
			orgID, bun.In(f.Tags), len(f.Tags))
	}
	if f.MinFollowers != nil {
		q = q.Where("c.max_followers >= ?", *f.MinFollowers)
	}
	if f.MaxFollowers != nil {
		q = q.Where("c.max_followers <= ?", *f.MaxFollowers)
	}
	return f.applyExposed(q)
}

// minIndexedQ is the shortest q the name and e-mail search finds through its trigram index: a
// trigram is three characters, so a shorter q (a two-character Chinese given name, say) reads every
// name and e-mail of the organization instead, as before the index.
const minIndexedQ = 3

// searchIDs selects the creators whose name or e-mail contains lower (like is the same as a LIKE
// pattern) or who have a handle starting with handle: three index lookups joined by UNION ALL, where
// the OR of three conditions would read every creator. This is where the dialects differ: SQLite
// asks its FTS5 trigram table (creator_search, kept by triggers), PostgreSQL its pg_trgm indexes on
// name_key and email (which serve LIKE itself). Both match exactly what LIKE '%q%' matched: the
// values are lower-cased as name_key is, and the index compares them as they are.
func searchIDs(db bun.IDB, orgID, lower, like, handle string) (string, []any) {
	const byHandle = " UNION ALL SELECT creator_id FROM creator_accounts WHERE org_id = ? AND handle >= ? AND handle < ?"
	if store.IsSQLite(db) {
		return `SELECT r.creator_id FROM creator_search JOIN creator_search_rows AS r ON r.id = creator_search.rowid
			WHERE creator_search MATCH ? AND r.org_id = ?` + byHandle, []any{ftsPhrase(lower), orgID, orgID, handle, handle + "\U0010FFFF"}
	}
	return `SELECT id FROM creators WHERE org_id = ? AND ` + pgLike("name_key") + `
		UNION ALL SELECT id FROM creators WHERE org_id = ? AND ` + pgLike("email") + byHandle,
		[]any{orgID, like, orgID, like, orgID, handle, handle + "\U0010FFFF"}
}

// pgLike is PostgreSQL's "col LIKE ?" (ESCAPE '\') as the trigram indexes of name_key and email
// answer it: they index the values with every space and 'ǂ' swapped (migration 20261206100000), so
// that a q with a space in it is looked up by trigrams across the space, where pg_trgm's own
// trigrams stop at word ends. The pattern is swapped alike; a permutation of characters leaves what
// LIKE matches unchanged.
func pgLike(col string) string {
	return "translate(" + col + ", ' ǂ', 'ǂ ') LIKE translate(?, ' ǂ', 'ǂ ') ESCAPE '\\'"
}

// indexedSearch tells whether f searches for a q the search indexes answer (not a handle alone, not
// too short for trigrams), and the handle prefix q is matched against.
func (f Filter) indexedSearch() (handle string, ok bool) {
	if f.Q == "" || strings.HasPrefix(f.Q, "@") || strings.Contains(f.Q, "/") ||
		utf8.RuneCountInString(f.Q) < minIndexedQ {
		return "", false
	}
	return f.handlePrefix(), true
}

// handlePrefix is the handle q is a prefix of: q itself, lower-cased, or the handle of a profile URL.
func (f Filter) handlePrefix() string {
	if _, h := platform.NormalizeHandle(f.Q); h != "" {
		return h
	}
	return strings.ToLower(f.Q)
}

// ftsPhrase is q as an FTS5 phrase: lower-cased, between double quotes, its own double quotes doubled.
func ftsPhrase(q string) string {
	return `"` + strings.ReplaceAll(strings.ToLower(q), `"`, `""`) + `"`
}

// searchMatches selects, on PostgreSQL, the id of every creator f matches and the count of them
// (total): the creators whose name or e-mail the trigram indexes find or whose handle starts with q
// (looked up by primary key), each with the rest of f, in one bitmap heap scan that reads each
// creator once (see searchAloneQuery, which is the same for q alone). "c.id IN (the three sets)"
// had the planner, which cannot tell how many match, join the set to a scan of every creator of the
// organization: 15 to 20 ms for a three-letter search on 20,000 creators. OFFSET 0 keeps the order
// out of the matches' plan, so the planner does not walk a sort's index testing every creator. It
// applies to a search the trigram indexes answer (not ok otherwise); SQLite has its own shape for q
// alone (searchAloneQuery) and sets otherwise.
// The caller adds the order (f.order: every sort key is a column of the matches) and the limit.
func (f Filter) searchMatches(db bun.IDB, orgID string) (*bun.SelectQuery, bool) {
	h, ok := f.indexedSearch()
	if !ok {
		return nil, false
	}
	like := "%" + likeEscaper.Replace(strings.ToLower(f.Q)) + "%"
	rest := f
	rest.qApart, rest.walk = true, false
	q := db.NewSelect().TableExpr("creators AS c").ColumnExpr("c.id, c.name_key, c.created_at, c.max_followers, c.gmv_90d_minor")
	q = rest.apply(q, orgID).WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		// ANY(ARRAY(...)): the handles' creators are looked up by primary key; as an IN the planner
		// hashed them and scanned every creator again.
		return q.Where(pgLike("c.name_key"), like).WhereOr(pgLike("c.email"), like).
			WhereOr("c.id = ANY(ARRAY(SELECT creator_id FROM creator_accounts WHERE org_id = ? AND handle >= ? AND handle < ?))",
				orgID, h, h+"\U0010FFFF")
	})
	return db.NewSelect().TableExpr("(? OFFSET 0) AS c", q).Column("c.id").ColumnExpr("count(*) OVER () AS total"), true
}

// searchAlone is the search box's usual question: q alone (live or deleted creators), in the default
// order. Its first page is one query with bound parameters (pageQueries.search, with
// searchAloneArgs): a term typed afresh was a new SQL text, which the database parsed and planned
// before it ran, and which pgx first prepared on PostgreSQL, a round trip more. It is prepared on
// SQLite; on PostgreSQL it is sent unnamed with its values and planned with them.
func (f Filter) searchAlone() bool {
	return f.Sort == SortCreated && len(f.Statuses)+len(f.Countries)+len(f.Platforms)+len(f.Tiers)+len(f.Tags) == 0 &&
		f.AgencyID == "" && f.OwnerID == "" && f.MinFollowers == nil && f.MaxFollowers == nil && !f.Exposed
}

// searchAloneQuery is the first page of searchAlone, of live creators or of the bin; its last
// parameter is the page's length.
//
// On PostgreSQL it reads the creators that its three indexes find (the trigram indexes of name_key
// and email, the handles' creators by primary key) in one bitmap heap scan, each creator once. As a
// UNION of three parts, a creator whose name, e-mail and handle all match (most matches of a name
// search: the three are usually alike) was read up to three times and the parts hashed to merge
// them: "madis", 1,405 matches of 100,000, 9.0 → 7.4 ms; "son", 6,389 matches, 13 → 6.8 ms (psql
// on caravan bench's catalogue). OFFSET 0 keeps the planner, when it expects many matches, from
// walking creators_created_idx for the order instead and testing every creator.
//
// SQLite answers the live creators' first page from the search index's own order (ordered.go;
// here only if its merge ever came out of order) and the bin's here. It reads the search index's
// rows (creator_search_rows), which hold each creator's created_at and deleted_at, so the matches
// are counted and ordered without looking each one up in creators by its text id, which was most
// of the time of a common search (1,300 matches of 20,000: 11 ms, 3.5 ms from the rows). A row
// matching by name or by handle is one condition on those rows (SQLite's MULTI-INDEX OR reads each
// row once): as a UNION of the name matches and the handle matches, SQLite sorted each part to
// merge them before it sorted the whole for the page.
func searchAloneQuery(sqlite, deleted bool) string {
	if sqlite {
		live := "r.deleted_at IS NULL"
		if deleted {
			live = "r.deleted_at IS NOT NULL"
		}
		return `SELECT r.creator_id AS id, count(*) OVER () AS total FROM creator_search_rows AS r
			WHERE (r.id IN (SELECT rowid FROM creator_search WHERE creator_search MATCH ?) AND r.org_id = ?
				OR r.creator_id IN (SELECT creator_id FROM creator_accounts WHERE org_id = ? AND handle >= ? AND handle < ?) AND r.org_id = ?)
			AND ` + live + `
			ORDER BY r.created_at DESC, r.creator_id DESC LIMIT ?`
	}
	live := "c.deleted_at IS NULL"
	if deleted {
		live = "c.deleted_at IS NOT NULL"
	}
	return `SELECT c.id, count(*) OVER () AS total FROM (
		SELECT c.id, c.created_at FROM creators AS c WHERE c.org_id = ? AND ` + live + ` AND (` + pgLike("c.name_key") + `
			OR ` + pgLike("c.email") + `
			OR c.id = ANY(ARRAY(SELECT creator_id FROM creator_accounts WHERE org_id = ? AND handle >= ? AND handle < ?)))
		OFFSET 0
	) AS c ORDER BY c.created_at DESC, c.id DESC LIMIT ?`
}

// searchAloneArgs are the parameters of searchAloneQuery for q, but the page's length.
func (f Filter) searchAloneArgs(sqlite bool, orgID, handle string) []any {
	end := handle + "\U0010FFFF"
	if sqlite {
		return []any{ftsPhrase(f.Q), orgID, orgID, handle, end, orgID}
	}
	like := "%" + likeEscaper.Replace(strings.ToLower(f.Q)) + "%"
	return []any{orgID, like, like, orgID, handle, end}
}

// tierRanges merges the follower ranges of tiers into the fewest ranges ([min, max), max 0 for
// unbounded): adjacent tiers become one range, so nano+micro+mid is one condition.
func tierRanges(tiers []string) [][2]int64 {
	var rs [][2]int64
	for _, t := range []string{TierNano, TierMicro, TierMid, TierMacro, TierMega} {
		if !slices.Contains(tiers, t) {
			continue
		}
		b := tierBounds[t]
		if n := len(rs); n > 0 && rs[n-1][1] == b[0] {
			rs[n-1][1] = b[1]
		} else {
			rs = append(rs, b)
		}
	}
	return rs
}

// order adds the sort and, after a cursor, the keyset condition: every sort ends with the id, so
// the order is total and a page starts exactly after the previous one whatever was added meanwhile.
// The condition compares row values, which both dialects answer with a range of the sort's index:
// a page 1,000 pages deep costs what the first costs.
func (f Filter) order(q *bun.SelectQuery, after []string) (*bun.SelectQuery, error) {
	if len(after) != 0 && len(after) != 2 {
		return nil, badParam("cursor is not one this server issued")
	}
	switch f.Sort {
	case SortName:
		if after != nil {
			q = q.Where("(c.name_key, c.id) > (?, ?)", after[0], after[1])
		}
		return q.Order("c.name_key", "c.id"), nil
	case SortCreated:
		// A tag's walk goes along the tag's index: its rows carry the creator's created_at and id.
		at, id := "c.created_at", "c.id"
		if f.byTag {
			at, id = "dt.created_at", "dt.creator_id"
		}
		if after != nil {
			t, err := time.Parse(time.RFC3339Nano, after[0])
			if err != nil {
				return nil, badParam("cursor is not one this server issued")
			}
			q = q.Where("("+at+", "+id+") < (?, ?)", t, after[1])
		}
		return q.OrderExpr(at + " DESC, " + id + " DESC"), nil
	}
	col := "c.max_followers"
	if f.Sort == SortGMV {
		col = "c.gmv_90d_minor"
	}
	if after != nil {
		n, err := strconv.ParseInt(after[0], 10, 64)
		if err != nil {
			return nil, badParam("cursor is not one this server issued")
		}
		q = q.Where("("+col+", c.id) < (?, ?)", n, after[1])
	}
	return q.OrderExpr(col + " DESC, c.id DESC"), nil
}

func (f Filter) cursorKey(c Creator) []string {
	switch f.Sort {
	case SortName:
		return []string{c.NameKey, c.ID}
	case SortCreated:
		return []string{c.CreatedAt.UTC().Format(time.RFC3339Nano), c.ID}
	case SortGMV:
		return []string{strconv.FormatInt(c.GMV90dMinor, 10), c.ID}
	}
	return []string{strconv.FormatInt(c.MaxFollowers, 10), c.ID}
}

// List returns a page of the organization's creators matching f, with their accounts and the total.
func (s *Service) List(ctx context.Context, p actor.Actor, f Filter, req page.Request) (page.List[Creator], error) {
	f, err := s.withMarks(ctx, p.OrgID, f)
	if err != nil {
		return page.List[Creator]{}, err
	}
	// The change number is read once, before every count this request may take.
	seq, err := s.changeSeq(ctx, p.OrgID)
	if err != nil {
		return page.List[Creator]{}, err
	}
	var total int64
	estimated := false
	if f.Q != "" && len(req.After) == 0 {
		c, e, ok := s.cachedTotalAt(p.OrgID, f, seq)
		if !ok {
			return s.countedPage(ctx, p, f, req, c)
		}
		total, estimated = e.total, e.estimated
		// SQLite: read from the search index newest first, as the first asking did.
		if l, ok, err := s.knownOrderedPage(ctx, p, f, req, total); err != nil || ok {
			l.TotalEstimated = estimated
			return l, err
		}
	} else if total, estimated, err = s.totalAt(ctx, p.OrgID, f, seq); err != nil {
		return page.List[Creator]{}, err
	}
	if f.narrows() && total > 0 {
		// Walk when a page is expected to fill within as many rows as sorting the matches would take.
		all, _, err := s.totalAt(ctx, p.OrgID, Filter{Deleted: f.Deleted}, seq)
		if err != nil {
			return page.List[Creator]{}, err
		}
		f.walk = walkCheaper(total, all, req.Fetch())
	}
	l, err := s.listPage(ctx, p, f, req, total)
	l.TotalEstimated = estimated
	return l, err
}

// countedPage answers the first page of a search whose total is not known yet. On SQLite a search
// for q alone reads its page from the search index, which yields matches in creation order, and
// counts or estimates its total (orderedPage). Otherwise a search matching many creators of a large
// catalogue walks the newest creators until its page is full and estimates its total (walkedPage:
// PostgreSQL's searches, and SQLite's too short for the trigram index). Otherwise one pass over its
// matches (searchHits): the database gathers them from the search's indexes to count them anyway,
// so the same query sorts them and keeps the page's ids (a window count is taken before the LIMIT),
// where counting first and then fetching the page gathered every match twice. A search is typed
// afresh character by character, so its total is rarely reused; the ids are narrow to sort, and the
// page's rows are then read by primary key.
func (s *Service) countedPage(ctx context.Context, p actor.Actor, f Filter, req page.Request, c counting) (page.List[Creator], error) {
	all, _, err := s.totalAt(ctx, p.OrgID, Filter{Deleted: f.Deleted}, c.seq)
	if err != nil {
		return page.List[Creator]{}, err
	}
	ids, total, estimated, err := s.searchPage(ctx, p.OrgID, f, req.Fetch(), all)
	if err != nil {
		return page.List[Creator]{}, err
	}
	l, ok, err := s.listFound(ctx, p, f, req, ids, total)
	if err != nil {
		return page.List[Creator]{}, err
	}
	if !ok {
		// Deleted between the two reads: count and page again, the usual way.
		return s.recount(ctx, p, f, req)
	}
	s.keepTotal(c, total, estimated)
	l.TotalEstimated = estimated
	return l, nil
}

// searchPage is countedPage's search: the ids of the first fetch matches of f and their total,
// counted or estimated. all is the organization's number of creators (live, or in the bin).
func (s *Service) searchPage(ctx context.Context, orgID string, f Filter, fetch, all int64) ([]string, int64, bool, error) {
	if search, ok := s.ordered(f); ok {
		ids, total, estimated, err := s.orderedPage(ctx, orgID, search, fetch, f.walks(all))
		if !errors.Is(err, errUnordered) {
			return ids, total, estimated, err
		}
	}
	if f.walks(all) {
		ids, total, estimated, err := s.walkedPage(ctx, orgID, f, fetch, all)
		if err != nil || estimated {
			return ids, total, estimated, err
		}
	}
	hits, err := s.searchHits(ctx, orgID, f, fetch)
	if err != nil {
		return nil, 0, false, err
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	var total int64
	if len(hits) > 0 {
		total = hits[0].Total
	}
	return ids, total, false, nil
}

// searchHit is a creator of a search's first page, with the number of the search's matches.
type searchHit struct {
	ID    string `bun:"id"`
	Total int64  `bun:"total"`
}

// searchHits is the one pass of countedPage: the first fetch matches of f, in its order.
func (s *Service) searchHits(ctx context.Context, orgID string, f Filter, fetch int64) ([]searchHit, error) {
	var hits []searchHit
	h, indexed := f.indexedSearch()
	if indexed && f.searchAlone() {
		args := append(f.searchAloneArgs(s.sqlite, orgID, h), fetch)
		return hits, s.page.search[f.Deleted].Scan(ctx, s.db, &hits, args...)
	}
	var q *bun.SelectQuery
	ok := false
	if !s.sqlite {
		q, ok = f.searchMatches(s.db, orgID)
	}
	if !ok {
		q = f.apply(s.db.NewSelect().TableExpr("creators AS c").Column("c.id").ColumnExpr("count(*) OVER () AS total"), orgID)
	}
	q, err := f.order(q, nil)
	if err != nil {
		return nil, err
	}
	return hits, store.MapError(q.Limit(fetch).Scan(ctx, &hits))
}

// recount is List without the one-pass search page.
func (s *Service) recount(ctx context.Context, p actor.Actor, f Filter, req page.Request) (page.List[Creator], error) {
	total, err := s.total(ctx, p.OrgID, f)
	if err != nil {
		return page.List[Creator]{}, err
	}
	return s.listPage(ctx, p, f, req, total)
}

// narrows tells whether f has a condition on accounts, tags or the search, the ones apply shapes as
// sets or as a walk.
func (f Filter) narrows() bool { return len(f.Platforms) > 0 || len(f.Tags) > 0 || f.Q != "" }

// walkCheaper compares the two shapes of apply for a page of fetch rows out of all creators, total
// of which match: a walk passes over about fetch×all/total rows (an index probe or two each); sets
// fetch the creators of the narrowest set (a tag's, the search's), often several times total, probe
// them and sort the total that match. A walk is preferred up to four times total rows: from about
// 1,100 matches of 100,000 creators for a page of 50 (a walk of 4,500 rows at most), below which
// sorting the matches is the cheaper.
func walkCheaper(total, all, fetch int64) bool {
	return 4*total*total >= fetch*all
}

// pageQuery adds f, its order and the cursor after to q, a select of creators AS c. Newest first
// with a tag, the page walks the tag's creators alone: the tag's rows hold their creator's
// created_at and its index (creator_tags_key_idx) is in that order, so the rest of the filter is
// tested on the tag's creators newest first until the page is full (at most the tag's creators,
// where a walk of the catalogue passes over creators without the tag too, and sets gather and sort
// all the tag's matches; CROSS JOIN keeps SQLite's loops in that order). The bin (deleted
// creators, a few among the tag's) keeps the usual shapes.
func (f Filter) pageQuery(q *bun.SelectQuery, orgID string, after []string) (*bun.SelectQuery, error) {
	if f.Sort == SortCreated && len(f.Tags) > 0 && !f.Deleted {
		f.walk, f.byTag = true, true
		q = q.ModelTableExpr("creator_tags AS dt CROSS JOIN creators AS c")
	}
	return f.order(f.apply(q, orgID), after)
}

// listPage fetches one page without counting: the export walks every page and needs no total (a
// walk along the sort, which resumes where the page before stopped).
func (s *Service) listPage(ctx context.Context, p actor.Actor, f Filter, req page.Request, total int64) (page.List[Creator], error) {
	f, err := s.withMarks(ctx, p.OrgID, f)
	if err != nil {
		return page.List[Creator]{}, err
	}
	var rows []Creator
	q, err := f.pageQuery(s.db.NewSelect().Model(&rows), p.OrgID, req.After)
	if err != nil {
		return page.List[Creator]{}, err
	}
	if err := q.Limit(req.Fetch()).Scan(ctx); err != nil {
		return page.List[Creator]{}, store.MapError(err)
	}
	l := page.Finish(rows, req, total, f.cursorKey)
	if err := s.hydrate(ctx, p.OrgID, l.Items); err != nil {
		return page.List[Creator]{}, err
	}
	return l, nil
}
