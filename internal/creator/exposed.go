package creator

// The "exposed" list filter: creators with an active account on a platform the organization marked
// at risk or banned in the creator's country. The marks belong to the insight package (its
// platform_risks table); this package reads them through the Risks interface it declares, which app
// wires, and never names that table.

import (
	"context"
	"slices"

	"github.com/uptrace/bun"
)

// Risks tells which countries each platform is marked at risk or banned in, for an organization.
type Risks interface {
	MarkedCountries(ctx context.Context, orgID string) (map[string][]string, error) // platform → countries
}

// SetRisks wires the source of the platform risk marks the exposed filter reads (at start-up).
// Without one no creator is exposed.
func (s *Service) SetRisks(r Risks) { s.risks = r }

// withMarks fills in the marks an exposed filter needs (once: a filter that has them keeps them).
func (s *Service) withMarks(ctx context.Context, orgID string, f Filter) (Filter, error) {
	if !f.Exposed || f.marked != nil {
		return f, nil
	}
	r := s.risks
	f.marked = []string{}
	if r == nil {
		return f, nil
	}
	m, err := r.MarkedCountries(ctx, orgID)
	if err != nil {
		return f, err
	}
	f.marked = markedPairs(m)
	return f, nil
}

// markedPairs flattens platform → countries into sorted "platform:country" keys.
func markedPairs(m map[string][]string) []string {
	out := []string{}
	for plat, countries := range m {
		for _, c := range countries {
			out = append(out, plat+":"+c)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// applyExposed adds the exposed condition to a query on creators AS c: one set-based condition, an
// EXISTS on the creator's active accounts whose (platform, creator's country) is among the marked
// pairs, whatever their number.
func (f Filter) applyExposed(q *bun.SelectQuery) *bun.SelectQuery {
	if !f.Exposed {
		return q
	}
	if len(f.marked) == 0 {
		return q.Where("1 = 0")
	}
	return q.Where("EXISTS (SELECT 1 FROM creator_accounts AS x WHERE x.org_id = c.org_id AND x.creator_id = c.id AND x.status = ? AND x.platform || ':' || c.country IN (?))",
		AccountActive, bun.In(f.marked))
}
