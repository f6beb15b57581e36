package plan

import (
	"slices"
	"strings"

	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

// aggContext collects GROUP BY expressions and aggregate calls while binding
// the expressions computed above an aggregation.
type aggContext struct {
	in     *scope // the aggregation's input
	groups []Expr
	aggs   []AggCall
	inAgg  bool // binding an aggregate's argument
}

// bindCondition binds a boolean condition (WHERE, HAVING, ON).
func (b *Binder) bindCondition(sc *scope, agg *aggContext, e sql.Expr, clause string) (Expr, error) {
	if err := b.noSRF(e, clause); err != nil {
		return nil, err
	}
	x, err := b.bindExpr(sc, agg, e)
	if err != nil {
		return nil, err
	}
	if agg == nil && clause == "WHERE" && containsAgg(e) {
		return nil, b.errAt(e.Position(), sqlerr.GroupingError, "aggregate functions are not allowed in WHERE")
	}
	if x.Type().ID == types.Unknown {
		return b.coerce(x, types.TBool, e.Position(), clause)
	}
	if x.Type().ID != types.Bool {
		return nil, b.errAt(e.Position(), sqlerr.DatatypeMismatch, "argument of %s must be type boolean, not type %s", clause, x.Type())
	}
	return x, nil
}

func containsAgg(e sql.Expr) bool {
	found := false
	walkSQL(e, func(x sql.Expr) bool {
		if f, ok := x.(*sql.FuncCall); ok && isAggregate(f.Name) && f.Over == nil {
			found = true
		}
		_, sub := x.(*sql.SubqueryExpr)
		return !sub
	})
	return found
}

// containsWindow reports whether e calls a window function at its own level.
func containsWindow(e sql.Expr) bool {
	found := false
	walkSQL(e, func(x sql.Expr) bool {
		if f, ok := x.(*sql.FuncCall); ok && f.Over != nil {
			found = true
		}
		_, sub := x.(*sql.SubqueryExpr)
		return !sub
	})
	return found
}

// bindExpr types an expression. With agg set, the expression is evaluated
// above the aggregation: it may use grouped expressions and aggregates only.
func (b *Binder) bindExpr(sc *scope, agg *aggContext, e sql.Expr) (Expr, error) {
	if agg != nil && !agg.inAgg {
		return b.bindAbove(agg, e)
	}
	switch e := e.(type) {
	case *sql.ColumnRef:
		return b.columnRef(sc, e)
	case *sql.Literal:
		return &Const{V: e.Value, T: e.Type}, nil
	case *sql.Param:
		for len(b.ParamTypes) < e.N {
			b.ParamTypes = append(b.ParamTypes, types.TUnknown)
		}
		return &Param{N: e.N, T: b.ParamTypes[e.N-1]}, nil
	case *sql.DefaultExpr:
		return nil, b.errAt(e.Pos, sqlerr.SyntaxError, "DEFAULT is not allowed in this context")
	}
	return b.bindCompound(sc, agg, e)
}

// columnRef resolves a column in sc or, failing that, in the scopes of
// enclosing queries, innermost first (a correlated reference).
func (b *Binder) columnRef(sc *scope, e *sql.ColumnRef) (Expr, error) {
	i, err := b.resolve(sc, e)
	if err == nil {
		b.noteRead(sc.cols[i])
		return &ColRef{Idx: i, T: sc.cols[i].Type, Name: e.Name}, nil
	}
	if code := sqlerr.Code(err); code != sqlerr.UndefinedColumn && code != sqlerr.UndefinedTable {
		return nil, err
	}
	for level := len(b.outer) - 1; level >= 0; level-- {
		o := b.outer[level]
		if j, oerr := b.resolve(o, e); oerr == nil {
			b.minOuter = min(b.minOuter, level)
			b.outerRefs = append(b.outerRefs, [2]int{level, j})
			b.noteRead(o.cols[j])
			return &OuterRef{Depth: len(b.outer) - level, Idx: j, T: o.cols[j].Type, Name: e.Name}, nil
		} else if sqlerr.Code(oerr) == sqlerr.AmbiguousColumn {
			return nil, oerr
		}
	}
	return nil, err
}

// bindAbove binds e over an aggregation's output: group expressions become
// column references, aggregate calls are collected, other column uses fail.
func (b *Binder) bindAbove(agg *aggContext, e sql.Expr) (Expr, error) {
	if f, ok := e.(*sql.FuncCall); ok && isAggregate(f.Name) && f.Over == nil {
		return b.bindAggregate(agg, f)
	}
	if _, ok := e.(*sql.SubqueryExpr); !ok && !containsWindow(e) {
		if x, err := b.bindExpr(agg.in, nil, e); err == nil {
			key := x.String()
			for i, g := range agg.groups {
				if g.String() == key {
					return &ColRef{Idx: i, T: g.Type(), Name: exprName(e)}, nil
				}
			}
			if isConstant(x) {
				return x, nil
			}
		}
	}
	if ref, ok := e.(*sql.ColumnRef); ok {
		if _, err := b.resolve(agg.in, ref); err != nil {
			return nil, err
		}
		name := ref.Name
		if ref.Table != "" {
			name = ref.Table + "." + ref.Name
		}
		return nil, b.errAt(ref.Pos, sqlerr.GroupingError, "column %q must appear in the GROUP BY clause or be used in an aggregate function", name)
	}
	return b.bindCompound(agg.outputScope(), agg, e)
}

// outputScope is the scope of an aggregation's output row as a subquery
// above it sees it: the grouped columns, by their names, where the row has
// them (the aggregates follow and have no names).
func (agg *aggContext) outputScope() *scope {
	sc := &scope{cols: make([]Column, len(agg.groups))}
	for i, g := range agg.groups {
		if ref, ok := g.(*ColRef); ok && ref.Idx < len(agg.in.cols) {
			sc.cols[i] = agg.in.cols[ref.Idx]
			continue
		}
		sc.cols[i] = Column{Type: g.Type(), Hidden: true}
	}
	return sc
}

func (b *Binder) bindAggregate(agg *aggContext, f *sql.FuncCall) (Expr, error) {
	if agg.inAgg {
		return nil, b.errAt(f.Pos, sqlerr.GroupingError, "aggregate function calls cannot be nested")
	}
	call := AggCall{Func: f.Name, Distinct: f.Distinct}
	var bound []Expr // the arguments, as bound and as coerced
	switch {
	case f.Star:
		if f.Name != "count" {
			return nil, b.errAt(f.Pos, sqlerr.SyntaxError, "%s(*) is not valid; only count(*) is", f.Name)
		}
	case len(f.Args) != 1 && !(f.Name == "string_agg" && len(f.Args) == 2) && !isObjectAgg(f.Name),
		isObjectAgg(f.Name) && len(f.Args) != 2:
		return nil, b.errAt(f.Pos, sqlerr.UndefinedFunction, "function %s with %d arguments does not exist", f.Name, len(f.Args))
	default:
		agg.inAgg = true
		arg, err := b.bindExpr(agg.in, agg, f.Args[0])
		if err == nil && len(f.Args) == 2 {
			var sep Expr
			if sep, err = b.bindExpr(agg.in, agg, f.Args[1]); err == nil {
				call.Arg2 = resolveUnknown(sep) // json(b)_object_agg's value
				if f.Name == "string_agg" {
					call.Arg2, err = b.coerce(call.Arg2, types.TText, f.Pos, "string_agg delimiter")
				}
				bound = append(bound, sep, call.Arg2)
			}
		}
		agg.inAgg = false
		if err != nil {
			return nil, err
		}
		call.Arg = resolveUnknown(arg)
		if f.Name == "string_agg" {
			if call.Arg, err = b.coerce(call.Arg, types.TText, f.Pos, "string_agg"); err != nil {
				return nil, err
			}
		}
		bound = append(bound, arg, call.Arg)
	}
	if len(f.OrderBy) > 0 {
		keys, err := b.bindAggOrder(agg, f, bound)
		if err != nil {
			return nil, err
		}
		call.OrderBy = keys
	}
	if f.Filter != nil {
		agg.inAgg = true
		cond, err := b.bindCondition(agg.in, agg, f.Filter, "FILTER")
		agg.inAgg = false
		if err != nil {
			return nil, err
		}
		call.Filter = cond
	}
	t, err := aggType(call)
	if err != nil {
		return nil, b.errAt(f.Pos, sqlerr.UndefinedFunction, "%s", err.(*sqlerr.Error).Message)
	}
	call.Type = t
	for i, a := range agg.aggs { // the same call twice is computed once
		if a.Func == call.Func && a.Distinct == call.Distinct && (a.Arg == nil) == (call.Arg == nil) &&
			(a.Arg == nil || a.Arg.String() == call.Arg.String()) && exprString(a.Filter) == exprString(call.Filter) &&
			exprString(a.Arg2) == exprString(call.Arg2) && slices.Equal(sortKeyStrings(a.OrderBy), sortKeyStrings(call.OrderBy)) {
			return &ColRef{Idx: len(agg.groups) + i, T: t, Name: f.Name}, nil
		}
	}
	agg.aggs = append(agg.aggs, call)
	return &ColRef{Idx: len(agg.groups) + len(agg.aggs) - 1, T: t, Name: f.Name}, nil
}

// bindAggOrder binds an aggregate's ORDER BY over the aggregation's input.
// With DISTINCT the rows are told apart by the arguments alone, so the
// order may use only them, as PostgreSQL rules.
func (b *Binder) bindAggOrder(agg *aggContext, f *sql.FuncCall, args []Expr) ([]SortKey, error) {
	var keys []SortKey
	for _, o := range f.OrderBy {
		agg.inAgg = true
		x, err := b.bindExpr(agg.in, agg, o.Expr)
		agg.inAgg = false
		if err != nil {
			return nil, err
		}
		x = resolveUnknown(x)
		if f.Distinct && !slices.ContainsFunc(args, func(a Expr) bool { return a.String() == x.String() }) {
			return nil, b.errAt(o.Expr.Position(), sqlerr.InvalidColumnReference, "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list")
		}
		nullsFirst := o.Desc
		if o.NullsFirst != nil {
			nullsFirst = *o.NullsFirst
		}
		keys = append(keys, SortKey{Expr: x, Desc: o.Desc, NullsFirst: nullsFirst})
	}
	return keys, nil
}

func sortKeyStrings(keys []SortKey) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.Expr.String()
		if k.Desc {
			out[i] += " desc"
		}
		if k.NullsFirst {
			out[i] += " nulls first"
		}
	}
	return out
}

