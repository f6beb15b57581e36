package types

import (
	"errors"
	"math"
	"testing"

	"rustydb/sqlerr"
)

// castCase runs conv and checks either the formatted result or the SQLSTATE
// (and, when given, the message) of the error.
type castCase struct {
	in      Value
	to      T
	want    string // formatted result when code is ""
	code    string // expected SQLSTATE
	message string // expected message when not ""
}

func checkConv(t *testing.T, name string, conv func(Value, T) (Value, error), c castCase) {
	t.Helper()
	got, err := conv(c.in, c.to)
	if c.code != "" {
		var se *sqlerr.Error
		if !errors.As(err, &se) {
			t.Errorf("%s(%v, %s): got %v, %v; want SQLSTATE %s", name, c.in, c.to, got, err, c.code)
			return
		}
		if se.Code != c.code || (c.message != "" && se.Message != c.message) {
			t.Errorf("%s(%v, %s): error %s %q, want %s %q", name, c.in, c.to, se.Code, se.Message, c.code, c.message)
		}
		return
	}
	if err != nil {
		t.Errorf("%s(%v, %s): unexpected error %v", name, c.in, c.to, err)
		return
	}
	if s := string(AppendText(nil, got, c.to)); s != c.want {
		t.Errorf("%s(%v, %s) = %q, want %q", name, c.in, c.to, s, c.want)
	}
}

func TestCastToInteger(t *testing.T) {
	f := func(in Value, to T, want string, code ...string) {
		t.Helper()
		c := castCase{in: in, to: to, want: want}
		if len(code) > 0 {
			c.code = code[0]
		}
		if len(code) > 1 {
			c.message = code[1]
		}
		checkConv(t, "Cast", Cast, c)
		checkConv(t, "Assign", Assign, c) // Assign converts numbers the same way
	}
	const (
		oor = sqlerr.NumericValueOutOfRange
		bad = sqlerr.InvalidTextRepresentation
	)
	// text -> integer
	f(NewText("42"), TInt4, "42")
	f(NewText(" 12 "), TInt4, "12")
	f(NewText("\t-7\n"), TInt4, "-7")
	f(NewText("+5"), TInt4, "5")
	f(NewText("-0"), TInt4, "0")
	f(NewText("007"), TInt4, "7")
	f(NewText("  -2147483648"), TInt4, "-2147483648")
	f(NewText("2147483647"), TInt4, "2147483647")
	f(NewText("2147483648"), TInt4, "", oor, `value "2147483648" is out of range for type integer`)
	f(NewText("-2147483649"), TInt4, "", oor)
	f(NewText("99999999999999999999"), TInt4, "", oor)
	f(NewText("32767"), TInt2, "32767")
	f(NewText("-32768"), TInt2, "-32768")
	f(NewText("40000"), TInt2, "", oor, `value "40000" is out of range for type smallint`)
	f(NewText("9223372036854775807"), TInt8, "9223372036854775807")
	f(NewText("-9223372036854775808"), TInt8, "-9223372036854775808")
	f(NewText("9223372036854775808"), TInt8, "", oor, `value "9223372036854775808" is out of range for type bigint`)
	f(NewText("abc"), TInt4, "", bad, `invalid input syntax for type integer: "abc"`)
	f(NewText("abc"), TInt2, "", bad, `invalid input syntax for type smallint: "abc"`)
	f(NewText("abc"), TInt8, "", bad, `invalid input syntax for type bigint: "abc"`)
	f(NewText(""), TInt4, "", bad, `invalid input syntax for type integer: ""`)
	f(NewText("   "), TInt4, "", bad)
	f(NewText("1 2"), TInt4, "", bad, `invalid input syntax for type integer: "1 2"`)
	f(NewText("1.5"), TInt4, "", bad)
	f(NewText("1e3"), TInt4, "", bad)
	f(NewText("- 1"), TInt4, "", bad)
	f(NewText("0x10"), TInt4, "", bad)
	f(NewText("1_000"), TInt4, "", bad)
	f(NewText(`a"b`), TInt4, "", bad, `invalid input syntax for type integer: "a"b"`)

	// integer widths
	f(NewInt(32767), TInt2, "32767")
	f(NewInt(-32768), TInt2, "-32768")
	f(NewInt(32768), TInt2, "", oor, "smallint out of range")
	f(NewInt(-32769), TInt2, "", oor, "smallint out of range")
	f(NewInt(math.MaxInt32), TInt4, "2147483647")
	f(NewInt(math.MinInt32), TInt4, "-2147483648")
	f(NewInt(math.MaxInt32+1), TInt4, "", oor, "integer out of range")
	f(NewInt(math.MinInt32-1), TInt4, "", oor, "integer out of range")
	f(NewInt(math.MaxInt64), TInt8, "9223372036854775807")
	f(NewInt(math.MinInt64), TInt8, "-9223372036854775808")
	f(NewBool(true), TInt4, "1")
	f(NewBool(false), TInt4, "0")

	// float -> integer rounds half to even (rint)
	f(NewFloat(2.5), TInt4, "2")
	f(NewFloat(3.5), TInt4, "4")
	f(NewFloat(-2.5), TInt4, "-2")
	f(NewFloat(-3.5), TInt4, "-4")
	f(NewFloat(0.5), TInt4, "0")
	f(NewFloat(-0.5), TInt4, "0")
	f(NewFloat(1.5), TInt2, "2")
	f(NewFloat(2.4999), TInt8, "2")
	f(NewFloat(2.5000001), TInt8, "3")
	f(NewFloat(32766.5), TInt2, "32766")
	f(NewFloat(-32768.5), TInt2, "-32768")
	f(NewFloat(32767.5), TInt2, "", oor)
	f(NewFloat(2147483647.4), TInt4, "2147483647")
	f(NewFloat(2147483647.5), TInt4, "", oor, "integer out of range")
	f(NewFloat(1e10), TInt4, "", oor)
	f(NewFloat(-9223372036854775808), TInt8, "-9223372036854775808")
	f(NewFloat(9223372036854775807), TInt8, "", oor, "bigint out of range") // 2^63 as a float
	f(NewFloat(-1e19), TInt8, "", oor)
	f(NewFloat(math.NaN()), TInt4, "", oor, "integer out of range")
	f(NewFloat(math.Inf(1)), TInt8, "", oor)
	f(NewFloat(math.Inf(-1)), TInt2, "", oor)

	// numeric -> integer rounds half away from zero
	f(dec(t, "2.5"), TInt4, "3")
	f(dec(t, "-2.5"), TInt4, "-3")
	f(dec(t, "3.5"), TInt4, "4")
	f(dec(t, "0.5"), TInt8, "1")
	f(dec(t, "-0.5"), TInt8, "-1")
	f(dec(t, "2.49"), TInt4, "2")
	f(dec(t, "-0.4"), TInt4, "0")
	f(dec(t, "1e3"), TInt4, "1000")
	f(dec(t, "32767.4"), TInt2, "32767")
	f(dec(t, "32767.5"), TInt2, "", oor, "smallint out of range")
	f(dec(t, "2147483647.5"), TInt4, "", oor, "integer out of range")
	f(dec(t, "9223372036854775807"), TInt8, "9223372036854775807")
	f(dec(t, "9223372036854775807.5"), TInt8, "", oor, "bigint out of range")
	f(dec(t, "-9223372036854775808.4"), TInt8, "-9223372036854775808")
	f(dec(t, "1e30"), TInt8, "", oor)

	// no cast from date to integer
	f(NewDate(0), TInt4, "", sqlerr.DatatypeMismatch)
}

