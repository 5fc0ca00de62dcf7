package payout_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/ledger"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// sumsLog keeps the SQL of the statements' summing query.
type sumsLog struct {
	mu      sync.Mutex
	queries []string
}

func (l *sumsLog) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (l *sumsLog) AfterQuery(_ context.Context, ev *bun.QueryEvent) {
	if strings.Contains(ev.Query, "LEFT JOIN conversions AS cv") && strings.Contains(ev.Query, "GROUP BY") {
		l.mu.Lock()
		l.queries = append(l.queries, ev.Query)
		l.mu.Unlock()
	}
}

// On PostgreSQL the statements of a date range (a period's are read from the ledger_sums rollup) sum
// its entries, and looked up each entry's conversion by its key, one probe per entry (49k probes,
// about 300 of the 307 ms of a month's statements in caravan bench). Conversion ids rise with time, so
// the conversions are read in one pass over the range's id range instead: once, and no more rows of
// them than the range's entries name (a hash over the organization's conversions reads them all).
func TestADateRangesStatementsReadItsConversionsInOnePassOnPostgres(t *testing.T) {
	db := storetest.Postgres(t)
	e := apitest.New(t, db)
	owner := e.Setup("Ningbo Home", "owner@nb.example")
	creator := call(t, e, owner, "POST", "/api/v1/creators", obj{"display_name": "Luna", "country": "US"}, 201)["id"].(string)
	ctx := context.Background()

	const months, perMonth = 6, 1500
	var cvs []propConversion
	var es []propEntry
	for m := range months {
		start := time.Date(2026, time.Month(1+m), 1, 0, 0, 0, 0, time.UTC)
		for j := range perMonth {
			i := m*perMonth + j
			at := start.Add(time.Duration(j) * 20 * time.Minute)
			id := fmt.Sprintf("%08x-0000-7000-8000-%012x", i, i) // rising with time, as UUIDv7 ids do
			cvs = append(cvs, propConversion{ID: id, OrgID: owner.OrgID, Source: "api", ExternalID: id, OccurredAt: at, Currency: "USD",
				AmountMinor: 10_000, CreatorID: &creator, Status: "pending", CreatedAt: at, UpdatedAt: at})
			es = append(es, propEntry{ID: fmt.Sprintf("%08x-0000-7000-a000-%012x", i, i), OrgID: owner.OrgID, ConversionID: &cvs[len(cvs)-1].ID,
				CreatorID: creator, Kind: ledger.KindCommission, AmountMinor: 1000, Currency: "USD", BaseCurrency: "CNY", GMVMinor: 10_000,
				Period: start.Format("2006-01"), OccurredAt: at, Explanation: "{}", CreatedAt: at})
		}
	}
	for i := 0; i < len(cvs); i += 1000 {
		if _, err := db.NewInsert().Model(new(cvs[i:min(i+1000, len(cvs))])).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.NewInsert().Model(new(es[i:min(i+1000, len(es))])).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, "ANALYZE conversions, ledger_entries"); err != nil {
		t.Fatal(err)
	}

	log := &sumsLog{}
	db.AddQueryHook(log)
	got, err := e.Deps.Payouts.Statements(ctx, actor.Actor{OrgID: owner.OrgID, Role: actor.RoleFinance}, ledger.Range{From: "2026-03-01", To: "2026-03-31"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 1 || got.Items[0].Conversions != perMonth || got.Items[0].PendingMinor != perMonth*1000 {
		t.Fatalf("statement: %+v", got.Items)
	}
	if len(log.queries) != 1 {
		t.Fatalf("want the one summing query, logged %d", len(log.queries))
	}
	var raw []byte
	if err := db.QueryRowContext(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) "+log.queries[0]).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	loops, rows := 0.0, 0.0
	storetest.ParsePlan(t, raw).Walk(func(n storetest.PlanNode) {
		if n.Relation == "conversions" {
			loops = max(loops, n.Loops)
			rows += n.Rows * n.Loops
		}
	})
	if loops == 0 || loops > 3 || rows > 2*perMonth {
		t.Errorf("the conversions were read in %v loops, %v rows in all, for a month of %d entries of %d conversions; plan:\n%s",
			loops, rows, perMonth, len(cvs), raw)
	}
}
