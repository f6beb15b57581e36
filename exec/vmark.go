package exec

import (
	"sync/atomic"

	"rustydb/column"
	"rustydb/sqlerr"
	"rustydb/types"
)

// Vectorized semi and anti joins that hold their left input. The planner
// builds on the left side of a semi or anti join when it is much the
// smaller (TPC-H q21: 70,000 late line items of Saudi suppliers, EXISTS
// another line item of the order): the right input, a scan of lineitem,
// then only marks the left rows it matches, and the join outputs the
// left rows marked (semi) or not (anti) at the end. On the row path each
// scanned row that passes the key filter becomes a row of Values, probes a
// Go map and is joined to each candidate for the ON condition, on one
// core. Here the scan's batches run through a join stage of the vectorized
// pipeline (vjoin.go) instead: the left rows are laid out as a jtable, the
// batch's keys probe it, the ON condition filters the gathered (scanned
// row, left row) pairs on vectors, and the pairs that pass mark their left
// rows. Workers (plan.Join.Parallel) take the scan's segments as morsels,
// each marking in its own array; the arrays merge at the end.
//
// It is decided in Init, before the left rows are built: when the right
// input is a column scan, the keys are integer-like columns of it and the
// ON condition has a vector form. Otherwise, or when a left row has a
// value without an exact vector form or the left rows spill, the row
// path's markMatches runs.

// marker is the sink of a marking join stage: the left rows of the pairs
// that reach it are matched. Its stage's brs are the pairs' left rows, by
// position in the batch the stage emits (see emit).
type marker struct {
	s       *vstage
	matched []bool
}

func (m *marker) push(_ *vbatch, sel []int32) error {
	for _, k := range sel {
		m.matched[m.s.brs[k]] = true
	}
	return nil
}

// markPipeline returns the vectorized pipeline of j's right input into a
// marker, asking j to lay out its left rows as a jtable, or nil when j is
// not a semi or anti join that holds its left input over a column scan or
// has no vectorized form.
func (j *joinOp) markPipeline() (*vpipe, error) {
	if !j.buildLeft || !j.semi() || j.shared || j.c.NoColumnar {
		return nil, nil
	}
	var st *OpStats
	op := j.stream
	if a, ok := op.(*analyzeOp); ok {
		op, st = a.in, a.st
	}
	scan, ok := op.(*colScanOp)
	if !ok {
		return nil, nil
	}
	p, vneed, err := j.markPipe(j.c, scan, st)
	if p != nil {
		// the left rows may come from batches too: their columns output
		// then become rows (jtable.rows)
		for c, out := range j.outCols() {
			vneed[c] = vneed[c] || out
		}
		j.vectorize(vneed, j.node.Parallel)
	}
	return p, err
}

// outCols marks the left row's columns a semi or anti join outputs that
// the operators above read: only those are laid out and made values of
// (TPC-H q4 reads o_orderpriority of the orders it outputs, not o_comment).
func (j *joinOp) outCols() []bool {
	out := make([]bool, j.nLeft)
	for k, read := range j.c.needed(j.node) {
		if c := k; read {
			if j.out != nil {
				c = j.out[k]
			}
			out[c] = true
		}
	}
	return out
}

// rows makes rows of width values of t's built columns that cols marks,
// the others NULL, of the built rows keep marks (all, when keep is nil);
// the others stay nil.
func (t *jtable) rows(width int, cols []bool, keep []bool) [][]types.Value {
	n := len(t.k1)
	if keep != nil {
		n = 0
		for _, k := range keep {
			if k {
				n++
			}
		}
	}
	vals := make([]types.Value, n*width)
	rows := make([][]types.Value, len(t.k1))
	for i := range rows {
		if keep == nil || keep[i] {
			rows[i], vals = vals[:width:width], vals[width:]
		}
	}
	for c, ok := range cols {
		if !ok {
			continue
		}
		col := &t.cols[c]
		for i, r := range rows {
			switch {
			case r == nil:
			case col.Kind == column.String && !col.Null(i):
				r[c] = types.NewText(text(col, i)) // one Dict entry a row
			default:
				r[c] = col.Value(i)
			}
		}
	}
	return rows
}

