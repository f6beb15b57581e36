package plan

// Functionally dependent group keys. When a query groups by a table's
// primary key and other columns of the same table's rows
// (TPC-H q10: GROUP BY c_custkey, c_name, c_address, c_phone, c_comment,
// ...), the key alone decides the groups: the other columns hold one value
// per group. markDependentKeys marks them in Aggregate.Dependent, and the
// vectorized aggregation then neither hashes nor compares them (long
// strings, there) but keeps each group's first value. The row path groups
// by all keys, which gives the same groups.

// markDependentKeys sets Dependent on the aggregations under n.
func markDependentKeys(n Node) {
	walkNodes(n, func(x Node) {
		if a, ok := x.(*Aggregate); ok {
			a.Dependent = dependentKeys(a)
		}
	})
}

// dependentKeys returns which of a's group keys are columns of a table row
// whose primary key a also groups by, or nil for none.
func dependentKeys(a *Aggregate) []bool {
	type source struct {
		scan *Scan
		col  int
	}
	srcs := make([]source, len(a.GroupBy))
	grouped := map[*Scan]map[int]bool{} // the columns of each scan's row among the keys
	for i, g := range a.GroupBy {
		c, ok := g.(*ColRef)
		if !ok {
			continue
		}
		s, col, ok := baseColumn(a.Input, c.Idx)
		if !ok || s.Table == nil {
			continue
		}
		srcs[i] = source{s, col}
		if grouped[s] == nil {
			grouped[s] = map[int]bool{}
		}
		grouped[s][col] = true
	}
	var dep []bool
	for i, src := range srcs {
		if src.scan == nil {
			continue
		}
		key := groupedKey(src.scan, grouped[src.scan])
		if key == nil || key[src.col] {
			continue
		}
		if dep == nil {
			dep = make([]bool, len(a.GroupBy))
		}
		dep[i] = true
	}
	return dep
}

// groupedKey returns the primary key columns of s's table when they are
// all among cols, else nil. A UNIQUE key would not do: its NULLs repeat.
func groupedKey(s *Scan, cols map[int]bool) map[int]bool {
	pk := s.Table.PrimaryKey
	if len(pk) == 0 {
		return nil
	}
	key := map[int]bool{}
	for _, c := range pk {
		if !cols[c] {
			return nil
		}
		key[c] = true
	}
	return key
}
