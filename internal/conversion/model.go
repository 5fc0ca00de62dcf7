package conversion

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
)

// Conversion statuses: pending → approved (by finance, or automatically once the hold has passed)
// → paid; rejected (with a reason); reversed once fully refunded.
const (
	StatusPending  = "pending"
	StatusApproved = "approved"
	StatusPaid     = "paid"
	StatusRejected = "rejected"
	StatusReversed = "reversed"
)

// Statuses lists every status, for filters.
var Statuses = []string{StatusPending, StatusApproved, StatusPaid, StatusRejected, StatusReversed}

// Attribution rules, in the order they are tried; RuleManual is finance's choice for an order that
// matched nothing.
const (
	RuleCreator   = "creator"
	RuleAccount   = "account"
	RulePromoCode = "promo_code"
	RuleClick     = "click"
	RuleLink      = "link"
	RuleManual    = "manual"
)

// Conversion is one order, stored once per (organization, source, external id).
type Conversion struct {
	bun.BaseModel `bun:"table:conversions,alias:cv"`

	ID            string     `bun:"id,pk" json:"id"`
	OrgID         string     `bun:"org_id" json:"-"`
	Source        string     `bun:"source" json:"source"`
	ExternalID    string     `bun:"external_id" json:"external_id"`
	OccurredAt    time.Time  `bun:"occurred_at" json:"occurred_at"`
	Currency      string     `bun:"currency" json:"currency"`
	AmountMinor   int64      `bun:"amount_minor" json:"amount_minor"`
	DiscountMinor int64      `bun:"discount_minor" json:"discount_minor"`
	RefundedMinor int64      `bun:"refunded_minor" json:"refunded_minor"`
	CreatorID     *string    `bun:"creator_id" json:"creator_id"`
	AccountID     *string    `bun:"account_id" json:"account_id"`
	Platform      *string    `bun:"platform" json:"platform"`
	CampaignID    *string    `bun:"campaign_id" json:"campaign_id"`
	Rule          *string    `bun:"rule" json:"rule"`
	CluesJSON     string     `bun:"clues" json:"-"`
	Status        string     `bun:"status" json:"status"`
	StatusReason  *string    `bun:"status_reason" json:"status_reason"`
	HoldUntil     *time.Time `bun:"hold_until" json:"hold_until"`
	AttributedAt  *time.Time `bun:"attributed_at" json:"attributed_at"`
	DecidedBy     *string    `bun:"decided_by" json:"decided_by"`
	DecidedAt     *time.Time `bun:"decided_at" json:"decided_at"`
	// ApprovedAt is when the conversion was approved (it stays set if it is reversed later: its
	// entries stay payable, so the reversal claws back what was paid). PaidAt is when a payout paid it.
	ApprovedAt *time.Time `bun:"approved_at" json:"approved_at"`
	PaidAt     *time.Time `bun:"paid_at" json:"paid_at"`
	Version    int64      `bun:"version" json:"version"`
	CreatedAt  time.Time  `bun:"created_at" json:"created_at"`
	UpdatedAt  time.Time  `bun:"updated_at" json:"updated_at"`

	// Clues are what the order said that attribution looks at.
	Clues       Clues    `bun:"-" json:"clues"`
	CreatorName *string  `bun:"-" json:"creator_name"`
	Items       []Item   `bun:"-" json:"items"`
	Refunds     []Refund `bun:"-" json:"refunds"`
	// Entries are the conversion's ledger entries, oldest first.
	Entries []Entry `bun:"-" json:"entries"`
}

// ETagVersion makes the answer carry an ETag.
func (c Conversion) ETagVersion() int64 { return c.Version }

// Attributed reports whether the conversion has a creator.
func (c *Conversion) Attributed() bool { return c.CreatorID != nil }

// Clues are what an order said that attribution reads, kept as the order said it.
type Clues struct {
	CreatorID     *string `json:"creator_id,omitempty"`
	AccountID     *string `json:"account_id,omitempty"`
	Platform      *string `json:"platform,omitempty"`
	AccountHandle *string `json:"account_handle,omitempty"`
	PromoCode     *string `json:"promo_code,omitempty"`
	ClickID       *string `json:"click_id,omitempty"`
	LinkCode      *string `json:"link_code,omitempty"`
	CampaignID    *string `json:"campaign_id,omitempty"`
}

func (c *Conversion) encodeClues() {
	b, _ := json.Marshal(c.Clues) // a struct of strings cannot fail
	c.CluesJSON = string(b)
}