func TestCastToFloat(t *testing.T) {
	f := func(in Value, to T, want string, code ...string) {
		t.Helper()
		c := castCase{in: in, to: to, want: want}
		if len(code) > 0 {
			c.code = code[0]
		}
		if len(code) > 1 {
			c.message = code[1]
		}
		checkConv(t, "Cast", Cast, c)
	}
	const (
		oor = sqlerr.NumericValueOutOfRange
		bad = sqlerr.InvalidTextRepresentation
	)
	f(NewText("1.5"), TFloat8, "1.5")
	f(NewText(" -2.5e3 "), TFloat8, "-2500")
	f(NewText("1e20"), TFloat8, "1e+20")
	f(NewText("NaN"), TFloat8, "NaN")
	f(NewText("nan"), TFloat8, "NaN")
	f(NewText("Infinity"), TFloat8, "Infinity")
	f(NewText("-infinity"), TFloat8, "-Infinity")
	f(NewText("inf"), TFloat8, "Infinity")
	f(NewText("-0"), TFloat8, "-0")
	f(NewText("abc"), TFloat8, "", bad, `invalid input syntax for type double precision: "abc"`)
	f(NewText(""), TFloat8, "", bad)
	f(NewText("1e400"), TFloat8, "", oor, `"1e400" is out of range for type double precision`)
	f(NewText("-1e400"), TFloat8, "", oor)
	f(NewText("1e-400"), TFloat8, "", oor, `"1e-400" is out of range for type double precision`)
	f(NewText("0.1"), TFloat4, "0.1")
	f(NewText("abc"), TFloat4, "", bad, `invalid input syntax for type real: "abc"`)
	f(NewText("3.4e38"), TFloat4, "3.4e+38")
	f(NewText("1e40"), TFloat4, "", oor, `"1e40" is out of range for type real`)
	f(NewText("1e-50"), TFloat4, "", oor, `"1e-50" is out of range for type real`)
	f(NewText("1e-40"), TFloat4, "1e-40") // subnormal float32
	f(NewText("Infinity"), TFloat4, "Infinity")
	f(NewInt(123456789), TFloat4, "1.2345679e+08")
	f(NewInt(-3), TFloat8, "-3")
	f(NewInt(math.MaxInt64), TFloat8, "9.223372036854776e+18")
	f(dec(t, "1.50"), TFloat8, "1.5")
	f(dec(t, "0.1"), TFloat4, "0.1")
	f(NewFloat(1e300), TFloat4, "", oor)
	f(NewFloat(math.Inf(1)), TFloat4, "Infinity")
	f(NewFloat(0.1), TFloat4, "0.1")
	f(NewFloat(0.1), TFloat8, "0.1")
	f(NewBool(true), TFloat8, "", sqlerr.DatatypeMismatch)
}

