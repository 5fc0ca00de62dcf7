package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/payout"
	"github.com/caravan-crm/caravan/internal/store"
)

// The statement scenario measures GET /api/v1/statements?period=YYYY-MM through the real server over
// a large ledger: 5M conversions (quick: 500k) spread over twelve months, ~5,000 creators, five
// currencies (one without FX rates, so some lines have no base payable), every status (pending,
// approved, paid, rejected before and after approval, reversed), full reversals of the rejected and
// reversed ones, late partial refunds that land in the next period, a monthly adjustment for a fifth
// of the creators, and an agency taking 20 % of a quarter of them. The first ten months are closed.
//
// The data is written straight into the tables with set-based SQL (INSERT … SELECT over a recursive
// CTE on SQLite, generate_series on PostgreSQL): the ingestion path has its own scenario, and 5M
// orders through it would take hours. Then one closed month's statements are requested sequentially,
// statementRequests times per run; statement_{sqlite,postgres} is the median over the runs of each
// run's p95, against an absolute target of 200 ms. The answer is checked against SUM queries over the
// tables (per currency: lines, conversions, GMV, commission, reversals, adjustments, agency share,
// payable, pending, base payable) before the runs and on the first request of every run.
func init() { Register(Scenario{Name: "statement", Run: runStatement}) }

// statementRequests is how many sequential requests one run makes.
const statementRequests = 30

// statementTarget is the p95 target, in milliseconds.
const statementTarget = 200

// statementMonths is how many months the conversions spread over; statementClosed of them (the
// oldest) are closed; the measured month is the last closed one.
const (
	statementMonths = 12
	statementClosed = 10
)

