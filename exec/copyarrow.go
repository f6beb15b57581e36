package exec

// COPY FROM an Arrow IPC file or stream. Record batches are columns
// already, so when the table qualifies for the column-by-column load
// (columnLoad) the reader cuts each record batch into slices of
// loadBatchRows rows and a conversion worker fills the batch's
// column.Builder from the slice's arrays a column at a time: no text and
// no types.Value per field where the Arrow type maps onto the column's
// form.
//
//	int8..int64, uint8..uint64  smallint, integer, bigint (range checked); numeric(p<=18,s)
//	decimal32/64/128(P,S)       numeric(p<=18,s), rescaled where that is exact
//	float32, float64            real, double precision
//	date32, date64              date
//	timestamp(unit)             timestamp, to microseconds
//	timestamp(unit, zone)       timestamptz, to microseconds
//	bool                        boolean
//	utf8, large_utf8            any column, each value as its text
//
// An int64 array into bigint, int32 into integer, date32 into date,
// timestamp[us] into timestamp[tz] and float64 into double precision
// become the builder's storage itself (column.Adopt): no copy and no
// conversion per value. A slice's strings are copied once, into one
// string the values are substrings of (so that what the load keeps does
// not pin a whole record batch's buffers). Any other value (another Arrow
// type, a value outside the fast mapping's range, a string for a numeric
// column) takes its text form (ArrowText) and the text load's conversion,
// which converts it or words its error exactly as a text load would: the
// result never depends on the path a value takes. Tables that do not
// qualify load row by row, each value through its text form.
//
// The batches then go through the text load's loader (heap tuples,
// segments, indexes, the crash-atomic bulk load): see copy.go's load.

import (
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"rustydb/catalog"
	"rustydb/column"
	"rustydb/row"
	"rustydb/sqlerr"
	"rustydb/types"
)

// ArrowSource yields the record batches of an Arrow IPC input, nil after
// the last. A batch is valid until the next call; its buffers must be Go
// memory (memory.GoAllocator): the load keeps slices of them, adopted
// into its column batches, past the batch and never releases them, the
// garbage collector frees them.
type ArrowSource func() (arrow.RecordBatch, error)

// CopyArrow loads the record batches of src, described by schema, into
// t's columns cols, each from the field of its name (a column the input
// lacks takes its default, a field the table lacks is ignored), and
// returns the number of rows loaded. A row's number, for an error, counts
// the rows of all batches before it.
func (c *Context) CopyArrow(t *catalog.Table, cols []int, schema *arrow.Schema, src ArrowSource, f CopyFormat) (int64, error) {
	pos := make([]int, len(cols)) // the field giving cols[i], or -1
	var given, fields []int
	for i, col := range cols {
		pos[i] = -1
		if idx := schema.FieldIndices(t.Columns[col].Name); len(idx) > 0 {
			pos[i] = idx[0]
			given, fields = append(given, col), append(fields, idx[0])
		}
	}
	if columnLoad(t, given, true) {
		return c.load(t, given, c.arrowBatches(src, fields), true, f)
	}
	return c.CopyLoad(t, cols, arrowRows(src, pos), f)
}

// arrowBatches reads src into batches of Arrow slices: b.arrow[i] holds
// the batch's values of field fields[i].
func (c *Context) arrowBatches(src ArrowSource, fields []int) batchSource {
	var rec arrow.RecordBatch
	var off, line int64
	return func(b *loadBatch) bool {
		for rec == nil || off == rec.NumRows() {
			next, err := src()
			if err != nil {
				b.rows = append(b.rows, loadRow{line: line + 1, err: err})
				return false
			}
			if next == nil {
				return false
			}
			rec, off = next, 0
		}
		n := min(int64(loadBatchRows), rec.NumRows()-off)
		b.arrow = make([]arrow.Array, len(fields))
		for i, p := range fields {
			b.arrow[i] = array.NewSlice(rec.Column(p), off, off+n)
		}
		for range n {
			line++
			b.rows = append(b.rows, loadRow{line: line})
		}
		off += n
		c.Progress.Add(n, 0) // read: the rows inserted lag by a batch
		return true
	}
}

