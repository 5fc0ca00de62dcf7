package auth

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCommonPasswordListIsSortedLowerCaseAndSmall(t *testing.T) {
	if len(commonPasswordsFile) > 1<<20 {
		t.Fatalf("the embedded list is %d bytes, keep it under 1 MiB", len(commonPasswordsFile))
	}
	lines := strings.Split(strings.TrimSuffix(commonPasswordsFile, "\n"), "\n")
	if len(lines) < 50000 {
		t.Fatalf("only %d passwords", len(lines))
	}
	for i, l := range lines {
		if l != strings.ToLower(l) || l != strings.TrimSpace(l) || utf8.RuneCountInString(l) < floorPasswordLength {
			t.Fatalf("line %d %q: must be lower case, trimmed and at least %d characters", i+1, l, floorPasswordLength)
		}
		if i > 0 && lines[i-1] >= l {
			t.Fatalf("line %d %q: not sorted or repeated (binary search needs both)", i+1, l)
		}
	}
}

func TestPasswordRules(t *testing.T) {
	cases := []struct {
		pw   string
		min  int
		want string
	}{
		{"12345678", 10, CodePasswordTooShort},
		{"12345678", 8, CodePasswordCommon},
		{"PASSWORD", 8, CodePasswordCommon},
		{"Password123", 10, CodePasswordCommon},
		{" qwertyuiop ", 10, CodePasswordCommon},
		{strings.Repeat(" ", 12), 10, CodePasswordCommon},
		{"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6", 10, CodePasswordInvalid},
		{strings.Repeat("x", 257), 10, CodePasswordTooLong},
		{"长城长城长城长城长城", 10, ""},
		{"tidal lantern 42", 10, ""},
	}
	for _, c := range cases {
		if got := checkPassword(c.pw, c.min); got != c.want {
			t.Errorf("%q (min %d): %q, want %q", c.pw, c.min, got, c.want)
		}
	}
}
