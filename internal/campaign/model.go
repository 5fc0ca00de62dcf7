// Package campaign owns what a seller runs with its creators: products (with SKUs, prices and an
// optional commission rate), campaigns with their commission plans (every change a new version,
// effective from an instant, so an order is computed with the plan in force on its date), the
// creators enrolled in a campaign with an optional rate override (which keeps its history too), the
// content posts (deliverables) they owe, the samples sent to them, and the campaign report.
//
// Rate (rate.go) is the pure function that decides an order's rate from a plan, an override, a
// product's rate and the creator's prior GMV; PlanAt, OverrideAt and ProductRateAt answer what was in
// force at an instant, for the ledger.
//
// A package writes only its own tables: this one reads creators and accounts through the creator
// package's exported functions (creator/campaigns.go) and appends to the creator timeline with
// creator.RecordEvent. Figures it shows but does not own (clicks, conversions, GMV, commission) come
// through the Results interface, which their owners implement.
package campaign

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/apperr"
)

// Campaign statuses.
const (
	StatusDraft  = "draft"
	StatusActive = "active"
	StatusPaused = "paused"
	StatusEnded  = "ended"
)

// Statuses lists every campaign status in order.
var Statuses = []string{StatusDraft, StatusActive, StatusPaused, StatusEnded}

// Enrolment statuses.
const (
	EnrolmentInvited  = "invited"
	EnrolmentAccepted = "accepted"
	EnrolmentDeclined = "declined"
	EnrolmentRemoved  = "removed"
)

// EnrolmentStatuses lists every enrolment status.
var EnrolmentStatuses = []string{EnrolmentInvited, EnrolmentAccepted, EnrolmentDeclined, EnrolmentRemoved}

// Deliverable statuses. Late is also computed: a post past its due date (in the organization's
// day) that is neither posted nor cancelled is shown as late.
const (
	DeliverablePlanned   = "planned"
	DeliverableDrafted   = "drafted"
	DeliverablePosted    = "posted"
	DeliverableLate      = "late"
	DeliverableCancelled = "cancelled"
)

// DeliverableStatuses lists every deliverable status.
var DeliverableStatuses = []string{DeliverablePlanned, DeliverableDrafted, DeliverablePosted, DeliverableLate, DeliverableCancelled}

// Creator timeline events this package records.
const (
	EventEnrolled = "enrolled"
	EventPosted   = "posted"
	EventSample   = "sample_sent"
)

// Defaults of a new campaign.
const (
	DefaultAttributionWindowDays = 30
	DefaultHoldDays              = 30
)

// Product is a product as the API shows it.
type Product struct {
	bun.BaseModel `bun:"table:products,alias:p"`

	ID         string    `bun:"id,pk" json:"id"`
	OrgID      string    `bun:"org_id" json:"-"`
	SKU        string    `bun:"sku" json:"sku"`
	SKUKey     string    `bun:"sku_key" json:"-"` // the SKU in lower case: unique per organization
	Name       string    `bun:"name" json:"name"`
	NameKey    string    `bun:"name_key" json:"-"`
	NameZh     *string   `bun:"name_zh" json:"name_zh"`
	PriceMinor int64     `bun:"price_minor" json:"price_minor"`
	Currency   string    `bun:"currency" json:"currency"`
	RateBps    *int64    `bun:"rate_bps" json:"rate_bps"`
	URL        *string   `bun:"url" json:"url"`
	Version    int64     `bun:"version" json:"version"`
	CreatedAt  time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt  time.Time `bun:"updated_at" json:"updated_at"`
}