func TestCastToNumeric(t *testing.T) {
	f := func(in Value, to T, want string, code ...string) {
		t.Helper()
		c := castCase{in: in, to: to, want: want}
		if len(code) > 0 {
			c.code = code[0]
		}
		if len(code) > 1 {
			c.message = code[1]
		}
		checkConv(t, "Cast", Cast, c)
		checkConv(t, "Assign", Assign, c)
	}
	num := func(p, s int32) T { return T{ID: Numeric, Precision: p, Scale: s} }
	const oor = sqlerr.NumericValueOutOfRange

	f(NewText(" 1.50 "), TNumeric, "1.50")
	f(NewText("-0.0"), TNumeric, "0.0")
	f(NewText("1e3"), TNumeric, "1000")
	f(NewText("1.5e-3"), TNumeric, "0.0015")
	f(NewText("+7"), TNumeric, "7")
	f(NewText("abc"), TNumeric, "", sqlerr.InvalidTextRepresentation, `invalid input syntax for type numeric: "abc"`)
	f(NewText("abc"), num(5, 2), "", sqlerr.InvalidTextRepresentation, `invalid input syntax for type numeric: "abc"`)
	f(NewText(""), TNumeric, "", sqlerr.InvalidTextRepresentation)
	f(NewText("1.2.3"), TNumeric, "", sqlerr.InvalidTextRepresentation)
	f(NewInt(-12), TNumeric, "-12")
	f(NewFloat(0.1), TNumeric, "0.1")
	f(NewFloat(1e20), TNumeric, "100000000000000000000")
	f(NewFloat(-1.5), TNumeric, "-1.5")
	f(NewFloat(math.Copysign(0, -1)), TNumeric, "0")
	f(NewFloat(math.Inf(1)), TNumeric, "", sqlerr.FeatureNotSupported)
	f(dec(t, "1.50"), TNumeric, "1.50")

	// numeric(p,s): round half away from zero to s digits, then check p.
	f(dec(t, "1.005"), num(3, 2), "1.01")
	f(dec(t, "1.004"), num(3, 2), "1.00")
	f(dec(t, "-1.005"), num(3, 2), "-1.01")
	f(dec(t, "9.994"), num(3, 2), "9.99")
	f(dec(t, "1.5"), num(5, 2), "1.50")
	f(dec(t, "0.5"), num(1, 0), "1")
	f(dec(t, "-0.5"), num(1, 0), "-1")
	f(dec(t, "-0.001"), num(3, 2), "0.00")
	f(dec(t, "0"), num(3, 2), "0.00")
	f(dec(t, "999.99"), num(5, 2), "999.99")
	f(dec(t, "-999.994"), num(5, 2), "-999.99")
	f(dec(t, "0.00099"), num(2, 5), "0.00099") // PostgreSQL 15 allows scale > precision
	f(dec(t, "9.995"), num(3, 2), "", oor, "numeric field overflow")
	f(dec(t, "99.5"), num(2, 0), "", oor, "numeric field overflow")
	f(dec(t, "123.4"), num(3, 1), "", oor, "numeric field overflow")
	f(dec(t, "1000"), num(5, 2), "", oor, "numeric field overflow")
	f(dec(t, "0.001"), num(2, 5), "", oor, "numeric field overflow")
	f(NewInt(12), num(4, 2), "12.00")
	f(NewInt(123), num(4, 2), "", oor, "numeric field overflow")
	f(NewInt(-99), num(2, 0), "-99")
	f(NewFloat(1.25), num(3, 1), "1.3")
	f(NewFloat(2.675), num(3, 2), "2.68") // 2.675 prints as 2.675 with 15 digits
	f(NewText("12.345"), num(4, 2), "12.35")
	f(NewText("123.45"), num(4, 2), "", oor, "numeric field overflow")
	f(NewDate(0), TNumeric, "", sqlerr.DatatypeMismatch)

	// The overflow error carries PostgreSQL's detail.
	_, err := Cast(dec(t, "9.995"), num(3, 2))
	var se *sqlerr.Error
	if !errors.As(err, &se) || se.Detail != "A field with precision 3, scale 2 must round to an absolute value less than 10^1." {
		t.Errorf("overflow detail: %v", err)
	}
}

