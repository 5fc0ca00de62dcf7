package report_test

import (
	"bytes"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
)

type obj = map[string]any

// injection is a creator name a spreadsheet would run as a formula if it were not neutralised.
const injection = `=HYPERLINK("http://x","y")`

// month is a worked month, November 2026 in Shanghai, built through the HTTP API: a USD creator in an
// agency that takes 20 % (Luna, TikTok) on a tiered plan (10 %, 15 % from $100.00 of GMV), a EUR
// creator whose name is a formula (YouTube) on an 8 % plan, and a JPY creator (Kenji, Instagram) on
// the same plan with an enrolment override of 12 %; FX rates to CNY, with USD changing on the 27th;
// six orders, a partial and a full refund, approvals, an adjustment, and the month closed on
// 2 December. The figures the tests expect are worked out by hand in the comments.
type month struct {
	e                   *apitest.Env
	owner, fin          apitest.User
	luna, kenji, inj    string // creator ids
	spring, matcha      string // campaign ids
	orders              map[string]string
	agency              string
	lunaTok, kenjiInsta string
}

func (m *month) call(t testing.TB, u apitest.User, method, path string, body any, want int) obj {
	t.Helper()
	res := m.e.Expect(want, apitest.Request{Method: method, Path: path, Body: body, Token: u.Token})
	if len(res.Body) == 0 {
		return nil
	}
	return res.Map(t)
}

func newMonth(t testing.TB, db *bun.DB) *month {
	t.Helper()
	e := apitest.New(t, db) // the clock reads 2026-11-24 09:00 UTC (17:00 in Shanghai)
	m := &month{e: e, orders: map[string]string{}}
	m.owner = e.Setup("宁波家居 Ningbo Home", "owner@nb.example")
	m.fin = e.AddUser(m.owner, "finance@nb.example", actor.RoleFinance)
	ag := m.call(t, m.owner, "POST", "/api/v1/agencies", obj{"name": "Star MCN", "country": "US", "share_bps": 2000}, http.StatusCreated)
	m.agency = ag["id"].(string)
	creator := func(name, country, plat, handle string, agency any) string {
		c := m.call(t, m.owner, "POST", "/api/v1/creators", obj{"display_name": name, "country": country, "agency_id": agency,
			"accounts": []obj{{"platform": plat, "handle": handle}}}, http.StatusCreated)
		return c["id"].(string)
	}
	m.luna = creator("Luna", "US", "tiktok", "@luna", m.agency)
	m.inj = creator(injection, "DE", "youtube", "@formula", nil)
	m.kenji = creator("Kenji", "JP", "instagram", "@kenji", nil)
	sp := m.call(t, m.owner, "POST", "/api/v1/campaigns", obj{"name": "Spring tea", "starts_on": "2026-11-01",
		"plan": obj{"type": "tiered", "currency": "USD", "tiers": []obj{{"from_gmv_minor": 0, "rate_bps": 1000}, {"from_gmv_minor": 10000, "rate_bps": 1500}}}}, http.StatusCreated)
	m.spring = sp["id"].(string)
	mt := m.call(t, m.owner, "POST", "/api/v1/campaigns", obj{"name": "Matcha", "starts_on": "2026-11-01",
		"plan": obj{"type": "percent", "rate_bps": 800}}, http.StatusCreated)
	m.matcha = mt["id"].(string)
	m.call(t, m.owner, "POST", "/api/v1/campaigns/"+m.spring+"/creators", obj{"creator_id": m.luna}, http.StatusCreated)
	m.call(t, m.owner, "POST", "/api/v1/campaigns/"+m.matcha+"/creators", obj{"creator_id": m.inj}, http.StatusCreated)
	m.call(t, m.owner, "POST", "/api/v1/campaigns/"+m.matcha+"/creators", obj{"creator_id": m.kenji, "rate_bps": 1200}, http.StatusCreated)
	for _, r := range []obj{
		{"on": "2026-11-01", "currency": "USD", "base_currency": "CNY", "rate": "7.1"},
		{"on": "2026-11-27", "currency": "USD", "base_currency": "CNY", "rate": "7.2"},
		{"on": "2026-11-01", "currency": "EUR", "base_currency": "CNY", "rate": "7.8"},
		{"on": "2026-11-01", "currency": "JPY", "base_currency": "CNY", "rate": "0.048"},
	} {
		m.call(t, m.fin, "PUT", "/api/v1/fx-rates", r, http.StatusOK)
	}

	// The rest of the month happens by the 30th.
	m.at(t, time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))
	order := func(key, plat, handle, campaign, currency string, amount int64, at string) {
		c := m.call(t, m.owner, "POST", "/api/v1/conversions", obj{"external_id": key, "occurred_at": at, "currency": currency,
			"amount_minor": amount, "platform": plat, "account_handle": handle, "campaign_id": campaign}, http.StatusCreated)
		m.orders[key] = c["id"].(string)
	}
	// Luna, tiered USD: 10 % until her GMV in the month reaches $100.00, then 15 %; the agency takes 20 %.
	order("820982911946154508", "tiktok", "luna", m.spring, "USD", 8000, "2026-11-24T10:00:00Z") // 800, share 160, ¥56.80 at 7.1
	order("L-2", "tiktok", "luna", m.spring, "USD", 5000, "2026-11-25T02:00:00Z")                // prior 8000: 500, share 100, ¥35.50
	order("L-3", "tiktok", "luna", m.spring, "USD", 3333, "2026-11-28T03:00:00Z")                // prior 13000: 15 % = 499.95 → 500, share 100, ¥36.00 at 7.2
	// The formula-named creator, 8 % in EUR: 1999 × 8 % = 159.92 → 160, ¥12.48 at 7.8.
	order("E-1", "youtube", "formula", m.matcha, "EUR", 1999, "2026-11-25T05:00:00Z")
	// Kenji, JPY with his 12 % override: 180 (¥8.64) and 2999 × 12 % = 359.88 → 360 (¥17.28).
	order("J-1", "instagram", "kenji", m.matcha, "JPY", 1500, "2026-11-26T01:00:00Z")
	order("J-2", "instagram", "kenji", m.matcha, "JPY", 2999, "2026-11-26T02:00:00Z")
	// A partial refund of L-2: −round(500 × 2000 ÷ 5000) = −200, share −40, ¥−14.20; a full refund of J-2: −360, ¥−17.28.
	m.call(t, m.owner, "POST", "/api/v1/conversions/"+m.orders["L-2"]+"/refunds", obj{"external_id": "R-1", "amount_minor": 2000, "occurred_at": "2026-11-29T01:00:00Z"}, http.StatusCreated)
	m.call(t, m.owner, "POST", "/api/v1/conversions/"+m.orders["J-2"]+"/refunds", obj{"external_id": "R-2", "amount_minor": 2999, "occurred_at": "2026-11-29T02:00:00Z"}, http.StatusCreated)
	for _, k := range []string{"820982911946154508", "L-3", "E-1", "J-1"} { // L-2 stays pending; J-2 was refunded before approval
		m.call(t, m.fin, "POST", "/api/v1/conversions/"+m.orders[k]+"/approve", nil, http.StatusOK)
	}
	// A $10.00 bonus for Luna: the agency takes 200; at the 30th's rate 7.2, ¥72.00.
	m.call(t, m.fin, "POST", "/api/v1/adjustments", obj{"creator_id": m.luna, "amount_minor": 1000, "currency": "USD",
		"reason": "Launch video bonus", "period": "2026-11"}, http.StatusCreated)

	// Finance closes November on 2 December.
	m.at(t, time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC))
	m.call(t, m.fin, "POST", "/api/v1/periods/2026-11/close", nil, http.StatusOK)
	return m
}

