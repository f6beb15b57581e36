package exec

import (
	"cmp"
	"testing"

	"github.com/cockroachdb/apd/v3"

	"rustydb/types"
)

// TestBoundBelow checks that the integer comparison boundBelow makes holds
// for exactly the integers x (values at the scale) for which "x op c"
// holds, around the bound, for positive and negative c.
func TestBoundBelow(t *testing.T) {
	for _, tc := range []struct {
		c     string
		scale int32
	}{
		{"7.123456", 2}, {"-7.123456", 2}, {"0.0001", 0}, {"-0.0001", 0}, {"12345.5", 0},
		{"-12345.5", 0}, {"3.14159", 4}, {"1E-20", 3},
	} {
		c, _, err := apd.NewFromString(tc.c)
		if err != nil {
			t.Fatal(err)
		}
		for _, op := range []string{">", ">=", "<", "<="} {
			op2, k, ok := boundBelow(op, types.NewDecimal(c), tc.scale)
			if !ok {
				t.Errorf("%s %s at scale %d: no bound", op, tc.c, tc.scale)
				continue
			}
			for x := k - 3; x <= k+3; x++ {
				var xd apd.Decimal
				xd.SetFinite(x, -tc.scale)
				want := cmpTest(op)(xd.Cmp(c))
				if got := cmpTest(op2)(cmp.Compare(x, k)); got != want {
					t.Errorf("%s %s at scale %d: x=%d gives %v, want %v (bound %s %d)", op, tc.c, tc.scale, x, got, want, op2, k)
				}
			}
		}
	}
	// no bound for a value that is not a decimal, nor for = and <>, which
	// no integer meets
	half, _, _ := apd.NewFromString("1.5")
	for _, tc := range []struct {
		op string
		c  types.Value
	}{{">", types.NewInt(3)}, {">", types.NewFloat(1.5)}, {"=", types.NewDecimal(half)}, {"<>", types.NewDecimal(half)}} {
		if _, _, ok := boundBelow(tc.op, tc.c, 2); ok {
			t.Errorf("a bound for %s %v", tc.op, tc.c)
		}
	}
}
