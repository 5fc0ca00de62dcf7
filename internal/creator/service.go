package creator

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/country"
	"github.com/caravan-crm/caravan/internal/money"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/text"
)

// Service is the creator domain: creators, accounts, snapshots, agencies and the timeline.
type Service struct {
	db       *bun.DB
	clock    clock.Clock
	zones    Zones
	people   People
	activity Activity
	risks    Risks
	erasers  []Eraser
	totals   *totals // the list's totals, reused while nothing changed (total.go)
	imports  *importWriters
	page     pageQueries
	sqlite   bool // the database is SQLite, in process: a lookup costs no round trip
}

// pageQueries are the lookups that fill in a page of creators, prepared once: run on every list
// request with the page's ids bound as one parameter, they are no longer parsed anew each time (on
// SQLite, parsing their IN lists was about a tenth of a 50-creator page's CPU).
type pageQueries struct {
	changes, creators, tags, accounts, snapshots, creatorSnapshots *store.Prepared
	// search is the first page of a search for q alone (Filter.searchAlone), of live creators and
	// of the bin (true).
	search map[bool]*store.Prepared
	// A search's walk and the planner's guess of its matches (PostgreSQL's): estimate.go.
	searchWalk, searchPlan *store.Prepared
	// A search's first page from the search index's creation order (SQLite): ordered.go.
	orderedMatches, orderedTotal, orderedCount *store.Prepared
}

func newPageQueries(db *bun.DB) pageQueries {
	return pageQueries{
		// The organization's creator_changes number, which the cached totals are checked against.
		changes: &store.Prepared{Query: `SELECT seq FROM creator_changes WHERE org_id = ?`},
		search: map[bool]*store.Prepared{
			false: {Query: searchAloneQuery(store.IsSQLite(db), false), PlanEachRun: true},
			true:  {Query: searchAloneQuery(store.IsSQLite(db), true), PlanEachRun: true},
		},
		searchWalk:     &store.Prepared{Query: searchWalkQuery(store.IsSQLite(db)), PlanEachRun: true},
		searchPlan:     &store.Prepared{Query: searchPlanQuery, PlanEachRun: true},
		orderedMatches: &store.Prepared{Query: orderedMatchesQuery},
		orderedTotal:   &store.Prepared{Query: orderedTotalQuery},
		orderedCount:   &store.Prepared{Query: orderedCountQuery},
		// A search's page, by the ids its one pass found (countedPage).
		creators: &store.Prepared{Query: `SELECT ` + store.Columns(db, (*Creator)(nil), "c") + ` FROM creators AS c
			WHERE c.id = ANY(?) AND c.org_id = ?`},
		// The two columns read are in the (creator_id, org_id, tag) index: the tags' rows are not
		// read. Sorted by the caller: an ORDER BY would tempt SQLite into the (org_id, tag) index and
		// a walk over every tag of the organization.
		tags: &store.Prepared{Query: `SELECT creator_id, tag FROM creator_tags WHERE creator_id = ANY(?) AND org_id = ?`},
		accounts: &store.Prepared{Query: `SELECT ` + store.Columns(db, (*Account)(nil), "a") + ` FROM creator_accounts AS a
			WHERE a.creator_id = ANY(?) AND a.org_id = ? ORDER BY a.followers DESC, a.id`},
		snapshots: &store.Prepared{Query: `SELECT s.account_id, s.captured_on, s.followers FROM account_snapshots AS s
			WHERE s.account_id = ANY(?) AND s.org_id = ? AND s.captured_on >= ? AND s.captured_on <= ? ORDER BY s.captured_on`},
		// The same snapshots of a page's accounts, found by their creators' ids: on PostgreSQL read
		// beside the accounts instead of a round trip after them.
		creatorSnapshots: &store.Prepared{Query: `SELECT s.account_id, s.captured_on, s.followers FROM creator_accounts AS a
			JOIN account_snapshots AS s ON s.account_id = a.id AND s.org_id = a.org_id
			WHERE a.creator_id = ANY(?) AND a.org_id = ? AND s.captured_on >= ? AND s.captured_on <= ? ORDER BY s.captured_on`},
	}
}

// Activity tells, per creator, figures other packages own: the campaigns they are in and the clicks
// on their links. app wires the campaign and tracking packages in; without it both are zero.
type Activity interface {
	CreatorActivity(ctx context.Context, orgID string, creatorIDs []string, since time.Time) (map[string]ActivityFigures, error)
}

// ActivityFigures are one creator's campaigns and counted clicks since a date.
type ActivityFigures struct {
	Campaigns int64
	Clicks    int64
}

// SetActivity wires the source of the creator answer's campaigns and clicks_30d.
func (s *Service) SetActivity(a Activity) { s.activity = a }

// Zones tells an organization's time zone: a "day" (a follower snapshot's, a file name's) is a day
// there. The auth package, which owns organizations, provides it.
type Zones interface {
	Location(ctx context.Context, orgID string) (*time.Location, error)
}

