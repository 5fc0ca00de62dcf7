package creator_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// orderedCatalogue imports batches of seven creators 0.4 ms apart, so that an import's creators
// share their created_at and several imports share a millisecond, into u's organization and, in
// the same milliseconds, into other's. Six kinds in turn: "luna" in the name, in the e-mail alone,
// at the start of a handle alone, inside a handle alone (not a match for a handle search), a rare
// name, and one matching none of them.
func orderedCatalogue(t *testing.T, e *apitest.Env, u, other apitest.User, batches int) {
	t.Helper()
	n := 0
	for b := range batches {
		for _, who := range []apitest.User{u, other} {
			rows := [][]string{{"Display Name", "Country", "Platform", "Handle", "Email"}}
			for range 7 {
				name, handle, email := fmt.Sprintf("Other %d", n), fmt.Sprintf("other%d", n), ""
				switch n % 6 {
				case 0:
					name = fmt.Sprintf("Luna Park %d", n)
				case 1:
					email = fmt.Sprintf("sol.luna%d@example.com", n)
				case 2:
					handle = fmt.Sprintf("lunatic%d", n)
				case 3:
					handle = fmt.Sprintf("xluna%d", n)
				case 4:
					name = fmt.Sprintf("Rare Bird %d", n)
				}
				rows = append(rows, []string{name, "US", "tiktok", handle, email})
				n++
			}
			upload(t, e, who, "", "creators.csv", csvFile(t, false, rows...), http.StatusOK)
		}
		e.Clock.Advance(400 * time.Microsecond)
		if b%5 == 4 {
			e.Clock.Advance(time.Second)
		}
	}
}

// searchMatches is what q means for a listed creator: q in the name or the e-mail (any case), or a
// handle starting with q.
func searchMatches(c obj, q string) bool {
	q = strings.ToLower(q)
	email, _ := c["email"].(string)
	if strings.Contains(strings.ToLower(c["display_name"].(string)), q) || strings.Contains(strings.ToLower(email), q) {
		return true
	}
	for _, a := range accounts(c) {
		if strings.HasPrefix(a["handle"].(string), q) {
			return true
		}
	}
	return false
}

// On SQLite a search's first page is read from the search index in creation order, a millisecond
// at a time. Its pages, followed by cursor, must be exactly the organization's live creators in the
// list's order that the search matches, and its total their number: with pages whose last creator
// falls among creators of the same created_at, other organizations' creators in the same
// milliseconds, and deleted ones.
func TestASearchPagesThroughItsMatchesInTheListsOrder(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		other := e.NewOrg("Yiwu Goods", "wang@example.com")
		orderedCatalogue(t, e, owner, other, 20)
		all, _ := listAll(t, e, owner, "", 100)
		for i, c := range all {
			if i%9 == 0 && searchMatches(c, "luna") {
				call(t, e, owner, "DELETE", "/api/v1/creators/"+c["id"].(string), nil, http.StatusNoContent)
			}
		}
		// Thirty matches moved into three milliseconds, in an order that is neither their created_at
		// nor their ids: SQLite numbers them in the order they move, so within a millisecond the
		// index's order is not the list's.
		var moved []string
		for _, c := range all {
			if len(moved) < 30 && searchMatches(c, "luna") {
				moved = append(moved, c["id"].(string))
			}
		}
		base := e.Clock.Now().Add(time.Hour).Truncate(time.Second)
		for i := range moved {
			k := i * 11 % len(moved)
			at := base.Add(time.Duration(k%3)*time.Millisecond + time.Duration(k*389%997)*time.Microsecond)
			if _, err := db.ExecContext(context.Background(), `UPDATE creators SET created_at = ? WHERE id = ?`, at, moved[k]); err != nil {
				t.Fatal(err)
			}
		}
		all, _ = listAll(t, e, owner, "", 100)

		for _, q := range []string{"luna", "LUNA", "una", "lunatic", "sol.luna", "xluna", "rare bird", "luna park 6", "nobody"} {
			var want []string
			for _, c := range all {
				if searchMatches(c, q) {
					want = append(want, c["id"].(string))
				}
			}
			for _, limit := range []int{3, 5, 50} {
				got, total := listAll(t, e, owner, "q="+strings.ReplaceAll(q, " ", "+"), limit)
				if !slices.Equal(ids(got), want) || total != float64(len(want)) {
					t.Errorf("q=%s limit %d: %d creators, total %v; want %d", q, limit, len(got), total, len(want))
				}
			}
		}
	})
}

