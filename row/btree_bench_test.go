package row

import (
	"testing"

	"rustydb/types"
)

func BenchmarkBtreePointScan(b *testing.B) {
	tr := newBtree([]int{0})
	const n = 100_000
	for i := range n {
		tr.insert([]types.Value{types.NewInt(int64(i)), types.NewText("x")}, &Version{ID: uint64(i + 1)})
	}
	key := make([]types.Value, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		key[0] = types.NewInt(int64(i*7919) % n)
		found := 0
		tr.scan(key, nil, nil, func(*Version) bool { found++; return true })
		if found != 1 {
			b.Fatal(found)
		}
	}
}

// BenchmarkBtreeAscendingInsert inserts two-column keys in ascending
// order, as a load of a table with a composite primary key does.
func BenchmarkBtreeAscendingInsert(b *testing.B) {
	vals := make([]types.Value, 2)
	vers := make([]Version, 1<<20)
	b.ReportAllocs()
	var tr *btree
	for i := 0; i < b.N; i++ {
		if i%len(vers) == 0 {
			tr = newBtree([]int{0, 1})
		}
		vals[0], vals[1] = types.NewInt(int64(i/4)), types.NewInt(int64(i%4))
		v := &vers[i%len(vers)]
		v.ID = uint64(i + 1)
		tr.insert(vals, v)
	}
}
