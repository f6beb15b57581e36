package exec

import (
	"math/rand/v2"
	"testing"

	"rustydb/asm"
)

// BenchmarkCmpConstSel compares a column with a constant over a selection
// that keeps every other row at random, as a second predicate does.
func BenchmarkCmpConstSel(b *testing.B) {
	const n = 1024
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]int64, n)
	var sel []int32
	for i := range x {
		x[i] = rng.Int64N(100)
		if rng.IntN(2) == 0 {
			sel = append(sel, int32(i))
		}
	}
	out := make([]int32, n)
	b.SetBytes(int64(len(sel)) * 8)
	for b.Loop() {
		cmpConstSel(x, asm.Lt, 50, sel, out[:0])
	}
}
