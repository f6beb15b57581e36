package plan

import (
	"runtime"
	"strconv"

	"rustydb/sql"
)

// mergeable are the aggregates whose partial results from several workers
// combine into the whole one.
var mergeable = map[string]bool{"count": true, "sum": true, "avg": true, "min": true, "max": true,
	"bool_and": true, "bool_or": true, "every": true, "stddev": true, "stddev_samp": true,
	"stddev_pop": true, "variance": true, "var_samp": true, "var_pop": true}

// chooseParallel lets aggregations over a table scan run on several
// workers: those whose expressions are safe to evaluate concurrently (no
// subqueries) and whose aggregates are mergeable; so may sorts, the semi
// and anti joins that hold their left input and the hash joins whose built
// input is a pipeline of joins over a scan (exec/vbuild.go). The hints
// decide the degree: PARALLEL(n), PARALLEL (every CPU), NO_PARALLEL
// (none); without one the executor decides by the table's size. Parallel
// stays 0 for an aggregation that must run on the row path alone.
func chooseParallel(n Node, hints []sql.Hint) {
	degree := -1
	for _, h := range hints {
		switch h.Name {
		case "NO_PARALLEL":
			degree = 1
		case "PARALLEL":
			degree = runtime.GOMAXPROCS(0)
			if len(h.Args) > 0 {
				if d, err := strconv.Atoi(h.Args[len(h.Args)-1]); err == nil && d >= 1 {
					degree = d
				}
			}
		}
	}
	walkNodes(n, func(x Node) {
		if s, ok := x.(*Sort); ok && noSubqueries(s) {
			s.Parallel = degree
		}
		if j, ok := x.(*Join); ok && noSubqueries(j) && !readsOuter(j) {
			j.Parallel = degree
		}
		a, ok := x.(*Aggregate)
		switch {
		case !ok:
		case parallelSafe(a):
			a.Parallel = degree
		case pipelineSafe(a):
			a.Pipeline = degree
		}
	})
}

// pipelineSafe reports whether a's input may run on several workers (the
// executor decides whether its shape allows it): its aggregates are
// mergeable and neither they nor anything under them holds a subquery.
func pipelineSafe(a *Aggregate) bool {
	return mergeableAggs(a) && noSubqueries(a)
}

// noSubqueries reports whether nothing in n nor under it holds a
// subquery, which workers could not evaluate concurrently.
func noSubqueries(n Node) bool {
	safe := true
	walkPlan(n, func(es []Expr) {
		for _, e := range es {
			safe = safe && (e == nil || !hasSubquery(e))
		}
	})
	return safe
}

// readsOuter reports whether something in n or under it reads a row of
// an enclosing query (the right side of a LATERAL join): workers do not
// have that row.
func readsOuter(n Node) bool {
	reads := false
	walkPlan(n, func(es []Expr) {
		for _, e := range es {
			Walk(e, func(x Expr) {
				if _, ok := x.(*OuterRef); ok {
					reads = true
				}
			})
		}
	})
	return reads
}

// mergeableAggs reports whether a's aggregates combine from workers'
// partial results; count(DISTINCT x) does by the union of the values the
// workers saw.
func mergeableAggs(a *Aggregate) bool {
	for _, c := range a.Aggs {
		if !mergeable[c.Func] || c.Distinct && c.Func != "count" || len(c.OrderBy) > 0 {
			return false
		}
	}
	return true
}

// parallelSafe reports whether a can run on workers: over a table scan,
// possibly filtered, with mergeable aggregates and no subqueries.
func parallelSafe(a *Aggregate) bool {
	in := a.Input
	var exprs []Expr
	if f, ok := in.(*Filter); ok {
		exprs, in = append(exprs, f.Cond), f.Input
	}
	if _, ok := in.(*Scan); !ok {
		return false
	}
	if !mergeableAggs(a) {
		return false
	}
	exprs = append(exprs, a.GroupBy...)
	for _, c := range a.Aggs {
		exprs = append(exprs, c.Arg, c.Filter)
	}
	for _, e := range exprs {
		if e != nil && hasSubquery(e) {
			return false
		}
	}
	return true
}
