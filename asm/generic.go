package asm

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// This file is the Generic level: plain Go, the fallback on every platform
// and the reference that the assembly levels are tested against. It is
// written for clarity first; each function handles any length and any
// bitmap, since the assembly levels hand it their tails.

// number is an element type of the numeric kernels.
type number interface{ int32 | int64 | float64 }

var genericKernels = kernels{
	level: Generic,

	sumI32: sum[int32, int64],
	sumI64: sum[int64, int64],
	sumF64: sum[float64, float64],
	minI32: func(x []int32, valid []byte) int32 { return extremeOrEmpty(x, valid, math.MaxInt32, -1) },
	maxI32: func(x []int32, valid []byte) int32 { return extremeOrEmpty(x, valid, math.MinInt32, 1) },
	minI64: func(x []int64, valid []byte) int64 { return extremeOrEmpty(x, valid, math.MaxInt64, -1) },
	maxI64: func(x []int64, valid []byte) int64 { return extremeOrEmpty(x, valid, math.MinInt64, 1) },
	minF64: func(x []float64, valid []byte) float64 { return extremeOrEmpty(x, valid, math.Inf(1), -1) },
	maxF64: func(x []float64, valid []byte) float64 { return extremeOrEmpty(x, valid, math.Inf(-1), 1) },

	sumSelI32: sumSel[int32, int64],
	sumSelI64: sumSel[int64, int64],
	sumSelF64: sumSel[float64, float64],

	cmpI32:     cmpConst[int32],
	cmpI64:     cmpConst[int64],
	cmpF64:     cmpConst[float64],
	cmpColsI32: cmpCols[int32],
	cmpColsI64: cmpCols[int64],
	cmpColsF64: cmpCols[float64],
	betweenI32: between[int32],
	betweenI64: between[int64],
	betweenF64: between[float64],

	bitwise:  bitwiseGeneric,
	popcount: popcountGeneric,
	toSel:    func(bits []byte, n int, sel []int32) int { return toSelGeneric(bits, n, 0, sel) },

	gather32: gather[int32],
	gather64: gather[int64],

	hashInt64: hashInt64Generic,
	hashFixed: hashFixedGeneric,
	probe:     probeGeneric,
}

// less and equal compare in SQL order: NaN equals NaN and is greater than
// every number (PostgreSQL's float8 order). For integer types a != a is
// false and they are plain < and ==, without branches.
func less[T number](a, b T) bool  { return a < b || b != b && a == a }
func equal[T number](a, b T) bool { return a == b || a != a && b != b }

// split reduces op to one of a = b, a < b and b < a (kind 0, 1, 2) and
// whether to negate it, so that the loops test one small inlined predicate.
func (op Op) split() (kind int, negate bool) {
	switch op {
	case Eq, Ne:
		return 0, op == Ne
	case Lt, Ge:
		return 1, op == Ge
	}
	return 2, op == Le
}

// test reports whether the predicate of kind (see split) holds.
func test[T number](kind int, a, b T) bool {
	switch kind {
	case 0:
		return equal(a, b)
	case 1:
		return less(a, b)
	}
	return less(b, a)
}

// order compares a and b in SQL order, returning -1, 0 or 1.
func order[T number](a, b T) int {
	switch {
	case less(a, b):
		return -1
	case less(b, a):
		return 1
	}
	return 0
}

// bit reports whether bit i of the bitmap b is set.
func bit(b []byte, i int) bool { return b[i>>3]>>(i&7)&1 != 0 }

func sum[T number, A int64 | float64](x []T, valid []byte) A {
	var s A
	if valid == nil {
		for _, v := range x {
			s += A(v)
		}
		return s
	}
	for i, v := range x {
		if bit(valid, i) {
			s += A(v)
		}
	}
	return s
}

func sumSel[T number, A int64 | float64](x []T, sel []int32) A {
	var s A
	for _, i := range sel {
		s += A(x[i])
	}
	return s
}

// extreme returns the valid value v of x for which order(v, others) == want
// is never beaten (want -1 finds the minimum, 1 the maximum), and whether x
// has a valid value at all.
func extreme[T number](x []T, valid []byte, want int) (m T, seen bool) {
	i := 0
	for ; i < len(x) && !seen; i++ {
		if valid == nil || bit(valid, i) {
			m, seen = x[i], true
		}
	}
	for ; i < len(x); i++ {
		v := x[i]
		if (valid == nil || bit(valid, i)) && (want < 0 && less(v, m) || want > 0 && less(m, v)) {
			m = v
		}
	}
	return m, seen
}

