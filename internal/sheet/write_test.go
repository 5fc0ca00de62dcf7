package sheet

import (
	"archive/zip"
	"bytes"
	"io"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

type status string

func TestWriterRoundTripKeepsTypesAndNeutralisesFormulas(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, "达人 Creators", []string{"名称 Name", "Value", "Note"})
	if err != nil {
		t.Fatal(err)
	}
	shanghai := time.FixedZone("CST", 8*3600)
	num := int64(-7)
	rows := [][]any{
		{"=HYPERLINK(\"http://x\",\"y\")", 1, nil},
		{"@SUM(1)", -42, "neg int"},
		{"+1", -3.25, "neg float"},
		{"-2+3", Money{Minor: -12345, Exponent: 2}, "money CNY"},
		{"\tleading tab", Money{Minor: 1500, Exponent: 0}, "money JPY"},
		{"\rleading cr", Money{Minor: 1234567, Exponent: 3}, "money KWD"},
		{"＝全角", Text("820982911946154508"), "id as Text"},
		{"李小龙 Bruce", int64(820982911946154508), "long int auto text"},
		{"date", time.Date(2025, 3, 9, 0, 0, 0, 0, shanghai), "date"},
		{"datetime", time.Date(2025, 3, 9, 14, 30, 5, 0, shanghai), "datetime"},
		{"ptr", &num, status("active")},
		{"bool", true, []byte("bytes")},
		{"', already quoted", float32(0.1), time.Time{}},
	}
	for _, r := range rows {
		if err := w.Row(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const sh = "达人 Creators"
	if got := f.GetSheetList(); len(got) != 1 || got[0] != sh {
		t.Fatalf("sheets = %v", got)
	}

	type want struct {
		cell, value string
		typ         excelize.CellType
	}
	str, num2 := excelize.CellTypeInlineString, excelize.CellTypeUnset // numbers carry no t attribute
	for _, c := range []want{
		{"A1", "名称 Name", str},
		{"A2", `'=HYPERLINK("http://x","y")`, str},
		{"B2", "1", num2},
		{"A3", "'@SUM(1)", str},
		{"B3", "-42", num2},
		{"A4", "'+1", str},
		{"B4", "-3.25", num2},
		{"A5", "'-2+3", str},
		{"B5", "-123.45", num2},
		{"A6", "'\tleading tab", str},
		{"B6", "1500", num2},
		{"A7", "'\rleading cr", str},
		{"B7", "1234.567", num2},
		{"A8", "'＝全角", str},
		{"B8", "820982911946154508", str},
		{"A9", "李小龙 Bruce", str},
		{"B9", "820982911946154508", str},
		{"B10", "2025-03-09", num2},
		{"B11", "2025-03-09 14:30:05", num2},
		{"B12", "-7", num2},
		{"C12", "active", str},
		{"B13", "TRUE", excelize.CellTypeBool},
		{"C13", "bytes", str},
		{"A14", "', already quoted", str},
		{"B14", "0.1", num2},
	} {
		got, err := f.GetCellValue(sh, c.cell)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.value {
			t.Errorf("%s = %q, want %q", c.cell, got, c.value)
		}
		typ, err := f.GetCellType(sh, c.cell)
		if err != nil {
			t.Fatal(err)
		}
		if typ != c.typ {
			t.Errorf("%s type = %v, want %v", c.cell, typ, c.typ)
		}
	}
	// Money keeps its decimals in the format, and its raw value is the exact decimal.
	for cell, want := range map[string]string{"B5": "-123.45", "B6": "1500", "B7": "1234.567", "B4": "-3.25"} {
		raw, _ := f.GetCellValue(sh, cell, excelize.Options{RawCellValue: true})
		if raw != want {
			t.Errorf("%s raw = %q, want %q", cell, raw, want)
		}
	}
	for cell, wantFmt := range map[string]string{"B5": "0.00", "B6": "0", "B7": "0.000", "B8": "@", "B10": "yyyy-mm-dd"} {
		id, _ := f.GetCellStyle(sh, cell)
		st, err := f.GetStyle(id)
		if err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != wantFmt {
			t.Errorf("%s number format = %v, want %q", cell, st, wantFmt)
		}
	}
	if v, _ := f.GetCellValue(sh, "C14"); v != "" {
		t.Errorf("zero time written as %q, want an empty cell", v)
	}

	// No cell anywhere is a formula.
	rowsAll, err := f.GetRows(sh)
	if err != nil {
		t.Fatal(err)
	}
	for r, row := range rowsAll {
		for c := range row {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if fm, _ := f.GetCellFormula(sh, ref); fm != "" {
				t.Errorf("%s has formula %q", ref, fm)
			}
		}
	}

	// Header: bold with a fill, frozen, under an autofilter covering all rows.
	id, _ := f.GetCellStyle(sh, "A1")
	st, _ := f.GetStyle(id)
	if st.Font == nil || !st.Font.Bold || len(st.Fill.Color) == 0 {
		t.Errorf("header style = %+v, want bold and filled", st)
	}
	panes, err := f.GetPanes(sh)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes = %+v, %v; want frozen first row", panes, err)
	}
	if wd, _ := f.GetColWidth(sh, "A"); wd < 10 {
		t.Errorf("column A width = %v", wd)
	}
	names := f.GetDefinedName()
	found := false
	for _, n := range names {
		if n.Name == "_xlnm._FilterDatabase" && strings.HasSuffix(n.RefersTo, "!$A$1:$C$14") {
			found = true
		}
	}
	if !found {
		t.Errorf("no autofilter over A1:C14 in defined names %+v", names)
	}
	xml := sheetXML(t, buf.Bytes())
	for _, want := range []string{`state="frozen"`, `t="inlineStr"`, `<col min="1" max="1"`} {
		if !strings.Contains(xml, want) {
			t.Errorf("worksheet XML lacks %s", want)
		}
	}
	if !regexp.MustCompile(`<autoFilter ref="\$?A\$?1:\$?C\$?14"`).MatchString(xml) {
		t.Error("worksheet XML has no autoFilter over A1:C14")
	}
	if i, j := strings.Index(xml, `<col min="1"`), strings.Index(xml, `<col min="2"`); i < 0 || j < i {
		t.Error("<col> elements are not in ascending order")
	}
	for _, bad := range []string{"<f>", "<f ", `t="str"`, "filterMode"} {
		if strings.Contains(xml, bad) {
			t.Errorf("worksheet XML contains %s", bad)
		}
	}
}

// sheetXML returns the XML of the first worksheet of an .xlsx.
func sheetXML(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	x, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(x)
}

func TestWriterRefusesBadInput(t *testing.T) {
	var buf bytes.Buffer
	if _, err := NewWriter(&buf, "bad:name", []string{"a"}); err == nil {
		t.Error("sheet name with ':' accepted")
	}
	if _, err := NewWriter(&buf, "ok", nil); err == nil {
		t.Error("no headers accepted")
	}
	w, err := NewWriter(&buf, "ok", []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Row(1, 2); err == nil {
		t.Error("more cells than headers accepted")
	}
	nan := 0.0
	if err := w.Row(nan / nan); err == nil {
		t.Error("NaN accepted")
	}
	if err := w.Row(Money{Minor: 1, Exponent: -1}); err == nil {
		t.Error("negative money exponent accepted")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Row("late"); err == nil {
		t.Error("Row after Close accepted")
	}

	var out bytes.Buffer
	w, err = NewWriter(&out, "ok", []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Row("x")
	if err := w.Abort(); err != nil || out.Len() != 0 {
		t.Errorf("Abort: %v, wrote %d bytes", err, out.Len())
	}
	if err := w.Close(); err != nil || out.Len() != 0 {
		t.Errorf("Close after Abort: %v, wrote %d bytes", err, out.Len())
	}
}

func TestMoneyString(t *testing.T) {
	for _, c := range []struct {
		m    Money
		want string
	}{
		{Money{0, 2}, "0.00"}, {Money{5, 2}, "0.05"}, {Money{-5, 2}, "-0.05"}, {Money{12345, 2}, "123.45"},
		{Money{-1, 3}, "-0.001"}, {Money{1500, 0}, "1500"}, {Money{-9223372036854775808, 2}, "-92233720368547758.08"},
	} {
		if got := c.m.String(); got != c.want {
			t.Errorf("%+v = %q, want %q", c.m, got, c.want)
		}
	}
}

func TestNeutraliseFormula(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+1": "'+1", "-2+3": "'-2+3", "@SUM(1)": "'@SUM(1)", "\tx": "'\tx", "\rx": "'\rx",
		"＝1": "'＝1", "＋1": "'＋1", "－1": "'－1", "＠a": "'＠a",
		"": "", "Bruce": "Bruce", "李": "李", " =1": " =1", "1-2": "1-2", "'=1": "''=1", "'90s": "'90s", "'": "'",
	} {
		if got := NeutraliseFormula(in); got != want {
			t.Errorf("NeutraliseFormula(%q) = %q, want %q", in, got, want)
		}
		if back := RestoreFormula(want); back != in {
			t.Errorf("RestoreFormula(%q) = %q, want %q", want, back, in)
		}
	}
}

// A cell written with a formula's first character comes back as it was: the quote that kept it inert
// on the way out is not part of the text read back, from a workbook or a CSV.
func TestNeutralisedCellsReadBackAsWritten(t *testing.T) {
	values := []string{"+86 138 0013 8000", "=1+2", "-Dash-", "@maryj", "＋81 3", "'=1", "'90s style", "plain"}
	var xl bytes.Buffer
	w, err := NewWriter(&xl, "S", []string{"value"})
	if err != nil {
		t.Fatal(err)
	}
	var csvText strings.Builder
	csvText.WriteString("value\n")
	for _, v := range values {
		if err := w.Row(v); err != nil {
			t.Fatal(err)
		}
		csvText.WriteString(NeutraliseFormula(v) + "\n")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for name, file := range map[string][]byte{"values.xlsx": xl.Bytes(), "values.csv": []byte(csvText.String())} {
		tab, err := Read(bytes.NewReader(file), int64(len(file)), name, Limits{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []string
		for _, r := range tab.Rows {
			got = append(got, r.Cells[0])
		}
		if !slices.Equal(got, values) {
			t.Errorf("%s read back %q, want %q", name, got, values)
		}
	}
}

func TestWriterStreamsWithBoundedMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("streams 65 MB of sheet XML; skipped with -short and -race")
	}
	// 60k rows of about 1 KB, four times the 16 MB past which excelize moves the stream to a temporary
	// file: the live heap must stay near that chunk instead of growing with the rows.
	w, err := NewWriter(io.Discard, "S", []string{"id", "name", "amount", "date", "note"})
	if err != nil {
		t.Fatal(err)
	}
	var peak uint64
	sample := func() {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
	}
	day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	note := strings.Repeat("达人备注 note ", 60)
	for i := range 60_000 {
		if err := w.Row(Text(strconv.Itoa(820982911946154508+i)), "李小龙 Bruce Lee", Money{Minor: int64(i), Exponent: 2}, day, note); err != nil {
			t.Fatal(err)
		}
		if i%5_000 == 0 {
			sample()
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	sample()
	t.Logf("peak live heap %d MB", peak>>20)
	if peak > 32<<20 {
		t.Errorf("peak live heap %d MB while streaming 65 MB of rows", peak>>20)
	}
}
