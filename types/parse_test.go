package types

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cockroachdb/apd/v3"
)

// The fast parsers of plain decimals and dates agree with the general ones
// wherever they accept an input, and accept the forms loads carry.
func TestPlainParsers(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	decimals := []string{"0", "-0.00", "12345.67", "007.50", ".5", "1.", "-123456789012345678", "999999999999999999"}
	for range 2000 {
		decimals = append(decimals, fmt.Sprintf("%d.%0*d", rng.Int64N(1e12)-5e11, rng.IntN(5)+1, rng.IntN(10000)))
	}
	for _, s := range decimals {
		d, ok := parsePlainDecimal(s)
		if !ok {
			t.Fatalf("parsePlainDecimal(%q) refused a plain decimal", s)
		}
		want, _, err := apd.NewFromString(s)
		if err != nil || d.Cmp(want) != 0 || d.Exponent != want.Exponent {
			t.Fatalf("parsePlainDecimal(%q) = %s, want %s", s, d, want)
		}
	}
	for _, s := range []string{"", "-", ".", "1e5", "+1", " 1", "1.2.3", "1234567890123456789", "NaN", "1_000"} {
		if _, ok := parsePlainDecimal(s); ok {
			t.Errorf("parsePlainDecimal(%q) accepted it", s)
		}
	}
	dates := []string{"1992-01-01", "2000-02-29", "1900-02-28", "0001-01-01", "9999-12-31", "1998-12-01"}
	for range 2000 {
		dates = append(dates, fmt.Sprintf("%04d-%02d-%02d", 1+rng.IntN(9999), 1+rng.IntN(12), 1+rng.IntN(28)))
	}
	for _, s := range dates {
		days, ok := parsePlainDate(s)
		want, _, err := parseDateTime(s)
		if !ok || err != nil || days != want {
			t.Fatalf("parsePlainDate(%q) = %d, %v; general parser %d, %v", s, days, ok, want, err)
		}
	}
	for _, s := range []string{"1900-02-29", "2023-13-01", "2023-00-10", "2023-04-31", "0000-01-01", "2023-1-01", "20230101", "2023-01-01 "} {
		if _, ok := parsePlainDate(s); ok {
			t.Errorf("parsePlainDate(%q) accepted it", s)
		}
	}
}
