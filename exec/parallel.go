package exec

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/apd/v3"

	"rustydb/plan"
	"rustydb/row"
	"rustydb/types"
)

// Parallel aggregation. The rows of the aggregation's input table are cut
// into morsels (ranges of its row versions); workers take morsels from a
// shared counter, so a worker that finishes early takes more (the simplest
// form of work stealing), and each filters and groups its rows into its
// own table of partial states. The partial tables merge at the end, which
// the aggregates chooseParallel admits allow.
const (
	morselRows       = 8192
	minParallelRows  = 64 * 1024 // below this, one worker is as fast
	maxParallelRatio = 1         // workers per CPU
)

// partialGroup is one group's partial states in one worker.
type partialGroup struct {
	keys   []types.Value
	states []aggState
}

// workersFor returns how many workers share a table's rows, taken in
// morsels of about morsel rows, at a plan's degree (an aggregation's
// Parallel or Pipeline): the degree, or for -1 as many as the table's size
// warrants; never more than there are morsels, nor than limit
// (max_parallel_workers_per_query) when it is not 0.
func workersFor(degree, rows, morsel, limit int) int {
	if limit <= 0 {
		limit = math.MaxInt
	}
	switch {
	case degree == 0:
		return 1
	case degree > 0:
		return max(1, min(degree, limit, (rows+morsel-1)/max(1, morsel)))
	case rows < minParallelRows:
		return 1
	}
	return max(1, min(runtime.GOMAXPROCS(0)*maxParallelRatio, limit, rows/max(1, morsel)))
}

// working counts a parallel worker as busy (row.Activity.WorkersBusy)
// until the function it returns is called.
func (c *Context) working() func() {
	a := c.Store.Activity()
	a.WorkersBusy.Add(1)
	return func() { a.WorkersBusy.Add(-1) }
}

// fork returns a context for a worker: the statement's, with its own state
// for what evaluation caches.
func (c *Context) fork() *Context {
	w := *c
	w.subqueries, w.memo, w.cteRows, w.work, w.checkFns, w.outer = nil, nil, nil, nil, nil, nil
	w.neededCols, w.Memo = nil, nil
	w.Analysis = nil
	return &w
}

// scanOf returns the table scan a parallel aggregation reads (the planner
// marks only those over a scan, filtered or not) and its filter, or nil.
func scanOf(n *plan.Aggregate) (*plan.Scan, plan.Expr) {
	if f, ok := n.Input.(*plan.Filter); ok {
		return f.Input.(*plan.Scan), f.Cond
	}
	return n.Input.(*plan.Scan), nil
}

// aggregateParallel computes the groups of aggregation n with workers, or
// reports false when n's input is too small to share.
func (o *aggOp) aggregateParallel(n *plan.Aggregate) ([]*partialGroup, bool, error) {
	s, filter := scanOf(n)
	h := o.c.Store.Heap(s.Table)
	if h == nil {
		return nil, false, nil
	}
	versions, err := o.c.candidates(s.Table, h, s.Lookup, nil)
	if err != nil {
		return nil, false, err
	}
	workers, giveBack := o.c.degree(workersFor(n.Parallel, len(versions), morselRows, o.c.MaxWorkers))
	defer giveBack()
	if workers < 2 {
		return nil, false, nil
	}
	if o.c.Analysis != nil {
		o.c.Analysis.Stats(n).Workers = workers
	}
	defer o.noteScan(n)
	morsels := NewMorsels((len(versions)+morselRows-1)/morselRows, workers)
	var failed atomic.Bool
	partials := make([]map[string]*partialGroup, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer o.c.working()()
			defer func() {
				if errs[w] != nil {
					failed.Store(true)
				}
			}()
			defer recoverInto(&errs[w])
			partials[w], errs[w] = o.worker(n, filter, h, versions, morsels, w, &failed)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, true, err
		}
	}
	return o.merge(partials)
}

