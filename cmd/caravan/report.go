package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/ledger"
	"github.com/caravan-crm/caravan/internal/report"
)

// reportCmd runs `caravan report commissions`: the finance workbook of a period (or of from/to days
// in the organization's time zone), the same file as GET /api/v1/reports/commissions.xlsx, written
// to FILE, with a progress bar of the entries written when standard error is a terminal. The file
// appears complete or not at all (written next to FILE, then renamed), readable by its owner only:
// it holds every creator's earnings.
func reportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "usage: caravan report commissions --org ORG_ID (--period YYYY-MM | --from YYYY-MM-DD --to YYYY-MM-DD) [--lang en|zh-CN] --out FILE"
	if len(args) == 0 || args[0] != "commissions" {
		return usageError(usage)
	}
	var orgID, period, from, to, lang, out string
	cfg, rest, err := load("report commissions", args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&orgID, "org", "", "organization id (required)")
		fs.StringVar(&period, "period", "", "the month YYYY-MM")
		fs.StringVar(&from, "from", "", "instead of --period: the first day YYYY-MM-DD")
		fs.StringVar(&to, "to", "", "with --from: the last day YYYY-MM-DD")
		fs.StringVar(&lang, "lang", report.LangEN, "en or zh-CN")
		fs.StringVar(&out, "out", "", "the .xlsx file to write (required)")
	})
	if err != nil {
		return err
	}
	if len(rest) != 0 || orgID == "" || out == "" {
		return usageError(usage)
	}
	if lang, err = report.ParseLang(lang, "", report.LangEN); err != nil {
		return err
	}
	req := report.Request{Range: ledger.Range{Period: period, From: from, To: to}, Lang: lang}
	if err := req.Range.Validate(); err != nil {
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

	tmp, err := os.CreateTemp(filepath.Dir(out), ".caravan-report-*.xlsx")
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	var bar *progressbar.ProgressBar
	var entries int64
	progress := func(n, total int64) {
		entries = n
		if !isTerminal(stderr) || total == 0 {
			return
		}
		if bar == nil {
			bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("entries"),
				progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		}
		bar.ChangeMax64(total)
		_ = bar.Set64(n)
	}
	start := time.Now()
	w := bufio.NewWriterSize(tmp, 1<<20)
	p := actor.Actor{OrgID: orgID, Role: actor.RoleOwner, IP: "cli"}
	err = a.Deps.Reports.Commissions(ctx, p, req, w, progress)
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	done = true
	st, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d ledger entries, %d bytes, in %s\n", out, entries, st.Size(), time.Since(start).Round(time.Millisecond))
	return nil
}
