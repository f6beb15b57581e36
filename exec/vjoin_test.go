package exec

import (
	"math"
	"slices"
	"testing"

	"rustydb/column"
	"rustydb/types"
)

// TestJTable checks a jtable's chains against a scan of the built keys:
// every probe key finds exactly the rows of its key, in input order, and
// rows with NULL keys are never found.
func TestJTable(t *testing.T) {
	cases := []struct {
		name   string
		k1, k2 []int64
		null   []bool
		probes [][2]int64
	}{
		{name: "keys spread over 100 times their number (bitmap)", k1: []int64{0, 100, 200, 300, 100},
			probes: [][2]int64{{0, 0}, {100, 0}, {150, 0}, {300, 0}, {301, 0}, {-1, 0}}},
		{name: "dense keys with duplicates (direct table)", k1: []int64{5, 6, 5, 7, 9, 5, 6},
			probes: [][2]int64{{5, 0}, {6, 0}, {7, 0}, {8, 0}, {4, 0}, {10, 0}, {-1, 0}, {math.MinInt64, 0}}},
		{name: "keys with gaps, NULL keys out of their range (direct table)", k1: []int64{10, 12, 14, 12, 16, 99, -50},
			null:   []bool{false, false, false, false, false, true, true},
			probes: [][2]int64{{10, 0}, {11, 0}, {12, 0}, {16, 0}, {17, 0}, {9, 0}, {99, 0}, {-50, 0}, {math.MaxInt64, 0}}},
		{name: "unique keys", k1: []int64{4, 2, 9, 1 << 40}, probes: [][2]int64{{4, 0}, {2, 0}, {9, 0}, {1 << 40, 0}, {3, 0}}},
		{name: "sparse keys (no bitmap)", k1: []int64{1 << 40, -3, 1 << 40, math.MaxInt64, 0},
			probes: [][2]int64{{1 << 40, 0}, {-3, 0}, {math.MaxInt64, 0}, {0, 0}, {1, 0}}},
		{name: "NULL keys", k1: []int64{0, 0, 1, 0}, null: []bool{true, false, false, true},
			probes: [][2]int64{{0, 0}, {1, 0}}},
		{name: "every key NULL", k1: []int64{3, 3}, null: []bool{true, true}, probes: [][2]int64{{3, 0}}},
		{name: "no rows", probes: [][2]int64{{0, 0}}},
		{name: "two keys", k1: []int64{1, 1, 2, 1, 2}, k2: []int64{1, 2, 1, 1, 1},
			probes: [][2]int64{{1, 1}, {1, 2}, {2, 1}, {2, 2}, {0, 0}}},
		{name: "bitmap over several words, duplicates, NULL and negative keys (ranked)",
			k1:     []int64{-130, 700, 5, 700, -130, 64, 63, 900, 0, 5},
			null:   []bool{false, false, false, false, false, false, false, true, false, false},
			probes: [][2]int64{{-130, 0}, {700, 0}, {5, 0}, {64, 0}, {63, 0}, {65, 0}, {0, 0}, {900, 0}, {-131, 0}, {701, 0}}},
		{name: "a few keys over a wide range (bitmap of few keys, ranked)", k1: []int64{3, 1 << 22, 3, 1<<22 - 1, 1 << 20},
			probes: [][2]int64{{3, 0}, {1 << 22, 0}, {1<<22 - 1, 0}, {1 << 20, 0}, {4, 0}, {1<<22 + 1, 0}}},
		{name: "many colliding rows", k1: slices.Repeat([]int64{7, 7 << 32, -7}, 300),
			probes: [][2]int64{{7, 0}, {7 << 32, 0}, {-7, 0}, {8, 0}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tab := newJTable(tc.k1, tc.k2, tc.null)
			seen, unique := map[[2]int64]bool{}, true
			for i, k := range tc.k1 {
				if tc.null != nil && tc.null[i] {
					continue
				}
				key := [2]int64{k}
				if tc.k2 != nil {
					key[1] = tc.k2[i]
				}
				unique = unique && !seen[key]
				seen[key] = true
			}
			if tab.unique != unique {
				t.Errorf("unique = %v, want %v", tab.unique, unique)
			}
			for _, p := range tc.probes {
				var want, got []int32
				for i, k := range tc.k1 {
					if (tc.null == nil || !tc.null[i]) && k == p[0] && (tc.k2 == nil || tc.k2[i] == p[1]) {
						want = append(want, int32(i))
					}
				}
				s := &vstage{j: &joinOp{vt: tab}}
				k1 := &column.Column{Kind: column.Int64, I64: []int64{p[0]}}
				var k2 *column.Column
				if tc.k2 != nil {
					k2 = &column.Column{Kind: column.Int64, I64: []int64{p[1]}}
				}
				for r := s.probe(k1, k2, k1.I64, p[1:], 0, 0); r != 0; r = tab.next[r-1] {
					got = append(got, r-1)
				}
				if !slices.Equal(got, want) {
					t.Errorf("probe %v: rows %v, want %v", p, got, want)
				}
			}
		})
	}
}

// TestGather checks that a gathered column holds the source's values at
// the gathered rows, NULLs included, for each column form.
func TestGather(t *testing.T) {
	valid := []byte{0b10110111, 0b11111110} // rows 3, 6 and 8 are NULL
	cases := []struct {
		name string
		src  column.Column
	}{
		{"int32 with NULLs", column.Column{Kind: column.Int32, Type: types.TInt4, I32: []int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, Valid: valid}},
		{"int64", column.Column{Kind: column.Int64, Type: types.TInt8, I64: []int64{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}}},
		{"float64 with NULLs", column.Column{Kind: column.Float64, Type: types.TFloat8, F64: []float64{0, .5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5}, Valid: valid}},
		{"small dictionary", column.Column{Kind: column.String, Type: types.TText, Dict: []string{"a", "b"},
			Codes: []uint16{0, 1, 1, 0, 0, 1, 0, 1, 1, 0}}},
		{"large dictionary", column.Column{Kind: column.String, Type: types.TText, Dict: []string{"a", "b", "c", "d", "e", "f", "g"},
			Codes: []uint16{6, 5, 4, 3, 2, 1, 0, 1, 2, 3}, Valid: valid}},
		{"built strings, one per row", column.Column{Kind: column.String, Type: types.TText,
			Dict: []string{"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9"}, Valid: valid}},
	}
	const size = 5 // the batch size: the large dictionary is not shared
	identity := []uint16{0, 1, 2, 3, 4}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var g gathers
			for _, off := range []int{0, 2} {
				for _, idx := range [][]int32{{0, 1, 2, 3, 4}, {4, 4, 0, 6, 1}, {7}, {}} {
					dst := g.gather(&tc.src, off, idx, identity[:size])
					for k, i := range idx {
						want, got := value(&tc.src, off+int(i)), dst.Value(k)
						if types.Compare(want, got) != 0 || want.IsNull() != got.IsNull() {
							t.Errorf("off %d rows %v: row %d is %v, want %v", off, idx, k, got, want)
						}
					}
				}
			}
		})
	}
}

// value returns row i of a segment column or of a jtable's built column.
func value(c *column.Column, i int) types.Value {
	if c.Kind == column.String && !c.Null(i) {
		return types.NewText(text(c, i))
	}
	return c.Value(i)
}
