package sheet

import (
	"archive/zip"
	"bytes"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestWorkbookWritesSheetsInOrderWithAmountsDatesAndTotals(t *testing.T) {
	var buf bytes.Buffer
	shanghai := time.FixedZone("CST", 8*3600)
	wb, err := NewWorkbook(&buf, WorkbookOptions{Location: shanghai, Props: &Props{Title: "佣金", Creator: "Caravan", Language: "zh-CN"}})
	if err != nil {
		t.Fatal(err)
	}
	cover, err := wb.AddSheet("封面", Col{Width: 20}, Col{Width: 40})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := wb.AddSheet("汇总", Col{Header: "达人"}, Col{Header: "币种"}, Col{Header: "佣金", Width: 16}, Col{Header: "日期"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wb.AddSheet("汇总", Col{Header: "x"}); err == nil {
		t.Error("a second sheet of the same name accepted")
	}
	// The cover is written after the summary: sheets keep the order they were added in.
	rows := [][]any{
		{"=HYPERLINK(\"http://x\",\"y\")", "USD", Amount{Minor: 123456, Currency: "USD"}, time.Date(2026, 1, 31, 20, 30, 0, 0, time.UTC)},
		{"Bruce", "USD", Amount{Minor: -56, Currency: "USD"}, Day("2026-01-15")},
		{"Bruce", "JPY", Amount{Minor: 1500, Currency: "JPY"}, nil},
		{"Bruce", "KWD", Amount{Minor: 1234, Currency: "KWD"}, nil},
		{"Bruce", "EUR", Amount{Minor: 1, Currency: "EUR"}, nil},
	}
	for _, r := range rows {
		if err := sum.Row(r...); err != nil {
			t.Fatal(err)
		}
	}
	first := 2
	if err := sum.Total(Bold{"合计"}, "USD", Sum(2, first, first+1, Amount{Minor: 123400, Currency: "USD"})); err != nil {
		t.Fatal(err)
	}
	if err := sum.Row(Formula{Expr: "1+1", Value: "text"}); err == nil {
		t.Error("a formula with a text cached value accepted")
	}
	if err := sum.Row(Amount{Minor: 1, Currency: "XXX"}); err == nil {
		t.Error("an unknown currency accepted")
	}
	if err := cover.Row(Bold{"Organization"}, "+Ningbo Home"); err != nil {
		t.Fatal(err)
	}
	if err := wb.Close(); err != nil {
		t.Fatal(err)
	}

	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"封面", "汇总"}) {
		t.Fatalf("sheets = %v", got)
	}
	for cell, want := range map[string]string{
		"A2": `'=HYPERLINK("http://x","y")`, "C2": "1234.56", "C3": "-0.56", "C4": "1500", "C5": "1.234", "C6": "0.01",
		"D2": "46054.1875", // 2026-02-01 04:30 in Shanghai
		"D3": "46037",      // 2026-01-15, a date
		"A7": "合计", "C7": "1234",
	} {
		if got, _ := f.GetCellValue("汇总", cell, excelize.Options{RawCellValue: true}); got != want {
			t.Errorf("%s = %q, want %q", cell, got, want)
		}
	}
	if fm, _ := f.GetCellFormula("汇总", "C7"); fm != "SUM(C2:C3)" {
		t.Errorf("C7 formula = %q", fm)
	}
	for cell, want := range map[string]string{"C2": `"$"#,##0.00`, "C4": `"¥"#,##0`, "C5": `"KWD "#,##0.000`, "C6": `"€"#,##0.00`,
		"D2": "yyyy-mm-dd hh:mm:ss", "D3": "yyyy-mm-dd", "C7": `"$"#,##0.00`} {
		id, _ := f.GetCellStyle("汇总", cell)
		st, err := f.GetStyle(id)
		if err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != want {
			t.Errorf("%s number format = %+v, want %q", cell, st, want)
		}
	}
	id, _ := f.GetCellStyle("汇总", "C7")
	if st, _ := f.GetStyle(id); st.Font == nil || !st.Font.Bold || len(st.Border) == 0 {
		t.Errorf("totals cell style = %+v, want bold under a rule", st)
	}
	if v, _ := f.GetCellValue("封面", "B1"); v != "'+Ningbo Home" {
		t.Errorf("cover B1 = %q", v)
	}
	if p, _ := f.GetPanes("封面"); p.Freeze {
		t.Error("a sheet without headers is frozen")
	}
	if p, _ := f.GetPanes("汇总"); !p.Freeze {
		t.Error("the summary's header is not frozen")
	}
	// The autofilter covers the data, not the totals.
	var filters []string
	for _, n := range f.GetDefinedName() {
		if n.Name == "_xlnm._FilterDatabase" {
			filters = append(filters, n.Scope+" "+n.RefersTo)
		}
	}
	if !slices.Equal(filters, []string{"汇总 '汇总'!$A$1:$D$6"}) {
		t.Errorf("autofilters = %v", filters)
	}
	if props, _ := f.GetDocProps(); props.Title != "佣金" {
		t.Errorf("title = %q", props.Title)
	}
}

func TestASheetPastTheRowLimitContinuesOnTheNextSheet(t *testing.T) {
	var buf bytes.Buffer
	wb, err := NewWorkbook(&buf, WorkbookOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wb.maxRows = 4 // a header and three rows per worksheet
	entries, err := wb.AddSheet("Entries", Col{Header: "Id"}, Col{Header: "Amount"})
	if err != nil {
		t.Fatal(err)
	}
	fx, err := wb.AddSheet("FX rates", Col{Header: "Currency"})
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.Row("USD"); err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		if err := entries.Row(Text(strings.Repeat("8", 18)), i); err != nil {
			t.Fatal(err)
		}
	}
	if got := entries.Parts(); !slices.Equal(got, []string{"Entries", "Entries (2)", "Entries (3)"}) {
		t.Fatalf("parts = %v", got)
	}
	if err := wb.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Entries", "Entries (2)", "Entries (3)", "FX rates"}) {
		t.Fatalf("sheets = %v", got)
	}
	want := map[string][][]string{
		"Entries":     {{"Id", "Amount"}, {"888888888888888888", "0"}, {"888888888888888888", "1"}, {"888888888888888888", "2"}},
		"Entries (2)": {{"Id", "Amount"}, {"888888888888888888", "3"}, {"888888888888888888", "4"}, {"888888888888888888", "5"}},
		"Entries (3)": {{"Id", "Amount"}, {"888888888888888888", "6"}, {"888888888888888888", "7"}},
		"FX rates":    {{"Currency"}, {"USD"}},
	}
	filters := map[string]string{}
	for _, n := range f.GetDefinedName() {
		filters[n.Scope] = n.RefersTo
	}
	for name, rows := range want {
		got, err := f.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(got, rows, slices.Equal) {
			t.Errorf("%s rows = %v, want %v", name, got, rows)
		}
		if p, _ := f.GetPanes(name); !p.Freeze {
			t.Errorf("%s is not frozen", name)
		}
		if !strings.HasPrefix(filters[name], "'"+name+"'!$A$1:") {
			t.Errorf("%s autofilter = %q (all: %v)", name, filters[name], filters)
		}
	}
	if continuationName(strings.Repeat("x", 31), 2) != strings.Repeat("x", 27)+" (2)" {
		t.Error("a long continuation name is not shortened to 31 characters")
	}
}

