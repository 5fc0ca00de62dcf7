package creator

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store"
)

// Terms are what a creator's commission depends on at one instant: the default rate, the agency
// and that agency's share. They keep their history (creator_terms, agency_shares), so an order
// from March is computed with March's terms even after they change; the creator answer shows
// today's.
type Terms struct {
	DefaultRateBps *int64
	AgencyID       *string
	AgencyShareBps int64 // 0 without an agency
}

type termsRow struct {
	bun.BaseModel `bun:"table:creator_terms"`

	OrgID          string     `bun:"org_id"`
	CreatorID      string     `bun:"creator_id,pk"`
	ValidFrom      time.Time  `bun:"valid_from,pk"`
	ValidTo        *time.Time `bun:"valid_to"`
	DefaultRateBps *int64     `bun:"default_rate_bps"`
	AgencyID       *string    `bun:"agency_id"`
}

type shareRow struct {
	bun.BaseModel `bun:"table:agency_shares"`

	OrgID     string     `bun:"org_id"`
	AgencyID  string     `bun:"agency_id,pk"`
	ValidFrom time.Time  `bun:"valid_from,pk"`
	ValidTo   *time.Time `bun:"valid_to"`
	ShareBps  int64      `bun:"share_bps"`
}

// TermsAt returns a creator's terms in force at t.
func (s *Service) TermsAt(ctx context.Context, orgID, creatorID string, t time.Time) (Terms, error) {
	var r termsRow
	err := s.db.NewSelect().Model(&r).
		Where("org_id = ? AND creator_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)", orgID, creatorID, t, t).
		Order("valid_from DESC").Limit(1).Scan(ctx)
	if store.IsNoRows(err) {
		return Terms{}, nil // before the creator existed: no rate, no agency
	}
	if err != nil {
		return Terms{}, store.MapError(err)
	}
	out := Terms{DefaultRateBps: r.DefaultRateBps, AgencyID: r.AgencyID}
	if r.AgencyID == nil {
		return out, nil
	}
	var sh shareRow
	err = s.db.NewSelect().Model(&sh).
		Where("org_id = ? AND agency_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)", orgID, *r.AgencyID, t, t).
		Order("valid_from DESC").Limit(1).Scan(ctx)
	if err != nil && !store.IsNoRows(err) {
		return Terms{}, store.MapError(err)
	}
	out.AgencyShareBps = sh.ShareBps
	return out, nil
}

// recordTerms closes the creator's open terms at now and opens today's (called once per change of
// the default rate or the agency, and once at creation).
func recordTerms(ctx context.Context, db bun.IDB, c *Creator, now time.Time) error {
	if _, err := db.NewUpdate().Model((*termsRow)(nil)).Set("valid_to = ?", now).
		Where("org_id = ? AND creator_id = ? AND valid_to IS NULL", c.OrgID, c.ID).Exec(ctx); err != nil {
		return err
	}
	_, err := db.NewInsert().Model(&termsRow{OrgID: c.OrgID, CreatorID: c.ID, ValidFrom: now, DefaultRateBps: c.DefaultRateBps, AgencyID: c.AgencyID}).
		On("CONFLICT (creator_id, valid_from) DO UPDATE").Set("default_rate_bps = EXCLUDED.default_rate_bps").
		Set("agency_id = EXCLUDED.agency_id").Set("valid_to = NULL").Exec(ctx)
	return err
}

// recordShare does the same for an agency's share.
func recordShare(ctx context.Context, db bun.IDB, ag *Agency, now time.Time) error {
	if _, err := db.NewUpdate().Model((*shareRow)(nil)).Set("valid_to = ?", now).
		Where("org_id = ? AND agency_id = ? AND valid_to IS NULL", ag.OrgID, ag.ID).Exec(ctx); err != nil {
		return err
	}
	_, err := db.NewInsert().Model(&shareRow{OrgID: ag.OrgID, AgencyID: ag.ID, ValidFrom: now, ShareBps: ag.ShareBps}).
		On("CONFLICT (agency_id, valid_from) DO UPDATE").Set("share_bps = EXCLUDED.share_bps").Set("valid_to = NULL").Exec(ctx)
	return err
}
