package money

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestRoundingIsHalfAwayFromZeroOnNegativesToo(t *testing.T) {
	cases := []struct{ num, den, want int64 }{
		{5, 2, 3}, {-5, 2, -3}, {5, -2, -3}, {-5, -2, 3},
		{25, 10, 3}, {-25, 10, -3}, {24, 10, 2}, {-24, 10, -2}, {26, 10, 3}, {-26, 10, -3},
		{15, 10, 2}, {-15, 10, -2}, {1, 3, 0}, {-1, 3, 0}, {2, 3, 1}, {-2, 3, -1},
		{0, 7, 0}, {7, 1, 7}, {-7, -1, 7},
	}
	for _, c := range cases {
		got, err := RoundHalfAwayFromZero(big.NewInt(c.num), big.NewInt(c.den))
		if err != nil || got != c.want {
			t.Errorf("round(%d/%d) = %d, %v; want %d", c.num, c.den, got, err, c.want)
		}
		if got, err := mulDiv(c.num, 1, c.den); err != nil || got != c.want {
			t.Errorf("mulDiv(%d, 1, %d) = %d, %v; want %d", c.num, c.den, got, err, c.want)
		}
	}
	if _, err := RoundHalfAwayFromZero(big.NewInt(1), big.NewInt(0)); !errors.Is(err, ErrDivisionByZero) {
		t.Errorf("division by zero: %v", err)
	}
	huge := new(big.Int).Lsh(big.NewInt(1), 64)
	if _, err := RoundHalfAwayFromZero(huge, big.NewInt(1)); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("overflow: %v", err)
	}
}

func TestApplyBpsRoundsOnceHalfAwayFromZero(t *testing.T) {
	cases := []struct{ amount, bps, want int64 }{
		{1999, 1250, 250},   // 249.875
		{-1999, 1250, -250}, // reversal mirrors the commission
		{100, 50, 1},        // 0.5 % of 1.00 is 0.5 minor units → 1
		{10000, 50, 50},
		{1, 5000, 1},   // 0.5 → 1
		{-1, 5000, -1}, // -0.5 → -1
		{1, 4999, 0},
		{10000, 10000, 10000},
		{math.MaxInt64, 10000, math.MaxInt64},
		{math.MinInt64, 10000, math.MinInt64},
		{math.MinInt64 / 100, 1_000_000, math.MinInt64 / 100 * 100},
	}
	for _, c := range cases {
		got, err := ApplyBps(c.amount, c.bps)
		if err != nil || got != c.want {
			t.Errorf("ApplyBps(%d, %d) = %d, %v; want %d", c.amount, c.bps, got, err, c.want)
		}
	}
	if _, err := ApplyBps(math.MaxInt64, 1_000_000); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("a result beyond int64 must be an error, got %v", err)
	}
}

// ApplyBps and Proportion agree with an exact big.Rat reference on random inputs, including amounts at the
// edges of int64 where a naive amount*bps would overflow.
func TestApplyBpsAndProportionMatchBigRatReference(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 7))
	amount := func() int64 {
		switch r.IntN(4) {
		case 0:
			return r.Int64N(2_000_000) - 1_000_000
		case 1:
			return math.MaxInt64 - r.Int64N(1000)
		case 2:
			return math.MinInt64 + r.Int64N(1000)
		default:
			return int64(r.Uint64())
		}
	}
	for range 50_000 {
		a := amount()
		bps := r.Int64N(1_000_001)
		if r.IntN(2) == 0 {
			bps = r.Int64N(10_001)
		}
		got, err := ApplyBps(a, bps)
		want, fits := reference(a, bps, 10000)
		if fits != (err == nil) || (fits && got != want) {
			t.Fatalf("ApplyBps(%d, %d) = %d, %v; reference %d (fits %v)", a, bps, got, err, want, fits)
		}

		whole := amount()
		if whole == 0 {
			whole = 1
		}
		part := int64(r.Uint64())
		if r.IntN(2) == 0 && whole != math.MinInt64 {
			part = r.Int64N(abs64(whole)) * (whole / abs64(whole)) // a refund within the order
			if r.IntN(10) == 0 {
				part = whole // the full refund
			}
		}
		total := amount()
		got, err = Proportion(total, part, whole)
		want, fits = reference(total, part, whole)
		if fits != (err == nil) || (fits && got != want) {
			t.Fatalf("Proportion(%d, %d, %d) = %d, %v; reference %d (fits %v)", total, part, whole, got, err, want, fits)
		}
	}
}

// reference rounds a×b÷den half away from zero with big.Rat: floor(|x| + 1/2) carrying x's sign.
func reference(a, b, den int64) (int64, bool) {
	x := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(a), big.NewInt(b)), big.NewInt(den))
	abs := new(big.Rat).Abs(x)
	abs.Add(abs, big.NewRat(1, 2))
	q := new(big.Int).Quo(abs.Num(), abs.Denom()) // floor for non-negative values
	if x.Sign() < 0 {
		q.Neg(q)
	}
	return q.Int64(), q.IsInt64()
}

func TestProportionReversesAPartialRefund(t *testing.T) {
	// Commission 250 on an order of 1999; 1000 refunded → 250×1000/1999 = 125.06 → 125.
	if got, err := Proportion(250, 1000, 1999); err != nil || got != 125 {
		t.Errorf("Proportion = %d, %v", got, err)
	}
	if got, err := Proportion(-3, 1, 2); err != nil || got != -2 { // -1.5 → -2
		t.Errorf("Proportion(-3,1,2) = %d, %v", got, err)
	}
	if got, err := Proportion(math.MaxInt64, math.MaxInt64, math.MaxInt64); err != nil || got != math.MaxInt64 {
		t.Errorf("Proportion(max,max,max) = %d, %v", got, err)
	}
	if got, err := Proportion(math.MinInt64, 1, -1); err == nil {
		t.Errorf("Proportion(min,1,-1) = %d; want out of range", got)
	}
	if _, err := Proportion(250, 1, 0); !errors.Is(err, ErrDivisionByZero) {
		t.Errorf("whole 0: %v", err)
	}
}
