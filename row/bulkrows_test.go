package row

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/cockroachdb/apd/v3"

	"rustydb/catalog"
	"rustydb/column"
	"rustydb/types"
)

// TestAppendBuilderRow checks that a row's tuple encoded from its column
// forms is the one AppendRow encodes of its values, for every type with a
// column form, NULLs and the ends of the ranges.
func TestAppendBuilderRow(t *testing.T) {
	num := types.T{ID: types.Numeric, Precision: 15, Scale: 2}
	typs := []types.T{types.TInt4, {ID: types.Int2}, {ID: types.Int8}, num, types.TDate, types.TText,
		{ID: types.Varchar, Width: 10}, {ID: types.Char, Width: 3}, {ID: types.Bool}, {ID: types.Float8},
		{ID: types.Timestamp}, {ID: types.TimestampTZ}}
	tbl := &catalog.Table{Name: "t"}
	for _, typ := range typs {
		tbl.Columns = append(tbl.Columns, catalog.Column{Name: typ.String(), Type: typ})
	}
	rng := rand.New(rand.NewPCG(3, 4))
	ints := []int64{0, 1, -1, 127, 128, -32768, 32767, 1<<31 - 1, -1 << 31, 1<<62 + 5, -1 << 63}
	value := func(typ types.T) types.Value {
		if rng.IntN(6) == 0 {
			return types.Null
		}
		i := ints[rng.IntN(len(ints))]
		switch typ.ID {
		case types.Int2:
			return types.NewInt(int64(int16(i)))
		case types.Int4:
			return types.NewInt(int64(int32(i)))
		case types.Int8:
			return types.NewInt(i)
		case types.Numeric:
			return types.NewDecimal(apd.New(i%999999999999999, -2))
		case types.Date:
			return types.NewDate(int64(int32(i)))
		case types.Bool:
			return types.NewBool(i%2 != 0)
		case types.Float8:
			return types.NewFloat(float64(i) / 7)
		case types.Timestamp, types.TimestampTZ:
			v := types.NewTimestamp(i)
			if typ.ID == types.TimestampTZ {
				v.K = types.KTimestampTZ
			}
			return v
		}
		return types.NewText([]string{"", "a", "abc", "héllo"}[rng.IntN(4)])
	}
	b := column.NewBuilder(tbl, 100)
	var rows [][]types.Value
	for range 500 {
		vals := make([]types.Value, len(typs))
		for c, typ := range typs {
			vals[c] = value(typ)
		}
		b.Add(vals)
		rows = append(rows, vals)
	}
	for i, vals := range rows {
		if got, want := AppendBuilderRow(nil, b, i), AppendRow(nil, vals); !bytes.Equal(got, want) {
			t.Fatalf("row %v: from the columns %x, from the values %x", vals, got, want)
		}
	}
}
