package insight

import (
	"context"

	"github.com/caravan-crm/caravan/internal/store"
)

// MarkedCountries answers, per platform, the countries the organization marked it at risk or banned
// in: what the creator list's exposed filter needs (creator.Risks), in one query.
func (s *Service) MarkedCountries(ctx context.Context, orgID string) (map[string][]string, error) {
	var marks []Mark
	if err := s.db.NewSelect().Model(&marks).Column("platform", "country").
		Where("r.org_id = ? AND r.level IN (?, ?)", orgID, LevelAtRisk, LevelBanned).
		Order("r.platform", "r.country").Scan(ctx); err != nil {
		return nil, store.MapError(err)
	}
	out := make(map[string][]string)
	for _, m := range marks {
		out[m.Platform] = append(out[m.Platform], m.Country)
	}
	return out, nil
}