func (c *Conversion) decodeClues() {
	c.Clues = Clues{}
	_ = json.Unmarshal([]byte(c.CluesJSON), &c.Clues) // written by encodeClues
}

type itemRow struct {
	bun.BaseModel `bun:"table:conversion_items,alias:ci"`

	OrgID        string `bun:"org_id"`
	ConversionID string `bun:"conversion_id,pk"`
	Line         int    `bun:"line,pk"`
	SKU          string `bun:"sku"`
	Quantity     int64  `bun:"quantity"`
	AmountMinor  int64  `bun:"amount_minor"`
}

// Refund is net merchandise refunded on an order.
type Refund struct {
	bun.BaseModel `bun:"table:refunds,alias:rf"`

	ID              string    `bun:"id,pk" json:"id"`
	OrgID           string    `bun:"org_id" json:"-"`
	Source          string    `bun:"source" json:"source"`
	ExternalID      string    `bun:"external_id" json:"external_id"`
	OrderExternalID string    `bun:"order_external_id" json:"-"`
	ConversionID    *string   `bun:"conversion_id" json:"conversion_id"`
	AmountMinor     int64     `bun:"amount_minor" json:"amount_minor"`
	Currency        *string   `bun:"currency" json:"currency"`
	OccurredAt      time.Time `bun:"occurred_at" json:"occurred_at"`
	CreatedAt       time.Time `bun:"created_at" json:"created_at"`
}

// Entry kinds.
const (
	KindCommission = "commission"
	KindReversal   = "reversal"
	KindAdjustment = "adjustment"
)

// Entry is a ledger entry as the API shows it (GET /api/v1/commissions, and a conversion's entries).
// The ledger package writes and reads them; it is declared here, below the ledger, so a conversion
// can carry its entries.
type Entry struct {
	ID               string  `bun:"id,pk" json:"id"`
	ConversionID     *string `bun:"conversion_id" json:"conversion_id"`
	ReversesID       *string `bun:"reverses_id" json:"reverses_id"`
	RefundID         *string `bun:"refund_id" json:"refund_id"`
	CreatorID        string  `bun:"creator_id" json:"creator_id"`
	AccountID        *string `bun:"account_id" json:"account_id"`
	Platform         *string `bun:"platform" json:"platform"`
	CampaignID       *string `bun:"campaign_id" json:"campaign_id"`
	Kind             string  `bun:"kind" json:"kind"`
	AmountMinor      int64   `bun:"amount_minor" json:"amount_minor"`
	Currency         string  `bun:"currency" json:"currency"`
	BaseAmountMinor  *int64  `bun:"base_amount_minor" json:"base_amount_minor"`
	BaseCurrency     string  `bun:"base_currency" json:"base_currency"`
	FXRate           *string `bun:"fx_rate" json:"fx_rate"`
	FXMissing        bool    `bun:"fx_missing" json:"fx_missing"`
	RateBps          *int64  `bun:"rate_bps" json:"rate_bps"`
	GMVMinor         int64   `bun:"gmv_minor" json:"gmv_minor"`
	BaseGMVMinor     *int64  `bun:"base_gmv_minor" json:"base_gmv_minor"`
	AgencyID         *string `bun:"agency_id" json:"agency_id"`
	AgencyShareBps   int64   `bun:"agency_share_bps" json:"agency_share_bps"`
	AgencyShareMinor int64   `bun:"agency_share_minor" json:"agency_share_minor"`
	// BaseAgencyShareMinor is the agency's share in the base currency (empty with the base amount).
	BaseAgencyShareMinor *int64      `bun:"base_agency_share_minor" json:"base_agency_share_minor"`
	Period               string      `bun:"period" json:"period"`
	OccurredAt           time.Time   `bun:"occurred_at" json:"occurred_at"`
	Explanation          Explanation `bun:"explanation,type:text" json:"explanation"`
	Reason               *string     `bun:"reason" json:"reason"`
	CreatedBy            *string     `bun:"created_by" json:"created_by"`
	CreatedAt            time.Time   `bun:"created_at" json:"created_at"`
	// CreatorName is the creator's display name (lists only).
	CreatorName *string `bun:"-" json:"creator_name,omitempty"`
}

