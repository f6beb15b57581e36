// Package jsonb is RustyDB's JSON document model: reading JSON text with
// PostgreSQL's rules and error messages, the canonical form of a jsonb, the
// order and equality of jsonb values, and the operations behind the json
// and jsonb operators and functions. It knows nothing of SQL values: package
// types wraps documents in values, and the executor calls the operations.
//
// A json value keeps its input text exactly; ParseJSON reads it into a tree
// whose nodes remember their source text, which is what json's operators
// return. A jsonb value keeps its canonical text, which is what PostgreSQL
// prints for a jsonb:
//
//   - object keys sorted shorter first, then bytewise, each key once (the
//     last of duplicates wins);
//   - numbers in numeric's output form (1.50 stays 1.50, 1e2 is 100, -0 is 0);
//   - strings with only ", \, control characters escaped;
//   - ", " between items and ": " after keys: {"a": 1, "b": [1, 2]}.
//
// Canonical text is itself JSON, so storage, text output and the binary
// wire format need no conversion, and Decode reads it back without
// re-normalizing.
package jsonb

import (
	"sort"
	"strconv"
	"strings"
)

// Kind is the type of a JSON value. The constants are in PostgreSQL's jsonb
// type order (Null < String < Number < Bool < Array < Object), which
// Compare uses between values of different kinds.
type Kind uint8

const (
	Null Kind = iota
	String
	Number
	Bool
	Array
	Object
)

// Value is one JSON value, a tree for containers. Values are immutable once
// built: operations return new trees that may share subtrees.
type Value struct {
	Kind Kind
	// Str is a string's decoded text or a number's text: as written for a
	// json tree, numeric's output form for a jsonb.
	Str   string
	True  bool     // a Bool's value
	Elems []Value  // an Array's elements
	Keys  []string // an Object's keys; for jsonb sorted and unique
	Vals  []Value  // an Object's values, matching Keys
	// Raw is the value's source text in a tree from ParseJSON; empty for
	// jsonb trees.
	Raw string
}

// NewString, NewBool and NewArray build values; NullValue is JSON null.
func NewString(s string) Value             { return Value{Kind: String, Str: s} }
func NewBool(b bool) Value                 { return Value{Kind: Bool, True: b} }
func NewArray(elems []Value) Value         { return Value{Kind: Array, Elems: elems} }
func (v Value) IsScalar() bool             { return v.Kind < Array }
func (v Value) String() string             { return string(v.AppendText(nil)) }
func (v Value) AppendText(b []byte) []byte { return appendValue(b, v) }

// NullValue is JSON null.
var NullValue = Value{Kind: Null}

// NewObject returns an object of keys and vals in jsonb's canonical order,
// the last of duplicate keys winning. It takes ownership of the slices.
func NewObject(keys []string, vals []Value) Value {
	keys, vals = normalizeObject(keys, vals)
	return Value{Kind: Object, Keys: keys, Vals: vals}
}

// TypeName is jsonb_typeof's name of v's kind.
func (v Value) TypeName() string {
	switch v.Kind {
	case String:
		return "string"
	case Number:
		return "number"
	case Bool:
		return "boolean"
	case Array:
		return "array"
	case Object:
		return "object"
	}
	return "null"
}

