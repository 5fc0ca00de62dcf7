package sheet

import (
	"archive/zip"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	kflate "github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"

	"github.com/caravan-crm/caravan/internal/money"
)

// Amount is money in a currency, in integer minor units. It is written as a number with the
// currency's decimals (ISO 4217: JPY 0, USD 2, KWD 3) and the currency in its number format: ¥ for
// CNY and JPY, $ for USD, € for EUR, £ for GBP, the ISO code before the number for any other.
type Amount struct {
	Minor    int64
	Currency string
}

// Day is a calendar day, YYYY-MM-DD, written as a date whatever the workbook's time zone (an FX
// rate's day, a period's first day). A value that is not a day is written as text.
type Day string

// Bold writes its Value (any cell value) in bold.
type Bold struct{ Value any }

// Formula is a cell a spreadsheet computes, written with the value Caravan computed as its cached
// result: a reader that does not recalculate shows that value, one that does must find the same.
// Expr is the formula without its leading "=" and is never built from user text.
type Formula struct {
	Expr  string
	Value any // the cached result: a number, an Amount or a Money, which also gives the cell's format
}

// Sum is the formula SUM over the rows first to last (1-based, inclusive) of the column of the
// col-th cell of a row (0-based), with cached as its cached value. An empty range is the value alone.
func Sum(col, first, last int, cached any) any {
	if first > last || first < 1 {
		return cached
	}
	c := columnName(col)
	return Formula{Expr: fmt.Sprintf("SUM(%s%d:%s%d)", c, first, c, last), Value: cached}
}

// Col is a column of a sheet: its header (empty for none) and its width in characters (0: sized
// from the header, counting a Chinese character as two).
type Col struct {
	Header string
	Width  float64
}

// WorkbookOptions shape a workbook.
type WorkbookOptions struct {
	// Location is the zone times are shown in (the organization's); nil keeps each time's own.
	Location *time.Location
	// Props are the document properties (File › Info); nil leaves excelize's.
	Props *Props
	// Deflate compresses the zip entries; nil is Deflate.
	Deflate zip.Compressor
}

// Deflate is the zip compressor of workbooks: klauspost/compress's deflate at level 5. Measured on
// 300,000 rows of the commission workbook's Entries sheet, it spends a third of the CPU time of
// archive/zip's default (compress/flate at level 6) for a file 9 % larger, and less than
// compress/flate at its fastest level, whose file is 28 % larger.
func Deflate(w io.Writer) (io.WriteCloser, error) { return kflate.NewWriter(w, 5) }

// StdDeflate is archive/zip's own compressor (compress/flate at its default level), for comparison.
func StdDeflate(w io.Writer) (io.WriteCloser, error) {
	return flate.NewWriter(w, flate.DefaultCompression)
}

// Workbook streams an .xlsx workbook of several sheets with bounded memory: each sheet's rows go
// through excelize's StreamWriter (moved to its temporary file past 1 MiB, see spill), and Close
// writes the zip archive straight to the destination through File.SetZipWriter, never holding the
// file in memory. Sheets appear in the order they were added and may be written in any order. A Workbook is
// not safe for concurrent use.
type Workbook struct {
	w         io.Writer
	f         *excelize.File
	loc       *time.Location
	deflate   zip.Compressor
	sheets    []*Sheet
	names     map[string]bool // lower-cased sheet names in use
	fresh     bool            // the default sheet of a new file is still unused
	styles    map[styleKey]int
	headerID  int
	maxRows   int // rows per worksheet, header included (excelize.TotalRows; smaller in tests)
	closed    bool
	refs      []string // column names, A, B, …, for appendRow
	viaSetRow bool     // every row through excelize's SetRow, for tests that compare
}

type styleKey struct {
	numFmt string
	bold   bool
	total  bool // bold with a rule above: a totals row
}

