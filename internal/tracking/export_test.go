package tracking

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store"
)

// ClickTwoWays writes the same click twice, under the ids viaBun and viaParams: once as bun writes
// a model (values inlined into the SQL), once as the flusher writes clicks (bound parameters), so a
// test can compare what each stored.
func ClickTwoWays(ctx context.Context, db *bun.DB, orgID, linkID, creatorID, campaignID string, accountID, country *string,
	at time.Time, userAgent, referer string) (viaBun, viaParams string, err error) {
	row := clickRow{OrgID: orgID, LinkID: linkID, CreatorID: creatorID, CampaignID: campaignID, AccountID: accountID,
		ClickedAt: at, Kind: ClickCounted, IPHash: "ip-hash", Visitor: "visitor", UserAgent: userAgent, Referer: referer, Country: country}
	a, b := row, row
	a.ID, b.ID = store.NewID(), store.NewID()
	ka, kb := "key-"+a.ID, "key-"+b.ID
	a.DedupeKey, b.DedupeKey = &ka, &kb
	if _, err := db.NewInsert().Model(&a).Exec(ctx); err != nil {
		return "", "", err
	}
	err = store.RunInTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		_, err := store.MustBulk(db, (*clickRow)(nil), clickInsertSuffix).InsertReturning(ctx, tx, []clickRow{b})
		return err
	})
	return a.ID, b.ID, err
}

// WriteAgain writes the clicks of ids again, as the flusher does with a batch whose commit
// succeeded but whose answer was lost: the clicks are read back, turned into pending clicks and
// written as one batch.
func (s *Service) WriteAgain(ctx context.Context, ids []string) error {
	var rows []clickRow
	if err := s.db.NewSelect().Model(&rows).Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return err
	}
	batch := make([]pendingClick, len(rows))
	for i, r := range rows {
		batch[i] = pendingClick{ID: r.ID, OrgID: r.OrgID, LinkID: r.LinkID, CreatorID: r.CreatorID, CampaignID: r.CampaignID,
			AccountID: r.AccountID, ClickedAt: r.ClickedAt, IP: "192.0.2.1", UserAgent: r.UserAgent, Referer: r.Referer, Country: r.Country}
	}
	s.clicks.writing.Lock()
	defer s.clicks.writing.Unlock()
	return s.clicks.write(ctx, true, batch)
}

// HoldClickWrites holds back every write to the clicks table from another connection, until release
// (or the test's end): SQLite's write lock; on PostgreSQL a lock on the table that inserts wait for
// and reads do not. Reads go on.
func HoldClickWrites(t testing.TB, db *bun.DB) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hold := []string{"BEGIN IMMEDIATE"}
	if !store.IsSQLite(db) {
		hold = []string{"BEGIN", "LOCK TABLE clicks IN SHARE ROW EXCLUSIVE MODE"}
	}
	for _, q := range hold {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			conn.Close()
			t.Fatal(err)
		}
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
				t.Error(err)
			}
			conn.Close()
		})
	}
	t.Cleanup(release)
	return release
}
