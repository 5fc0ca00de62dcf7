package sheet

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

func BenchmarkWrite100kRows(b *testing.B) {
	day := time.Date(2025, 3, 9, 14, 30, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		w, err := NewWriter(io.Discard, "Commission", []string{"订单号 Order", "达人 Creator", "Platform", "Date", "Base", "Rate", "Commission", "Note"})
		if err != nil {
			b.Fatal(err)
		}
		for i := range 100_000 {
			if err := w.Row(Text(fmt.Sprint(820982911946154508+i)), "李小龙 Bruce", "TikTok", day,
				Money{Minor: int64(i) * 37, Exponent: 2}, 0.1, Money{Minor: -int64(i), Exponent: 2}, "=cmd"); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadCSV100kRows(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("Display Name,Email,Platform,Followers,Note\n")
	for i := range 100_000 {
		fmt.Fprintf(&sb, "李小龙 %d,creator%d@example.com,TikTok,%d,\"multi, quoted\"\n", i, i, i*13)
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		tab, err := Read(bytes.NewReader(data), int64(len(data)), "creators.csv", Limits{})
		if err != nil || len(tab.Rows) != 100_000 {
			b.Fatal(err)
		}
	}
}
