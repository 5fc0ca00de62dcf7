package bench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caravan-crm/caravan/internal/store"
)

// The ingest scenario measures order ingestion through the real server:
//
//   - ingest_single_{sqlite,postgres}: POST /api/v1/conversions, one order per request, from 64
//     concurrent clients, against 64 goroutines each writing the same rows (the conversion, its item
//     and its ledger entry) in a transaction of their own through database/sql (target ≥ 3×);
//   - ingest_batch_{sqlite,postgres}: POST /api/v1/conversions/batch, 1000 orders per request, against
//     multi-row INSERTs of the same rows, 1000 per statement (target ≥ 0.7×);
//   - ingest_replay (SQLite) and ingest_replay_postgres: every order of the run again, as the same
//     singles and batches: the time of the replay against the time of the first pass (≤ 1.2×), and
//     nothing added (the row counts are checked after every run).
//
// Every order is attributed by promo code to a creator enrolled in a campaign paying 10 %, with one
// item line, so each stores a conversion, an item and a commission entry.
func init() {
	Register(Scenario{Name: "ingest", Run: runIngest})
}

// ingestClients is how many clients send single orders at once.
const ingestClients = 64

// ingestBatch is the size of a batch request (the endpoint's maximum).
const ingestBatch = 1000

func runIngest(ctx context.Context, env *Env) ([]Result, error) {
	var out []Result
	for _, dialect := range env.Dialects() {
		rs, err := ingestOn(ctx, env, dialect)
		if err != nil {
			return out, fmt.Errorf("%s: %w", dialect, err)
		}
		out = append(out, rs...)
	}
	return out, nil
}

// ingestWorld is what the orders need to be attributed, set up through the API.
type ingestWorld struct {
	s                          *Server
	dialect                    string
	creator, account, campaign string
	seq                        atomic.Int64
	// what the run has stored: orders through the API, rows written by the baselines
	wantConversions, raw int64
}

func (w *ingestWorld) setup(ctx context.Context) error {
	s := w.s
	var cr struct {
		ID       string `json:"id"`
		Accounts []struct {
			ID string `json:"id"`
		} `json:"accounts"`
	}
	if err := s.Do(ctx, http.MethodPost, "/api/v1/creators", map[string]any{"display_name": "Luna", "country": "US",
		"accounts": []map[string]any{{"platform": "tiktok", "handle": "@luna_bench"}}}, http.StatusCreated, &cr); err != nil {
		return err
	}
	if len(cr.Accounts) != 1 {
		return errors.New("the creator has no account")
	}
	w.creator, w.account = cr.ID, cr.Accounts[0].ID
	var cm struct {
		ID string `json:"id"`
	}
	if err := s.Do(ctx, http.MethodPost, "/api/v1/campaigns", map[string]any{"name": "Spring tea", "starts_on": "2026-11-01",
		"plan": map[string]any{"type": "percent", "rate_bps": 1000}, "attribution_window_days": 7}, http.StatusCreated, &cm); err != nil {
		return err
	}
	w.campaign = cm.ID
	if err := s.Do(ctx, http.MethodPost, "/api/v1/campaigns/"+w.campaign+"/creators", map[string]any{"creator_id": w.creator}, http.StatusCreated, nil); err != nil {
		return err
	}
	return s.Do(ctx, http.MethodPost, "/api/v1/promo-codes", map[string]any{"code": "LUNA10", "creator_id": w.creator,
		"campaign_id": w.campaign, "account_id": w.account}, http.StatusCreated, nil)
}

// order is the JSON of order n: a distinct external id and time (orders of a day, a second apart).
func (w *ingestWorld) order(n int64) []byte {
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC).Add(time.Duration(n%86_400) * time.Second)
	return []byte(fmt.Sprintf(`{"external_id":"B-%d","occurred_at":%q,"currency":"USD","amount_minor":8097,"discount_minor":900,`+
		`"promo_code":"LUNA10","items":[{"sku":"NB-TEA-01","quantity":1,"amount_minor":8097}]}`, n, at.Format(time.RFC3339)))
}

func (w *ingestWorld) post(path string, body []byte) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, w.s.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", w.s.APIKey)
	return req
}