// markPipe returns the marking pipeline of scan, one worker's share of j's
// right input, and the built columns it reads.
func (j *joinOp) markPipe(c *Context, scan *colScanOp, st *OpStats) (*vpipe, []bool, error) {
	p := newPipe(scan, scan.columnTypes())
	m := &marker{}
	s := &vstage{next: m}
	j.marking = true
	need, vneed, err := p.joinStage(c, s, j, p.scanTypes, make([]bool, len(j.node.Cols)))
	j.marking = false
	if need == nil || !p.reads(need, st, s) {
		return nil, nil, err
	}
	m.s = s
	p.stages = append([]*vstage{s}, p.stages...)
	return p, vneed, nil
}

// markBatches runs p, j's marking pipeline, over the right input's
// batches once j's left rows are in its jtable, with as many more workers
// as j's plan and the scan's size allow, and leaves the matches in
// j.matched for Next.
func (j *joinOp) markBatches(p *vpipe) error {
	if len(j.built) != len(j.vt.k1) {
		return sqlerr.New(sqlerr.InternalError, "a semi join's table holds %d rows of %d", len(j.vt.k1), len(j.built))
	}
	pipes, giveBack, err := j.markWorkers(p)
	defer giveBack()
	if err != nil {
		return err
	}
	markers := make([]*marker, len(pipes))
	for i, p := range pipes {
		markers[i] = p.stages[0].next.(*marker)
		markers[i].matched = make([]bool, len(j.built))
	}
	err = j.c.runWorkers(len(pipes), func(i int, failed *atomic.Bool) error {
		return pipes[i].run(failed)
	})
	p.report()
	if j.c.Analysis != nil {
		j.c.Analysis.Stats(j.node).Vectorized = true
	}
	j.matched, j.leftDone = markers[0].matched, true
	for _, m := range markers[1:] {
		for i, ok := range m.matched {
			j.matched[i] = j.matched[i] || ok
		}
	}
	if err == nil && !j.vt.fromRows {
		// the rows output, marked (semi) or not (anti): TPC-H q22 keeps
		// 14,000 customers of 42,000
		out := make([]bool, len(j.matched))
		for i, m := range j.matched {
			out[i] = m == (j.kind == "semi")
		}
		j.built = j.vt.rows(j.nLeft, j.outCols(), out)
	}
	return err
}

// markWorkers returns p and the marking pipelines of the further workers,
// each over a copy of the right input's scan that takes p's scan's
// segments as morsels (p's scan alone reads the heap delta), and the
// function that gives the workers back and closes the copies.
func (j *joinOp) markWorkers(p *vpipe) ([]*vpipe, func(), error) {
	pipes := []*vpipe{p}
	if j.node.Parallel == 0 || j.c.Analysis != nil {
		return pipes, func() {}, nil
	}
	scan := p.scan
	rows := 0
	for _, sg := range scan.segs {
		rows += sg.Rows
	}
	// the morsels are the segments
	workers, giveBack := j.c.degree(workersFor(j.node.Parallel, rows, rows/max(1, len(scan.segs)), j.c.MaxWorkers))
	var copies []Operator
	done := func() {
		for _, in := range copies {
			in.Close()
		}
		giveBack()
	}
	morsels := NewMorsels(len(scan.segs), workers)
	for w := 1; w < workers; w++ {
		wc := j.c.fork()
		in, err := wc.Build(j.node.Right)
		if err != nil {
			return pipes, done, err
		}
		copyScan, ok := in.(*colScanOp)
		if !ok {
			break // not the same shape: p works alone
		}
		if err := in.Init(); err != nil {
			in.Close()
			return pipes, done, err
		}
		copies = append(copies, in)
		wp, _, err := j.markPipe(wc, copyScan, nil)
		if wp == nil || err != nil {
			if err == nil {
				err = sqlerr.New(sqlerr.InternalError, "a parallel worker's pipeline differs from the first's")
			}
			return pipes, done, err
		}
		copyScan.share(scan, morsels, w)
		pipes = append(pipes, wp)
	}
	return pipes, done, nil
}
