package sheet

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Zip-bomb bounds, checked on the central directory before anything is inflated. Go's archive/zip refuses
// to inflate an entry past its declared size, so the declared sizes can be trusted.
const (
	maxUnzippedBytes = 200 << 20 // all entries together
	maxEntryRatio    = 100       // uncompressed:compressed, for entries big enough to matter
	ratioFloor       = 1 << 20   // entries smaller than this may compress as well as they like
	maxZipEntries    = 10_000
	// excelize keeps a worksheet or shared-strings part up to this size in memory and streams larger ones
	// from a temporary file.
	unzipXMLInMemory = 16 << 20
)

func readXLSX(r io.ReaderAt, size int64, lim Limits) (*Table, error) {
	damaged := func(cause error) error {
		return invalidFile("the .xlsx workbook is damaged or incomplete: open it in Excel and save it again", cause)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, damaged(err)
	}
	if err := checkZipBomb(zr); err != nil {
		return nil, err
	}

	f, err := excelize.OpenReader(io.NewSectionReader(r, 0, size), excelize.Options{
		UnzipSizeLimit:    maxUnzippedBytes,
		UnzipXMLSizeLimit: unzipXMLInMemory,
		ShortDatePattern:  "yyyy-mm-dd", // instead of the US m/d/yy for built-in date formats
	})
	if err != nil {
		return nil, damaged(err)
	}
	defer f.Close()

	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, newError(CodeEmptyFile, "the workbook has no sheet", nil)
	}
	scanned := 0 // Limits.MaxRawCells holds for the workbook, not for each of its blank sheets
	for _, name := range sheets {
		if visible, err := f.GetSheetVisible(name); err == nil && !visible {
			continue
		}
		bld := builder{lim: lim, raw: scanned}
		if err := readSheet(f, name, &bld); err != nil {
			return nil, err
		}
		if !bld.empty() {
			return bld.finish("xlsx")
		}
		scanned = bld.raw
	}
	return nil, newError(CodeEmptyFile, "the workbook has no data: its sheets are empty", nil)
}

func checkZipBomb(zr *zip.Reader) error {
	bomb := func(why string) error {
		return invalidFile("the .xlsx workbook is not a normal spreadsheet ("+why+"); save it again from Excel", nil)
	}
	if len(zr.File) > maxZipEntries {
		return bomb(fmt.Sprintf("more than %d parts", maxZipEntries))
	}
	var total uint64
	for _, zf := range zr.File {
		u, c := zf.UncompressedSize64, zf.CompressedSize64
		total += u
		if u > maxUnzippedBytes || total > maxUnzippedBytes {
			return bomb(fmt.Sprintf("it expands to more than %s", humanBytes(maxUnzippedBytes)))
		}
		if u > ratioFloor && (c == 0 || u/c > maxEntryRatio) {
			return bomb(fmt.Sprintf("a part is compressed more than %d to 1", maxEntryRatio))
		}
	}
	return nil
}

func readSheet(f *excelize.File, name string, bld *builder) error {
	rows, err := f.Rows(name)
	if err != nil {
		return invalidFile(fmt.Sprintf("the sheet %q could not be read: open the workbook in Excel and save it again", name), err)
	}
	defer rows.Close()
	// Rows.Next steps one worksheet row at a time, also through rows absent from the XML, so counting
	// the calls gives the row number Excel shows.
	line := 0
	for rows.Next() {
		line++
		cells, err := rows.Columns()
		if err != nil {
			return invalidFile(fmt.Sprintf("row %d of the sheet %q could not be read: open the workbook in Excel and save it again", line, name), err)
		}
		if err := bld.add(line, cells); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		if errors.Is(err, excelize.ErrMaxRows) {
			return newError(CodeTooManyRows, fmt.Sprintf("the file has more than %d rows; split it", bld.lim.MaxRows), err)
		}
		return invalidFile(fmt.Sprintf("the sheet %q could not be read: open the workbook in Excel and save it again", strings.TrimSpace(name)), err)
	}
	return nil
}
