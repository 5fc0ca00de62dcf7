// Package tracking owns what attributes traffic to creators: short links with the public redirect
// GET /r/{code}, promo codes, and the clicks on links.
//
// The redirect is the hot path: one indexed lookup of the link (plus one of its account's platform
// when it names one), then a 302 to the stored destination with cv_click, utm_source, utm_medium and
// utm_campaign added. The click is not written on the request path: it goes into a bounded buffer in
// memory that a flusher writes in batches (clicks.go), flushed before the process exits; when the
// buffer is full the request writes its click itself, so a click is never dropped.
//
// A package writes only its own tables: this one reads creators and accounts through the creator
// package (creator.Refs, creator.AccountRefs) and campaigns through campaign.Refs, and never names
// their tables in its SQL. The conversion package resolves promo codes, link codes and click ids
// through ResolveCode, ResolveLink and ResolveClick; reports read click counts through ClicksByAccount,
// ClicksByCampaign, ClicksByCreator and CampaignClicks.
package tracking

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/apperr"
)

// Statuses of links and promo codes. A disabled link answers 404 at /r/{code}; a disabled promo code
// keeps its code reserved in the organization (old orders still name it).
const (
	StatusActive   = "active"
	StatusDisabled = "disabled"
)

// Statuses lists every link and promo code status.
var Statuses = []string{StatusActive, StatusDisabled}

// Kinds of click.
const (
	ClickCounted   = "counted"   // a visitor's first click on a link in a minute
	ClickDuplicate = "duplicate" // the same visitor on the same link again within the same minute
	ClickBot       = "bot"       // a crawler or link-preview fetcher (see botAgents)
)

// SourceCreator is utm_source for a link that names no account.
const SourceCreator = "creator"

// Link is a tracking link as the API shows it.
type Link struct {
	bun.BaseModel `bun:"table:links,alias:l"`

	ID             string    `bun:"id,pk" json:"id"`
	OrgID          string    `bun:"org_id" json:"-"`
	Code           string    `bun:"code" json:"code"`
	CreatorID      string    `bun:"creator_id" json:"creator_id"`
	CampaignID     string    `bun:"campaign_id" json:"campaign_id"`
	AccountID      *string   `bun:"account_id" json:"account_id"`
	DestinationURL string    `bun:"destination_url" json:"destination_url"`
	Status         string    `bun:"status" json:"status"`
	Version        int64     `bun:"version" json:"version"` // +1 on every change; the ETag
	CreatedAt      time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at" json:"updated_at"`

	ShortURL string `bun:"-" json:"short_url"` // CARAVAN_PUBLIC_URL + "/r/" + code
	Clicks   int64  `bun:"-" json:"clicks"`    // counted clicks: no bots, a visitor once a minute
}

// PromoCode is a promo code as the API shows it.
type PromoCode struct {
	bun.BaseModel `bun:"table:promo_codes,alias:pc"`

	ID         string    `bun:"id,pk" json:"id"`
	OrgID      string    `bun:"org_id" json:"-"`
	Code       string    `bun:"code" json:"code"`
	CodeKey    string    `bun:"code_key" json:"-"` // the code case-folded: unique per organization
	CreatorID  string    `bun:"creator_id" json:"creator_id"`
	CampaignID string    `bun:"campaign_id" json:"campaign_id"`
	AccountID  *string   `bun:"account_id" json:"account_id"`
	Status     string    `bun:"status" json:"status"`
	Version    int64     `bun:"version" json:"version"`
	CreatedAt  time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt  time.Time `bun:"updated_at" json:"updated_at"`
}

// Click is one hit of /r/{code}, as ResolveClick returns it.
type Click struct {
	bun.BaseModel `bun:"table:clicks,alias:ck"`

	ID         string    `bun:"id,pk" json:"id"`
	OrgID      string    `bun:"org_id" json:"-"`
	LinkID     string    `bun:"link_id" json:"link_id"`
	CreatorID  string    `bun:"creator_id" json:"creator_id"`
	CampaignID string    `bun:"campaign_id" json:"campaign_id"`
	AccountID  *string   `bun:"account_id" json:"account_id"`
	ClickedAt  time.Time `bun:"clicked_at" json:"clicked_at"`
	Kind       string    `bun:"kind" json:"kind"`
	Country    *string   `bun:"country" json:"country"`
}

// clickRow is a click as it is written: Click with the hashed visitor and what the request told.
type clickRow struct {
	bun.BaseModel `bun:"table:clicks"`

	ID         string    `bun:"id,pk"`
	OrgID      string    `bun:"org_id"`
	LinkID     string    `bun:"link_id"`
	CreatorID  string    `bun:"creator_id"`
	CampaignID string    `bun:"campaign_id"`
	AccountID  *string   `bun:"account_id"`
	ClickedAt  time.Time `bun:"clicked_at"`
	Kind       string    `bun:"kind"`
	IPHash     string    `bun:"ip_hash"`
	Visitor    string    `bun:"visitor"`
	DedupeKey  *string   `bun:"dedupe_key"`
	UserAgent  string    `bun:"user_agent"`
	Referer    string    `bun:"referer"`
	Country    *string   `bun:"country"`
}

// linkClicks is a link's clicks of all time by kind (rolled-up days included), kept by the click
// writer: the links list reads a link's count here rather than counting its clicks.
type linkClicks struct {
	bun.BaseModel `bun:"table:link_clicks"`

	OrgID      string `bun:"org_id,pk"`
	LinkID     string `bun:"link_id,pk"`
	Counted    int64  `bun:"counted"`
	Bots       int64  `bun:"bots"`
	Duplicates int64  `bun:"duplicates"`
}

// secretRow is an organization's secret for the daily IP-hashing keys.
type secretRow struct {
	bun.BaseModel `bun:"table:click_secrets"`

	ID        string    `bun:"id,pk"`
	OrgID     string    `bun:"org_id"`
	Secret    string    `bun:"secret"`
	CreatedAt time.Time `bun:"created_at"`
}

// ETagVersion makes the answers carry their version as the ETag (see web.Versioned).
func (l Link) ETagVersion() int64 { return l.Version }

// ETagVersion makes the answers carry their version as the ETag.
func (p PromoCode) ETagVersion() int64 { return p.Version }

// checkVersion is the optimistic-concurrency check of a write: ifMatch, when given, must be the
// record's current version.
func checkVersion(ifMatch *int64, current int64) error {
	if ifMatch != nil && *ifMatch != current {
		return apperr.Precondition(current)
	}
	return nil
}
