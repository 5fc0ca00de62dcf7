package money

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/quick"

	json "github.com/go-json-experiment/json"

	"github.com/caravan-crm/caravan/internal/apperr"
)

func TestParseReadsDecimalStringsIntoMinorUnits(t *testing.T) {
	cases := []struct {
		in, cur string
		want    int64
	}{
		{"14.99", "USD", 1499},
		{"1500", "JPY", 1500},
		{"12.345", "KWD", 12345},
		{"-3.5", "USD", -350},
		{"  +7 ", "USD", 700},
		{"1.230", "USD", 123},
		{"1500.000", "JPY", 1500},
		{"007.10", "CNY", 710},
		{"-0", "USD", 0},
		{"0.001", "KWD", 1},
		{"92233720368547758.07", "USD", math.MaxInt64},
		{"-92233720368547758.08", "USD", math.MinInt64},
		{"9223372036854775807", "JPY", math.MaxInt64},
	}
	for _, c := range cases {
		got, err := Parse(c.in, c.cur)
		if err != nil || got != (Money{Minor: c.want, Currency: c.cur}) {
			t.Errorf("Parse(%q, %s) = %v, %v; want %d", c.in, c.cur, got, err, c.want)
		}
	}
}

func TestParseRefusesBadAmountsWithCodes(t *testing.T) {
	cases := []struct {
		in, cur, code string
		sentinel      error
	}{
		{"1.235", "USD", CodeTooManyDecimals, ErrTooManyDecimals},
		{"1.5", "JPY", CodeTooManyDecimals, ErrTooManyDecimals},
		{"1.0001", "KWD", CodeTooManyDecimals, ErrTooManyDecimals},
		{"", "USD", CodeInvalidAmount, ErrInvalidAmount},
		{"  ", "USD", CodeInvalidAmount, ErrInvalidAmount},
		{"-", "USD", CodeInvalidAmount, ErrInvalidAmount},
		{"1e3", "USD", CodeInvalidAmount, ErrInvalidAmount},
		{"1E3", "USD", CodeInvalidAmount, ErrInvalidAmount},
		{"NaN", "USD", CodeInvalidAmount, ErrInvalidAmount},
		{"Infinity", "USD", CodeInvalidAmount, ErrInvalidAmount},
		{"1,234.56", "USD", CodeInvalidAmount, ErrInvalidAmount},
		{"1 234", "USD", CodeInvalidAmount, ErrInvalidAmount},
		{"14,99", "EUR", CodeInvalidAmount, ErrInvalidAmount},
		{".5", "USD", CodeInvalidAmount, ErrInvalidAmount},
		{"5.", "USD", CodeInvalidAmount, ErrInvalidAmount},
		{"--5", "USD", CodeInvalidAmount, ErrInvalidAmount},
		{"+-5", "USD", CodeInvalidAmount, ErrInvalidAmount},
		{"0x10", "USD", CodeInvalidAmount, ErrInvalidAmount},
		{"1.2.3", "USD", CodeInvalidAmount, ErrInvalidAmount},
		{"١٢", "USD", CodeInvalidAmount, ErrInvalidAmount}, // non-ASCII digits
		{"92233720368547758.08", "USD", CodeOutOfRange, ErrOutOfRange},
		{"-92233720368547758.09", "USD", CodeOutOfRange, ErrOutOfRange},
		{"9223372036854775808", "JPY", CodeOutOfRange, ErrOutOfRange},
		{strings.Repeat("9", 400), "USD", CodeOutOfRange, ErrOutOfRange},
		{"10", "XXX", CodeUnknownCurrency, ErrUnknownCurrency},
		{"10", "usd", CodeUnknownCurrency, ErrUnknownCurrency},
	}
	for _, c := range cases {
		_, err := Parse(c.in, c.cur)
		ae, ok := apperr.As(err)
		if !ok || ae.Code != c.code || ae.Kind != apperr.KindValidation || !errors.Is(err, c.sentinel) {
			t.Errorf("Parse(%q, %s) error = %v; want code %s", c.in, c.cur, err, c.code)
		}
	}
}

func TestFormatWritesPlainDecimals(t *testing.T) {
	cases := []struct {
		m    Money
		want string
	}{
		{Money{1499, "USD"}, "14.99"},
		{Money{1500, "JPY"}, "1500"},
		{Money{12345, "KWD"}, "12.345"},
		{Money{-350, "USD"}, "-3.50"},
		{Money{0, "USD"}, "0.00"},
		{Money{-5, "USD"}, "-0.05"},
		{Money{7, "KWD"}, "0.007"},
		{Money{-1, "JPY"}, "-1"},
		{Money{math.MinInt64, "USD"}, "-92233720368547758.08"},
		{Money{math.MaxInt64, "KWD"}, "9223372036854775.807"},
		{Money{1234567, "CNY"}, "12345.67"},
	}
	for _, c := range cases {
		if got := Format(c.m); got != c.want {
			t.Errorf("Format(%v) = %q; want %q", c.m, got, c.want)
		}
	}
	if got := (Money{1499, "USD"}).String(); got != "14.99 USD" {
		t.Errorf("String = %q", got)
	}
}

