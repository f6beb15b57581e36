package types

import (
	"strings"
	"time"

	"rustydb/jsonb"
	"rustydb/sqlerr"
)

// A json value keeps its input text in S, validated; a jsonb value keeps
// its canonical text (see package jsonb), so that both print, store and go
// over the wire as they are, and a jsonb is decoded only by the operations
// that look inside it.

// NewJSONB returns the jsonb value of document d.
func NewJSONB(d jsonb.Value) Value { return Value{K: KJSONB, S: d.String()} }

// JSONBDoc decodes a jsonb value's document.
func JSONBDoc(v Value) (jsonb.Value, error) { return jsonb.Decode(v.S) }

// ParseJSON reads json input: valid JSON text, kept as it is.
func ParseJSON(s string) (Value, error) {
	if err := jsonb.CheckJSON(s); err != nil {
		return Null, err
	}
	return Value{K: KJSON, S: s}, nil
}

// ParseJSONB reads jsonb input into its canonical form.
func ParseJSONB(s string) (Value, error) {
	d, err := jsonb.Parse(s)
	if err != nil {
		return Null, err
	}
	return NewJSONB(d), nil
}

// compareJSONB orders jsonb values as PostgreSQL's btree operators do.
func compareJSONB(a, b Value) int {
	if a.S == b.S {
		return 0
	}
	da, err1 := JSONBDoc(a)
	db, err2 := JSONBDoc(b)
	if err1 != nil || err2 != nil {
		return strings.Compare(a.S, b.S)
	}
	return jsonb.Compare(da, db)
}

func appendJSONBHashKey(buf []byte, v Value) []byte {
	d, err := JSONBDoc(v)
	if err != nil {
		return append(buf, v.S...)
	}
	return jsonb.AppendKey(buf, d)
}

// castJSON converts to and from json and jsonb, or reports false when
// neither side is one of them. Text reads as either; json and jsonb convert
// into each other; a jsonb scalar converts to a number or boolean of its
// kind (22023 for any other jsonb).
func castJSON(v Value, t T, assign bool) (Value, bool, error) {
	switch t.ID {
	case JSON:
		switch v.K {
		case KJSON:
			return v, true, nil
		case KJSONB:
			return Value{K: KJSON, S: v.S}, true, nil
		case KText:
			r, err := ParseJSON(v.S)
			return r, true, err
		}
		return Null, true, cannotCast(v, t)
	case JSONB:
		switch v.K {
		case KJSONB:
			return v, true, nil
		case KJSON, KText:
			r, err := ParseJSONB(v.S)
			return r, true, err
		}
		return Null, true, cannotCast(v, t)
	}
	switch v.K {
	case KJSON, KJSONB:
	default:
		return Null, false, nil
	}
	switch {
	case t.ID == Unknown:
		return v, true, nil
	case t.IsString():
		r, err := fitString(v.S, t, assign)
		return r, true, err
	case v.K == KJSONB && (t.IsNumeric() || t.ID == Bool):
		r, err := jsonbScalar(v, t)
		return r, true, err
	}
	return Null, true, cannotCast(v, t)
}

// jsonbScalar is jsonb::numeric (and the other number types) and
// jsonb::boolean: the scalar of that kind, converted on from numeric.
func jsonbScalar(v Value, t T) (Value, error) {
	d, err := JSONBDoc(v)
	if err != nil {
		return Null, err
	}
	want := jsonb.Number
	if t.ID == Bool {
		want = jsonb.Bool
	}
	if d.Kind != want {
		return Null, sqlerr.New(sqlerr.InvalidParameterValue, "cannot cast jsonb %s to type %s", d.TypeName(), t)
	}
	if t.ID == Bool {
		return NewBool(d.True), nil
	}
	n, err := convert(NewText(d.Str), TNumeric, false)
	if err != nil {
		return Null, err
	}
	return convert(n, t, false)
}

// AppendJSON appends v, of type t, as json text, as to_json does:
// numbers and booleans as JSON literals (NaN and infinities as strings),
// arrays as JSON arrays, date and time stamps in ISO 8601 ("T" between
// date and time, timestamptz with its offset in loc), json and jsonb as
// they are, anything else as a JSON string of its text. NULL is null.
func AppendJSON(b []byte, v Value, t T, loc *time.Location) ([]byte, error) {
	switch v.K {
	case KNull:
		return append(b, "null"...), nil
	case KBool:
		if v.I != 0 {
			return append(b, "true"...), nil
		}
		return append(b, "false"...), nil
	case KInt, KFloat, KDecimal:
		s := AppendText(nil, v, t)
		if !jsonb.IsNumber(string(s)) { // NaN, Infinity
			return jsonb.AppendString(b, string(s)), nil
		}
		return append(b, s...), nil
	case KJSON, KJSONB:
		return append(b, v.S...), nil
	case KArray:
		elems, err := ArrayElems(v)
		if err != nil {
			return nil, err
		}
		b = append(b, '[')
		for i, e := range elems {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = AppendJSON(b, e, t.ElemType(), loc); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case KTimestamp:
		return jsonb.AppendString(b, strings.Replace(string(appendTimestamp(nil, v.I)), " ", "T", 1)), nil
	case KTimestampTZ:
		off := ZoneOffset(v.I, loc)
		s := strings.Replace(string(appendTimestamp(nil, v.I+off*1_000_000)), " ", "T", 1)
		bc := strings.HasSuffix(s, " BC")
		s = strings.TrimSuffix(s, " BC")
		sign := byte('+')
		if off < 0 {
			sign, off = '-', -off
		}
		o := appendPadded([]byte{sign}, int(off/3600), 2)
		o = appendPadded(append(o, ':'), int(off/60%60), 2)
		if off%60 != 0 {
			o = appendPadded(append(o, ':'), int(off%60), 2)
		}
		s += string(o)
		if bc {
			s += " BC"
		}
		return jsonb.AppendString(b, s), nil
	}
	return jsonb.AppendString(b, string(AppendTextIn(nil, v, t, loc))), nil
}

// ToJSONB converts v, of type t, to a jsonb document, as to_jsonb does:
// the document of to_json's text, normalized.
func ToJSONB(v Value, t T, loc *time.Location) (jsonb.Value, error) {
	if v.K == KJSONB {
		return JSONBDoc(v)
	}
	b, err := AppendJSON(nil, v, t, loc)
	if err != nil {
		return jsonb.Value{}, err
	}
	return jsonb.Parse(string(b))
}
