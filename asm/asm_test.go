package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The tests run every kernel at every level this machine has and compare it
// with the Generic kernel on random data with extreme values, many lengths
// (every tail), unaligned starts and random validity bitmaps.

const maxLen = 3100

var rng = rand.New(rand.NewPCG(7, 11))

var (
	i32s      = genInts[int32](maxLen + 64)
	i64s      = genInts[int64](maxLen + 64)
	f64s      = genFloats(maxLen+64, true)
	f64Finite = genFloats(maxLen+64, false)
	// bitmaps by density of set bits, each with room for any offset.
	bitmaps = map[string][]byte{
		"none":   genBitmap(0),
		"all":    genBitmap(1),
		"sparse": genBitmap(0.05),
		"half":   genBitmap(0.5),
		"dense":  genBitmap(0.95),
	}
	densities = []string{"none", "all", "sparse", "half", "dense"}
)

// genInts mixes small values (so that equality is common), values over the
// whole range, the type's extremes and repeats.
func genInts[T int32 | int64](n int) []T {
	bits := 32
	if _, ok := any(T(0)).(int64); ok {
		bits = 64
	}
	lo, hi := T(-1)<<(bits-1), ^(T(-1) << (bits - 1))
	extremes := []T{lo, hi, lo + 1, hi - 1, 0, -1, 1}
	x := make([]T, n)
	for i := range x {
		switch r := rng.IntN(10); {
		case r < 4:
			x[i] = T(rng.IntN(9) - 4)
		case r < 8:
			x[i] = T(rng.Uint64())
		case r < 9:
			x[i] = extremes[rng.IntN(len(extremes))]
		default:
			x[i] = x[rng.IntN(i+1)]
		}
	}
	return x
}

// genFloats is genInts for float64; special adds NaN, ±Inf, -0 and the
// extremes of the range, which float sums cannot compare closely.
func genFloats(n int, special bool) []float64 {
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0,
		math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64}
	x := make([]float64, n)
	for i := range x {
		switch r := rng.IntN(20); {
		case r < 8:
			x[i] = float64(rng.IntN(9) - 4)
		case r < 16:
			x[i] = rng.NormFloat64() * 1000
		case r < 17 && special:
			x[i] = specials[rng.IntN(len(specials))]
		default:
			x[i] = x[rng.IntN(i+1)]
		}
	}
	return x
}

func genBitmap(density float64) []byte {
	b := make([]byte, (maxLen+64)/8+8)
	for i := range b {
		for j := range 8 {
			if rng.Float64() < density {
				b[i] |= 1 << j
			}
		}
	}
	return b
}

// lengths are every length up to 130, which covers every tail and a few
// turns of the unrolled loop of every level (at most 64 elements a turn),
// and lengths around larger powers of two and maxLen.
func lengths() []int {
	var ns []int
	for n := range 131 {
		ns = append(ns, n)
	}
	for _, m := range []int{192, 256, 511, 1024, 2048, maxLen - 1} {
		ns = append(ns, m-1, m, m+1)
	}
	return ns
}

// offsets are the slice starts tried for a length: all of 0..7 for short
// slices, two for long ones.
func offsets(n int) []int {
	if n <= 130 {
		return []int{0, 1, 2, 3, 4, 5, 6, 7}
	}
	return []int{0, 1 + n%7}
}

// eachLevel runs f with every level that this machine and build have,
// saying which ones it could not test, and restores the start-up level.
func eachLevel(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	start := Active()
	defer SetLevel(start)
	for l := range numLevels {
		if levels[l] == nil {
			t.Logf("level %s is not available on this CPU and build: not tested", l)
			continue
		}
		if err := SetLevel(l); err != nil {
			t.Fatal(err)
		}
		t.Run(l.String(), f)
	}
}

// forCases calls f for every length and offset until a case fails.
func forCases(t *testing.T, f func(n, off int) bool) {
	t.Helper()
	for _, n := range lengths() {
		for _, off := range offsets(n) {
			if !f(n, off) {
				return
			}
		}
	}
}

// sameFloat reports whether a and b are equal in SQL order (NaN equals NaN,
// -0 equals 0).
func sameFloat(a, b float64) bool { return order(a, b) == 0 }

