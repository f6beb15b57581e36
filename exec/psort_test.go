package exec

import (
	"fmt"
	"math"
	"math/rand"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/cockroachdb/apd/v3"

	"rustydb/plan"
	"rustydb/row"
	"rustydb/types"
)

// sortTestRows returns n rows (id, int, text, float, numeric, date, a
// column mixing ints and floats) with NULLs, many duplicates, texts that
// share their first 8 bytes or hold NUL bytes, floats that are NaN, -0,
// 0 and infinite.
func sortTestRows(rnd *rand.Rand, n, distinct int) [][]types.Value {
	texts := []string{"", "a", "a\x00", "abcdefgh", "abcdefgh\x00", "abcdefghi", "abcdefgh2", "b", "\xff\xff"}
	floats := []float64{math.NaN(), math.Copysign(0, -1), 0, math.Inf(1), math.Inf(-1), -1.5, 2.25}
	rows := make([][]types.Value, n)
	for i := range rows {
		k := rnd.Intn(distinct)
		r := []types.Value{
			types.NewInt(int64(i)),
			types.NewInt(int64(k - distinct/2)),
			types.NewText(texts[k%len(texts)] + strings.Repeat("z", k%3)),
			types.NewFloat(floats[k%len(floats)] * float64(1+k%2)),
			types.NewDecimal(apd.New(int64(k*37%101-50), -2)),
			types.NewDate(int64(k*13%50 - 10)),
			types.NewInt(int64(k % 5)),
		}
		if k%3 == 0 {
			r[6] = types.NewFloat(float64(k%5) + 0.5)
		}
		for c := 1; c < len(r); c++ {
			if rnd.Intn(12) == 0 {
				r[c] = types.Null
			}
		}
		rows[i] = r
	}
	return rows
}

var sortTestCols = []*plan.ColRef{{Idx: 0, T: types.TInt8}, {Idx: 1, T: types.TInt8}, {Idx: 2, T: types.TText},
	{Idx: 3, T: types.TFloat8}, {Idx: 4, T: types.TNumeric}, {Idx: 5, T: types.TDate}, {Idx: 6, T: types.TFloat8}}