// People names the organization's users and API keys (owners, and who did what on a timeline). The
// auth package, which owns them, provides it; SetPeople wires it.
type People interface {
	Names(ctx context.Context, orgID string, ids []string) (map[string]string, error)
}

// SetPeople wires the source of users' and API keys' names.
func (s *Service) SetPeople(p People) { s.people = p }

// names looks ids up in People; without one, nobody has a name.
func (s *Service) names(ctx context.Context, orgID string, ids []string) (map[string]string, error) {
	if s.people == nil || len(ids) == 0 {
		return map[string]string{}, nil
	}
	return s.people.Names(ctx, orgID, ids)
}

// NewService returns the creator service; a nil clock is the system clock, nil zones count every
// organization's days in UTC.
func NewService(db *bun.DB, clk clock.Clock, zones Zones) *Service {
	if clk == nil {
		clk = clock.System{}
	}
	return &Service{db: db, clock: clk, zones: zones, totals: newTotals(), imports: newImportWriters(db), page: newPageQueries(db),
		sqlite: store.IsSQLite(db)}
}

// today is the organization's current day, YYYY-MM-DD.
func (s *Service) today(ctx context.Context, orgID string) (string, error) {
	d, err := s.todayDate(ctx, orgID)
	return d.Format(time.DateOnly), err
}

// todayDate is the organization's current day as midnight of that date (in UTC, for date
// arithmetic only: only its year, month and day mean anything).
func (s *Service) todayDate(ctx context.Context, orgID string) (time.Time, error) {
	loc := time.UTC
	if s.zones != nil {
		var err error
		if loc, err = s.zones.Location(ctx, orgID); err != nil {
			return time.Time{}, err
		}
	}
	y, m, d := s.clock.Now().In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
}

// Today is the organization's current day, for names of files it downloads.
func (s *Service) Today(ctx context.Context, orgID string) (time.Time, error) {
	return s.todayDate(ctx, orgID)
}

// now is the clock's time at the database's precision, so an answer shows what a later read returns.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// NewCreator is a creator to add, with any number of accounts.
type NewCreator struct {
	DisplayName    string       `json:"display_name"`
	Country        string       `json:"country"`
	Email          *string      `json:"email,omitempty"`
	Phone          *string      `json:"phone,omitempty"`
	WeChat         *string      `json:"wechat,omitempty"`
	WhatsApp       *string      `json:"whatsapp,omitempty"`
	Languages      []string     `json:"languages,omitempty"`
	Status         string       `json:"status,omitempty"`
	AgencyID       *string      `json:"agency_id,omitempty"`
	OwnerID        *string      `json:"owner_id,omitempty"`
	Tags           []string     `json:"tags,omitempty"`
	PayoutCurrency *string      `json:"payout_currency,omitempty"`
	PayoutMethod   *string      `json:"payout_method,omitempty"`
	PayoutAccount  *string      `json:"payout_account,omitempty"`
	PayoutHolder   *string      `json:"payout_holder,omitempty"`
	DefaultRateBps *int64       `json:"default_rate_bps,omitempty"`
	Notes          string       `json:"notes,omitempty"`
	Accounts       []NewAccount `json:"accounts,omitempty"`
}

// Change is a partial update of a creator with JSON merge-patch meaning: an absent field is left
// alone, null clears a field that may be empty (contacts, agency, owner, payout currency, rate,
// notes, tags, languages) and is a 422 for one that may not (name, country, status).
type Change struct {
	DisplayName    Nullable[string]   `json:"display_name"`
	Country        Nullable[string]   `json:"country"`
	Email          Nullable[string]   `json:"email"`
	Phone          Nullable[string]   `json:"phone"`
	WeChat         Nullable[string]   `json:"wechat"`
	WhatsApp       Nullable[string]   `json:"whatsapp"`
	Languages      Nullable[[]string] `json:"languages"`
	Status         Nullable[string]   `json:"status"`
	AgencyID       Nullable[string]   `json:"agency_id"`
	OwnerID        Nullable[string]   `json:"owner_id"`
	Tags           Nullable[[]string] `json:"tags"`
	PayoutCurrency Nullable[string]   `json:"payout_currency"`
	PayoutMethod   Nullable[string]   `json:"payout_method"`
	PayoutAccount  Nullable[string]   `json:"payout_account"`
	PayoutHolder   Nullable[string]   `json:"payout_holder"`
	DefaultRateBps Nullable[int64]    `json:"default_rate_bps"`
	Notes          Nullable[string]   `json:"notes"`
}

// --- validation ---

