package asm

import (
	"fmt"
	"unsafe"
)

// Op is a comparison operator.
type Op uint8

// The comparison operators, with SQL's meaning (see the package doc for
// float64 and NaN).
const (
	Eq Op = iota // =
	Ne           // <>
	Lt           // <
	Le           // <=
	Gt           // >
	Ge           // >=
	numOps
)

// String returns the operator as SQL writes it.
func (op Op) String() string {
	if op >= numOps {
		return fmt.Sprintf("Op(%d)", uint8(op))
	}
	return [...]string{"=", "<>", "<", "<=", ">", ">="}[op]
}

// SumInt32 returns the sum of the values of x whose bit is set in valid (all
// of them when valid is nil). Use it with a selection bitmap, or with the AND
// of validity and selection, to aggregate a filtered column in place.
func SumInt32(x []int32, valid []byte) int64 {
	checkBitmap(valid, len(x))
	return active.Load().sumI32(x, valid)
}

// SumInt64 is SumInt32 for int64; the sum wraps on overflow.
func SumInt64(x []int64, valid []byte) int64 {
	checkBitmap(valid, len(x))
	return active.Load().sumI64(x, valid)
}

// SumFloat64 is SumInt32 for float64 (see the package doc for rounding and
// NaN).
func SumFloat64(x []float64, valid []byte) float64 {
	checkBitmap(valid, len(x))
	return active.Load().sumF64(x, valid)
}

// MinInt32 returns the smallest valid value of x, or math.MaxInt32 when no
// value is valid: the caller decides NULL from CountValid.
func MinInt32(x []int32, valid []byte) int32 {
	checkBitmap(valid, len(x))
	return active.Load().minI32(x, valid)
}

// MaxInt32 returns the largest valid value of x, or math.MinInt32 when no
// value is valid.
func MaxInt32(x []int32, valid []byte) int32 {
	checkBitmap(valid, len(x))
	return active.Load().maxI32(x, valid)
}

// MinInt64 is MinInt32 for int64 (math.MaxInt64 when no value is valid).
func MinInt64(x []int64, valid []byte) int64 {
	checkBitmap(valid, len(x))
	return active.Load().minI64(x, valid)
}

// MaxInt64 is MaxInt32 for int64 (math.MinInt64 when no value is valid).
func MaxInt64(x []int64, valid []byte) int64 {
	checkBitmap(valid, len(x))
	return active.Load().maxI64(x, valid)
}

// MinFloat64 returns the smallest valid value of x in SQL order: NaN only
// when every valid value is NaN, +Inf when no value is valid.
func MinFloat64(x []float64, valid []byte) float64 {
	checkBitmap(valid, len(x))
	return active.Load().minF64(x, valid)
}

// MaxFloat64 returns the largest valid value of x in SQL order: NaN when any
// valid value is NaN, -Inf when no value is valid.
func MaxFloat64(x []float64, valid []byte) float64 {
	checkBitmap(valid, len(x))
	return active.Load().maxF64(x, valid)
}

// CountValid returns the number of valid rows among the first n: the
// population count of the validity bitmap, or n when it is nil.
func CountValid(valid []byte, n int) int {
	if valid == nil {
		return n
	}
	return Popcount(valid, n)
}

// SumInt32Sel returns the sum of x[i] for each index i in sel (filtered
// aggregation through a selection vector, without gathering first).
func SumInt32Sel(x []int32, sel []int32) int64 { return active.Load().sumSelI32(x, sel) }

// SumInt64Sel is SumInt32Sel for int64; the sum wraps on overflow.
func SumInt64Sel(x []int64, sel []int32) int64 { return active.Load().sumSelI64(x, sel) }

// SumFloat64Sel is SumInt32Sel for float64.
func SumFloat64Sel(x []float64, sel []int32) float64 { return active.Load().sumSelF64(x, sel) }

// CmpInt32 sets bit i of out to x[i] op c, for the len(x) rows.
func CmpInt32(x []int32, op Op, c int32, out []byte) {
	checkCmp(op, out, len(x))
	active.Load().cmpI32(x, op, c, out)
}

