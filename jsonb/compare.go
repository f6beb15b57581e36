package jsonb

import (
	"strings"

	"github.com/cockroachdb/apd/v3"
)

// Compare orders two jsonb documents as PostgreSQL's btree operators do:
// by kind (Null < String < Number < Bool < Array < Object), arrays and
// objects by size first and then item by item (object keys in their stored
// order, compared as strings), scalars by value (numbers numerically,
// strings bytewise as under the C collation). A top-level scalar counts as
// a one-element array that sorts before a real array of the same size, so
// that [] sorts before every scalar, as in PostgreSQL.
func Compare(a, b Value) int {
	if a.IsScalar() || b.IsScalar() {
		if a.Kind == Object || b.Kind == Object {
			return compareItems(a, b) // a raw scalar is an array, below every object
		}
		la, lb := topLen(a), topLen(b)
		if la != lb {
			return cmpInt(la, lb)
		}
		switch {
		case a.IsScalar() && b.IsScalar():
			return compareItems(a, b)
		case a.IsScalar():
			return -1
		}
		return 1
	}
	return compareItems(a, b)
}

// topLen is the element count of a top-level value seen as an array.
func topLen(v Value) int {
	if v.IsScalar() {
		return 1
	}
	return len(v.Elems)
}

// compareItems orders two values below the top level.
func compareItems(a, b Value) int {
	if a.Kind != b.Kind {
		return cmpInt(int(a.Kind), int(b.Kind))
	}
	switch a.Kind {
	case Null:
		return 0
	case String:
		return strings.Compare(a.Str, b.Str)
	case Number:
		return compareNumbers(a.Str, b.Str)
	case Bool:
		return cmpInt(boolInt(a.True), boolInt(b.True))
	case Array:
		if len(a.Elems) != len(b.Elems) {
			return cmpInt(len(a.Elems), len(b.Elems))
		}
		for i := range a.Elems {
			if c := compareItems(a.Elems[i], b.Elems[i]); c != 0 {
				return c
			}
		}
		return 0
	}
	if len(a.Keys) != len(b.Keys) {
		return cmpInt(len(a.Keys), len(b.Keys))
	}
	for i := range a.Keys {
		if c := strings.Compare(a.Keys[i], b.Keys[i]); c != 0 {
			return c
		}
		if c := compareItems(a.Vals[i], b.Vals[i]); c != 0 {
			return c
		}
	}
	return 0
}

// Equal reports whether two jsonb documents are equal (1.0 equals 1.00).
func Equal(a, b Value) bool { return Compare(a, b) == 0 }

func compareNumbers(a, b string) int {
	if a == b {
		return 0
	}
	if isPlainInt(a) && isPlainInt(b) && len(a) < 19 && len(b) < 19 {
		return cmpInt(atoi(a), atoi(b))
	}
	da, _, err1 := apd.NewFromString(a)
	db, _, err2 := apd.NewFromString(b)
	if err1 != nil || err2 != nil {
		return strings.Compare(a, b)
	}
	return da.Cmp(db)
}

func atoi(s string) int {
	n, neg := 0, false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// AppendKey appends a key for v that two documents share exactly when
// they are Equal: the canonical text with numbers reduced (1.50 as 1.5).
// Grouping and DISTINCT key on it.
func AppendKey(b []byte, v Value) []byte {
	switch v.Kind {
	case Number:
		if isPlainInt(v.Str) {
			return append(b, v.Str...)
		}
		d, _, err := apd.NewFromString(v.Str)
		if err != nil {
			return append(b, v.Str...)
		}
		var r apd.Decimal
		r.Reduce(d)
		return append(b, r.Text('f')...)
	case Array:
		b = append(b, '[')
		for _, e := range v.Elems {
			b = AppendKey(b, e)
			b = append(b, ',')
		}
		return append(b, ']')
	case Object:
		b = append(b, '{')
		for i, k := range v.Keys {
			b = AppendString(b, k)
			b = append(b, ':')
			b = AppendKey(b, v.Vals[i])
			b = append(b, ',')
		}
		return append(b, '}')
	}
	return appendValue(b, v)
}
