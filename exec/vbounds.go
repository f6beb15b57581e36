package exec

import (
	"math"

	"rustydb/column"
)

// Value bounds of integer vectors. A column's zone map bounds the values of
// every batch of its segment, a constant bounds itself, and arithmetic over
// bounded operands bounds its result by interval arithmetic. When the
// result's bounds fit the result type, no row can overflow, and the
// arithmetic runs without a check per row (TPC-H Q1's price * (1 - discount)
// * (1 + tax) over decimal(15,2) columns).

// bound records that every non-NULL selected value of v.i lies within
// [lo, hi].
func (v *vec) bound(lo, hi int64) { v.lo, v.hi, v.bounded = lo, hi, true }

// zoneBounds bounds the values of a segment's column, at scale, from its
// zone map z; ok is false when z has none (every row NULL) or its ends do
// not fit an int64 at scale.
func zoneBounds(z *column.Zone, scale int32) (lo, hi int64, ok bool) {
	if z.Min.IsNull() || z.Max.IsNull() {
		return 0, 0, false
	}
	if lo, ok = scaledInt(z.Min, scale); !ok {
		return 0, 0, false
	}
	hi, ok = scaledInt(z.Max, scale)
	return lo, hi, ok
}

// resultBounds returns the bounds of l op r for operands bounded by lv and
// rv, or ok false when either is unbounded or an end overflows int64.
func resultBounds(op string, lv, rv *vec) (lo, hi int64, ok bool) {
	if !lv.bounded || !rv.bounded {
		return 0, 0, false
	}
	switch op {
	case "+":
		lo, ok1 := addChecked(lv.lo, rv.lo)
		hi, ok2 := addChecked(lv.hi, rv.hi)
		return lo, hi, ok1 && ok2
	case "-":
		lo, ok1 := subChecked(lv.lo, rv.hi)
		hi, ok2 := subChecked(lv.hi, rv.lo)
		return lo, hi, ok1 && ok2
	case "*":
		lo, hi = math.MaxInt64, math.MinInt64
		for _, a := range [2]int64{lv.lo, lv.hi} {
			for _, b := range [2]int64{rv.lo, rv.hi} {
				p, ok := mulChecked(a, b)
				if !ok {
					return 0, 0, false
				}
				lo, hi = min(lo, p), max(hi, p)
			}
		}
		return lo, hi, true
	}
	return 0, 0, false
}

func addChecked(a, b int64) (int64, bool) {
	s := a + b
	return s, (s > a) == (b > 0)
}

func subChecked(a, b int64) (int64, bool) {
	s := a - b
	return s, (s < a) == (b > 0)
}

// plainOp computes l op r (+, - or *) at the positions of sel, without a
// check: intOp's unchecked form for operands whose result bounds fit, and
// floatOp's, whose overflow is an infinity checked afterwards. A selection
// of every row runs as a plain loop.
func plainOp[T int64 | float64](op string, l, r, out []T, sel []int32) {
	// dense: sel, ascending, is 0..n-1
	if n := len(sel); n > 0 && sel[0] == 0 && int(sel[n-1]) == n-1 && n <= min(len(l), len(r), len(out)) {
		l, r, out = l[:n], r[:n], out[:n]
		switch op {
		case "+":
			for j := range out {
				out[j] = l[j] + r[j]
			}
		case "-":
			for j := range out {
				out[j] = l[j] - r[j]
			}
		case "*":
			for j := range out {
				out[j] = l[j] * r[j]
			}
		}
		return
	}
	switch op {
	case "+":
		for _, j := range sel {
			out[j] = l[j] + r[j]
		}
	case "-":
		for _, j := range sel {
			out[j] = l[j] - r[j]
		}
	case "*":
		for _, j := range sel {
			out[j] = l[j] * r[j]
		}
	}
}
