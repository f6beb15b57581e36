package plan

// Column pruning. A join's output is its inputs' rows side by side, so in
// a chain of joins every row carries every column of every table (TPC-H
// q9's reach 50 values) although the plan above reads a few. pruneColumns
// gives each join the list of columns that something above it reads (its
// Out), drops the projections' unread expressions and renumbers the column
// references above accordingly, so joins copy only what is read.

// pruneColumns prunes the joins under n, whose output columns all stay.
func pruneColumns(n Node) Node {
	if !prunable(n) {
		return n
	}
	n, _ = prune(n, allNeeded(len(n.Columns())))
	return n
}

// prunable reports whether prune can change n: when it holds a node whose
// inputs can be read in part (a join, an aggregation, a Parquet scan, ...)
// or a projection under another. A point query's plan is none of these,
// and pruning it would only allocate.
func prunable(n Node) bool {
	found, projections := false, 0
	walkNodes(n, func(x Node) {
		switch x.(type) {
		case *Project:
			projections++
			found = found || projections > 1
		case *Scan, *Filter, *Sort, *Limit, *Values:
		default:
			found = true
		}
	})
	return found
}

func allNeeded(n int) []bool {
	need := make([]bool, n)
	for i := range need {
		need[i] = true
	}
	return need
}

// prune returns n with the joins below it pruned, given which of its
// output columns are read (need), and where each output column went
// (-1: dropped; only columns not needed are dropped).
func prune(n Node, need []bool) (Node, []int) {
	switch n := n.(type) {
	case *Filter:
		in, m := prune(n.Input, readsOf(len(n.Input.Columns()), need, n.Cond))
		n.Input, n.Cond = in, renumber(n.Cond, m)
		if s, ok := in.(*ParquetScan); ok {
			s.Cond = n.Cond // to skip row groups by their statistics
		}
		return n, m
	case *Sort:
		exprs := make([]Expr, len(n.Keys))
		for i, k := range n.Keys {
			exprs[i] = k.Expr
		}
		in, m := prune(n.Input, readsOf(len(n.Input.Columns()), need, exprs...))
		n.Input = in
		for i := range n.Keys {
			n.Keys[i].Expr = renumber(n.Keys[i].Expr, m)
		}
		return n, m
	case *Limit:
		in, m := prune(n.Input, need)
		n.Input = in
		return n, m
	case *Project:
		out := make([]int, len(n.Exprs))
		var exprs []Expr
		var cols []Column
		for i, e := range n.Exprs {
			out[i] = -1
			if need[i] || volatile(e) { // nextval() runs per row, read or not
				out[i] = len(exprs)
				exprs, cols = append(exprs, e), append(cols, n.Cols[i])
			}
		}
		in, m := prune(n.Input, readsOf(len(n.Input.Columns()), nil, exprs...))
		for i, e := range exprs {
			exprs[i] = renumber(e, m)
		}
		n.Input, n.Exprs, n.Cols = in, exprs, cols
		return n, out
	case *Aggregate:
		exprs := append([]Expr(nil), n.GroupBy...)
		for _, a := range n.Aggs {
			exprs = append(exprs, a.Arg, a.Arg2, a.Filter)
			for _, k := range a.OrderBy {
				exprs = append(exprs, k.Expr)
			}
		}
		in, m := prune(n.Input, readsOf(len(n.Input.Columns()), nil, exprs...))
		n.Input = in
		for i := range n.GroupBy {
			n.GroupBy[i] = renumber(n.GroupBy[i], m)
		}
		for i := range n.Aggs {
			a := &n.Aggs[i]
			a.Arg, a.Arg2, a.Filter = renumber(a.Arg, m), renumber(a.Arg2, m), renumber(a.Filter, m)
			for k := range a.OrderBy {
				a.OrderBy[k].Expr = renumber(a.OrderBy[k].Expr, m)
			}
		}
	case *Join:
		if !n.Lateral && n.Out == nil {
			return pruneJoin(n, need)
		}
		replaceInputs(n, pruneColumns)
	case *ParquetScan:
		n.Need = need // it outputs all its columns but decodes only these
	case *Window, *Distinct, *DistinctOn, *SetOp:
		replaceInputs(n, pruneColumns) // they read all their inputs' columns
	}
	return n, identity(len(n.Columns()))
}

// pruneJoin prunes a join's inputs to the columns its keys, On and need
// read and outputs only the needed ones.
func pruneJoin(j *Join, need []bool) (Node, []int) {
	nl, nr := len(j.Left.Columns()), len(j.Right.Columns())
	both := readsOf(nl+nr, need, j.On)
	left := readsOf(nl, both[:nl], j.LeftKeys...)
	right := readsOf(nr, both[nl:], j.RightKeys...)
	var lm, rm []int
	j.Left, lm = prune(j.Left, left)
	j.Right, rm = prune(j.Right, right)
	newNL := len(j.Left.Columns())
	m := make([]int, nl+nr) // the joined row's columns, renumbered
	copy(m, lm)
	for i, r := range rm {
		m[nl+i] = -1
		if r >= 0 {
			m[nl+i] = newNL + r
		}
	}
	for i := range j.LeftKeys {
		j.LeftKeys[i] = renumber(j.LeftKeys[i], lm)
		j.RightKeys[i] = renumber(j.RightKeys[i], rm)
	}
	j.On = renumber(j.On, m)
	joined := append(append([]Column(nil), j.Left.Columns()...), j.Right.Columns()...)
	out := make([]int, len(need)) // where each old output column went
	j.Out, j.Cols = nil, nil
	for i, nd := range need {
		out[i] = -1
		if nd {
			out[i] = len(j.Out)
			j.Out = append(j.Out, m[i])
			j.Cols = append(j.Cols, joined[m[i]])
		}
	}
	if len(j.Out) == len(joined) { // every column stays, in place
		j.Out, j.Cols = nil, joined
	}
	return j, out
}

// readsOf returns the columns among width that base marks or exprs read;
// all of them when an expression holds a correlated subquery, whose outer
// references may read any column of the row (an uncorrelated one reads
// none: TPC-H q22's average balance leaves the customers' names out).
func readsOf(width int, base []bool, exprs ...Expr) []bool {
	out := make([]bool, width)
	copy(out, base)
	for _, e := range exprs {
		if e != nil && hasCorrelatedSubquery(e) {
			return allNeeded(width)
		}
		Walk(e, func(x Expr) {
			if c, ok := x.(*ColRef); ok && c.Idx < width {
				out[c.Idx] = true
			}
		})
	}
	return out
}

// hasCorrelatedSubquery reports whether e holds a subquery that reads the
// row around it.
func hasCorrelatedSubquery(e Expr) bool {
	found := false
	Walk(e, func(x Expr) {
		switch x := x.(type) {
		case *Subquery:
			found = found || x.Correlated
		case *In:
			found = found || x.Sub != nil && x.Sub.Correlated
		}
	})
	return found
}

func identity(n int) []int {
	m := make([]int, n)
	for i := range m {
		m[i] = i
	}
	return m
}

// renumber moves e's column references to their columns' new positions m.
func renumber(e Expr, m []int) Expr {
	if e == nil {
		return nil
	}
	return rewrite(e, func(x Expr) Expr {
		if c, ok := x.(*ColRef); ok && m[c.Idx] != c.Idx {
			return &ColRef{Idx: m[c.Idx], T: c.T, Name: c.Name}
		}
		return nil
	})
}
