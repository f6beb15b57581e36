package asm

import (
	"fmt"
	"sync/atomic"
)

// Level is a kernel implementation level, from plain Go to the widest vector
// instructions. Levels are ordered: a higher one is faster where available.
type Level uint8

const (
	// Generic is plain Go, available everywhere, and the reference.
	Generic Level = iota
	// AVX2 needs AVX, AVX2 and POPCNT (x86-64-v3 CPUs have them).
	AVX2
	// AVX512 needs AVX2's features and AVX-512 F, BW, DQ and VL
	// (x86-64-v4 CPUs).
	AVX512
	numLevels
)

// String returns the level's name as it appears in the start-up log and in
// metric labels: "generic", "avx2" or "avx512".
func (l Level) String() string {
	switch l {
	case Generic:
		return "generic"
	case AVX2:
		return "avx2"
	case AVX512:
		return "avx512"
	}
	return fmt.Sprintf("Level(%d)", uint8(l))
}

// levels holds each level's kernels, nil where the CPU or the build lacks
// the level. It is written only by init.
var levels [numLevels]*kernels

// active is read on every kernel call; an atomic pointer lets SetLevel run
// while queries do.
var active atomic.Pointer[kernels]

func init() {
	levels[Generic] = &genericKernels
	for _, k := range asmKernels() {
		levels[k.level] = k
	}
	l := Available()
	active.Store(levels[l[len(l)-1]])
}

// Active returns the level the kernels run at.
func Active() Level { return active.Load().level }

// Available returns the levels this CPU and build support, in increasing
// order; the last is the one chosen at start.
func Available() []Level {
	var ls []Level
	for l, k := range levels {
		if k != nil {
			ls = append(ls, Level(l))
		}
	}
	return ls
}

// SetLevel makes every kernel run at level l from the next call on. It
// refuses a level the CPU or the build (tag noasm) does not support.
func SetLevel(l Level) error {
	if l >= numLevels || levels[l] == nil {
		return fmt.Errorf("asm: SIMD level %s is not available on this CPU and build (available: %v)", l, Available())
	}
	active.Store(levels[l])
	return nil
}

// kernels is one level's implementation of every kernel. The exported
// functions check their arguments and call through the active set, so a
// level's kernels may assume valid arguments: bitmaps long enough, selection
// indexes in range, outputs long enough.
type kernels struct {
	level Level

	// valid is nil when every row counts.
	sumI32 func(x []int32, valid []byte) int64
	sumI64 func(x []int64, valid []byte) int64
	sumF64 func(x []float64, valid []byte) float64
	minI32 func(x []int32, valid []byte) int32
	maxI32 func(x []int32, valid []byte) int32
	minI64 func(x []int64, valid []byte) int64
	maxI64 func(x []int64, valid []byte) int64
	minF64 func(x []float64, valid []byte) float64
	maxF64 func(x []float64, valid []byte) float64

	sumSelI32 func(x []int32, sel []int32) int64
	sumSelI64 func(x []int64, sel []int32) int64
	sumSelF64 func(x []float64, sel []int32) float64

	cmpI32     func(x []int32, op Op, c int32, out []byte)
	cmpI64     func(x []int64, op Op, c int64, out []byte)
	cmpF64     func(x []float64, op Op, c float64, out []byte)
	cmpColsI32 func(a []int32, op Op, b []int32, out []byte)
	cmpColsI64 func(a []int64, op Op, b []int64, out []byte)
	cmpColsF64 func(a []float64, op Op, b []float64, out []byte)
	betweenI32 func(x []int32, lo, hi int32, out []byte)
	betweenI64 func(x []int64, lo, hi int64, out []byte)
	betweenF64 func(x []float64, lo, hi float64, out []byte)

	bitwise  func(dst, a, b []byte, op bitOp)
	popcount func(bits []byte, n int) int
	toSel    func(bits []byte, n int, sel []int32) int

	gather32 func(dst, src []int32, sel []int32)
	gather64 func(dst, src []int64, sel []int32)

	hashInt64 func(keys []int64, out []uint64)
	hashFixed func(keys []byte, width int, out []uint64)
	probe     func(table, hashes []uint64, out []int32)
}
