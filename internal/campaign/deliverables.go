package campaign

import (
	"context"
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
	"github.com/caravan-crm/caravan/internal/text"
)

// NewDeliverable is a content post a creator enrolled in the campaign owes.
type NewDeliverable struct {
	CreatorID string  `json:"creator_id"`
	AccountID *string `json:"account_id,omitempty"`
	URL       *string `json:"url,omitempty"`
	DueOn     *string `json:"due_on,omitempty"`
	Status    string  `json:"status,omitempty"`
	Views     *int64  `json:"views,omitempty"`
	Likes     *int64  `json:"likes,omitempty"`
	Comments  *int64  `json:"comments,omitempty"`
	Shares    *int64  `json:"shares,omitempty"`
}

// DeliverableChange is a partial update of a post (merge-patch: null clears the optional fields and
// is a 422 for status).
type DeliverableChange struct {
	AccountID creator.Nullable[string] `json:"account_id"`
	URL       creator.Nullable[string] `json:"url"`
	DueOn     creator.Nullable[string] `json:"due_on"`
	Status    creator.Nullable[string] `json:"status"`
	Views     creator.Nullable[int64]  `json:"views"`
	Likes     creator.Nullable[int64]  `json:"likes"`
	Comments  creator.Nullable[int64]  `json:"comments"`
	Shares    creator.Nullable[int64]  `json:"shares"`
}

func checkDeliverableStatus(f apperr.Fields, v string) {
	f.Check(!slices.Contains(DeliverableStatuses, v), "status", "must be one of "+strings.Join(DeliverableStatuses, ", "))
}

// AddDeliverable adds a post to a campaign; a post created as posted goes to the creator's timeline.
func (s *Service) AddDeliverable(ctx context.Context, p actor.Actor, campaignID string, in NewDeliverable) (*Deliverable, error) {
	f := apperr.Fields{}
	in.CreatorID = strings.TrimSpace(in.CreatorID)
	in.AccountID = text.Optional(in.AccountID)
	in.URL = checkURL(f, "url", in.URL)
	in.DueOn = checkDate(f, "due_on", in.DueOn)
	if in.Status == "" {
		in.Status = DeliverablePlanned
	}
	checkDeliverableStatus(f, in.Status)
	for field, v := range map[string]*int64{"views": in.Views, "likes": in.Likes, "comments": in.Comments, "shares": in.Shares} {
		checkCount(f, field, v)
	}
	var d *Deliverable
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		c, err := store.ByIDForUpdate[Campaign](ctx, tx, p.OrgID, campaignID, "campaign")
		if err != nil {
			return err
		}
		if err := requireEnrolled(ctx, tx, p.OrgID, campaignID, in.CreatorID, f); err != nil {
			return err
		}
		if in.AccountID != nil {
			if err := checkAccounts(ctx, tx, p.OrgID, in.CreatorID, "account_id", []string{*in.AccountID}, f); err != nil {
				return err
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		now := s.now()
		d = &Deliverable{ID: store.NewID(), OrgID: p.OrgID, CampaignID: c.ID, CreatorID: in.CreatorID, AccountID: in.AccountID, URL: in.URL,
			DueOn: in.DueOn, Status: in.Status, Views: in.Views, Likes: in.Likes, Comments: in.Comments, Shares: in.Shares,
			Version: 1, CreatedAt: now, UpdatedAt: now}
		if d.Status == DeliverablePosted {
			d.PostedAt = &now
		}
		if _, err := tx.NewInsert().Model(d).Exec(ctx); err != nil {
			return err
		}
		if d.Status == DeliverablePosted {
			if err := postedEvent(ctx, tx, now, p, c, d); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, p, "deliverable.create", "deliverable", d.ID, map[string]any{"campaign_id": c.ID, "creator_id": d.CreatorID, "status": d.Status})
	})
	if err != nil {
		return nil, err
	}
	return d, s.markLate(ctx, p.OrgID, []*Deliverable{d})
}

func postedEvent(ctx context.Context, tx bun.IDB, now time.Time, p actor.Actor, c *Campaign, d *Deliverable) error {
	return creator.RecordEvent(ctx, tx, now, p, d.CreatorID, EventPosted, map[string]any{
		"campaign_id": c.ID, "campaign_name": c.Name, "deliverable_id": d.ID, "account_id": d.AccountID, "url": d.URL})
}

// markLate sets Late (and shows the status as late) on posts past their due date in the
// organization's day that are neither posted nor cancelled.
func (s *Service) markLate(ctx context.Context, orgID string, ds []*Deliverable) error {
	if len(ds) == 0 {
		return nil
	}
	today, err := s.today(ctx, orgID)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.DueOn != nil && *d.DueOn < today && d.Status != DeliverablePosted && d.Status != DeliverableCancelled {
			d.Late, d.Status = true, DeliverableLate
		}
		if d.Status == DeliverableLate {
			d.Late = true
		}
	}
	return nil
}

