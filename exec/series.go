package exec

import (
	"rustydb/plan"
	"rustydb/sqlerr"
	"rustydb/types"
)

// seriesOp produces generate_series: it adds the step with the same
// arithmetic as the + operator, so overflow and calendar rules match it.
type seriesOp struct {
	c                 *Context
	start, stop, step evalFn
	add               evalFn // over the row (current, step)
	cur, end, inc     types.Value
	up, done          bool
}

func (c *Context) buildSeries(n *plan.Series) (Operator, error) {
	fns, err := c.compileAll([]plan.Expr{n.Start, n.Stop, n.Step})
	if err != nil {
		return nil, err
	}
	t, st := n.Start.Type(), n.Step.Type()
	add, err := c.compile(&plan.Binary{Op: "+", L: &plan.ColRef{Idx: 0, T: t}, R: &plan.ColRef{Idx: 1, T: st}, T: t})
	if err != nil {
		return nil, err
	}
	return &seriesOp{c: c, start: fns[0], stop: fns[1], step: fns[2], add: add}, nil
}

func (o *seriesOp) Init() error {
	vals := make([]types.Value, 3)
	for i, f := range []evalFn{o.start, o.stop, o.step} {
		v, err := f(nil)
		if err != nil {
			return err
		}
		vals[i] = v
	}
	o.cur, o.end, o.inc = vals[0], vals[1], vals[2]
	o.done = o.cur.IsNull() || o.end.IsNull() || o.inc.IsNull()
	if o.done {
		return nil
	}
	zero := types.Compare(o.inc, types.NewInt(0))
	if o.inc.K == types.KInterval {
		zero = types.Compare(o.inc, types.NewInterval(0, 0, 0))
	}
	if zero == 0 {
		return sqlerr.New(sqlerr.InvalidParameterValue, "step size cannot equal zero")
	}
	o.up = zero > 0
	return nil
}

func (o *seriesOp) Next() ([]types.Value, error) {
	if o.done {
		return nil, nil
	}
	if c := types.Compare(o.cur, o.end); o.up && c > 0 || !o.up && c < 0 {
		o.done = true
		return nil, nil
	}
	if err := o.c.canceled(); err != nil {
		return nil, err
	}
	out := o.cur
	next, err := o.add([]types.Value{o.cur, o.inc})
	if err != nil {
		// stepping past the type's range ends the series, as in PostgreSQL
		if sqlerr.Code(err) != sqlerr.NumericValueOutOfRange {
			return nil, err
		}
		o.done = true
	}
	o.cur = next
	return []types.Value{out}, nil
}

func (o *seriesOp) Close() {}

// ordinalityOp appends each row's number, from 1.
type ordinalityOp struct {
	in Operator
	n  int64
}

func (o *ordinalityOp) Init() error {
	o.n = 0
	return o.in.Init()
}

func (o *ordinalityOp) Next() ([]types.Value, error) {
	r, err := o.in.Next()
	if r == nil || err != nil {
		return nil, err
	}
	o.n++
	return append(append([]types.Value(nil), r...), types.NewInt(o.n)), nil
}

func (o *ordinalityOp) Close() { o.in.Close() }
