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

// ByIDForUpdate is ByID inside a transaction that will change the row: on PostgreSQL the row is
// locked (SELECT … FOR UPDATE) until the transaction ends, so two read-modify-write requests on one
// row run one after the other instead of losing one's write. SQLite's immediate transactions are
// already serialised.
func ByIDForUpdate[T any](ctx context.Context, tx bun.Tx, orgID, id, what string) (*T, error) {
	var row T
	err := Lock(tx, tx.NewSelect().Model(&row).Where("?TableAlias.org_id = ? AND ?TableAlias.id = ?", orgID, id)).Scan(ctx)
	if err != nil {
		if IsNoRows(err) {
			return nil, apperr.NotFound(what)
		}
		return nil, MapError(err)
	}
	return &row, nil
}

// Lock makes q lock the rows it reads until the transaction ends, where the dialect needs it
// (PostgreSQL: FOR UPDATE; SQLite holds the database's write lock for the whole transaction).
func Lock(db bun.IDB, q *bun.SelectQuery) *bun.SelectQuery {
	if IsSQLite(db) {
		return q
	}
	return q.For("UPDATE")
}