// singles posts orders first..first+n-1 one per request from 64 clients; want is 201 for new
// orders, 200 for a replay. It returns the orders stored per second.
func (w *ingestWorld) singles(ctx context.Context, first int64, n, want int) (float64, time.Duration, error) {
	client := Keepalive(ingestClients)
	defer client.CloseIdleConnections()
	r := Load(ctx, client, ingestClients, n, 0, func(i int) (*http.Request, int) {
		return w.post("/api/v1/conversions", w.order(first+int64(i))), want
	})
	if r.Errors > 0 {
		return 0, 0, fmt.Errorf("%d of %d single orders failed: %v", r.Errors, n, r.FirstErr)
	}
	return r.PerSecond(), r.Took, nil
}

// batches posts orders first..first+batches×1000-1 as batch requests, one after the other, and
// checks every order's status. It returns the orders stored per second.
func (w *ingestWorld) batches(ctx context.Context, first int64, batches int, status string) (float64, time.Duration, error) {
	start := time.Now()
	for b := range batches {
		var body bytes.Buffer
		body.WriteString(`{"conversions":[`)
		for i := range ingestBatch {
			if i > 0 {
				body.WriteByte(',')
			}
			body.Write(w.order(first + int64(b*ingestBatch+i)))
		}
		body.WriteString(`]}`)
		resp, err := w.s.Client.Do(w.post("/api/v1/conversions/batch", body.Bytes()).WithContext(ctx))
		if err != nil {
			return 0, 0, err
		}
		var res struct {
			Items []struct {
				Status string `json:"status"`
			} `json:"items"`
		}
		err = json.NewDecoder(resp.Body).Decode(&res)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return 0, 0, fmt.Errorf("batch answered %d (%v)", resp.StatusCode, err)
		}
		for i, it := range res.Items {
			if it.Status != status {
				return 0, 0, fmt.Errorf("batch order %d is %q, not %q", i, it.Status, status)
			}
		}
		if len(res.Items) != ingestBatch {
			return 0, 0, fmt.Errorf("batch answered %d items, not %d", len(res.Items), ingestBatch)
		}
	}
	took := time.Since(start)
	return float64(batches*ingestBatch) / took.Seconds(), took, nil
}

// ingestRawRow is one order's rows as the baselines write them: the same columns the server writes.
type ingestRawRow struct {
	conversion, item, entry []any
}

const (
	rawConversionCols = "id, org_id, source, external_id, occurred_at, currency, amount_minor, discount_minor, refunded_minor, " +
		"creator_id, account_id, platform, campaign_id, rule, clues, status, hold_until, attributed_at, version, created_at, updated_at"
	rawItemCols  = "org_id, conversion_id, line, sku, quantity, amount_minor"
	rawEntryCols = "id, org_id, conversion_id, creator_id, account_id, platform, campaign_id, kind, amount_minor, currency, " +
		"base_amount_minor, base_currency, fx_rate, fx_missing, rate_bps, gmv_minor, base_gmv_minor, agency_share_bps, " +
		"agency_share_minor, period, occurred_at, explanation, created_at"
)

func (w *ingestWorld) rawRow(n int64) ingestRawRow {
	id := fmt.Sprintf("raw-%d-%s", n, randomHex(4))
	now := time.Now().UTC().Truncate(time.Microsecond)
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC).Add(time.Duration(n%86_400) * time.Second)
	hold := at.Add(30 * 24 * time.Hour)
	clues := `{"promo_code":"LUNA10"}`
	explanation := `{"rule":"promo_code","source":"plan","plan_version":1,"plan_type":"percent","rate_bps":1000,"base":"net","base_minor":8097,"fx_rate":"1"}`
	return ingestRawRow{
		conversion: []any{id, w.s.OrgID, "bench", fmt.Sprintf("R-%d", n), at, "USD", int64(8097), int64(900), int64(0),
			w.creator, w.account, "tiktok", w.campaign, "promo_code", clues, "pending", hold, now, int64(1), now, now},
		item: []any{w.s.OrgID, id, 1, "NB-TEA-01", int64(1), int64(8097)},
		entry: []any{"e" + id, w.s.OrgID, id, w.creator, w.account, "tiktok", w.campaign, "commission", int64(810), "USD",
			int64(810), "USD", "1", false, int64(1000), int64(8097), int64(8097), int64(0), int64(0), "2026-11", at, explanation, now},
	}
}

