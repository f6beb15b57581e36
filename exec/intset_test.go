package exec

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestIntSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, tc := range []struct {
		name string
		keys []int64
	}{
		{"empty", nil},
		{"one", []int64{42}},
		{"extremes", []int64{math.MinInt64, math.MaxInt64, 0, -1}},
		{"duplicates", []int64{5, 5, 5, 6}},
		{"colliding", []int64{0, 1 << 60, 2 << 60, 3 << 60, -1 << 60}},
		{"random", func() []int64 {
			ks := make([]int64, 3000)
			for i := range ks {
				ks[i] = rng.Int64()
			}
			return ks
		}()},
	} {
		s := newIntSet(slices.Values(tc.keys), len(tc.keys))
		want := map[int64]bool{}
		for _, k := range tc.keys {
			want[k] = true
		}
		probes := []int64{math.MinInt64, math.MaxInt64, 0, 1, -1, 1 << 60}
		for _, k := range tc.keys {
			probes = append(probes, k, k+1, k-1)
		}
		for range 1000 {
			probes = append(probes, rng.Int64())
		}
		for _, k := range probes {
			if s.has(k) != want[k] {
				t.Errorf("%s: has(%d) = %v, want %v", tc.name, k, !want[k], want[k])
			}
		}
	}
}
