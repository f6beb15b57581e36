package types

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"
)

// Kind is the physical representation a Value holds. Several SQL types share
// one kind (smallint, integer and bigint are all KInt); the column or
// expression type says which.
type Kind uint8

const (
	KNull Kind = iota
	KBool
	KInt       // I
	KFloat     // F
	KDecimal   // D
	KText      // S
	KDate      // I: days since 1970-01-01
	KTimestamp // I: microseconds since 1970-01-01 00:00:00
	KInterval  // I: microseconds; months and days packed in F (see NewInterval)
	KArray     // S: PostgreSQL's text form, canonical; I: the element type ID (see NewArray)

	KUUID        // S: the 16 bytes
	KBytes       // S: the bytes of a bytea
	KTimestampTZ // I: microseconds since 1970-01-01 00:00:00 UTC
	KTime        // I: microseconds since midnight
	KJSON        // S: the json text as it was input
	KJSONB       // S: the jsonb's canonical text (see package jsonb)
)

// Value is one SQL value. The zero Value is NULL.
type Value struct {
	K Kind
	I int64
	F float64
	S string
	D *apd.Decimal
}

// Null is the SQL NULL.
var Null = Value{}

// NewBool, NewInt, ... build values of each kind.
func NewBool(b bool) Value {
	if b {
		return Value{K: KBool, I: 1}
	}
	return Value{K: KBool}
}
func NewInt(i int64) Value            { return Value{K: KInt, I: i} }
func NewFloat(f float64) Value        { return Value{K: KFloat, F: f} }
func NewText(s string) Value          { return Value{K: KText, S: s} }
func NewDate(days int64) Value        { return Value{K: KDate, I: days} }
func NewTimestamp(us int64) Value     { return Value{K: KTimestamp, I: us} }
func NewDecimal(d *apd.Decimal) Value { return Value{K: KDecimal, D: d} }
func (v Value) IsNull() bool          { return v.K == KNull }
func (v Value) Bool() bool            { return v.I != 0 }
func (v Value) Decimal() *apd.Decimal { return v.D }
func (v Value) Equal(w Value) bool    { return Compare(v, w) == 0 }
func (v Value) String() string        { return Format(v) }

// Compare orders two non-NULL values of comparable kinds; mixed number kinds
// compare by value. NULL sorts after everything (PostgreSQL's NULLS LAST for
// ascending order), which callers rely on for ORDER BY.
func Compare(a, b Value) int {
	if a.K == KNull || b.K == KNull {
		switch {
		case a.K == b.K:
			return 0
		case a.K == KNull:
			return 1
		default:
			return -1
		}
	}
	if a.K == b.K {
		switch a.K {
		case KBool, KInt, KDate, KTimestamp, KTimestampTZ, KTime:
			return cmpInt(a.I, b.I)
		case KUUID, KBytes, KJSON: // json has no order; its text gives a stable one
			return strings.Compare(a.S, b.S)
		case KJSONB:
			return compareJSONB(a, b)
		case KFloat:
			return cmpFloat(a.F, b.F)
		case KDecimal:
			return a.D.Cmp(b.D)
		case KText:
			return strings.Compare(a.S, b.S)
		case KInterval:
			return cmpFloat(intervalSpan(a), intervalSpan(b))
		case KArray:
			return compareArrays(a, b)
		}
	}
	switch {
	case a.K == KFloat || b.K == KFloat:
		return cmpFloat(a.Float(), b.Float())
	case a.K == KDecimal || b.K == KDecimal:
		return a.ToDecimal().Cmp(b.ToDecimal())
	case a.K == KDate && (b.K == KTimestamp || b.K == KTimestampTZ):
		return cmpInt(a.I*usPerDay, b.I)
	case (a.K == KTimestamp || a.K == KTimestampTZ) && b.K == KDate:
		return cmpInt(a.I, b.I*usPerDay)
	}
	return cmpInt(a.I, b.I)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpFloat orders NaN above every other value and equal to itself, as PostgreSQL does.
func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	case math.IsNaN(a) && math.IsNaN(b):
		return 0
	case math.IsNaN(a):
		return 1
	}
	return -1
}

// Float returns a number value as float64.
func (v Value) Float() float64 {
	switch v.K {
	case KFloat:
		return v.F
	case KDecimal:
		f, _ := v.D.Float64()
		return f
	}
	return float64(v.I)
}

// ToDecimal returns a number value as an exact decimal (floats convert via
// their shortest text form, as PostgreSQL's float8-to-numeric cast does).
func (v Value) ToDecimal() *apd.Decimal {
	switch v.K {
	case KDecimal:
		return v.D
	case KFloat:
		d, _, _ := apd.NewFromString(strconv.FormatFloat(v.F, 'g', 15, 64))
		return d
	}
	return apd.New(v.I, 0)
}

const usPerDay = 86400 * 1_000_000

// HashKey appends a byte encoding of v to buf such that two values compare
// equal under Compare (within one column type) exactly when their encodings are
// equal. Grouping, DISTINCT and hash joins key on it.
func (v Value) HashKey(buf []byte) []byte {
	buf = append(buf, byte(v.K))
	switch v.K {
	case KBool, KInt, KDate, KTimestamp, KTimestampTZ, KTime:
		buf = strconv.AppendInt(buf, v.I, 36)
	case KFloat:
		f := v.F
		if f == 0 {
			f = 0 // -0 and +0 group together
		}
		if math.IsNaN(f) {
			f = math.NaN()
		}
		buf = strconv.AppendUint(buf, math.Float64bits(f), 36)
	case KDecimal:
		var r apd.Decimal
		r.Reduce(v.D) // 1.0 and 1.00 are one group
		buf = append(buf, r.Text('f')...)
	case KText, KUUID, KBytes:
		buf = strconv.AppendInt(buf, int64(len(v.S)), 10)
		buf = append(buf, ':')
		buf = append(buf, v.S...)
	case KInterval: // '1 day' equals '24 hours', as in PostgreSQL
		buf = strconv.AppendFloat(buf, intervalSpan(v), 'g', -1, 64)
	case KArray:
		buf = appendArrayHashKey(buf, v)
	case KJSON:
		buf = append(buf, v.S...)
	case KJSONB:
		buf = appendJSONBHashKey(buf, v)
	}
	return append(buf, 0)
}

// Format returns v in PostgreSQL's text output format.
func Format(v Value) string {
	return string(AppendText(nil, v, TUnknown))
}

// AppendText appends v's text output format; t (when known) refines it, for
// instance real prints with float4 precision.
func AppendText(buf []byte, v Value, t T) []byte {
	switch v.K {
	case KNull:
		return buf
	case KBool:
		if v.I != 0 {
			return append(buf, 't')
		}
		return append(buf, 'f')
	case KInt:
		return strconv.AppendInt(buf, v.I, 10)
	case KFloat:
		return appendFloat(buf, v.F, t.ID == Float4)
	case KDecimal:
		if v.D.Negative && v.D.IsZero() { // NUMERIC has no negative zero
			var z apd.Decimal
			z.Abs(v.D)
			return append(buf, z.Text('f')...)
		}
		return append(buf, v.D.Text('f')...)
	case KText:
		return append(buf, v.S...)
	case KDate:
		return appendDate(buf, v.I)
	case KTimestamp:
		return appendTimestamp(buf, v.I)
	case KInterval:
		return appendInterval(buf, v)
	case KArray, KJSON, KJSONB:
		return append(buf, v.S...)
	case KUUID:
		return appendUUID(buf, v.S)
	case KBytes:
		return appendByteaHex(buf, v.S)
	case KTimestampTZ:
		return appendTimestampTZ(buf, v.I, time.UTC)
	case KTime:
		return appendTime(buf, v.I)
	}
	return buf
}

// appendFloat prints the shortest representation that round-trips, switching to
// exponent form where PostgreSQL 15 does.
func appendFloat(buf []byte, f float64, single bool) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, "NaN"...)
	case math.IsInf(f, 1):
		return append(buf, "Infinity"...)
	case math.IsInf(f, -1):
		return append(buf, "-Infinity"...)
	}
	bits, digits := 64, 15
	if single {
		bits, digits = 32, 6
	}
	if f == 0 {
		if math.Signbit(f) {
			return append(buf, "-0"...)
		}
		return append(buf, '0')
	}
	// The decimal exponent of the shortest digits decides the form, as in
	// PostgreSQL's Ryu output (math.Log10 is inexact: it puts 1e15 at 14.99...).
	s := strconv.FormatFloat(f, 'e', -1, bits)
	exp, _ := strconv.Atoi(s[strings.IndexByte(s, 'e')+1:])
	if exp < -4 || exp >= digits {
		// Go writes e+06, PostgreSQL e+06 too; both use at least two exponent digits.
		return append(buf, s...)
	}
	return strconv.AppendFloat(buf, f, 'f', -1, bits)
}

var epoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

func appendDate(buf []byte, days int64) []byte {
	t := epoch.AddDate(0, 0, int(days))
	y := t.Year()
	bc := y <= 0
	if bc {
		y = 1 - y
	}
	buf = appendPadded(buf, y, 4)
	buf = append(buf, '-')
	buf = appendPadded(buf, int(t.Month()), 2)
	buf = append(buf, '-')
	buf = appendPadded(buf, t.Day(), 2)
	if bc {
		buf = append(buf, " BC"...)
	}
	return buf
}

func appendTimestamp(buf []byte, us int64) []byte {
	days := floorDiv(us, usPerDay)
	rem := us - days*usPerDay
	buf = appendDate(buf, days)
	bc := len(buf) >= 3 && string(buf[len(buf)-3:]) == " BC"
	if bc {
		buf = buf[:len(buf)-3]
	}
	secs := rem / 1_000_000
	frac := rem % 1_000_000
	buf = append(buf, ' ')
	buf = appendPadded(buf, int(secs/3600), 2)
	buf = append(buf, ':')
	buf = appendPadded(buf, int(secs/60%60), 2)
	buf = append(buf, ':')
	buf = appendPadded(buf, int(secs%60), 2)
	if frac != 0 {
		f := strconv.AppendInt(nil, frac+1_000_000, 10)[1:] // six digits with leading zeros
		buf = append(buf, '.')
		buf = append(buf, strings.TrimRight(string(f), "0")...)
	}
	if bc {
		buf = append(buf, " BC"...)
	}
	return buf
}

func appendPadded(buf []byte, n, width int) []byte {
	s := strconv.Itoa(n)
	for i := len(s); i < width; i++ {
		buf = append(buf, '0')
	}
	return append(buf, s...)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
