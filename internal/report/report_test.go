package report_test

import (
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// Exponents of the figures: counts have none, USD and EUR 2, JPY 0; base amounts are CNY (2).
const (
	n   = 0
	usd = 2
	eur = 2
	jpy = 0
	cny = 2
)

func TestTheChineseCommissionWorkbookOfAClosedMonthMatchesTheLedgerToTheCent(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		m := newMonth(t, db)
		f, _ := m.download(t, m.fin, "/api/v1/reports/commissions.xlsx?period=2026-11&lang=zh-CN")
		if got, want := f.GetSheetList(), []string{"封面", "汇总", "明细", "按活动", "按平台", "按机构", "汇率"}; !slices.Equal(got, want) {
			t.Fatalf("sheets = %v, want %v", got, want)
		}

		cover := grid(t, f, "封面")
		for label, want := range map[string]string{"公司": "宁波家居 Ningbo Home", "账期": "2026-11", "结账状态": "已结账", "本位币": "CNY",
			"分录条数": "9", "时区": "Asia/Shanghai"} {
			if got := find(t, cover, map[int]string{0: label})[1]; got != want {
				t.Errorf("cover %s = %q, want %q", label, got, want)
			}
		}
		if r := find(t, cover, map[int]string{0: "舍入规则"}); !contains(r[1], "只舍入一次", "四舍五入", "合计均为已舍入分录之和") {
			t.Errorf("rounding rule = %q", r[1])
		}
		if r := find(t, cover, map[int]string{0: "结账时间"}); r[1] == "" {
			t.Error("the cover does not say when the month was closed")
		}

		// Summary: the statements, by hand. Luna (USD, agency 20 %): commissions 800 + 500 + 500, the
		// refund's −200, the $10.00 bonus; the agency's 160 + 100 + 100 − 40 + 200 = 520; payable over
		// the approved orders and the bonus: (800 − 160) + (500 − 100) + (1000 − 200) = 1840; pending
		// over L-2: (500 − 100) + (−200 + 40) = 240; in CNY: 5680 − 1136 + 3600 − 720 + 7200 − 1440 = 13184.
		sum := grid(t, f, "汇总")
		if want := []string{"达人", "达人ID", "币种", "订单数", "GMV", "佣金", "冲销", "调整", "机构分成", "应付", "待审核", "应付（本位币）"}; !slices.Equal(sum[0], want) {
			t.Errorf("summary headers = %v", sum[0])
		}
		for _, c := range []struct {
			name, currency string
			exp            int
			want           []int64
		}{
			{"Luna", "USD", usd, []int64{3, 16333, 1800, -200, 1000, 520, 1840, 240, 13184}},
			{"'" + injection, "EUR", eur, []int64{1, 1999, 160, 0, 0, 0, 160, 0, 1248}},
			// Kenji: J-2 was refunded in full before approval, so it is neither payable nor pending.
			{"Kenji", "JPY", jpy, []int64{2, 4499, 540, -360, 0, 0, 180, 0, 864}},
		} {
			r := find(t, sum, map[int]string{0: c.name, 2: c.currency})
			e := c.exp
			if got := figures(t, r, 3, n, e, e, e, e, e, e, e, cny); !equal(got, c.want) {
				t.Errorf("summary %s %s = %v, want %v", c.name, c.currency, got, c.want)
			}
		}
		// Rows are sorted by currency: EUR (row 2), JPY (3), USD (4); each currency's totals are SUMs.
		for cur, row := range map[string]int{"EUR": 2, "JPY": 3, "USD": 4} {
			tr := find(t, sum, map[int]string{0: "合计 " + cur})
			data := find(t, sum, map[int]string{2: cur})
			if !slices.Equal(tr[3:], data[3:]) {
				t.Errorf("totals %s = %v, want the single row's %v", cur, tr[3:], data[3:])
			}
			ref := rowOf(t, sum, "合计 "+cur)
			for col := 3; col <= 11; col++ {
				cell, _ := excelize.CoordinatesToCellName(col+1, ref)
				letter := strings.TrimRight(cell, "0123456789")
				want := "SUM(" + letter + itoa(row) + ":" + letter + itoa(row) + ")"
				if fm, _ := f.GetCellFormula("汇总", cell); fm != want {
					t.Errorf("%s formula = %q, want %q", cell, fm, want)
				}
			}
		}
		base := find(t, sum, map[int]string{0: "应付合计（本位币）"})
		if got := minor(t, base[11], cny); got != 13184+1248+864 {
			t.Errorf("base payable total = %d, want 15296", got)
		}
		if fm, _ := f.GetCellFormula("汇总", "L8"); fm != "SUM(L2:L4)" {
			t.Errorf("base total formula = %q", fm)
		}

		// Entries: every ledger entry, with its order, names, explanation in words.
		es := grid(t, f, "明细")
		if len(es) != 1+9 {
			t.Fatalf("%d entry rows, want 9", len(es)-1)
		}
		if want := []string{"分录编号", "订单号", "订单来源", "下单时间", "发生时间", "账期", "达人", "达人ID", "平台", "账号", "活动", "类型", "订单状态",
			"佣金比例", "计佣基数", "金额", "币种", "机构分成", "本位币金额", "汇率", "计算说明"}; !slices.Equal(es[0], want) {
			t.Errorf("entry headers = %v", es[0])
		}
		big := find(t, es, map[int]string{1: "820982911946154508"})
		if typ, _ := f.GetCellType("明细", "B"+itoa(rowOf2(es, 1, "820982911946154508"))); typ != excelize.CellTypeInlineString {
			t.Errorf("the 18-digit order number is not text: %v", typ)
		}
		orderAt, err := excelize.ExcelDateToTime(parse(t, big[3]), false)
		if err != nil || !orderAt.Equal(time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)) { // 10:00 UTC is 18:00 in Shanghai
			t.Errorf("order date = %v (%v), want 2026-11-24 18:00 Shanghai", orderAt, err)
		}
		if big[8] != "TikTok" || big[9] != "luna" || big[10] != "Spring tea" || big[11] != "佣金" || big[12] != "已审核" ||
			big[13] != "0.1" || minor(t, big[14], usd) != 8000 || minor(t, big[15], usd) != 800 || big[16] != "USD" ||
			minor(t, big[17], usd) != 160 || minor(t, big[18], cny) != 5680 || big[19] != "7.1" {
			t.Errorf("order 820982911946154508's entry = %v", big)
		}
		tier := find(t, es, map[int]string{1: "L-3", 11: "佣金"})
		if tier[13] != "0.15" || minor(t, tier[15], usd) != 500 || minor(t, tier[18], cny) != 3600 || tier[19] != "7.2" ||
			!contains(tier[20], "方案 v1 阶梯", "第 2 档", "本单前 GMV $130.00", "15.00% × $33.33（净额）= $5.00", "汇率 7.2（2026-11-27）→ ¥36.00") {
			t.Errorf("L-3's entry = %v", tier)
		}
		refund := find(t, es, map[int]string{1: "L-2", 11: "冲销"})
		if minor(t, refund[15], usd) != -200 || minor(t, refund[17], usd) != -40 || minor(t, refund[18], cny) != -1420 || refund[12] != "待审核" ||
			!contains(refund[20], "−（佣金 $5.00 × 退款 $20.00 ÷ 订单 $50.00）= −$2.00") {
			t.Errorf("L-2's reversal = %v", refund)
		}
		full := find(t, es, map[int]string{1: "J-2", 11: "冲销"})
		if minor(t, full[15], jpy) != -360 || full[12] != "已冲销" || full[8] != "Instagram" || !contains(full[20], "全额退款") {
			t.Errorf("J-2's reversal = %v", full)
		}
		override := find(t, es, map[int]string{1: "J-1"})
		if override[13] != "0.12" || minor(t, override[15], jpy) != 180 || minor(t, override[18], cny) != 864 || !contains(override[20], "达人专属比例", "¥1,500") {
			t.Errorf("J-1's entry = %v", override)
		}
		adj := find(t, es, map[int]string{11: "调整"})
		if adj[6] != "Luna" || adj[1] != "" || minor(t, adj[15], usd) != 1000 || minor(t, adj[17], usd) != 200 || minor(t, adj[18], cny) != 7200 ||
			!contains(adj[20], "调整 $10.00", "备注：Launch video bonus") {
			t.Errorf("adjustment = %v", adj)
		}
		if r := find(t, es, map[int]string{1: "E-1"}); r[6] != "'"+injection || r[8] != "YouTube" {
			t.Errorf("E-1's entry = %v", r)
		}
		var entrySum int64
		for _, r := range es[1:] {
			if r[16] == "USD" {
				entrySum += minor(t, r[15], usd)
			}
		}
		if entrySum != 1800-200+1000 {
			t.Errorf("the USD entries add up to %d, want 2600", entrySum)
		}

		// The same figures by campaign, platform and agency: orders, GMV, commission, reversals,
		// adjustments, net commission, agency share, net to creators.
		groups := []struct {
			sheet  string
			key    map[int]string
			from   int
			exp    int
			figure []int64
		}{
			{"按活动", map[int]string{0: "Spring tea", 1: "USD"}, 2, usd, []int64{3, 16333, 1800, -200, 0, 1600, 320, 1280}},
			{"按活动", map[int]string{0: "（无活动）", 1: "USD"}, 2, usd, []int64{0, 0, 0, 0, 1000, 1000, 200, 800}},
			{"按活动", map[int]string{0: "Matcha", 1: "EUR"}, 2, eur, []int64{1, 1999, 160, 0, 0, 160, 0, 160}},
			{"按活动", map[int]string{0: "Matcha", 1: "JPY"}, 2, jpy, []int64{2, 4499, 540, -360, 0, 180, 0, 180}},
			{"按活动", map[int]string{0: "合计 USD", 1: "USD"}, 2, usd, []int64{3, 16333, 1800, -200, 1000, 2600, 520, 2080}},
			{"按平台", map[int]string{0: "TikTok", 1: "USD"}, 2, usd, []int64{3, 16333, 1800, -200, 0, 1600, 320, 1280}},
			{"按平台", map[int]string{0: "（无平台）", 1: "USD"}, 2, usd, []int64{0, 0, 0, 0, 1000, 1000, 200, 800}},
			{"按平台", map[int]string{0: "YouTube", 1: "EUR"}, 2, eur, []int64{1, 1999, 160, 0, 0, 160, 0, 160}},
			{"按平台", map[int]string{0: "Instagram", 1: "JPY"}, 2, jpy, []int64{2, 4499, 540, -360, 0, 180, 0, 180}},
			{"按机构", map[int]string{0: "Star MCN", 1: "0.2", 2: "1", 3: "USD"}, 4, usd, []int64{3, 16333, 1800, -200, 1000, 2600, 520, 2080}},
			{"按机构", map[int]string{0: "（无机构）", 3: "EUR"}, 4, eur, []int64{1, 1999, 160, 0, 0, 160, 0, 160}},
			{"按机构", map[int]string{0: "（无机构）", 3: "JPY"}, 4, jpy, []int64{2, 4499, 540, -360, 0, 180, 0, 180}},
			{"按机构", map[int]string{0: "合计 JPY", 3: "JPY"}, 4, jpy, []int64{2, 4499, 540, -360, 0, 180, 0, 180}},
		}
		for _, g := range groups {
			r := find(t, grid(t, f, g.sheet), g.key)
			e := g.exp
			if got := figures(t, r, g.from, n, e, e, e, e, e, e, e); !equal(got, g.figure) {
				t.Errorf("%s %v = %v, want %v", g.sheet, g.key, got, g.figure)
			}
		}
		// The campaign sheet's USD rows are Spring tea (row 4) then the adjustment (row 5), after EUR and JPY.
		if fm, _ := f.GetCellFormula("按活动", "E8"); fm != "SUM(E4:E5)" {
			t.Errorf("按活动 E8 = %q, want the USD commission total SUM(E4:E5)", fm)
		}

		// FX rates: each rate the entries used, with the day it was quoted for and how many entries used it.
		fx := grid(t, f, "汇率")
		for _, want := range [][]string{
			{"EUR", "CNY", "7.8", "2026-11-01", "1"}, {"JPY", "CNY", "0.048", "2026-11-01", "3"},
			{"USD", "CNY", "7.1", "2026-11-01", "3"}, {"USD", "CNY", "7.2", "2026-11-27", "2"},
		} {
			r := find(t, fx, map[int]string{0: want[0], 2: want[2]})
			day, _ := excelize.ExcelDateToTime(parse(t, r[3]), false)
			if r[1] != want[1] || day.Format("2006-01-02") != want[3] || r[4] != want[4] {
				t.Errorf("FX row %v, want %v", r, want)
			}
		}
		if len(fx) != 5 {
			t.Errorf("%d FX rows, want 4", len(fx)-1)
		}

		// The workbook agrees with the statements the API answers.
		st := m.call(t, m.fin, "GET", "/api/v1/statements?period=2026-11", nil, http.StatusOK)
		for _, it := range st["items"].([]any) {
			line := it.(obj)
			r := find(t, sum, map[int]string{1: line["creator_id"].(string), 2: line["currency"].(string)})
			exp := map[string]int{"USD": usd, "EUR": eur, "JPY": jpy}[line["currency"].(string)]
			if minor(t, r[9], exp) != int64(line["payable_minor"].(float64)) || minor(t, r[5], exp) != int64(line["commission_minor"].(float64)) {
				t.Errorf("summary row %v disagrees with the statement %v", r, line)
			}
		}
	})
}

