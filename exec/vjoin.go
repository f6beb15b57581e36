package exec

import (
	"errors"
	"math"
	"math/bits"
	"slices"
	"sync/atomic"
	"time"

	"rustydb/column"
	"rustydb/plan"
	"rustydb/row"
	"rustydb/sqlerr"
	"rustydb/types"
)

// Vectorized hash joins. An aggregation over hash joins down to a column
// scan (the pipeline of vrows.go) would otherwise make a row of Values of
// each scanned row, probe a Go map with it, cut the joined row from a slab
// and lay the joined rows out as columns again for the vectorized
// aggregation. Here the joins run on the scan's batches instead: each
// join's built rows are laid out once as typed columns, their keys in an
// open-addressing table (jtable); a batch's key column probes it, and the
// matching (probe position, built row) pairs gather the output columns into
// a batch of a synthetic segment, which the next join probes, a filter
// selects from or the vectorized aggregation consumes. No Value is made.
//
// A join builds its jtable from the batches of its built input when that
// is itself such a pipeline (a column scan under joins, filters and
// projections), else from its rows; both the builds and the probes run on
// the workers the aggregation may use, sharing the tables and taking turns
// at the scans' segments.
//
// Whether a pipeline runs this way is decided before the joins build their
// tables, from the operators' shapes: inner joins (an ON condition beyond
// the keys filters the gathered batch), left or right joins that keep
// their streamed rows (those without a match join a NULL row), semi and
// anti joins that build their right input, all with keys that are one or
// two integer-like columns of the streamed input; filters with a vectorized
// form; projections of columns; a scan whose segments hold the columns
// read; an aggregation with a vectorized form. Anything else keeps the row
// path, as does a pipeline one of whose joins turns out to hold a value
// without an exact vector form or to spill: its joins then index their
// rows as usual.

// jtable is a hash join's table of built rows by their keys (one or two
// int64s), with the rows' columns the pipeline reads laid out as vectors.
type jtable struct {
	two    bool
	k1, k2 []int64 // each built row's key
	// slots hold the first built row (+ 1) of a key, 0 when empty; next
	// chains the further rows (+ 1) of the same key, in input order.
	slots []int32
	next  []int32
	shift uint
	// bits, for one key dense in its range, has the bit of each key from
	// lo: most rows without a match cost one load, not a probe
	lo   int64
	bits []uint64
	// ranks and byRank replace slots when there is a bitmap (vrank.go)
	ranks, byRank []int32
	// dense, for one key whose range is at most twice the rows, holds
	// the first row (+ 1) of each key from lo, in place of slots: a probe
	// is one load (customers, parts and orders are numbered densely)
	dense []int32
	// unique: no key has more than one row (next holds only zeros)
	unique bool
	// cols are the built columns the pipeline reads: Int64, Float64 or
	// String with one Dict entry per row
	cols     []column.Column
	fromRows bool // made of the join's built rows, not of batches
}

func jhash(a, b int64) uint64 {
	return (uint64(a) ^ uint64(b)*0xbf58476d1ce4e5b9) * 0x9E3779B97F4A7C15
}

// slot returns the slot of key (a, b): its own or the empty one it would
// take.
func (t *jtable) slot(a, b int64) int {
	mask := len(t.slots) - 1
	for i := int(jhash(a, b) >> t.shift); ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 || t.k1[s-1] == a && (!t.two || t.k2[s-1] == b) {
			return i
		}
	}
}

// vectorize asks a join to lay out its built rows for a vectorized
// pipeline: the built columns need marks; degree is the workers its build
// from batches may use.
func (j *joinOp) vectorize(need []bool, degree int) { j.vneed, j.vdegree = need, degree }

// newJTable indexes the keys (k1, k2) of n built rows (k2 nil for one
// key); null marks the rows whose key is NULL (nil for none).
func newJTable(k1, k2 []int64, null []bool) *jtable {
	n := len(k1)
	t := &jtable{two: k2 != nil, k1: k1, k2: k2, next: make([]int32, n)}
	if k2 == nil {
		t.lo, t.dense = denseChains(k1, null, t.next)
	}
	if t.dense == nil {
		size := 64
		for size < 2*n {
			size *= 2
		}
		t.slots, t.shift = make([]int32, size), uint(64-bits.TrailingZeros(uint(size)))
	}
	nulls := 0
	// Backwards, so that each key's chain is in input order.
	for i := n - 1; i >= 0; i-- {
		if null != nil && null[i] {
			nulls++
			continue // a NULL key matches nothing
		}
		if t.dense != nil {
			continue
		}
		var b int64
		if t.two {
			b = k2[i]
		}
		s := t.slot(k1[i], b)
		t.next[i], t.slots[s] = t.slots[s], int32(i+1)
	}
	t.unique = !slices.ContainsFunc(t.next, func(r int32) bool { return r != 0 })
	if !t.two && t.dense == nil {
		keys := func(yield func(int64) bool) {
			for i, k := range k1 {
				if (null == nil || !null[i]) && !yield(k) {
					return
				}
			}
		}
		if t.lo, t.bits = keyBits(keys, n-nulls); t.bits == nil {
			t.lo, t.bits = fewKeyBits(keys)
		}
		if t.bits != nil {
			t.rankKeys()
		}
	}
	return t
}

// addNullRow appends a row of NULLs to t's columns (not to its keys),
// which an outer join joins its rows without a match to.
func (t *jtable) addNullRow() {
	n := len(t.k1)
	for ci := range t.cols {
		c := &t.cols[ci]
		switch c.Kind {
		case column.Int64:
			c.I64 = append(c.I64[:n], 0)
		case column.Float64:
			c.F64 = append(c.F64[:n], 0)
		case column.String:
			c.Dict = append(c.Dict[:n], "")
		default:
			continue
		}
		setNull(c, n)
	}
}