// CmpInt64 is CmpInt32 for int64.
func CmpInt64(x []int64, op Op, c int64, out []byte) {
	checkCmp(op, out, len(x))
	active.Load().cmpI64(x, op, c, out)
}

// CmpFloat64 is CmpInt32 for float64, in SQL order (NaN = NaN, NaN > all).
func CmpFloat64(x []float64, op Op, c float64, out []byte) {
	checkCmp(op, out, len(x))
	active.Load().cmpF64(x, op, c, out)
}

// CmpInt32Cols sets bit i of out to a[i] op b[i]; a and b have one length.
func CmpInt32Cols(a []int32, op Op, b []int32, out []byte) {
	checkCols(len(a), len(b))
	checkCmp(op, out, len(a))
	active.Load().cmpColsI32(a, op, b, out)
}

// CmpInt64Cols is CmpInt32Cols for int64.
func CmpInt64Cols(a []int64, op Op, b []int64, out []byte) {
	checkCols(len(a), len(b))
	checkCmp(op, out, len(a))
	active.Load().cmpColsI64(a, op, b, out)
}

// CmpFloat64Cols is CmpInt32Cols for float64, in SQL order.
func CmpFloat64Cols(a []float64, op Op, b []float64, out []byte) {
	checkCols(len(a), len(b))
	checkCmp(op, out, len(a))
	active.Load().cmpColsF64(a, op, b, out)
}

// BetweenInt32 sets bit i of out to lo <= x[i] AND x[i] <= hi (SQL BETWEEN;
// empty when lo > hi).
func BetweenInt32(x []int32, lo, hi int32, out []byte) {
	checkBits(out, len(x))
	active.Load().betweenI32(x, lo, hi, out)
}

// BetweenInt64 is BetweenInt32 for int64.
func BetweenInt64(x []int64, lo, hi int64, out []byte) {
	checkBits(out, len(x))
	active.Load().betweenI64(x, lo, hi, out)
}

// BetweenFloat64 is BetweenInt32 for float64, in SQL order.
func BetweenFloat64(x []float64, lo, hi float64, out []byte) {
	checkBits(out, len(x))
	active.Load().betweenF64(x, lo, hi, out)
}

// bitOp is a bitwise operation of BitmapAnd, BitmapOr and BitmapAndNot.
type bitOp uint8

const (
	bitAnd bitOp = iota
	bitOr
	bitAndNot
)

// BitmapAnd sets dst[i] = a[i] & b[i] for every byte of dst.
func BitmapAnd(dst, a, b []byte) { bitwise(dst, a, b, bitAnd) }

// BitmapOr sets dst[i] = a[i] | b[i] for every byte of dst.
func BitmapOr(dst, a, b []byte) { bitwise(dst, a, b, bitOr) }

// BitmapAndNot sets dst[i] = a[i] &^ b[i] for every byte of dst (rows of a
// that are not in b).
func BitmapAndNot(dst, a, b []byte) { bitwise(dst, a, b, bitAndNot) }

func bitwise(dst, a, b []byte, op bitOp) {
	if len(a) < len(dst) || len(b) < len(dst) {
		panic(fmt.Sprintf("asm: bitmap operands of %d and %d bytes for %d bytes", len(a), len(b), len(dst)))
	}
	active.Load().bitwise(dst, a, b, op)
}

// Popcount returns the number of set bits among the first n bits of bits.
func Popcount(bits []byte, n int) int {
	checkBits(bits, n)
	return active.Load().popcount(bits, n)
}

// BitmapToSel writes the index of every set bit among the first n bits of
// bits to sel, in increasing order, and returns how many it wrote. It panics
// when sel is too short.
func BitmapToSel(bits []byte, n int, sel []int32) int {
	checkBits(bits, n)
	if uint64(n) > 1<<31 {
		panic(fmt.Sprintf("asm: bitmap of %d rows is longer than a selection vector can index", n))
	}
	return active.Load().toSel(bits, n, sel)
}

// GatherInt32 sets dst[i] = src[sel[i]] for every i of sel.
func GatherInt32(dst, src []int32, sel []int32) {
	checkGather(len(dst), len(sel))
	active.Load().gather32(dst, src, sel)
}

