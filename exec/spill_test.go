package exec

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"rustydb/plan"
	"rustydb/types"
)

// spillRows returns n random rows (id int, k int with NULLs and many
// duplicates, s text with NULLs, f float) made from seed. The texts are
// long enough for temporary files to pass their buffers.
func spillRows(seed int64, n, keys int) [][]types.Value {
	rnd := rand.New(rand.NewSource(seed))
	rows := make([][]types.Value, n)
	for i := range rows {
		k, s := types.NewInt(int64(rnd.Intn(keys))), types.NewText(fmt.Sprintf("text-%d-%s", rnd.Intn(keys), strings.Repeat("x", 100)))
		if rnd.Intn(20) == 0 {
			k = types.Null
		}
		if rnd.Intn(15) == 0 {
			s = types.Null
		}
		rows[i] = []types.Value{types.NewInt(int64(i)), k, s, types.NewFloat(rnd.Float64())}
	}
	return rows
}

var spillCols = []*plan.ColRef{{Idx: 0, T: types.TInt8}, {Idx: 1, T: types.TInt8}, {Idx: 2, T: types.TText}, {Idx: 3, T: types.TFloat8}}

// spillContext is a context whose operators spill past workMem bytes (0:
// never) into a fresh directory, measured for EXPLAIN ANALYZE.
func spillContext(t *testing.T, workMem int64) *Context {
	return &Context{Ctx: context.Background(), WorkMem: workMem, TempDir: t.TempDir(), Analysis: NewAnalysis(), NoColumnar: true}
}

// drainAll runs op and returns its rows; it checks that no temporary file
// is left in c's directory afterwards.
func drainAll(t *testing.T, c *Context, op Operator) [][]types.Value {
	t.Helper()
	var out [][]types.Value
	if err := Drain(op, func(r []types.Value) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(c.TempDir); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	return out
}

// spilled reports what EXPLAIN ANALYZE measured of the operator of n.
func spilled(c *Context, n any) (memory, disk int64) {
	st := c.Analysis.Stats(n)
	return st.Memory, st.Disk
}

func TestSortSpill(t *testing.T) {
	tests := []struct {
		name string
		keys []plan.SortKey
	}{
		{"int nulls last", []plan.SortKey{{Expr: spillCols[1]}}},
		{"int desc nulls first", []plan.SortKey{{Expr: spillCols[1], Desc: true, NullsFirst: true}}},
		{"text then int desc", []plan.SortKey{{Expr: spillCols[2]}, {Expr: spillCols[1], Desc: true}}},
		{"float", []plan.SortKey{{Expr: spillCols[3]}}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows := spillRows(int64(i), 20000, 500)
			run := func(workMem int64) ([][]types.Value, *Context, *plan.Sort) {
				c := spillContext(t, workMem)
				n := &plan.Sort{Keys: tc.keys}
				keys, err := c.compileAll(func() (es []plan.Expr) {
					for _, k := range tc.keys {
						es = append(es, k.Expr)
					}
					return
				}())
				if err != nil {
					t.Fatal(err)
				}
				op := &sortOp{c: c, node: n, in: &rowsOp{rows: rows}, keys: keys, spec: tc.keys}
				return drainAll(t, c, op), c, n
			}
			want, _, _ := run(0)
			got, c, n := run(64 << 10)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("spilled sort differs from the in-memory one (%d rows, %d wanted)", len(got), len(want))
			}
			if mem, disk := spilled(c, n); disk == 0 || mem > 80<<10 {
				t.Fatalf("memory=%d disk=%d: want a spill within work_mem", mem, disk)
			}
		})
	}
}

// sortedText renders rows, sorted, for comparing results whose order is
// not defined.
func sortedText(rows [][]types.Value) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprint(r)
	}
	sort.Strings(out)
	return out
}

