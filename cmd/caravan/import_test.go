package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/caravan-crm/caravan/internal/store/storetest"
)

func TestImportOrdersCountsWhatItDidAndASecondRunChangesNothing(t *testing.T) {
	url := storetest.URLs(t)["sqlite"]
	db := []string{"--database-url", url, "--log-level", "error"}
	out, err := runCmd(t, "a long password\n", append([]string{"org", "create", "--name", "宁波出口", "--owner-email", "boss@nb.example"}, db...)...)
	if err != nil {
		t.Fatal(out, err)
	}
	org := regexp.MustCompile(`\(([0-9a-f-]{36})\) created`).FindStringSubmatch(out)[1]
	creators := writeCSV(t, []string{"Display Name", "Country", "Platform", "Handle"},
		[]string{"Emma Johnson", "US", "tiktok", "@emma.home"},
		[]string{"Lena Müller", "DE", "instagram", "@lena.wohnt"})
	if out, err := runCmd(t, "", append([]string{"import", "creators", "--org", org, creators}, db...)...); err != nil {
		t.Fatal(out, err)
	}
	cmd := func(args ...string) (string, string, error) {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), append(append([]string{"import", "orders", "--org", org}, args...), db...), strings.NewReader(""), &stdout, &stderr)
		return stdout.String(), stderr.String(), err
	}

	// Four orders in five rows (SY1002 has two SKU lines): two brought by a creator's handle, two by nobody.
	orders := writeCSV(t, []string{"Order ID", "Order Date", "Currency", "Amount", "Platform", "Handle", "SKU", "Quantity", "Refunded"},
		[]string{"SY1001", "2026-11-20 14:30:00", "USD", "59.99", "TikTok", "@emma.home", "SY-LMP-001", "1", ""},
		[]string{"SY1002", "2026-11-21 09:05:00", "EUR", "29.99", "Instagram", "lena.wohnt", "SY-VAS-101", "1", "10.00"},
		[]string{"SY1002", "2026-11-21 09:05:00", "EUR", "45.98", "Instagram", "lena.wohnt", "SY-CER-201", "2", "10.00"},
		[]string{"SY1003", "2026-11-22 20:00:00", "GBP", "15.99", "", "", "SY-TEX-404", "1", ""},
		[]string{"SY1004", "2026-11-23 08:00:00", "USD", "21.99", "", "", "SY-DEC-502", "1", ""})

	stdout, stderr, err := cmd("--dry-run", orders)
	if err != nil || !strings.Contains(stdout, "nothing written: 5 rows, 4 orders; 4 would be created, 0 updated, 0 skipped (already stored); 2 unattributed; 0 problems") {
		t.Fatalf("dry run: %v\n%s%s", err, stdout, stderr)
	}
	stdout, stderr, err = cmd(orders)
	if err != nil || !strings.Contains(stdout, "(generic layout)") || !strings.Contains(stdout, "5 rows, 4 orders; 4 created, 0 updated, 0 skipped (already stored); 2 unattributed") {
		t.Fatalf("import: %v\n%s%s", err, stdout, stderr)
	}
	if stderr != "" {
		t.Fatalf("a progress bar or problems on a pipe: %q", stderr)
	}
	// The same file again: every order is stored already, with its refund; nothing changes.
	stdout, stderr, err = cmd(orders)
	if err != nil || !strings.Contains(stdout, "0 created, 0 updated, 4 skipped (already stored)") {
		t.Fatalf("second import: %v\n%s%s", err, stdout, stderr)
	}

	// A file with problems: each by row and column, a failure, and nothing written.
	bad := writeCSV(t, []string{"Order ID", "Order Date", "Currency", "Amount", "Platform", "Handle"},
		[]string{"SY2001", "2026-11-24 10:00:00", "USD", "12.50", "", ""},
		[]string{"SY2002", "yesterday", "USD", "lots", "", ""},
		[]string{"SY2003", "2026-11-24 11:00:00", "USD", "9.99", "", "@nobody"})
	stdout, stderr, err = cmd(bad)
	if err == nil || exitCode(err) == 0 || !strings.Contains(err.Error(), "nothing was imported") {
		t.Fatalf("a file with problems: %v (exit %d)\n%s", err, exitCode(err), stdout)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "row 3, column ") || !strings.HasPrefix(lines[len(lines)-1], "row 4, column Handle: ") {
		t.Fatalf("problems by row and column:\n%s", stderr)
	}
	stdout, stderr, err = cmd("--dry-run", orders)
	if err != nil || !strings.Contains(stdout, "0 would be created, 0 updated, 4 skipped") {
		t.Fatalf("after the failed import: %v\n%s%s", err, stdout, stderr)
	}
	if _, _, err := cmd("--timezone", "Mars/Olympus", orders); err == nil || !strings.Contains(describe(err), "timezone") {
		t.Fatalf("a bad --timezone: %v", err)
	}
}
