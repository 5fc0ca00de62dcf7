package sheet

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

var fuzzLimits = Limits{MaxBytes: 1 << 20, MaxRows: 200, MaxColumns: 20, MaxCellBytes: 1 << 10}

// checkRead asserts Read's contract: a well-formed table within the limits, or an *apperr.Error.
func checkRead(t *testing.T, tab *Table, err error, lim Limits) {
	t.Helper()
	if err != nil {
		ae, ok := apperr.As(err)
		if !ok {
			t.Fatalf("error is not an *apperr.Error: %T %v", err, err)
		}
		if (ae.Kind != apperr.KindValidation && ae.Kind != apperr.KindTooLarge) || ae.Code == "" || ae.Message == "" {
			t.Fatalf("unexpected error %+v", ae)
		}
		if tab != nil {
			t.Fatal("both a table and an error")
		}
		return
	}
	if tab == nil || (tab.Format != "csv" && tab.Format != "xlsx") || len(tab.Headers) == 0 || len(tab.Rows) == 0 {
		t.Fatalf("malformed table %+v", tab)
	}
	if len(tab.Rows) > lim.MaxRows || len(tab.Headers) > lim.MaxColumns || tab.HeaderLine < 1 {
		t.Fatalf("table breaks the limits: %d rows, %d headers, header line %d", len(tab.Rows), len(tab.Headers), tab.HeaderLine)
	}
	prev := tab.HeaderLine
	for _, r := range tab.Rows {
		if r.Line <= prev {
			t.Fatalf("line %d after line %d", r.Line, prev)
		}
		prev = r.Line
		if len(r.Cells) == 0 || len(r.Cells) > lim.MaxColumns || r.Cells[len(r.Cells)-1] == "" {
			t.Fatalf("row %d cells %q", r.Line, r.Cells)
		}
		for _, c := range r.Cells {
			if len(c) > lim.MaxCellBytes || !utf8.ValidString(c) || c != trimCell(c) {
				t.Fatalf("row %d cell %q", r.Line, c)
			}
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	gb, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte("显示名称,邮箱\n李小龙,li@example.com\n"))
	for _, s := range []string{
		"name,email\nAnna,a@example.com\n",
		"\xEF\xBB\xBFname;amount\nA;1,5\n",
		"name\tnote\nA\t\"x\ny\"\n\nB\tz\n",
		"name,note\nA,\"unclosed\n",
		"name,note\nA,b\"c\n",
		"a\rb\rc\r",
		"\xFF\xFEa\x00,\x00b\x00\n\x00",
		"",
		string(gb),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if bytes.HasPrefix(b, []byte("PK")) || bytes.HasPrefix(b, oleMagic[:1]) {
			return // FuzzRead covers the binary formats
		}
		tab, err := readBytes(b, fuzzLimits)
		checkRead(t, tab, err, fuzzLimits)
		if err == nil && tab.Format != "csv" {
			t.Fatalf("format %q for text", tab.Format)
		}
	})
}

func FuzzRead(f *testing.F) {
	xl := workbook(f, func(x *excelize.File) {
		_ = x.SetCellValue("Sheet1", "A1", "name")
		_ = x.SetCellValue("Sheet1", "B1", "n")
		_ = x.SetCellValue("Sheet1", "A2", "Anna")
		_ = x.SetCellValue("Sheet1", "B2", 3.5)
	})
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	w, _ := zw.Create("xl/workbook.xml")
	_, _ = w.Write([]byte("<workbook/>"))
	_ = zw.Close()
	for _, b := range [][]byte{xl, xl[:len(xl)/2], z.Bytes(), append(append([]byte{}, oleMagic...), 0, 0), []byte("a,b\n1,2\n"), {0x89, 'P', 'N', 'G'}} {
		f.Add(b)
	}
	// Sparse rows: blank cells in column XFD after the data, before it, and a CSV of trailing separators.
	f.Add(sparseWorkbook(f, 4))
	f.Add(workbookWithSheetXML(f, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+
		`<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="XFD1"><f>""</f></c></row>`+
		`<row r="2"><c r="XFD2" t="inlineStr"><is><t> </t></is></c><c r="A2"><v>1</v></c></row></sheetData></worksheet>`))
	f.Add([]byte("name,n\nAnna,1" + strings.Repeat(", ", 2000) + "\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tab, err := readBytes(b, fuzzLimits)
		checkRead(t, tab, err, fuzzLimits)
	})
}

func FuzzNeutraliseFormula(f *testing.F) {
	for _, s := range []string{"=1+1", "+1", "-2+3", "@SUM(1)", "\tx", "\rx", "＝1", "＠", "Bruce", "", "'=x", "''+1", "'", "'90s", "\xff="} {
		f.Add(s)
	}
	triggers := "=+-@\t\r＝＋－＠"
	f.Fuzz(func(t *testing.T, s string) {
		out := NeutraliseFormula(s)
		r, _ := utf8.DecodeRuneInString(out)
		if s != "" && strings.ContainsRune(triggers, r) {
			t.Fatalf("NeutraliseFormula(%q) = %q starts with a formula trigger", s, out)
		}
		if back := RestoreFormula(out); back != s {
			t.Fatalf("RestoreFormula(NeutraliseFormula(%q)) = %q: the text read back is not the text written", s, back)
		}
		first, _ := utf8.DecodeRuneInString(s)
		if s != "" && strings.ContainsRune(triggers, first) {
			if out != "'"+s {
				t.Fatalf("NeutraliseFormula(%q) = %q, want a quote prefixed", s, out)
			}
		} else if first != '\'' && out != s {
			t.Fatalf("NeutraliseFormula(%q) = %q changed a harmless string", s, out)
		}
	})
}
