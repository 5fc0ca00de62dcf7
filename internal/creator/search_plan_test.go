package creator_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// sqlLog keeps the SQL of the queries keep picks; without keep, of the list's one-pass search query.
type sqlLog struct {
	keep func(query string) bool
	mu   sync.Mutex
	qs   []string
}

func (l *sqlLog) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (l *sqlLog) AfterQuery(_ context.Context, ev *bun.QueryEvent) {
	if l.keep == nil && strings.Contains(ev.Query, "count(*) OVER ()") || l.keep != nil && l.keep(ev.Query) {
		l.mu.Lock()
		l.qs = append(l.qs, ev.Query)
		l.mu.Unlock()
	}
}

// The first page of a search (PostgreSQL) reads the creators its trigram indexes find, not every
// creator of the organization. Asked as "c.id IN (name matches, e-mail matches, handle matches)",
// the planner cannot tell how many the set holds (it assumes 200), and for a common three letters
// joined it to a scan of every creator: on 20,000 creators, a 1,000-match search took 15 to 20 ms,
// 4 to 7 ms when each part reads its own matches (caravan bench, list_search_name_postgres). The
// answer is the same either way (TestSearchFirstPageAnswersTheSameCountedInOnePassOrFromTheKnownTotal).
func TestASearchsFirstPageReadsOnlyTheCreatorsItsIndexesFind(t *testing.T) {
	db, e, owner := jacksons(t)
	ctx := context.Background()
	log := &sqlLog{}
	db.AddQueryHook(log)
	// Each with a filter of its own: a total counted before is reused, and the page walks instead.
	// q alone is a prepared query, run through database/sql with its parameters.
	for _, extra := range []string{"", "&deleted=true", "&status=active&sort=name", "&country=US&sort=-followers", "&min_followers=0&sort=-gmv_90d"} {
		log.qs = nil
		page := call(t, e, owner, "GET", "/api/v1/creators?q=cks"+extra, nil, http.StatusOK)
		want := 1000
		if extra == "&deleted=true" {
			want = 0
		}
		if page["total"] != float64(want) {
			t.Fatalf("%s: total %v, want %d", extra, page["total"], want)
		}
		var plan []string
		switch alone := extra == "" || extra == "&deleted=true"; {
		case alone && len(log.qs) != 0:
			t.Fatalf("%s: q alone went through the query builder, not the prepared query", extra)
		case alone:
			rows, err := db.DB.QueryContext(ctx, "EXPLAIN "+creator.SearchAloneSQL(db, extra != ""),
				owner.OrgID, "%cks%", "%cks%", owner.OrgID, "cks", "cks\U0010FFFF", 51)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.ScanRows(ctx, rows, &plan); err != nil {
				t.Fatal(err)
			}
		case len(log.qs) != 1:
			t.Fatalf("%s: %d one-pass queries", extra, len(log.qs))
		default:
			if err := db.NewRaw("EXPLAIN "+log.qs[0]).Scan(ctx, &plan); err != nil {
				t.Fatal(err)
			}
		}
		all := strings.Join(plan, "\n")
		if regexp.MustCompile(`Seq Scan on creators\b`).MatchString(all) {
			t.Errorf("q=cks%s reads every creator:\n%s", extra, all)
		}
		// The bin, a few creators, is read from the index of deleted creators instead.
		if extra != "&deleted=true" && !strings.Contains(all, "creators_name_trgm_idx") {
			t.Errorf("q=cks%s does not find names through their trigrams:\n%s", extra, all)
		}
		// Each creator found is read once, whether its name, its e-mail or a handle matched: as a UNION
		// of the three, a creator matching by all three was read three times.
		if extra != "&deleted=true" && strings.Count(all, "Heap Scan on creators") != 1 {
			t.Errorf("q=cks%s reads the creators it finds in more than one scan:\n%s", extra, all)
		}
	}
}

