// Package column holds immutable column segments: the columnar copy of a
// table's settled rows that analytical scans read instead of heap pages.
//
// A Segment is one row group: up to a fixed number of rows of one table,
// each column an Apache Arrow array (arrow-go v18) with a zone map (minimum,
// maximum, null count) that lets a scan skip the whole segment. The row
// store's columnizer builds segments from heap rows that every transaction
// sees (see row.Heap.Columnize) and keeps, per segment, the row versions it
// copied, so that later deletes and updates stay visible to scans.
//
// Physical layout of a column, by SQL type (Kind):
//
//	smallint, integer     Int32: Arrow int32, little-endian
//	bigint                Int64: Arrow int64
//	timestamp[tz]         Int64: Arrow timestamp[us] (microseconds since 1970-01-01 UTC)
//	date                  Int32: Arrow date32 (days since 1970-01-01)
//	numeric(p<=18, s)     Int64: Arrow decimal64(p, s), the value times 10^s
//	real, double          Float64: Arrow float64
//	text, varchar, char   String: Arrow utf8 (int32 offsets, bytes), or when at most
//	                      MaxDictionary distinct values and at most half the rows,
//	                      Arrow dictionary<uint16, utf8> (Codes index Dict)
//	boolean               Int32: Arrow int32 holding 0 or 1
//
// Int32 and Int64 columns may be bit-packed or run-length encoded instead,
// when that takes less memory (Segment.Encode, encode.go); the columnizer
// encodes the segments it builds. An encoded column has no Arrow array:
// Arrow has no bit-packed layout.
//
// Every other type (arrays, JSON, interval, unconstrained numeric, ...) is
// Unsupported: the column is not copied and queries reading it take the row
// path. Nulls are an Arrow validity bitmap (bit i set: row i is not null),
// absent when the column has none; a null slot holds zero.
//
// Segments are derived from the heap, which stays the durable copy. The
// row store's checkpoints also write each segment to a segment file
// (EncodeFile; the byte layout is in segfile.go) and load it back at start
// (DecodeSegment), its buffers views of the file's bytes; a file that fails
// its checksums or checks is dropped and the columnizer rebuilds the
// segment from the heap.
package column

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/cockroachdb/apd/v3"

	"rustydb/catalog"
	"rustydb/types"
)

// Kind is a column's physical representation in a segment.
type Kind uint8

const (
	Unsupported Kind = iota
	Int32
	Int64
	Float64
	String
)

// MaxDictionary is the most distinct values a dictionary-encoded column
// holds (its codes are uint16).
const MaxDictionary = 1 << 16

// Zone is a column's zone map within one segment.
type Zone struct {
	Min, Max types.Value // NULL when every row is NULL
	Nulls    int
}

// Column is one column of a segment.
type Column struct {
	Kind  Kind
	Type  types.T
	Array arrow.Array // nil when Unsupported or encoded
	Zone  Zone
	// Valid is the validity bitmap, nil when no row is NULL.
	Valid []byte
	// The values, views of Array's buffers, by Kind; I32 and I64 are nil
	// when Enc is not Plain (see encode.go).
	I32 []int32
	I64 []int64
	// Enc is how an Int32 or Int64 column's values are stored: Pack or
	// Runs hold them when it is not Plain.
	Enc  Encoding
	Pack *Packed
	Runs *Runs
	F64  []float64
	// Strings: Str for plain columns; Codes and Dict for dictionary ones.
	Str   *array.String
	Codes []uint16
	Dict  []string
}

// Null reports whether row i is NULL.
func (c *Column) Null(i int) bool { return c.Valid != nil && c.Valid[i>>3]&(1<<(i&7)) == 0 }

// Text returns row i of a String column.
func (c *Column) Text(i int) string {
	if c.Codes != nil {
		return c.Dict[c.Codes[i]]
	}
	return c.Str.Value(i)
}

// Value returns row i as a types.Value, as the heap holds it.
func (c *Column) Value(i int) types.Value {
	if c.Null(i) {
		return types.Null
	}
	switch c.Kind {
	case Int32, Int64:
		return FromInt64(c.Type, c.Int(i))
	case Float64:
		return types.NewFloat(c.F64[i])
	case String:
		return types.NewText(c.Text(i))
	}
	return types.Null
}

// FromInt64 turns the int64 form of a value of type t back into a Value.
func FromInt64(t types.T, v int64) types.Value {
	switch t.ID {
	case types.Numeric:
		return types.NewDecimal(apd.New(v, -t.Scale))
	case types.Date:
		return types.NewDate(v)
	case types.Bool:
		return types.NewBool(v != 0)
	case types.Timestamp, types.TimestampTZ:
		k := types.KTimestamp
		if t.ID == types.TimestampTZ {
			k = types.KTimestampTZ
		}
		return types.Value{K: k, I: v}
	}
	return types.NewInt(v)
}

