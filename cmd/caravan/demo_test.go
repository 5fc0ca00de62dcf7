package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/caravan-crm/caravan/internal/store/storetest"
)

func TestDemoPrintsTheLoginAndRefusesAnEmailThatSignsInAlready(t *testing.T) {
	url := storetest.URLs(t)["sqlite"]
	args := []string{"demo", "--creators", "12", "--orders", "150", "--email", "demo@nb.example", "--password", "a long demo password",
		"--database-url", url, "--log-level", "error"}
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatal(err, stderr.String())
	}
	for _, want := range []string{"12 creators", "150 orders", "e-mail:   demo@nb.example", "password: a long demo password"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the summary lacks %q:\n%s", want, stdout.String())
		}
	}
	// Not a terminal: a line per step, no bar.
	if !strings.Contains(stderr.String(), "orders") || strings.Contains(stderr.String(), "\r") {
		t.Errorf("progress on a pipe:\n%q", stderr.String())
	}
	stdout.Reset()
	err := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "demo@nb.example") || !strings.Contains(err.Error(), "--email") {
		t.Fatalf("a second demo with the same e-mail: %v (exit %d)", err, exitCode(err))
	}
}
