package plan

import (
	"rustydb/sqlerr"
	"rustydb/types"
)

func init() {
	for name, sig := range arrayFuncs {
		funcs[name] = sig
	}
}

// arrayFuncs are the signatures of the array functions (exec/array.go
// evaluates them).
var arrayFuncs = map[string]funcSig{
	"array_to_string": {2, 3, arrayThen(types.TText, types.TText, types.TText)},
	"array_length":    {2, 2, arrayThen(types.TInt4, types.TInt4)},
	"array_upper":     {2, 2, arrayThen(types.TInt4, types.TInt4)},
	"array_lower":     {2, 2, arrayThen(types.TInt4, types.TInt4)},
	"array_ndims":     {1, 1, arrayThen(types.TInt4)},
	"cardinality":     {1, 1, arrayThen(types.TInt4)},
	"array_append":    {2, 2, arrayAndElem(false)},
	"array_prepend":   {2, 2, arrayAndElem(true)},
	"array_cat":       {2, 2, twoArrays},
	"array_position":  {2, 2, arrayAndElemTo(types.TInt4)},
	"array_remove":    {2, 2, arrayAndElem(false)},
	"string_to_array": {2, 3, textArgs(types.ArrayOf(types.TText))},
}

// isArray checks that args[i] is an array (an untyped literal becomes text[]).
func isArray(b *Binder, args []Expr, i, pos int) (types.T, error) {
	args[i] = resolveUnknownAs(args[i], types.ArrayOf(types.TText))
	if t := args[i].Type(); t.ID == types.Array {
		return t, nil
	}
	return types.T{}, b.errAt(pos, sqlerr.UndefinedFunction, "function does not exist for argument type %s", args[i].Type()).
		WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
}

// arrayThen types f(array, more...) returning result; the other arguments
// are coerced to rest.
func arrayThen(result types.T, rest ...types.T) func(*Binder, []Expr, int) (types.T, error) {
	return func(b *Binder, args []Expr, pos int) (types.T, error) {
		if _, err := isArray(b, args, 0, pos); err != nil {
			return types.T{}, err
		}
		for i := 1; i < len(args); i++ {
			var err error
			if args[i], err = b.coerce(args[i], rest[i-1], pos, "function argument"); err != nil {
				return types.T{}, err
			}
		}
		return result, nil
	}
}

// arrayAndElem types array_append(array, elem) (or, with elemFirst,
// array_prepend(elem, array)), returning the array type.
func arrayAndElem(elemFirst bool) func(*Binder, []Expr, int) (types.T, error) {
	return func(b *Binder, args []Expr, pos int) (types.T, error) {
		ai, ei := 0, 1
		if elemFirst {
			ai, ei = 1, 0
		}
		t, err := isArray(b, args, ai, pos)
		if err != nil {
			return types.T{}, err
		}
		args[ei], err = b.coerce(args[ei], t.ElemType(), pos, "function argument")
		return t, err
	}
}

// arrayAndElemTo types f(array, elem) returning result.
func arrayAndElemTo(result types.T) func(*Binder, []Expr, int) (types.T, error) {
	return func(b *Binder, args []Expr, pos int) (types.T, error) {
		_, err := arrayAndElem(false)(b, args, pos)
		return result, err
	}
}

// twoArrays types array_cat(a, b): b converts to a's type.
func twoArrays(b *Binder, args []Expr, pos int) (types.T, error) {
	t, err := isArray(b, args, 0, pos)
	if err != nil {
		return types.T{}, err
	}
	args[1], err = b.coerce(args[1], t, pos, "function argument")
	return t, err
}

// arrayConcat binds || with an array operand: array_cat of two arrays,
// else array_append or array_prepend of an element.
func (b *Binder) arrayConcat(l, r Expr, pos int) (Expr, error) {
	name := "array_cat"
	switch {
	case l.Type().ID != types.Array:
		name = "array_prepend"
	case r.Type().ID != types.Array && r.Type().ID != types.Unknown:
		name = "array_append"
	}
	args := []Expr{l, r}
	t, err := funcs[name].result(b, args, pos)
	if err != nil {
		return nil, err
	}
	return &Func{Name: name, Args: args, T: t}, nil
}