func TestCastToString(t *testing.T) {
	vc := func(n int32) T { return T{ID: Varchar, Width: n} }
	ch := func(n int32) T { return T{ID: Char, Width: n} }
	const tooLong = sqlerr.StringDataRightTruncation
	type tc struct {
		in           Value
		to           T
		cast, assign string // results; "!" means error 22001
		message      string // assign error message
	}
	cases := []tc{
		{NewText("abc"), vc(3), "abc", "abc", ""},
		{NewText("ab"), vc(3), "ab", "ab", ""},
		{NewText("ab "), vc(3), "ab ", "ab ", ""},
		{NewText(""), vc(3), "", "", ""},
		{NewText("abcd"), vc(3), "abc", "!", "value too long for type character varying(3)"},
		{NewText("abcdef"), vc(3), "abc", "!", ""},
		{NewText("abc   "), vc(3), "abc", "abc", ""}, // trailing blanks beyond n are cut
		{NewText("ab    "), vc(3), "ab ", "ab ", ""},
		{NewText("abc  d"), vc(3), "abc", "!", ""},
		{NewText("abc\t"), vc(3), "abc", "!", ""}, // only spaces are forgiven
		{NewText("éèà"), vc(3), "éèà", "éèà", ""}, // width counts characters
		{NewText("éèàx"), vc(3), "éèà", "!", ""},
		{NewText("éèà "), vc(3), "éèà", "éèà", ""},
		{NewText("anything at all"), T{ID: Varchar}, "anything at all", "anything at all", ""},
		{NewText("abcd"), TText, "abcd", "abcd", ""},

		{NewText("ab"), ch(4), "ab  ", "ab  ", ""}, // char(n) pads
		{NewText(""), ch(2), "  ", "  ", ""},
		{NewText("abc"), ch(3), "abc", "abc", ""},
		{NewText("abcdef"), ch(3), "abc", "!", "value too long for type character(3)"},
		{NewText("ab   "), ch(3), "ab ", "ab ", ""},
		{NewText("é"), ch(3), "é  ", "é  ", ""},
		{NewText("x"), ch(1), "x", "x", ""},

		// non-text sources go through the output format
		{NewInt(123), vc(2), "12", "!", ""},
		{NewInt(123), TText, "123", "123", ""},
		{NewInt(-5), ch(4), "-5  ", "-5  ", ""},
		{dec(t, "1.50"), TText, "1.50", "1.50", ""},
		{NewFloat(1e20), TText, "1e+20", "1e+20", ""},
		{NewDate(days(2024, 2, 29)), TText, "2024-02-29", "2024-02-29", ""},
		{NewTimestamp(ts(2024, 2, 29, 1, 2, 3, 0)), vc(10), "2024-02-29", "!", ""},
		// boolean to a string type spells the word (booltext), unlike its output "t".
		{NewBool(true), TText, "true", "true", ""},
		{NewBool(false), T{ID: Varchar}, "false", "false", ""},
		{NewBool(true), vc(2), "tr", "!", ""},
		{NewBool(true), ch(1), "t", "!", ""},
		{NewBool(true), ch(5), "true ", "true ", ""},
		{NewBool(false), ch(3), "fal", "!", ""},
	}
	for _, c := range cases {
		checkConv(t, "Cast", Cast, castCase{in: c.in, to: c.to, want: c.cast})
		ac := castCase{in: c.in, to: c.to, want: c.assign}
		if c.assign == "!" {
			ac.code, ac.message = tooLong, c.message
		}
		checkConv(t, "Assign", Assign, ac)
	}
}

func TestCastToBool(t *testing.T) {
	f := func(in Value, want string) {
		t.Helper()
		c := castCase{in: in, to: TBool, want: want}
		if want == "" {
			c.code = sqlerr.InvalidTextRepresentation
		}
		checkConv(t, "Cast", Cast, c)
	}
	for _, s := range []string{"t", "tr", "tru", "true", "TRUE", "tRuE", " true ", "y", "ye", "yes", "YES", "on", "ON", "1", "\ttrue\n"} {
		f(NewText(s), "t")
	}
	for _, s := range []string{"f", "fa", "fal", "fals", "false", "FALSE", "n", "no", "NO", "of", "off", "OFF", "0", " 0 "} {
		f(NewText(s), "f")
	}
	for _, s := range []string{"", " ", "o", "2", "truex", "yess", "onn", "offf", "nope", "10", "00", "t rue", "-1"} {
		f(NewText(s), "")
	}
	f(NewBool(true), "t")
	f(NewInt(0), "f")
	f(NewInt(7), "t")
	f(NewInt(-1), "t")

	_, err := ParseBool("maybe")
	var se *sqlerr.Error
	if !errors.As(err, &se) || se.Code != sqlerr.InvalidTextRepresentation || se.Message != `invalid input syntax for type boolean: "maybe"` {
		t.Errorf("ParseBool(maybe) error = %v", err)
	}
	checkConv(t, "Cast", Cast, castCase{in: NewFloat(1), to: TBool, code: sqlerr.DatatypeMismatch})
}

