package exec

// Fast conversion of COPY FROM's text fields. A load's fields are mostly
// written the one way a program writes them (123, -4.50, 1998-12-01,
// plain strings), and most of a load's time went into the general
// conversion (types.AssignIn) of each: its dispatch, a heap-allocated
// decimal per numeric field, a padded copy per CHAR(n) field, and the
// garbage collection of all that. A fieldConv turns those common
// spellings into the value types.AssignIn gives, without the dispatch and
// with decimals taken from a shared slab; anything else (whitespace, an
// exponent, rounding, a bad value) it declines, and the general
// conversion converts it or words the error as it always did.

import (
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"

	"rustydb/column"
	"rustydb/types"
)

// convKind is the fast conversion of a column type.
type convKind uint8

const (
	convGeneral convKind = iota // none: types.AssignIn
	convInt                     // int2, int4, int8
	convNumeric                 // numeric(p,s) with p <= 18, and unconstrained numeric
	convDate
	convText // text, varchar(n)
	convChar // char(n): blank-padded
)

// fieldConv converts the fields of one column. Not safe for concurrent
// use: each conversion worker has its own (see newRowConv).
type fieldConv struct {
	t    types.T
	kind convKind
	// pads maps a CHAR(n) field shorter than n to its padded value, so
	// that a column of few distinct values (TPC-H's l_shipmode) pads each
	// once instead of allocating a string per row.
	pads map[string]string
}

// maxPads bounds a CHAR(n) column's pads; past it, values are padded anew.
const maxPads = 1024

// decSlab is how many decimals a converter allocates at once.
const decSlab = 1024

// rowConv converts the rows of a load on one worker: splits a text row
// into fields, and converts them, one fieldConv per target column, with
// the slab its decimals come from.
type rowConv struct {
	fields []fieldConv
	decs   []apd.Decimal
	split  textSplitter // a text or CSV input's rows into fields
}

// newRowConv returns a converter for fields into the columns typs.
func newRowConv(typs []types.T) *rowConv {
	rc := &rowConv{fields: make([]fieldConv, len(typs))}
	for i, t := range typs {
		rc.fields[i] = fieldConv{t: t, kind: convKindOf(t)}
		if rc.fields[i].kind == convChar {
			rc.fields[i].pads = map[string]string{}
		}
	}
	return rc
}

func convKindOf(t types.T) convKind {
	switch t.ID {
	case types.Int2, types.Int4, types.Int8:
		return convInt
	case types.Numeric:
		if t.Precision <= 18 {
			return convNumeric
		}
	case types.Date:
		return convDate
	case types.Text, types.Varchar:
		return convText
	case types.Char:
		if t.Width > 0 {
			return convChar
		}
		return convText
	}
	return convGeneral
}

// convert converts s, a field of column i, to the column's type; ok is
// false if it could not, and the general conversion must.
func (rc *rowConv) convert(i int, s string) (types.Value, bool) {
	fc := &rc.fields[i]
	switch fc.kind {
	case convInt:
		n, ok := fc.integer(s)
		return types.NewInt(n), ok
	case convNumeric:
		n, exp, ok := fc.numeric(s)
		if !ok {
			return types.Null, false
		}
		if len(rc.decs) == 0 {
			rc.decs = make([]apd.Decimal, decSlab)
		}
		d := &rc.decs[0]
		rc.decs = rc.decs[1:]
		d.SetFinite(n, exp)
		return types.NewDecimal(d), true
	case convDate:
		v, err := types.ParseDate(s)
		return v, err == nil
	case convText, convChar:
		str, ok := fc.text(s)
		return types.NewText(str), ok
	}
	return types.Null, false
}

// appendTo appends s, a field of column i, to column col of b in its
// column form (see column.ToInt64); ok is false if it could not, and the
// general conversion must.
func (rc *rowConv) appendTo(b *column.Builder, col, i int, s string) bool {
	fc := &rc.fields[i]
	var n int64
	var str string
	ok := false
	switch fc.kind {
	case convInt:
		n, ok = fc.integer(s)
	case convNumeric:
		n, _, ok = fc.numeric(s)
		ok = ok && fc.t.Precision > 0 // scaled by 10^scale, as the column stores it
	case convDate:
		v, err := types.ParseDate(s)
		n, ok = v.I, err == nil
	case convText, convChar:
		if str, ok = fc.text(s); ok {
			b.AppendString(col, str)
		}
		return ok
	}
	if ok {
		b.AppendInt(col, n)
	}
	return ok
}

// integer parses an int2, int4 or int8 written plainly.
func (fc *fieldConv) integer(s string) (int64, bool) {
	n, digits, _, ok := parseDigits(s, false)
	return n, ok && digits <= 18 && types.IntFits(n, fc.t.ID)
}

// numeric parses a decimal without exponent for numeric(p,s) where that
// needs no rounding: the value has at most s fraction digits, fits in 18
// digits once scaled, and is within the precision; it returns the
// coefficient and exponent the general conversion gives (see
// types.ApplyNumericTypmod): the value scaled by 10^s and -s. For an
// unconstrained numeric they are the digits as written.
func (fc *fieldConv) numeric(s string) (int64, int32, bool) {
	t := fc.t
	n, digits, frac, ok := parseDigits(s, true)
	if !ok || digits > 18 {
		return 0, 0, false
	}
	if t.Precision == 0 {
		return n, int32(-frac), true
	}
	up := int(t.Scale) - frac
	if up < 0 || digits+up > 18 {
		return 0, 0, false
	}
	for range up {
		n *= 10
	}
	if n != 0 && decimalDigits(n) > int(t.Precision) {
		return 0, 0, false // numeric field overflow, worded by the general path
	}
	return n, -t.Scale, true
}

// text returns s as a value of a string column: padded for CHAR(n); not
// ok if too long.
func (fc *fieldConv) text(s string) (string, bool) {
	if fc.kind == convChar {
		return fc.char(s)
	}
	// a string no longer in bytes than the width is no longer in characters
	return s, fc.t.Width <= 0 || len(s) <= int(fc.t.Width)
}

// char pads s to the column's width, or declines a value too long.
func (fc *fieldConv) char(s string) (string, bool) {
	if p, ok := fc.pads[s]; ok {
		return p, true
	}
	w, n := int(fc.t.Width), utf8.RuneCountInString(s)
	if n == w {
		return s, true
	}
	if n > w || w-n > len(blanks) {
		return "", false
	}
	p := s + blanks[:w-n]
	if len(fc.pads) < maxPads {
		fc.pads[s] = p
	}
	return p, true
}

const blanks = "                                                                "

// parseDigits parses -?[0-9]+ (and, with point, a '.' among or after the
// digits, at least one digit in all) into the integer of its digits, how
// many there are and how many follow the point. It does not check for
// overflow: callers reject more than 18 digits, whose value would not be
// right.
func parseDigits(s string, point bool) (n int64, digits, frac int, ok bool) {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	seen := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			n = n*10 + int64(c-'0')
			digits++
			if seen {
				frac++
			}
		case c == '.' && point && !seen:
			seen = true
		default:
			return 0, 0, 0, false
		}
	}
	if neg {
		n = -n
	}
	return n, digits, frac, digits > 0
}

// decimalDigits returns how many digits n has, without leading zeros.
func decimalDigits(n int64) int {
	if n < 0 {
		n = -n
	}
	d := 1
	for ; n >= 10; n /= 10 {
		d++
	}
	return d
}