// NewWorkbook starts a workbook that Close writes to w; Abort abandons it. One of them must be called.
func NewWorkbook(w io.Writer, opts WorkbookOptions) (*Workbook, error) {
	f := excelize.NewFile()
	if opts.Deflate == nil {
		opts.Deflate = Deflate
	}
	wb := &Workbook{w: w, f: f, loc: opts.Location, deflate: opts.Deflate, names: map[string]bool{}, fresh: true,
		styles: map[styleKey]int{}, maxRows: excelize.TotalRows}
	var err error
	if wb.headerID, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
		Alignment: &excelize.Alignment{Vertical: "center"},
		Border:    []excelize.Border{{Type: "bottom", Color: "8EA9DB", Style: 1}},
	}); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("sheet: header style: %w", err)
	}
	if opts.Props != nil {
		if err := wb.SetProps(*opts.Props); err != nil {
			_ = f.Close()
			return nil, err
		}
	}
	return wb, nil
}

// SetProps sets the workbook's document properties; the application and creation time are excelize's.
func (wb *Workbook) SetProps(p Props) error {
	if err := wb.f.SetDocProps(&excelize.DocProperties{Title: p.Title, Subject: p.Subject, Creator: p.Creator,
		LastModifiedBy: p.Creator, Language: p.Language}); err != nil {
		return fmt.Errorf("sheet: document properties: %w", err)
	}
	return nil
}

// Sheet is one sheet of a Workbook: a header row (when its columns have headers), bold, filled,
// frozen and under an autofilter, then rows of typed cells, then optional totals rows. Past the
// 1,048,576 rows a worksheet holds, it continues on a new worksheet named "Name (2)" placed right
// after it, with the same header.
type Sheet struct {
	wb     *Workbook
	name   string
	cols   []Col
	header bool
	parts  []*part
	// vals and styled are reused from row to row: the stream writer encodes a row before SetRow
	// returns and keeps none of it, and a styled cell goes to it as a *excelize.Cell into styled.
	vals   []any
	styled []excelize.Cell
}

// part is one worksheet of a Sheet.
type part struct {
	name     string
	sw       *excelize.StreamWriter
	spill    spill
	row      int // the last row written
	dataRows int // the last row under the autofilter; 0 until a totals row ends the data
}

// AddSheet adds a sheet after the existing ones. name has at most 31 characters, none of : \ / ? * [ ],
// and differs (in any case) from the other sheets' names.
func (wb *Workbook) AddSheet(name string, cols ...Col) (*Sheet, error) {
	if wb.closed {
		return nil, errors.New("sheet: AddSheet after Close")
	}
	if len(cols) == 0 || len(cols) > excelize.MaxColumns {
		return nil, fmt.Errorf("sheet: %d columns, want 1 to %d", len(cols), excelize.MaxColumns)
	}
	s := &Sheet{wb: wb, name: name, cols: cols}
	for _, c := range cols {
		if c.Header != "" {
			s.header = true
		}
	}
	if _, err := s.addPart(name, ""); err != nil {
		return nil, err
	}
	wb.sheets = append(wb.sheets, s)
	return s, nil
}

// addPart creates a worksheet for s, after the worksheet named after ("" for the end), with its
// column widths, frozen header and header row.
func (s *Sheet) addPart(name, after string) (*part, error) {
	wb := s.wb
	key := strings.ToLower(name)
	if wb.names[key] {
		return nil, fmt.Errorf("sheet: two sheets named %q", name)
	}
	if wb.fresh {
		if err := wb.f.SetSheetName(wb.f.GetSheetName(0), name); err != nil {
			return nil, fmt.Errorf("sheet: sheet name %q: %w", name, err)
		}
		wb.fresh = false
	} else {
		if _, err := wb.f.NewSheet(name); err != nil {
			return nil, fmt.Errorf("sheet: sheet name %q: %w", name, err)
		}
		if after != "" {
			// MoveSheet puts a sheet before another: before the one that follows after, if any.
			list := wb.f.GetSheetList()
			for i, n := range list {
				if n == after && i+2 < len(list) {
					if err := wb.f.MoveSheet(name, list[i+1]); err != nil {
						return nil, fmt.Errorf("sheet: %w", err)
					}
					break
				}
			}
		}
	}
	wb.names[key] = true
	sw, err := wb.f.NewStreamWriter(name)
	if err != nil {
		return nil, fmt.Errorf("sheet: %w", err)
	}
	p := &part{name: name, sw: sw, spill: newSpill(sw)}
	// Widths, panes and the header must precede the first row in a stream. excelize prepends each
	// new <col>; going from the last column keeps them in the ascending order the format requires.
	for i := len(s.cols) - 1; i >= 0; i-- {
		width := s.cols[i].Width
		if width <= 0 {
			width = columnWidth(s.cols[i].Header)
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return nil, fmt.Errorf("sheet: column width: %w", err)
		}
	}
	if s.header {
		if err := sw.SetPanes(&excelize.Panes{
			Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
		}); err != nil {
			return nil, fmt.Errorf("sheet: panes: %w", err)
		}
		cells := make([]any, len(s.cols))
		for i, c := range s.cols {
			if c.Header != "" {
				cells[i] = excelize.Cell{StyleID: wb.headerID, Value: NeutraliseFormula(c.Header)}
			}
		}
		if err := sw.SetRow("A1", cells); err != nil {
			return nil, fmt.Errorf("sheet: header: %w", err)
		}
		p.row = 1
	}
	s.parts = append(s.parts, p)
	return p, nil
}