// bytes is the memory of t.
func (t *jtable) bytes() int64 {
	n := int64(len(t.k1)+len(t.k2)+len(t.bits))*8 + int64(len(t.next)+len(t.slots)+len(t.dense)+len(t.ranks)+len(t.byRank))*4
	for _, c := range t.cols {
		n += int64(len(c.I64)+len(c.F64)+len(c.Valid)/8) * 8
		for _, s := range c.Dict {
			n += 16 + int64(len(s))
		}
	}
	return n
}

// buildVectors makes j's jtable of its built rows. It reports false,
// leaving j without one, when a needed value has no exact vector form.
func (j *joinOp) buildVectors() (bool, error) {
	n := len(j.built)
	k1 := make([]int64, n)
	var k2 []int64
	if j.pairKeys {
		k2 = make([]int64, n)
	}
	var null []bool
	for i, r := range j.built {
		k, ok, err := j.key(j.buildKeys, r)
		if err != nil {
			return false, err
		}
		switch {
		case !ok:
			if null == nil {
				null = make([]bool, n)
			}
			null[i] = true
		case k2 != nil:
			k1[i], k2[i] = j.pair[0], j.pair[1]
		default:
			k1[i] = k
		}
	}
	t := newJTable(k1, k2, null)
	t.fromRows = true
	ts := j.buildTypes()
	t.cols = make([]column.Column, len(ts))
	for ci, typ := range ts {
		if !j.vneed[ci] {
			continue
		}
		c := vectorColumn(typ, n)
		if err := layOut(&c, j.built, ci); err != nil {
			if errors.Is(err, errVectorFallback) {
				return false, nil
			}
			return false, err
		}
		t.cols[ci] = c
	}
	j.useTable(t, rowBytes(j.built))
	return true, nil
}

// useTable makes t j's jtable; rows are the bytes of the built rows held
// with it until the pipeline drops them.
func (j *joinOp) useTable(t *jtable, rows int64) {
	if j.keepsUnmatched(false) {
		t.addNullRow()
	}
	j.c.noteMemory(j.node, rows+t.bytes())
	j.vt = t
}

// buildTypes are the types of the built input's columns.
func (j *joinOp) buildTypes() []types.T {
	side := j.builtSide()
	return columnTypes(side.Columns())
}

func columnTypes(cols []plan.Column) []types.T {
	ts := make([]types.T, len(cols))
	for i, c := range cols {
		ts[i] = c.Type
	}
	return ts
}

// vsink takes a batch's selected rows.
type vsink interface {
	push(b *vbatch, sel []int32) error
}

// vpipe is one worker's vectorized pipeline: its share of the scan's
// batches pushed through its stages (from the top; the last one counts
// the scan's rows) into its sink.
type vpipe struct {
	scan      *colScanOp
	scanTypes []types.T
	scanNeed  []bool // the scan's columns the stages read
	stages    []*vstage
	size      int
	all       []int32
}

// vstage is a join, filter or projection of a pipeline, or its scan; it
// counts the rows it outputs and, under EXPLAIN ANALYZE, its time: spent
// in all, down in the stages it pushes to.
type vstage struct {
	st          *OpStats // nil unless analyzed
	rows        int64
	spent, down time.Duration
	// a join's
	j       *joinOp
	keyCols []int // the input's key columns
	semi    bool  // semi or anti: the input's rows that match (or do not)
	outer   bool  // rows without a match are joined to the jtable's NULL row
	// outerBuilt: the built rows without a match are output at the end
	// (vouter.go); matched marks those this worker's batches matched
	outerBuilt bool
	matched    []uint64
	in         []types.T       // the input's column types
	nulls      []column.Column // the streamed columns, all NULL
	anti       bool
	remap      []int     // projection, semi or anti join, join with an ON condition: the columns output, nil for all
	srcs       []vsrc    // inner: each output column's source
	bufs       []gathers // inner: each output column's memory
	// the columns of the batches emit and remapped make, reused
	cols, rcols []column.Column
	codes       []uint16   // 0, 1, 2, ...
	pos, brs    []int32    // inner: the pairs of input position and built row
	kept        []int32    // semi or anti: the rows output
	hits        []int32    // inner: the rows that may match (mayMatch)
	ints        [2][]int64 // scratch of keyInts
	all         []int32    // 0, 1, 2, ...: the positions of a gathered batch
	// a filter's condition, or an inner join's ON condition beyond its keys
	pred vpred
	cond evalFn // the row path's, for a batch the vector form cannot compute
	next vsink
}

// vsrc is where a join's output column comes from: a column of the
// streamed input or of the built rows; need says the pipeline reads it.
type vsrc struct {
	built bool
	col   int
	need  bool
}

// vectorPipeline returns the vectorized pipeline of in, the input of b's
// aggregation, or nil when in's shape has none.
func (o *aggOp) vectorPipeline(in Operator, b *batcher) (*vpipe, error) {
	if o.c.NoColumnar {
		return nil, nil
	}
	if _, ok := unwrapAnalyze(in).(*colScanOp); ok {
		return nil, nil // the vectorized aggregation of a scan has its own path
	}
	va, err := b.o.newVAgg(b.o.node, nil, columnTypes(b.o.node.Input.Columns()))
	if err != nil {
		if errors.Is(err, errNotVectorized) {
			return nil, nil
		}
		return nil, err
	}
	p, err := newVPipe(b.o.c, in, append([]bool(nil), b.used...), b, b.o.node.Pipeline)
	if p != nil {
		b.va = va
	}
	return p, err
}

