package creator_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// tagged seeds an organization of creators for the tag filter: some created one by one (each its own
// created_at), some imported together (one created_at for the whole file, so ties are broken by id),
// tags in two spellings, several platforms, two creators deleted; and another organization with the
// same tags, which must never show.
func tagged(t *testing.T, db *bun.DB) (*apitest.Env, apitest.User) {
	t.Helper()
	e := apitest.New(t, db)
	owner := e.Setup("Ningbo Export", "li@example.com")
	plats := []string{"tiktok", "youtube", "instagram", "rednote"}
	tagsOf := func(i int) []string {
		var tags []string
		if i%2 == 0 {
			tags = append(tags, []string{"Lighting", "lighting"}[i%4/2])
		}
		if i%3 == 0 {
			tags = append(tags, "boho")
		}
		return tags
	}
	var deleted []string
	for i := range 24 {
		c := newCreator(t, e, owner, obj{"display_name": fmt.Sprintf("Creator %02d", i), "country": []string{"US", "GB", "DE"}[i%3],
			"tags": tagsOf(i), "status": []string{"active", "prospect"}[i%5/4],
			"accounts": []obj{{"platform": plats[i%4], "handle": fmt.Sprintf("one%02d", i)}}})
		if i == 6 || i == 9 {
			deleted = append(deleted, c["id"].(string))
		}
	}
	rows := [][]string{{"Display Name", "Country", "Platform", "Handle", "Tags"}}
	for i := range 16 {
		rows = append(rows, []string{fmt.Sprintf("Imported %02d", i), "US", plats[i%3], fmt.Sprintf("file%02d", i), strings.Join(tagsOf(i), ",")})
	}
	if res := upload(t, e, owner, "", "creators.csv", csvFile(t, false, rows...), http.StatusOK); res["created"].(float64) != 16 {
		t.Fatalf("import = %v", res)
	}
	for _, id := range deleted {
		call(t, e, owner, "DELETE", "/api/v1/creators/"+id, nil, http.StatusNoContent)
	}
	other := e.NewOrg("Other", "other@example.com")
	for i := range 6 {
		newCreator(t, e, other, obj{"display_name": fmt.Sprintf("Theirs %d", i), "country": "US", "tags": []string{"lighting", "boho"},
			"accounts": []obj{{"platform": "youtube", "handle": fmt.Sprintf("theirs%d", i)}}})
	}
	return e, owner
}

