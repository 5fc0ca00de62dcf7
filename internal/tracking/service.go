package tracking

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/uptrace/bun"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/time/rate"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/campaign"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/text"
)

// Service is the tracking domain: links, promo codes, the redirect and its clicks.
type Service struct {
	db        *bun.DB
	clock     clock.Clock
	log       *slog.Logger
	publicURL string
	limiter   *ipLimiter
	clicks    *recorder
	links     *linkCache
	// creatorClicks and creatorRollups count the clicks of a page of creators (ClicksOfCreators),
	// on every creators list request: prepared once, with the page's ids bound as one parameter.
	creatorClicks, creatorRollups *store.Prepared
}

// Options configure a Service; zero values take the defaults.
type Options struct {
	// PublicURL is CARAVAN_PUBLIC_URL: short links are PublicURL + "/r/" + code.
	PublicURL string
	Log       *slog.Logger
	// RedirectRate and RedirectBurst limit /r/{code} per client address (default 20 a second, bursts
	// of 100: a household or an office behind one address clicking a popular post stays well within).
	RedirectRate  rate.Limit
	RedirectBurst int
	// FlushEvery, FlushSize and BufferSize shape the click buffer (default 200 ms, 2,000, 20,000).
	FlushEvery time.Duration
	FlushSize  int
	BufferSize int
}

// Defaults of Options.
const (
	DefaultRedirectRate  = 20
	DefaultRedirectBurst = 100
	DefaultFlushEvery    = 200 * time.Millisecond
	DefaultFlushSize     = 2000
	DefaultBufferSize    = 20_000
)

