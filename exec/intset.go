package exec

import (
	"iter"
	"math"
	"math/bits"
)

// intSet is a set of int64s in an open-addressing table with linear
// probing, for the key filters that test millions of scanned rows against
// a join's keys when the keys are too sparse for a bitmap: a probe hashes
// with one multiply and mostly reads one cache line, where a Go map
// hashes through the runtime and walks its groups (TPC-H q17 tests 6M part
// keys against 200 keys spread over 200,000).
type intSet struct {
	slots    []int64 // intSetEmpty marks a free slot
	shift    uint
	hasEmpty bool // intSetEmpty itself is a member
}

// intSetEmpty marks a free slot; a set holding it says so in hasEmpty.
const intSetEmpty = math.MinInt64

// newIntSet makes the set of n keys, at most half full.
func newIntSet(keys iter.Seq[int64], n int) *intSet {
	size := 16
	for size < 2*n {
		size *= 2
	}
	s := &intSet{slots: make([]int64, size), shift: uint(64 - bits.TrailingZeros(uint(size)))}
	for i := range s.slots {
		s.slots[i] = intSetEmpty
	}
	mask := size - 1
	for k := range keys {
		if k == intSetEmpty {
			s.hasEmpty = true
			continue
		}
		i := s.home(k)
		for s.slots[i] != intSetEmpty && s.slots[i] != k {
			i = (i + 1) & mask
		}
		s.slots[i] = k
	}
	return s
}

// home is k's first slot: the top bits of a multiplicative hash.
func (s *intSet) home(k int64) int {
	return int((uint64(k) * 0x9E3779B97F4A7C15) >> s.shift)
}

func (s *intSet) has(k int64) bool {
	if k == intSetEmpty {
		return s.hasEmpty
	}
	mask := len(s.slots) - 1
	for i := s.home(k); ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return true
		case intSetEmpty:
			return false
		}
	}
}
