package exec

import (
	"sync/atomic"

	"math"
	"sort"

	"github.com/cockroachdb/apd/v3"

	"rustydb/jsonb"
	"rustydb/plan"
	"rustydb/sqlerr"
	"rustydb/types"
)

// aggState accumulates one aggregate for one group.
type aggState struct {
	count int64
	sumI  int64 // integer sum while it fits
	sumD  *apd.Decimal
	sumF  float64
	sqF   float64      // sum of squares (float input)
	sqD   *apd.Decimal // sum of squares (exact input)
	best  types.Value  // min / max
	seen  map[string]bool
	text  []byte        // string_agg, json_agg, json_object_agg
	vals  []types.Value // array_agg
	flag  types.Value   // bool_and / bool_or
	docs  []jsonb.Value // jsonb_agg, jsonb_object_agg's values
	keys  []string      // jsonb_object_agg
}

// keepsInput reports the aggregates whose state grows with each input
// value.
func keepsInput(name string) bool {
	return name == "string_agg" || keepsNulls(name)
}

// keepsNulls reports the aggregates that take NULL inputs in.
func keepsNulls(name string) bool {
	switch name {
	case "array_agg", "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg":
		return true
	}
	return false
}

type aggOp struct {
	scanned atomic.Int64 // rows parallel and vectorized workers read from the input scan

	c       *Context
	node    *plan.Aggregate
	in      Operator
	groups  []evalFn
	args    []evalFn   // nil for count(*)
	args2   []evalFn   // string_agg's delimiter
	filters []evalFn   // nil when the call has no FILTER
	orders  [][]evalFn // a call's ORDER BY keys, nil when it has none
	calls   []plan.AggCall
	rowsOp  // the computed result, handed out by Next
	// keyFilter, set by the hash join that streams the aggregation, lets
	// its vectorized form skip rows whose group would find no match.
	keyFilter *aggKeyFilter
	// having is the condition of the filter over the aggregation, whose
	// vectorized form drops groups that cannot pass it before making rows.
	having plan.Expr
	// tableBytes is the memory of a vectorized run's group table, or the
	// most the row path's held, for EXPLAIN ANALYZE.
	tableBytes int64
	// kept is the memory the states of the aggregates that keep their
	// input (DISTINCT, array_agg, string_agg, json_agg) have taken, which
	// the row path counts against work_mem.
	kept int64
	// out holds the result once the row path has spilled (aggspill.go):
	// one file, which Next reads instead of rows.
	out *spillFile
}

// aggKeyFilter keeps the rows whose GROUP BY values numbered groups are a
// key of keys (one group value) or pairs (two). first holds the first
// group values of the keys: keys itself, or the first halves of pairs,
// which reject most rows with a bit test before a map probe (TPC-H q20's
// quantity per part and supplier) and filter scans under joins.
type aggKeyFilter struct {
	groups []int
	keys   *keySet
	pairs  map[[2]int64]int32
	first  *keySet
}

func (c *Context) buildAggregate(n *plan.Aggregate) (Operator, error) {
	o, err := c.buildAggregateFuncs(n)
	if err != nil {
		return nil, err
	}
	o.node = n
	o.in, err = c.Build(n.Input)
	return o, err
}

// buildAggregateFuncs compiles an aggregation's expressions, for the
// operator or for one of its parallel workers.
func (c *Context) buildAggregateFuncs(n *plan.Aggregate) (*aggOp, error) {
	groups, err := c.compileAll(n.GroupBy)
	if err != nil {
		return nil, err
	}
	args := make([]evalFn, len(n.Aggs))
	filters := make([]evalFn, len(n.Aggs))
	args2 := make([]evalFn, len(n.Aggs))
	orders := make([][]evalFn, len(n.Aggs))
	for i, a := range n.Aggs {
		if a.Arg2 != nil {
			if args2[i], err = c.compile(a.Arg2); err != nil {
				return nil, err
			}
		}
		if a.Arg != nil {
			if args[i], err = c.compile(a.Arg); err != nil {
				return nil, err
			}
		}
		if a.Filter != nil {
			if filters[i], err = c.compile(a.Filter); err != nil {
				return nil, err
			}
		}
		for _, k := range a.OrderBy {
			f, err := c.compile(k.Expr)
			if err != nil {
				return nil, err
			}
			orders[i] = append(orders[i], f)
		}
	}
	return &aggOp{c: c, groups: groups, args: args, args2: args2, filters: filters, orders: orders, calls: n.Aggs}, nil
}

