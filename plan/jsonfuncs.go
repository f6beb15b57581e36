package plan

import (
	"strings"

	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

// Typing of json and jsonb: their operators, functions, aggregates and
// the functions that expand a document into rows in FROM (exec/json.go
// evaluates them all).

func init() {
	for name, sig := range jsonFuncs {
		funcs[name] = sig
	}
}

var (
	textArray = types.ArrayOf(types.TText)
	// jsonTypes is json's and jsonb's type by the prefix of their functions.
	jsonTypes = map[string]types.T{"json": types.TJSON, "jsonb": types.TJSONB}
)

var jsonFuncs = map[string]funcSig{
	"to_json":                 {1, 1, anyArgs(types.TJSON)},
	"to_jsonb":                {1, 1, anyArgs(types.TJSONB)},
	"json_build_object":       {0, 100, anyArgs(types.TJSON)},
	"jsonb_build_object":      {0, 100, anyArgs(types.TJSONB)},
	"json_build_array":        {0, 100, anyArgs(types.TJSON)},
	"jsonb_build_array":       {0, 100, anyArgs(types.TJSONB)},
	"json_typeof":             {1, 1, jsonArgs(types.TJSON, types.TText)},
	"jsonb_typeof":            {1, 1, jsonArgs(types.TJSONB, types.TText)},
	"json_array_length":       {1, 1, jsonArgs(types.TJSON, types.TInt4)},
	"jsonb_array_length":      {1, 1, jsonArgs(types.TJSONB, types.TInt4)},
	"json_extract_path":       {2, 100, jsonArgs(types.TJSON, types.TJSON, types.TText)},
	"jsonb_extract_path":      {2, 100, jsonArgs(types.TJSONB, types.TJSONB, types.TText)},
	"json_extract_path_text":  {2, 100, jsonArgs(types.TJSON, types.TText, types.TText)},
	"jsonb_extract_path_text": {2, 100, jsonArgs(types.TJSONB, types.TText, types.TText)},
	"jsonb_set":               {3, 4, jsonArgs(types.TJSONB, types.TJSONB, textArray, types.TJSONB, types.TBool)},
	"jsonb_strip_nulls":       {1, 1, jsonArgs(types.TJSONB, types.TJSONB)},
	"jsonb_pretty":            {1, 1, jsonArgs(types.TJSONB, types.TText)},
}

// anyArgs types a function of any arguments (untyped literals read as
// text) returning result.
func anyArgs(result types.T) func(*Binder, []Expr, int) (types.T, error) {
	return func(b *Binder, args []Expr, pos int) (types.T, error) {
		for i := range args {
			args[i] = resolveUnknown(args[i])
		}
		return result, nil
	}
}

// jsonArgs types f(doc, rest...) returning result: doc is of type doc, the
// others are coerced to rest in turn, the last of rest repeating (the
// variadic path of json_extract_path).
func jsonArgs(doc, result types.T, rest ...types.T) func(*Binder, []Expr, int) (types.T, error) {
	return func(b *Binder, args []Expr, pos int) (types.T, error) {
		for i := range args {
			want := doc
			if i > 0 {
				want = rest[min(i-1, len(rest)-1)]
			}
			x, err := b.coerceArg(args[i], want, pos)
			if err != nil {
				return types.T{}, err
			}
			args[i] = x
		}
		return result, nil
	}
}

// coerceArg converts a function or operator argument to t: an untyped
// literal is read as t, a string type becomes text, an integer of at most
// int4 widens to int4; anything else of another type is 42883.
func (b *Binder) coerceArg(e Expr, t types.T, pos int) (Expr, error) {
	et := e.Type()
	ok := et.ID == types.Unknown || et.ID == t.ID && et.Elem == t.Elem ||
		t.ID == types.Text && et.IsString() ||
		t.ID == types.Int4 && (et.ID == types.Int2 || et.ID == types.Int4) ||
		t.ID == types.Array && et.ID == types.Array && et.ElemType().IsString() && t.Elem == types.Text
	if !ok {
		return nil, b.errAt(pos, sqlerr.UndefinedFunction, "function does not exist for argument type %s", et).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
	}
	return b.coerce(e, t, pos, "function argument")
}

// jsonOp types the operators of json and jsonb, or reports false when op
// with these operands is not one of them.
func (b *Binder) jsonOp(op string, l, r Expr, pos int) (Expr, bool, error) {
	lt, rt := l.Type(), r.Type()
	isJSON := func(t types.T) bool { return t.ID == types.JSON || t.ID == types.JSONB }
	bin := func(l, r Expr, t types.T) (Expr, bool, error) { return &Binary{Op: op, L: l, R: r, T: t}, true, nil }
	// right converts the right operand to t, or fails as PostgreSQL does
	// when no operator matches.
	right := func(t types.T) (Expr, error) {
		x, err := b.coerceArg(r, t, pos)
		if err != nil && sqlerr.Code(err) == sqlerr.UndefinedFunction {
			return nil, b.opError(op, l, r, pos)
		}
		return x, err
	}
	switch op {
	case "->", "->>", "#>", "#>>":
		if !isJSON(lt) {
			return nil, true, b.opError(op, l, r, pos)
		}
		want := textArray
		if op == "->" || op == "->>" {
			want = types.TText
			if rt.IsInteger() {
				want = types.TInt4
			}
		}
		x, err := right(want)
		if err != nil {
			return nil, true, err
		}
		result := types.TText
		if op == "->" || op == "#>" {
			result = lt
		}
		return bin(l, x, result)
	case "@>", "<@", "?", "?|", "?&", "#-":
		if lt.ID != types.JSONB {
			return nil, true, b.opError(op, l, r, pos)
		}
		want := textArray
		switch op {
		case "@>", "<@":
			want = types.TJSONB
		case "?":
			want = types.TText
		}
		x, err := right(want)
		if err != nil {
			return nil, true, err
		}
		if op == "#-" {
			return bin(l, x, types.TJSONB)
		}
		return bin(l, x, types.TBool)
	case "||":
		if !(lt.ID == types.JSONB && (rt.ID == types.JSONB || rt.ID == types.Unknown) || rt.ID == types.JSONB && lt.ID == types.Unknown) {
			return nil, false, nil
		}
		var err error
		if l, err = b.coerce(l, types.TJSONB, pos, "||"); err != nil {
			return nil, true, err
		}
		if r, err = b.coerce(r, types.TJSONB, pos, "||"); err != nil {
			return nil, true, err
		}
		return bin(l, r, types.TJSONB)
	case "-":
		if lt.ID != types.JSONB {
			return nil, false, nil
		}
		want := types.TText
		switch {
		case rt.IsInteger():
			want = types.TInt4
		case rt.ID == types.Array:
			want = textArray
		}
		x, err := right(want)
		if err != nil {
			return nil, true, err
		}
		return bin(l, x, types.TJSONB)
	case "=", "<>", "<", "<=", ">", ">=", "is distinct from", "is not distinct from":
		// json has no equality or order; PostgreSQL has no such operators
		if lt.ID == types.JSON || rt.ID == types.JSON {
			return nil, true, b.opError(op, l, r, pos)
		}
	}
	return nil, false, nil
}

// castableJSON reports the casts of json and jsonb besides text's: into
// each other (on assignment too), and a jsonb scalar to a number or a
// boolean (explicitly only).
func castableJSON(from, to types.T, assign bool) bool {
	switch {
	case from.ID == types.JSON && to.ID == types.JSONB, from.ID == types.JSONB && to.ID == types.JSON:
		return true
	case from.ID == types.JSONB && !assign:
		return to.IsNumeric() || to.ID == types.Bool
	}
	return false
}

// Indexable rejects a btree index (so a primary key or unique constraint
// too) over json, which has no ordering.
func Indexable(t types.T) error {
	if t.ID == types.JSON {
		return sqlerr.New(sqlerr.UndefinedObject, "data type json has no default operator class for access method \"btree\"").
			WithHint("You must specify an operator class for the index or define a default operator class for the data type.")
	}
	return nil
}

// needsEquality rejects a GROUP BY or DISTINCT over json, which has no
// equality operator.
func (b *Binder) needsEquality(t types.T, pos int) error {
	if t.ID == types.JSON {
		return b.errAt(pos, sqlerr.UndefinedFunction, "could not identify an equality operator for type json")
	}
	return nil
}

// needsOrdering rejects an ORDER BY of json, which has no ordering.
func (b *Binder) needsOrdering(t types.T, pos int) error {
	if t.ID == types.JSON {
		return b.errAt(pos, sqlerr.UndefinedFunction, "could not identify an ordering operator for type json").
			WithHint("Use an explicit ordering operator or modify the query.")
	}
	return nil
}

// jsonAggType is the result type of a json aggregate: jsonb for the
// jsonb ones.
func jsonAggType(name string) types.T {
	if strings.HasPrefix(name, "jsonb") {
		return types.TJSONB
	}
	return types.TJSON
}

// JSONTable expands a json or jsonb document into rows, as the functions
// json(b)_array_elements(_text), json(b)_each(_text) and
// json(b)_object_keys do in FROM. Doc is a statement constant or, in a
// lateral position, reads the row to its left.
type JSONTable struct {
	Func string
	Doc  Expr
	Cols []Column
}

func (n *JSONTable) Columns() []Column { return n.Cols }

// bindJSONTable binds one of JSONTable's functions, or reports false for
// another name. The columns have their names (value, key) unless the
// function returns a single unnamed column (json_object_keys).
func (b *Binder) bindJSONTable(name string, f *sql.FuncRef) (Node, bool, error) {
	prefix, fn, ok := splitJSONName(name)
	if !ok {
		return nil, false, nil
	}
	t := jsonTypes[prefix]
	value := t
	if fn == "array_elements_text" || fn == "each_text" {
		value = types.TText
	}
	var cols []Column
	switch fn {
	case "array_elements", "array_elements_text":
		cols = []Column{{Name: "value", Type: value, Scalar: true}}
	case "each", "each_text":
		cols = []Column{{Name: "key", Type: types.TText}, {Name: "value", Type: value}}
	case "object_keys":
		cols = []Column{{Name: name, Type: types.TText}}
	default:
		return nil, false, nil
	}
	if len(f.Args) != 1 {
		return nil, true, b.errAt(f.Pos, sqlerr.UndefinedFunction, "function %s with %d arguments does not exist", name, len(f.Args))
	}
	doc, err := b.bindExpr(&scope{}, nil, f.Args[0])
	if err != nil {
		return nil, true, err
	}
	if doc, err = b.coerceArg(doc, t, f.Pos); err != nil {
		return nil, true, err
	}
	return &JSONTable{Func: name, Doc: doc, Cols: cols}, true, nil
}

// splitJSONName splits json_each into json and each (jsonb_each too).
func splitJSONName(name string) (prefix, fn string, ok bool) {
	for _, p := range []string{"jsonb_", "json_"} {
		if len(name) > len(p) && name[:len(p)] == p {
			return p[:len(p)-1], name[len(p):], true
		}
	}
	return "", "", false
}

// bindLateralFunc binds a function in FROM after other items: like
// PostgreSQL, its arguments may read their columns (an implicit LATERAL),
// in which case it is joined to them and runs once per row of theirs.
func (b *Binder) bindLateralFunc(left Node, f *sql.FuncRef) (Node, error) {
	b.outer = append(b.outer, &scope{cols: left.Columns()})
	level := len(b.outer) - 1
	saved := b.minOuter
	b.minOuter = level + 1
	n, err := b.bindTableFunc(f)
	lateral := b.minOuter <= level
	b.minOuter = min(saved, b.minOuter)
	b.outer = b.outer[:level]
	if err != nil || !lateral {
		// bound again without the scope, so that references to enclosing
		// queries count their depth without it
		return b.bindTableFunc(f)
	}
	return &Join{Kind: "cross", Lateral: true, Left: left, Right: n, Cols: concatCols(left.Columns(), n.Columns())}, nil
}