// newVPipe returns the vectorized pipeline of in, whose output columns
// need marks, into sink, or nil when in's shape has none. It asks the
// joins of in to build jtables, which they do when in starts, on up to
// degree workers (as plan.Aggregate.Pipeline).
func newVPipe(c *Context, in Operator, need []bool, sink vsink, degree int) (*vpipe, error) {
	type level struct {
		op Operator
		st *OpStats
	}
	var levels []level
	var scan *colScanOp
	var scanSt *OpStats
	for op := in; scan == nil; {
		var st *OpStats
		if a, ok := op.(*analyzeOp); ok {
			op, st = a.in, a.st
		}
		switch x := op.(type) {
		case *joinOp:
			levels, op = append(levels, level{x, st}), x.stream
		case *filterOp:
			if x.expr == nil {
				return nil, nil
			}
			levels, op = append(levels, level{x, st}), x.in
		case *projectOp:
			for _, e := range x.plan {
				if _, ok := e.(*plan.ColRef); !ok {
					return nil, nil
				}
			}
			levels, op = append(levels, level{x, st}), x.in
		case *colScanOp:
			scan, scanSt = x, st
		default:
			return nil, nil
		}
	}
	// outs[i] are the types of levels[i]'s output, outs[len(levels)] the
	// scan's, from the bottom.
	outs := make([][]types.T, len(levels)+1)
	ts := scan.columnTypes()
	outs[len(levels)] = ts
	for i := len(levels) - 1; i >= 0; i-- {
		switch x := levels[i].op.(type) {
		case *joinOp:
			ts = columnTypes(x.node.Cols)
		case *projectOp:
			ts = make([]types.T, len(x.plan))
			for k, e := range x.plan {
				ts[k] = e.Type()
			}
		}
		outs[i] = ts
	}
	p := newPipe(scan, outs[len(levels)])
	// From the top: each level reads the columns its output needs.
	next := sink
	joins := map[*joinOp][]bool{}
	for i, l := range levels {
		s := &vstage{st: l.st, next: next}
		switch x := l.op.(type) {
		case *joinOp:
			var vneed []bool
			var err error
			if need, vneed, err = p.joinStage(c, s, x, outs[i+1], need); need == nil {
				return nil, err
			}
			joins[x] = vneed
		case *projectOp:
			inNeed := make([]bool, len(outs[i+1]))
			for k, e := range x.plan {
				c := e.(*plan.ColRef).Idx
				if t, o := outs[i+1][c], outs[i][k]; t.ID != o.ID || t.Scale != o.Scale {
					return nil, nil
				}
				s.remap = append(s.remap, c)
				inNeed[c] = inNeed[c] || need[k]
			}
			need = inNeed
		case *filterOp:
			vc := &vcompiler{c: c.fork(), cols: outs[i+1], size: scan.size}
			var err error
			if s.pred, err = vc.pred(x.expr); err != nil {
				if errors.Is(err, errNotVectorized) {
					return nil, nil
				}
				return nil, err
			}
			s.cond = x.cond
			markRefs(x.expr, need)
		}
		p.stages = append(p.stages, s)
		next = s
	}
	if !p.reads(need, scanSt, next) {
		return nil, nil
	}
	for j, vneed := range joins {
		j.vectorize(vneed, degree)
	}
	return p, nil
}

// newPipe returns a pipeline over scan, whose columns are of types ts,
// without stages yet.
func newPipe(scan *colScanOp, ts []types.T) *vpipe {
	p := &vpipe{scan: scan, scanTypes: ts, size: min(scan.size, maxBatchRows)}
	p.all = make([]int32, p.size)
	for i := range p.all {
		p.all[i] = int32(i)
	}
	return p
}

// reads completes p with the scan's stage, which reads the columns need
// marks into next, the last stage; it reports false when a column needed
// has no vector form.
func (p *vpipe) reads(need []bool, st *OpStats, next vsink) bool {
	for c, n := range need {
		if n && column.KindOf(p.scanTypes[c]) == column.Unsupported {
			return false // the heap holds it
		}
	}
	p.scanNeed = need
	p.stages = append(p.stages, &vstage{st: st, next: next}) // the scan's
	return true
}

// columnTypes are the types of the scanned table's columns.
func (o *colScanOp) columnTypes() []types.T {
	ts := make([]types.T, len(o.scan.Table.Columns))
	for i, c := range o.scan.Table.Columns {
		ts[i] = c.Type
	}
	return ts
}

// joinStage makes s the stage of join j over input columns of types in,
// whose output columns need marks. It returns the input columns and the
// built columns the stage reads, or nil when j has no vectorized form.
func (p *vpipe) joinStage(c *Context, s *vstage, j *joinOp, in []types.T, need []bool) ([]bool, []bool, error) {
	semi := j.semi() && !j.buildLeft
	// a cross join with keys is an inner one; an outer join that keeps its
	// streamed rows joins those without a match to the jtable's NULL row;
	// a semi or anti join that holds its left input pairs its rows as an
	// inner one does for its marker (vmark.go)
	inner := j.kind == "inner" || j.kind == "cross" || j.marking
	outer := (j.kind == "left" || j.kind == "right") && j.keepsUnmatched(false) && !j.keepsUnmatched(true)
	outerBuilt := keepsBuilt(j)
	if !inner && !((semi || outer || outerBuilt) && j.on == nil) || !j.intKeys && !j.pairKeys || j.streamKeyCols == nil {
		return nil, nil, nil
	}
	s.outer, s.outerBuilt, s.in = outer, outerBuilt, in
	inNeed := make([]bool, len(in))
	for _, c := range j.streamKeyCols {
		if k := column.KindOf(in[c]); k != column.Int32 && k != column.Int64 {
			return nil, nil, nil
		}
		inNeed[c] = true
	}
	s.j, s.keyCols = j, j.streamKeyCols
	if semi {
		s.semi, s.anti, s.remap = true, j.kind == "anti", j.out
		s.kept = make([]int32, 0, p.size)
		for k, n := range need {
			src := k
			if j.out != nil {
				src = j.out[k]
			}
			inNeed[src] = inNeed[src] || n
		}
		return inNeed, make([]bool, len(j.buildTypes())), nil // the keys alone
	}
	built := j.buildTypes()
	vneed := make([]bool, len(built))
	// The gathered batch holds the output columns, or with an ON condition
	// beyond the keys all the joined columns, which the condition filters
	// before the output's are picked (remap).
	layout, outTypes := j.out, columnTypes(j.node.Cols)
	if j.on != nil {
		full := append(columnTypes(j.node.Left.Columns()), columnTypes(j.node.Right.Columns())...)
		vc := &vcompiler{c: c.fork(), cols: full, size: p.size}
		var err error
		if s.pred, err = vc.pred(j.node.On); err != nil {
			if errors.Is(err, errNotVectorized) {
				err = nil
			}
			return nil, nil, err
		}
		s.cond, s.remap = j.on, j.out
		fullNeed := make([]bool, len(full))
		markRefs(j.node.On, fullNeed)
		for k, n := range need {
			src := k
			if j.out != nil {
				src = j.out[k]
			}
			fullNeed[src] = fullNeed[src] || n
		}
		layout, outTypes, need = nil, full, fullNeed
	}
	for k := range outTypes {
		src := k
		if layout != nil {
			src = layout[k]
		}
		streamed := src >= j.nLeft // the right input's column
		if streamed {
			src -= j.nLeft
		}
		if !j.buildLeft {
			streamed = !streamed
		}
		s.srcs = append(s.srcs, vsrc{built: !streamed, col: src, need: need[k]})
		switch {
		case !need[k]:
		case streamed:
			// the column passes through as the segment holds it
			if t := in[src]; t.ID != outTypes[k].ID || t.Scale != outTypes[k].Scale {
				return nil, nil, nil
			}
			inNeed[src] = true
		default:
			if column.KindOf(built[src]) == column.Unsupported {
				return nil, nil, nil
			}
			vneed[src] = true
		}
	}
	s.bufs = make([]gathers, len(s.srcs))
	s.codes = make([]uint16, p.size)
	for i := range s.codes {
		s.codes[i] = uint16(i)
	}
	s.pos, s.brs, s.hits, s.all = make([]int32, 0, p.size), make([]int32, 0, p.size), make([]int32, 0, p.size), p.all
	return inNeed, vneed, nil
}

