package column

// Light encodings of integer columns (Int32 and Int64 kinds), chosen per
// column and segment by the bytes they take (Encode):
//
//	BitPacked  frame of reference: the column's minimum (Base) and, per row,
//	           the value minus Base in the fewest bits that hold the largest
//	           difference, packed little-endian (Int32 columns only, see below)
//	RunLength  runs of equal values: each run's value and the row after it
//
// Scans read a plain Int64 column in place, as a view, while they convert
// an Int32 column to int64s on every read anyway; bit-packing an Int64
// column would add a decode to every scan. Measured on TPC-H at scale 1
// (2 cores), packing the Int64 columns too took lineitem's segments from
// 615 to 330 MB but cost q1 about 15% and q6 about 40% more CPU time, so
// Int64 columns are only run-length encoded, where runs make decoding a
// fill; packing the Int32 ones (dates, integers) left q1 and q6 as fast,
// with lineitem at 494 MB.
//
// An encoded column has no plain values (I32, I64 are nil) and no Arrow
// array, as Arrow has no bit-packed layout; readers decode the rows of a
// batch into a buffer of their own (Decode) or read single rows (Int).
// Null slots keep their zero, so decoding gives back exactly the plain
// values.

import (
	"encoding/binary"
	"math"
	"math/bits"
	"sort"
	"unsafe"
)

// Encoding is how an integer column's values are stored.
type Encoding uint8

const (
	Plain Encoding = iota
	BitPacked
	RunLength
)

func (e Encoding) String() string {
	return [...]string{"plain", "bit-packed", "run-length"}[e]
}

// Packed is a bit-packed column: row i is Base + the Width bits at bit
// i*Width of Bytes, little-endian. Width is at most 48 (packing pays only
// up to three quarters of 64 bits), so one unaligned 8-byte load at the
// value's first byte holds all of it; Bytes has 8 spare bytes at the end
// for the load of the last value.
type Packed struct {
	Base  int64
	Width uint
	Bytes []byte
}

// Runs is a run-length encoded column: rows [Ends[i-1], Ends[i]) hold
// Values[i] (Ends[-1] being 0).
type Runs struct {
	Values []int64
	Ends   []int32
}

// Encode replaces the values of each integer column of s by the smallest
// of its encodings when that saves at least a quarter of the plain bytes
// (Int64 columns: run-length only).
func (s *Segment) Encode() {
	for i := range s.Cols {
		s.Cols[i].encode(s.Rows)
	}
}

func (c *Column) encode(n int) {
	if c.Enc != Plain || n == 0 || (c.Kind != Int32 && c.Kind != Int64) {
		return
	}
	plain := int64(n) * 8
	if c.Kind == Int32 {
		plain = int64(n) * 4
	}
	vals := c.ints()
	_, width, runs := shape(vals)
	packed := int64(packedBytes(n, width))
	rle := int64(runs) * 12
	if c.Kind == Int64 {
		packed = math.MaxInt64 // see the file comment
	}
	switch {
	case min(packed, rle) > plain*3/4: // also keeps widths within Packed's 8-byte load
	case rle <= packed:
		c.encodeAs(RunLength, vals)
	default:
		c.encodeAs(BitPacked, vals)
	}
}

// ints returns the values of a plain Int32 or Int64 column as int64s.
func (c *Column) ints() []int64 {
	if c.Kind == Int64 {
		return c.I64
	}
	vals := make([]int64, len(c.I32))
	for i, v := range c.I32 {
		vals[i] = int64(v)
	}
	return vals
}

// shape returns the smallest of vals, the bits their differences from it
// take, and how many runs of equal values they form.
func shape(vals []int64) (lo int64, width uint, runs int) {
	lo, hi := vals[0], vals[0]
	runs = 1
	for i, v := range vals {
		lo, hi = min(lo, v), max(hi, v)
		if i > 0 && v != vals[i-1] {
			runs++
		}
	}
	return lo, uint(bits.Len64(uint64(hi) - uint64(lo))), runs
}

