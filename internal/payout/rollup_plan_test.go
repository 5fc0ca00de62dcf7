package payout_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/ledger"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// The ledger_sums trigger of PostgreSQL looks up each new entry's conversion. On tables without
// statistics (autovacuum off, a database before its first analyse) the planner cached a plan that
// joined on the organization through another index of conversions, reading all the organization's
// conversions for every entry: inserts slowed down with every order stored. The lookup must read at
// most the entry's own conversion whatever the statistics say. The count of conversions the
// transaction read (PostgreSQL's own counters, not a clock) shows which plan ran. The entries name no
// conversion (as some adjustments and corrections do), so that no foreign-key check reads
// conversions too: every row read is the trigger's.
func TestLedgerSumsTriggerReadsNoConversionsButTheEntrysOwn(t *testing.T) {
	db := storetest.Postgres(t)
	e := apitest.New(t, db)
	owner := e.Setup("Ningbo Home", "owner@nb.example")
	creator := call(t, e, owner, "POST", "/api/v1/creators", obj{"display_name": "Luna", "country": "US"}, 201)["id"].(string)
	ctx := context.Background()
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

	const n = 400
	var cvs []propConversion
	var es []propEntry
	for range n {
		cvs = append(cvs, propConversion{ID: store.NewID(), OrgID: owner.OrgID, Source: "api", ExternalID: store.NewID(), OccurredAt: at,
			Currency: "USD", AmountMinor: 1000, CreatorID: &creator, Status: conversion.StatusPending, CreatedAt: at, UpdatedAt: at})
		es = append(es, propEntry{ID: store.NewID(), OrgID: owner.OrgID, CreatorID: creator, Kind: ledger.KindCommission,
			AmountMinor: 100, Currency: "USD", BaseCurrency: "CNY", GMVMinor: 1000, Period: "2026-11", OccurredAt: at, Explanation: "{}", CreatedAt: at})
	}
	if _, err := db.NewInsert().Model(&cvs).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// Entries a few at a time, as orders come: each statement's trigger runs its (cached) plan again.
		for i := 0; i < n; i += 50 {
			chunk := es[i : i+50]
			if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
				return err
			}
		}
		var read int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(idx_tup_fetch, 0) + COALESCE(seq_tup_read, 0) FROM pg_stat_xact_user_tables
			WHERE relname = 'conversions' AND schemaname = current_schema()`).Scan(&read); err != nil {
			return err
		}
		// None would do; reading the organization's conversions for each entry is n² (160,000).
		if read > n {
			t.Errorf("storing %d entries without conversions read %d rows of conversions (at most %d expected): the rollup's trigger scans the organization", n, read, n)
		}
		var sum struct {
			Entries int64 `bun:"entries"`
			Payable int64 `bun:"payable_minor"`
		}
		if err := tx.NewSelect().TableExpr("ledger_sums").ColumnExpr("entries, payable_minor").
			Where("org_id = ? AND period = '2026-11' AND creator_id = ?", owner.OrgID, creator).Scan(ctx, &sum); err != nil {
			return err
		}
		if sum.Entries != n || sum.Payable != 0 { // without a conversion an entry is neither payable nor pending
			t.Errorf("ledger_sums holds %+v, want %d entries, none payable", sum, n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
