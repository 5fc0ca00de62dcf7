package sheet

import (
	"encoding/xml"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// appendRow appends to dst the XML that excelize's StreamWriter.SetRow writes for vals (as Sheet.write
// makes them: nil, string, int64, float64, bool, time.Time, or a *excelize.Cell of one with its style
// and formula) on row, from column A, with refs the names of the columns. It reports false, having
// written nothing that counts, for a value it leaves to excelize: a string with a line break, "_x" or
// invalid UTF-8 or of more than 32,767 bytes, a text formula result, a time before 1900 or
// unstyled, any other type. SetRow spends most of a workbook's time and memory on a string cell
// (half a dozen allocations, a regular expression); this writes the same bytes with none.
// TestAppendRowWritesWhatExcelizeWrites compares the two.
func appendRow(dst []byte, row int, vals []any, refs []string) ([]byte, bool) {
	r := strconv.Itoa(row)
	dst = append(dst, `<row r="`...)
	dst = append(dst, r...)
	dst = append(dst, `">`...)
	for i, v := range vals {
		if v == nil {
			continue
		}
		style, formula := 0, ""
		if c, ok := v.(*excelize.Cell); ok {
			style, formula, v = c.StyleID, c.Formula, c.Value
		}
		dst = append(dst, `<c r="`...)
		dst = append(dst, refs[i]...)
		dst = append(dst, r...)
		dst = append(dst, '"')
		if style > 0 {
			dst = append(dst, ` s="`...)
			dst = strconv.AppendInt(dst, int64(style), 10)
			dst = append(dst, '"')
		}
		switch v := v.(type) {
		case string:
			if formula != "" || len(v) > excelize.TotalCellChars || strings.Contains(v, "_x") ||
				strings.IndexByte(v, '\n') >= 0 || !utf8.ValidString(v) {
				return dst, false
			}
			dst = append(dst, ` t="inlineStr"><is><t`...)
			if v != "" && (isSpace(v[0]) || isSpace(v[len(v)-1])) {
				dst = append(dst, ` xml:space="preserve"`...)
			}
			dst = append(dst, '>')
			dst = appendEscaped(dst, v)
			dst = append(dst, `</t></is></c>`...)
			continue
		case bool:
			dst = append(dst, ` t="b">`...)
			dst = appendFormula(dst, formula)
			if v {
				dst = append(dst, `<v>1</v></c>`...)
			} else {
				dst = append(dst, `<v>0</v></c>`...)
			}
			continue
		}
		dst = append(dst, '>')
		dst = appendFormula(dst, formula)
		dst = append(dst, `<v>`...)
		switch v := v.(type) {
		case int64:
			dst = strconv.AppendInt(dst, v, 10)
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return dst, false
			}
			dst = append(dst, formatCellFloat(v)...)
		case time.Time:
			serial := excelTime(v)
			if serial <= 0 || style == 0 {
				return dst, false
			}
			dst = strconv.AppendFloat(dst, serial, 'f', -1, 64)
		default:
			return dst, false
		}
		dst = append(dst, `</v></c>`...)
	}
	return append(dst, `</row>`...), true
}

func isSpace(b byte) bool { return b == '\t' || b == '\n' || b == '\r' || b == ' ' }

func appendFormula(dst []byte, formula string) []byte {
	if formula == "" {
		return dst
	}
	dst = append(dst, `<f>`...)
	dst = appendEscaped(dst, formula)
	return append(dst, `</f>`...)
}

// appendEscaped is xml.EscapeText, appended to dst. Valid UTF-8 (appendRow asks for it) has nothing to
// escape but the five XML characters, control characters and U+FFFE and U+FFFF; text without them,
// nearly all, is appended as it is.
func appendEscaped(dst []byte, s string) []byte {
	plain := !strings.Contains(s, "\uFFFE") && !strings.Contains(s, "\uFFFF")
	for i := 0; plain && i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\'' || c == '&' || c == '<' || c == '>' || c < 0x20:
			plain = false
		}
	}
	if plain {
		return append(dst, s...)
	}
	w := appendWriter{dst}
	_ = xml.EscapeText(&w, []byte(s))
	return w.b
}

type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

// formatCellFloat is excelize's: the shortest decimal of v, its digits past the 15 Excel keeps
// dropped (or zeroed before the point).
func formatCellFloat(v float64) string {
	str := strconv.FormatFloat(v, 'f', -1, 64)
	if math.Abs(v) == math.MaxFloat64 {
		return str
	}
	const maxPrec = 15
	decimal := strings.IndexByte(str, '.')
	significant := 0
	for idx := range str {
		if str[idx] < '0' || str[idx] > '9' || significant == 0 && str[idx] == '0' {
			continue
		}
		significant++
		if significant <= maxPrec {
			continue
		}
		if decimal >= 0 && idx > decimal {
			return strings.TrimSuffix(str[:idx], ".")
		}
		if decimal < 0 {
			decimal = len(str)
		}
		truncated := []byte(str[:decimal])
		for ; idx < len(truncated); idx++ {
			truncated[idx] = '0'
		}
		return string(truncated)
	}
	return str
}

var (
	excelMinTime1900      = time.Date(1899, time.December, 31, 0, 0, 0, 0, time.UTC)
	excelBuggyPeriodStart = time.Date(1900, time.March, 1, 0, 0, 0, 0, time.UTC).Add(-time.Nanosecond)
)

// excelTime is excelize's serial number of t's wall clock in a 1900 workbook (0 before 1900), with
// Lotus's 29 February 1900.
func excelTime(t time.Time) float64 {
	const day = 24 * time.Hour
	const maxDuration = 290 * 364 * day
	_, offset := t.Zone()
	t = t.Add(time.Duration(offset) * time.Second)
	if t.Before(excelMinTime1900) {
		return 0
	}
	tt, diff, result := t, t.Sub(excelMinTime1900), 0.0
	for diff >= maxDuration {
		result += float64(maxDuration / day)
		tt = tt.Add(-maxDuration)
		diff = tt.Sub(excelMinTime1900)
	}
	rem := diff % day
	result += float64(diff-rem)/float64(day) + float64(rem)/float64(day)
	if t.After(excelBuggyPeriodStart) {
		result++
	}
	return result
}
