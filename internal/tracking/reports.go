package tracking

// Click counts for reports and other packages (the campaign report, the platform exposure, the
// dashboard). Every count is of counted clicks: bots and a visitor's repeat clicks within a minute
// are stored but never counted.

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/caravan-crm/caravan/internal/store"
)

// clicksBy counts the organization's counted clicks in [from, to) by one column of clicks. Rows
// where the column is null (a link without an account) are left out.
func (s *Service) clicksBy(ctx context.Context, column, orgID string, from, to time.Time) (map[string]int64, error) {
	var rows []struct {
		Key string `bun:"key"`
		N   int64  `bun:"n"`
	}
	if err := s.db.NewSelect().Model((*clickRow)(nil)).ColumnExpr("? AS key, COUNT(*) AS n", bun.Ident(column)).
		Where("org_id = ? AND clicked_at >= ? AND clicked_at < ? AND kind = ? AND ? IS NOT NULL", orgID, from.UTC(), to.UTC(), ClickCounted, bun.Ident(column)).
		GroupExpr("?", bun.Ident(column)).Scan(ctx, &rows); err != nil {
		return nil, store.MapError(err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Key] = r.N
	}
	return out, s.addRollups(ctx, out, column, orgID, from, to) // days older than the retention window (retention.go)
}

// ClicksByAccount counts the organization's counted clicks in [from, to) per creator account (clicks
// of links that name no account are not in the map).
func (s *Service) ClicksByAccount(ctx context.Context, orgID string, from, to time.Time) (map[string]int64, error) {
	return s.clicksBy(ctx, "account_id", orgID, from, to)
}

// ClicksByCampaign counts the organization's counted clicks in [from, to) per campaign.
func (s *Service) ClicksByCampaign(ctx context.Context, orgID string, from, to time.Time) (map[string]int64, error) {
	return s.clicksBy(ctx, "campaign_id", orgID, from, to)
}

// ClicksByCreator counts the organization's counted clicks in [from, to) per creator.
func (s *Service) ClicksByCreator(ctx context.Context, orgID string, from, to time.Time) (map[string]int64, error) {
	return s.clicksBy(ctx, "creator_id", orgID, from, to)
}

// ClickCount is the counted clicks of one creator (and account, when the link names one) in a campaign.
type ClickCount struct {
	CreatorID string  `bun:"creator_id"`
	AccountID *string `bun:"account_id"`
	Clicks    int64   `bun:"clicks"`
}

// CampaignClicks counts a campaign's counted clicks, of all time, per creator and account, for the
// campaign report.
func (s *Service) CampaignClicks(ctx context.Context, orgID, campaignID string) ([]ClickCount, error) {
	var out []ClickCount
	if err := s.db.NewSelect().Model((*clickRow)(nil)).ColumnExpr("creator_id, account_id, COUNT(*) AS clicks").
		Where("org_id = ? AND campaign_id = ? AND kind = ?", orgID, campaignID, ClickCounted).
		Group("creator_id", "account_id").Order("creator_id", "account_id").Scan(ctx, &out); err != nil {
		return nil, store.MapError(err)
	}
	return s.addCampaignRollups(ctx, orgID, campaignID, out)
}

// ClicksOfCreators counts the counted clicks since since of each creator of creatorIDs (the creator
// answer's clicks_30d).
func (s *Service) ClicksOfCreators(ctx context.Context, orgID string, creatorIDs []string, since time.Time) (map[string]int64, error) {
	out := map[string]int64{}
	if len(creatorIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		CreatorID string `bun:"creator_id"`
		N         int64  `bun:"n"`
	}
	if err := s.creatorClicks.Scan(ctx, s.db, &rows, orgID, store.List(creatorIDs), since); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.CreatorID] = r.N
	}
	return out, s.addCreatorRollups(ctx, out, orgID, creatorIDs, since)
}

// ClicksByDay counts the organization's counted clicks in [from, to) per day (YYYY-MM-DD) in loc,
// for the dashboard's chart. PostgreSQL converts each click to loc; SQLite, which knows no zones,
// shifts by loc's offset at from (exact outside daylight-saving changes). Rolled-up days count on
// their UTC day.
func (s *Service) ClicksByDay(ctx context.Context, orgID string, from, to time.Time, loc *time.Location) (map[string]int64, error) {
	var day schema.QueryAppender
	if store.IsSQLite(s.db) {
		_, offset := from.In(loc).Zone()
		day = bun.SafeQuery("strftime('%Y-%m-%d', clicked_at, ?)", fmt.Sprintf("%+d seconds", offset))
	} else {
		day = bun.SafeQuery("to_char(clicked_at AT TIME ZONE ?, 'YYYY-MM-DD')", loc.String())
	}
	var rows []struct {
		Key string `bun:"key"`
		N   int64  `bun:"n"`
	}
	if err := s.db.NewSelect().Model((*clickRow)(nil)).ColumnExpr("? AS key, COUNT(*) AS n", day).
		Where("org_id = ? AND clicked_at >= ? AND clicked_at < ? AND kind = ?", orgID, from.UTC(), to.UTC(), ClickCounted).
		GroupExpr("key").Scan(ctx, &rows); err != nil {
		return nil, store.MapError(err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Key] += r.N
	}
	var old []struct {
		Day string `bun:"day"`
		N   int64  `bun:"n"`
	}
	if err := s.db.NewSelect().Model((*clickDay)(nil)).ColumnExpr("day, CAST(SUM(counted) AS BIGINT) AS n").
		Where("org_id = ? AND day >= ? AND day < ?", orgID, dayFrom(from), dayFrom(to)).Group("day").Scan(ctx, &old); err != nil {
		return nil, store.MapError(err)
	}
	for _, r := range old {
		out[r.Day] += r.N
	}
	return out, nil
}