var (
	languagePattern = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{2,8})*$`)
	phonePattern    = regexp.MustCompile(`^\+?[0-9 ()./-]{4,40}$`)
)

const (
	maxTags      = 30
	maxLanguages = 20
)

func checkName(f apperr.Fields, field string, v *string) {
	*v = strings.TrimSpace(*v)
	if err := text.CheckName(*v); err != nil {
		f.Add(field, err.Error())
	}
	f.Check(*v == "" || utf8.RuneCountInString(*v) > 200, field, "must be 1 to 200 characters")
}

func checkCountry(f apperr.Fields, field string, v *string) {
	*v = country.Normalize(*v)
	f.Check(!country.Valid(*v), field, "must be an ISO 3166-1 alpha-2 country code such as US or CN")
}

func checkEmail(f apperr.Fields, field string, v *string) *string {
	v = text.Optional(v)
	if v == nil {
		return nil
	}
	e := strings.ToLower(*v)
	a, err := mail.ParseAddress(e)
	f.Check(err != nil || a.Address != e || len(e) > 254, field, "must be a valid email address")
	return &e
}

func checkContacts(f apperr.Fields, email, phone, wechat, whatsapp **string) {
	*email = checkEmail(f, "email", *email)
	*phone = text.Optional(*phone)
	f.Check(*phone != nil && !phonePattern.MatchString(**phone), "phone", "must be a phone number: digits, spaces, + ( ) - . /")
	*whatsapp = text.Optional(*whatsapp)
	f.Check(*whatsapp != nil && !phonePattern.MatchString(**whatsapp), "whatsapp", "must be a phone number: digits, spaces, + ( ) - . /")
	*wechat = text.Optional(*wechat)
	f.Check(*wechat != nil && utf8.RuneCountInString(**wechat) > 100, "wechat", "must be at most 100 characters")
}

func checkStatus(f apperr.Fields, v string) {
	f.Check(!slices.Contains(Statuses, v), "status", "must be one of "+strings.Join(Statuses, ", "))
}

func cleanLanguages(f apperr.Fields, in []string) []string {
	out := []string{}
	for _, l := range in {
		l = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(l), "_", "-"))
		if !languagePattern.MatchString(l) {
			f.Add("languages", "must be ISO 639-1 codes or language tags such as en, zh, pt-br")
			continue
		}
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	f.Check(len(out) > maxLanguages, "languages", fmt.Sprintf("at most %d languages", maxLanguages))
	return out
}

func cleanTags(f apperr.Fields, in []string) []string {
	out := []string{}
	for _, t := range in {
		// A tag keeps the case it was typed in ("Home Decor"); tags that differ only in case are one.
		t = strings.Join(strings.Fields(t), " ")
		if text.CheckName(t) != nil || t == "" || utf8.RuneCountInString(t) > 50 {
			f.Add("tags", "each tag must be 1 to 50 characters")
			continue
		}
		if !slices.ContainsFunc(out, func(x string) bool { return strings.EqualFold(x, t) }) {
			out = append(out, t)
		}
	}
	f.Check(len(out) > maxTags, "tags", fmt.Sprintf("at most %d tags", maxTags))
	return out
}

func checkCurrency(f apperr.Fields, v *string) *string {
	v = text.Optional(v)
	if v == nil {
		return nil
	}
	c := money.NormalizeCurrency(*v)
	f.Check(!money.ValidCurrency(c), "payout_currency", "must be an ISO 4217 currency code such as USD")
	return &c
}

// PayoutMethods are the ways a creator can be paid.
var PayoutMethods = []string{"paypal", "wise", "bank"}

// checkPayout cleans and checks the payout details: a known method, a PayPal account that is an
// e-mail address, one-line texts of sensible length.
func checkPayout(f apperr.Fields, method, account, holder *string) (*string, *string, *string) {
	method, account, holder = text.Optional(method), text.Optional(account), text.Optional(holder)
	if method != nil {
		m := strings.ToLower(*method)
		method = &m
		f.Check(!slices.Contains(PayoutMethods, m), "payout_method", "must be one of paypal, wise, bank")
	}
	if account != nil {
		f.Check(len(*account) > 100 || text.CheckName(*account) != nil, "payout_account", "must be at most 100 characters")
		if method != nil && *method == "paypal" {
			f.Check(!strings.Contains(*account, "@"), "payout_account", "must be the PayPal account's e-mail address")
		}
	}
	if holder != nil {
		f.Check(len(*holder) > 200 || text.CheckName(*holder) != nil, "payout_holder", "must be at most 200 characters")
	}
	return method, account, holder
}

func checkRate(f apperr.Fields, field string, v *int64) {
	f.Check(v != nil && (*v < 0 || *v > 10_000), field, "must be basis points from 0 to 10000")
}

func checkNotes(f apperr.Fields, v string) {
	if err := text.CheckMultiline(v); err != nil {
		f.Add("notes", err.Error())
	}
	f.Check(utf8.RuneCountInString(v) > 10_000, "notes", "must be at most 10000 characters")
}

// checkRefs verifies that the agency and owner belong to the organization. They are fields of the
// body, so a stranger's id is a validation error rather than a 404.
func (s *Service) checkRefs(ctx context.Context, db bun.IDB, orgID string, agencyID, ownerID *string, f apperr.Fields) error {
	if agencyID != nil {
		n, err := db.NewSelect().Table("agencies").Where("org_id = ? AND id = ?", orgID, *agencyID).Count(ctx)
		if err != nil {
			return err
		}
		f.Check(n == 0, "agency_id", "must be an agency of your organization")
	}
	if ownerID != nil {
		names, err := s.names(ctx, orgID, []string{*ownerID})
		if err != nil {
			return err
		}
		_, ok := names[*ownerID]
		f.Check(!ok, "owner_id", "must be a user of your organization")
	}
	return nil
}

func (in *NewCreator) validate() apperr.Fields {
	f := apperr.Fields{}
	checkName(f, "display_name", &in.DisplayName)
	checkCountry(f, "country", &in.Country)
	checkContacts(f, &in.Email, &in.Phone, &in.WeChat, &in.WhatsApp)
	if in.Status == "" {
		in.Status = StatusProspect
	}
	checkStatus(f, in.Status)
	in.Languages = cleanLanguages(f, in.Languages)
	in.Tags = cleanTags(f, in.Tags)
	in.AgencyID, in.OwnerID = text.Optional(in.AgencyID), text.Optional(in.OwnerID)
	in.PayoutCurrency = checkCurrency(f, in.PayoutCurrency)
	in.PayoutMethod, in.PayoutAccount, in.PayoutHolder = checkPayout(f, in.PayoutMethod, in.PayoutAccount, in.PayoutHolder)
	checkRate(f, "default_rate_bps", in.DefaultRateBps)
	in.Notes = strings.TrimSpace(in.Notes)
	checkNotes(f, in.Notes)
	seen := map[string]int{}
	for i := range in.Accounts {
		prefix := fmt.Sprintf("accounts[%d].", i)
		in.Accounts[i].validate(f, prefix)
		k := in.Accounts[i].Platform + "/" + in.Accounts[i].Handle
		if j, dup := seen[k]; dup && in.Accounts[i].Handle != "" {
			f.Add(prefix+"handle", fmt.Sprintf("repeats accounts[%d]", j))
		}
		seen[k] = i
	}
	return f
}

// --- creators ---

// Create adds a creator and its accounts.
func (s *Service) Create(ctx context.Context, p actor.Actor, in NewCreator) (*Creator, error) {
	f := in.validate()
	var id string
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if err := s.checkRefs(ctx, tx, p.OrgID, in.AgencyID, in.OwnerID, f); err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		c, err := s.insert(ctx, tx, p, in, true)
		if err != nil {
			return err
		}
		id = c.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

// insert writes a validated creator with its tags, accounts, first snapshots, timeline and audit.
func (s *Service) insert(ctx context.Context, tx bun.Tx, p actor.Actor, in NewCreator, audited bool) (*Creator, error) {
	now := s.now()
	langs, _ := json.Marshal(in.Languages)
	c := &Creator{
		ID: store.NewID(), OrgID: p.OrgID, DisplayName: in.DisplayName, NameKey: nameKey(in.DisplayName), Country: in.Country,
		Email: in.Email, Phone: in.Phone, WeChat: in.WeChat, WhatsApp: in.WhatsApp, LanguagesJSON: string(langs),
		Status: in.Status, AgencyID: in.AgencyID, OwnerID: in.OwnerID, PayoutCurrency: in.PayoutCurrency,
		PayoutMethod: in.PayoutMethod, PayoutAccount: in.PayoutAccount, PayoutHolder: in.PayoutHolder,
		DefaultRateBps: in.DefaultRateBps, Notes: in.Notes, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
		return nil, err
	}
	if err := recordTerms(ctx, tx, c, now); err != nil {
		return nil, err
	}
	if err := setTags(ctx, tx, c, in.Tags); err != nil {
		return nil, err
	}
	if audited {
		if err := audit.Record(ctx, tx, now, p, "creator.create", "creator", c.ID, map[string]any{"display_name": c.DisplayName}); err != nil {
			return nil, err
		}
	}
	added := make([]map[string]any, len(in.Accounts))
	for i := range in.Accounts {
		a, err := s.writeAccount(ctx, tx, p, c, in.Accounts[i], fmt.Sprintf("accounts[%d].", i), audited)
		if err != nil {
			return nil, err
		}
		added[i] = accountAdded(a)
	}
	// One event tells the creation and the accounts it came with (an account added later has an
	// event of its own).
	if err := s.event(ctx, tx, p, c.ID, EventCreated, createdEvent(c, added)); err != nil {
		return nil, err
	}
	return c, nil
}

// createdEvent is the data of a creator's created event: its name, its status and the accounts it
// was added with.
func createdEvent(c *Creator, accounts []map[string]any) map[string]any {
	return map[string]any{"display_name": c.DisplayName, "status": c.Status, "accounts": accounts}
}

func nameKey(name string) string { return strings.ToLower(name) }

// setTags replaces c's tags with tags.
func setTags(ctx context.Context, tx bun.IDB, c *Creator, tags []string) error {
	if _, err := tx.NewDelete().Model((*tag)(nil)).Where("org_id = ? AND creator_id = ?", c.OrgID, c.ID).Exec(ctx); err != nil {
		return err
	}
	if len(tags) == 0 {
		return nil
	}
	rows := make([]tag, len(tags))
	for i, t := range tags {
		rows[i] = tag{OrgID: c.OrgID, CreatorID: c.ID, Tag: t, TagKey: tagKey(t), CreatedAt: c.CreatedAt}
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// Get returns one creator of the organization with its accounts, deleted or not.
func (s *Service) Get(ctx context.Context, p actor.Actor, id string) (*Creator, error) {
	c, err := s.creator(ctx, s.db, p.OrgID, id)
	if err != nil {
		return nil, err
	}
	list := []Creator{*c}
	if err := s.hydrate(ctx, p.OrgID, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

func (s *Service) creator(ctx context.Context, db bun.IDB, orgID, id string) (*Creator, error) {
	return store.ByID[Creator](ctx, db, orgID, id, "creator")
}

// liveCreator is creator for writes: the row is locked until tx ends (every change of a creator,
// its tags or its accounts goes through it, so concurrent writes to one creator queue instead of
// losing one another), and a deleted creator must be restored before it changes.
func (s *Service) liveCreator(ctx context.Context, tx bun.Tx, orgID, id string) (*Creator, error) {
	c, err := store.ByIDForUpdate[Creator](ctx, tx, orgID, id, "creator")
	if err != nil {
		return nil, err
	}
	if c.DeletedAt != nil {
		return nil, apperr.Conflict("creator_deleted", fmt.Sprintf("creator %q is deleted; restore it first", c.DisplayName))
	}
	if c.ErasedAt != nil {
		return nil, errErased(c)
	}
	return c, nil
}

// growthWindow is how far from exactly 30 days ago a snapshot may be to count for growth_30d.
const growthWindow = 7

// hydrate fills in the derived fields of creators: languages, tier, tags, accounts with growth, owner
// and agency names, campaigns and clicks. Its lookups cost the same whatever the number of creators,
// and the independent ones (tags; accounts; on PostgreSQL their snapshots, found by the creators'
// ids; names; the activity figures) run side by side on the pool's connections: they are most of a
// list page's time, and one after the other each waited for the last (on PostgreSQL a round trip
// each).
func (s *Service) hydrate(ctx context.Context, orgID string, cs []Creator) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make(store.List, len(cs))
	idx := make(map[string]int, len(cs))
	for i := range cs {
		ids[i] = cs[i].ID
		idx[cs[i].ID] = i
		cs[i].Tier = TierOf(cs[i].MaxFollowers)
		cs[i].Languages = []string{}
		_ = json.Unmarshal([]byte(cs[i].LanguagesJSON), &cs[i].Languages)
		cs[i].Tags = []string{}
		cs[i].Accounts = []Account{}
	}
	var (
		tags   []tag
		accts  []Account
		snaps  []Snapshot
		growth growthDays
		figs   map[string]ActivityFigures
		names  pageNames
	)
	err := concurrently(
		func() error {
			return s.page.tags.Scan(ctx, s.db, &tags, ids, orgID)
		},
		func() error {
			if err := s.page.accounts.Scan(ctx, s.db, &accts, ids, orgID); err != nil || !s.sqlite {
				return err
			}
			// On SQLite a lookup is a call, not a round trip: the snapshots are found by the
			// accounts' own ids, which costs less than finding the accounts again by creator.
			return s.fillGrowth(ctx, orgID, accts)
		},
		func() (err error) {
			if !s.sqlite {
				snaps, growth, err = s.growthSnapshots(ctx, s.page.creatorSnapshots, orgID, ids)
			}
			return err
		},
		func() (err error) {
			names, err = s.pageNames(ctx, orgID, cs)
			return err
		},
		func() (err error) {
			if s.activity != nil {
				figs, err = s.activity.CreatorActivity(ctx, orgID, ids, s.now().AddDate(0, 0, -30))
			}
			return err
		},
	)
	if err != nil {
		return err
	}
	slices.SortFunc(tags, func(a, b tag) int { return strings.Compare(a.Tag, b.Tag) })
	for _, t := range tags {
		cs[idx[t.CreatorID]].Tags = append(cs[idx[t.CreatorID]].Tags, t.Tag)
	}
	names.fill(cs)
	growth.apply(accts, snaps) // PostgreSQL's snapshots; on SQLite fillGrowth did it
	for _, a := range accts {
		cs[idx[a.CreatorID]].Accounts = append(cs[idx[a.CreatorID]].Accounts, a)
	}
	for id, f := range figs {
		if i, ok := idx[id]; ok {
			cs[i].Campaigns, cs[i].Clicks30d = f.Campaigns, f.Clicks
		}
	}
	return nil
}

// concurrently runs fns side by side on the pool's connections and returns the first error.
func concurrently(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// pageNames are the owners' and agencies' names of a page of creators.
type pageNames struct{ owners, agencies map[string]string }

// pageNames looks up the owners' and agencies' names of a page of creators: two lookups by primary
// key (the owners' through the auth package, which owns users).
func (s *Service) pageNames(ctx context.Context, orgID string, cs []Creator) (pageNames, error) {
	var owners, agencies []string
	for i := range cs {
		if id := cs[i].OwnerID; id != nil && !slices.Contains(owners, *id) {
			owners = append(owners, *id)
		}
		if id := cs[i].AgencyID; id != nil && !slices.Contains(agencies, *id) {
			agencies = append(agencies, *id)
		}
	}
	n := pageNames{agencies: map[string]string{}}
	var err error
	if n.owners, err = s.names(ctx, orgID, owners); err != nil {
		return n, err
	}
	if len(agencies) > 0 {
		var rows []Agency
		if err := s.db.NewSelect().Model(&rows).Column("id", "name").Where("ag.org_id = ? AND ag.id IN (?)", orgID, bun.In(agencies)).Scan(ctx); err != nil {
			return n, store.MapError(err)
		}
		for _, r := range rows {
			n.agencies[r.ID] = r.Name
		}
	}
	return n, nil
}

// fill sets the names on the creators.
func (n pageNames) fill(cs []Creator) {
	for i := range cs {
		if id := cs[i].OwnerID; id != nil {
			if v, ok := n.owners[*id]; ok {
				cs[i].OwnerName = &v
			}
		}
		if id := cs[i].AgencyID; id != nil {
			if v, ok := n.agencies[*id]; ok {
				cs[i].AgencyName = &v
			}
		}
	}
}

// growthDays are the days growth_30d is counted against: the day 30 days before the organization's
// today, and the window of growthWindow days either side of it in which a snapshot may stand in.
type growthDays struct{ day, from, to string }

func (s *Service) growthDays(ctx context.Context, orgID string) (growthDays, error) {
	today, err := s.todayDate(ctx, orgID)
	if err != nil {
		return growthDays{}, err
	}
	target := today.AddDate(0, 0, -30)
	return growthDays{
		day:  target.Format(time.DateOnly),
		from: target.AddDate(0, 0, -growthWindow).Format(time.DateOnly),
		to:   target.AddDate(0, 0, growthWindow).Format(time.DateOnly),
	}, nil
}

// growthSnapshots reads, through q (by account ids or by creator ids), the snapshots in g's window.
func (s *Service) growthSnapshots(ctx context.Context, q *store.Prepared, orgID string, ids store.List) ([]Snapshot, growthDays, error) {
	g, err := s.growthDays(ctx, orgID)
	if err != nil {
		return nil, g, err
	}
	var snaps []Snapshot
	if err := q.Scan(ctx, s.db, &snaps, ids, orgID, g.from, g.to); err != nil {
		return nil, g, err
	}
	return snaps, g, nil
}

// fillGrowth sets growth_30d on accts: followers now minus the snapshot nearest to 30 days before
// today (within growthWindow days either side, the earlier one on a tie).
func (s *Service) fillGrowth(ctx context.Context, orgID string, accts []Account) error {
	if len(accts) == 0 {
		return nil
	}
	ids := make(store.List, len(accts))
	for i := range accts {
		ids[i] = accts[i].ID
	}
	snaps, g, err := s.growthSnapshots(ctx, s.page.snapshots, orgID, ids)
	if err != nil {
		return err
	}
	g.apply(accts, snaps)
	return nil
}

// apply sets growth_30d on accts from snaps, ordered by day (any other accounts' are ignored).
func (g growthDays) apply(accts []Account, snaps []Snapshot) {
	day, _ := time.Parse(time.DateOnly, g.day)
	dist := func(d string) time.Duration {
		t, _ := time.Parse(time.DateOnly, d)
		return max(t.Sub(day), day.Sub(t))
	}
	best := map[string]Snapshot{}
	for _, sn := range snaps {
		if b, ok := best[sn.AccountID]; !ok || dist(sn.CapturedOn) < dist(b.CapturedOn) {
			best[sn.AccountID] = sn
		}
	}
	for i := range accts {
		if b, ok := best[accts[i].ID]; ok {
			d := accts[i].Followers - b.Followers
			accts[i].Growth30d = &d
		}
	}
}

// Update changes a creator partially. ifMatch, when given, must be the creator's current version
// (412 otherwise). A status or agency change goes to the timeline.
func (s *Service) Update(ctx context.Context, p actor.Actor, id string, ch Change, ifMatch *int64) (*Creator, error) {
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		_, err := s.update(ctx, tx, p, id, ch, ifMatch, writeAudited)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

// How update writes: with its own audit entry, without (an import records one for the whole
// file), or not at all (a dry run only learns whether anything would change).
type writeMode int

const (
	writeAudited writeMode = iota
	writeQuiet
	writeNothing
)

// notNull is the 422 of a null sent for a field that cannot be empty.
func notNull[T any](f apperr.Fields, field string, n Nullable[T]) {
	f.Check(n.Set && n.Value == nil, field, "must not be null")
}

// update applies ch to a live creator in tx and reports whether anything changed.
func (s *Service) update(ctx context.Context, tx bun.Tx, p actor.Actor, id string, ch Change, ifMatch *int64, mode writeMode) (bool, error) {
	f := apperr.Fields{}
	notNull(f, "display_name", ch.DisplayName)
	notNull(f, "country", ch.Country)
	notNull(f, "status", ch.Status)
	if ch.DisplayName.Value != nil {
		checkName(f, "display_name", ch.DisplayName.Value)
	}
	if ch.Country.Value != nil {
		checkCountry(f, "country", ch.Country.Value)
	}
	if ch.Status.Value != nil {
		checkStatus(f, *ch.Status.Value)
	}
	var langs, tags []string
	if ch.Languages.Set {
		langs = cleanLanguages(f, deref(ch.Languages.Value))
	}
	if ch.Tags.Set {
		tags = cleanTags(f, deref(ch.Tags.Value))
	}
	email, phone, wechat, whatsapp := ch.Email.Value, ch.Phone.Value, ch.WeChat.Value, ch.WhatsApp.Value
	checkContacts(f, &email, &phone, &wechat, &whatsapp)
	currency := checkCurrency(f, ch.PayoutCurrency.Value)
	payMethod, payAccount, payHolder := checkPayout(f, ch.PayoutMethod.Value, ch.PayoutAccount.Value, ch.PayoutHolder.Value)
	checkRate(f, "default_rate_bps", ch.DefaultRateBps.Value)
	var notes *string
	if ch.Notes.Set {
		n := strings.TrimSpace(deref(ch.Notes.Value))
		checkNotes(f, n)
		notes = &n
	}
	agencyID, ownerID := text.Optional(ch.AgencyID.Value), text.Optional(ch.OwnerID.Value)
	changed := map[string]any{}
	err := func() error {
		var c *Creator
		var err error
		if mode == writeNothing {
			c, err = s.creator(ctx, tx, p.OrgID, id) // a dry run reads without locking
		} else {
			c, err = s.liveCreator(ctx, tx, p.OrgID, id)
		}
		if err != nil {
			return err
		}
		if err := checkVersion(ifMatch, c.Version); err != nil {
			return err
		}
		if err := s.checkRefs(ctx, tx, p.OrgID, agencyID, ownerID, f); err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		setStr := func(field string, dst *string, v *string) {
			if v != nil && *v != *dst {
				*dst, changed[field] = *v, *v
			}
		}
		setOpt := func(field string, n bool, dst **string, v *string) {
			if n && !equalPtr(*dst, v) {
				*dst, changed[field] = v, v
			}
		}
		oldStatus := c.Status
		oldAgency, oldRate := c.AgencyID, c.DefaultRateBps
		setStr("display_name", &c.DisplayName, ch.DisplayName.Value)
		setStr("country", &c.Country, ch.Country.Value)
		setStr("status", &c.Status, ch.Status.Value)
		setStr("notes", &c.Notes, notes)
		setOpt("email", ch.Email.Set, &c.Email, email)
		setOpt("phone", ch.Phone.Set, &c.Phone, phone)
		setOpt("wechat", ch.WeChat.Set, &c.WeChat, wechat)
		setOpt("whatsapp", ch.WhatsApp.Set, &c.WhatsApp, whatsapp)
		setOpt("agency_id", ch.AgencyID.Set, &c.AgencyID, agencyID)
		setOpt("owner_id", ch.OwnerID.Set, &c.OwnerID, ownerID)
		setOpt("payout_currency", ch.PayoutCurrency.Set, &c.PayoutCurrency, currency)
		setOpt("payout_method", ch.PayoutMethod.Set, &c.PayoutMethod, payMethod)
		setOpt("payout_account", ch.PayoutAccount.Set, &c.PayoutAccount, payAccount)
		setOpt("payout_holder", ch.PayoutHolder.Set, &c.PayoutHolder, payHolder)
		if ch.DefaultRateBps.Set && !equalPtr(c.DefaultRateBps, ch.DefaultRateBps.Value) {
			c.DefaultRateBps, changed["default_rate_bps"] = ch.DefaultRateBps.Value, ch.DefaultRateBps.Value
		}
		if ch.Languages.Set {
			b, _ := json.Marshal(langs)
			if string(b) != c.LanguagesJSON {
				c.LanguagesJSON, changed["languages"] = string(b), langs
			}
		}
		tagsChanged := false
		if ch.Tags.Set {
			var old []string
			if err := tx.NewSelect().Model((*tag)(nil)).Column("tag").Where("org_id = ? AND creator_id = ?", p.OrgID, c.ID).Scan(ctx, &old); err != nil {
				return err
			}
			slices.Sort(old) // in Go, like sorted: a database collation may order cases otherwise
			sorted := slices.Clone(tags)
			slices.Sort(sorted)
			if !slices.Equal(old, sorted) {
				tagsChanged, changed["tags"] = true, tags
			}
		}
		if len(changed) == 0 || mode == writeNothing {
			return nil
		}
		if tagsChanged {
			if err := setTags(ctx, tx, c, tags); err != nil {
				return err
			}
		}
		c.NameKey = nameKey(c.DisplayName)
		c.UpdatedAt = s.now()
		c.Version++
		if _, err := tx.NewUpdate().Model(c).ExcludeColumn("id", "org_id", "max_followers", "gmv_90d_minor", "created_at", "deleted_at").
			Where("c.org_id = ? AND c.id = ?", p.OrgID, c.ID).Exec(ctx); err != nil {
			return err
		}
		if !equalPtr(oldAgency, c.AgencyID) || !equalPtr(oldRate, c.DefaultRateBps) {
			if err := recordTerms(ctx, tx, c, c.UpdatedAt); err != nil {
				return err
			}
		}
		if c.Status != oldStatus {
			if err := s.event(ctx, tx, p, c.ID, EventStatusChanged, map[string]string{"from": oldStatus, "to": c.Status}); err != nil {
				return err
			}
		}
		if !equalPtr(oldAgency, c.AgencyID) {
			if err := s.event(ctx, tx, p, c.ID, EventAgencyChanged, map[string]*string{"from": oldAgency, "to": c.AgencyID}); err != nil {
				return err
			}
		}
		if mode != writeAudited {
			return nil
		}
		return audit.Record(ctx, tx, c.UpdatedAt, p, "creator.update", "creator", c.ID, changed)
	}()
	return len(changed) > 0, err
}

func deref[T any](v *T) T {
	var zero T
	if v == nil {
		return zero
	}
	return *v
}

func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// Delete hides a creator from lists (a soft delete). Its accounts keep their handles reserved, so a
// restore always succeeds and a handle cannot silently move to another creator.
func (s *Service) Delete(ctx context.Context, p actor.Actor, id string, ifMatch *int64) error {
	return store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		c, err := store.ByIDForUpdate[Creator](ctx, tx, p.OrgID, id, "creator")
		if err != nil {
			return err
		}
		if err := checkVersion(ifMatch, c.Version); err != nil {
			return err
		}
		if c.DeletedAt != nil {
			return nil
		}
		now := s.now()
		if _, err := tx.NewUpdate().Model((*Creator)(nil)).Set("deleted_at = ?", now).Set("updated_at = ?", now).Set("version = version + 1").
			Where("org_id = ? AND id = ?", p.OrgID, id).Exec(ctx); err != nil {
			return err
		}
		if err := s.event(ctx, tx, p, id, EventDeleted, nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "creator.delete", "creator", id, map[string]string{"display_name": c.DisplayName})
	})
}

// Restore undoes Delete.
func (s *Service) Restore(ctx context.Context, p actor.Actor, id string) (*Creator, error) {
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		c, err := store.ByIDForUpdate[Creator](ctx, tx, p.OrgID, id, "creator")
		if err != nil {
			return err
		}
		if c.DeletedAt == nil {
			return nil
		}
		now := s.now()
		if _, err := tx.NewUpdate().Model((*Creator)(nil)).Set("deleted_at = NULL").Set("updated_at = ?", now).Set("version = version + 1").
			Where("org_id = ? AND id = ?", p.OrgID, id).Exec(ctx); err != nil {
			return err
		}
		if err := s.event(ctx, tx, p, id, EventRestored, nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "creator.restore", "creator", id, map[string]string{"display_name": c.DisplayName})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

// TagCount is a tag with how many live creators carry it.
type TagCount struct {
	Tag      string `bun:"tag" json:"tag"`
	Creators int64  `bun:"creators" json:"creators"`
}

// Tags returns the organization's tags, most used first (at most 500), for suggestions and filters.
func (s *Service) Tags(ctx context.Context, p actor.Actor) ([]TagCount, error) {
	out := []TagCount{}
	err := s.db.NewSelect().TableExpr("creator_tags AS t").
		Join("JOIN creators AS c ON c.id = t.creator_id AND c.deleted_at IS NULL").
		// Spellings that differ only in case are one tag, shown as its first spelling.
		ColumnExpr("MIN(t.tag) AS tag, COUNT(*) AS creators").
		Where("t.org_id = ?", p.OrgID).
		GroupExpr("t.tag_key").OrderExpr("creators DESC, MIN(t.tag)").Limit(500).Scan(ctx, &out)
	return out, store.MapError(err)
}