// closeSum reports whether got may be the sum want of x added in another
// order: NaN in gives NaN out, infinities match, and finite sums agree
// within n·2^-52·sum|x|, the sum of both orders' worst rounding errors.
func closeSum(got, want float64, x []float64) bool {
	abs := 0.0
	for _, v := range x {
		if !math.IsInf(v, 0) {
			abs += math.Abs(v)
		}
	}
	switch {
	case hasNaN(x) || hasInf(x, 1) && hasInf(x, -1):
		return math.IsNaN(got) && math.IsNaN(want)
	case math.IsInf(abs, 0):
		return true // finite values overflow part way, depending on the order
	case hasInf(x, 0):
		return got == want
	}
	return math.Abs(got-want) <= float64(len(x)+1)*0x1p-52*abs
}

func hasNaN(x []float64) bool { return slices.ContainsFunc(x, math.IsNaN) }

func hasInf(x []float64, sign int) bool {
	return slices.ContainsFunc(x, func(v float64) bool { return math.IsInf(v, sign) })
}

// masked returns the valid values of x, to check float sums against.
func masked(x []float64, valid []byte) []float64 {
	var v []float64
	for i, f := range x {
		if valid == nil || bit(valid, i) {
			v = append(v, f)
		}
	}
	return v
}

func TestLevels(t *testing.T) {
	av := Available()
	t.Logf("available levels %v, active %s", av, Active())
	if av[0] != Generic || Active() != av[len(av)-1] {
		t.Fatalf("Available() = %v, Active() = %s: want Generic first and the best active", av, Active())
	}
	if err := SetLevel(numLevels); err == nil {
		t.Fatal("SetLevel accepted an unknown level")
	}
	for l := range numLevels {
		if err := SetLevel(l); (err == nil) != (levels[l] != nil) {
			t.Errorf("SetLevel(%s) = %v with the level available = %v", l, err, levels[l] != nil)
		}
	}
	SetLevel(av[len(av)-1])
	if Active() != av[len(av)-1] {
		t.Fatal("SetLevel did not restore the best level")
	}
}

func TestSumMinMax(t *testing.T) {
	eachLevel(t, func(t *testing.T) {
		forCases(t, func(n, off int) bool {
			for _, d := range append([]string{""}, densities...) {
				var valid []byte
				if d != "" {
					valid = bitmaps[d][off:]
				}
				where := fmt.Sprintf("n=%d off=%d valid=%q", n, off, d)
				ok := checkInts(t, where, i32s[off:off+n], valid, SumInt32, MinInt32, MaxInt32, genericKernels.minI32, genericKernels.maxI32) &&
					checkInts(t, where, i64s[off:off+n], valid, SumInt64, MinInt64, MaxInt64, genericKernels.minI64, genericKernels.maxI64) &&
					checkFloats(t, where, f64s[off:off+n], valid) &&
					checkFloats(t, where, f64Finite[off:off+n], valid)
				if !ok {
					return false
				}
			}
			return true
		})
	})
}

func checkInts[T int32 | int64](t *testing.T, where string, x []T, valid []byte,
	sumF func([]T, []byte) int64, minF, maxF, refMin, refMax func([]T, []byte) T) bool {
	t.Helper()
	if got, want := sumF(x, valid), sum[T, int64](x, valid); got != want {
		t.Errorf("%s: sum of %T = %d, want %d", where, x, got, want)
		return false
	}
	if got, want := minF(x, valid), refMin(x, valid); got != want {
		t.Errorf("%s: min of %T = %d, want %d", where, x, got, want)
		return false
	}
	if got, want := maxF(x, valid), refMax(x, valid); got != want {
		t.Errorf("%s: max of %T = %d, want %d", where, x, got, want)
		return false
	}
	return true
}

func checkFloats(t *testing.T, where string, x []float64, valid []byte) bool {
	t.Helper()
	want := sum[float64, float64](x, valid)
	if got := SumFloat64(x, valid); !closeSum(got, want, masked(x, valid)) {
		t.Errorf("%s: float sum = %g, want %g", where, got, want)
		return false
	}
	if got, want := MinFloat64(x, valid), genericKernels.minF64(x, valid); !sameFloat(got, want) {
		t.Errorf("%s: float min = %g, want %g", where, got, want)
		return false
	}
	if got, want := MaxFloat64(x, valid), genericKernels.maxF64(x, valid); !sameFloat(got, want) {
		t.Errorf("%s: float max = %g, want %g", where, got, want)
		return false
	}
	return true
}

