package exec

import (
	"rustydb/plan"
	"rustydb/types"
)

// inSubquery compiles x [NOT] IN (subquery) for an integer x and a
// subquery that reads nothing of the row (TPC-H q16's ps_suppkey NOT IN
// the suppliers with complaints): the subquery runs at the first batch, as
// the row path's runs at its first row, and its values are hashed once.
// The answer is SQL's three-valued one, of which a filter keeps TRUE: a
// NULL x is never IN nor NOT IN a list with values; NOT IN a list holding
// a NULL is never TRUE; NOT IN an empty list always is.
func (vc *vcompiler) inSubquery(e *plan.In) (vpred, error) {
	if e.Sub.Correlated || len(e.List) != 1 || !isInteger(e.X.Type().ID) || !isInteger(e.List[0].Type().ID) {
		return nil, errNotVectorized
	}
	x, t, err := vc.value(e.X)
	if err != nil || t.k != vInt {
		return nil, errNotVectorized
	}
	conv, err := vc.c.compile(e.List[0]) // the subquery's column, as the comparison's type
	if err != nil {
		return nil, err
	}
	var set map[int64]struct{}
	hasNull, fallback := false, false
	load := func() error {
		rows, err := vc.c.subqueryRows(e.Sub)
		if err != nil {
			return err
		}
		set = make(map[int64]struct{}, len(rows))
		for _, r := range rows {
			v, err := conv(r)
			switch {
			case err != nil:
				return err
			case v.IsNull():
				hasNull = true
			case v.K != types.KInt:
				fallback = true // the row path compares it
			default:
				set[v.I] = struct{}{}
			}
		}
		return nil
	}
	out := make([]int32, vc.size)
	return func(b *vbatch, sel []int32) ([]int32, error) {
		if set == nil {
			if err := load(); err != nil {
				return nil, err
			}
		}
		switch {
		case fallback:
			return nil, errVectorFallback
		case e.Not && len(set) == 0 && !hasNull:
			return sel, nil
		case e.Not && hasNull:
			return out[:0], nil
		}
		v, err := x(b, sel)
		if err != nil {
			return nil, err
		}
		res := out[:0]
		for _, j := range sel {
			if v.null != nil && v.null[j] {
				continue
			}
			if _, in := set[v.i[j]]; in != e.Not {
				res = append(res, j)
			}
		}
		return res, nil
	}, nil
}