func TestAggregateSpill(t *testing.T) {
	comma := &plan.Const{V: types.NewText(","), T: types.TText}
	calls := []plan.AggCall{
		{Func: "count", Type: types.TInt8},
		{Func: "sum", Arg: spillCols[1], Type: types.TNumeric},
		{Func: "count", Arg: spillCols[2], Distinct: true, Type: types.TInt8},
		{Func: "string_agg", Arg: spillCols[2], Arg2: comma, OrderBy: []plan.SortKey{{Expr: spillCols[0], Desc: true}}, Type: types.TText},
		{Func: "array_agg", Arg: spillCols[0], Type: types.ArrayOf(types.TInt8)},
		{Func: "min", Arg: spillCols[2], Type: types.TText},
		{Func: "sum", Arg: spillCols[3], Type: types.TFloat8},
	}
	tests := []struct {
		name    string
		groupBy []plan.Expr
		keys    int // distinct values of the columns
	}{
		{"int key with NULLs", []plan.Expr{spillCols[1]}, 3000},
		{"text key", []plan.Expr{spillCols[2]}, 3000},
		{"two keys", []plan.Expr{spillCols[2], spillCols[1]}, 200},
		{"unique key", []plan.Expr{spillCols[0]}, 10},
		{"no GROUP BY", nil, 10},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows := spillRows(int64(i), 20000, tc.keys)
			run := func(workMem int64) ([][]types.Value, *Context, *plan.Aggregate) {
				c := spillContext(t, workMem)
				n := &plan.Aggregate{GroupBy: tc.groupBy, Aggs: calls}
				op, err := c.buildAggregateFuncs(n)
				if err != nil {
					t.Fatal(err)
				}
				op.node, op.in = n, &rowsOp{rows: rows}
				return drainAll(t, c, op), c, n
			}
			want, _, _ := run(0)
			got, c, n := run(64 << 10)
			if !reflect.DeepEqual(sortedText(got), sortedText(want)) {
				t.Fatalf("spilled aggregation differs from the in-memory one (%d groups, %d wanted)", len(got), len(want))
			}
			if _, disk := spilled(c, n); (disk > 0) != (tc.groupBy != nil) {
				t.Fatalf("disk=%d: want a spill exactly when there are groups", disk)
			}
		})
	}
}

func TestJoinSpill(t *testing.T) {
	side := &plan.Values{Cols: make([]plan.Column, len(spillCols))}
	intKey := []plan.Expr{spillCols[1]}
	textIntKey := []plan.Expr{spillCols[2], spillCols[1]}
	// left.f < right.f, over the joined row
	on := &plan.Binary{Op: "<", L: spillCols[3], R: &plan.ColRef{Idx: 7, T: types.TFloat8}, T: types.TBool}
	type joinCase struct {
		kind      string
		keys      []plan.Expr
		on        plan.Expr
		buildLeft bool
	}
	tests := []joinCase{{"left", intKey, nil, false}} // first: rows of one key, which no split can spread
	for _, kind := range []string{"inner", "left", "right", "full", "semi", "anti"} {
		for _, buildLeft := range []bool{false, true} {
			tests = append(tests, joinCase{kind, intKey, nil, buildLeft}, joinCase{kind, textIntKey, nil, buildLeft})
		}
		tests = append(tests, joinCase{kind, intKey, on, false})
	}
	for i, tc := range tests {
		t.Run(fmt.Sprintf("%s %d keys on=%v buildLeft=%v", tc.kind, len(tc.keys), tc.on != nil, tc.buildLeft), func(t *testing.T) {
			left, right := spillRows(int64(i), 2000, 1000), spillRows(int64(i+1000), 3000, 1000)
			if i == 0 {
				left, right = spillRows(0, 10, 1), spillRows(1, 1500, 1)
			}
			run := func(workMem int64) ([][]types.Value, *Context, *plan.Join) {
				c := spillContext(t, workMem)
				n := &plan.Join{Kind: tc.kind, Left: side, Right: side, LeftKeys: tc.keys, RightKeys: tc.keys, On: tc.on, BuildLeft: tc.buildLeft}
				op, err := c.newJoin(n, &rowsOp{rows: left}, &rowsOp{rows: right})
				if err != nil {
					t.Fatal(err)
				}
				return drainAll(t, c, op), c, n
			}
			want, _, _ := run(0)
			got, c, n := run(32 << 10)
			if !reflect.DeepEqual(sortedText(got), sortedText(want)) {
				t.Fatalf("spilled join differs from the in-memory one (%d rows, %d wanted)", len(got), len(want))
			}
			if mem, disk := spilled(c, n); disk == 0 || mem > 48<<10 && i > 0 {
				t.Fatalf("memory=%d disk=%d: want a spill within work_mem", mem, disk)
			}
		})
	}
}
