package exec

import (
	"context"
	"fmt"
	"math/rand"
	"testing"

	"rustydb/plan"
	"rustydb/types"
)

// BenchmarkSort sorts 1M rows of (int, text, float) on one worker, in
// memory: by all three keys (the int has duplicates, so some compares go
// on to the text), and by the text alone.
func BenchmarkSort(b *testing.B) {
	rnd := rand.New(rand.NewSource(1))
	rows := make([][]types.Value, 1<<20)
	for i := range rows {
		rows[i] = []types.Value{types.NewInt(int64(rnd.Intn(100000))), types.NewText(fmt.Sprintf("customer#%09d", rnd.Intn(1<<20))),
			types.NewFloat(rnd.Float64())}
	}
	cols := []*plan.ColRef{{Idx: 0, T: types.TInt8}, {Idx: 1, T: types.TText}, {Idx: 2, T: types.TFloat8}}
	for _, bc := range []struct {
		name string
		keys []plan.SortKey
	}{
		{"int,text,float", []plan.SortKey{{Expr: cols[0]}, {Expr: cols[1]}, {Expr: cols[2], Desc: true}}},
		{"text", []plan.SortKey{{Expr: cols[1]}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := &Context{Ctx: context.Background()}
			fns := make([]evalFn, len(bc.keys))
			for i, k := range bc.keys {
				fns[i], _ = c.compile(k.Expr)
			}
			for b.Loop() {
				op := &sortOp{c: c, node: &plan.Sort{Keys: bc.keys}, in: &rowsOp{rows: rows}, keys: fns, spec: bc.keys}
				if err := Drain(op, func([]types.Value) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