// NewService returns the tracking service; a nil clock is the system clock. The click flusher starts
// with the first click; Close stops it and writes what it holds.
func NewService(db *bun.DB, clk clock.Clock, o Options) *Service {
	if clk == nil {
		clk = clock.System{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.RedirectRate == 0 {
		o.RedirectRate = DefaultRedirectRate
	}
	if o.RedirectBurst == 0 {
		o.RedirectBurst = DefaultRedirectBurst
	}
	if o.FlushEvery <= 0 {
		o.FlushEvery = DefaultFlushEvery
	}
	if o.FlushSize <= 0 {
		o.FlushSize = DefaultFlushSize
	}
	if o.BufferSize < o.FlushSize {
		o.BufferSize = max(DefaultBufferSize, o.FlushSize)
	}
	s := &Service{db: db, clock: clk, log: o.Log, publicURL: strings.TrimRight(o.PublicURL, "/")}
	s.limiter = newIPLimiter(o.RedirectRate, o.RedirectBurst)
	s.links = newLinkCache()
	s.clicks = newRecorder(db, o.Log, o.FlushEvery, o.FlushSize, o.BufferSize)
	s.creatorClicks = &store.Prepared{Query: `SELECT creator_id, COUNT(*) AS n FROM clicks
		WHERE org_id = ? AND creator_id = ANY(?) AND clicked_at >= ? AND kind = '` + ClickCounted + `' GROUP BY creator_id`}
	s.creatorRollups = &store.Prepared{Query: `SELECT creator_id, CAST(SUM(counted) AS BIGINT) AS n FROM click_days
		WHERE org_id = ? AND creator_id = ANY(?) AND day >= ? GROUP BY creator_id`}
	return s
}

// SetRedirectLimit changes the per-address limit of /r/{code} (rate.Inf: none), for tests and
// benchmarks that send thousands of clicks from one address.
func (s *Service) SetRedirectLimit(r rate.Limit, burst int) { s.limiter.set(r, burst) }

// now is the clock's time at the database's precision, so an answer shows what a later read returns.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// --- requests ---

// NewLink is a tracking link to create.
type NewLink struct {
	CreatorID      string  `json:"creator_id"`
	CampaignID     string  `json:"campaign_id"`
	DestinationURL string  `json:"destination_url"`
	AccountID      *string `json:"account_id,omitempty"`
}

// LinkChange is a partial update of a link: a new destination, or disabling (status "disabled") and
// enabling it again. An absent field is left alone; null is a 422. The code, creator, campaign and
// account of a link never change (clicks and orders already point at them): create another link.
type LinkChange struct {
	DestinationURL creator.Nullable[string] `json:"destination_url"`
	Status         creator.Nullable[string] `json:"status"`
}

// LinkFilter narrows the list of links.
type LinkFilter struct {
	CreatorID  string
	CampaignID string
	AccountID  string
	Status     string
}

// NewPromoCode is a promo code to create.
type NewPromoCode struct {
	Code       string  `json:"code"`
	CreatorID  string  `json:"creator_id"`
	CampaignID string  `json:"campaign_id"`
	AccountID  *string `json:"account_id,omitempty"`
}

// PromoCodeChange is a partial update of a promo code: its spelling (the new one must be free) or its
// status. An absent field is left alone; null is a 422.
type PromoCodeChange struct {
	Code   creator.Nullable[string] `json:"code"`
	Status creator.Nullable[string] `json:"status"`
}

// PromoCodeFilter narrows the list of promo codes.
type PromoCodeFilter = LinkFilter

// FilterParams are the query parameters of the link and promo code lists, with their meaning.
var FilterParams = [][2]string{
	{"creator_id", "only this creator's"},
	{"campaign_id", "only this campaign's"},
	{"account_id", "only those tied to this account"},
	{"status", "active or disabled"},
}

// ParseFilter reads the list filters; a bad value is a 400.
func ParseFilter(q url.Values) (LinkFilter, error) {
	f := LinkFilter{
		CreatorID: strings.TrimSpace(q.Get("creator_id")), CampaignID: strings.TrimSpace(q.Get("campaign_id")),
		AccountID: strings.TrimSpace(q.Get("account_id")), Status: strings.TrimSpace(q.Get("status")),
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		return f, apperr.BadRequest("invalid_parameter", "status must be active or disabled")
	}
	return f, nil
}

// --- validation ---

const (
	maxURL           = 2048
	linkCodeLength   = 10 // 62^10 ≈ 8·10^17 codes: unguessable, and collisions are vanishingly rare
	maxPromoCode     = 64
	codeAttempts     = 5
	msgInvalidURL    = "must be an http(s) address"
	msgNotYourOrg    = "must be one of your organization's"
	msgNotTheCreator = "must be an account of the creator"
)

// checkDestination validates a destination set by the seller: an absolute http(s) URL with a host and
// no user name or password (https://shop.example@evil.example reads as the shop and goes elsewhere).
// It is stored as given, so its query and fragment are sent on exactly as the seller wrote them.
func (s *Service) checkDestination(f apperr.Fields, v *string) {
	*v = strings.TrimSpace(*v)
	raw := *v
	if raw == "" {
		f.Add("destination_url", "is required")
		return
	}
	if len(raw) > maxURL {
		f.Add("destination_url", fmt.Sprintf("must be at most %d characters", maxURL))
		return
	}
	if strings.IndexFunc(raw, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 || !utf8.ValidString(raw) {
		f.Add("destination_url", "must not contain spaces or control characters (encode them, e.g. %20)")
		return
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" || u.Hostname() == "" {
		f.Add("destination_url", msgInvalidURL)
		return
	}
	if u.User != nil {
		f.Add("destination_url", "must not contain a user name or password")
		return
	}
	if q, err := url.ParseQuery(u.RawQuery); err == nil && q.Has(ParamClick) {
		f.Add("destination_url", "must not set cv_click: the redirect adds it")
		return
	}
	if pub, err := url.Parse(s.publicURL); err == nil && pub.Host != "" && strings.EqualFold(pub.Host, u.Host) && strings.HasPrefix(u.Path, "/r/") {
		f.Add("destination_url", "must not be another short link")
	}
}

func checkStatus(f apperr.Fields, v string) {
	f.Check(!slices.Contains(Statuses, v), "status", "must be active or disabled")
}

func required(f apperr.Fields, field string, v *string) {
	*v = strings.TrimSpace(*v)
	f.Check(*v == "", field, "is required")
}

// checkPromoCode validates a promo code's spelling: 2 to 64 characters, no spaces or control
// characters. Shops match codes without regard to case, and so does Caravan (see promoKey).
func checkPromoCode(f apperr.Fields, v *string) {
	*v = strings.TrimSpace(*v)
	n := utf8.RuneCountInString(*v)
	switch {
	case *v == "":
		f.Add("code", "is required")
	case text.CheckName(*v) != nil || strings.IndexFunc(*v, unicode.IsSpace) >= 0:
		f.Add("code", "must not contain spaces or control characters")
	case n < 2 || n > maxPromoCode:
		f.Add("code", fmt.Sprintf("must be 2 to %d characters", maxPromoCode))
	}
}

// promoKey is the form of a promo code that uniqueness and look-ups use: compatibility-normalised
// (full-width ＬＵＮＡ is LUNA) and case-folded (Unicode folding, not just ASCII lower case).
func promoKey(code string) string {
	return cases.Fold().String(norm.NFKC.String(strings.TrimSpace(code)))
}

// checkRefs verifies, in the caller's transaction, that the creator and the campaign are the
// organization's and that the account, when given, is the creator's. They are fields of the body, so
// a stranger's id is a field error (422) rather than a 404.
func checkRefs(ctx context.Context, db bun.IDB, orgID, creatorID, campaignID string, accountID *string, f apperr.Fields) error {
	if creatorID != "" {
		crs, err := creator.Refs(ctx, db, orgID, []string{creatorID})
		if err != nil {
			return err
		}
		c, ok := crs[creatorID]
		f.Check(!ok, "creator_id", "must be a creator of your organization")
		f.Check(ok && c.Deleted, "creator_id", "must not be a deleted creator; restore it first")
	}
	if campaignID != "" {
		cms, err := campaign.Refs(ctx, db, orgID, []string{campaignID})
		if err != nil {
			return err
		}
		_, ok := cms[campaignID]
		f.Check(!ok, "campaign_id", "must be a campaign of your organization")
	}
	if accountID != nil {
		as, err := creator.AccountRefs(ctx, db, orgID, []string{*accountID})
		if err != nil {
			return err
		}
		a, ok := as[*accountID]
		f.Check(!ok, "account_id", "must be an account of your organization")
		f.Check(ok && creatorID != "" && a.CreatorID != creatorID, "account_id", msgNotTheCreator)
	}
	return nil
}

// --- links ---

// newCode returns n base62 characters from crypto/rand, without modulo bias: bytes of 248 and more
// (62 × 4) are drawn again.
func newCode(n int) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2)
	for len(out) < n {
		_, _ = rand.Read(buf) // never fails (crypto/rand panics rather than return an error)
		for _, b := range buf {
			if b < 248 && len(out) < n {
				out = append(out, alphabet[b%62])
			}
		}
	}
	return string(out)
}

// CreateLink creates a link with a fresh code (drawn again on the rare collision).
func (s *Service) CreateLink(ctx context.Context, p actor.Actor, in NewLink) (*Link, error) {
	f := apperr.Fields{}
	required(f, "creator_id", &in.CreatorID)
	required(f, "campaign_id", &in.CampaignID)
	s.checkDestination(f, &in.DestinationURL)
	in.AccountID = text.Optional(in.AccountID)
	for attempt := 1; ; attempt++ {
		var l *Link
		err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
			if err := checkRefs(ctx, tx, p.OrgID, in.CreatorID, in.CampaignID, in.AccountID, f); err != nil {
				return err
			}
			if err := f.Err(); err != nil {
				return err
			}
			now := s.now()
			l = &Link{ID: store.NewID(), OrgID: p.OrgID, Code: newCode(linkCodeLength), CreatorID: in.CreatorID, CampaignID: in.CampaignID,
				AccountID: in.AccountID, DestinationURL: in.DestinationURL, Status: StatusActive, Version: 1, CreatedAt: now, UpdatedAt: now}
			if _, err := tx.NewInsert().Model(l).Exec(ctx); err != nil {
				return err
			}
			return audit.Record(ctx, tx, now, p, "link.create", "link", l.ID,
				map[string]any{"code": l.Code, "creator_id": l.CreatorID, "campaign_id": l.CampaignID, "destination_url": l.DestinationURL})
		})
		if err != nil {
			if store.IsUniqueViolation(err) && attempt < codeAttempts {
				continue // the code was taken
			}
			return nil, err
		}
		l.ShortURL = s.shortURL(l.Code)
		return l, nil
	}
}