// Ledger records the money of conversions; the ledger package implements it and app wires it in.
// Every call runs in the caller's transaction, so a conversion and its entries commit together.
type Ledger interface {
	// Quote gathers what an attributed conversion's commission depends on that is not the ledger's
	// own (plans, rates, terms, FX rates, the organization's currency), before the write transaction.
	Quote(ctx context.Context, c *Conversion) (any, error)
	// QuoteMany quotes several conversions, reading what they share once; quotes[i] is cs[i]'s.
	QuoteMany(ctx context.Context, cs []*Conversion) ([]any, error)
	// Commission records the commission of a conversion that has just been attributed, from its quote.
	Commission(ctx context.Context, tx bun.IDB, c *Conversion, quote any, actorID string) error
	// CommissionMany records the commissions of conversions just stored together, in order, exactly
	// as Commission one after the other would (each order's tier counts the ones before it).
	CommissionMany(ctx context.Context, tx bun.IDB, cs []*Conversion, quotes []any, actorID string) error
	// Reverse records the reversal of refund (nil: of everything not yet reversed, for a rejection
	// with reason).
	Reverse(ctx context.Context, tx bun.IDB, c *Conversion, refund *Refund, reason string, actorID string) error
	// Entries returns the entries of conversions, by conversion id, oldest first.
	Entries(ctx context.Context, db bun.IDB, orgID string, conversionIDs []string) (map[string][]Entry, error)
}

// Store is a shop connection that sends webhooks. Its webhook secret is write-only: never answered.
type Store struct {
	bun.BaseModel `bun:"table:stores,alias:st"`

	ID            string     `bun:"id,pk" json:"id"`
	OrgID         string     `bun:"org_id" json:"-"`
	Name          string     `bun:"name" json:"name"`
	Kind          string     `bun:"kind" json:"kind"`
	Domain        string     `bun:"domain" json:"domain"`
	WebhookSecret string     `bun:"webhook_secret" json:"-"`
	CreatedBy     *string    `bun:"created_by" json:"-"`
	CreatedAt     time.Time  `bun:"created_at" json:"created_at"`
	DeletedAt     *time.Time `bun:"deleted_at" json:"-"`

	// WebhookURL is the address to paste into the shop's webhook settings.
	WebhookURL string `bun:"-" json:"webhook_url"`
	// Topics are the webhook topics to subscribe.
	Topics []string `bun:"-" json:"topics"`
	// Deliveries counts the webhooks received, LastDeliveryAt is the latest.
	Deliveries     int64      `bun:"-" json:"deliveries"`
	LastDeliveryAt *time.Time `bun:"-" json:"last_delivery_at"`
}

// Explanation is why an entry has its amount: what a finance user needs to recompute it by hand.
type Explanation struct {
	// Rule is the attribution rule of the conversion (commission entries).
	Rule string `json:"rule,omitempty"`
	// Source is where the rate came from: override, product, plan or creator_default (commission);
	// refund, rejection (reversal); adjustment.
	Source        string     `json:"source"`
	PlanVersion   *int       `json:"plan_version,omitempty"`
	PlanType      string     `json:"plan_type,omitempty"` // percent | flat | tiered
	RateBps       *int64     `json:"rate_bps,omitempty"`
	Base          string     `json:"base,omitempty"` // net | gross
	BaseMinor     *int64     `json:"base_minor,omitempty"`
	Tier          *int       `json:"tier,omitempty"`
	TierFromMinor *int64     `json:"tier_from_gmv_minor,omitempty"`
	PriorGMVMinor *int64     `json:"prior_gmv_minor,omitempty"`
	FlatMinor     *int64     `json:"flat_amount_minor,omitempty"`
	Items         []ItemRate `json:"items,omitempty"`
	// A reversal: round(commission × refunded ÷ order amount), or the remainder.
	CommissionMinor  *int64 `json:"commission_minor,omitempty"`
	RefundedMinor    *int64 `json:"refunded_minor,omitempty"`
	OrderAmountMinor *int64 `json:"order_amount_minor,omitempty"`
	Remainder        bool   `json:"remainder,omitempty"`
	// FX: the rate used and the day it was quoted for; FXMissing when there was none.
	FXRate    *string `json:"fx_rate,omitempty"`
	FXDay     *string `json:"fx_day,omitempty"`
	FXMissing bool    `json:"fx_missing,omitempty"`
	// Period: the event's own month, when the entry went to a later open one.
	EventPeriod *string `json:"event_period,omitempty"`
	Note        string  `json:"note,omitempty"`
}

// ItemRate is what one line of an order earned, when its lines have rates of their own.
type ItemRate struct {
	SKU         string `json:"sku"`
	AmountMinor int64  `json:"amount_minor"`
	RateBps     int64  `json:"rate_bps"`
	Source      string `json:"source"`
}
