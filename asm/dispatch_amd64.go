//go:build !noasm

package asm

import (
	"fmt"
	"math"

	"github.com/klauspost/cpuid/v2"
)

// stubs are one level's assembly kernels, listed by tables_amd64.go. Each
// handles a whole number of units (8 rows, or a vector if larger) and
// assumes checked arguments; wrap adds the tails and the SQL rules.
type stubs struct {
	sumI32                 func(x []int32) int64
	sumBitsI32             func(x []int32, bits []byte) int64
	sumSelI32              func(x []int32, sel []int32) int64
	sumI64                 func(x []int64) int64
	sumBitsI64             func(x []int64, bits []byte) int64
	sumSelI64              func(x []int64, sel []int32) int64
	sumF64                 func(x []float64) float64
	sumBitsF64             func(x []float64, bits []byte) float64
	sumSelF64              func(x []float64, sel []int32) float64
	minI32, maxI32         func(x []int32) int32
	minBitsI32, maxBitsI32 func(x []int32, bits []byte) int32
	minI64, maxI64         func(x []int64) int64
	minBitsI64, maxBitsI64 func(x []int64, bits []byte) int64
	minF64, maxF64         func(x []float64) (float64, bool)
	minBitsF64, maxBitsF64 func(x []float64, bits []byte) (float64, bool)
	maxSel                 func(sel []int32) uint32
	cmpI32                 func(x []int32, c int32, op int, out []byte)
	cmpI64                 func(x []int64, c int64, op int, out []byte)
	cmpF64                 func(x []float64, c float64, op int, out []byte)
	cmpColsI32             func(a, b []int32, op int, out []byte)
	cmpColsI64             func(a, b []int64, op int, out []byte)
	cmpColsF64             func(a, b []float64, op int, out []byte)
	betweenI32             func(x []int32, lo, hi int32, out []byte)
	betweenI64             func(x []int64, lo, hi int64, out []byte)
	betweenF64             func(x []float64, lo, hi float64, out []byte)
	bitwise                func(dst, a, b []byte, op int)
	popcount               func(b []byte) int
	toSel                  func(b []byte, sel []int32) (bytes, n int)
	gather32               func(dst, src []int32, sel []int32)
	gather64               func(dst, src []int64, sel []int32)
	hashInt64              func(keys []int64, out []uint64)
	hashFixed              func(keys []byte, width int, mask uint64, out []uint64)
	probe                  func(table, hashes []uint64, out []int32)
}

// asmKernels returns the levels whose instructions this CPU (and its OS,
// for the AVX-512 registers) supports.
func asmKernels() []*kernels {
	c := cpuid.CPU
	if !c.Supports(cpuid.CMOV, cpuid.POPCNT, cpuid.AVX, cpuid.AVX2) {
		return nil
	}
	ks := []*kernels{wrap(AVX2, &stubsAVX2)}
	if c.Supports(cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512DQ, cpuid.AVX512VL) {
		ks = append(ks, wrap(AVX512, &stubsAVX512))
	}
	return ks
}

// body returns the length of the prefix of n elements that is a whole
// number of units; the Generic kernels do the rest.
func body(n, unit int) int { return n - n%unit }

