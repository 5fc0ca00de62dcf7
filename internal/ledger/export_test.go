package ledger

import (
	"context"

	"github.com/uptrace/bun"
)

// ExplainSums is PostgreSQL's EXPLAIN (ANALYZE, FORMAT JSON) of the entries' summing query of a
// range, run the way SumsBy runs the query (readSums).
func (s *Service) ExplainSums(ctx context.Context, orgID string, r Range) ([]byte, error) {
	q, err := s.sumsQuery(ctx, orgID, r)
	if err != nil {
		return nil, err
	}
	var plan []byte
	err = s.readSums(ctx, func(ctx context.Context, db bun.IDB) error {
		return db.QueryRowContext(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) "+q.String()).Scan(&plan)
	})
	return plan, err
}
