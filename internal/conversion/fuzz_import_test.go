package conversion_test

import (
	"bytes"
	"context"
	"maps"
	"os"
	"testing"

	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// clientKinds are the apperr kinds the HTTP layer answers with a 4xx.
var clientKinds = map[apperr.Kind]bool{
	apperr.KindBadRequest: true, apperr.KindUnauthorized: true, apperr.KindForbidden: true, apperr.KindNotFound: true,
	apperr.KindConflict: true, apperr.KindTooLarge: true, apperr.KindUnsupported: true, apperr.KindValidation: true,
	apperr.KindPrecondition: true, apperr.KindRateLimited: true,
}

// rowCounts counts the rows of every table an order-file import could write.
func rowCounts(tb testing.TB, db *bun.DB) map[string]int {
	tb.Helper()
	out := map[string]int{}
	for _, table := range []string{"conversions", "conversion_items", "refunds", "ledger_entries", "audit_log"} {
		var n int
		if err := db.NewSelect().TableExpr(table).ColumnExpr("COUNT(*)").Scan(context.Background(), &n); err != nil {
			tb.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// ordersXLSX is a small generic order file as a spreadsheet: Chinese headers, numbers as numbers.
func ordersXLSX(tb testing.TB) []byte {
	tb.Helper()
	x := excelize.NewFile()
	defer x.Close()
	rows := [][]any{
		{"订单号", "下单时间", "币种", "净额", "折扣", "数量", "SKU", "平台", "账号", "优惠码", "退款金额"},
		{"X-1", "2026-11-20 14:30:00", "USD", 35.99, 4, 1, "NB-LAMP-01", "TikTok", "@luna", "", ""},
		{"X-2", "2026-11-21", "JPY", 1500, 0, 3, "NB-VASE-02", "", "", "LUNA10", 500},
		{"X-2", "2026-11-21", "JPY", 700, 0, 1, "NB-VASE-03", "", "", "LUNA10", 500},
		{"X-3", "2026-11-22 08:00", "EUR", 12.5, "", 1, "NB-TEX-04", "", "", "", ""},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			tb.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzImportOrderFileDryRun runs arbitrary bytes, as a .csv or an .xlsx, with arbitrary time zone
// and currency options, through the service's order-file import as a dry run, on a SQLite database
// holding a creator, a campaign, a promo code and orders imported before: it never panics, a refused
// file is a client error (an apperr the API answers with a 4xx, never an internal error), an
// accepted one counts each order once, and nothing is written.
func FuzzImportOrderFileDryRun(f *testing.F) {
	db := storetest.SQLite(f)
	w := newWorld(f, db)
	svc := w.e.Deps.Conversions
	ctx := context.Background()
	p := actor.Actor{OrgID: w.fin.OrgID, UserID: w.fin.UserID, Role: actor.RoleFinance}

	// Stored already: G-1 (so a dry run skips it) and G-2 unattributed (so a file naming its promo
	// code would attribute it: updated).
	stored := []byte("Order ID,Order Date,Currency,Amount,Promo Code\nG-1,2026-11-20 10:00,USD,19.99,LUNA10\nG-2,2026-11-20 11:00,USD,5.00,\n")
	res, err := svc.Import(ctx, p, bytes.NewReader(stored), int64(len(stored)), "stored.csv", conversion.ImportOptions{}, nil)
	if err != nil || len(res.Errors) != 0 || res.Created != 2 {
		f.Fatalf("seed import: %v %+v", err, res)
	}
	generic := []byte("Order ID,Order Date,Currency,Amount,Discount,Promo Code,Platform,Handle,SKU,Quantity,Refunded,Status\n" +
		"G-1,2026-11-20 10:00,USD,19.99,,LUNA10,,,S-1,1,,paid\n" +
		"G-2,2026-11-20 11:00,USD,5.00,,LUNA10,,,S-2,1,,paid\n" +
		"G-3,2026-11-21 12:00,USD,\"$1,234.50\",10,,TikTok,@luna,S-3,2,100,paid\n" +
		"G-3,2026-11-21 12:00,USD,2.00,,,TikTok,@luna,S-4,1,100,paid\n" +
		"G-4,2026-11-22,EUR,9.99,,,,,S-5,1,,canceled\n")
	f.Add(generic, false, "", "")
	f.Add(ordersXLSX(f), true, "America/Los_Angeles", "USD")
	for _, name := range []string{"orders-export.csv", "affiliate-orders-export.csv"} {
		b, err := os.ReadFile("testdata/tiktok-shop/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false, "America/Los_Angeles", "USD")
	}
	f.Add([]byte("订单号,下单时间,币种,金额,优惠码\nB-1,2026-11-20 10:00,USD,abc,LUNA10\nB-2,yesterday,XYZ,5.00,\n"), false, "", "")
	f.Add([]byte("Order ID,Order Date,Amount,Creator ID,Campaign ID\nC-1,2026-11-20,1,nobody,nothing\n"), false, "Asia/Tokyo", "JPY")
	f.Add(generic, false, "Mars/Olympus", "US DOLLARS")
	f.Add([]byte("not a spreadsheet"), true, "", "")
	f.Add([]byte{}, false, "", "")

	// the two seeds made here reach the counting of a dry run: new, stored and completed orders
	for _, c := range []struct {
		data                              []byte
		name                              string
		orders, created, updated, skipped int
	}{
		{generic, "orders.csv", 4, 2, 1, 1},
		{ordersXLSX(f), "orders.xlsx", 3, 3, 0, 0},
	} {
		res, err := svc.Import(ctx, p, bytes.NewReader(c.data), int64(len(c.data)), c.name, conversion.ImportOptions{DryRun: true}, nil)
		if err != nil || len(res.Errors) != 0 || res.Orders != c.orders || res.Created != c.created || res.Updated != c.updated || res.Skipped != c.skipped {
			f.Fatalf("%s: %v %+v", c.name, err, res)
		}
	}

	before := rowCounts(f, db)
	f.Fuzz(func(t *testing.T, data []byte, xlsx bool, zone, currency string) {
		name := "orders.csv"
		if xlsx {
			name = "orders.xlsx"
		}
		progressed := false
		res, err := svc.Import(ctx, p, bytes.NewReader(data), int64(len(data)), name,
			conversion.ImportOptions{DryRun: true, Timezone: zone, Currency: currency}, func(int, int) { progressed = true })
		if err != nil {
			e, ok := apperr.As(err)
			if !ok || !clientKinds[e.Kind] {
				t.Fatalf("a refused file must be a client error, got %T %v", err, err)
			}
		} else {
			if res == nil || !res.DryRun || res.Errors == nil {
				t.Fatalf("result %+v", res)
			}
			if len(res.Errors) == 0 && res.Created+res.Updated+res.Skipped != res.Orders {
				t.Fatalf("%d orders counted as %d created, %d updated, %d skipped", res.Orders, res.Created, res.Updated, res.Skipped)
			}
			for _, ce := range res.Errors {
				if ce.Message == "" {
					t.Fatalf("a problem without a message: %+v", res.Errors)
				}
			}
		}
		if progressed {
			t.Fatal("a dry run reported writing progress")
		}
		if after := rowCounts(t, db); !maps.Equal(after, before) {
			t.Fatalf("a dry run wrote: %v before, %v after", before, after)
		}
	})
}