// A tag filter newest first (the default order) walks the tag's own index (its rows carry their
// creator's created_at): whatever the rest of the filter and the page size, its pages are exactly
// the organization's live creators with the tag, in the order of the unfiltered list, with ties of
// one import broken by id, and the total counts them all.
func TestATagsPagesNewestFirstAreTheUnfilteredListsCreatorsWithTheTag(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e, owner := tagged(t, db)
		all := items(call(t, e, owner, "GET", "/api/v1/creators?limit=200", nil, http.StatusOK))
		if len(all) != 38 {
			t.Fatalf("%d live creators, want 38", len(all))
		}
		hasTag := func(c obj, tag string) bool {
			return slices.ContainsFunc(toStrings(c["tags"]), func(t string) bool { return strings.EqualFold(t, tag) })
		}
		onPlatform := func(c obj, plats ...string) bool {
			return slices.ContainsFunc(accounts(c), func(a obj) bool { return slices.Contains(plats, a["platform"].(string)) })
		}
		for _, c := range []struct {
			query string
			keep  func(c obj) bool
		}{
			{"tag=lighting", func(c obj) bool { return hasTag(c, "lighting") }},
			{"tag=LIGHTING&platform=youtube", func(c obj) bool { return hasTag(c, "lighting") && onPlatform(c, "youtube") }},
			{"tag=boho&platform=tiktok,rednote", func(c obj) bool { return hasTag(c, "boho") && onPlatform(c, "tiktok", "rednote") }},
			{"tag=lighting&tag=boho", func(c obj) bool { return hasTag(c, "lighting") && hasTag(c, "boho") }},
			{"tag=boho&status=prospect", func(c obj) bool { return hasTag(c, "boho") && c["status"] == "prospect" }},
			{"tag=lighting&country=GB", func(c obj) bool { return hasTag(c, "lighting") && c["country"] == "GB" }},
			{"tag=lighting&q=imported", func(c obj) bool {
				return hasTag(c, "lighting") && strings.HasPrefix(c["display_name"].(string), "Imported")
			}},
			{"tag=lighting&q=@file", func(c obj) bool {
				return hasTag(c, "lighting") && strings.HasPrefix(c["display_name"].(string), "Imported")
			}},
		} {
			var want []string
			for _, cr := range all {
				if c.keep(cr) {
					want = append(want, cr["display_name"].(string))
				}
			}
			if len(want) < 2 {
				t.Fatalf("%s: %d creators: the seed does not exercise it", c.query, len(want))
			}
			for _, limit := range []int{3, 50} {
				var got []string
				cursor := ""
				for pages := 0; ; pages++ {
					if pages > 20 {
						t.Fatalf("%s: the pages never end", c.query)
					}
					path := "/api/v1/creators?" + c.query + "&limit=" + strconv.Itoa(limit)
					if cursor != "" {
						path += "&cursor=" + url.QueryEscape(cursor)
					}
					l := call(t, e, owner, "GET", path, nil, http.StatusOK)
					if l["total"] != float64(len(want)) {
						t.Errorf("%s (limit %d): total %v, want %d", c.query, limit, l["total"], len(want))
					}
					for _, cr := range items(l) {
						got = append(got, cr["display_name"].(string))
					}
					next, _ := l["next_cursor"].(string)
					if next == "" {
						break
					}
					cursor = next
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s (limit %d):\n got %v\nwant %v", c.query, limit, got, want)
				}
			}
		}
		// The bin with a tag lists the deleted creators with it (the usual walk).
		bin := items(call(t, e, owner, "GET", "/api/v1/creators?tag=boho&deleted=true", nil, http.StatusOK))
		if len(bin) != 2 || bin[0]["display_name"] != "Creator 09" || bin[1]["display_name"] != "Creator 06" {
			t.Errorf("the bin with tag boho = %v", bin)
		}
	})
}

// Every tag row carries its creator's created_at, whoever wrote it: a creator made, its tags
// changed, an import that creates creators and one that adds tags to a creator it finds, an erasure.
// A tag row with another time would put its creator out of place in the tag's pages.
func TestTagRowsCarryTheirCreatorsCreatedAt(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		a := newCreator(t, e, owner, obj{"display_name": "Ann", "country": "US", "tags": []string{"vip"},
			"accounts": []obj{{"platform": "tiktok", "handle": "ann"}}})
		b := newCreator(t, e, owner, obj{"display_name": "Bea", "country": "US", "tags": []string{"boho", "vip"}})
		call(t, e, owner, "PATCH", "/api/v1/creators/"+a["id"].(string), obj{"tags": []string{"vip", "lighting"}}, http.StatusOK)
		upload(t, e, owner, "", "creators.csv", csvFile(t, false,
			[]string{"Display Name", "Country", "Platform", "Handle", "Tags"},
			[]string{"Ann", "US", "tiktok", "ann", "ceramics"},
			[]string{"Cai", "US", "youtube", "cai", "boho,lighting"}), http.StatusOK)
		call(t, e, owner, "POST", "/api/v1/creators/"+b["id"].(string)+"/erase", obj{"confirm": true}, http.StatusNoContent)
		var rows, wrong int
		if err := db.NewRaw(`SELECT count(*), count(CASE WHEN t.created_at = c.created_at THEN NULL ELSE 1 END)
			FROM creator_tags AS t JOIN creators AS c ON c.org_id = t.org_id AND c.id = t.creator_id`).
			Scan(context.Background(), &rows, &wrong); err != nil {
			t.Fatal(err)
		}
		if rows != 5 || wrong != 0 {
			t.Errorf("%d tag rows (want 5: Ann's vip, lighting, ceramics; Cai's two), %d without their creator's created_at", rows, wrong)
		}
	})
}

