package plan

import (
	"math"

	"rustydb/catalog"
)

// Build sides. A hash join keeps one input in memory and streams the other;
// the executor keeps the right one unless BuildLeft is set. The planner
// sets it when ANALYZE's figures say the left input is much the
// smaller: TPC-H's queries list the small tables first, so their joins
// would otherwise hold lineitem in memory.

// chooseBuildSides sets BuildLeft on the hash joins under n whose left
// input is estimated at under half the size of the right one, size being
// rows times columns (what the kept rows take). An outer join then emits
// the unmatched rows of whichever side it keeps (TPC-H q13 holds its
// 150,000 customers rather than 1.5 million orders).
func chooseBuildSides(n Node) {
	walkNodes(n, func(x Node) {
		j, ok := x.(*Join)
		if !ok || j.Kind == "cross" || j.Lateral || len(j.LeftKeys) == 0 {
			return
		}
		l, okL := estimateRows(j.Left)
		r, okR := estimateRows(j.Right)
		l *= float64(len(j.Left.Columns()))
		r *= float64(len(j.Right.Columns()))
		j.BuildLeft = okL && okR && l < r/2
	})
}

// EstimateRows guesses how many rows n produces from ANALYZE's figures;
// ok is false when it has no basis (a table never analyzed, a node it does
// not know).
func EstimateRows(n Node) (float64, bool) { return estimateRows(n) }

func estimateRows(n Node) (float64, bool) {
	switch n := n.(type) {
	case *Scan:
		if n.Stats == nil {
			return 0, false
		}
		rows := float64(n.Stats.Rows)
		if n.Lookup != nil {
			rows *= 0.01
		}
		return rows, true
	case *Filter:
		in, ok := estimateRows(n.Input)
		return in * selectivityOf(n.Cond, n.Input), ok
	case *Project:
		return estimateRows(n.Input)
	case *Sort:
		return estimateRows(n.Input)
	case *Limit:
		return estimateRows(n.Input)
	case *Distinct:
		in, ok := estimateRows(n.Input)
		return in / 2, ok
	case *Aggregate:
		in, ok := estimateRows(n.Input)
		if len(n.GroupBy) == 0 {
			return 1, ok
		}
		// as many groups as the keys' distinct values combine to, when
		// ANALYZE knows them all, at most one per row
		groups := 1.0
		for _, g := range n.GroupBy {
			c, isCol := g.(*ColRef)
			if !isCol {
				return max(1, in/10), ok
			}
			d := distinctOf(n.Input, c.Idx, math.Inf(1))
			if math.IsInf(d, 1) {
				return max(1, in/10), ok
			}
			groups *= d
		}
		return max(1, min(in, groups)), ok
	case *Join:
		l, okL := estimateRows(n.Left)
		r, okR := estimateRows(n.Right)
		switch {
		case !okL || !okR:
			return 0, false
		case n.Kind == "anti":
			return l / 2, true
		case len(n.LeftKeys) == 0:
			return l * r * selectivityOf(n.On, nil), true
		}
		// |L join R| = |L| |R| / max(distinct keys of L, of R)
		rows := max(l, r)
		lc, okL := n.LeftKeys[0].(*ColRef)
		rc, okR := n.RightKeys[0].(*ColRef)
		if okL && okR {
			rows = l * r / max(1, distinctOf(n.Left, lc.Idx, l), distinctOf(n.Right, rc.Idx, r))
		}
		rows *= selectivityOf(n.On, nil)
		switch n.Kind {
		case "left":
			rows = max(rows, l)
		case "semi": // each left row at most once
			rows = min(rows, l)
		}
		return rows, true
	}
	return 0, false
}

// distinctOf estimates the distinct values of column idx of n's rows
// (rows of them): ANALYZE's figure for the table column it comes from,
// capped at rows. A one-column key counts its table's rows uncapped: a
// join with it then keeps the other side's rows in the proportion n keeps
// of the table (a foreign key join), where a sample's distinct estimate
// of the other side's column would be far too low.
func distinctOf(n Node, idx int, rows float64) float64 {
	if s, col, ok := baseColumn(n, idx); ok && s.Stats != nil && s.Stats.Rows > 0 && isKeyColumn(s.Table, col) {
		return float64(s.Stats.Rows)
	}
	if s, col, ok := baseColumn(n, idx); ok && s.Stats != nil && col < len(s.Stats.Columns) {
		if d := float64(s.Stats.Columns[col].Distinct); d > 0 {
			return min(rows, d)
		}
	}
	return rows
}

// baseColumn finds the table column that column idx of n's rows is.
func baseColumn(n Node, idx int) (*Scan, int, bool) {
	switch n := n.(type) {
	case *Scan:
		return n, idx, true
	case *Filter:
		return baseColumn(n.Input, idx)
	case *Project:
		if c, ok := n.Exprs[idx].(*ColRef); ok {
			return baseColumn(n.Input, c.Idx)
		}
	case *Join:
		if n.Out != nil {
			idx = n.Out[idx]
		}
		nl := len(n.Left.Columns())
		if idx < nl {
			return baseColumn(n.Left, idx)
		}
		if n.Kind != "semi" && n.Kind != "anti" {
			return baseColumn(n.Right, idx-nl)
		}
	}
	return nil, 0, false
}

// selectivityOf guesses the fraction of in's rows a condition keeps, by
// the shape of its conjuncts (in, when not nil, gives the distinct values
// of the columns it compares).
func selectivityOf(cond Expr, in Node) float64 {
	if cond == nil {
		return 1
	}
	sel := 1.0
	for _, c := range conjuncts(cond, nil) {
		sel *= conjunctSelectivity(c, in)
	}
	return sel
}

func conjunctSelectivity(c Expr, in Node) float64 {
	switch c := c.(type) {
	case *Binary:
		switch c.Op {
		case "=":
			col, isCol := c.L.(*ColRef)
			if !isCol {
				col, isCol = c.R.(*ColRef)
			}
			if isCol && in != nil {
				if d := distinctOf(in, col.Idx, math.Inf(1)); !math.IsInf(d, 1) {
					return 1 / max(1, d)
				}
			}
			return 0.05
		case "<", "<=", ">", ">=":
			return 0.33
		case "<>":
			return 0.9
		case "or":
			return min(1, conjunctSelectivity(c.L, in)+conjunctSelectivity(c.R, in))
		case "and":
			return conjunctSelectivity(c.L, in) * conjunctSelectivity(c.R, in)
		}
	case *In:
		if c.Sub == nil {
			if c.Not {
				return 1 - min(0.5, 0.05*float64(len(c.List)))
			}
			return min(0.5, 0.05*float64(len(c.List)))
		}
	case *Like:
		if c.Not {
			return 0.9
		}
		return 0.1
	}
	return 0.5
}

// isKeyColumn reports whether column col alone is t's primary key or a
// unique key.
func isKeyColumn(t *catalog.Table, col int) bool {
	if len(t.PrimaryKey) == 1 && t.PrimaryKey[0] == col {
		return true
	}
	for _, u := range t.Unique {
		if len(u) == 1 && u[0] == col {
			return true
		}
	}
	return false
}
