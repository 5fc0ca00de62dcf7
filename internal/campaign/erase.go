package campaign

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/audit"
)

// EraseCreator removes what the campaign package holds about an erased creator that could identify
// them (creator.Eraser): the addresses of their posts and the tracking numbers of the samples sent
// to them, and the same values in the audit entries of those posts and samples. Enrolments, fees,
// sample costs and post figures stay: the campaign's costs and report still add up.
func (s *Service) EraseCreator(ctx context.Context, tx bun.Tx, orgID, creatorID string) error {
	var deliverables, samples []string
	if err := tx.NewSelect().Model((*Deliverable)(nil)).Column("id").Where("org_id = ? AND creator_id = ?", orgID, creatorID).Scan(ctx, &deliverables); err != nil {
		return err
	}
	if err := tx.NewSelect().Model((*Sample)(nil)).Column("id").Where("org_id = ? AND creator_id = ?", orgID, creatorID).Scan(ctx, &samples); err != nil {
		return err
	}
	if _, err := tx.NewUpdate().Model((*Deliverable)(nil)).Set("url = NULL").
		Where("org_id = ? AND creator_id = ? AND url IS NOT NULL", orgID, creatorID).Exec(ctx); err != nil {
		return err
	}
	if _, err := tx.NewUpdate().Model((*Sample)(nil)).Set("tracking_number = NULL").
		Where("org_id = ? AND creator_id = ? AND tracking_number IS NOT NULL", orgID, creatorID).Exec(ctx); err != nil {
		return err
	}
	for _, t := range []struct {
		kind string
		ids  []string
	}{{"deliverable", deliverables}, {"sample", samples}} {
		if len(t.ids) == 0 {
			continue
		}
		if _, err := tx.NewUpdate().Model((*audit.Entry)(nil)).Set("details = ?", `{"erased":true}`).
			Where("org_id = ? AND target_type = ? AND target_id IN (?)", orgID, t.kind, bun.In(t.ids)).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}
