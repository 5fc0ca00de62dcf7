package tracking

import (
	"crypto/hmac"
	"crypto/sha256"
	"testing"
	"time"
)

// The flusher reuses one keyed HMAC for a batch's clicks; every digest must be what a fresh HMAC
// gives, or a visitor's hash would change with the clicks written before theirs.
func TestADigestIsTheSameFromAReusedHMAC(t *testing.T) {
	key := dayKey([]byte("secret"), time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	m := hmac.New(sha256.New, key)
	for _, in := range [][]string{{"ip", "10.0.0.1"}, {"visitor", "10.0.0.1", "Mozilla/5.0"}, {"ip", ""}, {"visitor", "::1", "x"}} {
		if got, want := digestWith(m, in[0], in[1:]...), digest(key, in[0], in[1:]...); got != want {
			t.Errorf("%q: reused %s, fresh %s", in, got, want)
		}
	}
}
