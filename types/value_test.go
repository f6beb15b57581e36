package types

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"
)

// dec parses a decimal literal for a test, keeping its scale.
func dec(t testing.TB, s string) Value {
	t.Helper()
	d, _, err := apd.NewFromString(s)
	if err != nil {
		t.Fatalf("bad decimal %q: %v", s, err)
	}
	return NewDecimal(d)
}

// days returns the day number of a proleptic Gregorian date (year 0 is 1 BC).
func days(y, m, d int) int64 {
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// ts returns microseconds since the epoch for a date and time of day.
func ts(y, mo, d, h, mi, s, us int) int64 {
	return days(y, mo, d)*usPerDay + int64(h)*3600_000_000 + int64(mi)*60_000_000 + int64(s)*1_000_000 + int64(us)
}

func TestAppendText(t *testing.T) {
	f := func(name string, v Value, typ T, want string) {
		t.Helper()
		if got := string(AppendText(nil, v, typ)); got != want {
			t.Errorf("%s: AppendText = %q, want %q", name, got, want)
		}
		// Appending keeps what is already in the buffer.
		if got := string(AppendText([]byte("x|"), v, typ)); got != "x|"+want {
			t.Errorf("%s: AppendText onto a buffer = %q, want %q", name, got, "x|"+want)
		}
	}
	f32 := func(x float32) Value { return NewFloat(float64(x)) }

	f("null", Null, TUnknown, "")
	f("true", NewBool(true), TBool, "t")
	f("false", NewBool(false), TBool, "f")
	f("zero", NewInt(0), TInt4, "0")
	f("negative int", NewInt(-42), TInt4, "-42")
	f("int2", NewInt(-32768), TInt2, "-32768")
	f("max int8", NewInt(math.MaxInt64), TInt8, "9223372036854775807")
	f("min int8", NewInt(math.MinInt64), TInt8, "-9223372036854775808")

	// float8: shortest round-trip digits; exponent form below 1e-4 and from 1e15.
	f("1e20", NewFloat(1e20), TFloat8, "1e+20")
	f("1e21", NewFloat(1e21), TFloat8, "1e+21")
	f("1e-5", NewFloat(1e-5), TFloat8, "1e-05")
	f("big", NewFloat(12345678901234567890), TFloat8, "1.2345678901234567e+19")
	f("100000", NewFloat(100000), TFloat8, "100000")
	f("0.1", NewFloat(0.1), TFloat8, "0.1")
	tenth, fifth := 0.1, 0.2
	f("0.1+0.2", NewFloat(tenth+fifth), TFloat8, "0.30000000000000004")
	f("-1.5", NewFloat(-1.5), TFloat8, "-1.5")
	f("zero", NewFloat(0), TFloat8, "0")
	f("negative zero", NewFloat(math.Copysign(0, -1)), TFloat8, "-0")
	f("NaN", NewFloat(math.NaN()), TFloat8, "NaN")
	f("Infinity", NewFloat(math.Inf(1)), TFloat8, "Infinity")
	f("-Infinity", NewFloat(math.Inf(-1)), TFloat8, "-Infinity")
	f("1e14", NewFloat(1e14), TFloat8, "100000000000000")
	f("1e15", NewFloat(1e15), TFloat8, "1e+15")
	f("1e16", NewFloat(1e16), TFloat8, "1e+16")
	f("1e29", NewFloat(1e29), TFloat8, "1e+29")
	f("just below 1e15", NewFloat(999999999999999.9), TFloat8, "999999999999999.9")
	f("15 digits", NewFloat(123456789012345.6), TFloat8, "123456789012345.6")
	f("0.0001", NewFloat(0.0001), TFloat8, "0.0001")
	f("0.00012345", NewFloat(0.00012345), TFloat8, "0.00012345")
	f("0.000099", NewFloat(0.000099), TFloat8, "9.9e-05")
	f("1e100", NewFloat(1e100), TFloat8, "1e+100")
	f("1.5e300", NewFloat(1.5e300), TFloat8, "1.5e+300")
	f("1e-122", NewFloat(1e-122), TFloat8, "1e-122")
	f("min normal", NewFloat(2.2250738585072014e-308), TFloat8, "2.2250738585072014e-308")
	f("subnormal", NewFloat(1e-310), TFloat8, "1e-310")
	f("smallest subnormal", NewFloat(5e-324), TFloat8, "5e-324")
	f("max", NewFloat(math.MaxFloat64), TFloat8, "1.7976931348623157e+308")
	// Without a type, a float prints with double precision.
	f("float4 value as float8", f32(0.1), TUnknown, "0.10000000149011612")

	// float4 (real): shortest digits for a float32; exponent form from 1e6.
	f("real 0.1", f32(0.1), TFloat4, "0.1")
	f("real 123456789", f32(123456789), TFloat4, "1.2345679e+08")
	f("real 100000", f32(100000), TFloat4, "100000")
	f("real 999999", f32(999999), TFloat4, "999999")
	f("real 1e6", f32(1e6), TFloat4, "1e+06")
	f("real 9999999", f32(9999999), TFloat4, "9.999999e+06")
	f("real 1e-5", f32(1e-5), TFloat4, "1e-05")
	f("real 0.0001", f32(0.0001), TFloat4, "0.0001")
	f("real 3.4e38", f32(3.4e38), TFloat4, "3.4e+38")
	f("real 1.5", f32(1.5), TFloat4, "1.5")
	f("real -0", NewFloat(math.Copysign(0, -1)), TFloat4, "-0")
	f("real NaN", NewFloat(math.NaN()), TFloat4, "NaN")
	f("real -Infinity", NewFloat(math.Inf(-1)), TFloat4, "-Infinity")

	// numeric keeps its scale.
	f("numeric 1.50", dec(t, "1.50"), TNumeric, "1.50")
	f("numeric 0.0", dec(t, "0.0"), TNumeric, "0.0")
	f("numeric -1.5", dec(t, "-1.5"), TNumeric, "-1.5")
	f("numeric -0.0", dec(t, "-0.0"), TNumeric, "0.0")
	f("numeric 1e3", dec(t, "1e3"), TNumeric, "1000")
	f("numeric 1.5e-3", dec(t, "1.5e-3"), TNumeric, "0.0015")
	f("numeric big", dec(t, "123456789012345678901234567890.123"), TNumeric, "123456789012345678901234567890.123")

	f("text", NewText("héllo"), TText, "héllo")
	f("empty text", NewText(""), TText, "")

	f("epoch", NewDate(0), TDate, "1970-01-01")
	f("day before epoch", NewDate(-1), TDate, "1969-12-31")
	f("leap day 2000", NewDate(days(2000, 2, 29)), TDate, "2000-02-29")
	f("leap day 2024", NewDate(days(2024, 2, 29)), TDate, "2024-02-29")
	f("1900 is not leap", NewDate(days(1900, 2, 28)+1), TDate, "1900-03-01")
	f("1900-01-01", NewDate(days(1900, 1, 1)), TDate, "1900-01-01")
	f("year 1", NewDate(days(1, 1, 1)), TDate, "0001-01-01")
	f("1 BC", NewDate(days(0, 12, 31)), TDate, "0001-12-31 BC")
	f("44 BC", NewDate(days(-43, 3, 15)), TDate, "0044-03-15 BC")
	f("year 10000", NewDate(days(10000, 1, 1)), TDate, "10000-01-01")

	f("ts epoch", NewTimestamp(0), TTimestamp, "1970-01-01 00:00:00")
	f("ts", NewTimestamp(ts(2024, 1, 15, 13, 45, 30, 0)), TTimestamp, "2024-01-15 13:45:30")
	f("ts .5", NewTimestamp(ts(2024, 1, 15, 13, 45, 30, 500000)), TTimestamp, "2024-01-15 13:45:30.5")
	f("ts micro", NewTimestamp(ts(1960, 6, 15, 10, 20, 30, 1)), TTimestamp, "1960-06-15 10:20:30.000001")
	f("ts .123456", NewTimestamp(ts(2024, 1, 15, 0, 0, 0, 123456)), TTimestamp, "2024-01-15 00:00:00.123456")
	f("ts before epoch", NewTimestamp(-500000), TTimestamp, "1969-12-31 23:59:59.5")
	f("ts one micro before epoch", NewTimestamp(-1), TTimestamp, "1969-12-31 23:59:59.999999")
	f("ts 1900", NewTimestamp(ts(1900, 3, 1, 0, 0, 1, 0)), TTimestamp, "1900-03-01 00:00:01")
	f("ts BC", NewTimestamp(ts(-43, 3, 15, 12, 0, 0, 0)), TTimestamp, "0044-03-15 12:00:00 BC")
	f("ts BC frac", NewTimestamp(ts(0, 1, 1, 0, 0, 0, 250000)), TTimestamp, "0001-01-01 00:00:00.25 BC")
}

func TestFormatAndString(t *testing.T) {
	f := func(v Value, want string) {
		t.Helper()
		if got := Format(v); got != want {
			t.Errorf("Format(%#v) = %q, want %q", v, got, want)
		}
		if got := v.String(); got != want {
			t.Errorf("String(%#v) = %q, want %q", v, got, want)
		}
	}
	f(Null, "")
	f(NewBool(true), "t")
	f(NewInt(7), "7")
	f(NewFloat(2.5), "2.5")
	f(NewFloat(1e15), "1e+15")
	f(dec(t, "2.500"), "2.500")
	f(NewText("x"), "x")
	f(NewDate(days(2023, 7, 4)), "2023-07-04")
	f(NewTimestamp(ts(2023, 7, 4, 1, 2, 3, 40000)), "2023-07-04 01:02:03.04")
}

func TestCompare(t *testing.T) {
	f := func(a, b Value, want int) {
		t.Helper()
		if got := Compare(a, b); got != want {
			t.Errorf("Compare(%v, %v) = %d, want %d", a, b, got, want)
		}
		if got := Compare(b, a); got != -want {
			t.Errorf("Compare(%v, %v) = %d, want %d", b, a, got, -want)
		}
		if got := a.Equal(b); got != (want == 0) {
			t.Errorf("Equal(%v, %v) = %v", a, b, got)
		}
	}
	nan := NewFloat(math.NaN())
	inf := NewFloat(math.Inf(1))

	f(NewBool(false), NewBool(true), -1)
	f(NewBool(true), NewBool(true), 0)
	f(NewInt(1), NewInt(2), -1)
	f(NewInt(math.MinInt64), NewInt(math.MaxInt64), -1)
	f(NewInt(5), NewInt(5), 0)

	// Mixed number kinds compare by value.
	f(NewInt(1), dec(t, "1.0"), 0)
	f(NewInt(2), dec(t, "1.5"), 1)
	f(NewInt(-2), dec(t, "-1.5"), -1)
	f(NewInt(1), NewFloat(1.5), -1)
	f(NewInt(3), NewFloat(3), 0)
	f(dec(t, "1.5"), NewFloat(1.5), 0)
	f(dec(t, "0.1"), NewFloat(0.25), -1)
	f(NewInt(1<<53+1), dec(t, "9007199254740992"), 1)
	f(dec(t, "1.0"), dec(t, "1.00"), 0)
	f(dec(t, "-0"), dec(t, "0.00"), 0)
	f(dec(t, "2.01"), dec(t, "2.1"), -1)

	// Floats: -0 equals 0, NaN equals itself and sorts above everything.
	f(NewFloat(math.Copysign(0, -1)), NewFloat(0), 0)
	f(nan, nan, 0)
	f(nan, inf, 1)
	f(nan, NewFloat(1), 1)
	f(nan, NewInt(math.MaxInt64), 1)
	f(NewFloat(math.Inf(-1)), NewFloat(-math.MaxFloat64), -1)
	f(inf, dec(t, "1e300"), 1)

	f(NewText("a"), NewText("b"), -1)
	f(NewText("B"), NewText("a"), -1) // bytes, no collation
	f(NewText("ab"), NewText("a"), 1)
	f(NewText(""), NewText(""), 0)

	// date vs timestamp: a date is midnight of its day.
	d := NewDate(days(2024, 1, 1))
	f(d, NewTimestamp(ts(2024, 1, 1, 0, 0, 0, 0)), 0)
	f(d, NewTimestamp(ts(2024, 1, 1, 0, 0, 0, 1)), -1)
	f(d, NewTimestamp(ts(2023, 12, 31, 23, 59, 59, 999999)), 1)
	f(NewDate(-1), NewTimestamp(-1), -1)
	f(NewDate(-1), NewTimestamp(-usPerDay), 0)
	f(NewDate(days(1999, 12, 31)), NewDate(days(2000, 1, 1)), -1)
	f(NewTimestamp(-1), NewTimestamp(0), -1)

	// NULL sorts after every value.
	for _, v := range []Value{NewInt(math.MaxInt64), inf, nan, NewText("zzz"), d, NewBool(true), dec(t, "1e100")} {
		f(Null, v, 1)
	}
	f(Null, Null, 0)
}

func TestHashKeyMatchesCompare(t *testing.T) {
	// Values within one kind: HashKey equality must be exactly Compare == 0.
	groups := map[string][]Value{
		"int":  {NewInt(0), NewInt(1), NewInt(-1), NewInt(36), NewInt(math.MaxInt64), NewInt(math.MinInt64)},
		"bool": {NewBool(true), NewBool(false)},
		"float": {
			NewFloat(0), NewFloat(math.Copysign(0, -1)), NewFloat(1), NewFloat(-1), NewFloat(0.1),
			NewFloat(math.NaN()), NewFloat(math.Float64frombits(0x7ff8000000000001)), NewFloat(-math.NaN()),
			NewFloat(math.Inf(1)), NewFloat(math.Inf(-1)), NewFloat(5e-324),
		},
		"numeric": {
			dec(t, "1"), dec(t, "1.0"), dec(t, "1.00"), dec(t, "10"), dec(t, "1e1"), dec(t, "0.1"),
			dec(t, "0"), dec(t, "0.000"), dec(t, "-0"), dec(t, "-0.0"), dec(t, "-1"), dec(t, "100"), dec(t, "1E+2"),
			dec(t, "12.3400"), dec(t, "12.34"),
		},
		"text":      {NewText(""), NewText("a"), NewText("A"), NewText("a "), NewText("ab"), NewText("a\x00")},
		"date":      {NewDate(0), NewDate(-1), NewDate(1)},
		"timestamp": {NewTimestamp(0), NewTimestamp(-1), NewTimestamp(usPerDay)},
	}
	for name, vals := range groups {
		for i, a := range vals {
			for j, b := range vals {
				eq := Compare(a, b) == 0
				heq := bytes.Equal(a.HashKey(nil), b.HashKey(nil))
				if eq != heq {
					t.Errorf("%s: values %d (%v) and %d (%v): Compare equal %v, HashKey equal %v",
						name, i, a, j, b, eq, heq)
				}
			}
		}
	}

	// HashKey appends: the prefix stays and composite keys are unambiguous.
	key := func(vs ...Value) string {
		var buf []byte
		for _, v := range vs {
			buf = v.HashKey(buf)
		}
		return string(buf)
	}
	if got := string(NewInt(5).HashKey([]byte("pre"))); got[:3] != "pre" {
		t.Errorf("HashKey dropped the buffer prefix: %q", got)
	}
	distinct := [][2][]Value{
		{{NewText("a"), NewText("bc")}, {NewText("ab"), NewText("c")}},
		{{NewText("a\x00"), NewText("")}, {NewText("a"), NewText("\x00")}},
		{{Null, NewText("")}, {NewText(""), Null}},
		{{NewInt(1), NewInt(23)}, {NewInt(12), NewInt(3)}},
		{{NewDate(1)}, {NewTimestamp(1)}},
		{{NewInt(0)}, {Null}},
	}
	for _, c := range distinct {
		if key(c[0]...) == key(c[1]...) {
			t.Errorf("HashKey of %v and %v collide", c[0], c[1])
		}
	}
	if key(Null) != key(Null) {
		t.Errorf("HashKey of NULL is not stable")
	}
}

func TestValueAccessors(t *testing.T) {
	if !Null.IsNull() || NewInt(0).IsNull() || NewText("").IsNull() {
		t.Errorf("IsNull is wrong")
	}
	if !NewBool(true).Bool() || NewBool(false).Bool() {
		t.Errorf("Bool is wrong")
	}
	d := dec(t, "2.50")
	if d.Decimal().String() != "2.50" {
		t.Errorf("Decimal() = %s", d.Decimal())
	}
	f := func(v Value, want float64) {
		t.Helper()
		if got := v.Float(); got != want {
			t.Errorf("Float(%v) = %v, want %v", v, got, want)
		}
	}
	f(NewInt(-3), -3)
	f(NewFloat(0.5), 0.5)
	f(dec(t, "2.25"), 2.25)
	g := func(v Value, want string) {
		t.Helper()
		if got := v.ToDecimal().Text('f'); got != want {
			t.Errorf("ToDecimal(%v) = %s, want %s", v, got, want)
		}
	}
	g(NewInt(-42), "-42")
	g(dec(t, "1.50"), "1.50")
	// float8 to numeric goes through 15 significant digits, as in PostgreSQL.
	g(NewFloat(0.1), "0.1")
	g(NewFloat(1e20), "100000000000000000000")
	g(NewFloat(1.0/3), "0.333333333333333")
	g(NewFloat(-2.5), "-2.5")
}
