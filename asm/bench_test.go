package asm

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"testing"
)

// BenchmarkKernels runs each kernel at each available level and two
// baselines: loop, the plain Go loop a programmer would write, and copy,
// copy() of as many bytes as the kernel's input, which measures the
// bandwidth of the memory the input is in at that moment. The sizes fit in
// L1 (4 KiB), in L2 (256 KiB) and, for the streaming kernels, not in cache
// (64 MiB). Names are kernel/size/level; b.SetBytes is the size of the
// kernel's main input, so MB/s compare across levels and with copy (which
// reads and writes that many bytes). To run them all:
//
//	go test -run '^$' -bench . -benchtime 200ms ./asm/

const (
	sizeL1 = 4 << 10
	sizeL2 = 256 << 10
	// sizeDRAM is above this machine's L3 (300 MiB, shared by its VMs), so
	// the input streams from memory.
	sizeDRAM = 512 << 20
)

var (
	sinkInt   int64
	sinkFloat float64
)

// cached returns the input of the given name and length, making it once:
// filling 512 MiB takes longer than a benchmark.
func cached[T any](name string, n int, make func(n int) T) T {
	key := fmt.Sprint(name, n)
	if v, ok := benchData[key]; ok {
		return v.(T)
	}
	v := make(n)
	benchData[key] = v
	return v
}

var benchData = map[string]any{}

// repeat fills n elements with the test data, repeated.
func repeat[T any](data []T) func(n int) []T {
	return func(n int) []T {
		x := make([]T, n)
		for i := 0; i < n; i += len(data) {
			copy(x[i:], data)
		}
		return x
	}
}

func ints32(n int) []int32     { return cached("i32", n, repeat(i32s[:maxLen])) }
func ints64(n int) []int64     { return cached("i64", n, repeat(i64s[:maxLen])) }
func floats64(n int) []float64 { return cached("f64", n, repeat(f64Finite[:maxLen])) }

// halfBits and sparseBits are bitmaps of n rows with half and 5% set.
func halfBits(n int) []byte   { return cached("half", n, bitmapOf(bitmaps["half"])) }
func sparseBits(n int) []byte { return cached("sparse", n, bitmapOf(bitmaps["sparse"])) }

func bitmapOf(b []byte) func(n int) []byte {
	return func(n int) []byte { return repeat(b)(n / 8) }
}

// halfSel selects the rows of halfBits, about half of n, in order.
func halfSel(n int) []int32 {
	return cached("sel", n, func(n int) []int32 {
		sel := make([]int32, n)
		return sel[:genericKernels.toSel(halfBits(n), n, sel)]
	})
}

// benchCase is one kernel at one size. setup makes its inputs (only when
// the benchmark runs) and returns run, which calls it at the active level,
// and loop, the plain Go baseline.
type benchCase struct {
	name  string
	bytes int
	setup func() (run, loop func())
}

func sizeName(b int) string {
	if b >= 1<<20 {
		return fmt.Sprintf("%dMiB", b>>20)
	}
	return fmt.Sprintf("%dKiB", b>>10)
}

