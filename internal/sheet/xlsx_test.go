package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/xuri/excelize/v2"
)

// workbook builds an .xlsx the way Excel users' files look: shared strings, styles, gaps between rows.
func workbook(t testing.TB, build func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	build(f)
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func set(t testing.TB, f *excelize.File, sheet, cell string, v any) {
	t.Helper()
	if err := f.SetCellValue(sheet, cell, v); err != nil {
		t.Fatal(err)
	}
}

func TestReadXLSXWorkbookFromExcel(t *testing.T) {
	b := workbook(t, func(f *excelize.File) {
		set(t, f, "Sheet1", "A1", " 显示名称 ")
		set(t, f, "Sheet1", "B1", "Email")
		set(t, f, "Sheet1", "C1", "Followers")
		set(t, f, "Sheet1", "D1", "Joined")
		set(t, f, "Sheet1", "A2", "李小龙")
		set(t, f, "Sheet1", "B2", "li@example.com")
		set(t, f, "Sheet1", "C2", 12000)
		set(t, f, "Sheet1", "D2", time.Date(2025, 3, 9, 0, 0, 0, 0, time.UTC))
		id, _ := f.NewStyle(&excelize.Style{NumFmt: 14}) // Excel's regional short date
		_ = f.SetCellStyle("Sheet1", "D2", "D2", id)
		// Row 3 left empty, row 4 holds only blanks, row 5 has data.
		set(t, f, "Sheet1", "A4", "   ")
		set(t, f, "Sheet1", "A5", "Bruce")
		set(t, f, "Sheet1", "C5", -3.5)
		set(t, f, "Sheet1", "D5", "=HYPERLINK(\"x\")")
	})
	tab, err := readBytes(b, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if tab.Format != "xlsx" || fmt.Sprint(tab.Headers) != "[显示名称 Email Followers Joined]" {
		t.Fatalf("table = %+v", tab)
	}
	wantRows(t, tab, "2|李小龙|li@example.com|12000|2025-03-09", `5|Bruce||-3.5|=HYPERLINK("x")`)
}

func TestReadXLSXReadsOurOwnExport(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, "导出", []string{"id", "name", "amount"})
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Row(Text("820982911946154508"), "=1+1", Money{Minor: -12345, Exponent: 2})
	_ = w.Row(int64(7), nil, Money{Minor: 5, Exponent: 2})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	tab, err := readBytes(buf.Bytes(), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	wantRows(t, tab, "2|820982911946154508|=1+1|-123.45", "3|7||0.05") // the text written, without the quote that kept it inert
}

func TestReadXLSXSkipsEmptyAndHiddenSheets(t *testing.T) {
	b := workbook(t, func(f *excelize.File) {
		_, _ = f.NewSheet("Hidden")
		set(t, f, "Hidden", "A1", "secret")
		set(t, f, "Hidden", "A2", "x")
		_ = f.SetSheetVisible("Hidden", false)
		_, _ = f.NewSheet("Data")
		set(t, f, "Data", "B3", "name")
		set(t, f, "Data", "B4", "Anna")
	})
	tab, err := readBytes(b, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if tab.HeaderLine != 3 || tab.Headers[1] != "name" {
		t.Fatalf("table = %+v", tab)
	}
	wantRows(t, tab, "4||Anna")
}

func TestReadXLSXEmptyWorkbookAndHeaderOnly(t *testing.T) {
	_, err := readBytes(workbook(t, func(*excelize.File) {}), Limits{})
	wantError(t, err, apperr.KindValidation, CodeEmptyFile, "no data")

	_, err = readBytes(workbook(t, func(f *excelize.File) { set(t, f, "Sheet1", "A1", "name") }), Limits{})
	wantError(t, err, apperr.KindValidation, CodeNoDataRows)
}

func TestReadXLSXCorruptIsAClearError(t *testing.T) {
	b := workbook(t, func(f *excelize.File) {
		set(t, f, "Sheet1", "A1", "name")
		set(t, f, "Sheet1", "A2", "x")
	})
	for _, n := range []int{4, 30, len(b) / 2, len(b) - 10} {
		_, err := readBytes(b[:n], Limits{})
		wantError(t, err, apperr.KindValidation, CodeInvalidFile, "damaged")
	}
	// A valid zip that is not a workbook.
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	w, _ := zw.Create("hello.txt")
	_, _ = w.Write([]byte("hi"))
	_ = zw.Close()
	_, err := readBytes(z.Bytes(), Limits{})
	if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.KindValidation {
		t.Fatalf("plain zip: err = %v", err)
	}
}

func TestReadXLSXStopsPastMaxRows(t *testing.T) {
	b := workbook(t, func(f *excelize.File) {
		set(t, f, "Sheet1", "A1", "n")
		for i := 2; i <= 30; i++ {
			set(t, f, "Sheet1", fmt.Sprintf("A%d", i), i)
		}
	})
	_, err := readBytes(b, Limits{MaxRows: 5})
	wantError(t, err, apperr.KindValidation, CodeTooManyRows, "more than 5 rows; split it")
}

// bomb returns a zip whose single worksheet entry inflates to mb megabytes of zeros. Compressing that much
// takes seconds under -race, so one megabyte is deflated and its steady-state block repeated: after the
// first block the compressor emits the same bytes for every further megabyte of zeros.
func bomb(t testing.TB, mb int) []byte {
	t.Helper()
	zeros := make([]byte, 1<<20)
	var out bytes.Buffer
	fw, err := flate.NewWriter(&out, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	block := func() []byte {
		out.Reset()
		_, _ = fw.Write(zeros)
		_ = fw.Flush()
		return bytes.Clone(out.Bytes())
	}
	first, steady, again := block(), block(), block()
	if !bytes.Equal(steady, again) {
		t.Fatal("deflate output of zeros is not periodic; build the bomb the slow way")
	}
	out.Reset()
	_ = fw.Close()
	final := bytes.Clone(out.Bytes())

	deflated := bytes.NewBuffer(first)
	crc := crc32.Update(0, crc32.IEEETable, zeros)
	for range mb - 1 {
		deflated.Write(steady)
		crc = crc32.Update(crc, crc32.IEEETable, zeros)
	}
	deflated.Write(final)

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(deflated.Len()), UncompressedSize64: uint64(mb) << 20})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(deflated.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBombIsAValidZipOfZeros(t *testing.T) {
	b := bomb(t, 3)
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(rc) // checks the CRC and the declared size at EOF
	if err != nil || len(data) != 3<<20 || bytes.ContainsFunc(data, func(r rune) bool { return r != 0 }) {
		t.Fatalf("inflated %d bytes, err %v", len(data), err)
	}
}

func TestReadXLSXRefusesZipBombWithoutInflating(t *testing.T) {
	for name, mb := range map[string]int{
		"300 MB expands past the total":    300,
		"20 MB of zeros is a 1000:1 ratio": 20,
	} {
		t.Run(name, func(t *testing.T) {
			b := bomb(t, mb)
			t.Logf("%d MB of zeros compress to %d KB", mb, len(b)>>10)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := readBytes(b, Limits{})
			runtime.ReadMemStats(&after)
			wantError(t, err, apperr.KindValidation, CodeInvalidFile, "not a normal spreadsheet")
			// Nothing was inflated: the allocations stay far below the bomb's size.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
				t.Errorf("refusing the bomb allocated %d MB", alloc>>20)
			}
		})
	}
}

func TestReadXLSXRefusesZipThatLiesAboutItsSize(t *testing.T) {
	// The central directory declares 1 KB; the data inflates to 50 MB. archive/zip stops at the declared
	// size, so the bound on declared sizes holds.
	var deflated bytes.Buffer
	{
		var tmp bytes.Buffer
		tmp.Write(bomb(t, 50))
		zr, err := zip.NewReader(bytes.NewReader(tmp.Bytes()), int64(tmp.Len()))
		if err != nil {
			t.Fatal(err)
		}
		rc, err := zr.File[0].OpenRaw()
		if err != nil {
			t.Fatal(err)
		}
		_, _ = deflated.ReadFrom(rc)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
		CompressedSize64: uint64(deflated.Len()), UncompressedSize64: 1024})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write(deflated.Bytes())
	_ = zw.Close()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = readBytes(buf.Bytes(), Limits{})
	runtime.ReadMemStats(&after)
	wantError(t, err, apperr.KindValidation, CodeInvalidFile)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("refusing the lying zip allocated %d MB", alloc>>20)
	}
}
