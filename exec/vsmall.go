package exec

import (
	"math/bits"
	"slices"
)

// Aggregations into few groups (TPC-H Q1's four). A batch counts its rows
// per group once for all aggregates, instead of each aggregate counting
// per row, and sums integers whose bounds (see vbounds.go) keep the batch's
// total within int64 into one word a group, carrying into the 128-bit sum
// once a batch instead of once a row.

// smallGroups is the most groups for which batches count rows per group.
const smallGroups = 256

// rowsPerGroup counts the batch's rows in each of the groups, or returns
// nil when there are too many groups for that to pay.
func (va *vagg) rowsPerGroup(gids []int32, groups int) []int64 {
	if groups > smallGroups {
		return nil
	}
	per := growTo(va.perGroup, groups)
	va.perGroup = per
	clear(per)
	for _, g := range gids {
		per[g]++
	}
	return per
}

// small reports whether addSmall takes a's batch of values v: count, sum
// or avg of values without NULLs, of one scale.
func (a *vacc) small(v *vec) bool {
	switch {
	case v.null != nil || v.scale != nil:
		return false
	case a.call.Func == "count":
		return true
	case a.call.Func != "sum" && a.call.Func != "avg":
		return false
	}
	return a.t.k == vFloat || a.t.k == vInt && sumFits(v, len(v.i)) // v.i holds at least the batch
}

// addSmall is add for a batch whose rows per group are known, for the
// aggregates small takes; false for the others, which add takes.
func (a *vacc) addSmall(v *vec, sel []int32, gids []int32, perGroup []int64) bool {
	if !a.small(v) {
		return false
	}
	switch {
	case a.call.Func == "count":
	case a.t.k == vFloat:
		f := a.f
		for r, j := range sel {
			f[gids[r]] += v.f[j]
		}
	default: // an integer sum that fits (small)
		part := growTo(a.part, len(perGroup))
		a.part = part
		for r, j := range sel {
			part[gids[r]] += v.i[j]
		}
		a.carry(part)
		clear(part)
	}
	a.addCounts(perGroup)
	return true
}

// addCounts adds a batch's rows per group to a's counts.
func (a *vacc) addCounts(perGroup []int64) {
	for g, n := range perGroup {
		a.count[g] += n
	}
}

// sumFits reports whether n values within v's bounds sum within int64.
func sumFits(v *vec, n int) bool {
	if !v.bounded || v.lo == -1<<63 {
		return false
	}
	m := max(-v.lo, v.hi)
	hi, lo := bits.Mul64(uint64(m), uint64(n))
	return hi == 0 && lo < 1<<63
}

// carry adds a batch's sums per group, part, into a's 128-bit sums.
func (a *vacc) carry(part []int64) {
	for g, x := range part {
		var c uint64
		a.lo[g], c = bits.Add64(a.lo[g], uint64(x), 0)
		a.hi[g] += x>>63 + int64(c)
	}
}

// smallSums is addSmall's integer sums for all of va's aggregates at once:
// each argument vector is summed once however many aggregates take it (sum
// and avg of one column), and two vectors a pass over the batch, which
// reads each row's position and group once for both. It returns which
// aggregates it added; nil when fewer than two qualify.
func (va *vagg) smallSums(args []*vec, sel, gids []int32, perGroup []int64) []bool {
	var took []bool
	vecs := va.sumVecs[:0] // the distinct vectors summed
	for i, a := range va.aggs {
		if a.arg == nil || a.distinct != nil || a.call.Func == "count" || a.t.k != vInt || !a.small(args[i]) {
			continue
		}
		if took == nil {
			took = make([]bool, len(va.aggs))
		}
		took[i] = true
		if !slices.Contains(vecs, args[i]) {
			vecs = append(vecs, args[i])
		}
	}
	va.sumVecs = vecs
	if len(vecs) < 2 {
		return nil
	}
	ng := len(perGroup)
	parts := growTo(va.sumParts, len(vecs)*ng)
	va.sumParts = parts
	for k := 0; k < len(vecs); k += 2 {
		p, x := parts[k*ng:(k+1)*ng], vecs[k].i
		if k+1 == len(vecs) {
			for r, j := range sel {
				p[gids[r]] += x[j]
			}
			break
		}
		q, y := parts[(k+1)*ng:(k+2)*ng], vecs[k+1].i
		for r, j := range sel {
			g := gids[r]
			p[g] += x[j]
			q[g] += y[j]
		}
	}
	for i, a := range va.aggs {
		if !took[i] {
			continue
		}
		k := slices.Index(vecs, args[i])
		a.grow(ng)
		a.carry(parts[k*ng : (k+1)*ng])
		a.addCounts(perGroup)
	}
	clear(parts)
	return took
}