func exprString(e Expr) string {
	if e == nil {
		return ""
	}
	return e.String()
}

// aggType is the result type of an aggregate, following PostgreSQL.
func aggType(a AggCall) (types.T, error) {
	if a.Func == "count" {
		return types.TInt8, nil
	}
	t := a.Arg.Type()
	switch a.Func {
	case "min", "max":
		if t.ID == types.Bool {
			break
		}
		if t.ID == types.Char || t.ID == types.Varchar {
			return types.TText, nil
		}
		return types.T{ID: t.ID}, nil
	case "sum":
		switch t.ID {
		case types.Int2, types.Int4:
			return types.TInt8, nil
		case types.Int8, types.Numeric:
			return types.TNumeric, nil
		case types.Float4, types.Float8:
			return types.T{ID: t.ID}, nil
		}
	case "avg", "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop":
		switch t.ID {
		case types.Int2, types.Int4, types.Int8, types.Numeric:
			return types.TNumeric, nil
		case types.Float4, types.Float8:
			return types.TFloat8, nil
		}
	case "string_agg":
		return types.TText, nil
	case "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg":
		return jsonAggType(a.Func), nil
	case "array_agg":
		if t.ID == types.Array {
			return types.T{}, sqlerr.New(sqlerr.FeatureNotSupported, "array_agg of arrays is not supported")
		}
		if t.ID == types.Unknown {
			t = types.TText
		}
		return types.ArrayOf(t), nil
	case "bool_and", "bool_or", "every":
		if t.ID == types.Bool {
			return types.TBool, nil
		}
	}
	return types.T{}, sqlerr.New(sqlerr.UndefinedFunction, "function %s(%s) does not exist", a.Func, t)
}

