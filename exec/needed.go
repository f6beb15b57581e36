package exec

import (
	"rustydb/plan"
	"rustydb/types"
)

// Which columns of its scans a plan reads. A column-segment scan turns only
// these into row values and leaves the others NULL, which no operator above
// looks at. The analysis starts at each plan Build is first called with
// (all its output columns needed) and goes down through the node kinds it
// knows; under any other node, or where an expression holds a subquery
// (which may read any column of the row around it), every column is needed.

// neededCols maps a node to the output columns the nodes above it read.
type neededCols map[plan.Node][]bool

// PlanMemo keeps what running a plan learns that later runs of the same
// plan can reuse: which columns its scans must produce. A prepared
// statement keeps one with its cached plan (Context.Memo), so that a point
// query does not analyse its plan at every execution. One statement at a
// time may use it.
type PlanMemo struct {
	needed neededCols
	row    []types.Value // a prepared INSERT's row, evaluated anew each time
}

// needed returns which output columns of n are read, analysing the plan n
// belongs to when it is a root Build has not seen.
func (c *Context) needed(n plan.Node) []bool {
	nc := &c.neededCols
	if c.Memo != nil {
		nc = &c.Memo.needed
	}
	if *nc == nil {
		*nc = neededCols{}
	}
	if req, ok := (*nc)[n]; ok {
		return req
	}
	if rowOnly(n) {
		return nil // no reader of the analysis in this plan
	}
	nc.mark(n, allCols(len(n.Columns())))
	return (*nc)[n]
}

// rowOnly reports whether the plan n can hold neither a column-segment
// scan nor a vectorized join, the operators that read the analysis: only
// index scans, filters, projections, sorts, limits and VALUES. A point
// query's plan is, and analysing it would only allocate.
func rowOnly(n plan.Node) bool {
	switch n := n.(type) {
	case *plan.Scan:
		return n.Lookup != nil
	case *plan.Filter:
		return rowOnly(n.Input)
	case *plan.Project:
		return rowOnly(n.Input)
	case *plan.Sort:
		return rowOnly(n.Input)
	case *plan.Limit:
		return rowOnly(n.Input)
	case *plan.Values:
		return true
	}
	return false
}

func allCols(n int) []bool {
	all := make([]bool, n)
	for i := range all {
		all[i] = true
	}
	return all
}

// mark records that the columns req of n are read and passes down what n
// reads of its inputs.
func (nc neededCols) mark(n plan.Node, req []bool) {
	if have, ok := nc[n]; ok {
		grew := false
		for i, r := range req {
			if r && !have[i] {
				have[i], grew = true, true
			}
		}
		if !grew {
			return
		}
		req = have
	} else {
		nc[n] = append([]bool(nil), req...)
	}
	switch n := n.(type) {
	case *plan.Filter:
		nc.mark(n.Input, reads(len(n.Input.Columns()), req, n.Cond))
	case *plan.Project:
		nc.mark(n.Input, reads(len(n.Input.Columns()), nil, n.Exprs...))
	case *plan.Sort:
		exprs := make([]plan.Expr, len(n.Keys))
		for i, k := range n.Keys {
			exprs[i] = k.Expr
		}
		nc.mark(n.Input, reads(len(n.Input.Columns()), req, exprs...))
	case *plan.Limit:
		nc.mark(n.Input, req)
	case *plan.DistinctOn:
		nc.mark(n.Input, reads(len(n.Input.Columns()), req, n.Keys...))
	case *plan.Distinct:
		nc.mark(n.Input, allCols(len(n.Input.Columns())))
	case *plan.Aggregate:
		exprs := append([]plan.Expr(nil), n.GroupBy...)
		for _, a := range n.Aggs {
			exprs = append(exprs, a.Arg, a.Arg2, a.Filter)
			for _, k := range a.OrderBy {
				exprs = append(exprs, k.Expr)
			}
		}
		nc.mark(n.Input, reads(len(n.Input.Columns()), nil, exprs...))
	case *plan.Window:
		in := len(n.Input.Columns())
		var exprs []plan.Expr
		for _, call := range n.Calls {
			exprs = append(exprs, call.Args...)
			exprs = append(exprs, call.PartitionBy...)
			exprs = append(exprs, call.Frame.StartOffset, call.Frame.EndOffset)
			for _, k := range call.OrderBy {
				exprs = append(exprs, k.Expr)
			}
		}
		nc.mark(n.Input, reads(in, req[:min(in, len(req))], exprs...))
	case *plan.Join:
		nc.markJoin(n, req)
	case *plan.SetOp:
		nc.mark(n.Left, allCols(len(n.Left.Columns())))
		nc.mark(n.Right, allCols(len(n.Right.Columns())))
	}
}

func (nc neededCols) markJoin(n *plan.Join, req []bool) {
	nl, nr := len(n.Left.Columns()), len(n.Right.Columns())
	both := reads(nl+nr, nil, n.On)
	for i, r := range req {
		if n.Out != nil {
			i = n.Out[i]
		}
		if r && i < len(both) {
			both[i] = true
		}
	}
	left, right := both[:nl], both[nl:]
	for i, r := range reads(nl, nil, n.LeftKeys...) {
		left[i] = left[i] || r
	}
	for i, r := range reads(nr, nil, n.RightKeys...) {
		right[i] = right[i] || r
	}
	if n.Lateral || subqueryIn(n.On) || subqueryIn(n.LeftKeys...) || subqueryIn(n.RightKeys...) {
		left, right = allCols(nl), allCols(nr)
	}
	nc.mark(n.Left, left)
	nc.mark(n.Right, right)
}

// reads returns the input columns among width that base marks or exprs
// read; all of them when an expression holds a subquery.
func reads(width int, base []bool, exprs ...plan.Expr) []bool {
	if subqueryIn(exprs...) {
		return allCols(width)
	}
	out := make([]bool, width)
	copy(out, base)
	for _, e := range exprs {
		plan.Walk(e, func(x plan.Expr) {
			if r, ok := x.(*plan.ColRef); ok && r.Idx < width {
				out[r.Idx] = true
			}
		})
	}
	return out
}

func subqueryIn(exprs ...plan.Expr) bool {
	found := false
	for _, e := range exprs {
		plan.Walk(e, func(x plan.Expr) {
			switch x := x.(type) {
			case *plan.Subquery, *plan.Quantified, *plan.OuterRef:
				found = true
			case *plan.In:
				found = found || x.Sub != nil
			}
		})
	}
	return found
}
