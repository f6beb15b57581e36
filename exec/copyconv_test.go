package exec

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"rustydb/types"
)

var (
	tInt2     = types.T{ID: types.Int2}
	tInt4     = types.T{ID: types.Int4}
	tInt8     = types.T{ID: types.Int8}
	tNum152   = types.T{ID: types.Numeric, Precision: 15, Scale: 2}
	tNum182   = types.T{ID: types.Numeric, Precision: 18, Scale: 2}
	tNum50    = types.T{ID: types.Numeric, Precision: 5}
	tNumAny   = types.T{ID: types.Numeric}
	tNum30    = types.T{ID: types.Numeric, Precision: 30, Scale: 2}
	tChar5    = types.T{ID: types.Char, Width: 5}
	tVarchar3 = types.T{ID: types.Varchar, Width: 3}
)

// sameValue reports whether the fast conversion's value is the general
// conversion's, representation included (a decimal's exponent is stored).
func sameValue(a, b types.Value) bool {
	if a.K != b.K || a.I != b.I || a.S != b.S || a.F != b.F || (a.D == nil) != (b.D == nil) {
		return false
	}
	if a.D == nil {
		return true
	}
	return a.D.Form == b.D.Form && a.D.Negative == b.D.Negative && a.D.Exponent == b.D.Exponent &&
		a.D.Coeff.Cmp(&b.D.Coeff) == 0
}

func TestRowConv(t *testing.T) {
	f := func(typ types.T, in string, fast bool) {
		t.Helper()
		rc := newRowConv([]types.T{typ})
		got, ok := rc.convert(0, in)
		want, err := types.AssignIn(types.NewText(in), typ, time.UTC)
		if ok != fast {
			t.Errorf("%s %q: fast path took it: %v, want %v", typ, in, ok, fast)
			return
		}
		if !ok {
			return
		}
		if err != nil {
			t.Errorf("%s %q: fast path gave %v where the general one fails: %v", typ, in, got, err)
		} else if !sameValue(got, want) {
			t.Errorf("%s %q: fast %#v, general %#v", typ, in, got, want)
		}
	}
	for _, tc := range []struct {
		typ  types.T
		in   string
		fast bool
	}{
		{tInt4, "0", true},
		{tInt4, "-17", true},
		{tInt4, "2147483647", true},
		{tInt4, "2147483648", false}, // out of range: the general path says so
		{tInt4, "-2147483648", true},
		{tInt2, "32768", false},
		{tInt8, "999999999999999999", true},
		{tInt8, "9223372036854775807", false}, // 19 digits: the general path
		{tInt4, " 5", false},
		{tInt4, "+5", false},
		{tInt4, "", false},
		{tInt4, "-", false},
		{tInt4, "1.0", false},
		{tInt4, "12a", false},
		{tNum152, "1.5", true},
		{tNum152, "-0.00", true},
		{tNum152, "-0", true},
		{tNum152, "5.", true},
		{tNum152, ".5", true},
		{tNum152, "1234567890123.45", true},  // 15 digits: the precision's edge
		{tNum152, "12345678901234.5", false}, // 16 digits once scaled: overflow
		{tNum152, "1.234", false},            // rounds: the general path
		{tNum152, "1e3", false},
		{tNum152, ".", false},
		{tNum152, "1.2.3", false},
		{tNum182, "9999999999999999.99", true},
		{tNum182, "99999999999999999.9", false}, // 19 digits once scaled
		{tNum50, "99999", true},
		{tNum50, "100000", false},
		{tNumAny, "3.14159", true},
		{tNumAny, "-2.500", true},
		{tNum30, "1.5", false}, // precision past 18: the general path
		{types.TDate, "1998-12-01", true},
		{types.TDate, "epoch", true},
		{types.TDate, "1998-02-30", false},
		{tChar5, "ab", true},
		{tChar5, "abcde", true},
		{tChar5, "", true},
		{tChar5, "é", true},
		{tChar5, "abcdef", false}, // too long, or trailing blanks: the general path
		{tChar5, "abcde ", false},
		{tVarchar3, "abc", true},
		{tVarchar3, "abcd", false},
		{tVarchar3, "éé", false}, // 4 bytes: the general path counts characters
		{types.TText, strings.Repeat("x", 100), true},
		{types.TBool, "t", false}, // no fast path
	} {
		f(tc.typ, tc.in, tc.fast)
	}
}

// TestRowConvRandom checks that the fast path and the general conversion
// agree on random inputs, near the edges of each type.
func TestRowConvRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	digits := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		return b.String()
	}
	gen := func() string {
		var s string
		switch rng.IntN(5) {
		case 0:
			s = digits(rng.IntN(20) + 1)
		case 1:
			s = digits(rng.IntN(17)) + "." + digits(rng.IntN(5))
		case 2:
			s = fmt.Sprintf("%04d-%02d-%02d", rng.IntN(3000)+1, rng.IntN(13), rng.IntN(32))
		case 3:
			s = strings.Repeat("ab ", rng.IntN(3))
		default:
			s = digits(rng.IntN(3)) + string("x.- é"[rng.IntN(5)]) + digits(rng.IntN(3))
		}
		if rng.IntN(3) == 0 {
			s = "-" + s
		}
		return s
	}
	typs := []types.T{tInt2, tInt4, tInt8, tNum152, tNum182, tNum50, tNumAny, types.TDate, tChar5, tVarchar3, types.TText}
	rc := newRowConv(typs)
	for range 20000 {
		in := gen()
		for i, typ := range typs {
			got, ok := rc.convert(i, in)
			if !ok {
				continue
			}
			want, err := types.AssignIn(types.NewText(in), typ, time.UTC)
			if err != nil || !sameValue(got, want) {
				t.Fatalf("%s %q: fast %#v, general %#v (%v)", typ, in, got, want, err)
			}
		}
	}
}
