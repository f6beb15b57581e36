package types

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"

	"rustydb/sqlerr"
)

// DecimalContext is the arithmetic context for NUMERIC: enough precision that
// values within NUMERIC's documented range are exact.
var DecimalContext = apd.Context{
	Precision:   1000,
	MaxExponent: apd.MaxExponent,
	MinExponent: apd.MinExponent,
	Traps:       apd.DefaultTraps,
	Rounding:    apd.RoundHalfUp,
}

// Cast converts v to type t as an explicit CAST does: strings longer than a
// varchar/char width are truncated.
func Cast(v Value, t T) (Value, error) { return convert(v, t, false) }

// Assign converts v to a column of type t as INSERT and UPDATE do: a string
// longer than the column's width is an error unless the excess is blanks.
func Assign(v Value, t T) (Value, error) { return convert(v, t, true) }

func convert(v Value, t T, assign bool) (Value, error) {
	if v.K == KNull {
		return v, nil
	}
	switch t.ID {
	case Unknown:
		return v, nil
	case Bool:
		switch v.K {
		case KBool:
			return v, nil
		case KInt:
			return NewBool(v.I != 0), nil
		case KText:
			return ParseBool(v.S)
		}
	case Int2, Int4, Int8:
		var i int64
		switch v.K {
		case KInt:
			i = v.I
		case KBool:
			i = v.I
		case KFloat:
			f := math.RoundToEven(v.F)
			if math.IsNaN(f) || f < -9.223372036854775e18 || f >= 9.223372036854775e18 {
				return Null, outOfRange(t)
			}
			i = int64(f)
		case KDecimal:
			var r apd.Decimal
			if _, err := DecimalContext.RoundToIntegralValue(&r, v.D); err != nil {
				return Null, outOfRange(t)
			}
			n, err := r.Int64()
			if err != nil {
				return Null, outOfRange(t)
			}
			i = n
		case KText:
			n, err := strconv.ParseInt(strings.TrimSpace(v.S), 10, 64)
			if err != nil {
				if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
					return Null, outOfRange(t)
				}
				return Null, invalidInput(t, v.S)
			}
			i = n
		default:
			return Null, cannotCast(v, t)
		}
		if !IntFits(i, t.ID) {
			return Null, outOfRange(t)
		}
		return NewInt(i), nil
	case Float4, Float8:
		var f float64
		switch v.K {
		case KFloat:
			f = v.F
		case KInt, KDecimal:
			f = v.Float()
		case KText:
			var err error
			if f, err = ParseFloat(v.S); err != nil {
				return Null, invalidInput(t, v.S)
			}
		default:
			return Null, cannotCast(v, t)
		}
		if t.ID == Float4 {
			if !math.IsInf(f, 0) && math.Abs(f) > math.MaxFloat32 {
				return Null, outOfRange(t)
			}
			f = float64(float32(f))
		}
		return NewFloat(f), nil
	case Numeric:
		var d *apd.Decimal
		switch v.K {
		case KDecimal:
			d = v.D
		case KInt, KFloat:
			if v.K == KFloat && (math.IsInf(v.F, 0) || math.IsNaN(v.F)) {
				return Null, sqlerr.New(sqlerr.FeatureNotSupported, "cannot convert %s to numeric", Format(v))
			}
			d = v.ToDecimal()
		case KText:
			var err error
			d, _, err = apd.NewFromString(strings.TrimSpace(v.S))
			if err != nil || d.Form != apd.Finite {
				return Null, invalidInput(t, v.S)
			}
		default:
			return Null, cannotCast(v, t)
		}
		return ApplyNumericTypmod(d, t)
	case Text, Varchar, Char:
		var s string
		if v.K == KText {
			s = v.S
		} else {
			s = string(AppendText(nil, v, TUnknown))
		}
		return fitString(s, t, assign)
	case Date:
		switch v.K {
		case KDate:
			return v, nil
		case KTimestamp:
			return NewDate(floorDiv(v.I, usPerDay)), nil
		case KText:
			return ParseDate(v.S)
		}
	case Timestamp:
		switch v.K {
		case KTimestamp:
			return v, nil
		case KDate:
			return NewTimestamp(v.I * usPerDay), nil
		case KText:
			return ParseTimestamp(v.S)
		}
	}
	return Null, cannotCast(v, t)
}

// IntFits reports whether i is within the range of integer type id.
func IntFits(i int64, id ID) bool {
	switch id {
	case Int2:
		return i >= math.MinInt16 && i <= math.MaxInt16
	case Int4:
		return i >= math.MinInt32 && i <= math.MaxInt32
	}
	return true
}

// ApplyNumericTypmod rounds d to t's scale and checks its precision, as
// PostgreSQL does when storing into numeric(p,s).
func ApplyNumericTypmod(d *apd.Decimal, t T) (Value, error) {
	if t.Precision == 0 {
		return NewDecimal(d), nil
	}
	r := new(apd.Decimal)
	if _, err := DecimalContext.Quantize(r, d, -t.Scale); err != nil {
		return Null, numericOverflow(t)
	}
	intDigits := int64(r.NumDigits()) + int64(r.Exponent)
	if !r.IsZero() && intDigits > int64(t.Precision-t.Scale) {
		return Null, numericOverflow(t)
	}
	return NewDecimal(r), nil
}

func numericOverflow(t T) error {
	return sqlerr.New(sqlerr.NumericValueOutOfRange, "numeric field overflow").
		WithDetail("A field with precision %d, scale %d must round to an absolute value less than 10^%d.", t.Precision, t.Scale, t.Precision-t.Scale)
}

func fitString(s string, t T, assign bool) (Value, error) {
	if t.Width <= 0 || (t.ID != Varchar && t.ID != Char) {
		return NewText(s), nil
	}
	n := utf8.RuneCountInString(s)
	w := int(t.Width)
	if n > w {
		cut := s
		for i := 0; i < w; i++ {
			_, size := utf8.DecodeRuneInString(cut)
			cut = cut[size:]
		}
		if assign && strings.TrimRight(cut, " ") != "" {
			return Null, sqlerr.New(sqlerr.StringDataRightTruncation, "value too long for type %s", t)
		}
		s = s[:len(s)-len(cut)]
		n = w
	}
	if t.ID == Char && n < w {
		s += strings.Repeat(" ", w-n)
	}
	return NewText(s), nil
}

// ParseBool accepts PostgreSQL's boolean spellings.
func ParseBool(s string) (Value, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "t", "true", "y", "yes", "on", "1":
		return NewBool(true), nil
	case "f", "false", "n", "no", "off", "0":
		return NewBool(false), nil
	}
	return Null, invalidInput(TBool, s)
}

// ParseFloat accepts decimal and exponent notation plus NaN and Infinity.
func ParseFloat(s string) (float64, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "nan":
		return math.NaN(), nil
	case "infinity", "+infinity", "inf", "+inf":
		return math.Inf(1), nil
	case "-infinity", "-inf":
		return math.Inf(-1), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !strings.Contains(err.Error(), "range") {
		return 0, err
	}
	return f, nil
}

// ParseDate accepts ISO dates (YYYY-MM-DD), optionally followed by a time
// that is ignored, and the words epoch/infinity are not yet supported.
func ParseDate(s string) (Value, error) {
	str := strings.TrimSpace(s)
	if i := strings.IndexAny(str, " T"); i > 0 {
		if _, err := ParseTimestamp(str); err != nil {
			return Null, invalidInput(TDate, s)
		}
		str = str[:i]
	}
	if strings.EqualFold(str, "epoch") {
		return NewDate(0), nil
	}
	days, err := parseISODate(str)
	if err != nil {
		return Null, dateError(err, TDate, s)
	}
	return NewDate(days), nil
}

// errDateRange marks a well-formed date that does not exist (2023-02-30).
var errDateRange = errors.New("date out of range")

func dateError(err error, t T, s string) error {
	if err == errDateRange {
		return sqlerr.New(sqlerr.DatetimeFieldOverflow, "date/time field value out of range: %q", s)
	}
	return invalidInput(t, s)
}

func parseISODate(s string) (int64, error) {
	bc := false
	if strings.HasSuffix(s, " BC") {
		s, bc = s[:len(s)-3], true
	}
	parts := strings.Split(s, "-")
	if len(parts) != 3 {
		return 0, errSyntax
	}
	y, e1 := strconv.Atoi(parts[0])
	m, e2 := strconv.Atoi(parts[1])
	d, e3 := strconv.Atoi(parts[2])
	if e1 != nil || e2 != nil || e3 != nil {
		return 0, errSyntax
	}
	if m < 1 || m > 12 || d < 1 || d > 31 || y < 1 {
		return 0, errDateRange
	}
	if bc {
		y = 1 - y
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 2023-02-30 rolls over in Go; PostgreSQL rejects it
		return 0, errDateRange
	}
	return floorDiv(t.Unix(), 86400), nil
}

var errSyntax = errors.New("syntax")

// ParseTimestamp accepts 'YYYY-MM-DD[ HH:MM[:SS[.ffffff]]]' (a T separator too).
func ParseTimestamp(s string) (Value, error) {
	str := strings.TrimSpace(s)
	if strings.EqualFold(str, "epoch") {
		return NewTimestamp(0), nil
	}
	datePart, timePart := str, ""
	if i := strings.IndexAny(str, " T"); i > 0 {
		datePart, timePart = str[:i], strings.TrimSpace(str[i+1:])
	}
	days, err := parseISODate(datePart)
	if err != nil {
		return Null, dateError(err, TTimestamp, s)
	}
	us := days * usPerDay
	if timePart != "" {
		tu, ok := parseTimeOfDay(timePart)
		if !ok {
			return Null, invalidInput(TTimestamp, s)
		}
		us += tu
	}
	return NewTimestamp(us), nil
}

func parseTimeOfDay(s string) (int64, bool) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	h, e1 := strconv.Atoi(parts[0])
	m, e2 := strconv.Atoi(parts[1])
	if e1 != nil || e2 != nil || h < 0 || h > 24 || m < 0 || m > 59 {
		return 0, false
	}
	var us int64
	if len(parts) == 3 {
		sec, frac, _ := strings.Cut(parts[2], ".")
		sv, err := strconv.Atoi(sec)
		if err != nil || sv < 0 || sv > 60 {
			return 0, false
		}
		us = int64(sv) * 1_000_000
		if frac != "" {
			if len(frac) > 6 {
				frac = frac[:6]
			}
			fv, err := strconv.Atoi(frac + strings.Repeat("0", 6-len(frac)))
			if err != nil {
				return 0, false
			}
			us += int64(fv)
		}
	}
	return int64(h)*3600_000_000 + int64(m)*60_000_000 + us, true
}

func invalidInput(t T, s string) error {
	name := t.String()
	if t.ID == Numeric {
		name = "numeric"
	}
	return sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type %s: %q", name, s)
}

func outOfRange(t T) error {
	return sqlerr.New(sqlerr.NumericValueOutOfRange, "%s out of range", t)
}

func cannotCast(v Value, t T) error {
	return sqlerr.New(sqlerr.DatatypeMismatch, "cannot cast %s to %s", kindName(v.K), t)
}

func kindName(k Kind) string {
	switch k {
	case KBool:
		return "boolean"
	case KInt:
		return "integer"
	case KFloat:
		return "double precision"
	case KDecimal:
		return "numeric"
	case KText:
		return "text"
	case KDate:
		return "date"
	case KTimestamp:
		return "timestamp without time zone"
	}
	return "unknown"
}
