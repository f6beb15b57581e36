package plan

import (
	"reflect"
	"slices"

	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

// Set-returning functions in a select list and composite values, as
// drivers' catalog queries use them: pgJDBC's getPrimaryKeys selects
// (information_schema._pg_expandarray(i.indkey)).n and the whole record
// _pg_expandarray(i.indkey) AS keys, then (result.keys).x above it.
//
// A select list's set-returning call runs as the same function in FROM,
// joined laterally to the FROM items after WHERE: each input row repeats
// once per row the function returns, and goes when it returns none, as in
// PostgreSQL. Identical calls share one function (PostgreSQL runs them in
// lockstep, to the same result); different ones would need PostgreSQL's
// lockstep of unequal lengths and are refused.
//
// A record is a text value in PostgreSQL's record syntax, (3,1), made by
// the function record; its column carries the field names and types
// (Column.Record) through subqueries so that (r.keys).x can read a field
// back (record_field).

// selectListSRFs are the set-returning functions a select list may call.
var selectListSRFs = map[string]bool{"unnest": true, "generate_series": true, "_pg_expandarray": true}

// srfCall returns e as a call of a set-returning function, or nil.
func srfCall(e sql.Expr) *sql.FuncCall {
	if f, ok := e.(*sql.FuncCall); ok && f.Over == nil && selectListSRFs[f.Name] {
		return f
	}
	return nil
}

// liftedSRF is a select-list call lifted into FROM: its columns are those
// of input from first on.
type liftedSRF struct {
	call  *sql.FuncCall
	first int
	cols  []Column
}

// liftSRFs joins the set-returning calls of s's select list to input and
// records where their columns are, for srfValue. input is returned as it
// is when the list has none.
func (b *Binder) liftSRFs(s *sql.SelectStmt, input Node) (Node, error) {
	var calls []*sql.FuncCall
	for _, item := range s.Targets {
		walkSQL(item.Expr, func(e sql.Expr) bool {
			if f := srfCall(e); f != nil {
				calls = append(calls, f)
				return false
			}
			_, sub := e.(*sql.SubqueryExpr)
			return !sub
		})
	}
	if len(calls) == 0 {
		return input, nil
	}
	// PostgreSQL expands the rows after aggregates and window functions
	windows := slices.ContainsFunc(s.Targets, func(item sql.SelectItem) bool { return containsWindow(item.Expr) })
	if len(s.GroupBy) > 0 || s.Having != nil || hasAggregate(s) || windows {
		return nil, b.errAt(calls[0].Pos, sqlerr.FeatureNotSupported, "set-returning functions in a select list with aggregation or window functions are not supported").
			WithHint("Call the function in FROM: SELECT ... FROM t, unnest(t.a) u GROUP BY ...")
	}
	for _, f := range calls[1:] {
		if !sameSQL(f, calls[0]) {
			return nil, b.errAt(f.Pos, sqlerr.FeatureNotSupported, "a select list may call only one set-returning function").
				WithHint("Call the functions in FROM instead: SELECT ... FROM f(...) a, g(...) b.")
		}
	}
	f := calls[0]
	ref := &sql.FuncRef{Name: f.Name, Args: f.Args, Pos: f.Pos}
	if f.Star || f.Distinct || len(f.OrderBy) > 0 || f.Filter != nil {
		return nil, b.errAt(f.Pos, sqlerr.WrongObjectType, "%s is not an aggregate function", f.Name)
	}
	first := len(input.Columns())
	n, err := b.bindLateralFunc(input, ref)
	if err != nil {
		return nil, err
	}
	j, ok := n.(*Join)
	if !ok || !j.Lateral {
		j = &Join{Kind: "cross", Left: input, Right: n, Cols: concatCols(input.Columns(), n.Columns())}
	}
	// only the select list names the function's columns
	j.Cols = slices.Clone(j.Cols)
	for i := first; i < len(j.Cols); i++ {
		j.Cols[i].Hidden = true
	}
	for _, c := range calls {
		b.srfs = append(b.srfs, liftedSRF{call: c, first: first, cols: j.Cols[first:]})
	}
	return j, nil
}

// noSRF refuses a set-returning call in e, a condition of clause.
func (b *Binder) noSRF(e sql.Expr, clause string) error {
	var err error
	walkSQL(e, func(x sql.Expr) bool {
		if f := srfCall(x); f != nil && err == nil {
			err = b.errAt(f.Pos, sqlerr.FeatureNotSupported, "set-returning functions are not allowed in %s", clause)
		}
		return err == nil
	})
	return err
}

// srfValue binds a lifted set-returning call: its one column, or a record
// of its columns. ok is false when f was not lifted.
func (b *Binder) srfValue(f *sql.FuncCall) (Expr, bool) {
	for _, l := range b.srfs {
		if l.call != f {
			continue
		}
		if len(l.cols) == 1 {
			return &ColRef{Idx: l.first, T: l.cols[0].Type, Name: f.Name}, true
		}
		args := make([]Expr, len(l.cols))
		for i, c := range l.cols {
			args[i] = &ColRef{Idx: l.first + i, T: c.Type, Name: c.Name}
		}
		return &Func{Name: "record", Args: args, T: types.TText}, true
	}
	return nil, false
}

// bindFieldSelect binds (x).field: a column of a lifted set-returning
// call, or a field of a record column.
func (b *Binder) bindFieldSelect(sc *scope, e *sql.FieldSelect, bind func(sql.Expr) (Expr, error)) (Expr, error) {
	x, err := bind(e.X)
	if err != nil {
		return nil, err
	}
	rec := recordOf(x)
	if ref, ok := x.(*ColRef); ok && rec == nil && ref.Idx < len(sc.cols) {
		if _, local := e.X.(*sql.ColumnRef); local {
			rec = sc.cols[ref.Idx].Record
		}
	}
	if rec == nil {
		return nil, b.errAt(e.Pos, sqlerr.WrongObjectType, "column notation .%s applied to type %s, which is not a composite type", e.Field, x.Type())
	}
	fields := rec.Fields
	i := slices.IndexFunc(fields, func(c Column) bool { return c.Name == e.Field })
	if i < 0 {
		return nil, b.errAt(e.Pos, sqlerr.UndefinedColumn, "could not identify column %q in record data type", e.Field)
	}
	if rec, ok := x.(*Func); ok && rec.Name == "record" {
		return rec.Args[i], nil
	}
	return &Func{Name: "record_field", Args: []Expr{x, &Const{V: types.NewInt(int64(i)), T: types.TInt4}}, T: fields[i].Type}, nil
}

// Record is the type of a record column: its fields' names and types.
type Record struct{ Fields []Column }

// recordOf returns the type of the record that e builds, or nil.
func recordOf(e Expr) *Record {
	f, ok := e.(*Func)
	if !ok || f.Name != "record" {
		return nil
	}
	out := make([]Column, len(f.Args))
	for i, a := range f.Args {
		out[i] = Column{Name: a.(*ColRef).Name, Type: a.Type()}
	}
	return &Record{Fields: out}
}

// sameSQL reports whether two parsed expressions are the same but for
// their positions in the text.
func sameSQL(a, b sql.Expr) bool {
	return sameValue(reflect.ValueOf(a), reflect.ValueOf(b))
}

func sameValue(a, b reflect.Value) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	case reflect.Struct:
		if a.Type() != b.Type() {
			return false
		}
		for i := 0; i < a.NumField(); i++ {
			if a.Type().Field(i).Name != "Pos" && !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	}
	return a.Equal(b)
}
