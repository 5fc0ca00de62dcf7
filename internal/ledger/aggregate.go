package ledger

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/store"
)

// Sums are a range's entries of one creator in one currency, summed in the database: what a
// statement line is made of. Payable and pending split the entries by their conversion's status, as
// conversion.Ref.Payable and Pending say (see entryState).
type Sums struct {
	CreatorID        string `bun:"creator_id"`
	Currency         string `bun:"currency"`
	Conversions      int64  `bun:"conversions"` // commission entries
	GMVMinor         int64  `bun:"gmv_minor"`   // of the commission entries
	CommissionMinor  int64  `bun:"commission_minor"`
	ReversalMinor    int64  `bun:"reversal_minor"`
	AdjustmentMinor  int64  `bun:"adjustment_minor"`
	AgencyShareMinor int64  `bun:"agency_share_minor"`
	// PayableMinor and PendingMinor sum amount − agency share over the payable and the pending entries.
	PayableMinor int64 `bun:"payable_minor"`
	PendingMinor int64 `bun:"pending_minor"`
	// BasePayableMinor sums base amount − base agency share over the payable entries that have a base
	// amount; BaseMissing counts the payable entries that have none (no FX rate).
	BasePayableMinor int64 `bun:"base_payable_minor"`
	BaseMissing      int64 `bun:"base_missing"`
}

// Entry states in SumsBy's query: those of the entry's conversion (conversion.StateExpr).
const (
	statePayable = conversion.StatePayable
	statePending = conversion.StatePending
)

// entryState is the state of an entry (le): an adjustment is always payable; any other entry has its
// conversion's state (conversion.JoinState): payable once approved, even after a refund or a
// rejection reversed it (the reversal claws back), pending while pending, otherwise neither.
func entryState(q *bun.SelectQuery) *bun.SelectQuery {
	return conversion.JoinState(q, "le").
		ColumnExpr("CASE WHEN le.kind = ? THEN ? ELSE "+conversion.StateExpr+" END AS st", KindAdjustment, statePayable)
}

// SumsBy sums the range's entries per creator and currency. A period (or every period up to one) is
// read from the ledger_sums rollup, which triggers keep in the writing transactions (migrations
// 20261204100000 on SQLite, 20261205600000 on PostgreSQL): a row per creator and currency, whatever
// the number of entries. A date range, which cuts across periods, is summed from the entries in one
// set-based query (sumEntries). Lines come in no particular order.
func (s *Service) SumsBy(ctx context.Context, orgID string, r Range) ([]Sums, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if r.Period == "" && r.UpTo == "" {
		return s.sumEntries(ctx, orgID, r)
	}
	q := s.db.NewSelect().TableExpr("ledger_sums AS ls").
		ColumnExpr("ls.creator_id, ls.currency").
		ColumnExpr("SUM(ls.conversions) AS conversions, SUM(ls.gmv_minor) AS gmv_minor, SUM(ls.commission_minor) AS commission_minor").
		ColumnExpr("SUM(ls.reversal_minor) AS reversal_minor, SUM(ls.adjustment_minor) AS adjustment_minor, SUM(ls.agency_share_minor) AS agency_share_minor").
		ColumnExpr("SUM(ls.payable_minor) AS payable_minor, SUM(ls.pending_minor) AS pending_minor").
		ColumnExpr("SUM(ls.base_payable_minor) AS base_payable_minor, SUM(ls.base_missing) AS base_missing").
		Where("ls.org_id = ?", orgID).
		GroupExpr("ls.creator_id, ls.currency"). // one row per line for a period; several up to a period
		Having("SUM(ls.entries) > 0")
	if r.CreatorID != "" {
		q = q.Where("ls.creator_id = ?", r.CreatorID)
	}
	if r.UpTo != "" {
		q = q.Where("ls.period <= ?", r.UpTo)
	} else {
		q = q.Where("ls.period = ?", r.Period)
	}
	var out []Sums
	if err := q.Scan(ctx, &out); err != nil {
		return nil, store.MapError(err)
	}
	return out, nil
}

// sumEntries sums a range's entries per creator and currency in one set-based query (entries joined
// to their conversions' statuses), instead of reading every entry.
func (s *Service) sumEntries(ctx context.Context, orgID string, r Range) ([]Sums, error) {
	q, err := s.sumsQuery(ctx, orgID, r)
	if err != nil {
		return nil, err
	}
	var out []Sums
	if err := s.readSums(ctx, func(ctx context.Context, db bun.IDB) error { return q.Conn(db).Scan(ctx, &out) }); err != nil {
		return nil, store.MapError(err)
	}
	return out, nil
}