// markRefs marks the columns e reads in need.
func markRefs(e plan.Expr, need []bool) {
	plan.Walk(e, func(x plan.Expr) {
		if c, ok := x.(*plan.ColRef); ok && c.Idx < len(need) {
			need[c.Idx] = true
		}
	})
}

// ready reports whether every join of the first worker's pipeline built
// its jtable (its Init ran); if not, the joins that did index their rows
// for the row path instead.
func (p *vpipe) ready() (bool, error) {
	ok := true
	for _, s := range p.stages {
		if s.j != nil && s.j.vt == nil {
			ok = false
		}
	}
	if ok {
		return true, nil
	}
	for _, s := range p.stages {
		if j := s.j; j != nil {
			if err := j.unvectorize(); err != nil {
				return false, err
			}
		}
	}
	return false, nil
}

// unvectorizeAll gives the joins of a vectorized pipeline's shape down
// from op the row path's tables, for a consumer of its rows.
func unvectorizeAll(op Operator) error {
	for {
		switch x := unwrapAnalyze(op).(type) {
		case *joinOp:
			if err := x.unvectorize(); err != nil {
				return err
			}
			op = x.stream
		case *filterOp:
			op = x.in
		case *projectOp:
			op = x.in
		default:
			return nil
		}
	}
}

// unvectorize gives j the row path's table in place of its jtable.
func (j *joinOp) unvectorize() error {
	vt := j.vt
	j.vt, j.vneed = nil, nil
	switch {
	case vt == nil:
		return nil // it has the row path's table, or spilled
	case vt.fromRows:
		if err := j.index(); err != nil {
			return err
		}
	default: // built from batches: the rows are yet to be made
		if err := j.buildTable(); err != nil {
			return err
		}
		if j.grace != nil {
			return j.partitionStream()
		}
	}
	j.pushKeyFilter()
	return nil
}

// dropRows lets the built rows go once the pipeline runs on the vectors.
func (p *vpipe) dropRows() {
	for _, s := range p.stages {
		if s.j != nil {
			s.j.built = nil
		}
	}
}

// run pushes the worker's share of the scan through the pipeline, then
// (for the first worker) the heap delta, until done or another worker
// fails.
func (p *vpipe) run(failed *atomic.Bool) error {
	s := p.scan
	s.early = p.earlyKeys()
	defer func() { s.early = nil }()
	scanned := p.stages[len(p.stages)-1]
	for !failed.Load() {
		if err := s.c.cancelErr(); err != nil {
			return err
		}
		start := time.Now()
		sel, more, err := s.nextSelection()
		if err != nil || !more {
			if err != nil {
				return err
			}
			return p.delta()
		}
		err = scanned.out(&s.b, sel)
		scanned.spent += time.Since(start)
		if err != nil {
			return err
		}
	}
	return nil
}

// delta pushes the visible rows of the heap delta that pass the scan's
// filter, laid out as columns a batch at a time.
func (p *vpipe) delta() error {
	s := p.scan
	if len(s.delta) == 0 {
		return nil
	}
	rc := newRowColumns(p.scanTypes, p.scanNeed, p.size)
	rows := make([][]types.Value, 0, p.size)
	for {
		r, err := s.nextDelta()
		if err != nil {
			return err
		}
		if r != nil {
			rows = append(rows, r)
		}
		if len(rows) == p.size || r == nil && len(rows) > 0 {
			seg, err := rc.segment(rows)
			if err != nil {
				// the heap holds values of the columns' types, which have a
				// vector form: this is not expected
				return sqlerr.New(sqlerr.InternalError, "a row of table %q has a value its column's type does not describe; SET enable_columnar_scan = off runs the statement without vectors",
					s.scan.Table.Name)
			}
			if err := p.stages[len(p.stages)-1].out(&vbatch{seg: seg, n: len(rows)}, p.all[:len(rows)]); err != nil {
				return err
			}
			rows = rows[:0]
		}
		if r == nil {
			return nil
		}
	}
}

