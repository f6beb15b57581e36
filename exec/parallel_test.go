package exec

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"rustydb/sqlerr"
)

// A worker goroutine's panic becomes its statement's internal error.
func TestRecoverInto(t *testing.T) {
	var err error
	func() {
		defer recoverInto(&err)
		var m map[string]int
		m["x"]++ // a nil map write panics
	}()
	var se *sqlerr.Error
	if !errors.As(err, &se) || se.Code != sqlerr.InternalError {
		t.Fatalf("err = %v, want an internal error", err)
	}
}

// keySet answers as its map does, with a bitmap for dense keys or without.
func TestKeySet(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name       string
		n          int
		lo, spread int64
		bitmap     bool
	}{
		{"dense", 5000, 1, 6000, true},
		{"negative", 300, -1000, 400, true},
		{"sparse", 300, 0, 1 << 40, false},
		{"few in a small range", 200, 1, 200000, true},
		{"few in a larger range", 200, 1, 1 << 20, false},
		{"extremes", 2, math.MinInt64, 0, false},
		{"empty", 0, 0, 1, false},
	} {
		keys := map[int64]int32{}
		for i := range tc.n {
			k := tc.lo + rng.Int64N(max(1, tc.spread))
			if tc.name == "extremes" {
				k = []int64{math.MinInt64, math.MaxInt64}[i]
			}
			keys[k] = 1
		}
		s := newKeySet(keys)
		if (s.bits != nil) != tc.bitmap {
			t.Errorf("%s: bitmap %v, want %v", tc.name, s.bits != nil, tc.bitmap)
		}
		for _, k := range []int64{tc.lo - 1, tc.lo, tc.lo + tc.spread, math.MinInt64, math.MaxInt64, 0} {
			if _, want := keys[k]; s.has(k) != want {
				t.Errorf("%s: has(%d) = %v, want %v", tc.name, k, !want, want)
			}
		}
		for range 2000 {
			k := tc.lo - 10 + rng.Int64N(max(1, tc.spread)+20)
			if _, want := keys[k]; s.has(k) != want {
				t.Fatalf("%s: has(%d) = %v, want %v", tc.name, k, !want, want)
			}
		}
	}
}
