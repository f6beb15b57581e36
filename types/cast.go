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
// varchar/char width are truncated. Timestamps with time zone convert in
// UTC; CastIn takes the session's time zone.
func Cast(v Value, t T) (Value, error) { return convertIn(v, t, false, time.UTC) }

// Assign converts v to a column of type t as INSERT and UPDATE do: a string
// longer than the column's width is an error unless the excess is blanks.
func Assign(v Value, t T) (Value, error) {
	if Fits(v, t) {
		return v, nil
	}
	return convertIn(v, t, true, time.UTC)
}

func convert(v Value, t T, assign bool) (Value, error) {
	if v.K == KNull {
		return v, nil
	}
	switch t.ID {
	case Unknown:
		return v, nil
	case Array:
		return convertArray(v, t)
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
			if math.IsNaN(f) || f < -0x1p63 || f >= 0x1p63 { // -2^63 itself fits
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
					return Null, valueOutOfRange(t, v.S)
				}
				return Null, invalidInput(t, v.S)
			}
			if !IntFits(n, t.ID) {
				return Null, valueOutOfRange(t, v.S)
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
			bits := 64
			if t.ID == Float4 {
				bits = 32 // parse as float32 directly, as float4in does
			}
			var err error
			if f, err = parseFloat(v.S, bits); err != nil {
				if err == errFloatRange {
					return Null, sqlerr.New(sqlerr.NumericValueOutOfRange, "\"%s\" is out of range for type %s", v.S, t)
				}
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
			var ok bool
			if d, ok = parsePlainDecimal(v.S); !ok {
				var err error
				d, _, err = apd.NewFromString(strings.TrimSpace(v.S))
				if err != nil || d.Form != apd.Finite {
					return Null, invalidInput(t, v.S)
				}
			}
		default:
			return Null, cannotCast(v, t)
		}
		if d.Negative && d.IsZero() { // NUMERIC has no negative zero: -0.0 is 0.0
			d = new(apd.Decimal).Abs(d)
		}
		return ApplyNumericTypmod(d, t)
	case Text, Varchar, Char:
		var s string
		if v.K == KText {
			s = v.S
		} else if v.K == KBool {
			// bool to a string type is booltext ("true"), not the output form "t"
			s = "false"
			if v.I != 0 {
				s = "true"
			}
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
	case Interval:
		switch v.K {
		case KInterval:
			return v, nil
		case KText:
			return ParseInterval(v.S)
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
	if d.Form == apd.Finite && d.Exponent == -t.Scale && !(d.Negative && d.IsZero()) {
		// Already at the scale, as a load's values mostly are: no rounding.
		if int64(d.NumDigits()) > int64(t.Precision) && !d.IsZero() {
			return Null, numericOverflow(t)
		}
		return NewDecimal(d), nil
	}
	r := new(apd.Decimal)
	if _, err := DecimalContext.Quantize(r, d, -t.Scale); err != nil {
		return Null, numericOverflow(t)
	}
	if r.IsZero() {
		r.Negative = false // -0.001 rounds to 0.00, not -0.00
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
		if w-n <= len(blanks) {
			s += blanks[:w-n] // one allocation, not two: loads pad millions
		} else {
			s += strings.Repeat(" ", w-n)
		}
	}
	return NewText(s), nil
}

const blanks = "                                                                "

// ParseBool accepts PostgreSQL's boolean spellings: any prefix of true, false,
// yes or no, on, off (at least "of"), 1 and 0, in any case.
func ParseBool(s string) (Value, error) {
	str := strings.ToLower(strings.TrimSpace(s))
	if str != "" {
		switch {
		case strings.HasPrefix("true", str), strings.HasPrefix("yes", str), str == "on", str == "1":
			return NewBool(true), nil
		case strings.HasPrefix("false", str), strings.HasPrefix("no", str), len(str) >= 2 && strings.HasPrefix("off", str), str == "0":
			return NewBool(false), nil
		}
	}
	return Null, invalidInput(TBool, s)
}

// ParseFloat accepts decimal and exponent notation plus NaN and Infinity.
// A number too large, or non-zero but too small, for a double is an error, as
// in PostgreSQL.
func ParseFloat(s string) (float64, error) { return parseFloat(s, 64) }

var errFloatRange = errors.New("float out of range")

// parseFloat parses a float8 (bits 64) or a float4 (bits 32).
func parseFloat(s string, bits int) (float64, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "nan":
		return math.NaN(), nil
	case "infinity", "+infinity", "inf", "+inf":
		return math.Inf(1), nil
	case "-infinity", "-inf":
		return math.Inf(-1), nil
	}
	f, err := strconv.ParseFloat(s, bits)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, errFloatRange
		}
		return 0, err
	}
	if mant, _, _ := strings.Cut(strings.ToLower(s), "e"); f == 0 && strings.ContainsAny(mant, "123456789") {
		return 0, errFloatRange // underflow to zero: strtod's ERANGE, an error in PostgreSQL
	}
	return f, nil
}

// ParseDate accepts ISO dates (YYYY-MM-DD, with a trailing BC for years
// before 1 AD), optionally followed by a time that is checked and dropped,
// and the word epoch; infinity is not yet supported.
func ParseDate(s string) (Value, error) {
	if days, ok := parsePlainDate(s); ok {
		return NewDate(days), nil
	}
	str := strings.TrimSpace(s)
	if strings.EqualFold(str, "epoch") {
		return NewDate(0), nil
	}
	days, _, err := parseDateTime(str)
	if err != nil {
		return Null, dateError(err, "date", s)
	}
	if days < minDate || days > maxDate {
		return Null, sqlerr.New(sqlerr.DatetimeFieldOverflow, "date out of range: \"%s\"", s)
	}
	return NewDate(days), nil
}

// The ranges of DATE (4714-11-24 BC to 5874897-12-31) and TIMESTAMP (4714-11-24
// BC to 294276-12-31 in PostgreSQL; microseconds since 1970 in an int64 end
// some 30 years earlier, so the last day is the last one that fits).
var (
	minDate         = civilDays(-4713, 11, 24)
	maxDate         = civilDays(5874897, 12, 31)
	maxTimestampDay = min(civilDays(294276, 12, 31), math.MaxInt64/usPerDay-1)
)

func civilDays(y, m, d int) int64 {
	return floorDiv(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix(), 86400)
}

// errDateRange marks a well-formed date or time with a field out of range
// (2023-02-30, 25:00); errSyntax a malformed one.
var (
	errDateRange = errors.New("date out of range")
	errSyntax    = errors.New("syntax")
)