func extremeOrEmpty[T number](x []T, valid []byte, empty T, want int) T {
	if m, seen := extreme(x, valid, want); seen {
		return m
	}
	return empty
}

// The comparisons build each byte of the bitmap in a register; order and
// holds inline, and the switch on op is the same for every row.

func cmpConst[T number](x []T, op Op, c T, out []byte) {
	kind, negate := op.split()
	for i := 0; i < len(x); i += 8 {
		var b byte
		for j, v := range x[i:min(i+8, len(x))] {
			if test(kind, v, c) != negate {
				b |= 1 << j
			}
		}
		out[i>>3] = b
	}
}

func cmpCols[T number](a []T, op Op, b []T, out []byte) {
	kind, negate := op.split()
	b = b[:len(a)]
	for i := 0; i < len(a); i += 8 {
		var r byte
		for j, v := range a[i:min(i+8, len(a))] {
			if test(kind, v, b[i+j]) != negate {
				r |= 1 << j
			}
		}
		out[i>>3] = r
	}
}

func between[T number](x []T, lo, hi T, out []byte) {
	for i := 0; i < len(x); i += 8 {
		var b byte
		for j, v := range x[i:min(i+8, len(x))] {
			if !less(v, lo) && !less(hi, v) {
				b |= 1 << j
			}
		}
		out[i>>3] = b
	}
}

func bitwiseGeneric(dst, a, b []byte, op bitOp) {
	for i := range dst {
		switch op {
		case bitAnd:
			dst[i] = a[i] & b[i]
		case bitOr:
			dst[i] = a[i] | b[i]
		default:
			dst[i] = a[i] &^ b[i]
		}
	}
}

func popcountGeneric(b []byte, n int) int {
	c := popcountBytes(b[:n/8])
	if n%8 != 0 {
		c += bits.OnesCount8(b[n/8] & (1<<(n%8) - 1))
	}
	return c
}

// popcountBytes counts the set bits of whole bytes, a word at a time.
func popcountBytes(b []byte) int {
	c := 0
	for ; len(b) >= 8; b = b[8:] {
		c += bits.OnesCount64(binary.LittleEndian.Uint64(b))
	}
	for _, v := range b {
		c += bits.OnesCount8(v)
	}
	return c
}

// toSelGeneric writes base+i for each set bit i < n of b to sel and returns
// how many it wrote.
func toSelGeneric(b []byte, n int, base int32, sel []int32) int {
	k := 0
	for i := 0; i < n; i += 8 {
		v := b[i>>3]
		if n-i < 8 {
			v &= 1<<(n-i) - 1
		}
		for ; v != 0; v &= v - 1 {
			sel[k] = base + int32(i+bits.TrailingZeros8(v))
			k++
		}
	}
	return k
}

func gather[T any](dst, src []T, sel []int32) {
	for i, s := range sel {
		dst[i] = src[s]
	}
}

// hashSeed is xored into every key before mixing (the golden ratio, as in
// splitmix64), so that key 0 does not hash to 0.
const hashSeed = 0x9e3779b97f4a7c15

// mix is the splitmix64 finalizer (Stafford's variant 13): a bijection of
// uint64 in which every output bit depends on every input bit. It needs
// only 64-bit multiplies and shifts, which the vector levels have.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func hashInt64Generic(keys []int64, out []uint64) {
	for i, k := range keys {
		out[i] = mix(uint64(k) ^ hashSeed)
	}
}

func hashFixedGeneric(keys []byte, width int, out []uint64) {
	for i := range out {
		out[i] = hashKey(keys[i*width : (i+1)*width])
	}
}

// hashKey hashes one fixed-width key as a chain of mixes of its 8-byte
// words. A key of up to 8 bytes is one word, zero-extended; a longer key is
// its words at 0, 8, 16, ... with the last one moved back to end at the
// key's end (overlapping the one before it), so every load is a whole word
// inside the key.
func hashKey(k []byte) uint64 {
	if len(k) <= 8 {
		var w uint64
		for j := len(k) - 1; j >= 0; j-- {
			w = w<<8 | uint64(k[j])
		}
		return mix(w ^ hashSeed)
	}
	h := uint64(hashSeed)
	for o := 0; ; o += 8 {
		o = min(o, len(k)-8)
		h = mix(h ^ binary.LittleEndian.Uint64(k[o:]))
		if o == len(k)-8 {
			return h
		}
	}
}

func probeGeneric(table, hashes []uint64, out []int32) {
	mask := uint64(len(table) - 1)
	for i, h := range hashes {
		out[i] = int32(ProbeFrom(table, h, int(h&mask)))
	}
}
