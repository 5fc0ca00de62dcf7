package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/app"
	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/sheet"
)

const importUsage = "usage: caravan import creators|orders --org ORG_ID [--dry-run] FILE (orders also take [--timezone ZONE] [--currency CUR])"

// importCmd runs `caravan import creators FILE` and `caravan import orders FILE`: the same rules as
// the HTTP imports (all or nothing, every problem by row and column, in row then column order), with
// a progress bar while the rows are written when standard error is a terminal. A dry run reports
// what the API's does: the counts and every problem.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(importUsage)
	}
	switch args[0] {
	case "creators":
		return importCreators(ctx, args[1:], stdout, stderr)
	case "orders":
		return importOrders(ctx, args[1:], stdout, stderr)
	}
	return errors.New(importUsage)
}

// importRun is what both imports share: the organization acted for, the file, the app and the
// progress bar.
type importRun struct {
	org    string
	dryRun bool
	path   string
	file   *os.File
	size   int64
	app    *app.App
	actor  actor.Actor
	start  time.Time
	bar    *progressBar
	stderr io.Writer
}

// openImport reads the command line of `caravan import KIND` (extra adds KIND's own flags), opens
// the file and the app, and checks the organization. close releases them.
func openImport(ctx context.Context, kind string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (*importRun, error) {
	r := &importRun{stderr: stderr}
	cfg, rest, err := load("import "+kind, args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&r.org, "org", "", "organization id (required)")
		fs.BoolVar(&r.dryRun, "dry-run", false, "check the file and count what would change; write nothing")
		if extra != nil {
			extra(fs)
		}
	})
	if err != nil {
		return nil, err
	}
	if len(rest) != 1 || r.org == "" {
		return nil, errors.New(importUsage)
	}
	r.path = rest[0]
	if r.file, err = os.Open(r.path); err != nil {
		return nil, err
	}
	st, err := r.file.Stat()
	if err != nil {
		r.file.Close()
		return nil, err
	}
	r.size = st.Size()
	if r.app, err = openApp(ctx, cfg); err != nil {
		r.file.Close()
		return nil, err
	}
	if _, err := r.app.Auth.Org(ctx, r.org); err != nil {
		r.close()
		return nil, err
	}
	r.actor = actor.Actor{OrgID: r.org, Role: actor.RoleOwner, IP: "cli"}
	r.bar = newProgressBar(stderr, kind)
	r.start = time.Now()
	return r, nil
}

func (r *importRun) close() {
	r.bar.finish()
	r.app.Close()
	r.file.Close()
}

// problems prints the file's problems to standard error in row then column order, and returns how
// many there were.
func (r *importRun) problems(errs []sheet.CellError) int {
	problems := slices.Clone(errs)
	slices.SortStableFunc(problems, func(a, b sheet.CellError) int {
		return cmp.Or(cmp.Compare(a.Row, b.Row), cmp.Compare(a.Column, b.Column))
	})
	for _, e := range problems {
		fmt.Fprintf(r.stderr, "row %d, column %s: %s\n", e.Row, e.Column, e.Message)
	}
	return len(problems)
}

// failed is the error of a file with problems: nothing was (or would be) imported.
func (r *importRun) failed(n int) error {
	if r.dryRun {
		return fmt.Errorf("%d problems in %s: fix them before importing", n, r.path)
	}
	return fmt.Errorf("%d problems in %s; nothing was imported", n, r.path)
}

func importCreators(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	r, err := openImport(ctx, "creators", args, stderr, nil)
	if err != nil {
		return err
	}
	defer r.close()
	res, err := r.app.Deps.Creators.Import(ctx, r.actor, r.file, r.size, r.path, r.dryRun, r.bar.set)
	r.bar.finish()
	if err != nil {
		return err
	}
	n := r.problems(res.Errors)
	if r.dryRun {
		fmt.Fprintf(stdout, "dry run of %s, nothing written: %d rows; %d creators would be created, %d updated, %d skipped (unchanged); %d problems\n",
			r.path, res.Rows, res.Created, res.Updated, res.Skipped, n)
	}
	if n > 0 {
		return r.failed(n)
	}
	if !r.dryRun {
		fmt.Fprintf(stdout, "imported %d rows in %s: %d creators created, %d updated, %d skipped (unchanged)\n",
			res.Rows, time.Since(r.start).Round(time.Millisecond), res.Created, res.Updated, res.Skipped)
	}
	return nil
}

// importOrders runs `caravan import orders FILE`: an order file (the generic layout, or TikTok
// Shop's orders or affiliate export) read as POST /api/v1/conversions/import reads it. An order
// already stored is completed (an attribution, a larger refund: updated) or left as it is
// (skipped), so importing a file twice adds nothing.
func importOrders(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var opt conversion.ImportOptions
	r, err := openImport(ctx, "orders", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&opt.Timezone, "timezone", "", "IANA zone of the file's times that carry none (default: the organization's)")
		fs.StringVar(&opt.Currency, "currency", "", "currency of a file without a Currency column (default: the organization's base currency)")
	})
	if err != nil {
		return err
	}
	defer r.close()
	opt.DryRun = r.dryRun
	res, err := r.app.Deps.Conversions.Import(ctx, r.actor, r.file, r.size, r.path, opt, r.bar.set)
	r.bar.finish()
	if err != nil {
		return err
	}
	n := r.problems(res.Errors)
	created := "created"
	if r.dryRun {
		created = "would be created"
	}
	counts := fmt.Sprintf("%d rows, %d orders; %d %s, %d updated, %d skipped (already stored); %d unattributed",
		res.Rows, res.Orders, res.Created, created, res.Updated, res.Skipped, res.Unattributed)
	switch {
	case r.dryRun:
		fmt.Fprintf(stdout, "dry run of %s (%s layout), nothing written: %s; %d problems\n", r.path, res.Layout, counts, n)
	case n == 0:
		fmt.Fprintf(stdout, "imported %s (%s layout) in %s: %s\n", r.path, res.Layout, time.Since(r.start).Round(time.Millisecond), counts)
	default:
		fmt.Fprintf(stdout, "%s (%s layout), nothing written: %d rows, %d orders; %d problems\n", r.path, res.Layout, res.Rows, res.Orders, n)
	}
	if n > 0 {
		return r.failed(n)
	}
	return nil
}

// progressBar draws a bar on standard error when it is a terminal, and nothing otherwise.
type progressBar struct {
	w           io.Writer
	description string
	bar         *progressbar.ProgressBar
	on          bool
}

func newProgressBar(w io.Writer, description string) *progressBar {
	return &progressBar{w: w, description: description, on: isTerminal(w)}
}

// set shows done of total (an ImportProgress).
func (p *progressBar) set(done, total int) {
	if !p.on {
		return
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription(p.description),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
	}
	if p.bar.GetMax() != total {
		p.bar.ChangeMax(total)
	}
	_ = p.bar.Set(done)
}

// finish clears the bar; set draws a new one afterwards.
func (p *progressBar) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
}
