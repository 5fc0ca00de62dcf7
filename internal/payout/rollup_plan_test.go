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

// PostgreSQL's ledger_sums triggers (migration 20261205600000) look up each new entry's conversion
// and each changed conversion's entries. PL/pgSQL plans a function's static SQL at its first call in
// a connection and keeps the plan: planned on empty tables (a new database, whose statistics say so
// until the next analyse) the lookups were sequential scans, kept as the tables grew, and every
// order stored took longer than the last. The triggers must find those rows by their indexes however
// the tables were when the connection first ran them. PostgreSQL's own counters of the transaction
// (not a clock) show which plan ran.
func TestLedgerSumsTriggersReadByIndexAsTheTablesGrow(t *testing.T) {
	db := storetest.Postgres(t)
	e := apitest.New(t, db)
	owner := e.Setup("Ningbo Home", "owner@nb.example")
	creator := call(t, e, owner, "POST", "/api/v1/creators", obj{"display_name": "Luna", "country": "US"}, 201)["id"].(string)
	ctx := context.Background()
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	newConversions := func(n int) []propConversion {
		cvs := make([]propConversion, n)
		for i := range cvs {
			cvs[i] = propConversion{ID: store.NewID(), OrgID: owner.OrgID, Source: "api", ExternalID: store.NewID(), OccurredAt: at,
				Currency: "USD", AmountMinor: 1000, CreatorID: &creator, Status: conversion.StatusPending, CreatedAt: at, UpdatedAt: at}
		}
		return cvs
	}
	entriesOf := func(cvs []propConversion) []propEntry {
		es := make([]propEntry, len(cvs))
		for i := range cvs {
			es[i] = propEntry{ID: store.NewID(), OrgID: owner.OrgID, ConversionID: &cvs[i].ID, CreatorID: creator, Kind: ledger.KindCommission,
				AmountMinor: 100, Currency: "USD", BaseCurrency: "CNY", GMVMinor: 1000, Period: "2026-11", OccurredAt: at, Explanation: "{}", CreatedAt: at}
		}
		return es
	}
	insert := func(db bun.IDB, rows any) {
		t.Helper()
		if _, err := db.NewInsert().Model(rows).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	approve := func(db bun.IDB, cvs []propConversion) {
		t.Helper()
		ids := make([]string, len(cvs))
		for i := range cvs {
			ids[i] = cvs[i].ID
		}
		if _, err := db.NewUpdate().Model((*propConversion)(nil)).Set("status = ?, approved_at = ?", conversion.StatusApproved, at).
			Where("org_id = ? AND id IN (?)", owner.OrgID, bun.In(ids)).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// One connection throughout: plans are kept per connection.
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "ANALYZE conversions, ledger_entries"); err != nil { // statistics of empty tables
		t.Fatal(err)
	}
	// Both triggers' first calls on this connection, on the (almost) empty tables.
	first := newConversions(1)
	insert(conn, &first)
	insert(conn, ptr(entriesOf(first)))
	approve(conn, first)
	// The tables grow.
	const grown = 20_000
	many := newConversions(grown)
	for i := 0; i < grown; i += 1000 {
		chunk := many[i : i+1000]
		insert(conn, &chunk)
		insert(conn, ptr(entriesOf(chunk)))
	}
	late := newConversions(200)
	insert(conn, &late)

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // the test's writes are dropped with its schema
	// Sequential scans started, and rows read (by any scan) from the two tables.
	scans := func() (n, rows int64) {
		t.Helper()
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(seq_scan), 0), COALESCE(SUM(seq_tup_read + COALESCE(idx_tup_fetch, 0)), 0)
			FROM pg_stat_xact_user_tables WHERE relname IN ('conversions', 'ledger_entries') AND schemaname = current_schema()`).Scan(&n, &rows); err != nil {
			t.Fatal(err)
		}
		return n, rows
	}
	before, beforeRows := scans()
	// Orders as they come, a few at a time, and approvals.
	for i := 0; i < len(late); i += 10 {
		insert(tx, ptr(entriesOf(late[i:i+10])))
		approve(tx, late[i:i+5])
	}
	after, afterRows := scans()
	if n := after - before; n > 0 {
		t.Errorf("storing 200 entries and approving 100 conversions scanned conversions or ledger_entries %d times: a trigger's plan reads whole tables", n)
	}
	// A few rows a lookup (the conversion, its entries, the foreign keys' checks); a plan that finds
	// them by the organization alone reads its 20,000 conversions each time.
	if rows := afterRows - beforeRows; rows > 10*300 {
		t.Errorf("storing 200 entries and approving 100 conversions read %d rows of conversions and ledger_entries: a lookup reads the organization's rows", rows)
	}
	var sum struct {
		Entries int64 `bun:"entries"`
		Payable int64 `bun:"payable_minor"`
		Pending int64 `bun:"pending_minor"`
	}
	if err := tx.NewSelect().TableExpr("ledger_sums").ColumnExpr("entries, payable_minor, pending_minor").
		Where("org_id = ? AND period = '2026-11' AND creator_id = ?", owner.OrgID, creator).Scan(ctx, &sum); err != nil {
		t.Fatal(err)
	}
	// 1 + 20,000 + 200 entries of 100 each; 1 + 100 approved, the rest pending.
	if want := (struct{ Entries, Payable, Pending int64 }{1 + grown + 200, 101 * 100, (grown + 100) * 100}); sum.Entries != want.Entries || sum.Payable != want.Payable || sum.Pending != want.Pending {
		t.Errorf("ledger_sums holds %+v, want %+v", sum, want)
	}
}

func ptr[T any](v T) *T { return &v }
