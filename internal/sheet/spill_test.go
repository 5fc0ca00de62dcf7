package sheet

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSpillReachesTheStreamBuffer fails when an excelize upgrade lays its StreamWriter out
// differently: the sheets would still be right, but each would again keep up to 32 MiB in memory.
func TestSpillReachesTheStreamBuffer(t *testing.T) {
	wb, err := NewWorkbook(io.Discard, WorkbookOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Abort()
	s, err := wb.AddSheet("S", Col{Header: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if sp := s.parts[0].spill; sp.buf == nil || sp.tmp == nil {
		t.Fatal("spill did not find the StreamWriter's buffer and temporary file: check excelize's bufferedWriter")
	}
}

// spillRows writes rows of about 1 KB of XML each, of every kind of cell, to s.
func spillRows(t *testing.T, s *Sheet, n int) {
	t.Helper()
	day := time.Date(2025, 1, 1, 9, 30, 0, 0, time.UTC)
	note := strings.Repeat("达人备注 note & <b> ", 30)
	for i := range n {
		if err := s.Row(Text(strconv.Itoa(820982911946154508+i)), "李小龙 Bruce Lee", Amount{Minor: int64(i) * 37, Currency: "USD"},
			Money{Minor: -int64(i), Exponent: 3}, Percent(0.1), day, Day("2025-01-02"), i, i%2 == 0, Bold{Value: note}); err != nil {
			t.Fatal(err)
		}
	}
}

var spillCols = []Col{{Header: "id"}, {Header: "name"}, {Header: "amount"}, {Header: "money"}, {Header: "rate"},
	{Header: "at"}, {Header: "day"}, {Header: "n"}, {Header: "ok"}, {Header: "note"}}

func TestSpilledSheetIsByteForByteWhatExcelizeWrites(t *testing.T) {
	parts := func(spilled bool) map[string][]byte {
		var out bytes.Buffer
		wb, err := NewWorkbook(&out, WorkbookOptions{})
		if err != nil {
			t.Fatal(err)
		}
		a, err := wb.AddSheet("A", spillCols...)
		if err != nil {
			t.Fatal(err)
		}
		b, err := wb.AddSheet("B", spillCols...)
		if err != nil {
			t.Fatal(err)
		}
		if !spilled {
			a.parts[0].spill, b.parts[0].spill = spill{}, spill{}
		}
		spillRows(t, a, 3_000) // 3 MB: spilled three times, or all in excelize's buffer
		spillRows(t, b, 10)
		if err := a.Total(Bold{Value: "total"}, nil, Sum(2, 2, 3001, Amount{Minor: 1, Currency: "USD"})); err != nil {
			t.Fatal(err)
		}
		if err := wb.Close(); err != nil {
			t.Fatal(err)
		}
		return unzipParts(t, out.Bytes())
	}
	want := parts(false)
	samePartsAs(t, parts(true), want)
	if len(want["xl/worksheets/sheet1.xml"]) < 2*spillSize {
		t.Errorf("the sheet has %d bytes, too few to spill", len(want["xl/worksheets/sheet1.xml"]))
	}
}

// TestWorkbookKeepsLittleOfASheetInMemory: excelize alone keeps a streamed sheet in memory up to
// 16 MiB (in a buffer grown to 32 MiB); past spillSize the XML goes to the temporary file, which
// Close removes.
func TestWorkbookKeepsLittleOfASheetInMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("streams 15 MB of sheet XML; skipped with -short and -race")
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	start := ms.HeapAlloc
	wb, err := NewWorkbook(io.Discard, WorkbookOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := wb.AddSheet("S", spillCols...)
	if err != nil {
		t.Fatal(err)
	}
	var peak uint64
	for range 15 {
		spillRows(t, s, 1_000) // 1 MB
		runtime.GC()
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc-min(ms.HeapAlloc, start))
	}
	t.Logf("peak live heap growth %.1f MiB", float64(peak)/(1<<20))
	if peak > 8<<20 {
		t.Errorf("live heap grew by %.1f MiB while streaming 15 MB of rows", float64(peak)/(1<<20))
	}
	tmp := *s.parts[0].spill.tmp
	if tmp == nil {
		t.Fatal("no temporary file")
	}
	if err := wb.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp.Name()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("temporary file %s after Close: %v", tmp.Name(), err)
	}
}

func TestDecimalIsTheNearestDoubleOfTheExactDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	minors := []int64{0, 1, -1, 5, 15, 105, 1 << 53, -1 << 53, 1<<53 + 1, -1<<53 - 1, math.MaxInt64, math.MinInt64, 999_999_999_999_999}
	for range 200_000 {
		minors = append(minors, r.Int64N(1<<54)-1<<53, r.Int64N(2_000_000)-1_000_000)
	}
	for _, m := range minors {
		for exp := 0; exp <= maxMoneyExponent; exp++ {
			want, err := strconv.ParseFloat(Money{Minor: m, Exponent: exp}.String(), 64)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decimal(m, exp)
			if err != nil || math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("decimal(%d, %d) = %v, %v; want %v", m, exp, got, err, want)
			}
		}
	}
}

func TestSheetStaysInMemoryWhenNoTemporaryFileCanBeMade(t *testing.T) {
	var out bytes.Buffer
	wb, err := NewWorkbook(&out, WorkbookOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := wb.AddSheet("S", spillCols...)
	if err != nil {
		t.Fatal(err)
	}
	s.parts[0].spill.dir = t.TempDir() + "/missing"
	spillRows(t, s, 2_000)
	if !s.parts[0].spill.noFile || *s.parts[0].spill.tmp != nil {
		t.Fatal("a temporary file in a missing directory")
	}
	if err := wb.Close(); err != nil {
		t.Fatal(err)
	}
	tab, err := Read(bytes.NewReader(out.Bytes()), int64(out.Len()), "s.xlsx", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 2_000 {
		t.Fatalf("%d rows, want 2000", len(tab.Rows))
	}
}