// KindOf returns how a column of type t is stored.
func KindOf(t types.T) Kind {
	switch t.ID {
	case types.Int2, types.Int4, types.Date, types.Bool:
		return Int32
	case types.Int8, types.Timestamp, types.TimestampTZ:
		return Int64
	case types.Numeric:
		if t.Precision > 0 && t.Precision <= 18 {
			return Int64
		}
	case types.Float4, types.Float8:
		return Float64
	case types.Text, types.Varchar, types.Char:
		return String
	}
	return Unsupported
}

// Segment is one immutable row group.
type Segment struct {
	Rows int
	Cols []Column
}

// Builder accumulates rows into a Segment.
type Builder struct {
	table *catalog.Table
	rows  int
	cols  []colBuilder
}

type colBuilder struct {
	kind  Kind
	t     types.T
	i32   []int32
	i64   []int64
	f64   []float64
	str   []string
	valid []bool
	nulls int
}

// NewBuilder returns a builder for rows of table t, sized for n rows.
func NewBuilder(t *catalog.Table, n int) *Builder {
	b := &Builder{table: t, cols: make([]colBuilder, len(t.Columns))}
	for i, c := range t.Columns {
		cb := &b.cols[i]
		cb.t, cb.kind = c.Type, KindOf(c.Type)
		switch cb.kind {
		case Int32:
			cb.i32 = make([]int32, 0, n)
		case Int64:
			cb.i64 = make([]int64, 0, n)
		case Float64:
			cb.f64 = make([]float64, 0, n)
		case String:
			cb.str = make([]string, 0, n)
		}
		if cb.kind != Unsupported {
			cb.valid = make([]bool, 0, n)
		}
	}
	return b
}

// Rows returns how many rows were added.
func (b *Builder) Rows() int { return b.rows }

// Add appends one row, its values in table column order.
func (b *Builder) Add(vals []types.Value) {
	for i := range b.cols {
		v := types.Null
		if i < len(vals) {
			v = vals[i]
		}
		b.AppendValue(i, v)
	}
	b.rows++
}

// ToInt64 returns the int64 form of v, a value of type t stored as Int32 or
// Int64: numerics scaled by 10^scale (the column's type guarantees the
// value has that scale and fits), everything else its integer field.
func ToInt64(t types.T, v types.Value) int64 {
	if v.IsNull() {
		return 0
	}
	if t.ID != types.Numeric {
		return v.I
	}
	d := v.D
	if d.Exponent != -t.Scale {
		var q apd.Decimal
		if _, err := types.DecimalContext.Quantize(&q, d, -t.Scale); err == nil {
			d = &q
		}
	}
	i := d.Coeff.Int64()
	if d.Negative {
		i = -i
	}
	return i
}

// Finish returns the segment of the rows added.
func (b *Builder) Finish() *Segment {
	s := &Segment{Rows: b.rows, Cols: make([]Column, len(b.cols))}
	for i := range b.cols {
		s.Cols[i] = b.cols[i].finish(b.rows)
	}
	return s
}

func (cb *colBuilder) finish(n int) Column {
	c := Column{Kind: cb.kind, Type: cb.t, Zone: Zone{Nulls: cb.nulls}}
	if cb.kind == Unsupported {
		return c
	}
	if cb.nulls > 0 {
		c.Valid = make([]byte, (n+7)/8)
		for i, ok := range cb.valid {
			if ok {
				c.Valid[i>>3] |= 1 << (i & 7)
			}
		}
	}
	first := true
	note := func(v types.Value) {
		if first {
			c.Zone.Min, c.Zone.Max, first = v, v, false
			return
		}
		if types.Compare(v, c.Zone.Min) < 0 {
			c.Zone.Min = v
		}
		if types.Compare(v, c.Zone.Max) > 0 {
			c.Zone.Max = v
		}
	}
	switch cb.kind {
	case Int32:
		c.I32 = cb.i32
		lo, hi, any := minMax(cb.i32, cb.valid)
		if any {
			note(FromInt64(cb.t, int64(lo)))
			note(FromInt64(cb.t, int64(hi)))
		}
	case Int64:
		c.I64 = cb.i64
		lo, hi, any := minMax(cb.i64, cb.valid)
		if any {
			note(FromInt64(cb.t, lo))
			note(FromInt64(cb.t, hi))
		}
	case Float64:
		c.F64 = cb.f64
		for i, f := range cb.f64 {
			if cb.valid[i] {
				note(types.NewFloat(f))
			}
		}
	case String:
		cb.finishStrings(&c, n, note)
	}
	c.setArray(n)
	return c
}

