package exec

// The sort operator: in memory while its rows fit work_mem, else an
// external merge sort. Rows are gathered (sortkeys.go's sortBuf) until
// they pass work_mem, sorted and written to a temporary file as a run; at
// the end the runs and the rows still in memory are merged through a heap.
// When its input is a column scan that workers can share (psort.go), each
// worker sorts its share so, within its part of work_mem, and the merge
// takes the runs of all of them. Equal keys keep their input order within
// a worker: runs are sorted stably and the merge prefers the earlier run.
// Across workers the input has no order to keep.

import (
	"rustydb/plan"
	"rustydb/types"
)

// sortOp materializes its input and sorts it.
type sortOp struct {
	c    *Context
	node *plan.Sort
	in   Operator
	keys []evalFn
	spec []plan.SortKey
	// bounded keeps only the best bound rows, all that a Limit above
	// takes (topn.go).
	bounded bool
	bound   int64
	rowsOp  // the computed result, handed out by Next when there is no merge

	workers []*sortWorker // who sorted the input, with their runs
	merge   *runMerge     // merges the workers' runs
	// measured are the EXPLAIN ANALYZE measurements of the inputs of the
	// workers after the first, added to the plan's when the sort closes.
	measured []*Analysis
}

// sortWorker sorts one stream of rows: the whole input of a serial sort,
// or one worker's share of a parallel one. What it sorted is its runs,
// then the rows in buf, sorted.
type sortWorker struct {
	c       *Context // the context its input runs in
	node    *plan.Sort
	fns     []evalFn
	workMem int64 // its part of work_mem (0: no limit)
	buf     sortBuf
	runs    []*spillFile
	peak    int64 // the most bytes it held
}

func (o *sortOp) Init() error {
	o.cleanup()
	o.rows, o.pos = nil, 0
	if err := o.in.Init(); err != nil {
		return err
	}
	if err := o.sortInput(); err != nil {
		o.cleanup()
		return err
	}
	return nil
}

// sortInput sorts the input, on workers when it can be shared, and
// prepares the result.
func (o *sortOp) sortInput() error {
	if err := o.sortShares(); err != nil {
		return err
	}
	return o.prepare()
}

// prepare readies the workers' result for Next: the rows when one worker
// kept them all in memory, else the merge of the runs.
func (o *sortOp) prepare() error {
	var mem int64
	for _, w := range o.workers {
		mem += w.peak
	}
	o.c.noteMemory(o.node, mem)
	if w := o.workers[0]; len(o.workers) == 1 && len(w.runs) == 0 {
		o.rows = make([][]types.Value, len(w.buf.ents))
		for i, e := range w.buf.ents {
			o.rows[i] = w.buf.rows[e.idx]
		}
		w.buf = sortBuf{}
		return nil
	}
	m := &runMerge{spec: o.spec}
	for _, w := range o.workers {
		for _, f := range w.runs {
			if err := f.rewind(); err != nil {
				return err
			}
			m.runs = append(m.runs, &sortRun{f: f})
		}
		m.runs = append(m.runs, &sortRun{buf: &w.buf})
	}
	if o.c.Analysis != nil {
		o.c.Analysis.Stats(o.node).Runs = len(m.runs)
	}
	o.merge = m
	return m.start()
}

// newWorker returns a worker that sorts a stream in context c with key
// functions fns, within workMem bytes.
func (o *sortOp) newWorker(c *Context, fns []evalFn, workMem int64) *sortWorker {
	return &sortWorker{c: c, node: o.node, fns: fns, workMem: workMem, buf: sortBuf{spec: o.spec}}
}

// sort reads in to its end and sorts its rows, keeping only the best bound
// when bound is not negative (as long as they fit in memory).
func (w *sortWorker) sort(in Operator, bound int64) error {
	if bound >= 0 {
		if done, err := w.topN(in, bound); done || err != nil {
			return err
		}
	}
	for {
		r, err := in.Next()
		if err != nil {
			return err
		}
		if r == nil {
			w.finish()
			return nil
		}
		if _, err := w.evalKeys(w.buf.keysOf(uint32(len(w.buf.rows)))[:0], r); err != nil {
			return err
		}
		w.buf.add(r)
		if w.workMem <= 0 || w.buf.bytes <= w.workMem {
			continue
		}
		w.peak = max(w.peak, w.buf.bytes)
		if err := w.writeRun(); err != nil {
			return err
		}
	}
}

