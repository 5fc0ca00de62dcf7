package campaign

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/store"
)

// NewEnrolment enrols a creator in a campaign: the contract, with an optional per-creator rate
// override, the accounts that take part (none: all), and an optional fixed fee (a campaign cost).
type NewEnrolment struct {
	CreatorID   string   `json:"creator_id"`
	Status      string   `json:"status,omitempty"`
	RateBps     *int64   `json:"rate_bps,omitempty"`
	AccountIDs  []string `json:"account_ids,omitempty"`
	FeeMinor    *int64   `json:"fee_minor,omitempty"`
	FeeCurrency *string  `json:"fee_currency,omitempty"`
}

// EnrolmentChange is a partial update of an enrolment (merge-patch: null clears rate_bps,
// account_ids and the fee). A rate change is effective now; earlier orders keep the earlier rate.
type EnrolmentChange struct {
	Status      creator.Nullable[string]   `json:"status"`
	RateBps     creator.Nullable[int64]    `json:"rate_bps"`
	AccountIDs  creator.Nullable[[]string] `json:"account_ids"`
	FeeMinor    creator.Nullable[int64]    `json:"fee_minor"`
	FeeCurrency creator.Nullable[string]   `json:"fee_currency"`
}

func checkEnrolmentStatus(f apperr.Fields, v string) {
	f.Check(!slices.Contains(EnrolmentStatuses, v), "status", "must be one of "+strings.Join(EnrolmentStatuses, ", "))
}

func checkFee(f apperr.Fields, fee *int64, currency *string) {
	checkCount(f, "fee_minor", fee)
	f.Check(fee != nil && currency == nil, "fee_currency", "is required with a fee")
}

// Enrol adds a creator to a campaign and records it on the creator's timeline. An unknown campaign
// is a 404; a creator of another organization is a 422 (a field of the body); a creator already
// enrolled is a 409.
func (s *Service) Enrol(ctx context.Context, p actor.Actor, campaignID string, in NewEnrolment) (*Enrolment, error) {
	f := apperr.Fields{}
	in.CreatorID = strings.TrimSpace(in.CreatorID)
	if in.Status == "" {
		in.Status = EnrolmentInvited
	}
	checkEnrolmentStatus(f, in.Status)
	checkRate(f, "rate_bps", in.RateBps)
	in.AccountIDs = cleanIDs(in.AccountIDs)
	in.FeeCurrency = checkCurrency(f, "fee_currency", in.FeeCurrency)
	checkFee(f, in.FeeMinor, in.FeeCurrency)
	var id string
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		c, err := store.ByIDForUpdate[Campaign](ctx, tx, p.OrgID, campaignID, "campaign")
		if err != nil {
			return err
		}
		name, err := checkCreator(ctx, tx, p.OrgID, in.CreatorID, f)
		if err != nil {
			return err
		}
		if err := checkAccounts(ctx, tx, p.OrgID, in.CreatorID, "account_ids", in.AccountIDs, f); err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		if c.Status == StatusEnded {
			return apperr.Conflict("campaign_ended", "the campaign has ended; nobody can join it any more")
		}
		if en, err := enrolmentOf(ctx, tx, p.OrgID, campaignID, in.CreatorID); err != nil {
			return err
		} else if en != nil {
			return apperr.Conflict("already_enrolled", "the creator is already enrolled in this campaign").
				WithParams(map[string]any{"enrolment_id": en.ID, "creator_id": in.CreatorID, "creator_name": name, "status": en.Status})
		}
		now := s.now()
		accts, _ := json.Marshal(in.AccountIDs)
		en := &Enrolment{ID: store.NewID(), OrgID: p.OrgID, CampaignID: campaignID, CreatorID: in.CreatorID, Status: in.Status, RateBps: in.RateBps,
			AccountIDsJSON: string(accts), FeeMinor: in.FeeMinor, FeeCurrency: in.FeeCurrency, Version: 1, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(en).Exec(ctx); err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.Conflict("already_enrolled", "the creator is already enrolled in this campaign")
			}
			return err
		}
		if err := recordOverride(ctx, tx, en, now); err != nil {
			return err
		}
		if err := creator.RecordEvent(ctx, tx, now, p, en.CreatorID, EventEnrolled, map[string]any{
			"campaign_id": c.ID, "campaign_name": c.Name, "enrolment_id": en.ID, "status": en.Status, "rate_bps": en.RateBps}); err != nil {
			return err
		}
		id = en.ID
		return audit.Record(ctx, tx, now, p, "enrolment.create", "enrolment", en.ID, map[string]any{
			"campaign_id": c.ID, "creator_id": en.CreatorID, "rate_bps": en.RateBps})
	})
	if err != nil {
		return nil, err
	}
	return s.GetEnrolment(ctx, p, id)
}

