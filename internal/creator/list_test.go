package creator_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// The name and e-mail search finds any substring, in any script and case, both through the trigram
// index (three characters or more) and without it (shorter queries); quotes, % and _ are plain
// characters; a renamed or deleted creator is found by what it is now.
func TestNameSearchFindsSubstringsWithAndWithoutTheTrigramIndex(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		u := e.Setup("Ningbo Export", "li@example.com")
		for _, c := range []obj{
			{"display_name": "陈思雨 Sienna Chen", "country": "SG", "email": "sienna@qq.com"},
			{"display_name": "思雨生活志", "country": "MY"},
			{"display_name": "林小鹿的小家", "country": "SG"},
			{"display_name": "Anna Müller", "country": "DE"},
			{"display_name": "Joanna Brooks", "country": "US", "email": "joanna.b@example.com"},
			{"display_name": `Say "Hi" Studio`, "country": "US"},
			{"display_name": "50% Off Club", "country": "GB"},
			{"display_name": "Luna Home", "country": "US", "accounts": []obj{{"platform": "tiktok", "handle": "lunahome_official"}}},
		} {
			newCreator(t, e, u, c)
		}
		search := func(q string, extra string) []string {
			t.Helper()
			got, total := listAll(t, e, u, "q="+url.QueryEscape(q)+extra, 2)
			n := names(got)
			if int(total) != len(n) {
				t.Errorf("q=%q: total %v for %d creators", q, total, len(n))
			}
			slices.Sort(n)
			return n
		}
		for _, tc := range []struct {
			q    string
			want []string
		}{
			{"思雨", []string{"思雨生活志", "陈思雨 Sienna Chen"}}, // two characters: no trigram
			{"陈思雨", []string{"陈思雨 Sienna Chen"}},
			{"小鹿的", []string{"林小鹿的小家"}},
			{"的小家", []string{"林小鹿的小家"}},
			{"MÜLLER", []string{"Anna Müller"}},
			{"anna", []string{"Anna Müller", "Joanna Brooks"}},
			{"nna", []string{"Anna Müller", "Joanna Brooks", "陈思雨 Sienna Chen"}},
			{"an", []string{"Anna Müller", "Joanna Brooks"}},
			{"qq.com", []string{"陈思雨 Sienna Chen"}}, // e-mail
			{"NA.B@EX", []string{"Joanna Brooks"}},
			{`"hi"`, []string{`Say "Hi" Studio`}},
			{`y "h`, []string{`Say "Hi" Studio`}},
			{`"`, []string{`Say "Hi" Studio`}},
			{"0% o", []string{"50% Off Club"}},
			{"%", []string{"50% Off Club"}},
			{"a_b", nil},
			{"n_a", nil},
			{"lunahome", []string{"Luna Home"}}, // a handle's prefix
			{"home_off", nil},                   // handles match by prefix, not substring
			{"zzz", nil},
		} {
			if got := search(tc.q, ""); !slices.Equal(got, tc.want) {
				t.Errorf("q=%q: %v, want %v", tc.q, got, tc.want)
			}
		}

		anna := items(call(t, e, u, "GET", "/api/v1/creators?q=m%C3%BCller", nil, http.StatusOK))[0]["id"].(string)
		call(t, e, u, "PATCH", "/api/v1/creators/"+anna, obj{"display_name": "Anna Schmidt", "email": "anna@schmidt.example"}, http.StatusOK)
		if got := search("müller", ""); len(got) != 0 {
			t.Errorf("the old name still finds %v", got)
		}
		if got := search("schmid", ""); !slices.Equal(got, []string{"Anna Schmidt"}) {
			t.Errorf("the new name finds %v", got)
		}
		if got := search("midt.ex", ""); !slices.Equal(got, []string{"Anna Schmidt"}) {
			t.Errorf("the new e-mail finds %v", got)
		}
		call(t, e, u, "DELETE", "/api/v1/creators/"+anna, nil, http.StatusNoContent)
		if got := search("schmid", ""); len(got) != 0 {
			t.Errorf("a deleted creator is found: %v", got)
		}
		if got := search("schmid", "&deleted=true"); !slices.Equal(got, []string{"Anna Schmidt"}) {
			t.Errorf("the bin does not find the deleted creator: %v", got)
		}
		// Another organization's creators are never found.
		b := e.NewOrg("Org B", "owner@b.example")
		if got, total := listAll(t, e, b, "q="+url.QueryEscape("思雨"), 10); len(got) != 0 || total != 0 {
			t.Errorf("organization B finds %v", names(got))
		}
		if got, total := listAll(t, e, b, "q="+url.QueryEscape("陈思雨"), 10); len(got) != 0 || total != 0 {
			t.Errorf("organization B finds %v", names(got))
		}
	})
}

