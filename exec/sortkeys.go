package exec

// The rows a sort holds in memory and how it compares them. Comparing
// types.Values kind by kind is what a sort spends its time on, so each row
// gets a small entry with its first key abbreviated to an unsigned integer
// that orders as the key does (PostgreSQL's abbreviated keys): integers,
// dates, times and floats exactly, strings by their first 8 bytes, decimals
// by their nearest float. Most
// comparisons end at the abbreviations; equal ones go on to the values.
// The entries, 16 bytes each, are what the sort moves, and the row's index
// in them breaks ties, so an unstable sort orders as a stable one.

import (
	"cmp"
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"strconv"

	"github.com/cockroachdb/apd/v3"

	"rustydb/plan"
	"rustydb/types"
)

// sortBuf holds rows and their sort keys.
type sortBuf struct {
	spec []plan.SortKey
	rows [][]types.Value
	// keys are the rows' sort keys, len(spec) for each, in chunks of
	// sortChunkRows rows, which a growing buffer need not copy.
	keys [][]types.Value
	ents []sortEnt
	// abbr says how the first keys abbreviate, kind the kind of the first
	// non-NULL first key: abbreviations of different kinds do not compare.
	abbr  abbrMode
	kind  types.Kind
	bytes int64 // the memory the rows take (rowSize, and the entries)
}

// sortEnt is a row's place in the order: the NULL rank and abbreviation
// of its first key, and its index in rows.
type sortEnt struct {
	pre  uint64
	idx  uint32
	rank uint8 // 0: a NULL first key placed first, 1: a value, 2: a NULL placed last
}

// sortEntSize is what an entry adds to a sorted row's memory.
const sortEntSize = 16

const sortChunkRows = 1024

type abbrMode uint8

const (
	abbrUnset  abbrMode = iota // no non-NULL first key yet
	abbrExact                  // equal abbreviations are equal keys
	abbrPrefix                 // equal abbreviations need the values compared
	abbrOff                    // the first keys do not abbreviate: compare values
	// abbrPacked: the first keys' exact abbreviations, less their least,
	// in the high bits and the second keys' abbreviations in the rest
	// (packSecondKey); equal ones compare from the second key
	abbrPacked
)

// abbreviate returns the unsigned integer that orders as v among values of
// its kind, and whether it tells equal values too.
func abbreviate(v types.Value) (uint64, abbrMode) {
	switch v.K {
	case types.KBool, types.KInt, types.KDate, types.KTimestamp, types.KTimestampTZ, types.KTime:
		return uint64(v.I) ^ 1<<63, abbrExact
	case types.KFloat:
		return floatOrder(v.F), abbrExact
	case types.KDecimal:
		if f, ok := decimalFloat(v.D); ok {
			return floatOrder(f), abbrPrefix
		}
		return 0, abbrOff
	}
	if stringKind(v.K) {
		return stringPrefix(v.S), abbrPrefix
	}
	return 0, abbrOff
}

// stringKind reports whether values of kind k order as strings.Compare
// orders their S.
func stringKind(k types.Kind) bool {
	switch k {
	case types.KText, types.KBytes, types.KUUID, types.KJSON:
		return true
	}
	return false
}

// decimalFloat returns the float64 nearest d, correctly rounded, so that
// decimals order no other way than their floats do (TPC-H sorts by sums of
// money); false for NaN and infinities, whose order is apd's.
func decimalFloat(d *apd.Decimal) (float64, bool) {
	if d.Form != apd.Finite {
		return 0, false
	}
	// An integer coefficient below 2^53 and a power of ten up to 10^22
	// are exact as floats, and IEEE division and multiplication round
	// their exact result correctly.
	if d.Coeff.IsInt64() {
		if c := d.Coeff.Int64(); c < 1<<53 && d.Exponent >= -22 && d.Exponent <= 22 {
			f := float64(c)
			if d.Negative {
				f = -f
			}
			if d.Exponent < 0 {
				return f / pow10f[-d.Exponent], true
			}
			return f * pow10f[d.Exponent], true
		}
	}
	f, err := strconv.ParseFloat(d.String(), 64) // correctly rounded; ±Inf past the range
	return f, err == nil || math.IsInf(f, 0)
}