func (s *Service) shortURL(code string) string { return s.publicURL + "/r/" + code }

// GetLink returns one of the organization's links with its counted clicks.
func (s *Service) GetLink(ctx context.Context, p actor.Actor, id string) (*Link, error) {
	l, err := store.ByID[Link](ctx, s.db, p.OrgID, id, "link")
	if err != nil {
		return nil, err
	}
	list := []Link{*l}
	if err := s.hydrateLinks(ctx, p.OrgID, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// hydrateLinks sets the short URL and the counted clicks of a page of links, in one query.
func (s *Service) hydrateLinks(ctx context.Context, orgID string, ls []Link) error {
	if len(ls) == 0 {
		return nil
	}
	ids := make([]string, len(ls))
	for i := range ls {
		ids[i] = ls[i].ID
		ls[i].ShortURL = s.shortURL(ls[i].Code)
	}
	// Counted clicks of all time, rolled-up days included, as the click writer keeps them.
	var rows []linkClicks
	if err := s.db.NewSelect().Model(&rows).Column("link_id", "counted").
		Where("org_id = ? AND link_id IN (?)", orgID, bun.In(ids)).Scan(ctx); err != nil {
		return store.MapError(err)
	}
	n := make(map[string]int64, len(rows))
	for _, r := range rows {
		n[r.LinkID] = r.Counted
	}
	for i := range ls {
		ls[i].Clicks = n[ls[i].ID]
	}
	return nil
}

// filtered applies f to a query on links or promo codes (alias a).
func filtered(q *bun.SelectQuery, alias, orgID string, f LinkFilter) *bun.SelectQuery {
	q = q.Where("?.org_id = ?", bun.Ident(alias), orgID)
	if f.CreatorID != "" {
		q = q.Where("?.creator_id = ?", bun.Ident(alias), f.CreatorID)
	}
	if f.CampaignID != "" {
		q = q.Where("?.campaign_id = ?", bun.Ident(alias), f.CampaignID)
	}
	if f.AccountID != "" {
		q = q.Where("?.account_id = ?", bun.Ident(alias), f.AccountID)
	}
	if f.Status != "" {
		q = q.Where("?.status = ?", bun.Ident(alias), f.Status)
	}
	return q
}

// listPage reads a page of rows of T (links or promo codes), newest first: ids are UUIDv7, so the id
// order is the creation order and the keyset is the id alone.
func listPage[T any](ctx context.Context, db bun.IDB, alias, orgID string, f LinkFilter, req page.Request, id func(T) string) (page.List[T], error) {
	total, err := filtered(db.NewSelect().Model((*T)(nil)), alias, orgID, f).Count(ctx)
	if err != nil {
		return page.List[T]{}, store.MapError(err)
	}
	var rows []T
	q := filtered(db.NewSelect().Model(&rows), alias, orgID, f).OrderExpr("?.id DESC", bun.Ident(alias)).Limit(req.Fetch())
	if len(req.After) > 0 {
		q = q.Where("?.id < ?", bun.Ident(alias), req.After[0])
	}
	if err := q.Scan(ctx); err != nil {
		return page.List[T]{}, store.MapError(err)
	}
	return page.Finish(rows, req, int64(total), func(r T) []string { return []string{id(r)} }), nil
}

// ListLinks lists the organization's links, newest first, with their counted clicks.
func (s *Service) ListLinks(ctx context.Context, p actor.Actor, f LinkFilter, req page.Request) (page.List[Link], error) {
	l, err := listPage(ctx, s.db, "l", p.OrgID, f, req, func(l Link) string { return l.ID })
	if err != nil {
		return l, err
	}
	return l, s.hydrateLinks(ctx, p.OrgID, l.Items)
}

// UpdateLink changes a link's destination or status. ifMatch, when given, must be its current
// version (412 otherwise).
func (s *Service) UpdateLink(ctx context.Context, p actor.Actor, id string, ch LinkChange, ifMatch *int64) (*Link, error) {
	f := apperr.Fields{}
	notNull(f, "destination_url", ch.DestinationURL)
	notNull(f, "status", ch.Status)
	if ch.DestinationURL.Value != nil {
		s.checkDestination(f, ch.DestinationURL.Value)
	}
	if ch.Status.Value != nil {
		checkStatus(f, *ch.Status.Value)
	}
	var code string
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		l, err := store.ByIDForUpdate[Link](ctx, tx, p.OrgID, id, "link")
		if err != nil {
			return err
		}
		if err := checkVersion(ifMatch, l.Version); err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		changed := map[string]any{}
		if v := ch.DestinationURL.Value; v != nil && *v != l.DestinationURL {
			l.DestinationURL, changed["destination_url"] = *v, *v
		}
		if v := ch.Status.Value; v != nil && *v != l.Status {
			l.Status, changed["status"] = *v, *v
		}
		if len(changed) == 0 {
			return nil
		}
		l.UpdatedAt = s.now()
		if _, err := tx.NewUpdate().Model((*Link)(nil)).Set("destination_url = ?", l.DestinationURL).Set("status = ?", l.Status).
			Set("updated_at = ?", l.UpdatedAt).Set("version = version + 1").Where("org_id = ? AND id = ?", p.OrgID, l.ID).Exec(ctx); err != nil {
			return err
		}
		code = l.Code
		return audit.Record(ctx, tx, l.UpdatedAt, p, "link.update", "link", l.ID, changed)
	})
	if err != nil {
		return nil, err
	}
	// After the commit: dropped earlier, a redirect in between could cache the old row again.
	s.links.drop(code)
	return s.GetLink(ctx, p, id)
}

