package conversion_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// externalIDs lists the conversions a query answers (every page of 500), their order numbers sorted.
func externalIDs(t *testing.T, w *world, query string) []string {
	t.Helper()
	l := call(t, w.e, w.owner, "GET", "/api/v1/conversions?limit=500&"+query, nil, http.StatusOK)
	var ids []string
	for _, c := range list(l, "items") {
		ids = append(ids, c["external_id"].(string))
	}
	if num(l["total"]) != int64(len(ids)) {
		t.Fatalf("%s: total %v for %d items", query, l["total"], len(ids))
	}
	slices.Sort(ids)
	return ids
}

// TestConversionListFiltersEachNarrowTheListAndBadValuesAre400 sends orders that differ in one thing
// each (status, campaign, platform, day in the organization's zone, source, rule, order number) and
// checks that every filter of GET /api/v1/conversions keeps exactly the right ones, and that a bad
// value of each is a 400 in the contract's error shape.
func TestConversionListFiltersEachNarrowTheListAndBadValuesAre400(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		e := w.e
		jake := call(t, e, w.owner, "POST", "/api/v1/creators", obj{"display_name": "Jake", "country": "GB",
			"accounts": []obj{{"platform": "youtube", "handle": "@jake"}}}, http.StatusCreated)

		// The organization is in Asia/Shanghai (UTC+8): 15:30 UTC is 23:30 local on the 20th, 16:30 UTC
		// is 00:30 local on the 21st — both on the 20th in UTC.
		a := w.order(t, obj{"external_id": "F-1", "amount_minor": 1000, "promo_code": "LUNA10", "occurred_at": "2026-11-20T15:30:00Z"}, http.StatusCreated)
		w.order(t, obj{"external_id": "F-2", "amount_minor": 1000, "platform": "tiktok", "account_handle": "@luna", "occurred_at": "2026-11-20T16:30:00Z"}, http.StatusCreated)
		w.order(t, obj{"external_id": "F-3", "amount_minor": 1000, "occurred_at": "2026-11-22T02:00:00Z"}, http.StatusCreated)
		y := w.order(t, obj{"external_id": "F-10", "amount_minor": 1000, "platform": "YouTube", "account_handle": "jake", "occurred_at": "2026-11-23T02:00:00Z"}, http.StatusCreated)
		if y["rule"] != "account" || y["creator_id"] != jake["id"] || y["platform"] != "youtube" || y["campaign_id"] != nil {
			t.Fatalf("youtube order = %v", y)
		}
		// entered by finance with a session: source manual
		m := call(t, e, w.fin, "POST", "/api/v1/conversions", obj{"external_id": "F_5", "occurred_at": "2026-11-23T03:00:00Z",
			"currency": "USD", "amount_minor": 1000, "creator_id": w.creator, "campaign_id": w.campaign}, http.StatusCreated)
		if m["source"] != "manual" || m["rule"] != "creator" {
			t.Fatalf("manual order = %v", m)
		}
		call(t, e, w.fin, "POST", "/api/v1/conversions/"+a["id"].(string)+"/approve", nil, http.StatusOK)

		all := []string{"F-1", "F-10", "F-2", "F-3", "F_5"}
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"", all},
			{"status=approved", []string{"F-1"}},
			{"status=pending", []string{"F-10", "F-2", "F-3", "F_5"}},
			{"status=rejected", nil},
			{"campaign_id=" + w.campaign, []string{"F-1", "F-2", "F_5"}},
			{"campaign_id=" + w.campaign + "&status=pending", []string{"F-2", "F_5"}},
			{"campaign_id=no-such-campaign", nil},
			// an explicit creator names no account: no platform
			{"platform=tiktok", []string{"F-1", "F-2"}},
			{"platform=YouTube", []string{"F-10"}},
			{"platform=instagram", nil},
			// days in the organization's zone, both ends inclusive
			{"to=2026-11-20", []string{"F-1"}},
			{"from=2026-11-21", []string{"F-10", "F-2", "F-3", "F_5"}},
			{"from=2026-11-21&to=2026-11-21", []string{"F-2"}},
			{"from=2026-11-20&to=2026-11-20", []string{"F-1"}},
			{"from=2026-11-22&to=2026-11-22", []string{"F-3"}},
			{"from=2026-11-19&to=2026-11-19", nil},
			{"source=api", []string{"F-1", "F-10", "F-2", "F-3"}},
			{"source=manual", []string{"F_5"}},
			{"source=file", nil},
			{"rule=promo_code", []string{"F-1"}},
			{"rule=account", []string{"F-10", "F-2"}},
			{"rule=creator", []string{"F_5"}},
			{"rule=click", nil},
			{"attributed=false", []string{"F-3"}},
			{"attributed=true&platform=tiktok", []string{"F-1", "F-2"}},
			{"creator_id=" + w.creator, []string{"F-1", "F-2", "F_5"}},
			// q: the order number, exactly or its beginning; LIKE's wildcards are plain characters
			{"q=F-1", []string{"F-1", "F-10"}},
			{"q=F-10", []string{"F-10"}},
			{"q=F-", []string{"F-1", "F-10", "F-2", "F-3"}},
			{"q=" + url.QueryEscape("F_"), []string{"F_5"}},
			{"q=" + url.QueryEscape("F%"), nil},
		} {
			if got := externalIDs(t, w, c.query); !slices.Equal(got, c.want) {
				t.Errorf("?%s: %v, want %v", c.query, got, c.want)
			}
		}

		for _, bad := range []string{
			"status=open", "status=Approved", "rule=promo", "rule=PROMO_CODE",
			"from=2026-13-01", "from=20261120", "to=yesterday", "to=2026-11-31",
			"from=2026-11-21&to=2026-11-20", "attributed=yes", "attributed=1",
			"q=" + strings.Repeat("9", 201), "limit=0", "limit=501", "cursor=not-ours",
		} {
			res := e.Do(apitest.Request{Method: "GET", Path: "/api/v1/conversions?" + bad, Token: w.owner.Token})
			if res.Status != http.StatusBadRequest {
				t.Errorf("?%s: %d %s, want 400", bad, res.Status, res.Body)
				continue
			}
			if code := res.ErrorCode(t); code == "" {
				t.Errorf("?%s: no error code", bad)
			}
		}
	})
}

