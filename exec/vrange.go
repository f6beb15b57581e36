package exec

// Conjunctions, with the comparisons of one integer column with constants
// next to each other (a date range, a BETWEEN) evaluated together as one
// interval test: in one pass over the batch's selection, or, over a whole
// batch, as two SIMD comparisons into bitmaps and one conversion to a
// selection. Evaluated one after the other, the second comparison reads
// the rows the first kept one by one, at random positions.

import (
	"math"

	"rustydb/asm"
	"rustydb/column"
	"rustydb/plan"
	"rustydb/types"
)

// and compiles a conjunction, its conjuncts evaluated in order, each on
// the rows the ones before kept.
func (vc *vcompiler) and(e *plan.Binary) (vpred, error) {
	var preds []vpred
	for _, part := range vc.conjuncts(e) {
		var p vpred
		var err error
		switch {
		case part.expr != nil:
			p, err = vc.pred(part.expr)
		case len(part.cmps) == 1:
			p = vc.intColPred(part.cmps[0])
		default:
			p = vc.rangePred(part.cmps)
		}
		if err != nil {
			return nil, err
		}
		preds = append(preds, p)
	}
	return func(b *vbatch, sel []int32) ([]int32, error) {
		var err error
		for _, p := range preds {
			if sel, err = p(b, sel); err != nil || len(sel) == 0 {
				return sel, err
			}
		}
		return sel, nil
	}, nil
}

// conjunct is one part of a conjunction: an expression, or comparisons of
// one integer column with constants.
type conjunct struct {
	expr plan.Expr
	cmps []colCmp
}

// conjuncts flattens the conjunction e, grouping the interval comparisons
// of a column (see interval) that no other kind of conjunct separates:
// moved ahead of an expression, a comparison could drop a row that the
// expression would have failed on.
func (vc *vcompiler) conjuncts(e plan.Expr) []conjunct {
	var parts []conjunct
	group := map[int]int{} // column -> its part since the last expression
	var walk func(e plan.Expr)
	walk = func(e plan.Expr) {
		if b, ok := e.(*plan.Binary); ok && b.Op == "and" {
			walk(b.L)
			walk(b.R)
			return
		}
		if c, ok := vc.intervalCmp(e); ok {
			if i, seen := group[c.idx]; seen {
				parts[i].cmps = append(parts[i].cmps, c)
				return
			}
			group[c.idx] = len(parts)
			parts = append(parts, conjunct{cmps: []colCmp{c}})
			return
		}
		clear(group)
		parts = append(parts, conjunct{expr: e})
	}
	walk(e)
	return parts
}

// intervalCmp returns e as a comparison of an integer column with a
// constant that bounds an interval (not <>).
func (vc *vcompiler) intervalCmp(e plan.Expr) (colCmp, bool) {
	b, ok := e.(*plan.Binary)
	if !ok || flipCmp[b.Op] == "" || b.Op == "<>" || b.L.Type().ID == types.Char || b.R.Type().ID == types.Char {
		return colCmp{}, false
	}
	c, ok := vc.colConstCmp(b)
	return c, ok && c.op != asm.Ne
}

// interval returns the values [lo, hi] that pass all of cmps; lo > hi
// when none does.
func interval(cmps []colCmp) (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	for _, c := range cmps {
		switch c.op {
		case asm.Eq:
			lo, hi = max(lo, c.k), min(hi, c.k)
		case asm.Ge:
			lo = max(lo, c.k)
		case asm.Le:
			hi = min(hi, c.k)
		case asm.Gt:
			if c.k == math.MaxInt64 {
				return 1, 0
			}
			lo = max(lo, c.k+1)
		case asm.Lt:
			if c.k == math.MinInt64 {
				return 1, 0
			}
			hi = min(hi, c.k-1)
		}
	}
	return lo, hi
}

// rangePred keeps the rows whose stored int column value passes all of
// cmps, comparisons of one column (none run-length encoded in a batch is
// tested per run, as intColPred does).
func (vc *vcompiler) rangePred(cmps []colCmp) vpred {
	idx := cmps[0].idx
	lo, hi := interval(cmps)
	if lo > hi {
		return func(*vbatch, []int32) ([]int32, error) { return nil, nil }
	}
	loCmp, hiCmp := vc.intColPred(colCmp{idx, asm.Ge, lo}), vc.intColPred(colCmp{idx, asm.Le, hi})
	out := make([]int32, vc.size)
	bits := make([]byte, 2*((vc.size+7)/8+8))
	decoded := make([]int64, vc.size)
	return func(b *vbatch, sel []int32) ([]int32, error) {
		c := &b.seg.Cols[idx]
		if c.Enc == column.RunLength {
			s, _ := loCmp(b, sel)
			return hiCmp(b, s)
		}
		x64 := vc.intsOf(b, idx, sel, decoded)
		if x64 == nil && (lo > math.MaxInt32 || hi < math.MinInt32) {
			return nil, nil // no int32 is in the interval
		}
		if len(sel) == b.n && b.off%8 == 0 {
			n := (b.n + 7) / 8
			bm, above := bits[:n], bits[n:2*n]
			if x64 == nil {
				x32 := c.I32[b.off : b.off+b.n]
				asm.CmpInt32(x32, asm.Ge, int32(max(lo, math.MinInt32)), bm)
				asm.CmpInt32(x32, asm.Le, int32(min(hi, math.MaxInt32)), above)
			} else {
				asm.CmpInt64(x64, asm.Ge, lo, bm)
				asm.CmpInt64(x64, asm.Le, hi, above)
			}
			asm.BitmapAnd(bm, bm, above)
			return validSel(c, b, bm, out), nil
		}
		var res []int32
		if x64 == nil {
			res = inInterval(c.I32[b.off:], lo, hi, sel, out[:0])
		} else {
			res = inInterval(x64, lo, hi, sel, out[:0])
		}
		return dropColNulls(c, b.off, res), nil
	}
}

// inInterval keeps the rows of sel whose value in x is within [lo, hi],
// with one unsigned comparison and no branch (see cmpConstSel).
func inInterval[T int32 | int64](x []T, lo, hi int64, sel, out []int32) []int32 {
	n := len(out)
	out = out[:n+len(sel)]
	span := uint64(hi - lo)
	for _, j := range sel {
		out[n] = j
		n += bit(uint64(int64(x[j])-lo) <= span)
	}
	return out[:n]
}
