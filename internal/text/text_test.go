package text

import (
	"errors"
	"testing"

	"github.com/caravan-crm/caravan/internal/apperr"
)

func TestNamesRefuseBidiControlsAndControlCharacters(t *testing.T) {
	for _, c := range []struct {
		name, in string
		ok       bool
	}{
		{"plain", "Luna Rivera", true},
		{"Chinese", "李佳琦", true},
		{"Arabic with a right-to-left mark", "ليلى\u200f", true},
		{"emoji with joiner", "Luna 👩\u200d💻", true},
		{"tab", "Luna\tRivera", true},
		{"empty", "", true},
		{"right-to-left override", "\u202eLuna", false},
		{"left-to-right embedding", "Lu\u202ana", false},
		{"pop directional formatting", "Luna\u202c", false},
		{"right-to-left isolate", "\u2067Luna", false},
		{"pop directional isolate", "Luna\u2069", false},
		{"NUL", "Lu\x00na", false},
		{"escape", "\x1b[31mLuna", false},
		{"bell", "Luna\a", false},
		{"delete", "Luna\x7f", false},
		{"C1 control", "Luna\u0085", false},
		{"line feed", "Luna\nRivera", false},
		{"carriage return", "Luna\rRivera", false},
		{"invalid UTF-8", "Lu\xffna", false},
	} {
		if err := CheckName(c.in); (err == nil) != c.ok {
			t.Errorf("%s: CheckName(%q) = %v, want ok %v", c.name, c.in, err, c.ok)
		}
	}
}

func TestNotesMayHoldLineBreaksButNoOtherControls(t *testing.T) {
	for _, c := range []struct {
		name, in string
		ok       bool
	}{
		{"lines", "first line\nsecond line\n", true},
		{"Windows lines", "first line\r\nsecond line", true},
		{"tab", "a\tb", true},
		{"lone carriage return", "first\rsecond", false},
		{"trailing carriage return", "first\r", false},
		{"right-to-left override", "note \u202efdp.exe", false},
		{"first strong isolate", "\u2068note", false},
		{"NUL", "note\x00", false},
		{"vertical tab", "note\vnote", false},
		{"form feed", "note\fnote", false},
	} {
		if err := CheckMultiline(c.in); (err == nil) != c.ok {
			t.Errorf("%s: CheckMultiline(%q) = %v, want ok %v", c.name, c.in, err, c.ok)
		}
	}
}

func TestTheErrorNamesTheCharacterAndWhere(t *testing.T) {
	err := CheckName("ab\u202ec")
	var e *Error
	if !errors.As(err, &e) || e.Rune != 0x202e || e.Offset != 2 {
		t.Fatalf("err = %#v", err)
	}
	if got := err.Error(); got != Message || apperr.FieldCode(got) != "invalid_characters" {
		t.Fatalf("message %q (code %s), want %q", got, apperr.FieldCode(got), Message)
	}
	if got, want := e.Detail(), "U+202E at byte 2 is a bidirectional control character"; got != want {
		t.Fatalf("detail %q, want %q", got, want)
	}
	if !errors.As(CheckName("a\xff"), &e) || e.Detail() != "invalid UTF-8 at byte 1" {
		t.Fatalf("invalid UTF-8: %#v", e)
	}
	if err := CheckName("\u00a0Luna"); err != nil { // a no-break space is text, not a control
		t.Fatalf("no-break space refused: %v", err)
	}
}

func TestThousandsGroupsDigitsByThree(t *testing.T) {
	for in, want := range map[string]string{"0": "0", "999": "999", "1000": "1,000", "-1234567": "-1,234,567", "100000": "100,000"} {
		if got := Thousands(in); got != want {
			t.Errorf("Thousands(%q) = %q, want %q", in, got, want)
		}
	}
}