func TestTheEnglishWorkbookNamesItsSheetsAndValuesInEnglish(t *testing.T) {
	m := newMonth(t, storetest.SQLite(t))
	f, _ := m.download(t, m.owner, "/api/v1/reports/commissions.xlsx?period=2026-11&lang=en")
	if got, want := f.GetSheetList(), []string{"Cover", "Summary", "Entries", "By campaign", "By platform", "By agency", "FX rates"}; !slices.Equal(got, want) {
		t.Fatalf("sheets = %v, want %v", got, want)
	}
	es := grid(t, f, "Entries")
	r := find(t, es, map[int]string{1: "L-2", 11: "Reversal"})
	if r[12] != "Pending" || !contains(r[20], "−($5.00 × $20.00 refunded ÷ $50.00) = −$2.00", "FX 7.1 → −¥14.20") {
		t.Errorf("L-2's reversal in English = %v", r)
	}
	cover := grid(t, f, "Cover")
	if got := find(t, cover, map[int]string{0: "Status"})[1]; got != "Closed" {
		t.Errorf("status = %q", got)
	}
	// Without lang, the browser's language decides.
	res := m.e.Do(apitest.Request{Method: "GET", Path: "/api/v1/reports/commissions.xlsx?period=2026-11", Token: m.fin.Token,
		Headers: map[string]string{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}})
	if res.Status != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), "commissions-2026-11.xlsx") {
		t.Fatalf("download: %d %v", res.Status, res.Header)
	}
	zh, err := excelize.OpenReader(strings.NewReader(string(res.Body)))
	if err != nil || zh.GetSheetList()[0] != "封面" {
		t.Errorf("Accept-Language zh-CN gave sheets %v (%v)", zh.GetSheetList(), err)
	}
}

