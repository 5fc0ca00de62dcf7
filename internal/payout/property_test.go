package payout_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/ledger"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// The rows the property test writes straight into the tables: every combination the statements must
// classify (every status, approved or not, entries without a conversion, adjustments with one,
// entries without a base amount, agency shares), more than the ingestion path would produce.
type propConversion struct {
	bun.BaseModel `bun:"table:conversions"`

	ID          string     `bun:"id,pk"`
	OrgID       string     `bun:"org_id"`
	Source      string     `bun:"source"`
	ExternalID  string     `bun:"external_id"`
	OccurredAt  time.Time  `bun:"occurred_at"`
	Currency    string     `bun:"currency"`
	AmountMinor int64      `bun:"amount_minor"`
	CreatorID   *string    `bun:"creator_id"`
	Status      string     `bun:"status"`
	ApprovedAt  *time.Time `bun:"approved_at"`
	CreatedAt   time.Time  `bun:"created_at"`
	UpdatedAt   time.Time  `bun:"updated_at"`
}

type propEntry struct {
	bun.BaseModel `bun:"table:ledger_entries"`

	ID                   string    `bun:"id,pk"`
	OrgID                string    `bun:"org_id"`
	ConversionID         *string   `bun:"conversion_id"`
	CreatorID            string    `bun:"creator_id"`
	Kind                 string    `bun:"kind"`
	AmountMinor          int64     `bun:"amount_minor"`
	Currency             string    `bun:"currency"`
	BaseAmountMinor      *int64    `bun:"base_amount_minor"`
	BaseCurrency         string    `bun:"base_currency"`
	GMVMinor             int64     `bun:"gmv_minor"`
	AgencyShareMinor     int64     `bun:"agency_share_minor"`
	BaseAgencyShareMinor *int64    `bun:"base_agency_share_minor"`
	Period               string    `bun:"period"`
	OccurredAt           time.Time `bun:"occurred_at"`
	Explanation          string    `bun:"explanation"`
	CreatedAt            time.Time `bun:"created_at"`
}

// TestStatementsSummedInTheDatabaseEqualTheEntriesAddedOneByOne holds the statements (the ledger_sums
// rollup for periods, one set-based query for date ranges) to the straightforward computation (every
// entry read and classified in Go by conversion.Ref.Payable and Pending) on random ledgers whose
// conversions then change state, one by one and in bulk, as approvals, rejections, refunds and
// payments do: every period, every period up to one, date ranges that cut across periods, one
// creator's range, and never another organization's entries.
func TestStatementsSummedInTheDatabaseEqualTheEntriesAddedOneByOne(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Home", "owner@nb.example")
		other := e.NewOrg("Other Co", "owner@other.example")
		newCreator := func(u apitest.User, name string) string {
			return call(t, e, u, "POST", "/api/v1/creators", obj{"display_name": name, "country": "US"}, 201)["id"].(string)
		}
		var creators []string
		for _, name := range []string{"Luna", "Kenji", "Ana", "Luna"} { // two Lunas: ties broken by id
			creators = append(creators, newCreator(owner, name))
		}
		stranger := newCreator(other, "Stranger")

		seed := time.Now().UnixNano()
		t.Logf("seed %d", seed)
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		ctx := context.Background()
		periods := []string{"2026-09", "2026-10", "2026-11"}
		for round := range 3 {
			writeRandomLedger(t, ctx, db, rng, owner.OrgID, creators, periods)
			writeRandomLedger(t, ctx, db, rng, other.OrgID, []string{stranger}, periods)
			moveRandomConversions(t, ctx, db, rng, owner.OrgID)
			ranges := []ledger.Range{{From: "2026-09-01", To: "2026-11-30"}, {From: "2026-09-20", To: "2026-10-10"}, {From: "2026-11-30", To: "2026-11-30"},
				{Period: "2026-10", CreatorID: creators[rng.IntN(len(creators))]}, {Period: "2026-08"}, {UpTo: "2026-10"},
				{UpTo: "2026-11", CreatorID: creators[rng.IntN(len(creators))]}}
			for _, p := range periods {
				ranges = append(ranges, ledger.Range{Period: p})
			}
			p := actor.Actor{OrgID: owner.OrgID, Role: actor.RoleFinance}
			if round == 2 { // the rollup rebuilt from the entries, as upgrading a database with a ledger does
				rebuildLedgerSums(t, ctx, db)
			}
			for _, r := range ranges {
				want, err := e.Deps.Payouts.StatementsByEntry(ctx, p, r)
				if err != nil {
					t.Fatal(err)
				}
				got, err := e.Deps.Payouts.Statements(ctx, p, r)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got.Items, want) {
					t.Fatalf("round %d, range %+v:\nsummed in the database %s\nentry by entry         %s", round, r, show(got.Items), show(want))
				}
				if r.Period == "2026-10" && r.CreatorID == "" && len(want) == 0 {
					t.Fatalf("round %d: no statement lines: the test writes nothing", round)
				}
			}
		}
	})
}

