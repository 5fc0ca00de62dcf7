package sheet

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/xuri/excelize/v2"
)

// Limits bound what Read accepts, so that one upload cannot exhaust memory or CPU.
// A zero field takes its value from DefaultLimits.
type Limits struct {
	MaxBytes     int64 // size of the uploaded file
	MaxRows      int   // data rows, the header not counted, empty rows not counted
	MaxColumns   int   // non-empty columns in any row
	MaxCellBytes int   // bytes in one cell, after trimming
	// MaxCells and MaxTextBytes bound the memory the Table holds: cells kept over all rows, the header
	// included, where a row keeps its cells up to its last non-empty one (16 bytes each, even when blank),
	// and the bytes of their text after trimming. Blank cells past a row's last value cost nothing.
	MaxCells     int
	MaxTextBytes int64
	// MaxRawCells bounds the CPU a sparse workbook costs: cells scanned, blank or not, plus one per row,
	// over all the sheets read. excelize hands over each row padded with empty strings up to its last cell
	// with a value or formula, even one that trims to nothing, and that can be in column XFD: 16,384 cells
	// to allocate and scan for a row that holds three values.
	MaxRawCells int
}

// DefaultLimits suit the creator and order imports: a 100k-row orders export fits comfortably. The
// table they allow holds at most 64 MB of cells and 64 MB of text.
var DefaultLimits = Limits{
	MaxBytes:     20 << 20,
	MaxRows:      100_000,
	MaxColumns:   100,
	MaxCellBytes: 32 << 10,
	MaxCells:     4_000_000,
	MaxTextBytes: 64 << 20,
	MaxRawCells:  1 << 27, // about 8,000 rows padded to column XFD: a few seconds of CPU
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultLimits.MaxRows
	}
	if l.MaxColumns <= 0 {
		l.MaxColumns = DefaultLimits.MaxColumns
	}
	if l.MaxCellBytes <= 0 {
		l.MaxCellBytes = DefaultLimits.MaxCellBytes
	}
	if l.MaxCells <= 0 {
		l.MaxCells = DefaultLimits.MaxCells
	}
	if l.MaxTextBytes <= 0 {
		l.MaxTextBytes = DefaultLimits.MaxTextBytes
	}
	if l.MaxRawCells <= 0 {
		l.MaxRawCells = DefaultLimits.MaxRawCells
	}
	return l
}

// Error codes of the *apperr.Error values Read returns; the web UI translates them.
const (
	CodeFileTooLarge        = "file_too_large"       // KindTooLarge: over Limits.MaxBytes
	CodeTooManyRows         = "too_many_rows"        // over Limits.MaxRows
	CodeTooManyColumns      = "too_many_columns"     // over Limits.MaxColumns
	CodeCellTooLarge        = "cell_too_large"       // over Limits.MaxCellBytes
	CodeTooManyCells        = "too_many_cells"       // over Limits.MaxCells, Limits.MaxTextBytes or Limits.MaxRawCells
	CodeEmptyFile           = "empty_file"           // no bytes, no sheet, or only blank rows
	CodeNoDataRows          = "no_data_rows"         // a header and nothing under it
	CodeUnsupportedWorkbook = "unsupported_workbook" // password-protected .xlsx, legacy .xls, HTML or XML posing as Excel
	CodeInvalidFile         = "invalid_file"         // damaged workbook, zip bomb, malformed CSV, binary garbage
)

// Table is the content of the first non-empty sheet of a workbook, or of a CSV file.
type Table struct {
	Format     string // "xlsx" or "csv"
	Headers    []string
	HeaderLine int // the line of the header row: 1 unless the file starts with empty rows
	Rows       []Row
}

// Row is one non-empty data row.
type Row struct {
	// Line is the 1-based row number the user sees when opening the file in Excel or WPS: the row number of
	// the worksheet for .xlsx; for CSV the header is line 1 and a quoted cell spanning several text lines
	// counts as one row (Excel shows it in one cell), while empty lines still count.
	Line  int
	Cells []string
}

// Read decodes an uploaded spreadsheet. The format is decided from the content, never from filename,
// which only appears in messages. Every failure is an *apperr.Error with one of the Code* codes:
// KindTooLarge for CodeFileTooLarge, KindValidation for the rest. Read never panics.
func Read(r io.ReaderAt, size int64, filename string, lim Limits) (t *Table, err error) {
	lim = lim.withDefaults()
	defer func() {
		// Last line of defence: a parser bug must become a clear answer, not a crashed request.
		if p := recover(); p != nil {
			t, err = nil, invalidFile("the file could not be read: it looks damaged; save it again as .xlsx or .csv", fmt.Errorf("sheet: panic: %v", p))
		}
	}()
	if size > lim.MaxBytes {
		return nil, &apperr.Error{Kind: apperr.KindTooLarge, Code: CodeFileTooLarge,
			Message: fmt.Sprintf("the file is larger than %s; split it into smaller files", humanBytes(lim.MaxBytes))}
	}
	if size <= 0 || r == nil {
		return nil, newError(CodeEmptyFile, "the file is empty", nil)
	}
	head := make([]byte, 8)
	n, rerr := r.ReadAt(head, 0)
	if n == 0 && rerr != nil && rerr != io.EOF {
		return nil, invalidFile("the file could not be read", rerr)
	}
	head = head[:min(int64(n), size)]
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return readXLSX(r, size, lim)
	case bytes.HasPrefix(head, oleMagic[:4]):
		return nil, newError(CodeUnsupportedWorkbook,
			"the workbook is password-protected or in the old .xls format: save it as .xlsx without a password", nil)
	}
	b, err := io.ReadAll(io.NewSectionReader(r, 0, size))
	if err != nil {
		return nil, invalidFile("the file could not be read", err)
	}
	return readCSV(b, filename, lim)
}

