package row

import (
	"math/rand/v2"
	"testing"

	"rustydb/types"
)

// TestBtreePast checks that past says a key is beyond every entry only
// when no entry is at or after it, and does for the keys of ascending
// inserts (a load's), and for random ones with deletes and NULLs.
func TestBtreePast(t *testing.T) {
	ints := func(xs ...int64) []types.Value {
		vals := make([]types.Value, len(xs))
		for i, x := range xs {
			vals[i] = types.NewInt(x)
		}
		return vals
	}
	f := func(name string, tr *btree, rng *rand.Rand) {
		t.Helper()
		for range 500 {
			key := ints(rng.Int64N(60)-5, rng.Int64N(12)-1)
			if !tr.past(key) {
				continue
			}
			// past: no entry at or after key
			n := tr.root
			for n.children != nil {
				n = n.children[0]
			}
			for ; n != nil; n = n.next {
				for _, e := range n.items {
					if tr.comparePrefix(key, e) <= 0 {
						t.Fatalf("%s: past(%v) though entry %v %v is not before it", name, key, e.k0, e.rest)
					}
				}
			}
		}
		// the greatest key and beyond
		n := tr.root
		for n.children != nil {
			n = n.children[len(n.children)-1]
		}
		if len(n.items) == 0 {
			if tr.past(ints(0, 0)) {
				t.Errorf("%s: past on an empty rightmost leaf", name)
			}
			return
		}
		last := n.items[len(n.items)-1]
		lastKey := append([]types.Value{last.k0}, last.rest...)
		if tr.past(lastKey) {
			t.Errorf("%s: past(%v), the greatest key", name, lastKey)
		}
		if !last.k0.IsNull() && !tr.past(ints(last.k0.I+1, 0)) {
			t.Errorf("%s: not past(%v), beyond the greatest key %v", name, last.k0.I+1, lastKey)
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	asc := newBtree([]int{0, 1})
	f("empty", asc, rng)
	for i := range int64(3000) {
		vals := ints(i/10, i%10)
		if i > 0 && !asc.past(vals) {
			t.Fatalf("ascending insert %v: not past the entries before it", vals)
		}
		asc.insert(vals, &Version{ID: uint64(i + 1)})
	}
	if err := checkTree(asc); err != nil {
		t.Fatal(err)
	}
	f("ascending", asc, rng)

	mixed := newBtree([]int{0, 1})
	var live []*Version
	keys := map[*Version][]types.Value{}
	for i := range 3000 {
		if len(live) > 0 && rng.IntN(3) == 0 {
			j := rng.IntN(len(live))
			mixed.delete(keys[live[j]], live[j])
			live = append(live[:j], live[j+1:]...)
			continue
		}
		vals := ints(rng.Int64N(50), rng.Int64N(10))
		if rng.IntN(15) == 0 {
			vals[0] = types.Null
		}
		v := &Version{ID: uint64(i + 1)}
		keys[v] = vals
		mixed.insert(vals, v)
		live = append(live, v)
	}
	if err := checkTree(mixed); err != nil {
		t.Fatal(err)
	}
	f("mixed", mixed, rng)
}
