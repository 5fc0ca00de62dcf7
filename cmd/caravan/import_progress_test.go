package main

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// TestImportOrdersDrawsAProgressBarOnATerminal: when standard error is a terminal, `caravan import
// orders` draws a bar (its description, a count of orders written out of the file's, redrawn in
// place with carriage returns) while it writes, and the summary still goes to standard output. A dry
// run writes nothing, so it draws none.
func TestImportOrdersDrawsAProgressBarOnATerminal(t *testing.T) {
	url := storetest.URLs(t)["sqlite"]
	db := []string{"--database-url", url, "--log-level", "error"}
	out, err := runCmd(t, "a long password\n", append([]string{"org", "create", "--name", "宁波出口", "--owner-email", "boss@nb.example"}, db...)...)
	if err != nil {
		t.Fatal(out, err)
	}
	org := regexp.MustCompile(`\(([0-9a-f-]{36})\) created`).FindStringSubmatch(out)[1]
	// More orders than one step of the progress (500), so the bar moves at least twice.
	rows := [][]string{{"Order ID", "Order Date", "Currency", "Amount", "SKU", "Quantity"}}
	for i := range 700 {
		rows = append(rows, []string{fmt.Sprintf("PB%04d", i), "2026-11-20 14:30:00", "USD", "19.99", "SY-LMP-001", "1"})
	}
	orders := writeCSV(t, rows...)

	orig := isTerminal
	isTerminal = func(any) bool { return true }
	defer func() { isTerminal = orig }()
	cmd := func(args ...string) (string, string, error) {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), append(append([]string{"import", "orders", "--org", org}, args...), db...), strings.NewReader(""), &stdout, &stderr)
		return stdout.String(), stderr.String(), err
	}

	stdout, stderr, err := cmd("--dry-run", orders)
	if err != nil || !strings.Contains(stdout, "700 would be created") {
		t.Fatalf("dry run: %v\n%s%s", err, stdout, stderr)
	}
	if stderr != "" {
		t.Fatalf("a dry run drew a bar: %q", stderr)
	}
	stdout, stderr, err = cmd(orders)
	if err != nil || !strings.Contains(stdout, "700 rows, 700 orders; 700 created") {
		t.Fatalf("import: %v\n%s%s", err, stdout, stderr)
	}
	if !strings.Contains(stderr, "orders") || !strings.Contains(stderr, "\r") || !strings.Contains(stderr, "/700") {
		t.Fatalf("no progress bar on a terminal: %q", stderr)
	}
	if strings.Contains(stdout, "\r") {
		t.Fatalf("the bar went to standard output: %q", stdout)
	}
}
