package jsonb

import (
	"math"
	"strconv"
	"strings"

	"rustydb/sqlerr"
)

// The operations behind the jsonb operators and functions, with
// PostgreSQL's results for the edge cases (a path through a scalar, an
// index past the end) and its errors (SQLSTATE 22023 for an operation the
// value's kind does not allow).

func invalidParameter(format string, args ...any) error {
	return sqlerr.New(sqlerr.InvalidParameterValue, format, args...)
}

// pathIndex reads a path element used on an array as PostgreSQL's strtol
// does (leading blanks and a sign allowed, nothing after the digits); false
// when it is not an integer in int32's range.
func pathIndex(s string) (int, bool) {
	t := strings.TrimLeft(s, " \t\n\r\v\f")
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n > math.MaxInt32 || n <= math.MinInt32 {
		return 0, false
	}
	return int(n), true
}

// Path follows path (object keys, array indexes, negative from the end) as
// #> does; false when a step does not exist.
func (v Value) Path(path []string) (Value, bool) {
	for _, step := range path {
		switch v.Kind {
		case Object:
			var ok bool
			if v, ok = v.Field(step); !ok {
				return Value{}, false
			}
		case Array:
			i, ok := pathIndex(step)
			if !ok {
				return Value{}, false
			}
			if v, ok = v.Index(i); !ok {
				return Value{}, false
			}
		default:
			return Value{}, false
		}
	}
	return v, true
}

// Contains reports whether a contains b, as a @> b does: an object
// contains an object whose every pair it has (values contained in turn),
// an array contains an array whose every element matches one of its own
// (and a scalar, as a one-element array), a scalar contains an equal
// scalar. Containers of different kinds never contain each other.
func Contains(a, b Value) bool {
	switch {
	case a.IsScalar() && b.IsScalar():
		return Equal(a, b)
	case a.Kind == Array && b.IsScalar():
		return arrayContains(a, NewArray([]Value{b}))
	case a.Kind != b.Kind:
		return false
	case a.Kind == Array:
		return arrayContains(a, b)
	}
	return objectContains(a, b)
}

func objectContains(a, b Value) bool {
	if len(b.Keys) > len(a.Keys) {
		return false
	}
	for i, k := range b.Keys {
		av, ok := a.Field(k)
		if !ok {
			return false
		}
		bv := b.Vals[i]
		if bv.IsScalar() {
			if !av.IsScalar() || compareItems(av, bv) != 0 {
				return false
			}
			continue
		}
		if av.Kind != bv.Kind || !containerContains(av, bv) {
			return false
		}
	}
	return true
}

func containerContains(a, b Value) bool {
	if a.Kind == Array {
		return arrayContains(a, b)
	}
	return objectContains(a, b)
}

