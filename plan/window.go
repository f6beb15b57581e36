package plan

import (
	"fmt"

	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

type (
	// Window computes window functions over its input. Its output is the
	// input's columns followed by one column per call, in the order of the
	// rows sorted by each call's partition and order (calls share them or
	// the operator sorts again).
	Window struct {
		Input Node
		Calls []WindowCall
		Cols  []Column
	}
	// WindowCall is one window function call.
	WindowCall struct {
		Func        string
		Args        []Expr
		PartitionBy []Expr
		OrderBy     []SortKey
		Frame       Frame
		T           types.T
	}
	// Frame is a resolved window frame: Mode is "rows" or "range"; a bound's
	// Kind is "unbounded preceding", "preceding", "current row", "following"
	// or "unbounded following"; offsets are statement constants.
	Frame struct {
		Mode                   string
		StartKind, EndKind     string
		StartOffset, EndOffset Expr
	}
	// WindowRef stands for the result of window call I until the Window
	// node's position in the plan is known.
	WindowRef struct {
		I int
		T types.T
	}
)

func (n *Window) Columns() []Column { return n.Cols }
func (e *WindowRef) Type() types.T  { return e.T }
func (e *WindowRef) String() string { return fmt.Sprintf("window#%d", e.I) }

// winContext collects the window calls of one query level.
type winContext struct {
	calls []WindowCall
	// named are the windows of the query's WINDOW clause, each resolved
	// against the ones it is based on.
	named map[string]*sql.WindowSpec
}

// defineWindows resolves a WINDOW clause; a definition may build on the
// ones before it.
func (w *winContext) defineWindows(b *Binder, defs []sql.WindowDef) error {
	for _, d := range defs {
		if w.named[d.Name] != nil {
			return b.errAt(d.Pos, sqlerr.WindowingError, "window %q is already defined", d.Name)
		}
		spec, err := w.resolve(b, d.Spec, false)
		if err != nil {
			return err
		}
		if w.named == nil {
			w.named = map[string]*sql.WindowSpec{}
		}
		w.named[d.Name] = spec
	}
	return nil
}

// resolve returns spec with the named window it refers to filled in, by
// the standard's rules: the partitioning is always the named window's, its
// ordering may be added only where it has none, and the frame is always
// spec's own, so a named window with a frame can be used only bare (OVER w).
func (w *winContext) resolve(b *Binder, spec *sql.WindowSpec, inOver bool) (*sql.WindowSpec, error) {
	if spec.Ref == "" {
		return spec, nil
	}
	base := w.named[spec.Ref]
	switch {
	case base == nil:
		return nil, b.errAt(spec.Pos, sqlerr.UndefinedObject, "window %q does not exist", spec.Ref)
	case spec.Bare:
		return base, nil
	case len(spec.PartitionBy) > 0:
		return nil, b.errAt(spec.Pos, sqlerr.WindowingError, "cannot override PARTITION BY clause of window %q", spec.Ref)
	case len(spec.OrderBy) > 0 && len(base.OrderBy) > 0:
		return nil, b.errAt(spec.Pos, sqlerr.WindowingError, "cannot override ORDER BY clause of window %q", spec.Ref)
	case base.Frame != nil:
		err := b.errAt(spec.Pos, sqlerr.WindowingError, "cannot copy window %q because it has a frame clause", spec.Ref)
		if inOver {
			err = err.WithHint("Omit the parentheses in this OVER clause.")
		}
		return nil, err
	}
	out := &sql.WindowSpec{PartitionBy: base.PartitionBy, OrderBy: spec.OrderBy, Frame: spec.Frame, Pos: spec.Pos}
	if len(out.OrderBy) == 0 {
		out.OrderBy = base.OrderBy
	}
	return out, nil
}

// build places a Window node over input and points the expressions at its
// result columns.
func (w *winContext) build(input Node, exprs []Expr) (Node, []Expr) {
	in := input.Columns()
	cols := append([]Column(nil), in...)
	for _, c := range w.calls {
		cols = append(cols, Column{Name: c.Func, Type: c.T})
	}
	out := make([]Expr, len(exprs))
	for i, e := range exprs {
		out[i] = rewrite(e, func(x Expr) Expr {
			if r, ok := x.(*WindowRef); ok {
				return &ColRef{Idx: len(in) + r.I, T: r.T, Name: w.calls[r.I].Func}
			}
			return nil
		})
	}
	return &Window{Input: input, Calls: w.calls, Cols: cols}, out
}

var windowOnly = map[string]bool{"row_number": true, "rank": true, "dense_rank": true, "percent_rank": true,
	"cume_dist": true, "ntile": true, "lag": true, "lead": true, "first_value": true, "last_value": true, "nth_value": true}

func (b *Binder) bindWindow(sc *scope, agg *aggContext, f *sql.FuncCall) (Expr, error) {
	if b.win == nil {
		return nil, b.errAt(f.Pos, "42P20", "window functions are not allowed here")
	}
	if !windowOnly[f.Name] && !isAggregate(f.Name) {
		return nil, b.errAt(f.Pos, sqlerr.WrongObjectType, "OVER specified, but %s is not a window function nor an aggregate function", f.Name)
	}
	if f.Distinct {
		return nil, b.errAt(f.Pos, sqlerr.FeatureNotSupported, "DISTINCT is not implemented for window functions")
	}
	if f.Filter != nil {
		return nil, b.errAt(f.Pos, sqlerr.FeatureNotSupported, "FILTER is not implemented for window functions")
	}
	if len(f.OrderBy) > 0 {
		return nil, b.errAt(f.Pos, sqlerr.FeatureNotSupported, "aggregate ORDER BY is not implemented for window functions")
	}
	over, err := b.win.resolve(b, f.Over, true)
	if err != nil {
		return nil, err
	}
	// Arguments, partitions and orderings are evaluated on the window's input
	// row, which is the grouped row when the query aggregates.
	saved := b.win
	b.win = nil // no window calls inside a window call
	defer func() { b.win = saved }()
	bind := func(x sql.Expr) (Expr, error) { return b.bindExpr(sc, agg, x) }
	call := WindowCall{Func: f.Name, Frame: Frame{Mode: "range", StartKind: "unbounded preceding", EndKind: "current row"}}
	for _, a := range f.Args {
		x, err := bind(a)
		if err != nil {
			return nil, err
		}
		call.Args = append(call.Args, x)
	}
	for _, p := range over.PartitionBy {
		x, err := bind(p)
		if err != nil {
			return nil, err
		}
		call.PartitionBy = append(call.PartitionBy, x)
	}
	for _, o := range over.OrderBy {
		x, err := bind(o.Expr)
		if err != nil {
			return nil, err
		}
		nullsFirst := o.Desc
		if o.NullsFirst != nil {
			nullsFirst = *o.NullsFirst
		}
		call.OrderBy = append(call.OrderBy, SortKey{Expr: x, Desc: o.Desc, NullsFirst: nullsFirst})
	}
	if len(call.OrderBy) == 0 {
		call.Frame.EndKind = "unbounded following" // no ORDER BY: every row is a peer
	}
	if fr := over.Frame; fr != nil {
		if fr.Mode == "groups" {
			return nil, b.errAt(over.Pos, sqlerr.FeatureNotSupported, "GROUPS frames are not supported yet")
		}
		call.Frame = Frame{Mode: fr.Mode, StartKind: fr.Start.Kind, EndKind: fr.End.Kind}
		for _, bound := range []struct {
			src sql.Expr
			dst *Expr
		}{{fr.Start.Offset, &call.Frame.StartOffset}, {fr.End.Offset, &call.Frame.EndOffset}} {
			if bound.src == nil {
				continue
			}
			x, err := b.bindExpr(&scope{}, nil, bound.src)
			if err != nil {
				return nil, err
			}
			if fr.Mode == "range" && len(call.OrderBy) == 1 {
				x, err = b.coerce(x, call.OrderBy[0].Expr.Type(), bound.src.Position(), "RANGE offset")
			} else {
				x, err = b.coerce(x, types.TInt8, bound.src.Position(), "ROWS offset")
			}
			if err != nil {
				return nil, err
			}
			*bound.dst = x
		}
		if fr.Mode == "range" && (call.Frame.StartOffset != nil || call.Frame.EndOffset != nil) && len(call.OrderBy) != 1 {
			return nil, b.errAt(over.Pos, sqlerr.WindowingError, "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column")
		}
	}
	t, err := b.windowType(f, &call)
	if err != nil {
		return nil, err
	}
	call.T = t
	b.win = saved
	saved.calls = append(saved.calls, call)
	return &WindowRef{I: len(saved.calls) - 1, T: t}, nil
}

func (b *Binder) windowType(f *sql.FuncCall, call *WindowCall) (types.T, error) {
	// An untyped literal is text as the value argument; as a count, offset
	// or default it takes the type the function wants (ntile(NULL)).
	if len(call.Args) > 0 && f.Name != "ntile" {
		call.Args[0] = resolveUnknown(call.Args[0])
	}
	nargs := func(lo, hi int) error {
		if len(call.Args) < lo || len(call.Args) > hi {
			return b.errAt(f.Pos, sqlerr.UndefinedFunction, "function %s with %d arguments does not exist", f.Name, len(call.Args))
		}
		return nil
	}
	switch f.Name {
	case "row_number", "rank", "dense_rank":
		return types.TInt8, nargs(0, 0)
	case "percent_rank", "cume_dist":
		return types.TFloat8, nargs(0, 0)
	case "ntile":
		if err := nargs(1, 1); err != nil {
			return types.T{}, err
		}
		x, err := b.coerce(call.Args[0], types.TInt4, f.Pos, "ntile")
		call.Args[0] = x
		return types.TInt4, err
	case "lag", "lead":
		if err := nargs(1, 3); err != nil {
			return types.T{}, err
		}
		if len(call.Args) >= 2 {
			x, err := b.coerce(call.Args[1], types.TInt8, f.Pos, f.Name+" offset")
			if err != nil {
				return types.T{}, err
			}
			call.Args[1] = x
		}
		if len(call.Args) == 3 {
			x, err := b.coerce(call.Args[2], call.Args[0].Type(), f.Pos, f.Name+" default")
			if err != nil {
				return types.T{}, err
			}
			call.Args[2] = x
		}
		return call.Args[0].Type(), nil
	case "first_value", "last_value":
		return call.Args[0].Type(), nargs(1, 1)
	case "nth_value":
		if err := nargs(2, 2); err != nil {
			return types.T{}, err
		}
		x, err := b.coerce(call.Args[1], types.TInt8, f.Pos, "nth_value")
		call.Args[1] = x
		return call.Args[0].Type(), err
	}
	// an aggregate over the frame
	a := AggCall{Func: f.Name}
	if !f.Star {
		if err := nargs(1, 1); err != nil {
			return types.T{}, err
		}
		a.Arg = call.Args[0]
	}
	t, err := aggType(a)
	if err != nil {
		return types.T{}, b.errAt(f.Pos, sqlerr.UndefinedFunction, "%s", err.(*sqlerr.Error).Message)
	}
	return t, nil
}