// bindCompound binds the expressions with sub-expressions.
func (b *Binder) bindCompound(sc *scope, agg *aggContext, e sql.Expr) (Expr, error) {
	bind := func(x sql.Expr) (Expr, error) { return b.bindExpr(sc, agg, x) }
	switch e := e.(type) {
	case *sql.ColumnRef, *sql.Literal, *sql.Param, *sql.DefaultExpr:
		return b.bindExpr(sc, nil, e)
	case *sql.BinaryExpr:
		l, err := bind(e.L)
		if err != nil {
			return nil, err
		}
		r, err := bind(e.R)
		if err != nil {
			return nil, err
		}
		return b.binary(e.Op, l, r, e.Pos)
	case *sql.UnaryExpr:
		x, err := bind(e.X)
		if err != nil {
			return nil, err
		}
		if e.Op == "not" {
			if x, err = b.coerce(x, types.TBool, e.Pos, "NOT"); err != nil {
				return nil, err
			}
			return &Unary{Op: "not", X: x, T: types.TBool}, nil
		}
		if e.Op == "~" {
			x = resolveUnknownAs(x, types.TInt4)
			if !x.Type().IsInteger() {
				return nil, b.errAt(e.Pos, sqlerr.UndefinedFunction, "operator does not exist: ~ %s", x.Type())
			}
			return &Unary{Op: "~", X: x, T: types.T{ID: x.Type().ID}}, nil
		}
		x = resolveUnknownAs(x, types.TNumeric)
		if !x.Type().IsNumeric() && x.Type().ID != types.Interval {
			return nil, b.errAt(e.Pos, sqlerr.UndefinedFunction, "operator does not exist: - %s", x.Type())
		}
		return &Unary{Op: "-", X: x, T: types.T{ID: x.Type().ID}}, nil
	case *sql.CastExpr:
		if a, ok := e.X.(*sql.ArrayExpr); ok && a.Select == nil && len(a.Elems) == 0 && e.Type.ID == types.Array {
			return &Const{V: types.NewArray(e.Type.ElemType(), nil), T: e.Type}, nil // ARRAY[]::int[]
		}
		x, err := bind(e.X)
		if err != nil {
			return nil, err
		}
		if kind, ok := regKinds[e.Type.ID]; ok {
			return b.regCast(x, kind, e.Pos)
		}
		if p, ok := x.(*Param); ok && p.T.ID == types.Unknown { // $1::int types the parameter
			b.ParamTypes[p.N-1] = e.Type
			return &Param{N: p.N, T: e.Type}, nil
		}
		if c, ok := x.(*Const); ok && c.T.ID == types.Unknown { // 'abc'::int is checked now
			v, err := types.CastIn(c.V, e.Type, b.Loc)
			if err != nil {
				return nil, withPos(err, b, e.X.Position())
			}
			return &Const{V: v, T: e.Type}, nil
		}
		if !castable(x.Type(), e.Type) {
			return nil, b.errAt(e.Pos, sqlerr.CannotCoerce, "cannot cast type %s to %s", x.Type(), e.Type)
		}
		return &Cast{X: x, T: e.Type}, nil
	case *sql.IsNullExpr:
		x, err := bind(e.X)
		if err != nil {
			return nil, err
		}
		return &IsNull{X: x, Not: e.Not}, nil
	case *sql.IsBoolExpr:
		x, err := bind(e.X)
		if err != nil {
			return nil, err
		}
		if x, err = b.coerce(x, types.TBool, e.Pos, "IS "+strings.ToUpper(e.Value)); err != nil {
			return nil, err
		}
		return &IsBool{X: x, Not: e.Not, Value: e.Value}, nil
	case *sql.BetweenExpr:
		x, err := bind(e.X)
		if err != nil {
			return nil, err
		}
		lo, err := bind(e.Lo)
		if err != nil {
			return nil, err
		}
		hi, err := bind(e.Hi)
		if err != nil {
			return nil, err
		}
		ge, err := b.comparison(">=", x, lo, e.Pos)
		if err != nil {
			return nil, err
		}
		le, err := b.comparison("<=", x, hi, e.Pos)
		if err != nil {
			return nil, err
		}
		var out Expr = &Binary{Op: "and", L: ge, R: le, T: types.TBool}
		if e.Not {
			out = &Unary{Op: "not", X: out, T: types.TBool}
		}
		return out, nil
	case *sql.InExpr:
		x, err := bind(e.X)
		if err != nil {
			return nil, err
		}
		in := &In{Not: e.Not}
		if e.Subquery != nil {
			sub, err := b.bindSubquery(sc, e.Subquery, false)
			if err != nil {
				return nil, err
			}
			if len(sub.Plan.Columns()) != 1 {
				return nil, b.errAt(e.Pos, sqlerr.SyntaxError, "subquery has too many columns")
			}
			probe, err := b.comparison("=", x, &ColRef{Idx: 0, T: sub.T}, e.Pos)
			if err != nil {
				return nil, err
			}
			pb := probe.(*Binary)
			in.X, in.Sub = pb.L, sub
			in.List = []Expr{pb.R}
			return in, nil
		}
		// The list and X unify to one type, as PostgreSQL's IN does.
		t := x.Type()
		items := make([]Expr, len(e.List))
		for i, item := range e.List {
			if items[i], err = bind(item); err != nil {
				return nil, err
			}
			if t, err = b.unify(t, items[i].Type(), item.Position(), "IN"); err != nil {
				return nil, err
			}
		}
		if t.ID == types.Unknown {
			t = types.TText
		}
		if in.X, err = b.coerce(x, t, e.X.Position(), "IN"); err != nil {
			return nil, err
		}
		for i := range items {
			if items[i], err = b.coerce(items[i], t, e.List[i].Position(), "IN"); err != nil {
				return nil, err
			}
		}
		in.List = items
		return in, nil
	case *sql.LikeExpr:
		x, err := bind(e.X)
		if err != nil {
			return nil, err
		}
		p, err := bind(e.Pattern)
		if err != nil {
			return nil, err
		}
		x, p = resolveUnknown(x), resolveUnknown(p)
		if !x.Type().IsString() || !p.Type().IsString() {
			return nil, b.errAt(e.Pos, sqlerr.UndefinedFunction, "operator does not exist: %s ~~ %s", x.Type(), p.Type())
		}
		return &Like{X: x, Pattern: p, Not: e.Not, ILike: e.ILike}, nil
	case *sql.SimilarExpr:
		return b.bindSimilar(e, bind)
	case *sql.CaseExpr:
		return b.bindCase(sc, agg, e)
	case *sql.FuncCall:
		if e.Over != nil {
			return b.bindWindow(sc, agg, e)
		}
		if srfCall(e) != nil {
			if x, ok := b.srfValue(e); ok {
				return x, nil
			}
			return nil, b.errAt(e.Pos, sqlerr.FeatureNotSupported, "set-returning functions are not allowed here").
				WithHint("Call %s in FROM or in the select list.", e.Name)
		}
		if isAggregate(e.Name) {
			if agg == nil {
				return nil, b.errAt(e.Pos, sqlerr.GroupingError, "aggregate functions are not allowed here")
			}
			return b.bindAggregate(agg, e)
		}
		if len(e.OrderBy) > 0 {
			return nil, b.errAt(e.Pos, sqlerr.WrongObjectType, "ORDER BY specified, but %s is not an aggregate function", e.Name)
		}
		args := make([]Expr, len(e.Args))
		for i, a := range e.Args {
			x, err := bind(a)
			if err != nil {
				return nil, err
			}
			args[i] = x
		}
		return b.bindFunc(e, args)
	case *sql.QuantifiedExpr:
		x, err := bind(e.X)
		if err != nil {
			return nil, err
		}
		if e.Array != nil {
			return b.bindQuantifiedArray(x, e, bind)
		}
		sub, err := b.bindSubquery(sc, e.Select, false)
		if err != nil {
			return nil, err
		}
		if len(sub.Plan.Columns()) != 1 {
			return nil, b.errAt(e.Pos, sqlerr.SyntaxError, "subquery has too many columns")
		}
		x = resolveUnknownAs(x, sub.T)
		cmp, err := b.comparison(e.Op, &ColRef{Idx: 0, T: x.Type()}, &ColRef{Idx: 1, T: sub.T}, e.Pos)
		if err != nil {
			return nil, err
		}
		return &Quantified{X: x, Cmp: cmp, Sub: sub, All: e.All}, nil
	case *sql.ArrayExpr:
		return b.bindArray(sc, e, bind)
	case *sql.FieldSelect:
		return b.bindFieldSelect(sc, e, bind)
	case *sql.SubscriptExpr:
		x, err := bind(e.X)
		if err != nil {
			return nil, err
		}
		if x.Type().ID != types.Array {
			return nil, b.errAt(e.Pos, sqlerr.DatatypeMismatch, "cannot subscript type %s because it does not support subscripting", x.Type())
		}
		i, err := bind(e.Index)
		if err == nil {
			i, err = b.coerce(i, types.TInt4, e.Pos, "array subscript")
		}
		if err != nil {
			return nil, err
		}
		return &Func{Name: "array_subscript", Args: []Expr{x, i}, T: x.Type().ElemType()}, nil
	case *sql.SubqueryExpr:
		sub, err := b.bindSubquery(sc, e.Select, e.Exists)
		if err != nil {
			return nil, err
		}
		if !e.Exists && len(sub.Plan.Columns()) != 1 {
			return nil, b.errAt(e.Pos, sqlerr.SyntaxError, "subquery must return only one column")
		}
		return sub, nil
	}
	return nil, b.errAt(e.Position(), sqlerr.FeatureNotSupported, "unsupported expression")
}

