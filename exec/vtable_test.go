package exec

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestVTable checks that a group table gives each key one dense id through
// rehashes and reserves, for one key (slots holding the key, the NULL key
// apart), for several, for plain pairs of words (initPairs), and after
// groups added without their slots (addUnindexed, as the direct array
// does) that find then places.
func TestVTable(t *testing.T) {
	for _, tc := range []struct {
		name    string
		nk      int
		n       int
		spread  uint64
		reserve int // reserve this many groups after a third of the keys, 0 none
		// unindexed: the new keys among the first this many go in by
		// addUnindexed; pairs: initPairs, the first word any value
		unindexed int
		pairs     bool
	}{
		{"one key, few", 2, 1000, 50, 0, 0, false},
		{"one key, many", 2, 50000, 1 << 40, 0, 0, false},
		{"one key, reserved", 2, 50000, 30000, 40000, 0, false},
		{"one key, reserved too little", 2, 50000, 1 << 62, 100, 0, false},
		{"two keys", 3, 30000, 200, 0, 0, false},
		{"two keys, reserved", 3, 30000, 200, 20000, 0, false},
		{"one key, unindexed first", 2, 20000, 5000, 0, 3000, false},
		{"one key, unindexed, reserved", 2, 20000, 5000, 10000, 3000, false},
		{"two keys, unindexed first", 3, 20000, 100, 0, 2000, false},
		{"pairs", 2, 30000, 300, 0, 0, true},
	} {
		rng := rand.New(rand.NewPCG(1, 2))
		var vt vtable
		if tc.pairs {
			vt.initPairs()
		} else {
			vt.init(tc.nk)
		}
		ids := map[string]int32{}
		for i := range tc.n {
			if tc.reserve > 0 && i == tc.n/3 {
				vt.reserve(tc.reserve)
			}
			k := make([]uint64, tc.nk)
			for w := 1; w < tc.nk; w++ {
				k[w] = rng.Uint64N(tc.spread)
			}
			switch {
			case tc.pairs:
				k[0] = rng.Uint64N(tc.spread)
			case rng.IntN(100) == 0: // NULL
				k[0], k[1] = 1, 0
			}
			key := fmt.Sprint(k)
			if _, seen := ids[key]; i < tc.unindexed && !seen {
				ids[key] = vt.addUnindexed(k)
				continue
			}
			g := vt.find(k)
			want, seen := ids[key]
			switch {
			case !seen && int(g) != len(ids):
				t.Fatalf("%s: new key %v got id %d, want %d", tc.name, k, g, len(ids))
			case seen && g != want:
				t.Fatalf("%s: key %v got id %d, had %d", tc.name, k, g, want)
			}
			ids[key] = g
		}
		if vt.len() != len(ids) {
			t.Errorf("%s: %d groups, want %d", tc.name, vt.len(), len(ids))
		}
		for key, g := range ids {
			if got := fmt.Sprint(vt.keys[int(g)*tc.nk : int(g+1)*tc.nk]); got != key {
				t.Errorf("%s: group %d holds %s, want %s", tc.name, g, got, key)
			}
		}
	}
}
