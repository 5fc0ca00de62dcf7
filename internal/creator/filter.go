package creator

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

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

// apply adds the filter's conditions to a query on creators AS c. Conditions on accounts and tags
// are IN subqueries on their indexes, not joins, so a creator is never counted twice.
func (f Filter) apply(q *bun.SelectQuery, orgID string) *bun.SelectQuery {
	q = q.Where("c.org_id = ?", orgID)
	if f.Deleted {
		q = q.Where("c.deleted_at IS NOT NULL")
	} else {
		q = q.Where("c.deleted_at IS NULL")
	}
	if f.Q != "" {
		like := "%" + likeEscaper.Replace(strings.ToLower(f.Q)) + "%"
		_, h := platform.NormalizeHandle(f.Q)
		if h == "" {
			h = strings.ToLower(f.Q)
		}
		// handle >= h AND handle < h+U+10FFFF is a prefix match that uses the (org_id, handle) index on
		// both dialects (both compare these columns by code point).
		byHandle := "c.id IN (SELECT creator_id FROM creator_accounts WHERE org_id = ? AND handle >= ? AND handle < ?)"
		if strings.HasPrefix(f.Q, "@") || strings.Contains(f.Q, "/") {
			// "@name" or a pasted profile URL can only be a handle: an index range, no scan of names.
			q = q.Where(byHandle, orgID, h, h+"\U0010FFFF")
		} else {
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
	if len(f.Platforms) > 0 {
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
	if len(f.Tags) > 0 {
		// Every tag must match, whatever its case: one grouped lookup on the (org_id, tag_key) index,
		// whatever their number.
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
func (f Filter) order(q *bun.SelectQuery, after []string) (*bun.SelectQuery, error) {
	if len(after) != 0 && len(after) != 2 {
		return nil, badParam("cursor is not one this server issued")
	}
	switch f.Sort {
	case SortName:
		if after != nil {
			q = q.Where("(c.name_key > ? OR (c.name_key = ? AND c.id > ?))", after[0], after[0], after[1])
		}
		return q.Order("c.name_key", "c.id"), nil
	case SortCreated:
		if after != nil {
			t, err := time.Parse(time.RFC3339Nano, after[0])
			if err != nil {
				return nil, badParam("cursor is not one this server issued")
			}
			q = q.Where("(c.created_at < ? OR (c.created_at = ? AND c.id < ?))", t, t, after[1])
		}
		return q.OrderExpr("c.created_at DESC, c.id DESC"), nil
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
		q = q.Where("("+col+" < ? OR ("+col+" = ? AND c.id < ?))", n, n, after[1])
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
	total, err := f.apply(s.db.NewSelect().Model((*Creator)(nil)), p.OrgID).Count(ctx)
	if err != nil {
		return page.List[Creator]{}, store.MapError(err)
	}
	return s.listPage(ctx, p, f, req, int64(total))
}

// listPage fetches one page without counting: the export walks every page and needs no total.
func (s *Service) listPage(ctx context.Context, p actor.Actor, f Filter, req page.Request, total int64) (page.List[Creator], error) {
	f, err := s.withMarks(ctx, p.OrgID, f)
	if err != nil {
		return page.List[Creator]{}, err
	}
	var rows []Creator
	q, err := f.order(f.apply(s.db.NewSelect().Model(&rows), p.OrgID), req.After)
	if err != nil {
		return page.List[Creator]{}, err
	}
	if err := q.Limit(req.Fetch()).Scan(ctx); err != nil {
		return page.List[Creator]{}, store.MapError(err)
	}
	l := page.Finish(rows, req, total, f.cursorKey)
	if err := s.hydrate(ctx, s.db, p.OrgID, l.Items); err != nil {
		return page.List[Creator]{}, err
	}
	return l, nil
}
