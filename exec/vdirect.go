package exec

// Grouping by one integer key through an array indexed by the key (TPC-H
// q13's orders per customer: 1.5M rows into 150,000 groups). A hash probe
// of a table of that many groups misses the cache on nearly every row; an
// array of the group of each key from the least one seen is a quarter of
// the size and a row costs one load. The hash table still holds every
// group (a key's first row adds it there), so the rest of the aggregation
// does not change, and a batch the array cannot take goes the hash way.

// maxDirectFloor is the span of keys the array may always cover; beyond
// it, at most directPerGroup slots per group.
const (
	maxDirectFloor = 1 << 20
	directPerGroup = 8
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
	var key [2]uint64
	for r, j := range sel {
		if v.null != nil && v.null[j] {
			key[0], key[1] = 1, 0 // the NULL group, as groupIDs keys it
			gids[r] = va.table.find(key[:])
			continue
		}
		x := v.i[j]
		d := uint64(x) - uint64(va.directLo)
		if d >= uint64(len(va.direct)) {
			if !va.growDirect(x) {
				va.noDirect, va.direct = true, nil
				return false, nil // groupIDs finds the groups of the whole batch
			}
			d = uint64(x) - uint64(va.directLo)
		}
		g := va.direct[d]
		if g == 0 {
			key[0], key[1] = 0, uint64(x)
			g = va.table.find(key[:]) + 1
			va.direct[d] = g
		}
		gids[r] = g - 1
	}
	return true, nil
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
