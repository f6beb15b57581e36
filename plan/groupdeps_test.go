package plan

import (
	"slices"
	"testing"
)

func TestDependentKeys(t *testing.T) {
	cust := scanOf("cust", 100, 100, 100, 100) // key, name, nation
	cust.Table.PrimaryKey = []int{0}
	nation := scanOf("nation", 25, 25, 25) // key, name
	nation.Table.PrimaryKey = []int{0}
	pair := scanOf("pair", 100, 10, 10, 100) // a two-column key, a value
	pair.Table.PrimaryKey = []int{0, 1}
	nokey := scanOf("nokey", 100, 100, 100)
	other := scanOf("cust", 100, 100, 100, 100) // a second scan of cust's table
	other.Table = cust.Table
	joined := joinOf("inner", cust, nation, 2, 0) // cust's 3 columns, then nation's 2
	self := joinOf("inner", cust, other, 0, 2)    // cust, then the second scan of it
	tests := []struct {
		name  string
		input Node
		keys  []Expr
		want  []bool
	}{
		{"the key determines the row's other columns", cust, []Expr{col(0), col(1), col(2)}, []bool{false, true, true}},
		{"without the key nothing does", cust, []Expr{col(1), col(2)}, nil},
		{"a table without a primary key", nokey, []Expr{col(0), col(1)}, nil},
		{"through a join: the other table's columns stay keys", joined, []Expr{col(0), col(1), col(4)}, []bool{false, true, false}},
		{"both tables' keys", joined, []Expr{col(4), col(3), col(1), col(0)}, []bool{true, false, true, false}},
		{"part of a two-column key", pair, []Expr{col(0), col(2)}, nil},
		{"a two-column key", pair, []Expr{col(1), col(2), col(0)}, []bool{false, true, false}},
		{"an expression is no column", cust, []Expr{col(0), &Binary{Op: "+", L: col(2), R: col(2)}}, nil},
		{"another scan of the table is another row", self, []Expr{col(0), col(4)}, nil},
		{"through a projection", &Project{Input: cust, Exprs: []Expr{col(1), col(0)}}, []Expr{col(0), col(1)}, []bool{true, false}},
	}
	for _, tc := range tests {
		got := dependentKeys(&Aggregate{Input: tc.input, GroupBy: tc.keys})
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