// Every exponent in the table, including the extremes of int64, survives Format then Parse.
func TestParseFormatRoundTripsForEveryCurrency(t *testing.T) {
	byExp := map[int]string{}
	for code, e := range exponents {
		if prev, ok := byExp[e]; !ok || code < prev {
			byExp[e] = code
		}
	}
	for _, want := range []int{0, 2, 3} {
		if _, ok := byExp[want]; !ok {
			t.Fatalf("no currency with exponent %d in the table", want)
		}
	}
	for code := range exponents {
		for _, v := range []int64{0, 1, -1, 9, -10, 99, 100, -101, math.MaxInt64, math.MinInt64, math.MinInt64 + 1} {
			checkRoundTrip(t, Money{v, code})
		}
	}
	for _, code := range byExp {
		f := func(v int64) bool { return checkRoundTrip(t, Money{v, code}) }
		if err := quick.Check(f, &quick.Config{MaxCount: 5000}); err != nil {
			t.Errorf("%s: %v", code, err)
		}
		r := rand.New(rand.NewPCG(1, uint64(len(code))))
		for range 5000 {
			checkRoundTrip(t, Money{r.Int64N(2_000_000) - 1_000_000, code})
		}
	}
}

func checkRoundTrip(t *testing.T, m Money) bool {
	t.Helper()
	s := Format(m)
	back, err := Parse(s, m.Currency)
	if err != nil || back != m {
		t.Errorf("Parse(Format(%v)) = Parse(%q) = %v, %v", m, s, back, err)
		return false
	}
	return true
}

func TestMoneyJSONIsTheContractShape(t *testing.T) {
	b, err := json.Marshal(Money{Minor: 1999, Currency: "USD"})
	if err != nil || string(b) != `{"amount_minor":1999,"currency":"USD"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var m Money
	if err := json.Unmarshal([]byte(`{"amount_minor": 1999, "currency": "JPY"}`), &m); err != nil || m != (Money{1999, "JPY"}) {
		t.Fatalf("Unmarshal = %v, %v", m, err)
	}
}

func TestNewAndAddCheckCurrencyAndOverflow(t *testing.T) {
	if _, err := New(1, "ABC"); !errors.Is(err, ErrUnknownCurrency) {
		t.Errorf("New unknown: %v", err)
	}
	a, _ := New(150, "USD")
	if s, err := a.Add(Money{-200, "USD"}); err != nil || s != (Money{-50, "USD"}) {
		t.Errorf("Add = %v, %v", s, err)
	}
	if _, err := a.Add(Money{1, "EUR"}); !errors.Is(err, ErrCurrencyMismatch) {
		t.Errorf("Add mismatch: %v", err)
	}
	if _, err := (Money{math.MaxInt64, "USD"}).Add(Money{1, "USD"}); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("Add overflow: %v", err)
	}
	if _, err := (Money{math.MinInt64, "USD"}).Add(Money{-1, "USD"}); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("Add underflow: %v", err)
	}
}

// FuzzParse: Parse never panics, and what it accepts formats back to the same number.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"14.99", "1500", "12.345", "-3.5", " +1.230 ", "1e3", "NaN", "1,234.56", ".5", "-",
		"92233720368547758.08", "-92233720368547758.08", "0.000", "-0"} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
		f.Add(s, uint8(2))
	}
	currencies := []string{"JPY", "USD", "KWD"}
	f.Fuzz(func(t *testing.T, s string, pick uint8) {
		cur := currencies[int(pick)%len(currencies)]
		m, err := Parse(s, cur)
		if err != nil {
			if _, ok := apperr.As(err); !ok {
				t.Fatalf("Parse(%q) error %v is not an apperr", s, err)
			}
			return
		}
		out := Format(m)
		back, err := Parse(out, cur)
		if err != nil || back != m {
			t.Fatalf("Parse(%q) = %v; Format = %q; back = %v, %v", s, m, out, back, err)
		}
		in, ok1 := new(big.Rat).SetString(strings.TrimSpace(s))
		got, ok2 := new(big.Rat).SetString(out)
		if !ok1 || !ok2 || in.Cmp(got) != 0 {
			t.Fatalf("Parse(%q, %s) formats as %q, a different number", s, cur, out)
		}
	})
}
