package conversion

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/text"
)

// KindShopify is the one kind of store so far.
const KindShopify = "shopify"

// ShopifyTopics are the webhook topics a Shopify store sends.
var ShopifyTopics = []string{"orders/create", "orders/paid", "refunds/create"}

// NewStore is the body of POST /api/v1/stores.
type NewStore struct {
	Name          string `json:"name"`
	Kind          string `json:"kind"`
	Domain        string `json:"domain"`
	WebhookSecret string `json:"webhook_secret"`
}

func (s *Service) decorate(st *Store) {
	st.WebhookURL = s.publicURL + "/webhooks/shopify/" + st.ID
	st.Topics = ShopifyTopics
}

// CreateStore connects a shop. The secret is kept for checking signatures and never answered.
func (s *Service) CreateStore(ctx context.Context, p actor.Actor, in NewStore) (*Store, error) {
	f := apperr.Fields{}
	in.Name, in.Kind = strings.TrimSpace(in.Name), strings.ToLower(strings.TrimSpace(in.Kind))
	in.Domain = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(in.Domain), "https://"), "http://"), "/"))
	f.Check(in.Name == "" || utf8.RuneCountInString(in.Name) > 200 || text.CheckName(in.Name) != nil, "name", "must be 1 to 200 characters")
	if in.Kind == "" {
		in.Kind = KindShopify
	}
	f.Check(in.Kind != KindShopify, "kind", "must be shopify")
	f.Check(in.Domain == "" || len(in.Domain) > 255 || strings.ContainsAny(in.Domain, " /?#@") || !strings.Contains(in.Domain, "."), "domain", "must be the shop's domain, such as my-shop.myshopify.com")
	secret := strings.TrimSpace(in.WebhookSecret)
	f.Check(len(secret) < 16 || len(secret) > 512 || text.CheckName(secret) != nil, "webhook_secret", "must be the webhook signing secret Shopify shows (at least 16 characters)")
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	st := &Store{ID: store.NewID(), OrgID: p.OrgID, Name: in.Name, Kind: in.Kind, Domain: in.Domain, WebhookSecret: secret, CreatedAt: now}
	if id := p.ID(); id != "" {
		st.CreatedBy = &id
	}
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(st).Exec(ctx); err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.Conflict("store_taken", fmt.Sprintf("the shop %s is already connected", in.Domain)).WithParams(map[string]any{"domain": in.Domain})
			}
			return err
		}
		return audit.Record(ctx, tx, now, p, "store.create", "store", st.ID, map[string]any{"name": st.Name, "domain": st.Domain})
	})
	if err != nil {
		return nil, err
	}
	s.decorate(st)
	return st, nil
}

// StoreList is the answer of GET /api/v1/stores.
type StoreList struct {
	Items []Store `json:"items"`
}

// ListStores lists the organization's connected shops with their deliveries.
func (s *Service) ListStores(ctx context.Context, p actor.Actor) (*StoreList, error) {
	out := &StoreList{Items: []Store{}}
	if err := s.db.NewSelect().Model(&out.Items).Where("st.org_id = ? AND st.deleted_at IS NULL", p.OrgID).Order("st.created_at").Scan(ctx); err != nil {
		return nil, store.MapError(err)
	}
	var counts []struct {
		StoreID string    `bun:"store_id"`
		N       int64     `bun:"n"`
		Last    time.Time `bun:"last"`
	}
	if err := s.db.NewSelect().TableExpr("webhook_deliveries AS wd").ColumnExpr("wd.store_id, COUNT(*) AS n, MAX(wd.received_at) AS last").
		Where("wd.org_id = ?", p.OrgID).Group("wd.store_id").Scan(ctx, &counts); err != nil {
		return nil, store.MapError(err)
	}
	for i := range out.Items {
		st := &out.Items[i]
		s.decorate(st)
		for _, c := range counts {
			if c.StoreID == st.ID {
				last := c.Last.UTC()
				st.Deliveries, st.LastDeliveryAt = c.N, &last
			}
		}
	}
	return out, nil
}

// DeleteStore disconnects a shop: its webhooks are refused from now on; its orders stay.
func (s *Service) DeleteStore(ctx context.Context, p actor.Actor, id string) error {
	now := s.now()
	return store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		st, err := store.ByIDForUpdate[Store](ctx, tx, p.OrgID, id, "store")
		if err != nil {
			return err
		}
		if st.DeletedAt != nil {
			return apperr.NotFound("store")
		}
		if _, err := tx.NewUpdate().Model(st).Set("deleted_at = ?", now).WherePK().Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "store.delete", "store", st.ID, map[string]any{"name": st.Name, "domain": st.Domain})
	})
}

// Webhook is one delivery to /webhooks/shopify/{store_id}, as received.
type Webhook struct {
	StoreID    string
	Topic      string
	DeliveryID string
	Signature  string
	Body       []byte
}

// WebhookResult answers a delivery.
type WebhookResult struct {
	Status       string  `json:"status"` // created | duplicate | updated | ignored | waiting
	ConversionID *string `json:"conversion_id,omitempty"`
}

// errSignature is the answer to an unknown store and to a bad signature alike: nothing tells a
// stranger which store ids exist.
var errSignature = apperr.Unauthorized("invalid_signature", "the X-Shopify-Hmac-Sha256 signature does not match this store's webhook secret")