func TestADateRangeWorkbookShowsTheEntriesOfThoseDaysInTheOrganizationsZone(t *testing.T) {
	m := newMonth(t, storetest.SQLite(t))
	f, _ := m.download(t, m.fin, "/api/v1/reports/commissions.xlsx?from=2026-11-25&to=2026-11-26&lang=en")
	es := grid(t, f, "Entries")
	var orders []string
	for _, r := range es[1:] {
		orders = append(orders, r[1])
	}
	slices.Sort(orders)
	// 25 and 26 November in Shanghai: L-2, E-1, J-1 and J-2; not the 24th's 18:00 order, the refunds or the bonus.
	if !slices.Equal(orders, []string{"E-1", "J-1", "J-2", "L-2"}) {
		t.Errorf("orders = %v", orders)
	}
	if got := find(t, grid(t, f, "Cover"), map[int]string{0: "Dates"})[1]; got != "2026-11-25 – 2026-11-26" {
		t.Errorf("dates = %q", got)
	}
}

func TestARefundAfterTheCloseIsADecemberClawbackAndNovembersWorkbookDoesNotChange(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		m := newMonth(t, db)
		const path = "/api/v1/reports/commissions.xlsx?period=2026-11&lang=en"
		before, _ := m.download(t, m.fin, path)
		// Half of order 820982911946154508 comes back, dated the 30th of the closed November.
		m.call(t, m.owner, "POST", "/api/v1/conversions/"+m.orders["820982911946154508"]+"/refunds",
			obj{"external_id": "R-late", "amount_minor": 4000, "occurred_at": "2026-11-30T10:00:00Z"}, http.StatusCreated)
		after, _ := m.download(t, m.fin, path)
		for _, sh := range []string{"Summary", "Entries", "By campaign", "By platform", "By agency", "FX rates"} {
			if b, a := grid(t, before, sh), grid(t, after, sh); !slices.EqualFunc(b, a, slices.Equal) {
				t.Errorf("November's %s changed after a late refund:\nbefore %v\nafter  %v", sh, b, a)
			}
		}
		dec, _ := m.download(t, m.fin, "/api/v1/reports/commissions.xlsx?period=2026-12&lang=en")
		es := grid(t, dec, "Entries")
		if len(es) != 2 {
			t.Fatalf("December has %d entries, want the clawback alone", len(es)-1)
		}
		r := es[1]
		if r[1] != "820982911946154508" || r[5] != "2026-12" || r[11] != "Reversal" || minor(t, r[15], usd) != -400 || minor(t, r[17], usd) != -80 ||
			minor(t, r[18], cny) != -2840 || !contains(r[20], "2026-11 was closed: booked in 2026-12") {
			t.Errorf("clawback = %v", r)
		}
		// The order was approved: the clawback is payable, −400 + 80, and −2840 + 568 in CNY.
		s := find(t, grid(t, dec, "Summary"), map[int]string{0: "Luna"})
		if got := figures(t, s, 3, n, usd, usd, usd, usd, usd, usd, usd, cny); !equal(got, []int64{0, 0, 0, -400, 0, -80, -320, 0, -2272}) {
			t.Errorf("December's Luna = %v", got)
		}
	})
}