// TestLongSums covers the prefetching loop of the sums, which starts at a
// MiB of input.
func TestLongSums(t *testing.T) {
	const n = 300_003
	x32, x64, xf := make([]int32, n), make([]int64, n), make([]float64, n)
	valid := make([]byte, (n+7)/8)
	for i := range n {
		x32[i], x64[i], xf[i] = i32s[i%maxLen], i64s[i%maxLen], f64Finite[i%maxLen]
	}
	copy(valid, bitmaps["half"])
	for i := len(bitmaps["half"]); i < len(valid); i++ {
		valid[i] = byte(i * 37)
	}
	eachLevel(t, func(t *testing.T) {
		for _, v := range [][]byte{nil, valid} {
			if got, want := SumInt32(x32, v), sum[int32, int64](x32, v); got != want {
				t.Errorf("SumInt32 = %d, want %d", got, want)
			}
			if got, want := SumInt64(x64, v), sum[int64, int64](x64, v); got != want {
				t.Errorf("SumInt64 = %d, want %d", got, want)
			}
			if got, want := SumFloat64(xf, v), sum[float64, float64](xf, v); !closeSum(got, want, masked(xf, v)) {
				t.Errorf("SumFloat64 = %g, want %g", got, want)
			}
		}
	})
}

func TestSumSelAndGather(t *testing.T) {
	// Selection vectors: increasing (from a bitmap), random with repeats.
	eachLevel(t, func(t *testing.T) {
		forCases(t, func(n, off int) bool {
			src := maxLen - off
			sels := [][]int32{
				randSel(n, src, true),
				randSel(n, src, false),
			}
			for _, sel := range sels {
				where := fmt.Sprintf("n=%d off=%d", n, off)
				if got, want := SumInt32Sel(i32s[off:], sel), sumSel[int32, int64](i32s[off:], sel); got != want {
					t.Errorf("%s: SumInt32Sel = %d, want %d", where, got, want)
					return false
				}
				if got, want := SumInt64Sel(i64s[off:], sel), sumSel[int64, int64](i64s[off:], sel); got != want {
					t.Errorf("%s: SumInt64Sel = %d, want %d", where, got, want)
					return false
				}
				x := f64s[off:]
				if got, want := SumFloat64Sel(x, sel), sumSel[float64, float64](x, sel); !closeSum(got, want, gathered(x, sel)) {
					t.Errorf("%s: SumFloat64Sel = %g, want %g", where, got, want)
					return false
				}
				d32 := make([]int32, len(sel)+1)
				d32[len(sel)] = 42
				GatherInt32(d32, i32s[off:], sel)
				d64 := make([]int64, len(sel)+1)
				d64[len(sel)] = 42
				GatherInt64(d64, i64s[off:], sel)
				df := make([]float64, len(sel))
				GatherFloat64(df, x, sel)
				for i, s := range sel {
					if d32[i] != i32s[off+int(s)] || d64[i] != i64s[off+int(s)] || math.Float64bits(df[i]) != math.Float64bits(x[s]) {
						t.Errorf("%s: gather of row %d (sel %d) wrong", where, i, s)
						return false
					}
				}
				if d32[len(sel)] != 42 || d64[len(sel)] != 42 {
					t.Errorf("%s: gather wrote past len(sel)", where)
					return false
				}
			}
			return true
		})
	})
}

func randSel(n, src int, increasing bool) []int32 {
	sel := make([]int32, n)
	for i := range sel {
		sel[i] = int32(rng.IntN(src))
	}
	if increasing {
		slices.Sort(sel)
	}
	return sel
}

func gathered(x []float64, sel []int32) []float64 {
	g := make([]float64, len(sel))
	for i, s := range sel {
		g[i] = x[s]
	}
	return g
}