// A search with a space in it (PostgreSQL) is looked up by the trigrams across the space. pg_trgm
// takes trigrams within words: "n 1" gave it the start of a word "1" alone, and it rechecked every
// name with a word starting with 1 (about 10,500 of these 20,000) for 555 matches. The trigram
// indexes hold the values with spaces swapped for a letter, so "nǂ1" is a trigram of its own; the
// answer is the same (and a q spelling that letter finds only what it spells).
func TestASearchWithASpaceIsLookedUpAcrossTheSpace(t *testing.T) {
	db, e, owner := jacksons(t)
	ctx := context.Background()
	newCreator(t, e, owner, obj{"display_name": "Nǂ1 Click", "country": "NA"})
	for q, want := range map[string]float64{"n 1": 555, "nǂ1": 1, "k n": 0} {
		page := call(t, e, owner, "GET", "/api/v1/creators?q="+url.QueryEscape(q), nil, http.StatusOK)
		if page["total"] != want || page["total_estimated"] == true {
			t.Fatalf("q=%q: total %v (estimated %v), want %v", q, page["total"], page["total_estimated"], want)
		}
	}
	var plan []string
	rows, err := db.DB.QueryContext(ctx, "EXPLAIN (ANALYZE, TIMING OFF) "+creator.SearchAloneSQL(db, false),
		owner.OrgID, "%n 1%", "%n 1%", owner.OrgID, "n 1", "n 1\U0010FFFF", 51)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ScanRows(ctx, rows, &plan); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(plan, "\n")
	if !strings.Contains(all, "creators_name_trgm_idx") {
		t.Fatalf("q=n 1 does not find names through their trigrams:\n%s", all)
	}
	rechecked := 0
	for _, m := range regexp.MustCompile(`Rows Removed by Index Recheck: (\d+)`).FindAllStringSubmatch(all, -1) {
		n, _ := strconv.Atoi(m[1])
		rechecked += n
	}
	if rechecked > 100 {
		t.Errorf("q=n 1: %d creators rechecked and turned away for 555 matches:\n%s", rechecked, all)
	}
}

// jacksons is a PostgreSQL organization of 20,000 creators, one in twenty a "Jackson", with statistics.
func jacksons(t *testing.T) (*bun.DB, *apitest.Env, apitest.User) {
	t.Helper()
	db := storetest.Postgres(t)
	ctx := context.Background()
	e := apitest.New(t, db)
	owner := e.Setup("Ningbo Export", "li@example.com")
	if _, err := db.ExecContext(ctx, `INSERT INTO creators (id, org_id, display_name, name_key, country, status, created_at, updated_at)
		SELECT gen_random_uuid()::text, ?, n, lower(n), 'US', 'active', now() - i * interval '1 minute', now()
		FROM (SELECT i, CASE WHEN i % 20 = 0 THEN 'Jackson ' ELSE 'Creator ' END || i AS n FROM generate_series(1, 20000) AS i) AS g`,
		owner.OrgID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "ANALYZE creators, creator_accounts"); err != nil {
		t.Fatal(err)
	}
	return db, e, owner
}