// The list reuses a total it has counted, but never past a change: creating, deleting, restoring,
// retagging or renaming a creator and adding or removing an account change the totals of the
// filters they touch at once.
func TestListTotalsFollowEveryChange(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		u := e.Setup("Ningbo Export", "li@example.com")
		var ids []string
		for _, c := range []obj{
			{"display_name": "Lamp Lady", "country": "US", "tags": []string{"lamps"}, "accounts": []obj{{"platform": "tiktok", "handle": "lamplady"}}},
			{"display_name": "Lamp Lord", "country": "US", "tags": []string{"Lamps", "vintage"}, "accounts": []obj{{"platform": "tiktok", "handle": "lamplord"}}},
			{"display_name": "Rug Rat", "country": "GB", "tags": []string{"lamps"}, "accounts": []obj{{"platform": "youtube", "handle": "rugrat"}}},
		} {
			ids = append(ids, newCreator(t, e, u, c)["id"].(string))
		}
		check := func(step string, want map[string]int) {
			t.Helper()
			for query, n := range want {
				for range 2 { // the second answer may come from the reused total
					l := call(t, e, u, "GET", "/api/v1/creators?"+query, nil, http.StatusOK)
					if l["total"] != float64(n) {
						t.Fatalf("%s: %s total %v, want %d", step, query, l["total"], n)
					}
				}
			}
		}
		filters := func(all, lamps, lampsTikTok, deleted, lampQ int) map[string]int {
			return map[string]int{"": all, "tag=lamps": lamps, "tag=LAMPS&platform=tiktok": lampsTikTok, "deleted=true": deleted, "q=lamp": lampQ}
		}
		check("start", filters(3, 3, 2, 0, 2))

		newCreator(t, e, u, obj{"display_name": "Lamp Light", "country": "US", "tags": []string{"lamps"},
			"accounts": []obj{{"platform": "tiktok", "handle": "lamplight"}}})
		check("after a create", filters(4, 4, 3, 0, 3))

		call(t, e, u, "DELETE", "/api/v1/creators/"+ids[0], nil, http.StatusNoContent)
		check("after a delete", filters(3, 3, 2, 1, 2))

		call(t, e, u, "POST", "/api/v1/creators/"+ids[0]+"/restore", nil, http.StatusOK)
		check("after a restore", filters(4, 4, 3, 0, 3))

		call(t, e, u, "PATCH", "/api/v1/creators/"+ids[1], obj{"tags": []string{"vintage"}}, http.StatusOK)
		check("after retagging", filters(4, 3, 2, 0, 3))

		acct := call(t, e, u, "POST", "/api/v1/creators/"+ids[2]+"/accounts", obj{"platform": "tiktok", "handle": "rugrat_tt"}, http.StatusCreated)
		check("after adding an account", filters(4, 3, 3, 0, 3))

		call(t, e, u, "DELETE", "/api/v1/accounts/"+acct["id"].(string), nil, http.StatusNoContent)
		check("after removing an account", filters(4, 3, 2, 0, 3))

		call(t, e, u, "PATCH", "/api/v1/creators/"+ids[2], obj{"display_name": "Lamplighter"}, http.StatusOK)
		check("after a rename", filters(4, 3, 2, 0, 4))
	})
}
