// Package demo builds a realistic organization for `caravan demo` (and benchmarks that need data): a
// Ningbo home-goods exporter with hundreds of creators on TikTok, YouTube, Instagram and RedNote,
// their follower histories, agencies, products, campaigns with their plans, enrolments, links, promo
// codes and clicks, and months of orders in four currencies with their refunds, FX rates and
// approvals.
//
// It writes nothing itself: every row goes through the domain services, as a seller, finance and the
// shop's order sync would write it, so the ledger, attribution and timelines are exactly what the
// product computes. Data dated in the past is written with a clock.Manual set to that instant (or an
// explicit time where the API takes one); the few past histories no API takes (follower snapshots of
// months, clicks of months) go through the owning packages' demo.go functions.
//
// Everything random comes from one seeded generator, so a seed gives the same organization (but for
// ids and link codes, which the services draw) every run in the same hour: the history ends at the
// last full hour before Options.Now.
package demo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/auth"
	"github.com/caravan-crm/caravan/internal/campaign"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/ledger"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/tracking"
)

// Services are the domain services the demo writes through. Every one of them but Auth must run on
// the Clock given to Run: the demo moves it to the past instant of what it writes.
type Services struct {
	Auth        *auth.Service
	Creators    *creator.Service
	Campaigns   *campaign.Service
	Tracking    *tracking.Service
	Conversions *conversion.Service
	Ledger      *ledger.Service
	// DB, when set, gets its planner statistics refreshed (store.Optimize) after the bulk writes, as
	// the server does every few hours: SQLite keeps none until asked, and without them picks poor
	// indexes on the tables the demo fills from empty.
	DB bun.IDB
}

// Options shape the organization. Zero values take the defaults of `caravan demo`.
type Options struct {
	OrgName  string // default DefaultOrgName
	Email    string // the owner's login; default DefaultEmail
	Password string // default: a random one, returned in Result
	Seed     uint64 // default 1
	Creators int    // default 500
	Orders   int    // default 50,000
	// Clicks is the number of clicks on the creators' links, those that led to an order included
	// (default two per order: far fewer than a real shop sees, but enough for every link to show its
	// traffic, and each costs as much to write as an order's item).
	Clicks int
	// Days is the length of the history, ending at Now (default 183: about six months).
	Days int
	// Now is the present (default the real one): the history ends at the last full hour before it,
	// and the Clock is left at it.
	Now time.Time
	// Progress, when set, is told how far each step has got: step names the step, done of total.
	Progress func(step string, done, total int)
}

// Step names, as Progress reports them.
const (
	StepCreators  = "creators"
	StepHistory   = "follower history"
	StepCampaigns = "campaigns"
	StepFX        = "FX rates"
	StepClicks    = "clicks"
	StepOrders    = "orders"
	StepRefunds   = "refunds"
	StepDecisions = "approvals"
)

// Result is what was created.
type Result struct {
	OrgID, OrgName       string
	Email, Password      string // the owner's login
	Creators, Accounts   int
	Agencies, Snapshots  int
	Products, Campaigns  int
	Enrolments, Links    int
	PromoCodes, Samples  int
	Deliverables, Clicks int
	FXRates              int
	Orders, Unattributed int
	Refunds, Approved    int
	Rejected             int
	// GMV is the orders' net merchandise by currency, and GMVBase all of it in the base currency at
	// each order day's rate.
	GMV         map[string]int64
	GMVBase     int64
	Base        string
	Took        time.Duration
	First, Last time.Time // the first and last order
}

// ErrEmailInUse is returned when the owner's e-mail already signs in to an organization.
var ErrEmailInUse = errors.New("the e-mail already signs in to an organization")

// Run creates the demo organization through svc, moving clk to each past instant it writes at; clk
// must be the clock of every service but Auth.
func Run(ctx context.Context, svc Services, clk *clock.Manual, opt Options) (*Result, error) {
	started := time.Now()
	opt = opt.withDefaults()
	g := &gen{svc: svc, clk: clk, opt: opt, r: mrand.New(mrand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15)),
		res: &Result{GMV: map[string]int64{}, Base: baseCurrency, OrgName: opt.OrgName, Email: opt.Email, Password: opt.Password}}
	loc, err := clock.LoadZone(orgTimezone)
	if err != nil {
		return nil, err
	}
	g.loc = loc
	g.now = opt.Now.UTC().Truncate(time.Hour)
	g.days = opt.Days
	// The window starts at midnight of its first day in the organization's zone.
	first := g.now.In(loc).AddDate(0, 0, -opt.Days)
	g.start = time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, loc).UTC()
	defer clk.Set(opt.Now.UTC())

	steps := []func(context.Context) error{
		g.organization, g.people, g.history, g.catalogue, g.fxRates, g.optimize, g.planOrders, g.clicks, g.ingest, g.refundRest,
		g.decisions, g.creatorGMV, g.optimize,
	}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return g.res, err
		}
		if err := step(ctx); err != nil {
			return g.res, err
		}
	}
	g.res.Took = time.Since(started)
	return g.res, nil
}

