package exec

import (
	"math/rand"
	"slices"
	"testing"

	"rustydb/plan"
	"rustydb/types"
)

// TestSortBufPacked sorts rows whose first key takes few values, so that
// the second key's abbreviation is packed beside it (packSecondKey), and
// checks the order against a stable sort by compareKeys, for second keys
// of each kind that abbreviates, ascending and descending.
func TestSortBufPacked(t *testing.T) {
	rnd := rand.New(rand.NewSource(7))
	texts := []string{"Brand#12", "Brand#13", "Brand#1", "Brand#12x", "", "abcdefghij", "abcdefghik", "\xff"}
	seconds := map[string]func(k int) types.Value{
		"text": func(k int) types.Value { return types.NewText(texts[k%len(texts)]) },
		// a prefix every key shares, skipped before abbreviating
		"prefixed": func(k int) types.Value { return types.NewText("Part#" + texts[k%len(texts)]) },
		"int":      func(k int) types.Value { return types.NewInt(int64(k%7) - 3) },
		"float":    func(k int) types.Value { return types.NewFloat(float64(k%5) - 1.5) },
		"date":     func(k int) types.Value { return types.NewDate(int64(k % 9)) },
	}
	for name, second := range seconds {
		for _, desc := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			spec := []plan.SortKey{{Expr: &plan.ColRef{Idx: 0, T: types.TInt8}, Desc: desc[0]},
				{Expr: &plan.ColRef{Idx: 1}, Desc: desc[1]}, {Expr: &plan.ColRef{Idx: 2, T: types.TInt8}}}
			b := &sortBuf{spec: spec}
			var rows [][]types.Value
			for i := range 3000 {
				r := []types.Value{types.NewInt(int64(rnd.Intn(30) - 1000)), second(rnd.Intn(50)), types.NewInt(int64(rnd.Intn(4)))}
				if i%100 == 0 {
					r[0] = types.Null // ranks other than 1 stay as they are
				}
				copy(b.keysOf(uint32(len(rows))), r)
				b.add(r)
				rows = append(rows, r)
			}
			b.sort()
			if b.abbr != abbrPacked {
				t.Fatalf("%s %v: second keys not packed (mode %d)", name, desc, b.abbr)
			}
			want := slices.Clone(rows)
			slices.SortStableFunc(want, func(x, y []types.Value) int { return compareKeys(spec, x, y) })
			for i, e := range b.ents {
				if compareKeys(spec, rows[e.idx], want[i]) != 0 {
					t.Fatalf("%s %v: row %d is %v, want %v", name, desc, i, rows[e.idx], want[i])
				}
			}
		}
	}
}