// notNull is the 422 of a null sent for a field that cannot be empty.
func notNull[T any](f apperr.Fields, field string, n creator.Nullable[T]) {
	f.Check(n.Set && n.Value == nil, field, "must not be null")
}

// ResolveLink returns the organization's link with code (case-sensitive, as issued), disabled or not,
// for the conversion package's attribution by link_code; apperr.NotFound when there is none.
func (s *Service) ResolveLink(ctx context.Context, orgID, code string) (*Link, error) {
	var l Link
	if err := s.db.NewSelect().Model(&l).Where("l.org_id = ? AND l.code = ?", orgID, strings.TrimSpace(code)).Scan(ctx); err != nil {
		if store.IsNoRows(err) {
			return nil, apperr.NotFound("link")
		}
		return nil, store.MapError(err)
	}
	l.ShortURL = s.shortURL(l.Code)
	return &l, nil
}

// --- promo codes ---

// takenError is the 409 of a promo code another code of the organization already spells.
func takenError(code string, other *PromoCode) error {
	params := map[string]any{"code": code}
	if other != nil {
		params["promo_code_id"], params["existing_code"], params["creator_id"] = other.ID, other.Code, other.CreatorID
	}
	return apperr.Conflict("promo_code_taken", fmt.Sprintf("the promo code %q is already in use in your organization", code)).WithParams(params)
}

