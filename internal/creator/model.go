// Package creator owns the seller's distributors: creators with their contact details, owner, tags,
// languages and pipeline status; their accounts on every platform and the follower history of each;
// MCN agencies; the creator timeline (which other packages append to); the list with its filters,
// search and keyset paging; and the spreadsheet import and export of creators.
//
// A package writes only its own tables: other packages never name creators, creator_accounts,
// account_snapshots, agencies or creator_events in their SQL. They read through this package's
// exported queries (exposure.go) and append to the timeline with RecordEvent; figures this package
// shows but does not own (GMV, commission) come through interfaces their owners implement.
package creator

import (
	"strings"
	"time"

	"github.com/caravan-crm/caravan/internal/apperr"

	"github.com/uptrace/bun"
)

// Creator statuses: the pipeline from first contact to an active distributor.
const (
	StatusProspect    = "prospect"
	StatusContacted   = "contacted"
	StatusNegotiating = "negotiating"
	StatusActive      = "active"
	StatusPaused      = "paused"
	StatusChurned     = "churned"
	StatusBlocked     = "blocked"
)

// Statuses lists every creator status in pipeline order.
var Statuses = []string{StatusProspect, StatusContacted, StatusNegotiating, StatusActive, StatusPaused, StatusChurned, StatusBlocked}

// Account statuses.
const (
	AccountActive   = "active"
	AccountDormant  = "dormant"
	AccountBanned   = "banned"
	AccountMigrated = "migrated"
)

// AccountStatuses lists every account status.
var AccountStatuses = []string{AccountActive, AccountDormant, AccountBanned, AccountMigrated}

// Tiers, by the followers of the creator's largest account.
const (
	TierNano  = "nano"  // < 10k
	TierMicro = "micro" // < 100k
	TierMid   = "mid"   // < 500k
	TierMacro = "macro" // < 1M
	TierMega  = "mega"
)

// tierBounds gives each tier's follower range [min, max); max 0 is unbounded.
var tierBounds = map[string][2]int64{
	TierNano: {0, 10_000}, TierMicro: {10_000, 100_000}, TierMid: {100_000, 500_000}, TierMacro: {500_000, 1_000_000}, TierMega: {1_000_000, 0},
}

// TierOf returns the tier of a creator whose largest account has followers followers.
func TierOf(followers int64) string {
	switch {
	case followers < 10_000:
		return TierNano
	case followers < 100_000:
		return TierMicro
	case followers < 500_000:
		return TierMid
	case followers < 1_000_000:
		return TierMacro
	}
	return TierMega
}

// Creator is a creator as the API shows it.
type Creator struct {
	bun.BaseModel `bun:"table:creators,alias:c"`

	ID             string  `bun:"id,pk" json:"id"`
	OrgID          string  `bun:"org_id" json:"-"`
	DisplayName    string  `bun:"display_name" json:"display_name"`
	NameKey        string  `bun:"name_key" json:"-"`
	Country        string  `bun:"country" json:"country"`
	Email          *string `bun:"email" json:"email"`
	Phone          *string `bun:"phone" json:"phone"`
	WeChat         *string `bun:"wechat" json:"wechat"`
	WhatsApp       *string `bun:"whatsapp" json:"whatsapp"`
	LanguagesJSON  string  `bun:"languages" json:"-"` // a JSON array of language tags
	Status         string  `bun:"status" json:"status"`
	AgencyID       *string `bun:"agency_id" json:"agency_id"`
	OwnerID        *string `bun:"owner_id" json:"owner_id"`
	PayoutCurrency *string `bun:"payout_currency" json:"payout_currency"`
	// Where the creator is paid: paypal (account = PayPal e-mail), wise or bank (account = IBAN or
	// account number), and the holder's name as the bank knows it.
	PayoutMethod   *string    `bun:"payout_method" json:"payout_method"`
	PayoutAccount  *string    `bun:"payout_account" json:"payout_account"`
	PayoutHolder   *string    `bun:"payout_holder" json:"payout_holder"`
	DefaultRateBps *int64     `bun:"default_rate_bps" json:"default_rate_bps"`
	Notes          string     `bun:"notes" json:"notes"`
	MaxFollowers   int64      `bun:"max_followers" json:"followers"`
	GMV90dMinor    int64      `bun:"gmv_90d_minor" json:"gmv_90d_minor"` // in the organization's base currency
	Version        int64      `bun:"version" json:"version"`             // +1 on every change; the ETag
	CreatedAt      time.Time  `bun:"created_at" json:"created_at"`
	UpdatedAt      time.Time  `bun:"updated_at" json:"updated_at"`
	DeletedAt      *time.Time `bun:"deleted_at" json:"deleted_at"`
	ErasedAt       *time.Time `bun:"erased_at" json:"erased_at,omitempty"` // set once personal data is erased (erase.go)

	OwnerName  *string   `bun:"-" json:"owner_name"`  // the owner's name, for people who cannot list users
	AgencyName *string   `bun:"-" json:"agency_name"` // the agency's name
	Languages  []string  `bun:"-" json:"languages"`
	Tier       string    `bun:"-" json:"tier"`
	Tags       []string  `bun:"-" json:"tags"`
	Accounts   []Account `bun:"-" json:"accounts"`
	Campaigns  int64     `bun:"-" json:"campaigns"`  // campaigns the creator is invited to or in
	Clicks30d  int64     `bun:"-" json:"clicks_30d"` // counted clicks on their links in the last 30 days
}

