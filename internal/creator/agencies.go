package creator

import (
	"context"
	"strings"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/store"
)

// NewAgency is an MCN agency to add.
type NewAgency struct {
	Name         string  `json:"name"`
	Country      string  `json:"country"`
	ContactEmail *string `json:"contact_email,omitempty"`
	ShareBps     *int64  `json:"share_bps,omitempty"`
}

// AgencyChange is a partial update of an agency (merge-patch: null clears contact_email and is a
// 422 for the others).
type AgencyChange struct {
	Name         Nullable[string] `json:"name"`
	Country      Nullable[string] `json:"country"`
	ContactEmail Nullable[string] `json:"contact_email"`
	ShareBps     Nullable[int64]  `json:"share_bps"`
}

var errAgencyNameTaken = &apperr.Error{Kind: apperr.KindConflict, Code: "agency_name_taken",
	Message: "an agency with this name already exists", Fields: map[string]string{"name": "is already in use"}}

// CreateAgency adds an agency.
func (s *Service) CreateAgency(ctx context.Context, p actor.Actor, in NewAgency) (*Agency, error) {
	f := apperr.Fields{}
	checkName(f, "name", &in.Name)
	checkCountry(f, "country", &in.Country)
	email := checkEmail(f, "contact_email", in.ContactEmail)
	checkRate(f, "share_bps", in.ShareBps)
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	ag := &Agency{ID: store.NewID(), OrgID: p.OrgID, Name: in.Name, NameKey: agencyKey(in.Name), Country: in.Country,
		ContactEmail: email, Version: 1, CreatedAt: now, UpdatedAt: now}
	if in.ShareBps != nil {
		ag.ShareBps = *in.ShareBps
	}
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(ag).Exec(ctx); err != nil {
			if store.IsUniqueViolation(err) {
				return errAgencyNameTaken
			}
			return err
		}
		if err := recordShare(ctx, tx, ag, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "agency.create", "agency", ag.ID, map[string]any{"name": ag.Name, "share_bps": ag.ShareBps})
	})
	if err != nil {
		return nil, err
	}
	return ag, nil
}

func agencyKey(name string) string { return strings.ToLower(strings.Join(strings.Fields(name), " ")) }

// ListAgencies returns the organization's agencies by name, each with its number of creators.
func (s *Service) ListAgencies(ctx context.Context, p actor.Actor, req page.Request) (page.List[Agency], error) {
	var rows []Agency
	q := s.db.NewSelect().Model(&rows).Where("ag.org_id = ?", p.OrgID)
	total, err := q.Count(ctx)
	if err != nil {
		return page.List[Agency]{}, store.MapError(err)
	}
	switch len(req.After) {
	case 0:
	case 2:
		q = q.Where("(ag.name_key > ? OR (ag.name_key = ? AND ag.id > ?))", req.After[0], req.After[0], req.After[1])
	default:
		return page.List[Agency]{}, apperr.BadRequest("invalid_parameter", "cursor is not one this server issued")
	}
	if err := q.Order("ag.name_key", "ag.id").Limit(req.Fetch()).Scan(ctx); err != nil {
		return page.List[Agency]{}, store.MapError(err)
	}
	if err := s.countCreators(ctx, p.OrgID, rows); err != nil {
		return page.List[Agency]{}, err
	}
	return page.Finish(rows, req, int64(total), func(a Agency) []string { return []string{a.NameKey, a.ID} }), nil
}

func (s *Service) countCreators(ctx context.Context, orgID string, ags []Agency) error {
	if len(ags) == 0 {
		return nil
	}
	ids := make([]string, len(ags))
	for i := range ags {
		ids[i] = ags[i].ID
	}
	var counts []struct {
		AgencyID string `bun:"agency_id"`
		N        int64  `bun:"n"`
	}
	if err := s.db.NewSelect().Table("creators").ColumnExpr("agency_id, COUNT(*) AS n").
		Where("org_id = ? AND agency_id IN (?) AND deleted_at IS NULL", orgID, bun.In(ids)).Group("agency_id").Scan(ctx, &counts); err != nil {
		return store.MapError(err)
	}
	for _, c := range counts {
		for i := range ags {
			if ags[i].ID == c.AgencyID {
				ags[i].Creators = c.N
			}
		}
	}
	return nil
}

