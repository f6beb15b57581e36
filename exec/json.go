package exec

import (
	"strings"

	"rustydb/jsonb"
	"rustydb/plan"
	"rustydb/sqlerr"
	"rustydb/types"
)

// The json and jsonb operators, functions, aggregates and FROM functions.
// A jsonb value holds canonical text and a json value its input text (see
// package types); each operation decodes the document it needs, and the
// jsonb package does the work.

// docOf decodes a json or jsonb value; a json tree keeps its source text,
// which json's operators return.
func docOf(v types.Value) (jsonb.Value, error) {
	if v.K == types.KJSON {
		return jsonb.ParseJSON(v.S)
	}
	return types.JSONBDoc(v)
}

// valueOf wraps d as a value of type t (json or jsonb).
func valueOf(d jsonb.Value, t types.T) types.Value {
	if t.ID == types.JSON {
		return types.Value{K: types.KJSON, S: d.Text()}
	}
	return types.NewJSONB(d)
}

// textOf is ->>'s result for d: its text, NULL for JSON null.
func textOf(d jsonb.Value) types.Value {
	s, ok := d.ScalarText()
	if !ok {
		return types.Null
	}
	return types.NewText(s)
}

// textElems returns the non-NULL elements of a text[] value and whether
// any element was NULL.
func textElems(v types.Value) ([]string, bool, error) {
	elems, err := types.ArrayElems(v)
	if err != nil {
		return nil, false, err
	}
	out := make([]string, 0, len(elems))
	hasNull := false
	for _, e := range elems {
		if e.IsNull() {
			hasNull = true
			continue
		}
		out = append(out, e.S)
	}
	return out, hasNull, nil
}

// jsonOp compiles a json or jsonb operator, or returns nil for another.
// = and the other comparisons of jsonb are ordinary comparisons
// (types.Compare orders jsonb).
func (c *Context) jsonOp(e *plan.Binary, l, r evalFn) evalFn {
	lt, rt := e.L.Type(), e.R.Type()
	if lt.ID != types.JSON && lt.ID != types.JSONB {
		return nil
	}
	var fn func(doc jsonb.Value, r types.Value) (types.Value, error)
	switch e.Op {
	case "->", "->>":
		text := e.Op == "->>"
		fn = func(doc jsonb.Value, r types.Value) (types.Value, error) {
			var d jsonb.Value
			var ok bool
			if rt.ID == types.Int4 {
				d, ok = doc.Index(int(r.I))
			} else {
				d, ok = doc.Field(r.S)
			}
			switch {
			case !ok:
				return types.Null, nil
			case text:
				return textOf(d), nil
			}
			return valueOf(d, lt), nil
		}
	case "#>", "#>>":
		text := e.Op == "#>>"
		fn = func(doc jsonb.Value, r types.Value) (types.Value, error) {
			path, hasNull, err := textElems(r)
			if err != nil || hasNull {
				return types.Null, err
			}
			d, ok := doc.Path(path)
			switch {
			case !ok:
				return types.Null, nil
			case text:
				return textOf(d), nil
			}
			return valueOf(d, lt), nil
		}
	case "@>", "<@":
		fn = func(doc jsonb.Value, r types.Value) (types.Value, error) {
			other, err := types.JSONBDoc(r)
			if err != nil {
				return types.Null, err
			}
			if e.Op == "<@" {
				return types.NewBool(jsonb.Contains(other, doc)), nil
			}
			return types.NewBool(jsonb.Contains(doc, other)), nil
		}
	case "?":
		fn = func(doc jsonb.Value, r types.Value) (types.Value, error) {
			return types.NewBool(doc.Exists(r.S)), nil
		}
	case "?|", "?&":
		all := e.Op == "?&"
		fn = func(doc jsonb.Value, r types.Value) (types.Value, error) {
			keys, _, err := textElems(r)
			if err != nil {
				return types.Null, err
			}
			for _, k := range keys {
				if doc.Exists(k) != all {
					return types.NewBool(!all), nil
				}
			}
			return types.NewBool(all), nil
		}
	case "||":
		if e.T.ID != types.JSONB {
			return nil // json || text is text's concatenation
		}
		fn = func(doc jsonb.Value, r types.Value) (types.Value, error) {
			other, err := types.JSONBDoc(r)
			if err != nil {
				return types.Null, err
			}
			return types.NewJSONB(jsonb.Concat(doc, other)), nil
		}
	case "-":
		fn = func(doc jsonb.Value, r types.Value) (types.Value, error) {
			var d jsonb.Value
			var err error
			switch rt.ID {
			case types.Int4:
				d, err = doc.DeleteIndex(int(r.I))
			case types.Array:
				var keys []string
				if keys, _, err = textElems(r); err == nil {
					d, err = doc.DeleteKeys(keys...)
				}
			default:
				d, err = doc.DeleteKeys(r.S)
			}
			if err != nil {
				return types.Null, err
			}
			return types.NewJSONB(d), nil
		}
	case "#-":
		fn = func(doc jsonb.Value, r types.Value) (types.Value, error) {
			path, hasNull, err := textElems(r)
			if err != nil {
				return types.Null, err
			}
			if hasNull {
				return types.Null, sqlerr.New(sqlerr.InvalidParameterValue, "path element at position %d is null", nullPosition(r))
			}
			d, err := doc.DeletePath(path)
			if err != nil {
				return types.Null, err
			}
			return types.NewJSONB(d), nil
		}
	default:
		return nil
	}
	return func(row []types.Value) (types.Value, error) {
		a, err := l(row)
		if err != nil || a.IsNull() {
			return types.Null, err
		}
		b, err := r(row)
		if err != nil || b.IsNull() {
			return types.Null, err
		}
		doc, err := docOf(a)
		if err != nil {
			return types.Null, err
		}
		return fn(doc, b)
	}
}

