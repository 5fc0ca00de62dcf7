package store

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/apperr"
)

// ByID loads the row of T (a bun model with id and org_id columns) that has id in the organization
// orgID. A missing row and another organization's row are the same answer: apperr.NotFound(what), a
// 404, so ids of other organizations reveal nothing.
func ByID[T any](ctx context.Context, db bun.IDB, orgID, id, what string) (*T, error) {
	var row T
	err := db.NewSelect().Model(&row).Where("?TableAlias.org_id = ? AND ?TableAlias.id = ?", orgID, id).Scan(ctx)
	if err != nil {
		if IsNoRows(err) {
			return nil, apperr.NotFound(what)
		}
		return nil, MapError(err)
	}
	return &row, nil
}