func TestSelectionOutOfRange(t *testing.T) {
	eachLevel(t, func(t *testing.T) {
		x := make([]int64, 100)
		for _, bad := range []int32{100, -1, math.MaxInt32, math.MinInt32} {
			sel := make([]int32, 64)
			sel[37] = bad
			for name, f := range map[string]func(){
				"SumInt64Sel": func() { SumInt64Sel(x, sel) },
				"GatherInt64": func() { GatherInt64(make([]int64, 64), x, sel) },
				"SumInt32Sel": func() { SumInt32Sel(make([]int32, 100), sel) },
			} {
				if !panics(f) {
					t.Errorf("%s with index %d did not panic", name, bad)
				}
			}
		}
	})
}

func panics(f func()) (p bool) {
	defer func() { p = recover() != nil }()
	f()
	return false
}

// cmpCase is one comparison, run at the active level (got) and by the
// reference (want).
type cmpCase struct {
	name      string
	got, want func(out []byte)
}

func TestCompare(t *testing.T) {
	eachLevel(t, func(t *testing.T) {
		forCases(t, func(n, off int) bool {
			a32, b32 := i32s[off:off+n], i32s[off+3:off+3+n]
			a64, b64 := i64s[off:off+n], i64s[off+5:off+5+n]
			af, bf := f64s[off:off+n], f64s[off+1:off+1+n]
			var cases []cmpCase
			for op := range numOps {
				for _, c := range consts(a32, math.MinInt32, math.MaxInt32) {
					cases = append(cases, cmpCase{fmt.Sprintf("int32 x %v %d", op, c),
						func(out []byte) { CmpInt32(a32, op, c, out) },
						func(out []byte) { cmpConst(a32, op, c, out) }})
				}
				for _, c := range consts(a64, math.MinInt64, math.MaxInt64) {
					cases = append(cases, cmpCase{fmt.Sprintf("int64 x %v %d", op, c),
						func(out []byte) { CmpInt64(a64, op, c, out) },
						func(out []byte) { cmpConst(a64, op, c, out) }})
				}
				for _, c := range append(consts(af, math.Inf(-1), math.Inf(1)), math.NaN(), 0, -math.MaxFloat64) {
					cases = append(cases, cmpCase{fmt.Sprintf("float64 x %v %g", op, c),
						func(out []byte) { CmpFloat64(af, op, c, out) },
						func(out []byte) { cmpConst(af, op, c, out) }})
				}
				cases = append(cases,
					cmpCase{fmt.Sprintf("int32 a %v b", op),
						func(out []byte) { CmpInt32Cols(a32, op, b32, out) },
						func(out []byte) { cmpCols(a32, op, b32, out) }},
					cmpCase{fmt.Sprintf("int64 a %v b", op),
						func(out []byte) { CmpInt64Cols(a64, op, b64, out) },
						func(out []byte) { cmpCols(a64, op, b64, out) }},
					cmpCase{fmt.Sprintf("float64 a %v b", op),
						func(out []byte) { CmpFloat64Cols(af, op, bf, out) },
						func(out []byte) { cmpCols(af, op, bf, out) }})
			}
			bounds32 := consts(a32, math.MinInt32, math.MaxInt32)
			bounds64 := consts(a64, math.MinInt64, math.MaxInt64)
			boundsF := append(consts(af, math.Inf(-1), math.Inf(1)), math.NaN())
			for _, lo := range bounds32 {
				for _, hi := range bounds32 {
					cases = append(cases, cmpCase{fmt.Sprintf("int32 BETWEEN %d AND %d", lo, hi),
						func(out []byte) { BetweenInt32(a32, lo, hi, out) },
						func(out []byte) { between(a32, lo, hi, out) }})
				}
			}
			for _, lo := range bounds64 {
				for _, hi := range bounds64 {
					cases = append(cases, cmpCase{fmt.Sprintf("int64 BETWEEN %d AND %d", lo, hi),
						func(out []byte) { BetweenInt64(a64, lo, hi, out) },
						func(out []byte) { between(a64, lo, hi, out) }})
				}
			}
			for _, lo := range boundsF {
				for _, hi := range boundsF {
					cases = append(cases, cmpCase{fmt.Sprintf("float64 BETWEEN %g AND %g", lo, hi),
						func(out []byte) { BetweenFloat64(af, lo, hi, out) },
						func(out []byte) { between(af, lo, hi, out) }})
				}
			}
			for _, c := range cases {
				if !checkBitmapOut(t, fmt.Sprintf("n=%d off=%d %s", n, off, c.name), n, c.got, c.want) {
					return false
				}
			}
			return true
		})
	})
}