// GatherInt64 sets dst[i] = src[sel[i]] for every i of sel.
func GatherInt64(dst, src []int64, sel []int32) {
	checkGather(len(dst), len(sel))
	active.Load().gather64(dst, src, sel)
}

// GatherFloat64 sets dst[i] = src[sel[i]] for every i of sel.
func GatherFloat64(dst, src []float64, sel []int32) {
	checkGather(len(dst), len(sel))
	// A gather moves bits, so float64 shares the int64 kernel.
	active.Load().gather64(asInt64s(dst), asInt64s(src), sel)
}

func asInt64s(x []float64) []int64 {
	return unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}

// HashInt64 sets out[i] to the 64-bit hash of keys[i]. The hash is a
// bijection of int64 (distinct keys never collide) whose every output bit
// depends on every input bit, so any bits of it can index a table.
func HashInt64(keys []int64, out []uint64) {
	if len(out) < len(keys) {
		panic(fmt.Sprintf("asm: %d hashes for %d keys", len(out), len(keys)))
	}
	active.Load().hashInt64(keys, out[:len(keys)])
}

// HashFixed sets out[i] to the hash of the width-byte key
// keys[i*width:(i+1)*width], for the len(out) keys. A key of 8 bytes or
// fewer hashes as HashInt64 hashes its little-endian value, so a key column
// and its int64 form meet in one table.
func HashFixed(keys []byte, width int, out []uint64) {
	if width < 1 || len(keys)/width < len(out) {
		panic(fmt.Sprintf("asm: %d bytes of keys of width %d for %d hashes", len(keys), width, len(out)))
	}
	active.Load().hashFixed(keys, width, out)
}

// Tag returns what an open-addressing table for Probe stores in the slot of
// a key whose hash is h: h with its lowest bit set, so that 0 marks an empty
// slot.
func Tag(h uint64) uint64 { return h | 1 }

// Probe looks hashes up in an open-addressing table with linear probing.
// The table has a power-of-two number of slots (at most 2^31); a slot is 0
// when empty and Tag(hash) when it holds a key. Probing for hash h starts at
// slot h & (len(table)-1) and out[i] is the first slot that is empty or holds
// Tag(hashes[i]), or -1 when the table is full and holds no such slot.
//
// Two keys can share a tag, so a hit is a candidate: the caller compares the
// keys and, on a mismatch, goes on with ProbeFrom from the next slot. An
// empty slot is where to insert the key.
func Probe(table, hashes []uint64, out []int32) {
	if len(table) == 0 || len(table)&(len(table)-1) != 0 || uint64(len(table)) > 1<<31 {
		panic(fmt.Sprintf("asm: Probe table of %d slots is not a power of two up to 2^31", len(table)))
	}
	if len(out) < len(hashes) {
		panic(fmt.Sprintf("asm: %d slots for %d hashes", len(out), len(hashes)))
	}
	active.Load().probe(table, hashes, out[:len(hashes)])
}

// ProbeFrom returns the first slot from start on (wrapping around) that is
// empty or holds Tag(h), or -1 after a whole turn without one.
func ProbeFrom(table []uint64, h uint64, start int) int {
	mask, tag := len(table)-1, Tag(h)
	for n, s := 0, start&mask; n < len(table); n, s = n+1, (s+1)&mask {
		if t := table[s]; t == tag || t == 0 {
			return s
		}
	}
	return -1
}

// checkBitmap checks a validity bitmap, which may be nil.
func checkBitmap(b []byte, n int) {
	if b != nil {
		checkBits(b, n)
	}
}

func checkBits(b []byte, n int) {
	if len(b) < (n+7)/8 {
		panic(fmt.Sprintf("asm: bitmap of %d bytes for %d rows", len(b), n))
	}
}

func checkCmp(op Op, out []byte, n int) {
	if op >= numOps {
		panic(fmt.Sprintf("asm: invalid comparison %v", op))
	}
	checkBits(out, n)
}

func checkCols(a, b int) {
	if a != b {
		panic(fmt.Sprintf("asm: comparing columns of %d and %d rows", a, b))
	}
}

func checkGather(dst, sel int) {
	if dst < sel {
		panic(fmt.Sprintf("asm: gathering %d rows into %d", sel, dst))
	}
}
