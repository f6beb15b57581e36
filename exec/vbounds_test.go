package exec

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestResultBounds checks the interval arithmetic that lets vectorized
// arithmetic skip its overflow checks: the bounds hold every result, and
// an end that overflows int64 leaves the result unbounded.
func TestResultBounds(t *testing.T) {
	b := func(lo, hi int64) *vec { v := &vec{}; v.bound(lo, hi); return v }
	for _, tc := range []struct {
		op     string
		l, r   *vec
		lo, hi int64
		ok     bool
	}{
		{"+", b(-5, 10), b(1, 2), -4, 12, true},
		{"-", b(-5, 10), b(1, 2), -7, 9, true},
		{"*", b(-5, 10), b(-3, 2), -30, 20, true},
		{"*", b(-5, -1), b(-3, -2), 2, 15, true},
		{"+", b(0, math.MaxInt64), b(0, 1), 0, 0, false},
		{"-", b(math.MinInt64, 0), b(0, 1), 0, 0, false},
		{"-", b(0, 0), b(math.MinInt64, 0), 0, 0, false},
		{"*", b(0, 1<<32), b(0, 1<<31), 0, 0, false}, // 2^63 overflows
		{"*", b(0, 1<<31), b(0, 1<<31), 0, 1 << 62, true},
		{"+", &vec{}, b(0, 1), 0, 0, false}, // unbounded operand
	} {
		lo, hi, ok := resultBounds(tc.op, tc.l, tc.r)
		if ok != tc.ok || ok && (lo != tc.lo || hi != tc.hi) {
			t.Errorf("[%d,%d] %s [%d,%d] = [%d,%d] %v, want [%d,%d] %v",
				tc.l.lo, tc.l.hi, tc.op, tc.r.lo, tc.r.hi, lo, hi, ok, tc.lo, tc.hi, tc.ok)
		}
	}
}

// TestPlainOp compares plainOp with intOp on dense and
// sparse selections of operands whose bounds fit.
func TestPlainOp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 300
	l, r := make([]int64, n), make([]int64, n)
	for i := range l {
		l[i], r[i] = rng.Int64N(1<<30)-1<<29, rng.Int64N(1<<30)-1<<29
	}
	dense := make([]int32, n)
	var sparse []int32
	for i := range dense {
		dense[i] = int32(i)
		if rng.IntN(3) == 0 {
			sparse = append(sparse, int32(i))
		}
	}
	for _, op := range []string{"+", "-", "*"} {
		for _, sel := range [][]int32{dense, dense[:n/2], sparse} {
			want, got := make([]int64, n), make([]int64, n)
			if err := intOp(op, l, r, want, nil, sel, math.MinInt64, math.MaxInt64); err != nil {
				t.Fatal(err)
			}
			plainOp(op, l, r, got, sel)
			for _, j := range sel {
				if got[j] != want[j] {
					t.Fatalf("%s at %d: %d, want %d", op, j, got[j], want[j])
				}
			}
		}
	}
}