// consts returns constants to compare x with: a value of x (so that
// equality holds somewhere), the type's extremes and a random value.
func consts[T number](x []T, lo, hi T) []T {
	c := []T{lo, hi, T(rng.IntN(9) - 4)}
	if len(x) > 0 {
		c = append(c, x[rng.IntN(len(x))])
	}
	return c
}

// checkBitmapOut compares the bitmaps that got and want write for n rows,
// and checks that got writes neither bits past n nor bytes past the bitmap.
func checkBitmapOut(t *testing.T, where string, n int, got, want func([]byte)) bool {
	t.Helper()
	size := (n + 7) / 8
	g, w := make([]byte, size+1), make([]byte, size)
	for i := range g {
		g[i] = 0xA5
	}
	got(g)
	want(w)
	if g[size] != 0xA5 {
		t.Errorf("%s: wrote past the bitmap", where)
		return false
	}
	if n%8 != 0 && g[size-1]>>(n%8) != 0 {
		t.Errorf("%s: bits past n are set: %08b", where, g[size-1])
		return false
	}
	for i := range w {
		if g[i] != w[i] {
			t.Errorf("%s: byte %d (rows %d..) = %08b, want %08b", where, i, 8*i, g[i], w[i])
			return false
		}
	}
	return true
}

func TestBitmaps(t *testing.T) {
	eachLevel(t, func(t *testing.T) {
		forCases(t, func(n, off int) bool {
			size := (n + 7) / 8
			for _, da := range densities {
				for _, db := range []string{"half", "sparse"} {
					a, b := bitmaps[da][off:off+size], bitmaps[db][off+1:off+1+size]
					for _, op := range []bitOp{bitAnd, bitOr, bitAndNot} {
						got, want := make([]byte, size+1), make([]byte, size)
						got[size] = 0xA5
						bitwise(got[:size], a, b, op)
						bitwiseGeneric(want, a, b, op)
						if !slices.Equal(got[:size], want) || got[size] != 0xA5 {
							t.Errorf("n=%d off=%d %s op %d %s: got %x want %x", n, off, da, op, db, got, want)
							return false
						}
					}
				}
				bm := bitmaps[da][off:]
				if got, want := Popcount(bm, n), popcountGeneric(bm, n); got != want {
					t.Errorf("n=%d off=%d %s: Popcount = %d, want %d", n, off, da, got, want)
					return false
				}
				if got := CountValid(bm, n); got != Popcount(bm, n) || CountValid(nil, n) != n {
					t.Errorf("n=%d off=%d %s: CountValid = %d", n, off, da, got)
					return false
				}
				want := make([]int32, n)
				k := toSelGeneric(bm, n, 0, want)
				// An exact fit and a roomy selection vector.
				for _, room := range []int{k, n + 16} {
					got := make([]int32, room+1)
					got[room] = -7
					if g := BitmapToSel(bm, n, got[:room]); g != k || !slices.Equal(got[:k], want[:k]) || got[room] != -7 {
						t.Errorf("n=%d off=%d %s room %d: BitmapToSel = %d %v, want %d %v", n, off, da, room, g, got[:g], k, want[:k])
						return false
					}
				}
				if k > 0 && !panics(func() { BitmapToSel(bm, n, make([]int32, k-1)) }) {
					t.Errorf("n=%d off=%d %s: BitmapToSel into a short vector did not panic", n, off, da)
					return false
				}
			}
			return true
		})
	})
}

func TestHash(t *testing.T) {
	eachLevel(t, func(t *testing.T) {
		forCases(t, func(n, off int) bool {
			keys := i64s[off : off+n]
			got, want := make([]uint64, n+1), make([]uint64, n)
			HashInt64(keys, got)
			hashInt64Generic(keys, want)
			if !slices.Equal(got[:n], want) || got[n] != 0 {
				t.Errorf("n=%d off=%d: HashInt64 differs", n, off)
				return false
			}
			raw := bytesOf(i64s)[off:]
			for _, width := range []int{1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24, 31, 40} {
				m := min(n, len(raw)/width)
				// The keys end exactly at the end of the slice, so a kernel
				// that reads a word past a short key would fault or differ.
				k := raw[: m*width : m*width]
				got, want := make([]uint64, m+1), make([]uint64, m)
				HashFixed(k, width, got[:m])
				hashFixedGeneric(k, width, want)
				if !slices.Equal(got[:m], want) || got[m] != 0 {
					t.Errorf("n=%d off=%d width=%d: HashFixed differs", m, off, width)
					return false
				}
			}
			return true
		})
	})
}