// ingestInsertSQL is a multi-row INSERT of rows rows of cols, with $n placeholders on PostgreSQL and ?
// on SQLite (the SQLite driver binds many numbered parameters slowly).
func ingestInsertSQL(dialect, table, cols string, rows int) string {
	n := strings.Count(cols, ",") + 1
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, cols)
	p := 1
	for r := range rows {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range n {
			if c > 0 {
				b.WriteByte(',')
			}
			if dialect == "sqlite" {
				b.WriteByte('?')
			} else {
				fmt.Fprintf(&b, "$%d", p)
			}
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// rawSingles is the single baseline: 64 goroutines, each order in a transaction of its own (BEGIN;
// INSERT the conversion, its item, its entry; COMMIT) through database/sql on the server's pool.
func (w *ingestWorld) rawSingles(ctx context.Context, first int64, n int) (float64, error) {
	db := w.s.DB.DB
	d := w.dialect
	conv, item, entry := ingestInsertSQL(d, "conversions", rawConversionCols, 1), ingestInsertSQL(d, "conversion_items", rawItemCols, 1), ingestInsertSQL(d, "ledger_entries", rawEntryCols, 1)
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	start := time.Now()
	for range ingestClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				r := w.rawRow(first + i)
				err := ingestInTx(ctx, db, func(tx *sql.Tx) error {
					for _, q := range []struct {
						sql  string
						args []any
					}{{conv, r.conversion}, {item, r.item}, {entry, r.entry}} {
						if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	w.raw += int64(n)
	return float64(n) / time.Since(start).Seconds(), nil
}

// rawBatches is the batch baseline: per 1000 orders, one transaction of three multi-row INSERTs
// (conversions, items, entries).
func (w *ingestWorld) rawBatches(ctx context.Context, first int64, batches int) (float64, error) {
	db := w.s.DB.DB
	d := w.dialect
	conv := ingestInsertSQL(d, "conversions", rawConversionCols, ingestBatch)
	item := ingestInsertSQL(d, "conversion_items", rawItemCols, ingestBatch)
	entry := ingestInsertSQL(d, "ledger_entries", rawEntryCols, ingestBatch)
	start := time.Now()
	for b := range batches {
		var cs, is, es []any
		for i := range ingestBatch {
			r := w.rawRow(first + int64(b*ingestBatch+i))
			cs, is, es = append(cs, r.conversion...), append(is, r.item...), append(es, r.entry...)
		}
		if err := ingestInTx(ctx, db, func(tx *sql.Tx) error {
			for _, q := range []struct {
				sql  string
				args []any
			}{{conv, cs}, {item, is}, {entry, es}} {
				if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return 0, err
		}
	}
	w.raw += int64(batches * ingestBatch)
	return float64(batches*ingestBatch) / time.Since(start).Seconds(), nil
}

func ingestInTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// check compares the row counts with what the run stored: every order once, with its item and its
// one commission entry, nothing added by a replay.
func (w *ingestWorld) check(ctx context.Context) error {
	count := func(table, where string) (int64, error) {
		var n int64
		err := w.s.DB.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table+" WHERE org_id = $1"+where, w.s.OrgID).Scan(&n)
		return n, err
	}
	for _, c := range []struct {
		table, where string
		want         int64
	}{
		{"conversions", " AND source = 'api'", w.wantConversions},
		{"conversion_items", "", w.wantConversions + w.raw},
		{"ledger_entries", "", w.wantConversions + w.raw},
		{"conversions", " AND source = 'api' AND creator_id IS NULL", 0},
	} {
		n, err := count(c.table, c.where)
		if err != nil {
			return err
		}
		if n != c.want {
			return fmt.Errorf("%s%s holds %d rows, not %d", c.table, c.where, n, c.want)
		}
	}
	return nil
}

func ingestOn(ctx context.Context, env *Env, dialect string) ([]Result, error) {
	s, err := env.NewServer(ctx, dialect, "ingest")
	if err != nil {
		return nil, err
	}
	defer s.Close()
	w := &ingestWorld{s: s, dialect: dialect}
	if err := w.setup(ctx); err != nil {
		return nil, err
	}
	singleN := env.Scale(4000, 1000)
	batchN := env.Scale(5, 2)
	// A warm-up of each path, so the first run does not pay for cold caches and connections.
	if _, _, err := w.singles(ctx, w.seq.Add(200)-200, 200, http.StatusCreated); err != nil {
		return nil, err
	}
	w.wantConversions += 200
	if _, err := w.rawSingles(ctx, 1_000_000_000+w.seq.Add(200), 200); err != nil {
		return nil, err
	}

	type pass struct {
		first int64
		took  time.Duration
		n     int // orders (singles) or batches
	}
	var firsts []pass
	var rawSingle, subjSingle, rawBatch, subjBatch []float64
	for run := range env.Runs {
		// Statistics as autovacuum keeps them while the tables grow (it analyzes a table once a tenth of
		// it has changed): each run adds a third or more to the tables.
		if err := store.Optimize(ctx, s.App.DB); err != nil {
			return nil, err
		}
		// singles: baseline, then subject
		rs, err := w.rawSingles(ctx, 1_000_000_000+w.seq.Add(int64(singleN)), singleN)
		if err != nil {
			return nil, fmt.Errorf("single baseline: %w", err)
		}
		first := w.seq.Add(int64(singleN)) - int64(singleN)
		ss, took, err := w.singles(ctx, first, singleN, http.StatusCreated)
		if err != nil {
			return nil, err
		}
		w.wantConversions += int64(singleN)
		rawSingle, subjSingle = append(rawSingle, rs), append(subjSingle, ss)
		firsts = append(firsts, pass{first, took, singleN})

		// batches: baseline, then subject
		rb, err := w.rawBatches(ctx, 1_000_000_000+w.seq.Add(int64(batchN*ingestBatch)), batchN)
		if err != nil {
			return nil, fmt.Errorf("batch baseline: %w", err)
		}
		bfirst := w.seq.Add(int64(batchN*ingestBatch)) - int64(batchN*ingestBatch)
		sb, btook, err := w.batches(ctx, bfirst, batchN, "created")
		if err != nil {
			return nil, err
		}
		w.wantConversions += int64(batchN * ingestBatch)
		rawBatch, subjBatch = append(rawBatch, rb), append(subjBatch, sb)
		firsts = append(firsts, pass{bfirst, btook, batchN})
		env.Log("ingest %s run %d: single %.0f/s vs raw %.0f/s, batch %.0f/s vs raw %.0f/s", dialect, run+1, ss, rs, sb, rb)
	}
	if err := w.check(ctx); err != nil {
		return nil, fmt.Errorf("after the first pass: %w", err)
	}

	// Replay: each run's singles and batches again, as duplicates, timed against the first pass.
	var firstTimes, replayTimes []float64
	for run := range env.Runs {
		sp, bp := firsts[2*run], firsts[2*run+1]
		_, st, err := w.singles(ctx, sp.first, sp.n, http.StatusOK)
		if err != nil {
			return nil, fmt.Errorf("replay: %w", err)
		}
		_, bt, err := w.batches(ctx, bp.first, bp.n, "duplicate")
		if err != nil {
			return nil, fmt.Errorf("replay: %w", err)
		}
		firstTimes = append(firstTimes, float64(sp.took+bp.took)/float64(time.Millisecond))
		replayTimes = append(replayTimes, float64(st+bt)/float64(time.Millisecond))
	}
	if err := w.check(ctx); err != nil {
		return nil, fmt.Errorf("after the replay: %w", err)
	}

	counts := fmt.Sprintf("row counts checked after the run: %d conversions, each with its item and one commission entry", w.wantConversions)
	out := []Result{
		AtLeast("ingest_single_"+dialect, "orders/s", Median(subjSingle), Median(rawSingle), 3,
			fmt.Sprintf("%d orders from %d clients, each attributed by promo code with its item and commission entry, vs 64 goroutines each "+
				"writing the same rows in a transaction of their own through database/sql; %s", singleN, ingestClients, counts)),
		AtLeast("ingest_batch_"+dialect, "orders/s", Median(subjBatch), Median(rawBatch), 0.7,
			fmt.Sprintf("%d × %d-order batches vs multi-row INSERTs of the same rows (conversions, items, entries) 1000 per statement; %s",
				batchN, ingestBatch, counts)),
	}
	name := "ingest_replay"
	if dialect != "sqlite" {
		name += "_" + dialect
	}
	out = append(out, AtMost(name, "ms", Median(replayTimes), Median(firstTimes), 1.2,
		fmt.Sprintf("every order of each run again (%d singles and %d batch orders), all answered duplicate; nothing added: %s",
			singleN, batchN*ingestBatch, counts)))
	return out, nil
}