// GetAgency returns one agency of the organization.
func (s *Service) GetAgency(ctx context.Context, p actor.Actor, id string) (*Agency, error) {
	ag, err := s.agency(ctx, s.db, p.OrgID, id)
	if err != nil {
		return nil, err
	}
	list := []Agency{*ag}
	if err := s.countCreators(ctx, p.OrgID, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

func (s *Service) agency(ctx context.Context, db bun.IDB, orgID, id string) (*Agency, error) {
	return store.ByID[Agency](ctx, db, orgID, id, "agency")
}

// UpdateAgency changes an agency.
func (s *Service) UpdateAgency(ctx context.Context, p actor.Actor, id string, ch AgencyChange, ifMatch *int64) (*Agency, error) {
	f := apperr.Fields{}
	notNull(f, "name", ch.Name)
	notNull(f, "country", ch.Country)
	notNull(f, "share_bps", ch.ShareBps)
	if ch.Name.Value != nil {
		checkName(f, "name", ch.Name.Value)
	}
	if ch.Country.Value != nil {
		checkCountry(f, "country", ch.Country.Value)
	}
	email := checkEmail(f, "contact_email", ch.ContactEmail.Value)
	checkRate(f, "share_bps", ch.ShareBps.Value)
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		ag, err := store.ByIDForUpdate[Agency](ctx, tx, p.OrgID, id, "agency")
		if err != nil {
			return err
		}
		if err := checkVersion(ifMatch, ag.Version); err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		changed := map[string]any{}
		if v := ch.Name.Value; v != nil && *v != ag.Name {
			ag.Name, ag.NameKey, changed["name"] = *v, agencyKey(*v), *v
		}
		if v := ch.Country.Value; v != nil && *v != ag.Country {
			ag.Country, changed["country"] = *v, *v
		}
		if ch.ContactEmail.Set && !equalPtr(email, ag.ContactEmail) {
			ag.ContactEmail, changed["contact_email"] = email, email
		}
		shareChanged := false
		if v := ch.ShareBps.Value; v != nil && *v != ag.ShareBps {
			ag.ShareBps, changed["share_bps"], shareChanged = *v, *v, true
		}
		if len(changed) == 0 {
			return nil
		}
		ag.UpdatedAt = s.now()
		ag.Version++
		if _, err := tx.NewUpdate().Model(ag).Column("name", "name_key", "country", "contact_email", "share_bps", "version", "updated_at").
			Where("ag.org_id = ? AND ag.id = ?", p.OrgID, ag.ID).Exec(ctx); err != nil {
			if store.IsUniqueViolation(err) {
				return errAgencyNameTaken
			}
			return err
		}
		if shareChanged {
			if err := recordShare(ctx, tx, ag, ag.UpdatedAt); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, ag.UpdatedAt, p, "agency.update", "agency", ag.ID, changed)
	})
	if err != nil {
		return nil, err
	}
	return s.GetAgency(ctx, p, id)
}

// DeleteAgency removes an agency that no creator belongs to any more. Deleted creators let go of it
// (their agency is cleared), so a creator in the bin never blocks the clean-up.
func (s *Service) DeleteAgency(ctx context.Context, p actor.Actor, id string, ifMatch *int64) error {
	return store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		ag, err := store.ByIDForUpdate[Agency](ctx, tx, p.OrgID, id, "agency")
		if err != nil {
			return err
		}
		if err := checkVersion(ifMatch, ag.Version); err != nil {
			return err
		}
		n, err := tx.NewSelect().Table("creators").Where("org_id = ? AND agency_id = ? AND deleted_at IS NULL", p.OrgID, id).Count(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return apperr.Conflict("agency_in_use", "creators still belong to this agency; move them to another agency or none first")
		}
		if _, err := tx.NewUpdate().Table("creators").Set("agency_id = NULL").Where("org_id = ? AND agency_id = ?", p.OrgID, id).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Agency)(nil)).Where("org_id = ? AND id = ?", p.OrgID, id).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), p, "agency.delete", "agency", id, map[string]string{"name": ag.Name})
	})
}