// arrowRows reads src as rows of text fields, for a load row by row:
// pos[i] is the field giving target column i, or -1 for its default.
func arrowRows(src ArrowSource, pos []int) CopySource {
	var rec arrow.RecordBatch
	var row, line int64
	done := false
	return func() ([]*string, int64, []byte, error) {
		for rec == nil || row >= rec.NumRows() {
			var err error
			if done {
				return nil, line, nil, io.EOF
			}
			if rec, err = src(); err != nil || rec == nil {
				done = true // a batch that cannot be read ends the input
				if err == nil {
					err = io.EOF
				}
				return nil, line, nil, err
			}
			row = 0
		}
		line++
		fields, texts := make([]*string, len(pos)), make([]string, len(pos)) // the load keeps them
		for i, p := range pos {
			if p < 0 {
				fields[i] = CopyDefault
			} else if col := rec.Column(p); !col.IsNull(int(row)) {
				texts[i] = ArrowText(col, int(row))
				fields[i] = &texts[i]
			}
		}
		row++
		return fields, line, nil, nil
	}
}

// ArrowText is the text form of value i of col that SQL types read:
// Arrow's own for most types, but timestamps in ISO form with their time
// zone and binary as bytea's hex.
func ArrowText(col arrow.Array, i int) string {
	switch a := col.(type) {
	case *array.Timestamp:
		typ := a.DataType().(*arrow.TimestampType)
		ts := a.Value(i).ToTime(typ.Unit)
		if typ.TimeZone == "" {
			return ts.Format("2006-01-02 15:04:05.999999")
		}
		return ts.Format("2006-01-02 15:04:05.999999Z07:00")
	case *array.Binary:
		return `\x` + hex.EncodeToString(a.Value(i))
	case *array.LargeBinary:
		return `\x` + hex.EncodeToString(a.Value(i))
	case *array.Date64:
		return a.Value(i).ToTime().Format(time.DateOnly)
	}
	return col.ValueStr(i)
}

// convertArrow fills b.cols from b's Arrow slices a column at a time and
// encodes the rows' tuples. A row that cannot be converted gets the error
// the text load gives it, and no row in b.cols.
func (c *Context) convertArrow(t *catalog.Table, cols []int, f CopyFormat, rc *rowConv, b *loadBatch) {
	defer close(b.done)
	var err error
	func() {
		defer recoverInto(&err)
		n := len(b.rows)
		bld := column.NewBuilder(t, n)
		for col, i := range columnFields(t, cols) {
			if i < 0 { // no default: columnLoad made sure
				bld.AppendNulls(col, n)
				continue
			}
			ac := arrowColumn{c: c, t: t, f: f, rc: rc, bld: bld, rows: b.rows, col: col, field: i, typ: t.Columns[col].Type}
			ac.fill(b.arrow[i])
		}
		bld.EndRows(n)
		for col := range t.Columns {
			if !t.Columns[col].NotNull {
				continue
			}
			for i := range b.rows {
				if r := &b.rows[i]; r.err == nil && bld.Null(col, i) {
					r.err = notNullError(t, col, bld.Values(i))
				}
			}
		}
		if countErrors(b.rows) > 0 {
			bld = keepConverted(t, bld, b.rows)
		} else {
			for i := range b.rows {
				b.rows[i].idx = i
			}
		}
		b.cols = bld
		for i := range b.rows {
			if r := &b.rows[i]; r.err == nil {
				b.encode(r.idx)
			}
		}
	}()
	if err != nil {
		b.rows, b.cols = append(b.rows[:0:0], loadRow{line: b.rows[0].line, err: err}), nil
	}
}

// keepConverted returns the rows of bld without an error, noting where
// each went in its row's idx.
func keepConverted(t *catalog.Table, bld *column.Builder, rows []loadRow) *column.Builder {
	good := column.NewBuilder(t, len(rows))
	for i := range rows {
		if r := &rows[i]; r.err == nil {
			good.AppendRows(bld, i, i+1)
			r.idx = good.Rows() - 1
		}
	}
	return good
}

// countErrors returns how many of rows have an error.
func countErrors(rows []loadRow) int {
	n := 0
	for i := range rows {
		if rows[i].err != nil {
			n++
		}
	}
	return n
}

// arrowColumn fills column col of bld, the columns of a batch, from the
// Arrow values of the load's field-th target column.
type arrowColumn struct {
	c     *Context
	t     *catalog.Table
	f     CopyFormat
	rc    *rowConv
	bld   *column.Builder
	rows  []loadRow // the batch's rows, for their numbers and errors
	col   int
	field int
	typ   types.T // column col's type
	arr   arrow.Array
	texts int // the values that took the text path (for the tests: a mapping takes few)
}

