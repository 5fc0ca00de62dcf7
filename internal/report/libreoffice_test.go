package report_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// TestLibreOfficeRecomputesTheTotalsToCaravansNumbers strips every formula's cached value from the
// workbook, has LibreOffice (headless, forced to recalculate on load) convert it, and checks each
// totals formula comes back with the number Caravan wrote: the formulas are right, not just their
// cached values. .ci/run installs Debian's libreoffice-calc-nogui.
func TestLibreOfficeRecomputesTheTotalsToCaravansNumbers(t *testing.T) {
	soffice := ""
	for _, name := range []string{"soffice", "libreoffice"} {
		if p, err := exec.LookPath(name); err == nil {
			soffice = p
			break
		}
	}
	if soffice == "" && os.Getenv("CARAVAN_REQUIRE_LIBREOFFICE") != "" { // .ci/run sets it
		t.Fatal("CARAVAN_REQUIRE_LIBREOFFICE is set and LibreOffice is not installed (soffice not on PATH)")
	}
	if soffice == "" {
		t.Skip("LibreOffice is not installed (soffice not on PATH): install libreoffice-calc-nogui to recompute the workbook's formulas")
	}
	m := newMonth(t, storetest.SQLite(t))
	for _, path := range []string{"/api/v1/reports/commissions.xlsx?period=2026-11&lang=zh-CN", "/api/v1/statements/" + m.luna + ".xlsx?period=2026-11"} {
		orig, body := m.download(t, m.fin, path)
		stripped, removed := stripCachedValues(t, body)
		if removed == 0 {
			t.Fatalf("%s: no cached formula value to strip", path)
		}
		got := recalculate(t, soffice, stripped)
		checked := 0
		for _, sh := range orig.GetSheetList() {
			rows := grid(t, orig, sh)
			for r, row := range rows {
				for c := range row {
					cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
					fm, _ := orig.GetCellFormula(sh, cell)
					if fm == "" {
						continue
					}
					want := parse(t, row[c])
					v, err := got.GetCellValue(sh, cell, excelize.Options{RawCellValue: true})
					if err != nil {
						t.Fatalf("%s!%s after LibreOffice: %v", sh, cell, err)
					}
					lo, err := strconv.ParseFloat(v, 64)
					if err != nil || math.Abs(lo-want) > 1e-9*math.Max(1, math.Abs(want)) {
						t.Errorf("%s: %s!%s = %s recomputes to %q, Caravan wrote %v", path, sh, cell, fm, v, want)
					}
					checked++
				}
			}
		}
		if checked != removed {
			t.Errorf("%s: checked %d formulas of %d", path, checked, removed)
		}
		t.Logf("%s: LibreOffice recomputed %d totals formulas to Caravan's numbers", path, checked)
	}
}

// stripCachedValues removes the <v> after every <f> in the worksheets, so a reader can only show a
// total by computing it.
func stripCachedValues(t *testing.T, xlsx []byte) ([]byte, int) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	cached := regexp.MustCompile(`(</f>)<v>[^<]*</v>`)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	removed := 0
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(f.Name, "xl/worksheets/") {
			removed += len(cached.FindAll(b, -1))
			b = cached.ReplaceAll(b, []byte("$1"))
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), removed
}

// recalculate converts xlsx to xlsx with LibreOffice in a profile of its own that recalculates every
// formula on load (OOXMLRecalcMode 0: always), and opens the result.
func recalculate(t *testing.T, soffice string, xlsx []byte) *excelize.File {
	t.Helper()
	dir := t.TempDir()
	in, out, profile := filepath.Join(dir, "in"), filepath.Join(dir, "out"), filepath.Join(dir, "profile")
	for _, d := range []string{in, out, filepath.Join(profile, "user")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	const recalc = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
`
	if err := os.WriteFile(filepath.Join(profile, "user", "registrymodifications.xcu"), []byte(recalc), 0o644); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(in, "book.xlsx")
	if err := os.WriteFile(src, xlsx, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+profile, "--headless", "--norestore", "--nologo",
		"--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", out, src)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	f, err := excelize.OpenFile(filepath.Join(out, "book.xlsx"))
	if err != nil {
		t.Fatalf("LibreOffice's workbook: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}
