package row

import (
	"math/rand/v2"
	"slices"
	"testing"

	"rustydb/types"
)

// TestBtreeRandom inserts and deletes random entries, some with equal or
// NULL keys, and checks the invariants and every kind of scan against a
// sorted slice.
func TestBtreeRandom(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		rng := rand.New(rand.NewPCG(seed, 99))
		tr := newBtree([]int{0, 1})
		var ref []*Version
		vals := map[*Version][]types.Value{}
		var id uint64
		for step := 0; step < 20000; step++ {
			if len(ref) > 0 && rng.IntN(100) < 45 {
				v := ref[rng.IntN(len(ref))]
				if !tr.delete(vals[v], v) {
					t.Fatalf("seed %d step %d: delete of present entry failed", seed, step)
				}
				ref = slices.DeleteFunc(ref, func(x *Version) bool { return x == v })
			} else {
				id++
				a := types.Value{K: types.KInt, I: rng.Int64N(50)}
				if rng.IntN(20) == 0 {
					a = types.Null
				}
				v := &Version{ID: id}
				vals[v] = []types.Value{a, {K: types.KInt, I: rng.Int64N(10)}}
				tr.insert(vals[v], v)
				ref = append(ref, v)
			}
			if step%1000 == 0 {
				if err := checkTree(tr); err != nil {
					t.Fatalf("seed %d step %d: %v", seed, step, err)
				}
			}
		}
		if err := checkTree(tr); err != nil {
			t.Fatal(err)
		}
		if tr.delete([]types.Value{{K: types.KInt, I: 1}, {K: types.KInt}}, &Version{ID: id + 1}) {
			t.Fatal("delete of an absent entry succeeded")
		}
		slices.SortFunc(ref, func(a, b *Version) int { return tr.order(tr.entry(vals[a], a), tr.entry(vals[b], b)) })
		for q := 0; q < 300; q++ {
			var prefix []types.Value
			if rng.IntN(2) == 0 {
				prefix = []types.Value{{K: types.KInt, I: rng.Int64N(52)}}
			}
			bound := func() *Bound {
				if rng.IntN(3) == 0 {
					return nil
				}
				return &Bound{Value: types.Value{K: types.KInt, I: rng.Int64N(52)}, Inclusive: rng.IntN(2) == 0}
			}
			lo, hi := bound(), bound()
			var got []*Version
			tr.scan(prefix, lo, hi, func(v *Version) bool { got = append(got, v); return true })
			var want []*Version
			for _, v := range ref {
				if inRange(tr, vals[v], v, prefix, lo, hi) {
					want = append(want, v)
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("seed %d: scan prefix %v lo %v hi %v: got %d entries, want %d", seed, prefix, lo, hi, len(got), len(want))
			}
		}
	}
}

func inRange(tr *btree, vals []types.Value, v *Version, prefix []types.Value, lo, hi *Bound) bool {
	if tr.comparePrefix(prefix, tr.entry(vals, v)) != 0 {
		return false
	}
	x := keyVal(vals, tr.cols[len(prefix)])
	if lo != nil {
		if r := types.Compare(x, lo.Value); r < 0 || r == 0 && !lo.Inclusive {
			return false
		}
	}
	if hi != nil {
		if r := types.Compare(x, hi.Value); r > 0 || r == 0 && !hi.Inclusive {
			return false
		}
	}
	return true
}

// TestBtreeScanStops checks that a scan ends when its callback says so.
func TestBtreeScanStops(t *testing.T) {
	tr := newBtree([]int{0})
	for i := range 1000 {
		tr.insert([]types.Value{{K: types.KInt, I: int64(i)}}, &Version{ID: uint64(i + 1)})
	}
	n := 0
	tr.scan(nil, &Bound{Value: types.Value{K: types.KInt, I: 500}, Inclusive: true}, nil, func(v *Version) bool {
		n++
		return n < 10
	})
	if n != 10 {
		t.Fatalf("scan visited %d entries after the callback stopped it", n)
	}
}

