package apperr

import "testing"

// A field error carries a code a UI translates, also for messages with a variable end.
func TestFieldMessagesHaveStableCodes(t *testing.T) {
	for msg, want := range map[string]string{
		"is required":                                   "required",
		"is required: one of tiktok, youtube":           "required",
		"must be one of prospect, contacted":            "one_of",
		"must be at most 100 characters":                "too_long",
		"is taken by Luna":                              "taken",
		"must be a valid email address":                 "invalid_email",
		"must not be null":                              "required",
		"something nobody registered":                   "invalid",
		"must be an ISO 4217 currency code such as CNY": "invalid_currency",
	} {
		if got := FieldCode(msg); got != want {
			t.Errorf("FieldCode(%q) = %q, want %q", msg, got, want)
		}
	}
	seen := map[string]bool{}
	for _, c := range FieldCodes() {
		if seen[c] {
			t.Errorf("FieldCodes lists %q twice", c)
		}
		seen[c] = true
	}
	for _, c := range []string{"invalid", "required", "one_of", "taken"} {
		if !seen[c] {
			t.Errorf("FieldCodes lacks %q", c)
		}
	}
}