// pow10f are the powers of ten a float64 holds exactly.
var pow10f = func() (p [23]float64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// stringPrefix is the first 8 bytes of s, big-endian.
func stringPrefix(s string) uint64 {
	var b [8]byte
	copy(b[:], s)
	return binary.BigEndian.Uint64(b[:])
}

// floatOrder maps floats to unsigned integers in types.Compare's order:
// -0 equal to 0, every NaN equal and above +Inf.
func floatOrder(f float64) uint64 {
	switch {
	case f == 0:
		return 1 << 63
	case math.IsNaN(f):
		return math.MaxUint64
	case f < 0:
		return ^math.Float64bits(f)
	}
	return math.Float64bits(f) | 1<<63
}

// reset empties the buffer, keeping its memory.
func (b *sortBuf) reset() {
	clear(b.rows) // let the rows and their keys go
	for _, c := range b.keys {
		clear(c)
	}
	b.rows, b.ents, b.bytes = b.rows[:0], b.ents[:0], 0
	if b.abbr == abbrPacked {
		b.abbr = abbrExact // new entries abbreviate the first key alone
	}
}

// add appends row r, whose keys were evaluated into keysOf(len(b.rows)).
func (b *sortBuf) add(r []types.Value) {
	idx := len(b.rows)
	keys := b.keysOf(uint32(idx))
	b.ents = append(roomFor(b.ents), b.ent(keys, idx))
	b.rows = append(roomFor(b.rows), r)
	b.bytes += rowSize(r) + rowSize(keys) + sortEntSize
}

// roomFor returns s with room for another element, doubling its capacity
// when full: append's smaller steps for large slices would copy a sort's
// millions of entries several times over.
func roomFor[T any](s []T) []T {
	if len(s) < cap(s) {
		return s
	}
	return slices.Grow(s, max(len(s), 256))
}

// ent returns the entry of the row at idx with keys.
func (b *sortBuf) ent(keys []types.Value, idx int) sortEnt {
	e := sortEnt{idx: uint32(idx), rank: 1}
	k, s := keys[0], b.spec[0]
	switch {
	case k.IsNull() && s.NullsFirst:
		e.rank = 0
		return e
	case k.IsNull():
		e.rank = 2
		return e
	case b.abbr == abbrOff:
		return e
	}
	pre, mode := abbreviate(k)
	switch {
	case mode == abbrOff: // a decimal NaN among numbers: compare (all) values
		b.abbr = abbrOff
		return e
	case b.abbr == abbrUnset:
		b.abbr, b.kind = mode, k.K
	case k.K != b.kind:
		b.abbr = abbrOff
		return e
	}
	if s.Desc {
		pre = ^pre
	}
	e.pre = pre
	return e
}

// keysOf returns the keys of the row at idx, making room for them when
// idx is the first row past the chunks.
func (b *sortBuf) keysOf(idx uint32) []types.Value {
	nk := len(b.spec)
	c, i := int(idx/sortChunkRows), int(idx%sortChunkRows)*nk
	if c == len(b.keys) {
		b.keys = append(b.keys, make([]types.Value, sortChunkRows*nk))
	}
	return b.keys[c][i : i+nk : i+nk]
}

// compare orders the rows of two entries by their keys alone.
func (b *sortBuf) compare(x, y sortEnt) int {
	if x.rank != y.rank {
		return int(x.rank) - int(y.rank)
	}
	from := 0
	switch {
	case x.rank != 1: // both first keys NULL
		from = 1
	case (b.abbr == abbrExact || b.abbr == abbrPacked) && x.pre == y.pre:
		from = 1
	case b.abbr == abbrExact || b.abbr == abbrPacked || b.abbr == abbrPrefix && x.pre != y.pre:
		return cmp.Compare(x.pre, y.pre)
	}
	if from == len(b.spec) {
		return 0
	}
	return compareKeys(b.spec[from:], b.keysOf(x.idx)[from:], b.keysOf(y.idx)[from:])
}

// sort orders the entries by key, equal keys in the order they were added.
func (b *sortBuf) sort() {
	b.skipCommonPrefix()
	b.packSecondKey()
	slices.SortFunc(b.ents, func(x, y sortEnt) int {
		if c := b.compare(x, y); c != 0 {
			return c
		}
		return cmp.Compare(x.idx, y.idx)
	})
}

// skipCommonPrefix abbreviates string first keys anew by their bytes
// after the prefix they all share, which would make every abbreviation
// of keys like 'Customer#000012345' the same.
func (b *sortBuf) skipCommonPrefix() {
	if b.abbr != abbrPrefix || b.kind == types.KDecimal {
		return
	}
	common := b.commonPrefix(0)
	if common == 0 {
		return
	}
	for i, e := range b.ents {
		if e.rank == 1 {
			pre := stringPrefix(b.keysOf(e.idx)[0].S[common:])
			if b.spec[0].Desc {
				pre = ^pre
			}
			b.ents[i].pre = pre
		}
	}
}

// commonPrefix returns the length of the prefix that the string key k of
// the entries of rank 1 all share.
func (b *sortBuf) commonPrefix(k int) int {
	var first string
	common := -1
	for _, e := range b.ents {
		if e.rank != 1 {
			continue
		}
		s := b.keysOf(e.idx)[k].S
		if common < 0 {
			first, common = s, len(s)
		}
		common = min(common, len(s))
		for common > 0 && s[:common] != first[:common] {
			common-- // rare past the first rows: the prefix only shrinks
		}
		if common == 0 {
			return 0
		}
	}
	return max(common, 0)
}

// packSecondKey fits the second keys' abbreviations into the bits the
// first keys' exact abbreviations leave unused, when those span a small
// range: a first key of few values (a count, a flag) would otherwise send
// most comparisons on to the values. It leaves the entries as they are if
// a second key is NULL or does not abbreviate as the others.
func (b *sortBuf) packSecondKey() {
	if b.abbr != abbrExact || len(b.spec) < 2 {
		return
	}
	lo, hi, kind := uint64(math.MaxUint64), uint64(0), types.KNull
	for _, e := range b.ents {
		if e.rank != 1 {
			continue
		}
		lo, hi = min(lo, e.pre), max(hi, e.pre)
		k := b.keysOf(e.idx)[1]
		if _, mode := abbreviate(k); mode == abbrOff || kind != types.KNull && k.K != kind {
			return // NULL (KNull) does not abbreviate
		}
		kind = k.K
	}
	width := bits.Len64(hi - lo)
	if kind == types.KNull || width > 32 {
		return
	}
	common := 0 // as skipCommonPrefix, for string second keys
	if stringKind(kind) {
		common = b.commonPrefix(1)
	}
	for i, e := range b.ents {
		if e.rank != 1 {
			continue
		}
		k := b.keysOf(e.idx)[1]
		second, _ := abbreviate(k)
		if common > 0 {
			second = stringPrefix(k.S[common:])
		}
		if b.spec[1].Desc {
			second = ^second
		}
		b.ents[i].pre = (e.pre-lo)<<(64-width) | second>>width
	}
	b.abbr = abbrPacked
}

// compareKeys orders two rows' sort keys under spec.
func compareKeys(spec []plan.SortKey, a, b []types.Value) int {
	for k, s := range spec {
		if c := compareKey(a[k], b[k], s); c != 0 {
			return c
		}
	}
	return 0
}