// The next pages of a search (PostgreSQL), and its first page once its total is known, walk the
// sort's index and test each creator they pass over (name, e-mail, the set of handles starting with
// q), or look a few matches up by primary key: they never read every creator, and a walk never
// gathers every match first ("har", 7,074 of 100,000 creators: 16,030 ids hashed, 28 of its 36 ms).
// As "c.id IN (the matches)" the planner, which cannot tell how many the set holds, joined it to a
// scan of every creator of the organization and sorted the matches: page 2 of a 1,000-match search
// of 20,000 creators took 20 ms (caravan bench data).
func TestASearchsNextPagesReadOnlyTheCreatorsTheyShow(t *testing.T) {
	db, e, owner := jacksons(t)
	ctx := context.Background()
	// The page queries of the search: not the one-pass first page.
	log := &sqlLog{keep: func(q string) bool {
		return (strings.Contains(q, "LIKE translate(") || strings.Contains(q, "strpos(")) && strings.Contains(q, "LIMIT") && !strings.Contains(q, "count(*)")
	}}
	db.AddQueryHook(log)
	for _, c := range []struct{ q, sort string }{{"cks", ""}, {"cks", "&sort=name"}, {"jackson 1", ""}, {"jackson 19", "&sort=-followers"}} {
		first := call(t, e, owner, "GET", "/api/v1/creators?q="+url.QueryEscape(c.q)+c.sort, nil, http.StatusOK)
		cursor, _ := first["next_cursor"].(string)
		if cursor == "" {
			t.Fatalf("q=%s: one page of %v", c.q, first["total"])
		}
		log.qs = nil
		second := call(t, e, owner, "GET", "/api/v1/creators?q="+url.QueryEscape(c.q)+c.sort+"&cursor="+url.QueryEscape(cursor), nil, http.StatusOK)
		again := call(t, e, owner, "GET", "/api/v1/creators?q="+url.QueryEscape(c.q)+c.sort, nil, http.StatusOK)
		if second["total"] != first["total"] || again["total"] != first["total"] || len(again["items"].([]any)) != len(first["items"].([]any)) {
			t.Fatalf("q=%s: totals %v, %v, %v", c.q, first["total"], second["total"], again["total"])
		}
		if len(log.qs) != 2 {
			t.Fatalf("q=%s: %d page queries", c.q, len(log.qs))
		}
		for _, q := range log.qs {
			var plan []string
			if err := db.NewRaw("EXPLAIN "+q).Scan(ctx, &plan); err != nil {
				t.Fatal(err)
			}
			all := strings.Join(plan, "\n")
			if regexp.MustCompile(`Seq Scan on creators c\b`).MatchString(all) {
				t.Errorf("q=%s%s reads every creator:\n%s", c.q, c.sort, all)
			}
			// "cks" matches 1,000 of 20,000: its pages walk the sort, testing each creator passed over
			// (its name, its e-mail, the set of handles starting with q), never every match first.
			if c.q == "cks" && strings.Contains(all, "_trgm_idx") {
				t.Errorf("q=%s%s gathers every match to walk its page:\n%s", c.q, c.sort, all)
			}
		}
	}
}

