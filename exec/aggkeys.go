package exec

import "rustydb/plan"

// Key filters passed down through an aggregation. A hash join that streams
// an aggregation grouped by its key (a decorrelated subquery's aggregate
// per key, such as TPC-H q2's minimum supply cost per part) drops the
// groups its table does not hold, so the aggregation skips their rows
// (aggKeyFilter). When the aggregation's input is not a plain scan but
// joins over one, skipping rows at the aggregation is too late: every row
// of the scan has already been probed through the joins below. When the
// group key reaches the aggregation unchanged from a column of the scan at
// the bottom of the streamed side (through the streamed side of joins,
// filters and projections), or equals one on every row (the built key of
// an inner join, equal to the streamed key it matched), the scan tests its
// rows against the keys itself: a semi-join reduction, as DuckDB's join
// filter pushdown does. A shape it cannot follow keeps the filter at the
// aggregation only, so results never change.

// pushKeyFilterDown hands o's key filter (of two keys, the first's) to the
// column scan under in (o's input or a worker's copy of it, started) that
// the group key comes from.
func (o *aggOp) pushKeyFilterDown(in Operator) {
	f := o.keyFilter
	if f == nil || f.first == nil {
		return
	}
	ref, ok := o.node.GroupBy[f.groups[0]].(*plan.ColRef)
	if !ok {
		return
	}
	if scan, col := keySource(in, ref.Idx); scan != nil {
		scan.addKeyFilter(col, f.first)
	}
}

// keySource returns the column scan and its integer column whose value
// column col of op's output holds on every row, or a nil scan when op's
// shape does not tell. Rows of the scan whose column holds some value
// then only make output rows whose column col holds the same value (or
// NULL, under an outer join that keeps its streamed rows).
func keySource(op Operator, col int) (*colScanOp, int) {
	for {
		switch x := unwrapAnalyze(op).(type) {
		case *filterOp:
			op = x.in
		case *projectOp:
			ref, ok := x.plan[col].(*plan.ColRef)
			if !ok {
				return nil, 0
			}
			op, col = x.in, ref.Idx
		case *joinOp:
			var ok bool
			if col, ok = x.streamedColumn(col); !ok {
				return nil, 0
			}
			op = x.stream
		case *colScanOp:
			if cols := x.scan.Table.Columns; col >= len(cols) || !isInteger(cols[col].Type.ID) {
				return nil, 0
			}
			return x, col
		default:
			return nil, 0
		}
	}
}

// streamedColumn returns the streamed input's column whose value column
// col of j's output holds, and false when there is none or j may output a
// row that no streamed row made (a join that keeps its unmatched built
// rows).
func (j *joinOp) streamedColumn(col int) (int, bool) {
	if j.keepsUnmatched(true) || j.grace != nil {
		return 0, false
	}
	if j.out != nil {
		if col >= len(j.out) {
			return 0, false
		}
		col = j.out[col]
	}
	if j.semi() {
		// the left row alone is output: the streamed one unless the join
		// holds its left input and marks it
		return col, !j.buildLeft
	}
	right := col >= j.nLeft
	if right {
		col -= j.nLeft
	}
	if right != j.buildLeft { // the built input's column
		return j.builtKeyColumn(col)
	}
	return col, true
}

// builtKeyColumn returns the streamed key column equal to column col of
// j's built input on every row j outputs: a built key of an inner join
// equals the streamed key it matched.
func (j *joinOp) builtKeyColumn(col int) (int, bool) {
	if j.kind != "inner" || j.streamKeyCols == nil {
		return 0, false
	}
	buildKeys := j.node.RightKeys
	if j.buildLeft {
		buildKeys = j.node.LeftKeys
	}
	for i, k := range buildKeys {
		if ref, ok := k.(*plan.ColRef); ok && ref.Idx == col && !j.byValue[i] && isInteger(k.Type().ID) {
			return j.streamKeyCols[i], true
		}
	}
	return 0, false
}
