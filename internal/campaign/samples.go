package campaign

import (
	"context"
	"math"
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

// NewSample is a shipment of a product to a creator enrolled in the campaign.
type NewSample struct {
	CreatorID      string  `json:"creator_id"`
	ProductID      string  `json:"product_id"`
	Quantity       int64   `json:"quantity"`
	UnitCostMinor  int64   `json:"unit_cost_minor"`
	Currency       string  `json:"currency"`
	Carrier        *string `json:"carrier,omitempty"`
	TrackingNumber *string `json:"tracking_number,omitempty"`
	ShippedOn      *string `json:"shipped_on,omitempty"`
	DeliveredOn    *string `json:"delivered_on,omitempty"`
}

// SampleChange is a partial update of a sample (merge-patch: null clears the shipping fields and is
// a 422 for the others).
type SampleChange struct {
	ProductID      creator.Nullable[string] `json:"product_id"`
	Quantity       creator.Nullable[int64]  `json:"quantity"`
	UnitCostMinor  creator.Nullable[int64]  `json:"unit_cost_minor"`
	Currency       creator.Nullable[string] `json:"currency"`
	Carrier        creator.Nullable[string] `json:"carrier"`
	TrackingNumber creator.Nullable[string] `json:"tracking_number"`
	ShippedOn      creator.Nullable[string] `json:"shipped_on"`
	DeliveredOn    creator.Nullable[string] `json:"delivered_on"`
}

const maxQuantity = 1_000_000

func checkQuantity(f apperr.Fields, v *int64) {
	f.Check(v != nil && (*v < 1 || *v > maxQuantity), "quantity", "must be a whole number from 1 to 1000000")
}

// checkCost refuses a cost whose total would not fit in int64 minor units.
func checkCost(f apperr.Fields, quantity, unit int64) {
	f.Check(unit < 0, "unit_cost_minor", "must not be negative")
	f.Check(quantity > 0 && unit > math.MaxInt64/quantity, "unit_cost_minor", "is too large")
}

func checkShipping(f apperr.Fields, shipped, delivered *string) {
	f.Check(shipped != nil && delivered != nil && *delivered < *shipped, "delivered_on", "must not be before shipped_on")
}

// AddSample records a sample sent to a creator of the campaign.
func (s *Service) AddSample(ctx context.Context, p actor.Actor, campaignID string, in NewSample) (*Sample, error) {
	f := apperr.Fields{}
	in.CreatorID, in.ProductID = strings.TrimSpace(in.CreatorID), strings.TrimSpace(in.ProductID)
	checkQuantity(f, &in.Quantity)
	checkCost(f, in.Quantity, in.UnitCostMinor)
	cur := checkCurrency(f, "currency", &in.Currency)
	f.Check(cur == nil, "currency", "is required")
	in.Currency = deref(cur)
	in.Carrier = checkText(f, "carrier", in.Carrier, 100)
	in.TrackingNumber = checkText(f, "tracking_number", in.TrackingNumber, 100)
	in.ShippedOn = checkDate(f, "shipped_on", in.ShippedOn)
	in.DeliveredOn = checkDate(f, "delivered_on", in.DeliveredOn)
	checkShipping(f, in.ShippedOn, in.DeliveredOn)
	var sm *Sample
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		c, err := store.ByIDForUpdate[Campaign](ctx, tx, p.OrgID, campaignID, "campaign")
		if err != nil {
			return err
		}
		if err := requireEnrolled(ctx, tx, p.OrgID, campaignID, in.CreatorID, f); err != nil {
			return err
		}
		f.Check(in.ProductID == "", "product_id", "is required")
		if in.ProductID != "" {
			if err := productsExist(ctx, tx, p.OrgID, []string{in.ProductID}, "product_id", f); err != nil {
				return err
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		now := s.now()
		sm = &Sample{ID: store.NewID(), OrgID: p.OrgID, CampaignID: c.ID, CreatorID: in.CreatorID, ProductID: in.ProductID, Quantity: in.Quantity,
			UnitCostMinor: in.UnitCostMinor, Currency: in.Currency, Carrier: in.Carrier, TrackingNumber: in.TrackingNumber,
			ShippedOn: in.ShippedOn, DeliveredOn: in.DeliveredOn, Version: 1, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(sm).Exec(ctx); err != nil {
			return err
		}
		if err := creator.RecordEvent(ctx, tx, now, p, sm.CreatorID, EventSample, map[string]any{"campaign_id": c.ID,
			"campaign_name": c.Name, "product_id": sm.ProductID, "quantity": sm.Quantity, "carrier": sm.Carrier,
			"tracking_number": sm.TrackingNumber}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "sample.create", "sample", sm.ID, map[string]any{"campaign_id": c.ID, "creator_id": sm.CreatorID,
			"product_id": sm.ProductID, "quantity": sm.Quantity})
	})
	if err != nil {
		return nil, err
	}
	sm.CostMinor = sm.Quantity * sm.UnitCostMinor
	return sm, nil
}

// Samples lists a campaign's samples, oldest first.
func (s *Service) Samples(ctx context.Context, p actor.Actor, campaignID string, req page.Request) (page.List[Sample], error) {
	if _, err := store.ByID[Campaign](ctx, s.db, p.OrgID, campaignID, "campaign"); err != nil {
		return page.List[Sample]{}, err
	}
	var rows []Sample
	q := s.db.NewSelect().Model(&rows).Where("sm.org_id = ? AND sm.campaign_id = ?", p.OrgID, campaignID)
	total, err := q.Count(ctx)
	if err != nil {
		return page.List[Sample]{}, store.MapError(err)
	}
	if q, err = after(q, "sm", req); err != nil {
		return page.List[Sample]{}, err
	}
	if err := q.Order("sm.created_at", "sm.id").Limit(req.Fetch()).Scan(ctx); err != nil {
		return page.List[Sample]{}, store.MapError(err)
	}
	for i := range rows {
		rows[i].CostMinor = rows[i].Quantity * rows[i].UnitCostMinor
	}
	return page.Finish(rows, req, int64(total), func(sm Sample) []string { return []string{sm.CreatedAt.UTC().Format(time.RFC3339Nano), sm.ID} }), nil
}

// UpdateSample changes a sample (its shipping, most often).
func (s *Service) UpdateSample(ctx context.Context, p actor.Actor, id string, ch SampleChange, ifMatch *int64) (*Sample, error) {
	f := apperr.Fields{}
	notNull(f, "product_id", ch.ProductID)
	notNull(f, "quantity", ch.Quantity)
	notNull(f, "unit_cost_minor", ch.UnitCostMinor)
	notNull(f, "currency", ch.Currency)
	checkQuantity(f, ch.Quantity.Value)
	var cur *string
	if ch.Currency.Value != nil {
		cur = checkCurrency(f, "currency", ch.Currency.Value)
		f.Check(cur == nil, "currency", "must be an ISO 4217 currency code such as USD")
	}
	carrier := checkText(f, "carrier", ch.Carrier.Value, 100)
	tracking := checkText(f, "tracking_number", ch.TrackingNumber.Value, 100)
	shipped := checkDate(f, "shipped_on", ch.ShippedOn.Value)
	delivered := checkDate(f, "delivered_on", ch.DeliveredOn.Value)
	var sm *Sample
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		sm, err = store.ByIDForUpdate[Sample](ctx, tx, p.OrgID, id, "sample")
		if err != nil {
			return err
		}
		if err := checkVersion(ifMatch, sm.Version); err != nil {
			return err
		}
		if v := ch.ProductID.Value; v != nil {
			if err := productsExist(ctx, tx, p.OrgID, []string{strings.TrimSpace(*v)}, "product_id", f); err != nil {
				return err
			}
		}
		changed := map[string]any{}
		if v := ch.ProductID.Value; v != nil && strings.TrimSpace(*v) != sm.ProductID {
			sm.ProductID, changed["product_id"] = strings.TrimSpace(*v), strings.TrimSpace(*v)
		}
		if v := ch.Quantity.Value; v != nil && *v != sm.Quantity {
			sm.Quantity, changed["quantity"] = *v, *v
		}
		if v := ch.UnitCostMinor.Value; v != nil && *v != sm.UnitCostMinor {
			sm.UnitCostMinor, changed["unit_cost_minor"] = *v, *v
		}
		if cur != nil && *cur != sm.Currency {
			sm.Currency, changed["currency"] = *cur, *cur
		}
		for field, pair := range map[string]struct {
			set bool
			dst **string
			v   *string
		}{"carrier": {ch.Carrier.Set, &sm.Carrier, carrier}, "tracking_number": {ch.TrackingNumber.Set, &sm.TrackingNumber, tracking},
			"shipped_on": {ch.ShippedOn.Set, &sm.ShippedOn, shipped}, "delivered_on": {ch.DeliveredOn.Set, &sm.DeliveredOn, delivered}} {
			if pair.set && !equalPtr(*pair.dst, pair.v) {
				*pair.dst, changed[field] = pair.v, pair.v
			}
		}
		checkCost(f, sm.Quantity, sm.UnitCostMinor)
		checkShipping(f, sm.ShippedOn, sm.DeliveredOn)
		if err := f.Err(); err != nil {
			return err
		}
		if len(changed) == 0 {
			return nil
		}
		sm.UpdatedAt = s.now()
		sm.Version++
		if _, err := tx.NewUpdate().Model(sm).ExcludeColumn("id", "org_id", "campaign_id", "creator_id", "created_at").
			Where("sm.org_id = ? AND sm.id = ?", p.OrgID, id).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, sm.UpdatedAt, p, "sample.update", "sample", id, changed)
	})
	if err != nil {
		return nil, err
	}
	sm.CostMinor = sm.Quantity * sm.UnitCostMinor
	return sm, nil
}

// EnrolmentCounts counts, per creator of creatorIDs, the campaigns they are in (invited or
// accepted), for the creator answer's "campaigns".
func (s *Service) EnrolmentCounts(ctx context.Context, orgID string, creatorIDs []string) (map[string]int64, error) {
	out := map[string]int64{}
	if len(creatorIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		CreatorID string `bun:"creator_id"`
		N         int64  `bun:"n"`
	}
	if err := s.enrolled.Scan(ctx, s.db, &rows, orgID, store.List(creatorIDs)); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.CreatorID] = r.N
	}
	return out, nil
}
