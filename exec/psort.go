package exec

// The parallel sort. When the sort's input is a column scan under
// filters, projections and joins whose hash tables workers can share (the
// shape of a parallel aggregation's pipeline, see workerCopies), more
// workers each build a copy of the input that takes turns at the scan's
// segments, and every worker sorts (or keeps the top-N of) its share
// within its part of work_mem, spilling runs past it. The runs of all the
// workers then meet in sort.go's k-way merge, which hands the rows out as
// the operator above asks for them: under a LIMIT it reads only the head
// of each worker's run.

import (
	"sync"
	"sync/atomic"

	"rustydb/types"
)

// sortShares sorts the input into o.workers: on the workers the plan and
// the input allow, or on one.
func (o *sortOp) sortShares() error {
	bound := int64(-1)
	if o.bounded {
		bound = o.bound
		o.c.noteTopN(o.node, o.bound)
	}
	var peersDone sync.WaitGroup // the workers after the first
	inputs := []Operator{o.in}
	var contexts []*Context
	if o.node.Parallel != 0 {
		copies, cs, giveBack, err := o.c.workerCopies(o.node.Input, o.in, o.node.Parallel, &peersDone)
		defer giveBack()
		for _, in := range copies {
			defer in.Close()
		}
		if err != nil {
			return err
		}
		inputs, contexts = append(inputs, copies...), cs
	}
	return o.sortWith(inputs, contexts, bound, &peersDone)
}

// sortWith sorts inputs[0] (o.in) and, on more workers, the other inputs,
// which run in contexts, keeping the best bound rows of each unless bound
// is negative. peersDone is what the first input's joins wait on for the
// others to finish.
func (o *sortOp) sortWith(inputs []Operator, contexts []*Context, bound int64, peersDone *sync.WaitGroup) error {
	workMem := o.c.WorkMem / int64(len(inputs))
	if o.c.WorkMem > 0 {
		workMem = max(workMem, 1)
	}
	o.workers = []*sortWorker{o.newWorker(o.c, o.keys, workMem)}
	for _, wc := range contexts {
		fns := make([]evalFn, len(o.spec))
		for i, k := range o.spec {
			var err error
			if fns[i], err = wc.compile(k.Expr); err != nil {
				return err
			}
		}
		o.workers = append(o.workers, o.newWorker(wc, fns, workMem))
		if wc.Analysis != nil {
			o.measured = append(o.measured, wc.Analysis)
		}
	}
	if len(inputs) == 1 {
		return o.workers[0].sort(inputs[0], bound)
	}
	if o.c.Analysis != nil {
		o.c.Analysis.Stats(o.node).Workers = len(inputs)
	}
	peersDone.Add(len(inputs) - 1)
	return o.c.runWorkers(len(inputs), func(i int, failed *atomic.Bool) error {
		if i > 0 {
			defer peersDone.Done()
		}
		return o.workers[i].sort(&stopOnFailure{Operator: inputs[i], failed: failed}, bound)
	})
}

// stopOnFailure ends its input early once another worker failed.
type stopOnFailure struct {
	Operator
	failed *atomic.Bool
}

func (s *stopOnFailure) Next() ([]types.Value, error) {
	if s.failed.Load() {
		return nil, nil
	}
	return s.Operator.Next()
}

// absorbMeasured adds what EXPLAIN ANALYZE measured of the workers'
// inputs to the plan's measurements, as parts of the same operators.
func (o *sortOp) absorbMeasured() {
	for _, a := range o.measured {
		o.c.Analysis.absorb(a)
	}
	o.measured = nil
}

// absorb adds the measurements of from, taken of copies of the same plan's
// operators on other workers, to a's: their rows, memory and disk add up,
// while the loops and times stay those of the first worker's operators,
// which ran at the same time.
func (a *Analysis) absorb(from *Analysis) {
	for key, st := range from.ops {
		into := a.Stats(key)
		into.Rows += st.Rows
		into.Memory += st.Memory
		into.Disk += st.Disk
		into.SegmentsPruned += st.SegmentsPruned
		into.Segments = max(into.Segments, st.Segments)
		into.Vectorized = into.Vectorized || st.Vectorized
	}
}
