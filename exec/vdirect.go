package exec

// Grouping by one integer key through an array indexed by the key (TPC-H
// q13's orders per customer: 1.5M rows into 150,000 groups). A hash probe
// of a table of that many groups misses the cache on nearly every row; an
// array of the group of each key from the least one seen is a quarter of
// the size and a row costs one load. The hash table still holds every
// group's key (a key's first row adds it there, without hashing it until
// a lookup by hash needs it), so the rest of the aggregation does not
// change, and a batch the array cannot take goes the hash way, for good:
// a group the hash way makes is not in the array.

import (
	"math"

	"rustydb/plan"
	"rustydb/row"
	"rustydb/types"
)

// maxDirectFloor is the span of keys the array may always cover; beyond
// it, at most directPerGroup slots per group: 64 bytes a group at most,
// against the hash table's 48 (a slot pair and the key), which with two
// workers lets each cover the whole range of keys of which it sees half
// (TPC-H q18: 1.5M order keys from 1 to 6M).
const (
	maxDirectFloor = 1 << 20
	directPerGroup = 16
	maxDirectKey   = 1 << 60
)

// directGroupIDs finds each selected row's group through the array, and
// reports false when the aggregation does not group by one integer key or
// the keys spread too thinly for the array, which it then gives up.
func (va *vagg) directGroupIDs(b *vbatch, sel []int32, gids []int32) (bool, error) {
	if va.noDirect || len(va.keys) != 1 || va.keys[0].t.k != vInt {
		return false, nil
	}
	v, err := va.keys[0].fn(b, sel)
	if err != nil {
		return true, err
	}
	for r, j := range sel {
		if v.null != nil && v.null[j] {
			gids[r] = va.table.find([]uint64{1, 0}) // the NULL group, as groupIDs keys it
			continue
		}
		g, ok := va.directGroup(v.i[j])
		if !ok {
			return false, nil // groupIDs finds the groups of the whole batch
		}
		gids[r] = g
	}
	return true, nil
}

// directGroup returns the group of key x through the array, adding it
// when new; false (and no array from then on) when x does not fit.
func (va *vagg) directGroup(x int64) (int32, bool) {
	d := uint64(x) - uint64(va.directLo)
	if d >= uint64(len(va.direct)) {
		if !va.growDirect(x) {
			va.noDirect, va.direct = true, nil
			return 0, false
		}
		d = uint64(x) - uint64(va.directLo)
	}
	g := va.direct[d]
	if g == 0 {
		va.word[1] = uint64(x)
		g = va.table.addUnindexed(va.word[:]) + 1
		va.direct[d] = g
	}
	return g - 1, true
}

// directKey reports whether group key k (its words) may be looked up in
// the array: one integer key, not NULL, while there is an array.
func (va *vagg) directKey(k []uint64) bool {
	return !va.noDirect && len(va.keys) == 1 && va.keys[0].t.k == vInt && k[0] == 0
}

// growDirect widens the array to cover key x, doubling it so that keys
// met in any order cost few copies, unless the span passes the bounds.
func (va *vagg) growDirect(x int64) bool {
	if x < -maxDirectKey || x > maxDirectKey {
		return false // the span's arithmetic stays far from overflowing
	}
	if len(va.direct) == 0 {
		va.directLo, va.direct = x, make([]int32, 1024)
		return true
	}
	lo, hi := min(va.directLo, x), max(va.directLo+int64(len(va.direct))-1, x)
	span := uint64(hi) - uint64(lo) + 1
	if span > max(maxDirectFloor, directPerGroup*uint64(va.table.len())) {
		return false
	}
	size := max(span, 2*uint64(len(va.direct)))
	grown := make([]int32, size)
	// room on the side the key fell: below the least key, or above
	from := lo
	if x < va.directLo {
		from = hi + 1 - int64(size)
	}
	copy(grown[va.directLo-from:], va.direct)
	va.directLo, va.direct = from, grown
	return true
}

// group returns the group of key words k, adding it when new: through the
// array when it may, else by hash.
func (va *vagg) group(k []uint64) int32 {
	if va.directKey(k) {
		if g, ok := va.directGroup(int64(k[1])); ok {
			return g
		}
	}
	return va.table.find(k)
}

// keyRange returns the least and greatest value of n's one group key when
// it is an integer or date column of the segments segs, from their zone
// maps.
func keyRange(n *plan.Aggregate, segs []*row.Segment) (lo, hi int64, ok bool) {
	if len(n.GroupBy) != 1 {
		return 0, 0, false
	}
	c, isCol := n.GroupBy[0].(*plan.ColRef)
	if !isCol {
		return 0, 0, false
	}
	switch c.T.ID {
	case types.Int2, types.Int4, types.Int8, types.Date:
	default:
		return 0, 0, false
	}
	lo, hi = math.MaxInt64, math.MinInt64
	for _, s := range segs {
		if z := s.Cols[c.Idx].Zone; !z.Min.IsNull() {
			lo, hi = min(lo, z.Min.I), max(hi, z.Max.I)
		}
	}
	return lo, hi, lo <= hi
}

// coverKeys widens the array to the keys from lo to hi at once when the
// groups made so far let it: keys that come in order with the rows
// (TPC-H's lineitem by l_orderkey) would otherwise double it over and
// over, copying it and touching new memory each time.
func (va *vagg) coverKeys(lo, hi int64) {
	if va.noDirect || len(va.direct) == 0 {
		return
	}
	lo, hi = min(lo, va.directLo), max(hi, va.directLo+int64(len(va.direct))-1)
	if lo < -maxDirectKey || hi > maxDirectKey {
		return
	}
	span := uint64(hi) - uint64(lo) + 1
	if span <= uint64(len(va.direct)) || span > max(maxDirectFloor, directPerGroup*uint64(va.expected)) {
		return
	}
	grown := make([]int32, span)
	copy(grown[va.directLo-lo:], va.direct)
	va.directLo, va.direct = lo, grown
}
