package column

import (
	"math"
	"math/rand"
	"slices"
	"testing"

	"rustydb/types"
)

// TestEncodingRoundTrip encodes random integer columns of many shapes, as
// Encode chooses and forced into each encoding, and checks that every way
// of reading them (Decode of random windows, Gather, Int, Value) gives back
// the plain values.
func TestEncodingRoundTrip(t *testing.T) {
	rnd := rand.New(rand.NewSource(7))
	tests := []struct {
		name  string
		typ   types.T
		gen   func(i int) int64
		nulls bool
		want  Encoding // Encode's choice
	}{
		{"all equal", types.TInt8, func(int) int64 { return 42 }, false, RunLength},
		{"all equal int4", types.TInt4, func(int) int64 { return -7 }, false, BitPacked}, // zero bits
		{"long runs", types.TInt8, func(i int) int64 { return int64(i / 1000 * 3) }, false, RunLength},
		{"sorted dates", types.TDate, func(i int) int64 { return 9000 + int64(i/400) }, false, RunLength},
		{"dates", types.TDate, func(int) int64 { return 8000 + rnd.Int63n(2500) }, false, BitPacked},
		{"small range int8", types.TInt8, func(int) int64 { return 100 + rnd.Int63n(5000) }, false, Plain},
		{"negative int4", types.TInt4, func(int) int64 { return -1_000_000 - rnd.Int63n(1<<20) }, false, BitPacked},
		{"int4 small range", types.TInt4, func(int) int64 { return int64(rnd.Intn(7)) }, false, BitPacked},
		{"null slots", numeric(15, 2), func(int) int64 { return 90000 + rnd.Int63n(1_000_000) }, true, Plain},
		{"int4 null slots", types.TInt4, func(int) int64 { return 90000 + rnd.Int63n(1_000_000) }, true, BitPacked},
		{"runs with nulls", types.TInt4, func(i int) int64 { return int64(i / 500) }, true, BitPacked}, // null slots (0) break the runs
		{"rare nulls in runs", types.TInt8, func(i int) int64 { return int64(i / 5000) }, true, RunLength},
		{"wide range", types.TInt8, func(int) int64 { return int64(rnd.Uint64()) }, false, Plain},
		{"extremes", types.TInt8, func(i int) int64 { return []int64{math.MinInt64, math.MaxInt64, 0, -1}[rnd.Intn(4)] }, false, Plain},
		{"int4 wide", types.TInt4, func(int) int64 { return int64(rnd.Int31()) - 1<<30 }, false, Plain},
		{"57 bits", types.TInt8, func(int) int64 { return rnd.Int63n(1<<57) - 1<<56 }, false, Plain},
	}
	for _, tc := range tests {
		for _, force := range []Encoding{Plain, RunLength, BitPacked} {
			t.Run(tc.name+"/"+map[Encoding]string{Plain: "chosen"}[force]+force.String(), func(t *testing.T) {
				n := 10000 + rnd.Intn(10000)
				vals := make([]types.Value, n)
				for i := range vals {
					vals[i] = FromInt64(tc.typ, tc.gen(i))
					if tc.nulls && rnd.Intn(map[bool]int{true: 20000, false: 9}[tc.want == RunLength]) == 0 {
						vals[i] = types.Null
					}
				}
				s := build(t, tc.typ, vals)
				plain := s.Cols[0]
				before := s.Bytes()
				c := &s.Cols[0]
				if force == Plain {
					s.Encode()
					if c.Enc != tc.want {
						t.Fatalf("encoding %v, want %v", c.Enc, tc.want)
					}
					if after := s.Bytes(); tc.want != Plain && after > before*3/4 || tc.want == Plain && after != before {
						t.Errorf("%v: %d bytes, %d plain", c.Enc, after, before)
					}
				} else if !c.encodeAs(force, c.ints()) {
					if _, width, _ := shape(plain.ints()); force != BitPacked || width <= maxPackedWidth {
						t.Fatalf("could not encode as %v", force)
					}
					return
				}
				checkDecoding(t, rnd, c, &plain, vals)
			})
		}
	}
}

// checkDecoding compares every way of reading encoded column c with the
// plain one and the values it was built of.
func checkDecoding(t *testing.T, rnd *rand.Rand, c, plain *Column, vals []types.Value) {
	t.Helper()
	n := len(vals)
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
		if c.Enc == Plain {
			continue
		}
		var sel []int32
		for j := 0; j < m; j++ {
			if rnd.Intn(3) == 0 {
				sel = append(sel, int32(j))
			}
		}
		clear(buf)
		c.Gather(off, sel, buf)
		for _, j := range sel {
			if want := plain.Int(off + int(j)); buf[j] != want {
				t.Fatalf("Gather(%d)[%d] = %d, want %d", off, j, buf[j], want)
			}
		}
		// Take: ascending with repeats (a join's output), then any order
		var idx []int32
		for _, j := range sel {
			for range 1 + rnd.Intn(2) {
				idx = append(idx, j)
			}
		}
		for _, order := range [][]int32{idx, shuffled(rnd, idx)} {
			out := make([]int64, len(order))
			c.Take(off, order, out)
			for n, j := range order {
				if want := plain.Int(off + int(j)); out[n] != want {
					t.Fatalf("Take(%d)[%d] (row %d) = %d, want %d", off, n, j, out[n], want)
				}
			}
		}
	}
}

func shuffled(rnd *rand.Rand, s []int32) []int32 {
	s = slices.Clone(s)
	rnd.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	return s
}
