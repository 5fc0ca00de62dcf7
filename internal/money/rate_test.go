package money

import (
	"errors"
	"go/scanner"
	"go/token"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	json "github.com/go-json-experiment/json"

	"github.com/caravan-crm/caravan/internal/apperr"
)

func TestParseRateCanonicalForm(t *testing.T) {
	cases := map[string]string{
		"7.1234": "7.1234", " 7.12340 ": "7.1234", "0.0067": "0.0067", "150": "150", "150.000": "150",
		"1": "1", "001.50": "1.5", "0.000000000001": "0.000000000001", "1000000": "1000000",
		"0.0000000000010": "0.000000000001", "123456789012345678": "123456789012345678",
		"123456.123456789012": "123456.123456789012",
	}
	for in, want := range cases {
		r, err := ParseRate(in)
		if err != nil || r.String() != want {
			t.Errorf("ParseRate(%q) = %q, %v; want %q", in, r, err, want)
			continue
		}
		again, err := ParseRate(r.String())
		if err != nil || again.Cmp(r) != 0 || again.String() != want {
			t.Errorf("ParseRate(String()) of %q = %q, %v", in, again, err)
		}
	}
}

func TestParseRateRefusesBadRates(t *testing.T) {
	for _, in := range []string{"", "0", "0.000", "-1", "+1", "1e3", "1E-3", "NaN", "Infinity", "inf", "1,5",
		"1,000.5", ".5", "5.", "1.2.3", "0.0000000000001", "1234567890123456789", "1.234567890123456789", "abc"} {
		_, err := ParseRate(in)
		ae, ok := apperr.As(err)
		if !ok || ae.Code != CodeInvalidRate || !errors.Is(err, ErrInvalidRate) {
			t.Errorf("ParseRate(%q) error = %v; want invalid_rate", in, err)
		}
	}
}