// checkFree answers promo_code_taken when another code of the organization has key.
func checkFree(ctx context.Context, db bun.IDB, orgID, key, code, exceptID string) error {
	var other PromoCode
	err := db.NewSelect().Model(&other).Where("pc.org_id = ? AND pc.code_key = ? AND pc.id <> ?", orgID, key, exceptID).Scan(ctx)
	switch {
	case err == nil:
		return takenError(code, &other)
	case store.IsNoRows(err):
		return nil
	}
	return store.MapError(err)
}

// CreatePromoCode creates a promo code; 409 promo_code_taken when the organization has it already,
// in any case.
func (s *Service) CreatePromoCode(ctx context.Context, p actor.Actor, in NewPromoCode) (*PromoCode, error) {
	f := apperr.Fields{}
	checkPromoCode(f, &in.Code)
	required(f, "creator_id", &in.CreatorID)
	required(f, "campaign_id", &in.CampaignID)
	in.AccountID = text.Optional(in.AccountID)
	var pc *PromoCode
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if err := checkRefs(ctx, tx, p.OrgID, in.CreatorID, in.CampaignID, in.AccountID, f); err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		key := promoKey(in.Code)
		if err := checkFree(ctx, tx, p.OrgID, key, in.Code, ""); err != nil {
			return err
		}
		now := s.now()
		pc = &PromoCode{ID: store.NewID(), OrgID: p.OrgID, Code: in.Code, CodeKey: key, CreatorID: in.CreatorID, CampaignID: in.CampaignID,
			AccountID: in.AccountID, Status: StatusActive, Version: 1, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(pc).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "promo_code.create", "promo_code", pc.ID,
			map[string]any{"code": pc.Code, "creator_id": pc.CreatorID, "campaign_id": pc.CampaignID})
	})
	if store.IsUniqueViolation(err) {
		return nil, takenError(in.Code, nil) // taken by a concurrent request between the check and the insert
	}
	if err != nil {
		return nil, err
	}
	return pc, nil
}

