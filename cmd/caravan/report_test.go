package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/caravan-crm/caravan/internal/store/storetest"
)

func TestReportCommissionsWritesTheWorkbookWhole(t *testing.T) {
	url := storetest.URLs(t)["sqlite"]
	db := []string{"--database-url", url, "--log-level", "error"}
	out, err := runCmd(t, "a long password\n", append([]string{"org", "create", "--name", "宁波出口", "--owner-email", "boss@nb.example"}, db...)...)
	if err != nil {
		t.Fatal(out, err)
	}
	org := regexp.MustCompile(`\(([0-9a-f-]{36})\) created`).FindStringSubmatch(out)[1]
	dir := t.TempDir()
	file := filepath.Join(dir, "佣金-2026-11.xlsx")

	var stdout, stderr bytes.Buffer
	args := append([]string{"report", "commissions", "--org", org, "--period", "2026-11", "--lang", "zh-CN", "--out", file}, db...)
	if err := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatal(err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "wrote "+file+": 0 ledger entries") || stderr.Len() != 0 {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
	f, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"封面", "汇总", "明细", "按活动", "按平台", "按机构", "汇率"}) {
		t.Errorf("sheets = %v", got)
	}
	if v, _ := f.GetCellValue("封面", "B2"); v != "宁波出口" {
		t.Errorf("cover B2 = %q", v)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the workbook's mode = %v (%v), want 0600: it holds every creator's earnings", st.Mode(), err)
	}

	// Refused before anything is written: a bad period, an unknown organization, a missing --out.
	for _, c := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"report", "commissions", "--org", org, "--period", "2026-13", "--out", filepath.Join(dir, "x.xlsx")}, "period", 1},
		{[]string{"report", "commissions", "--org", "nope", "--period", "2026-11", "--out", filepath.Join(dir, "x.xlsx")}, "not found", 1},
		{[]string{"report", "commissions", "--org", org, "--period", "2026-11", "--lang", "fr", "--out", filepath.Join(dir, "x.xlsx")}, "lang", 1},
		{[]string{"report", "commissions", "--org", org, "--period", "2026-11"}, "usage", 2},
		{[]string{"report", "payouts"}, "usage", 2},
	} {
		_, err := runCmd(t, "", append(c.args, db...)...)
		if err == nil || !strings.Contains(describe(err), c.want) || exitCode(err) != c.code {
			t.Errorf("%v: err %v (exit %d), want %q and exit %d", c.args, err, exitCode(err), c.want, c.code)
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(left) != 1 {
		t.Errorf("files left in the directory: %v", left)
	}
}
