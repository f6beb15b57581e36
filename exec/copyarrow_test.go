package exec

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"rustydb/catalog"
	"rustydb/column"
	"rustydb/sqlerr"
	"rustydb/types"
)

// arrowFill converts arr into a column of type typ as a batch of an Arrow
// load does, with the fast mappings (fast) or every value through its
// text form, the text load's conversion. It returns the values and the
// rows' errors, and how many values took the text path.
func arrowFill(typ types.T, arr arrow.Array, fast bool) ([]types.Value, []error, int) {
	tbl := &catalog.Table{Name: "t", Columns: []catalog.Column{{Name: "v", Type: typ}}}
	n := arr.Len()
	rows := make([]loadRow, n)
	for i := range rows {
		rows[i].line = int64(i + 1)
	}
	bld := column.NewBuilder(tbl, n)
	ac := arrowColumn{c: &Context{Loc: time.FixedZone("UTC+5", 5*3600)}, t: tbl, f: CopyFormat{File: "f.arrow"},
		rc: newRowConv([]types.T{typ}), bld: bld, rows: rows, typ: typ}
	if fast {
		ac.fill(arr)
	} else {
		ac.arr = arr
		ac.each(false, nil)
	}
	bld.EndRows(n)
	vals, errs := make([]types.Value, n), make([]error, n)
	for i := range n {
		vals[i], errs[i] = bld.Value(0, i), rows[i].err
	}
	return vals, errs, ac.texts
}

// TestArrowMappings loads Arrow arrays of each type with a fast mapping
// into the column types it maps to (and some it does not) both ways, fast
// and through the text form, and checks that every value and every error
// is the same; fastest says how many values at most may take the text
// path on the fast way (-1: any), so that a mapping that declines
// everything fails too.
func TestArrowMappings(t *testing.T) {
	var (
		tBool    = types.T{ID: types.Bool}
		tDate    = types.T{ID: types.Date}
		tTS      = types.T{ID: types.Timestamp}
		tTSTZ    = types.T{ID: types.TimestampTZ}
		tFloat4  = types.T{ID: types.Float4}
		tFloat8  = types.T{ID: types.Float8}
		tText    = types.T{ID: types.Text}
		tNum153  = types.T{ID: types.Numeric, Precision: 15, Scale: 3}
		tNum151  = types.T{ID: types.Numeric, Precision: 15, Scale: 1}
		tNum42   = types.T{ID: types.Numeric, Precision: 4, Scale: 2}
		tNum1818 = types.T{ID: types.Numeric, Precision: 18, Scale: 18}
		tNum180  = types.T{ID: types.Numeric, Precision: 18}
		ts       = func(unit arrow.TimeUnit, zone string) arrow.DataType {
			return &arrow.TimestampType{Unit: unit, TimeZone: zone}
		}
		dec = func(p, s int32) arrow.DataType { return &arrow.Decimal128Type{Precision: p, Scale: s} }
	)
	ints := `[-128, 0, 1, 127, null, -7]`
	int64s := `[-9223372036854775808, 9223372036854775807, 2147483648, -2147483648, 0, null, 99999, 100000, -5]`
	days := `[0, -719162, 2932896, 2932897, -719163, null, 19000, -1]`
	micros := `[0, -1, 1700000000123456, 253402300799999999, 253402300800000000, -62135596800000000, -62135596800000001, 7]`
	for _, tc := range []struct {
		name    string
		arrow   arrow.DataType
		json    string
		typ     types.T
		fastest int
	}{
		{"int8 to smallint", arrow.PrimitiveTypes.Int8, ints, tInt2, 0},
		{"int8 to numeric(5,0)", arrow.PrimitiveTypes.Int8, ints, tNum50, 0},
		{"int8 to numeric(4,2)", arrow.PrimitiveTypes.Int8, ints, tNum42, 2},
		{"int8 to numeric(18,18)", arrow.PrimitiveTypes.Int8, ints, tNum1818, 4},
		{"int8 to text", arrow.PrimitiveTypes.Int8, ints, tText, -1},
		{"int8 to boolean", arrow.PrimitiveTypes.Int8, `[0, 1, 2, null]`, tBool, -1},
		{"int16 to smallint", arrow.PrimitiveTypes.Int16, `[-32768, 32767, null, 0]`, tInt2, 0},
		{"int32 to integer", arrow.PrimitiveTypes.Int32, `[-2147483648, 2147483647, 0, 5]`, tInt4, 0},
		{"int32 to integer, nulls", arrow.PrimitiveTypes.Int32, `[-2147483648, null, 2147483647, null]`, tInt4, 0},
		{"int32 to smallint", arrow.PrimitiveTypes.Int32, `[-32769, 32768, -32768, null]`, tInt2, 2},
		{"int32 to date", arrow.PrimitiveTypes.Int32, `[1, null]`, tDate, -1},
		{"int64 to bigint", arrow.PrimitiveTypes.Int64, `[-9223372036854775808, 9223372036854775807, 0, -5]`, tInt8, 0},
		{"int64 to bigint, nulls", arrow.PrimitiveTypes.Int64, int64s, tInt8, 0},
		{"int64 to integer", arrow.PrimitiveTypes.Int64, int64s, tInt4, 3},
		{"int64 to numeric(15,2)", arrow.PrimitiveTypes.Int64, int64s, tNum152, 3},
		{"int64 to numeric(18,0)", arrow.PrimitiveTypes.Int64, int64s, tNum180, 2},
		{"int64 to double", arrow.PrimitiveTypes.Int64, int64s, tFloat8, -1},
		{"uint8 to smallint", arrow.PrimitiveTypes.Uint8, `[0, 255, null]`, tInt2, 0},
		{"uint16 to smallint", arrow.PrimitiveTypes.Uint16, `[0, 32767, 32768, 65535]`, tInt2, 2},
		{"uint32 to integer", arrow.PrimitiveTypes.Uint32, `[0, 2147483647, 2147483648, 4294967295]`, tInt4, 2},
		{"uint64 to bigint", arrow.PrimitiveTypes.Uint64, `[0, 9223372036854775807, 9223372036854775808, 18446744073709551615, null]`, tInt8, 2},
		{"float64 to double", arrow.PrimitiveTypes.Float64, `[0.1, -0.0, 1e300, -1e-300, 3.5, null, 2.2250738585072014e-308]`, tFloat8, 0},
		{"float64 to real", arrow.PrimitiveTypes.Float64, `[0.1, 0.5, -0.0, 1e300, 1e-300, 3.5, null, 3.4028234663852886e38, 16777217]`, tFloat4, 5},
		{"float64 to numeric(15,2)", arrow.PrimitiveTypes.Float64, `[0.125, 1e20, null]`, tNum152, -1},
		{"float32 to real", arrow.PrimitiveTypes.Float32, `[0.1, 3.4028235e38, 1e-45, -0.0, null, 16777217]`, tFloat4, 0},
		{"float32 to double", arrow.PrimitiveTypes.Float32, `[0.1, 3.4028235e38, 1e-45, -0.0, null, 1.17549435e-38, 0.3]`, tFloat8, 0},
		{"decimal128 to numeric(15,2)", dec(20, 2), `["123.45", "-0.05", "9999999999999.99", "10000000000000.00", "123456789012345678.90", null]`, tNum152, 2},
		{"decimal128 to numeric(15,3)", dec(20, 2), `["123.45", "-0.05", "999999999999.99", "1000000000000.00", null]`, tNum153, 1},
		{"decimal128 to numeric(15,1)", dec(10, 2), `["123.45", "-0.05", "1.50", "-2.00", null]`, tNum151, 2},
		{"decimal128 to numeric(4,2)", dec(10, 3), `["99.994", "99.995", "-99.990", "100.000", null]`, tNum42, 3},
		{"decimal128 to integer", dec(10, 2), `["1.00", "-2.50", null]`, tInt4, -1},
		{"decimal64 to numeric(15,2)", &arrow.Decimal64Type{Precision: 12, Scale: 2}, `["1.25", "-99.00", null]`, tNum152, 0},
		{"decimal32 to numeric(15,2)", &arrow.Decimal32Type{Precision: 6, Scale: 1}, `["1.2", "-99.0", null]`, tNum152, 0},
		{"date32 to date", arrow.FixedWidthTypes.Date32, `[0, -719162, 2932896, 19000]`, tDate, 0},
		{"date32 to date, out of the years 1-9999", arrow.FixedWidthTypes.Date32, days, tDate, 2},
		{"date32 to timestamp", arrow.FixedWidthTypes.Date32, days, tTS, -1},
		{"date64 to date", arrow.FixedWidthTypes.Date64, `[0, -1, 86399999, -86400001, 1700000000000, null]`, tDate, 0},
		{"timestamp[us] to timestamp", ts(arrow.Microsecond, ""), `[0, -1, 1700000000123456, 7]`, tTS, 0},
		{"timestamp[us] to timestamp, range", ts(arrow.Microsecond, ""), micros, tTS, 2},
		{"timestamp[us] to timestamptz", ts(arrow.Microsecond, ""), micros, tTSTZ, -1},
		{"timestamp[us] to date", ts(arrow.Microsecond, ""), micros, tDate, -1},
		{"timestamp[us, UTC] to timestamptz", ts(arrow.Microsecond, "UTC"), micros, tTSTZ, 2},
		{"timestamp[us, New York] to timestamptz", ts(arrow.Microsecond, "America/New_York"), micros, tTSTZ, 2},
		{"timestamp[us, UTC] to timestamp", ts(arrow.Microsecond, "UTC"), micros, tTS, -1},
		{"timestamp[s] to timestamp", ts(arrow.Second, ""), `[0, -1, 1700000000, 253402300799, 253402300800, -62135596800, -62135596801, 9223372036854775807, null]`, tTS, 4},
		{"timestamp[ms, UTC] to timestamptz", ts(arrow.Millisecond, "UTC"), `[0, -1, 1700000000123, 253402300799999, 253402300800000, -9223372036854775808, null]`, tTSTZ, 3},
		{"timestamp[ns] to timestamp", ts(arrow.Nanosecond, ""), `[0, -1, -1500, 1500, 1700000000123456789, -9223372036854775808, 9223372036854775807, null]`, tTS, 0},
		{"bool to boolean", arrow.FixedWidthTypes.Boolean, `[true, false, null]`, tBool, 0},
		{"bool to text", arrow.FixedWidthTypes.Boolean, `[true, false, null]`, tText, -1},
		{"utf8 to varchar(3)", arrow.BinaryTypes.String, `["abc", "abcd", "é", "", null, "ééé", "éééé"]`, tVarchar3, -1},
		{"utf8 to char(5)", arrow.BinaryTypes.String, `["abc", "abcdef", "é", "", null, "abcde"]`, tChar5, -1},
		{"utf8 to integer", arrow.BinaryTypes.String, `["42", " 42", "x", "99999999999", null]`, tInt4, -1},
		{"large_utf8 to text", arrow.BinaryTypes.LargeString, `["a", "", null, "long string"]`, tText, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			arr, _, err := array.FromJSON(memory.DefaultAllocator, tc.arrow, strings.NewReader(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			defer arr.Release()
			// a slice, as the load cuts batches, so that offsets count
			full := arr
			arr = array.NewSlice(full, 0, int64(full.Len()))
			defer arr.Release()
			got, gotErrs, texts := arrowFill(tc.typ, arr, true)
			want, wantErrs, _ := arrowFill(tc.typ, arr, false)
			for i := range got {
				g, w := sqlerr.From(gotErrs[i]), sqlerr.From(wantErrs[i])
				switch {
				case (gotErrs[i] == nil) != (wantErrs[i] == nil):
					t.Errorf("row %d: error %v, the text path's %v", i, gotErrs[i], wantErrs[i])
				case gotErrs[i] != nil && (g.Code != w.Code || g.Message != w.Message || g.Detail != w.Detail):
					t.Errorf("row %d: error %s %q %q, the text path's %s %q %q", i, g.Code, g.Message, g.Detail, w.Code, w.Message, w.Detail)
				case gotErrs[i] == nil && !sameArrowValue(got[i], want[i]):
					t.Errorf("row %d: %v, the text path's %v", i, got[i], want[i])
				}
			}
			if tc.fastest >= 0 && texts > tc.fastest {
				t.Errorf("%d values took the text path, want at most %d", texts, tc.fastest)
			}
		})
	}
}

// sameArrowValue is sameValue with NaN equal to NaN.
func sameArrowValue(a, b types.Value) bool {
	if a.K == types.KFloat && b.K == types.KFloat && math.IsNaN(a.F) && math.IsNaN(b.F) {
		return true
	}
	return sameValue(a, b)
}