// wrap makes a level's kernels from its stubs.
func wrap(l Level, s *stubs) *kernels {
	// Rows a unit for 32- and 64-bit elements, bytes a vector, and 64-bit
	// lanes a vector.
	u32, u64, vb, lanes := 8, 8, 32, 4
	if l == AVX512 {
		u32, vb, lanes = 16, 64, 8
	}
	checkSel := func(sel []int32, n int) {
		m := body(len(sel), u32)
		if uint64(s.maxSel(sel[:m])) < uint64(n) {
			return
		}
		for _, i := range sel[:m] {
			if i < 0 || int(i) >= n {
				panic(fmt.Sprintf("asm: selection index %d out of range [0:%d]", i, n))
			}
		}
	}
	// The float comparison with a constant is also BETWEEN's fallback.
	cmpF64 := func(x []float64, op Op, c float64, out []byte) {
		if c != c {
			// The assembly compares with numbers only. NaN is larger
			// than every number and equal to NaN.
			switch op {
			case Le:
				fillBits(out, len(x), 0xff)
				return
			case Gt:
				fillBits(out, len(x), 0)
				return
			case Eq, Ge: // x is NaN, the only value above +Inf
				op = Gt
			default: // Ne, Lt: x is a number
				op = Le
			}
			c = math.Inf(1)
		}
		cmpWith(u64, s.cmpF64)(x, op, c, out)
	}
	return &kernels{
		level: l,

		sumI32: sumWith(u32, s.sumI32, s.sumBitsI32),
		sumI64: sumWith(u64, s.sumI64, s.sumBitsI64),
		sumF64: sumWith(u64, s.sumF64, s.sumBitsF64),
		minI32: extremeWith(u32, -1, s.minI32, s.minBitsI32),
		maxI32: extremeWith(u32, 1, s.maxI32, s.maxBitsI32),
		minI64: extremeWith(u64, -1, s.minI64, s.minBitsI64),
		maxI64: extremeWith(u64, 1, s.maxI64, s.maxBitsI64),
		minF64: func(x []float64, valid []byte) float64 {
			m := body(len(x), u64)
			r, sawNaN, tail := floatExtreme(x, valid, m, s.minF64, s.minBitsF64)
			t, tailSeen := extreme(x[m:], tail, -1)
			if math.IsInf(r, 1) && (sawNaN || tailSeen && math.IsNaN(t)) {
				// +Inf is MIN's empty result as well as a value: with NaNs
				// about, the reference tells NaNs alone from NaNs and +Inf.
				return genericKernels.minF64(x, valid)
			}
			if tailSeen && order(t, r) < 0 {
				return t
			}
			return r
		},
		maxF64: func(x []float64, valid []byte) float64 {
			m := body(len(x), u64)
			r, sawNaN, tail := floatExtreme(x, valid, m, s.maxF64, s.maxBitsF64)
			if sawNaN {
				return math.NaN()
			}
			if t, ok := extreme(x[m:], tail, 1); ok && order(t, r) > 0 {
				return t
			}
			return r
		},

		sumSelI32: func(x []int32, sel []int32) int64 {
			checkSel(sel, len(x))
			m := body(len(sel), u32)
			return s.sumSelI32(x, sel[:m]) + sumSel[int32, int64](x, sel[m:])
		},
		sumSelI64: func(x []int64, sel []int32) int64 {
			checkSel(sel, len(x))
			m := body(len(sel), u64)
			return s.sumSelI64(x, sel[:m]) + sumSel[int64, int64](x, sel[m:])
		},
		sumSelF64: func(x []float64, sel []int32) float64 {
			checkSel(sel, len(x))
			m := body(len(sel), u64)
			return s.sumSelF64(x, sel[:m]) + sumSel[float64, float64](x, sel[m:])
		},

		cmpI32:     cmpWith(u32, s.cmpI32),
		cmpI64:     cmpWith(u64, s.cmpI64),
		cmpF64:     cmpF64,
		cmpColsI32: colsWith(u32, s.cmpColsI32),
		cmpColsI64: colsWith(u64, s.cmpColsI64),
		cmpColsF64: colsWith(u64, s.cmpColsF64),
		betweenI32: betweenWith(u32, s.betweenI32),
		betweenI64: betweenWith(u64, s.betweenI64),
		betweenF64: func(x []float64, lo, hi float64, out []byte) {
			switch {
			case hi != hi: // every value is <= NaN
				cmpF64(x, Ge, lo, out)
			case lo != lo: // only NaN is >= NaN, and it is above hi
				fillBits(out, len(x), 0)
			default:
				betweenWith(u64, s.betweenF64)(x, lo, hi, out)
			}
		},

		bitwise: func(dst, a, b []byte, op bitOp) {
			m := body(len(dst), vb)
			s.bitwise(dst[:m], a, b, int(op))
			bitwiseGeneric(dst[m:], a[m:], b[m:], op)
		},
		popcount: func(bits []byte, n int) int {
			m := body(n/8, vb)
			return s.popcount(bits[:m]) + popcountGeneric(bits[m:], n-8*m)
		},
		toSel: func(bits []byte, n int, sel []int32) int {
			nb, k := s.toSel(bits[:n/8], sel)
			return k + toSelGeneric(bits[nb:], n-8*nb, int32(8*nb), sel[k:])
		},

		gather32: func(dst, src []int32, sel []int32) {
			checkSel(sel, len(src))
			m := body(len(sel), u32)
			s.gather32(dst, src, sel[:m])
			gather(dst[m:], src, sel[m:])
		},
		gather64: func(dst, src []int64, sel []int32) {
			checkSel(sel, len(src))
			m := body(len(sel), u64)
			s.gather64(dst, src, sel[:m])
			gather(dst[m:], src, sel[m:])
		},

		hashInt64: func(keys []int64, out []uint64) {
			m := body(len(keys), u64)
			s.hashInt64(keys[:m], out)
			hashInt64Generic(keys[m:], out[m:])
		},
		hashFixed: func(keys []byte, width int, out []uint64) {
			n, mask := len(out), ^uint64(0)
			if width < 8 {
				// A short key is read as a whole word and masked: only the
				// keys with 8 bytes left to read go to the assembly.
				n = min(n, max(0, (len(keys)-8)/width+1))
				if len(keys) < 8 {
					n = 0
				}
				mask = 1<<(8*width) - 1
			}
			m := body(n, lanes)
			s.hashFixed(keys, width, mask, out[:m])
			hashFixedGeneric(keys[m*width:], width, out[m:])
		},
		probe: func(table, hashes []uint64, out []int32) {
			m := body(len(hashes), lanes)
			s.probe(table, hashes[:m], out)
			probeGeneric(table, hashes[m:], out[m:])
		},
	}
}