// compareKeys orders object keys as jsonb stores them: shorter first,
// then bytewise.
func compareKeys(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// normalizeObject sorts keys (and vals with them) into canonical order and
// drops all but the last of equal keys, in place.
func normalizeObject(keys []string, vals []Value) ([]string, []Value) {
	sorted := true
	for i := 1; i < len(keys); i++ {
		if compareKeys(keys[i-1], keys[i]) >= 0 {
			sorted = false
			break
		}
	}
	if sorted {
		return keys, vals
	}
	// a stable sort keeps equal keys in input order, so the last is the winner
	sort.Stable(pairs{keys, vals})
	n := 0
	for i := range keys {
		if i+1 < len(keys) && keys[i+1] == keys[i] {
			continue
		}
		keys[n], vals[n] = keys[i], vals[i]
		n++
	}
	return keys[:n], vals[:n]
}

// pairs sorts an object's keys and values together.
type pairs struct {
	keys []string
	vals []Value
}

func (p pairs) Len() int           { return len(p.keys) }
func (p pairs) Less(i, j int) bool { return compareKeys(p.keys[i], p.keys[j]) < 0 }
func (p pairs) Swap(i, j int) {
	p.keys[i], p.keys[j] = p.keys[j], p.keys[i]
	p.vals[i], p.vals[j] = p.vals[j], p.vals[i]
}

// Field returns the value of key in object v. Of duplicate keys (a json
// tree may have them) the last wins, as in PostgreSQL's json operators.
func (v Value) Field(key string) (Value, bool) {
	if v.Kind != Object {
		return Value{}, false
	}
	for i := len(v.Keys) - 1; i >= 0; i-- {
		if v.Keys[i] == key {
			return v.Vals[i], true
		}
	}
	return Value{}, false
}

// Index returns element i of array v, counting from the end when i is
// negative (-1 is the last).
func (v Value) Index(i int) (Value, bool) {
	if v.Kind != Array {
		return Value{}, false
	}
	if i < 0 {
		i += len(v.Elems)
	}
	if i < 0 || i >= len(v.Elems) {
		return Value{}, false
	}
	return v.Elems[i], true
}

// appendValue appends v's canonical jsonb text.
func appendValue(b []byte, v Value) []byte {
	switch v.Kind {
	case Null:
		return append(b, "null"...)
	case String:
		return AppendString(b, v.Str)
	case Number:
		return append(b, v.Str...)
	case Bool:
		if v.True {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case Array:
		b = append(b, '[')
		for i, e := range v.Elems {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendValue(b, e)
		}
		return append(b, ']')
	}
	b = append(b, '{')
	for i, k := range v.Keys {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = AppendString(b, k)
		b = append(b, ": "...)
		b = appendValue(b, v.Vals[i])
	}
	return append(b, '}')
}

// AppendString appends s as a JSON string literal, escaped as PostgreSQL's
// escape_json does: quote, backslash and control characters only.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, `\"`...)
		case '\\':
			b = append(b, `\\`...)
		case '\b':
			b = append(b, `\b`...)
		case '\f':
			b = append(b, `\f`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		default:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Pretty is jsonb_pretty's text: one item a line, indented by four spaces.
func (v Value) Pretty() string {
	return string(appendPretty(nil, v, 0))
}

func appendPretty(b []byte, v Value, level int) []byte {
	if v.IsScalar() {
		return appendValue(b, v)
	}
	open, end, n := byte('['), byte(']'), len(v.Elems)
	if v.Kind == Object {
		open, end, n = '{', '}', len(v.Keys)
	}
	b = append(b, open)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '\n')
		b = append(b, strings.Repeat("    ", level+1)...)
		if v.Kind == Object {
			b = AppendString(b, v.Keys[i])
			b = append(b, ": "...)
			b = appendPretty(b, v.Vals[i], level+1)
		} else {
			b = appendPretty(b, v.Elems[i], level+1)
		}
	}
	b = append(b, '\n')
	b = append(b, strings.Repeat("    ", level)...)
	return append(b, end)
}

// ScalarText is the text ->> and #>> return for v: a string's own text, a
// number's or boolean's spelling, a container's JSON (raw is that JSON in a
// json tree, canonical for jsonb); JSON null has none (false).
func (v Value) ScalarText() (string, bool) {
	switch v.Kind {
	case Null:
		return "", false
	case String:
		return v.Str, true
	case Number:
		return v.Str, true
	case Bool:
		return strconv.FormatBool(v.True), true
	}
	return v.Text(), true
}

// Text is v's JSON text: its source text in a json tree, else canonical.
func (v Value) Text() string {
	if v.Raw != "" {
		return v.Raw
	}
	return v.String()
}
