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
}

// Refs returns the organization's campaigns among ids, by id; ids of another organization (or of no
// campaign) are absent. db may be the caller's transaction.
func Refs(ctx context.Context, db bun.IDB, orgID string, ids []string) (map[string]Ref, error) {
	out := map[string]Ref{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Ref
	if err := db.NewSelect().TableExpr("campaigns AS cm").ColumnExpr("cm.id, cm.name, cm.status").
		Where("cm.org_id = ? AND cm.id IN (?)", orgID, bun.In(ids)).Scan(ctx, &rows); err != nil {
		return nil, store.MapError(err)
	}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}
