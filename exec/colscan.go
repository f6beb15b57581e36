package exec

import (
	"errors"
	"iter"
	"maps"
	"math"

	"github.com/cockroachdb/apd/v3"

	"rustydb/column"
	"rustydb/plan"
	"rustydb/row"
	"rustydb/types"
)

// colScanOp is a table scan (with its filter) over column segments for the
// row operators above it: each batch of a segment is filtered vectorized,
// and only the rows that pass become row values. The heap delta after the
// segments goes through the row path. Columns the segments do not hold are
// read from the heap for the rows that pass.
type colScanOp struct {
	c      *Context
	node   plan.Node // the Filter or Scan this replaces
	scan   *plan.Scan
	filter plan.Expr
	heap   *row.Heap
	pred   vpred
	prune  *zonePruner
	size   int
	all    []int32
	heapy  bool   // some column is not in the segments
	need   []bool // the columns the operators above read
	// keyFilters are the hash tables of joins above, probed with a key
	// column: rows whose key is in none of them cannot contribute, so they
	// are dropped before they become row values (see joinOp.pushKeyFilter).
	keyFilters []keyFilter
	kept       []int32
	ints       []int64 // scratch of selectedInts
	// early, set while a vectorized pipeline runs the scan, drops rows
	// whose join key cannot match before the filter runs (vearly.go)
	early *earlyKeys
	// reuse says the rows Next returns are not kept once the next is
	// asked for (a hash join copies what it outputs of them), so each
	// batch's values go in the same memory (slab).
	reuse bool
	slab  []types.Value

	segs  []*row.Segment
	delta []*row.Version
	seg   int // next segment
	// morsels, when workers share the scan, hands out the segments; the
	// scan is worker worker (see share)
	morsels *Morsels
	worker  int
	b       vbatch
	rows    [][]types.Value // the current batch's rows that passed
	pos     int
	reader  *row.Reader
	cond    evalFn // the filter on the row path, for the delta
	dpos    int
	pruned  int
}

// buildColScan returns a column-segment scan for n (a Scan, or a Filter
// over one), or nil when the table has no segments or the filter has no
// vectorized form.
func (c *Context) buildColScan(n plan.Node) (Operator, error) {
	if c.NoColumnar {
		return nil, nil
	}
	scan, filter := n, plan.Expr(nil)
	if f, ok := n.(*plan.Filter); ok {
		scan, filter = f.Input, f.Cond
	}
	s, ok := scan.(*plan.Scan)
	if !ok || s.Lookup != nil {
		return nil, nil
	}
	h := c.Store.Heap(s.Table)
	if h == nil {
		return nil, nil
	}
	if segs, _ := h.SegmentCount(); segs == 0 {
		return nil, nil
	}
	o := &colScanOp{c: c, node: n, scan: s, filter: filter, heap: h, size: max(1, BatchSize), need: c.needed(n)}
	cols := make([]types.T, len(s.Table.Columns))
	for i, col := range s.Table.Columns {
		cols[i] = col.Type
		if column.KindOf(col.Type) == column.Unsupported {
			o.heapy = true
		}
	}
	if filter != nil {
		vc := &vcompiler{c: c.fork(), cols: cols, size: o.size}
		var err error
		if o.pred, err = vc.pred(filter); err != nil {
			if errors.Is(err, errNotVectorized) {
				return nil, nil
			}
			return nil, err
		}
		if o.prune, err = c.newZonePruner(filter); err != nil {
			return nil, err
		}
		if o.cond, err = c.compile(filter); err != nil {
			return nil, err
		}
	}
	o.all = make([]int32, o.size)
	o.kept = make([]int32, 0, o.size)
	for i := range o.all {
		o.all[i] = int32(i)
	}
	return o, nil
}

func (o *colScanOp) Init() error {
	var err error
	o.segs, o.delta, err = o.heap.Columnar()
	o.seg, o.b, o.rows, o.pos, o.dpos, o.pruned = 0, vbatch{}, nil, 0, 0, 0
	o.morsels = nil // the segments are its own until it shares them again
	o.keyFilters = o.keyFilters[:0]
	if o.reader == nil {
		o.reader = o.heap.Reader()
	}
	return err
}

