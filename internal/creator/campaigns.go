package creator

// What the campaign package reads about creators and accounts (enrolments, posts, samples and the
// campaign report name them). A package writes only its own tables and reads another's data through
// that package's exported functions, so these queries live here and the campaign package never names
// creators or creator_accounts in its SQL.

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store"
)

// Ref is what another package needs to show a creator it refers to.
type Ref struct {
	ID          string `bun:"id"`
	DisplayName string `bun:"display_name"`
	Deleted     bool   `bun:"deleted"`
}

// Refs returns the organization's creators among ids, by id; ids of another organization (or of no
// creator) are absent. db may be the caller's transaction.
func Refs(ctx context.Context, db bun.IDB, orgID string, ids []string) (map[string]Ref, error) {
	out := map[string]Ref{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Ref
	if err := db.NewSelect().TableExpr("creators AS c").
		ColumnExpr("c.id, c.display_name, c.deleted_at IS NOT NULL AS deleted").
		Where("c.org_id = ? AND c.id IN (?)", orgID, bun.In(ids)).Scan(ctx, &rows); err != nil {
		return nil, store.MapError(err)
	}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// AccountRef is what another package needs to show an account it refers to.
type AccountRef struct {
	ID        string `bun:"id"`
	CreatorID string `bun:"creator_id"`
	Platform  string `bun:"platform"`
	Handle    string `bun:"handle"`
}

// AccountRefs returns the organization's accounts among ids, by id; ids of another organization are
// absent.
func AccountRefs(ctx context.Context, db bun.IDB, orgID string, ids []string) (map[string]AccountRef, error) {
	out := map[string]AccountRef{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []AccountRef
	if err := db.NewSelect().TableExpr("creator_accounts AS a").ColumnExpr("a.id, a.creator_id, a.platform, a.handle").
		Where("a.org_id = ? AND a.id IN (?)", orgID, bun.In(ids)).Scan(ctx, &rows); err != nil {
		return nil, store.MapError(err)
	}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}