// An approved order rejected after its month closed is clawed back in the first open month, like a
// late refund: November's statements and workbook do not change, December's reversal is payable.
func TestRejectingAnApprovedOrderAfterTheCloseIsADecemberClawback(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		m := newMonth(t, db)
		const path = "/api/v1/reports/commissions.xlsx?period=2026-11&lang=en"
		before, _ := m.download(t, m.fin, path)
		stBefore := m.call(t, m.fin, "GET", "/api/v1/statements?period=2026-11", nil, http.StatusOK)
		m.call(t, m.fin, "POST", "/api/v1/conversions/"+m.orders["L-3"]+"/reject", obj{"reason": "returned as damaged"}, http.StatusOK)
		after, _ := m.download(t, m.fin, path)
		for _, sh := range []string{"Summary", "Entries", "By campaign", "By platform", "By agency"} {
			b, a := grid(t, before, sh), grid(t, after, sh)
			if sh == "Entries" { // every figure stays; the order's status column says what it is now
				if r := rowOf2(a, 1, "L-3"); r == 0 || a[r-1][12] != "Rejected" {
					t.Errorf("L-3's status in the Entries sheet is not Rejected: %v", a)
				}
				for _, rows := range [][][]string{b, a} {
					for _, r := range rows {
						r[12] = ""
					}
				}
			}
			if !slices.EqualFunc(b, a, slices.Equal) {
				t.Errorf("November's %s changed after a late rejection:\nbefore %v\nafter  %v", sh, b, a)
			}
		}
		if stAfter := m.call(t, m.fin, "GET", "/api/v1/statements?period=2026-11", nil, http.StatusOK); !reflect.DeepEqual(stBefore["items"], stAfter["items"]) {
			t.Errorf("November's statements changed after a late rejection:\nbefore %v\nafter  %v", stBefore["items"], stAfter["items"])
		}
		// L-3's commission was 500, the agency's share 100: December claws back −500 + 100.
		dec := m.call(t, m.fin, "GET", "/api/v1/statements?period=2026-12", nil, http.StatusOK)
		items, _ := dec["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("December's statements = %v, want Luna's clawback alone", items)
		}
		l := items[0].(map[string]any)
		if l["creator_name"] != "Luna" || l["reversal_minor"] != -500.0 || l["agency_share_minor"] != -100.0 || l["payable_minor"] != -400.0 || l["pending_minor"] != 0.0 {
			t.Errorf("December's line = %v", l)
		}
	})
}

