package auth

import (
	"context"
	"sync"
	"time"

	"github.com/caravan-crm/caravan/internal/store"
)

// zoneTTL bounds how long a replica trusts its copy of an organization's time zone.
const zoneTTL = time.Minute

type cachedZone struct {
	loc     *time.Location
	expires time.Time
}

var zoneCache sync.Map // org id → cachedZone

// Location returns the organization's time zone, where its days, months and file names are
// counted. It is read on hot paths (every snapshot, every ledger entry), so each replica keeps it a
// minute.
func (s *Service) Location(ctx context.Context, orgID string) (*time.Location, error) {
	now := time.Now()
	if z, ok := zoneCache.Load(orgID); ok && now.Before(z.(cachedZone).expires) {
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
	zoneCache.Store(orgID, cachedZone{loc: loc, expires: now.Add(zoneTTL)})
	return loc, nil
}