// continuationName is the name of a sheet's n-th worksheet: "Entries (2)", shortening the name to
// keep within Excel's 31 characters.
func continuationName(name string, n int) string {
	suffix := fmt.Sprintf(" (%d)", n)
	r := []rune(name)
	if len(r)+len([]rune(suffix)) > 31 {
		r = r[:31-len([]rune(suffix))]
	}
	return string(r) + suffix
}

// Name is the sheet's name (of its first worksheet).
func (s *Sheet) Name() string { return s.name }

// NextRow is the 1-based number of the row the next Row or Total call writes on the current
// worksheet, for formulas that refer to rows.
func (s *Sheet) NextRow() int { return s.parts[len(s.parts)-1].row + 1 }

// Parts lists the names of the sheet's worksheets: the first, then its continuations.
func (s *Sheet) Parts() []string {
	out := make([]string, len(s.parts))
	for i, p := range s.parts {
		out[i] = p.name
	}
	return out
}

// Row appends one row of data. Each cell may be:
//   - nil, or a nil pointer: an empty cell;
//   - a string (or a type whose underlying type is string): inline text, never a formula, neutralised with
//     NeutraliseFormula;
//   - Text: text formatted as text ("@"), neutralised too;
//   - an integer or float type: a number, negatives included; an integer beyond 15 digits is written as
//     text, which Excel would otherwise round; NaN and infinities are an error;
//   - Money: a number with Exponent decimals and a 0 / 0.00 / 0.000 format;
//   - Amount: a number with its currency's decimals and symbol;
//   - Percent: a number formatted 0.00%;
//   - time.Time: a date (yyyy-mm-dd when the clock reads midnight) or a date and time, in the
//     workbook's Location (or the time's own); the zero time is an empty cell;
//   - Day: a date;
//   - Formula: a formula with its cached value; Bold: its value in bold;
//   - bool: a boolean; a pointer to any of these: its value;
//   - anything else: its fmt.Sprint text, neutralised.
//
// Rows written after a Total row are outside the autofilter, like the totals.
func (s *Sheet) Row(cells ...any) error { return s.write(cells, false) }

// Total appends a totals row: its cells in bold under a rule. The autofilter covers the header and
// the rows before the first totals row, so that sorting or filtering the data leaves totals in place.
func (s *Sheet) Total(cells ...any) error { return s.write(cells, true) }

func (s *Sheet) write(cells []any, total bool) error {
	wb := s.wb
	if wb.closed {
		return errors.New("sheet: Row after Close")
	}
	if len(cells) > len(s.cols) {
		return fmt.Errorf("sheet: %s: a row of %d cells for %d columns", s.name, len(cells), len(s.cols))
	}
	p := s.parts[len(s.parts)-1]
	if p.row >= wb.maxRows {
		var err error
		if p, err = s.addPart(continuationName(s.name, len(s.parts)+1), p.name); err != nil {
			return err
		}
	}
	if len(s.vals) < len(cells) {
		s.vals, s.styled = make([]any, len(s.cols)), make([]excelize.Cell, len(s.cols))
	}
	vals := s.vals[:len(cells)]
	for i, c := range cells {
		v, err := wb.cell(c, styleKey{total: total}, &s.styled[i])
		if err != nil {
			return fmt.Errorf("sheet: %s, row %d, column %s: %w", p.name, p.row+1, columnName(i), err)
		}
		vals[i] = v
	}
	if err := s.setRow(p, vals); err != nil {
		return err
	}
	if err := p.spill.sync(); err != nil {
		return fmt.Errorf("sheet: %s: %w", p.name, err)
	}
	if total && p.dataRows == 0 {
		p.dataRows = p.row
	}
	p.row++
	return nil
}