// Account is one of a creator's accounts on a platform.
type Account struct {
	bun.BaseModel `bun:"table:creator_accounts,alias:a"`

	ID            string    `bun:"id,pk" json:"id"`
	OrgID         string    `bun:"org_id" json:"-"`
	CreatorID     string    `bun:"creator_id" json:"creator_id"`
	Platform      string    `bun:"platform" json:"platform"`
	Handle        string    `bun:"handle" json:"handle"`
	URL           *string   `bun:"url" json:"url"`
	Followers     int64     `bun:"followers" json:"followers"`
	AvgViews      *int64    `bun:"avg_views" json:"avg_views"`
	EngagementBps *int64    `bun:"engagement_bps" json:"engagement_bps"`
	Status        string    `bun:"status" json:"status"`
	HandleKey     string    `bun:"handle_key" json:"-"` // the handle's confusable skeleton: look-alikes share it
	Version       int64     `bun:"version" json:"version"`
	CreatedAt     time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at" json:"updated_at"`

	// Growth30d is the followers now minus those of the snapshot nearest to 30 days ago (within a
	// week either side); null without such a snapshot.
	Growth30d *int64 `bun:"-" json:"growth_30d"`
}

// Snapshot is an account's followers on one day.
type Snapshot struct {
	bun.BaseModel `bun:"table:account_snapshots,alias:s"`

	OrgID         string    `bun:"org_id" json:"-"`
	AccountID     string    `bun:"account_id,pk" json:"account_id"`
	CapturedOn    string    `bun:"captured_on,pk" json:"captured_on"`
	Followers     int64     `bun:"followers" json:"followers"`
	AvgViews      *int64    `bun:"avg_views" json:"avg_views"`
	EngagementBps *int64    `bun:"engagement_bps" json:"engagement_bps"`
	CreatedAt     time.Time `bun:"created_at" json:"created_at"`
}

// Agency is an MCN agency that manages creators and takes a share of their earnings.
type Agency struct {
	bun.BaseModel `bun:"table:agencies,alias:ag"`

	ID           string    `bun:"id,pk" json:"id"`
	OrgID        string    `bun:"org_id" json:"-"`
	Name         string    `bun:"name" json:"name"`
	NameKey      string    `bun:"name_key" json:"-"`
	Country      string    `bun:"country" json:"country"`
	ContactEmail *string   `bun:"contact_email" json:"contact_email"`
	ShareBps     int64     `bun:"share_bps" json:"share_bps"`
	Version      int64     `bun:"version" json:"version"`
	CreatedAt    time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt    time.Time `bun:"updated_at" json:"updated_at"`

	Creators int64 `bun:"-" json:"creators"` // how many creators (not deleted) belong to it
}

type tag struct {
	bun.BaseModel `bun:"table:creator_tags"`

	OrgID     string `bun:"org_id"`
	CreatorID string `bun:"creator_id,pk"`
	Tag       string `bun:"tag,pk"`
	TagKey    string `bun:"tag_key"` // the tag in lower case: what matching compares
	// CreatedAt is the creator's: a tag's creators are listed newest first from its index alone.
	CreatedAt time.Time `bun:"created_at"`
}

// tagKey is what makes two spellings of a tag the same tag.
func tagKey(t string) string { return strings.ToLower(t) }

// ETagVersion makes the answers carry their version as the ETag (see web.Versioned).
func (c Creator) ETagVersion() int64 { return c.Version }

// ETagVersion makes the answers carry their version as the ETag.
func (a Account) ETagVersion() int64 { return a.Version }

// ETagVersion makes the answers carry their version as the ETag.
func (a Agency) ETagVersion() int64 { return a.Version }

// checkVersion is the optimistic-concurrency check of a write: ifMatch, when given, must be the
// record's current version.
func checkVersion(ifMatch *int64, current int64) error {
	if ifMatch != nil && *ifMatch != current {
		return apperr.Precondition(current)
	}
	return nil
}