func recordOverride(ctx context.Context, db bun.IDB, en *Enrolment, now time.Time) error {
	return recordRate(ctx, db, &enrolmentRate{OrgID: en.OrgID, EnrolmentID: en.ID, ValidFrom: now, RateBps: en.RateBps},
		"enrolment_rates", "enrolment_id", en.OrgID, en.ID, now)
}

// Enrolments lists a campaign's enrolments, oldest first.
func (s *Service) Enrolments(ctx context.Context, p actor.Actor, campaignID string, req page.Request) (page.List[Enrolment], error) {
	if _, err := store.ByID[Campaign](ctx, s.db, p.OrgID, campaignID, "campaign"); err != nil {
		return page.List[Enrolment]{}, err
	}
	var rows []Enrolment
	q := s.db.NewSelect().Model(&rows).Where("en.org_id = ? AND en.campaign_id = ?", p.OrgID, campaignID)
	total, err := q.Count(ctx)
	if err != nil {
		return page.List[Enrolment]{}, store.MapError(err)
	}
	if q, err = after(q, "en", req); err != nil {
		return page.List[Enrolment]{}, err
	}
	if err := q.Order("en.created_at", "en.id").Limit(req.Fetch()).Scan(ctx); err != nil {
		return page.List[Enrolment]{}, store.MapError(err)
	}
	if err := fillEnrolments(ctx, s.db, p.OrgID, rows); err != nil {
		return page.List[Enrolment]{}, err
	}
	return page.Finish(rows, req, int64(total), func(e Enrolment) []string { return []string{e.CreatedAt.UTC().Format(time.RFC3339Nano), e.ID} }), nil
}

// after applies the keyset cursor of a list sorted by created_at then id, oldest first.
func after(q *bun.SelectQuery, alias string, req page.Request) (*bun.SelectQuery, error) {
	switch len(req.After) {
	case 0:
		return q, nil
	case 2:
		at, err := time.Parse(time.RFC3339Nano, req.After[0])
		if err != nil {
			return nil, errCursor
		}
		return q.Where("("+alias+".created_at > ? OR ("+alias+".created_at = ? AND "+alias+".id > ?))", at, at, req.After[1]), nil
	}
	return nil, errCursor
}

func fillEnrolments(ctx context.Context, db bun.IDB, orgID string, ens []Enrolment) error {
	ids := make([]string, 0, len(ens))
	for i := range ens {
		ids = append(ids, ens[i].CreatorID)
		ens[i].AccountIDs = []string{}
		_ = json.Unmarshal([]byte(ens[i].AccountIDsJSON), &ens[i].AccountIDs)
	}
	refs, err := creator.Refs(ctx, db, orgID, ids)
	if err != nil {
		return err
	}
	for i := range ens {
		ens[i].CreatorName = refs[ens[i].CreatorID].DisplayName
	}
	return nil
}