// GetPromoCode returns one of the organization's promo codes.
func (s *Service) GetPromoCode(ctx context.Context, p actor.Actor, id string) (*PromoCode, error) {
	return store.ByID[PromoCode](ctx, s.db, p.OrgID, id, "promo code")
}

// ListPromoCodes lists the organization's promo codes, newest first.
func (s *Service) ListPromoCodes(ctx context.Context, p actor.Actor, f PromoCodeFilter, req page.Request) (page.List[PromoCode], error) {
	return listPage(ctx, s.db, "pc", p.OrgID, f, req, func(c PromoCode) string { return c.ID })
}

// UpdatePromoCode respells a promo code or changes its status. ifMatch, when given, must be its
// current version (412 otherwise).
func (s *Service) UpdatePromoCode(ctx context.Context, p actor.Actor, id string, ch PromoCodeChange, ifMatch *int64) (*PromoCode, error) {
	f := apperr.Fields{}
	notNull(f, "code", ch.Code)
	notNull(f, "status", ch.Status)
	if ch.Code.Value != nil {
		checkPromoCode(f, ch.Code.Value)
	}
	if ch.Status.Value != nil {
		checkStatus(f, *ch.Status.Value)
	}
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		pc, err := store.ByIDForUpdate[PromoCode](ctx, tx, p.OrgID, id, "promo code")
		if err != nil {
			return err
		}
		if err := checkVersion(ifMatch, pc.Version); err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		changed := map[string]any{}
		if v := ch.Code.Value; v != nil && *v != pc.Code {
			key := promoKey(*v)
			if err := checkFree(ctx, tx, p.OrgID, key, *v, pc.ID); err != nil {
				return err
			}
			pc.Code, pc.CodeKey, changed["code"] = *v, key, *v
		}
		if v := ch.Status.Value; v != nil && *v != pc.Status {
			pc.Status, changed["status"] = *v, *v
		}
		if len(changed) == 0 {
			return nil
		}
		pc.UpdatedAt = s.now()
		if _, err := tx.NewUpdate().Model((*PromoCode)(nil)).Set("code = ?", pc.Code).Set("code_key = ?", pc.CodeKey).Set("status = ?", pc.Status).
			Set("updated_at = ?", pc.UpdatedAt).Set("version = version + 1").Where("org_id = ? AND id = ?", p.OrgID, pc.ID).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, pc.UpdatedAt, p, "promo_code.update", "promo_code", pc.ID, changed)
	})
	if store.IsUniqueViolation(err) {
		return nil, takenError(deref(ch.Code.Value), nil)
	}
	if err != nil {
		return nil, err
	}
	return s.GetPromoCode(ctx, p, id)
}

func deref[T any](v *T) T {
	var zero T
	if v == nil {
		return zero
	}
	return *v
}

// ResolveCode returns the organization's promo code spelled code in any case (see promoKey), disabled
// or not (an order may name a code disabled since), for the conversion package's attribution by
// promo_code; apperr.NotFound when there is none.
func (s *Service) ResolveCode(ctx context.Context, orgID, code string) (*PromoCode, error) {
	var pc PromoCode
	if err := s.db.NewSelect().Model(&pc).Where("pc.org_id = ? AND pc.code_key = ?", orgID, promoKey(code)).Scan(ctx); err != nil {
		if store.IsNoRows(err) {
			return nil, apperr.NotFound("promo code")
		}
		return nil, store.MapError(err)
	}
	return &pc, nil
}