// searchIndexDrift lists the creators and accounts whose search index rows do not follow them: on
// SQLite each creator has one row in creator_search_rows, numbered by the millisecond of its
// created_at, with its organization and times, and one in creator_search with its name and e-mail;
// each account one in creator_handle_rows with its handle and its creator's number.
func searchIndexDrift(t *testing.T, db *bun.DB) []string {
	t.Helper()
	var drift []string
	err := db.NewRaw(`SELECT c.display_name FROM creators AS c
		LEFT JOIN creator_search_rows AS r ON r.creator_id = c.id
		LEFT JOIN creator_search AS s ON s.rowid = r.id
		WHERE r.id IS NULL OR s.rowid IS NULL
			OR r.id >> 20 != CAST(strftime('%s', c.created_at) AS INTEGER) * 1000 + CAST(substr(strftime('%f', c.created_at), 4) AS INTEGER)
			OR r.org_id != c.org_id OR r.created_at IS NOT c.created_at OR r.deleted_at IS NOT c.deleted_at
			OR s.name_key IS NOT c.name_key OR s.email IS NOT lower(coalesce(c.email, ''))
		UNION ALL SELECT 'a row of no creator' FROM creator_search_rows AS r WHERE r.creator_id NOT IN (SELECT id FROM creators)
		UNION ALL SELECT 'an index entry of no row' FROM creator_search AS s WHERE s.rowid NOT IN (SELECT id FROM creator_search_rows)
		UNION ALL SELECT 'the handle ' || a.handle FROM creator_accounts AS a
			JOIN creator_search_rows AS r ON r.creator_id = a.creator_id
			LEFT JOIN creator_handle_rows AS h ON h.org_id = a.org_id AND h.handle = a.handle AND h.platform = a.platform
			WHERE h.search_id IS NOT r.id
		UNION ALL SELECT 'the stray handle ' || h.handle FROM creator_handle_rows AS h
			LEFT JOIN creator_accounts AS a ON a.org_id = h.org_id AND a.handle = h.handle AND a.platform = h.platform
			WHERE a.id IS NULL`).
		Scan(context.Background(), &drift)
	if err != nil {
		t.Fatal(err)
	}
	return drift
}

