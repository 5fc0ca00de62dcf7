package report

import (
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/caravan-crm/caravan/internal/auth"
	"github.com/caravan-crm/caravan/internal/campaign"
	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/ledger"
	"github.com/caravan-crm/caravan/internal/money"
	"github.com/caravan-crm/caravan/internal/sheet"
)

// BenchmarkCommissionWorkbook writes the Entries of the commission workbook (and its group sheets)
// for N synthetic entries, against the baseline of writing the same rows as CSV through gzip in the
// same process. The database is left out: this is the cost of the file. N is 10,000 and 100,000, or
// CARAVAN_BENCH_ENTRIES. For time and peak memory of a million entries:
//
//	CARAVAN_BENCH_ENTRIES=1000000 /usr/bin/time -v go test ./internal/report -run '^$' -bench 'CommissionWorkbook/xlsx' -benchtime 1x
//	CARAVAN_BENCH_ENTRIES=1000000 /usr/bin/time -v go test ./internal/report -run '^$' -bench 'CommissionWorkbook/csv' -benchtime 1x
func BenchmarkCommissionWorkbook(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if v := os.Getenv("CARAVAN_BENCH_ENTRIES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("CARAVAN_BENCH_ENTRIES=%q", v)
		}
		sizes = []int{n}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("xlsx/%d", n), func(b *testing.B) {
			var size int64
			for b.Loop() {
				size = writeSyntheticWorkbook(b, n)
			}
			b.ReportMetric(float64(size), "bytes/file")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
		})
		b.Run(fmt.Sprintf("csv+gzip/%d", n), func(b *testing.B) {
			var size int64
			for b.Loop() {
				size = writeSyntheticCSV(b, n)
			}
			b.ReportMetric(float64(size), "bytes/file")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
		})
	}
}

// synthetic is a month of a big seller: 2,000 creators on four platforms, 40 campaigns, USD, EUR and
// JPY orders with 18-digit order numbers, one entry in ten a refund. Entries are made one at a time,
// so that memory measures the writer, not the data.
type synthetic struct {
	b     *book
	start time.Time
}

func newSynthetic() *synthetic {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	b := &book{lang: LangZH, org: &auth.Org{Name: "宁波森屿家居", BaseCurrency: "CNY", Timezone: "Asia/Shanghai"}, loc: loc,
		now: time.Date(2026, 12, 2, 10, 0, 0, 0, loc), req: Request{Range: ledger.Range{Period: "2026-11"}, Lang: LangZH}, names: newNames(nil, "org")}
	plats := []string{"tiktok", "youtube", "instagram", "rednote"}
	for i := range 2000 {
		id := fmt.Sprintf("cr-%04d", i)
		b.names.creators[id] = creator.Ref{ID: id, DisplayName: fmt.Sprintf("达人 Creator %d", i)}
		b.names.accounts["ac-"+id] = creator.AccountRef{ID: "ac-" + id, CreatorID: id, Platform: plats[i%4], Handle: fmt.Sprintf("creator_%d", i)}
	}
	for i := range 40 {
		id := fmt.Sprintf("cm-%02d", i)
		b.names.campaigns[id] = campaign.Ref{ID: id, Name: fmt.Sprintf("Campaign %d 春季", i)}
	}
	b.names.agencies["ag-1"] = creator.AgencyRef{ID: "ag-1", Name: "Star MCN", ShareBps: 2000}
	return &synthetic{b: b, start: time.Date(2026, 11, 1, 0, 0, 0, 0, loc)}
}

var benchCurrencies = []struct {
	code string
	rate string
}{{"USD", "7.1"}, {"EUR", "7.8"}, {"JPY", "0.048"}}

