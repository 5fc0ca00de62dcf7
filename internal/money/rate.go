package money

import (
	"database/sql/driver"
	"fmt"
	"math/big"
	"strings"

	"github.com/cockroachdb/apd/v3"
)

// Rate limits: a rate is written by a finance user or copied from a bank's table, so it needs neither more
// decimals nor more digits than this, and keeping the coefficient within int64 keeps every Rate small.
const (
	MaxRateDecimals    = 12
	MaxRateSignificant = 18
)

// Rate is an exact, positive FX rate: 1 unit of one currency = Rate units of another. It is held as a
// decimal (cockroachdb/apd) in reduced form, so equal rates have equal String()s. The zero Rate is not a
// valid rate; Convert refuses it.
type Rate struct {
	d apd.Decimal // reduced: no trailing zeros in the coefficient; never mutated after construction
}

// ParseRate reads a plain positive decimal such as "7.1234" or "0.0067" (surrounding white space allowed).
// Refused with invalid_rate: signs, zero, exponents ("1e-3"), NaN/Infinity, grouping, a bare or trailing
// point, more than MaxRateDecimals decimals (extra trailing zeros are fine) and more than MaxRateSignificant
// significant digits.
func ParseRate(s string) (Rate, error) {
	t := strings.TrimSpace(s)
	bad := func(why string) (Rate, error) {
		return Rate{}, fail(ErrInvalidRate, CodeInvalidRate, "rate "+quote(s)+" "+why)
	}
	intPart, frac, hasPoint := strings.Cut(t, ".")
	if intPart == "" || (hasPoint && frac == "") || !allDigits(intPart) || !allDigits(frac) {
		return bad("is not a plain decimal such as 7.1234")
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > MaxRateDecimals {
		return bad(fmt.Sprintf("has more than %d decimals", MaxRateDecimals))
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return bad("must be greater than zero")
	}
	if len(strings.TrimRight(digits, "0")) > MaxRateSignificant {
		return bad(fmt.Sprintf("has more than %d significant digits", MaxRateSignificant))
	}
	var r Rate
	if _, _, err := r.d.SetString(intPart + "." + frac); err != nil { // already validated; cannot fail
		return bad("is not a decimal")
	}
	r.d.Reduce(&r.d)
	return r, nil
}

// MustParseRate is ParseRate for constants in code and tests; it panics on a bad literal.
func MustParseRate(s string) Rate {
	r, err := ParseRate(s)
	if err != nil {
		panic(err)
	}
	return r
}

// String is the canonical plain form: no exponent, no trailing zeros ("7.1234", "150", "0.0067"); "0" for
// the zero Rate.
func (r Rate) String() string { return r.d.Text('f') }

// IsZero reports whether r is the zero Rate (unset).
func (r Rate) IsZero() bool { return r.d.IsZero() }

// Cmp compares two rates: -1, 0 or +1.
func (r Rate) Cmp(o Rate) int { return r.d.Cmp(&o.d) }

// Decimal returns a copy of the rate for further decimal arithmetic (apd contexts state their own precision
// and rounding).
func (r Rate) Decimal() *apd.Decimal { return new(apd.Decimal).Set(&r.d) }

// MarshalText writes the canonical string, so JSON carries the rate as a decimal string as the contract says.
func (r Rate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText parses with ParseRate.
func (r *Rate) UnmarshalText(b []byte) error {
	v, err := ParseRate(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Value stores the rate as its canonical decimal string (TEXT on both databases, never a float column).
func (r Rate) Value() (driver.Value, error) { return r.String(), nil }

// Scan reads a rate stored by Value.
func (r *Rate) Scan(src any) error {
	switch v := src.(type) {
	case string:
		return r.UnmarshalText([]byte(v))
	case []byte:
		return r.UnmarshalText(v)
	default:
		return fmt.Errorf("money: cannot scan %T into Rate", src)
	}
}

// Convert turns amountMinor minor units of from into minor units of to, where 1 unit of from = rate units of
// to, adjusting for both exponents (1500 JPY at 0.0067 is 10.05 USD = 1005; 10.00 USD at 0.307 is 3.070 KWD =
// 3070) and rounding once, half away from zero, on the exact product.
func Convert(amountMinor int64, from string, rate Rate, to string) (int64, error) {
	fe, ok := Exponent(from)
	if !ok {
		return 0, unknownCurrency(from)
	}
	te, ok := Exponent(to)
	if !ok {
		return 0, unknownCurrency(to)
	}
	if rate.d.Sign() <= 0 || rate.d.Form != apd.Finite {
		return 0, fail(ErrInvalidRate, CodeInvalidRate, "rate "+rate.String()+" must be a positive decimal")
	}
	// amount/10^fe major units of from × coeff×10^e = amount × coeff × 10^(te+e-fe) minor units of to.
	shift := int64(te) - int64(fe) + int64(rate.d.Exponent)
	num := new(big.Int).Mul(big.NewInt(amountMinor), rate.d.Coeff.MathBigInt())
	den := big.NewInt(1)
	if shift >= 0 {
		num.Mul(num, pow10(shift))
	} else {
		den = pow10(-shift)
	}
	out, err := RoundHalfAwayFromZero(num, den)
	if err != nil {
		return 0, outOfRange(fmt.Sprintf("%s %s at %s in %s", formatMinor(amountMinor, fe), from, rate, to))
	}
	return out, nil
}

func pow10(n int64) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(n), nil) }