// SQLite's search index follows the creators and their accounts whoever writes them: created,
// imported, renamed, given, renamed and stripped of accounts, an account moved to another creator,
// deleted and restored, erased, removed, and with a created_at rewritten (by SQL: no request does).
// An index of an older Caravan, numbered as creators were written, is numbered by creation when the
// migration runs.
func TestTheSearchIndexFollowsTheCreators(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	// The index as it was: numbered as creators are written, names and e-mails alone.
	if _, err := store.Rollback(ctx, db, 1); err != nil {
		t.Fatal(err)
	}
	e := apitest.New(t, db)
	owner := e.Setup("Ningbo Export", "li@example.com")
	old := newCreator(t, e, owner, obj{"display_name": "Old Luna", "country": "US", "accounts": []obj{{"platform": "tiktok", "handle": "oldluna"}}})
	e.Clock.Advance(time.Second)
	older := newCreator(t, e, owner, obj{"display_name": "Older Luna", "country": "US", "email": "Older@Example.com"})
	// Written after, created before (as an import of an older Caravan could).
	if _, err := db.ExecContext(ctx, `UPDATE creators SET created_at = ? WHERE id = ?`, e.Clock.Now().Add(-time.Hour), older["id"]); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	check := func(step string) {
		t.Helper()
		if drift := searchIndexDrift(t, db); len(drift) > 0 {
			t.Fatalf("%s: the search index does not follow %v", step, drift)
		}
	}
	check("migrated")
	if got := names(items(call(t, e, owner, "GET", "/api/v1/creators?q=luna", nil, http.StatusOK))); !slices.Equal(got, []string{"Old Luna", "Older Luna"}) {
		t.Fatalf("after the migration: %v", got)
	}

	c := newCreator(t, e, owner, obj{"display_name": "Luna", "country": "US", "email": "Luna@Example.com",
		"accounts": []obj{{"platform": "tiktok", "handle": "luna.home"}}})
	id := c["id"].(string)
	check("created")
	upload(t, e, owner, "", "creators.csv", csvFile(t, false, []string{"Display Name", "Country", "Platform", "Handle"},
		[]string{"Luna Import", "US", "rednote", "luna_xhs"}, []string{"Sol Import", "US", "tiktok", "sol_tt"}), http.StatusOK)
	check("imported")
	call(t, e, owner, "PATCH", "/api/v1/creators/"+id, obj{"display_name": "Moon", "email": "moon@example.com"}, http.StatusOK)
	check("renamed")
	added := call(t, e, owner, "POST", "/api/v1/creators/"+id+"/accounts", obj{"platform": "youtube", "handle": "moonlight"}, http.StatusCreated)
	check("an account added")
	call(t, e, owner, "PATCH", "/api/v1/accounts/"+added["id"].(string), obj{"handle": "moonrise"}, http.StatusOK)
	check("a handle changed")
	// No request moves an account to another creator; the triggers follow one all the same.
	if _, err := db.ExecContext(ctx, `UPDATE creator_accounts SET creator_id = ? WHERE id = ?`, old["id"], added["id"]); err != nil {
		t.Fatal(err)
	}
	check("an account moved to another creator")
	call(t, e, owner, "DELETE", "/api/v1/accounts/"+added["id"].(string), nil, http.StatusNoContent)
	check("an account removed")
	call(t, e, owner, "DELETE", "/api/v1/creators/"+id, nil, http.StatusNoContent)
	check("deleted")
	call(t, e, owner, "POST", "/api/v1/creators/"+id+"/restore", nil, http.StatusOK)
	check("restored")
	if _, err := db.ExecContext(ctx, `UPDATE creators SET created_at = ? WHERE id = ?`, time.Date(2024, 2, 29, 12, 0, 0, 123456000, time.UTC), id); err != nil {
		t.Fatal(err)
	}
	check("created_at rewritten")
	if got := names(items(call(t, e, owner, "GET", "/api/v1/creators?q=moon", nil, http.StatusOK))); !slices.Equal(got, []string{"Moon"}) {
		t.Fatalf("after created_at moved: %v", got)
	}
	call(t, e, owner, "POST", "/api/v1/creators/"+old["id"].(string)+"/erase", obj{"confirm": true}, http.StatusNoContent)
	check("erased")
	// Nothing the API does removes a creator's row; a creator nothing refers to can be.
	if _, err := db.ExecContext(ctx, `INSERT INTO creators (id, org_id, display_name, name_key, country, status, created_at, updated_at)
		VALUES ('raw', ?, 'Raw Luna', 'raw luna', 'US', 'active', ?, ?)`, owner.OrgID, e.Clock.Now(), e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	check("written by SQL")
	if _, err := db.ExecContext(ctx, `DELETE FROM creators WHERE id = 'raw'`); err != nil {
		t.Fatal(err)
	}
	check("removed")
}

// A millisecond holds 2^20 creators in the search index; one more is refused rather than numbered
// into the next millisecond, where it would be listed out of order.
func TestTheSearchIndexRefusesAMillisecondOverfull(t *testing.T) {
	db := storetest.SQLite(t)
	e := apitest.New(t, db)
	owner := e.Setup("Ningbo Export", "li@example.com")
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 8, 0, 0, 250_000_000, time.UTC)
	full := (at.UnixMilli()+1)<<20 - 1 // the millisecond's last slot
	if _, err := db.ExecContext(ctx, `INSERT INTO creator_search_rows (id, org_id, creator_id, created_at) VALUES (?, ?, 'placeholder', ?)`,
		full, owner.OrgID, at); err != nil {
		t.Fatal(err)
	}
	_, err := db.ExecContext(ctx, `INSERT INTO creators (id, org_id, display_name, name_key, country, status, created_at, updated_at)
		VALUES ('c1', ?, 'Luna', 'luna', 'US', 'active', ?, ?)`, owner.OrgID, at, at)
	if err == nil || !strings.Contains(err.Error(), "more than 1,048,576 creators") {
		t.Fatalf("insert into a full millisecond: %v", err)
	}
}
