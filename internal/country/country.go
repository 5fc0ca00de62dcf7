// Package country is a leaf: the ISO 3166-1 alpha-2 country list and the normalisation of country
// codes, for every package that records where a creator or a risk is.
package country

import (
	_ "embed"
	"strings"
)

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

// Valid reports whether code is an ISO 3166-1 alpha-2 country code in upper case.
func Valid(code string) bool { return countries[code] }

// Normalize upper-cases and trims a country code.
func Normalize(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }
