package column

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/apd/v3"

	"rustydb/catalog"
	"rustydb/types"
)

// table returns a table with one column per type, named c0, c1, ...
func table(ts ...types.T) *catalog.Table {
	t := &catalog.Table{ID: 1, Name: "t"}
	for i, typ := range ts {
		t.Columns = append(t.Columns, catalog.Column{Name: "c" + strconv.Itoa(i), Type: typ})
	}
	return t
}

// build makes a one-column segment of vals.
func build(t *testing.T, typ types.T, vals []types.Value) *Segment {
	t.Helper()
	b := NewBuilder(table(typ), len(vals))
	for _, v := range vals {
		b.Add([]types.Value{v})
	}
	if b.Rows() != len(vals) {
		t.Fatalf("Rows() = %d, want %d", b.Rows(), len(vals))
	}
	s := b.Finish()
	if s.Rows != len(vals) || len(s.Cols) != 1 {
		t.Fatalf("segment has %d rows, %d columns; want %d, 1", s.Rows, len(s.Cols), len(vals))
	}
	return s
}

func dec(coeff int64, exp int32) types.Value { return types.NewDecimal(apd.New(coeff, exp)) }

func numeric(p, s int32) types.T { return types.T{ID: types.Numeric, Precision: p, Scale: s} }

var (
	null    = types.Null
	tInt2   = types.TInt2
	tInt4   = types.TInt4
	tInt8   = types.TInt8
	tBool   = types.TBool
	tDate   = types.TDate
	tTS     = types.TTimestamp
	tTSTZ   = types.TTimestampTZ
	tFloat4 = types.TFloat4
	tFloat8 = types.TFloat8
	tText   = types.TText
	tVchar  = types.T{ID: types.Varchar, Width: 10}
	tChar   = types.T{ID: types.Char, Width: 5}

	// The DATE range (4714-11-24 BC to 5874897-12-31) in days since 1970.
	minDateDays = int64(-2440588)
	maxDateDays = int64(2145042905)
)

func ints(xs ...int64) []types.Value {
	vs := make([]types.Value, len(xs))
	for i, x := range xs {
		vs[i] = types.NewInt(x)
	}
	return vs
}

// sameValue reports whether got is exactly want: same Kind, equal under
// Compare, and the same text (which for numerics includes the exponent).
func sameValue(got, want types.Value) bool {
	if got.K != want.K {
		return false
	}
	if got.IsNull() {
		return true
	}
	return types.Compare(got, want) == 0 && types.Format(got) == types.Format(want)
}

// zoneOf computes the expected zone map of vals.
func zoneOf(vals []types.Value) Zone {
	var z Zone
	for _, v := range vals {
		if v.IsNull() {
			z.Nulls++
			continue
		}
		if z.Min.IsNull() || types.Compare(v, z.Min) < 0 {
			z.Min = v
		}
		if z.Max.IsNull() || types.Compare(v, z.Max) > 0 {
			z.Max = v
		}
	}
	return z
}

type supportedCase struct {
	name string
	typ  types.T
	kind Kind
	vals []types.Value
}

var supportedCases = []supportedCase{
	{"smallint", tInt2, Int32, append(ints(0, -1, 1, math.MinInt16, math.MaxInt16), null, types.NewInt(7))},
	{"integer", tInt4, Int32, append([]types.Value{null}, ints(math.MaxInt32, math.MinInt32, 0, -42, 42)...)},
	{"integer no nulls", tInt4, Int32, ints(3, 1, 2)},
	{"bigint", tInt8, Int64, append(ints(math.MinInt64+1, math.MaxInt64, 0, -1), null, null, types.NewInt(math.MinInt64))},
	{"boolean", tBool, Int32, []types.Value{types.NewBool(true), null, types.NewBool(false), types.NewBool(true)}},
	{"boolean all false", tBool, Int32, []types.Value{types.NewBool(false), types.NewBool(false)}},
	{"date", tDate, Int32, []types.Value{types.NewDate(0), types.NewDate(-1), null, types.NewDate(19000),
		types.NewDate(minDateDays), types.NewDate(maxDateDays)}},
	{"timestamp", tTS, Int64, []types.Value{types.NewTimestamp(0), types.NewTimestamp(-1), null,
		types.NewTimestamp(1_700_000_000_123_456), types.NewTimestamp(math.MinInt64 + 1), types.NewTimestamp(math.MaxInt64)}},
	{"timestamptz", tTSTZ, Int64, []types.Value{types.NewTimestampTZ(0), null, types.NewTimestampTZ(-86_400_000_000),
		types.NewTimestampTZ(1_700_000_000_000_001)}},
	{"numeric(12,2)", numeric(12, 2), Int64, []types.Value{dec(12345, -2), dec(-12345, -2), dec(0, -2), null,
		dec(999999999999, -2), dec(-999999999999, -2), dec(1, -2), dec(-1, -2)}},
	{"numeric(18,0) max digits", numeric(18, 0), Int64, []types.Value{dec(999999999999999999, 0),
		dec(-999999999999999999, 0), dec(0, 0), null}},
	{"numeric(18,18)", numeric(18, 18), Int64, []types.Value{dec(999999999999999999, -18),
		dec(-999999999999999999, -18), dec(1, -18), null, dec(0, -18)}},
	{"numeric(18,4) max digits", numeric(18, 4), Int64, []types.Value{dec(999999999999999999, -4),
		dec(-999999999999999999, -4), null}},
	{"numeric(1,0)", numeric(1, 0), Int64, []types.Value{dec(9, 0), dec(-9, 0), dec(0, 0)}},
	{"numeric(5,-2) negative scale", numeric(5, -2), Int64, []types.Value{dec(123, 2), dec(-99999, 2), null, dec(0, 2)}},
	{"numeric(3,5) scale above precision", numeric(3, 5), Int64, []types.Value{dec(123, -5), dec(-999, -5), dec(0, -5)}},
	{"real", tFloat4, Float64, []types.Value{types.NewFloat(float64(float32(1.1))), types.NewFloat(0), null,
		types.NewFloat(-float64(math.MaxFloat32)), types.NewFloat(float64(math.MaxFloat32)),
		types.NewFloat(float64(float32(-2.5e-38)))}},
	{"double precision", tFloat8, Float64, []types.Value{types.NewFloat(math.Pi), types.NewFloat(-math.MaxFloat64),
		types.NewFloat(math.MaxFloat64), types.NewFloat(math.SmallestNonzeroFloat64), null,
		types.NewFloat(math.Inf(1)), types.NewFloat(math.Inf(-1)), types.NewFloat(math.NaN()),
		types.NewFloat(0), types.NewFloat(math.Copysign(0, -1))}},
	{"text low cardinality", tText, String, []types.Value{types.NewText("b"), types.NewText("a"), null,
		types.NewText("b"), types.NewText("a"), types.NewText("b"), types.NewText("a"), types.NewText("")}},
	{"text high cardinality", tText, String, []types.Value{types.NewText("héllo"), types.NewText(""), null,
		types.NewText("a\x00b"), types.NewText(strings.Repeat("x", 1000)), types.NewText("Z")}},
	{"varchar(10)", tVchar, String, []types.Value{types.NewText("abcdefghij"), types.NewText("-1"), null, types.NewText("0")}},
	{"char(5)", tChar, String, []types.Value{types.NewText("ab   "), types.NewText("ab   "), types.NewText("     "),
		null, types.NewText("ab   "), types.NewText("ab   ")}},
}

func TestKindOf(t *testing.T) {
	for _, tc := range []struct {
		typ  types.T
		want Kind
	}{
		{tInt2, Int32}, {tInt4, Int32}, {tDate, Int32}, {tBool, Int32},
		{tInt8, Int64}, {tTS, Int64}, {tTSTZ, Int64},
		{numeric(1, 0), Int64}, {numeric(18, 6), Int64}, {numeric(19, 2), Unsupported}, {types.TNumeric, Unsupported},
		{tFloat4, Float64}, {tFloat8, Float64},
		{tText, String}, {tVchar, String}, {tChar, String}, {types.T{ID: types.Varchar}, String},
		{types.TJSONB, Unsupported}, {types.TJSON, Unsupported}, {types.TInterval, Unsupported},
		{types.ArrayOf(tInt4), Unsupported}, {types.ArrayOf(tText), Unsupported},
		{types.TUUID, Unsupported}, {types.TBytea, Unsupported}, {types.TTime, Unsupported},
	} {
		if got := KindOf(tc.typ); got != tc.want {
			t.Errorf("KindOf(%v) = %d, want %d", tc.typ, got, tc.want)
		}
	}
}

// TestRoundTrip checks that every supported type gives back exactly the
// values added, with a consistent Arrow array, validity bitmap and zone map.
func TestRoundTrip(t *testing.T) {
	for _, tc := range supportedCases {
		t.Run(tc.name, func(t *testing.T) {
			s := build(t, tc.typ, tc.vals)
			c := &s.Cols[0]
			if c.Kind != tc.kind || c.Type != tc.typ {
				t.Fatalf("Kind, Type = %d, %v; want %d, %v", c.Kind, c.Type, tc.kind, tc.typ)
			}
			for i, want := range tc.vals {
				if got := c.Value(i); !sameValue(got, want) {
					t.Errorf("Value(%d) = %v (kind %d), want %v (kind %d)", i, got, got.K, want, want.K)
				}
				if c.Null(i) != want.IsNull() {
					t.Errorf("Null(%d) = %v, want %v", i, c.Null(i), want.IsNull())
				}
			}
			checkZone(t, c, zoneOf(tc.vals))
			checkValid(t, c, tc.vals)
			checkArrow(t, c, len(tc.vals))
		})
	}
}

func checkZone(t *testing.T, c *Column, want Zone) {
	t.Helper()
	if c.Zone.Nulls != want.Nulls {
		t.Errorf("Zone.Nulls = %d, want %d", c.Zone.Nulls, want.Nulls)
	}
	if !sameValue(c.Zone.Min, want.Min) {
		t.Errorf("Zone.Min = %v (kind %d), want %v (kind %d)", c.Zone.Min, c.Zone.Min.K, want.Min, want.Min.K)
	}
	if !sameValue(c.Zone.Max, want.Max) {
		t.Errorf("Zone.Max = %v (kind %d), want %v (kind %d)", c.Zone.Max, c.Zone.Max.K, want.Max, want.Max.K)
	}
}

// checkValid checks the validity bitmap and that NULL slots hold zero.
func checkValid(t *testing.T, c *Column, vals []types.Value) {
	t.Helper()
	nulls := 0
	for _, v := range vals {
		if v.IsNull() {
			nulls++
		}
	}
	if nulls == 0 {
		if c.Valid != nil {
			t.Errorf("Valid = %v, want nil for a column without NULLs", c.Valid)
		}
		return
	}
	if len(c.Valid) != (len(vals)+7)/8 {
		t.Errorf("len(Valid) = %d, want %d", len(c.Valid), (len(vals)+7)/8)
	}
	for i, v := range vals {
		set := c.Valid[i>>3]&(1<<(i&7)) != 0
		if set == v.IsNull() {
			t.Errorf("Valid bit %d = %v for value %v", i, set, v)
		}
		if !v.IsNull() {
			continue
		}
		switch {
		case c.I32 != nil && c.I32[i] != 0,
			c.I64 != nil && c.I64[i] != 0,
			c.F64 != nil && c.F64[i] != 0,
			c.Codes != nil && c.Codes[i] != 0:
			t.Errorf("NULL slot %d does not hold zero", i)
		}
	}
	// Bits past the last row stay clear.
	if n := len(vals); n%8 != 0 && c.Valid[n>>3]>>(n&7) != 0 {
		t.Errorf("Valid has bits set past row %d: %08b", n, c.Valid[n>>3])
	}
}

// checkArrow checks c.Array against the Go slices and the column's type.
func checkArrow(t *testing.T, c *Column, n int) {
	t.Helper()
	a := c.Array
	if a == nil {
		t.Fatal("Array is nil")
	}
	if a.Len() != n || a.NullN() != c.Zone.Nulls {
		t.Errorf("Array.Len(), NullN() = %d, %d; want %d, %d", a.Len(), a.NullN(), n, c.Zone.Nulls)
	}
	for i := 0; i < n; i++ {
		if a.IsNull(i) != c.Null(i) {
			t.Errorf("Array.IsNull(%d) = %v, Null(%d) = %v", i, a.IsNull(i), i, c.Null(i))
		}
	}
	dt := a.DataType()
	switch c.Kind {
	case Int32:
		if len(c.I32) != n {
			t.Fatalf("len(I32) = %d, want %d", len(c.I32), n)
		}
		if c.Type.ID == types.Date {
			if dt.ID() != arrow.DATE32 {
				t.Fatalf("Arrow type %v, want date32", dt)
			}
			d := a.(*array.Date32)
			for i := range n {
				if int32(d.Value(i)) != c.I32[i] {
					t.Errorf("date32[%d] = %d, I32 = %d", i, d.Value(i), c.I32[i])
				}
			}
			sameMemory(t, d.Date32Values(), c.I32)
			return
		}
		if dt.ID() != arrow.INT32 {
			t.Fatalf("Arrow type %v, want int32", dt)
		}
		x := a.(*array.Int32)
		for i := range n {
			if x.Value(i) != c.I32[i] {
				t.Errorf("int32[%d] = %d, I32 = %d", i, x.Value(i), c.I32[i])
			}
		}
		sameMemory(t, x.Int32Values(), c.I32)
	case Int64:
		if len(c.I64) != n {
			t.Fatalf("len(I64) = %d, want %d", len(c.I64), n)
		}
		switch c.Type.ID {
		case types.Numeric:
			want := &arrow.Decimal64Type{Precision: c.Type.Precision, Scale: c.Type.Scale}
			if !arrow.TypeEqual(dt, want) {
				t.Fatalf("Arrow type %v, want %v", dt, want)
			}
			x := a.(*array.Decimal64)
			for i := range n {
				if int64(x.Value(i)) != c.I64[i] {
					t.Errorf("decimal64[%d] = %d, I64 = %d", i, x.Value(i), c.I64[i])
				}
			}
			sameMemory(t, x.Values(), c.I64)
		case types.Timestamp, types.TimestampTZ:
			ts, ok := dt.(*arrow.TimestampType)
			if !ok || ts.Unit != arrow.Microsecond {
				t.Fatalf("Arrow type %v, want timestamp[us]", dt)
			}
			if wantZone := map[bool]string{true: "UTC"}[c.Type.ID == types.TimestampTZ]; ts.TimeZone != wantZone {
				t.Errorf("Arrow type %v: time zone %q, want %q", dt, ts.TimeZone, wantZone)
			}
			x := a.(*array.Timestamp)
			for i := range n {
				if int64(x.Value(i)) != c.I64[i] {
					t.Errorf("timestamp[%d] = %d, I64 = %d", i, x.Value(i), c.I64[i])
				}
			}
			sameMemory(t, x.TimestampValues(), c.I64)
		default:
			if dt.ID() != arrow.INT64 {
				t.Fatalf("Arrow type %v, want int64", dt)
			}
			x := a.(*array.Int64)
			for i := range n {
				if x.Value(i) != c.I64[i] {
					t.Errorf("int64[%d] = %d, I64 = %d", i, x.Value(i), c.I64[i])
				}
			}
			sameMemory(t, x.Int64Values(), c.I64)
		}
	case Float64:
		if dt.ID() != arrow.FLOAT64 {
			t.Fatalf("Arrow type %v, want float64", dt)
		}
		if len(c.F64) != n {
			t.Fatalf("len(F64) = %d, want %d", len(c.F64), n)
		}
		x := a.(*array.Float64)
		for i := range n {
			if math.Float64bits(x.Value(i)) != math.Float64bits(c.F64[i]) {
				t.Errorf("float64[%d] = %v, F64 = %v", i, x.Value(i), c.F64[i])
			}
		}
		sameMemory(t, x.Float64Values(), c.F64)
	case String:
		if c.Codes != nil {
			checkDictionary(t, c, n)
			return
		}
		if dt.ID() != arrow.STRING {
			t.Fatalf("Arrow type %v, want utf8", dt)
		}
		if c.Str == nil || c.Dict != nil {
			t.Fatalf("plain string column: Str = %v, Dict = %v", c.Str, c.Dict)
		}
		if a != arrow.Array(c.Str) {
			t.Errorf("Array is not Str")
		}
		for i := range n {
			if !c.Null(i) && c.Str.Value(i) != c.Text(i) {
				t.Errorf("utf8[%d] = %q, Text = %q", i, c.Str.Value(i), c.Text(i))
			}
		}
	default:
		t.Fatalf("unexpected kind %d", c.Kind)
	}
}

func checkDictionary(t *testing.T, c *Column, n int) {
	t.Helper()
	want := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Uint16, ValueType: arrow.BinaryTypes.String}
	if !arrow.TypeEqual(c.Array.DataType(), want) {
		t.Fatalf("Arrow type %v, want %v", c.Array.DataType(), want)
	}
	if c.Str != nil {
		t.Errorf("dictionary column has Str")
	}
	if len(c.Codes) != n {
		t.Fatalf("len(Codes) = %d, want %d", len(c.Codes), n)
	}
	d := c.Array.(*array.Dictionary)
	idx := d.Indices().(*array.Uint16)
	vals := d.Dictionary().(*array.String)
	if vals.Len() != len(c.Dict) || vals.NullN() != 0 {
		t.Errorf("dictionary values: Len %d, NullN %d; want %d, 0", vals.Len(), vals.NullN(), len(c.Dict))
	}
	for i, s := range c.Dict {
		if vals.Value(i) != s {
			t.Errorf("dictionary value %d = %q, Dict = %q", i, vals.Value(i), s)
		}
	}
	seen := map[string]bool{}
	for _, s := range c.Dict {
		if seen[s] {
			t.Errorf("Dict holds %q twice", s)
		}
		seen[s] = true
	}
	for i := range n {
		if idx.Value(i) != c.Codes[i] {
			t.Errorf("index %d = %d, Codes = %d", i, idx.Value(i), c.Codes[i])
		}
		if c.Null(i) {
			continue
		}
		if int(c.Codes[i]) >= len(c.Dict) {
			t.Fatalf("code %d = %d out of range of %d", i, c.Codes[i], len(c.Dict))
		}
		if got := vals.Value(d.GetValueIndex(i)); got != c.Text(i) {
			t.Errorf("dictionary[%d] = %q, Text = %q", i, got, c.Text(i))
		}
	}
	if n > 0 {
		sameMemory(t, idx.Uint16Values(), c.Codes)
	}
}

// sameMemory checks that the Go slice is a view of the Arrow buffer.
func sameMemory[A, B any](t *testing.T, a []A, b []B) {
	t.Helper()
	if len(a) != len(b) {
		t.Errorf("Arrow values have %d elements, Go slice %d", len(a), len(b))
		return
	}
	if len(a) > 0 && unsafe.Pointer(&a[0]) != unsafe.Pointer(&b[0]) {
		t.Errorf("Go slice is not a view of the Arrow buffer")
	}
}

// TestMultiColumn builds one segment of every supported and some
// unsupported types together, and checks each column.
func TestMultiColumn(t *testing.T) {
	unsupported := []struct {
		typ types.T
		val types.Value
	}{
		{types.TNumeric, dec(15, -1)},
		{numeric(19, 2), dec(100, -2)},
		{types.TJSONB, mustJSONB(t, `{"a": [1, 2]}`)},
		{types.TInterval, types.NewInterval(1, 2, 3)},
		{types.ArrayOf(tInt4), types.NewArray(tInt4, ints(1, 2))},
		{types.ArrayOf(tText), types.NewArray(tText, []types.Value{types.NewText("x")})},
		{types.TUUID, types.NewUUID([16]byte{1, 2, 3})},
		{types.TBytea, types.NewBytea([]byte{0, 1})},
		{types.TTime, types.NewTime(1)},
	}
	var typs []types.T
	rows := 0
	for _, tc := range supportedCases {
		typs = append(typs, tc.typ)
		rows = max(rows, len(tc.vals))
	}
	for _, u := range unsupported {
		typs = append(typs, u.typ)
	}
	// Column i of row r: supportedCases[i].vals[r], NULL past its end.
	at := func(i, r int) types.Value {
		if i < len(supportedCases) {
			if r < len(supportedCases[i].vals) {
				return supportedCases[i].vals[r]
			}
			return null
		}
		if r%2 == 0 {
			return null
		}
		return unsupported[i-len(supportedCases)].val
	}
	b := NewBuilder(table(typs...), rows)
	for r := range rows {
		row := make([]types.Value, len(typs))
		for i := range row {
			row[i] = at(i, r)
		}
		b.Add(row)
	}
	s := b.Finish()
	if s.Rows != rows || len(s.Cols) != len(typs) {
		t.Fatalf("segment has %d rows, %d columns; want %d, %d", s.Rows, len(s.Cols), rows, len(typs))
	}
	for i := range typs {
		c := &s.Cols[i]
		if c.Type != typs[i] {
			t.Errorf("column %d: Type %v, want %v", i, c.Type, typs[i])
		}
		if i >= len(supportedCases) {
			if c.Kind != Unsupported || c.Array != nil || c.Valid != nil ||
				c.I32 != nil || c.I64 != nil || c.F64 != nil || c.Str != nil || c.Codes != nil || c.Dict != nil {
				t.Errorf("unsupported column %v: %+v", typs[i], c)
			}
			if c.Zone.Nulls != 0 || !c.Zone.Min.IsNull() || !c.Zone.Max.IsNull() {
				t.Errorf("unsupported column %v: zone %+v", typs[i], c.Zone)
			}
			for r := range rows {
				if v := c.Value(r); !v.IsNull() || c.Null(r) {
					t.Errorf("unsupported column %v: Value(%d) = %v, Null = %v", typs[i], r, v, c.Null(r))
				}
			}
			continue
		}
		var vals []types.Value
		for r := range rows {
			vals = append(vals, at(i, r))
		}
		if c.Kind != supportedCases[i].kind {
			t.Errorf("column %v: Kind %d, want %d", typs[i], c.Kind, supportedCases[i].kind)
		}
		for r, want := range vals {
			if got := c.Value(r); !sameValue(got, want) {
				t.Errorf("column %v: Value(%d) = %v, want %v", typs[i], r, got, want)
			}
		}
		checkZone(t, c, zoneOf(vals))
		checkValid(t, c, vals)
		checkArrow(t, c, rows)
	}
}

