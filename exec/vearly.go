package exec

import (
	"iter"
	"math"

	"rustydb/column"
)

// Join keys tested before the scan's filter. In a vectorized pipeline
// (vjoin.go) whose scan is probed by a join that drops the scanned rows
// without a match, a scanned row the join's table has no key for can
// only be dropped; most of a big table's rows often are (TPC-H q4, q10:
// the line items of one quarter's orders, 4% of lineitem). The scan's
// filter (l_commitdate < l_receiptdate, l_returnflag = 'R') would decode
// and test every row first. When the join's table keeps its keys as a
// bitmap over their range (jtable.bits) and that bitmap is sparse, the
// scan tests each row's key against it before its filter, which then runs
// on the rows that can match only (the join still probes them: the bitmap
// is a superset test, a NULL key's zero slot may have its bit set).
// Without a filter the test still pays: a tight loop without branches
// drops most rows before the join's probe, a call and a few branches a row
// (q17: the line items of 200 of 200,000 parts).
//
// Dropping rows before the filter does not change results: the filter
// and the join both only drop rows. It is decided per pipeline when it
// starts, once the join's table is built; a join that keeps unmatched
// scanned rows (a left join streaming the scan, an anti join) has none.

// earlyKeys is the key test a pipeline's scan runs before its filter.
type earlyKeys struct {
	col  int // the scanned key column
	lo   int64
	bits []uint64
	ints []int64 // scratch of selectedInts
	kept []int32
}

// maxEarlyDensity: the bitmap's keys are at most one in this many of the
// key range's values, so most scanned rows are expected to miss.
const maxEarlyDensity = 4

// earlyKeys returns the key test of p's scan, or nil when the stage over
// the scan is not a join that drops unmatched rows, has two keys or no
// sparse bitmap.
func (p *vpipe) earlyKeys() *earlyKeys {
	if len(p.stages) < 2 {
		return nil
	}
	s := p.stages[len(p.stages)-2] // the stage the scan pushes to
	if s.j == nil || s.outer || s.anti || len(s.keyCols) != 1 {
		return nil
	}
	t := s.j.vt
	if t == nil || t.bits == nil || uint64(len(t.k1))*maxEarlyDensity > uint64(len(t.bits))*64 {
		return nil
	}
	return &earlyKeys{col: s.keyCols[0], lo: t.lo, bits: t.bits, kept: make([]int32, 0, p.size)}
}

// keep returns the positions of sel whose key may be in the bitmap.
func (e *earlyKeys) keep(b *vbatch, sel []int32) []int32 {
	if cap(e.kept) < len(sel) {
		e.kept = make([]int32, 0, len(sel))
	}
	c := &b.seg.Cols[e.col]
	if c.Enc == column.RunLength {
		return e.keepRuns(c.Runs, b.off, b.n, sel)
	}
	ints := selectedInts(c, b.off, b.n, sel, &e.ints)
	kept, k := e.kept[:len(sel)], 0
	words := uint64(len(e.bits))
	for _, j := range sel {
		// without a branch on the bit: which rows pass is unpredictable
		d := uint64(ints[j]) - uint64(e.lo)
		kept[k] = j
		if w := d >> 6; w < words {
			k += int(e.bits[w] >> (d & 63) & 1)
		}
	}
	return kept[:k]
}

// keepRuns is keep over a run-length encoded key column (a table's
// sorted key: lineitem's l_orderkey): one test a run, not a row.
func (e *earlyKeys) keepRuns(r *column.Runs, off, n int, sel []int32) []int32 {
	kept := e.kept[:0]
	if len(sel) == n { // the whole batch: each run's rows are a range
		for k, at := r.Run(off), 0; at < n; k++ {
			end := min(int(r.Ends[k])-off, n)
			if hasBit(e.bits, e.lo, r.Values[k]) {
				for j := at; j < end; j++ {
					kept = append(kept, int32(j))
				}
			}
			at = end
		}
		return kept
	}
	for k, i := r.Run(off+int(sel[0])), 0; i < len(sel); k++ {
		end := int32(int(r.Ends[k]) - off) // the batch's rows of run k are below end
		has := hasBit(e.bits, e.lo, r.Values[k])
		for ; i < len(sel) && sel[i] < end; i++ {
			if has {
				kept = append(kept, sel[i])
			}
		}
	}
	return kept
}

// maxFewKeySpan bounds the range of a bitmap fewKeyBits makes (2 MB).
const maxFewKeySpan = 1 << 24

// fewKeyBits returns the bitmap of keys over their range from lo when the
// range is at most maxFewKeySpan, else nil. keyBits makes none for a few
// keys over a wide range (q18's 66 large orders among 6M order numbers),
// as a set of them is smaller; a jtable makes one anyway, as a probe and
// the early key test then reject a key with one load, not a hash probe.
func fewKeyBits(keys iter.Seq[int64]) (lo int64, bits []uint64) {
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for k := range keys {
		lo, hi = min(lo, k), max(hi, k)
	}
	if lo > hi || uint64(hi)-uint64(lo) >= maxFewKeySpan {
		return 0, nil
	}
	bits = make([]uint64, (uint64(hi)-uint64(lo))/64+1)
	for k := range keys {
		d := uint64(k) - uint64(lo)
		bits[d>>6] |= 1 << (d & 63)
	}
	return lo, bits
}
