package exec

import (
	"math/rand"
	"reflect"
	"testing"

	"rustydb/plan"
	"rustydb/types"
)

// TestTopNMatchesSortLimit compares the top-N sort under a Limit with a
// full sort followed by the same Limit, on random inputs, keys, bounds and
// work_mem (a small one makes the heap fall back to the spilling sort).
func TestTopNMatchesSortLimit(t *testing.T) {
	keySets := [][]plan.SortKey{
		{{Expr: spillCols[1]}},
		{{Expr: spillCols[1], Desc: true, NullsFirst: true}},
		{{Expr: spillCols[1], Desc: true}},
		{{Expr: spillCols[1], NullsFirst: true}},
		{{Expr: spillCols[2]}, {Expr: spillCols[1], Desc: true}},
		{{Expr: spillCols[2], Desc: true, NullsFirst: false}, {Expr: spillCols[3]}},
		{{Expr: spillCols[3], Desc: true}},
	}
	rnd := rand.New(rand.NewSource(1))
	for iter := 0; iter < 100; iter++ {
		n := rnd.Intn(2000)
		rows := spillRows(int64(iter), n, 1+rnd.Intn(60))
		keys := keySets[rnd.Intn(len(keySets))]
		limit, offset := int64(rnd.Intn(120)), int64(0)
		if rnd.Intn(2) == 0 {
			offset = int64(rnd.Intn(200))
		}
		if rnd.Intn(10) == 0 {
			limit = int64(n + rnd.Intn(10)) // more than the input
		}
		workMem := int64(0)
		if rnd.Intn(4) == 0 {
			workMem = 4 << 10
		}
		run := func(topN bool) ([][]types.Value, *Context, *plan.Sort) {
			c := spillContext(t, workMem)
			node := &plan.Sort{Keys: keys}
			fns := make([]evalFn, len(keys))
			for i, k := range keys {
				var err error
				if fns[i], err = c.compile(k.Expr); err != nil {
					t.Fatal(err)
				}
			}
			s := &sortOp{c: c, node: node, in: &rowsOp{rows: rows}, keys: fns, spec: keys}
			l := &limitOp{in: s, limit: limit, offset: offset}
			if topN {
				l.boundSort()
			}
			return drainAll(t, c, l), c, node
		}
		want, _, _ := run(false)
		got, c, node := run(true)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("iteration %d (n=%d limit=%d offset=%d work_mem=%d keys=%v): top-N gave %d rows, sort+limit %d, or a different order",
				iter, n, limit, offset, workMem, keys, len(got), len(want))
		}
		if st := c.Analysis.Stats(node); st.TopN != offset+limit && offset+limit <= topNMaxRows {
			t.Fatalf("iteration %d: EXPLAIN ANALYZE's top-N bound is %d, want %d", iter, st.TopN, offset+limit)
		}
	}
}

// TestTopNBound checks which limits get the top-N path.
func TestTopNBound(t *testing.T) {
	tests := []struct {
		limit, offset, want int64
	}{
		{10, 0, 10},
		{10, 5, 15},
		{0, 0, 0},
		{-1, 0, -1}, // no LIMIT, only OFFSET
		{topNMaxRows, 0, topNMaxRows},
		{topNMaxRows, 1, -1},
		{1, 1 << 62, -1},
		{1 << 62, 1 << 62, -1},
	}
	for _, tc := range tests {
		s := &sortOp{}
		(&limitOp{in: &analyzeOp{in: s}, limit: tc.limit, offset: tc.offset}).boundSort()
		if got := map[bool]int64{true: s.bound, false: -1}[s.bounded]; got != tc.want {
			t.Errorf("limit %d offset %d: top-N bound %d, want %d (-1: none)", tc.limit, tc.offset, got, tc.want)
		}
	}
}
