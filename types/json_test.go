package types

import (
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"

	"rustydb/sqlerr"
)

func TestJSONCasts(t *testing.T) {
	f := func(in Value, to T, want string, wantKind Kind) {
		t.Helper()
		got, err := Cast(in, to)
		if err != nil || got.K != wantKind || Format(got) != want {
			t.Errorf("Cast(%s, %s) = %s (kind %d), %v; want %s", Format(in), to, Format(got), got.K, err, want)
		}
	}
	f(NewText(` {"b":1, "a" : [1.50]} `), TJSON, ` {"b":1, "a" : [1.50]} `, KJSON)
	f(NewText(` {"b":1, "a" : [1.50]} `), TJSONB, `{"a": [1.50], "b": 1}`, KJSONB)
	f(Value{K: KJSON, S: `{"a":1,"a":2}`}, TJSONB, `{"a": 2}`, KJSONB)
	f(Value{K: KJSONB, S: `{"a": 1}`}, TJSON, `{"a": 1}`, KJSON)
	f(Value{K: KJSONB, S: `{"a": 1}`}, TText, `{"a": 1}`, KText)
	f(Value{K: KJSONB, S: `2.5`}, TInt4, `3`, KInt)
	f(Value{K: KJSONB, S: `1.50`}, TNumeric, `1.50`, KDecimal)
	f(Value{K: KJSONB, S: `1e2`}, TFloat8, `100`, KFloat)
	f(Value{K: KJSONB, S: `true`}, TBool, `t`, KBool)
	for _, c := range []struct {
		in   Value
		to   T
		code string
	}{
		{NewText(`{"a":}`), TJSON, sqlerr.InvalidTextRepresentation},
		{NewText(`[1,`), TJSONB, sqlerr.InvalidTextRepresentation},
		{Value{K: KJSONB, S: `"1"`}, TNumeric, sqlerr.InvalidParameterValue},
		{Value{K: KJSONB, S: `{}`}, TInt4, sqlerr.InvalidParameterValue},
		{Value{K: KJSONB, S: `1`}, TBool, sqlerr.InvalidParameterValue},
		{Value{K: KJSONB, S: `99999`}, TInt2, sqlerr.NumericValueOutOfRange},
	} {
		if _, err := Cast(c.in, c.to); sqlerr.Code(err) != c.code {
			t.Errorf("Cast(%s, %s): %v, want SQLSTATE %s", Format(c.in), c.to, err, c.code)
		}
	}
}

func TestJSONBCompareAndHash(t *testing.T) {
	a, _ := ParseJSONB(`{"a": 1.0}`)
	b, _ := ParseJSONB(`{"a":1}`)
	c, _ := ParseJSONB(`{"a":2}`)
	if Compare(a, b) != 0 || string(a.HashKey(nil)) != string(b.HashKey(nil)) {
		t.Errorf("1.0 and 1 must be equal and group together")
	}
	if Compare(a, c) >= 0 || string(a.HashKey(nil)) == string(c.HashKey(nil)) {
		t.Errorf("{a:1} must sort before {a:2}")
	}
}

func TestAppendJSON(t *testing.T) {
	loc := time.FixedZone("", 5*3600+30*60)
	f := func(v Value, typ T, want string) {
		t.Helper()
		b, err := AppendJSON(nil, v, typ, loc)
		if err != nil || string(b) != want {
			t.Errorf("AppendJSON(%s) = %s, %v; want %s", Format(v), b, err, want)
		}
	}
	f(NewText("a\"b"), TText, `"a\"b"`)
	f(NewFloat(1e20), TFloat8, `1e+20`)
	f(NewFloat(0), TFloat8, `0`)
	f(NewDecimal(apd.New(150, -2)), TNumeric, `1.50`)
	f(NewBool(true), TBool, `true`)
	f(NewArray(TInt4, []Value{NewInt(1), Null}), ArrayOf(TInt4), `[1,null]`)
	f(NewTimestamp(0), TTimestamp, `"1970-01-01T00:00:00"`)
	f(NewTimestampTZ(0), TTimestampTZ, `"1970-01-01T05:30:00+05:30"`)
	f(NewDate(1), TDate, `"1970-01-02"`)
	f(Value{K: KJSON, S: `{"a" : 1}`}, TJSON, `{"a" : 1}`)
}