// dateError words a date/time input error as PostgreSQL does: 22008 for a
// field out of range, 22007 for bad syntax.
func dateError(err error, typeName string, s string) error {
	if err == errDateRange {
		return sqlerr.New(sqlerr.DatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
	}
	return sqlerr.New(sqlerr.InvalidDatetimeFormat, "invalid input syntax for type %s: \"%s\"", typeName, s)
}

// parseDateTime reads 'YYYY-MM-DD[ HH:MM[:SS[.fff]]][ BC]' (a T separator
// too) into a day number and a time of day in microseconds. A syntax error
// anywhere wins over a field out of range, as in PostgreSQL.
func parseDateTime(str string) (days, tod int64, err error) {
	bc := false
	if n := len(str); n > 3 && strings.EqualFold(str[n-3:], " BC") {
		str, bc = strings.TrimSpace(str[:n-3]), true
	}
	datePart, timePart := str, ""
	if i := strings.IndexAny(str, " T"); i > 0 {
		datePart, timePart = str[:i], strings.TrimSpace(str[i+1:])
	}
	days, err = parseISODate(datePart, bc)
	timePart = stripZone(timePart)
	if timePart != "" {
		var terr error
		tod, terr = parseTimeOfDay(timePart)
		if terr == errSyntax || err == nil {
			err = terr
		}
	}
	return days, tod, err
}

// stripZone removes a time zone (Z, UTC, +05, -08:00, +0530) from the end of
// a time: a timestamp without time zone ignores it, as PostgreSQL does.
func stripZone(t string) string {
	switch u := strings.ToUpper(t); {
	case strings.HasSuffix(u, "Z"):
		return strings.TrimSpace(t[:len(t)-1])
	case strings.HasSuffix(u, "UTC"), strings.HasSuffix(u, "GMT"):
		return strings.TrimSpace(t[:len(t)-3])
	}
	i := strings.LastIndexAny(t, "+-")
	if i <= 0 || strings.Trim(t[i+1:], "0123456789:") != "" || len(t[i+1:]) == 0 {
		return t
	}
	return strings.TrimSpace(t[:i])
}

func parseISODate(s string, bc bool) (int64, error) {
	parts := strings.Split(s, "-")
	if len(parts) != 3 {
		return 0, errSyntax
	}
	y, ok1 := atoiDigits(parts[0])
	m, ok2 := atoiDigits(parts[1])
	d, ok3 := atoiDigits(parts[2])
	if !ok1 || !ok2 || !ok3 {
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

// atoiDigits parses 1 to 9 ASCII digits (no sign, no spaces).
func atoiDigits(s string) (int, bool) {
	if len(s) == 0 || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// ParseTimestamp accepts 'YYYY-MM-DD[ HH:MM[:SS[.ffffff]]][ BC]' (a T separator too).
func ParseTimestamp(s string) (Value, error) {
	str := strings.TrimSpace(s)
	if strings.EqualFold(str, "epoch") {
		return NewTimestamp(0), nil
	}
	days, tod, err := parseDateTime(str)
	if err != nil {
		return Null, dateError(err, "timestamp", s)
	}
	if days < minDate || days > maxTimestampDay {
		return Null, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", s)
	}
	return NewTimestamp(days*usPerDay + tod), nil
}

// parseTimeOfDay reads HH:MM[:SS[.fff]]. Fractions round to microseconds;
// 24:00:00 and a leap second :60 are accepted and roll over, as in PostgreSQL.
func parseTimeOfDay(s string) (int64, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, errSyntax
	}
	h, ok1 := atoiDigits(parts[0])
	m, ok2 := atoiDigits(parts[1])
	if !ok1 || !ok2 {
		return 0, errSyntax
	}
	var sec int
	var us int64
	if len(parts) == 3 {
		secStr, frac, _ := strings.Cut(parts[2], ".")
		var ok bool
		if sec, ok = atoiDigits(secStr); !ok {
			return 0, errSyntax
		}
		if frac != "" {
			if _, ok := atoiDigits(frac[:min(len(frac), 9)]); !ok || strings.Trim(frac, "0123456789") != "" {
				return 0, errSyntax
			}
			f, _ := strconv.ParseFloat("0."+frac, 64)
			us = int64(math.RoundToEven(f * 1e6)) // rint, as PostgreSQL
		}
	}
	if h > 24 || m > 59 || sec > 60 || (sec == 60 && us > 0) || (h == 24 && (m > 0 || sec > 0 || us > 0)) {
		return 0, errDateRange
	}
	return int64(h)*3600_000_000 + int64(m)*60_000_000 + int64(sec)*1_000_000 + us, nil
}

func invalidInput(t T, s string) error {
	name := t.String()
	if t.ID == Numeric {
		name = "numeric"
	}
	return sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type %s: \"%s\"", name, s)
}

// valueOutOfRange is int4in's error for text that does not fit the type.
func valueOutOfRange(t T, s string) error {
	return sqlerr.New(sqlerr.NumericValueOutOfRange, "value \"%s\" is out of range for type %s", s, t)
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
	case KInterval:
		return "interval"
	case KUUID:
		return "uuid"
	case KBytes:
		return "bytea"
	case KTimestampTZ:
		return "timestamp with time zone"
	case KTime:
		return "time without time zone"
	case KJSON:
		return "json"
	case KJSONB:
		return "jsonb"
	}
	return "unknown"
}

// parsePlainDecimal parses the common form of a numeric literal, digits
// with an optional sign and point and at most 18 digits in all, without
// apd's general parser (loads convert millions of them); ok is false for
// anything else.
func parsePlainDecimal(s string) (*apd.Decimal, bool) {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	var coef int64
	digits, frac, point := 0, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			coef = coef*10 + int64(c-'0')
			digits++
			if point {
				frac++
			}
		case c == '.' && !point:
			point = true
		default:
			return nil, false
		}
	}
	if digits == 0 || digits > 18 {
		return nil, false
	}
	if neg {
		coef = -coef
	}
	return apd.New(coef, int32(-frac)), true
}

// parsePlainDate parses a date written YYYY-MM-DD with a year from 1 to
// 9999, the form loads carry, without the general date parser.
func parsePlainDate(s string) (int64, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	num := func(part string) int {
		n := 0
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return -1
			}
			n = n*10 + int(part[i]-'0')
		}
		return n
	}
	y, m, d := num(s[:4]), num(s[5:7]), num(s[8:])
	if y < 1 || m < 1 || m > 12 || d < 1 || d > monthDays(y, m) {
		return 0, false
	}
	return daysFromCivil(y, m, d), true
}

// monthDays is the number of days of month m of year y (1 to 9999),
// without time.Date: loads parse millions of dates.
func monthDays(y, m int) int {
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		return 29
	}
	return int("\x1f\x1c\x1f\x1e\x1f\x1e\x1f\x1f\x1e\x1f\x1e\x1f"[m-1])
}

// daysFromCivil is civilDays without time.Date, for years from 1 (H.
// Hinnant's days_from_civil, in 400-year eras counted from March 0000).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400 // y >= 0
	yoe := y - era*400
	mp := (m + 9) % 12 // March is 0
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era*146097+doe) - 719468
}
