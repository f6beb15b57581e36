package plan

import "rustydb/types"

// Decorrelation: a correlated EXISTS, NOT EXISTS or IN in WHERE becomes a
// hash semi or anti join, and a correlated scalar aggregate in WHERE or the
// select list a hash left join with the aggregation, so the subquery runs
// once instead of once per row.

// decorrelate rewrites cond (a WHERE conjunct over n's columns) into a semi
// or anti join over n when it is a correlated EXISTS, NOT EXISTS or IN
// whose correlation is confined to the subquery's top filter.
func decorrelate(n Node, cond Expr) (Node, bool) {
	kind := "semi"
	var in *In
	sub, ok := cond.(*Subquery)
	if u, isNot := cond.(*Unary); isNot && u.Op == "not" {
		sub, ok = u.X.(*Subquery)
		kind = "anti"
	}
	if i, isIn := cond.(*In); isIn && i.Sub != nil && !i.Not {
		in, sub, ok = i, i.Sub, true
	}
	if !ok || !sub.Correlated || (in == nil && !sub.Exists) {
		return n, false
	}
	nLeft := len(n.Columns())
	// Find the filter under the subquery's projections.
	p := sub.Plan
	var proj *Project
	for {
		pr, isProj := p.(*Project)
		if !isProj {
			break
		}
		if proj == nil {
			proj = pr
		} else if in != nil {
			return n, false // IN needs the one projection that makes its column
		}
		p = pr.Input
	}
	f, ok := p.(*Filter)
	if !ok {
		return n, false
	}
	inner := f.Input
	clearLookups(inner)
	if usesOuter(inner) || (proj != nil && in != nil && usesOuterExprs(proj.Exprs)) {
		return n, false
	}
	j := &Join{Kind: kind, Left: n, Right: inner, Cols: n.Columns()}
	nInner := len(inner.Columns())
	var keep, residual []Expr
	for _, c := range conjuncts(f.Cond, nil) {
		if !usesOuterExprs([]Expr{c}) {
			keep = append(keep, c)
			continue
		}
		if !onlyDepth1(c) {
			return n, false
		}
		if b, isEq := c.(*Binary); isEq && b.Op == "=" {
			l, r := b.L, b.R
			if !usesOuterExprs([]Expr{l}) {
				l, r = r, l
			}
			// l reads only the outer row, r only the inner one
			if _, lHasCols := colRangeOK(l); !lHasCols && !usesOuterExprs([]Expr{r}) {
				j.LeftKeys = append(j.LeftKeys, outerToLeft(l))
				j.RightKeys = append(j.RightKeys, r)
				continue
			}
		}
		residual = append(residual, shiftForJoin(c, nLeft))
	}
	if in != nil {
		// x IN (SELECT e ...): the probe x over the outer row equals e.
		if proj == nil || len(proj.Exprs) != 1 || usesOuterExprs([]Expr{in.X}) {
			return n, false
		}
		e := rewrite(in.List[0], func(x Expr) Expr {
			if c, isCol := x.(*ColRef); isCol && c.Idx == 0 {
				return proj.Exprs[0]
			}
			return nil
		})
		j.LeftKeys = append(j.LeftKeys, in.X)
		j.RightKeys = append(j.RightKeys, e)
	}
	if len(keep) > 0 {
		j.Right = &Filter{Input: inner, Cond: andAll(keep)}
	}
	j.On = andAll(residual)
	_ = nInner
	chooseAccess(j.Right)
	return j, true
}

// colRangeOK reports the column range of e and whether it reads any input column.
func colRangeOK(e Expr) (int, bool) {
	lo, _ := colRange(e)
	return lo, lo >= 0
}

// outerToLeft turns depth-1 outer references into columns of the join's left input.
func outerToLeft(e Expr) Expr {
	return rewrite(e, func(x Expr) Expr {
		if o, ok := x.(*OuterRef); ok && o.Depth == 1 {
			return &ColRef{Idx: o.Idx, T: o.T, Name: o.Name}
		}
		return nil
	})
}

// shiftForJoin maps an expression of the subquery's filter to the joined row:
// outer references become left columns, inner columns move right by nLeft.
func shiftForJoin(e Expr, nLeft int) Expr {
	return rewrite(e, func(x Expr) Expr {
		switch x := x.(type) {
		case *OuterRef:
			if x.Depth == 1 {
				return &ColRef{Idx: x.Idx, T: x.T, Name: x.Name}
			}
		case *ColRef:
			return &ColRef{Idx: x.Idx + nLeft, T: x.T, Name: x.Name}
		}
		return nil
	})
}

