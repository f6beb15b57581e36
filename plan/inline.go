package plan

// Projections under aggregations. A subquery in FROM that computes
// columns for an outer GROUP BY (TPC-H q9's profit: n_name,
// extract(year FROM o_orderdate), l_extendedprice * (1 - l_discount) - ...)
// leaves a projection between the aggregation and the scan or join that
// feeds it. inlineProjections substitutes the projection's expressions into
// the aggregation's keys and arguments, so the aggregation reads its input
// directly: the executor then sees base columns of known type (which the
// vectorized aggregation needs), an aggregation over a scan can run in
// parallel, and no intermediate row is built per input row.

// inlineProjections applies the rewrite to every aggregation in n.
func inlineProjections(n Node) Node {
	replaceInputs(n, inlineProjections)
	a, ok := n.(*Aggregate)
	if !ok {
		return n
	}
	for {
		p, ok := a.Input.(*Project)
		if !ok || !inlinable(p) {
			return n
		}
		through := func(e Expr) Expr {
			return rewrite(e, func(x Expr) Expr {
				if r, ok := x.(*ColRef); ok {
					return p.Exprs[r.Idx]
				}
				return nil
			})
		}
		for i, g := range a.GroupBy {
			a.GroupBy[i] = through(g)
		}
		for i := range a.Aggs {
			c := &a.Aggs[i]
			c.Arg, c.Arg2, c.Filter = through(c.Arg), through(c.Arg2), through(c.Filter)
			for k := range c.OrderBy {
				c.OrderBy[k].Expr = through(c.OrderBy[k].Expr)
			}
		}
		a.Input = p.Input
	}
}

// volatileFuncs are the functions whose calls may not be repeated, dropped
// or moved.
var volatileFuncs = map[string]bool{"random": true, "nextval": true, "setval": true, "clock_timestamp": true,
	"timeofday": true, "gen_random_uuid": true, "pg_sleep": true}

// volatile reports whether e calls a volatile function.
func volatile(e Expr) bool {
	found := false
	Walk(e, func(x Expr) {
		if f, ok := x.(*Func); ok && volatileFuncs[f.Name] {
			found = true
		}
	})
	return found
}

// inlinable reports whether p's expressions may be computed wherever and
// as often as the aggregation reads them: no subqueries (which may be
// correlated to p's rows in ways the rewrite would lose) and no volatile
// functions.
func inlinable(p *Project) bool {
	for _, e := range p.Exprs {
		if hasSubquery(e) || volatile(e) {
			return false
		}
	}
	return true
}
