package creator_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// estimateCatalogue imports n creators in three batches a minute apart, six kinds in turn: "luna"
// in the name, in the e-mail alone, at the start of a handle alone (and so only a handle prefix
// match), a rarer name, a Chinese name and a name matching none of them.
func estimateCatalogue(t *testing.T, e *apitest.Env, u apitest.User, n int, prefix string) {
	t.Helper()
	for batch := range 3 {
		rows := [][]string{{"Display Name", "Country", "Platform", "Handle", "Followers", "Email"}}
		for i := batch * n / 3; i < (batch+1)*n/3; i++ {
			name, handle, email := fmt.Sprintf("Other Name %s%d", prefix, i), fmt.Sprintf("other%s%d", prefix, i), ""
			switch i % 6 {
			case 0:
				name, handle = fmt.Sprintf("Luna Park %s%d", prefix, i), fmt.Sprintf("lp%s%d", prefix, i)
			case 1:
				email = fmt.Sprintf("sol.luna%s%d@example.com", prefix, i)
			case 2:
				name, handle = fmt.Sprintf("Mia Stone %s%d", prefix, i), fmt.Sprintf("lunatic%s%d", prefix, i)
			case 3:
				name = fmt.Sprintf("Rare Bird %s%d", prefix, i)
			case 4:
				name = fmt.Sprintf("陈小鹿 %s%d", prefix, i)
			}
			rows = append(rows, []string{name, "US", "tiktok", handle, "1000", email})
		}
		if res := upload(t, e, u, "", "creators.csv", csvFile(t, false, rows...), http.StatusOK); res["created"].(float64) != float64(len(rows)-1) {
			t.Fatalf("import = %v", res)
		}
		e.Clock.Advance(60_000_000_000)
	}
}

// A search that matches many creators of a large catalogue finds its first page without gathering
// every match (PostgreSQL walks the newest creators, SQLite reads its index in creation order) and
// estimates its total. The page must be exactly the one the counted search
// answers (names, e-mails and handle prefixes matched alike), the estimate near the count and
// marked as one, and the next pages the same, marked too; a search that matches few creators, or
// matches many only in another organization, is counted exactly.
func TestASearchMatchingManyCreatorsWalksForItsPageAndEstimatesItsTotal(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		other := e.NewOrg("Yiwu Goods", "wang@example.com")
		estimateCatalogue(t, e, owner, 900, "")
		// The other organization has 300 creators, three of them with "luna" in the name: the search
		// index's matches are mostly the owner's.
		rows := [][]string{{"Display Name", "Country", "Platform", "Handle"}}
		for i := range 300 {
			name := fmt.Sprintf("Someone %d", i)
			if i%100 == 0 {
				name = fmt.Sprintf("Luna Far %d", i)
			}
			rows = append(rows, []string{name, "CN", "tiktok", fmt.Sprintf("far%d", i)})
		}
		upload(t, e, other, "", "creators.csv", csvFile(t, false, rows...), http.StatusOK)
		// PostgreSQL's choice between a walk and a gather reads the planner's statistics.
		if err := store.Analyze(context.Background(), db, "creators", "creator_accounts"); err != nil {
			t.Fatal(err)
		}
		bump := newCreator(t, e, owner, obj{"display_name": "Zed Bump", "country": "US"})["id"].(string)
		n := 0
		forget := func() { // any change to the creators makes every total unknown again
			n++
			call(t, e, owner, "PATCH", "/api/v1/creators/"+bump, obj{"notes": strings.Repeat("x", n)}, http.StatusOK)
		}
		walk := func() { creator.SetSearchWalk(t, 200, 40) }
		count := func() { creator.SetSearchWalk(t, math.MaxInt64, math.MaxInt64) }

		estimated := 0
		queries := []string{"luna", "lun", "una", "LUNA", "sol.luna", "@lunatic", "lunatic1", "rare", "陈小", "陈小鹿", "other name", "zzz"}
		for _, path := range queries {
			queries = append(queries, path+"&limit=20") // a walk of 200 fills pages of 20 from a sixth of the catalogue
		}
		for i, query := range queries {
			q, limit, _ := strings.Cut(query, "&")
			path := "/api/v1/creators?q=" + url.QueryEscape(q) + "&" + limit
			forget()
			if i < len(queries)/2 {
				walk()
			} else {
				creator.SetSearchWalk(t, 200, 0) // every search that fills its page within 200 creators walks
			}
			got := call(t, e, owner, "GET", path, nil, http.StatusOK)
			var next obj
			if c, ok := got["next_cursor"].(string); ok {
				next = call(t, e, owner, "GET", path+"&cursor="+url.QueryEscape(c), nil, http.StatusOK)
			}
			forget()
			count()
			want := call(t, e, owner, "GET", path, nil, http.StatusOK)
			if want["total_estimated"] != nil {
				t.Fatalf("%s: counted, the total is marked estimated", q)
			}
			if !slices.Equal(ids(items(got)), ids(items(want))) || got["next_cursor"] != want["next_cursor"] {
				t.Errorf("%s: walked page %v (next %v), counted %v (next %v)", q, names(items(got)), got["next_cursor"], names(items(want)), want["next_cursor"])
			}
			total, exact := got["total"].(float64), want["total"].(float64)
			if got["total_estimated"] != true {
				if total != exact {
					t.Errorf("%s: total %v, counted %v", q, total, exact)
				}
				continue
			}
			estimated++
			if math.Abs(total-exact) > 0.4*exact {
				t.Errorf("%s: estimated %v, counted %v", q, total, exact)
			}
			// The next page repeats the estimate, and is the counted search's next page.
			if next == nil || next["total_estimated"] != true || next["total"] != got["total"] {
				t.Errorf("%s: next page %v", q, next)
			} else if c, _ := want["next_cursor"].(string); !slices.Equal(ids(items(next)), ids(items(call(t, e, owner, "GET", path+"&cursor="+url.QueryEscape(c), nil, http.StatusOK)))) {
				t.Errorf("%s: the walked search's next page is not the counted one's", q)
			}
		}
		// luna, lun, una and LUNA are estimated (three kinds in six match), and with pages of 20 also
		// sol.luna, lunatic1, rare and 陈小(鹿), each a sixth of the catalogue: a handle prefix alone, an
		// e-mail alone, a name alone.
		t.Logf("%d searches estimated", estimated)
		if estimated < 12 {
			t.Errorf("%d searches estimated, want at least 12", estimated)
		}

		// In the other organization the same search matches three creators, counted exactly.
		walk()
		if l := call(t, e, other, "GET", "/api/v1/creators?q=luna", nil, http.StatusOK); l["total"] != 3.0 || l["total_estimated"] != nil || len(items(l)) != 3 {
			t.Errorf("another organization's search: %v", l)
		}
	})
}

// An estimate keeps two significant digits, never falls below the matches found, and a walk that
// found its page at once (rank equal to found) estimates every creator.
func TestEstimateTotal(t *testing.T) {
	for _, c := range []struct{ found, rank, all, want int64 }{
		{51, 688, 100_000, 7_300}, // 50/687 of 100,000 = 7,278
		{51, 51, 6_000, 6_000},
		{51, 5_000, 100_000, 1_000},
		{51, 100, 120, 61},
		{3, 3, 2, 3},
		{1, 1, 10, 1},
	} {
		if got := creator.EstimateTotal(c.found, c.rank, c.all); got != c.want {
			t.Errorf("estimateTotal(%d, %d, %d) = %d, want %d", c.found, c.rank, c.all, got, c.want)
		}
	}
}