func TestTheStatementWorkbookIsTheCreatorsMonthInEnglishByDefault(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		m := newMonth(t, db)
		f, _ := m.download(t, m.fin, "/api/v1/statements/"+m.luna+".xlsx?period=2026-11")
		if got := f.GetSheetList(); !slices.Equal(got, []string{"Statement", "Orders"}) {
			t.Fatalf("sheets = %v", got)
		}
		top := grid(t, f, "Statement")
		if got := find(t, top, map[int]string{0: "Creator"})[1]; got != "Luna" {
			t.Errorf("creator = %q", got)
		}
		if got := find(t, top, map[int]string{0: "From"})[1]; got != "宁波家居 Ningbo Home" {
			t.Errorf("from = %q", got)
		}
		line := find(t, top, map[int]string{0: "USD"})
		if got := figures(t, line, 1, n, usd, usd, usd, usd, usd, usd, usd); !equal(got, []int64{3, 16333, 1800, -200, 1000, 520, 1840, 240}) {
			t.Errorf("statement line = %v", got)
		}
		orders := grid(t, f, "Orders")
		if len(orders) != 1+5+1 {
			t.Fatalf("%d rows in Orders, want a header, 5 entries and a total: %v", len(orders), orders)
		}
		total := find(t, orders, map[int]string{0: "Total USD"})
		if minor(t, total[11], usd) != 2600 || minor(t, total[13], usd) != 520 {
			t.Errorf("total = %v", total)
		}
		if fm, _ := f.GetCellFormula("Orders", "L7"); fm != `SUMIF(M2:M6,"USD",L2:L6)` {
			t.Errorf("total formula = %q", fm)
		}
		for _, r := range orders[1:6] {
			if r[12] != "USD" {
				t.Errorf("an entry of another currency: %v", r)
			}
		}

		zh, _ := m.download(t, m.fin, "/api/v1/statements/"+m.kenji+".xlsx?period=2026-11&lang=zh-CN")
		if got := zh.GetSheetList(); !slices.Equal(got, []string{"对账单", "订单明细"}) {
			t.Fatalf("Chinese sheets = %v", got)
		}
		if l := find(t, grid(t, zh, "对账单"), map[int]string{0: "JPY"}); !equal(figures(t, l, 1, n, jpy, jpy, jpy, jpy, jpy, jpy, jpy), []int64{2, 4499, 540, -360, 0, 0, 180, 0}) {
			t.Errorf("Kenji's statement line = %v", l)
		}
		inj, _ := m.download(t, m.fin, "/api/v1/statements/"+m.inj+".xlsx?period=2026-11")
		if got := find(t, grid(t, inj, "Statement"), map[int]string{0: "Creator"})[1]; got != "'"+injection {
			t.Errorf("the formula-named creator is written %q", got)
		}
	})
}

