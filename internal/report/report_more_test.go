package report_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/ledger"
	"github.com/caravan-crm/caravan/internal/report"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// progressCalls writes the commission workbook of November through the service, as `caravan report
// commissions` does, and returns what its progress callback was told.
func progressCalls(t *testing.T, m *month) [][2]int64 {
	t.Helper()
	var calls [][2]int64
	p := actor.Actor{OrgID: m.owner.OrgID, Role: actor.RoleOwner, IP: "cli"}
	err := m.e.Deps.Reports.Commissions(t.Context(), p, report.Request{Range: ledger.Range{Period: "2026-11"}, Lang: report.LangEN}, io.Discard,
		func(done, total int64) { calls = append(calls, [2]int64{done, total}) })
	if err != nil {
		t.Fatal(err)
	}
	return calls
}

// checkProgress holds the calls to a progress bar's needs: the total from the first call on, counts
// that start at 0 and never go back, the last one the number of entries.
func checkProgress(t *testing.T, calls [][2]int64, entries int64, minCalls int) {
	t.Helper()
	if len(calls) < minCalls {
		t.Fatalf("progress called %d times (%v), want at least %d", len(calls), calls, minCalls)
	}
	if calls[0][0] != 0 {
		t.Errorf("first progress %v, want 0 done", calls[0])
	}
	for i, c := range calls {
		if c[1] != entries {
			t.Errorf("call %d: total %d, want %d", i, c[1], entries)
		}
		if c[0] > c[1] {
			t.Errorf("call %d: done %d past the total %d", i, c[0], c[1])
		}
		if i > 0 && c[0] <= calls[i-1][0] {
			t.Errorf("call %d: done %d after %d: not rising", i, c[0], calls[i-1][0])
		}
	}
	if last := calls[len(calls)-1]; last[0] != entries {
		t.Errorf("last progress %v, want %d done", last, entries)
	}
}

func TestTheWorkbooksProgressRisesToTheNumberOfEntries(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		m := newMonth(t, db)
		n := int64(m.call(t, m.fin, "GET", "/api/v1/commissions?period=2026-11&limit=1", nil, http.StatusOK)["total"].(float64))
		if n != 9 {
			t.Fatalf("November has %d entries, want 9", n)
		}
		checkProgress(t, progressCalls(t, m), n, 2)

		// Past a page of entries (5000) the count rises page by page: 5001 more orders in November,
		// entered on its last day before it was closed… which it already is, so reopen it first.
		m.call(t, m.owner, "POST", "/api/v1/periods/2026-11/reopen", obj{"reason": "a late batch of orders"}, http.StatusOK)
		const more = 5001
		for from := 0; from < more; from += 1000 {
			var batch []obj
			for i := from; i < min(from+1000, more); i++ {
				batch = append(batch, obj{"external_id": fmt.Sprintf("bulk-%d", i), "occurred_at": "2026-11-30T08:00:00Z", "currency": "USD",
					"amount_minor": 1000, "platform": "tiktok", "account_handle": "luna", "campaign_id": m.spring})
			}
			res := m.call(t, m.owner, "POST", "/api/v1/conversions/batch", obj{"conversions": batch}, http.StatusOK)
			for _, it := range res["items"].([]any) {
				if st := it.(obj)["status"]; st != "created" {
					t.Fatalf("batch item %v", it)
				}
			}
		}
		checkProgress(t, progressCalls(t, m), n+more, 3)
	})
}

// The Entries sheet is a table a clerk can filter at once: its header row frozen, an autofilter over
// every entry, and each amount a number in its currency's format (two decimals for dollars and yuan,
// none for yen).
func TestTheEntriesSheetIsFrozenFilteredAndFormattedByCurrency(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		m := newMonth(t, db)
		f, body := m.download(t, m.fin, "/api/v1/reports/commissions.xlsx?period=2026-11&lang=en")
		const sh = "Entries"
		es := grid(t, f, sh)
		if len(es) != 1+9 || len(es[0]) != 21 || es[0][15] != "Amount" || es[0][18] != "Base amount" {
			t.Fatalf("Entries: %d rows, header %v", len(es), es[0])
		}
		panes, err := f.GetPanes(sh)
		if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 || panes.TopLeftCell != "A2" {
			t.Errorf("panes = %+v (%v), want the header row frozen", panes, err)
		}
		// the autofilter covers the header and the 9 entries, A1:U10
		found := false
		for _, n := range f.GetDefinedName() {
			if n.Name == "_xlnm._FilterDatabase" && n.Scope == sh {
				found = strings.HasSuffix(n.RefersTo, "!$A$1:$U$10")
				if !found {
					t.Errorf("autofilter refers to %q, want A1:U10", n.RefersTo)
				}
			}
		}
		if !found {
			t.Errorf("no autofilter on Entries in %+v", f.GetDefinedName())
		}
		if !worksheetsMatch(t, body, regexp.MustCompile(`<autoFilter ref="\$?A\$?1:\$?U\$?10"`)) { // only Entries reaches column U
			t.Error("no worksheet has an <autoFilter> over A1:U10")
		}

		format := func(ref string) string {
			id, err := f.GetCellStyle(sh, ref)
			if err != nil {
				t.Fatal(err)
			}
			st, err := f.GetStyle(id)
			if err != nil || st.CustomNumFmt == nil {
				return ""
			}
			return *st.CustomNumFmt
		}
		for _, c := range []struct {
			order, col, raw, format string
		}{
			{"820982911946154508", "P", "8", `"$"#,##0.00`},    // 8.00 USD commission
			{"820982911946154508", "S", "56.8", `"¥"#,##0.00`}, // ¥56.80 in the base currency, CNY
			{"E-1", "P", "1.6", `"€"#,##0.00`},
			{"J-1", "P", "180", `"¥"#,##0`}, // yen have no decimals
			{"J-1", "R", "", ""},            // Kenji has no agency: no share
		} {
			row := rowOf2(es, 1, c.order) // the sheet's row number
			if row == 0 {
				t.Fatalf("no entry of %s", c.order)
			}
			ref := fmt.Sprintf("%s%d", c.col, row)
			raw, _ := f.GetCellValue(sh, ref, excelize.Options{RawCellValue: true})
			if raw != c.raw {
				t.Errorf("%s (%s) = %q, want %q", ref, c.order, raw, c.raw)
			}
			if c.raw == "" {
				continue
			}
			if typ, _ := f.GetCellType(sh, ref); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
				t.Errorf("%s (%s) type %v, want a number", ref, c.order, typ)
			}
			if got := format(ref); got != c.format {
				t.Errorf("%s (%s) number format %q, want %q", ref, c.order, got, c.format)
			}
		}
	})
}

// worksheetsMatch reports whether the XML of any worksheet of an .xlsx file matches re.
func worksheetsMatch(t *testing.T, xlsx []byte, re *regexp.Regexp) bool {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/sheet") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if re.Match(b) {
			return true
		}
	}
	return false
}
