package money

import (
	"math"
	"strconv"
	"strings"
)

// Money is an amount in integer minor units of an ISO 4217 currency: {Minor: 1999, Currency: "USD"} is 19.99 USD,
// {Minor: 1999, Currency: "JPY"} is 1999 yen. Its JSON is the contract's {"amount_minor": 1999, "currency": "USD"}.
type Money struct {
	Minor    int64  `json:"amount_minor"`
	Currency string `json:"currency"`
}

// New returns minor units of currency, refusing a code the exponent table does not know.
func New(minor int64, currency string) (Money, error) {
	if !ValidCurrency(currency) {
		return Money{}, unknownCurrency(currency)
	}
	return Money{Minor: minor, Currency: currency}, nil
}

// Add returns m + o; both must be in the same currency and the sum must fit in int64.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fail(ErrCurrencyMismatch, CodeCurrencyMismatch, "cannot add "+o.Currency+" to "+m.Currency)
	}
	s := m.Minor + o.Minor
	if (o.Minor > 0 && s < m.Minor) || (o.Minor < 0 && s > m.Minor) {
		return Money{}, outOfRange("sum")
	}
	return Money{Minor: s, Currency: m.Currency}, nil
}

// String is Format followed by the code, for logs and explanations: "14.99 USD".
func (m Money) String() string { return Format(m) + " " + m.Currency }

// Parse reads a plain decimal string as an amount of currency, without any binary floating point.
//
// Accepted: surrounding white space, one leading "+" or "-", digits, and optionally "." followed by digits
// ("14.99", "-3.5", "+1500", "007.10"). Refused with invalid_amount: empty input, thousands separators
// ("1,234.56" is ambiguous with a decimal comma, so callers that read locale-formatted cells must clean them
// first), a bare or trailing point (".5", "5."), exponents ("1e3"), NaN and Infinity. More decimals than the
// currency has are accepted only when the extra ones are zeros ("1.230" USD is 123; "1.235" USD is
// too_many_decimals). A value beyond int64 minor units is amount_out_of_range; an unknown code is
// unknown_currency.
func Parse(s, currency string) (Money, error) {
	exp, ok := Exponent(currency)
	if !ok {
		return Money{}, unknownCurrency(currency)
	}
	minor, err := parseMinor(strings.TrimSpace(s), exp, currency)
	if err != nil {
		return Money{}, err
	}
	return Money{Minor: minor, Currency: currency}, nil
}

func parseMinor(s string, exp int, currency string) (int64, error) {
	orig := s
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	intPart, frac, hasPoint := strings.Cut(s, ".")
	if intPart == "" || (hasPoint && frac == "") || !allDigits(intPart) || !allDigits(frac) {
		return 0, fail(ErrInvalidAmount, CodeInvalidAmount,
			quote(orig)+" is not a plain decimal amount such as 14.99")
	}
	if len(frac) > exp {
		if strings.Trim(frac[exp:], "0") != "" {
			return 0, fail(ErrTooManyDecimals, CodeTooManyDecimals,
				quote(orig)+" has more decimals than "+currency+" allows ("+strconv.Itoa(exp)+")")
		}
		frac = frac[:exp]
	}
	// Accumulate the magnitude in uint64 so that math.MinInt64 minor units, whose magnitude is one more than
	// math.MaxInt64, still parses.
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	var mag uint64
	push := func(d byte) bool {
		v := uint64(d - '0')
		if mag > (limit-v)/10 {
			return false
		}
		mag = mag*10 + v
		return true
	}
	for i := 0; i < len(intPart); i++ {
		if !push(intPart[i]) {
			return 0, outOfRange(quote(orig))
		}
	}
	for i := 0; i < exp; i++ {
		d := byte('0')
		if i < len(frac) {
			d = frac[i]
		}
		if !push(d) {
			return 0, outOfRange(quote(orig))
		}
	}
	if neg {
		return int64(-mag), nil // two's complement: -(1<<63) wraps to math.MinInt64 as intended
	}
	return int64(mag), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Format writes m as a plain decimal with exactly the currency's number of decimals and no grouping:
// "14.99", "1500", "12.345", "-3.50", "0.00". Parse(Format(m), m.Currency) == m. A currency the table does
// not know is written as bare minor units.
func Format(m Money) string {
	exp, _ := Exponent(m.Currency)
	return formatMinor(m.Minor, exp)
}

func formatMinor(minor int64, exp int) string {
	mag := uint64(minor)
	if minor < 0 {
		mag = -mag // also right for math.MinInt64
	}
	digits := strconv.FormatUint(mag, 10)
	if exp > 0 {
		if len(digits) <= exp {
			digits = strings.Repeat("0", exp-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-exp] + "." + digits[len(digits)-exp:]
	}
	if minor < 0 {
		return "-" + digits
	}
	return digits
}