func TestCastDate(t *testing.T) {
	f := func(in string, want string, code ...string) {
		t.Helper()
		c := castCase{in: NewText(in), to: TDate, want: want}
		if len(code) > 0 {
			c.code = code[0]
		}
		if len(code) > 1 {
			c.message = code[1]
		}
		checkConv(t, "Cast", Cast, c)
	}
	const (
		bad      = sqlerr.InvalidDatetimeFormat
		overflow = sqlerr.DatetimeFieldOverflow
	)
	f("2024-01-15", "2024-01-15")
	f(" 2024-01-15 ", "2024-01-15")
	f("2024-1-5", "2024-01-05")
	f("1970-01-01", "1970-01-01")
	f("1969-12-31", "1969-12-31")
	f("1900-01-01", "1900-01-01")
	f("0001-01-01", "0001-01-01")
	f("2024-02-29", "2024-02-29") // leap year
	f("2000-02-29", "2000-02-29") // divisible by 400
	f("2023-02-28", "2023-02-28")
	f("2023-12-31", "2023-12-31")
	f("epoch", "1970-01-01")
	f("2024-01-15 13:45:00", "2024-01-15") // the time is dropped
	f("2024-01-15T13:45:00", "2024-01-15")
	f("0044-03-15 BC", "0044-03-15 BC")
	f("0001-01-01 BC", "0001-01-01 BC")
	f("2023-02-29", "", overflow, `date/time field value out of range: "2023-02-29"`)
	f("1900-02-29", "", overflow) // not a leap year
	f("2023-02-30", "", overflow, `date/time field value out of range: "2023-02-30"`)
	f("2023-04-31", "", overflow)
	f("2023-13-01", "", overflow, `date/time field value out of range: "2023-13-01"`)
	f("2023-00-10", "", overflow)
	f("2023-01-32", "", overflow)
	f("2023-01-00", "", overflow)
	f("0000-01-01", "", overflow)
	f("abc", "", bad, `invalid input syntax for type date: "abc"`)
	f("", "", bad)
	f("2023-01", "", bad)
	f("2023/01/01x", "", bad)
	f("2024-01-15 25:00:00", "", overflow)
	f("2024-01-15 xx", "", bad)
	f("2023-02-30 xx", "", bad) // bad syntax wins over a bad field
	f("2024-01-15 bc", "2024-01-15 BC")
	f("2024-01-15 24:00:00", "2024-01-15") // no roll-over for a date
	f("5874897-12-31", "5874897-12-31")
	f("4714-11-24 BC", "4714-11-24 BC")
	f("5874898-01-01", "", overflow, `date out of range: "5874898-01-01"`)
	f("4714-11-23 BC", "", overflow, `date out of range: "4714-11-23 BC"`)
	f("999999999-01-01", "", overflow)

	// date <-> timestamp
	d := NewDate(days(2024, 3, 1))
	checkConv(t, "Cast", Cast, castCase{in: d, to: TTimestamp, want: "2024-03-01 00:00:00"})
	checkConv(t, "Cast", Cast, castCase{in: NewTimestamp(ts(2024, 3, 1, 23, 59, 59, 999999)), to: TDate, want: "2024-03-01"})
	checkConv(t, "Cast", Cast, castCase{in: NewTimestamp(-1), to: TDate, want: "1969-12-31"})
	checkConv(t, "Cast", Cast, castCase{in: NewTimestamp(ts(-43, 3, 15, 12, 0, 0, 0)), to: TDate, want: "0044-03-15 BC"})
	checkConv(t, "Cast", Cast, castCase{in: d, to: TDate, want: "2024-03-01"})
	checkConv(t, "Cast", Cast, castCase{in: NewInt(1), to: TDate, code: sqlerr.DatatypeMismatch})
}