// Campaign is a campaign as the API shows it, with the plan in force now and the next scheduled one.
type Campaign struct {
	bun.BaseModel `bun:"table:campaigns,alias:cm"`

	ID                    string    `bun:"id,pk" json:"id"`
	OrgID                 string    `bun:"org_id" json:"-"`
	Name                  string    `bun:"name" json:"name"`
	NameKey               string    `bun:"name_key" json:"-"`
	Status                string    `bun:"status" json:"status"`
	StartsOn              string    `bun:"starts_on" json:"starts_on"`
	EndsOn                *string   `bun:"ends_on" json:"ends_on"`
	PlatformsJSON         string    `bun:"platforms" json:"-"`
	AttributionWindowDays int64     `bun:"attribution_window_days" json:"attribution_window_days"`
	HoldDays              int64     `bun:"hold_days" json:"hold_days"`
	BudgetMinor           *int64    `bun:"budget_minor" json:"budget_minor"`
	Currency              *string   `bun:"currency" json:"currency"`
	Version               int64     `bun:"version" json:"version"`
	CreatedAt             time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt             time.Time `bun:"updated_at" json:"updated_at"`

	Platforms   []string     `bun:"-" json:"platforms"`
	ProductIDs  []string     `bun:"-" json:"product_ids"`
	Plan        Plan         `bun:"-" json:"plan"`         // the plan in force now
	PlanVersion int64        `bun:"-" json:"plan_version"` // its version
	NextPlan    *PlanVersion `bun:"-" json:"next_plan"`    // the next version scheduled, if any
	Enrolled    int64        `bun:"-" json:"enrolled"`     // enrolments not declined or removed
}

// PlanVersion is one version of a campaign's plan. Versions are only ever added.
type PlanVersion struct {
	bun.BaseModel `bun:"table:campaign_plans,alias:pv"`

	OrgID         string    `bun:"org_id" json:"-"`
	CampaignID    string    `bun:"campaign_id,pk" json:"campaign_id"`
	Version       int64     `bun:"version,pk" json:"version"`
	EffectiveFrom time.Time `bun:"effective_from" json:"effective_from"`
	PlanJSON      string    `bun:"plan" json:"-"`
	CreatedBy     *string   `bun:"created_by" json:"created_by"`
	CreatedAt     time.Time `bun:"created_at" json:"created_at"`

	Plan Plan `bun:"-" json:"plan"`
}

type campaignProduct struct {
	bun.BaseModel `bun:"table:campaign_products"`

	OrgID      string `bun:"org_id"`
	CampaignID string `bun:"campaign_id,pk"`
	ProductID  string `bun:"product_id,pk"`
}

// Enrolment is a creator in a campaign: the contract, with an optional rate override and fee.
type Enrolment struct {
	bun.BaseModel `bun:"table:enrolments,alias:en"`

	ID             string    `bun:"id,pk" json:"id"`
	OrgID          string    `bun:"org_id" json:"-"`
	CampaignID     string    `bun:"campaign_id" json:"campaign_id"`
	CreatorID      string    `bun:"creator_id" json:"creator_id"`
	Status         string    `bun:"status" json:"status"`
	RateBps        *int64    `bun:"rate_bps" json:"rate_bps"` // the override in force now
	AccountIDsJSON string    `bun:"account_ids" json:"-"`
	FeeMinor       *int64    `bun:"fee_minor" json:"fee_minor"`
	FeeCurrency    *string   `bun:"fee_currency" json:"fee_currency"`
	Version        int64     `bun:"version" json:"version"`
	CreatedAt      time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at" json:"updated_at"`

	CreatorName string   `bun:"-" json:"creator_name"`
	AccountIDs  []string `bun:"-" json:"account_ids"`
}