// bindSimilar binds x SIMILAR TO p [ESCAPE e] as PostgreSQL does: as the
// regular expression match x ~ similar_to_escape(p [, e]).
func (b *Binder) bindSimilar(e *sql.SimilarExpr, bind func(sql.Expr) (Expr, error)) (Expr, error) {
	x, err := bind(e.X)
	if err != nil {
		return nil, err
	}
	args := []Expr{}
	for _, a := range []sql.Expr{e.Pattern, e.Escape} {
		if a == nil {
			continue
		}
		y, err := bind(a)
		if err != nil {
			return nil, err
		}
		if y, err = b.coerce(resolveUnknown(y), types.TText, a.Position(), "SIMILAR TO"); err != nil {
			return nil, err
		}
		args = append(args, y)
	}
	op := "~"
	if e.Not {
		op = "!~"
	}
	return b.binary(op, x, &Func{Name: "similar_to_escape", Args: args, T: types.TText}, e.Pos)
}

// bindSubquery plans an uncorrelated subquery with its own scope.
func (b *Binder) bindSubquery(sc *scope, s *sql.SelectStmt, exists bool) (*Subquery, error) {
	b.outer = append(b.outer, sc)
	level := len(b.outer) - 1
	saved := b.minOuter
	b.minOuter = level + 1
	firstRef := len(b.outerRefs)
	n, err := b.bindSelect(s)
	correlated := b.minOuter <= level
	b.minOuter = min(saved, b.minOuter)
	b.outer = b.outer[:level]
	if err != nil {
		return nil, err
	}
	chooseAccess(n)
	sub := &Subquery{Plan: n, Exists: exists, Correlated: correlated, T: types.TBool}
	if correlated && b.minOuter == level {
		seen := map[int]bool{}
		sub.KeyCols = []int{}
		for _, r := range b.outerRefs[firstRef:] {
			if r[0] == level && !seen[r[1]] {
				seen[r[1]] = true
				sub.KeyCols = append(sub.KeyCols, r[1])
			}
		}
	}
	if !exists {
		sub.T = n.Columns()[0].Type
	}
	return sub, nil
}

