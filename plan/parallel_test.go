package plan

import (
	"testing"

	"rustydb/sql"
	"rustydb/types"
)

// TestChooseParallelAll checks that the aggregation of an uncorrelated
// subquery, which runs once a statement, may use workers as the main
// query's does, and that of a correlated one, run for each outer row, not.
func TestChooseParallelAll(t *testing.T) {
	sum := func() *Aggregate {
		return &Aggregate{Input: scanOf("fact", 1e6, 1e5, 25), Aggs: []AggCall{{Func: "sum", Arg: col(1)}}}
	}
	uncorrelated, correlated := sum(), sum()
	compare := func(sub *Subquery) Expr { return &Binary{Op: ">", L: col(1), R: sub, T: types.TBool} }
	root := &Filter{
		Input: &Filter{Input: sum(), Cond: compare(&Subquery{Plan: correlated, Correlated: true})},
		Cond:  compare(&Subquery{Plan: uncorrelated}),
	}
	chooseParallelAll(root, []sql.Hint{{Name: "PARALLEL", Args: []string{"3"}}}, map[*Subquery]bool{})
	for _, tc := range []struct {
		name string
		a    *Aggregate
		want int
	}{
		{"the main query's", root.Input.(*Filter).Input.(*Aggregate), 3},
		{"an uncorrelated subquery's", uncorrelated, 3},
		{"a correlated subquery's", correlated, 0},
	} {
		if tc.a.Parallel != tc.want {
			t.Errorf("%s aggregation: Parallel = %d, want %d", tc.name, tc.a.Parallel, tc.want)
		}
	}
}