// setRow writes a row to p's stream: straight into its buffer when appendRow can write it, which
// needs the buffer (see spill) and a row before (SetRow opens the sheet's data on the first), else
// through SetRow.
func (s *Sheet) setRow(p *part, vals []any) error {
	wb := s.wb
	if p.spill.buf != nil && p.row > 0 && !wb.viaSetRow {
		for len(wb.refs) < len(vals) {
			wb.refs = append(wb.refs, columnName(len(wb.refs)))
		}
		if b, ok := appendRow(p.spill.buf.AvailableBuffer(), p.row+1, vals, wb.refs); ok {
			_, _ = p.spill.buf.Write(b)
			return nil
		}
	}
	ref, err := excelize.CoordinatesToCellName(1, p.row+1)
	if err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	if err := p.sw.SetRow(ref, vals); err != nil {
		return fmt.Errorf("sheet: %s, row %d: %w", p.name, p.row+1, err)
	}
	return nil
}

// style returns the id of a cell style, made on first use.
func (wb *Workbook) style(k styleKey) (int, error) {
	if id, ok := wb.styles[k]; ok {
		return id, nil
	}
	st := &excelize.Style{}
	if k.numFmt != "" {
		code := k.numFmt
		st.CustomNumFmt = &code
	}
	if k.bold || k.total {
		st.Font = &excelize.Font{Bold: true}
	}
	if k.total {
		st.Border = []excelize.Border{{Type: "top", Color: "000000", Style: 1}}
	}
	id, err := wb.f.NewStyle(st)
	if err != nil {
		return 0, fmt.Errorf("style %q: %w", k.numFmt, err)
	}
	wb.styles[k] = id
	return id, nil
}

// styled wraps v in a cell with the style of k, or returns v alone when it needs no style.
func (wb *Workbook) styled(v any, k styleKey) (any, error) {
	if k == (styleKey{}) {
		return v, nil
	}
	id, err := wb.style(k)
	if err != nil {
		return nil, err
	}
	return excelize.Cell{StyleID: id, Value: v}, nil
}

const (
	fmtText     = "@" // a text cell stays text when a user edits it
	fmtDate     = "yyyy-mm-dd"
	fmtDateTime = "yyyy-mm-dd hh:mm:ss"
	fmtPercent  = "0.00%"
)

// cell turns a Row value into what the stream writer takes, with its style (k carries total): the
// raw value, or slot filled with the value, style and formula, as a *excelize.Cell.
func (wb *Workbook) cell(c any, k styleKey, slot *excelize.Cell) (any, error) {
	var out cellOut
	if err := wb.value(c, &out); err != nil || out.v == nil {
		return nil, err // an empty cell stays empty, in a totals row too: the rule marks the totals
	}
	k.numFmt, k.bold = out.numFmt, out.bold
	id := 0
	if k != (styleKey{}) {
		var err error
		if id, err = wb.style(k); err != nil {
			return nil, err
		}
	}
	if out.formula == "" && id == 0 {
		return out.v, nil
	}
	*slot = excelize.Cell{StyleID: id, Formula: out.formula, Value: out.v}
	return slot, nil
}

// cellOut is a cell's raw value for excelize, its number format ("" for General), and what Bold and
// Formula wrappers asked for.
type cellOut struct {
	v       any
	numFmt  string
	bold    bool
	formula string
}