func TestCastTimestamp(t *testing.T) {
	f := func(in string, want string, code ...string) {
		t.Helper()
		c := castCase{in: NewText(in), to: TTimestamp, want: want}
		if len(code) > 0 {
			c.code = code[0]
		}
		if len(code) > 1 {
			c.message = code[1]
		}
		checkConv(t, "Cast", Cast, c)
		checkConv(t, "Assign", Assign, c)
	}
	const (
		bad      = sqlerr.InvalidDatetimeFormat
		overflow = sqlerr.DatetimeFieldOverflow
	)
	f("2024-01-15 13:45:30", "2024-01-15 13:45:30")
	f("2024-01-15T13:45:30", "2024-01-15 13:45:30")
	f("  2024-01-15   13:45:30  ", "2024-01-15 13:45:30")
	f("2024-01-15", "2024-01-15 00:00:00")
	f("2024-01-15 13:45", "2024-01-15 13:45:00")
	f("2024-01-15 1:2:3", "2024-01-15 01:02:03")
	f("2024-01-15 13:45:30.5", "2024-01-15 13:45:30.5")
	f("2024-01-15 13:45:30.123456", "2024-01-15 13:45:30.123456")
	f("2024-01-15 13:45:30.000001", "2024-01-15 13:45:30.000001")
	f("2024-01-15 13:45:30.1234567", "2024-01-15 13:45:30.123457") // rounded to microseconds
	f("2024-01-15 13:45:30.9999999", "2024-01-15 13:45:31")
	f("2024-12-31 23:59:59.9999999", "2025-01-01 00:00:00")
	f("2024-01-15 13:45:30.", "2024-01-15 13:45:30")
	f("2024-02-29 12:00:00", "2024-02-29 12:00:00")
	f("2024-01-01 24:00:00", "2024-01-02 00:00:00")
	f("2024-01-01 24:00", "2024-01-02 00:00:00")
	f("2024-01-01 23:59:60", "2024-01-02 00:00:00")
	f("1969-12-31 23:59:59.5", "1969-12-31 23:59:59.5")
	f("1960-06-15 10:20:30.000001", "1960-06-15 10:20:30.000001")
	f("0044-03-15 12:00:00 BC", "0044-03-15 12:00:00 BC")
	f("0044-03-15 BC", "0044-03-15 00:00:00 BC")
	f("epoch", "1970-01-01 00:00:00")
	f("2024-01-15 24:00:00 BC", "2024-01-16 00:00:00 BC")
	f("2024-01-15 13:45:30.123456789012", "2024-01-15 13:45:30.123457")
	f("4714-11-24 00:00:00 BC", "4714-11-24 00:00:00 BC")
	f("4714-11-23 BC", "", overflow, `timestamp out of range: "4714-11-23 BC"`)
	f("294277-01-01", "", overflow, `timestamp out of range: "294277-01-01"`)
	f("5874897-12-31", "", overflow)
	f("2023-01-01 23:59:60.5", "", overflow)
	f("2024-01-01 24:00:01", "", overflow, `date/time field value out of range: "2024-01-01 24:00:01"`)
	f("2024-01-01 24:30", "", overflow)
	f("2024-01-01 25:00:00", "", overflow)
	f("2024-01-01 12:60:00", "", overflow)
	f("2024-01-01 12:00:61", "", overflow)
	f("2023-02-29 00:00:00", "", overflow, `date/time field value out of range: "2023-02-29 00:00:00"`)
	f("2023-02-30", "", overflow)
	f("abc", "", bad, `invalid input syntax for type timestamp: "abc"`)
	f("2024-01-01 noon", "", bad)
	f("2024-01-01 12", "", bad)
	f("2024-01-01 12:00:00.5x", "", bad)
	f("2024-01-01 12:00:xx", "", bad)
}

func TestCastMisc(t *testing.T) {
	// NULL converts to NULL for every type, and Unknown keeps the value.
	for _, typ := range []T{TBool, TInt2, TInt4, TInt8, TFloat4, TFloat8, TNumeric, TText, {ID: Varchar, Width: 1}, {ID: Char, Width: 1}, TDate, TTimestamp, TUnknown} {
		for _, conv := range []func(Value, T) (Value, error){Cast, Assign} {
			v, err := conv(Null, typ)
			if err != nil || !v.IsNull() {
				t.Errorf("NULL to %s: %v, %v", typ, v, err)
			}
		}
	}
	v, err := Cast(NewText("abc"), TUnknown)
	if err != nil || v.K != KText || v.S != "abc" {
		t.Errorf("Cast to unknown: %v, %v", v, err)
	}
	// Cast to the same type is an identity.
	checkConv(t, "Cast", Cast, castCase{in: NewTimestamp(12345), to: TTimestamp, want: "1970-01-01 00:00:00.012345"})
	checkConv(t, "Cast", Cast, castCase{in: NewBool(false), to: TBool, want: "f"})
	checkConv(t, "Cast", Cast, castCase{in: NewInt(5), to: TTimestamp, code: sqlerr.DatatypeMismatch})
	_, err = Cast(NewDate(0), TInt4)
	if se := sqlerr.From(err); se.Code != sqlerr.DatatypeMismatch || se.Message != "cannot cast date to integer" {
		t.Errorf("date to integer: %v", err)
	}
}