// A tag filter newest first (PostgreSQL, with statistics) reads the tag's index backwards and stops
// once the page is full: for a platform held by a third of the tag's creators, about three tag
// entries a creator shown. Before, it walked every creator newest first and probed its tags (ten
// creators passed over for each with the tag), or gathered and sorted all the tag's matches.
func TestATagsPageNewestFirstReadsTheTagsIndexUntilThePageIsFull(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	e := apitest.New(t, db)
	owner := e.Setup("Ningbo Export", "li@example.com")
	for _, q := range []string{
		`INSERT INTO creators (id, org_id, display_name, name_key, country, status, created_at, updated_at)
		SELECT 'c' || lpad(i::text, 6, '0'), ?, 'Creator ' || i, 'creator ' || i, 'US', 'active', now() - i * interval '1 minute', now()
		FROM generate_series(1, 20000) AS i`,
		`INSERT INTO creator_tags (org_id, creator_id, tag, tag_key, created_at)
		SELECT org_id, id, 'lighting', 'lighting', created_at FROM creators WHERE org_id = ? AND substr(id, 2)::int % 10 = 0`,
		`INSERT INTO creator_accounts (id, org_id, creator_id, platform, handle, handle_key, followers, status, version, created_at, updated_at)
		SELECT 'a' || substr(id, 2), org_id, id, CASE WHEN substr(id, 2)::int % 3 = 0 THEN 'youtube' ELSE 'tiktok' END,
			'h' || substr(id, 2), 'h' || substr(id, 2), 1000, 'active', 1, created_at, created_at
		FROM creators WHERE org_id = ?`,
		// Most creators have more than one account, as in a real catalogue.
		`INSERT INTO creator_accounts (id, org_id, creator_id, platform, handle, handle_key, followers, status, version, created_at, updated_at)
		SELECT 'b' || substr(id, 2), org_id, id, CASE WHEN substr(id, 2)::int % 2 = 0 THEN 'instagram' ELSE 'x' END,
			'i' || substr(id, 2), 'i' || substr(id, 2), 500, 'active', 1, created_at, created_at
		FROM creators WHERE org_id = ? AND substr(id, 2)::int % 5 <> 0`,
	} {
		if _, err := db.ExecContext(ctx, q, owner.OrgID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, "ANALYZE creators, creator_accounts, creator_tags"); err != nil {
		t.Fatal(err)
	}
	log := &sqlLog{keep: func(q string) bool { return strings.Contains(q, "creator_tags AS dt") }}
	db.AddQueryHook(log)
	first := call(t, e, owner, "GET", "/api/v1/creators?tag=lighting&platform=youtube&limit=50", nil, http.StatusOK)
	if first["total"] != float64(666) || len(items(first)) != 50 || items(first)[0]["display_name"] != "Creator 30" {
		t.Fatalf("total %v, %d items", first["total"], len(items(first)))
	}
	call(t, e, owner, "GET", "/api/v1/creators?tag=lighting&platform=youtube&limit=50&cursor="+url.QueryEscape(first["next_cursor"].(string)), nil, http.StatusOK)
	if len(log.qs) != 2 {
		t.Fatalf("%d page queries walked a tag's index, want 2", len(log.qs))
	}
	read := regexp.MustCompile(`Index (?:Only )?Scan Backward using creator_tags_key_idx on creator_tags dt .*rows=(\d+) loops=1`)
	for _, q := range log.qs {
		var plan []string
		if err := db.NewRaw("EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) "+q).Scan(ctx, &plan); err != nil {
			t.Fatal(err)
		}
		all := strings.Join(plan, "\n")
		m := read.FindStringSubmatch(all)
		if m == nil || strings.Contains(all, "Sort") {
			t.Fatalf("the page does not follow the tag's index:\n%s", all)
		}
		if n, _ := strconv.Atoi(m[1]); n > 4*51+20 {
			t.Errorf("the page read %d of the tag's entries for 51 creators:\n%s", n, all)
		}
		// The platform is probed on the tag's rows: a creator's row is read only for the creators
		// shown, not for each one the walk passes over (a third of them have a YouTube account).
		rows := regexp.MustCompile(`Scan using creators_pkey on creators c .*loops=(\d+)`).FindStringSubmatch(all)
		if rows == nil {
			t.Fatalf("the page does not read the creators by primary key:\n%s", all)
		}
		if n, _ := strconv.Atoi(rows[1]); n > 51 {
			t.Errorf("the page read %d creators' rows for 51 creators:\n%s", n, all)
		}
	}
}
