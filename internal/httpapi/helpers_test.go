package httpapi_test

import (
	"encoding/json"
	"net/netip"
	"testing"
)

func parsePrefixes(s string) ([]netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	return []netip.Prefix{p}, err
}

func jsonUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}
