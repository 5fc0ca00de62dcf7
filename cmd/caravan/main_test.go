package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/caravan-crm/caravan/internal/store/storetest"
)

func runCmd(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String() + errb.String(), err
}

func TestCommandsWorkOnBothDatabases(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			db := []string{"--database-url", url, "--log-level", "error"}
			out, err := runCmd(t, "", append([]string{"migrate", "up"}, db...)...)
			if err != nil || !strings.Contains(out, "up:") {
				t.Fatalf("migrate up: %v %s", err, out)
			}
			out, err = runCmd(t, "", append([]string{"migrate", "status"}, db...)...)
			if err != nil || !strings.Contains(out, "applied") {
				t.Fatalf("migrate status: %v %s", err, out)
			}

			out, err = runCmd(t, "a long password\n", append([]string{"org", "create", "--name", "宁波出口", "--owner-email", "boss@nb.example"}, db...)...)
			if err != nil {
				t.Fatalf("org create: %v %s", err, out)
			}
			m := regexp.MustCompile(`organization .* \(([0-9a-f-]{36})\) created`).FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("org create printed %q", out)
			}
			out, err = runCmd(t, "another password\n", append([]string{"user", "create", "--org", m[1], "--email", "cw@nb.example", "--name", "财务", "--role", "finance"}, db...)...)
			if err != nil || !strings.Contains(out, "role finance") {
				t.Fatalf("user create: %v %s", err, out)
			}
			// The same e-mail twice, a bad role, no password, an unknown org: clear errors.
			for _, c := range []struct {
				stdin string
				args  []string
				want  string
			}{
				{"a long password\n", []string{"user", "create", "--org", m[1], "--email", "cw@nb.example", "--name", "X"}, "email"},
				{"a long password\n", []string{"user", "create", "--org", m[1], "--email", "x@nb.example", "--name", "X", "--role", "king"}, "role"},
				{"", []string{"user", "create", "--org", m[1], "--email", "y@nb.example", "--name", "Y"}, "password"},
				{"a long password\n", []string{"user", "create", "--org", "nope", "--email", "z@nb.example", "--name", "Z"}, "not found"},
				{"a long password\n", []string{"org", "create", "--name", "X", "--owner-email", "o@x.example", "--base-currency", "XYZ"}, "base_currency"},
			} {
				_, err := runCmd(t, c.stdin, append(c.args, db...)...)
				if err == nil || !strings.Contains(describe(err), c.want) {
					t.Errorf("%v: err %v, want it to mention %q", c.args, err, c.want)
				}
			}
			if out, err := runCmd(t, "", append([]string{"keys", "rotate"}, db...)...); err != nil {
				t.Fatalf("keys rotate: %v %s", err, out)
			}
			if out, err := runCmd(t, "", append([]string{"migrate", "down"}, db...)...); err != nil || !strings.Contains(out, "down:") {
				t.Fatalf("migrate down: %v %s", err, out)
			}
		})
	}
}

func TestVersionHelpAndUnknownCommands(t *testing.T) {
	if out, err := runCmd(t, "", "version"); err != nil || !strings.HasPrefix(out, "caravan ") {
		t.Fatal(out, err)
	}
	if out, err := runCmd(t, "", "help"); err != nil || !strings.Contains(out, "migrate up|down|status") {
		t.Fatal(out, err)
	}
	if _, err := runCmd(t, "", "frobnicate"); err == nil {
		t.Fatal("unknown command accepted")
	}
	if _, err := runCmd(t, "", "serve", "--database-url", "mysql://x"); err == nil || !strings.Contains(err.Error(), "sqlite: or postgres://") {
		t.Fatalf("bad config: %v", err)
	}
	dir := t.TempDir()
	if _, err := runCmd(t, "", "migrate", "sideways", "--database-url", "sqlite:"+filepath.Join(dir, "x.db")); err == nil {
		t.Fatal("unknown migrate action accepted")
	}
}
