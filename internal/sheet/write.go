package sheet

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Text forces a value to be written as text: ids, phone numbers, codes with leading zeros.
type Text string

// Money is an amount in integer minor units with its number of decimals (the ISO 4217 exponent:
// 2 for CNY and USD, 0 for JPY, 3 for KWD). It is written as a number formatted 0, 0.00 or 0.000.
type Money struct {
	Minor    int64
	Exponent int
}

// String renders the amount exactly, with Exponent decimals: Money{-12345, 2} → "-123.45".
func (m Money) String() string {
	if m.Exponent <= 0 {
		return strconv.FormatInt(m.Minor, 10)
	}
	neg := m.Minor < 0
	// Through uint64 so that math.MinInt64 has an absolute value too.
	abs := uint64(m.Minor)
	if neg {
		abs = -abs
	}
	digits := strconv.FormatUint(abs, 10)
	if len(digits) <= m.Exponent {
		digits = strings.Repeat("0", m.Exponent-len(digits)+1) + digits
	}
	s := digits[:len(digits)-m.Exponent] + "." + digits[len(digits)-m.Exponent:]
	if neg {
		s = "-" + s
	}
	return s
}

// Percent is a ratio written as a number formatted 0.00%: Percent(0.125) shows 12.50%.
type Percent float64

// Props are a workbook's document properties, shown by Excel under File › Info.
type Props struct {
	Title, Subject, Creator, Language string
}

// maxExactInteger is the largest integer of 15 digits: Excel keeps 15 significant digits, so a longer
// integer (an 18-digit TikTok order id) would come back rounded. Such integers are written as text.
const maxExactInteger = 999_999_999_999_999

const maxMoneyExponent = 6

// NeutraliseFormula makes s inert in Excel and WPS: when s starts with a character that makes a
// spreadsheet read a formula (= + - @, also in full width, or a tab or carriage return), a single quote is
// prefixed, so that the cell shows text even after a user edits it, and a CSV opened in Excel runs nothing.
// Text already quoted that way ("'=1") gets one quote more, so that RestoreFormula gives it back whole.
func NeutraliseFormula(s string) string {
	if startsFormula(s) {
		return "'" + s
	}
	return s
}

// RestoreFormula undoes NeutraliseFormula on a cell read back: text that is a single quote before
// what NeutraliseFormula quotes had the quote prefixed on the way out, by us or by another tool
// guarding against formula injection (a quote typed in Excel is a style, not part of the text).
// Without it, a creator's "+86 …" phone number exported and imported again would come back as
// "'+86 …" and be refused.
func RestoreFormula(s string) string {
	if len(s) > 1 && s[0] == '\'' && startsFormula(s[1:]) {
		return s[1:]
	}
	return s
}

// startsFormula tells whether s, past any single quotes, starts with a character that starts a formula.
func startsFormula(s string) bool {
	r, _ := utf8.DecodeRuneInString(strings.TrimLeft(s, "'"))
	switch r {
	case '=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠':
		return true
	}
	return false
}

// Writer streams a one-sheet .xlsx workbook: a bold, filled, frozen header row with an autofilter, then
// rows of typed cells (see Sheet.Row). It is a Workbook with one Sheet, so memory stays bounded
// whatever the number of rows, and past 1,048,576 rows the sheet continues on "Name (2)". A Writer is
// not safe for concurrent use.
type Writer struct {
	wb *Workbook
	s  *Sheet
}

// NewWriter starts a workbook whose only sheet is sheetName (at most 31 characters, none of : \ / ? * [ ])
// with the given header row. Close writes the workbook to w; Abort abandons it. One of them must be called.
func NewWriter(w io.Writer, sheetName string, headers []string) (*Writer, error) {
	if len(headers) == 0 || len(headers) > excelize.MaxColumns {
		return nil, fmt.Errorf("sheet: %d headers, want 1 to %d", len(headers), excelize.MaxColumns)
	}
	wb, err := NewWorkbook(w, WorkbookOptions{})
	if err != nil {
		return nil, err
	}
	cols := make([]Col, len(headers))
	for i, h := range headers {
		cols[i] = Col{Header: h}
	}
	s, err := wb.AddSheet(sheetName, cols...)
	if err != nil {
		_ = wb.Abort()
		return nil, err
	}
	return &Writer{wb: wb, s: s}, nil
}

// columnWidth sizes a column from its header, counting a Chinese character as two, within 10 to 50.
func columnWidth(header string) float64 {
	w := 0
	for _, r := range header {
		if r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) ||
			(r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe4f) || (r >= 0xff00 && r <= 0xff60) ||
			(r >= 0xffe0 && r <= 0xffe6) || r >= 0x20000) {
			w += 2
		} else {
			w++
		}
	}
	return math.Min(50, math.Max(10, float64(w)+4))
}

// Row appends one row; the cells are those of Sheet.Row.
func (w *Writer) Row(cells ...any) error { return w.s.Row(cells...) }

// SetProps sets the workbook's document properties; the application and creation time are excelize's.
func (w *Writer) SetProps(p Props) error { return w.wb.SetProps(p) }

// Abort gives up the workbook without writing anything, releasing its temporary files; use it when an
// export fails half-way. Close or Abort after either is a no-op.
func (w *Writer) Abort() error { return w.wb.Abort() }

// Close finishes the sheet (autofilter over the header and every row written) and writes the workbook to
// the io.Writer given to NewWriter. It releases the temporary files in every case.
func (w *Writer) Close() error { return w.wb.Close() }
