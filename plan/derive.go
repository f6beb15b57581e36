package plan

// Restrictions derived from ORs. A condition such as TPC-H q7's
//
//	(n1.n_name = 'FRANCE' AND n2.n_name = 'GERMANY') OR (n1.n_name = 'GERMANY' AND n2.n_name = 'FRANCE')
//
// reads two tables, so it can only filter above their join; but it implies
// one condition per table (n1.n_name = 'FRANCE' OR n1.n_name = 'GERMANY',
// and the same of n2) that can filter each table's scan. The original OR
// stays where it was.

// deriveFromOr returns, for each OR in conds that spans several inputs of
// the inner join tree n, the restriction it implies on each single input:
// the OR over its branches of the conjuncts that read only that input,
// when every branch has some.
func deriveFromOr(n Node, conds []Expr) []Expr {
	var derived []Expr
	var leaves [][2]int
	for _, c := range conds {
		branches := disjuncts(c, nil)
		if len(branches) < 2 || hasSubquery(c) {
			continue
		}
		if leaves == nil {
			leaves = joinInputs(n, 0, nil)
		}
		lo, hi := colRange(c)
		for _, leaf := range leaves {
			if lo >= leaf[0] && hi < leaf[1] {
				break // c reads this input only and is pushed to it whole
			}
			if r := restrictTo(branches, leaf); r != nil {
				derived = append(derived, r)
			}
		}
	}
	return derived
}

// restrictTo returns the OR over branches of each branch's conjuncts that
// read only columns [leaf[0], leaf[1]), or nil when a branch has none.
func restrictTo(branches []Expr, leaf [2]int) Expr {
	var or Expr
	for _, b := range branches {
		var own []Expr
		for _, c := range conjuncts(b, nil) {
			if lo, hi := colRange(c); lo >= leaf[0] && hi < leaf[1] {
				own = append(own, c)
			}
		}
		if len(own) == 0 {
			return nil
		}
		if or == nil {
			or = andAll(own)
		} else {
			or = &Binary{Op: "or", L: or, R: andAll(own), T: or.Type()}
		}
	}
	return or
}

// joinInputs appends the column ranges of the inputs of the tree of inner
// and cross joins n (whose columns start at off) to out.
func joinInputs(n Node, off int, out [][2]int) [][2]int {
	if j, ok := n.(*Join); ok && (j.Kind == "inner" || j.Kind == "cross") && !j.Lateral {
		nl := len(j.Left.Columns())
		return joinInputs(j.Right, off+nl, joinInputs(j.Left, off, out))
	}
	return append(out, [2]int{off, off + len(n.Columns())})
}
