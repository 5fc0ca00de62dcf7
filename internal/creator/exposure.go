package creator

// What the platform exposure insight (package insight) reads about creators and accounts. A package
// writes only its own tables and reads another's data through that package's exported functions, so
// these queries live here and the insight never names creators or creator_accounts in its SQL.

import (
	"context"
	"slices"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store"
)

// PlatformCount is one platform's active accounts of live creators, and how many creators hold them.
type PlatformCount struct {
	Platform string `bun:"platform"`
	Creators int64  `bun:"creators"`
	Accounts int64  `bun:"accounts"`
}

// PlatformCounts counts, per platform, the active accounts of the organization's live creators and
// the creators who hold them, in one query.
func (s *Service) PlatformCounts(ctx context.Context, orgID string) ([]PlatformCount, error) {
	var counts []PlatformCount
	if err := s.db.NewSelect().TableExpr("creator_accounts AS a").
		Join("JOIN creators AS c ON c.id = a.creator_id").
		ColumnExpr("a.platform, COUNT(DISTINCT a.creator_id) AS creators, COUNT(*) AS accounts").
		Where("a.org_id = ? AND a.status = ? AND c.deleted_at IS NULL", orgID, AccountActive).
		Group("a.platform").Scan(ctx, &counts); err != nil {
		return nil, store.MapError(err)
	}
	return counts, nil
}

// ActiveCreatorCount counts the organization's live creators with at least one active account.
func (s *Service) ActiveCreatorCount(ctx context.Context, orgID string) (int64, error) {
	var n int64
	if err := s.db.NewSelect().TableExpr("creators AS c").
		ColumnExpr("COUNT(*)").
		Where("c.org_id = ? AND c.deleted_at IS NULL AND c.id IN (SELECT creator_id FROM creator_accounts WHERE org_id = ? AND status = ?)", orgID, orgID, AccountActive).
		Scan(ctx, &n); err != nil {
		return 0, store.MapError(err)
	}
	return n, nil
}

// PlatformCountry is a platform in a country.
type PlatformCountry struct {
	Platform string
	Country  string
}

// DependentCreator is a live creator with every one of their active accounts.
type DependentCreator struct {
	ID          string
	DisplayName string
	Country     string
	Status      string
	Accounts    []ActiveAccount // biggest audience first
}

// ActiveAccount is an active account of a DependentCreator.
type ActiveAccount struct {
	ID        string
	Platform  string
	Handle    string
	Followers int64
}

// Dependents returns, in one query whatever their number, the organization's live creators who
// for at least one of on live in its country and have an active account on its platform — the
// creators who depend on it — each with all their active accounts, in creator ID order.
func (s *Service) Dependents(ctx context.Context, orgID string, on []PlatformCountry) ([]DependentCreator, error) {
	platforms := map[string][]string{} // country → platforms
	for _, pc := range on {
		if !slices.Contains(platforms[pc.Country], pc.Platform) {
			platforms[pc.Country] = append(platforms[pc.Country], pc.Platform)
		}
	}
	if len(platforms) == 0 {
		return nil, nil
	}
	countries := make([]string, 0, len(platforms))
	for c := range platforms {
		countries = append(countries, c)
	}
	slices.Sort(countries)
	var rows []struct {
		CreatorID   string `bun:"creator_id"`
		DisplayName string `bun:"display_name"`
		Country     string `bun:"country"`
		Status      string `bun:"status"`
		AccountID   string `bun:"account_id"`
		Platform    string `bun:"platform"`
		Handle      string `bun:"handle"`
		Followers   int64  `bun:"followers"`
	}
	if err := s.db.NewSelect().TableExpr("creators AS c").
		ColumnExpr("c.id AS creator_id, c.display_name, c.country, c.status").
		ColumnExpr("a.id AS account_id, a.platform, a.handle, a.followers").
		Join("JOIN creator_accounts AS a ON a.org_id = c.org_id AND a.creator_id = c.id AND a.status = ?", AccountActive).
		Where("c.org_id = ? AND c.deleted_at IS NULL", orgID).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			for _, country := range countries {
				q = q.WhereOr("c.country = ? AND c.id IN (SELECT d.creator_id FROM creator_accounts AS d WHERE d.org_id = ? AND d.status = ? AND d.platform IN (?))",
					country, orgID, AccountActive, bun.In(platforms[country]))
			}
			return q
		}).
		OrderExpr("c.id, a.followers DESC, a.id").
		Scan(ctx, &rows); err != nil {
		return nil, store.MapError(err)
	}
	var out []DependentCreator
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].ID != r.CreatorID {
			out = append(out, DependentCreator{ID: r.CreatorID, DisplayName: r.DisplayName, Country: r.Country, Status: r.Status})
		}
		d := &out[len(out)-1]
		d.Accounts = append(d.Accounts, ActiveAccount{ID: r.AccountID, Platform: r.Platform, Handle: r.Handle, Followers: r.Followers})
	}
	return out, nil
}
