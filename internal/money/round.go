package money

import (
	"math"
	"math/big"
)

// The ledger rounds each entry exactly once, half away from zero (2.5 → 3, -2.5 → -3); these helpers compute
// the exact product first (in 128 bits or math/big when int64 would overflow) and round that.

// RoundHalfAwayFromZero returns num ÷ den rounded half away from zero, or an error when den is zero or the
// result does not fit in int64.
func RoundHalfAwayFromZero(num, den *big.Int) (int64, error) {
	if den.Sign() == 0 {
		return 0, fail(ErrDivisionByZero, CodeInvalidAmount, "division by zero")
	}
	q := roundQuo(num, den)
	if !q.IsInt64() {
		return 0, outOfRange("rounded result")
	}
	return q.Int64(), nil
}

// roundQuo is num ÷ den rounded half away from zero; den must not be zero.
func roundQuo(num, den *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(num, den, new(big.Int)) // truncated toward zero; r has num's sign
	r.Abs(r).Lsh(r, 1)
	if r.CmpAbs(den) >= 0 {
		if num.Sign()*den.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// mulDiv returns a × b ÷ den rounded half away from zero, without overflow in the intermediate product.
func mulDiv(a, b, den int64) (int64, error) {
	if den == 0 {
		return 0, fail(ErrDivisionByZero, CodeInvalidAmount, "division by zero")
	}
	// Fast path: the product fits in int64, and so do |den| and the quotient.
	p := a * b
	fits := a == 0 || (p/a == b && !(a == -1 && b == math.MinInt64))
	if fits && den != math.MinInt64 && !(p == math.MinInt64 && den == -1) {
		q, r := p/den, p%den // r has p's sign, |r| < |den|
		ar, ad := abs64(r), abs64(den)
		if ar >= ad-ar { // 2|r| ≥ |den| without overflowing
			if (p < 0) != (den < 0) {
				q--
			} else {
				q++
			}
		}
		return q, nil
	}
	num := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	return RoundHalfAwayFromZero(num, big.NewInt(den))
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// ApplyBps returns amountMinor × bps ÷ 10000 rounded once half away from zero: a commission of 1250 bps
// (12.50 %) on 1999 is 249.875 → 250; on -1999 it is -250. The product is exact for every int64 amount and
// bps; the only error is a result beyond int64, possible only when |bps| > 10000.
func ApplyBps(amountMinor, bps int64) (int64, error) {
	return mulDiv(amountMinor, bps, 10000)
}

// Proportion returns total × part ÷ whole rounded once half away from zero, for example the reversal of a
// partial refund: Proportion(commission, refunded, orderAmount). whole == 0 is an error, as is a result
// beyond int64 (possible only when |part| > |whole|).
func Proportion(total, part, whole int64) (int64, error) {
	return mulDiv(total, part, whole)
}