// value fills out from a Row value, unwrapping Bold and Formula.
func (wb *Workbook) value(c any, out *cellOut) error {
	set := func(v any, numFmt string, err error) error {
		if err != nil {
			return err
		}
		out.v, out.numFmt = v, numFmt
		return nil
	}
	switch v := c.(type) {
	case nil:
		return nil
	case string:
		return set(text(v), "", nil)
	case Text:
		if v == "" {
			return nil
		}
		return set(NeutraliseFormula(string(v)), fmtText, nil)
	case []byte:
		return set(text(string(v)), "", nil)
	case Money:
		return set(moneyValue(v))
	case Amount:
		return set(amountValue(v))
	case Percent:
		f, err := float(float64(v))
		return set(f, fmtPercent, err)
	case time.Time:
		return set(wb.time(v))
	case Day:
		d, err := time.Parse("2006-01-02", string(v))
		if err != nil {
			return set(text(string(v)), "", nil)
		}
		return set(wb.time(time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, wb.zone())))
	case Bold:
		out.bold = true
		return wb.value(v.Value, out)
	case Formula:
		if strings.TrimSpace(v.Expr) == "" || out.formula != "" {
			return errors.New("a formula without an expression, or inside another")
		}
		out.formula = v.Expr
		if err := wb.value(v.Value, out); err != nil {
			return err
		}
		if _, isText := out.v.(string); isText || out.v == nil {
			return errors.New("a formula's cached value must be a number")
		}
		return nil
	case bool:
		return set(v, "", nil)
	case int64:
		return set(integer(v < 0, absInt(v)))
	case int:
		return set(integer(v < 0, absInt(int64(v))))
	case float64:
		f, err := float(v)
		return set(f, "", err)
	case float32:
		// Through its shortest decimal, so that float32(0.1) is 0.1 and not 0.10000000149011612.
		f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(v), 'g', -1, 32), 64)
		f, err := float(f)
		return set(f, "", err)
	case fmt.Stringer, error:
		// Named types with their own rendering (a status, a decimal) are text: they chose how they read.
		return set(text(fmt.Sprint(v)), "", nil)
	}
	rv := reflect.ValueOf(c)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return wb.value(rv.Elem().Interface(), out)
	case reflect.String:
		return set(text(rv.String()), "", nil)
	case reflect.Bool:
		return set(rv.Bool(), "", nil)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := rv.Int()
		return set(integer(n < 0, absInt(n)))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return set(integer(false, rv.Uint()))
	case reflect.Float32, reflect.Float64:
		f, err := float(rv.Float())
		return set(f, "", err)
	}
	return set(text(fmt.Sprint(c)), "", nil)
}

// text is user text: neutralised, and nil (an empty cell) when empty.
func text(s string) any {
	if s == "" {
		return nil
	}
	return NeutraliseFormula(s)
}

// integer is a number, or text past 15 digits, which Excel would round.
func integer(neg bool, abs uint64) (any, string, error) {
	if abs > maxExactInteger {
		s := strconv.FormatUint(abs, 10)
		if neg {
			s = "-" + s
		}
		return s, fmtText, nil
	}
	if neg {
		return -int64(abs), "", nil
	}
	return int64(abs), "", nil
}

func absInt(n int64) uint64 {
	if n < 0 {
		return -uint64(n)
	}
	return uint64(n)
}

func float(f float64) (float64, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%v is not a number a spreadsheet can hold", f)
	}
	return f, nil
}

// decimal is the double nearest to minor units with exp decimals, which Excel displays as that
// decimal. Below 2^53 the minor units and the power of ten are exact doubles and IEEE division is
// correctly rounded, so one division gives that nearest double (the same as parsing the exact
// decimal, without building it); beyond, it is parsed from the exact decimal.
func decimal(minor int64, exp int) (float64, error) {
	if exp >= 0 && exp < len(pow10) && minor >= -1<<53 && minor <= 1<<53 {
		return float64(minor) / pow10[exp], nil
	}
	return strconv.ParseFloat(Money{Minor: minor, Exponent: exp}.String(), 64)
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6}

func moneyValue(m Money) (any, string, error) {
	if m.Exponent < 0 || m.Exponent > maxMoneyExponent {
		return nil, "", fmt.Errorf("money exponent %d, want 0 to %d", m.Exponent, maxMoneyExponent)
	}
	code := "0"
	if m.Exponent > 0 {
		code += "." + strings.Repeat("0", m.Exponent)
	}
	f, err := decimal(m.Minor, m.Exponent)
	return f, code, err
}

// currencySymbols are the symbols a Chinese finance clerk reads without thinking; other currencies
// show their ISO code.
var currencySymbols = map[string]string{"CNY": "¥", "JPY": "¥", "USD": "$", "EUR": "€", "GBP": "£"}

// amountFormats caches AmountFormat, which every Amount cell asks for: one entry per currency met.
var amountFormats struct {
	sync.RWMutex
	m map[string]string
}