// nullPosition is the 1-based position of the first NULL in array v.
func nullPosition(v types.Value) int {
	elems, _ := types.ArrayElems(v)
	for i, e := range elems {
		if e.IsNull() {
			return i + 1
		}
	}
	return 0
}

// jsonFunc compiles a json or jsonb function, or returns nil for another.
func (c *Context) jsonFunc(e *plan.Func, args []evalFn) evalFn {
	argType := func(i int) types.T { return e.Args[i].Type() }
	var fn func(a []types.Value) (types.Value, error)
	switch e.Name {
	case "to_json":
		fn = strict(func(a []types.Value) (types.Value, error) {
			b, err := types.AppendJSON(nil, a[0], argType(0), c.Loc)
			return types.Value{K: types.KJSON, S: string(b)}, err
		})
	case "to_jsonb":
		fn = strict(func(a []types.Value) (types.Value, error) {
			d, err := types.ToJSONB(a[0], argType(0), c.Loc)
			return types.NewJSONB(d), err
		})
	case "json_build_array":
		fn = func(a []types.Value) (types.Value, error) {
			b := []byte{'['}
			for i, v := range a {
				if i > 0 {
					b = append(b, ", "...)
				}
				var err error
				if b, err = types.AppendJSON(b, v, argType(i), c.Loc); err != nil {
					return types.Null, err
				}
			}
			return types.Value{K: types.KJSON, S: string(append(b, ']'))}, nil
		}
	case "jsonb_build_array":
		fn = func(a []types.Value) (types.Value, error) {
			elems := make([]jsonb.Value, len(a))
			for i, v := range a {
				var err error
				if elems[i], err = c.toJSONB(v, argType(i)); err != nil {
					return types.Null, err
				}
			}
			return types.NewJSONB(jsonb.NewArray(elems)), nil
		}
	case "json_build_object", "jsonb_build_object":
		fn = func(a []types.Value) (types.Value, error) {
			if len(a)%2 != 0 {
				return types.Null, sqlerr.New(sqlerr.InvalidParameterValue, "argument list must have even number of elements").
					WithHint("The arguments of %s() must consist of alternating keys and values.", e.Name)
			}
			keys := make([]string, len(a)/2)
			for i := range keys {
				k := a[2*i]
				if k.IsNull() {
					return types.Null, sqlerr.New(sqlerr.InvalidParameterValue, "argument %d cannot be null", 2*i+1).
						WithHint("Object keys should be text.")
				}
				var err error
				if keys[i], err = c.keyText(k, argType(2*i)); err != nil {
					return types.Null, err
				}
			}
			if e.Name == "json_build_object" {
				b := []byte{'{'}
				for i, k := range keys {
					if i > 0 {
						b = append(b, ", "...)
					}
					b = append(jsonb.AppendString(b, k), " : "...)
					var err error
					if b, err = types.AppendJSON(b, a[2*i+1], argType(2*i+1), c.Loc); err != nil {
						return types.Null, err
					}
				}
				return types.Value{K: types.KJSON, S: string(append(b, '}'))}, nil
			}
			vals := make([]jsonb.Value, len(keys))
			for i := range vals {
				var err error
				if vals[i], err = c.toJSONB(a[2*i+1], argType(2*i+1)); err != nil {
					return types.Null, err
				}
			}
			return types.NewJSONB(jsonb.NewObject(keys, vals)), nil
		}
	case "json_typeof", "jsonb_typeof":
		fn = strict(func(a []types.Value) (types.Value, error) {
			d, err := docOf(a[0])
			return types.NewText(d.TypeName()), err
		})
	case "json_array_length", "jsonb_array_length":
		fn = strict(func(a []types.Value) (types.Value, error) {
			d, err := docOf(a[0])
			switch {
			case err != nil:
				return types.Null, err
			case d.IsScalar():
				return types.Null, sqlerr.New(sqlerr.InvalidParameterValue, "cannot get array length of a scalar")
			case d.Kind != jsonb.Array:
				return types.Null, sqlerr.New(sqlerr.InvalidParameterValue, "cannot get array length of a non-array")
			}
			return types.NewInt(int64(len(d.Elems))), nil
		})
	case "json_extract_path", "jsonb_extract_path", "json_extract_path_text", "jsonb_extract_path_text":
		text := strings.HasSuffix(e.Name, "_text")
		fn = strict(func(a []types.Value) (types.Value, error) {
			d, err := docOf(a[0])
			if err != nil {
				return types.Null, err
			}
			path := make([]string, len(a)-1)
			for i, v := range a[1:] {
				path[i] = v.S
			}
			d, ok := d.Path(path)
			switch {
			case !ok:
				return types.Null, nil
			case text:
				return textOf(d), nil
			}
			return valueOf(d, e.T), nil
		})
	case "jsonb_set":
		fn = strict(func(a []types.Value) (types.Value, error) {
			d, err := types.JSONBDoc(a[0])
			if err != nil {
				return types.Null, err
			}
			path, hasNull, err := textElems(a[1])
			if err != nil {
				return types.Null, err
			}
			if hasNull {
				return types.Null, sqlerr.New(sqlerr.InvalidParameterValue, "path element at position %d is null", nullPosition(a[1]))
			}
			nv, err := types.JSONBDoc(a[2])
			if err != nil {
				return types.Null, err
			}
			create := len(a) < 4 || a[3].Bool()
			if d, err = d.Set(path, nv, create); err != nil {
				return types.Null, err
			}
			return types.NewJSONB(d), nil
		})
	case "jsonb_strip_nulls", "jsonb_pretty":
		fn = strict(func(a []types.Value) (types.Value, error) {
			d, err := types.JSONBDoc(a[0])
			if err != nil {
				return types.Null, err
			}
			if e.Name == "jsonb_pretty" {
				return types.NewText(d.Pretty()), nil
			}
			return types.NewJSONB(d.StripNulls()), nil
		})
	default:
		return nil
	}
	return applied(args, fn)
}