// readSums runs fn, a read of sumsQuery, with at least statementMemory for its sorts and hashes: a
// month of 49k entries in 7,500 lines needs about 8 MB to aggregate by hash, and with PostgreSQL's
// default 4 MB it sorted instead, spilling the sort to disk.
func (s *Service) readSums(ctx context.Context, fn func(ctx context.Context, db bun.IDB) error) error {
	return store.ReadWithMemory(ctx, s.db, statementMemory, fn)
}

// statementMemory is the memory, in MiB, each sort or hash of the summing query may use on
// PostgreSQL at least (a server set higher keeps its setting): enough for the lines of a range of
// 50k entries, aggregated by hash in memory. The query over a month of caravan bench's statement
// data took 96–101 ms with the default 4 MB and 78–83 ms with 32 MB (psql, seven runs each).
const statementMemory = 32

// sumsQuery is sumEntries' query.
func (s *Service) sumsQuery(ctx context.Context, orgID string, r Range) (*bun.SelectQuery, error) {
	inner := entryState(s.db.NewSelect().TableExpr("ledger_entries AS le").
		ColumnExpr("le.creator_id, le.currency, le.kind, le.amount_minor, le.gmv_minor, le.agency_share_minor, le.base_amount_minor, le.base_agency_share_minor"))
	inner, err := s.rangeWhere(ctx, inner, orgID, r)
	if err != nil {
		return nil, err
	}
	if s.db.Dialect().Name() == dialect.PG {
		// PostgreSQL looked up each entry's conversion by its key: 49k probes, about 6 µs each, for
		// a month of the statement bench. Ids rise with time (UUIDv7), so the conversions between
		// the range's smallest and largest conversion_id are read in one pass and merged (or hashed)
		// instead. The bounds are subqueries of the same statement, so they see the same snapshot
		// as the entries.
		lo, hi := s.db.NewSelect().TableExpr("ledger_entries AS le").ColumnExpr("MIN(le.conversion_id)"),
			s.db.NewSelect().TableExpr("ledger_entries AS le").ColumnExpr("MAX(le.conversion_id)")
		if lo, err = s.rangeWhere(ctx, lo, orgID, r); err != nil {
			return nil, err
		}
		if hi, err = s.rangeWhere(ctx, hi, orgID, r); err != nil {
			return nil, err
		}
		inner = inner.JoinOn("cv.id >= (?)", lo).JoinOn("cv.id <= (?)", hi)
	}
	// PostgreSQL groups text by the database's collation, which under any locale but "C" compares
	// through strcoll and sorts without abbreviated keys; ids and currency codes need bytes alone.
	// On a month of 49k entries: 285 → 251 ms (median of five, psql, the statement bench's data).
	cols, key := "e.creator_id, e.currency", "e.creator_id, e.currency"
	if s.db.Dialect().Name() == dialect.PG {
		cols = `e.creator_id COLLATE "C" AS creator_id, e.currency COLLATE "C" AS currency`
		key = `e.creator_id COLLATE "C", e.currency COLLATE "C"`
	}
	return s.db.NewSelect().TableExpr("(?) AS e", inner).
		ColumnExpr(cols).
		ColumnExpr("SUM(CASE WHEN e.kind = ? THEN 1 ELSE 0 END) AS conversions", KindCommission).
		ColumnExpr("SUM(CASE WHEN e.kind = ? THEN e.gmv_minor ELSE 0 END) AS gmv_minor", KindCommission).
		ColumnExpr("SUM(CASE WHEN e.kind = ? THEN e.amount_minor ELSE 0 END) AS commission_minor", KindCommission).
		ColumnExpr("SUM(CASE WHEN e.kind = ? THEN e.amount_minor ELSE 0 END) AS reversal_minor", KindReversal).
		ColumnExpr("SUM(CASE WHEN e.kind = ? THEN e.amount_minor ELSE 0 END) AS adjustment_minor", KindAdjustment).
		ColumnExpr("SUM(e.agency_share_minor) AS agency_share_minor").
		ColumnExpr("SUM(CASE WHEN e.st = ? THEN e.amount_minor - e.agency_share_minor ELSE 0 END) AS payable_minor", statePayable).
		ColumnExpr("SUM(CASE WHEN e.st = ? THEN e.amount_minor - e.agency_share_minor ELSE 0 END) AS pending_minor", statePending).
		ColumnExpr("COALESCE(SUM(CASE WHEN e.st = ? THEN e.base_amount_minor - COALESCE(e.base_agency_share_minor, 0) END), 0) AS base_payable_minor", statePayable).
		ColumnExpr("SUM(CASE WHEN e.st = ? AND e.base_amount_minor IS NULL THEN 1 ELSE 0 END) AS base_missing", statePayable).
		GroupExpr(key), nil
}
