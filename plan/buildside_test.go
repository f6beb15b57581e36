package plan

import (
	"math"
	"testing"

	"rustydb/catalog"
	"rustydb/types"
)

// scanOf returns a scan of a table with the given row count and, per
// column, distinct values (0: unknown); rows < 0 means never analyzed.
func scanOf(name string, rows int64, distinct ...int64) *Scan {
	t := &catalog.Table{Name: name}
	s := &Scan{Table: t}
	for i := range distinct {
		t.Columns = append(t.Columns, catalog.Column{Name: name + string(rune('a'+i)), Type: types.TInt8})
		s.Cols = append(s.Cols, Column{Name: name + string(rune('a'+i)), Type: types.TInt8})
	}
	if rows >= 0 {
		s.Stats = &catalog.TableStats{Rows: rows}
		for _, d := range distinct {
			s.Stats.Columns = append(s.Stats.Columns, catalog.ColumnStats{Distinct: d})
		}
	}
	return s
}

func col(i int) *ColRef { return &ColRef{Idx: i, T: types.TInt8} }

func eqConst(i int, v int64) Expr {
	return &Binary{Op: "=", L: col(i), R: &Const{V: types.NewInt(v), T: types.TInt8}, T: types.TBool}
}

func joinOf(kind string, l, r Node, lk, rk int) *Join {
	return &Join{Kind: kind, Left: l, Right: r, LeftKeys: []Expr{col(lk)}, RightKeys: []Expr{col(rk)},
		Cols: append(append([]Column(nil), l.Columns()...), r.Columns()...)}
}

func TestEstimateRows(t *testing.T) {
	dim := scanOf("dim", 25, 25, 5)        // key, region
	fact := scanOf("fact", 1e6, 1e5, 25)   // id, dim key
	unknown := scanOf("unknown", -1, 0, 0) // never analyzed
	tests := []struct {
		name string
		n    Node
		want float64
		ok   bool
	}{
		{"scan", fact, 1e6, true},
		{"never analyzed", unknown, 0, false},
		{"equality keeps 1/distinct", &Filter{Input: dim, Cond: eqConst(1, 3)}, 5, true},
		{"range keeps a third", &Filter{Input: fact, Cond: &Binary{Op: "<", L: col(0), R: &Const{V: types.NewInt(5), T: types.TInt8}}}, 330000, true},
		{"key to foreign key", joinOf("inner", dim, fact, 0, 1), 1e6, true},
		{"filtered dimension shrinks the fact side", joinOf("inner", &Filter{Input: dim, Cond: eqConst(1, 3)}, fact, 0, 1), 1e6 * 5 / 25, true},
		{"semi join keeps each left row at most once", joinOf("semi", dim, fact, 0, 1), 25, true},
		{"left join keeps the left rows", joinOf("left", fact, &Filter{Input: dim, Cond: eqConst(0, 1)}, 1, 0), 1e6, true},
		{"unknown side", joinOf("inner", dim, unknown, 0, 0), 0, false},
		{"aggregate: a group per distinct key", &Aggregate{Input: fact, GroupBy: []Expr{col(1)}}, 25, true},
		{"aggregate of an expression", &Aggregate{Input: fact, GroupBy: []Expr{&Binary{Op: "+", L: col(1), R: col(0), T: types.TInt8}}}, 1e5, true},
	}
	for _, tc := range tests {
		got, ok := estimateRows(tc.n)
		if ok != tc.ok || ok && math.Abs(got-tc.want) > 1e-6*tc.want {
			t.Errorf("%s: estimateRows = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestChooseBuildSides(t *testing.T) {
	small := func() Node { return &Filter{Input: scanOf("dim", 25, 25, 5), Cond: eqConst(1, 3)} }
	big := func() Node { return scanOf("fact", 1e6, 1e5, 25) }
	tests := []struct {
		name string
		j    *Join
		want bool
	}{
		{"small left inner", joinOf("inner", small(), big(), 0, 1), true},
		{"small right", joinOf("inner", big(), small(), 1, 0), false},
		{"small left semi", joinOf("semi", small(), big(), 0, 1), true},
		{"small left anti", joinOf("anti", small(), big(), 0, 1), true},
		{"small left of a left join", joinOf("left", small(), big(), 0, 1), true},
		{"small right of a left join", joinOf("left", big(), small(), 1, 0), false},
		{"small left of a full join", joinOf("full", small(), big(), 0, 1), true},
		{"no statistics", joinOf("inner", scanOf("a", -1, 0, 0), big(), 0, 1), false},
	}
	for _, tc := range tests {
		chooseBuildSides(tc.j)
		if tc.j.BuildLeft != tc.want {
			t.Errorf("%s: BuildLeft = %v, want %v", tc.name, tc.j.BuildLeft, tc.want)
		}
	}
}
