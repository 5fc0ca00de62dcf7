package country

import "testing"

func TestCountryListIsISO3166Alpha2(t *testing.T) {
	if len(countries) != 249 {
		t.Fatalf("%d countries, want the 249 of ISO 3166-1", len(countries))
	}
	for _, c := range []string{"US", "CN", "GB", "DE", "JP", "BR", "ID", "VN", "TW", "HK"} {
		if !Valid(c) {
			t.Errorf("%s must be valid", c)
		}
	}
	for _, c := range []string{"", "UK", "EU", "USA", "us", "XX"} {
		if Valid(c) {
			t.Errorf("%q must be invalid", c)
		}
	}
}

func TestNormalizeTrimsAndUpperCases(t *testing.T) {
	for in, want := range map[string]string{" us ": "US", "cn": "CN", "Gb\t": "GB", "": ""} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}