// TestParallelSortMatchesSerial sorts random rows on 1 to 4 workers, each
// given a contiguous share of the input, and checks the result against a
// stable sort of the whole input: with shares in input order the merge,
// which prefers the earlier worker's run among equal keys, must give
// exactly the stable order. Keys are random columns of every kind, DESC,
// NULLS FIRST or LAST; bounds (top-N with offsets) and a work_mem small
// enough to spill vary too.
func TestParallelSortMatchesSerial(t *testing.T) {
	store, err := row.Open(row.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rnd := rand.New(rand.NewSource(5))
	for iter := range 200 {
		n := rnd.Intn(3000)
		if iter%100 == 0 {
			n = 10000 + rnd.Intn(5000)
		}
		rows := sortTestRows(rnd, n, 1+rnd.Intn(200))
		var spec []plan.SortKey
		for range 1 + rnd.Intn(3) {
			spec = append(spec, plan.SortKey{Expr: sortTestCols[1+rnd.Intn(6)], Desc: rnd.Intn(2) == 0, NullsFirst: rnd.Intn(2) == 0})
		}
		want := slices.Clone(rows)
		sort.SliceStable(want, func(i, j int) bool {
			return compareKeys(spec, keysOf(spec, want[i]), keysOf(spec, want[j])) < 0
		})
		bound := int64(-1)
		if rnd.Intn(2) == 0 {
			bound = int64(rnd.Intn(200))
			if rnd.Intn(4) == 0 {
				bound = int64(rnd.Intn(topNMaxRows))
			}
			want = want[:min(int64(len(want)), bound)]
		}
		workers := 1 + rnd.Intn(4)
		workMem := int64(0)
		if rnd.Intn(3) == 0 { // each worker's share spills runs of a few hundred rows
			workMem = int64(workers*(16<<10) + rnd.Intn(64<<10))
		}
		c := spillContext(t, workMem)
		c.Store = store
		got, node := sortShares(t, c, rows, spec, workers, bound)
		if bound >= 0 && int64(len(got)) > bound { // each worker's best; the Limit above takes the best of all
			got = got[:bound]
		}
		what := fmt.Sprintf("iteration %d: %d rows, %d workers, keys %v, bound %d, work_mem %d", iter, n, workers, spec, bound, workMem)
		if len(got) != len(want) {
			t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
		}
		for i := range got {
			if got[i][0].I != want[i][0].I {
				t.Fatalf("%s: row %d is id %d, want id %d", what, i, got[i][0].I, want[i][0].I)
			}
		}
		st := c.Analysis.Stats(node)
		if workers > 1 && st.Workers != workers || (workers > 1 || st.Disk > 0) && st.Runs < 2 {
			t.Fatalf("%s: EXPLAIN ANALYZE shows workers=%d runs=%d", what, st.Workers, st.Runs)
		}
		if left, _ := os.ReadDir(c.TempDir); len(left) > 0 {
			t.Fatalf("%s: temporary files left: %v", what, left)
		}
	}
}

// keysOf returns row r's sort keys under spec (column references).
func keysOf(spec []plan.SortKey, r []types.Value) []types.Value {
	keys := make([]types.Value, len(spec))
	for i, k := range spec {
		keys[i] = r[k.Expr.(*plan.ColRef).Idx]
	}
	return keys
}

// sortShares sorts rows split into workers contiguous shares, each on its
// own worker, keeping the best bound (-1: all), and returns the sorted rows.
func sortShares(t *testing.T, c *Context, rows [][]types.Value, spec []plan.SortKey, workers int, bound int64) ([][]types.Value, *plan.Sort) {
	t.Helper()
	node := &plan.Sort{Keys: spec}
	o := &sortOp{c: c, node: node, in: &rowsOp{}, spec: spec}
	o.keys = sortKeyFns(t, c, spec)
	var inputs []Operator
	var contexts []*Context
	for w := range workers {
		inputs = append(inputs, &rowsOp{rows: rows[w*len(rows)/workers : (w+1)*len(rows)/workers]})
		if w > 0 {
			contexts = append(contexts, c.fork())
		}
	}
	var out [][]types.Value
	err := o.sortWith(inputs, contexts, bound, &sync.WaitGroup{})
	if err == nil {
		err = o.prepare()
	}
	for err == nil {
		var r []types.Value
		if r, err = o.Next(); r == nil {
			break
		}
		out = append(out, r)
	}
	o.Close()
	if err != nil {
		t.Fatal(err)
	}
	return out, node
}

// sortKeyFns compiles spec's key expressions.
func sortKeyFns(t *testing.T, c *Context, spec []plan.SortKey) []evalFn {
	fns := make([]evalFn, len(spec))
	for i, k := range spec {
		var err error
		if fns[i], err = c.compile(k.Expr); err != nil {
			t.Fatal(err)
		}
	}
	return fns
}

// TestAbbreviate checks that abbreviations order as types.Compare does,
// for pairs of values of each kind that abbreviates.
func TestAbbreviate(t *testing.T) {
	groups := [][]types.Value{
		{types.NewInt(math.MinInt64), types.NewInt(-1), types.NewInt(0), types.NewInt(1), types.NewInt(math.MaxInt64)},
		{types.NewDate(-800), types.NewDate(0), types.NewDate(19000)},
		{types.NewFloat(math.Inf(-1)), types.NewFloat(-1e300), types.NewFloat(-1), types.NewFloat(-math.SmallestNonzeroFloat64),
			types.NewFloat(math.Copysign(0, -1)), types.NewFloat(0), types.NewFloat(math.SmallestNonzeroFloat64), types.NewFloat(3),
			types.NewFloat(math.Inf(1)), types.NewFloat(math.NaN())},
		{types.NewText(""), types.NewText("\x00"), types.NewText("a"), types.NewText("a\x00"), types.NewText("abcdefgh"),
			types.NewText("abcdefgh1"), types.NewText("abcdefgi"), types.NewText("\xff")},
		// decimals of several scales, close to each other, past a float's
		// digits and range
		decimals(t, "-1E+400", "-99999999999999999999.5", "-12.5", "-12.49", "-0.00", "0", "0.0000000000000000000000001",
			"0.1", "0.10", "0.1000000000000000055511151231257827", "0.1000000000000000055511151231257828", "0.3", "7.123456",
			"9007199254740993", "9007199254740992.5", "12345678901234567890.12", "1E+25", "1.0000000000000001E+25", "1E+400"),
	}
	for _, g := range groups {
		for _, a := range g {
			for _, b := range g {
				pa, mode := abbreviate(a)
				pb, _ := abbreviate(b)
				want := types.Compare(a, b)
				got := 0
				switch {
				case pa < pb:
					got = -1
				case pa > pb:
					got = 1
				}
				if got != want && (mode == abbrExact || got != 0) {
					t.Errorf("%v vs %v: abbreviations compare %d, values %d", a, b, got, want)
				}
			}
		}
	}
}

// decimals parses numbers as decimal values.
func decimals(t *testing.T, nums ...string) []types.Value {
	var vs []types.Value
	for _, n := range nums {
		d, _, err := apd.NewFromString(n)
		if err != nil {
			t.Fatal(err)
		}
		vs = append(vs, types.NewDecimal(d))
	}
	return vs
}