// Deliverables lists a campaign's posts, oldest first.
func (s *Service) Deliverables(ctx context.Context, p actor.Actor, campaignID string, req page.Request) (page.List[Deliverable], error) {
	if _, err := store.ByID[Campaign](ctx, s.db, p.OrgID, campaignID, "campaign"); err != nil {
		return page.List[Deliverable]{}, err
	}
	var rows []Deliverable
	q := s.db.NewSelect().Model(&rows).Where("d.org_id = ? AND d.campaign_id = ?", p.OrgID, campaignID)
	total, err := q.Count(ctx)
	if err != nil {
		return page.List[Deliverable]{}, store.MapError(err)
	}
	if q, err = after(q, "d", req); err != nil {
		return page.List[Deliverable]{}, err
	}
	if err := q.Order("d.created_at", "d.id").Limit(req.Fetch()).Scan(ctx); err != nil {
		return page.List[Deliverable]{}, store.MapError(err)
	}
	ptrs := make([]*Deliverable, len(rows))
	for i := range rows {
		ptrs[i] = &rows[i]
	}
	if err := s.markLate(ctx, p.OrgID, ptrs); err != nil {
		return page.List[Deliverable]{}, err
	}
	return page.Finish(rows, req, int64(total), func(d Deliverable) []string { return []string{d.CreatedAt.UTC().Format(time.RFC3339Nano), d.ID} }), nil
}

// UpdateDeliverable changes a post; the change to posted goes to the creator's timeline.
func (s *Service) UpdateDeliverable(ctx context.Context, p actor.Actor, id string, ch DeliverableChange, ifMatch *int64) (*Deliverable, error) {
	f := apperr.Fields{}
	notNull(f, "status", ch.Status)
	if ch.Status.Value != nil {
		checkDeliverableStatus(f, *ch.Status.Value)
	}
	accountID := text.Optional(ch.AccountID.Value)
	u := checkURL(f, "url", ch.URL.Value)
	due := checkDate(f, "due_on", ch.DueOn.Value)
	counts := map[string]creator.Nullable[int64]{"views": ch.Views, "likes": ch.Likes, "comments": ch.Comments, "shares": ch.Shares}
	for field, v := range counts {
		checkCount(f, field, v.Value)
	}
	var d *Deliverable
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		d, err = store.ByIDForUpdate[Deliverable](ctx, tx, p.OrgID, id, "deliverable")
		if err != nil {
			return err
		}
		if err := checkVersion(ifMatch, d.Version); err != nil {
			return err
		}
		if accountID != nil {
			if err := checkAccounts(ctx, tx, p.OrgID, d.CreatorID, "account_id", []string{*accountID}, f); err != nil {
				return err
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		changed := map[string]any{}
		oldStatus := d.Status
		if v := ch.Status.Value; v != nil && *v != d.Status {
			d.Status, changed["status"] = *v, *v
		}
		for field, pair := range map[string]struct {
			set bool
			dst **string
			v   *string
		}{"account_id": {ch.AccountID.Set, &d.AccountID, accountID}, "url": {ch.URL.Set, &d.URL, u}, "due_on": {ch.DueOn.Set, &d.DueOn, due}} {
			if pair.set && !equalPtr(*pair.dst, pair.v) {
				*pair.dst, changed[field] = pair.v, pair.v
			}
		}
		for field, dst := range map[string]**int64{"views": &d.Views, "likes": &d.Likes, "comments": &d.Comments, "shares": &d.Shares} {
			if v := counts[field]; v.Set && !equalPtr(*dst, v.Value) {
				*dst, changed[field] = v.Value, v.Value
			}
		}
		if len(changed) == 0 {
			return nil
		}
		now := s.now()
		posted := d.Status == DeliverablePosted && oldStatus != DeliverablePosted
		if posted {
			d.PostedAt = &now
		}
		d.UpdatedAt = now
		d.Version++
		if _, err := tx.NewUpdate().Model(d).ExcludeColumn("id", "org_id", "campaign_id", "creator_id", "created_at").
			Where("d.org_id = ? AND d.id = ?", p.OrgID, id).Exec(ctx); err != nil {
			return err
		}
		if posted {
			c, err := store.ByID[Campaign](ctx, tx, p.OrgID, d.CampaignID, "campaign")
			if err != nil {
				return err
			}
			if err := postedEvent(ctx, tx, now, p, c, d); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, p, "deliverable.update", "deliverable", id, changed)
	})
	if err != nil {
		return nil, err
	}
	return d, s.markLate(ctx, p.OrgID, []*Deliverable{d})
}