func mustJSONB(t *testing.T, s string) types.Value {
	t.Helper()
	v, err := types.ParseJSONB(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestShortRow checks that columns missing from a row are NULL.
func TestShortRow(t *testing.T) {
	b := NewBuilder(table(tInt4, tText, tFloat8), 2)
	b.Add([]types.Value{types.NewInt(1)})
	b.Add([]types.Value{types.NewInt(2), types.NewText("x"), types.NewFloat(1.5)})
	s := b.Finish()
	want := [][]types.Value{
		{types.NewInt(1), null, null},
		{types.NewInt(2), types.NewText("x"), types.NewFloat(1.5)},
	}
	for r, row := range want {
		for i, w := range row {
			if got := s.Cols[i].Value(r); !sameValue(got, w) {
				t.Errorf("row %d column %d = %v, want %v", r, i, got, w)
			}
		}
	}
	if s.Cols[0].Valid != nil || s.Cols[1].Zone.Nulls != 1 || s.Cols[2].Zone.Nulls != 1 {
		t.Errorf("null counts: %d %d %d", s.Cols[0].Zone.Nulls, s.Cols[1].Zone.Nulls, s.Cols[2].Zone.Nulls)
	}
}

// TestZone checks zone maps against hand-written expectations.
func TestZone(t *testing.T) {
	for _, tc := range []struct {
		name          string
		typ           types.T
		vals          []types.Value
		min, max      types.Value
		nulls         int
		dictionary    bool
		dictionaryLen int
	}{
		{"integer", tInt4, append(ints(5, -3, 9), null, types.NewInt(0)), types.NewInt(-3), types.NewInt(9), 1, false, 0},
		{"bigint extremes", tInt8, ints(0, math.MinInt64+1, math.MaxInt64), types.NewInt(math.MinInt64 + 1),
			types.NewInt(math.MaxInt64), 0, false, 0},
		{"single value", tInt8, ints(7), types.NewInt(7), types.NewInt(7), 0, false, 0},
		{"boolean", tBool, []types.Value{types.NewBool(true), types.NewBool(false), null}, types.NewBool(false),
			types.NewBool(true), 1, false, 0},
		{"date", tDate, []types.Value{types.NewDate(10), null, types.NewDate(-10)}, types.NewDate(-10), types.NewDate(10), 1, false, 0},
		{"timestamptz", tTSTZ, []types.Value{types.NewTimestampTZ(3), types.NewTimestampTZ(-3)},
			types.NewTimestampTZ(-3), types.NewTimestampTZ(3), 0, false, 0},
		{"numeric", numeric(10, 2), []types.Value{dec(150, -2), dec(-5, -2), null, dec(99, -2)}, dec(-5, -2), dec(150, -2), 1, false, 0},
		{"double with NaN", tFloat8, []types.Value{types.NewFloat(math.NaN()), types.NewFloat(-1), types.NewFloat(math.Inf(1))},
			types.NewFloat(-1), types.NewFloat(math.NaN()), 0, false, 0},
		{"all NULL integer", tInt4, []types.Value{null, null, null}, null, null, 3, false, 0},
		{"all NULL numeric", numeric(10, 2), []types.Value{null}, null, null, 1, false, 0},
		{"all NULL double", tFloat8, []types.Value{null, null}, null, null, 2, false, 0},
		{"all NULL text", tText, []types.Value{null, null, null, null}, null, null, 4, false, 0},
		{"text dictionary", tText, []types.Value{types.NewText("pear"), types.NewText("apple"), null,
			types.NewText("pear"), types.NewText("zucchini"), types.NewText("apple"), types.NewText("apple"),
			types.NewText("pear")}, types.NewText("apple"), types.NewText("zucchini"), 1, true, 3},
		{"text plain", tText, []types.Value{types.NewText("m"), types.NewText("B"), types.NewText("b"),
			types.NewText(""), null}, types.NewText(""), types.NewText("m"), 1, false, 0},
		{"text byte order", tText, []types.Value{types.NewText("é"), types.NewText("z"), types.NewText("Z"), types.NewText("a")},
			types.NewText("Z"), types.NewText("é"), 0, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &build(t, tc.typ, tc.vals).Cols[0]
			checkZone(t, c, Zone{Min: tc.min, Max: tc.max, Nulls: tc.nulls})
			if c.Kind == String {
				if got := c.Codes != nil; got != tc.dictionary || len(c.Dict) != tc.dictionaryLen {
					t.Errorf("dictionary = %v with %d values, want %v with %d", got, len(c.Dict), tc.dictionary, tc.dictionaryLen)
				}
			}
		})
	}
}

func texts(n int, f func(i int) types.Value) []types.Value {
	vs := make([]types.Value, n)
	for i := range vs {
		vs[i] = f(i)
	}
	return vs
}

// TestDictionary checks when a string column is dictionary encoded: at most
// MaxDictionary distinct values and at most half the rows.
func TestDictionary(t *testing.T) {
	text := func(s string) types.Value { return types.NewText(s) }
	for _, tc := range []struct {
		name     string
		vals     []types.Value
		dict     bool
		distinct int
	}{
		{"one value", texts(10, func(int) types.Value { return text("x") }), true, 1},
		{"4 rows 2 distinct", []types.Value{text("a"), text("b"), text("a"), text("b")}, true, 2},
		{"4 rows 3 distinct", []types.Value{text("a"), text("b"), text("c"), text("c")}, false, 3},
		{"5 rows 2 distinct", []types.Value{text("a"), text("b"), text("a"), text("b"), text("a")}, true, 2},
		{"5 rows 3 distinct", []types.Value{text("a"), text("b"), text("c"), text("a"), text("a")}, false, 3},
		{"3 rows 2 distinct", []types.Value{text("a"), text("b"), text("a")}, false, 2},
		{"2 rows 1 distinct", []types.Value{text("a"), text("a")}, true, 1},
		{"1 row", []types.Value{text("a")}, false, 1},
		{"with NULLs", []types.Value{null, text("a"), null, text("b"), text("a"), null}, true, 2},
		{"empty string and NULL", []types.Value{text(""), null, text(""), text("")}, true, 1},
		{"NULLs count as rows", []types.Value{text("a"), text("b"), null, null}, true, 2},
		{"all distinct", texts(100, func(i int) types.Value { return text(strconv.Itoa(i)) }), false, 100},
		{"all NULL", []types.Value{null, null}, false, 0},
		{"late distinct values", texts(100, func(i int) types.Value {
			if i < 50 {
				return text("same")
			}
			return text(strconv.Itoa(i))
		}), false, 51},
		{"half the rows", texts(100, func(i int) types.Value { return text(strconv.Itoa(i / 2)) }), true, 50},
		{"smallDict distinct", texts(40, func(i int) types.Value { return text(strconv.Itoa(i % smallDict)) }), true, smallDict},
		{"smallDict+1 distinct", texts(40, func(i int) types.Value { return text(strconv.Itoa(i % (smallDict + 1))) }), true, smallDict + 1},
		{"MaxDictionary distinct", texts(2*MaxDictionary, func(i int) types.Value {
			return text(strconv.Itoa(i / 2))
		}), true, MaxDictionary},
		// The first dictProbe rows all differ: the column is judged too
		// varied for a dictionary, though its values repeat later.
		{"distinct probe", texts(2*MaxDictionary, func(i int) types.Value {
			return text(strconv.Itoa(i % MaxDictionary))
		}), false, MaxDictionary},
		{"almost distinct probe", texts(2*dictProbe, func(i int) types.Value {
			return text(strconv.Itoa(i % (dictProbe - dictProbe/64)))
		}), true, dictProbe - dictProbe/64},
		{"MaxDictionary+1 distinct", texts(2*MaxDictionary+2, func(i int) types.Value {
			return text(strconv.Itoa(i % (MaxDictionary + 1)))
		}), false, MaxDictionary + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &build(t, tText, tc.vals).Cols[0]
			if got := c.Codes != nil; got != tc.dict {
				t.Fatalf("dictionary encoded = %v, want %v (%d rows, %d distinct)", got, tc.dict, len(tc.vals), tc.distinct)
			}
			if tc.dict {
				if len(c.Dict) != tc.distinct {
					t.Errorf("len(Dict) = %d, want %d", len(c.Dict), tc.distinct)
				}
				if _, ok := c.Array.(*array.Dictionary); !ok {
					t.Errorf("Array is %T, want *array.Dictionary", c.Array)
				}
			} else {
				if _, ok := c.Array.(*array.String); !ok || c.Str == nil || c.Dict != nil {
					t.Errorf("Array is %T, Str %v, Dict %v; want a plain *array.String", c.Array, c.Str != nil, c.Dict)
				}
			}
			for i, v := range tc.vals {
				if !v.IsNull() && c.Text(i) != v.S {
					t.Errorf("Text(%d) = %q, want %q", i, c.Text(i), v.S)
				}
				if got := c.Value(i); !sameValue(got, v) {
					t.Errorf("Value(%d) = %v, want %v", i, got, v)
				}
			}
			checkValid(t, c, tc.vals)
			checkArrow(t, c, len(tc.vals))
		})
	}
}