func (b *Binder) bindCase(sc *scope, agg *aggContext, e *sql.CaseExpr) (Expr, error) {
	bind := func(x sql.Expr) (Expr, error) { return b.bindExpr(sc, agg, x) }
	c := &Case{}
	var operand Expr
	var err error
	if e.Operand != nil {
		if operand, err = bind(e.Operand); err != nil {
			return nil, err
		}
	}
	t := types.TUnknown
	for _, w := range e.Whens {
		var cond Expr
		if operand != nil {
			v, err := bind(w.Cond)
			if err != nil {
				return nil, err
			}
			if cond, err = b.comparison("=", operand, v, w.Cond.Position()); err != nil {
				return nil, err
			}
		} else if cond, err = b.bindCondition(sc, agg, w.Cond, "CASE/WHEN"); err != nil {
			return nil, err
		}
		res, err := bind(w.Result)
		if err != nil {
			return nil, err
		}
		if t, err = b.unify(t, res.Type(), w.Result.Position(), "CASE"); err != nil {
			return nil, err
		}
		c.Whens = append(c.Whens, CaseWhen{Cond: cond, Result: res})
	}
	if e.Else != nil {
		if c.Else, err = bind(e.Else); err != nil {
			return nil, err
		}
		if t, err = b.unify(t, c.Else.Type(), e.Else.Position(), "CASE"); err != nil {
			return nil, err
		}
	}
	if t.ID == types.Unknown {
		t = types.TText
	}
	for i := range c.Whens {
		if c.Whens[i].Result, err = b.coerce(c.Whens[i].Result, t, e.Whens[i].Result.Position(), "CASE"); err != nil {
			return nil, err
		}
	}
	if c.Else != nil {
		if c.Else, err = b.coerce(c.Else, t, e.Else.Position(), "CASE"); err != nil {
			return nil, err
		}
	}
	c.T = t
	return c, nil
}

