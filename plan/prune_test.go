package plan

import (
	"testing"

	"rustydb/types"
)

// TestPruneAroundSubqueries checks that a filter comparing with an
// uncorrelated subquery lets the join under it drop the columns nothing
// reads, and that one with a correlated subquery, whose outer references
// may read any column, keeps them all.
func TestPruneAroundSubqueries(t *testing.T) {
	for _, tc := range []struct {
		correlated bool
		wantOut    []int
	}{
		{false, []int{1}},
		{true, nil}, // all columns, in place
	} {
		j := joinOf("inner", scanOf("dim", 25, 25, 5), scanOf("fact", 1e6, 1e5, 25), 0, 1)
		sub := &Subquery{Plan: scanOf("other", 10, 10), Correlated: tc.correlated}
		root := &Project{
			Input: &Filter{Input: j, Cond: &Binary{Op: ">", L: col(1), R: sub, T: types.TBool}},
			Exprs: []Expr{col(1)}, Cols: []Column{{Name: "x", Type: types.TInt8}},
		}
		pruneColumns(root)
		if got := j.Out; len(got) != len(tc.wantOut) || len(got) > 0 && got[0] != tc.wantOut[0] {
			t.Errorf("correlated=%v: the join outputs %v, want %v", tc.correlated, got, tc.wantOut)
		}
	}
}
