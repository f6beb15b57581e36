package exec

// Parallel builds of a row-path hash join from batches. A hash join that
// is not itself in a vectorized pipeline (its consumer reads rows: an
// outer join streaming an aggregation, a filter with a subquery, a sort)
// drains its built input row by row, on one core. When that input is a
// pipeline of joins over a column scan (TPC-H q17: the 6M line items
// probing the 200 parts of a brand and container, then built by the left
// join with the decorrelated average), the scan and its probes are most
// of the query's work. Here they run as the vectorized pipeline of
// vjoin.go on the workers the plan allows (plan.Join.Parallel), into a
// jtable (buildFromBatches), whose rows are then made once
// (jtable.rows) for the join's row-path table.
//
// It is decided when the join builds: the built input must have a join
// over a column scan, all of it with vector forms; otherwise, or when the
// jtable passes work_mem, the input's rows are drained as before.

// buildRowsFromBatches builds j's rows and their table from its built
// input's batches; it reports false when the input has no such form, the
// rows being yet to build.
func (j *joinOp) buildRowsFromBatches() (bool, error) {
	if j.node.Parallel == 0 || j.c.NoColumnar || !joinBelow(j.build) {
		return false, nil
	}
	side := j.builtSide()
	need := j.c.needed(side) // the keys, the ON condition and the output
	j.vectorize(append([]bool(nil), need...), j.node.Parallel)
	done, err := j.buildFromBatches()
	if !done || err != nil {
		j.vt, j.vneed = nil, nil
		return done, err
	}
	j.built = j.vt.rows(len(need), need, nil)
	j.vt, j.vneed = nil, nil
	return true, j.index()
}

// joinBelow reports whether op is a join, possibly under filters and
// projections: a pipeline whose build from batches pays.
func joinBelow(op Operator) bool {
	for {
		switch x := unwrapAnalyze(op).(type) {
		case *joinOp:
			return true
		case *filterOp:
			op = x.in
		case *projectOp:
			op = x.in
		default:
			return false
		}
	}
}
