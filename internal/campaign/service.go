package campaign

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/money"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/text"
)

// Service is the campaign domain: products, campaigns and plan versions, enrolments, deliverables,
// samples and the campaign report.
type Service struct {
	db      *bun.DB
	clock   clock.Clock
	zones   creator.Zones
	results Results
	// enrolled counts the live enrolments of a page of creators (EnrolmentCounts), on every creators
	// list request: prepared once, with the page's ids bound as one parameter.
	enrolled *store.Prepared
}

// Results are what the tracking, conversion and ledger packages know about a campaign: clicks,
// conversions, GMV and commission per creator and account. They implement it; until they do, the
// report shows zeros.
type Results interface {
	CampaignResults(ctx context.Context, orgID, campaignID string) ([]Result, error)
}

// Result is one creator's (and, when known, one account's) figures in a campaign.
type Result struct {
	CreatorID   string
	AccountID   *string
	Clicks      int64
	Conversions int64
	GMV         money.Money
	Commission  money.Money
}

// NewService returns the campaign service; a nil clock is the system clock, nil zones count every
// organization's days in UTC.
func NewService(db *bun.DB, clk clock.Clock, zones creator.Zones) *Service {
	if clk == nil {
		clk = clock.System{}
	}
	return &Service{db: db, clock: clk, zones: zones, enrolled: &store.Prepared{Query: `SELECT creator_id, COUNT(*) AS n
		FROM enrolments WHERE org_id = ? AND creator_id = ANY(?) AND status IN ('` + EnrolmentInvited + `', '` + EnrolmentAccepted + `')
		GROUP BY creator_id`}}
}

// SetResults plugs in the source of clicks, conversions, GMV and commission for the report.
func (s *Service) SetResults(r Results) { s.results = r }

// now is the clock's time at the database's precision, so an answer shows what a later read returns.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) location(ctx context.Context, orgID string) (*time.Location, error) {
	if s.zones == nil {
		return time.UTC, nil
	}
	return s.zones.Location(ctx, orgID)
}

// today is the organization's current day, YYYY-MM-DD.
func (s *Service) today(ctx context.Context, orgID string) (string, error) {
	loc, err := s.location(ctx, orgID)
	if err != nil {
		return "", err
	}
	return clock.Today(s.clock, loc), nil
}

// --- validation shared by the package ---

func checkName(f apperr.Fields, field string, v *string) {
	*v = strings.TrimSpace(*v)
	if err := text.CheckName(*v); err != nil {
		f.Add(field, err.Error())
	}
	f.Check(*v == "" || utf8.RuneCountInString(*v) > 200, field, "must be 1 to 200 characters")
}

// checkText cleans an optional one-line text of at most max characters.
func checkText(f apperr.Fields, field string, v *string, max int) *string {
	v = text.Optional(v)
	if v == nil {
		return nil
	}
	if err := text.CheckName(*v); err != nil {
		f.Add(field, err.Error())
	}
	f.Check(utf8.RuneCountInString(*v) > max, field, "is too long")
	return v
}

func checkURL(f apperr.Fields, field string, v *string) *string {
	v = text.Optional(v)
	if v == nil {
		return nil
	}
	u, err := url.Parse(*v)
	f.Check(err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(*v) > 2000 || text.CheckName(*v) != nil,
		field, "must be an http(s) address")
	return v
}

func checkDate(f apperr.Fields, field string, v *string) *string {
	v = text.Optional(v)
	if v == nil {
		return nil
	}
	_, err := clock.ParseDay(*v)
	f.Check(err != nil, field, "must be a date YYYY-MM-DD")
	return v
}

func checkRate(f apperr.Fields, field string, v *int64) {
	f.Check(v != nil && (*v < 0 || *v > 10_000), field, "must be basis points from 0 to 10000")
}

func checkCurrency(f apperr.Fields, field string, v *string) *string {
	v = text.Optional(v)
	if v == nil {
		return nil
	}
	c := money.NormalizeCurrency(*v)
	f.Check(!money.ValidCurrency(c), field, "must be an ISO 4217 currency code such as USD")
	return &c
}

func checkCount(f apperr.Fields, field string, v *int64) {
	f.Check(v != nil && *v < 0, field, "must not be negative")
}

// notNull is the 422 of a null sent for a field that cannot be empty.
func notNull[T any](f apperr.Fields, field string, n creator.Nullable[T]) {
	f.Check(n.Set && n.Value == nil, field, "must not be null")
}

