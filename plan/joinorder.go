package plan

import "rustydb/types"

// Join order. The binder joins FROM items in the order they are written
// and the WHERE conditions then go to the lowest join that has their
// columns; a FROM list that names two unrelated tables next to each other
// (TPC-H q2: part, supplier, partsupp) gets a cross join. reorderJoins
// rebuilds such a tree of inner and cross joins so that each table joins
// the ones before it through a condition where one exists, and projects
// the columns back into their original order.

// reorderJoins returns n with its cross-joined inner join trees reordered.
func reorderJoins(n Node) Node {
	switch x := n.(type) {
	case *Filter:
		x.Input = reorderJoins(x.Input)
	case *Project:
		x.Input = reorderJoins(x.Input)
	case *Sort:
		x.Input = reorderJoins(x.Input)
	case *Limit:
		x.Input = reorderJoins(x.Input)
	case *Aggregate:
		x.Input = reorderJoins(x.Input)
	case *Distinct:
		x.Input = reorderJoins(x.Input)
	case *DistinctOn:
		x.Input = reorderJoins(x.Input)
	case *Window:
		x.Input = reorderJoins(x.Input)
	case *SetOp:
		x.Left, x.Right = reorderJoins(x.Left), reorderJoins(x.Right)
	case *Join:
		if innerGroup(x) {
			return reorderGroup(x)
		}
		x.Left, x.Right = reorderJoins(x.Left), reorderJoins(x.Right)
	}
	return n
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

// reorderGroup rebuilds the group of inner joins rooted at j when it holds
// a cross join that a condition could avoid.
func reorderGroup(j *Join) Node {
	leaves, conds, ok := flattenGroup(j, 0, nil, nil)
	if !ok || !hasCross(j) {
		j.Left, j.Right = reorderJoins(j.Left), reorderJoins(j.Right)
		return j
	}
	leafOf := func(pos int) int {
		for i, l := range leaves {
			if pos >= l.off && pos < l.off+l.width {
				return i
			}
		}
		return -1
	}
	condLeaves := make([][]int, len(conds))
	for i, c := range conds {
		seen := map[int]bool{}
		Walk(c, func(x Expr) {
			if r, ok := x.(*ColRef); ok {
				if l := leafOf(r.Idx); l >= 0 && !seen[l] {
					seen[l] = true
					condLeaves[i] = append(condLeaves[i], l)
				}
			}
		})
	}
	in := make([]bool, len(leaves))
	used := make([]bool, len(conds))
	newPos := make([]int, len(j.Columns()))
	place := func(l joinLeaf, at int) {
		for k := range l.width {
			newPos[l.off+k] = at + k
		}
	}
	// covered reports whether every leaf of condition i is in the set.
	covered := func(i int) bool {
		for _, l := range condLeaves[i] {
			if !in[l] {
				return false
			}
		}
		return true
	}
	var cur Node = leaves[0].n
	in[0] = true
	place(leaves[0], 0)
	width := leaves[0].width
	for range len(leaves) - 1 {
		next := -1
		for cand := range leaves {
			if in[cand] {
				continue
			}
			if next < 0 {
				next = cand // nothing connects: the first left, as written
			}
			in[cand] = true
			connects := false
			for i := range conds {
				if !used[i] && covered(i) && len(condLeaves[i]) > 1 {
					for _, l := range condLeaves[i] {
						connects = connects || l == cand
					}
				}
			}
			in[cand] = false
			if connects {
				next = cand
				break
			}
		}
		l := leaves[next]
		in[next] = true
		place(l, width)
		nj := &Join{Kind: "cross", Left: cur, Right: l.n,
			Cols: append(append([]Column(nil), cur.Columns()...), l.n.Columns()...)}
		var on []Expr
		for i, c := range conds {
			if !used[i] && covered(i) {
				used[i] = true
				on = append(on, remap(c, newPos))
			}
		}
		nj.On = andAll(on)
		extractEquiKeys(nj)
		if nj.On != nil && nj.Kind == "cross" {
			nj.Kind = "inner"
		}
		cur, width = nj, width+l.width
	}
	exprs := make([]Expr, len(j.Columns()))
	for i, c := range j.Columns() {
		exprs[i] = &ColRef{Idx: newPos[i], T: c.Type, Name: c.Name}
	}
	return &Project{Input: cur, Exprs: exprs, Cols: j.Columns()}
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
