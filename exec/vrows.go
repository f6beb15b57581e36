package exec

import (
	"errors"
	"sync"
	"sync/atomic"

	"rustydb/column"
	"rustydb/plan"
	"rustydb/row"
	"rustydb/sqlerr"
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
	used  []bool
	cols  []column.Column
	codes []uint16 // 0, 1, 2, ...: each string is its own dictionary entry
}

// newRowColumns prepares columns of the given types for batches of up to
// size rows (at most maxBatchRows); used marks the columns to fill, which
// batchable has found to have a vector form.
func newRowColumns(ts []types.T, used []bool, size int) *rowColumns {
	rc := &rowColumns{used: used, cols: make([]column.Column, len(ts)), codes: make([]uint16, size)}
	for i := range rc.codes {
		rc.codes[i] = uint16(i)
	}
	for i, t := range ts {
		if used[i] {
			rc.cols[i] = vectorColumn(t, size)
		}
	}
	return rc
}

// vectorColumn returns a column of type t's vector form with room for n
// values: int64 for integer-like types, float64, or strings in Dict, one
// per row.
func vectorColumn(t types.T, n int) column.Column {
	c := column.Column{Type: t}
	switch column.KindOf(t) {
	case column.Int32, column.Int64:
		c.Kind, c.I64 = column.Int64, make([]int64, n)
	case column.Float64:
		c.Kind, c.F64 = column.Float64, make([]float64, n)
	case column.String:
		c.Kind, c.Dict = column.String, make([]string, n)
	}
	return c
}

// maxBatchRows bounds a batch of rows: dictionary codes are uint16.
const maxBatchRows = 1 << 16

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
		if err := layOut(&c, rows, ci); err != nil {
			return nil, err
		}
		if c.Kind == column.String {
			c.Codes = rc.codes[:n]
		}
		seg.Cols[ci] = c
	}
	return seg, nil
}

// layOut writes column ci of rows into c, a vectorColumn with room for
// them, cutting its values to len(rows) and making its Valid bitmap. It
// returns errVectorFallback for a value whose form c's type does not
// promise, such as a numeric that the column's scale cannot hold.
func layOut(c *column.Column, rows [][]types.Value, ci int) error {
	n := len(rows)
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
		switch {
		case c.Kind == column.Int64 && c.Type.ID == types.Numeric:
			x, ok := scaledInt(v, c.Type.Scale)
			if !ok {
				return errVectorFallback
			}
			c.I64[r] = x
		case c.Kind == column.Int64 && v.K != types.KDecimal && v.K != types.KFloat && v.K != types.KText:
			c.I64[r] = v.I
		case c.Kind == column.Float64 && v.K == types.KFloat:
			c.F64[r] = v.F
		case c.Kind == column.String && v.K == types.KText:
			c.Dict[r] = v.S
		default:
			return errVectorFallback
		}
	}
	truncate(c, n)
	return nil
}