// fill appends the values of arr, the column's slice of the batch.
func (ac *arrowColumn) fill(arr arrow.Array) {
	ac.arr = arr
	id := ac.typ.ID
	switch a := arr.(type) {
	case *array.Int8:
		appendInts(ac, a.Int8Values())
	case *array.Int16:
		appendInts(ac, a.Int16Values())
	case *array.Int32:
		if id == types.Int4 {
			adopt(ac, a.Int32Values())
		} else {
			appendInts(ac, a.Int32Values())
		}
	case *array.Int64:
		if id == types.Int8 {
			adopt(ac, a.Int64Values())
		} else {
			appendInts(ac, a.Int64Values())
		}
	case *array.Uint8:
		appendInts(ac, a.Uint8Values())
	case *array.Uint16:
		appendInts(ac, a.Uint16Values())
	case *array.Uint32:
		appendInts(ac, a.Uint32Values())
	case *array.Uint64:
		appendInts(ac, a.Uint64Values())
	case *array.Float64:
		ac.floats64(a.Float64Values())
	case *array.Float32:
		ac.floats32(a.Float32Values())
	case *array.Decimal32:
		ac.decimals(arrowScale(a), func(i int) (int64, bool) { return int64(a.Value(i)), true })
	case *array.Decimal64:
		ac.decimals(arrowScale(a), func(i int) (int64, bool) { return int64(a.Value(i)), true })
	case *array.Decimal128:
		ac.decimals(arrowScale(a), func(i int) (int64, bool) {
			v := a.Value(i)
			x := int64(v.LowBits())
			return x, v.HighBits() == x>>63 // the 128 bits are x's sign extension
		})
	case *array.Date32:
		ac.dates32(unsafe.Slice((*int32)(unsafe.SliceData(a.Date32Values())), a.Len()))
	case *array.Date64:
		ac.each(id == types.Date, func(i int) bool {
			return ac.date(int64(a.Value(i)) / msPerDay) // toward zero, as Arrow's Date64.ToTime
		})
	case *array.Timestamp:
		ac.timestamps(a)
	case *array.Boolean:
		ac.each(id == types.Bool, func(i int) bool {
			v := int64(0)
			if a.Value(i) {
				v = 1
			}
			ac.bld.AppendInt(ac.col, v)
			return true
		})
	case *array.String:
		if ac.wellFormed(a.Validate()) && ac.wellFormed(checkOffsets(a.ValueOffsets())) {
			appendStrings(ac, a.ValueOffsets(), a.ValueBytes())
		}
	case *array.LargeString:
		if ac.wellFormed(a.Validate()) && ac.wellFormed(checkOffsets(a.ValueOffsets())) {
			appendStrings(ac, a.ValueOffsets(), a.ValueBytes())
		}
	default:
		ac.each(false, nil)
	}
}

// each appends the column's values one by one: where mapped, fast appends
// value i in its column form or declines it; a declined value, or every
// value when not mapped, takes its text form and the text load's
// conversion.
func (ac *arrowColumn) each(mapped bool, fast func(i int) bool) {
	for i := range ac.arr.Len() {
		switch {
		case ac.arr.IsNull(i):
			ac.bld.AppendNull(ac.col)
		case mapped && fast(i):
		default:
			ac.text(i, ArrowText(ac.arr, i))
		}
	}
}

// text appends s, the text of value i, converted as the text load
// converts a field; a value that cannot be converted gives its row the
// error and the column a NULL in its place (the row is dropped).
func (ac *arrowColumn) text(i int, s string) {
	ac.texts++
	if ac.rc.appendTo(ac.bld, ac.col, ac.field, s) {
		return
	}
	v, err := ac.c.convertField(ac.t, ac.col, ac.f, s, ac.rows[i].line)
	if err != nil {
		ac.fail(i, err)
		return
	}
	ac.bld.AppendValue(ac.col, v)
}

// fail gives row i the error err, unless an earlier column gave it one,
// and the column a NULL in the row's place.
func (ac *arrowColumn) fail(i int, err error) {
	if ac.rows[i].err == nil {
		ac.rows[i].err = err
	}
	ac.bld.AppendNull(ac.col)
}