func show[T any](ls []T) string {
	s := ""
	for _, l := range ls {
		s += fmt.Sprintf("\n  %+v", l)
	}
	return s
}

// writeRandomLedger adds random conversions and entries to an organization's ledger.
func writeRandomLedger(t *testing.T, ctx context.Context, db *bun.DB, rng *rand.Rand, orgID string, creators, periods []string) {
	t.Helper()
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	maybe := func(v int64) *int64 {
		if rng.IntN(5) == 0 {
			return nil
		}
		return &v
	}
	var cvs []propConversion
	var es []propEntry
	for range 60 + rng.IntN(60) {
		m := rng.IntN(len(periods))
		month, _ := time.Parse("2006-01", periods[m])
		at := month.Add(time.Duration(rng.Int64N(int64(30*24*time.Hour))) - 8*time.Hour).UTC().Truncate(time.Microsecond)
		cr := creators[rng.IntN(len(creators))]
		cur := pick("USD", "EUR", "CNY", "JPY")
		cv := propConversion{ID: store.NewID(), OrgID: orgID, Source: "api", ExternalID: store.NewID(), OccurredAt: at, Currency: cur,
			AmountMinor: rng.Int64N(100_000), CreatorID: &cr, CreatedAt: at, UpdatedAt: at,
			Status: pick(conversion.StatusPending, conversion.StatusApproved, conversion.StatusPaid, conversion.StatusRejected, conversion.StatusReversed)}
		if rng.IntN(2) == 0 { // approved at some point, whatever the status says now
			cv.ApprovedAt = &at
		}
		cvs = append(cvs, cv)
		entry := func(kind string, convID *string, amount int64, period string) propEntry {
			base := maybe(amount * int64(1+rng.IntN(8)))
			var baseShare *int64
			share := int64(0)
			if rng.IntN(3) == 0 {
				share = amount / 5
				if base != nil && rng.IntN(4) > 0 {
					baseShare = maybe(*base / 5)
				}
			}
			return propEntry{ID: store.NewID(), OrgID: orgID, ConversionID: convID, CreatorID: cr, Kind: kind, AmountMinor: amount, Currency: cur,
				BaseAmountMinor: base, BaseCurrency: "CNY", GMVMinor: rng.Int64N(100_000), AgencyShareMinor: share, BaseAgencyShareMinor: baseShare,
				Period: period, OccurredAt: at, Explanation: "{}", CreatedAt: at}
		}
		id := &cvs[len(cvs)-1].ID
		amount := rng.Int64N(10_000) - 100
		es = append(es, entry(ledger.KindCommission, id, amount, periods[m]))
		for range rng.IntN(3) { // refunds, some landing in a later period
			es = append(es, entry(ledger.KindReversal, id, -rng.Int64N(max(amount, 0)/2+2), periods[min(m+rng.IntN(2), len(periods)-1)]))
		}
		switch rng.IntN(8) {
		case 0:
			es = append(es, entry(ledger.KindAdjustment, nil, rng.Int64N(5000)-2500, periods[m]))
		case 1:
			es = append(es, entry(ledger.KindAdjustment, id, rng.Int64N(5000)-2500, periods[m])) // an adjustment naming a conversion
		case 2:
			es = append(es, entry(pick(ledger.KindCommission, ledger.KindReversal), nil, rng.Int64N(5000), periods[m])) // no conversion: neither
		}
	}
	if _, err := db.NewInsert().Model(&cvs).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewInsert().Model(&es).Exec(ctx); err != nil {
		t.Fatal(err)
	}
}