func (s *synthetic) entry(i int) (ledger.Entry, *conversion.Ref) {
	cur := benchCurrencies[i%3]
	cr := fmt.Sprintf("cr-%04d", i%2000)
	acc, camp := "ac-"+cr, fmt.Sprintf("cm-%02d", i%40)
	plat := s.b.names.accounts[acc].Platform
	amount := int64(1000 + i%50_000)
	rate := int64(1000)
	base := amount
	kind := ledger.KindCommission
	commission, _ := money.ApplyBps(amount, rate)
	x := conversion.Explanation{Rule: conversion.RuleAccount, Source: campaign.SourcePlan, PlanType: campaign.PlanPercent, Base: campaign.BaseNet, BaseMinor: &base}
	if i%10 == 9 {
		kind = ledger.KindReversal
		refunded := amount / 2
		x = conversion.Explanation{Source: ledger.SourceRefund, CommissionMinor: &commission, RefundedMinor: &refunded, OrderAmountMinor: &amount}
		commission = -commission / 2
	}
	r, _ := money.ParseRate(cur.rate)
	baseAmount, _ := money.Convert(commission, cur.code, r, "CNY")
	fx := cur.rate
	day := "2026-11-01"
	x.FXRate, x.FXDay = &fx, &day
	at := s.start.Add(time.Duration(i%(29*24*60)) * time.Minute)
	e := ledger.Entry{ID: fmt.Sprintf("01938f2e-%04x-7000-8000-%012d", i%65536, i), CreatorID: cr, AccountID: &acc, Platform: &plat, CampaignID: &camp,
		Kind: kind, AmountMinor: commission, Currency: cur.code, BaseAmountMinor: &baseAmount, BaseCurrency: "CNY", FXRate: &fx, RateBps: &rate,
		GMVMinor: amount, Period: "2026-11", OccurredAt: at, Explanation: x}
	convID := fmt.Sprintf("cv-%d", i)
	e.ConversionID = &convID
	if i%5 == 0 {
		ag := "ag-1"
		e.AgencyID, e.AgencyShareBps, e.AgencyShareMinor = &ag, 2000, commission/5
	}
	o := &conversion.Ref{ID: convID, Source: "tiktok_shop", ExternalID: strconv.Itoa(820982911946154508 + i), OccurredAt: at, Currency: cur.code,
		AmountMinor: amount, Status: conversion.StatusApproved}
	return e, o
}

func writeSyntheticWorkbook(tb testing.TB, n int) int64 {
	s := newSynthetic()
	var out countWriter
	wb, err := sheet.NewWorkbook(&out, sheet.WorkbookOptions{Location: s.b.loc})
	if err != nil {
		tb.Fatal(err)
	}
	c, err := newCommissionBook(wb, s.b)
	if err != nil {
		tb.Fatal(err)
	}
	if err := c.writeCover("已结账", nil, int64(n)); err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		e, o := s.entry(i)
		if err := c.writeEntry(e, o); err != nil {
			tb.Fatal(err)
		}
	}
	var rates []ledger.FXRate
	for _, cur := range benchCurrencies {
		rates = append(rates, ledger.FXRate{Currency: cur.code, BaseCurrency: "CNY", Rate: money.MustParseRate(cur.rate), On: "2026-11-01"})
	}
	if err := c.finish(rates); err != nil {
		tb.Fatal(err)
	}
	if err := wb.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.n
}

// writeSyntheticCSV writes the same Entries rows as CSV through gzip: the baseline of what a file of
// these rows costs without a spreadsheet's structure.
func writeSyntheticCSV(tb testing.TB, n int) int64 {
	s := newSynthetic()
	var out countWriter
	zw, _ := gzip.NewWriterLevel(&out, gzip.DefaultCompression)
	w := csv.NewWriter(zw)
	head := make([]string, 0, len(entryCols)/2)
	for i := 0; i < len(entryCols); i += 2 {
		head = append(head, word(s.b.lang, entryCols[i].(string)))
	}
	if err := w.Write(head); err != nil {
		tb.Fatal(err)
	}
	var row []any
	rec := make([]string, len(head))
	for i := range n {
		e, o := s.entry(i)
		row = entryRow(s.b, e, o, row[:0])
		for j, v := range row {
			rec[j] = csvCell(v, s.b.loc)
		}
		if err := w.Write(rec); err != nil {
			tb.Fatal(err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.n
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)
