package exec

import (
	"sync/atomic"

	"rustydb/sqlerr"
)

// Vectorized semi and anti joins that hold their left input. The planner
// builds on the left side of a semi or anti join when it is much the
// smaller (TPC-H q21: 70,000 late line items of Saudi suppliers, EXISTS
// another line item of the order): the right input, a scan of lineitem,
// then only marks the left rows it matches, and the join outputs the
// left rows marked (semi) or not (anti) at the end. On the row path each
// scanned row that passes the key filter becomes a row of Values, probes a
// Go map and is joined to each candidate for the ON condition. Here the
// scan's batches run through a join stage of the vectorized pipeline
// (vjoin.go) instead: the left rows are laid out as a jtable, the batch's
// keys probe it, the ON condition filters the gathered (scanned row, left
// row) pairs on vectors, and the pairs that pass mark their left rows.
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
	if _, ok := unwrapAnalyze(j.stream).(*colScanOp); !ok {
		return nil, nil
	}
	m := &marker{}
	j.marking = true
	p, err := newVPipe(j.c, j, make([]bool, len(j.node.Cols)), m, 1)
	j.marking = false
	if p == nil || err != nil {
		return nil, err
	}
	m.s = p.stages[0]
	return p, nil
}

// markBatches runs p, j's marking pipeline, over the right input's
// batches once j's left rows are in its jtable, and leaves the matches in
// j.matched for Next.
func (j *joinOp) markBatches(p *vpipe) error {
	m := p.stages[0].next.(*marker)
	m.matched = make([]bool, len(j.built))
	if len(j.built) != len(j.vt.k1) {
		return sqlerr.New(sqlerr.InternalError, "a semi join's table holds %d rows of %d", len(j.vt.k1), len(j.built))
	}
	var failed atomic.Bool
	err := p.run(&failed)
	p.report()
	j.matched, j.leftDone = m.matched, true
	return err
}
