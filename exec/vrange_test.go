package exec

import (
	"math"
	"slices"
	"testing"

	"rustydb/asm"
)

func TestInterval(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cmps   []colCmp
		lo, hi int64
	}{
		{"between", []colCmp{{0, asm.Ge, 5}, {0, asm.Le, 7}}, 5, 7},
		{"half open", []colCmp{{0, asm.Ge, 5}, {0, asm.Lt, 9}}, 5, 8},
		{"strict", []colCmp{{0, asm.Gt, 5}, {0, asm.Lt, 9}}, 6, 8},
		{"tightest wins", []colCmp{{0, asm.Gt, 1}, {0, asm.Ge, 4}, {0, asm.Le, 10}, {0, asm.Lt, 8}}, 4, 7},
		{"equal inside", []colCmp{{0, asm.Eq, 6}, {0, asm.Lt, 9}}, 6, 6},
		{"equal outside", []colCmp{{0, asm.Eq, 10}, {0, asm.Lt, 9}}, 10, 8},
		{"empty", []colCmp{{0, asm.Gt, 9}, {0, asm.Lt, 3}}, 10, 2},
		{"above the largest", []colCmp{{0, asm.Gt, math.MaxInt64}, {0, asm.Ge, 0}}, 1, 0},
		{"below the smallest", []colCmp{{0, asm.Lt, math.MinInt64}, {0, asm.Le, 0}}, 1, 0},
		{"upper bounds only", []colCmp{{0, asm.Le, 3}, {0, asm.Lt, 7}}, math.MinInt64, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if lo, hi := interval(tc.cmps); lo != tc.lo || hi != tc.hi {
				t.Fatalf("interval = [%d, %d], want [%d, %d]", lo, hi, tc.lo, tc.hi)
			}
		})
	}
}

func TestInInterval(t *testing.T) {
	x := []int64{math.MinInt64, -5, 0, 3, 7, 8, math.MaxInt64}
	all := []int32{0, 1, 2, 3, 4, 5, 6}
	for _, tc := range []struct {
		lo, hi int64
		sel    []int32
		want   []int32
	}{
		{0, 7, all, []int32{2, 3, 4}},
		{-5, -5, all, []int32{1}},
		{math.MinInt64, math.MaxInt64, all, all},
		{math.MinInt64, 0, []int32{0, 2, 5}, []int32{0, 2}},
		{8, math.MaxInt64, []int32{1, 5, 6}, []int32{5, 6}},
		{1, 2, all, nil},
	} {
		got := inInterval(x, tc.lo, tc.hi, tc.sel, make([]int32, 0, len(tc.sel)))
		if !slices.Equal(got, tc.want) && len(got)+len(tc.want) > 0 {
			t.Errorf("[%d, %d] over %v = %v, want %v", tc.lo, tc.hi, tc.sel, got, tc.want)
		}
	}
}
