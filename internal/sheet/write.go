package sheet

import (
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
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
func NeutraliseFormula(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	switch r {
	case '=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠':
		return "'" + s
	}
	return s
}

// Writer streams a one-sheet .xlsx workbook: a bold, filled, frozen header row with an autofilter, then
// rows of typed cells. Memory stays bounded whatever the number of rows: excelize spills to a temporary
// file past 16 MB. A Writer is not safe for concurrent use.
type Writer struct {
	w        io.Writer
	f        *excelize.File
	sw       *excelize.StreamWriter
	sheet    string
	cols     int
	row      int // the last row written; the header is row 1
	closed   bool
	textID   int // "@": a text cell stays text when a user edits it
	dateID   int
	dtimeID  int
	moneyIDs map[int]int // exponent → style
	pctID    int         // 0.00%, made on first use
}

// NewWriter starts a workbook whose only sheet is sheetName (at most 31 characters, none of : \ / ? * [ ])
// with the given header row. Close writes the workbook to w; Abort abandons it. One of them must be called.
func NewWriter(w io.Writer, sheetName string, headers []string) (*Writer, error) {
	if len(headers) == 0 || len(headers) > excelize.MaxColumns {
		return nil, fmt.Errorf("sheet: %d headers, want 1 to %d", len(headers), excelize.MaxColumns)
	}
	f := excelize.NewFile()
	ok := false
	defer func() {
		if !ok {
			_ = f.Close()
		}
	}()
	if err := f.SetSheetName(f.GetSheetName(0), sheetName); err != nil {
		return nil, fmt.Errorf("sheet: sheet name %q: %w", sheetName, err)
	}
	sw, err := f.NewStreamWriter(sheetName)
	if err != nil {
		return nil, fmt.Errorf("sheet: %w", err)
	}
	wr := &Writer{w: w, f: f, sw: sw, sheet: sheetName, cols: len(headers), moneyIDs: map[int]int{}}

	headerID, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
		Alignment: &excelize.Alignment{Vertical: "center"},
		Border:    []excelize.Border{{Type: "bottom", Color: "8EA9DB", Style: 1}},
	})
	if err != nil {
		return nil, fmt.Errorf("sheet: header style: %w", err)
	}
	for _, s := range []struct {
		id  *int
		fmt string
	}{{&wr.textID, "@"}, {&wr.dateID, "yyyy-mm-dd"}, {&wr.dtimeID, "yyyy-mm-dd hh:mm:ss"}} {
		code := s.fmt
		if *s.id, err = f.NewStyle(&excelize.Style{CustomNumFmt: &code}); err != nil {
			return nil, fmt.Errorf("sheet: style %s: %w", code, err)
		}
	}

	// Widths, panes and the header must precede the first row in a stream.
	// excelize prepends each new <col>; going from the last column keeps them in the ascending order
	// the format requires.
	for i := len(headers) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, columnWidth(headers[i])); err != nil {
			return nil, fmt.Errorf("sheet: column width: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	}); err != nil {
		return nil, fmt.Errorf("sheet: panes: %w", err)
	}
	cells := make([]any, len(headers))
	for i, h := range headers {
		cells[i] = excelize.Cell{StyleID: headerID, Value: NeutraliseFormula(h)}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return nil, fmt.Errorf("sheet: header: %w", err)
	}
	wr.row = 1
	ok = true
	return wr, nil
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

// Row appends one row. Each cell may be:
//   - nil, or a nil pointer: an empty cell;
//   - a string (or a type whose underlying type is string): inline text, never a formula, neutralised with
//     NeutraliseFormula;
//   - Text: text formatted as text ("@"), neutralised too;
//   - an integer or float type: a number, negatives included; an integer beyond 15 digits is written as
//     text, which Excel would otherwise round; NaN and infinities are an error;
//   - Money: a number with Exponent decimals and a 0 / 0.00 / 0.000 format;
//   - time.Time: a date (yyyy-mm-dd when the clock reads midnight) or a date and time, in the time's own
//     location; the zero time is an empty cell;
//   - bool: a boolean; a pointer to any of these: its value;
//   - anything else: its fmt.Sprint text, neutralised.
func (w *Writer) Row(cells ...any) error {
	if w.closed {
		return errors.New("sheet: Row after Close")
	}
	if len(cells) > w.cols {
		return fmt.Errorf("sheet: row %d has %d cells for %d headers", w.row+1, len(cells), w.cols)
	}
	if w.row >= excelize.TotalRows {
		return fmt.Errorf("sheet: a worksheet holds at most %d rows", excelize.TotalRows)
	}
	vals := make([]any, len(cells))
	for i, c := range cells {
		v, err := w.cell(c)
		if err != nil {
			return fmt.Errorf("sheet: row %d, column %s: %w", w.row+1, columnName(i), err)
		}
		vals[i] = v
	}
	ref, err := excelize.CoordinatesToCellName(1, w.row+1)
	if err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	if err := w.sw.SetRow(ref, vals); err != nil {
		return fmt.Errorf("sheet: row %d: %w", w.row+1, err)
	}
	w.row++
	return nil
}

func (w *Writer) text(s string) any {
	if s == "" {
		return nil
	}
	return NeutraliseFormula(s)
}

func (w *Writer) integer(neg bool, abs uint64) any {
	if abs > maxExactInteger {
		s := strconv.FormatUint(abs, 10)
		if neg {
			s = "-" + s
		}
		return excelize.Cell{StyleID: w.textID, Value: s}
	}
	if neg {
		return -int64(abs)
	}
	return int64(abs)
}

func (w *Writer) cell(c any) (any, error) {
	switch v := c.(type) {
	case nil:
		return nil, nil
	case string:
		return w.text(v), nil
	case Text:
		if v == "" {
			return nil, nil
		}
		return excelize.Cell{StyleID: w.textID, Value: NeutraliseFormula(string(v))}, nil
	case []byte:
		return w.text(string(v)), nil
	case Money:
		return w.money(v)
	case Percent:
		return w.percent(v)
	case time.Time:
		return w.time(v), nil
	case bool:
		return v, nil
	case int64:
		return w.integer(v < 0, absInt(v)), nil
	case int:
		return w.integer(v < 0, absInt(int64(v))), nil
	case float64:
		return float(v)
	case float32:
		// Through its shortest decimal, so that float32(0.1) is 0.1 and not 0.10000000149011612.
		f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(v), 'g', -1, 32), 64)
		return float(f)
	case fmt.Stringer, error:
		// Named types with their own rendering (a status, a decimal) are text: they chose how they read.
		return w.text(fmt.Sprint(v)), nil
	}
	rv := reflect.ValueOf(c)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return nil, nil
		}
		return w.cell(rv.Elem().Interface())
	case reflect.String:
		return w.text(rv.String()), nil
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := rv.Int()
		return w.integer(n < 0, absInt(n)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return w.integer(false, rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return float(rv.Float())
	}
	return w.text(fmt.Sprint(c)), nil
}

