package asm

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"
)

// The fuzz targets compare every available level with the reference on
// arbitrary bit patterns (every NaN payload, subnormals, extremes) and
// arbitrary lengths. Without -fuzz they run their seeds.

// levelKernels returns the kernels of every level this machine has.
func levelKernels() []*kernels {
	var ks []*kernels
	for _, k := range levels {
		if k != nil {
			ks = append(ks, k)
		}
	}
	return ks
}

// decode cuts data into 8-byte little-endian words.
func decode(data []byte) []uint64 {
	w := make([]uint64, len(data)/8)
	for i := range w {
		w[i] = binary.LittleEndian.Uint64(data[8*i:])
	}
	return w
}

func float64s(data []byte) []float64 {
	w := decode(data)
	x := make([]float64, len(w))
	for i, v := range w {
		x[i] = math.Float64frombits(v)
	}
	return x
}

func int64s(data []byte) []int64 {
	w := decode(data)
	x := make([]int64, len(w))
	for i, v := range w {
		x[i] = int64(v)
	}
	return x
}

func int32s(data []byte) []int32 {
	x := make([]int32, len(data)/4)
	for i := range x {
		x[i] = int32(binary.LittleEndian.Uint32(data[4*i:]))
	}
	return x
}

// seedFloats are values of every class, for the seeds.
var seedFloats = []float64{0, math.Copysign(0, -1), 1, -1, math.NaN(), math.Inf(1), math.Inf(-1),
	math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, 1e300, -1e300, 0.1, 3, 3}

func seedBytes(n int) []byte {
	b := make([]byte, 0, 8*n)
	for i := range n {
		v := seedFloats[i%len(seedFloats)]
		if i%7 == 3 {
			v = math.Float64frombits(0xfff8000000000000 | uint64(i)) // a negative NaN
		}
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// fuzzBitmaps checks that compare(k, out) writes at every level what it
// writes with Generic, for n rows.
func fuzzBitmaps(t *testing.T, n int, compare func(k *kernels, out []byte)) {
	want := make([]byte, (n+7)/8)
	compare(&genericKernels, want)
	for _, k := range levelKernels() {
		got := make([]byte, (n+7)/8)
		compare(k, got)
		if !slices.Equal(got, want) {
			t.Fatalf("%s: %08b, want %08b", k.level, got, want)
		}
	}
}

func FuzzCompareFloat64(f *testing.F) {
	for _, n := range []int{0, 7, 16, 33, 70} {
		for op := range numOps {
			f.Add(seedBytes(n), uint8(op), seedFloats[n%len(seedFloats)], seedFloats[(n+int(op))%len(seedFloats)])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, op uint8, c, d float64) {
		x := float64s(data)
		o := Op(op % uint8(numOps))
		half := len(x) / 2
		fuzzBitmaps(t, len(x), func(k *kernels, out []byte) { k.cmpF64(x, o, c, out) })
		fuzzBitmaps(t, len(x), func(k *kernels, out []byte) { k.betweenF64(x, c, d, out) })
		fuzzBitmaps(t, half, func(k *kernels, out []byte) { k.cmpColsF64(x[:half], o, x[half:2*half], out) })
	})
}

func FuzzCompareInt64(f *testing.F) {
	for _, n := range []int{0, 5, 16, 40} {
		f.Add(seedBytes(n), uint8(n%6), int64(n), int64(-n))
	}
	f.Add(binary.LittleEndian.AppendUint64(make([]byte, 64), 1<<63), uint8(Lt), int64(math.MinInt64), int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, data []byte, op uint8, c, d int64) {
		x := int64s(data)
		o := Op(op % uint8(numOps))
		half := len(x) / 2
		fuzzBitmaps(t, len(x), func(k *kernels, out []byte) { k.cmpI64(x, o, c, out) })
		fuzzBitmaps(t, len(x), func(k *kernels, out []byte) { k.betweenI64(x, c, d, out) })
		fuzzBitmaps(t, half, func(k *kernels, out []byte) { k.cmpColsI64(x[:half], o, x[half:2*half], out) })
	})
}

func FuzzCompareInt32(f *testing.F) {
	for _, n := range []int{0, 5, 16, 40} {
		f.Add(seedBytes(n), uint8(n%6), int32(n), int32(-n))
	}
	f.Fuzz(func(t *testing.T, data []byte, op uint8, c, d int32) {
		x := int32s(data)
		o := Op(op % uint8(numOps))
		half := len(x) / 2
		fuzzBitmaps(t, len(x), func(k *kernels, out []byte) { k.cmpI32(x, o, c, out) })
		fuzzBitmaps(t, len(x), func(k *kernels, out []byte) { k.betweenI32(x, c, d, out) })
		fuzzBitmaps(t, half, func(k *kernels, out []byte) { k.cmpColsI32(x[:half], o, x[half:2*half], out) })
	})
}

// fuzzValidity makes a validity bitmap for n rows from bits, or nil.
func fuzzValidity(bits []byte, n int) []byte {
	if len(bits) == 0 {
		return nil
	}
	v := make([]byte, (n+7)/8)
	for i := range v {
		v[i] = bits[i%len(bits)]
	}
	return v
}

func FuzzSumFloat64(f *testing.F) {
	for _, n := range []int{0, 3, 8, 17, 64, 100} {
		f.Add(seedBytes(n), []byte{})
		f.Add(seedBytes(n), []byte{0xa5, 0x0f})
	}
	f.Fuzz(func(t *testing.T, data, bits []byte) {
		x := float64s(data)
		valid := fuzzValidity(bits, len(x))
		want := genericKernels.sumF64(x, valid)
		wantMin, wantMax := genericKernels.minF64(x, valid), genericKernels.maxF64(x, valid)
		for _, k := range levelKernels() {
			if got := k.sumF64(x, valid); !closeSum(got, want, masked(x, valid)) {
				t.Fatalf("%s: sum = %g, want %g", k.level, got, want)
			}
			if got := k.minF64(x, valid); !sameFloat(got, wantMin) {
				t.Fatalf("%s: min = %g, want %g", k.level, got, wantMin)
			}
			if got := k.maxF64(x, valid); !sameFloat(got, wantMax) {
				t.Fatalf("%s: max = %g, want %g", k.level, got, wantMax)
			}
		}
	})
}

func FuzzSumInt64(f *testing.F) {
	for _, n := range []int{0, 3, 8, 17, 64, 100} {
		f.Add(seedBytes(n), []byte{})
		f.Add(seedBytes(n), []byte{0x5a, 0xff, 0})
	}
	f.Fuzz(func(t *testing.T, data, bits []byte) {
		x, y := int64s(data), int32s(data)
		vx, vy := fuzzValidity(bits, len(x)), fuzzValidity(bits, len(y))
		g := &genericKernels
		for _, k := range levelKernels() {
			if k.sumI64(x, vx) != g.sumI64(x, vx) || k.minI64(x, vx) != g.minI64(x, vx) || k.maxI64(x, vx) != g.maxI64(x, vx) {
				t.Fatalf("%s: int64 sum, min or max differs", k.level)
			}
			if k.sumI32(y, vy) != g.sumI32(y, vy) || k.minI32(y, vy) != g.minI32(y, vy) || k.maxI32(y, vy) != g.maxI32(y, vy) {
				t.Fatalf("%s: int32 sum, min or max differs", k.level)
			}
		}
	})
}
