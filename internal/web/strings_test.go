package web

import (
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

// checkStrings answers every valid JSON body as reading each of its strings does: the pass over the
// bytes that lets most bodies through never lets through one that holds a refused character.
func FuzzCheckStringsAnswersAsReadingEveryString(f *testing.F) {
	for _, s := range []string{
		`{"a":"b"}`, `{"notes":"a\u0000b"}`, `{"tags":["a\u0007"]}`, `{"t":"line 1\n\tline 2\r"}`,
		`{"t":"\\u0000 is written, not held"}`, `{"t":"\\\\b"}`, `{"t":"a\\"}`, `{"t":"\b"}`, `{"t":"\f"}`,
		`{"t":"\u007f"}`, "{\"t\":\"\x7f\"}", `{"t":"\u00e9\u4e2d"}`, `{"\u0001":1}`, `["\/", "\""]`, `"\\\u0000"`,
		`[1, 2.5e3, true, null, {"k": []}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !jsontext.Value(body).IsValid() {
			return // Bind refuses it before
		}
		fast, full := checkStrings(body), scanStrings(body)
		if (fast == nil) != (full == nil) {
			t.Errorf("%q: checkStrings %v, reading every string %v", body, fast, full)
		}
	})
}