// Deliverable is a content post a creator owes a campaign.
type Deliverable struct {
	bun.BaseModel `bun:"table:deliverables,alias:d"`

	ID         string     `bun:"id,pk" json:"id"`
	OrgID      string     `bun:"org_id" json:"-"`
	CampaignID string     `bun:"campaign_id" json:"campaign_id"`
	CreatorID  string     `bun:"creator_id" json:"creator_id"`
	AccountID  *string    `bun:"account_id" json:"account_id"`
	URL        *string    `bun:"url" json:"url"`
	DueOn      *string    `bun:"due_on" json:"due_on"`
	Status     string     `bun:"status" json:"status"` // as stored; late when past due (see Late)
	Views      *int64     `bun:"views" json:"views"`
	Likes      *int64     `bun:"likes" json:"likes"`
	Comments   *int64     `bun:"comments" json:"comments"`
	Shares     *int64     `bun:"shares" json:"shares"`
	PostedAt   *time.Time `bun:"posted_at" json:"posted_at"`
	Version    int64      `bun:"version" json:"version"`
	CreatedAt  time.Time  `bun:"created_at" json:"created_at"`
	UpdatedAt  time.Time  `bun:"updated_at" json:"updated_at"`

	Late bool `bun:"-" json:"late"` // past due and neither posted nor cancelled
}

// Sample is a shipment of a product to a creator for a campaign; its cost counts in the campaign's.
type Sample struct {
	bun.BaseModel `bun:"table:samples,alias:sm"`

	ID             string    `bun:"id,pk" json:"id"`
	OrgID          string    `bun:"org_id" json:"-"`
	CampaignID     string    `bun:"campaign_id" json:"campaign_id"`
	CreatorID      string    `bun:"creator_id" json:"creator_id"`
	ProductID      string    `bun:"product_id" json:"product_id"`
	Quantity       int64     `bun:"quantity" json:"quantity"`
	UnitCostMinor  int64     `bun:"unit_cost_minor" json:"unit_cost_minor"`
	Currency       string    `bun:"currency" json:"currency"`
	Carrier        *string   `bun:"carrier" json:"carrier"`
	TrackingNumber *string   `bun:"tracking_number" json:"tracking_number"`
	ShippedOn      *string   `bun:"shipped_on" json:"shipped_on"`
	DeliveredOn    *string   `bun:"delivered_on" json:"delivered_on"`
	Version        int64     `bun:"version" json:"version"`
	CreatedAt      time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at" json:"updated_at"`

	CostMinor int64 `bun:"-" json:"cost_minor"` // quantity × unit cost
}

// rateRow is one period of an effective-dated rate (a product's or an enrolment's override).
type productRate struct {
	bun.BaseModel `bun:"table:product_rates"`

	OrgID     string     `bun:"org_id"`
	ProductID string     `bun:"product_id,pk"`
	ValidFrom time.Time  `bun:"valid_from,pk"`
	ValidTo   *time.Time `bun:"valid_to"`
	RateBps   *int64     `bun:"rate_bps"`
}

type enrolmentRate struct {
	bun.BaseModel `bun:"table:enrolment_rates"`

	OrgID       string     `bun:"org_id"`
	EnrolmentID string     `bun:"enrolment_id,pk"`
	ValidFrom   time.Time  `bun:"valid_from,pk"`
	ValidTo     *time.Time `bun:"valid_to"`
	RateBps     *int64     `bun:"rate_bps"`
}

// ETagVersion makes the answers carry their version as the ETag (see web.Versioned).
func (p Product) ETagVersion() int64 { return p.Version }

// ETagVersion makes the answers carry their version as the ETag.
func (c Campaign) ETagVersion() int64 { return c.Version }

// ETagVersion makes the answers carry their version as the ETag.
func (e Enrolment) ETagVersion() int64 { return e.Version }

// ETagVersion makes the answers carry their version as the ETag.
func (d Deliverable) ETagVersion() int64 { return d.Version }

// ETagVersion makes the answers carry their version as the ETag.
func (s Sample) ETagVersion() int64 { return s.Version }

// checkVersion is the optimistic-concurrency check of a write: ifMatch, when given, must be the
// record's current version.
func checkVersion(ifMatch *int64, current int64) error {
	if ifMatch != nil && *ifMatch != current {
		return apperr.Precondition(current)
	}
	return nil
}