func TestRateTextJSONAndSQL(t *testing.T) {
	type row struct {
		Rate Rate `json:"rate"`
	}
	b, err := json.Marshal(row{MustParseRate("7.10")})
	if err != nil || string(b) != `{"rate":"7.1"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var got row
	if err := json.Unmarshal([]byte(`{"rate":"0.0067"}`), &got); err != nil || got.Rate.String() != "0.0067" {
		t.Fatalf("Unmarshal = %v, %v", got, err)
	}
	if err := json.Unmarshal([]byte(`{"rate":"1e3"}`), &got); err == nil {
		t.Fatal("exponent accepted from JSON")
	}
	v, _ := MustParseRate("7.25").Value()
	var r Rate
	if v != "7.25" || r.Scan([]byte("7.25")) != nil || r.String() != "7.25" || r.Scan(1.5) == nil {
		t.Fatalf("Value/Scan: %v %v", v, r)
	}
	if !(Rate{}).IsZero() || MustParseRate("1").IsZero() {
		t.Fatal("IsZero")
	}
	if d := MustParseRate("7.25").Decimal(); d.String() != "7.25" {
		t.Fatalf("Decimal = %s", d)
	}
}

func TestConvertAdjustsForBothExponents(t *testing.T) {
	cases := []struct {
		amount   int64
		from     string
		rate     string
		to       string
		want     int64
		scenario string
	}{
		{1500, "JPY", "0.0067", "USD", 1005, "1500 yen = 10.05 USD"},
		{1000, "USD", "0.307", "KWD", 3070, "10.00 USD = 3.070 KWD"},
		{12345, "KWD", "487.5", "JPY", 6018, "12.345 KWD = 6018.1875 yen"},
		{1999, "USD", "7.1234", "CNY", 14240, "19.99 × 7.1234 = 142.396766"},
		{-1999, "USD", "7.1234", "CNY", -14240, "a reversal mirrors the commission"},
		{1, "USD", "0.5", "EUR", 1, "0.005 EUR rounds away from zero"},
		{-1, "USD", "0.5", "EUR", -1, "-0.005 EUR rounds away from zero"},
		{1, "JPY", "0.005", "USD", 1, "1 yen = 0.005 USD → 0.01"},
		{100, "USD", "150", "JPY", 150, "1.00 USD = 150 yen"},
		{150, "JPY", "0.006666666667", "USD", 100, "and back"},
		{5, "CNY", "1", "CNY", 5, "identity"},
		{0, "USD", "123.456", "KWD", 0, "zero"},
	}
	for _, c := range cases {
		got, err := Convert(c.amount, c.from, MustParseRate(c.rate), c.to)
		if err != nil || got != c.want {
			t.Errorf("%s: Convert(%d %s × %s → %s) = %d, %v; want %d", c.scenario, c.amount, c.from, c.rate, c.to, got, err, c.want)
		}
	}
}

// Converting -x gives exactly -Convert(x) (rounding is symmetric), and converting by an exact rate and its
// exact inverse returns the original amount whenever no rounding happens on the way.
func TestConvertIsSymmetric(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	codes := []string{"JPY", "USD", "KWD", "CNY", "EUR"}
	pairs := [][2]string{{"2", "0.5"}, {"4", "0.25"}, {"8", "0.125"}, {"1", "1"}, {"10", "0.1"}, {"1000", "0.001"}}
	for range 20_000 {
		from, to := codes[r.IntN(len(codes))], codes[r.IntN(len(codes))]
		amount := r.Int64N(2_000_000_000) - 1_000_000_000
		rate := MustParseRate(randomRate(r))
		pos, err1 := Convert(amount, from, rate, to)
		neg, err2 := Convert(-amount, from, rate, to)
		if err1 != nil || err2 != nil || pos != -neg {
			t.Fatalf("Convert(±%d %s × %s → %s) = %d, %d (%v, %v)", amount, from, rate, to, pos, neg, err1, err2)
		}
		if want := referenceConvert(amount, from, rate, to); pos != want {
			t.Fatalf("Convert(%d %s × %s → %s) = %d; reference %d", amount, from, rate, to, pos, want)
		}

		p := pairs[r.IntN(len(pairs))]
		fe, _ := Exponent(from)
		te, _ := Exponent(to)
		// Amounts that are whole major units of a multiple of 1000 survive the trip in both directions.
		whole := (r.Int64N(2_000_001) - 1_000_000) * 1000 * pow10i(fe)
		there, err1 := Convert(whole, from, MustParseRate(p[0]), to)
		back, err2 := Convert(there, to, MustParseRate(p[1]), from)
		if err1 != nil || err2 != nil || back != whole {
			t.Fatalf("%d %s × %s → %d %s (exp %d) × %s → %d", whole, from, p[0], there, to, te, p[1], back)
		}
	}
}

func randomRate(r *rand.Rand) string {
	intPart := r.Int64N(100_000)
	decimals := r.IntN(MaxRateDecimals + 1)
	frac := ""
	for range decimals {
		frac += string(rune('0' + r.IntN(10)))
	}
	s := big.NewInt(intPart).String()
	if frac != "" {
		s += "." + frac
	}
	if strings.Trim(s, "0.") == "" {
		s = "1"
	}
	return s
}

func pow10i(n int) int64 {
	v := int64(1)
	for range n {
		v *= 10
	}
	return v
}

// referenceConvert uses big.Rat: amount / 10^fe × rate × 10^te, rounded half away from zero.
func referenceConvert(amount int64, from string, rate Rate, to string) int64 {
	fe, _ := Exponent(from)
	te, _ := Exponent(to)
	x, _ := new(big.Rat).SetString(rate.String())
	x.Mul(x, new(big.Rat).SetInt64(amount))
	x.Mul(x, new(big.Rat).SetInt64(pow10i(te)))
	x.Quo(x, new(big.Rat).SetInt64(pow10i(fe)))
	abs := new(big.Rat).Abs(x)
	abs.Add(abs, big.NewRat(1, 2))
	q := new(big.Int).Quo(abs.Num(), abs.Denom())
	if x.Sign() < 0 {
		q.Neg(q)
	}
	return q.Int64()
}

func TestConvertRefusesUnknownCurrenciesZeroRatesAndOverflow(t *testing.T) {
	if _, err := Convert(1, "XXX", MustParseRate("1"), "USD"); !errors.Is(err, ErrUnknownCurrency) {
		t.Errorf("unknown from: %v", err)
	}
	if _, err := Convert(1, "USD", MustParseRate("1"), "XXX"); !errors.Is(err, ErrUnknownCurrency) {
		t.Errorf("unknown to: %v", err)
	}
	if _, err := Convert(1, "USD", Rate{}, "EUR"); !errors.Is(err, ErrInvalidRate) {
		t.Errorf("zero rate: %v", err)
	}
	if _, err := Convert(math.MaxInt64, "USD", MustParseRate("2"), "EUR"); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("overflow: %v", err)
	}
	if got, err := Convert(math.MinInt64, "KWD", MustParseRate("1"), "KWD"); err != nil || got != math.MinInt64 {
		t.Errorf("MinInt64 identity = %d, %v", got, err)
	}
}

// Rule 2 of ARCHITECTURE.md: no binary floating point anywhere in the package. The check reads identifiers
// (float32, float64, big.Float, strconv.ParseFloat, Rat.Float64, …), not comments.
func TestPackageSourceHasNoFloats(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("glob: %v %v", files, err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		var s scanner.Scanner
		s.Init(fset.AddFile(name, -1, len(src)), src, nil, 0)
		for {
			pos, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			if (tok == token.IDENT || tok == token.STRING) && strings.Contains(strings.ToLower(lit), "float") {
				t.Errorf("%s: %q: the money package must not use floats", fset.Position(pos), lit)
			}
			if tok == token.FLOAT || tok == token.IMAG {
				t.Errorf("%s: floating-point literal %s", fset.Position(pos), lit)
			}
		}
	}
}