func TestWorkbookDownloadsAreForFinanceOfTheSameOrganization(t *testing.T) {
	m := newMonth(t, storetest.SQLite(t))
	e := m.e
	b := e.NewOrg("Org B", "owner@b.example")
	statement := "/api/v1/statements/" + m.luna + ".xlsx?period=2026-11"
	e.ExpectCrossOrgNotFound(b, []apitest.CrossOrgCase{
		{Method: "GET", Path: statement},
		{Method: "GET", Path: "/api/v1/statements/" + m.luna + ".xlsx"}, // 404 before any question about the query
		{Method: "GET", Path: "/api/v1/statements/" + m.luna},
	})
	// B's own workbook of the month holds none of A's entries.
	bf, _ := m.download(t, b, "/api/v1/reports/commissions.xlsx?period=2026-11&lang=en")
	if got := find(t, grid(t, bf, "Cover"), map[int]string{0: "Ledger entries"})[1]; got != "0" {
		t.Errorf("B's workbook counts %s entries", got)
	}
	if rows := grid(t, bf, "Entries"); len(rows) != 1 {
		t.Errorf("B's workbook shows %d entries", len(rows)-1)
	}
	seller := e.AddUser(m.owner, "seller@nb.example", actor.RoleManager)
	for _, p := range []string{statement, "/api/v1/reports/commissions.xlsx?period=2026-11"} {
		e.Expect(http.StatusForbidden, apitest.Request{Method: "GET", Path: p, Token: seller.Token})
	}
	for _, q := range []string{"", "?period=2026-13", "?period=2026-11&from=2026-11-01&to=2026-11-02", "?from=2026-11-05&to=2026-11-01",
		"?period=2026-11&lang=fr"} {
		res := e.Expect(http.StatusBadRequest, apitest.Request{Method: "GET", Path: "/api/v1/reports/commissions.xlsx" + q, Token: m.fin.Token})
		if code := res.ErrorCode(t); code != "invalid_parameter" {
			t.Errorf("%s: code %s", q, code)
		}
	}
}

