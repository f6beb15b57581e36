package exec

import (
	"sort"

	"rustydb/plan"
	"rustydb/sqlerr"
	"rustydb/types"
)

// windowOp materializes its input and appends one column per window call.
// Rows come out sorted by the first call's partition and order keys.
type windowOp struct {
	c      *Context
	in     Operator
	calls  []plan.WindowCall
	args   [][]evalFn
	parts  [][]evalFn
	order  [][]evalFn
	rowsOp // the computed result, handed out by Next
}

func (c *Context) buildWindow(n *plan.Window) (Operator, error) {
	in, err := c.Build(n.Input)
	if err != nil {
		return nil, err
	}
	w := &windowOp{c: c, in: in, calls: n.Calls}
	for _, call := range n.Calls {
		args, err := c.compileAll(call.Args)
		if err != nil {
			return nil, err
		}
		parts, err := c.compileAll(call.PartitionBy)
		if err != nil {
			return nil, err
		}
		order := make([]evalFn, len(call.OrderBy))
		for i, k := range call.OrderBy {
			if order[i], err = c.compile(k.Expr); err != nil {
				return nil, err
			}
		}
		w.args, w.parts, w.order = append(w.args, args), append(w.parts, parts), append(w.order, order)
	}
	return w, nil
}

func (w *windowOp) Close() {}

// wrow is an input row with its evaluated keys for one call.
type wrow struct {
	out   []types.Value // input columns then window results
	part  []types.Value
	order []types.Value
}