// binary types an operator application.
func (b *Binder) binary(op string, l, r Expr, pos int) (Expr, error) {
	if x, ok, err := b.jsonOp(op, l, r, pos); ok {
		return x, err
	}
	switch op {
	case "and", "or":
		var err error
		if l, err = b.coerce(l, types.TBool, pos, strings.ToUpper(op)); err != nil {
			return nil, err
		}
		if r, err = b.coerce(r, types.TBool, pos, strings.ToUpper(op)); err != nil {
			return nil, err
		}
		return &Binary{Op: op, L: l, R: r, T: types.TBool}, nil
	case "=", "<>", "<", "<=", ">", ">=", "is distinct from", "is not distinct from":
		return b.comparison(op, l, r, pos)
	case "~", "~*", "!~", "!~*":
		l, r = resolveUnknownAs(l, types.TText), resolveUnknownAs(r, types.TText)
		if !l.Type().IsString() || !r.Type().IsString() {
			return nil, b.opError(op, l, r, pos)
		}
		return &Binary{Op: op, L: l, R: r, T: types.TBool}, nil
	case "&", "|", "#", "<<", ">>":
		l, r = resolveUnknownAs(l, types.TInt4), resolveUnknownAs(r, types.TInt4)
		lt, rt := l.Type(), r.Type()
		if !lt.IsInteger() || !rt.IsInteger() {
			return nil, b.opError(op, l, r, pos)
		}
		t := types.CommonNumeric(lt, rt)
		if op == "<<" || op == ">>" {
			t = types.T{ID: lt.ID} // the shifted value's type, whatever the count's
		}
		return &Binary{Op: op, L: l, R: r, T: t}, nil
	case "||":
		if lt, rt := l.Type(), r.Type(); lt.ID == types.Array || rt.ID == types.Array {
			return b.arrayConcat(l, r, pos)
		}
		if x, ok, err := b.byteaConcat(l, r, pos); ok {
			return x, err
		}
		l, r = resolveUnknownAs(l, types.TText), resolveUnknownAs(r, types.TText)
		if !l.Type().IsString() && !r.Type().IsString() {
			return nil, b.opError(op, l, r, pos)
		}
		return &Binary{Op: op, L: l, R: r, T: types.TText}, nil
	}
	// arithmetic
	if x, ok, err := b.zonedArith(op, l, r, pos); ok {
		return x, err
	}
	lt, rt := l.Type(), r.Type()
	// a literal added to or subtracted from a date or timestamp is an
	// interval ('1 day'), as PostgreSQL resolves it
	datetime := func(t types.T) bool { return t.ID == types.Date || t.ID == types.Timestamp }
	switch {
	case lt.ID == types.Unknown && rt.ID == types.Unknown:
		l, r = resolveUnknownAs(l, types.TNumeric), resolveUnknownAs(r, types.TNumeric)
	case rt.ID == types.Unknown && datetime(lt) && (op == "+" || op == "-"):
		if c, ok := r.(*Const); ok && !c.V.IsNull() {
			if _, err := types.ParseInterval(c.V.S); err != nil && op == "-" {
				r = b.mustCoerceConst(r, lt) // timestamp - 'timestamp text'
				break
			}
		}
		r = b.mustCoerceConst(r, types.TInterval)
	case lt.ID == types.Unknown && datetime(rt) && op == "+":
		l = b.mustCoerceConst(l, types.TInterval)
	case lt.ID == types.Unknown:
		l = b.mustCoerceConst(l, rt)
	case rt.ID == types.Unknown:
		r = b.mustCoerceConst(r, lt)
	}
	lt, rt = l.Type(), r.Type()
	if l == nil || r == nil {
		return nil, b.opError(op, l, r, pos)
	}
	if lt.IsNumeric() && rt.IsNumeric() {
		t := types.CommonNumeric(lt, rt)
		if op == "^" {
			t = types.TFloat8
			if lt.ID == types.Numeric || rt.ID == types.Numeric {
				t = types.TNumeric
			}
		}
		return &Binary{Op: op, L: l, R: r, T: t}, nil
	}
	// date arithmetic: date ± integer, date - date
	switch {
	case lt.ID == types.Date && rt.IsInteger() && (op == "+" || op == "-"):
		return &Binary{Op: op, L: l, R: r, T: types.TDate}, nil
	case lt.IsInteger() && rt.ID == types.Date && op == "+":
		return &Binary{Op: op, L: r, R: l, T: types.TDate}, nil
	case lt.ID == types.Date && rt.ID == types.Date && op == "-":
		return &Binary{Op: op, L: l, R: r, T: types.TInt4}, nil
	// interval arithmetic
	case datetime(lt) && rt.ID == types.Interval && (op == "+" || op == "-"):
		return &Binary{Op: op, L: l, R: r, T: types.TTimestamp}, nil
	case lt.ID == types.Interval && datetime(rt) && op == "+":
		return &Binary{Op: op, L: r, R: l, T: types.TTimestamp}, nil
	case lt.ID == types.Timestamp && rt.ID == types.Timestamp && op == "-",
		lt.ID == types.Timestamp && rt.ID == types.Date && op == "-",
		lt.ID == types.Date && rt.ID == types.Timestamp && op == "-":
		return &Binary{Op: op, L: l, R: r, T: types.TInterval}, nil
	case lt.ID == types.Interval && rt.ID == types.Interval && (op == "+" || op == "-"):
		return &Binary{Op: op, L: l, R: r, T: types.TInterval}, nil
	case lt.ID == types.Interval && rt.IsNumeric() && (op == "*" || op == "/"):
		return &Binary{Op: op, L: l, R: r, T: types.TInterval}, nil
	case lt.IsNumeric() && rt.ID == types.Interval && op == "*":
		return &Binary{Op: op, L: r, R: l, T: types.TInterval}, nil
	}
	return nil, b.opError(op, l, r, pos)
}

