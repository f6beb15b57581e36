package exec

import (
	"math/bits"
	"slices"
)

// vtable is the vectorized aggregation's hash table: open addressing from
// group keys (nk words each: a word of NULL flags, then one word a key) to
// dense group ids, the keys of group g at keys[g*nk:(g+1)*nk].
//
// A table of one key (nk == 2: GROUP BY l_orderkey) keeps each slot's key
// word beside its group id in islots, so that a probe reads one cache line
// instead of a slot and then the key it points to, and a rehash reads no
// keys; the NULL key is not in the slots but in nullG. TPC-H q18 groups 6M
// rows into 1.5M groups this way.
type vtable struct {
	nk     int
	keys   []uint64
	slots  []int32 // group id + 1; 0 is empty (tables of several keys)
	islots []islot // tables of one key
	nullG  int32   // the NULL key's group id + 1, 0 none (one key)
	shift  uint
	// unindexed: groups were added without their slots (addUnindexed),
	// which the next find makes first
	unindexed bool
}

// islot is a slot of a one-key table.
type islot struct {
	key uint64
	g   int32 // group id + 1; 0 is empty
}

const vtableInitBits = 6

func (t *vtable) init(nk int) { t.initLayout(nk, nk == 2) }

// initPairs makes a table of keys of two plain words, without the NULL
// flags word, such as count(DISTINCT)'s (group, value) pairs.
func (t *vtable) initPairs() { t.initLayout(2, false) }

// initLayout makes an empty table of keys of nk words, whose slots hold
// the keys when oneKey (see islots).
func (t *vtable) initLayout(nk int, oneKey bool) {
	t.nk = nk
	if oneKey {
		t.islots = make([]islot, 1<<vtableInitBits)
	} else {
		t.slots = make([]int32, 1<<vtableInitBits)
	}
	t.shift = 64 - vtableInitBits
}

func (t *vtable) len() int { return len(t.keys) / t.nk }

// size is the number of slots.
func (t *vtable) size() int { return len(t.slots) + len(t.islots) }

// bytes is the memory of the table.
func (t *vtable) bytes() int64 {
	return int64(len(t.keys))*8 + int64(len(t.slots))*4 + int64(len(t.islots))*16
}

func hashWords(k []uint64) uint64 {
	h := uint64(0x9E3779B97F4A7C15)
	for _, w := range k {
		h = (h ^ w) * 0xbf58476d1ce4e5b9
		h ^= h >> 31
	}
	return h * 0x94d049bb133111eb
}

// hashKey hashes a one-key table's key word.
func hashKey(w uint64) uint64 {
	h := w * 0xbf58476d1ce4e5b9
	h ^= h >> 31
	return h * 0x94d049bb133111eb
}

// find returns the id of group k, adding it when new.
func (t *vtable) find(k []uint64) int32 {
	if t.unindexed {
		t.place(t.size())
		t.unindexed = false
	}
	if t.islots != nil {
		return t.findOne(k)
	}
	mask := len(t.slots) - 1
	for i := int(hashWords(k) >> t.shift); ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			g := t.add(k)
			t.slots[i] = g + 1
			t.grown()
			return g
		}
		if eqWords(t.keys[int(s-1)*t.nk:int(s)*t.nk], k) {
			return s - 1
		}
	}
}

// findOne is find in a one-key table.
func (t *vtable) findOne(k []uint64) int32 {
	if k[0] != 0 { // NULL
		if t.nullG == 0 {
			t.nullG = t.add(k) + 1
		}
		return t.nullG - 1
	}
	w := k[1]
	mask := len(t.islots) - 1
	for i := int(hashKey(w) >> t.shift); ; i = (i + 1) & mask {
		s := &t.islots[i]
		if s.g == 0 {
			g := t.add(k)
			s.key, s.g = w, g+1
			t.grown()
			return g
		}
		if s.key == w {
			return s.g - 1
		}
	}
}

// add appends a new group's key and returns its id.
func (t *vtable) add(k []uint64) int32 {
	g := int32(t.len())
	t.keys = append(roomForN(t.keys, len(k)), k...)
	return g
}

// addUnindexed appends new group k without a slot, for a caller that
// finds its groups another way (directGroupIDs) until it calls find.
func (t *vtable) addUnindexed(k []uint64) int32 {
	t.unindexed = true
	return t.add(k)
}

// grown rehashes the table once it is half full.
func (t *vtable) grown() {
	if 2*t.len() > t.size() {
		t.rehash()
	}
}

func eqWords(a, b []uint64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (t *vtable) rehash() { t.resize(2 * t.size()) }

// reserve makes room for n groups without a rehash. Groups added
// unindexed get no slots here: the next find places them all anyway, and
// an aggregation through the direct array (vdirect.go), merges included,
// may never need them.
func (t *vtable) reserve(n int) {
	if t.unindexed {
		t.keys = slices.Grow(t.keys, max(0, n*t.nk-len(t.keys)))
		return
	}
	size := t.size()
	for size < 2*n {
		size *= 2
	}
	if size > t.size() {
		t.resize(size)
	}
}

// resize moves the slots to a table of size (a power of two) slots; a
// one-key table moves its slots, which hold the keys.
func (t *vtable) resize(size int) {
	if t.unindexed || t.islots == nil {
		t.place(size) // every group, from its keys
		t.unindexed = false
		return
	}
	t.keys = slices.Grow(t.keys, size/2*t.nk-len(t.keys))
	t.shift = uint(64 - bits.TrailingZeros(uint(size)))
	mask := size - 1
	old := t.islots
	t.islots = make([]islot, size)
	for _, s := range old {
		if s.g == 0 {
			continue
		}
		i := int(hashKey(s.key) >> t.shift)
		for t.islots[i].g != 0 {
			i = (i + 1) & mask
		}
		t.islots[i] = s
	}
}

// place makes size slots (a power of two), doubled until they are more
// than twice the groups, and gives every group its slot, from its keys.
func (t *vtable) place(size int) {
	for size <= 2*t.len() {
		size *= 2
	}
	// room for the keys of every group until the next rehash: append would
	// grow a large slice by a quarter, copying it over and over
	t.keys = slices.Grow(t.keys, size/2*t.nk-len(t.keys))
	t.shift = uint(64 - bits.TrailingZeros(uint(size)))
	mask := size - 1
	if t.islots != nil {
		t.islots, t.nullG = make([]islot, size), 0
		for g := range t.len() {
			k := t.keys[g*2 : g*2+2]
			if k[0] != 0 { // NULL
				t.nullG = int32(g) + 1
				continue
			}
			i := int(hashKey(k[1]) >> t.shift)
			for t.islots[i].g != 0 {
				i = (i + 1) & mask
			}
			t.islots[i] = islot{key: k[1], g: int32(g) + 1}
		}
		return
	}
	t.slots = make([]int32, size)
	for g := range t.len() {
		i := int(hashWords(t.keys[g*t.nk:(g+1)*t.nk]) >> t.shift)
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = int32(g) + 1
	}
}