// check verifies the tree's invariants (for tests): order within and across
// nodes, separator bounds, node fill, equal leaf depth and the leaf chain.
func checkTree(t *btree) error {
	var leaves []*bnode
	depth := -1
	var walk func(n *bnode, lo, hi *entry, d int) error
	walk = func(n *bnode, lo, hi *entry, d int) error {
		if n != t.root && len(n.items) < bMin {
			return errTree("underfull node")
		}
		if len(n.items) > bMax {
			return errTree("overfull node")
		}
		mirror := &bnode{items: n.items}
		mirror.syncKeys()
		if n.ksOK != mirror.ksOK || n.ksKind != mirror.ksKind || !slices.Equal(n.ks, mirror.ks) {
			return errTree("key mirror out of date")
		}
		for i, v := range n.items {
			if i > 0 && t.order(n.items[i-1], v) >= 0 {
				return errTree("items out of order")
			}
			if lo != nil && t.order(v, *lo) < 0 || hi != nil && t.order(v, *hi) >= 0 {
				return errTree("item outside its separators")
			}
		}
		if n.children == nil {
			if depth >= 0 && depth != d {
				return errTree("leaves at different depths")
			}
			depth = d
			leaves = append(leaves, n)
			return nil
		}
		if len(n.children) != len(n.items)+1 {
			return errTree("children and separators disagree")
		}
		for i, c := range n.children {
			clo, chi := lo, hi
			if i > 0 {
				clo = &n.items[i-1]
			}
			if i < len(n.items) {
				chi = &n.items[i]
			}
			if err := walk(c, clo, chi, d+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(t.root, nil, nil, 0); err != nil {
		return err
	}
	count := 0
	for i, l := range leaves {
		count += len(l.items)
		var want *bnode
		if i+1 < len(leaves) {
			want = leaves[i+1]
		}
		if l.next != want {
			return errTree("broken leaf chain")
		}
	}
	if count != t.n {
		return errTree("entry count wrong")
	}
	return nil
}

type errTree string

func (e errTree) Error() string { return "btree: " + string(e) }

// TestBtreeFill checks the bulk build: for sizes around the node capacities
// the filled tree is valid, holds the entries in order, and stays valid and
// complete under inserts and deletes afterwards.
func TestBtreeFill(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 2, fillFactor, fillFactor + 1, 2 * fillFactor, fillFactor * (fillFactor + 1), fillFactor*(fillFactor+1) + 1, 20000} {
		tr := newBtree([]int{0})
		vals := map[*Version][]types.Value{}
		var entries []entry
		for id := range n {
			v := &Version{ID: uint64(id + 1)}
			vals[v] = []types.Value{{K: types.KInt, I: rng.Int64N(int64(n/3 + 1))}}
			if rng.IntN(30) == 0 {
				vals[v][0] = types.Null
			}
			entries = append(entries, tr.entry(vals[v], v))
		}
		slices.SortFunc(entries, tr.order)
		tr.fill(slices.Clone(entries))
		if err := checkTree(tr); err != nil {
			t.Fatalf("%d entries: %v", n, err)
		}
		var got []*Version
		tr.scan(nil, nil, nil, func(v *Version) bool { got = append(got, v); return true })
		if len(got) != n {
			t.Fatalf("%d entries: scan finds %d", n, len(got))
		}
		for i, e := range entries {
			if got[i] != e.v {
				t.Fatalf("%d entries: entry %d out of order", n, i)
			}
		}
		for step := range 2000 {
			v := &Version{ID: uint64(n + step + 1)}
			vals[v] = []types.Value{{K: types.KInt, I: rng.Int64N(int64(n/3 + 2))}}
			tr.insert(vals[v], v)
			if len(entries) > 0 && rng.IntN(2) == 0 {
				k := rng.IntN(len(entries))
				if !tr.delete(vals[entries[k].v], entries[k].v) {
					t.Fatalf("%d entries: delete of a filled entry failed", n)
				}
				entries = slices.Delete(entries, k, k+1)
			}
		}
		if err := checkTree(tr); err != nil {
			t.Fatalf("%d entries after changes: %v", n, err)
		}
	}
}