// maxPackedWidth is the widest value Packed's 8-byte load at a byte
// boundary holds.
const maxPackedWidth = 57

// encodeAs stores the plain column of values vals in encoding e, and
// reports whether it could (bit-packing needs at most maxPackedWidth bits).
func (c *Column) encodeAs(e Encoding, vals []int64) bool {
	lo, width, runs := shape(vals)
	switch e {
	case RunLength:
		c.Runs = encodeRuns(vals, runs)
	case BitPacked:
		if width > maxPackedWidth {
			return false
		}
		c.Pack = pack(vals, lo, width)
	default:
		return false
	}
	c.Enc, c.I32, c.I64, c.Array = e, nil, nil, nil
	return true
}

// packedBytes is how many bytes n values of width bits take, with the
// spare bytes.
func packedBytes(n int, width uint) int { return (n*int(width)+7)/8 + 8 }

func pack(vals []int64, base int64, width uint) *Packed {
	p := &Packed{Base: base, Width: width, Bytes: make([]byte, packedBytes(len(vals), width))}
	for i, v := range vals {
		at := uint(i) * width
		w := p.Bytes[at/8:]
		binary.LittleEndian.PutUint64(w, binary.LittleEndian.Uint64(w)|(uint64(v)-uint64(base))<<(at%8))
	}
	return p
}

func encodeRuns(vals []int64, runs int) *Runs {
	r := &Runs{Values: make([]int64, 0, runs), Ends: make([]int32, 0, runs)}
	for i, v := range vals {
		if i > 0 && v != vals[i-1] {
			r.Ends = append(r.Ends, int32(i))
		}
		if i == 0 || v != vals[i-1] {
			r.Values = append(r.Values, v)
		}
	}
	r.Ends = append(r.Ends, int32(len(vals)))
	return r
}

// Int returns the integer form of row i of an Int32 or Int64 column (zero
// for a NULL). Small enough to inline for a plain Int64 column.
func (c *Column) Int(i int) int64 {
	if c.I64 != nil {
		return c.I64[i]
	}
	return c.intOther(i)
}

// intOther is Int of an Int32 or encoded column.
func (c *Column) intOther(i int) int64 {
	switch c.Enc {
	case BitPacked:
		return c.Pack.at(uint(i))
	case RunLength:
		return c.Runs.Values[c.Runs.Run(i)]
	}
	return int64(c.I32[i])
}

// Run returns the run that holds row i.
func (r *Runs) Run(i int) int {
	return sort.Search(len(r.Ends), func(k int) bool { return int(r.Ends[k]) > i })
}

// Decode returns rows [off, off+n) of an Int32 or Int64 column as int64s:
// a view of I64 for a plain Int64 column, else decoded into dst (which
// must hold n values).
func (c *Column) Decode(off, n int, dst []int64) []int64 {
	dst = dst[:n]
	switch c.Enc {
	case BitPacked:
		c.Pack.unpack(off, dst)
	case RunLength:
		r := c.Runs
		for k, i := r.Run(off), 0; i < n; k++ {
			end := min(int(r.Ends[k])-off, n)
			v := r.Values[k]
			for ; i < end; i++ {
				dst[i] = v
			}
		}
	default:
		if c.Kind == Int64 {
			return c.I64[off : off+n]
		}
		for i, v := range c.I32[off : off+n] {
			dst[i] = int64(v)
		}
	}
	return dst
}