// truncate cuts the values of c, a vectorColumn, to n.
func truncate(c *column.Column, n int) {
	switch c.Kind {
	case column.Int64:
		c.I64 = c.I64[:n]
	case column.Float64:
		c.F64 = c.F64[:n]
	case column.String:
		c.Dict = c.Dict[:n]
	}
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
		if !vectorAgg(call) {
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
// the result). When the input is joins over a column scan (and the plan
// allows workers), several workers stream their shares of the scan
// through the hash tables built once, each aggregating its own rows.
func (o *aggOp) aggregateBatches() (bool, error) {
	used, ok := batchable(o.node)
	if !ok {
		return false, nil
	}
	first := newBatcher(o, used)
	pipe, err := o.vectorPipeline(o.in, first)
	if err != nil {
		return true, err
	}
	if err := o.in.Init(); err != nil {
		o.in.Close()
		return true, err
	}
	defer o.in.Close()
	if pipe != nil {
		var ready bool
		if ready, err = pipe.ready(); err != nil {
			return true, err
		}
		if !ready {
			pipe, first.va = nil, nil
		}
	}
	var peersDone sync.WaitGroup // the workers after the first
	inputs, batchers, giveBack, err := o.pipelineWorkers(first, &peersDone)
	giveBack = sync.OnceFunc(giveBack) // once the workers are done: a HAVING's subquery may want them
	defer giveBack()
	for _, in := range inputs[1:] {
		defer in.Close()
	}
	if err != nil {
		return true, err
	}
	for _, in := range inputs {
		o.pushKeyFilterDown(in)
	}
	var pipes []*vpipe
	if pipe != nil {
		pipes = []*vpipe{pipe}
		for i, in := range inputs[1:] {
			p, err := o.vectorPipeline(in, batchers[i+1])
			if err == nil && p == nil {
				err = sqlerr.New(sqlerr.InternalError, "a parallel worker's pipeline differs from the first's")
			}
			if err != nil {
				return true, err
			}
			pipes = append(pipes, p)
		}
		for _, p := range pipes {
			p.dropRows()
		}
	}
	peersDone.Add(len(batchers) - 1)
	err = o.c.runWorkers(len(batchers), func(i int, failed *atomic.Bool) error {
		if i > 0 {
			defer peersDone.Done()
		}
		if pipes != nil {
			return pipes[i].run(failed)
		}
		return batchers[i].drain(inputs[i], failed)
	})
	if err == nil && pipes != nil {
		err = finishOuter(pipes)
	}
	for _, p := range pipes {
		p.report()
	}
	if err != nil {
		return true, err
	}
	giveBack()
	return true, o.emitBatched(batchers)
}

// pipelineWorkers returns the inputs the workers drain and their batchers,
// first's for o.in: o.in alone, or also copies of it that share its hash
// tables and its column scan's segments, and the function that gives the
// workers back.
func (o *aggOp) pipelineWorkers(first *batcher, peersDone *sync.WaitGroup) ([]Operator, []*batcher, func(), error) {
	inputs, batchers := []Operator{o.in}, []*batcher{first}
	if o.node.Pipeline == 0 || o.c.Analysis != nil {
		return inputs, batchers, func() {}, nil
	}
	copies, contexts, giveBack, err := o.c.workerCopies(o.node.Input, o.in, o.node.Pipeline, peersDone)
	for i, in := range copies {
		inputs = append(inputs, in)
		if err != nil {
			continue // to be closed
		}
		var w *aggOp
		if w, err = contexts[i].buildAggregateFuncs(o.node); err == nil {
			w.node, w.having = o.node, o.having
			batchers = append(batchers, newBatcher(w, first.used))
		}
	}
	return inputs, batchers, giveBack, err
}

// workerCopies returns started copies of op, the operators of node, and
// their workers' contexts, for as many more workers as degree, the size
// of op's column scan and the scheduler allow, and the function that
// gives the workers back once they are done: their joins share op's hash
// tables and their scans take op's segments as morsels. There are none
// when op is not joins over a column scan.
func (c *Context) workerCopies(node plan.Node, op Operator, degree int, peersDone *sync.WaitGroup) ([]Operator, []*Context, func(), error) {
	joins, scan := spine(op)
	if scan == nil {
		return nil, nil, func() {}, nil
	}
	rows := 0
	for _, sg := range scan.segs {
		rows += sg.Rows
	}
	workers, giveBack := c.degree(workersFor(degree, rows, rows/max(1, len(scan.segs)), c.MaxWorkers))
	morsels := NewMorsels(len(scan.segs), workers)
	var copies []Operator
	var contexts []*Context
	for w := 1; w < workers; w++ {
		wc := c.fork()
		if c.Analysis != nil { // measured apart, for the caller to add up (see Analysis.absorb)
			wc.Analysis = NewAnalysis()
		}
		in, err := wc.Build(node)
		if err != nil {
			return copies, contexts, giveBack, err
		}
		same, copyScan := spine(in)
		if copyScan == nil || len(same) != len(joins) {
			break // not the same shape: op works alone
		}
		for i, j := range same {
			j.share(joins[i], peersDone)
		}
		if err := in.Init(); err != nil {
			in.Close()
			return copies, contexts, giveBack, err
		}
		copyScan.share(scan, morsels, w)
		copies, contexts = append(copies, in), append(contexts, wc)
	}
	return copies, contexts, giveBack, nil
}

// spine returns the joins down the streamed side of op, through filters
// and projections, and the column scan at its bottom, or a nil scan when
// op has another shape or a join that workers cannot share.
func spine(op Operator) ([]*joinOp, *colScanOp) {
	var joins []*joinOp
	for {
		switch x := unwrapAnalyze(op).(type) {
		case *joinOp:
			if !x.sharable() {
				return nil, nil
			}
			joins, op = append(joins, x), x.stream
		case *filterOp:
			op = x.in
		case *projectOp:
			op = x.in
		case *colScanOp:
			return joins, x
		default:
			return nil, nil
		}
	}
}

// runWorkers runs work(i) for each i < n on a goroutine counted as a busy
// worker and returns the first error; failed tells the others to stop.
func (c *Context) runWorkers(n int, work func(i int, failed *atomic.Bool) error) error {
	errs := make([]error, n)
	var failed atomic.Bool
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			defer c.working()()
			defer func() {
				if errs[i] != nil {
					failed.Store(true)
				}
			}()
			defer recoverInto(&errs[i])
			errs[i] = work(i, &failed)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// recoverInto, deferred in a worker goroutine, turns a panic into an
// internal error in *err: a worker's panic must fail its statement, not
// the server (the session recovers only its own goroutine's).
func recoverInto(err *error) {
	if r := recover(); r != nil {
		*err = sqlerr.New(sqlerr.InternalError, "internal error in a parallel worker: %v", r)
	}
}

// emitBatched makes the result rows of the batchers' groups.
func (o *aggOp) emitBatched(batchers []*batcher) error {
	var vaggs []*vagg
	var tables []map[string]*partialGroup
	for _, b := range batchers {
		if b.va != nil {
			vaggs = append(vaggs, b.va)
		}
		if !b.rest.empty() {
			tables = append(tables, b.rest.table)
		}
	}
	var groups []*partialGroup
	var err error
	switch {
	case len(vaggs) == 0:
		groups, _, err = o.merge(tables)
	case len(tables) == 0 && len(o.groups) > 0: // no merging: rows straight from the vectors
		for _, va := range mergeVAggs(vaggs) {
			rows, err := va.resultRows(o, len(batchers), va.havingTests(o.c, o.having))
			o.rows = append(o.rows, rows...)
			o.tableBytes += va.bytes()
			if err != nil {
				return err
			}
		}
		return nil
	case len(tables) == 0:
		groups, o.tableBytes = finishVAggs(o.c, vaggs, o.having, false)
	default:
		var vgroups []*partialGroup
		vgroups, o.tableBytes = finishVAggs(o.c, vaggs, nil, true)
		groups, _, err = o.merge(append(tables, byRowKey(vgroups)))
	}
	if err != nil {
		return err
	}
	return o.emitGroups(groups)
}

// emitGroups makes the result rows of groups; an aggregate without GROUP
// BY returns one row even for no input.
func (o *aggOp) emitGroups(groups []*partialGroup) error {
	if len(groups) == 0 && len(o.groups) == 0 {
		groups = append(groups, &partialGroup{states: make([]aggState, len(o.calls))})
	}
	for _, g := range groups {
		if err := o.emit(g.keys, g.states); err != nil {
			return err
		}
	}
	return nil
}

// batcher aggregates one worker's rows: in vector form a batch at a time
// once a batch's worth has arrived and the aggregation compiles; the rows
// of smaller inputs, and those after a value the vector form cannot
// compute, by rows (rest).
type batcher struct {
	o    *aggOp // the worker's: its functions are its own
	used []bool // the input columns the aggregation reads
	va   *vagg
	rc   *rowColumns
	rows [][]types.Value
	rest *partials
}

func newBatcher(o *aggOp, used []bool) *batcher {
	return &batcher{o: o, used: used, rows: make([][]types.Value, 0, min(max(1, BatchSize), maxBatchRows)), rest: newPartials(o)}
}

// drain aggregates in's rows (in is started) until it ends or another
// worker fails.
func (b *batcher) drain(in Operator, failed *atomic.Bool) error {
	for !failed.Load() {
		r, err := in.Next()
		if err != nil {
			return err
		}
		if r == nil {
			return b.flush(false)
		}
		if b.rows = append(b.rows, r); len(b.rows) == cap(b.rows) {
			if err := b.flush(true); err != nil {
				return err
			}
			if err := b.o.c.canceled(); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush aggregates the gathered rows; full says they are a whole batch.
func (b *batcher) flush(full bool) error {
	o := b.o
	if b.va == nil && b.rest.empty() && full {
		cols := o.node.Input.Columns()
		ts := make([]types.T, len(cols))
		for i, c := range cols {
			ts[i] = c.Type
		}
		var err error
		if b.va, err = o.newVAgg(o.node, nil, ts); err != nil && !errors.Is(err, errNotVectorized) {
			return err
		}
		if b.va != nil {
			b.rc = newRowColumns(ts, b.used, cap(b.rows))
		}
	}
	if b.va != nil && b.rest.empty() {
		seg, err := b.rc.segment(b.rows)
		if err == nil {
			err = b.va.batch(&vbatch{seg: seg, n: len(b.rows)}, b.va.all[:len(b.rows)])
		}
		if err == nil || !errors.Is(err, errVectorFallback) {
			b.rows = b.rows[:0]
			return err
		}
	}
	for _, r := range b.rows {
		if err := b.rest.add(r); err != nil {
			return err
		}
	}
	b.rows = b.rows[:0]
	return nil
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
