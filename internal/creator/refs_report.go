package creator

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store"
)

// AgencyRef is what another package needs to show an agency it refers to (the finance workbook's
// By agency sheet): its name and current share.
type AgencyRef struct {
	ID       string `bun:"id"`
	Name     string `bun:"name"`
	ShareBps int64  `bun:"share_bps"`
}

// AgencyRefs returns the organization's agencies among ids, by id; ids of another organization
// are absent.
func AgencyRefs(ctx context.Context, db bun.IDB, orgID string, ids []string) (map[string]AgencyRef, error) {
	out := map[string]AgencyRef{}
	for i := 0; i < len(ids); i += 500 {
		var rows []AgencyRef
		if err := db.NewSelect().TableExpr("agencies AS ag").ColumnExpr("ag.id, ag.name, ag.share_bps").
			Where("ag.org_id = ? AND ag.id IN (?)", orgID, bun.In(ids[i:min(i+500, len(ids))])).Scan(ctx, &rows); err != nil {
			return nil, store.MapError(err)
		}
		for _, r := range rows {
			out[r.ID] = r
		}
	}
	return out, nil
}