func sumWith[T number, A int64 | float64](unit int, dense func([]T) A, masked func([]T, []byte) A) func([]T, []byte) A {
	return func(x []T, valid []byte) A {
		m := body(len(x), unit)
		if valid == nil {
			return dense(x[:m]) + sum[T, A](x[m:], nil)
		}
		return masked(x[:m], valid) + sum[T, A](x[m:], valid[m/8:])
	}
}

func extremeWith[T int32 | int64](unit, want int, dense func([]T) T, masked func([]T, []byte) T) func([]T, []byte) T {
	return func(x []T, valid []byte) T {
		m := body(len(x), unit)
		var r T
		var tail []byte
		if valid == nil {
			r = dense(x[:m])
		} else {
			r, tail = masked(x[:m], valid), valid[m/8:]
		}
		// The assembly's empty result is the identity, which any value
		// of the tail beats or equals.
		if t, ok := extreme(x[m:], tail, want); ok && order(t, r) == want {
			r = t
		}
		return r
	}
}

// floatExtreme runs a float MIN or MAX kernel over the first m rows and
// returns its result, whether it skipped a NaN, and the tail's bitmap.
func floatExtreme(x []float64, valid []byte, m int, dense func([]float64) (float64, bool), masked func([]float64, []byte) (float64, bool)) (float64, bool, []byte) {
	if valid == nil {
		r, nan := dense(x[:m])
		return r, nan, nil
	}
	r, nan := masked(x[:m], valid)
	return r, nan, valid[m/8:]
}

func cmpWith[T number](unit int, f func([]T, T, int, []byte)) func([]T, Op, T, []byte) {
	return func(x []T, op Op, c T, out []byte) {
		m := body(len(x), unit)
		f(x[:m], c, int(op), out)
		cmpConst(x[m:], op, c, out[m/8:])
	}
}

// colsWith turns a > b into b < a and a <= b into b >= a: the assembly
// does =, <>, < and >=.
func colsWith[T number](unit int, f func(a, b []T, op int, out []byte)) func([]T, Op, []T, []byte) {
	return func(a []T, op Op, b []T, out []byte) {
		m := body(len(a), unit)
		x, y, o := a, b, op
		switch op {
		case Gt:
			x, y, o = b, a, Lt
		case Le:
			x, y, o = b, a, Ge
		}
		f(x[:m], y[:m], int(o), out)
		cmpCols(a[m:], op, b[m:], out[m/8:])
	}
}

// betweenWith settles lo > hi (no row) before the assembly, which for
// integers needs lo <= hi.
func betweenWith[T number](unit int, f func([]T, T, T, []byte)) func([]T, T, T, []byte) {
	return func(x []T, lo, hi T, out []byte) {
		if hi < lo {
			fillBits(out, len(x), 0)
			return
		}
		m := body(len(x), unit)
		f(x[:m], lo, hi, out)
		between(x[m:], lo, hi, out[m/8:])
	}
}

// fillBits sets the bitmap of n rows to the byte b, with the bits past n
// zero.
func fillBits(out []byte, n int, b byte) {
	for i := range (n + 7) / 8 {
		out[i] = b
	}
	if n%8 != 0 {
		out[n/8] &= 1<<(n%8) - 1
	}
}