// report adds the rows the stages output to their operators' EXPLAIN
// ANALYZE figures.
func (p *vpipe) report() {
	var below time.Duration // the time of the stage and those under it
	for i := len(p.stages) - 1; i >= 0; i-- {
		s := p.stages[i]
		below += s.spent - s.down
		if s.st != nil {
			s.st.Rows += s.rows
			s.st.Total += below
			s.st.Vectorized = true
		}
	}
}

func (s *vstage) push(b *vbatch, sel []int32) error {
	var start time.Time
	if s.st != nil {
		start = time.Now()
		defer func() { s.spent += time.Since(start) }()
	}
	switch {
	case s.j == nil && s.pred != nil:
		return s.filter(b, sel)
	case s.j == nil: // a projection
		return s.out(s.remapped(b), sel)
	case s.semi:
		return s.semiJoin(b, sel)
	}
	return s.innerJoin(b, sel)
}

// out pushes the stage's output rows to the next stage.
func (s *vstage) out(b *vbatch, sel []int32) error {
	s.rows += int64(len(sel))
	if s.st == nil {
		return s.next.push(b, sel)
	}
	start := time.Now()
	err := s.next.push(b, sel)
	s.down += time.Since(start)
	return err
}

// remapped returns b with the columns of the stage's remap, in order (nil
// for all), in the stage's memory for them.
func (s *vstage) remapped(b *vbatch) *vbatch {
	if s.remap == nil {
		return b
	}
	if s.rcols == nil {
		s.rcols = make([]column.Column, len(s.remap))
	}
	for k, c := range s.remap {
		s.rcols[k] = b.seg.Cols[c]
	}
	return &vbatch{seg: newBatchSegment(b.seg.Rows, s.rcols), off: b.off, n: b.n}
}

// newBatchSegment returns a new segment of rows over cols. The columns'
// memory is a stage's, reused from batch to batch (a batch lives until
// the push that carries it returns); the segment is new each batch, as
// vectorized code caches facts about a batch's columns by its address.
func newBatchSegment(rows int, cols []column.Column) *row.Segment {
	return &row.Segment{Segment: &column.Segment{Rows: rows, Cols: cols}}
}

// filter pushes the rows of sel that pass the filter.
func (s *vstage) filter(b *vbatch, sel []int32) error {
	kept, err := s.selected(b, sel)
	if err != nil || len(kept) == 0 {
		return err
	}
	return s.out(b, kept)
}

// selected returns the rows of sel that pass the stage's condition: on
// vectors, or on the row path for a batch the vector form cannot compute.
func (s *vstage) selected(b *vbatch, sel []int32) ([]int32, error) {
	kept, err := s.pred(b, sel)
	if !errors.Is(err, errVectorFallback) {
		return kept, err
	}
	kept = nil
	for _, j := range sel {
		v, err := s.cond(batchRow(b, j))
		if err != nil {
			return nil, err
		}
		if !v.IsNull() && v.Bool() {
			kept = append(kept, j)
		}
	}
	return kept, nil
}

// batchRow makes the row values of position j of b, for the row path.
func batchRow(b *vbatch, j int32) []types.Value {
	vals := make([]types.Value, len(b.seg.Cols))
	for ci := range b.seg.Cols {
		vals[ci] = b.seg.Cols[ci].Value(b.off + int(j))
	}
	return vals
}

// probe returns the first built row (+ 1) matching row off+j of the key
// columns k1 and k2 (nil for one key), whose integers at j are x1[j] and
// x2[j] (selectedInts), 0 for none or a NULL key.
func (s *vstage) probe(k1, k2 *column.Column, x1, x2 []int64, off int, j int32) int32 {
	i := off + int(j)
	if k1.Null(i) {
		return 0
	}
	a, b := x1[j], int64(0)
	if k2 != nil {
		if k2.Null(i) {
			return 0
		}
		b = x2[j]
	}
	t := s.j.vt
	if t.dense != nil {
		if d := uint64(a) - uint64(t.lo); d < uint64(len(t.dense)) {
			return t.dense[d]
		}
		return 0
	}
	if t.bits != nil {
		if !hasBit(t.bits, t.lo, a) {
			return 0
		}
		return t.byRank[t.rank(a)]
	}
	return t.slots[t.slot(a, b)]
}

// mayMatch returns the rows of sel whose one key the jtable's bitmap of
// keys holds, in a tight loop ahead of the probes, or sel when the table
// has no bitmap: a selective join (TPC-H q11's suppliers of one nation,
// q22's customers of seven countries) then probes a few rows in many.
func (s *vstage) mayMatch(k1, k2 *column.Column, x1 []int64, off int, sel []int32) []int32 {
	t := s.j.vt
	if t.bits == nil || k2 != nil {
		return sel
	}
	hits := s.hits[:0]
	// Few keys in their range (under one in eight, q11's) mostly miss,
	// which a branch predicts; more hit at random.
	if k1.Valid != nil || cap(t.bits) == len(t.bits) || len(t.k1)*8 < len(t.bits)*64 {
		for _, j := range sel {
			if hasBit(t.bits, t.lo, x1[j]) && !k1.Null(off+int(j)) {
				hits = append(hits, j)
			}
		}
		s.hits = hits
		return hits
	}
	// Without branches on the keys, which hit at random: each row is
	// written and kept when its bit is set; a key out of the bitmap's
	// range reads the zero word keyBits leaves past its end.
	hits = grown(hits[:cap(hits)], len(sel))
	ext, last := t.bits[:len(t.bits)+1], uint64(len(t.bits))
	k := 0
	for _, j := range sel {
		d := uint64(x1[j]) - uint64(t.lo)
		hits[k] = j
		k += int(ext[min(d>>6, last)] >> (d & 63) & 1)
	}
	s.hits = hits[:k]
	return s.hits
}

