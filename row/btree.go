package row

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"sync/atomic"

	"rustydb/types"
)

// Bound is one end of an index range: rows whose next key column (after the
// equality prefix) is above (below) Value, or equal to it when Inclusive.
type Bound struct {
	Value     types.Value
	Inclusive bool
}

// btree is a B+tree index over a heap's versions, ordered by the values of
// its key columns (NULL last, as PostgreSQL sorts) and then by row id, so that
// equal keys of a non-unique index, and the versions of one row, are distinct
// entries. Separators in inner nodes are entries too. Leaves are linked left
// to right for range scans. The heap's mutex protects it.
type btree struct {
	cols  []int
	root  *bnode
	n     int
	scans atomic.Uint64 // Lookups, for v$index_statistics
}

// Node capacity: a node splits above bMax entries and is merged with or
// refilled from a sibling below bMin.
const (
	bMax = 64
	bMin = bMax / 4
)

// entry is one index entry. The first key column's value is kept in the
// node, so that a search compares without following pointers to the row
// in the common case where the first column decides.
type entry struct {
	k0   types.Value
	rest []types.Value // the other key columns' values
	v    *Version
}

type bnode struct {
	// In a leaf: the entries. In an inner node: separators, where items[i]
	// is the smallest entry under children[i+1] when it was chosen (entries
	// deleted since leave it a valid bound).
	items    []entry
	children []*bnode // nil in leaves
	next     *bnode   // leaves: the right neighbour
	// ks mirrors the first key column's integers of items (MaxInt64 for
	// NULL) when ksOK: every non-NULL one is an integer-like value of kind
	// ksKind. A search reads 8 bytes an entry there instead of 80, which
	// keeps a point lookup's node visits to a few cache lines.
	ks     []int64
	ksKind types.Kind
	ksOK   bool
}

// syncKeys refreshes n's key mirror after its items changed.
func (n *bnode) syncKeys() {
	n.ks, n.ksKind, n.ksOK = n.ks[:0], types.KNull, true
	for _, e := range n.items {
		switch k := e.k0.K; {
		case k == types.KNull:
			n.ks = append(n.ks, math.MaxInt64)
		case intOrdered(k) && (n.ksKind == types.KNull || n.ksKind == k):
			n.ksKind = k
			n.ks = append(n.ks, e.k0.I)
		default:
			n.ksOK = false
			return
		}
	}
}

// insertKey updates the mirror for e inserted at position i of n.items.
func (n *bnode) insertKey(i int, e entry) {
	switch k := e.k0.K; {
	case !n.ksOK:
	case k == types.KNull:
		n.ks = slices.Insert(n.ks, i, math.MaxInt64)
	case k == n.ksKind:
		n.ks = slices.Insert(n.ks, i, e.k0.I)
	default: // the first of its kind, or a kind the mirror cannot hold
		n.syncKeys()
	}
}

// deleteKey updates the mirror for the item removed at position i.
func (n *bnode) deleteKey(i int) {
	if n.ksOK {
		n.ks = slices.Delete(n.ks, i, i+1)
	} else {
		n.syncKeys() // the item that kept the mirror off may be the one gone
	}
}

// intOrdered reports whether values of kind k order by their I.
func intOrdered(k types.Kind) bool {
	switch k {
	case types.KInt, types.KDate, types.KTimestamp, types.KTimestampTZ, types.KTime:
		return true
	}
	return false
}

