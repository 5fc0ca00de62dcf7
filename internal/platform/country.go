package platform

import (
	_ "embed"
	"strings"
)

// The country list lives here because risk marks are per country; creators use it too.
//
//go:embed countries.txt
var countriesTxt string

var countries = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(countriesTxt, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, c := range strings.Fields(line) {
			m[c] = true
		}
	}
	return m
}()

// ValidCountry reports whether code is an ISO 3166-1 alpha-2 country code in upper case.
func ValidCountry(code string) bool { return countries[code] }

// NormalizeCountry upper-cases and trims a country code.
func NormalizeCountry(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }
