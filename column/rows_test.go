package column

import (
	"testing"

	"github.com/cockroachdb/apd/v3"

	"rustydb/types"
)

// TestBuilderByColumn fills a builder column by column, drops a row half
// appended, copies runs of rows from a batch builder, and checks that the segment
// is the one Add makes of the same values.
func TestBuilderByColumn(t *testing.T) {
	tbl := table(types.TInt4, types.TInt8, types.T{ID: types.Numeric, Precision: 10, Scale: 2}, types.TDate, types.TText, types.TFloat8, types.TJSON)
	rows := [][]types.Value{
		{types.NewInt(1), types.NewInt(1 << 40), types.NewDecimal(apd.New(-1250, -2)), types.NewDate(10000), types.NewText("a"), types.NewFloat(0.5), types.Null},
		{types.Null, types.Null, types.Null, types.Null, types.Null, types.Null, types.Null},
		{types.NewInt(-7), types.NewInt(0), types.NewDecimal(apd.New(0, -2)), types.NewDate(-1), types.NewText(""), types.NewFloat(-2), types.Null},
	}
	want := NewBuilder(tbl, 0)
	batch := NewBuilder(tbl, 0)
	for i, vals := range rows {
		want.Add(vals)
		for c, v := range vals {
			switch {
			case v.IsNull():
				batch.AppendNull(c)
			case c == 0 || c == 1 || c == 3:
				batch.AppendInt(c, v.I)
			case c == 2:
				batch.AppendInt(c, ToInt64(tbl.Columns[c].Type, v))
			case c == 4:
				batch.AppendString(c, v.S)
			default:
				batch.AppendValue(c, v)
			}
		}
		batch.EndRow()
		if i == 1 { // a row that fails half way
			batch.AppendInt(0, 99)
			batch.AppendNull(1)
			batch.AppendString(4, "dropped")
			batch.DropRow()
		}
	}
	got := NewBuilder(tbl, 0)
	got.AppendRows(batch, 0, 1)
	got.AppendRows(batch, 1, len(rows))
	for i := range rows {
		for c, v := range rows[i] {
			if bv := batch.Value(c, i); c < 6 && !bv.Equal(v) && !(bv.IsNull() && v.IsNull()) {
				t.Errorf("row %d column %d: %v, want %v", i, c, bv, v)
			}
		}
	}
	ws, gs := want.Finish(), got.Finish()
	if ws.Rows != gs.Rows {
		t.Fatalf("rows %d, want %d", gs.Rows, ws.Rows)
	}
	for c := range ws.Cols {
		if ws.Cols[c].Zone.Nulls != gs.Cols[c].Zone.Nulls {
			t.Errorf("column %d: %d NULLs, want %d", c, gs.Cols[c].Zone.Nulls, ws.Cols[c].Zone.Nulls)
		}
		for i := range ws.Rows {
			w, g := ws.Cols[c].Value(i), gs.Cols[c].Value(i)
			if w.IsNull() != g.IsNull() || !w.IsNull() && !w.Equal(g) {
				t.Errorf("column %d row %d: %v, want %v", c, i, g, w)
			}
		}
	}
}
