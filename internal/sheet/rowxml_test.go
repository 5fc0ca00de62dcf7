package sheet

import (
	"archive/zip"
	"bytes"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// randomCell is any kind of cell Row takes, with the text, numbers and times that excelize treats
// specially: XML characters, control characters, spaces at the ends, line breaks, _xHHHH_ escapes,
// invalid UTF-8, U+FFFE, long text, 16-digit floats, times before 1900, around 1 March 1900, past 2038.
func randomCell(r *rand.Rand, zones []*time.Location) any {
	pieces := []string{"a", "Z", " ", "达人", "😀", "&", "<", ">", "\"", "'", "\t", "\r", "\n", "_x0041_", "_x005F_", "_x", "\x01",
		"\x00", "\xff", "\uFFFE", "\uFFFF", "\uFFFD", "=", "-", "+", "@", "＝", "1", "0", ".", "e", "é"}
	text := func() string {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		return b.String()
	}
	at := func() time.Time {
		sec := r.Int64N(9000*365*86400) - 100*365*86400 // 1800 to 10800, some out of Excel's range
		if r.IntN(4) == 0 {
			sec = r.Int64N(3 * 86400 * 365) // 1970 to 1973
		}
		t := time.Unix(sec-2208988800, r.Int64N(1e9)*int64(r.IntN(2))).In(zones[r.IntN(len(zones))])
		if r.IntN(3) == 0 {
			t = time.Date(1900, time.Month(1+r.IntN(4)), 1+r.IntN(29), r.IntN(2)*r.IntN(24), 0, 0, 0, time.UTC)
		}
		return t
	}
	number := func() any {
		switch r.IntN(6) {
		case 0:
			return math.Float64frombits(r.Uint64())
		case 1:
			return r.Float64() * math.Pow(10, float64(r.IntN(40)-20))
		case 2:
			return -r.Int64N(1 << 62)
		case 3:
			return Money{Minor: r.Int64N(1<<60) - 1<<59, Exponent: r.IntN(7)}
		case 4:
			return Amount{Minor: r.Int64N(1e12) - 5e11, Currency: []string{"USD", "JPY", "KWD", "CNY", "EUR"}[r.IntN(5)]}
		}
		return Percent(r.Float64())
	}
	switch r.IntN(14) {
	case 0:
		return nil
	case 1, 2:
		return text()
	case 3:
		return Text(text())
	case 4:
		return strings.Repeat("长文本 ", 7500+r.IntN(1500)) // past 32,767 characters now and then
	case 5, 6:
		return number()
	case 7:
		return at()
	case 8:
		return Day(at().Format("2006-01-02"))
	case 9:
		return r.IntN(2) == 0
	case 10:
		return Bold{Value: text()}
	case 11:
		return Sum(r.IntN(5), 1+r.IntN(5), 5+r.IntN(5), number())
	case 12:
		return r.IntN(1 << 20)
	}
	v := number()
	if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
		return nil
	}
	return Bold{Value: v}
}

func TestAppendRowWritesWhatExcelizeWrites(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	kathmandu, _ := time.LoadLocation("Asia/Kathmandu")
	zones := []*time.Location{time.UTC, shanghai, kathmandu, time.FixedZone("x", -9*3600-30*60)}
	for _, loc := range []*time.Location{nil, shanghai} {
		// The same random rows, through excelize's SetRow and through appendRow.
		var rows [][]any
		r := rand.New(rand.NewPCG(3, 4))
		n := 3_000
		if raceEnabled {
			n = 300 // -race makes the long strings slow
		}
		for range n {
			row := make([]any, 1+r.IntN(12))
			for i := range row {
				row[i] = randomCell(r, zones)
				if f, ok := row[i].(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
					row[i] = nil
				}
			}
			rows = append(rows, row)
		}
		write := func(viaSetRow bool) map[string][]byte {
			var out bytes.Buffer
			wb, err := NewWorkbook(&out, WorkbookOptions{Location: loc})
			if err != nil {
				t.Fatal(err)
			}
			wb.viaSetRow = viaSetRow
			cols := make([]Col, 12)
			cover, err := wb.AddSheet("Cover", cols...) // no header: its first row opens the sheet's data
			if err != nil {
				t.Fatal(err)
			}
			for i := range cols {
				cols[i].Header = "h" + columnName(i)
			}
			data, err := wb.AddSheet("Data", cols...)
			if err != nil {
				t.Fatal(err)
			}
			failed := 0
			for i, row := range rows {
				sh, write := data, data.Row
				if i%10 == 0 {
					sh, write = cover, cover.Row
				}
				if i%97 == 0 {
					write = sh.Total
				}
				if err := write(row...); err != nil {
					failed++ // a value Row refuses (a 16-digit formula result): nothing written either way
				}
			}
			if failed > len(rows)/5 {
				t.Fatalf("%d rows of %d refused", failed, len(rows))
			}
			if err := wb.Close(); err != nil {
				t.Fatal(err)
			}
			return unzipParts(t, out.Bytes())
		}
		samePartsAs(t, write(false), write(true))
	}
}

// unzipParts reads every part of an .xlsx file.
func unzipParts(t *testing.T, file []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		if m[f.Name], err = io.ReadAll(rc); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// samePartsAs fails for every part of got that is not byte for byte excelize's own (want), showing
// where it differs.
func samePartsAs(t *testing.T, got, want map[string][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d parts, want %d", len(got), len(want))
	}
	for name, w := range want {
		g := got[name]
		if bytes.Equal(g, w) {
			continue
		}
		i := 0
		for i < min(len(g), len(w)) && g[i] == w[i] {
			i++
		}
		t.Errorf("%s differs at byte %d:\n got %q\nwant %q", name, i, g[max(0, i-200):min(len(g), i+200)], w[max(0, i-200):min(len(w), i+200)])
	}
}
