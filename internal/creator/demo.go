package creator

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/store"
)

// AccountHistory is the follower history of one account: snapshots of several days.
type AccountHistory struct {
	AccountID string
	Snapshots []NewSnapshot
}

// AddHistory records months of follower snapshots of many accounts in one transaction. `caravan
// demo` uses it to give its accounts a past; AddSnapshot, one day of one account per transaction, is
// what people and integrations call. The rules are AddSnapshot's: dates YYYY-MM-DD and not in the
// organization's future, counts not negative, a day already recorded is replaced, and an account's
// newest snapshot becomes its followers (and its creator's tier). Nothing is added to timelines,
// as with AddSnapshot.
func (s *Service) AddHistory(ctx context.Context, p actor.Actor, in []AccountHistory) error {
	today, err := s.today(ctx, p.OrgID)
	if err != nil {
		return err
	}
	f := apperr.Fields{}
	for i, h := range in {
		for j := range h.Snapshots {
			sn := &h.Snapshots[j]
			field := fmt.Sprintf("accounts[%d].snapshots[%d].", i, j)
			sn.CapturedOn = strings.TrimSpace(sn.CapturedOn)
			if _, err := time.Parse(time.DateOnly, sn.CapturedOn); err != nil {
				f.Add(field+"captured_on", "must be a date YYYY-MM-DD")
			} else if sn.CapturedOn > today {
				f.Add(field+"captured_on", "must not be in the future")
			}
			checkCounts(f, field, &sn.Followers, sn.AvgViews, sn.EngagementBps)
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	return store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		for _, h := range in {
			if len(h.Snapshots) == 0 {
				continue
			}
			a, _, err := s.liveAccount(ctx, tx, p.OrgID, h.AccountID)
			if err != nil {
				return err
			}
			now := s.now()
			rows := make([]Snapshot, 0, len(h.Snapshots))
			seen := map[string]int{}
			for _, sn := range h.Snapshots {
				row := Snapshot{OrgID: a.OrgID, AccountID: a.ID, CapturedOn: sn.CapturedOn, Followers: sn.Followers,
					AvgViews: sn.AvgViews, EngagementBps: sn.EngagementBps, CreatedAt: now}
				if k, dup := seen[sn.CapturedOn]; dup { // the later of two snapshots of a day wins, as with AddSnapshot
					rows[k] = row
					continue
				}
				seen[sn.CapturedOn] = len(rows)
				rows = append(rows, row)
			}
			if _, err := tx.NewInsert().Model(&rows).
				On("CONFLICT (account_id, captured_on) DO UPDATE").
				Set("followers = EXCLUDED.followers").
				Set("avg_views = EXCLUDED.avg_views").
				Set("engagement_bps = EXCLUDED.engagement_bps").
				Set("created_at = EXCLUDED.created_at").
				Exec(ctx); err != nil {
				return err
			}
			var latest Snapshot
			if err := tx.NewSelect().Model(&latest).Where("s.org_id = ? AND s.account_id = ?", p.OrgID, a.ID).
				Order("s.captured_on DESC").Limit(1).Scan(ctx); err != nil {
				return err
			}
			newest := slices.MaxFunc(rows, func(x, y Snapshot) int { return strings.Compare(x.CapturedOn, y.CapturedOn) })
			if newest.CapturedOn < latest.CapturedOn {
				continue // a newer day was already recorded: it stays the account's figure
			}
			a.Followers, a.UpdatedAt = newest.Followers, now
			a.Version++
			if newest.AvgViews != nil {
				a.AvgViews = newest.AvgViews
			}
			if newest.EngagementBps != nil {
				a.EngagementBps = newest.EngagementBps
			}
			if _, err := tx.NewUpdate().Model(a).Column("followers", "avg_views", "engagement_bps", "version", "updated_at").
				Where("a.org_id = ? AND a.id = ?", p.OrgID, a.ID).Exec(ctx); err != nil {
				return err
			}
			if err := refreshMaxFollowers(ctx, tx, p.OrgID, a.CreatorID); err != nil {
				return err
			}
		}
		return nil
	})
}