func (o *colScanOp) Close() {
	if o.reader != nil {
		o.reader.Close()
		o.reader = nil
	}
	if o.c.Analysis != nil {
		st := o.c.Analysis.Stats(o.node)
		st.Segments, st.SegmentsPruned = len(o.segs), o.pruned
	}
}

func (o *colScanOp) Next() ([]types.Value, error) {
	for {
		if o.pos < len(o.rows) {
			r := o.rows[o.pos]
			o.pos++
			return r, nil
		}
		if err := o.c.cancelErr(); err != nil {
			return nil, err
		}
		more, err := o.nextBatch()
		if err != nil || !more {
			if err == nil {
				return o.nextDelta()
			}
			return nil, err
		}
	}
}

// nextBatch fills rows with the next batch's passing rows; it reports false
// when the segments are done.
func (o *colScanOp) nextBatch() (bool, error) {
	sel, more, err := o.nextSelection()
	if err != nil || !more {
		return false, err
	}
	return true, o.materialize(&o.b, sel)
}

// nextSelection moves o.b to the next batch with rows that pass the filter
// and returns their positions; it reports false when the segments are
// done. A vectorized hash join (vjoin.go) reads the batch's columns
// itself, without rows.
func (o *colScanOp) nextSelection() ([]int32, bool, error) {
	b := &o.b
	for {
		if b.seg == nil || b.off+b.n >= b.seg.Rows {
			i := o.seg
			if o.morsels != nil {
				var ok bool
				if i, ok = o.morsels.Next(o.worker); !ok {
					return nil, false, nil
				}
			}
			if i >= len(o.segs) {
				return nil, false, nil
			}
			b.seg, b.off, b.n = o.segs[i], 0, 0
			o.seg = i + 1
			if o.prune != nil && o.prune.excludes(b.seg) {
				o.pruned++
				b.seg = nil
				continue
			}
		} else {
			b.off += b.n
		}
		b.n = min(o.size, b.seg.Rows-b.off)
		sel := o.all[:b.n]
		if b.seg.Touched() {
			visible := make([]int32, 0, b.n)
			for j, v := range b.seg.Versions[b.off : b.off+b.n] {
				if v.VisibleTo(&o.c.Snap) {
					visible = append(visible, int32(j))
				}
			}
			sel = visible
		}
		o.c.Store.Activity().RowsRead.Add(uint64(len(sel)))
		if o.early != nil && len(sel) > 0 {
			sel = o.early.keep(b, sel)
		}
		if o.pred != nil && len(sel) > 0 {
			var err error
			if sel, err = o.pred(b, sel); err != nil {
				if !errors.Is(err, errVectorFallback) {
					return nil, false, err
				}
				if sel, err = o.rowFilter(b, sel); err != nil {
					return nil, false, err
				}
			}
		}
		if sel = o.applyKeyFilters(b, sel); len(sel) > 0 {
			return sel, true, nil
		}
	}
}

// share makes o, a scan of the same plan as from (for worker w), and from
// (worker 0) take the segments of from's Init from morsels; from alone
// reads the heap delta.
func (o *colScanOp) share(from *colScanOp, morsels *Morsels, w int) {
	o.segs, o.delta, o.dpos = from.segs, nil, 0
	o.morsels, o.worker = morsels, w
	from.morsels, from.worker = morsels, 0
}

// keyFilter keeps the rows whose integer column col holds a key of keys.
type keyFilter struct {
	col  int
	keys *keySet
}

// addKeyFilter makes the scan drop rows whose column col (an integer-like
// column) holds none of keys' keys, or NULL.
func (o *colScanOp) addKeyFilter(col int, keys *keySet) {
	o.keyFilters = append(o.keyFilters, keyFilter{col: col, keys: keys})
}

// keySet tells whether an integer is a key of a hash join's table. When
// the keys are dense in their range (order keys, part keys), a bitmap
// over the range answers with one load instead of a probe: scans test
// millions of rows against it. Other keys are in an intSet.
type keySet struct {
	set  *intSet // nil when bits holds the keys
	lo   int64
	bits []uint64 // bit k-lo is set for each key k
}

