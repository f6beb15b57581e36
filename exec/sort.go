package exec

// The sort operator: in memory while its rows fit work_mem, else an
// external merge sort. Rows are gathered until they pass work_mem, sorted
// and written to a temporary file as a run; at the end the runs and the
// rows still in memory are merged through a heap. Equal keys keep their
// input order: runs are sorted stably and the merge prefers the earlier
// run.

import (
	"container/heap"
	"sort"

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
	rowsOp  // the computed result, handed out by Next when nothing spilled

	runs  []*spillFile // sorted runs written to disk
	merge *runMerge    // merges runs and the last in-memory rows
}

// keyedRow is a row with its sort keys.
type keyedRow struct {
	row  []types.Value
	keys []types.Value
}

func (o *sortOp) Init() error {
	o.runs, o.merge, o.rows, o.pos = removeSpills(o.runs), nil, nil, 0
	if err := o.in.Init(); err != nil {
		return err
	}
	if err := o.sortInput(); err != nil {
		o.runs = removeSpills(o.runs)
		return err
	}
	return nil
}

// sortInput reads the input and sorts it, spilling runs past work_mem.
func (o *sortOp) sortInput() error {
	var all []keyedRow
	var bytes, peak int64
	defer func() { o.c.noteMemory(o.node, max(peak, bytes)) }()
	if o.bounded {
		var done bool
		var err error
		if all, bytes, done, err = o.topN(o.bound); done || err != nil {
			return err
		}
	}
	for {
		r, ok, err := o.next(nil)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		all = append(all, r)
		bytes += rowSize(r.row) + rowSize(r.keys)
		if !o.c.overWorkMem(bytes) {
			continue
		}
		peak = max(peak, bytes)
		if err := o.writeRun(all); err != nil {
			return err
		}
		all, bytes = nil, 0
	}
	o.sortRows(all)
	if len(o.runs) == 0 {
		o.rows = make([][]types.Value, len(all))
		for i, k := range all {
			o.rows[i] = k.row
		}
		return nil
	}
	m := &runMerge{o: o, mem: all}
	for i, run := range o.runs {
		if err := run.rewind(); err != nil {
			return err
		}
		if err := m.push(i); err != nil {
			return err
		}
	}
	m.push(len(o.runs)) // the rows in memory, the last run
	o.merge = m
	return nil
}

// next reads the next input row and computes its keys, into keys when it
// is not nil (the keys of a row dropped); ok is false at the end of the
// input.
func (o *sortOp) next(keys []types.Value) (r keyedRow, ok bool, err error) {
	if r.row, err = o.in.Next(); r.row == nil || err != nil {
		return r, false, err
	}
	if r.keys = keys; keys == nil {
		r.keys = make([]types.Value, len(o.keys))
	}
	for i, f := range o.keys {
		if r.keys[i], err = f(r.row); err != nil {
			return r, false, err
		}
	}
	return r, true, nil
}

// sortRows sorts rows stably by the sort keys.
func (o *sortOp) sortRows(rows []keyedRow) {
	sort.SliceStable(rows, func(i, j int) bool { return o.compare(rows[i].keys, rows[j].keys) < 0 })
}

// compare orders two rows' sort keys.
func (o *sortOp) compare(a, b []types.Value) int {
	for k, s := range o.spec {
		if c := compareKey(a[k], b[k], s); c != 0 {
			return c
		}
	}
	return 0
}

// writeRun sorts rows and writes them to a new run, each as its keys then
// the row.
func (o *sortOp) writeRun(rows []keyedRow) error {
	o.sortRows(rows)
	f := o.c.newSpill(o.node)
	o.runs = append(o.runs, f)
	for _, r := range rows {
		if err := f.write(r.keys); err != nil {
			return err
		}
		if err := f.write(r.row); err != nil {
			return err
		}
		if err := o.c.canceled(); err != nil {
			return err
		}
	}
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
	o.runs, o.merge = removeSpills(o.runs), nil
	o.in.Close()
}

// runMerge is the k-way merge of the sorted runs: a heap of each run's
// next row. Run len(o.runs) is the rows left in memory (mem).
type runMerge struct {
	o     *sortOp
	heads []mergeHead
	mem   []keyedRow
}

type mergeHead struct {
	keyedRow
	run int
}

// push reads the next row of run i into the heap, if it has one.
func (m *runMerge) push(i int) error {
	var r keyedRow
	if i == len(m.o.runs) {
		if len(m.mem) == 0 {
			return nil
		}
		r, m.mem = m.mem[0], m.mem[1:]
	} else {
		f := m.o.runs[i]
		keys, err := f.read()
		if err != nil || keys == nil {
			return err
		}
		if r.row, err = f.read(); err != nil {
			return err
		}
		r.keys = keys
	}
	heap.Push(m, mergeHead{r, i})
	return nil
}

// next returns the smallest row of all runs, or nil when they are done.
func (m *runMerge) next() ([]types.Value, error) {
	if len(m.heads) == 0 {
		return nil, nil
	}
	h := heap.Pop(m).(mergeHead)
	return h.row, m.push(h.run)
}

func (m *runMerge) Len() int { return len(m.heads) }
func (m *runMerge) Less(i, j int) bool {
	if c := m.o.compare(m.heads[i].keys, m.heads[j].keys); c != 0 {
		return c < 0
	}
	return m.heads[i].run < m.heads[j].run // stable: the earlier input first
}
func (m *runMerge) Swap(i, j int) { m.heads[i], m.heads[j] = m.heads[j], m.heads[i] }
func (m *runMerge) Push(x any)    { m.heads = append(m.heads, x.(mergeHead)) }
func (m *runMerge) Pop() any {
	h := m.heads[len(m.heads)-1]
	m.heads = m.heads[:len(m.heads)-1]
	return h
}