func TestCreatorNamesAreInertTextAndTheOnlyFormulasAreTotals(t *testing.T) {
	m := newMonth(t, storetest.SQLite(t))
	for _, path := range []string{"/api/v1/reports/commissions.xlsx?period=2026-11&lang=zh-CN", "/api/v1/statements/" + m.inj + ".xlsx?period=2026-11"} {
		f, _ := m.download(t, m.fin, path)
		total := regexp.MustCompile(`^(SUM\([A-Z]+\d+:[A-Z]+\d+\)|SUMIF\([A-Z]+\d+:[A-Z]+\d+,"[A-Z]{3}",[A-Z]+\d+:[A-Z]+\d+\))$`)
		formulas, named := 0, 0
		for _, sh := range f.GetSheetList() {
			for r, row := range grid(t, f, sh) {
				for c, v := range row {
					cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
					fm, _ := f.GetCellFormula(sh, cell)
					if fm != "" {
						formulas++
						if !total.MatchString(fm) {
							t.Errorf("%s!%s has formula %q", sh, cell, fm)
						}
					}
					if v == injection {
						t.Errorf("%s!%s holds the name as a live formula", sh, cell)
					}
					if v == "'"+injection {
						named++
					}
				}
			}
		}
		if formulas == 0 || named == 0 {
			t.Errorf("%s: %d formulas, the name found %d times", path, formulas, named)
		}
	}
}

func rowOf(t testing.TB, rows [][]string, first string) int {
	t.Helper()
	if r := rowOf2(rows, 0, first); r > 0 {
		return r
	}
	t.Fatalf("no row starting %q", first)
	return 0
}

// rowOf2 is the 1-based row whose column col reads v, 0 when none does.
func rowOf2(rows [][]string, col int, v string) int {
	for i, r := range rows {
		if col < len(r) && r[col] == v {
			return i + 1
		}
	}
	return 0
}

func itoa(i int) string { return strconv.Itoa(i) }

func parse(t testing.TB, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return f
}
