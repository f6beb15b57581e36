package column

import (
	"slices"
	"testing"

	"rustydb/types"
)

// TestAdopt fills columns whole with Adopt, with and without NULLs, and
// checks the values, the NULLs, the segment's zone maps, and that rows
// appended or dropped later never write into the adopted slices.
func TestAdopt(t *testing.T) {
	tbl := table(types.TInt4, types.TInt8, types.TFloat8)
	for _, tc := range []struct {
		name  string
		valid []bool
		nulls int
	}{
		{"no NULLs", nil, 0},
		{"NULLs", []bool{true, false, true, true}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// the arrays' memory goes on past the batch, as a record batch's buffer does
			i32, i64, f64 := []int32{1, 0, -3, 4, 99}, []int64{1 << 40, 0, -5, 6, 99}, []float64{0.5, 0, -1, 2, 99}
			b := NewBuilder(tbl, 0)
			Adopt(b, 0, i32[:4], tc.valid)
			Adopt(b, 1, i64[:4], tc.valid)
			Adopt(b, 2, f64[:4], tc.valid)
			b.EndRows(4)
			b.Add([]types.Value{types.NewInt(7), types.NewInt(8), types.NewFloat(9)})
			if i32[4] != 99 || i64[4] != 99 || f64[4] != 99 {
				t.Fatalf("an appended row wrote into the adopted slices: %v %v %v", i32, i64, f64)
			}
			want := []string{"1 1099511627776 0.5", "0 0 0", "-3 -5 -1", "4 6 2", "7 8 9"}
			for i, w := range want {
				if tc.valid != nil && i < len(tc.valid) && !tc.valid[i] {
					w = "NULL NULL NULL"
				}
				got := ""
				for c := range 3 {
					if c > 0 {
						got += " "
					}
					if b.Null(c, i) {
						got += "NULL"
					} else {
						got += b.Value(c, i).String()
					}
				}
				if got != w {
					t.Errorf("row %d: %s, want %s", i, got, w)
				}
			}
			seg := b.Finish()
			if z := seg.Cols[0].Zone; z.Nulls != tc.nulls || z.Min.I != -3 || z.Max.I != 7 {
				t.Errorf("zone map %+v, want %d NULLs, -3 to 7", z, tc.nulls)
			}
			b.DropRow() // nothing half appended: no change
			if b.Rows() != 5 || !slices.Equal(i32, []int32{1, 0, -3, 4, 99}) {
				t.Errorf("DropRow: %d rows, adopted %v", b.Rows(), i32)
			}
		})
	}
}