func TestIntFits(t *testing.T) {
	f := func(i int64, id ID, want bool) {
		t.Helper()
		if got := IntFits(i, id); got != want {
			t.Errorf("IntFits(%d, %v) = %v, want %v", i, id, got, want)
		}
	}
	f(32767, Int2, true)
	f(32768, Int2, false)
	f(-32768, Int2, true)
	f(-32769, Int2, false)
	f(math.MaxInt32, Int4, true)
	f(math.MaxInt32+1, Int4, false)
	f(math.MinInt32, Int4, true)
	f(math.MinInt32-1, Int4, false)
	f(math.MaxInt64, Int8, true)
	f(math.MinInt64, Int8, true)
}

func TestParseFloat(t *testing.T) {
	f := func(in string, want float64, ok bool) {
		t.Helper()
		got, err := ParseFloat(in)
		if (err == nil) != ok {
			t.Errorf("ParseFloat(%q) error = %v, want ok %v", in, err, ok)
			return
		}
		if ok && !(got == want || math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("ParseFloat(%q) = %v, want %v", in, got, want)
		}
	}
	f("1.5", 1.5, true)
	f(" 2 ", 2, true)
	f("-1e-3", -0.001, true)
	f("NaN", math.NaN(), true)
	f("+Infinity", math.Inf(1), true)
	f("-Infinity", math.Inf(-1), true)
	f("1e308", 1e308, true)
	f("0", 0, true)
	f("x", 0, false)
	f("", 0, false)
	f("1e400", 0, false)
	f("1e-400", 0, false)
}

func TestLookup(t *testing.T) {
	f := func(name string, mods []int32, want T) {
		t.Helper()
		got, ok := Lookup(name, mods)
		if !ok || got != want {
			t.Errorf("Lookup(%q, %v) = %+v, %v; want %+v", name, mods, got, ok, want)
		}
	}
	f("bool", nil, TBool)
	f("boolean", nil, TBool)
	f("smallint", nil, TInt2)
	f("int2", nil, TInt2)
	f("int", nil, TInt4)
	f("integer", nil, TInt4)
	f("INTEGER", nil, TInt4)
	f("int4", nil, TInt4)
	f("bigint", nil, TInt8)
	f("int8", nil, TInt8)
	f("real", nil, TFloat4)
	f("float4", nil, TFloat4)
	f("double precision", nil, TFloat8)
	f("float8", nil, TFloat8)
	f("float", nil, TFloat8)
	f("float", []int32{1}, TFloat4)
	f("float", []int32{24}, TFloat4)
	f("float", []int32{25}, TFloat8)
	f("float", []int32{53}, TFloat8)
	f("numeric", nil, TNumeric)
	f("numeric", []int32{10, 2}, T{ID: Numeric, Precision: 10, Scale: 2})
	f("numeric", []int32{5}, T{ID: Numeric, Precision: 5})
	f("decimal", []int32{7, 3}, T{ID: Numeric, Precision: 7, Scale: 3})
	f("text", nil, TText)
	f("varchar", nil, T{ID: Varchar})
	f("varchar", []int32{10}, T{ID: Varchar, Width: 10})
	f("character varying", []int32{5}, T{ID: Varchar, Width: 5})
	f("char", nil, T{ID: Char, Width: 1})
	f("character", nil, T{ID: Char, Width: 1})
	f("char", []int32{3}, T{ID: Char, Width: 3})
	f("character", []int32{8}, T{ID: Char, Width: 8})
	f("bpchar", []int32{2}, T{ID: Char, Width: 2})
	f("date", nil, TDate)
	f("timestamp", nil, TTimestamp)
	f("timestamp without time zone", nil, TTimestamp)
	f("timestamptz", nil, TTimestampTZ)
	f("timestamp with time zone", nil, TTimestampTZ)
	f("time", nil, TTime)
	f("time without time zone", nil, TTime)
	f("uuid", nil, TUUID)
	f("bytea", nil, TBytea)
	f("json", nil, TJSON)
	f("jsonb[]", nil, ArrayOf(TJSONB))
	f("integer[]", nil, ArrayOf(TInt4))
	f("varchar[]", []int32{5}, ArrayOf(T{ID: Varchar}))

	for _, name := range []string{"", "foo", "integer[][]", "timetz", "jsonpath", "serial", "money"} {
		if got, ok := Lookup(name, nil); ok {
			t.Errorf("Lookup(%q) = %v, want unknown", name, got)
		}
	}
}

