package exec

import (
	"github.com/cockroachdb/apd/v3"

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
	best  types.Value // min / max
	seen  map[string]bool
}

type aggOp struct {
	c       *Context
	in      Operator
	groups  []evalFn
	args    []evalFn // nil for count(*)
	filters []evalFn // nil when the call has no FILTER
	calls   []plan.AggCall
	out     [][]types.Value
	pos     int
}

func (c *Context) buildAggregate(n *plan.Aggregate) (Operator, error) {
	in, err := c.Build(n.Input)
	if err != nil {
		return nil, err
	}
	groups, err := c.compileAll(n.GroupBy)
	if err != nil {
		return nil, err
	}
	args := make([]evalFn, len(n.Aggs))
	filters := make([]evalFn, len(n.Aggs))
	for i, a := range n.Aggs {
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
	}
	return &aggOp{c: c, in: in, groups: groups, args: args, filters: filters, calls: n.Aggs}, nil
}

func (o *aggOp) Init() error {
	type group struct {
		keys   []types.Value
		states []aggState
	}
	table := map[string]*group{}
	var order []*group // first-seen order keeps output stable
	var buf []byte
	keys := make([]types.Value, len(o.groups))
	err := Drain(o.in, func(r []types.Value) error {
		var err error
		for i, g := range o.groups {
			if keys[i], err = g(r); err != nil {
				return err
			}
		}
		buf = rowKey(buf[:0], keys)
		g := table[string(buf)]
		if g == nil {
			g = &group{keys: append([]types.Value(nil), keys...), states: make([]aggState, len(o.calls))}
			table[string(buf)] = g
			order = append(order, g)
		}
		for i := range o.calls {
			if err := o.accumulate(&g.states[i], i, r); err != nil {
				return err
			}
		}
		return o.c.canceled()
	})
	if err != nil {
		return err
	}
	if len(order) == 0 && len(o.groups) == 0 {
		// an aggregate without GROUP BY returns one row even for no input
		order = append(order, &group{states: make([]aggState, len(o.calls))})
	}
	for _, g := range order {
		out := make([]types.Value, 0, len(g.keys)+len(o.calls))
		out = append(out, g.keys...)
		for i := range o.calls {
			v, err := o.result(&g.states[i], o.calls[i])
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		o.out = append(o.out, out)
	}
	return nil
}

func (o *aggOp) accumulate(s *aggState, i int, r []types.Value) error {
	call := o.calls[i]
	if i < len(o.filters) && o.filters[i] != nil {
		ok, err := o.filters[i](r)
		if err != nil || ok.IsNull() || !ok.Bool() {
			return err
		}
	}
	if o.args[i] == nil { // count(*)
		s.count++
		return nil
	}
	v, err := o.args[i](r)
	if err != nil || v.IsNull() {
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
	}
	s.count++
	switch call.Func {
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

func (o *aggOp) Close() {}
func (o *aggOp) Next() ([]types.Value, error) {
	if o.pos >= len(o.out) {
		return nil, nil
	}
	o.pos++
	return o.out[o.pos-1], nil
}