func (b *Binder) opError(op string, l, r Expr, pos int) error {
	lt, rt := "unknown", "unknown"
	if l != nil {
		lt = l.Type().String()
	}
	if r != nil {
		rt = r.Type().String()
	}
	return b.errAt(pos, sqlerr.UndefinedFunction, "operator does not exist: %s %s %s", lt, op, rt).
		WithHint("No operator matches the given name and argument types. You might need to add explicit type casts.")
}

// mustCoerceConst coerces an untyped literal to t for an operator, returning
// nil (an operator error follows) when it cannot.
func (b *Binder) mustCoerceConst(e Expr, t types.T) Expr {
	x, err := b.coerce(e, t, 0, "")
	if err != nil {
		return &errExpr{err: err, T: t}
	}
	return x
}

// errExpr carries a literal conversion error to be reported when evaluated
// at bind time by coerce's caller.
type errExpr struct {
	err error
	T   types.T
}

func (e *errExpr) Type() types.T  { return e.T }
func (e *errExpr) String() string { return "error" }

// comparison types a comparison, converting untyped literals to the other side.
func (b *Binder) comparison(op string, l, r Expr, pos int) (Expr, error) {
	lt, rt := l.Type(), r.Type()
	var err error
	switch {
	case lt.ID == types.Unknown && rt.ID == types.Unknown:
		l, r = resolveUnknown(l), resolveUnknown(r)
	case lt.ID == types.Unknown:
		if l, err = b.coerce(l, rt, pos, ""); err != nil {
			return nil, err
		}
	case rt.ID == types.Unknown:
		if r, err = b.coerce(r, lt, pos, ""); err != nil {
			return nil, err
		}
	}
	lt, rt = l.Type(), r.Type()
	if !comparable(lt, rt) {
		return nil, b.opError(op, l, r, pos)
	}
	l, r = alignZoned(l, r)
	return &Binary{Op: op, L: l, R: r, T: types.TBool}, nil
}

func comparable(a, b types.T) bool {
	switch {
	case a.ID == b.ID:
		return true
	case a.IsNumeric() && b.IsNumeric():
		return true
	case a.IsString() && b.IsString():
		return true
	case isDateTime(a) && isDateTime(b):
		return true
	}
	return false
}

// unify returns the common type of two branches (CASE, UNION, VALUES, IN).
func (b *Binder) unify(a, c types.T, pos int, ctx string) (types.T, error) {
	switch {
	case a.ID == types.Unknown:
		return c, nil
	case c.ID == types.Unknown:
		return a, nil
	case a.ID == c.ID:
		if a == c {
			return a, nil
		}
		return types.T{ID: a.ID}, nil
	case a.IsNumeric() && c.IsNumeric():
		return types.CommonNumeric(a, c), nil
	case a.IsString() && c.IsString():
		return types.TText, nil
	case isDateTime(a) && isDateTime(c):
		return commonDateTime(a, c), nil
	}
	return types.T{}, b.errAt(pos, sqlerr.DatatypeMismatch, "%s types %s and %s cannot be matched", ctx, a, c)
}

// coerce converts e to type t where PostgreSQL converts implicitly: untyped
// literals are parsed (22P02 on bad input), numbers widen, strings and date
// types interconvert. Anything else is 42804.
func (b *Binder) coerce(e Expr, t types.T, pos int, ctx string) (Expr, error) {
	if ee, ok := e.(*errExpr); ok {
		return nil, ee.err
	}
	et := e.Type()
	if et == t || t.ID == types.Unknown {
		return e, nil
	}
	switch c := e.(type) {
	case *Const:
		if et.ID == types.Unknown || (et.IsNumeric() && t.IsNumeric()) {
			v, err := types.CastIn(c.V, t, b.Loc)
			if err != nil {
				return nil, withPos(err, b, pos)
			}
			return &Const{V: v, T: t}, nil
		}
	case *Param:
		if et.ID == types.Unknown {
			b.ParamTypes[c.N-1] = t
			return &Param{N: c.N, T: t}, nil
		}
	}
	if et.ID == t.ID && et.Elem == t.Elem && t.ID != types.Numeric && t.ID != types.Varchar && t.ID != types.Char {
		return e, nil
	}
	if implicit(et, t) {
		return &Cast{X: e, T: t}, nil
	}
	msg := "argument of %s must be type %s, not type %s"
	if ctx == "" {
		ctx = "expression"
	}
	return nil, b.errAt(pos, sqlerr.DatatypeMismatch, msg, ctx, t, et)
}

// implicit reports whether from converts to to without an explicit cast.
func implicit(from, to types.T) bool {
	switch {
	case from.ID == types.Array && to.ID == types.Array:
		return implicit(from.ElemType(), to.ElemType())
	case from.ID == to.ID:
		return true
	case from.IsNumeric() && to.IsNumeric():
		return true
	case from.IsString() && to.IsString():
		return true
	case isDateTime(from) && isDateTime(to):
		return true
	case from.ID == types.Time && to.ID == types.Interval:
		return true
	}
	return false
}