// toJSONB is to_jsonb of v, JSON null for NULL.
func (c *Context) toJSONB(v types.Value, t types.T) (jsonb.Value, error) {
	if v.IsNull() {
		return jsonb.NullValue, nil
	}
	return types.ToJSONB(v, t, c.Loc)
}

// keyText is the object key json_build_object makes of v: the text of a
// scalar (true for a boolean, ISO 8601 for a time stamp); arrays and json
// are not keys.
func (c *Context) keyText(v types.Value, t types.T) (string, error) {
	switch v.K {
	case types.KText:
		return v.S, nil
	case types.KArray, types.KJSON, types.KJSONB:
		return "", sqlerr.New(sqlerr.InvalidParameterValue, "key value must be scalar, not array, composite, or json")
	}
	b, err := types.AppendJSON(nil, v, t, c.Loc)
	if err != nil {
		return "", err
	}
	if b[0] != '"' {
		return string(b), nil
	}
	d, err := jsonb.Parse(string(b))
	return d.Str, err
}

// jsonTableOp produces the rows of a JSONTable: a document's elements,
// pairs or keys.
type jsonTableOp struct {
	c    *Context
	n    *plan.JSONTable
	doc  evalFn
	rows [][]types.Value
}

func (o *jsonTableOp) Init() error {
	o.rows = nil
	v, err := o.doc(nil)
	if err != nil || v.IsNull() {
		return err
	}
	d, err := docOf(v)
	if err != nil {
		return err
	}
	name := o.n.Func
	t := o.n.Doc.Type()
	text := strings.HasSuffix(name, "_text")
	value := func(d jsonb.Value) types.Value {
		if text {
			return textOf(d)
		}
		return valueOf(d, t)
	}
	fail := func(format string, args ...any) error {
		return sqlerr.New(sqlerr.InvalidParameterValue, format, args...)
	}
	switch {
	case strings.Contains(name, "array_elements"):
		switch {
		case d.Kind == jsonb.Array:
		case t.ID == types.JSON && d.IsScalar():
			return fail("cannot call %s on a scalar", name)
		case t.ID == types.JSON:
			return fail("cannot call %s on a non-array", name)
		case d.IsScalar():
			return fail("cannot extract elements from a scalar")
		default:
			return fail("cannot extract elements from an object")
		}
		for _, e := range d.Elems {
			o.rows = append(o.rows, []types.Value{value(e)})
		}
	case strings.Contains(name, "_each"):
		switch {
		case d.Kind == jsonb.Object:
		case t.ID == types.JSON && d.IsScalar():
			return fail("cannot deconstruct a scalar")
		case t.ID == types.JSON:
			return fail("cannot deconstruct an array as an object")
		default:
			return fail("cannot call %s on a non-object", name)
		}
		for i, k := range d.Keys {
			o.rows = append(o.rows, []types.Value{types.NewText(k), value(d.Vals[i])})
		}
	default: // object_keys
		switch {
		case d.Kind == jsonb.Object:
		case d.IsScalar():
			return fail("cannot call %s on a scalar", name)
		default:
			return fail("cannot call %s on an array", name)
		}
		for _, k := range d.Keys {
			o.rows = append(o.rows, []types.Value{types.NewText(k)})
		}
	}
	return nil
}