// setArray wraps the column's plain values (I32, I64, F64, Codes and Dict,
// or Str) and validity bitmap in its Arrow array, without copying them:
// the builder and the segment file reader (segfile.go) share it.
func (c *Column) setArray(n int) {
	var validBuf *memory.Buffer
	if c.Valid != nil {
		validBuf = memory.NewBufferBytes(c.Valid)
	}
	fixed := func(dt arrow.DataType, values []byte) arrow.Array {
		return array.MakeFromData(array.NewData(dt, n, []*memory.Buffer{validBuf, memory.NewBufferBytes(values)}, nil, c.Zone.Nulls, 0))
	}
	switch {
	case c.Enc != Plain:
		c.Array = nil // Arrow has no bit-packed layout (encode.go)
	case c.Kind == Int32:
		dt := arrow.DataType(arrow.PrimitiveTypes.Int32)
		if c.Type.ID == types.Date {
			dt = arrow.FixedWidthTypes.Date32
		}
		c.Array = fixed(dt, bytesOf(c.I32))
	case c.Kind == Int64:
		dt := arrow.DataType(arrow.PrimitiveTypes.Int64)
		switch c.Type.ID {
		case types.Numeric:
			dt = &arrow.Decimal64Type{Precision: c.Type.Precision, Scale: c.Type.Scale}
		case types.Timestamp:
			dt = &arrow.TimestampType{Unit: arrow.Microsecond} // local time: no zone
		case types.TimestampTZ:
			dt = arrow.FixedWidthTypes.Timestamp_us // an instant, in UTC
		}
		c.Array = fixed(dt, bytesOf(c.I64))
	case c.Kind == Float64:
		c.Array = fixed(arrow.PrimitiveTypes.Float64, bytesOf(c.F64))
	case c.Kind == String && c.Codes != nil:
		idx := fixed(arrow.PrimitiveTypes.Uint16, bytesOf(c.Codes))
		c.Array = array.NewDictionaryArray(&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Uint16, ValueType: arrow.BinaryTypes.String}, idx, stringArray(c.Dict, nil, 0))
	case c.Kind == String:
		c.Array = c.Str
	}
}

// smallDict is how many distinct strings finishStrings looks up by
// comparing with each: flags and modes (a handful of values, in millions
// of rows) cost less so than hashed.
const smallDict = 8

// dictProbe is how many valid rows finishStrings reads before it judges a
// column's cardinality: when nearly all of them differ (a comment, a
// name), so many distinct values would not fit a dictionary anyway, and
// hashing half the column first to learn it costs a load dearly.
const dictProbe = 4096

func (cb *colBuilder) finishStrings(c *Column, n int, note func(types.Value)) {
	codes := map[string]uint16{} // once the dictionary outgrows smallDict
	var dict []string
	// The codes are noted on the way: one lookup a row, not two.
	rowCodes := make([]uint16, n)
	seen := 0
	for i, s := range cb.str {
		if !cb.valid[i] {
			continue
		}
		if seen++; seen == dictProbe && len(dict) > dictProbe-dictProbe/64 {
			dict = nil
			break
		}
		code, ok := uint16(0), false
		if len(dict) <= smallDict {
			for j, d := range dict {
				if d == s {
					code, ok = uint16(j), true
					break
				}
			}
		} else {
			code, ok = codes[s]
		}
		if !ok {
			if len(dict) == MaxDictionary || len(dict) >= n/2 { // one more would exceed either limit
				dict = nil
				break
			}
			code = uint16(len(dict))
			dict = append(dict, s)
			if len(dict) == smallDict+1 {
				for j, d := range dict {
					codes[d] = uint16(j)
				}
			} else if len(dict) > smallDict {
				codes[s] = code
			}
		}
		rowCodes[i] = code
	}
	if dict != nil || n == 0 {
		for _, s := range dict {
			note(types.NewText(s))
		}
		c.Dict, c.Codes = dict, rowCodes
		return
	}
	for i, s := range cb.str {
		if cb.valid[i] {
			note(types.NewText(s))
		}
	}
	c.Str = stringArray(cb.str, c.Valid, cb.nulls)
}

// stringArray builds an Arrow utf8 array of strs.
func stringArray(strs []string, valid []byte, nulls int) *array.String {
	offsets := make([]int32, len(strs)+1)
	size := 0
	for _, s := range strs {
		size += len(s)
	}
	data := make([]byte, 0, size)
	for i, s := range strs {
		data = append(data, s...)
		offsets[i+1] = int32(len(data))
	}
	return NewStrings(data, offsets, valid, nulls)
}

func minMax[T int32 | int64](x []T, valid []bool) (lo, hi T, any bool) {
	for i, v := range x {
		if !valid[i] {
			continue
		}
		if !any {
			lo, hi, any = v, v, true
			continue
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi, any
}

// bytesOf views a slice of fixed-width values as its bytes, which Arrow
// buffers wrap without copying.
func bytesOf[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(zero)))
}
