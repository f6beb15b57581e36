package plan

import (
	"slices"

	"rustydb/types"
)

// Join order. The binder joins FROM items in the order they are written
// and the WHERE conditions then go to the lowest join that has their
// columns; a FROM list that names two unrelated tables next to each other
// (TPC-H q2: part, supplier, partsupp) gets a cross join, and the written
// order may stream the largest table through every join. reorderJoins
// rebuilds each tree of inner and cross joins: in the order of least
// estimated intermediate rows when ANALYZE's figures cover its inputs,
// else in written order except that each table joins the ones before it
// through a condition where one exists; a projection puts the columns
// back into their original order.

// reorderJoins returns n with its inner join groups reordered.
func reorderJoins(n Node) Node {
	if j, ok := n.(*Join); ok && innerGroup(j) {
		return reorderGroup(j)
	}
	replaceInputs(n, reorderJoins)
	return n
}

// replaceInputs sets each input of the relational operator n to fn of it.
func replaceInputs(n Node, fn func(Node) Node) {
	switch x := n.(type) {
	case *Filter:
		x.Input = fn(x.Input)
	case *Project:
		x.Input = fn(x.Input)
	case *Sort:
		x.Input = fn(x.Input)
	case *Limit:
		x.Input = fn(x.Input)
	case *Aggregate:
		x.Input = fn(x.Input)
	case *Distinct:
		x.Input = fn(x.Input)
	case *DistinctOn:
		x.Input = fn(x.Input)
	case *Window:
		x.Input = fn(x.Input)
	case *SetOp:
		x.Left, x.Right = fn(x.Left), fn(x.Right)
	case *Join:
		x.Left, x.Right = fn(x.Left), fn(x.Right)
	}
}

func innerGroup(j *Join) bool {
	return (j.Kind == "inner" || j.Kind == "cross") && !j.Lateral && !subqueryInExprs(j.On)
}

func subqueryInExprs(e Expr) bool { return e != nil && hasSubquery(e) }

// joinLeaf is one input of a group of inner joins: its columns are
// [off, off+width) of the group's row.
type joinLeaf struct {
	n          Node
	off, width int
}

// flattenGroup collects the leaves and the conditions (over the group's
// row) of a tree of inner and cross joins.
func flattenGroup(n Node, off int, leaves []joinLeaf, conds []Expr) ([]joinLeaf, []Expr, bool) {
	j, ok := n.(*Join)
	if !ok || !innerGroup(j) {
		w := len(n.Columns())
		return append(leaves, joinLeaf{n: reorderJoins(n), off: off, width: w}), conds, true
	}
	nl := len(j.Left.Columns())
	leaves, conds, ok = flattenGroup(j.Left, off, leaves, conds)
	if !ok {
		return nil, nil, false
	}
	leaves, conds, ok = flattenGroup(j.Right, off+nl, leaves, conds)
	if !ok {
		return nil, nil, false
	}
	for i := range j.LeftKeys {
		conds = append(conds, &Binary{Op: "=", L: shift(j.LeftKeys[i], off), R: shift(j.RightKeys[i], off+nl), T: types.TBool})
	}
	for _, c := range conjuncts(j.On, nil) {
		conds = append(conds, shift(c, off))
	}
	return leaves, conds, true
}

// reorderGroup rebuilds the group of inner joins rooted at j: in the order
// of estimated intermediate results when ANALYZE's figures cover every
// input, else in written order where that avoids a cross join.
func reorderGroup(j *Join) Node {
	leaves, conds, ok := flattenGroup(j, 0, nil, nil)
	if !ok {
		j.Left, j.Right = reorderJoins(j.Left), reorderJoins(j.Right)
		return j
	}
	g := &joinGroup{leaves: leaves, conds: impliedEqualities(conds)}
	g.condLeaves = make([][]int, len(g.conds))
	for i, c := range g.conds {
		seen := map[int]bool{}
		Walk(c, func(x Expr) {
			if r, ok := x.(*ColRef); ok {
				if l := g.leafOf(r.Idx); l >= 0 && !seen[l] {
					seen[l] = true
					g.condLeaves[i] = append(g.condLeaves[i], l)
				}
			}
		})
	}
	order := g.cheapestOrder()
	if order == nil {
		if !hasCross(j) {
			j.Left, j.Right = reorderJoins(j.Left), reorderJoins(j.Right)
			return j
		}
		order = g.connectedOrder()
	}
	return g.build(order, j.Columns())
}

// joinGroup is a flattened group of inner joins: its inputs, the
// conditions over the group's row and the inputs each condition reads.
type joinGroup struct {
	leaves     []joinLeaf
	conds      []Expr
	condLeaves [][]int
	rows       []float64 // each leaf's estimated rows (set by cheapestOrder)
}