// TestEmpty checks a segment of no rows.
func TestEmpty(t *testing.T) {
	typs := []types.T{tInt4, tDate, tInt8, tTS, numeric(10, 2), tFloat8, tText, types.TJSONB}
	s := NewBuilder(table(typs...), 0).Finish()
	if s.Rows != 0 || len(s.Cols) != len(typs) {
		t.Fatalf("segment has %d rows, %d columns", s.Rows, len(s.Cols))
	}
	for i := range s.Cols {
		c := &s.Cols[i]
		checkZone(t, c, Zone{})
		if c.Kind == Unsupported {
			if c.Array != nil {
				t.Errorf("unsupported column has an Array")
			}
			continue
		}
		checkArrow(t, c, 0)
	}
}

// TestValid checks the validity bitmap across several bytes.
func TestValid(t *testing.T) {
	for _, nullRows := range [][]int{{}, {0}, {7}, {8}, {0, 7, 8, 15, 16, 18}, {18}, {3, 4, 5, 6, 7, 8, 9, 10, 11}} {
		isNull := map[int]bool{}
		for _, r := range nullRows {
			isNull[r] = true
		}
		var ivals, svals, fvals []types.Value
		for r := range 19 {
			if isNull[r] {
				ivals, svals, fvals = append(ivals, null), append(svals, null), append(fvals, null)
				continue
			}
			ivals = append(ivals, types.NewInt(int64(r-9)))
			svals = append(svals, types.NewText(strconv.Itoa(r%3)))
			fvals = append(fvals, types.NewFloat(float64(r)/4))
		}
		b := NewBuilder(table(tInt8, tText, tFloat8), 19)
		for r := range ivals {
			b.Add([]types.Value{ivals[r], svals[r], fvals[r]})
		}
		s := b.Finish()
		for i, vals := range [][]types.Value{ivals, svals, fvals} {
			c := &s.Cols[i]
			for r := range vals {
				if c.Null(r) != isNull[r] {
					t.Errorf("nulls %v column %d: Null(%d) = %v", nullRows, i, r, c.Null(r))
				}
			}
			if c.Zone.Nulls != len(nullRows) {
				t.Errorf("nulls %v column %d: Zone.Nulls = %d", nullRows, i, c.Zone.Nulls)
			}
			checkValid(t, c, vals)
			checkArrow(t, c, len(vals))
		}
	}
}