// castable reports whether an explicit CAST from one type to another exists.
func castable(from, to types.T) bool {
	if from.ID == types.Array && to.ID == types.Array {
		return castable(from.ElemType(), to.ElemType())
	}
	if implicit(from, to) || from.IsString() || to.IsString() || from.ID == types.Unknown || castableTime(from, to) ||
		castableJSON(from, to, false) {
		return true
	}
	return (from.IsInteger() && to.ID == types.Bool) || (from.ID == types.Bool && to.ID == types.Int4)
}

// assign converts e for storage in a column of type t: as coerce, plus any
// type to a string column, as PostgreSQL's assignment casts allow.
func (b *Binder) assign(e Expr, t types.T, col string, pos int) (Expr, error) {
	et := e.Type()
	if ee, ok := e.(*errExpr); ok {
		return nil, ee.err
	}
	if c, ok := e.(*Const); ok && et.ID == types.Unknown {
		v, err := types.AssignIn(c.V, t, b.Loc)
		if err != nil {
			return nil, withPos(err, b, pos)
		}
		return &Const{V: v, T: t}, nil
	}
	if et.ID == types.Unknown || implicit(et, t) || t.IsString() || castableTime(et, t) || castableJSON(et, t, true) {
		if p, ok := e.(*Param); ok && et.ID == types.Unknown {
			b.ParamTypes[p.N-1] = t
			return &Param{N: p.N, T: t}, nil
		}
		return &Cast{X: e, T: t, Assign: true}, nil
	}
	return nil, b.errAt(pos, sqlerr.DatatypeMismatch, "column %q is of type %s but expression is of type %s", col, t, et).
		WithHint("You will need to rewrite or cast the expression.")
}

func withPos(err error, b *Binder, pos int) error {
	e := sqlerr.From(err)
	if e.Position == 0 && pos > 0 {
		e.Position = b.errAt(pos, e.Code, "%s", e.Message).Position
	}
	return e
}

// resolveUnknown gives an untyped literal the type text, as PostgreSQL does
// for output columns.
func resolveUnknown(e Expr) Expr { return resolveUnknownAs(e, types.TText) }

func resolveUnknownAs(e Expr, t types.T) Expr {
	if e.Type().ID != types.Unknown {
		return e
	}
	switch c := e.(type) {
	case *Const:
		if c.V.IsNull() {
			return &Const{V: c.V, T: t}
		}
		if v, err := types.Cast(c.V, t); err == nil {
			return &Const{V: v, T: t}
		}
		return &errExpr{err: sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type %s: %q", t, types.Format(c.V)), T: t}
	case *Param:
		return &Param{N: c.N, T: t}
	}
	return e
}

// bindArray binds ARRAY[...] (elements of one common type) and
// ARRAY(subquery).
func (b *Binder) bindArray(sc *scope, e *sql.ArrayExpr, bind func(sql.Expr) (Expr, error)) (Expr, error) {
	if e.Select != nil {
		sub, err := b.bindSubquery(sc, e.Select, false)
		if err != nil {
			return nil, err
		}
		if len(sub.Plan.Columns()) != 1 {
			return nil, b.errAt(e.Pos, sqlerr.SyntaxError, "subquery must return only one column")
		}
		if sub.T.ID == types.Array {
			return nil, b.errAt(e.Pos, sqlerr.FeatureNotSupported, "arrays of arrays are not supported")
		}
		if sub.T.ID == types.Unknown {
			sub.T = types.TText
		}
		sub.Array, sub.T = true, types.ArrayOf(sub.T)
		return sub, nil
	}
	if len(e.Elems) == 0 {
		return nil, b.errAt(e.Pos, sqlerr.IndeterminateDatatype, "cannot determine type of empty array").
			WithHint("Explicitly cast to the desired type, for example ARRAY[]::integer[].")
	}
	args := make([]Expr, len(e.Elems))
	for i, x := range e.Elems {
		var err error
		if args[i], err = bind(x); err != nil {
			return nil, err
		}
	}
	t, err := unifyArgs(b, args, e.Pos)
	if err != nil {
		return nil, err
	}
	if t.ID == types.Array {
		return nil, b.errAt(e.Pos, sqlerr.FeatureNotSupported, "multidimensional arrays are not supported")
	}
	return &Func{Name: "array", Args: args, T: types.ArrayOf(t)}, nil
}

// bindQuantifiedArray binds x op ANY|ALL (array).
func (b *Binder) bindQuantifiedArray(x Expr, e *sql.QuantifiedExpr, bind func(sql.Expr) (Expr, error)) (Expr, error) {
	arr, err := bind(e.Array)
	if err != nil {
		return nil, err
	}
	if arr.Type().ID == types.Unknown { // 'x' = ANY('{a,b}')
		arr = resolveUnknownAs(arr, types.ArrayOf(x.Type()))
	}
	if arr.Type().ID != types.Array {
		return nil, b.errAt(e.Pos, sqlerr.DatatypeMismatch, "op ANY/ALL (array) requires array on right side")
	}
	elem := arr.Type().ElemType()
	x = resolveUnknownAs(x, elem)
	cmp, err := b.comparison(e.Op, &ColRef{Idx: 0, T: x.Type()}, &ColRef{Idx: 1, T: elem}, e.Pos)
	if err != nil {
		return nil, err
	}
	return &Quantified{X: x, Cmp: cmp, Array: arr, All: e.All}, nil
}
