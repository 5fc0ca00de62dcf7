package conversion

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/auth"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/money"
	"github.com/caravan-crm/caravan/internal/platform"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/text"
	"github.com/caravan-crm/caravan/internal/tracking"
)

// Orgs gives an organization's time zone and base currency; *auth.Service is one.
type Orgs interface {
	Location(ctx context.Context, orgID string) (*time.Location, error)
	Org(ctx context.Context, orgID string) (*auth.Org, error)
}

// Service is the conversion domain.
type Service struct {
	db        *bun.DB
	clock     clock.Clock
	orgs      Orgs
	tracking  *tracking.Service
	ledger    Ledger
	publicURL string
	log       *slog.Logger
	// group is the queue of single orders waiting to be written together (group commit).
	group committer
	// writeMu gives the groups and batches of this process turns at SQLite's one writer.
	writeMu sync.Mutex
	// New orders and their items are written with bound parameters (store.Bulk).
	newOrders, newItems *store.Bulk
	// stored finds which of a batch's external ids are stored already, with them bound as one
	// parameter: written into an IN list, 500 ids were a statement SQLite parsed anew each time.
	stored *store.Prepared
}

// Options configure the service.
type Options struct {
	// PublicURL is where shops reach Caravan (the webhook addresses start with it).
	PublicURL string
	Log       *slog.Logger
}