func absInt(n int64) uint64 {
	if n < 0 {
		return -uint64(n)
	}
	return uint64(n)
}

func float(f float64) (any, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("%v is not a number a spreadsheet can hold", f)
	}
	return f, nil
}

func (w *Writer) money(m Money) (any, error) {
	if m.Exponent < 0 || m.Exponent > maxMoneyExponent {
		return nil, fmt.Errorf("money exponent %d, want 0 to %d", m.Exponent, maxMoneyExponent)
	}
	id, ok := w.moneyIDs[m.Exponent]
	if !ok {
		code := "0"
		if m.Exponent > 0 {
			code += "." + strings.Repeat("0", m.Exponent)
		}
		var err error
		if id, err = w.f.NewStyle(&excelize.Style{CustomNumFmt: &code}); err != nil {
			return nil, err
		}
		w.moneyIDs[m.Exponent] = id
	}
	// The exact decimal is parsed once into the nearest double, which Excel displays as that decimal:
	// no arithmetic on the minor units.
	f, err := strconv.ParseFloat(m.String(), 64)
	if err != nil {
		return nil, err
	}
	return excelize.Cell{StyleID: id, Value: f}, nil
}

func (w *Writer) percent(p Percent) (any, error) {
	f, err := float(float64(p))
	if err != nil {
		return nil, err
	}
	if w.pctID == 0 {
		code := "0.00%"
		if w.pctID, err = w.f.NewStyle(&excelize.Style{CustomNumFmt: &code}); err != nil {
			return nil, err
		}
	}
	return excelize.Cell{StyleID: w.pctID, Value: f}, nil
}

// SetProps sets the workbook's document properties; the application and creation time are excelize's.
func (w *Writer) SetProps(p Props) error {
	if err := w.f.SetDocProps(&excelize.DocProperties{Title: p.Title, Subject: p.Subject, Creator: p.Creator,
		LastModifiedBy: p.Creator, Language: p.Language}); err != nil {
		return fmt.Errorf("sheet: document properties: %w", err)
	}
	return nil
}

func (w *Writer) time(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	if t.Year() < 1900 || t.Year() > 9999 {
		// Excel has no serial number for these: keep the value readable as text.
		return excelize.Cell{StyleID: w.textID, Value: t.Format(time.RFC3339)}
	}
	if h, m, s := t.Clock(); h == 0 && m == 0 && s == 0 && t.Nanosecond() == 0 {
		return excelize.Cell{StyleID: w.dateID, Value: t}
	}
	return excelize.Cell{StyleID: w.dtimeID, Value: t}
}

// Abort gives up the workbook without writing anything, releasing its temporary files; use it when an
// export fails half-way. Close or Abort after either is a no-op.
func (w *Writer) Abort() error {
	if w.closed {
		return nil
	}
	w.closed = true
	return w.f.Close()
}

// Close finishes the sheet (autofilter over the header and every row written) and writes the workbook to
// the io.Writer given to NewWriter. It releases the temporary files in every case.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	defer w.f.Close()
	last, err := excelize.CoordinatesToCellName(w.cols, w.row)
	if err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	// The autofilter belongs to the worksheet the stream writer flushes, so it is set before Flush.
	if err := w.f.AutoFilter(w.sheet, "A1:"+last, nil); err != nil {
		return fmt.Errorf("sheet: autofilter: %w", err)
	}
	if err := w.sw.Flush(); err != nil {
		return fmt.Errorf("sheet: flush: %w", err)
	}
	if err := w.f.Write(w.w); err != nil {
		return fmt.Errorf("sheet: write workbook: %w", err)
	}
	return nil
}