// Gather sets dst[j] to row off+j of an encoded Int32 or Int64 column for
// each j of sel, which ascends: for a few rows of a batch, cheaper than
// decoding all of it.
func (c *Column) Gather(off int, sel []int32, dst []int64) {
	if len(sel) == 0 {
		return
	}
	switch c.Enc {
	case BitPacked:
		p := c.Pack
		width, base := p.Width, p.Base
		mask := uint64(1)<<width - 1
		if (uint(off+int(sel[len(sel)-1]))*width)/8+8 > uint(len(p.Bytes)) {
			panic("column: bit-packed read out of range")
		}
		b := unsafe.Pointer(unsafe.SliceData(p.Bytes))
		for _, j := range sel { // as unpack
			at := uint(off+int(j)) * width
			dst[j] = base + int64(*(*uint64)(unsafe.Add(b, at/8))>>(at%8)&mask)
		}
	case RunLength:
		r := c.Runs
		k := r.Run(off + int(sel[0]))
		for _, j := range sel {
			for int(r.Ends[k]) <= off+int(j) {
				k++
			}
			dst[j] = r.Values[k]
		}
	}
}

// Take sets dst[k] to row off+idx[k] of an Int32 or Int64 column, encoded
// or not. Rows of a run-length column are found by moving through the runs
// while idx does not descend (a join's output rows mostly ascend), by a
// search when it does.
func (c *Column) Take(off int, idx []int32, dst []int64) {
	switch {
	case c.Enc == RunLength:
		r := c.Runs
		k := 0
		for n, i := range idx {
			row := off + int(i)
			if n == 0 || k > 0 && row < int(r.Ends[k-1]) { // before the run at hand
				k = r.Run(row)
			}
			for int(r.Ends[k]) <= row {
				k++
			}
			dst[n] = r.Values[k]
		}
	case c.Enc == BitPacked:
		for n, i := range idx {
			dst[n] = c.Pack.at(uint(off + int(i)))
		}
	case c.Kind == Int64:
		for n, i := range idx {
			dst[n] = c.I64[off+int(i)]
		}
	default:
		for n, i := range idx {
			dst[n] = int64(c.I32[off+int(i)])
		}
	}
}

// at returns row i of a bit-packed column.
func (p *Packed) at(i uint) int64 {
	at := i * p.Width
	return p.Base + int64(binary.LittleEndian.Uint64(p.Bytes[at/8:])>>(at%8)&(1<<p.Width-1))
}

// unpack decodes len(dst) values from row off: per value (per four
// values, when they fit one) one unaligned load, shift and mask. The
// loops read through a pointer, without bounds checks: the test before
// them bounds every load.
func (p *Packed) unpack(off int, dst []int64) {
	width, base := p.Width, p.Base
	mask := uint64(1)<<width - 1
	at := uint(off) * width
	if len(dst) == 0 {
		return
	}
	if (at+uint(len(dst)-1)*width)/8+8 > uint(len(p.Bytes)) {
		panic("column: bit-packed read out of range")
	}
	b := unsafe.Pointer(unsafe.SliceData(p.Bytes))
	i := 0
	if width <= 14 {
		// One load gives four values: 4*14 bits fit in the 57 a load
		// holds past its first byte's bits.
		w1, w2, w3 := width&63, 2*width&63, 3*width&63
		for ; i+4 <= len(dst); i += 4 {
			w := *(*uint64)(unsafe.Add(b, at/8)) >> (at % 8)
			dst[i] = base + int64(w&mask)
			dst[i+1] = base + int64(w>>w1&mask)
			dst[i+2] = base + int64(w>>w2&mask)
			dst[i+3] = base + int64(w>>w3&mask)
			at += 4 * width
		}
	}
	for ; i < len(dst); i++ {
		dst[i] = base + int64(*(*uint64)(unsafe.Add(b, at/8))>>(at%8)&mask)
		at += width
	}
}

// encodedBytes is the memory of an encoded column's values.
func (c *Column) encodedBytes() int64 {
	switch c.Enc {
	case BitPacked:
		return int64(len(c.Pack.Bytes))
	case RunLength:
		return int64(len(c.Runs.Values))*int64(unsafe.Sizeof(int64(0))) + int64(len(c.Runs.Ends))*4
	}
	return 0
}