// leafOf returns the leaf that column pos of the group's row belongs to.
func (g *joinGroup) leafOf(pos int) int {
	for i, l := range g.leaves {
		if pos >= l.off && pos < l.off+l.width {
			return i
		}
	}
	return -1
}

// connects reports whether condition i joins leaf cand to the leaves in
// (reading cand, some leaf of in, and nothing else).
func (g *joinGroup) connects(i, cand int, in []bool) bool {
	if len(g.condLeaves[i]) < 2 {
		return false
	}
	has := false
	for _, l := range g.condLeaves[i] {
		if l == cand {
			has = true
		} else if !in[l] {
			return false
		}
	}
	return has
}

// connectedOrder is the written order, except that each next leaf is the
// first one a condition joins to those before it, when one does.
func (g *joinGroup) connectedOrder() []int {
	in := make([]bool, len(g.leaves))
	order := []int{0}
	in[0] = true
	for len(order) < len(g.leaves) {
		next := -1
		for cand := range g.leaves {
			if in[cand] {
				continue
			}
			if next < 0 {
				next = cand // nothing connects: the first left, as written
			}
			if g.joins(cand, in) {
				next = cand
				break
			}
		}
		in[next] = true
		order = append(order, next)
	}
	return order
}

// joins reports whether some condition joins cand to the leaves in.
func (g *joinGroup) joins(cand int, in []bool) bool {
	for i := range g.conds {
		if g.connects(i, cand, in) {
			return true
		}
	}
	return false
}

// maxOrderedLeaves bounds the groups cheapestOrder searches (2^n subsets).
const maxOrderedLeaves = 12

// cheapestOrder finds, for three or more leaves, the left-deep order whose
// intermediate results have the smallest estimated total (dynamic
// programming over the subsets of leaves, as System R did), each leaf
// joining those before it through a condition, so that selective small
// tables (TPC-H q7's nations, q9's parts) cut the large ones early through
// the join key filters of the scans. It returns nil without estimates for
// every leaf, or when the leaves do not all connect.
func (g *joinGroup) cheapestOrder() []int {
	n := len(g.leaves)
	if n < 3 || n > maxOrderedLeaves {
		return nil
	}
	rows := make([]float64, n)
	for i, l := range g.leaves {
		r, ok := estimateRows(l.n)
		if !ok {
			return nil
		}
		rows[i] = max(1, r)
	}
	g.rows = rows
	type state struct {
		cost, size float64
		last       int // the leaf joined last, -1 if unreached
		prev       uint32
	}
	best := make([]state, 1<<n)
	for s := range best {
		best[s].last = -1
	}
	for i := range n {
		best[1<<i] = state{size: rows[i], last: i}
	}
	in := make([]bool, n)
	for s := uint32(1); s < 1<<n; s++ {
		if best[s].last < 0 {
			continue
		}
		for i := range n {
			in[i] = s&(1<<i) != 0
		}
		for c := range n {
			if in[c] || !g.joins(c, in) {
				continue
			}
			size := max(1, g.joinSize(best[s].size, c, in))
			next := s | 1<<c
			if cost := best[s].cost + size; best[next].last < 0 || cost < best[next].cost {
				best[next] = state{cost: cost, size: size, last: c, prev: s}
			}
		}
	}
	full := uint32(1)<<n - 1
	if best[full].last < 0 {
		return nil
	}
	order := make([]int, n)
	for s, k := full, n-1; k >= 0; k-- {
		order[k] = best[s].last
		s = best[s].prev
	}
	return order
}

// joinSize estimates the rows of joining cur rows of the leaves in with
// leaf cand: the product divided by the larger distinct count of the most
// selective equality key, times the selectivity of the other conditions
// joining them (keys are assumed correlated, as foreign keys usually are).
func (g *joinGroup) joinSize(cur float64, cand int, in []bool) float64 {
	div, sel := 1.0, 1.0
	for i, c := range g.conds {
		if !g.connects(i, cand, in) {
			continue
		}
		if d, ok := g.keyDistinct(c); ok {
			div = max(div, d)
			continue
		}
		sel *= conjunctSelectivity(c, nil)
	}
	return cur * g.rows[cand] / div * sel
}

// keyDistinct is the larger of the distinct counts of the two sides of an
// equality between columns of two leaves (each side capped at its rows).
func (g *joinGroup) keyDistinct(c Expr) (float64, bool) {
	b, ok := c.(*Binary)
	if !ok || b.Op != "=" {
		return 0, false
	}
	d := 0.0
	for _, side := range []Expr{b.L, b.R} {
		col, ok := side.(*ColRef)
		if !ok {
			return 0, false
		}
		if li := g.leafOf(col.Idx); li >= 0 {
			l := g.leaves[li]
			d = max(d, distinctOf(l.n, col.Idx-l.off, g.rows[li]))
		}
	}
	return d, d > 0
}

// build joins the leaves in order, each join taking the conditions its
// inputs cover, and projects the group's columns back into place.
func (g *joinGroup) build(order []int, cols []Column) Node {
	in := make([]bool, len(g.leaves))
	used := make([]bool, len(g.conds))
	newPos := make([]int, len(cols))
	covered := func(i int) bool {
		for _, l := range g.condLeaves[i] {
			if !in[l] {
				return false
			}
		}
		return true
	}
	var cur Node
	width := 0
	for _, li := range order {
		l := g.leaves[li]
		in[li] = true
		for k := range l.width {
			newPos[l.off+k] = width + k
		}
		width += l.width
		if cur == nil {
			cur = l.n
			continue
		}
		nj := &Join{Kind: "cross", Left: cur, Right: l.n,
			Cols: append(append([]Column(nil), cur.Columns()...), l.n.Columns()...)}
		var on []Expr
		linked := map[int]bool{} // columns of l already equated with one before it
		for i, c := range g.conds {
			if used[i] || !covered(i) {
				continue
			}
			used[i] = true
			if a, b, ok := colEquality(c); ok {
				inA, inB := a.Idx >= l.off && a.Idx < l.off+l.width, b.Idx >= l.off && b.Idx < l.off+l.width
				if inB && !inA {
					a, inA, inB = b, true, false
				}
				// The columns before l that one of l's equals are equal to
				// each other already (implied equalities join them at the
				// first join that has both), so one key per column of l is
				// enough (TPC-H q9's partsupp joins on two keys, not four).
				if inA != inB {
					if linked[a.Idx] {
						continue
					}
					linked[a.Idx] = true
				}
			}
			on = append(on, remap(c, newPos))
		}
		nj.On = andAll(on)
		extractEquiKeys(nj)
		if nj.On != nil && nj.Kind == "cross" {
			nj.Kind = "inner"
		}
		cur = nj
	}
	exprs := make([]Expr, len(cols))
	for i, c := range cols {
		exprs[i] = &ColRef{Idx: newPos[i], T: c.Type, Name: c.Name}
	}
	return &Project{Input: cur, Exprs: exprs, Cols: cols}
}

// hasCross reports whether the group of inner joins under j has a join
// without keys.
func hasCross(j *Join) bool {
	if !innerGroup(j) {
		return false
	}
	if len(j.LeftKeys) == 0 {
		return true
	}
	l, okL := j.Left.(*Join)
	r, okR := j.Right.(*Join)
	return okL && hasCross(l) || okR && hasCross(r)
}

// remap moves e's column references to newPos's positions.
func remap(e Expr, newPos []int) Expr {
	return rewrite(e, func(x Expr) Expr {
		if c, ok := x.(*ColRef); ok {
			return &ColRef{Idx: newPos[c.Idx], T: c.T, Name: c.Name}
		}
		return nil
	})
}

// impliedEqualities adds to conds the equalities between columns that
// follow from others (a = b and b = c give a = c), which give the join
// order more ways to connect inputs (TPC-H q5: c_nationkey = s_nationkey
// and s_nationkey = n_nationkey join customer to nation directly).
func impliedEqualities(conds []Expr) []Expr {
	parent := map[int]int{}
	var find func(int) int
	find = func(x int) int {
		if p, ok := parent[x]; ok && p != x {
			parent[x] = find(p)
			return parent[x]
		}
		return x
	}
	cols := map[int]*ColRef{}
	has := map[[2]int]bool{}
	for _, c := range conds {
		l, r, ok := colEquality(c)
		if !ok {
			continue
		}
		cols[l.Idx], cols[r.Idx] = l, r
		has[[2]int{l.Idx, r.Idx}], has[[2]int{r.Idx, l.Idx}] = true, true
		parent[find(l.Idx)] = find(r.Idx)
	}
	idxs := make([]int, 0, len(cols))
	for i := range cols {
		idxs = append(idxs, i)
	}
	slices.Sort(idxs)
	for a, i := range idxs {
		for _, k := range idxs[a+1:] {
			if find(i) == find(k) && !has[[2]int{i, k}] {
				conds = append(conds, &Binary{Op: "=", L: cols[i], R: cols[k], T: types.TBool})
			}
		}
	}
	return conds
}

// colEquality matches a = b between two columns of the same type.
func colEquality(c Expr) (l, r *ColRef, ok bool) {
	b, isBin := c.(*Binary)
	if !isBin || b.Op != "=" {
		return nil, nil, false
	}
	l, okL := b.L.(*ColRef)
	r, okR := b.R.(*ColRef)
	if !okL || !okR || l.Idx == r.Idx || l.T.ID != r.T.ID {
		return nil, nil, false
	}
	return l, r, true
}
