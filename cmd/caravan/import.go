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
	"github.com/caravan-crm/caravan/internal/sheet"
)

// importCmd runs `caravan import creators FILE`: the same rules as the HTTP import (all or nothing,
// every problem by row and column, in row then column order), with a progress bar while the
// creators are written when standard error is a terminal. A dry run reports what the API's does:
// rows, created, updated, skipped and every problem.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "usage: caravan import creators --org ORG_ID [--dry-run] FILE"
	if len(args) == 0 || args[0] != "creators" {
		return errors.New(usage)
	}
	var orgID string
	var dryRun bool
	cfg, rest, err := load("import creators", args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&orgID, "org", "", "organization id (required)")
		fs.BoolVar(&dryRun, "dry-run", false, "check the file and count what would change; write nothing")
	})
	if err != nil {
		return err
	}
	if len(rest) != 1 || orgID == "" {
		return errors.New(usage)
	}
	f, err := os.Open(rest[0])
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.Auth.Org(ctx, orgID); err != nil {
		return err
	}
	var bar *progressbar.ProgressBar
	var progress func(done, total int)
	if isTerminal(stderr) {
		progress = func(done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("creators"),
					progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
			}
			_ = bar.Set(done)
		}
	}
	start := time.Now()
	p := actor.Actor{OrgID: orgID, Role: actor.RoleOwner, IP: "cli"}
	res, err := a.Deps.Creators.Import(ctx, p, f, st.Size(), rest[0], dryRun, progress)
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		return err
	}
	problems := slices.Clone(res.Errors)
	slices.SortStableFunc(problems, func(a, b sheet.CellError) int {
		return cmp.Or(cmp.Compare(a.Row, b.Row), cmp.Compare(a.Column, b.Column))
	})
	for _, e := range problems {
		fmt.Fprintf(stderr, "row %d, column %s: %s\n", e.Row, e.Column, e.Message)
	}
	if dryRun {
		fmt.Fprintf(stdout, "dry run of %s, nothing written: %d rows; %d creators would be created, %d updated, %d skipped (unchanged); %d problems\n",
			rest[0], res.Rows, res.Created, res.Updated, res.Skipped, len(problems))
		if len(problems) > 0 {
			return fmt.Errorf("%d problems in %s: fix them before importing", len(problems), rest[0])
		}
		return nil
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d problems in %s; nothing was imported", len(problems), rest[0])
	}
	fmt.Fprintf(stdout, "imported %d rows in %s: %d creators created, %d updated, %d skipped (unchanged)\n",
		res.Rows, time.Since(start).Round(time.Millisecond), res.Created, res.Updated, res.Skipped)
	return nil
}