// moveRandomConversions changes the status and approval time of random conversions of an
// organization, as approvals, rejections, refunds and payments do (and some no path takes, which the
// rollup's triggers must follow all the same): some one statement per conversion, some in one UPDATE
// of many rows.
func moveRandomConversions(t *testing.T, ctx context.Context, db *bun.DB, rng *rand.Rand, orgID string) {
	t.Helper()
	var ids []string
	if err := db.NewSelect().Model((*propConversion)(nil)).Column("id").Where("org_id = ?", orgID).Scan(ctx, &ids); err != nil {
		t.Fatal(err)
	}
	statuses := []string{conversion.StatusPending, conversion.StatusApproved, conversion.StatusPaid, conversion.StatusRejected, conversion.StatusReversed}
	approvedAt := func() any {
		if rng.IntN(2) == 0 {
			return nil
		}
		return time.Date(2026, 11, 2, 3, 4, 5, 0, time.UTC)
	}
	for range len(ids) / 4 {
		q := db.NewUpdate().Model((*propConversion)(nil)).Where("org_id = ? AND id = ?", orgID, ids[rng.IntN(len(ids))]).
			Set("status = ?", statuses[rng.IntN(len(statuses))])
		if rng.IntN(3) > 0 {
			q = q.Set("approved_at = ?", approvedAt())
		}
		if _, err := q.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var some []string
	for _, id := range ids {
		if rng.IntN(4) == 0 {
			some = append(some, id)
		}
	}
	if len(some) == 0 {
		return
	}
	// one statement over many rows, with a status that depends on each row's old one
	if _, err := db.NewUpdate().Model((*propConversion)(nil)).Where("org_id = ? AND id IN (?)", orgID, bun.In(some)).
		Set("status = CASE WHEN status = ? THEN ? WHEN status = ? THEN ? ELSE status END",
			conversion.StatusPending, conversion.StatusApproved, conversion.StatusApproved, conversion.StatusRejected).
		Set("approved_at = CASE WHEN approved_at IS NULL THEN ? ELSE approved_at END", time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)).
		Exec(ctx); err != nil {
		t.Fatal(err)
	}
}

// rebuildLedgerSums undoes the migration that made the ledger_sums rollup (and any after it) and
// applies them again, so that the rollup is the migration's back-fill from the entries.
func rebuildLedgerSums(t *testing.T, ctx context.Context, db *bun.DB) {
	t.Helper()
	name := "sqlite"
	if db.Dialect().Name() == dialect.PG {
		name = "postgres"
	}
	ids, err := store.MigrationIDs(name)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ids, func(id string) bool { return strings.HasPrefix(id, "20261204100000_") })
	if i < 0 {
		t.Fatal("no ledger_sums migration")
	}
	if undone, err := store.Rollback(ctx, db, len(ids)-i); err != nil || len(undone) != len(ids)-i {
		t.Fatalf("rollback undid %v (%v)", undone, err)
	}
	if redone, err := store.Migrate(ctx, db); err != nil || len(redone) != len(ids)-i {
		t.Fatalf("migrate applied %v (%v)", redone, err)
	}
}