func onlyDepth1(e Expr) bool {
	ok := true
	Walk(e, func(x Expr) {
		if o, isOuter := x.(*OuterRef); isOuter && o.Depth != 1 {
			ok = false
		}
		if s, isSub := x.(*Subquery); isSub && s.Correlated {
			ok = false
		}
	})
	return ok
}

func usesOuterExprs(es []Expr) bool {
	found := false
	for _, e := range es {
		Walk(e, func(x Expr) {
			switch x := x.(type) {
			case *OuterRef:
				found = true
			case *Subquery:
				found = found || x.Correlated
			case *In:
				found = found || (x.Sub != nil && x.Sub.Correlated)
			}
		})
	}
	return found
}

// usesOuter reports whether any expression in the plan tree reads an
// enclosing query's row.
func usesOuter(n Node) bool {
	found := false
	walkPlan(n, func(es []Expr) {
		found = found || usesOuterExprs(es)
	})
	return found
}

// clearLookups drops key lookups chosen for the subquery's own filter; the
// rewritten plan chooses again.
func clearLookups(n Node) {
	walkNodes(n, func(x Node) {
		if s, ok := x.(*Scan); ok {
			s.Lookup = nil
		}
	})
}

// walkNodes calls fn for n and every node below it.
func walkNodes(n Node, fn func(Node)) {
	fn(n)
	switch n := n.(type) {
	case *Filter:
		walkNodes(n.Input, fn)
	case *Project:
		walkNodes(n.Input, fn)
	case *Join:
		walkNodes(n.Left, fn)
		walkNodes(n.Right, fn)
	case *Aggregate:
		walkNodes(n.Input, fn)
	case *Window:
		walkNodes(n.Input, fn)
	case *Sort:
		walkNodes(n.Input, fn)
	case *Limit:
		walkNodes(n.Input, fn)
	case *Distinct:
		walkNodes(n.Input, fn)
	case *DistinctOn:
		walkNodes(n.Input, fn)
	case *SetOp:
		walkNodes(n.Left, fn)
		walkNodes(n.Right, fn)
	case *CTEScan:
		walkNodes(n.CTE.Plan, fn)
		if n.CTE.Recursive != nil {
			walkNodes(n.CTE.Recursive, fn)
		}
	}
}

// walkPlan calls fn with the expressions of every node in the tree.
func walkPlan(n Node, fn func([]Expr)) {
	walkNodes(n, func(x Node) {
		switch x := x.(type) {
		case *Scan:
			if r := x.Lookup; r != nil {
				fn(r.Values)
				for _, b := range []*RangeBound{r.Lo, r.Hi} {
					if b != nil {
						fn([]Expr{b.Value})
					}
				}
			}
		case *Values:
			for _, r := range x.Rows {
				fn(r)
			}
		case *Filter:
			fn([]Expr{x.Cond})
		case *Project:
			fn(x.Exprs)
		case *Join:
			fn(x.LeftKeys)
			fn(x.RightKeys)
			if x.On != nil {
				fn([]Expr{x.On})
			}
		case *Aggregate:
			fn(x.GroupBy)
			for _, a := range x.Aggs {
				if a.Arg != nil {
					fn([]Expr{a.Arg})
				}
				if a.Filter != nil {
					fn([]Expr{a.Filter})
				}
				if a.Arg2 != nil {
					fn([]Expr{a.Arg2})
				}
				for _, k := range a.OrderBy {
					fn([]Expr{k.Expr})
				}
			}
		case *Window:
			for _, c := range x.Calls {
				fn(c.Args)
				fn(c.PartitionBy)
				for _, k := range c.OrderBy {
					fn([]Expr{k.Expr})
				}
			}
		case *Sort:
			for _, k := range x.Keys {
				fn([]Expr{k.Expr})
			}
		case *DistinctOn:
			fn(x.Keys)
		case *Limit:
			for _, e := range []Expr{x.Limit, x.Offset} {
				if e != nil {
					fn([]Expr{e})
				}
			}
		}
	})
}