// NewService returns the conversion service. The ledger is plugged in with SetLedger (it sits above
// this package); without one, conversions carry no entries.
func NewService(db *bun.DB, clk clock.Clock, orgs Orgs, tr *tracking.Service, opt Options) *Service {
	if clk == nil {
		clk = clock.System{}
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	return &Service{db: db, clock: clk, orgs: orgs, tracking: tr, publicURL: strings.TrimRight(opt.PublicURL, "/"), log: opt.Log,
		newOrders: store.MustBulk(db, (*Conversion)(nil), "ON CONFLICT (org_id, source, external_id) DO NOTHING"),
		newItems:  store.MustBulk(db, (*itemRow)(nil), ""),
		stored: &store.Prepared{Query: `SELECT id, external_id FROM conversions
			WHERE org_id = ? AND source = ? AND external_id = ANY(?)`}}
}

// SetLedger plugs in the ledger.
func (s *Service) SetLedger(l Ledger) { s.ledger = l }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// Limits of one order.
const (
	maxItems       = 1000
	maxExternalID  = 200
	maxAmountMinor = 1_000_000_000_000_000 // 10^15 minor units: far past any order, far from int64's edge
	maxBatch       = 1000
)

// futureSlack is how far in the future an order's time may be (clocks of shops drift).
const futureSlack = 24 * time.Hour

// prepared is a validated order: the conversion to store and what its channel said since.
type prepared struct {
	c     *Conversion
	items []itemRow
	order Order
}

// prepare validates an order and builds the conversion it stores; problems are field errors. Names
// of fields are those of the API body.
func (s *Service) prepare(orgID, source string, o Order) (*prepared, error) {
	in := o.Input
	f := apperr.Fields{}
	ext := strings.TrimSpace(in.ExternalID)
	f.Check(ext == "", "external_id", "is required")
	f.Check(utf8.RuneCountInString(ext) > maxExternalID, "external_id", fmt.Sprintf("must be at most %d characters", maxExternalID))
	if ext != "" && text.CheckName(ext) != nil {
		f.Add("external_id", "must not contain control or direction characters")
	}
	now := s.now()
	var at time.Time
	if strings.TrimSpace(in.OccurredAt) == "" {
		f.Add("occurred_at", "is required")
	} else if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(in.OccurredAt)); err != nil {
		f.Add("occurred_at", "must be an RFC 3339 time such as 2026-11-03T09:15:22Z")
	} else {
		at = t.UTC().Truncate(time.Microsecond)
		f.Check(at.After(now.Add(futureSlack)), "occurred_at", "must not be in the future")
		f.Check(at.Year() < 2000, "occurred_at", "must be after 2000")
	}
	cur := money.NormalizeCurrency(in.Currency)
	f.Check(cur == "", "currency", "is required")
	f.Check(cur != "" && !money.ValidCurrency(cur), "currency", "must be an ISO 4217 currency code such as USD")
	f.Check(in.AmountMinor == nil, "amount_minor", "is required")
	amount, discount := deref(in.AmountMinor), deref(in.DiscountMinor)
	f.Check(amount < 0 || amount > maxAmountMinor, "amount_minor", "must be from 0 to 10^15 minor units")
	f.Check(discount < 0 || discount > maxAmountMinor, "discount_minor", "must be from 0 to 10^15 minor units")
	f.Check(len(in.Items) > maxItems, "items", fmt.Sprintf("at most %d items", maxItems))
	items := make([]itemRow, 0, len(in.Items))
	for i, it := range in.Items {
		if i >= maxItems {
			break
		}
		field := fmt.Sprintf("items[%d].", i)
		sku := strings.TrimSpace(it.SKU)
		f.Check(sku == "" || utf8.RuneCountInString(sku) > 200 || text.CheckName(sku) != nil, field+"sku", "must be 1 to 200 characters")
		f.Check(it.Quantity <= 0 || it.Quantity > 1_000_000, field+"quantity", "must be from 1 to 1000000")
		f.Check(it.AmountMinor < 0 || it.AmountMinor > maxAmountMinor, field+"amount_minor", "must be from 0 to 10^15 minor units")
		items = append(items, itemRow{OrgID: orgID, Line: i + 1, SKU: sku, Quantity: it.Quantity, AmountMinor: it.AmountMinor})
	}
	clues := Clues{
		CreatorID: text.Optional(in.CreatorID), AccountID: text.Optional(in.AccountID), Platform: text.Optional(in.Platform),
		AccountHandle: text.Optional(in.AccountHandle), PromoCode: text.Optional(in.PromoCode), ClickID: text.Optional(in.ClickID),
		LinkCode: text.Optional(in.LinkCode), CampaignID: text.Optional(in.CampaignID),
	}
	for field, v := range map[string]*string{"creator_id": clues.CreatorID, "account_id": clues.AccountID, "platform": clues.Platform,
		"account_handle": clues.AccountHandle, "promo_code": clues.PromoCode, "click_id": clues.ClickID, "link_code": clues.LinkCode, "campaign_id": clues.CampaignID} {
		if v != nil && (utf8.RuneCountInString(*v) > 200 || text.CheckName(*v) != nil) {
			f.Add(field, "must be at most 200 characters, without control or direction characters")
		}
	}
	if clues.Platform != nil {
		p := strings.ToLower(*clues.Platform)
		clues.Platform = &p
		f.Check(!platform.Valid(p), "platform", "must be one of "+platform.Keys())
	}
	f.Check(clues.AccountHandle != nil && clues.Platform == nil, "platform", "is required with account_handle")
	if o.RefundedMinor != nil {
		f.Check(*o.RefundedMinor < 0 || *o.RefundedMinor > amount, "refunded", "must be from 0 to the order's amount")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	c := &Conversion{
		ID: store.NewID(), OrgID: orgID, Source: source, ExternalID: ext, OccurredAt: at, Currency: cur,
		AmountMinor: amount, DiscountMinor: discount, Clues: clues, Status: StatusPending, Version: 1,
		CreatedAt: now, UpdatedAt: now,
	}
	if o.Canceled {
		reason := CanceledReason
		c.Status, c.StatusReason = StatusRejected, &reason
	}
	c.encodeClues()
	c.Items = make([]Item, len(items))
	for i := range items {
		items[i].ConversionID = c.ID
		c.Items[i] = Item{SKU: items[i].SKU, Quantity: items[i].Quantity, AmountMinor: items[i].AmountMinor}
	}
	return &prepared{c: c, items: items, order: o}, nil
}

func deref[T any](v *T) T {
	var zero T
	if v == nil {
		return zero
	}
	return *v
}

// match is what attribution found.
type match struct {
	rule       string
	creatorID  string
	accountID  *string
	platform   *string
	campaignID *string
	holdDays   int
}

// attribute finds who brought the order, first match wins: explicit creator → platform account →
// promo code → click id within the campaign's window → link code. It reads reference data only, so
// it runs before the write transaction. An explicit creator, account or campaign that is not the
// organization's is a field error; a code, click or handle that matches nothing falls through.
func (s *Service) attribute(ctx context.Context, lk *lookups, c *Conversion) (*match, error) {
	f := apperr.Fields{}
	cl, org := c.Clues, c.OrgID
	if cl.CampaignID != nil {
		_, ok, err := lk.campaign(ctx, org, *cl.CampaignID)
		if err != nil {
			return nil, err
		}
		f.Check(!ok, "campaign_id", "must be a campaign of your organization")
	}
	var m *match
	switch {
	case cl.CreatorID != nil:
		r, ok, err := lk.creator(ctx, org, *cl.CreatorID)
		if err != nil {
			return nil, err
		}
		f.Check(!ok, "creator_id", "must be a creator of your organization")
		f.Check(ok && r.Deleted, "creator_id", "is deleted: restore the creator first")
		m = &match{rule: RuleCreator, creatorID: *cl.CreatorID}
		if cl.AccountID != nil {
			a, err := lk.account(ctx, org, *cl.AccountID)
			if err != nil {
				return nil, err
			}
			f.Check(a == nil || a.CreatorID != *cl.CreatorID, "account_id", "must be an account of the creator")
			if a != nil {
				m.accountID, m.platform = &a.ID, &a.Platform
			}
		}
	case cl.AccountID != nil:
		a, err := lk.account(ctx, org, *cl.AccountID)
		if err != nil {
			return nil, err
		}
		f.Check(a == nil, "account_id", "must be an account of your organization")
		if a != nil {
			m = &match{rule: RuleAccount, creatorID: a.CreatorID, accountID: &a.ID, platform: &a.Platform}
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if m == nil && cl.AccountHandle != nil {
		a, err := lk.accountByHandle(ctx, org, deref(cl.Platform), *cl.AccountHandle)
		if err != nil {
			return nil, err
		}
		if a != nil {
			m = &match{rule: RuleAccount, creatorID: a.CreatorID, accountID: &a.ID, platform: &a.Platform}
		}
	}
	if m == nil && cl.PromoCode != nil {
		pc, err := lk.promoCode(ctx, org, *cl.PromoCode)
		if err != nil {
			return nil, err
		}
		if pc != nil {
			m = &match{rule: RulePromoCode, creatorID: pc.CreatorID, accountID: pc.AccountID, campaignID: &pc.CampaignID}
		}
	}
	if m == nil && cl.ClickID != nil {
		ck, err := s.tracking.ResolveClick(ctx, org, *cl.ClickID)
		if err != nil && apperr.KindOf(err) != apperr.KindNotFound {
			return nil, err
		}
		if ck != nil {
			ref, _, err := lk.campaign(ctx, org, ck.CampaignID)
			if err != nil {
				return nil, err
			}
			window := time.Duration(ref.AttributionWindowDays) * 24 * time.Hour
			if !c.OccurredAt.Before(ck.ClickedAt.Add(-time.Minute)) && !c.OccurredAt.After(ck.ClickedAt.Add(window)) {
				m = &match{rule: RuleClick, creatorID: ck.CreatorID, accountID: ck.AccountID, campaignID: &ck.CampaignID}
			}
		}
	}
	if m == nil && cl.LinkCode != nil {
		l, err := lk.link(ctx, org, *cl.LinkCode)
		if err != nil {
			return nil, err
		}
		if l != nil {
			m = &match{rule: RuleLink, creatorID: l.CreatorID, accountID: l.AccountID, campaignID: &l.CampaignID}
		}
	}
	if m == nil {
		return nil, nil
	}
	if err := s.completeMatch(ctx, lk, c, m, cl.CampaignID); err != nil {
		return nil, err
	}
	return m, nil
}

// completeMatch fills what a match implies: the account's platform, the campaign (the order's, the
// code's or link's, else the creator's campaign running on the order's day) and its hold.
func (s *Service) completeMatch(ctx context.Context, lk *lookups, c *Conversion, m *match, explicitCampaign *string) error {
	org := c.OrgID
	if m.accountID != nil && m.platform == nil {
		a, err := lk.account(ctx, org, *m.accountID)
		if err != nil {
			return err
		}
		if a != nil {
			m.platform = &a.Platform
		}
	}
	if explicitCampaign != nil {
		m.campaignID = explicitCampaign
	}
	if m.campaignID == nil {
		loc, err := s.orgs.Location(ctx, org)
		if err != nil {
			return err
		}
		id, err := lk.campaignOf(ctx, org, m.creatorID, clock.Day(c.OccurredAt, loc))
		if err != nil {
			return err
		}
		if id != "" {
			m.campaignID = &id
		}
	}
	m.holdDays = defaultHoldDays
	if m.campaignID != nil {
		r, ok, err := lk.campaign(ctx, org, *m.campaignID)
		if err != nil {
			return err
		}
		if ok {
			m.holdDays = r.HoldDays
		}
	}
	return nil
}

// defaultHoldDays is the hold of an order that belongs to no campaign.
const defaultHoldDays = 30

// apply sets a match on the conversion.
func (m *match) apply(c *Conversion, now time.Time) {
	c.CreatorID, c.AccountID, c.Platform, c.CampaignID = &m.creatorID, m.accountID, m.platform, m.campaignID
	rule := m.rule
	c.Rule = &rule
	hold := c.OccurredAt.Add(time.Duration(m.holdDays) * 24 * time.Hour)
	c.HoldUntil, c.AttributedAt = &hold, &now
}
