package column

// Light encodings of integer columns (Int32 and Int64 kinds), chosen per
// column and segment by the bytes they take (Encode):
//
//	BitPacked  frame of reference: the column's minimum (Base) and, per row,
//	           the value minus Base in the fewest bits that hold the largest
//	           difference, packed little-endian into 64-bit words
//	RunLength  runs of equal values: each run's value and the row after it
//
// An encoded column has no plain values (I32, I64 are nil) and no Arrow
// array, as Arrow has no bit-packed layout; readers decode the rows of a
// batch into a buffer of their own (Decode) or read single rows (Int).
// Null slots keep their zero, so decoding gives back exactly the plain
// values.

import (
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
// i*Width of Words. Words has one word more than the bits need, so that
// reading two words for a value that crosses a word boundary needs no test.
type Packed struct {
	Base  int64
	Width uint
	Words []uint64
}

// Runs is a run-length encoded column: rows [Ends[i-1], Ends[i]) hold
// Values[i] (Ends[-1] being 0).
type Runs struct {
	Values []int64
	Ends   []int32
}

// Encode replaces the values of each integer column of s by the smallest
// of its encodings when that saves at least a quarter of the plain bytes.
func (s *Segment) Encode() {
	for i := range s.Cols {
		s.Cols[i].encode(s.Rows)
	}
}

func (c *Column) encode(n int) {
	if c.Enc != Plain || n == 0 || (c.Kind != Int32 && c.Kind != Int64) {
		return
	}
	vals := c.I64
	if c.Kind == Int32 {
		vals = make([]int64, n)
		for i, v := range c.I32 {
			vals[i] = int64(v)
		}
	}
	plain := int64(n) * 8
	if c.Kind == Int32 {
		plain = int64(n) * 4
	}
	lo, hi := vals[0], vals[0]
	runs := 1
	for i, v := range vals {
		lo, hi = min(lo, v), max(hi, v)
		if i > 0 && v != vals[i-1] {
			runs++
		}
	}
	width := uint(bits.Len64(uint64(hi) - uint64(lo)))
	packed := int64(packedWords(n, width)) * 8
	rle := int64(runs) * 12
	best := min(packed, rle)
	if best > plain*3/4 {
		return
	}
	if rle <= packed {
		c.Enc, c.Runs = RunLength, encodeRuns(vals, runs)
	} else {
		c.Enc, c.Pack = BitPacked, pack(vals, lo, width)
	}
	c.I32, c.I64, c.Array = nil, nil, nil
}

// packedWords is how many words n values of width bits take, with the
// spare word (the second word a zero width reads).
func packedWords(n int, width uint) int { return max(2, (n*int(width)+63)/64+1) }

func pack(vals []int64, base int64, width uint) *Packed {
	p := &Packed{Base: base, Width: width, Words: make([]uint64, packedWords(len(vals), width))}
	if width == 0 {
		return p
	}
	for i, v := range vals {
		d, at := uint64(v)-uint64(base), uint(i)*width
		w, sh := at/64, at%64
		p.Words[w] |= d << sh
		if sh+width > 64 {
			p.Words[w+1] |= d >> (64 - sh)
		}
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
// for a NULL).
func (c *Column) Int(i int) int64 {
	switch c.Enc {
	case BitPacked:
		p := c.Pack
		at := uint(i) * p.Width
		w, sh := at/64, at%64
		return p.Base + int64((p.Words[w]>>sh|p.Words[w+1]<<(64-sh))&(1<<p.Width-1))
	case RunLength:
		return c.Runs.Values[c.Runs.run(i)]
	}
	if c.Kind == Int32 {
		return int64(c.I32[i])
	}
	return c.I64[i]
}

// run returns the run that holds row i.
func (r *Runs) run(i int) int {
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
		for k, i := r.run(off), 0; i < n; k++ {
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
		width, base, words := p.Width, p.Base, p.Words
		mask := uint64(1)<<width - 1
		for _, j := range sel {
			at := uint(off+int(j)) * width
			w, sh := at>>6, at&63
			dst[j] = base + int64((words[w]>>sh|words[w+1]<<(64-sh))&mask)
		}
	case RunLength:
		r := c.Runs
		k := r.run(off + int(sel[0]))
		for _, j := range sel {
			for int(r.Ends[k]) <= off+int(j) {
				k++
			}
			dst[j] = r.Values[k]
		}
	}
}

// unpack decodes len(dst) values from row off.
func (p *Packed) unpack(off int, dst []int64) {
	width, base := p.Width, p.Base
	if width == 0 {
		for i := range dst {
			dst[i] = base
		}
		return
	}
	mask := uint64(1)<<width - 1 // all ones for 64 bits: the shift gives 0
	words := p.Words
	at := uint(off) * width
	for i := range dst {
		w, sh := at>>6, at&63
		dst[i] = base + int64((words[w]>>sh|words[w+1]<<(64-sh))&mask)
		at += width
	}
}

// encodedBytes is the memory of an encoded column's values.
func (c *Column) encodedBytes() int64 {
	switch c.Enc {
	case BitPacked:
		return int64(len(c.Pack.Words)) * 8
	case RunLength:
		return int64(len(c.Runs.Values))*int64(unsafe.Sizeof(int64(0))) + int64(len(c.Runs.Ends))*4
	}
	return 0
}