// nullOnEmpty are the aggregates whose value over no rows is NULL, which a
// left join's missing match gives too; count's 0 is restored with coalesce.
var nullOnEmpty = map[string]bool{"sum": true, "avg": true, "min": true, "max": true,
	"bool_and": true, "bool_or": true, "every": true, "stddev": true, "stddev_samp": true,
	"stddev_pop": true, "variance": true, "var_samp": true, "var_pop": true}

// decorrelateScalar rewrites a correlated scalar subquery in e (a WHERE
// conjunct or a select-list expression over n's columns) of the form
//
//	[Project] over Aggregate without GROUP BY over filters and inner joins
//
// whose correlation is confined to equalities outer = inner in those
// filters and join conditions, into a left join of n with the aggregation
// grouped by the inner sides of those equalities, computed once. e then
// computes the subquery's value from the joined aggregates, a missing
// match counting 0 where the subquery counts. The join's columns are n's
// followed by the keys and the aggregates.
func decorrelateScalar(n Node, e Expr) (Node, Expr, bool) {
	var sub *Subquery
	Walk(e, func(x Expr) {
		if s, ok := x.(*Subquery); ok && sub == nil && s.Correlated && !s.Exists && !s.Array {
			sub = s
		}
	})
	if sub == nil {
		return n, e, false
	}
	p := sub.Plan
	proj, isProj := p.(*Project)
	if isProj {
		p = proj.Input
		if len(proj.Exprs) != 1 || usesOuterExprs(proj.Exprs) {
			return n, e, false
		}
	}
	agg, ok := p.(*Aggregate)
	if !ok || len(agg.GroupBy) > 0 || len(agg.Aggs) == 0 {
		return n, e, false
	}
	for _, a := range agg.Aggs {
		if !nullOnEmpty[a.Func] && a.Func != "count" || usesOuterExprs([]Expr{a.Arg, a.Filter}) {
			return n, e, false
		}
	}
	inner, leftKeys, rightKeys, ok := pullCorrelated(agg.Input)
	if !ok || len(leftKeys) == 0 {
		return n, e, false
	}
	clearLookups(inner)
	k := len(rightKeys)
	keyRefs := make([]Expr, k)
	cols := make([]Column, 0, k+len(agg.Aggs))
	for i, r := range rightKeys {
		keyRefs[i] = &ColRef{Idx: i, T: r.Type(), Name: "key"}
		cols = append(cols, Column{Name: "key", Type: r.Type()})
	}
	grouped := &Aggregate{Input: inner, GroupBy: rightKeys, Aggs: agg.Aggs, Cols: append(cols, agg.Cols...)}
	chooseAccess(grouped)
	nLeft := len(n.Columns())
	j := &Join{Kind: "left", Left: n, Right: grouped, LeftKeys: leftKeys, RightKeys: keyRefs,
		Cols: append(append([]Column(nil), n.Columns()...), grouped.Cols...)}
	var value Expr = &ColRef{Idx: 0, T: agg.Aggs[0].Type}
	if isProj {
		value = proj.Exprs[0]
	}
	value = rewrite(value, func(x Expr) Expr {
		c, ok := x.(*ColRef)
		if !ok {
			return nil
		}
		ref := &ColRef{Idx: nLeft + k + c.Idx, T: c.T, Name: agg.Aggs[c.Idx].Func}
		if agg.Aggs[c.Idx].Func == "count" {
			return &Func{Name: "coalesce", Args: []Expr{ref, &Const{V: types.NewInt(0), T: c.T}}, T: c.T}
		}
		return ref
	})
	e = rewrite(e, func(x Expr) Expr {
		if x == Expr(sub) {
			return value
		}
		return nil
	})
	return j, e, true
}

