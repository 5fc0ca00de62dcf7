// Package text is a leaf: checks on the free text people type (names, notes) that refuse what would
// make it display as something else — bidirectional overrides that reorder what follows, and control
// characters that terminals, spreadsheets and logs interpret.
package text

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Message is the field error of every refused text: apperr gives it the stable code
// invalid_characters, which the UI translates.
const Message = "must not contain control characters or bidirectional overrides"

// Error says which character made a text unacceptable. Its message is Message, ready for a field
// error (f.Add(field, err.Error())); Detail names the character for logs and tests.
type Error struct {
	Rune   rune // utf8.RuneError for invalid UTF-8
	Offset int  // byte offset of the character in the text
	Reason string
}

func (e *Error) Error() string { return Message }

// Detail says which character was refused, and why.
func (e *Error) Detail() string {
	if e.Reason == "" {
		return fmt.Sprintf("invalid UTF-8 at byte %d", e.Offset)
	}
	return fmt.Sprintf("%U at byte %d is %s", e.Rune, e.Offset, e.Reason)
}

// CheckName accepts single-line text (display names, agency names, tags): no line breaks, no
// control characters but tab, no bidirectional override, embedding or isolate.
func CheckName(s string) error { return check(s, false) }

// CheckMultiline accepts text that may span lines (notes): like CheckName, but line feeds, and
// carriage returns before a line feed, are allowed.
func CheckMultiline(s string) error { return check(s, true) }

func check(s string, multiline bool) error {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return &Error{Rune: utf8.RuneError, Offset: i} // no Reason: not a character at all
			}
		}
		if reason := refused(r, multiline, s[i:]); reason != "" {
			return &Error{Rune: r, Offset: i, Reason: reason}
		}
	}
	return nil
}

// refused says why r (at the start of rest) is not accepted, "" when it is.
func refused(r rune, multiline bool, rest string) string {
	switch {
	case r == '\t':
		return ""
	case r == '\n' && multiline:
		return ""
	case r == '\r' && multiline && len(rest) > 1 && rest[1] == '\n':
		return ""
	case r == '\n', r == '\r':
		return "a line break"
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		return "a control character"
	case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
		// Embeddings, overrides and isolates reorder the text after them ("txt.exe" shown as
		// "exe.txt"); the plain marks U+200E, U+200F and U+061C stay allowed for Arabic and Hebrew.
		return "a bidirectional control character"
	}
	return ""
}

// Optional trims an optional text; an empty one becomes nil (an absent value).
func Optional(v *string) *string {
	if v == nil {
		return nil
	}
	t := strings.TrimSpace(*v)
	if t == "" {
		return nil
	}
	return &t
}

// Thousands writes an integer's digits (a leading minus allowed) with a comma between each group of
// three, as figures are printed for people: 1234567 → 1,234,567.
func Thousands(digits string) string {
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