// keyInts returns the integers of b's key columns at sel's rows, for probe.
func (s *vstage) keyInts(b *vbatch, sel []int32) (k1, k2 *column.Column, x1, x2 []int64) {
	k1 = &b.seg.Cols[s.keyCols[0]]
	x1 = selectedInts(k1, b.off, b.n, sel, &s.ints[0])
	if len(s.keyCols) == 2 {
		k2 = &b.seg.Cols[s.keyCols[1]]
		x2 = selectedInts(k2, b.off, b.n, sel, &s.ints[1])
	}
	return k1, k2, x1, x2
}

// semiJoin pushes the rows of sel that match some built row (semi) or
// none (anti), with the columns the join outputs.
func (s *vstage) semiJoin(b *vbatch, sel []int32) error {
	k1, k2, x1, x2 := s.keyInts(b, sel)
	kept := s.kept[:0]
	for _, j := range sel {
		if (s.probe(k1, k2, x1, x2, b.off, j) != 0) != s.anti {
			kept = append(kept, j)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return s.out(s.remapped(b), kept)
}

// innerJoin pushes the joined rows of sel's rows and their matching built
// rows, a batch of at most size pairs at a time.
func (s *vstage) innerJoin(b *vbatch, sel []int32) error {
	k1, k2, x1, x2 := s.keyInts(b, sel)
	if !s.outer {
		sel = s.mayMatch(k1, k2, x1, b.off, sel)
	}
	next, unique := s.j.vt.next, s.j.vt.unique
	s.pos, s.brs = s.pos[:0], s.brs[:0]
	for _, j := range sel {
		r := s.probe(k1, k2, x1, x2, b.off, j)
		if r == 0 && s.outer {
			if err := s.pair(b, j, int32(len(next))); err != nil { // the NULL row
				return err
			}
		}
		if r != 0 && s.outerBuilt {
			s.markMatches(r, next, unique)
		}
		for ; r != 0; r = next[r-1] {
			if err := s.pair(b, j, r-1); err != nil {
				return err
			}
			if unique {
				break // no chain to read: a random load less a probe
			}
		}
	}
	if len(s.pos) == 0 {
		return nil
	}
	return s.emit(b, s.pos, s.brs)
}

// pair adds the pair of input position j and built row r, emitting the
// pairs when they make a whole batch.
func (s *vstage) pair(b *vbatch, j, r int32) error {
	s.pos, s.brs = append(s.pos, j), append(s.brs, r)
	if len(s.pos) < cap(s.pos) {
		return nil
	}
	err := s.emit(b, s.pos, s.brs)
	s.pos, s.brs = s.pos[:0], s.brs[:0]
	return err
}

// emit gathers the output columns of the pairs (input position pos[k],
// built row brs[k]) into a batch and pushes it; with no input batch b,
// the built rows brs join the NULLs of s.nulls (vouter.go).
func (s *vstage) emit(b *vbatch, pos, brs []int32) error {
	n := len(brs)
	if s.cols == nil {
		s.cols = make([]column.Column, len(s.srcs))
	}
	seg := newBatchSegment(n, s.cols)
	for k, src := range s.srcs {
		switch {
		case !src.need:
		case src.built:
			seg.Cols[k] = s.bufs[k].gather(&s.j.vt.cols[src.col], 0, brs, s.codes)
		case b == nil:
			seg.Cols[k] = cut(s.nulls[k], n)
		default:
			seg.Cols[k] = s.bufs[k].gather(&b.seg.Cols[src.col], b.off, pos, s.codes)
		}
	}
	out, sel := &vbatch{seg: seg, n: n}, s.all[:n]
	if s.pred != nil { // the ON condition
		var err error
		if sel, err = s.selected(out, sel); err != nil || len(sel) == 0 {
			return err
		}
		out = s.remapped(out)
	}
	return s.out(out, sel)
}

// gathers is the memory of one output column of a join's batches, reused
// from batch to batch.
type gathers struct {
	i32   []int32
	i64   []int64
	f64   []float64
	strs  []string
	codes []uint16
	valid []byte
}

// gather returns a column of the values of src at rows off+idx[k];
// identity holds the codes 0, 1, 2, ... of strings that are their own
// dictionary entries.
func (g *gathers) gather(src *column.Column, off int, idx []int32, identity []uint16) column.Column {
	n := len(idx)
	size := len(identity)
	dst := column.Column{Kind: src.Kind, Type: src.Type}
	switch src.Kind {
	case column.Int32: // through Take: a segment's column may be encoded
		g.i32 = grown(g.i32, size)
		if src.Enc == column.Plain {
			for k, i := range idx {
				g.i32[k] = src.I32[off+int(i)]
			}
		} else {
			g.i64 = grown(g.i64, size)
			src.Take(off, idx, g.i64)
			for k := range idx {
				g.i32[k] = int32(g.i64[k])
			}
		}
		dst.I32 = g.i32[:n]
	case column.Int64:
		g.i64 = grown(g.i64, size)
		src.Take(off, idx, g.i64)
		dst.I64 = g.i64[:n]
	case column.Float64:
		g.f64 = grown(g.f64, size)
		for k, i := range idx {
			g.f64[k] = src.F64[off+int(i)]
		}
		dst.F64 = g.f64[:n]
	case column.String:
		switch {
		case src.Codes != nil && len(src.Dict) <= size:
			// a small dictionary is shared: the codes say it all
			g.codes = grown(g.codes, size)
			for k, i := range idx {
				g.codes[k] = src.Codes[off+int(i)]
			}
			dst.Codes, dst.Dict = g.codes[:n], src.Dict
		default:
			g.strs = grown(g.strs, size)
			for k, i := range idx {
				g.strs[k] = text(src, off+int(i))
			}
			dst.Codes, dst.Dict = identity[:n], g.strs[:n]
		}
	}
	if src.Valid != nil {
		g.valid = grown(g.valid, (size+7)/8)
		v := g.valid[:(n+7)/8]
		for i := range v {
			v[i] = 0xff
		}
		for k, i := range idx {
			if src.Null(off + int(i)) {
				v[k>>3] &^= 1 << (k & 7)
			}
		}
		dst.Valid = v
	}
	return dst
}

// text returns row i of a String column: a segment's, or a jtable's with
// one Dict entry per row.
func text(c *column.Column, i int) string {
	if c.Codes == nil && c.Str == nil {
		return c.Dict[i]
	}
	return c.Text(i)
}

// grown returns s with a length of at least n.
func grown[T any](s []T, n int) []T {
	if len(s) < n {
		return make([]T, n)
	}
	return s
}

// push aggregates a batch of a vectorized pipeline; after a batch the
// vector form cannot compute, the rows go through the row path.
func (b *batcher) push(vb *vbatch, sel []int32) error {
	if b.rest.empty() {
		err := b.va.batch(vb, sel)
		if err == nil || !errors.Is(err, errVectorFallback) {
			return err
		}
	}
	for _, j := range sel {
		if err := b.rest.add(batchRow(vb, j)); err != nil {
			return err
		}
	}
	return nil
}

// errOverWorkMem stops a jtable's build from batches that passed work_mem:
// the join builds its rows instead, which spill.
var errOverWorkMem = errors.New("jtable over work_mem")

// buildFromBatches makes j's jtable from the batches of its built input
// when that is a vectorized pipeline itself (a column scan, possibly under
// joins, filters and projections), without making rows. It reports false
// when the built input has no such form or its table passes work_mem: the
// join then builds its rows as usual.
func (j *joinOp) buildFromBatches() (bool, error) {
	keys := j.node.RightKeys
	if j.buildLeft {
		keys = j.node.LeftKeys
	}
	ts := j.buildTypes()
	need := append([]bool(nil), j.vneed...)
	jb := &jbuilder{c: j.c, total: new(atomic.Int64), need: j.vneed, cols: make([]column.Column, len(ts))}
	for _, k := range keys {
		c, ok := k.(*plan.ColRef)
		if !ok {
			return false, nil
		}
		jb.keyCols = append(jb.keyCols, c.Idx)
		need[c.Idx] = true
	}
	for ci, t := range ts {
		if j.vneed[ci] {
			jb.cols[ci] = vectorColumn(t, 0)
		}
	}
	p, err := newVPipe(j.c, j.build, need, jb, j.vdegree)
	if p == nil || err != nil {
		return false, err
	}
	if err := j.build.Init(); err != nil {
		j.build.Close()
		return true, err
	}
	defer j.build.Close()
	if ready, err := p.ready(); err != nil || !ready {
		return err != nil, err
	}
	pipes, builders := []*vpipe{p}, []*jbuilder{jb}
	if j.vdegree != 0 && j.c.Analysis == nil {
		side := j.builtSide()
		copies, contexts, giveBack, err := j.c.workerCopies(side, j.build, j.vdegree, nil)
		defer giveBack()
		for _, in := range copies {
			defer in.Close()
		}
		for i := range contexts {
			if err != nil {
				break
			}
			b := jb.peer()
			var q *vpipe
			if q, err = newVPipe(contexts[i], copies[i], need, b, j.vdegree); err == nil && q == nil {
				err = sqlerr.New(sqlerr.InternalError, "a parallel worker's pipeline differs from the first's")
			}
			pipes, builders = append(pipes, q), append(builders, b)
		}
		if err != nil {
			return true, err
		}
	}
	j.reserveBuild(builders)
	for _, q := range pipes {
		q.dropRows()
	}
	err = j.c.runWorkers(len(pipes), func(i int, failed *atomic.Bool) error { return pipes[i].run(failed) })
	if err == nil {
		err = finishOuter(pipes)
	}
	p.report()
	if errors.Is(err, errOverWorkMem) {
		p.forget()
		return false, nil
	}
	if err != nil {
		return true, err
	}
	for _, b := range builders[1:] {
		jb.absorb(b)
	}
	for ci := range jb.cols {
		if c := &jb.cols[ci]; c.Valid != nil {
			for len(c.Valid) < (jb.n+7)/8 {
				c.Valid = append(c.Valid, 0xff)
			}
		}
	}
	t := newJTable(jb.k1, jb.k2, jb.null)
	t.cols = jb.cols
	j.useTable(t, 0)
	return true, nil
}

// forget makes the pipeline's joins build their rows the next time they
// start.
func (p *vpipe) forget() {
	for _, s := range p.stages {
		if s.j != nil {
			s.j.vt, s.j.vneed = nil, nil
		}
	}
}

// jbuilder collects the batches of a join's built input: the key and the
// needed columns of each row.
type jbuilder struct {
	c       *Context
	total   *atomic.Int64 // the bytes of the builders of all workers
	keyCols []int
	need    []bool
	cols    []column.Column
	k1, k2  []int64
	ints    [2][]int64 // scratch of selectedInts
	null    []bool     // the rows whose key is NULL, nil for none
	n       int
}

func (jb *jbuilder) push(b *vbatch, sel []int32) error {
	var bytes int64
	for ci := range jb.cols {
		if jb.need[ci] {
			bytes += appendColumn(&jb.cols[ci], &b.seg.Cols[ci], b.off, sel, jb.n)
		}
	}
	k1 := &b.seg.Cols[jb.keyCols[0]]
	x1 := selectedInts(k1, b.off, b.n, sel, &jb.ints[0])
	var k2 *column.Column
	var x2 []int64
	if len(jb.keyCols) == 2 {
		k2 = &b.seg.Cols[jb.keyCols[1]]
		x2 = selectedInts(k2, b.off, b.n, sel, &jb.ints[1])
		jb.k2 = roomForN(jb.k2, len(sel))
	}
	jb.k1 = roomForN(jb.k1, len(sel))
	for k, j := range sel {
		i := b.off + int(j)
		null := k1.Null(i) || k2 != nil && k2.Null(i)
		if null && jb.null == nil {
			jb.null = make([]bool, jb.n+k, cap(jb.k1))
		}
		if jb.null != nil {
			jb.null = append(jb.null, null)
		}
		jb.k1 = append(jb.k1, x1[j])
		if k2 != nil {
			jb.k2 = append(jb.k2, x2[j])
		}
	}
	jb.n += len(sel)
	bytes += int64(len(sel)) * int64(8*len(jb.keyCols)+4+4) // keys, chain and slots
	if jb.c.overWorkMem(jb.total.Add(bytes)) {
		return errOverWorkMem
	}
	return nil
}

// builtSide is the input j keeps in memory.
func (j *joinOp) builtSide() plan.Node {
	if j.buildLeft {
		return j.node.Left
	}
	return j.node.Right
}

// maxReserveRows bounds the rows reserveBuild makes room for up front.
const maxReserveRows = 1 << 22

// reserveBuild gives the builders room for the rows ANALYZE's figures
// expect of the built side, the first for all of them (it absorbs the
// others), so that its columns do not grow by doubling: each doubling
// copies them and touches new memory (TPC-H q7 builds 153,000 rows twice).
func (j *joinOp) reserveBuild(builders []*jbuilder) {
	side := j.builtSide()
	est, ok := plan.EstimateRows(side)
	if !ok || est < 1 {
		return
	}
	total := int(min(est, maxReserveRows))
	for i, b := range builders {
		if i == 0 {
			b.reserve(total)
		} else {
			b.reserve(total / len(builders))
		}
	}
}

// reserve makes room for n more rows in jb's columns and keys.
func (jb *jbuilder) reserve(n int) {
	for ci := range jb.cols {
		if !jb.need[ci] {
			continue
		}
		c := &jb.cols[ci]
		switch c.Kind {
		case column.Int64:
			c.I64 = slices.Grow(c.I64, n)
		case column.Float64:
			c.F64 = slices.Grow(c.F64, n)
		case column.String:
			c.Dict = slices.Grow(c.Dict, n)
		}
	}
	jb.k1 = slices.Grow(jb.k1, n)
	if len(jb.keyCols) == 2 {
		jb.k2 = slices.Grow(jb.k2, n)
	}
}

// peer returns an empty builder of the same columns for another worker.
func (jb *jbuilder) peer() *jbuilder {
	b := &jbuilder{c: jb.c, total: jb.total, keyCols: jb.keyCols, need: jb.need, cols: make([]column.Column, len(jb.cols))}
	for ci, c := range jb.cols {
		if jb.need[ci] {
			b.cols[ci] = vectorColumn(c.Type, 0)
		}
	}
	return b
}

// absorb appends the rows of another worker's builder.
func (jb *jbuilder) absorb(from *jbuilder) {
	for ci := range jb.cols {
		if !jb.need[ci] {
			continue
		}
		dst, src := &jb.cols[ci], &from.cols[ci]
		dst.I64, dst.F64, dst.Dict = append(dst.I64, src.I64...), append(dst.F64, src.F64...), append(dst.Dict, src.Dict...)
		for r := range from.n {
			if r>>3 < len(src.Valid) && src.Null(r) {
				setNull(dst, jb.n+r)
			}
		}
	}
	if from.null != nil && jb.null == nil {
		jb.null = make([]bool, jb.n, jb.n+from.n)
	}
	if jb.null != nil {
		jb.null = append(jb.null, from.null...)
		jb.null = append(jb.null, make([]bool, jb.n+from.n-len(jb.null))...) // from had no NULL key
	}
	jb.k1, jb.k2 = append(jb.k1, from.k1...), append(jb.k2, from.k2...)
	jb.n += from.n
}

// setNull marks row r of c, a column being appended to, NULL.
func setNull(c *column.Column, r int) {
	for len(c.Valid) <= r>>3 {
		c.Valid = append(c.Valid, 0xff)
	}
	c.Valid[r>>3] &^= 1 << (r & 7)
}

// appendColumn appends the values of src at rows off+sel[k] to dst, which
// holds n rows, and returns the bytes they take.
func appendColumn(dst, src *column.Column, off int, sel []int32, n int) int64 {
	bytes := int64(len(sel)) * 8
	switch src.Kind {
	case column.Int32, column.Int64: // through Take: a segment's column may be encoded
		at := len(dst.I64)
		dst.I64 = roomForN(dst.I64, len(sel))[:at+len(sel)]
		src.Take(off, sel, dst.I64[at:])
	case column.Float64:
		dst.F64 = roomForN(dst.F64, len(sel))
		for _, j := range sel {
			dst.F64 = append(dst.F64, src.F64[off+int(j)])
		}
	case column.String:
		dst.Dict = roomForN(dst.Dict, len(sel))
		for _, j := range sel {
			s := text(src, off+int(j))
			dst.Dict = append(dst.Dict, s)
			bytes += 8 + int64(len(s))
		}
	}
	if src.Valid != nil {
		for k, j := range sel {
			if !src.Null(off + int(j)) {
				continue
			}
			setNull(dst, n+k)
		}
	}
	return bytes
}

// denseChains returns, when the non-NULL keys k1 (null marks the NULL
// ones, nil for none) span at most twice their number, the least key lo
// and the first row (+ 1) of each key from lo, chaining each key's
// further rows in next in input order; else nil.
func denseChains(k1 []int64, null []bool, next []int32) (int64, []int32) {
	lo, hi, n := int64(math.MaxInt64), int64(math.MinInt64), 0
	for i, k := range k1 {
		if null == nil || !null[i] {
			lo, hi, n = min(lo, k), max(hi, k), n+1
		}
	}
	if n == 0 || uint64(hi)-uint64(lo) >= 2*uint64(n) {
		return 0, nil
	}
	dense := make([]int32, hi-lo+1)
	for i := len(k1) - 1; i >= 0; i-- { // backwards: chains in input order
		if null == nil || !null[i] {
			d := k1[i] - lo
			next[i], dense[d] = dense[d], int32(i+1)
		}
	}
	return lo, dense
}
