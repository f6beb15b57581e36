package exec

import (
	"math"

	"rustydb/types"
)

// count(DISTINCT x) in the vectorized aggregation (TPC-H q16's
// count(DISTINCT ps_suppkey) per brand, type and size). Each such
// aggregate keeps the set of (group, value) pairs it has seen in a vtable
// of two words, the value's word as a group key's (an integer, a float's
// key, a string's id); a row whose pair is new counts once. Workers'
// sets merge pair by pair (absorbDistinct). Where the vector groups meet
// the row path's partial groups (rows of the heap delta, or after a
// batch the vector form could not compute), each group's values become
// the row path's seen set, which mergeState unions.

// addDistinct counts each selected row's value in its group gids[r]
// unless the group has seen it.
func (va *vagg) addDistinct(a *vacc, v *vec, sel, gids []int32) {
	var k [2]uint64
	for r, j := range sel {
		if v.null != nil && v.null[j] {
			continue
		}
		g := gids[r]
		k[0], k[1] = uint64(g), va.valueWord(a.t, v, j)
		if n := a.distinct.len(); int(a.distinct.find(k[:])) == n {
			a.count[g]++
		}
	}
}

// valueWord is position j of v as one word, equal for equal values.
func (va *vagg) valueWord(t vtype, v *vec, j int32) uint64 {
	switch t.k {
	case vInt:
		return uint64(v.i[j])
	case vFloat:
		return floatKey(v.f[j])
	}
	return va.strID(v.s[j])
}

// absorbDistinct adds the pairs of from's distinct aggregate b to a's,
// from's group g being va's group into[g].
func (va *vagg) absorbDistinct(a, b *vacc, from *vagg, into []int32) {
	var k [2]uint64
	for p := range b.distinct.len() {
		w := b.distinct.keys[2*p : 2*p+2]
		g := into[w[0]]
		k[0], k[1] = uint64(g), w[1]
		if a.t.k == vStr { // string ids are per worker
			k[1] = va.strID(from.strs[w[1]])
		}
		if n := a.distinct.len(); int(a.distinct.find(k[:])) == n {
			a.count[g]++
		}
	}
}

// seenSets returns the values of each group of a distinct aggregate as
// the row path's seen sets (keyed by the values' HashKey).
func (va *vagg) seenSets(a *vacc) []map[string]bool {
	sets := make([]map[string]bool, va.table.len())
	var buf []byte
	for p := range a.distinct.len() {
		g, w := a.distinct.keys[2*p], a.distinct.keys[2*p+1]
		var v types.Value
		switch a.t.k {
		case vInt:
			v = intValue(a.t, int64(w))
		case vFloat:
			v = types.NewFloat(math.Float64frombits(w))
		default:
			v = types.NewText(va.strs[w])
		}
		if sets[g] == nil {
			sets[g] = map[string]bool{}
		}
		buf = v.HashKey(buf[:0])
		sets[g][string(buf)] = true
	}
	return sets
}

// keepSeen makes a distinct aggregate's group states carry the values
// seen, for merging with the row path's partial groups.
func (va *vagg) keepSeen() {
	for _, a := range va.aggs {
		if a.distinct != nil {
			a.seen = va.seenSets(a)
		}
	}
}

// unionSeen adds the values of src's seen set that dst has not seen to
// dst's, counting them: the merge of two partial states of a distinct
// aggregate.
func unionSeen(dst, src *aggState) {
	if dst.seen == nil {
		dst.seen = map[string]bool{}
	}
	for k := range src.seen {
		if !dst.seen[k] {
			dst.seen[k] = true
			dst.count++
		}
	}
}
