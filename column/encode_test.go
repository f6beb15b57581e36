package column

import (
	"math"
	"math/rand"
	"testing"

	"rustydb/types"
)

// TestEncodingRoundTrip encodes random integer columns of many shapes and
// checks that every way of reading them (Decode of random windows, Int,
// Value) gives back the plain values, and that the chosen encoding is the
// one the shape calls for.
func TestEncodingRoundTrip(t *testing.T) {
	rnd := rand.New(rand.NewSource(7))
	tests := []struct {
		name  string
		typ   types.T
		gen   func(i int) int64
		nulls bool
		want  Encoding
	}{
		{"all equal", types.TInt8, func(int) int64 { return 42 }, false, RunLength},
		{"all equal int4", types.TInt4, func(int) int64 { return -7 }, false, RunLength},
		{"long runs", types.TInt8, func(i int) int64 { return int64(i / 1000 * 3) }, false, RunLength},
		{"sorted dates", types.TDate, func(i int) int64 { return 9000 + int64(i/400) }, false, RunLength},
		{"small range", types.TInt8, func(int) int64 { return 100 + rnd.Int63n(5000) }, false, BitPacked},
		{"negative", types.TInt8, func(int) int64 { return -1_000_000 - rnd.Int63n(1<<20) }, false, BitPacked},
		{"int4 small range", types.TInt4, func(int) int64 { return int64(rnd.Intn(7)) }, false, BitPacked},
		{"null slots", numeric(15, 2), func(int) int64 { return 90000 + rnd.Int63n(1_000_000) }, true, BitPacked},
		{"runs with nulls", types.TInt8, func(i int) int64 { return int64(i / 500) }, true, BitPacked}, // null slots (0) break the runs
		{"rare nulls in runs", types.TInt8, func(i int) int64 { return int64(i / 5000) }, true, RunLength},
		{"wide range", types.TInt8, func(int) int64 { return int64(rnd.Uint64()) }, false, Plain},
		{"extremes", types.TInt8, func(i int) int64 { return []int64{math.MinInt64, math.MaxInt64, 0, -1}[rnd.Intn(4)] }, false, Plain},
		{"int4 wide", types.TInt4, func(int) int64 { return int64(rnd.Int31()) - 1<<30 }, false, Plain},
		{"40 bits", types.TInt8, func(int) int64 { return rnd.Int63n(1<<40) - 1<<39 }, false, BitPacked},
		{"57 bits: not worth it", types.TInt8, func(int) int64 { return rnd.Int63n(1<<57) - 1<<56 }, false, Plain},
		{"one row", types.TInt8, func(int) int64 { return 5 }, false, Plain},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := 1 + rnd.Intn(20000)
			if tc.name == "one row" {
				n = 1
			}
			vals := make([]types.Value, n)
			for i := range vals {
				vals[i] = FromInt64(tc.typ, tc.gen(i))
				if tc.typ.ID == types.Int4 {
					vals[i] = types.NewInt(int64(int32(tc.gen(i))))
				}
				if tc.nulls && rnd.Intn(map[bool]int{true: 20000, false: 9}[tc.want == RunLength]) == 0 {
					vals[i] = types.Null
				}
			}
			s := build(t, tc.typ, vals)
			plain := s.Cols[0]
			before := s.Bytes()
			s.Encode()
			c := &s.Cols[0]
			if c.Enc != tc.want {
				t.Fatalf("encoding %v, want %v", c.Enc, tc.want)
			}
			if after := s.Bytes(); tc.want != Plain && after >= before || tc.want == Plain && after != before {
				t.Errorf("%v: %d bytes, %d plain", c.Enc, after, before)
			}
			if c.Zone != plain.Zone && !sameValue(c.Zone.Min, plain.Zone.Min) {
				t.Errorf("zone changed")
			}
			for i := range vals {
				if got, want := c.Int(i), plain.Int(i); got != want {
					t.Fatalf("Int(%d) = %d, want %d", i, got, want)
				}
				if got := c.Value(i); !sameValue(got, vals[i]) {
					t.Fatalf("Value(%d) = %v, want %v", i, got, vals[i])
				}
			}
			buf := make([]int64, n)
			for k := 0; k < 50; k++ {
				off := rnd.Intn(n)
				m := rnd.Intn(n-off) + 1
				got := c.Decode(off, m, buf)
				for i, v := range got {
					if want := plain.Int(off + i); v != want {
						t.Fatalf("Decode(%d, %d)[%d] = %d, want %d", off, m, i, v, want)
					}
				}
			}
		})
	}
}
