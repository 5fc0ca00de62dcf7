package creator

import (
	"context"
	"slices"
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
	h, err := s.TermsHistory(ctx, orgID, creatorID)
	if err != nil {
		return Terms{}, err
	}
	return h.At(t), nil
}

// TermsHistory is a creator's terms over time with the shares of the agencies they belonged to: what
// TermsAt answers for any instant, from one read per table (the ledger prices a batch of one
// creator's orders with it).
type TermsHistory struct {
	terms  []termsRow            // latest first
	shares map[string][]shareRow // by agency, latest first
}

// TermsHistory reads a creator's terms and their agencies' shares.
func (s *Service) TermsHistory(ctx context.Context, orgID, creatorID string) (TermsHistory, error) {
	h := TermsHistory{shares: map[string][]shareRow{}}
	if err := s.db.NewSelect().Model(&h.terms).Where("org_id = ? AND creator_id = ?", orgID, creatorID).
		Order("valid_from DESC").Scan(ctx); err != nil {
		return h, store.MapError(err)
	}
	var agencies []string
	for _, r := range h.terms {
		if r.AgencyID != nil && !slices.Contains(agencies, *r.AgencyID) {
			agencies = append(agencies, *r.AgencyID)
		}
	}
	if len(agencies) == 0 {
		return h, nil
	}
	var shares []shareRow
	if err := s.db.NewSelect().Model(&shares).Where("org_id = ? AND agency_id IN (?)", orgID, bun.In(agencies)).
		Order("valid_from DESC").Scan(ctx); err != nil {
		return h, store.MapError(err)
	}
	for _, sh := range shares {
		h.shares[sh.AgencyID] = append(h.shares[sh.AgencyID], sh)
	}
	return h, nil
}

// At is the creator's terms in force at t: the latest row valid from t or before and not yet ended
// at t, with its agency's share in force at t. Before the creator existed: no rate, no agency.
func (h TermsHistory) At(t time.Time) Terms {
	inForce := func(from time.Time, to *time.Time) bool { return !from.After(t) && (to == nil || to.After(t)) }
	for _, r := range h.terms {
		if !inForce(r.ValidFrom, r.ValidTo) {
			continue
		}
		out := Terms{DefaultRateBps: r.DefaultRateBps, AgencyID: r.AgencyID}
		if r.AgencyID != nil {
			for _, sh := range h.shares[*r.AgencyID] {
				if inForce(sh.ValidFrom, sh.ValidTo) {
					out.AgencyShareBps = sh.ShareBps
					break
				}
			}
		}
		return out
	}
	return Terms{}
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