// at moves the clock and signs everyone in again (access tokens are short).
func (m *month) at(t testing.TB, when time.Time) {
	t.Helper()
	m.e.Clock.Set(when)
	m.owner, m.fin = m.e.Login(m.owner.Email, apitest.Password), m.e.Login(m.fin.Email, apitest.Password)
}

// download fetches a workbook as u and opens it.
func (m *month) download(t testing.TB, u apitest.User, path string) (*excelize.File, []byte) {
	t.Helper()
	res := m.e.Do(apitest.Request{Method: "GET", Path: path, Token: u.Token})
	if res.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, res.Status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("GET %s: content type %q", path, ct)
	}
	f, err := excelize.OpenReader(bytes.NewReader(res.Body))
	if err != nil {
		t.Fatalf("GET %s: not a workbook: %v", path, err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f, res.Body
}

// grid is a sheet's raw cell values (numbers as stored, not as formatted).
func grid(t testing.TB, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("sheet %s: %v", sheet, err)
	}
	return rows
}

// find returns the first row whose cells at the given columns read the given values.
func find(t testing.TB, rows [][]string, match map[int]string) []string {
	t.Helper()
next:
	for _, r := range rows {
		for c, v := range match {
			if c >= len(r) || r[c] != v {
				continue next
			}
		}
		return r
	}
	t.Fatalf("no row with %v", match)
	return nil
}

// minor reads a money cell's raw value as minor units with exp decimals.
func minor(t testing.TB, s string, exp int) int64 {
	t.Helper()
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return int64(math.Round(f * math.Pow10(exp)))
}

// figures reads cells from..to of a row as minor units, each with the exponent of its place.
func figures(t testing.TB, row []string, from int, exps ...int) []int64 {
	t.Helper()
	out := make([]int64, len(exps))
	for i, exp := range exps {
		c := from + i
		v := ""
		if c < len(row) {
			v = row[c]
		}
		out[i] = minor(t, v, exp)
	}
	return out
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func contains(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