// TestInt64RoundTrip checks ToInt64 and FromInt64, including numerics
// whose exponent differs from the column's scale.
func TestInt64RoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		typ  types.T
		in   types.Value
		want int64
		back types.Value // FromInt64(typ, want)
	}{
		{"numeric same scale", numeric(10, 2), dec(150, -2), 150, dec(150, -2)},
		{"numeric 1.5 in (10,2)", numeric(10, 2), dec(15, -1), 150, dec(150, -2)},
		{"numeric integer in (10,2)", numeric(10, 2), dec(12, 0), 1200, dec(1200, -2)},
		{"numeric positive exponent in (10,2)", numeric(10, 2), dec(12, 3), 1200000, dec(1200000, -2)},
		{"numeric trailing zeros in (10,2)", numeric(10, 2), dec(-150000, -5), -150, dec(-150, -2)},
		{"numeric negative", numeric(10, 2), dec(-5, -2), -5, dec(-5, -2)},
		{"numeric zero", numeric(10, 2), dec(0, 0), 0, dec(0, -2)},
		{"numeric negative zero", numeric(10, 2), types.NewDecimal(&apd.Decimal{Negative: true, Exponent: -2}), 0, dec(0, -2)},
		{"numeric(18,0) max", numeric(18, 0), dec(999999999999999999, 0), 999999999999999999, dec(999999999999999999, 0)},
		{"numeric(18,0) min", numeric(18, 0), dec(-999999999999999999, 0), -999999999999999999, dec(-999999999999999999, 0)},
		{"numeric(18,18) max", numeric(18, 18), dec(999999999999999999, -18), 999999999999999999, dec(999999999999999999, -18)},
		{"numeric(18,18) short", numeric(18, 18), dec(5, -1), 500000000000000000, dec(500000000000000000, -18)},
		{"numeric negative scale", numeric(5, -2), dec(123, 2), 123, dec(123, 2)},
		{"numeric negative scale from integer", numeric(5, -2), dec(12300, 0), 123, dec(123, 2)},
		{"numeric scale above precision", numeric(3, 5), dec(123, -5), 123, dec(123, -5)},
		{"numeric NULL", numeric(10, 2), null, 0, dec(0, -2)},
		{"date epoch", tDate, types.NewDate(0), 0, types.NewDate(0)},
		{"date negative", tDate, types.NewDate(-1), -1, types.NewDate(-1)},
		{"date min", tDate, types.NewDate(minDateDays), minDateDays, types.NewDate(minDateDays)},
		{"date max", tDate, types.NewDate(maxDateDays), maxDateDays, types.NewDate(maxDateDays)},
		{"timestamp", tTS, types.NewTimestamp(-1_234_567), -1_234_567, types.NewTimestamp(-1_234_567)},
		{"timestamp max", tTS, types.NewTimestamp(math.MaxInt64), math.MaxInt64, types.NewTimestamp(math.MaxInt64)},
		{"timestamptz", tTSTZ, types.NewTimestampTZ(1_700_000_000_000_000), 1_700_000_000_000_000,
			types.NewTimestampTZ(1_700_000_000_000_000)},
		{"timestamptz min", tTSTZ, types.NewTimestampTZ(math.MinInt64 + 1), math.MinInt64 + 1, types.NewTimestampTZ(math.MinInt64 + 1)},
		{"bool true", tBool, types.NewBool(true), 1, types.NewBool(true)},
		{"bool false", tBool, types.NewBool(false), 0, types.NewBool(false)},
		{"bool NULL", tBool, null, 0, types.NewBool(false)},
		{"smallint", tInt2, types.NewInt(math.MinInt16), math.MinInt16, types.NewInt(math.MinInt16)},
		{"integer", tInt4, types.NewInt(math.MaxInt32), math.MaxInt32, types.NewInt(math.MaxInt32)},
		{"bigint", tInt8, types.NewInt(math.MinInt64), math.MinInt64, types.NewInt(math.MinInt64)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ToInt64(tc.typ, tc.in)
			if got != tc.want {
				t.Errorf("ToInt64(%v, %v) = %d, want %d", tc.typ, tc.in, got, tc.want)
			}
			back := FromInt64(tc.typ, got)
			if !sameValue(back, tc.back) {
				t.Errorf("FromInt64(%v, %d) = %v (kind %d), want %v (kind %d)", tc.typ, got, back, back.K, tc.back, tc.back.K)
			}
			if !tc.in.IsNull() && types.Compare(back, tc.in) != 0 {
				t.Errorf("FromInt64(ToInt64(%v)) = %v, not equal to the input", tc.in, back)
			}
			if tc.typ.ID == types.Numeric {
				if e := back.D.Exponent; e != -tc.typ.Scale {
					t.Errorf("FromInt64 exponent = %d, want %d", e, -tc.typ.Scale)
				}
			}
		})
	}
}

// TestNumericOtherExponent checks a segment built from numerics whose
// exponent is not -scale: the stored int64 is scaled, the value equal.
func TestNumericOtherExponent(t *testing.T) {
	in := []types.Value{dec(15, -1), dec(7, 0), dec(-25, -1), null}
	c := &build(t, numeric(10, 2), in).Cols[0]
	wantI64 := []int64{150, 700, -250, 0}
	wantVal := []types.Value{dec(150, -2), dec(700, -2), dec(-250, -2), null}
	for i := range in {
		if c.I64[i] != wantI64[i] {
			t.Errorf("I64[%d] = %d, want %d", i, c.I64[i], wantI64[i])
		}
		if got := c.Value(i); !sameValue(got, wantVal[i]) || types.Compare(got, in[i]) != 0 {
			t.Errorf("Value(%d) = %v, want %v", i, got, wantVal[i])
		}
	}
	checkZone(t, c, Zone{Min: dec(-250, -2), Max: dec(700, -2), Nulls: 1})
	checkArrow(t, c, len(in))
}
