package creator

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// sqlitePlan returns the EXPLAIN QUERY PLAN lines of the query of f's first page.
func sqlitePlan(t *testing.T, db *bun.DB, f Filter) []string {
	t.Helper()
	sel, err := f.pageQuery(db.NewSelect().Model((*Creator)(nil)), store.NewID(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return explainSQLite(t, db, sel.Limit(51).String())
}

// explainSQLite returns the detail lines of SQLite's EXPLAIN QUERY PLAN of query, run with args.
func explainSQLite(t *testing.T, db *bun.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.DB.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// A filtered page walks the sort's index and probes each creator's tags and accounts until the page
// is full: 400 to 1,300 creators for a tag + platform filter matching a few percent of them. Reading
// each creator's row (to see whether it is deleted) and its accounts' rows (to see their platforms)
// was most of a filtered page's time (list_filtered in caravan bench: 8 ms of walk on 20,000
// creators, 2 ms from indexes alone). So, whatever the sort and without statistics (a connection
// opened before the first ANALYZE): the walk goes down the sort's index, which also answers
// deleted_at, and each probe is answered by an index alone; a creator's row is read only once it
// matches.
func TestAFilteredWalkReadsIndexesOnlyUntilACreatorMatches(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	indexCols := func(name string) []string {
		var cols []string
		rows, err := db.QueryContext(ctx, "SELECT name FROM pragma_index_info(?) ORDER BY seqno", name)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			cols = append(cols, c)
		}
		return cols
	}
	walkIdx := regexp.MustCompile(`^SEARCH c USING INDEX (\w+) `)
	// (Newest first, a tag walks its own index instead: TestATagsPageNewestFirstWalksTheTagsIndex.)
	for _, query := range []string{"tag=lighting&platform=youtube&deleted=true", "tag=boho&tag=diy&platform=tiktok,rednote&sort=name",
		"tag=ceramics&platform=rednote&sort=name", "tag=boho&platform=tiktok&sort=-followers", "tag=boho&platform=x&sort=-gmv_90d",
		"platform=youtube", "platform=rednote&status=active", "tag=ceramics&status=active&deleted=true"} {
		v, _ := url.ParseQuery(query)
		f, err := ParseFilter(v)
		if err != nil {
			t.Fatal(err)
		}
		f.walk = true
		plan := sqlitePlan(t, db, f)
		all := strings.Join(plan, "\n")
		if strings.Contains(all, "TEMP B-TREE") {
			t.Errorf("%s: the walk sorts instead of following the sort's index:\n%s", query, all)
		}
		var walked string
		for _, l := range plan {
			if m := walkIdx.FindStringSubmatch(l); m != nil {
				walked = m[1]
			}
			if strings.HasPrefix(l, "SEARCH pa ") && !strings.Contains(l, "USING COVERING INDEX creator_accounts_creator_idx (creator_id=?") {
				t.Errorf("%s: the platform probe reads the accounts' rows: %s", query, l)
			}
			if strings.HasPrefix(l, "SEARCH ct ") && !strings.Contains(l, "USING COVERING INDEX creator_tags_key_key (creator_id=? AND tag_key=?)") {
				t.Errorf("%s: the tag probe reads the tags' rows: %s", query, l)
			}
		}
		if walked == "" {
			t.Errorf("%s: no walk down an index of creators:\n%s", query, all)
			continue
		}
		if cols := indexCols(walked); !slices.Contains(cols, "deleted_at") {
			t.Errorf("%s: the walk's index %s %v does not tell a deleted creator: every creator walked is read", query, walked, cols)
		}
	}
}

// Newest first, a tag filter (SQLite, with statistics or without) walks the tag's index, whose rows
// carry their creator's created_at, in the list's order: no sort, no creator passed over for lacking
// the tag. Each of the tag's creators is probed from indexes alone (its other tags, its platforms)
// before its row is read by key. Before, the walk went down creators_created_idx: for a tag +
// platform matching 4 % of 20,000 creators, 1,300 creators and 2,600 probes for a page of 50
// (caravan bench, list_filtered).
func TestATagsPageNewestFirstWalksTheTagsIndex(t *testing.T) {
	db := storetest.SQLite(t)
	for _, analyzed := range []bool{false, true} {
		if analyzed {
			if _, err := db.ExecContext(context.Background(), "ANALYZE"); err != nil {
				t.Fatal(err)
			}
		}
		for _, query := range []string{"tag=lighting", "tag=lighting&platform=youtube", "tag=boho&tag=diy&platform=tiktok,rednote",
			"tag=ceramics&status=active&country=US", "tag=boho&q=ann", "tag=boho&q=an&min_followers=1000"} {
			v, _ := url.ParseQuery(query)
			f, err := ParseFilter(v)
			if err != nil {
				t.Fatal(err)
			}
			plan := sqlitePlan(t, db, f)
			all := strings.Join(plan, "\n")
			if !strings.HasPrefix(all, "SEARCH dt USING COVERING INDEX creator_tags_key_idx (org_id=? AND tag_key=?)") ||
				strings.Contains(all, "TEMP B-TREE") {
				t.Errorf("%s (analyzed: %v): the page does not walk the tag's index:\n%s", query, analyzed, all)
				continue
			}
			for _, l := range plan {
				switch {
				case strings.HasPrefix(l, "SEARCH c ") && !strings.HasSuffix(l, " (id=?)") && !strings.HasSuffix(l, " (org_id=? AND id=?)"):
					t.Errorf("%s: a creator is not read by its key: %s", query, l)
				case strings.HasPrefix(l, "SEARCH pa ") && !strings.Contains(l, "USING COVERING INDEX creator_accounts_creator_idx (creator_id=?"):
					t.Errorf("%s: the platform probe reads the accounts' rows: %s", query, l)
				case strings.HasPrefix(l, "SEARCH ct ") && !strings.Contains(l, "USING COVERING INDEX creator_tags_key_key (creator_id=? AND tag_key=?)"):
					t.Errorf("%s: the tag probe reads the tags' rows: %s", query, l)
				}
			}
		}
	}
}

// A walk probes the tags (one index entry each) before the platform: a tag is usually the rarer
// condition, and SQLite runs the probes in the order they are written once it has statistics.
func TestAWalkProbesTagsBeforeThePlatform(t *testing.T) {
	db := storetest.SQLite(t)
	v, _ := url.ParseQuery("tag=lighting&platform=youtube")
	f, err := ParseFilter(v)
	if err != nil {
		t.Fatal(err)
	}
	f.walk = true
	sql := f.apply(db.NewSelect().Model((*Creator)(nil)), store.NewID()).String()
	tag, plat := strings.Index(sql, "FROM creator_tags AS ct"), strings.Index(sql, "FROM creator_accounts AS pa")
	if tag < 0 || plat < 0 || tag > plat {
		t.Errorf("the tag probe must come first:\n%s", sql)
	}
}

// The search's trigram indexes (PostgreSQL) keep a short pending list: GIN appends new entries to
// a list every search reads in full until VACUUM or autoanalyze merges it, and after a bulk load on a
// server without autovacuum that list held 430 pages (a search that takes 0.2 ms took 5.7 ms).
func TestTheSearchsTrigramIndexesKeepAShortPendingList(t *testing.T) {
	db := storetest.Postgres(t)
	for _, idx := range []string{"creators_name_trgm_idx", "creators_email_trgm_idx"} {
		var opts string
		if err := db.NewRaw("SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class WHERE oid = to_regclass(?)", idx).Scan(context.Background(), &opts); err != nil {
			t.Fatalf("%s: %v", idx, err)
		}
		if !slices.Contains(strings.Split(opts, ","), "gin_pending_list_limit=64") {
			t.Errorf("%s: options %v, want gin_pending_list_limit=64", idx, opts)
		}
	}
}

// A list page reads its creators' tags from an index alone (SQLite): the tags' rows hold nothing
// the page shows that the (creator_id, org_id, tag) index does not.
func TestAPageReadsItsTagsFromAnIndexAlone(t *testing.T) {
	db := storetest.SQLite(t)
	s := NewService(db, nil, nil)
	plan := explainSQLite(t, db, s.page.tags.SQL(db), `["a","b"]`, store.NewID())
	if all := strings.Join(plan, "\n"); !strings.Contains(all, "USING COVERING INDEX creator_tags_creator_idx") {
		t.Errorf("the page's tags are read from their rows:\n%s\n%s", s.page.tags.SQL(db), all)
	}
}