// maxKeySpan bounds the range a keySet's bitmap covers (128 MiB).
const maxKeySpan = 1 << 30

// smallKeySpan is the range of a bitmap small enough to use for any keys.
const smallKeySpan = 1 << 18

func newKeySet(keys map[int64]int32) *keySet { return keySetOf(maps.Keys(keys), len(keys)) }

// keySetOf makes the keySet of n keys (or fewer: keys may repeat), which
// it reads twice.
func keySetOf(keys iter.Seq[int64], n int) *keySet {
	s := &keySet{}
	if s.lo, s.bits = keyBits(keys, n); s.bits == nil {
		s.set = newIntSet(keys, n)
	}
	return s
}

// keyBits returns the bitmap of n keys over their range from lo, or nil
// when the keys are too sparse for one to pay.
func keyBits(keys iter.Seq[int64], n int) (lo int64, bits []uint64) {
	if n == 0 {
		return 0, nil
	}
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for k := range keys {
		lo, hi = min(lo, k), max(hi, k)
	}
	span := uint64(hi) - uint64(lo) + 1
	// A bitmap of up to four words (32 bytes) a key is about a map's size
	// and answers with one load: a semi-join's 57,000 order keys over
	// 6M order numbers are a 750 KB bitmap. One that fits a core's cache
	// (32 KB) is used however few keys it has.
	if span == 0 || span > maxKeySpan || span/64 > 4*uint64(n) && span > smallKeySpan {
		return 0, nil
	}
	words := (span + 63) / 64
	bits = make([]uint64, words, words+1) // a zero word past the end for mayMatch's clamped reads
	for k := range keys {
		d := uint64(k - lo)
		bits[d>>6] |= 1 << (d & 63)
	}
	return lo, bits
}

func (s *keySet) has(k int64) bool {
	if s.set == nil { // the common case first, inlined
		return hasBit(s.bits, s.lo, k)
	}
	return s.set.has(k)
}

// hasBit reports whether k's bit is set in a keyBits bitmap from lo.
func hasBit(bits []uint64, lo, k int64) bool {
	d := uint64(k) - uint64(lo)
	return d>>6 < uint64(len(bits)) && bits[d>>6]&(1<<(d&63)) != 0
}

// applyKeyFilters returns the positions of sel that pass the key filters.
func (o *colScanOp) applyKeyFilters(b *vbatch, sel []int32) []int32 {
	for _, f := range o.keyFilters {
		c := &b.seg.Cols[f.col]
		ints := selectedInts(c, b.off, b.n, sel, &o.ints)
		kept := o.kept[:0]
		for _, j := range sel {
			if c.Valid != nil && c.Null(b.off+int(j)) {
				continue
			}
			if f.keys.has(ints[j]) {
				kept = append(kept, j)
			}
		}
		o.kept, sel = kept, kept
	}
	return sel
}

// selectedInts returns a vector whose position j holds row off+j of the
// integer-like column c for each j of sel (a batch of n rows from off): a
// view of a plain Int64 column, else the rows converted or decoded into
// *scratch (an encoded column read row by row would search its runs for
// each row).
func selectedInts(c *column.Column, off, n int, sel []int32, scratch *[]int64) []int64 {
	if c.Enc == column.Plain && c.Kind == column.Int64 {
		return c.I64[off : off+n]
	}
	if cap(*scratch) < n {
		*scratch = make([]int64, n)
	}
	ints := (*scratch)[:n]
	if c.Enc != column.Plain {
		if 2*len(sel) >= n { // most of the batch: decoding all of it is cheaper
			return c.Decode(off, n, ints)
		}
		c.Gather(off, sel, ints)
		return ints
	}
	x := c.I32[off : off+n]
	for _, j := range sel {
		ints[j] = int64(x[j])
	}
	return ints
}

