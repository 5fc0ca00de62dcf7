package bench

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/ledger"
	"github.com/caravan-crm/caravan/internal/report"
)

func init() { Register(Scenario{Name: "workbook", Run: runWorkbook}) }

// workbookPeriod is the month the seeded entries fall in.
const workbookPeriod = "2026-10"

// runWorkbook writes the Chinese commission workbook of a month of 100k and of 1M ledger entries (a
// quarter of that in a quick run) against the baseline of the same Entries rows, read the same way,
// as CSV through gzip at its default level (report.EntriesCSV). Memory is the peak growth of the
// heap while the workbook is written, over what was live before.
func runWorkbook(ctx context.Context, env *Env) ([]Result, error) {
	small, big := 100_000, env.Scale(1_000_000, 250_000)
	var out []Result
	var growth [2]heapGrowth
	for i, n := range []int{small, big} {
		s, err := env.NewServer(ctx, "sqlite", fmt.Sprintf("workbook-%d", n))
		if err != nil {
			return out, err
		}
		r, g, err := measureWorkbook(ctx, env, s, n)
		s.Close()
		if err != nil {
			return out, err
		}
		name := "workbook_100k"
		if i == 1 {
			name = "workbook_1m"
			if n != 1_000_000 {
				r.Note += fmt.Sprintf("; quick run: %d entries, not 1M", n)
			}
		}
		r.Name = name
		out = append(out, r)
		growth[i] = g
	}
	const limit = 64
	same := growth[1].objects <= growth[0].objects*1.25+8 // "the same": within a quarter (and 8 MiB of noise)
	mem := Below("workbook_memory", "MiB", growth[1].objects, limit,
		fmt.Sprintf("peak heap growth while writing, uncollected garbage included: %.1f MiB at %d entries, %.1f MiB at %d "+
			"(same: %v); of it live after a collection: %.1f MiB and %.1f MiB",
			growth[1].objects, big, growth[0].objects, small, same, growth[1].live, growth[0].live))
	mem.Met = mem.Met && same
	mem.Target = fmt.Sprintf("≤ %d MiB, the same at 1M as at 100k", limit)
	return append(out, mem), nil
}

func measureWorkbook(ctx context.Context, env *Env, s *Server, n int) (Result, heapGrowth, error) {
	env.Log("workbook: seeding %d ledger entries", n)
	if err := seedEntries(ctx, s, n, workbookPeriod); err != nil {
		return Result{}, heapGrowth{}, err
	}
	owner := actor.Actor{OrgID: s.OrgID, Role: actor.RoleOwner}
	req := report.Request{Range: ledger.Range{Period: workbookPeriod}, Lang: report.LangZH}
	var xlsxBytes, csvBytes int64
	var objects, live, csvObjects []float64
	base, subj, err := Interleave(env.Runs, func(int) (float64, error) {
		var w countWriter
		stop := watchHeap()
		start := time.Now()
		err := s.Deps.Reports.EntriesCSV(ctx, owner, req, &w)
		took := time.Since(start).Seconds()
		csvObjects = append(csvObjects, stop().objects)
		if err != nil {
			return 0, err
		}
		csvBytes = w.n
		return took, nil
	}, func(int) (float64, error) {
		var w countWriter
		stop := watchHeap()
		start := time.Now()
		err := s.Deps.Reports.Commissions(ctx, owner, req, &w, nil)
		took := time.Since(start).Seconds()
		g := stop()
		objects, live = append(objects, g.objects), append(live, g.live)
		if err != nil {
			return 0, err
		}
		xlsxBytes = w.n
		return took, nil
	})
	if err != nil {
		return Result{}, heapGrowth{}, err
	}
	r := AtMost("", "s", Median(subj), Median(base), 1.5,
		fmt.Sprintf("%d entries; workbook %.1f MB (7 sheets), peak heap growth %.1f MiB; CSV+gzip %.1f MB, peak heap growth %.1f MiB",
			n, float64(xlsxBytes)/1e6, Median(objects), float64(csvBytes)/1e6, Median(csvObjects)))
	return r, heapGrowth{objects: Median(objects), live: Median(live)}, nil
}

// heapGrowth is what watchHeap saw, in MiB over the heap when it started (after a collection).
type heapGrowth struct {
	objects float64 // the heap's objects, garbage not yet collected included: what the process holds
	live    float64 // the heap the last collection found live: what the work itself keeps
}