func runStatement(ctx context.Context, env *Env) ([]Result, error) {
	var out []Result
	for _, dialect := range env.Dialects() {
		r, err := statementOn(ctx, env, dialect)
		if err != nil {
			return out, fmt.Errorf("%s: %w", dialect, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func statementOn(ctx context.Context, env *Env, dialect string) (Result, error) {
	name := "statement_" + dialect
	s, err := env.NewServer(ctx, dialect, "statement")
	if err != nil {
		return Result{}, err
	}
	defer s.Close()
	var ag struct {
		ID string `json:"id"`
	}
	if err := s.Do(ctx, http.MethodPost, "/api/v1/agencies", map[string]any{"name": "Bench MCN", "country": "US", "share_bps": 2000},
		http.StatusCreated, &ag); err != nil {
		return Result{}, err
	}
	sd := statementSeed{dialect: dialect, orgID: s.OrgID, agencyID: ag.ID, conversions: env.Scale(5_000_000, 500_000), creators: 5000,
		first: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)}
	start := time.Now()
	if err := sd.seed(ctx, s.DB, env.Log); err != nil {
		return Result{}, fmt.Errorf("seed: %w", err)
	}
	period := sd.month(statementClosed - 1)
	want, err := statementTotals(ctx, s.DB, s.OrgID, period)
	if err != nil {
		return Result{}, fmt.Errorf("expected totals: %w", err)
	}
	var entries, periodEntries int64
	if err := s.DB.NewSelect().TableExpr("ledger_entries").ColumnExpr("COUNT(*)").Where("org_id = ?", s.OrgID).Scan(ctx, &entries); err != nil {
		return Result{}, err
	}
	if err := s.DB.NewSelect().TableExpr("ledger_entries").ColumnExpr("COUNT(*)").Where("org_id = ? AND period = ?", s.OrgID, period).Scan(ctx, &periodEntries); err != nil {
		return Result{}, err
	}
	env.Log("%s: seeded %d conversions, %d entries (%d in %s) in %s", name, sd.conversions, entries, periodEntries, period, time.Since(start).Round(time.Second))

	if err := s.login(ctx); err != nil { // seeding may outlast the setup's access token
		return Result{}, err
	}
	path := "/api/v1/statements?period=" + period
	first := time.Now()
	var got statementAnswer
	if err := s.Do(ctx, http.MethodGet, path, nil, http.StatusOK, &got); err != nil {
		return Result{}, err
	}
	env.Log("%s: first answer in %s", name, time.Since(first).Round(time.Millisecond))
	if err := got.check(want, period); err != nil {
		return Result{}, err
	}
	var p95s []float64
	for run := range env.Runs {
		if err := s.login(ctx); err != nil { // access tokens are short-lived; a full run is long
			return Result{}, err
		}
		res := Load(ctx, s.Client, 1, statementRequests, 0, func(i int) (*http.Request, int) {
			req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+s.Token)
			return req, http.StatusOK
		})
		if res.Errors > 0 {
			return Result{}, fmt.Errorf("run %d: %d of %d requests failed: %w", run, res.Errors, res.Requests, res.FirstErr)
		}
		// the answer checked again after the run, so a fast answer is a right one
		var again statementAnswer
		if err := s.Do(ctx, http.MethodGet, path, nil, http.StatusOK, &again); err != nil {
			return Result{}, err
		}
		if err := again.check(want, period); err != nil {
			return Result{}, fmt.Errorf("run %d: %w", run, err)
		}
		p95s = append(p95s, res.P(95))
		env.Log("%s: run %d: p50 %.1f ms, p95 %.1f ms", name, run+1, res.P(50), res.P(95))
	}
	note := fmt.Sprintf("median of %d runs' p95 over %d sequential GET /api/v1/statements?period=%s; %s conversions, %s ledger entries (%s in the period), %d creators, %d lines; checked against SUM queries",
		env.Runs, statementRequests, period, num(float64(sd.conversions)), num(float64(entries)), num(float64(periodEntries)), sd.creators, len(got.Items))
	return Below(name, "ms", Median(p95s), statementTarget, note), nil
}

// login takes a fresh access token for the owner.
func (s *Server) login(ctx context.Context) error {
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	s.Token = ""
	if err := s.Do(ctx, http.MethodPost, "/api/v1/auth/login", map[string]string{"email": OwnerEmail, "password": OwnerPassword}, http.StatusOK, &tok); err != nil {
		return err
	}
	s.Token = tok.AccessToken
	return nil
}

// statementSums are one currency's figures: the answer's lines summed, or the SUM queries'.
type statementSums struct {
	Lines, Conversions, GMV, Commission, Reversal, Adjustment, AgencyShare, Payable, Pending int64
	BasePayable                                                                              int64
	BaseMissing                                                                              bool
}

// statementAnswer is what GET /api/v1/statements answers.
type statementAnswer payout.StatementList

// check compares the answer, summed per currency, with the SUM queries' figures.
func (a statementAnswer) check(want map[string]statementSums, period string) error {
	if a.Period != period || a.Status != "closed" {
		return fmt.Errorf("statements answered period %q status %q, want %q closed", a.Period, a.Status, period)
	}
	got := map[string]statementSums{}
	for _, l := range a.Items {
		if l.CreatorName == "" || l.BaseCurrency != "USD" {
			return fmt.Errorf("statement line without a name or base currency: %+v", l)
		}
		g := got[l.Currency]
		g.Lines++
		g.Conversions += l.Conversions
		g.GMV += l.GMVMinor
		g.Commission += l.CommissionMinor
		g.Reversal += l.ReversalMinor
		g.Adjustment += l.AdjustmentMinor
		g.AgencyShare += l.AgencyShareMinor
		g.Payable += l.PayableMinor
		g.Pending += l.PendingMinor
		if l.BasePayableMinor == nil {
			g.BaseMissing = true
		} else {
			g.BasePayable += *l.BasePayableMinor
		}
		got[l.Currency] = g
	}
	var bad []string
	for cur, w := range want {
		if g := got[cur]; g != w {
			bad = append(bad, fmt.Sprintf("%s: answered %+v, the tables say %+v", cur, g, w))
		}
	}
	for cur := range got {
		if _, ok := want[cur]; !ok {
			bad = append(bad, cur+": answered, but no entry in the tables")
		}
	}
	if len(bad) > 0 {
		return errors.New("statements disagree with the ledger: " + strings.Join(bad, "; "))
	}
	return nil
}

// statementTotals computes what the statements of a period must add up to, per currency, straight from
// the tables: payable and pending with correlated EXISTS on the conversions' statuses (approved at
// some point; pending and never approved), a different formulation from the service's
// LEFT JOIN.
func statementTotals(ctx context.Context, db *bun.DB, orgID, period string) (map[string]statementSums, error) {
	var rows []struct {
		Currency    string `bun:"currency"`
		Lines       int64  `bun:"lines"`
		Conversions int64  `bun:"conversions"`
		GMV         int64  `bun:"gmv"`
		Commission  int64  `bun:"commission"`
		Reversal    int64  `bun:"reversal"`
		Adjustment  int64  `bun:"adjustment"`
		AgencyShare int64  `bun:"agency_share"`
		Payable     int64  `bun:"payable"`
		Pending     int64  `bun:"pending"`
		BasePayable int64  `bun:"base_payable"`
		BaseMissing int64  `bun:"base_missing"`
	}
	payable := `(le.kind = 'adjustment' OR EXISTS (SELECT 1 FROM conversions AS c WHERE c.org_id = le.org_id AND c.id = le.conversion_id
		AND c.approved_at IS NOT NULL))`
	pending := `(le.kind <> 'adjustment' AND EXISTS (SELECT 1 FROM conversions AS c WHERE c.org_id = le.org_id AND c.id = le.conversion_id
		AND c.approved_at IS NULL AND c.status = 'pending'))`
	err := db.NewSelect().TableExpr("ledger_entries AS le").
		ColumnExpr("le.currency").
		ColumnExpr("COUNT(DISTINCT le.creator_id) AS lines").
		ColumnExpr("SUM(CASE WHEN le.kind = 'commission' THEN 1 ELSE 0 END) AS conversions").
		ColumnExpr("SUM(CASE WHEN le.kind = 'commission' THEN le.gmv_minor ELSE 0 END) AS gmv").
		ColumnExpr("SUM(CASE WHEN le.kind = 'commission' THEN le.amount_minor ELSE 0 END) AS commission").
		ColumnExpr("SUM(CASE WHEN le.kind = 'reversal' THEN le.amount_minor ELSE 0 END) AS reversal").
		ColumnExpr("SUM(CASE WHEN le.kind = 'adjustment' THEN le.amount_minor ELSE 0 END) AS adjustment").
		ColumnExpr("SUM(le.agency_share_minor) AS agency_share").
		ColumnExpr("SUM(CASE WHEN "+payable+" THEN le.amount_minor - le.agency_share_minor ELSE 0 END) AS payable").
		ColumnExpr("SUM(CASE WHEN "+pending+" THEN le.amount_minor - le.agency_share_minor ELSE 0 END) AS pending").
		ColumnExpr("COALESCE(SUM(CASE WHEN "+payable+" THEN le.base_amount_minor - COALESCE(le.base_agency_share_minor, 0) END), 0) AS base_payable").
		ColumnExpr("SUM(CASE WHEN "+payable+" AND le.base_amount_minor IS NULL THEN 1 ELSE 0 END) AS base_missing").
		Where("le.org_id = ? AND le.period = ?", orgID, period).
		Group("le.currency").Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	out := map[string]statementSums{}
	for _, r := range rows {
		w := statementSums{Lines: r.Lines, Conversions: r.Conversions, GMV: r.GMV, Commission: r.Commission, Reversal: r.Reversal,
			Adjustment: r.Adjustment, AgencyShare: r.AgencyShare, Payable: r.Payable, Pending: r.Pending, BaseMissing: r.BaseMissing > 0}
		if !w.BaseMissing {
			w.BasePayable = r.BasePayable
		}
		out[r.Currency] = w
	}
	return out, nil
}

// statementSeed writes the scenario's data with set-based SQL, every figure a function of the row's
// number i, so both dialects hold the same data.
type statementSeed struct {
	dialect               string
	orgID, agencyID       string
	conversions, creators int
	first                 time.Time // the first month
}

func (sd statementSeed) month(m int) string { return sd.first.AddDate(0, m, 0).Format("2006-01") }

// insert runs INSERT INTO head SELECT cols FROM the numbers lo..hi (as i) WHERE where, in statements
// of seedChunk numbers: one statement of a month's 416,666 conversions held SQLite's write lock for
// half a minute or more, and the server's own jobs (its lease renewed every few seconds) failed with
// SQLITE_BUSY after their 10 s busy timeout throughout the seed.
func (sd statementSeed) insert(ctx context.Context, db *bun.DB, head, cols string, lo, hi int, where string, args ...any) error {
	if where == "" {
		where = "TRUE"
	}
	for a := lo; a < hi; a += seedChunk {
		b := min(a+seedChunk, hi)
		var q string
		if sd.dialect == "sqlite" {
			q = fmt.Sprintf("WITH RECURSIVE n(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM n WHERE i < %d) INSERT INTO %s SELECT %s FROM n WHERE %s",
				a, b-1, head, cols, where)
		} else {
			q = fmt.Sprintf("INSERT INTO %s SELECT %s FROM generate_series(%d::bigint, %d::bigint) AS n(i) WHERE %s", head, cols, a, b-1, where)
		}
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// seedChunk is how many numbers one INSERT of the seed covers (a second or two of SQLite's write lock).
const seedChunk = 25_000

// hex formats an integer expression as w lower-case hex digits.
func (sd statementSeed) hex(expr string, w int) string {
	if sd.dialect == "sqlite" {
		return fmt.Sprintf("printf('%%0%dx', %s)", w, expr)
	}
	return fmt.Sprintf("lpad(to_hex(%s), %d, '0')", expr, w)
}

// ts is the timestamp of a Unix-seconds expression, as each dialect stores it.
func (sd statementSeed) ts(expr string) string {
	if sd.dialect == "sqlite" {
		return fmt.Sprintf("(strftime('%%Y-%%m-%%d %%H:%%M:%%S', %s, 'unixepoch') || '+00:00')", expr)
	}
	return fmt.Sprintf("to_timestamp(%s)", expr)
}

// IDs look like the UUIDv7 the application makes (36 characters, rising with i).
func (sd statementSeed) id(tag, expr string) string {
	return sd.hex(expr, 8) + " || '-0000-7000-" + tag + "-' || " + sd.hex(expr, 12)
}

func (sd statementSeed) seed(ctx context.Context, db *bun.DB, log func(string, ...any)) error {
	now := sd.ts(fmt.Sprint(time.Now().Unix()))
	// creators: k = i; a quarter in the agency; the currency of most of their orders is k % 10
	creatorID := func(k string) string { return sd.hex(k, 8) + " || '-0000-7000-9000-000000000000'" }
	name := "'Creator ' || " + sd.hex("i", 5)
	if err := sd.insert(ctx, db, "creators (id, org_id, display_name, name_key, country, status, agency_id, created_at, updated_at)",
		creatorID("i")+", ?, "+name+", lower("+name+"), 'US', 'active', CASE WHEN i % 4 = 0 THEN ? END, "+now+", "+now,
		0, sd.creators, "", sd.orgID, sd.agencyID); err != nil {
		return fmt.Errorf("creators: %w", err)
	}
	k := fmt.Sprintf("(i * 104729 %% %d)", sd.creators)
	r := "(((i / 7) * 31 + i) % 100)"                                  // the status draw, independent of the creator
	cur := "(CASE WHEN i / 7 % 10 = 0 THEN 5 ELSE " + k + " % 10 END)" // mostly the creator's currency, a tenth in EUR
	currency := func(c string) string {
		return "(CASE " + c + " WHEN 5 THEN 'EUR' WHEN 6 THEN 'EUR' WHEN 7 THEN 'GBP' WHEN 8 THEN 'JPY' WHEN 9 THEN 'BRL' ELSE 'USD' END)"
	}
	// base amounts (USD) at fixed rates, truncated toward zero so a reversal's is the commission's negated
	base := func(c, x string) string {
		return "(CASE " + c + " WHEN 5 THEN " + x + " * 108 / 100 WHEN 6 THEN " + x + " * 108 / 100 WHEN 7 THEN " + x + " * 127 / 100 WHEN 8 THEN " +
			x + " * 67 / 100 WHEN 9 THEN NULL ELSE " + x + " END)"
	}
	fxRate := func(c string) string {
		return "(CASE " + c + " WHEN 5 THEN '1.08' WHEN 6 THEN '1.08' WHEN 7 THEN '1.27' WHEN 8 THEN '0.0067' END)"
	}
	amount := "(1000 + i * 7877 % 49000)"
	commission := "(" + amount + " / 10)"
	inAgency := "(" + k + " % 4 = 0)"
	share := func(x string) string { return "(CASE WHEN " + inAgency + " THEN " + x + " * 2 / 10 ELSE 0 END)" }
	baseShare := func(c, x string) string {
		return "(CASE WHEN " + c + " = 9 THEN NULL ELSE " + share(base(c, x)) + " END)"
	}
	cvID := sd.id("8000", "i")
	entryCols := "ledger_entries (id, org_id, conversion_id, reverses_id, creator_id, platform, kind, amount_minor, currency, base_amount_minor, base_currency, " +
		"fx_rate, fx_missing, rate_bps, gmv_minor, base_gmv_minor, agency_id, agency_share_bps, agency_share_minor, base_agency_share_minor, period, occurred_at, " +
		"explanation, reason, created_at)"
	agency := "CASE WHEN " + inAgency + " THEN ? END, CASE WHEN " + inAgency + " THEN 2000 ELSE 0 END"
	n := sd.conversions
	for m := range statementMonths {
		lo, hi := m*n/statementMonths, (m+1)*n/statementMonths
		start := sd.first.AddDate(0, m, 0).Unix()
		// days 1–28, 00:00–15:00 UTC: the same day in Asia/Shanghai, the organization's zone
		occ := fmt.Sprintf("(%d + (i * 7 %% 27) * 86400 + (i * 13 %% 15) * 3600 + i %% 3600)", start)
		at := func(days int) string { return sd.ts(fmt.Sprintf("%s + %d", occ, days*86400)) }
		period, next := sd.month(m), sd.month(m)
		if m < statementClosed { // a late refund of a closed month lands in the next month
			next = sd.month(m + 1)
		}
		status := "CASE WHEN " + r + " < 8 THEN 'rejected' WHEN " + r + " < 10 THEN 'reversed' WHEN " + r + " < 30 THEN 'pending' WHEN " + r + " < 70 THEN 'approved' ELSE 'paid' END"
		approved := "CASE WHEN " + r + " < 4 OR (" + r + " >= 8 AND " + r + " < 10) OR " + r + " >= 30 THEN " + at(3) + " END"
		refunded := "CASE WHEN " + r + " >= 8 AND " + r + " < 10 THEN " + amount + " WHEN " + r + " >= 30 AND " + r + " < 35 THEN " + amount + " / 2 ELSE 0 END"
		if err := sd.insert(ctx, db, "conversions (id, org_id, source, external_id, occurred_at, currency, amount_minor, refunded_minor, creator_id, platform, rule, "+
			"status, attributed_at, decided_at, approved_at, paid_at, created_at, updated_at)",
			cvID+", ?, 'api', 'B' || i, "+sd.ts(occ)+", "+currency(cur)+", "+amount+", "+refunded+", "+creatorID(k)+", 'tiktok', 'promo_code', "+
				status+", "+sd.ts(occ)+", "+approved+", "+approved+", CASE WHEN "+r+" >= 70 THEN "+at(5)+" END, "+sd.ts(occ)+", "+sd.ts(occ),
			lo, hi, "", sd.orgID); err != nil {
			return fmt.Errorf("conversions of %s: %w", period, err)
		}
		// one commission entry per conversion
		if err := sd.insert(ctx, db, entryCols,
			sd.id("a000", "i")+", ?, "+cvID+", NULL, "+creatorID(k)+", 'tiktok', 'commission', "+commission+", "+currency(cur)+", "+base(cur, commission)+", 'USD', "+
				fxRate(cur)+", "+cur+" = 9, 1000, "+amount+", "+base(cur, amount)+", "+agency+", "+share(commission)+", "+baseShare(cur, commission)+", ?, "+
				sd.ts(occ)+", '{}', NULL, "+sd.ts(occ),
			lo, hi, "", sd.orgID, sd.agencyID, period); err != nil {
			return fmt.Errorf("commissions of %s: %w", period, err)
		}
		// rejected and reversed conversions: the whole commission reversed, the same month
		if err := sd.insert(ctx, db, entryCols,
			sd.id("b000", "i")+", ?, "+cvID+", "+sd.id("a000", "i")+", "+creatorID(k)+", 'tiktok', 'reversal', -"+commission+", "+currency(cur)+", -"+base(cur, commission)+", 'USD', "+
				fxRate(cur)+", "+cur+" = 9, 1000, -"+amount+", -"+base(cur, amount)+", "+agency+", -"+share(commission)+", -"+baseShare(cur, commission)+", ?, "+
				at(1)+", '{}', 'rejected', "+at(1),
			lo, hi, r+" < 10", sd.orgID, sd.agencyID, period); err != nil {
			return fmt.Errorf("reversals of %s: %w", period, err)
		}
		// half refunds of approved orders, late: in the next period when this one is closed
		half := "(" + commission + " / 2)"
		if err := sd.insert(ctx, db, entryCols,
			sd.id("b001", "i")+", ?, "+cvID+", "+sd.id("a000", "i")+", "+creatorID(k)+", 'tiktok', 'reversal', -"+half+", "+currency(cur)+", -"+base(cur, half)+", 'USD', "+
				fxRate(cur)+", "+cur+" = 9, 1000, -("+amount+" / 2), -"+base(cur, "("+amount+" / 2)")+", "+agency+", -"+share(half)+", -"+baseShare(cur, half)+", ?, "+
				at(2)+", '{}', NULL, "+at(2),
			lo, hi, r+" >= 30 AND "+r+" < 35", sd.orgID, sd.agencyID, next); err != nil {
			return fmt.Errorf("refunds of %s: %w", period, err)
		}
		// adjustments: a fifth of the creators each month, in their currency, some negative
		kc, ki := "(i % 10)", "(i % 4 = 0)"
		adj := "(CASE WHEN i % 7 = 0 THEN -(300 + i % 900) ELSE 500 + i * 31 % 5000 END)"
		adjShare := "(CASE WHEN " + ki + " THEN " + adj + " * 2 / 10 ELSE 0 END)"
		if err := sd.insert(ctx, db, entryCols,
			sd.hex("i", 8)+" || '-"+fmt.Sprintf("%04x", m)+"-7000-c000-000000000000', ?, NULL, NULL, "+creatorID("i")+", NULL, 'adjustment', "+adj+", "+currency(kc)+", "+
				base(kc, adj)+", 'USD', "+fxRate(kc)+", "+kc+" = 9, NULL, 0, NULL, CASE WHEN "+ki+" THEN ? END, CASE WHEN "+ki+" THEN 2000 ELSE 0 END, "+adjShare+", "+
				"CASE WHEN "+kc+" = 9 THEN NULL WHEN "+ki+" THEN "+base(kc, adj)+" * 2 / 10 ELSE 0 END, ?, "+sd.ts(fmt.Sprint(start+20*86400))+", '{}', 'bench adjustment', "+now,
			0, sd.creators, fmt.Sprintf("i %% 5 = %d", m%5), sd.orgID, sd.agencyID, period); err != nil {
			return fmt.Errorf("adjustments of %s: %w", period, err)
		}
		if m < statementClosed {
			if _, err := db.ExecContext(ctx, "INSERT INTO periods (org_id, period, status, closed_at) VALUES (?, ?, 'closed', ?)", sd.orgID, period,
				sd.first.AddDate(0, m+1, 1)); err != nil {
				return fmt.Errorf("close %s: %w", period, err)
			}
		}
		log("statement_%s: seeded %s (%d conversions)", sd.dialect, period, hi-lo)
	}
	// the planner's statistics, as the running application keeps them (store.Optimize at start, after
	// bulk writes and every 6 hours on SQLite; autovacuum on PostgreSQL)
	if sd.dialect == "sqlite" {
		return store.Optimize(ctx, db)
	}
	_, err := db.ExecContext(ctx, "VACUUM ANALYZE creators, conversions, ledger_entries")
	return err
}
