package row

import (
	"context"
	"math/rand/v2"
	"testing"

	"rustydb/catalog"
	"rustydb/txn"
	"rustydb/types"
)

// TestSampleVisibleUniform checks that the reservoir keeps every row when
// there are few, and otherwise picks each row about equally often.
func TestSampleVisibleUniform(t *testing.T) {
	const n, k, runs = 1000, 50, 4000
	versions := make([]*Version, n)
	for i := range versions {
		versions[i] = &Version{ID: uint64(i + 1)} // frozen: visible to any snapshot
	}
	var snap txn.Snapshot
	rng := rand.New(rand.NewPCG(1, 2))
	all, rows := sampleVisible(versions[:k], &snap, k, rng)
	if rows != k || len(all) != k {
		t.Fatalf("sample of %d rows with room for %d: %d picked, %d counted", k, k, len(all), rows)
	}
	for i, p := range all {
		if p != i {
			t.Fatalf("sample of a small table: position %d is %d", i, p)
		}
	}
	hits := make([]int, 10) // by tenth of the table
	for range runs {
		picked, rows := sampleVisible(versions, &snap, k, rng)
		if rows != n || len(picked) != k {
			t.Fatalf("%d picked, %d counted; want %d and %d", len(picked), rows, k, n)
		}
		for j, p := range picked {
			if j > 0 && p <= picked[j-1] {
				t.Fatalf("positions not ascending and distinct: %v", picked)
			}
			hits[p*10/n]++
		}
	}
	want := float64(runs*k) / 10
	for i, h := range hits {
		if d := float64(h) - want; d > want*0.03 || d < -want*0.03 {
			t.Errorf("tenth %d of the table was picked %d times, want about %.0f (all: %v)", i, h, want, hits)
		}
	}
}

func TestHaasStokes(t *testing.T) {
	for _, c := range []struct {
		n, d, f1 int64
		total    float64
		want     int64
	}{
		{30000, 100, 0, 1e6, 100},       // every value repeated: just those
		{30000, 30000, 30000, 1e6, 1e6}, // all unique: unique column
		{1000, 600, 400, 1000, 600},     // the whole table: exact
		{30000, 20000, 15000, 6e6, 0},   // checked against the formula below
		{0, 0, 0, 100, 0},
	} {
		want := c.want
		if want == 0 && c.n > 0 {
			n, d, f1 := float64(c.n), float64(c.d), float64(c.f1)
			want = int64(n*d/(n-f1+f1*n/c.total) + 0.5)
		}
		if got := haasStokes(c.n, c.d, c.f1, c.total); got != want {
			t.Errorf("haasStokes(%d, %d, %d, %g) = %d, want %d", c.n, c.d, c.f1, c.total, got, want)
		}
	}
}

// TestAnalyzeSample analyzes a table larger than the sample: the row count
// is exact and the distinct estimates are close.
func TestAnalyzeSample(t *testing.T) {
	s := openStore(t, testOptions(t))
	tx := s.Begin()
	tbl := &catalog.Table{Name: "t", Columns: []catalog.Column{
		{Name: "id", Type: types.TInt8, NotNull: true},
		{Name: "g", Type: types.TInt8},
		{Name: "half", Type: types.TInt8},
	}}
	if err := tx.CreateTable(tbl); err != nil {
		t.Fatal(err)
	}
	h := s.Heap(tbl)
	const rows = 3 * AnalyzeSampleRows
	for i := range int64(rows) {
		g := types.NewInt(i % 100)
		if i%10 == 0 {
			g = types.Null
		}
		if err := tx.Insert(context.Background(), h, []types.Value{types.NewInt(i), g, types.NewInt(i / 2)}); err != nil {
			t.Fatal(err)
		}
	}
	mustCommit(t, tx)
	// Delete some rows: they no longer count.
	tx = s.Begin()
	for i, v := range mustScan(t, h) {
		if i%3 == 0 {
			if _, err := tx.Delete(context.Background(), h, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	mustCommit(t, tx)
	snap := s.Begin().Snapshot()
	st, err := h.Analyze(&snap)
	if err != nil {
		t.Fatal(err)
	}
	if st.Rows != rows*2/3 {
		t.Errorf("Rows = %d, want %d", st.Rows, rows*2/3)
	}
	if d := st.Columns[1].Distinct; d != 90 {
		t.Errorf("g: Distinct = %d, want 90", d)
	}
	if nf := st.Columns[1].NullFrac; nf < 0.09 || nf > 0.11 {
		t.Errorf("g: NullFrac = %g, want about 0.1", nf)
	}
	if d := st.Columns[0].Distinct; d != st.Rows {
		t.Errorf("id: Distinct = %d, want %d (unique)", d, st.Rows)
	}
	// Pairs of rows share a value and no pair lost both rows: 45,000
	// distinct values, a third of them seen once.
	if d := st.Columns[2].Distinct; d < 35000 || d > 55000 {
		t.Errorf("half: Distinct = %d, want about 45000", d)
	}
	if st.Columns[0].Min.IsNull() || st.Columns[0].Max.IsNull() {
		t.Errorf("id: Min %v Max %v", st.Columns[0].Min, st.Columns[0].Max)
	}
	again, _ := h.Analyze(&snap)
	if again.Columns[2].Distinct != st.Columns[2].Distinct {
		t.Errorf("a second ANALYZE of the same rows gave %d distinct, the first %d", again.Columns[2].Distinct, st.Columns[2].Distinct)
	}
}

// TestAnalyzeSmallTableExact checks that a table smaller than the sample is
// measured exactly.
func TestAnalyzeSmallTableExact(t *testing.T) {
	s := openStore(t, testOptions(t))
	ids := idRange(1, 1000)
	h := createItems(t, s, "items", ids...)
	snap := s.Begin().Snapshot()
	st, err := h.Analyze(&snap)
	if err != nil {
		t.Fatal(err)
	}
	if st.Rows != int64(len(ids)) || st.Columns[0].Distinct != int64(len(ids)) || st.Columns[1].Distinct != int64(len(ids)) {
		t.Errorf("Rows %d, Distinct %d and %d; want %d each", st.Rows, st.Columns[0].Distinct, st.Columns[1].Distinct, len(ids))
	}
	if types.Compare(st.Columns[0].Min, types.NewInt(1)) != 0 || types.Compare(st.Columns[0].Max, types.NewInt(int64(len(ids)))) != 0 {
		t.Errorf("id: Min %v Max %v", st.Columns[0].Min, st.Columns[0].Max)
	}
}