func arrayContains(a, b Value) bool {
	for _, e := range b.Elems {
		found := false
		for _, x := range a.Elems {
			if e.IsScalar() {
				found = x.IsScalar() && compareItems(x, e) == 0
			} else {
				found = x.Kind == e.Kind && containerContains(x, e)
			}
			if found {
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Exists reports whether key is a top-level key of object v, or a string
// element of array v (or v itself, a string), as the ? operator does.
func (v Value) Exists(key string) bool {
	switch v.Kind {
	case Object:
		_, ok := v.Field(key)
		return ok
	case Array:
		for _, e := range v.Elems {
			if e.Kind == String && e.Str == key {
				return true
			}
		}
	case String:
		return v.Str == key
	}
	return false
}

// Concat is a || b: two objects merge (b's keys win), anything else
// concatenates as arrays, a non-array counting as a one-element array.
func Concat(a, b Value) Value {
	if a.Kind == Object && b.Kind == Object {
		keys := append(append(make([]string, 0, len(a.Keys)+len(b.Keys)), a.Keys...), b.Keys...)
		vals := append(append(make([]Value, 0, len(a.Vals)+len(b.Vals)), a.Vals...), b.Vals...)
		return NewObject(keys, vals)
	}
	elems := func(v Value) []Value {
		if v.Kind == Array {
			return v.Elems
		}
		return []Value{v}
	}
	ea, eb := elems(a), elems(b)
	return NewArray(append(append(make([]Value, 0, len(ea)+len(eb)), ea...), eb...))
}

// DeleteKeys is jsonb - text and - text[]: the object without keys, or the
// array without its string elements equal to one of them.
func (v Value) DeleteKeys(keys ...string) (Value, error) {
	drop := func(s string) bool {
		for _, k := range keys {
			if k == s {
				return true
			}
		}
		return false
	}
	switch v.Kind {
	case Object:
		out := Value{Kind: Object}
		for i, k := range v.Keys {
			if !drop(k) {
				out.Keys = append(out.Keys, k)
				out.Vals = append(out.Vals, v.Vals[i])
			}
		}
		return out, nil
	case Array:
		out := Value{Kind: Array}
		for _, e := range v.Elems {
			if e.Kind != String || !drop(e.Str) {
				out.Elems = append(out.Elems, e)
			}
		}
		return out, nil
	}
	return Value{}, invalidParameter("cannot delete from scalar")
}

// DeleteIndex is jsonb - integer: the array without element i (negative
// from the end); an index out of range changes nothing.
func (v Value) DeleteIndex(i int) (Value, error) {
	switch v.Kind {
	case Object:
		return Value{}, invalidParameter("cannot delete from object using integer index")
	case Array:
		if i < 0 {
			i += len(v.Elems)
		}
		if i < 0 || i >= len(v.Elems) {
			return v, nil
		}
		elems := append(append(make([]Value, 0, len(v.Elems)-1), v.Elems[:i]...), v.Elems[i+1:]...)
		return NewArray(elems), nil
	}
	return Value{}, invalidParameter("cannot delete from scalar")
}

// notInteger is the error for a path step that must index an array.
func notInteger(pos int, step string) error {
	return sqlerr.New(sqlerr.InvalidTextRepresentation, "path element at position %d is not an integer: \"%s\"", pos, step)
}

// DeletePath is jsonb #- text[]: v without the value at path; a path that
// does not lead anywhere changes nothing.
func (v Value) DeletePath(path []string) (Value, error) {
	if v.IsScalar() {
		return Value{}, invalidParameter("cannot delete path in scalar")
	}
	if len(path) == 0 {
		return v, nil
	}
	return deletePath(v, path, 1)
}

func deletePath(v Value, path []string, pos int) (Value, error) {
	step := path[0]
	switch v.Kind {
	case Object:
		for i, k := range v.Keys {
			if k != step {
				continue
			}
			out := Value{Kind: Object, Keys: v.Keys, Vals: v.Vals}
			if len(path) == 1 {
				out.Keys = append(append([]string(nil), v.Keys[:i]...), v.Keys[i+1:]...)
				out.Vals = append(append([]Value(nil), v.Vals[:i]...), v.Vals[i+1:]...)
				return out, nil
			}
			if v.Vals[i].IsScalar() {
				return v, nil
			}
			sub, err := deletePath(v.Vals[i], path[1:], pos+1)
			if err != nil {
				return Value{}, err
			}
			out.Vals = append([]Value(nil), v.Vals...)
			out.Vals[i] = sub
			return out, nil
		}
		return v, nil
	case Array:
		i, ok := pathIndex(step)
		if !ok {
			return Value{}, notInteger(pos, step)
		}
		if i < 0 {
			i += len(v.Elems)
		}
		if i < 0 || i >= len(v.Elems) {
			return v, nil
		}
		if len(path) == 1 {
			return v.DeleteIndex(i)
		}
		if v.Elems[i].IsScalar() {
			return v, nil
		}
		sub, err := deletePath(v.Elems[i], path[1:], pos+1)
		if err != nil {
			return Value{}, err
		}
		elems := append([]Value(nil), v.Elems...)
		elems[i] = sub
		return NewArray(elems), nil
	}
	return v, nil
}

// Set is jsonb_set(v, path, nv, create): v with the value at path
// replaced by nv, or added when create and only the last step is missing.
// A path through a scalar, or missing before its last step, changes
// nothing; an index before the start or past the end adds at that end.
func (v Value) Set(path []string, nv Value, create bool) (Value, error) {
	if v.IsScalar() {
		return Value{}, invalidParameter("cannot set path in scalar")
	}
	if len(path) == 0 {
		return v, nil
	}
	return setPath(v, path, nv, create, 1)
}

func setPath(v Value, path []string, nv Value, create bool, pos int) (Value, error) {
	step, last := path[0], len(path) == 1
	switch v.Kind {
	case Object:
		for i, k := range v.Keys {
			if k != step {
				continue
			}
			sub := nv
			if !last {
				if v.Vals[i].IsScalar() {
					return v, nil
				}
				var err error
				if sub, err = setPath(v.Vals[i], path[1:], nv, create, pos+1); err != nil {
					return Value{}, err
				}
			}
			vals := append([]Value(nil), v.Vals...)
			vals[i] = sub
			return Value{Kind: Object, Keys: v.Keys, Vals: vals}, nil
		}
		if !last || !create {
			return v, nil
		}
		keys := append(append([]string(nil), v.Keys...), step)
		vals := append(append([]Value(nil), v.Vals...), nv)
		return NewObject(keys, vals), nil
	case Array:
		i, ok := pathIndex(step)
		if !ok {
			return Value{}, notInteger(pos, step)
		}
		if i < 0 {
			i += len(v.Elems)
		}
		if i < 0 || i >= len(v.Elems) {
			if !last || !create {
				return v, nil
			}
			if i < 0 {
				return NewArray(append([]Value{nv}, v.Elems...)), nil
			}
			return NewArray(append(append([]Value(nil), v.Elems...), nv)), nil
		}
		sub := nv
		if !last {
			if v.Elems[i].IsScalar() {
				return v, nil
			}
			var err error
			if sub, err = setPath(v.Elems[i], path[1:], nv, create, pos+1); err != nil {
				return Value{}, err
			}
		}
		elems := append([]Value(nil), v.Elems...)
		elems[i] = sub
		return NewArray(elems), nil
	}
	return v, nil
}

// StripNulls is jsonb_strip_nulls: v without object fields whose value is
// null, at every depth (null array elements stay).
func (v Value) StripNulls() Value {
	switch v.Kind {
	case Array:
		elems := make([]Value, len(v.Elems))
		for i, e := range v.Elems {
			elems[i] = e.StripNulls()
		}
		return Value{Kind: Array, Elems: elems}
	case Object:
		out := Value{Kind: Object}
		for i, k := range v.Keys {
			if v.Vals[i].Kind == Null {
				continue
			}
			out.Keys = append(out.Keys, k)
			out.Vals = append(out.Vals, v.Vals[i].StripNulls())
		}
		return out
	}
	return v
}
