package plan

import "rustydb/catalog"

// keyLookup finds a uniqueness key of t whose every column is compared for
// equality with a statement constant in cond (over t's columns), so that the
// rows can be found through the key's index instead of a scan.
func keyLookup(t *catalog.Table, cond Expr) *KeyLookup {
	if cond == nil {
		return nil
	}
	eq := map[int]Expr{}
	for _, c := range conjuncts(cond, nil) {
		b, ok := c.(*Binary)
		if !ok || b.Op != "=" {
			continue
		}
		col, val := b.L, b.R
		if _, isCol := col.(*ColRef); !isCol {
			col, val = val, col
		}
		ref, isCol := col.(*ColRef)
		if !isCol || !isConstant(val) || ref.T != t.Columns[ref.Idx].Type {
			continue
		}
		eq[ref.Idx] = val
	}
	for k, cols := range t.IndexKeys() {
		vals := make([]Expr, 0, len(cols))
		for _, c := range cols {
			if v, ok := eq[c]; ok {
				vals = append(vals, v)
			}
		}
		if len(vals) == len(cols) {
			return &KeyLookup{Key: k, Values: vals}
		}
	}
	return nil
}

// isConstant reports whether e has the same value for every row of a statement.
func isConstant(e Expr) bool {
	switch e := e.(type) {
	case *Const, *Param, *OuterRef:
		return true
	case *Cast:
		return isConstant(e.X)
	}
	return false
}

// chooseAccess gives every filtered table scan in the tree a key lookup when
// its filter pins a uniqueness key.
func chooseAccess(n Node) {
	switch n := n.(type) {
	case *Filter:
		if s, ok := n.Input.(*Scan); ok {
			s.Lookup = keyLookup(s.Table, n.Cond)
		}
		chooseAccess(n.Input)
	case *Project:
		chooseAccess(n.Input)
	case *Join:
		chooseAccess(n.Left)
		chooseAccess(n.Right)
	case *Aggregate:
		chooseAccess(n.Input)
	case *Window:
		chooseAccess(n.Input)
	case *Sort:
		chooseAccess(n.Input)
	case *Limit:
		chooseAccess(n.Input)
	case *Distinct:
		chooseAccess(n.Input)
	case *DistinctOn:
		chooseAccess(n.Input)
	case *SetOp:
		chooseAccess(n.Left)
		chooseAccess(n.Right)
	case *CTEScan:
		chooseAccess(n.CTE.Plan)
		if n.CTE.Recursive != nil {
			chooseAccess(n.CTE.Recursive)
		}
	}
}