func (o *aggOp) Init() error {
	o.rows, o.pos, o.tableBytes = nil, 0, 0
	o.out.remove()
	o.out = nil
	if o.c.Analysis != nil {
		defer func() { o.c.noteMemory(o.node, rowBytes(o.rows)+o.tableBytes) }()
	}
	if o.node.Parallel != 0 {
		groups, done, err := o.aggregateColumnar(o.node)
		if err == nil && !done {
			groups, done, err = o.aggregateParallel(o.node)
		}
		if err != nil || done {
			if err != nil {
				return err
			}
			return o.emitGroups(groups)
		}
	}
	if o.node.Parallel == 0 && !o.c.NoColumnar {
		if groups, done, err := o.aggregateParquet(o.node); done || err != nil {
			if err != nil {
				return err
			}
			return o.emitGroups(groups)
		}
		if done, err := o.aggregateBatches(); done || err != nil {
			return err
		}
	}
	return o.aggregateRows()
}

// emit adds the output row of a group: its keys and the aggregates' results.
func (o *aggOp) emit(keys []types.Value, states []aggState) error {
	out := make([]types.Value, 0, len(keys)+len(o.calls))
	out = append(out, keys...)
	for i := range o.calls {
		v, err := o.result(&states[i], o.calls[i])
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	o.rows = append(o.rows, out)
	return nil
}

// feedOrdered sorts the rows kept for call i by its ORDER BY and adds
// them; equal keys keep their input order.
func (o *aggOp) feedOrdered(s *aggState, i int, rows []keyedRow) error {
	keys := o.calls[i].OrderBy
	sort.SliceStable(rows, func(a, b int) bool { return compareKeys(keys, rows[a].keys, rows[b].keys) < 0 })
	for _, r := range rows {
		if err := o.add(s, i, r.row); err != nil {
			return err
		}
	}
	return o.c.canceled()
}

// passes reports whether row r passes call i's FILTER.
func (o *aggOp) passes(i int, r []types.Value) (bool, error) {
	if i >= len(o.filters) || o.filters[i] == nil {
		return true, nil
	}
	ok, err := o.filters[i](r)
	return err == nil && !ok.IsNull() && ok.Bool(), err
}

// accumulate adds row r to call i's state if it passes the call's FILTER.
func (o *aggOp) accumulate(s *aggState, i int, r []types.Value) error {
	if ok, err := o.passes(i, r); !ok || err != nil {
		return err
	}
	return o.add(s, i, r)
}

// add adds row r to call i's state.
func (o *aggOp) add(s *aggState, i int, r []types.Value) error {
	call := o.calls[i]
	if o.args[i] == nil { // count(*)
		s.count++
		return nil
	}
	v, err := o.args[i](r)
	if err != nil || v.IsNull() && !keepsNulls(call.Func) {
		return err
	}
	if call.Distinct {
		if s.seen == nil {
			s.seen = map[string]bool{}
		}
		k := string(v.HashKey(nil))
		if s.seen[k] {
			return nil
		}
		s.seen[k] = true
		o.kept += int64(len(k)) + mapEntryBytes
	}
	s.count++
	if keepsInput(call.Func) {
		o.kept += valueSize + int64(len(v.S))
	}
	switch call.Func {
	case "array_agg":
		s.vals = append(s.vals, v)
		return nil
	case "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg":
		return o.addJSON(s, i, v, r)
	case "string_agg":
		if s.count > 1 && i < len(o.args2) && o.args2[i] != nil {
			sep, err := o.args2[i](r)
			if err != nil {
				return err
			}
			s.text = append(s.text, sep.S...)
		}
		s.text = append(s.text, v.S...)
		return nil
	case "bool_and", "every":
		if s.flag.IsNull() || !v.Bool() {
			s.flag = v
		}
		return nil
	case "bool_or":
		if s.flag.IsNull() || v.Bool() {
			s.flag = v
		}
		return nil
	case "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop":
		if v.K == types.KFloat {
			s.sumF += v.F
			s.sqF += v.F * v.F
			return nil
		}
		d := v.ToDecimal()
		if s.sumD == nil {
			s.sumD, s.sqD = new(apd.Decimal), new(apd.Decimal)
		}
		var sq apd.Decimal
		ctx := types.DecimalContext
		if _, err := ctx.Mul(&sq, d, d); err != nil {
			return err
		}
		if _, err := ctx.Add(s.sumD, s.sumD, d); err != nil {
			return err
		}
		_, err := ctx.Add(s.sqD, s.sqD, &sq)
		return err
	case "sum", "avg":
		switch v.K {
		case types.KInt:
			if s.sumD == nil {
				r := s.sumI + v.I
				if (v.I > 0 && r < s.sumI) || (v.I < 0 && r > s.sumI) {
					s.sumD = apd.New(s.sumI, 0) // overflowed int64: continue exactly
				} else {
					s.sumI = r
					return nil
				}
			}
			_, err = types.DecimalContext.Add(s.sumD, s.sumD, apd.New(v.I, 0))
		case types.KFloat:
			s.sumF += v.F
		case types.KDecimal:
			if s.sumD == nil {
				s.sumD = apd.New(s.sumI, 0)
			}
			_, err = types.DecimalContext.Add(s.sumD, s.sumD, v.D)
		}
		return err
	case "min":
		if s.best.IsNull() || types.Compare(v, s.best) < 0 {
			s.best = v
		}
	case "max":
		if s.best.IsNull() || types.Compare(v, s.best) > 0 {
			s.best = v
		}
	}
	return nil
}

func (o *aggOp) result(s *aggState, call plan.AggCall) (types.Value, error) {
	switch call.Func {
	case "count":
		return types.NewInt(s.count), nil
	case "min", "max":
		return s.best, nil
	case "string_agg":
		if s.count == 0 {
			return types.Null, nil
		}
		return types.NewText(string(s.text)), nil
	case "array_agg":
		if s.count == 0 {
			return types.Null, nil
		}
		return types.NewArray(call.Type.ElemType(), s.vals), nil
	case "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg":
		return jsonAggResult(s, call), nil
	case "bool_and", "every", "bool_or":
		return s.flag, nil
	case "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop":
		return variance(s, call)
	}
	if s.count == 0 {
		return types.Null, nil
	}
	sum := types.NewInt(s.sumI)
	switch {
	case call.Arg.Type().ID == types.Float4 || call.Arg.Type().ID == types.Float8:
		sum = types.NewFloat(s.sumF)
	case s.sumD != nil:
		sum = types.NewDecimal(s.sumD)
	}
	if call.Func == "sum" {
		switch call.Type.ID {
		case types.Int8:
			if sum.K == types.KDecimal {
				return types.Null, sqlerr.New(sqlerr.NumericValueOutOfRange, "bigint out of range")
			}
			return sum, nil
		case types.Numeric:
			return types.NewDecimal(sum.ToDecimal()), nil
		case types.Float4:
			return types.NewFloat(float64(float32(sum.F))), nil
		}
		return sum, nil
	}
	// avg
	if sum.K == types.KFloat {
		return types.NewFloat(sum.F / float64(s.count)), nil
	}
	return types.NewDecimal(DivideNumeric(sum.ToDecimal(), apd.New(s.count, 0))), nil
}

func (o *aggOp) Close() {
	o.out.remove()
	o.out = nil
}

// variance computes var_pop / var_samp and their square roots from the sums:
// (sum(x^2) - sum(x)^2/n) / (n or n-1), exactly for exact input.
func variance(s *aggState, call plan.AggCall) (types.Value, error) {
	pop := call.Func == "stddev_pop" || call.Func == "var_pop"
	root := call.Func == "stddev" || call.Func == "stddev_samp" || call.Func == "stddev_pop"
	n := s.count
	if n == 0 || (!pop && n == 1) {
		return types.Null, nil
	}
	div := n
	if !pop {
		div = n - 1
	}
	if call.Type.ID == types.Float8 {
		v := (s.sqF - s.sumF*s.sumF/float64(n)) / float64(div)
		v = max(v, 0)
		if root {
			v = math.Sqrt(v)
		}
		return types.NewFloat(v), nil
	}
	ctx := types.DecimalContext
	var sq, num apd.Decimal
	if _, err := ctx.Mul(&sq, s.sumD, s.sumD); err != nil {
		return types.Null, err
	}
	numerator := DivideNumeric(&sq, apd.New(n, 0))
	if _, err := ctx.Sub(&num, s.sqD, numerator); err != nil {
		return types.Null, err
	}
	if num.Negative {
		num.SetInt64(0)
	}
	v := DivideNumeric(&num, apd.New(div, 0))
	if root {
		r, err := mathFunc("sqrt", []types.Value{types.NewDecimal(v)}, types.TNumeric)
		return r, err
	}
	return types.NewDecimal(v), nil
}
