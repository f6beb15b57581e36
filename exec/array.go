package exec

import (
	"slices"
	"strings"

	"rustydb/plan"
	"rustydb/types"
)

// arrayFunc returns the evaluator of an array function or constructor, or
// nil when name is not one. args are the compiled arguments.
func (c *Context) arrayFunc(e *plan.Func, args []evalFn) evalFn {
	var fn func(a []types.Value) (types.Value, error)
	elemOf := func(i int) types.T { return e.Args[i].Type().ElemType() }
	switch e.Name {
	case "array":
		elem := e.T.ElemType()
		return func(row []types.Value) (types.Value, error) {
			vals, err := evalAll(args, row)
			if err != nil {
				return types.Null, err
			}
			for i, v := range vals {
				if vals[i], err = types.Cast(v, elem); err != nil {
					return types.Null, err
				}
			}
			return types.NewArray(elem, vals), nil
		}
	case "array_subscript":
		fn = strict(func(a []types.Value) (types.Value, error) {
			elems, err := types.ArrayElems(a[0])
			if i := a[1].I; err != nil || i < 1 || i > int64(len(elems)) {
				return types.Null, err
			}
			return elems[a[1].I-1], nil
		})
	case "array_to_string":
		fn = func(a []types.Value) (types.Value, error) {
			if a[0].IsNull() || a[1].IsNull() {
				return types.Null, nil
			}
			elems, err := types.ArrayElems(a[0])
			if err != nil {
				return types.Null, err
			}
			var parts []string
			for _, v := range elems {
				switch {
				case !v.IsNull():
					parts = append(parts, string(types.AppendText(nil, v, elemOf(0))))
				case len(a) > 2 && !a[2].IsNull():
					parts = append(parts, a[2].S)
				}
			}
			return types.NewText(strings.Join(parts, a[1].S)), nil
		}
	case "array_length", "array_upper", "array_lower", "array_ndims", "cardinality":
		fn = strict(func(a []types.Value) (types.Value, error) {
			elems, err := types.ArrayElems(a[0])
			switch {
			case err != nil:
				return types.Null, err
			case e.Name == "cardinality":
				return types.NewInt(int64(len(elems))), nil
			case len(elems) == 0 || e.Name != "array_ndims" && a[1].I != 1:
				return types.Null, nil // empty arrays have no dimensions
			case e.Name == "array_lower", e.Name == "array_ndims":
				return types.NewInt(1), nil
			}
			return types.NewInt(int64(len(elems))), nil
		})
	case "array_append", "array_prepend", "array_cat", "array_remove", "array_position":
		fn = func(a []types.Value) (types.Value, error) {
			ai, other := 0, 1
			if e.Name == "array_prepend" {
				ai, other = 1, 0
			}
			if a[ai].IsNull() {
				if e.Name == "array_cat" || e.Name == "array_position" || e.Name == "array_remove" {
					return types.Null, nil
				}
				a[ai] = types.NewArray(e.T.ElemType(), nil)
			}
			elems, err := types.ArrayElems(a[ai])
			if err != nil {
				return types.Null, err
			}
			elem := elemOf(ai)
			switch e.Name {
			case "array_append":
				return types.NewArray(elem, append(elems, a[other])), nil
			case "array_prepend":
				return types.NewArray(elem, append([]types.Value{a[other]}, elems...)), nil
			case "array_cat":
				if a[1].IsNull() {
					return a[0], nil
				}
				more, err := types.ArrayElems(a[1])
				return types.NewArray(elem, append(elems, more...)), err
			case "array_remove":
				return types.NewArray(elem, slices.DeleteFunc(elems, func(v types.Value) bool { return notDistinct(v, a[1]) })), nil
			}
			if i := slices.IndexFunc(elems, func(v types.Value) bool { return notDistinct(v, a[1]) }); i >= 0 {
				return types.NewInt(int64(i + 1)), nil
			}
			return types.Null, nil
		}
	case "string_to_array":
		fn = func(a []types.Value) (types.Value, error) {
			if a[0].IsNull() {
				return types.Null, nil
			}
			var parts []string
			switch {
			case a[0].S == "":
			case a[1].IsNull():
				for _, r := range a[0].S {
					parts = append(parts, string(r))
				}
			case a[1].S == "":
				parts = []string{a[0].S}
			default:
				parts = strings.Split(a[0].S, a[1].S)
			}
			vals := make([]types.Value, len(parts))
			for i, p := range parts {
				if len(a) > 2 && !a[2].IsNull() && p == a[2].S {
					continue // NULL
				}
				vals[i] = types.NewText(p)
			}
			return types.NewArray(types.TText, vals), nil
		}
	default:
		return nil
	}
	return applied(args, fn)
}

// strict wraps a function that returns NULL when any argument is NULL.
func strict(fn func([]types.Value) (types.Value, error)) func([]types.Value) (types.Value, error) {
	return func(a []types.Value) (types.Value, error) {
		for _, v := range a {
			if v.IsNull() {
				return types.Null, nil
			}
		}
		return fn(a)
	}
}

// notDistinct is IS NOT DISTINCT FROM, which array_position and
// array_remove use to find elements (NULL finds NULL).
func notDistinct(a, b types.Value) bool {
	if a.IsNull() || b.IsNull() {
		return a.IsNull() && b.IsNull()
	}
	return types.Compare(a, b) == 0
}

// applied evaluates fn over the values of args.
func applied(args []evalFn, fn func([]types.Value) (types.Value, error)) evalFn {
	return func(row []types.Value) (types.Value, error) {
		vals, err := evalAll(args, row)
		if err != nil {
			return types.Null, err
		}
		return fn(vals)
	}
}

func evalAll(fns []evalFn, row []types.Value) ([]types.Value, error) {
	vals := make([]types.Value, len(fns))
	for i, f := range fns {
		v, err := f(row)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return vals, nil
}

// arrayRows returns the values x op ANY|ALL (array) compares x with, as
// one-column rows like a subquery's.
func arrayRows(v types.Value) ([][]types.Value, error) {
	if v.IsNull() {
		return nil, nil
	}
	elems, err := types.ArrayElems(v)
	rows := make([][]types.Value, len(elems))
	for i, e := range elems {
		rows[i] = []types.Value{e}
	}
	return rows, err
}

// subqueryArray is the value of ARRAY(subquery): its rows' column.
func subqueryArray(e *plan.Subquery, rows [][]types.Value) types.Value {
	vals := make([]types.Value, len(rows))
	for i, r := range rows {
		vals[i] = r[0]
	}
	return types.NewArray(e.T.ElemType(), vals)
}

// unnestOp produces the elements of an array, one row each.
type unnestOp struct {
	arr   evalFn
	elems []types.Value
	pos   int
}

func (o *unnestOp) Init() error {
	v, err := o.arr(nil)
	if err != nil || v.IsNull() {
		o.elems = nil
		return err
	}
	o.elems, err = types.ArrayElems(v)
	o.pos = 0
	return err
}

func (o *unnestOp) Next() ([]types.Value, error) {
	if o.pos >= len(o.elems) {
		return nil, nil
	}
	o.pos++
	return []types.Value{o.elems[o.pos-1]}, nil
}

func (o *unnestOp) Close() {}