// watchHeap samples the heap every millisecond until the returned stop is called.
func watchHeap() (stop func() heapGrowth) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	read := func() (objects, live uint64) {
		metrics.Read(sample)
		return sample[0].Value.Uint64(), sample[1].Value.Uint64()
	}
	start, startLive := read()
	var (
		mu             sync.Mutex
		peak, peakLive = start, startLive
		done           = make(chan struct{})
		wg             sync.WaitGroup
	)
	note := func() {
		o, l := read()
		mu.Lock()
		peak, peakLive = max(peak, o), max(peakLive, l)
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				note()
			}
		}
	}()
	return func() heapGrowth {
		close(done)
		wg.Wait()
		note()
		mib := func(to, from uint64) float64 { return float64(to-min(to, from)) / (1 << 20) }
		return heapGrowth{objects: mib(peak, start), live: mib(peakLive, startLive)}
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// seedEntries writes n approved orders of period, each with its commission entry (one in ten a
// refund's reversal instead), for 2,000 creators on four platforms and 40 campaigns, in USD, EUR and
// JPY: set-based SQL on SQLite, seconds for a million rows where the API would take many minutes.
func seedEntries(ctx context.Context, s *Server, n int, period string) error {
	day0 := period + "-01 00:00:00"
	steps := []string{
		`WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM k WHERE i < 1999)
		 INSERT INTO creators (id, org_id, display_name, name_key, country, status, created_at, updated_at)
		 SELECT printf('cr-%05d', i), ?0, '达人 Creator ' || i, 'creator ' || i, 'US', 'active', ?1, ?1 FROM k`,
		`WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM k WHERE i < 1999)
		 INSERT INTO creator_accounts (id, org_id, creator_id, platform, handle, handle_key, status, created_at, updated_at)
		 SELECT printf('ac-%05d', i), ?0, printf('cr-%05d', i), CASE i % 4 WHEN 0 THEN 'tiktok' WHEN 1 THEN 'youtube' WHEN 2 THEN 'instagram' ELSE 'rednote' END,
		        'creator_' || i, 'creator_' || i, 'active', ?1, ?1 FROM k`,
		`WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM k WHERE i < 39)
		 INSERT INTO campaigns (id, org_id, name, name_key, status, starts_on, attribution_window_days, hold_days, created_at, updated_at)
		 SELECT printf('cm-%02d', i), ?0, 'Campaign ' || i || ' 春季', 'campaign ' || i, 'active', ?4 || '-01', 30, 14, ?1, ?1 FROM k`,
		`WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM k WHERE i < ?2 - 1)
		 INSERT INTO conversions (id, org_id, source, external_id, occurred_at, currency, amount_minor, creator_id, account_id, platform,
		        campaign_id, rule, status, attributed_at, approved_at, created_at, updated_at)
		 SELECT printf('cv-%08d', i), ?0, 'tiktok_shop', CAST(820982911946154508 + i AS TEXT),
		        strftime('%Y-%m-%d %H:%M:%S', ?3, '+' || (i % 2592000) || ' seconds') || '+00:00',
		        CASE i % 3 WHEN 0 THEN 'USD' WHEN 1 THEN 'EUR' ELSE 'JPY' END, 1000 + i % 50000,
		        printf('cr-%05d', i % 2000), printf('ac-%05d', i % 2000),
		        CASE (i % 2000) % 4 WHEN 0 THEN 'tiktok' WHEN 1 THEN 'youtube' WHEN 2 THEN 'instagram' ELSE 'rednote' END,
		        printf('cm-%02d', i % 40), 'account', 'approved', ?1, ?1, ?1, ?1 FROM k`,
		`INSERT INTO ledger_entries (id, org_id, conversion_id, creator_id, account_id, platform, campaign_id, kind, amount_minor, currency,
		        base_amount_minor, base_currency, fx_rate, rate_bps, gmv_minor, agency_share_bps, agency_share_minor, period, occurred_at,
		        explanation, created_at)
		 SELECT 'le-' || substr(c.id, 4), c.org_id, c.id, c.creator_id, c.account_id, c.platform, c.campaign_id,
		        CASE WHEN CAST(substr(c.id, 4) AS INTEGER) % 10 = 9 THEN 'reversal' ELSE 'commission' END,
		        CASE WHEN CAST(substr(c.id, 4) AS INTEGER) % 10 = 9 THEN -(c.amount_minor / 20) ELSE c.amount_minor / 10 END,
		        c.currency, c.amount_minor / 10 * 7, 'USD', CASE c.currency WHEN 'USD' THEN '1' WHEN 'EUR' THEN '1.08' ELSE '0.0066' END,
		        1000, c.amount_minor, 0, 0, ?4, c.occurred_at,
		        '{"rule":"account","source":"plan","plan_type":"percent","rate_bps":1000,"base":"net","base_minor":' || c.amount_minor ||
		        ',"fx_rate":"1.08","fx_day":"' || ?4 || '-01"}', ?1
		 FROM conversions c WHERE c.org_id = ?0`,
	}
	now := time.Now().UTC()
	for _, q := range steps {
		if _, err := s.DB.NewRaw(q, s.OrgID, now, n, day0, period).Exec(ctx); err != nil {
			return fmt.Errorf("bench: seed entries: %w", err)
		}
	}
	_, err := s.DB.ExecContext(ctx, "ANALYZE")
	return err
}