func (o Options) withDefaults() Options {
	if o.OrgName == "" {
		o.OrgName = DefaultOrgName
	}
	if o.Email == "" {
		o.Email = DefaultEmail
	}
	if o.Password == "" {
		o.Password = RandomPassword()
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Creators <= 0 {
		o.Creators = 500
	}
	if o.Orders <= 0 {
		o.Orders = 50_000
	}
	if o.Clicks <= 0 {
		o.Clicks = 2 * o.Orders
	}
	if o.Days <= 0 {
		o.Days = 183
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	return o
}

// RandomPassword returns a password of four groups of letters and digits from crypto/rand (never
// the seeded generator: the seed is no secret).
func RandomPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789" // no 0/O, 1/l/I
	const limit = 256 / len(alphabet) * len(alphabet)                           // bytes past it are drawn again: no modulo bias
	var sb strings.Builder
	var b [1]byte
	for n := 0; n < 16; {
		_, _ = rand.Read(b[:]) // never fails (crypto/rand panics rather than return an error)
		if int(b[0]) >= limit {
			continue
		}
		if n > 0 && n%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(alphabet[int(b[0])%len(alphabet)])
		n++
	}
	return sb.String()
}

// gen is one run of the demo.
type gen struct {
	svc  Services
	clk  *clock.Manual
	opt  Options
	r    *mrand.Rand
	res  *Result
	loc  *time.Location
	now  time.Time // the end of the window: the last full hour
	days int
	// start is the first instant of the window.
	start time.Time

	owner actor.Actor // the owner, a person: the seller's and finance's writes
	sync  actor.Actor // the shop's order sync, an API key: orders and refunds

	creators  []*creatorPlan
	agencyIDs []string
	products  []*productRun
	camps     []*campaignRun
	links     []*channel
	codes     []*channel
	orders    []*orderPlan
	refunds   []*refundPlan // not yet recorded, by time
	clickRows []tracking.PastClick
	rates     map[string]map[string]string // currency → day → rate (weekdays only)
}

// at moves the clock to t, never past the end of the window.
func (g *gen) at(t time.Time) {
	if t.After(g.now) {
		t = g.now
	}
	g.clk.Set(t)
}

// day returns the first instant of the window's day d (0 its first) plus an offset.
func (g *gen) day(d int) time.Time {
	return g.start.In(g.loc).AddDate(0, 0, d).UTC()
}

// dayOf is t's day in the organization's zone.
func (g *gen) dayOf(t time.Time) string { return clock.Day(t, g.loc) }

func (g *gen) progress(step string, done, total int) {
	if g.opt.Progress != nil {
		g.opt.Progress(step, done, total)
	}
}

// organization creates the organization, its owner and the shop's API key.
func (g *gen) organization(ctx context.Context) error {
	taken, err := g.svc.Auth.EmailInUse(ctx, g.opt.Email)
	if err != nil {
		return err
	}
	if taken {
		return fmt.Errorf("%w: %s; choose another with --email", ErrEmailInUse, g.opt.Email)
	}
	org, user, err := g.svc.Auth.CreateOrg(ctx, auth.NewOrg{OrgName: g.opt.OrgName, BaseCurrency: baseCurrency, Timezone: orgTimezone,
		Name: DefaultOwner, Email: g.opt.Email, Password: g.opt.Password})
	if err != nil {
		return err
	}
	g.res.OrgID, g.res.Email = org.ID, user.Email
	g.owner = actor.Actor{OrgID: org.ID, Role: actor.RoleOwner, UserID: user.ID, IP: "cli"}
	key, _, err := g.svc.Auth.CreateAPIKey(ctx, g.owner, apiKeyName, actor.RoleManager)
	if err != nil {
		return err
	}
	g.sync = actor.Actor{OrgID: org.ID, Role: actor.RoleManager, APIKeyID: key.ID, IP: "cli"}
	return nil
}

// optimize refreshes the planner's statistics of the tables written so far.
func (g *gen) optimize(ctx context.Context) error {
	if g.svc.DB == nil {
		return nil
	}
	return store.Optimize(ctx, g.svc.DB)
}

// creatorGMV fills the creator list's 90-day GMV from the ledger now, as the server's job would
// within minutes.
func (g *gen) creatorGMV(ctx context.Context) error {
	g.at(g.now)
	totals, err := g.svc.Ledger.TotalsBy(ctx, g.owner.OrgID, ledger.ByCreator, g.now.AddDate(0, 0, -90), g.now.Add(time.Hour))
	if err != nil {
		return err
	}
	gmv := make(map[string]int64, len(totals))
	for id, t := range totals {
		gmv[id] = t.GMVMinor
	}
	_, err = g.svc.Creators.SetGMV90d(ctx, g.owner.OrgID, gmv)
	return err
}

// fail wraps an error of a step with what was being written.
func fail(what string, err error) error {
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		return fmt.Errorf("demo: %s: %w (%v)", what, err, ae.Fields)
	}
	return fmt.Errorf("demo: %s: %w", what, err)
}