// pullCorrelated returns n without the correlated equalities outer = inner
// of its filters and inner join conditions (looking no deeper than those
// nodes), with their outer sides as expressions over the outer row and
// their inner sides over n's columns. ok is false when any other reference
// to the outer row remains.
func pullCorrelated(n Node) (out Node, outer, inner []Expr, ok bool) {
	switch x := n.(type) {
	case *Filter:
		in, outer, inner, ok := pullCorrelated(x.Input)
		if !ok {
			return n, nil, nil, false
		}
		keep, o2, i2, ok := splitCorrelated(x.Cond, 0)
		if !ok {
			return n, nil, nil, false
		}
		outer, inner = append(outer, o2...), append(inner, i2...)
		if len(keep) == 0 {
			return in, outer, inner, true
		}
		return &Filter{Input: in, Cond: andAll(keep)}, outer, inner, true
	case *Join:
		if x.Lateral || x.Kind != "inner" && x.Kind != "cross" || usesOuterExprs(x.LeftKeys) || usesOuterExprs(x.RightKeys) {
			break
		}
		l, outer, inner, okL := pullCorrelated(x.Left)
		r, o2, i2, okR := pullCorrelated(x.Right)
		if !okL || !okR {
			return n, nil, nil, false
		}
		nLeft := len(x.Left.Columns())
		outer = append(outer, o2...)
		for _, e := range i2 {
			inner = append(inner, shiftCols(e, nLeft))
		}
		keep, o3, i3, ok := splitCorrelated(x.On, 0)
		if !ok {
			return n, nil, nil, false
		}
		j := *x
		j.Left, j.Right, j.On = l, r, andAll(keep)
		return &j, append(outer, o3...), append(inner, i3...), true
	case *Scan:
		// An index lookup by the outer row repeats a condition of the
		// filter above, which is pulled out; the caller clears lookups.
		return n, nil, nil, true
	case *Project:
		if usesOuterExprs(x.Exprs) {
			break
		}
		in, outer, inner, ok := pullCorrelated(x.Input)
		if !ok {
			return n, nil, nil, false
		}
		// The keys are over the projection's input: read them through
		// it, adding the input columns it does not pass on at its end
		// (where nothing above looks).
		p := &Project{Input: in, Exprs: append([]Expr(nil), x.Exprs...), Cols: append([]Column(nil), x.Cols...)}
		for i, e := range inner {
			inner[i] = rewrite(e, func(y Expr) Expr {
				c, isCol := y.(*ColRef)
				if !isCol {
					return nil
				}
				for k, pe := range p.Exprs {
					if pc, ok := pe.(*ColRef); ok && pc.Idx == c.Idx {
						return &ColRef{Idx: k, T: c.T, Name: c.Name}
					}
				}
				p.Exprs = append(p.Exprs, c)
				p.Cols = append(p.Cols, Column{Name: c.Name, Type: c.T, Hidden: true})
				return &ColRef{Idx: len(p.Exprs) - 1, T: c.T, Name: c.Name}
			})
		}
		return p, outer, inner, true
	}
	return n, nil, nil, !usesOuter(n)
}

// splitCorrelated separates cond's conjuncts into those without outer
// references and the correlated equalities outer = inner, whose inner
// sides it shifts by shift columns.
func splitCorrelated(cond Expr, shift int) (keep, outer, inner []Expr, ok bool) {
	if cond == nil {
		return nil, nil, nil, true
	}
	for _, c := range conjuncts(cond, nil) {
		if !usesOuterExprs([]Expr{c}) {
			keep = append(keep, c)
			continue
		}
		b, isEq := c.(*Binary)
		if !onlyDepth1(c) || !isEq || b.Op != "=" {
			return nil, nil, nil, false
		}
		l, r := b.L, b.R
		if !usesOuterExprs([]Expr{l}) {
			l, r = r, l
		}
		if _, lHasCols := colRangeOK(l); lHasCols || usesOuterExprs([]Expr{r}) {
			return nil, nil, nil, false
		}
		outer = append(outer, outerToLeft(l))
		inner = append(inner, shiftCols(r, shift))
	}
	return keep, outer, inner, true
}

// shiftCols moves e's column references by d.
func shiftCols(e Expr, d int) Expr {
	if d == 0 {
		return e
	}
	return rewrite(e, func(x Expr) Expr {
		if c, ok := x.(*ColRef); ok {
			return &ColRef{Idx: c.Idx + d, T: c.T, Name: c.Name}
		}
		return nil
	})
}

// decorrelateList decorrelates the scalar aggregate subqueries of exprs
// (WHERE conjuncts or select-list expressions) over input. The left joins only append
// columns, so exprs' other references to input stay valid.
func decorrelateList(input Node, exprs []Expr) (Node, []Expr) {
	for i, e := range exprs {
		for {
			j, rewritten, ok := decorrelateScalar(input, e)
			if !ok {
				break
			}
			input, e = j, rewritten
		}
		exprs[i] = e
	}
	return input, exprs
}
