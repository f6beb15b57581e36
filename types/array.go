package types

import (
	"strings"

	"rustydb/sqlerr"
)

// Arrays are one-dimensional with lower bound 1. A value holds PostgreSQL's
// text form in canonical spelling ({1,2,NULL}, {"a b",c}) and its element
// type in I; ArrayElems parses it back. Arrays are rare in hot paths, so the
// value stays the size of every other.

// ArrayOf returns the array type with elements of type elem.
func ArrayOf(elem T) T { return T{ID: Array, Elem: elem.ID} }

// ElemType returns the element type of an array type.
func (t T) ElemType() T {
	e := T{ID: t.Elem}
	if e.ID == Char {
		e.Width = 1
	}
	return e
}

// NewArray builds an array value of elements of type elem.
func NewArray(elem T, vals []Value) Value {
	b := []byte{'{'}
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		if v.IsNull() {
			b = append(b, "NULL"...)
			continue
		}
		b = appendArrayElem(b, AppendText(nil, v, elem))
	}
	b = append(b, '}')
	return Value{K: KArray, I: int64(elem.ID), S: string(b)}
}

// appendArrayElem quotes an element's text where PostgreSQL's array output
// does: when empty, NULL, or containing a delimiter, brace, quote,
// backslash or white space.
func appendArrayElem(b, s []byte) []byte {
	quote := len(s) == 0 || strings.EqualFold(string(s), "null")
	for _, c := range s {
		if strings.IndexByte("{},\"\\ \t\n\r\v\f", c) >= 0 {
			quote = true
			break
		}
	}
	if !quote {
		return append(b, s...)
	}
	b = append(b, '"')
	for _, c := range s {
		if c == '"' || c == '\\' {
			b = append(b, '\\')
		}
		b = append(b, c)
	}
	return append(b, '"')
}

// ArrayElems returns the elements of array value v.
func ArrayElems(v Value) ([]Value, error) {
	return parseArrayElems(v.S, T{ID: ID(v.I)}.arrayElem())
}

func (t T) arrayElem() T { return ArrayOf(t).ElemType() }

// ParseArray reads PostgreSQL's array input for elements of type elem.
func ParseArray(s string, elem T) (Value, error) {
	vals, err := parseArrayElems(s, elem)
	if err != nil {
		return Null, err
	}
	return NewArray(elem, vals), nil
}

func parseArrayElems(s string, elem T) ([]Value, error) {
	malformed := func(detail string) error {
		return sqlerr.New(sqlerr.InvalidTextRepresentation, "malformed array literal: \"%s\"", s).WithDetail("%s", detail)
	}
	in := strings.TrimSpace(s)
	if in == "" || in[0] != '{' {
		return nil, malformed(`Array value must start with "{" or dimension information.`)
	}
	if len(in) < 2 || in[len(in)-1] != '}' {
		return nil, malformed("Unexpected end of input.")
	}
	in = in[1 : len(in)-1]
	var vals []Value
	if strings.TrimSpace(in) == "" {
		return vals, nil
	}
	for i := 0; ; {
		for i < len(in) && isArraySpace(in[i]) {
			i++
		}
		var text strings.Builder
		quoted := false
		if i < len(in) && in[i] == '"' {
			quoted = true
			i++
			for ; i < len(in) && in[i] != '"'; i++ {
				if in[i] == '\\' && i+1 < len(in) {
					i++
				}
				text.WriteByte(in[i])
			}
			if i >= len(in) {
				return nil, malformed("Unexpected end of input.")
			}
			i++
			for i < len(in) && isArraySpace(in[i]) {
				i++
			}
		} else {
			start := i
			for ; i < len(in) && in[i] != ','; i++ {
				switch in[i] {
				case '{', '}', '"':
					if in[i] == '{' {
						return nil, sqlerr.New(sqlerr.FeatureNotSupported, "multidimensional arrays are not supported")
					}
					return nil, malformed("Unexpected \"" + string(in[i]) + "\" character.")
				case '\\':
					i++
				}
			}
			raw := strings.TrimRight(in[start:i], " \t\n\r\v\f")
			for j := 0; j < len(raw); j++ {
				if raw[j] == '\\' && j+1 < len(raw) {
					j++
				}
				text.WriteByte(raw[j])
			}
			if raw == "" {
				return nil, malformed("Unexpected \",\" character.")
			}
		}
		if !quoted && strings.EqualFold(text.String(), "null") {
			vals = append(vals, Null)
		} else {
			v, err := Cast(NewText(text.String()), elem)
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
		}
		if i >= len(in) {
			return vals, nil
		}
		if in[i] != ',' {
			return nil, malformed("Unexpected array element.")
		}
		i++
	}
}

func isArraySpace(c byte) bool { return strings.IndexByte(" \t\n\r\v\f", c) >= 0 }

// compareArrays orders arrays element by element (a shorter prefix first),
// NULL elements after others, as PostgreSQL's btree array ops do.
func compareArrays(a, b Value) int {
	ae, err1 := ArrayElems(a)
	be, err2 := ArrayElems(b)
	if err1 != nil || err2 != nil {
		return strings.Compare(a.S, b.S)
	}
	for i := range min(len(ae), len(be)) {
		if c := Compare(ae[i], be[i]); c != 0 {
			return c
		}
	}
	return cmpInt(int64(len(ae)), int64(len(be)))
}

// appendArrayHashKey appends the elements' hash keys, so that arrays equal
// under compareArrays share a key.
func appendArrayHashKey(buf []byte, v Value) []byte {
	elems, err := ArrayElems(v)
	if err != nil {
		return append(buf, v.S...)
	}
	for _, e := range elems {
		buf = e.HashKey(buf)
	}
	return buf
}

// convertArray casts v to array type t: from text by parsing, from another
// array element by element.
func convertArray(v Value, t T) (Value, error) {
	elem := t.ElemType()
	switch v.K {
	case KText:
		return ParseArray(v.S, elem)
	case KArray:
		if ID(v.I) == elem.ID {
			return v, nil
		}
		elems, err := ArrayElems(v)
		if err != nil {
			return Null, err
		}
		for i, e := range elems {
			if elems[i], err = Cast(e, elem); err != nil {
				return Null, err
			}
		}
		return NewArray(elem, elems), nil
	}
	return Null, cannotCast(v, t)
}
