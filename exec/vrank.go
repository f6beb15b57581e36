package exec

import "math/bits"

// Ranked lookups of a jtable with a key bitmap. A jtable of one key that
// keeps its keys as a bitmap over their range (jtable.bits) finds a key's
// rows without hashing: the key's rank among the keys (the set bits before
// its own: a count kept per word of the bitmap, plus a popcount within the
// word) indexes the first row of each key in key order. A hash probe lands
// on a random slot, a cache miss per row once the table outgrows the
// cache; a rank probe reads the bitmap, the counts and the rows in key
// order, so a scan sorted by the key (lineitem by l_orderkey, probing the
// orders of q3, q10, q18) reads them from front to back, the hardware
// prefetching what comes next. The bitmap test a probe does first
// (hasBit) has already read the key's word.

// rankKeys replaces t's hash slots by the counts of keys before each word
// of t.bits (ranks) and the first row (+ 1) of each key in key order
// (byRank).
func (t *jtable) rankKeys() {
	t.ranks = make([]int32, len(t.bits))
	n := int32(0)
	for w, b := range t.bits {
		t.ranks[w] = n
		n += int32(bits.OnesCount64(b))
	}
	t.byRank = make([]int32, n)
	for _, s := range t.slots {
		if s != 0 {
			t.byRank[t.rank(t.k1[s-1])] = s
		}
	}
	t.slots = nil
}

// rank returns the rank of key k, whose bit is set.
func (t *jtable) rank(k int64) int32 {
	d := uint64(k) - uint64(t.lo)
	w := d >> 6
	return t.ranks[w] + int32(bits.OnesCount64(t.bits[w]&(1<<(d&63)-1)))
}