// TestConversionListRefusesAnUnknownPlatformOrSource: the contract answers 400 for a bad query
// parameter, and the creator list refuses an unknown platform; the conversion list should too, and
// refuse a source that is none of api, manual, file, tiktok_shop or shopify:{store id}, rather than
// answer an empty list that reads as "no orders". It fails today: ParseFilter (query.go) checks
// neither.
func TestConversionListRefusesAnUnknownPlatformOrSource(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		w.order(t, obj{"external_id": "P-1", "amount_minor": 1000, "promo_code": "LUNA10"}, http.StatusCreated)
		for _, bad := range []string{"platform=myspace", "platform=tik+tok", "source=ebay", "source=API"} {
			res := w.e.Do(apitest.Request{Method: "GET", Path: "/api/v1/conversions?" + bad, Token: w.owner.Token})
			if res.Status != http.StatusBadRequest {
				t.Errorf("?%s: %d %s, want 400", bad, res.Status, res.Body)
				continue
			}
			if code := res.ErrorCode(t); code != "invalid_parameter" {
				t.Errorf("?%s: code %q", bad, code)
			}
		}
	})
}

// TestConversionSearchIgnoresCaseOnBothDatabases: q finds an order number whatever its case, as the
// other lists' searches do, and the same on both databases. It fails today on PostgreSQL only:
// query.go matches q with a plain LIKE, case-insensitive on SQLite and case-sensitive on PostgreSQL.
func TestConversionSearchIgnoresCaseOnBothDatabases(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		w.order(t, obj{"external_id": "SY-1001", "amount_minor": 1000}, http.StatusCreated)
		w.order(t, obj{"external_id": "SY-10012", "amount_minor": 1000}, http.StatusCreated)
		for _, q := range []string{"SY-1001", "sy-1001", "Sy-100"} {
			if got := externalIDs(t, w, "q="+q); !slices.Equal(got, []string{"SY-1001", "SY-10012"}) {
				t.Errorf("?q=%s: %v", q, got)
			}
		}
	})
}
