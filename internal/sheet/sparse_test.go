package sheet

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/xuri/excelize/v2"
)

// sparseWorkbook builds the shape of a sheet where someone once touched the last column: a header and n
// data rows, each with three values and a cell in column XFD that holds nothing worth keeping. The XFD
// cell is, in turn, a space (which trimming empties), a formula whose cached value is empty, and a styled
// empty cell. The stream writer keeps building it cheap: the cell-by-cell API materialises every cell
// up to XFD in memory.
func sparseWorkbook(t testing.TB, n int) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	style, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFFF00"}}})
	if err != nil {
		t.Fatal(err)
	}
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{"Display Name", "Platform", "Handle"}); err != nil {
		t.Fatal(err)
	}
	row := make([]any, excelize.MaxColumns) // nil cells are not written
	for i := 2; i <= n+1; i++ {
		row[0], row[1], row[2] = fmt.Sprintf("Creator %d", i), "tiktok", fmt.Sprintf("@c%d", i)
		switch i % 3 {
		case 0:
			row[len(row)-1] = " "
		case 1:
			row[len(row)-1] = excelize.Cell{Formula: `""`}
		default:
			row[len(row)-1] = excelize.Cell{StyleID: style}
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", i), row); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSparseWorkbookReallyReachesColumnXFD(t *testing.T) {
	x := sheetXML(t, sparseWorkbook(t, 6))
	for _, cell := range []string{`<c r="XFD2" s="`, `<c r="XFD3"`, `<c r="XFD4" t="str"><f>`} {
		if !strings.Contains(x, cell) {
			t.Errorf("sheet1.xml lacks %s:\n%s", cell, x)
		}
	}
}

func TestBlankCellInLastColumnCostsNoMemory(t *testing.T) {
	// Before, every such row kept the 16,384-cell array excelize padded it to, 256 KB a row: 374 MB for
	// these 2,000 rows, 4 GB for the 8,000 of the issue. Under -race, whose instrumentation slows excelize's
	// padding, fewer rows and a tighter bound check the same thing.
	rows, bound := 2_000, int64(32<<20)
	if raceEnabled {
		rows, bound = 300, 16<<20
	}
	b := sparseWorkbook(t, rows)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	tab, err := readBytes(b, Limits{})
	runtime.GC()
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > bound {
		t.Errorf("reading %d sparse rows left the heap %d MB larger", rows, grown>>20)
	}
	if len(tab.Rows) != rows || fmt.Sprint(tab.Headers) != "[Display Name Platform Handle]" {
		t.Fatalf("%d rows, headers %q", len(tab.Rows), tab.Headers)
	}
	for _, r := range tab.Rows {
		if len(r.Cells) != 3 || cap(r.Cells) != 3 {
			t.Fatalf("row %d keeps %d cells, capacity %d", r.Line, len(r.Cells), cap(r.Cells))
		}
	}
	runtime.KeepAlive(tab)
}

func TestReadRefusesSheetTooSparseToScan(t *testing.T) {
	// 20 rows padded to column XFD are 327,680 cells to scan for 60 values.
	_, err := readBytes(sparseWorkbook(t, 30), Limits{MaxRawCells: 300_000})
	wantError(t, err, apperr.KindValidation, CodeTooManyCells, "spread too far apart", "column XFD", "delete the unused")

	// Blank sheets before the data count too: the bound is the workbook's.
	b := workbook(t, func(f *excelize.File) {
		for _, name := range []string{"Sheet1", "Blank 2", "Blank 3"} {
			_, _ = f.NewSheet(name)
			set(t, f, name, "XFD1", " ")
		}
		_, _ = f.NewSheet("Data")
		set(t, f, "Data", "A1", "name")
		set(t, f, "Data", "A2", "Anna")
	})
	if _, err := readBytes(b, Limits{MaxRawCells: 4 * 16_385}); err != nil {
		t.Fatalf("within the bound: %v", err)
	}
	_, err = readBytes(b, Limits{MaxRawCells: 3 * 16_385})
	wantError(t, err, apperr.KindValidation, CodeTooManyCells, "spread too far apart")
}

func TestRowKeepsCellsUpToItsLastValue(t *testing.T) {
	// A blank cell written before the row's data (out of order, as some generators do) or after it, and
	// blanks between values: the row keeps exactly its values, the blanks between them, and nothing past.
	b := workbook(t, func(f *excelize.File) {
		set(t, f, "Sheet1", "A1", "name")
		set(t, f, "Sheet1", "B1", "note")
		set(t, f, "Sheet1", "A2", "Anna")
		set(t, f, "Sheet1", "C2", "x")
		set(t, f, "Sheet1", "XFD2", " ")
	})
	tab, err := readBytes(b, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	wantRows(t, tab, "2|Anna||x")

	// The same in CSV: thousands of trailing separators and spaces cost nothing.
	csv := "name,note\nAnna,,x" + strings.Repeat(", ", 16_000) + "\n"
	tab, err = readBytes([]byte(csv), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	wantRows(t, tab, "2|Anna||x")
}

func TestReadOutOfOrderBlankCellInXFD(t *testing.T) {
	// <c r="XFD2"> written before <c r="A2">: excelize places A2's value after column XFD, so the row
	// cannot be read as the user sees it. It must be refused cleanly, without holding the padded row.
	x := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>
<row r="2"><c r="XFD2" t="inlineStr"><is><t xml:space="preserve"> </t></is></c><c r="A2" t="inlineStr"><is><t>Anna</t></is></c></row>
</sheetData></worksheet>`
	b := workbookWithSheetXML(t, x)
	tab, err := readBytes(b, Limits{})
	if err != nil {
		wantError(t, err, apperr.KindValidation, CodeTooManyColumns, "row 2")
		return
	}
	wantRows(t, tab, "2|Anna")
}

// workbookWithSheetXML replaces the first worksheet of an empty workbook with x.
func workbookWithSheetXML(t testing.TB, x string) []byte {
	t.Helper()
	base := workbook(t, func(*excelize.File) {})
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		w, err := zw.Create(zf.Name)
		if err != nil {
			t.Fatal(err)
		}
		if zf.Name == "xl/worksheets/sheet1.xml" {
			_, _ = io.WriteString(w, x)
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(w, rc)
		rc.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestReadRefusesTablePastCellBudget(t *testing.T) {
	// 1 header + 5 rows of 3 cells = 18 cells; the budget counts blanks between values, not past them.
	var sb strings.Builder
	sb.WriteString("a,b,c\n")
	for range 5 {
		sb.WriteString("1,,3,,,,,\n")
	}
	csv := []byte(sb.String())
	if _, err := readBytes(csv, Limits{MaxCells: 18}); err != nil {
		t.Fatalf("18 cells within a budget of 18: %v", err)
	}
	_, err := readBytes(csv, Limits{MaxCells: 17})
	wantError(t, err, apperr.KindValidation, CodeTooManyCells, "more than 17 cells", "split it")

	_, err = readBytes(sparseWorkbook(t, 50), Limits{MaxCells: 100})
	wantError(t, err, apperr.KindValidation, CodeTooManyCells, "more than 100 cells")

	// Text is counted after trimming: padding around a value is neither kept nor counted.
	_, err = readBytes([]byte("name\n"+strings.Repeat("   abcdefghij   \n", 10)), Limits{MaxTextBytes: 104})
	if err != nil {
		t.Fatalf("104 bytes of text within a budget of 104: %v", err)
	}
	_, err = readBytes([]byte("name\n"+strings.Repeat("abcdefghij\n", 10)), Limits{MaxTextBytes: 100})
	wantError(t, err, apperr.KindValidation, CodeTooManyCells, "more than 100 bytes of text")
	if ae, _ := apperr.As(err); ae.Kind != apperr.KindValidation {
		t.Errorf("kind %v, want validation (422)", ae.Kind)
	}
}

func TestTrimmedCellDoesNotKeepItsPaddingAlive(t *testing.T) {
	padded := "x" + strings.Repeat(" ", 4000)
	b := builder{lim: DefaultLimits}
	if err := b.add(1, []string{"name"}); err != nil {
		t.Fatal(err)
	}
	if err := b.add(2, []string{padded}); err != nil {
		t.Fatal(err)
	}
	// A substring would share, and keep alive, the 4,001 bytes; only one is counted.
	if c := b.t.Rows[0].Cells[0]; c != "x" || unsafe.StringData(c) == unsafe.StringData(padded) {
		t.Errorf("cell %q shares the padded string's bytes", c)
	}
	if b.text != int64(len("name")+1) {
		t.Errorf("text counted %d bytes", b.text)
	}
}