// oleMagic opens an OLE compound file: a legacy .xls, or an .xlsx encrypted with a password.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

func newError(code, msg string, cause error) *apperr.Error {
	return &apperr.Error{Kind: apperr.KindValidation, Code: code, Message: msg, Err: cause}
}

func invalidFile(msg string, cause error) *apperr.Error { return newError(CodeInvalidFile, msg, cause) }

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// builder turns raw rows into a Table, enforcing the limits as rows arrive so memory stays bounded.
type builder struct {
	lim Limits
	t   Table
	// cells and text count what the Table holds, for Limits.MaxCells and Limits.MaxTextBytes; raw counts
	// the cells and rows scanned, for Limits.MaxRawCells.
	cells, raw int
	text       int64
	// row is the scratch row add fills before copying it out: never wider than Limits.MaxColumns.
	row []string
}

// add keeps raw's cells up to its last non-empty one. raw may be far wider than what it holds: excelize
// pads a row with empty strings up to its last cell, which can be column XFD (16,384), and a CSV line may
// end in thousands of commas. So empty strings are skipped without trimming, the kept cells are copied
// into a slice of their own size, and raw itself is never kept nor modified (the CSV reader reuses it).
func (b *builder) add(line int, raw []string) error {
	if b.raw += len(raw) + 1; b.raw > b.lim.MaxRawCells {
		return newError(CodeTooManyCells, fmt.Sprintf("the sheet's cells are spread too far apart to read (row %d "+
			"reaches column %s): delete the unused rows and columns after the last ones you need, save the file and "+
			"upload it again", line, columnName(max(len(raw), 1)-1)), nil)
	}
	row := b.row[:0]
	for i, c := range raw {
		if c == "" {
			continue
		}
		t := trimCell(c)
		if r := RestoreFormula(t); len(r) < len(t) {
			t = trimCell(r)
		}
		if len(t) > b.lim.MaxCellBytes {
			return newError(CodeCellTooLarge, fmt.Sprintf("row %d, column %s: the cell is longer than %s",
				line, columnName(i), humanBytes(int64(b.lim.MaxCellBytes))), nil)
		}
		if t == "" {
			continue
		}
		if len(t) < len(c) {
			// A trimmed string shares the untrimmed one's bytes; copied, it keeps only what is counted.
			t = strings.Clone(t)
		}
		c = t
		if i >= b.lim.MaxColumns {
			return newError(CodeTooManyColumns, fmt.Sprintf("row %d has more than %d columns", line, b.lim.MaxColumns), nil)
		}
		for len(row) < i {
			row = append(row, "")
		}
		row = append(row, c)
		b.text += int64(len(c))
	}
	b.row = row
	if len(row) == 0 {
		return nil // an entirely empty row: skipped, its line still counted by the caller
	}
	if b.t.Headers != nil && len(b.t.Rows) >= b.lim.MaxRows {
		return newError(CodeTooManyRows, fmt.Sprintf("the file has more than %d rows; split it", b.lim.MaxRows), nil)
	}
	b.cells += len(row)
	if b.cells > b.lim.MaxCells {
		return newError(CodeTooManyCells, fmt.Sprintf("the file has more than %d cells, counting each row up to "+
			"its last filled cell; split it into smaller files", b.lim.MaxCells), nil)
	}
	if b.text > b.lim.MaxTextBytes {
		return newError(CodeTooManyCells, fmt.Sprintf("the file holds more than %s of text; split it into smaller files",
			humanBytes(b.lim.MaxTextBytes)), nil)
	}
	cells := make([]string, len(row))
	copy(cells, row)
	clear(row) // the scratch row must not keep the last row's text alive
	if b.t.Headers == nil {
		b.t.Headers, b.t.HeaderLine = cells, line
		return nil
	}
	b.t.Rows = append(b.t.Rows, Row{Line: line, Cells: cells})
	return nil
}

func (b *builder) empty() bool { return b.t.Headers == nil }

func (b *builder) finish(format string) (*Table, error) {
	if b.t.Headers == nil {
		return nil, newError(CodeEmptyFile, "the file has no data: the sheet is empty", nil)
	}
	if len(b.t.Rows) == 0 {
		return nil, newError(CodeNoDataRows, "the file has a header row but no data rows", nil)
	}
	b.t.Format = format
	return &b.t, nil
}

// trimCell trims white space, including the full-width and non-breaking spaces Excel users type,
// and the invisible zero-width characters copied in from web pages.
func trimCell(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' || r == '\u200c' || r == '\u200d'
	})
}

// columnName gives the Excel column letters of a 0-based index: 0 → A, 27 → AB.
func columnName(i int) string {
	if name, err := excelize.ColumnNumberToName(i + 1); err == nil {
		return name
	}
	return fmt.Sprint(i + 1)
}

// isText reports whether s looks like text rather than binary: no NUL, few other control characters.
func isText(s string) bool {
	controls := 0
	for _, r := range s {
		switch {
		case r == 0:
			return false
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' && r != '\v' && r != 0x1a:
			controls++
		}
	}
	return controls*100 <= len(s) // a stray control character in a cell is tolerated, binary is not
}