func benchCases() []benchCase {
	var cs []benchCase
	add := func(name string, sizes []int, f func(size int) (run, loop func())) {
		for _, size := range sizes {
			cs = append(cs, benchCase{name + "/" + sizeName(size), size, func() (run, loop func()) { return f(size) }})
		}
	}
	all := []int{sizeL1, sizeL2, sizeDRAM}
	cached := []int{sizeL1, sizeL2}

	add("sum/int32", all, func(size int) (func(), func()) {
		x := ints32(size / 4)
		return func() { sinkInt = SumInt32(x, nil) }, func() {
			var s int64
			for _, v := range x {
				s += int64(v)
			}
			sinkInt = s
		}
	})
	add("sum/int64", all, func(size int) (func(), func()) {
		x := ints64(size / 8)
		return func() { sinkInt = SumInt64(x, nil) }, func() {
			var s int64
			for _, v := range x {
				s += v
			}
			sinkInt = s
		}
	})
	add("sum/float64", all, func(size int) (func(), func()) {
		x := floats64(size / 8)
		return func() { sinkFloat = SumFloat64(x, nil) }, func() {
			var s float64
			for _, v := range x {
				s += v
			}
			sinkFloat = s
		}
	})
	add("sum-bitmap/int64", all, func(size int) (func(), func()) {
		x, valid := ints64(size/8), halfBits(size/8)
		return func() { sinkInt = SumInt64(x, valid) }, func() {
			var s int64
			for i, v := range x {
				if valid[i>>3]&(1<<(i&7)) != 0 {
					s += v
				}
			}
			sinkInt = s
		}
	})
	add("sum-sel/int64", cached, func(size int) (func(), func()) {
		x, sel := ints64(size/8), halfSel(size/8)
		return func() { sinkInt = SumInt64Sel(x, sel) }, func() {
			var s int64
			for _, i := range sel {
				s += x[i]
			}
			sinkInt = s
		}
	})
	add("min/int64", cached, func(size int) (func(), func()) {
		x := ints64(size / 8)
		return func() { sinkInt = MinInt64(x, nil) }, func() {
			m := x[0]
			for _, v := range x {
				if v < m {
					m = v
				}
			}
			sinkInt = m
		}
	})
	add("max/float64", cached, func(size int) (func(), func()) {
		x := floats64(size / 8)
		return func() { sinkFloat = MaxFloat64(x, nil) }, func() {
			m := x[0]
			for _, v := range x {
				if v > m {
					m = v
				}
			}
			sinkFloat = m
		}
	})
	add("cmp-lt/int32", all, func(size int) (func(), func()) {
		x, out := ints32(size/4), make([]byte, size/32)
		return func() { CmpInt32(x, Lt, 3, out) }, func() {
			for i := 0; i+8 <= len(x); i += 8 {
				var b byte
				for j, v := range x[i : i+8] {
					if v < 3 {
						b |= 1 << j
					}
				}
				out[i/8] = b
			}
		}
	})
	add("cmp-lt/int64", all, func(size int) (func(), func()) {
		x, out := ints64(size/8), make([]byte, size/64)
		return func() { CmpInt64(x, Lt, 3, out) }, func() {
			for i := 0; i+8 <= len(x); i += 8 {
				var b byte
				for j, v := range x[i : i+8] {
					if v < 3 {
						b |= 1 << j
					}
				}
				out[i/8] = b
			}
		}
	})
	add("cmp-lt/float64", all, func(size int) (func(), func()) {
		x, out := floats64(size/8), make([]byte, size/64)
		return func() { CmpFloat64(x, Lt, 3, out) }, func() {
			for i := 0; i+8 <= len(x); i += 8 {
				var b byte
				for j, v := range x[i : i+8] {
					if v < 3 {
						b |= 1 << j
					}
				}
				out[i/8] = b
			}
		}
	})
	add("cmp-cols-eq/int64", cached, func(size int) (func(), func()) {
		x, out := ints64(size/8), make([]byte, size/64)
		x, y := x[:len(x)-8], x[8:]
		return func() { CmpInt64Cols(x, Eq, y, out) }, func() {
			for i := 0; i+8 <= len(x); i += 8 {
				var b byte
				for j := range 8 {
					if x[i+j] == y[i+j] {
						b |= 1 << j
					}
				}
				out[i/8] = b
			}
		}
	})
	add("between/int64", cached, func(size int) (func(), func()) {
		x, out := ints64(size/8), make([]byte, size/64)
		return func() { BetweenInt64(x, -2, 2, out) }, func() {
			for i := 0; i+8 <= len(x); i += 8 {
				var b byte
				for j, v := range x[i : i+8] {
					if -2 <= v && v <= 2 {
						b |= 1 << j
					}
				}
				out[i/8] = b
			}
		}
	})
	add("bitmap-and", cached, func(size int) (func(), func()) {
		a, b, dst := halfBits(size*8), sparseBits(size*8), make([]byte, size)
		return func() { BitmapAnd(dst, a, b) }, func() {
			for i := range dst {
				dst[i] = a[i] & b[i]
			}
		}
	})
	add("popcount", cached, func(size int) (func(), func()) {
		a := halfBits(size * 8)
		return func() { sinkInt = int64(Popcount(a, 8*len(a))) }, func() {
			n := 0
			for i := 0; i+8 <= len(a); i += 8 {
				n += bits.OnesCount64(binary.LittleEndian.Uint64(a[i:]))
			}
			sinkInt = int64(n)
		}
	})
	add("bitmap-to-sel", cached, func(size int) (func(), func()) {
		a, sel := halfBits(size*8), make([]int32, size*8)
		return func() { sinkInt = int64(BitmapToSel(a, 8*len(a), sel)) }, func() {
			k := 0
			for i := range 8 * len(a) {
				if a[i>>3]>>(i&7)&1 != 0 {
					sel[k] = int32(i)
					k++
				}
			}
			sinkInt = int64(k)
		}
	})
	add("gather/int64", cached, func(size int) (func(), func()) {
		src, sel := ints64(size/8), halfSel(size/8)
		dst := make([]int64, len(sel))
		return func() { GatherInt64(dst, src, sel) }, func() {
			for i, s := range sel {
				dst[i] = src[s]
			}
		}
	})
	add("hash/int64", cached, func(size int) (func(), func()) {
		keys := ints64(size / 8)
		out := make([]uint64, len(keys))
		return func() { HashInt64(keys, out) }, func() {
			for i, k := range keys {
				out[i] = mix(uint64(k) ^ hashSeed)
			}
		}
	})
	add("hash-fixed/16B", cached, func(size int) (func(), func()) {
		keys := bytesOf(ints64(size / 8))
		out := make([]uint64, len(keys)/16)
		return func() { HashFixed(keys, 16, out) }, func() {
			for i := range out {
				out[i] = hashKey(keys[16*i : 16*i+16])
			}
		}
	})
	add("probe", cached, func(size int) (func(), func()) {
		// A table twice the size of the probes, half full of their tags.
		hashes := make([]uint64, size/8)
		HashInt64(ints64(size/8), hashes)
		table := make([]uint64, 2*len(hashes))
		for _, h := range hashes[:len(hashes)/2] {
			table[ProbeFrom(table, h, int(h))] = Tag(h)
		}
		out := make([]int32, len(hashes))
		return func() { Probe(table, hashes, out) }, func() {
			mask := uint64(len(table) - 1)
			for i, h := range hashes {
				out[i] = int32(ProbeFrom(table, h, int(h&mask)))
			}
		}
	})
	return cs
}

func BenchmarkKernels(b *testing.B) {
	start := Active()
	defer SetLevel(start)
	for _, c := range benchCases() {
		var run, loop func()
		// setup runs in the sub-benchmarks, which -bench selects.
		ready := func() {
			if run == nil {
				run, loop = c.setup()
			}
		}
		b.Run(c.name+"/copy", func(b *testing.B) {
			src, dst := make([]byte, c.bytes), make([]byte, c.bytes)
			copy(dst, src) // fault the pages in before the timer starts
			b.SetBytes(int64(c.bytes))
			for b.Loop() {
				copy(dst, src)
			}
		})
		b.Run(c.name+"/loop", func(b *testing.B) {
			ready()
			b.SetBytes(int64(c.bytes))
			b.ReportAllocs()
			for b.Loop() {
				loop()
			}
		})
		for _, l := range Available() {
			b.Run(c.name+"/"+l.String(), func(b *testing.B) {
				ready()
				SetLevel(l)
				b.SetBytes(int64(c.bytes))
				b.ReportAllocs()
				for b.Loop() {
					run()
				}
			})
		}
	}
}