// AmountFormat is the number format of amounts in currency: `"$"#,##0.00`, `"¥"#,##0`,
// `"KWD "#,##0.000`.
func AmountFormat(currency string) (string, error) {
	amountFormats.RLock()
	code, ok := amountFormats.m[currency]
	amountFormats.RUnlock()
	if ok {
		return code, nil
	}
	code, err := amountFormat(currency)
	if err != nil {
		return "", err
	}
	amountFormats.Lock()
	if amountFormats.m == nil {
		amountFormats.m = map[string]string{}
	}
	amountFormats.m[currency] = code
	amountFormats.Unlock()
	return code, nil
}

func amountFormat(currency string) (string, error) {
	exp, ok := money.Exponent(currency)
	if !ok {
		return "", fmt.Errorf("unknown currency %q", currency)
	}
	sym, ok := currencySymbols[currency]
	if !ok {
		sym = currency + " "
	}
	code := `"` + sym + `"#,##0`
	if exp > 0 {
		code += "." + strings.Repeat("0", exp)
	}
	return code, nil
}

func amountValue(a Amount) (any, string, error) {
	code, err := AmountFormat(a.Currency)
	if err != nil {
		return nil, "", err
	}
	exp, _ := money.Exponent(a.Currency)
	f, err := decimal(a.Minor, exp)
	return f, code, err
}

func (wb *Workbook) zone() *time.Location {
	if wb.loc != nil {
		return wb.loc
	}
	return time.UTC
}

func (wb *Workbook) time(t time.Time) (any, string, error) {
	if t.IsZero() {
		return nil, "", nil
	}
	if wb.loc != nil {
		t = t.In(wb.loc)
	}
	if t.Year() < 1900 || t.Year() > 9999 {
		// Excel has no serial number for these: keep the value readable as text.
		return t.Format(time.RFC3339), fmtText, nil
	}
	if h, m, s := t.Clock(); h == 0 && m == 0 && s == 0 && t.Nanosecond() == 0 {
		return t, fmtDate, nil
	}
	return t, fmtDateTime, nil
}

// Abort gives up the workbook without writing anything, releasing its temporary files; use it when an
// export fails half-way. Close or Abort after either is a no-op.
func (wb *Workbook) Abort() error {
	if wb.closed {
		return nil
	}
	wb.closed = true
	return wb.f.Close()
}

// Close finishes every sheet (autofilters over the headers and data rows) and writes the workbook to
// the io.Writer given to NewWorkbook as a zip stream, entry by entry. It releases the temporary files
// in every case.
func (wb *Workbook) Close() error {
	if wb.closed {
		return nil
	}
	wb.closed = true
	defer wb.f.Close()
	if len(wb.sheets) == 0 {
		return errors.New("sheet: a workbook without sheets")
	}
	for _, s := range wb.sheets {
		for _, p := range s.parts {
			last := p.dataRows
			if last == 0 {
				last = p.row
			}
			// Autofilters go after every sheet is placed: their defined names refer to sheet positions.
			if s.header {
				ref, err := excelize.CoordinatesToCellName(len(s.cols), max(last, 1))
				if err != nil {
					return fmt.Errorf("sheet: %w", err)
				}
				if err := wb.f.AutoFilter(p.name, "A1:"+ref, nil); err != nil {
					return fmt.Errorf("sheet: autofilter: %w", err)
				}
			}
		}
	}
	// Before the flush: afterwards excelize would parse every streamed sheet back into memory to mark
	// its tab, and write it out again.
	wb.f.SetActiveSheet(0)
	for _, s := range wb.sheets {
		for _, p := range s.parts {
			if err := p.sw.Flush(); err != nil {
				return fmt.Errorf("sheet: flush: %w", err)
			}
		}
	}
	// excelize hands its zip writer an in-memory buffer; ours ignores it and writes to wb.w, so the
	// archive streams out as it is made and the buffer stays empty.
	wb.f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(wb.w)
		zw.RegisterCompressor(zip.Deflate, wb.deflate)
		return zw
	})
	if _, err := wb.f.WriteToBuffer(); err != nil {
		return fmt.Errorf("sheet: write workbook: %w", err)
	}
	return nil
}