// The first page of a search in the default order (SQLite) counts and orders its matches from the
// search index's rows, which hold each creator's created_at and deleted_at: looking every match up
// in creators by its text id was most of a common search's time (1,300 matches of 20,000 creators:
// 11 ms, 3.5 ms without). Only the page's creators are then read. The query is prepared (a term
// typed afresh was a new SQL text to parse and plan): the query builder's one pass is left to
// searches with other conditions.
func TestASearchsFirstPageCountsItsMatchesWithoutReadingCreators(t *testing.T) {
	db := storetest.SQLite(t)
	e := apitest.New(t, db)
	owner := e.Setup("Ningbo Export", "li@example.com")
	var ids []string
	for _, name := range []string{"Olivia Jackson", "Jackie Chan", "Mia Jackson"} {
		c := newCreator(t, e, owner, obj{"display_name": name, "country": "US",
			"accounts": []obj{{"platform": "tiktok", "handle": strings.ReplaceAll(strings.ToLower(name), " ", "")}}})
		ids = append(ids, c["id"].(string))
	}
	call(t, e, owner, "DELETE", "/api/v1/creators/"+ids[1], nil, http.StatusNoContent)
	log := &sqlLog{}
	db.AddQueryHook(log)
	for _, c := range []struct {
		query   string
		deleted bool
		total   float64
	}{{"q=jack", false, 2}, {"q=jack&deleted=true", true, 1}} {
		log.qs = nil
		page := call(t, e, owner, "GET", "/api/v1/creators?"+c.query, nil, http.StatusOK)
		if page["total"] != c.total || len(page["items"].([]any)) != int(c.total) {
			t.Fatalf("%s: total %v, %d items; want %v", c.query, page["total"], len(page["items"].([]any)), c.total)
		}
		if len(log.qs) != 0 {
			t.Fatalf("%s: the one pass went through the query builder, not the prepared query:\n%s", c.query, log.qs[0])
		}
		plan := creator.ExplainSQLite(t, db, creator.SearchAloneSQL(db, c.deleted),
			`"jack"`, owner.OrgID, owner.OrgID, "jack", "jack\U0010FFFF", owner.OrgID, 51)
		all := strings.Join(plan, "\n")
		if regexp.MustCompile(`autoindex_creators_|\bcreators_\w+_idx`).MatchString(all) {
			t.Errorf("%s reads creators to count its matches:\n%s", c.query, all)
		}
		if !strings.Contains(all, "VIRTUAL TABLE INDEX") || !strings.Contains(all, "creator_accounts_search_idx") {
			t.Errorf("%s does not match names through the search index and handles through theirs:\n%s", c.query, all)
		}
		// The matches are sorted once, for the page: as a UNION of the name and handle matches each
		// part was sorted to be merged first.
		if n := strings.Count(all, "USE TEMP B-TREE"); n != 1 {
			t.Errorf("%s sorts %d times, want once:\n%s", c.query, n, all)
		}
	}
	// With another condition the query builder's one pass answers.
	log.qs = nil
	if page := call(t, e, owner, "GET", "/api/v1/creators?q=jack&status=prospect", nil, http.StatusOK); page["total"] != float64(2) {
		t.Fatalf("q=jack&status=prospect: total %v", page["total"])
	}
	if len(log.qs) != 1 {
		t.Fatalf("q=jack&status=prospect: %d one-pass queries", len(log.qs))
	}
}

// The same search asked again (SQLite), its total known, reads its first page from the search
// index newest first, as its first asking did, without the count: it walked the list instead,
// testing each creator against the set of every match gathered first (on the bench's 100,000
// creators, the second asking's median 7.7–10.9 ms, 3.9–4.4 ms from the index). Next pages walk.
func TestASearchAskedAgainReadsItsPageFromTheSearchIndex(t *testing.T) {
	db := storetest.SQLite(t)
	e := apitest.New(t, db)
	owner := e.Setup("Ningbo Export", "li@example.com")
	for i := range 7 {
		newCreator(t, e, owner, obj{"display_name": []string{"Olivia Jackson", "Jackie Chan", "Mia Stone"}[i%3] + " " + strconv.Itoa(i), "country": "US",
			"accounts": []obj{{"platform": "tiktok", "handle": []string{"liv", "jackiec", "jackmia"}[i%3] + strconv.Itoa(i)}}})
	}
	// The query builder's page queries of the search (the prepared ones are not seen here).
	log := &sqlLog{keep: func(q string) bool { return strings.Contains(q, "creator_search") }}
	db.AddQueryHook(log)
	for _, limit := range []string{"", "&limit=3"} {
		path := "/api/v1/creators?q=jack" + limit
		first := call(t, e, owner, "GET", path, nil, http.StatusOK)
		log.qs = nil
		again := call(t, e, owner, "GET", path, nil, http.StatusOK)
		if first["total"] != float64(7) || again["total"] != first["total"] || !slices.Equal(ids(items(again)), ids(items(first))) ||
			again["next_cursor"] != first["next_cursor"] {
			t.Fatalf("%s: first asked %v %v (next %v), again %v %v (next %v)", path, first["total"], names(items(first)), first["next_cursor"],
				again["total"], names(items(again)), again["next_cursor"])
		}
		if len(log.qs) != 0 {
			t.Errorf("%s asked again walked the list:\n%s", path, strings.Join(log.qs, "\n"))
		}
	}
}
