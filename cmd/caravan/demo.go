package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/caravan-crm/caravan/internal/app"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/demo"
	"github.com/caravan-crm/caravan/internal/money"
	"github.com/caravan-crm/caravan/internal/text"
)

// demoCmd runs `caravan demo`: a new organization full of realistic data (internal/demo), written
// through the services like everything else, with its owner's login printed at the end. Each run
// creates another organization; an e-mail that already signs in somewhere is refused.
func demoCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opt := demo.Options{}
	cfg, rest, err := load("demo", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&opt.Email, "email", demo.DefaultEmail, "the owner's e-mail, to sign in with")
		fs.StringVar(&opt.Password, "password", "", "the owner's password (default: a random one, printed at the end)")
		fs.StringVar(&opt.OrgName, "name", demo.DefaultOrgName, "the organization's name")
		fs.Uint64Var(&opt.Seed, "seed", 1, "seed of the random generator: a seed gives the same organization")
		fs.IntVar(&opt.Creators, "creators", 500, "how many creators")
		fs.IntVar(&opt.Orders, "orders", 50_000, "how many orders over the last six months")
	})
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError("caravan demo takes no arguments; see caravan demo -h")
	}
	if opt.Creators < 1 || opt.Orders < 1 {
		return usageError("--creators and --orders must be at least 1")
	}
	// A short batch job: collect garbage less often, trading memory (a few hundred MB) for CPU.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	// The demo's services run on a clock it moves to the past instant of what it writes.
	clk := clock.NewManual(time.Now())
	deps := app.NewDeps(a.Config, a.Log, a.DB, a.Auth, clk)
	defer deps.Tracking.Close(context.WithoutCancel(ctx))
	steps := &demoProgress{w: stderr, bar: newProgressBar(stderr, "")}
	opt.Progress = steps.report
	fmt.Fprintf(stderr, "creating the demo organization %q (%d creators, %d orders)…\n", opt.OrgName, opt.Creators, opt.Orders)
	res, err := demo.Run(ctx, demo.Services{Auth: a.Auth, Creators: deps.Creators, Campaigns: deps.Campaigns, Tracking: deps.Tracking,
		Conversions: deps.Conversions, Ledger: deps.Ledger, DB: a.DB}, clk, opt)
	steps.finish()
	if err != nil {
		if res != nil && res.OrgID != "" && !errors.Is(err, demo.ErrEmailInUse) {
			// %v, not %w: the message says which step failed, which the cause alone would not.
			return fmt.Errorf("%v (the organization %s was left half made)", err, res.OrgID)
		}
		return err
	}
	printDemo(stdout, res, cfg.PublicURL)
	return nil
}

// demoProgress shows each step of the demo: a bar on a terminal, a line when it ends otherwise.
type demoProgress struct {
	w       io.Writer
	bar     *progressBar
	step    string
	done    int
	started time.Time
}

func (p *demoProgress) report(step string, done, total int) {
	if step != p.step {
		p.finish()
		p.step, p.started = step, time.Now()
		p.bar = newProgressBar(p.w, step)
	}
	p.done = done
	p.bar.set(done, total)
}

func (p *demoProgress) finish() {
	if p.step == "" {
		return
	}
	p.bar.finish()
	fmt.Fprintf(p.w, "  %-17s %9s  %s\n", p.step, group(int64(p.done)), time.Since(p.started).Round(100*time.Millisecond))
	p.step = ""
}

func printDemo(w io.Writer, r *demo.Result, publicURL string) {
	var gmv []string
	for _, cur := range []string{"USD", "EUR", "GBP", "JPY"} {
		if v, ok := r.GMV[cur]; ok {
			gmv = append(gmv, cur+" "+amount(v, cur))
		}
	}
	fmt.Fprintf(w, "\nThe demo organization %s (%s) was created in %s:\n", r.OrgName, r.OrgID, r.Took.Round(100*time.Millisecond))
	fmt.Fprintf(w, "  %s creators with %s accounts and %s follower snapshots; %d agencies\n",
		group(int64(r.Creators)), group(int64(r.Accounts)), group(int64(r.Snapshots)), r.Agencies)
	fmt.Fprintf(w, "  %d products; %d campaigns with %s enrolments, %s links, %s promo codes, %s samples and %s posts\n",
		r.Products, r.Campaigns, group(int64(r.Enrolments)), group(int64(r.Links)), group(int64(r.PromoCodes)), group(int64(r.Samples)), group(int64(r.Deliverables)))
	fmt.Fprintf(w, "  %s clicks; %s FX rates\n", group(int64(r.Clicks)), group(int64(r.FXRates)))
	fmt.Fprintf(w, "  %s orders from %s to %s (%s unattributed), %s refunds, %s approved, %s rejected\n",
		group(int64(r.Orders)), r.First.Format(time.DateOnly), r.Last.Format(time.DateOnly), group(int64(r.Unattributed)),
		group(int64(r.Refunds)), group(int64(r.Approved)), group(int64(r.Rejected)))
	fmt.Fprintf(w, "  GMV %s, about %s %s\n", strings.Join(gmv, " + "), r.Base, amount(r.GMVBase, r.Base))
	fmt.Fprintf(w, "\nStart the server (make run, or caravan serve) and sign in at %s with\n  e-mail:   %s\n  password: %s\n",
		publicURL, r.Email, r.Password)
}

// amount writes minor units of currency with thousands separators: 1,234,567.89.
func amount(minor int64, currency string) string {
	s := money.Format(money.Money{Minor: minor, Currency: currency})
	whole, frac, ok := strings.Cut(s, ".")
	n, _ := strconv.ParseInt(whole, 10, 64)
	if ok {
		return group(n) + "." + frac
	}
	return group(n)
}

// group writes n with thousands separators.
func group(n int64) string { return text.Thousands(strconv.FormatInt(n, 10)) }