// validity returns the slice's validity, nil when no value is NULL.
func (ac *arrowColumn) validity() []bool {
	if ac.arr.NullN() == 0 {
		return nil
	}
	valid := make([]bool, ac.arr.Len())
	for i := range valid {
		valid[i] = ac.arr.IsValid(i)
	}
	return valid
}

// adopt makes vals, the slice's values in their column form, the
// column's storage: as they are when no value is NULL, else a copy with
// the NULLs' slots zeroed (Arrow leaves them undefined).
func adopt[T int32 | int64 | float64](ac *arrowColumn, vals []T) {
	valid := ac.validity()
	if valid != nil {
		vals = append([]T(nil), vals...)
		for i, ok := range valid {
			if !ok {
				vals[i] = 0
			}
		}
	}
	column.Adopt(ac.bld, ac.col, vals, valid)
}

// arrowInt is the Go types of Arrow's integer arrays.
type arrowInt interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// appendInts appends integers to an integer column (out-of-range values
// take the text path, which words their error) or a numeric(p<=18,s) one.
func appendInts[T arrowInt](ac *arrowColumn, vals []T) {
	id := ac.typ.ID
	ac.each(id == types.Int2 || id == types.Int4 || id == types.Int8 || id == types.Numeric, func(i int) bool {
		v := int64(vals[i])
		if (v < 0) != (vals[i] < 0) { // a uint64 past int64
			return false
		}
		if id == types.Numeric {
			return ac.decimal(v, 0)
		}
		if !types.IntFits(v, id) {
			return false
		}
		ac.bld.AppendInt(ac.col, v)
		return true
	})
}

// decimal appends x*10^-scale to a numeric(p<=18,s) column as its scaled
// int64, if that is exact (no digit to round off) and within p digits.
func (ac *arrowColumn) decimal(x int64, scale int32) bool {
	up := int(ac.typ.Scale - scale)
	for ; up < 0; up++ {
		if x%10 != 0 {
			return false // rounded by the text path
		}
		x /= 10
	}
	if up >= len(pow10) {
		return false
	}
	if whole := int(ac.typ.Precision) - up; whole <= 0 && x != 0 || whole > 0 && whole < len(pow10) && (x >= pow10[whole] || x <= -pow10[whole]) {
		return false // numeric field overflow, worded by the text path
	}
	ac.bld.AppendInt(ac.col, x*pow10[up])
	return true
}

// decimals appends an Arrow decimal array of scale scale, value(i)
// giving value i's unscaled int64 if it has one, to a numeric column.
func (ac *arrowColumn) decimals(scale int32, value func(i int) (int64, bool)) {
	ac.each(ac.typ.ID == types.Numeric, func(i int) bool {
		x, ok := value(i)
		return ok && ac.decimal(x, scale)
	})
}

// arrowScale returns the scale of a decimal array.
func arrowScale(a arrow.Array) int32 {
	return a.DataType().(arrow.DecimalType).GetScale()
}

// floats64 appends float64s: as they are to double precision (which reads
// the shortest text of a float64 back as the same float64), to real those
// a float32 holds exactly.
func (ac *arrowColumn) floats64(vals []float64) {
	if ac.typ.ID == types.Float8 {
		adopt(ac, vals)
		return
	}
	ac.each(ac.typ.ID == types.Float4, func(i int) bool {
		if v := vals[i]; float64(float32(v)) == v || math.IsNaN(v) {
			ac.bld.AppendFloat(ac.col, v)
			return true
		}
		return false // rounded or out of range: the text path's float4 input
	})
}

// floats32 appends float32s: as they are to real; to double precision as
// the text of a float32 (its shortest decimal) reads, not its binary value
// widened, so that 0.1 stays 0.1.
func (ac *arrowColumn) floats32(vals []float32) {
	id := ac.typ.ID
	var buf []byte
	ac.each(id == types.Float4 || id == types.Float8, func(i int) bool {
		v := float64(vals[i])
		if id == types.Float8 && !math.IsInf(v, 0) && !math.IsNaN(v) {
			buf = strconv.AppendFloat(buf[:0], v, 'g', -1, 32)
			var err error
			if v, err = strconv.ParseFloat(unsafe.String(unsafe.SliceData(buf), len(buf)), 64); err != nil {
				return false
			}
		}
		ac.bld.AppendFloat(ac.col, v)
		return true
	})
}

// The days and microseconds of the dates and timestamps of years 1 to
// 9999, whose text forms the text path reads back as the same value; the
// others take that path.
var (
	firstDay = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix() / 86400
	lastDay  = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC).Unix() / 86400
)