func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func deref[T any](v *T) T {
	var zero T
	if v == nil {
		return zero
	}
	return *v
}

// checkCreator verifies that a creator named in a body belongs to the organization and is not
// deleted: a field of the body, so a stranger's id is a 422, never a 404. It returns the name.
func checkCreator(ctx context.Context, db bun.IDB, orgID, id string, f apperr.Fields) (string, error) {
	if id == "" {
		f.Add("creator_id", "is required")
		return "", nil
	}
	refs, err := creator.Refs(ctx, db, orgID, []string{id})
	if err != nil {
		return "", err
	}
	r, ok := refs[id]
	switch {
	case !ok:
		f.Add("creator_id", "must be a creator of your organization")
	case r.Deleted:
		f.Add("creator_id", "is deleted: restore the creator first")
	}
	return r.DisplayName, nil
}

// checkAccounts verifies that every id is an account of the creator (in the organization).
func checkAccounts(ctx context.Context, db bun.IDB, orgID, creatorID, field string, ids []string, f apperr.Fields) error {
	if len(ids) == 0 {
		return nil
	}
	refs, err := creator.AccountRefs(ctx, db, orgID, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if r, ok := refs[id]; !ok || r.CreatorID != creatorID {
			f.Add(field, "must be an account of the creator")
		}
	}
	return nil
}

// enrolmentOf returns the creator's enrolment in the campaign, nil if there is none.
func enrolmentOf(ctx context.Context, db bun.IDB, orgID, campaignID, creatorID string) (*Enrolment, error) {
	var en Enrolment
	err := db.NewSelect().Model(&en).Where("en.org_id = ? AND en.campaign_id = ? AND en.creator_id = ?", orgID, campaignID, creatorID).Scan(ctx)
	if store.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, store.MapError(err)
	}
	return &en, nil
}

// requireEnrolled adds a field error unless the creator is enrolled in the campaign (posts and
// samples belong to an enrolment).
func requireEnrolled(ctx context.Context, db bun.IDB, orgID, campaignID, creatorID string, f apperr.Fields) error {
	if creatorID == "" {
		f.Add("creator_id", "is required")
		return nil
	}
	en, err := enrolmentOf(ctx, db, orgID, campaignID, creatorID)
	if err != nil {
		return err
	}
	f.Check(en == nil, "creator_id", "must be a creator enrolled in this campaign: enrol them first")
	return nil
}

// recordRate closes an effective-dated rate's open row at now and opens the new one (once per change,
// and once at creation). table is product_rates or enrolment_rates, keyed by key.
func recordRate(ctx context.Context, db bun.IDB, row any, table, key, orgID, id string, now time.Time) error {
	if _, err := db.NewUpdate().Table(table).Set("valid_to = ?", now).
		Where("org_id = ? AND "+key+" = ? AND valid_to IS NULL", orgID, id).Exec(ctx); err != nil {
		return err
	}
	_, err := db.NewInsert().Model(row).On("CONFLICT (" + key + ", valid_from) DO UPDATE").Set("rate_bps = EXCLUDED.rate_bps").Set("valid_to = NULL").Exec(ctx)
	return err
}

// RateHistory is an effective-dated rate's rows (an enrolment's override, a product's rate), the
// latest first: what OverrideAt or ProductRateAt answers for any instant, from one read.
type RateHistory []rateSpan

type rateSpan struct {
	ValidFrom time.Time  `bun:"valid_from"`
	ValidTo   *time.Time `bun:"valid_to"`
	RateBps   *int64     `bun:"rate_bps"`
}

// At is the rate in force at t: the latest row valid from t or before and not yet ended at t; nil
// when none is.
func (h RateHistory) At(t time.Time) *int64 {
	for _, r := range h {
		if !r.ValidFrom.After(t) && (r.ValidTo == nil || r.ValidTo.After(t)) {
			return r.RateBps
		}
	}
	return nil
}

// rateHistory reads the rows of an effective-dated table (table, keyed by key) for one id.
func rateHistory(ctx context.Context, db bun.IDB, table, key, orgID, id string) (RateHistory, error) {
	var h RateHistory
	err := db.NewSelect().Table(table).Column("valid_from", "valid_to", "rate_bps").
		Where("org_id = ? AND "+key+" = ?", orgID, id).Order("valid_from DESC").Scan(ctx, &h)
	return h, store.MapError(err)
}