func TestTypeProperties(t *testing.T) {
	type tc struct {
		t        T
		oid      uint32
		size     int16
		modifier int32
		str      string
	}
	cases := []tc{
		{TUnknown, OIDText, -1, -1, "unknown"}, // untyped literals go out as text
		{TBool, 16, 1, -1, "boolean"},
		{TInt2, 21, 2, -1, "smallint"},
		{TInt4, 23, 4, -1, "integer"},
		{TInt8, 20, 8, -1, "bigint"},
		{TFloat4, 700, 4, -1, "real"},
		{TFloat8, 701, 8, -1, "double precision"},
		{TNumeric, 1700, -1, -1, "numeric"},
		{T{ID: Numeric, Precision: 10, Scale: 2}, 1700, -1, 10<<16 | 2 + 4, "numeric(10,2)"},
		{T{ID: Numeric, Precision: 5}, 1700, -1, 5<<16 + 4, "numeric(5,0)"},
		{T{ID: Numeric, Precision: 1000, Scale: 1000}, 1700, -1, 1000<<16 | 1000 + 4, "numeric(1000,1000)"},
		{TText, 25, -1, -1, "text"},
		{T{ID: Varchar}, 1043, -1, -1, "character varying"},
		{T{ID: Varchar, Width: 10}, 1043, -1, 14, "character varying(10)"},
		{T{ID: Char, Width: 1}, 1042, -1, 5, "character(1)"},
		{T{ID: Char, Width: 3}, 1042, -1, 7, "character(3)"},
		{TDate, 1082, 4, -1, "date"},
		{TTimestamp, 1114, 8, -1, "timestamp without time zone"},
		{TJSON, 114, -1, -1, "json"},
		{TJSONB, 3802, -1, -1, "jsonb"},
		{ArrayOf(TJSON), 199, -1, -1, "json[]"},
		{ArrayOf(TJSONB), 3807, -1, -1, "jsonb[]"},
	}
	for _, c := range cases {
		if got := c.t.OID(); got != c.oid {
			t.Errorf("%s: OID = %d, want %d", c.str, got, c.oid)
		}
		if got := c.t.Size(); got != c.size {
			t.Errorf("%s: Size = %d, want %d", c.str, got, c.size)
		}
		if got := c.t.Modifier(); got != c.modifier {
			t.Errorf("%s: Modifier = %d, want %d", c.str, got, c.modifier)
		}
		if got := c.t.String(); got != c.str {
			t.Errorf("String = %q, want %q", got, c.str)
		}
	}
	// The OID constants are PostgreSQL's pg_type OIDs.
	oids := map[uint32]uint32{OIDBool: 16, OIDInt8: 20, OIDInt2: 21, OIDInt4: 23, OIDText: 25, OIDFloat4: 700,
		OIDFloat8: 701, OIDUnknown: 705, OIDBpchar: 1042, OIDVarchar: 1043, OIDDate: 1082, OIDTimestamp: 1114, OIDNumeric: 1700}
	for got, want := range oids {
		if got != want {
			t.Errorf("OID constant %d, want %d", got, want)
		}
	}
}

func TestTypeClasses(t *testing.T) {
	all := []T{TUnknown, TBool, TInt2, TInt4, TInt8, TFloat4, TFloat8, TNumeric, TText, {ID: Varchar}, {ID: Char, Width: 1}, TDate, TTimestamp}
	for _, typ := range all {
		isInt := typ.ID == Int2 || typ.ID == Int4 || typ.ID == Int8
		isNum := isInt || typ.ID == Float4 || typ.ID == Float8 || typ.ID == Numeric
		isStr := typ.ID == Text || typ.ID == Varchar || typ.ID == Char
		if typ.IsInteger() != isInt || typ.IsNumeric() != isNum || typ.IsString() != isStr {
			t.Errorf("%s: IsInteger %v IsNumeric %v IsString %v", typ, typ.IsInteger(), typ.IsNumeric(), typ.IsString())
		}
	}
	f := func(a, b, want T) {
		t.Helper()
		if got := CommonNumeric(a, b); got != want {
			t.Errorf("CommonNumeric(%s, %s) = %s, want %s", a, b, got, want)
		}
		if got := CommonNumeric(b, a); got != want {
			t.Errorf("CommonNumeric(%s, %s) = %s, want %s", b, a, got, want)
		}
	}
	f(TInt2, TInt2, TInt2)
	f(TInt2, TInt4, TInt4)
	f(TInt4, TInt8, TInt8)
	f(TInt8, TNumeric, TNumeric)
	f(T{ID: Numeric, Precision: 5, Scale: 2}, TInt4, TNumeric) // modifiers are dropped
	f(TNumeric, TFloat4, TFloat4)
	f(TFloat4, TFloat8, TFloat8)
	f(TInt2, TFloat8, TFloat8)
}

func TestTimestampZoneIgnored(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		v, err := ParseTimestamp(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if got := Format(v); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
	f("2024-02-29 00:00:00Z", "2024-02-29 00:00:00")
	f("2024-02-29T10:11:12.5+05:30", "2024-02-29 10:11:12.5")
	f("2024-02-29 10:11:12-08", "2024-02-29 10:11:12")
	f("2024-02-29 10:11:12 UTC", "2024-02-29 10:11:12")
	f("2024-02-29 10:11:12+0530", "2024-02-29 10:11:12")
	if v, err := ParseDate("2024-02-29 00:00:00Z"); err != nil || Format(v) != "2024-02-29" {
		t.Errorf("date with zone: %v %v", v, err)
	}
}