// worker aggregates the morsels of versions (morselRows each) it takes as
// worker w into a table of partial groups.
func (o *aggOp) worker(n *plan.Aggregate, filter plan.Expr, h *row.Heap, versions []*row.Version,
	morsels *Morsels, w int, failed *atomic.Bool) (map[string]*partialGroup, error) {
	wc := o.c.fork()
	funcs, err := wc.buildAggregateFuncs(n)
	if err != nil {
		return nil, err
	}
	var cond evalFn
	if filter != nil {
		if cond, err = wc.compile(filter); err != nil {
			return nil, err
		}
	}
	r := h.Reader()
	defer r.Close()
	table := newPartials(funcs)
	passed := int64(0)
	defer func() { o.scanned.Add(passed) }()
	for !failed.Load() {
		m, ok := morsels.Next(w)
		if !ok {
			break
		}
		start := m * morselRows
		for _, v := range versions[start:min(start+morselRows, len(versions))] {
			if !v.VisibleTo(&wc.Snap) {
				continue
			}
			vals, err := r.Values(v)
			if err != nil {
				return nil, err
			}
			if cond != nil {
				ok, err := cond(vals)
				if err != nil {
					return nil, err
				}
				if ok.IsNull() || !ok.Bool() {
					continue
				}
			}
			passed++
			if err := table.add(vals); err != nil {
				return nil, err
			}
		}
		if err := wc.cancelErr(); err != nil {
			return nil, err
		}
	}
	return table.table, nil
}

// merge combines the workers' partial tables.
func (o *aggOp) merge(partials []map[string]*partialGroup) ([]*partialGroup, bool, error) {
	all := map[string]*partialGroup{}
	var order []*partialGroup
	for _, table := range partials {
		for k, g := range table {
			into := all[k]
			if into == nil {
				all[k] = g
				order = append(order, g)
				continue
			}
			for i := range o.calls {
				if err := mergeState(&into.states[i], &g.states[i], o.calls[i]); err != nil {
					return nil, true, err
				}
			}
		}
	}
	return order, true, nil
}

// mergeState adds partial state src of one aggregate into dst.
func mergeState(dst, src *aggState, call plan.AggCall) error {
	if call.Distinct {
		unionSeen(dst, src)
		return nil
	}
	dst.count += src.count
	ctx := types.DecimalContext
	addDecimal := func(d **apd.Decimal, s *apd.Decimal) error {
		if s == nil {
			return nil
		}
		if *d == nil {
			*d = new(apd.Decimal)
		}
		_, err := ctx.Add(*d, *d, s)
		return err
	}
	switch call.Func {
	case "sum", "avg":
		dst.sumF += src.sumF
		switch {
		case dst.sumD == nil && src.sumD == nil:
			r := dst.sumI + src.sumI
			if (src.sumI > 0 && r < dst.sumI) || (src.sumI < 0 && r > dst.sumI) { // overflowed int64
				dst.sumD = apd.New(dst.sumI, 0)
				_, err := ctx.Add(dst.sumD, dst.sumD, apd.New(src.sumI, 0))
				return err
			}
			dst.sumI = r
		default:
			if dst.sumD == nil {
				dst.sumD = apd.New(dst.sumI, 0)
			}
			if src.sumD == nil {
				return addDecimal(&dst.sumD, apd.New(src.sumI, 0))
			}
			return addDecimal(&dst.sumD, src.sumD)
		}
	case "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop":
		dst.sumF += src.sumF
		dst.sqF += src.sqF
		if err := addDecimal(&dst.sumD, src.sumD); err != nil {
			return err
		}
		return addDecimal(&dst.sqD, src.sqD)
	case "min", "max":
		if !src.best.IsNull() && (dst.best.IsNull() || (types.Compare(src.best, dst.best) < 0) == (call.Func == "min")) {
			dst.best = src.best
		}
	case "bool_and", "every", "bool_or":
		if !src.flag.IsNull() && (dst.flag.IsNull() || src.flag.Bool() == (call.Func == "bool_or")) {
			dst.flag = src.flag
		}
	}
	return nil
}

// noteScan records for EXPLAIN ANALYZE the rows the workers of n read from
// its input scan, which runs inside them rather than as an operator.
func (o *aggOp) noteScan(n *plan.Aggregate) {
	if o.c.Analysis != nil {
		st := o.c.Analysis.Stats(n.Input)
		st.Loops++
		st.Rows += o.scanned.Swap(0)
	}
}