func bytesOf(x []int64) []byte {
	b := make([]byte, 8*len(x))
	for i, v := range x {
		for j := range 8 {
			b[8*i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

func TestProbe(t *testing.T) {
	eachLevel(t, func(t *testing.T) {
		for _, size := range []int{1, 2, 8, 64, 1024} {
			for _, fill := range []float64{0, 0.5, 0.9, 1} {
				// A table of random keys' tags inserted with linear probing,
				// probed for keys in it and keys not in it.
				table := make([]uint64, size)
				keys := make([]int64, 0, 2*size)
				for range int(fill * float64(size)) {
					k := int64(rng.Uint64())
					h := make([]uint64, 1)
					HashInt64([]int64{k}, h)
					table[ProbeFrom(table, h[0], int(h[0]))] = Tag(h[0])
					keys = append(keys, k)
				}
				for range size {
					keys = append(keys, int64(rng.Uint64()))
				}
				hashes := make([]uint64, len(keys))
				HashInt64(keys, hashes)
				for _, n := range []int{0, 1, 3, 4, 7, 8, 9, 15, 16, 17, len(hashes)} {
					n = min(n, len(hashes))
					got, want := make([]int32, n), make([]int32, n)
					Probe(table, hashes[:n], got)
					probeGeneric(table, hashes[:n], want)
					if !slices.Equal(got, want) {
						t.Fatalf("size %d fill %g n %d: Probe = %v, want %v", size, fill, n, got, want)
					}
				}
			}
		}
	})
}

// TestSemantics pins down the meaning of the kernels (SQL NaN order, empty
// inputs, wrapping, the hash function) at every level, so that the
// reference itself is checked and not only compared.
func TestSemantics(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	eachLevel(t, func(t *testing.T) {
		// Long enough to reach the vector loops of every level.
		rep := func(v ...float64) []float64 {
			var x []float64
			for range 40 {
				x = append(x, v...)
			}
			return x
		}
		minMax := []struct {
			x        []float64
			min, max float64
		}{
			{nil, inf, -inf},
			{rep(nan), nan, nan},
			{rep(1, nan), 1, nan},
			{rep(inf, nan), inf, nan},
			{rep(-inf, 3, 2), -inf, 3},
			{append(rep(5), nan), 5, nan},
			{append(rep(nan), 7), 7, nan},
		}
		for _, c := range minMax {
			if got := MinFloat64(c.x, nil); !sameFloat(got, c.min) {
				t.Errorf("MinFloat64(%v) = %g, want %g", c.x, got, c.min)
			}
			if got := MaxFloat64(c.x, nil); !sameFloat(got, c.max) {
				t.Errorf("MaxFloat64(%v) = %g, want %g", c.x, got, c.max)
			}
		}
		// All rows null: the empty results, whatever the values.
		none := make([]byte, 10)
		if MinFloat64(rep(nan, 1), none) != inf || MaxInt64(make([]int64, 80), none) != math.MinInt64 || SumInt32(make([]int32, 80), none) != 0 {
			t.Error("aggregates over null rows are not the empty results")
		}
		sums := []struct {
			x    []float64
			want float64
		}{
			{rep(1, nan), nan}, {rep(inf, -inf), nan}, {rep(inf, 1), inf}, {rep(-inf, 1), -inf}, {rep(1.5), 60},
		}
		for _, c := range sums {
			if got := SumFloat64(c.x, nil); !sameFloat(got, c.want) {
				t.Errorf("SumFloat64(%v) = %g, want %g", c.x, got, c.want)
			}
		}
		big := []int64{math.MaxInt64, 1}
		if SumInt64(big, nil) != math.MinInt64 {
			t.Error("SumInt64 does not wrap")
		}
		// x op c for x = [1, NaN, +Inf, -0]: the expected bits, LSB first.
		x := rep(1, nan, inf, math.Copysign(0, -1))
		cmps := []struct {
			op   Op
			c    float64
			want byte
		}{
			{Eq, nan, 0b0010}, {Ne, nan, 0b1101}, {Lt, nan, 0b1101}, {Le, nan, 0b1111}, {Gt, nan, 0}, {Ge, nan, 0b0010},
			{Eq, inf, 0b0100}, {Gt, inf, 0b0010}, {Ge, inf, 0b0110}, {Lt, inf, 0b1001},
			{Eq, 0, 0b1000}, {Ne, 1, 0b1110}, {Gt, 0, 0b0111}, {Le, 1, 0b1001},
		}
		// Each byte of a bitmap of x holds the pattern twice.
		twice := func(out []byte, w byte) bool {
			for _, b := range out {
				if b != w|w<<4 {
					return false
				}
			}
			return true
		}
		out := make([]byte, len(x)/8)
		for _, c := range cmps {
			CmpFloat64(x, c.op, c.c, out)
			if !twice(out, c.want) {
				t.Errorf("[1 NaN +Inf -0] %v %g = %08b, want %04b twice", c.op, c.c, out, c.want)
			}
		}
		betweens := []struct {
			lo, hi float64
			want   byte
		}{
			{0, inf, 0b1101}, {0, nan, 0b1111}, {nan, nan, 0b0010}, {nan, 5, 0}, {2, 1, 0},
		}
		for _, c := range betweens {
			BetweenFloat64(x, c.lo, c.hi, out)
			if !twice(out, c.want) {
				t.Errorf("[1 NaN +Inf -0] BETWEEN %g AND %g = %08b, want %04b twice", c.lo, c.hi, out, c.want)
			}
		}
		cols := []struct {
			op   Op
			b    []float64
			want byte
		}{
			{Eq, rep(1, nan, 2, 0), 0b1011}, {Ne, rep(1, nan, 2, 0), 0b0100},
			{Lt, rep(nan, 1, nan, 0), 0b0101}, {Ge, rep(nan, 1, nan, 0), 0b1010},
			{Gt, rep(0, nan, 2, -1), 0b1101}, {Le, rep(0, nan, 2, -1), 0b0010},
		}
		for _, c := range cols {
			CmpFloat64Cols(x, c.op, c.b, out)
			if !twice(out, c.want) {
				t.Errorf("[1 NaN +Inf -0] %v %v = %08b, want %04b twice", c.op, c.b[:4], out, c.want)
			}
		}
		// splitmix64 seeded with 0 first returns 0xe220a8397b1dcdaf.
		h := make([]uint64, 1)
		HashInt64([]int64{0}, h)
		if h[0] != 0xe220a8397b1dcdaf {
			t.Errorf("HashInt64(0) = %#x, want splitmix64's first output", h[0])
		}
		HashFixed([]byte{0, 0, 0}, 3, h)
		if h[0] != 0xe220a8397b1dcdaf {
			t.Errorf("HashFixed of a zero key = %#x, want HashInt64(0)", h[0])
		}
	})
}

func TestArgumentChecks(t *testing.T) {
	for name, f := range map[string]func(){
		"short validity":  func() { SumInt64(make([]int64, 9), make([]byte, 1)) },
		"short output":    func() { CmpInt32(make([]int32, 17), Lt, 0, make([]byte, 2)) },
		"nil bitmap":      func() { Popcount(nil, 9) },
		"bad op":          func() { CmpInt64(nil, numOps, 0, nil) },
		"column lengths":  func() { CmpInt64Cols(make([]int64, 3), Eq, make([]int64, 2), make([]byte, 1)) },
		"short gather":    func() { GatherInt32(make([]int32, 1), make([]int32, 5), []int32{0, 1}) },
		"table size":      func() { Probe(make([]uint64, 3), nil, nil) },
		"short keys":      func() { HashFixed(make([]byte, 7), 4, make([]uint64, 2)) },
		"zero width":      func() { HashFixed(nil, 0, nil) },
		"short bitmap op": func() { BitmapAnd(make([]byte, 3), make([]byte, 2), make([]byte, 3)) },
	} {
		if !panics(f) {
			t.Errorf("%s: no panic", name)
		}
	}
}