func (w *windowOp) Init() error {
	var rows []*wrow
	nin := 0
	err := Drain(w.in, func(r []types.Value) error {
		nin = len(r)
		out := make([]types.Value, len(r), len(r)+len(w.calls))
		copy(out, r)
		rows = append(rows, &wrow{out: out})
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range rows {
		r.out = r.out[:nin+len(w.calls)]
	}
	// Calls are computed last to first so that the final order is the first
	// call's, which is what a single OVER clause users write expects.
	for ci := len(w.calls) - 1; ci >= 0; ci-- {
		if err := w.compute(ci, nin, rows); err != nil {
			return err
		}
	}
	w.rows = make([][]types.Value, len(rows))
	for i, r := range rows {
		w.rows[i] = r.out
	}
	return nil
}

// compute sorts rows by call ci's partition and order and fills its column.
func (w *windowOp) compute(ci, nin int, rows []*wrow) error {
	call := w.calls[ci]
	for _, r := range rows {
		r.part = r.part[:0]
		r.order = r.order[:0]
		for _, f := range w.parts[ci] {
			v, err := f(r.out[:nin])
			if err != nil {
				return err
			}
			r.part = append(r.part, v)
		}
		for _, f := range w.order[ci] {
			v, err := f(r.out[:nin])
			if err != nil {
				return err
			}
			r.order = append(r.order, v)
		}
	}
	cmpOrder := func(a, b *wrow) int {
		for k, s := range call.OrderBy {
			if c := compareKey(a.order[k], b.order[k], s); c != 0 {
				return c
			}
		}
		return 0
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		for k := range a.part {
			if c := compareKey(a.part[k], b.part[k], plan.SortKey{}); c != 0 {
				return c < 0
			}
		}
		return cmpOrder(a, b) < 0
	})
	samePart := func(a, b *wrow) bool {
		for k := range a.part {
			if types.Compare(a.part[k], b.part[k]) != 0 {
				return false
			}
		}
		return true
	}
	for start := 0; start < len(rows); {
		end := start + 1
		for end < len(rows) && samePart(rows[start], rows[end]) {
			end++
		}
		if err := w.partition(ci, nin, rows[start:end], cmpOrder); err != nil {
			return err
		}
		if err := w.c.canceled(); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// partition computes call ci for the rows of one partition, in order.
func (w *windowOp) partition(ci, nin int, part []*wrow, cmpOrder func(a, b *wrow) int) error {
	call := w.calls[ci]
	col := nin + ci
	n := len(part)
	arg := func(i, a int) (types.Value, error) { return w.args[ci][a](part[i].out[:nin]) }
	// peers[i] is the first row with the same order key as row i; peerEnd[i] one past the last.
	peerStart := make([]int, n)
	peerEnd := make([]int, n)
	for i := 0; i < n; {
		j := i + 1
		for j < n && cmpOrder(part[i], part[j]) == 0 {
			j++
		}
		for k := i; k < j; k++ {
			peerStart[k], peerEnd[k] = i, j
		}
		i = j
	}
	switch call.Func {
	case "row_number":
		for i := range part {
			part[i].out[col] = types.NewInt(int64(i + 1))
		}
		return nil
	case "rank", "dense_rank", "percent_rank", "cume_dist":
		dense := int64(0)
		for i := range part {
			if peerStart[i] == i {
				dense++
			}
			var v types.Value
			switch call.Func {
			case "rank":
				v = types.NewInt(int64(peerStart[i] + 1))
			case "dense_rank":
				v = types.NewInt(dense)
			case "percent_rank":
				v = types.NewFloat(0)
				if n > 1 {
					v = types.NewFloat(float64(peerStart[i]) / float64(n-1))
				}
			default:
				v = types.NewFloat(float64(peerEnd[i]) / float64(n))
			}
			part[i].out[col] = v
		}
		return nil
	case "ntile":
		// The bucket count is read once, at the first row where it is not
		// NULL (the rows before get NULL), and the rows from there on are
		// dealt into the buckets in order, as PostgreSQL does: the first
		// n % buckets buckets get one extra row.
		start, size, extra := -1, 0, 0
		for i := range part {
			if start < 0 {
				b, err := arg(i, 0)
				if err != nil {
					return err
				}
				if b.IsNull() {
					part[i].out[col] = types.Null
					continue
				}
				if b.I <= 0 {
					return sqlerr.New("22014", "argument of ntile must be greater than zero")
				}
				start, size, extra = i, n/int(b.I), n%int(b.I)
			}
			pos, bucket := i-start, 0
			if big := extra * (size + 1); pos < big {
				bucket = pos / (size + 1)
			} else {
				bucket = extra + (pos-big)/size
			}
			part[i].out[col] = types.NewInt(int64(bucket + 1))
		}
		return nil
	case "lag", "lead":
		for i := range part {
			off := int64(1)
			if len(call.Args) >= 2 {
				o, err := arg(i, 1)
				if err != nil {
					return err
				}
				if o.IsNull() {
					part[i].out[col] = types.Null
					continue
				}
				off = o.I
			}
			j := int64(i) - off
			if call.Func == "lead" {
				j = int64(i) + off
			}
			var v types.Value
			var err error
			switch {
			case j >= 0 && j < int64(n):
				v, err = arg(int(j), 0)
			case len(call.Args) == 3:
				v, err = arg(i, 2)
			}
			if err != nil {
				return err
			}
			part[i].out[col] = v
		}
		return nil
	}
	// Frame-based functions: first_value, last_value, nth_value, aggregates.
	if isAgg := !map[string]bool{"first_value": true, "last_value": true, "nth_value": true}[call.Func]; isAgg && call.Frame.StartKind == "unbounded preceding" {
		return w.runningAggregate(ci, call, part, peerStart, peerEnd, nin)
	}
	for i := range part {
		lo, hi, err := w.frame(call, part, i, peerStart[i], peerEnd[i], nin)
		if err != nil {
			return err
		}
		v, err := w.overFrame(ci, call, part, lo, hi, i, nin)
		if err != nil {
			return err
		}
		part[i].out[col] = v
	}
	return nil
}

// runningAggregate computes an aggregate whose frame starts at the
// partition's first row: frames only grow, so each row is added once.
func (w *windowOp) runningAggregate(ci int, call plan.WindowCall, part []*wrow, peerStart, peerEnd []int, nin int) error {
	agg := &aggOp{calls: []plan.AggCall{{Func: call.Func, Type: call.T}}, args: []evalFn{nil}}
	if len(call.Args) > 0 {
		agg.calls[0].Arg = call.Args[0]
		agg.args[0] = w.args[ci][0]
	}
	var st aggState
	added := 0
	for i := range part {
		_, hi, err := w.frame(call, part, i, peerStart[i], peerEnd[i], nin)
		if err != nil {
			return err
		}
		for ; added < hi; added++ {
			if err := agg.accumulate(&st, 0, part[added].out[:nin]); err != nil {
				return err
			}
		}
		v, err := agg.result(&st, agg.calls[0])
		if err != nil {
			return err
		}
		part[i].out[nin+ci] = v
	}
	return nil
}

// frame returns the half-open range of partition rows in row i's frame.
func (w *windowOp) frame(call plan.WindowCall, part []*wrow, i, peerStart, peerEnd, nin int) (int, int, error) {
	n := len(part)
	offset := func(e plan.Expr) (types.Value, error) {
		f, err := w.c.compile(e)
		if err != nil {
			return types.Null, err
		}
		v, err := f(nil)
		if err == nil && (v.IsNull() || types.Compare(v, types.NewInt(0)) < 0) {
			err = sqlerr.New("22013", "frame offset must not be null or negative")
		}
		return v, err
	}
	bound := func(kind string, off plan.Expr, isStart bool) (int, error) {
		switch kind {
		case "unbounded preceding":
			return 0, nil
		case "unbounded following":
			return n, nil
		case "current row":
			if call.Frame.Mode == "rows" {
				if isStart {
					return i, nil
				}
				return i + 1, nil
			}
			if isStart {
				return peerStart, nil
			}
			return peerEnd, nil
		}
		v, err := offset(off)
		if err != nil {
			return 0, err
		}
		if call.Frame.Mode == "rows" {
			k := int(v.I)
			if kind == "preceding" {
				k = -k
			}
			pos := i + k
			if !isStart {
				pos++
			}
			return min(max(pos, 0), n), nil
		}
		// RANGE offset: rows whose order key is within the offset of row i's.
		key := part[i].order[0]
		if key.IsNull() {
			if isStart {
				return peerStart, nil
			}
			return peerEnd, nil
		}
		op := "-"
		if (kind == "following") != call.OrderBy[0].Desc {
			op = "+"
		}
		target, err := Arith(op, key, v, call.OrderBy[0].Expr.Type())
		if err != nil {
			return 0, err
		}
		spec := call.OrderBy[0]
		if isStart { // first row not before target
			return sort.Search(n, func(j int) bool { return compareKey(part[j].order[0], target, spec) >= 0 }), nil
		}
		return sort.Search(n, func(j int) bool { return compareKey(part[j].order[0], target, spec) > 0 }), nil
	}
	lo, err := bound(call.Frame.StartKind, call.Frame.StartOffset, true)
	if err != nil {
		return 0, 0, err
	}
	hi, err := bound(call.Frame.EndKind, call.Frame.EndOffset, false)
	return lo, max(hi, lo), err
}

// overFrame evaluates a frame-based call over rows [lo, hi) of the partition.
func (w *windowOp) overFrame(ci int, call plan.WindowCall, part []*wrow, lo, hi, i, nin int) (types.Value, error) {
	arg := func(j, a int) (types.Value, error) { return w.args[ci][a](part[j].out[:nin]) }
	switch call.Func {
	case "first_value":
		if lo >= hi {
			return types.Null, nil
		}
		return arg(lo, 0)
	case "last_value":
		if lo >= hi {
			return types.Null, nil
		}
		return arg(hi-1, 0)
	case "nth_value":
		k, err := arg(i, 1)
		if err != nil || k.IsNull() {
			return types.Null, err
		}
		if k.I <= 0 {
			return types.Null, sqlerr.New("22016", "argument of nth_value must be greater than zero")
		}
		if j := lo + int(k.I) - 1; j < hi {
			return arg(j, 0)
		}
		return types.Null, nil
	}
	agg := &aggOp{calls: []plan.AggCall{{Func: call.Func, Type: call.T}}, args: []evalFn{nil}}
	if len(call.Args) > 0 {
		agg.calls[0].Arg = call.Args[0]
		agg.args[0] = w.args[ci][0]
	}
	var st aggState
	for j := lo; j < hi; j++ {
		if err := agg.accumulate(&st, 0, part[j].out[:nin]); err != nil {
			return types.Null, err
		}
	}
	return agg.result(&st, agg.calls[0])
}
