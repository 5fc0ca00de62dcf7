package campaign

// What the tracking package reads about campaigns (a link or promo code names one). A package writes
// only its own tables and reads another's data through that package's exported functions, so this
// query lives here and the tracking package never names campaigns in its SQL.

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store"
)

// Ref is what another package needs to check and show a campaign it refers to.
type Ref struct {
	ID     string `bun:"id"`
	Name   string `bun:"name"`
	Status string `bun:"status"`
	// What attribution needs: the click window and the hold before automatic approval.
	AttributionWindowDays int     `bun:"attribution_window_days"`
	HoldDays              int     `bun:"hold_days"`
	StartsOn              string  `bun:"starts_on"`
	EndsOn                *string `bun:"ends_on"`
}

// Refs returns the organization's campaigns among ids, by id; ids of another organization (or of no
// campaign) are absent. db may be the caller's transaction.
func Refs(ctx context.Context, db bun.IDB, orgID string, ids []string) (map[string]Ref, error) {
	out := map[string]Ref{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Ref
	if err := db.NewSelect().TableExpr("campaigns AS cm").ColumnExpr("cm.id, cm.name, cm.status, cm.attribution_window_days, cm.hold_days, cm.starts_on, cm.ends_on").
		Where("cm.org_id = ? AND cm.id IN (?)", orgID, bun.In(ids)).Scan(ctx, &rows); err != nil {
		return nil, store.MapError(err)
	}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// CampaignOf returns the campaign a creator's order of day (YYYY-MM-DD) belongs to when the order
// names none: among the campaigns the creator is enrolled in (invited or accepted) that run on that day, the
// one that started last (ties: the latest created). "" when there is none.
func CampaignOf(ctx context.Context, db bun.IDB, orgID, creatorID, day string) (string, error) {
	var id string
	err := db.NewSelect().TableExpr("enrolments AS en").ColumnExpr("cm.id").
		Join("JOIN campaigns AS cm ON cm.org_id = en.org_id AND cm.id = en.campaign_id").
		Where("en.org_id = ? AND en.creator_id = ? AND en.status NOT IN (?)", orgID, creatorID, bun.In([]string{EnrolmentDeclined, EnrolmentRemoved})).
		Where("cm.starts_on <= ? AND (cm.ends_on IS NULL OR cm.ends_on >= ?)", day, day).
		OrderExpr("cm.starts_on DESC, cm.created_at DESC").Limit(1).Scan(ctx, &id)
	if store.IsNoRows(err) {
		return "", nil
	}
	return id, store.MapError(err)
}