func (o *jsonTableOp) Next() ([]types.Value, error) {
	if len(o.rows) == 0 {
		return nil, o.c.canceled()
	}
	r := o.rows[0]
	o.rows = o.rows[1:]
	return r, nil
}

func (o *jsonTableOp) Close() {}

// addJSON adds input v (and, for the object aggregates, the value of row r)
// to a json aggregate's state: json's text as it grows, jsonb's documents.
func (o *aggOp) addJSON(s *aggState, i int, v types.Value, r []types.Value) error {
	call := o.calls[i]
	c := o.c
	var err error
	switch call.Func {
	case "json_agg":
		if s.count > 1 {
			s.text = append(s.text, ", "...)
		}
		s.text, err = types.AppendJSON(s.text, v, call.Arg.Type(), c.Loc)
		return err
	case "jsonb_agg":
		d, err := c.toJSONB(v, call.Arg.Type())
		s.docs = append(s.docs, d)
		return err
	}
	if v.IsNull() {
		return sqlerr.New(sqlerr.InvalidParameterValue, "field name must not be null")
	}
	key, err := c.keyText(v, call.Arg.Type())
	if err != nil {
		return err
	}
	val, err := o.args2[i](r)
	if err != nil {
		return err
	}
	if call.Func == "json_object_agg" {
		if s.count > 1 {
			s.text = append(s.text, ", "...)
		}
		s.text = append(jsonb.AppendString(s.text, key), " : "...)
		s.text, err = types.AppendJSON(s.text, val, call.Arg2.Type(), c.Loc)
		return err
	}
	d, err := c.toJSONB(val, call.Arg2.Type())
	s.keys = append(s.keys, key)
	s.docs = append(s.docs, d)
	return err
}

// jsonAggResult is a json aggregate's value: NULL for no input rows, else
// json_agg's [a, b], json_object_agg's { "k" : v }, or the jsonb document.
func jsonAggResult(s *aggState, call plan.AggCall) types.Value {
	if s.count == 0 {
		return types.Null
	}
	switch call.Func {
	case "json_agg":
		return types.Value{K: types.KJSON, S: "[" + string(s.text) + "]"}
	case "json_object_agg":
		return types.Value{K: types.KJSON, S: "{ " + string(s.text) + " }"}
	case "jsonb_agg":
		return types.NewJSONB(jsonb.NewArray(s.docs))
	}
	return types.NewJSONB(jsonb.NewObject(s.keys, s.docs))
}
