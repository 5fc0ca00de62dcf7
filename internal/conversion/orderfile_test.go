package conversion

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // America/Los_Angeles on machines without a zone database

	"github.com/xuri/excelize/v2"

	"github.com/caravan-crm/caravan/internal/money"
	"github.com/caravan-crm/caravan/internal/sheet"
)

func losAngeles(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func tiktokFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "tiktok-shop", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readSheet(t testing.TB, b []byte, name string) *sheet.Table {
	t.Helper()
	tab, err := sheet.Read(bytes.NewReader(b), int64(len(b)), name, sheet.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func parseFile(t *testing.T, b []byte, name string, opt FileOptions) (string, string, []Order, []sheet.CellError) {
	t.Helper()
	return ParseOrderFile(readSheet(t, b, name), opt)
}

func usdLA(t testing.TB) FileOptions { return FileOptions{Location: losAngeles(t), Currency: "USD"} }

// withoutLine drops the 1-based text line n of a CSV.
func withoutLine(b []byte, n int) []byte {
	lines := strings.SplitAfter(string(b), "\n")
	return []byte(strings.Join(append(lines[:n-1:n-1], lines[n:]...), ""))
}

func wantNoErrors(t *testing.T, errs []sheet.CellError) {
	t.Helper()
	if len(errs) > 0 {
		t.Fatalf("errors: %+v", errs)
	}
}

func TestOrderFileTikTokOrdersExportSumsSKULinesPerOrder(t *testing.T) {
	full := tiktokFixture(t, "orders-export.csv")
	for name, tc := range map[string]struct {
		body  []byte
		first int // the row of the first order
	}{
		"with the description row":    {full, 3},
		"without the description row": {withoutLine(full, 2), 2},
	} {
		t.Run(name, func(t *testing.T) {
			layout, source, orders, errs := parseFile(t, tc.body, "orders-export.csv", usdLA(t))
			wantNoErrors(t, errs)
			if layout != LayoutTikTokOrders || source != SourceTikTokShop {
				t.Fatalf("layout %q source %q", layout, source)
			}
			want := []Order{
				{Line: tc.first, Input: Input{ExternalID: "577012345678901234", OccurredAt: "2026-11-03T17:15:22Z", Currency: "USD",
					AmountMinor: ptr(int64(3599)), DiscountMinor: ptr(int64(400)),
					Items: []Item{{SKU: "NB-LAMP-01", Quantity: 1, AmountMinor: 3599}}}},
				{Line: tc.first + 1, Input: Input{ExternalID: "577012345678901999", OccurredAt: "2026-11-06T04:02:10Z", Currency: "USD",
					AmountMinor: ptr(int64(9997)), DiscountMinor: ptr(int64(500)),
					Items: []Item{{SKU: "NB-LAMP-01", Quantity: 2, AmountMinor: 7498}, {SKU: "NB-VASE-02", Quantity: 1, AmountMinor: 2499}}}},
				{Line: tc.first + 3, Canceled: true, Input: Input{ExternalID: "577012345678902555", OccurredAt: "2026-11-07T19:40:00Z", Currency: "USD",
					AmountMinor: ptr(int64(2499)), DiscountMinor: ptr(int64(0)),
					Items: []Item{{SKU: "NB-VASE-02", Quantity: 1, AmountMinor: 2499}}}},
				{Line: tc.first + 4, RefundedMinor: ptr(int64(3999)), Input: Input{ExternalID: "577012345678903777", OccurredAt: "2026-11-10T23:21:09Z", Currency: "USD",
					AmountMinor: ptr(int64(3999)), DiscountMinor: ptr(int64(0)),
					Items: []Item{{SKU: "NB-LAMP-01", Quantity: 1, AmountMinor: 3999}}}},
			}
			if !reflect.DeepEqual(orders, want) {
				t.Fatalf("orders\n got %s\nwant %s", dump(orders), dump(want))
			}
		})
	}
}

func TestOrderFileTikTokAffiliateExportAttributesToTheCreatorsAccount(t *testing.T) {
	layout, source, orders, errs := parseFile(t, tiktokFixture(t, "affiliate-orders-export.csv"), "affiliate.csv", FileOptions{Location: losAngeles(t)})
	wantNoErrors(t, errs)
	if layout != LayoutTikTokAffiliate || source != SourceTikTokShop {
		t.Fatalf("layout %q source %q", layout, source)
	}
	tiktok := ptr("tiktok")
	want := []Order{
		{Line: 2, Input: Input{ExternalID: "577012345678901234", OccurredAt: "2026-11-03T17:15:22Z", Currency: "USD",
			AmountMinor: ptr(int64(3599)), Platform: tiktok, AccountHandle: ptr("lunabeauty"),
			Items: []Item{{SKU: "1729384756102938475", Quantity: 1, AmountMinor: 3599}}}},
		{Line: 3, Input: Input{ExternalID: "577012345678901999", OccurredAt: "2026-11-06T04:02:10Z", Currency: "USD",
			AmountMinor: ptr(int64(9997)), Platform: tiktok, AccountHandle: ptr("jakemillerfits"),
			Items: []Item{{SKU: "1729384756102938475", Quantity: 2, AmountMinor: 7498}, {SKU: "1729384756102938499", Quantity: 1, AmountMinor: 2499}}}},
		// Ineligible: cancelled or refunded, so the whole order is recorded as refunded and earns nothing.
		{Line: 5, RefundedMinor: ptr(int64(3999)), Input: Input{ExternalID: "577012345678903777", OccurredAt: "2026-11-10T23:21:09Z", Currency: "USD",
			AmountMinor: ptr(int64(3999)), Platform: tiktok, AccountHandle: ptr("LunaBeauty"),
			Items: []Item{{SKU: "1729384756102938475", Quantity: 1, AmountMinor: 3999}}}},
	}
	if !reflect.DeepEqual(orders, want) {
		t.Fatalf("orders\n got %s\nwant %s", dump(orders), dump(want))
	}
}

func TestOrderFileTikTokAffiliateFallsBackOnPriceTimesQuantity(t *testing.T) {
	csv := "Order ID,Creator Username,Currency,Price,Quantity,Payment Amount,Order Created Time,Order Status\n" +
		"577012345678901999,@JakeMillerFits,USD,$37.49,2,,2026-11-05 20:02:10,Settled\n" +
		"577012345678901999,jakemillerfits,USD,24.99,1,24.99,2026-11-05 20:02:10,Ineligible\n"
	_, _, orders, errs := parseFile(t, []byte(csv), "a.csv", usdLA(t))
	wantNoErrors(t, errs)
	if len(orders) != 1 || *orders[0].Input.AmountMinor != 9997 || *orders[0].RefundedMinor != 2499 || *orders[0].Input.AccountHandle != "JakeMillerFits" {
		t.Fatalf("orders %s", dump(orders))
	}
}

func TestOrderFileTikTokCurrencyColumnAndPromoCode(t *testing.T) {
	csv := "order id,ORDER STATUS,Seller SKU,SKU ID,quantity,SKU Subtotal After Discount,Created Time,Currency,Voucher Code\n" +
		"577012345678901234,Cancelled,,1729,3,4500,11/03/2026 9:15:22 am,jpy,SPRING\n"
	layout, _, orders, errs := parseFile(t, []byte(csv), "o.csv", FileOptions{})
	wantNoErrors(t, errs)
	o := orders[0]
	if layout != LayoutTikTokOrders || !o.Canceled || o.Input.Currency != "JPY" || *o.Input.AmountMinor != 4500 ||
		o.Input.OccurredAt != "2026-11-03T09:15:22Z" || *o.Input.PromoCode != "SPRING" || o.Input.Items[0].SKU != "1729" || o.Input.DiscountMinor != nil {
		t.Fatalf("order %s", dump(o))
	}
}

func TestOrderFileTikTokPartialReturnRefundsItsShare(t *testing.T) {
	csv := "Order ID,Quantity,Sku Quantity of return,SKU Subtotal After Discount,Created Time\n" +
		"1,3,1,10.00,11/03/2026 09:15:22 AM\n" +
		"1,1,0,5.00,11/03/2026 09:15:22 AM\n" +
		"2,1,0,5.00,11/03/2026 09:15:22 AM\n"
	_, _, orders, errs := parseFile(t, []byte(csv), "o.csv", usdLA(t))
	wantNoErrors(t, errs)
	// round(1000 × 1 ÷ 3) = 333; order 2 has no returns, so the file says nothing of its refunds.
	if len(orders) != 2 || *orders[0].RefundedMinor != 333 || orders[1].RefundedMinor != nil {
		t.Fatalf("orders %s", dump(orders))
	}
}

func TestOrderFileGenericEnglishAndChinese(t *testing.T) {
	en := "Order Number,Order Date,Currency,Amount,Discount,Platform,Handle,Promo Code,Link Code,Click ID,Campaign ID,Creator ID,SKU,Quantity,Refunded,Status\n" +
		"#1042,2025-03-09 14:30,usd,\"$1,234.50\",10,TikTok,@Luna,LUNA10,lk1,clk1,camp1,cr1,SKU-1,2,,paid\n" +
		"#1042,2025-03-09 14:30,USD,15.50,,,,,,,,,SKU-2,1,5.00,\n" +
		"A-7,2025/3/10,EUR,€9.99,,,,,,,,,,,,Cancelled\n"
	zh := "订单号,下单时间,币种,金额,折扣,平台,达人账号,优惠码,链接代码,数量,SKU,退款金额,状态\n" +
		"#1042,2025-03-09 14:30:00,USD,1234.50,10.00,tiktok,@Luna,LUNA10,lk1,2,SKU-1,,\n" +
		"#1042,2025-03-09 14:30:00,USD,15.50,,,,,,1,SKU-2,5,\n" +
		"A-7,2025年3月10日,EUR,9.99,,,,,,,,,已取消\n"
	for name, csv := range map[string]string{"english": en, "chinese": zh} {
		t.Run(name, func(t *testing.T) {
			layout, source, orders, errs := parseFile(t, []byte(csv), "orders.csv", FileOptions{Location: losAngeles(t)})
			wantNoErrors(t, errs)
			if layout != LayoutGeneric || source != SourceFile || len(orders) != 2 {
				t.Fatalf("%q %q %s", layout, source, dump(orders))
			}
			a, b := orders[0], orders[1]
			if a.Line != 2 || a.Input.ExternalID != "#1042" || a.Input.OccurredAt != "2025-03-09T21:30:00Z" || a.Input.Currency != "USD" ||
				*a.Input.AmountMinor != 125000 || *a.Input.DiscountMinor != 1000 || *a.Input.Platform != "tiktok" || *a.Input.AccountHandle != "Luna" ||
				*a.Input.PromoCode != "LUNA10" || *a.Input.LinkCode != "lk1" || *a.RefundedMinor != 500 || a.Canceled ||
				!reflect.DeepEqual(a.Input.Items, []Item{{SKU: "SKU-1", Quantity: 2, AmountMinor: 123450}, {SKU: "SKU-2", Quantity: 1, AmountMinor: 1550}}) {
				t.Fatalf("first order %s", dump(a))
			}
			if name == "english" && (*a.Input.ClickID != "clk1" || *a.Input.CampaignID != "camp1" || *a.Input.CreatorID != "cr1") {
				t.Fatalf("first order %s", dump(a))
			}
			if b.Line != 4 || b.Input.ExternalID != "A-7" || b.Input.Currency != "EUR" || *b.Input.AmountMinor != 999 ||
				b.Input.OccurredAt != "2025-03-10T07:00:00Z" || !b.Canceled || b.RefundedMinor != nil || b.Input.DiscountMinor != nil || b.Input.Items != nil {
				t.Fatalf("second order %s", dump(b))
			}
		})
	}
}

func TestOrderFileGenericTimes(t *testing.T) {
	loc := losAngeles(t)
	for in, want := range map[string]string{
		"2025-03-09T14:30:00+08:00": "2025-03-09T06:30:00Z",
		"2025-03-09T14:30:00Z":      "2025-03-09T14:30:00Z",
		"2025-03-09 14:30:00Z":      "2025-03-09T14:30:00Z",
		"2025-03-09T14:30:00":       "2025-03-09T21:30:00Z",
		"2025-03-09 14:30:05.25":    "2025-03-09T21:30:05Z",
		"2025-03-09":                "2025-03-09T08:00:00Z",
		"2025/03/09 14:30":          "2025-03-09T21:30:00Z",
		"2025/3/9 9:05:01":          "2025-03-09T16:05:01Z",
		"2025年3月9日 14:30":           "2025-03-09T21:30:00Z",
	} {
		if got, ok := parseFileTime(in, loc, false); !ok || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "03/09/2025", "9 March 2025", "2025-13-01", "1969-12-31", "2025-03-09 25:00", "45678.5"} {
		if got, ok := parseFileTime(in, loc, false); ok {
			t.Errorf("%q read as %q", in, got)
		}
	}
	if got, ok := parseFileTime("11/05/2026 08:02:10 PM", loc, true); !ok || got != "2026-11-06T04:02:10Z" {
		t.Errorf("TikTok time: %q %v", got, ok)
	}
}

func TestOrderFileAmountsTakeSymbolsAndSeparatorsOfTheirCurrency(t *testing.T) {
	for _, tc := range []struct {
		in, cur string
		want    int64
		bad     string
	}{
		{in: "19.99", cur: "USD", want: 1999},
		{in: "$35.99", cur: "USD", want: 3599},
		{in: "US$ 1,234.50", cur: "USD", want: 123450},
		{in: "-$5", cur: "USD", want: -500},
		{in: "35.99 usd", cur: "USD", want: 3599},
		{in: "USD35.99", cur: "USD", want: 3599},
		{in: "¥1,500", cur: "JPY", want: 1500},
		{in: "￥12.50", cur: "CNY", want: 1250},
		{in: "12.345", cur: "KWD", want: 12345},
		{in: "1,000,000", cur: "USD", want: 100000000},
		{in: "€5", cur: "USD", bad: "marked €"},
		{in: "35.99 EUR", cur: "USD", bad: "marked EUR"},
		{in: "1,5", cur: "EUR", bad: "not an amount of EUR such as 19.99"},
		{in: "1.234,50", cur: "EUR", bad: "not an amount"},
		{in: "12.50", cur: "JPY", bad: "more decimals than JPY allows (0)"},
		{in: "1e3", cur: "USD", bad: "not an amount"},
		{in: "99999999999999999999", cur: "USD", bad: "too large"},
		{in: "abc", cur: "USD", bad: "not an amount"},
	} {
		got, msg := parseFileAmount(tc.in, tc.cur)
		if tc.bad != "" {
			if !strings.Contains(msg, tc.bad) {
				t.Errorf("%q %s: message %q, want %q", tc.in, tc.cur, msg, tc.bad)
			}
			continue
		}
		if msg != "" || got != tc.want {
			t.Errorf("%q %s: %d %q, want %d", tc.in, tc.cur, got, msg, tc.want)
		}
	}
}

func TestOrderFileErrorsNameTheRowAndTheColumnAsWritten(t *testing.T) {
	csv := "order no,Date,Currency,Net Amount,Quantity,Platform,Account\n" +
		"1,2025-03-09,USD,10.00,1,,\n" + // fine
		",2025-03-09,USD,10.00,1,,\n" + // 3: empty id
		"2,yesterday,USD,10.00,1,,\n" + // 4: bad time
		"3,2025-03-09,XYZ,10.00,1,,\n" + // 5: unknown currency
		"4,2025-03-09,USD,ten,1,,\n" + // 6: malformed amount
		"5,2025-03-09,USD,-3.00,1,,\n" + // 7: negative amount
		"6,2025-03-09,USD,3.00,0,,\n" + // 8: quantity
		"7,2025-03-09,USD,3.00,1.5,,\n" + // 9: quantity
		"1,2025-03-10,USD,1.00,1,,\n" + // 10: disagrees with row 2
		"8,2025-03-09,USD,,1,,\n" + // 11: empty amount
		"9,2025-03-09,USD,1.00,1,Myspace,x\n" + // 12: platform
		"10,2025-03-09,USD,1.00,1,,luna\n" + // 13: handle without platform
		"5.77012E+17,2025-03-09,USD,1.00,1,,\n" // 14: rounded by Excel
	_, _, orders, errs := parseFile(t, []byte(csv), "orders.csv", FileOptions{})
	want := []struct {
		row            int
		column, saying string
	}{
		{3, "order no", "the order id is empty"},
		{4, "Date", `not a date and time such as 2025-03-09 14:30:00 (the cell holds "yesterday")`},
		{5, "Currency", `not an ISO 4217 currency code such as USD (the cell holds "XYZ")`},
		{6, "Net Amount", `not an amount of USD such as 19.99 (the cell holds "ten")`},
		{7, "Net Amount", "must not be negative"},
		{8, "Quantity", "whole number of at least 1"},
		{9, "Quantity", "whole number of at least 1"},
		{10, "Date", `this line of order "1" says "2025-03-10", but its line on row 2 says "2025-03-09"`},
		{11, "Net Amount", "the amount is empty"},
		{12, "Platform", "not a platform Caravan knows"},
		{13, "Account", "a handle needs its platform"},
		{14, "order no", "shortened by Excel"},
	}
	if len(errs) != len(want) {
		t.Fatalf("errors %+v", errs)
	}
	for i, w := range want {
		e := errs[i]
		if e.Row != w.row || e.Column != w.column || !strings.Contains(e.Message, w.saying) {
			t.Errorf("error %d = %+v, want row %d column %q saying %q", i, e, w.row, w.column, w.saying)
		}
	}
	// Order 1 has a bad line: it is left out whole; the others with problems never became orders.
	if len(orders) != 0 {
		t.Fatalf("orders %s", dump(orders))
	}
}

func TestOrderFileMissingColumnsAreReportedOnTheHeaderRow(t *testing.T) {
	csv := "\n\nOrder ID,Amount\n1,10\n"
	_, _, _, errs := parseFile(t, []byte(csv), "o.csv", FileOptions{})
	if len(errs) != 2 {
		t.Fatalf("errors %+v", errs)
	}
	for _, e := range errs {
		if e.Row != 3 {
			t.Errorf("error %+v not on the header row 3", e)
		}
	}
	if errs[0].Column != "Date" || !strings.Contains(errs[0].Message, "required column is missing") ||
		errs[1].Column != "Currency" || !strings.Contains(errs[1].Message, "no Currency column") {
		t.Fatalf("errors %+v", errs)
	}
	_, _, _, errs = parseFile(t, []byte("Order ID,Amount,Date\n1,10,2025-01-01\n"), "o.csv", FileOptions{Currency: "usdx"})
	if len(errs) != 1 || !strings.Contains(errs[0].Message, `"USDX"`) {
		t.Fatalf("errors %+v", errs)
	}
	layout, _, _, errs := parseFile(t, []byte("Order ID,Creator Username,Order Created Time\n1,luna,2025-01-01 10:00:00\n"), "o.csv", FileOptions{Currency: "USD"})
	if layout != LayoutTikTokAffiliate || len(errs) != 1 || errs[0].Column != "Payment Amount" {
		t.Fatalf("%s %+v", layout, errs)
	}
}

func TestOrderFileTikTokRowsWithProblems(t *testing.T) {
	csv := "Order ID,Quantity,Sku Quantity of return,SKU Subtotal After Discount,Created Time,SKU Platform Discount\n" +
		"#12,1,0,1.00,11/03/2026 09:15:22 AM,0\n" +
		"13,1,2,1.00,11/03/2026 09:15:22 AM,0\n" +
		"14,1,0,1.00,11/03/2026 09:15:22 AM,-1\n" +
		"15,1,0,1.00,2026-11-03 09:15:22,0\n" +
		"15,1,0,1.00,11/04/2026 09:15:22 AM,0\n"
	_, _, orders, errs := parseFile(t, []byte(csv), "o.csv", usdLA(t))
	if len(errs) != 4 || errs[0].Row != 2 || !strings.Contains(errs[0].Message, "digits only") ||
		errs[1].Row != 3 || errs[1].Column != "Sku Quantity of return" || errs[2].Row != 4 || errs[2].Column != "SKU Platform Discount" ||
		errs[3].Row != 6 || errs[3].Column != "Created Time" {
		t.Fatalf("errors %+v", errs)
	}
	if len(orders) != 0 {
		t.Fatalf("orders %s", dump(orders))
	}
}

func TestOrderFileAffiliateLinesOfOneOrderMustNameOneCreator(t *testing.T) {
	csv := "Order ID,Creator Username,Currency,Payment Amount,Order Created Time\n" +
		"1,luna,USD,1.00,2025-01-01 10:00:00\n" +
		"1,@LUNA,USD,1.00,2025-01-01 10:00:00\n" +
		"1,jake,USD,1.00,2025-01-01 10:00:00\n"
	_, _, orders, errs := parseFile(t, []byte(csv), "a.csv", FileOptions{})
	if len(errs) != 1 || errs[0].Row != 4 || errs[0].Column != "Creator Username" || len(orders) != 0 {
		t.Fatalf("%+v %s", errs, dump(orders))
	}
}

func TestOrderFileGenericRefundAboveTheAmountIsRefused(t *testing.T) {
	csv := "Order ID,Date,Amount,Refund Amount\nA,2025-01-01,10,6\nA,2025-01-01,0,5\n"
	_, _, orders, errs := parseFile(t, []byte(csv), "o.csv", FileOptions{Currency: "USD"})
	if len(errs) != 1 || errs[0].Row != 2 || errs[0].Column != "Refund Amount" || !strings.Contains(errs[0].Message, "11.00 refunded, more than its amount 10.00") || len(orders) != 0 {
		t.Fatalf("%+v %s", errs, dump(orders))
	}
}

func TestOrderFileXLSXWithNumbersAndText(t *testing.T) {
	x := excelize.NewFile()
	rows := [][]any{
		{"订单号", "下单时间", "币种", "净额", "数量", "SKU", "平台", "账号"},
		{"577012345678901234", "2025-03-09 14:30:00", "USD", 35.99, 1, "NB-LAMP-01", "TikTok", "@lunabeauty"},
		{"577012345678901999", "2025-03-10", "JPY", 1500, 3, "NB-VASE-02", "", ""},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	layout, _, orders, errs := parseFile(t, buf.Bytes(), "orders.xlsx", FileOptions{Location: time.UTC})
	wantNoErrors(t, errs)
	if layout != LayoutGeneric || len(orders) != 2 {
		t.Fatalf("%s %s", layout, dump(orders))
	}
	a, b := orders[0].Input, orders[1].Input
	if a.ExternalID != "577012345678901234" || *a.AmountMinor != 3599 || a.OccurredAt != "2025-03-09T14:30:00Z" || *a.AccountHandle != "lunabeauty" || *a.Platform != "tiktok" ||
		b.Currency != "JPY" || *b.AmountMinor != 1500 || b.Items[0].Quantity != 3 || b.AccountHandle != nil {
		t.Fatalf("orders %s", dump(orders))
	}
}

func FuzzParseOrderFile(f *testing.F) {
	f.Add(tiktokFixture(f, "orders-export.csv"))
	f.Add(tiktokFixture(f, "affiliate-orders-export.csv"))
	f.Add([]byte("Order ID,Date,Currency,Amount,Discount,Platform,Handle,SKU,Quantity,Refunded,Status\n" +
		"#1,2025-03-09 14:30,USD,\"$1,234.50\",1,TikTok,@a,S,2,1,paid\n#1,2025-03-09 14:30,,2,,,,S2,,,\n"))
	f.Add([]byte("订单号,下单时间,币种,金额,数量\nA,2025年3月9日,JPY,¥1500,1\n"))
	f.Add([]byte("Order ID,Quantity,Sku Quantity of return,SKU Subtotal After Discount,Created Time\n1,3,1,10.00,11/03/2026 09:15:22 AM\n"))
	f.Add([]byte("Order ID,Creator Username,Price,Quantity,Order Created Time\n1,@x,9223372036854775.807,2,2025-01-01 00:00:00\n"))
	loc := losAngeles(f)
	lim := sheet.Limits{MaxBytes: 1 << 16, MaxRows: 200, MaxColumns: 30, MaxCellBytes: 1 << 10}
	f.Fuzz(func(t *testing.T, b []byte) {
		tab, err := sheet.Read(bytes.NewReader(b), int64(len(b)), "fuzz.csv", lim)
		if err != nil {
			return
		}
		layout, source, orders, errs := ParseOrderFile(tab, FileOptions{Location: loc, Currency: "USD"})
		if layout == "" || source == "" {
			t.Fatalf("layout %q source %q", layout, source)
		}
		for _, e := range errs {
			if e.Row < 1 || e.Message == "" {
				t.Fatalf("error %+v", e)
			}
		}
		ids := map[string]bool{}
		for _, o := range orders {
			in := o.Input
			if in.ExternalID == "" || ids[in.ExternalID] || !money.ValidCurrency(in.Currency) || in.AmountMinor == nil || *in.AmountMinor < 0 {
				t.Fatalf("order %s", dump(o))
			}
			ids[in.ExternalID] = true
			if _, err := time.Parse(time.RFC3339, in.OccurredAt); err != nil {
				t.Fatalf("order %s: %v", dump(o), err)
			}
			if (in.DiscountMinor != nil && *in.DiscountMinor < 0) || (o.RefundedMinor != nil && (*o.RefundedMinor < 0 || *o.RefundedMinor > *in.AmountMinor)) {
				t.Fatalf("order %s", dump(o))
			}
			for _, it := range in.Items {
				if it.Quantity <= 0 || it.AmountMinor < 0 {
					t.Fatalf("item %+v", it)
				}
			}
			if _, err := json.Marshal(o); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestOrderFileBoundsTheLinesOfOneOrder(t *testing.T) {
	var b strings.Builder
	b.WriteString("Order ID,Date,Amount,SKU\n")
	for range maxLinesPerOrder + 5 {
		b.WriteString("A,2025-01-01,1.00,S\n")
	}
	b.WriteString("B,2025-01-01,1.00,S\n")
	_, _, orders, errs := parseFile(t, []byte(b.String()), "o.csv", FileOptions{Currency: "USD"})
	if len(errs) != 1 || errs[0].Row != maxLinesPerOrder+2 || !strings.Contains(errs[0].Message, "more than 1000 lines") ||
		len(orders) != 1 || orders[0].Input.ExternalID != "B" {
		t.Fatalf("%+v %d orders", errs, len(orders))
	}
}

func TestOrderFileWithOnlyTikToksDescriptionRowHasNoOrders(t *testing.T) {
	_, _, orders, errs := parseFile(t, withoutLine(withoutLine(withoutLine(withoutLine(withoutLine(tiktokFixture(t, "orders-export.csv"), 3), 3), 3), 3), 3), "o.csv", usdLA(t))
	if len(orders) != 0 || len(errs) != 1 || errs[0].Row != 2 || errs[0].Column != "Order ID" {
		t.Fatalf("%+v %s", errs, dump(orders))
	}
}