const (
	msPerDay = 86_400_000
	usPerDay = 86_400_000_000
)

// date appends days since 1970-01-01 to a date column, within the years
// 1 to 9999.
func (ac *arrowColumn) date(days int64) bool {
	if days < firstDay || days > lastDay {
		return false
	}
	ac.bld.AppendInt(ac.col, days)
	return true
}

// dates32 appends date32 values (days since 1970-01-01, a date column's
// form): the slice itself when every date is in the years 1 to 9999.
func (ac *arrowColumn) dates32(days []int32) {
	if ac.typ.ID == types.Date && ac.arr.NullN() == 0 && inRange(days, int32(firstDay), int32(lastDay)) {
		adopt(ac, days)
		return
	}
	ac.each(ac.typ.ID == types.Date, func(i int) bool { return ac.date(int64(days[i])) })
}

// inRange reports whether every value of vals is within [lo, hi].
func inRange[T int32 | int64](vals []T, lo, hi T) bool {
	for _, v := range vals {
		if v < lo || v > hi {
			return false
		}
	}
	return true
}

// timestamps appends a timestamp array to a timestamp column (no time
// zone) or, zoned, to a timestamptz one, as microseconds since 1970
// (floored, as its text form is truncated to microseconds). A zoneless
// timestamp into timestamptz is read in the session's time zone: the text
// path.
func (ac *arrowColumn) timestamps(a *array.Timestamp) {
	typ := a.DataType().(*arrow.TimestampType)
	id := ac.typ.ID
	mapped := typ.TimeZone == "" && id == types.Timestamp || typ.TimeZone != "" && id == types.TimestampTZ
	vals := unsafe.Slice((*int64)(unsafe.SliceData(a.TimestampValues())), a.Len())
	lo, hi := firstDay*usPerDay, (lastDay+1)*usPerDay-1
	if mapped && typ.Unit == arrow.Microsecond && a.NullN() == 0 && inRange(vals, lo, hi) {
		adopt(ac, vals)
		return
	}
	ac.each(mapped, func(i int) bool {
		us := vals[i]
		switch typ.Unit {
		case arrow.Second:
			us = min(max(us, lo/1e6-1), hi/1e6+1) * 1e6 // clamped: out of range either way
		case arrow.Millisecond:
			us = min(max(us, lo/1e3-1), hi/1e3+1) * 1e3
		case arrow.Nanosecond:
			us = floorDiv(us, 1e3)
		}
		if us < lo || us > hi {
			return false
		}
		ac.bld.AppendInt(ac.col, us)
		return true
	})
}

// checkOffsets checks that a string slice's offsets do not decrease
// (Validate checks that they are within its data).
func checkOffsets[O int32 | int64](offsets []O) error {
	for i := range offsets {
		if offsets[i] < 0 || i > 0 && offsets[i] < offsets[i-1] {
			return fmt.Errorf("offset %d of the slice is %d", i, offsets[i])
		}
	}
	return nil
}

// wellFormed reports whether err, from checking the column's Arrow slice,
// is nil; if not, every row of the batch fails.
func (ac *arrowColumn) wellFormed(err error) bool {
	if err == nil {
		return true
	}
	for i := range ac.arr.Len() {
		ac.fail(i, sqlerr.New(sqlerr.BadCopyFileFormat, "malformed Arrow string array for column %q: %v", ac.t.Columns[ac.col].Name, err).
			WithDetail("%s", ac.f.At(ac.t, ac.rows[i].line)))
	}
	return false
}

// appendStrings appends a utf8 or large_utf8 slice, its values between
// offsets in data, each as its text. The slice's bytes are copied once.
func appendStrings[O int32 | int64](ac *arrowColumn, offsets []O, data []byte) {
	text, base := string(data), offsets[0]
	for i := range ac.arr.Len() {
		if ac.arr.IsNull(i) {
			ac.bld.AppendNull(ac.col)
		} else {
			ac.text(i, text[offsets[i]-base:offsets[i+1]-base])
		}
	}
}

// encode appends the tuple of row i of b.cols to b.tuples.
func (b *loadBatch) encode(i int) {
	tuples := row.AppendBuilderRow(b.tuples, b.cols, i)
	b.tuples, b.ends = tuples, append(b.ends, len(tuples))
}