// GetEnrolment returns one enrolment of the organization.
func (s *Service) GetEnrolment(ctx context.Context, p actor.Actor, id string) (*Enrolment, error) {
	en, err := store.ByID[Enrolment](ctx, s.db, p.OrgID, id, "enrolment")
	if err != nil {
		return nil, err
	}
	list := []Enrolment{*en}
	if err := fillEnrolments(ctx, s.db, p.OrgID, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// UpdateEnrolment changes an enrolment's status, override, accounts or fee.
func (s *Service) UpdateEnrolment(ctx context.Context, p actor.Actor, id string, ch EnrolmentChange, ifMatch *int64) (*Enrolment, error) {
	f := apperr.Fields{}
	notNull(f, "status", ch.Status)
	if ch.Status.Value != nil {
		checkEnrolmentStatus(f, *ch.Status.Value)
	}
	checkRate(f, "rate_bps", ch.RateBps.Value)
	var accounts []string
	if ch.AccountIDs.Set {
		accounts = cleanIDs(deref(ch.AccountIDs.Value))
	}
	checkCount(f, "fee_minor", ch.FeeMinor.Value)
	feeCurrency := checkCurrency(f, "fee_currency", ch.FeeCurrency.Value)
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		en, err := store.ByIDForUpdate[Enrolment](ctx, tx, p.OrgID, id, "enrolment")
		if err != nil {
			return err
		}
		if err := checkVersion(ifMatch, en.Version); err != nil {
			return err
		}
		if err := checkAccounts(ctx, tx, p.OrgID, en.CreatorID, "account_ids", accounts, f); err != nil {
			return err
		}
		fee, cur := en.FeeMinor, en.FeeCurrency
		if ch.FeeMinor.Set {
			fee = ch.FeeMinor.Value
		}
		if ch.FeeCurrency.Set {
			cur = feeCurrency
		}
		f.Check(fee != nil && cur == nil, "fee_currency", "is required with a fee")
		if err := f.Err(); err != nil {
			return err
		}
		changed := map[string]any{}
		oldStatus := en.Status
		if v := ch.Status.Value; v != nil && *v != en.Status {
			en.Status, changed["status"] = *v, *v
		}
		rateChanged := ch.RateBps.Set && !equalPtr(ch.RateBps.Value, en.RateBps)
		if rateChanged {
			en.RateBps, changed["rate_bps"] = ch.RateBps.Value, ch.RateBps.Value
		}
		if ch.AccountIDs.Set {
			b, _ := json.Marshal(accounts)
			if string(b) != en.AccountIDsJSON {
				en.AccountIDsJSON, changed["account_ids"] = string(b), accounts
			}
		}
		if !equalPtr(fee, en.FeeMinor) {
			en.FeeMinor, changed["fee_minor"] = fee, fee
		}
		if !equalPtr(cur, en.FeeCurrency) {
			en.FeeCurrency, changed["fee_currency"] = cur, cur
		}
		if len(changed) == 0 {
			return nil
		}
		en.UpdatedAt = s.now()
		en.Version++
		if _, err := tx.NewUpdate().Model(en).ExcludeColumn("id", "org_id", "campaign_id", "creator_id", "created_at").
			Where("en.org_id = ? AND en.id = ?", p.OrgID, id).Exec(ctx); err != nil {
			return err
		}
		if rateChanged {
			if err := recordOverride(ctx, tx, en, en.UpdatedAt); err != nil {
				return err
			}
		}
		if en.Status != oldStatus {
			changed["from_status"] = oldStatus
		}
		return audit.Record(ctx, tx, en.UpdatedAt, p, "enrolment.update", "enrolment", id, changed)
	})
	if err != nil {
		return nil, err
	}
	return s.GetEnrolment(ctx, p, id)
}

// OverrideAt returns a creator's rate override in a campaign in force at t: nil when the creator
// had none then, or is not enrolled.
func (s *Service) OverrideAt(ctx context.Context, orgID, campaignID, creatorID string, t time.Time) (*int64, error) {
	h, err := s.OverrideHistory(ctx, orgID, campaignID, creatorID)
	if err != nil {
		return nil, err
	}
	return h.At(t), nil
}

// OverrideHistory reads a creator's override rates in a campaign: OverrideAt for any instant. A
// creator not enrolled has none.
func (s *Service) OverrideHistory(ctx context.Context, orgID, campaignID, creatorID string) (RateHistory, error) {
	en, err := enrolmentOf(ctx, s.db, orgID, campaignID, creatorID)
	if err != nil || en == nil {
		return nil, err
	}
	return rateHistory(ctx, s.db, "enrolment_rates", "enrolment_id", orgID, en.ID)
}