// verify checks the signature (base64 HMAC-SHA256 of the raw body keyed with the secret) in
// constant time.
func verify(secret string, body []byte, signature string) bool {
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(signature))
	if err != nil || len(got) != sha256.Size {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// ReceiveShopify handles a Shopify webhook: the signature is checked first (401, nothing stored),
// then the delivery id dedupes (a redelivery answers "duplicate", 200); orders/create and
// orders/paid store the order, refunds/create its refund (kept until the order arrives if it comes
// first). Other topics are acknowledged and ignored. The delivery and what it stores commit together.
func (s *Service) ReceiveShopify(ctx context.Context, w Webhook) (*WebhookResult, error) {
	var st Store
	err := s.db.NewSelect().Model(&st).Where("st.id = ? AND st.deleted_at IS NULL", w.StoreID).Scan(ctx)
	if err != nil {
		if store.IsNoRows(err) {
			verify("unknown store: spend the same time", w.Body, w.Signature)
			return nil, errSignature
		}
		return nil, store.MapError(err)
	}
	if w.Signature == "" || !verify(st.WebhookSecret, w.Body, w.Signature) {
		return nil, errSignature
	}
	w.DeliveryID, w.Topic = strings.TrimSpace(w.DeliveryID), strings.TrimSpace(w.Topic)
	if w.DeliveryID == "" || len(w.DeliveryID) > 200 {
		return nil, apperr.BadRequest("missing_header", "X-Shopify-Webhook-Id is required")
	}
	source := sourceShopify + st.ID
	res := &WebhookResult{Status: "ignored"}
	var stage *staged
	var refund *ShopifyRefund
	switch w.Topic {
	case "orders/create", "orders/paid", "orders/updated":
		o, err := ParseShopifyOrder(w.Body)
		if err != nil {
			return nil, err
		}
		if stage, err = s.stage(ctx, st.OrgID, source, o); err != nil {
			return nil, err
		}
	case "refunds/create":
		r, err := ParseShopifyRefund(w.Body)
		if err != nil {
			return nil, err
		}
		refund = &r
	}
	sys := actor.Actor{OrgID: st.OrgID}
	err = store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		*res = WebhookResult{Status: "ignored"}
		ins, err := tx.NewInsert().Model(&deliveryRow{OrgID: st.OrgID, StoreID: st.ID, DeliveryID: w.DeliveryID, Topic: w.Topic, ReceivedAt: s.now(), Outcome: "received"}).
			On("CONFLICT (store_id, delivery_id) DO NOTHING").Exec(ctx)
		if err != nil {
			return store.MapError(err)
		}
		if n, _ := ins.RowsAffected(); n == 0 {
			res.Status = OutcomeDuplicate
			return nil
		}
		switch {
		case stage != nil:
			id, outcome, err := s.write(ctx, tx, sys.ID(), stage, true)
			if err != nil {
				return err
			}
			res.Status, res.ConversionID = outcome, &id
		case refund != nil:
			if res.Status, res.ConversionID, err = s.shopifyRefund(ctx, tx, st.OrgID, source, refund); err != nil {
				return err
			}
		}
		_, err = tx.NewUpdate().Model((*deliveryRow)(nil)).Set("outcome = ?", res.Status).Set("conversion_id = ?", res.ConversionID).
			Where("store_id = ? AND delivery_id = ?", st.ID, w.DeliveryID).Exec(ctx)
		return store.MapError(err)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

type deliveryRow struct {
	bun.BaseModel `bun:"table:webhook_deliveries"`

	OrgID        string    `bun:"org_id"`
	StoreID      string    `bun:"store_id,pk"`
	DeliveryID   string    `bun:"delivery_id,pk"`
	Topic        string    `bun:"topic"`
	ReceivedAt   time.Time `bun:"received_at"`
	Outcome      string    `bun:"outcome"`
	ConversionID *string   `bun:"conversion_id"`
}

// shopifyRefund stores a refund delivery: applied to its order, or waiting for it.
func (s *Service) shopifyRefund(ctx context.Context, tx bun.Tx, orgID, source string, r *ShopifyRefund) (string, *string, error) {
	at, err := time.Parse(time.RFC3339Nano, deref(r.Refund.OccurredAt))
	if err != nil {
		at = s.now()
	}
	rf := &Refund{ID: store.NewID(), OrgID: orgID, Source: source, ExternalID: r.Refund.ExternalID, OrderExternalID: r.OrderID,
		AmountMinor: deref(r.Refund.AmountMinor), OccurredAt: at.UTC().Truncate(time.Microsecond), CreatedAt: s.now()}
	if r.Currency != "" {
		rf.Currency = &r.Currency
	}
	c, err := s.bySource(ctx, tx, orgID, source, r.OrderID)
	if err != nil {
		return "", nil, err
	}
	if c != nil {
		if rf.Currency != nil && *rf.Currency != c.Currency {
			return "", nil, apperr.Validation(map[string]string{"currency": "must be the order's currency"})
		}
		rf.ConversionID = &c.ID
		if c.RefundedMinor+rf.AmountMinor > c.AmountMinor {
			// Already counted (an order payload listed this refund before its own delivery came):
			// acknowledged and logged, never a 422 that Shopify would retry for days.
			s.log.Warn("a Shopify refund would take the order past its amount: ignored", "org", orgID, "conversion", c.ID,
				"refund", rf.ExternalID, "amount_minor", rf.AmountMinor, "refunded_minor", c.RefundedMinor)
			return "ignored", &c.ID, nil
		}
	}
	res, err := tx.NewInsert().Model(rf).On("CONFLICT (org_id, source, external_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return "", nil, store.MapError(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return OutcomeDuplicate, nil, nil
	}
	if c == nil {
		return "waiting", nil, nil
	}
	if rf.AmountMinor == 0 {
		return OutcomeUpdated, &c.ID, nil
	}
	if err := s.applyRefund(ctx, tx, c, rf, ""); err != nil {
		return "", nil, err
	}
	return OutcomeUpdated, &c.ID, nil
}
