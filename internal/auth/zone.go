package auth

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store"
)

// zoneTTL bounds how long a replica trusts its copy of an organization's time zone.
const zoneTTL = time.Minute

type cachedZone struct {
	loc     *time.Location
	expires time.Time
}

// Location returns the organization's time zone, where its days, months and file names are
// counted. It is read on hot paths (every snapshot, every ledger entry), so each replica keeps it a
// minute.
func (s *Service) Location(ctx context.Context, orgID string) (*time.Location, error) {
	now := time.Now()
	if z, ok := s.zones.Load(orgID); ok && now.Before(z.(cachedZone).expires) {
		return z.(cachedZone).loc, nil
	}
	var name string
	if err := s.db.NewSelect().Model((*Org)(nil)).Column("timezone").Where("id = ?", orgID).Scan(ctx, &name); err != nil {
		return nil, store.MapError(err)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = time.UTC // validated at creation; a zone database missing it later must not stop the server
	}
	s.zones.Store(orgID, cachedZone{loc: loc, expires: now.Add(zoneTTL)})
	return loc, nil
}

// Names returns the names of the organization's users and API keys among ids (an id that is
// neither is absent), for packages that show who did something or who owns what.
func (s *Service) Names(ctx context.Context, orgID string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   string `bun:"id"`
		Name string `bun:"name"`
	}
	q := s.db.NewSelect().Model((*User)(nil)).Column("u.id", "u.name").Where("u.org_id = ? AND u.id IN (?)", orgID, bun.In(ids)).
		UnionAll(s.db.NewSelect().Model((*APIKey)(nil)).Column("k.id", "k.name").Where("k.org_id = ? AND k.id IN (?)", orgID, bun.In(ids)))
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, store.MapError(err)
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}