// finish sorts the rows left in memory.
func (w *sortWorker) finish() {
	w.peak = max(w.peak, w.buf.bytes)
	w.buf.sort()
}

// evalKeys appends the sort keys of row r to dst, checking every few
// hundred rows whether the statement was canceled.
func (w *sortWorker) evalKeys(dst, r []types.Value) ([]types.Value, error) {
	for _, f := range w.fns {
		v, err := f(r)
		if err != nil {
			return dst, err
		}
		dst = append(dst, v)
	}
	return dst, w.c.canceled()
}

// writeRun sorts the rows in memory and writes them to a new run, each as
// its keys then the row, and empties the buffer.
func (w *sortWorker) writeRun() error {
	w.buf.sort()
	f := w.c.newSpill(w.node)
	w.runs = append(w.runs, f)
	for _, e := range w.buf.ents {
		if err := f.write(w.buf.keysOf(e.idx)); err != nil {
			return err
		}
		if err := f.write(w.buf.rows[e.idx]); err != nil {
			return err
		}
		if err := w.c.canceled(); err != nil {
			return err
		}
	}
	w.buf.reset()
	return f.close()
}

func (o *sortOp) Next() ([]types.Value, error) {
	if o.merge == nil {
		return o.rowsOp.Next()
	}
	if err := o.c.canceled(); err != nil {
		return nil, err
	}
	return o.merge.next()
}

func (o *sortOp) Close() {
	o.cleanup()
	o.in.Close()
	o.absorbMeasured()
}

// cleanup drops the workers' runs, removing their files.
func (o *sortOp) cleanup() {
	for _, w := range o.workers {
		removeSpills(w.runs)
	}
	o.workers, o.merge = nil, nil
}

// sortRun is one sorted run of a merge: rows spilled to a file, or a
// worker's rows in memory; keys and row are its current row.
type sortRun struct {
	f         *spillFile
	buf       *sortBuf
	pos       int
	keys, row []types.Value
}

// advance moves to the run's next row; row is nil after the last.
func (r *sortRun) advance() (err error) {
	if r.buf != nil {
		if r.pos == len(r.buf.ents) {
			r.keys, r.row = nil, nil
			return nil
		}
		e := r.buf.ents[r.pos]
		r.pos++
		r.keys, r.row = r.buf.keysOf(e.idx), r.buf.rows[e.idx]
		return nil
	}
	if r.keys, err = r.f.read(); r.keys == nil || err != nil {
		r.row = nil
		return err
	}
	r.row, err = r.f.read()
	return err
}

// runMerge is the k-way merge of sorted runs: a binary heap of the runs
// that have rows left, by their current rows, the earlier run first among
// equal ones.
type runMerge struct {
	spec []plan.SortKey
	runs []*sortRun
	heap []int // indexes into runs
}

// start reads each run's first row.
func (m *runMerge) start() error {
	for i, r := range m.runs {
		if err := r.advance(); err != nil {
			return err
		}
		if r.row != nil {
			m.heap = append(m.heap, i)
			m.up(len(m.heap) - 1)
		}
	}
	return nil
}

// less reports whether run i's row comes before run j's.
func (m *runMerge) less(i, j int) bool {
	if c := compareKeys(m.spec, m.runs[i].keys, m.runs[j].keys); c != 0 {
		return c < 0
	}
	return i < j
}

// next returns the smallest row of all runs, or nil when they are done.
func (m *runMerge) next() ([]types.Value, error) {
	if len(m.heap) == 0 {
		return nil, nil
	}
	r := m.runs[m.heap[0]]
	row := r.row
	if err := r.advance(); err != nil {
		return nil, err
	}
	if r.row == nil {
		last := len(m.heap) - 1
		m.heap[0] = m.heap[last]
		m.heap = m.heap[:last]
	}
	m.down(0)
	return row, nil
}

func (m *runMerge) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !m.less(m.heap[i], m.heap[p]) {
			return
		}
		m.heap[i], m.heap[p] = m.heap[p], m.heap[i]
		i = p
	}
}

func (m *runMerge) down(i int) {
	n := len(m.heap)
	for {
		s := i
		if l := 2*i + 1; l < n && m.less(m.heap[l], m.heap[s]) {
			s = l
		}
		if r := 2*i + 2; r < n && m.less(m.heap[r], m.heap[s]) {
			s = r
		}
		if s == i {
			return
		}
		m.heap[i], m.heap[s] = m.heap[s], m.heap[i]
		i = s
	}
}