// The workbook leaves the process as it is zipped: nothing reaches the destination before Close,
// and Close writes a zip archive whose entries are all there.
func TestWorkbookStreamsTheZipToTheDestination(t *testing.T) {
	var out countingWriter
	wb, err := NewWorkbook(&out, WorkbookOptions{Deflate: StdDeflate})
	if err != nil {
		t.Fatal(err)
	}
	s, err := wb.AddSheet("S", Col{Header: "n"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		if err := s.Row(i); err != nil {
			t.Fatal(err)
		}
	}
	if out.n != 0 {
		t.Fatalf("%d bytes written before Close", out.n)
	}
	if err := wb.Close(); err != nil {
		t.Fatal(err)
	}
	if out.writes < 2 {
		t.Errorf("%d writes: the archive went out in one piece", out.writes)
	}
	zr, err := zip.NewReader(bytes.NewReader(out.buf.Bytes()), int64(out.buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	for _, want := range []string{"xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/styles.xml", "[Content_Types].xml"} {
		if !slices.Contains(names, want) {
			t.Errorf("archive lacks %s: %v", want, names)
		}
	}
	x := sheetXML(t, out.buf.Bytes())
	if !regexp.MustCompile(`<row r="1001"`).MatchString(x) {
		t.Error("the last row is missing")
	}
}

type countingWriter struct {
	buf       bytes.Buffer
	n, writes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	c.writes++
	return c.buf.Write(p)
}

func TestWorkbookReportsAFailingDestination(t *testing.T) {
	wb, err := NewWorkbook(failingWriter{}, WorkbookOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := wb.AddSheet("S", Col{Header: "n"})
	_ = s.Row(1)
	if err := wb.Close(); err == nil {
		t.Fatal("Close succeeded on a broken destination")
	}
	if err := s.Row(2); err == nil {
		t.Error("Row after Close accepted")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }
