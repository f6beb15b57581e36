package exec

import (
	"errors"

	"rustydb/column"
	"rustydb/plan"
	"rustydb/row"
	"rustydb/types"
)

// Vectorized aggregation over any operator's rows. An aggregation over a
// join (most of TPC-H) gets its rows one at a time; grouping and summing
// them as Values costs a map probe by key bytes and decimal arithmetic per
// row. Here the rows are laid out a batch at a time as the columns of a
// segment (rowColumns), and the vectorized aggregation of column segments
// runs over them: int64 keys in an open-addressing table, numerics as
// scaled int64 with int128 sums.
//
// Batches start only once a batch's worth of rows has arrived, so small
// inputs (a correlated subquery run per outer row) do not pay for
// compiling. When a value cannot be computed exactly in vector form, the
// groups so far turn into partial groups and the remaining rows go through
// the row path, whose result merges with them.

// rowColumns lays out rows as segment columns: integer-like values
// (integers, dates, timestamps, booleans, numerics of at most 18 digits at
// their scale) as int64, floats as float64, strings as a dictionary whose
// entries are the batch's values. Only the columns used are filled.
type rowColumns struct {
	types []types.T
	used  []bool
	cols  []column.Column
	codes []uint16 // 0, 1, 2, ...: each string is its own dictionary entry
}

// newRowColumns prepares columns of the given types for batches of up to
// size rows; used marks the columns to fill. It reports false when a used
// column has no vector form.
func newRowColumns(ts []types.T, used []bool, size int) (*rowColumns, bool) {
	rc := &rowColumns{types: ts, used: used, cols: make([]column.Column, len(ts)), codes: make([]uint16, size)}
	for i := range rc.codes {
		rc.codes[i] = uint16(i)
	}
	for i, t := range ts {
		if !used[i] {
			continue
		}
		c := &rc.cols[i]
		c.Type = t
		switch column.KindOf(t) {
		case column.Int32, column.Int64:
			c.Kind, c.I64 = column.Int64, make([]int64, size)
		case column.Float64:
			c.Kind, c.F64 = column.Float64, make([]float64, size)
		case column.String:
			c.Kind, c.Dict = column.String, make([]string, size)
		default:
			return nil, false
		}
	}
	return rc, true
}

// segment returns rows as a new segment over the reused column buffers.
// Each batch is a new *row.Segment because vectorized code caches
// per-segment facts (dictionary translations) by its address. It returns
// errVectorFallback for a numeric that its column's scale cannot hold.
func (rc *rowColumns) segment(rows [][]types.Value) (*row.Segment, error) {
	n := len(rows)
	seg := &row.Segment{Segment: &column.Segment{Rows: n, Cols: make([]column.Column, len(rc.cols))}}
	for ci := range rc.cols {
		if !rc.used[ci] {
			continue
		}
		c := rc.cols[ci] // a copy: the buffers are shared, Valid is per batch
		c.Valid = nil
		for r, vals := range rows {
			v := vals[ci]
			if v.IsNull() {
				if c.Valid == nil {
					c.Valid = make([]byte, (n+7)/8)
					for i := range c.Valid {
						c.Valid[i] = 0xff
					}
				}
				c.Valid[r>>3] &^= 1 << (r & 7)
				continue
			}
			// A value whose form the column's type does not promise
			// stops the batches rather than be misread.
			switch {
			case c.Kind == column.Int64 && c.Type.ID == types.Numeric:
				x, ok := scaledInt(v, c.Type.Scale)
				if !ok {
					return nil, errVectorFallback
				}
				c.I64[r] = x
			case c.Kind == column.Int64 && v.K != types.KDecimal && v.K != types.KFloat && v.K != types.KText:
				c.I64[r] = v.I
			case c.Kind == column.Float64 && v.K == types.KFloat:
				c.F64[r] = v.F
			case c.Kind == column.String && v.K == types.KText:
				c.Dict[r] = v.S
			default:
				return nil, errVectorFallback
			}
		}
		switch c.Kind {
		case column.Int64:
			c.I64 = c.I64[:n]
		case column.Float64:
			c.F64 = c.F64[:n]
		case column.String:
			c.Dict, c.Codes = c.Dict[:n], rc.codes[:n]
		}
		seg.Cols[ci] = c
	}
	return seg, nil
}

// batchable reports whether n's aggregates all have a vector form and the
// input columns they read can be laid out as columns, and which those are.
func batchable(n *plan.Aggregate) ([]bool, bool) {
	in := n.Input.Columns()
	used := make([]bool, len(in))
	ok := true
	mark := func(e plan.Expr) {
		plan.Walk(e, func(x plan.Expr) {
			if c, isRef := x.(*plan.ColRef); isRef && c.Idx < len(used) {
				used[c.Idx] = true
				ok = ok && column.KindOf(in[c.Idx].Type) != column.Unsupported
			}
		})
	}
	for _, g := range n.GroupBy {
		mark(g)
	}
	for _, call := range n.Aggs {
		if !vectorAggs[call.Func] || call.Distinct || call.Filter != nil || len(call.OrderBy) > 0 {
			return nil, false
		}
		if call.Arg != nil {
			mark(call.Arg)
		}
	}
	return used, ok
}

// aggregateBatches aggregates the input's rows in vector form when the
// aggregation allows it, and reports whether it did (o.rows then holds
// the result).
func (o *aggOp) aggregateBatches() (bool, error) {
	used, ok := batchable(o.node)
	if !ok {
		return false, nil
	}
	size := max(1, BatchSize)
	var va *vagg
	var rc *rowColumns
	rows := make([][]types.Value, 0, size)
	rest := newPartials(o) // rows the vector form does not take
	// flush aggregates the gathered rows: in vector form once there is a
	// full batch and the aggregation compiles, by rows otherwise.
	flush := func(full bool) error {
		if va == nil && rest.empty() && full {
			cols := o.node.Input.Columns()
			ts := make([]types.T, len(cols))
			for i, c := range cols {
				ts[i] = c.Type
			}
			var err error
			if va, err = o.newVAgg(o.node, nil, ts); err != nil && !errors.Is(err, errNotVectorized) {
				return err
			}
			if va != nil {
				rc, _ = newRowColumns(ts, used, size)
			}
		}
		if va != nil && rest.empty() {
			seg, err := rc.segment(rows)
			if err == nil {
				err = va.batch(&vbatch{seg: seg, n: len(rows)}, va.all[:len(rows)])
			}
			if err == nil || !errors.Is(err, errVectorFallback) {
				rows = rows[:0]
				return err
			}
		}
		for _, r := range rows {
			if err := rest.add(r); err != nil {
				return err
			}
		}
		rows = rows[:0]
		return nil
	}
	err := Drain(o.in, func(r []types.Value) error {
		rows = append(rows, r)
		if len(rows) < size {
			return nil
		}
		if err := flush(true); err != nil {
			return err
		}
		return o.c.canceled()
	})
	if err == nil {
		err = flush(false)
	}
	if err != nil {
		return true, err
	}
	var groups []*partialGroup
	switch {
	case va == nil:
		groups, _, err = o.merge([]map[string]*partialGroup{rest.table})
	case rest.empty():
		groups = va.groups(1, va.havingTests(o.having))
	default:
		groups, _, err = o.merge([]map[string]*partialGroup{byRowKey(va.groups(1, nil)), rest.table})
	}
	if err != nil {
		return true, err
	}
	if len(groups) == 0 && len(o.groups) == 0 {
		// an aggregate without GROUP BY returns one row even for no input
		groups = append(groups, &partialGroup{states: make([]aggState, len(o.calls))})
	}
	for _, g := range groups {
		if err := o.emit(g.keys, g.states); err != nil {
			return true, err
		}
	}
	return true, nil
}

// byRowKey indexes groups by their keys' bytes, as partial tables are.
func byRowKey(groups []*partialGroup) map[string]*partialGroup {
	table := make(map[string]*partialGroup, len(groups))
	var buf []byte
	for _, g := range groups {
		buf = rowKey(buf[:0], g.keys)
		table[string(buf)] = g
	}
	return table
}

// partials accumulates rows into partial groups by their keys' bytes, for
// a parallel worker or the rows a vectorized aggregation leaves.
type partials struct {
	o     *aggOp
	table map[string]*partialGroup
	keys  []types.Value
	buf   []byte
}

func newPartials(o *aggOp) *partials {
	return &partials{o: o, table: map[string]*partialGroup{}, keys: make([]types.Value, len(o.groups))}
}

func (p *partials) empty() bool { return len(p.table) == 0 }

// add accumulates one row.
func (p *partials) add(vals []types.Value) error {
	var err error
	for i, g := range p.o.groups {
		if p.keys[i], err = g(vals); err != nil {
			return err
		}
	}
	p.buf = rowKey(p.buf[:0], p.keys)
	g := p.table[string(p.buf)]
	if g == nil {
		g = &partialGroup{keys: append([]types.Value(nil), p.keys...), states: make([]aggState, len(p.o.calls))}
		p.table[string(p.buf)] = g
	}
	for i := range p.o.calls {
		if err := p.o.accumulate(&g.states[i], i, vals); err != nil {
			return err
		}
	}
	return nil
}