// keyFiltersPass reports whether a row read from the heap passes the key
// filters.
func (o *colScanOp) keyFiltersPass(vals []types.Value) bool {
	for _, f := range o.keyFilters {
		v := vals[f.col]
		if v.IsNull() {
			return false
		}
		if !f.keys.has(v.I) {
			return false
		}
	}
	return true
}

// rowFilter runs the filter on the row path for a batch the vectorized
// filter could not compute, returning the positions of sel that pass.
func (o *colScanOp) rowFilter(b *vbatch, sel []int32) ([]int32, error) {
	kept := make([]int32, 0, len(sel))
	for _, j := range sel {
		vals, err := o.values(b, int(j))
		if err != nil {
			return nil, err
		}
		ok, err := o.cond(vals)
		if err != nil {
			return nil, err
		}
		if !ok.IsNull() && ok.Bool() {
			kept = append(kept, j)
		}
	}
	return kept, nil
}

func (o *colScanOp) values(b *vbatch, j int) ([]types.Value, error) {
	if o.heapy {
		return o.reader.Values(b.seg.Versions[b.off+j])
	}
	vals := make([]types.Value, len(b.seg.Cols))
	for ci := range b.seg.Cols {
		vals[ci] = b.seg.Cols[ci].Value(b.off + j)
	}
	return vals, nil
}

// materialize turns the selected rows of b into row values, allocating the
// values and decimals of the batch at once.
func (o *colScanOp) materialize(b *vbatch, sel []int32) error {
	o.rows, o.pos = o.rows[:0], 0
	if o.heapy {
		for _, j := range sel {
			vals, err := o.reader.Values(b.seg.Versions[b.off+int(j)])
			if err != nil {
				return err
			}
			o.rows = append(o.rows, vals)
		}
		return nil
	}
	ncols := len(b.seg.Cols) // operators above may rely on the row's width
	vals := o.slab[:0]
	if n := len(sel) * ncols; o.reuse && cap(vals) >= n {
		vals = vals[:n]
		clear(vals)
	} else {
		vals = make([]types.Value, n)
	}
	if o.reuse {
		o.slab = vals
	}
	numerics := 0
	for ci := range ncols {
		if b.seg.Cols[ci].Type.ID == types.Numeric && o.need[ci] {
			numerics++
		}
	}
	decs := make([]apd.Decimal, len(sel)*numerics)
	// Column by column within chunks of rows small enough that the chunk's
	// values stay in cache while each column is written.
	const chunk = 32
	for lo := 0; lo < len(sel); lo += chunk {
		part := sel[lo:min(lo+chunk, len(sel))]
		for ci := range ncols {
			if !o.need[ci] {
				continue // left NULL: nothing above reads it
			}
			c := &b.seg.Cols[ci]
			out := vals[lo*ncols+ci:]
			if c.Type.ID != types.Numeric {
				for r, j := range part {
					out[r*ncols] = c.Value(b.off + int(j))
				}
				continue
			}
			for r, j := range part {
				i := b.off + int(j)
				if c.Null(i) {
					continue
				}
				d := &decs[0]
				decs = decs[1:]
				d.SetFinite(c.Int(i), -c.Type.Scale)
				out[r*ncols] = types.NewDecimal(d)
			}
		}
	}
	for r := range sel {
		o.rows = append(o.rows, vals[r*ncols:(r+1)*ncols:(r+1)*ncols])
	}
	return nil
}

// nextDelta returns the next visible row of the heap delta that passes the
// filter.
func (o *colScanOp) nextDelta() ([]types.Value, error) {
	for o.dpos < len(o.delta) {
		v := o.delta[o.dpos]
		o.dpos++
		if err := o.c.canceled(); err != nil {
			return nil, err
		}
		if !v.VisibleTo(&o.c.Snap) {
			continue
		}
		vals, err := o.reader.Values(v)
		if err != nil {
			return nil, err
		}
		if !o.keyFiltersPass(vals) {
			continue
		}
		if o.cond != nil {
			ok, err := o.cond(vals)
			if err != nil {
				return nil, err
			}
			if ok.IsNull() || !ok.Bool() {
				continue
			}
		}
		return vals, nil
	}
	return nil, nil
}