// narrow returns the items of n whose first key column equals x, as
// [lo, hi), from the key mirror; ok is false when the mirror cannot tell
// (then all of n.items are candidates).
func (n *bnode) narrow(x types.Value) (lo, hi int, ok bool) {
	if !n.ksOK || x.K == types.KNull || x.K != n.ksKind || x.I == math.MaxInt64 {
		return 0, len(n.items), false
	}
	ks := n.ks
	lo, hi = 0, len(ks)
	for lo < hi { // first key >= x
		mid := int(uint(lo+hi) >> 1)
		if ks[mid] < x.I {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	hi = lo
	for hi < len(ks) && ks[hi] == x.I { // equal keys are few, except in non-unique indexes
		hi++
	}
	return lo, hi, true
}

func newBtree(cols []int) *btree { return &btree{cols: cols, root: &bnode{ksOK: true}} }

func keyVal(vals []types.Value, c int) types.Value {
	if c < len(vals) {
		return vals[c]
	}
	return types.Null
}

// compareValues is types.Compare with the integer case inline.
func compareValues(a, b types.Value) int {
	if a.K == types.KInt && b.K == types.KInt {
		return cmp.Compare(a.I, b.I)
	}
	return types.Compare(a, b)
}

// entry makes the entry of version v whose values are vals.
func (t *btree) entry(vals []types.Value, v *Version) entry { return t.entryFrom(vals, v, nil) }

// restSlab is how many key values entryFrom allocates at once.
const restSlab = 4096

// entryFrom is entry with the other key columns' values taken from slab,
// which it refills restSlab values at a time: a bulk load's entries, which
// live as long as one another, in a few allocations rather than one each.
// A nil slab allocates them exactly.
func (t *btree) entryFrom(vals []types.Value, v *Version, slab *[]types.Value) entry {
	e := entry{k0: keyVal(vals, t.cols[0]), v: v}
	if n := len(t.cols) - 1; n > 0 {
		if slab == nil {
			e.rest = make([]types.Value, n)
		} else {
			if len(*slab) < n {
				*slab = make([]types.Value, max(n, restSlab))
			}
			e.rest, *slab = (*slab)[:n:n], (*slab)[n:]
		}
		for i, c := range t.cols[1:] {
			e.rest[i] = keyVal(vals, c)
		}
	}
	return e
}

// compare orders entries.
func (t *btree) compare(a, b *entry) int {
	if r := compareValues(a.k0, b.k0); r != 0 {
		return r
	}
	for i := range a.rest {
		if r := compareValues(a.rest[i], b.rest[i]); r != 0 {
			return r
		}
	}
	return cmp.Compare(a.v.ID, b.v.ID)
}

// order is compare for the slices package's sort functions.
func (t *btree) order(a, b entry) int { return t.compare(&a, &b) }

// comparePrefix compares vals with the first len(vals) key columns of e.
func (t *btree) comparePrefix(vals []types.Value, e entry) int {
	if len(vals) == 0 {
		return 0
	}
	if r := compareValues(vals[0], e.k0); r != 0 {
		return r
	}
	for i, x := range vals[1:] {
		if r := compareValues(x, e.rest[i]); r != 0 {
			return r
		}
	}
	return 0
}

// upper returns the number of items of n ordered before or equal to e.
func (t *btree) upper(n *bnode, e *entry) int {
	if k := len(n.items); k > 0 && t.compare(&n.items[k-1], e) <= 0 {
		return k // after every item, as a load's ascending keys are: no search
	}
	lo, hi, _ := n.narrow(e.k0)
	return lo + sort.Search(hi-lo, func(i int) bool { return t.compare(&n.items[lo+i], e) > 0 })
}

// past reports whether key is greater than every entry's, as a load's
// ascending keys are: then no entry has it, without a search. It looks at
// the rightmost leaf's last entry only, and says false when that leaf is
// empty.
func (t *btree) past(key []types.Value) bool {
	n := t.rightmost()
	return len(n.items) > 0 && t.comparePrefix(key, n.items[len(n.items)-1]) > 0
}

// rightmost returns the rightmost leaf.
func (t *btree) rightmost() *bnode {
	n := t.root
	for n.children != nil {
		n = n.children[len(n.children)-1]
	}
	return n
}

func (t *btree) insert(vals []types.Value, v *Version) { t.insertFrom(vals, v, nil) }

// insertFrom is insert with the entry made by entryFrom.
func (t *btree) insertFrom(vals []types.Value, v *Version, slab *[]types.Value) {
	e := t.entryFrom(vals, v, slab)
	// An entry after every other (a load's ascending keys) goes straight
	// to the rightmost leaf while it has room: no node above changes.
	if n := t.rightmost(); len(n.items) > 0 && len(n.items) < bMax && t.compare(&n.items[len(n.items)-1], &e) < 0 {
		n.items = append(n.items, e)
		n.insertKey(len(n.items)-1, e)
		t.n++
		return
	}
	if sep, right := t.insertAt(t.root, e); right != nil {
		t.root = &bnode{items: []entry{sep}, children: []*bnode{t.root, right}}
		t.root.syncKeys()
	}
	t.n++
}

// insertAt adds v under n and returns the separator and new right sibling
// when n had to split.
func (t *btree) insertAt(n *bnode, e entry) (entry, *bnode) {
	i := t.upper(n, &e)
	if n.children == nil {
		n.items = slices.Insert(n.items, i, e)
	} else {
		sep, right := t.insertAt(n.children[i], e)
		if right == nil {
			return entry{}, nil
		}
		n.items = slices.Insert(n.items, i, sep)
		n.children = slices.Insert(n.children, i+1, right)
		e = sep
	}
	if len(n.items) <= bMax {
		n.insertKey(i, e)
		return entry{}, nil
	}
	return n.split(i)
}

// split cuts n, which item at overfilled, in two. The rightmost leaf, when
// at is its last item (ascending keys, as a load's), keeps all but the
// fewest a node may hold, so that such inserts leave leaves three quarters
// full rather than half.
func (n *bnode) split(at int) (entry, *bnode) {
	mid, room := len(n.items)/2, 0
	if n.children == nil && n.next == nil && at == len(n.items)-1 {
		mid, room = len(n.items)-bMin, bMax+1 // the new leaf fills up next: room for all its items at once
	}
	if n.children == nil {
		right := &bnode{items: append(make([]entry, 0, max(room, len(n.items)-mid)), n.items[mid:]...), next: n.next}
		clear(n.items[mid:])
		n.items = n.items[:mid]
		n.next = right
		n.syncKeys()
		right.syncKeys()
		return right.items[0], right
	}
	sep := n.items[mid]
	right := &bnode{items: slices.Clone(n.items[mid+1:]), children: slices.Clone(n.children[mid+1:])}
	clear(n.items[mid:])
	clear(n.children[mid+1:])
	n.items, n.children = n.items[:mid], n.children[:mid+1]
	n.syncKeys()
	right.syncKeys()
	return sep, right
}

// fill makes t hold entries, which are sorted and t empty: leaves packed to
// fillFactor of their capacity, then each level of inner nodes over the one
// below, as a bulk load does (an index created over a loaded table is built
// in one pass instead of one insert per row).
func (t *btree) fill(entries []entry) {
	t.n = len(entries)
	if len(entries) == 0 {
		return
	}
	var level []*bnode
	for _, part := range partition(len(entries), fillFactor) {
		leaf := &bnode{items: slices.Clone(entries[part[0]:part[1]])}
		leaf.syncKeys()
		if len(level) > 0 {
			level[len(level)-1].next = leaf
		}
		level = append(level, leaf)
	}
	for len(level) > 1 {
		var up []*bnode
		for _, part := range partition(len(level), fillFactor+1) {
			children := slices.Clone(level[part[0]:part[1]])
			n := &bnode{children: children, items: make([]entry, 0, len(children)-1)}
			for _, c := range children[1:] {
				n.items = append(n.items, leftmost(c))
			}
			n.syncKeys()
			up = append(up, n)
		}
		level = up
	}
	t.root = level[0]
}

// fillFactor is how many entries (children, less one) fill puts in a node:
// room is left for inserts before the first splits.
const fillFactor = bMax * 7 / 8

// partition cuts n items into the fewest runs of at most size, of even
// length, as [start, end) pairs.
func partition(n, size int) [][2]int {
	parts := (n + size - 1) / size
	out := make([][2]int, parts)
	for i := range out {
		out[i] = [2]int{i * n / parts, (i + 1) * n / parts}
	}
	return out
}

// leftmost returns the smallest entry under n.
func leftmost(n *bnode) entry {
	for n.children != nil {
		n = n.children[0]
	}
	return n.items[0]
}

// delete removes the entry of v, whose values are vals; it reports
// whether there was one.
func (t *btree) delete(vals []types.Value, v *Version) bool {
	if !t.deleteAt(t.root, t.entry(vals, v)) {
		return false
	}
	t.n--
	if len(t.root.children) == 1 {
		t.root = t.root.children[0]
	}
	return true
}

func (t *btree) deleteAt(n *bnode, e entry) bool {
	if n.children == nil {
		lo, hi, _ := n.narrow(e.k0)
		i := lo + sort.Search(hi-lo, func(i int) bool { return t.compare(&n.items[lo+i], &e) >= 0 })
		if i == len(n.items) || n.items[i].v != e.v {
			return false
		}
		n.items = slices.Delete(n.items, i, i+1)
		n.deleteKey(i)
		return true
	}
	i := t.upper(n, &e)
	if !t.deleteAt(n.children[i], e) {
		return false
	}
	if len(n.children[i].items) < bMin {
		n.rebalance(i)
	}
	return true
}

// rebalance merges the underfull child i with a neighbour, or shares the
// neighbours' entries evenly when together they would overflow.
func (n *bnode) rebalance(i int) {
	j := min(i, len(n.children)-2) // the pair is children j and j+1
	if j < 0 {
		return
	}
	l, r := n.children[j], n.children[j+1]
	defer func() {
		n.syncKeys()
		l.syncKeys()
		r.syncKeys()
	}()
	if l.children == nil {
		items := append(slices.Clip(l.items), r.items...)
		if len(items) <= bMax {
			l.items, l.next = items, r.next
			n.removeRight(j)
			return
		}
		mid := len(items) / 2
		l.items, r.items = slices.Clone(items[:mid]), slices.Clone(items[mid:])
		n.items[j] = r.items[0]
		return
	}
	items := append(append(slices.Clip(l.items), n.items[j]), r.items...)
	children := append(slices.Clip(l.children), r.children...)
	if len(items) <= bMax {
		l.items, l.children = items, children
		n.removeRight(j)
		return
	}
	mid := len(items) / 2
	l.items, l.children = slices.Clone(items[:mid]), slices.Clone(children[:mid+1])
	n.items[j] = items[mid]
	r.items, r.children = slices.Clone(items[mid+1:]), slices.Clone(children[mid+1:])
}

// removeRight drops separator j and child j+1 after a merge into child j.
func (n *bnode) removeRight(j int) {
	n.items = slices.Delete(n.items, j, j+1)
	n.children = slices.Delete(n.children, j+1, j+2)
}

// scan calls fn, in key order, for every entry whose key starts with prefix
// and whose next key column lies within lo and hi (nil: unbounded), until fn
// returns false.
func (t *btree) scan(prefix []types.Value, lo, hi *Bound, fn func(*Version) bool) {
	start, startIncl := prefix, true
	if lo != nil {
		start, startIncl = append(slices.Clip(prefix), lo.Value), lo.Inclusive
	}
	end, endIncl := prefix, true
	if hi != nil {
		end, endIncl = append(slices.Clip(prefix), hi.Value), hi.Inclusive
	}
	n := t.root
	for n.children != nil {
		n = n.children[t.firstInRange(n, start, startIncl)]
	}
	i := t.firstInRange(n, start, startIncl)
	for ; n != nil; n, i = n.next, 0 {
		for _, e := range n.items[i:] {
			if r := t.comparePrefix(end, e); r < 0 || r == 0 && !endIncl {
				return
			}
			if !fn(e.v) {
				return
			}
		}
	}
}

// firstInRange returns the number of items that precede a range starting at
// start (inclusive or not): a binary search written out, as it is the
// innermost loop of every index lookup.
func (t *btree) firstInRange(n *bnode, start []types.Value, incl bool) int {
	items := n.items
	lo, hi := 0, len(items)
	if len(start) > 0 {
		var exact bool
		if lo, hi, exact = n.narrow(start[0]); exact && len(start) == 1 {
			if incl {
				return lo
			}
			return hi
		}
	}
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		r := t.comparePrefix(start, items[mid])
		if r > 0 || r == 0 && !incl {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}
