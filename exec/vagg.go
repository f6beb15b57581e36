package exec

import (
	"cmp"
	"errors"
	"math"
	"math/big"
	"math/bits"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/apd/v3"

	"rustydb/column"
	"rustydb/plan"
	"rustydb/row"
	"rustydb/types"
)

// Vectorized aggregation over column segments. The table's segments are the
// morsels: workers take them from a shared counter, skip those whose zone
// maps rule the filter out, and run each in batches of BatchSize rows
// through the vectorized filter, group-key and aggregate code into their own
// hash table of groups. Then they aggregate the rows not yet in segments
// (the heap delta) through the row path, and all the partial groups merge
// as in the parallel row path.

// BatchSize is the number of rows a vectorized batch holds at most; tests
// vary it.
var BatchSize = 2048

// aggregateColumnar computes n's groups from its table's segments, or
// reports false when the table has none or n has no vectorized form.
func (o *aggOp) aggregateColumnar(n *plan.Aggregate) ([]*partialGroup, bool, error) {
	s, filter := scanOf(n)
	h := o.c.Store.Heap(s.Table)
	if h == nil || s.Lookup != nil || o.c.NoColumnar {
		return nil, false, nil
	}
	segs, delta, err := h.Columnar()
	if err != nil || len(segs) == 0 {
		return nil, false, err
	}
	cols := make([]types.T, len(s.Table.Columns))
	for i, c := range s.Table.Columns {
		cols[i] = c.Type
	}
	// Compile once up front to learn whether n has a vectorized form.
	if _, err := o.newVAgg(n, filter, cols); err != nil {
		if errors.Is(err, errNotVectorized) {
			return nil, false, nil
		}
		return nil, false, err
	}
	rows := len(delta)
	for _, sg := range segs {
		rows += sg.Rows
	}
	workers, giveBack := o.c.degree(workersFor(n.Parallel, rows, morselRows, o.c.MaxWorkers))
	giveBack = sync.OnceFunc(giveBack) // once the workers are done: a HAVING's subquery may want them
	defer giveBack()
	var prune *zonePruner
	if filter != nil {
		if prune, err = o.c.newZonePruner(filter); err != nil {
			return nil, false, err
		}
	}
	segMorsels := NewMorsels(len(segs), workers)
	deltaMorsels := NewMorsels((len(delta)+morselRows-1)/morselRows, workers)
	var pruned atomic.Int64
	var failed atomic.Bool
	partials := make([]map[string]*partialGroup, workers+1)
	vaggs := make([]*vagg, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer o.c.working()()
			defer func() {
				if errs[w] != nil {
					failed.Store(true)
				}
			}()
			defer recoverInto(&errs[w])
			va, err := o.newVAgg(n, filter, cols)
			if err != nil {
				errs[w] = err
				return
			}
			done := 0 // the rows of the segments va aggregated
			for !failed.Load() {
				i, ok := segMorsels.Next(w)
				if !ok {
					break
				}
				if prune != nil && prune.excludes(segs[i]) {
					pruned.Add(1)
					continue
				}
				if errs[w] = va.segment(segs[i]); errs[w] != nil {
					return
				}
				if done == 0 {
					va.expect(segs[i].Rows, rows/workers)
					if lo, hi, ok := keyRange(n, segs); ok {
						va.coverKeys(lo, hi)
					}
				}
				done += segs[i].Rows
				if errs[w] = o.c.cancelErr(); errs[w] != nil {
					return
				}
			}
			if failed.Load() {
				return
			}
			vaggs[w] = va
			o.scanned.Add(va.scanned)
			partials[w], errs[w] = o.worker(n, filter, h, delta, deltaMorsels, w, &failed)
		}()
	}
	wg.Wait()
	giveBack()
	for _, err := range errs {
		if errors.Is(err, errVectorFallback) {
			return nil, false, nil
		}
	}
	for _, err := range errs {
		if err != nil {
			return nil, true, err
		}
	}
	if o.c.Analysis != nil {
		o.noteScan(n)
		st := o.c.Analysis.Stats(n)
		st.Workers = workers
		st.Segments += len(segs)
		st.SegmentsPruned += int(pruned.Load())
	}
	// The workers' tables merge in their vector form, so that only the
	// final groups become rows (TPC-H q18 groups 6M rows into 1.5M).
	deltaGroups := false
	for _, p := range partials[:workers] {
		deltaGroups = deltaGroups || len(p) > 0
	}
	if !deltaGroups { // no rows outside segments: no merging by row keys
		// Groups the filter above would drop need not become rows
		// (TPC-H q18 keeps 57 of 1.5M).
		groups, bytes := finishVAggs(o.c, vaggs, o.having, false)
		o.tableBytes = bytes
		return groups, true, nil
	}
	groups, bytes := finishVAggs(o.c, vaggs, nil, true)
	o.tableBytes = bytes
	partials[workers] = byRowKey(groups)
	return o.merge(partials)
}

// vagg is one worker's vectorized aggregation.
type vagg struct {
	c      *Context
	vc     *vcompiler
	filter vpred
	keys   []vkey
	aggs   []*vacc // the aggregates' states, then the dependent keys'
	nAggs  int     // the aggregates'
	table  vtable
	// perGroup is the batch's rows per group when there are few groups
	// (vsmall.go)
	perGroup []int64
	strIDs   map[string]uint64
	strs     []string
	// scratch, per batch
	sel, all []int32
	keySel   []int32 // rows kept by keyFilter
	gids     []int32
	args     []*vec // the aggregates' arguments in a batch
	// keyFilter drops rows whose group a join will not match (see aggOp).
	keyFilter *aggKeyFilter
	words     []uint64
	// combos maps a row's dictionary codes to its group in comboSeg (see
	// dictGroupIDs); empty when the keys do not allow it there.
	comboSeg *row.Segment
	combos   []int32
	comboKey []uint64 // comboGroup's key words
	// smallSums' distinct vectors and their sums per group
	sumVecs  []*vec
	sumParts []int64
	// direct maps an integer key from directLo to its group (+ 1), 0 for
	// none yet (vdirect.go); noDirect once the keys spread too thinly
	direct   []int32
	directLo int64
	// expected is the groups expect sized the table for, 0 before
	expected int
	noDirect bool
	word     [2]uint64 // a direct key's words: not NULL, the key
	size     int
	scanned  int64 // rows that passed the filter
}

// vkey is one GROUP BY expression.
type vkey struct {
	fn vfn
	t  vtype
	// col is the column a plain string column reference reads, else -1:
	// its dictionary codes map to string ids once per segment.
	col   int
	seg   *row.Segment
	trans []uint64
	// dep is the index in aggs of the state that keeps the key's value
	// when other keys determine it (plan.Aggregate.Dependent), else -1:
	// such a key is left out of the hashed words
	dep int
}

// vacc is one aggregate's states, indexed by group.
type vacc struct {
	call    plan.AggCall
	arg     vfn // nil for count(*)
	t       vtype
	count   []int64
	hi      []int64 // sums of ints: 128 bits, hi:lo
	lo      []uint64
	f       []float64
	bestI   []int64
	bestF   []float64
	bestS   []string
	hasBest []bool
	scale   []int8  // a mixed sum's: the largest scale of each group's rows
	part    []int64 // a batch's sums per group (addSmall)
	// distinct, for count(DISTINCT x): the (group, value) pairs seen
	// (vdistinct.go); seen, each group's as the row path's sets, made for
	// merging with its partial groups
	distinct *vtable
	seen     []map[string]bool
}

// vectorAggs are the aggregates with a vectorized form.
var vectorAggs = map[string]bool{"count": true, "sum": true, "avg": true, "min": true, "max": true}

// vectorAgg reports whether call has a vectorized form: one of vectorAggs
// without FILTER or ORDER BY, DISTINCT only for count of a value.
func vectorAgg(call plan.AggCall) bool {
	return vectorAggs[call.Func] && (!call.Distinct || call.Func == "count" && call.Arg != nil) &&
		call.Filter == nil && len(call.OrderBy) == 0
}

// newVAgg compiles n's vectorized form over filtered rows with columns of
// types cols.
func (o *aggOp) newVAgg(n *plan.Aggregate, filter plan.Expr, cols []types.T) (*vagg, error) {
	size := max(1, BatchSize)
	vc := &vcompiler{c: o.c.fork(), cols: cols, size: size}
	va := &vagg{c: o.c, strIDs: map[string]uint64{}, size: size, keyFilter: o.keyFilter,
		sel: make([]int32, size), all: make([]int32, size), gids: make([]int32, size), keySel: make([]int32, 0, size)}
	for i := range va.all {
		va.all[i] = int32(i)
	}
	var err error
	if filter != nil {
		if va.filter, err = vc.pred(filter); err != nil {
			return nil, err
		}
	}
	vc.memoize = true
	va.vc = vc
	for _, g := range n.GroupBy {
		k := vkey{col: -1, dep: -1}
		if k.fn, k.t, err = vc.value(g); err != nil {
			return nil, err
		}
		if c, ok := g.(*plan.ColRef); ok && k.t.k == vStr {
			k.col = c.Idx
		}
		va.keys = append(va.keys, k)
	}
	for _, call := range n.Aggs {
		if !vectorAgg(call) {
			return nil, errNotVectorized
		}
		a := &vacc{call: call}
		if call.Distinct {
			a.distinct = &vtable{}
			a.distinct.initPairs()
		}
		if call.Arg != nil {
			_, isCase := call.Arg.(*plan.Case)
			vc.mixedScales = isCase && !call.Distinct && (call.Func == "sum" || call.Func == "count")
			a.arg, a.t, err = vc.value(call.Arg)
			vc.mixedScales = false
			if err != nil {
				return nil, err
			}
			if a.t.mixed && call.Func != "sum" && call.Func != "count" { // shared with a sum's
				return nil, errNotVectorized
			}
			if a.t.k == vStr && (call.Func == "sum" || call.Func == "avg") {
				return nil, errNotVectorized
			}
		}
		va.aggs = append(va.aggs, a)
	}
	va.nAggs = len(va.aggs)
	for i, dep := range n.Dependent {
		if k := &va.keys[i]; dep {
			k.dep = len(va.aggs)
			va.aggs = append(va.aggs, &vacc{call: plan.AggCall{Func: "any"}, arg: k.fn, t: k.t})
		}
	}
	va.table.init(len(va.keys) + 1)
	return va, nil
}

// segment aggregates the visible rows of seg.
func (va *vagg) segment(seg *row.Segment) error {
	b := vbatch{seg: seg}
	var read uint64
	defer func() { va.c.Store.Activity().RowsRead.Add(read) }()
	for b.off = 0; b.off < seg.Rows; b.off += b.n {
		b.n = min(va.size, seg.Rows-b.off)
		sel := va.all[:b.n]
		if seg.Touched() {
			sel = va.sel[:0]
			for j, v := range seg.Versions[b.off : b.off+b.n] {
				if v.VisibleTo(&va.c.Snap) {
					sel = append(sel, int32(j))
				}
			}
		}
		read += uint64(len(sel))
		if va.filter != nil && len(sel) > 0 {
			var err error
			if sel, err = va.filter(&b, sel); err != nil {
				return err
			}
		}
		if va.keyFilter != nil && len(sel) > 0 {
			var err error
			if sel, err = va.filterKeys(&b, sel); err != nil {
				return err
			}
		}
		if len(sel) == 0 {
			continue
		}
		va.scanned += int64(len(sel))
		if err := va.batch(&b, sel); err != nil {
			return err
		}
	}
	return nil
}

// filterKeys keeps the selected rows whose key filter column is a key of
// the filter's table.
func (va *vagg) filterKeys(b *vbatch, sel []int32) ([]int32, error) {
	va.vc.epoch++ // values of the unfiltered selection are not memoized for batch
	f := va.keyFilter
	var vs [2]*vec
	for i, g := range f.groups {
		v, err := va.keys[g].fn(b, sel)
		if err != nil {
			return nil, err
		}
		vs[i] = v
	}
	out := va.keySel[:0]
	for _, j := range sel {
		if vs[0].null != nil && vs[0].null[j] || vs[1] != nil && vs[1].null != nil && vs[1].null[j] {
			continue
		}
		ok := f.first.has(vs[0].i[j])
		if ok && vs[1] != nil {
			_, ok = f.pairs[[2]int64{vs[0].i[j], vs[1].i[j]}]
		}
		if ok {
			out = append(out, j)
		}
	}
	return out, nil
}

// batch groups and aggregates the selected rows of b.
func (va *vagg) batch(b *vbatch, sel []int32) error {
	va.vc.epoch++
	// Everything that can fail comes before the first change to the
	// groups, so that a failed batch leaves them as they were.
	args := va.args[:0]
	for _, a := range va.aggs {
		var v *vec
		if a.arg != nil {
			var err error
			if v, err = a.arg(b, sel); err != nil {
				return err
			}
		}
		args = append(args, v)
	}
	gids := va.gids[:len(sel)]
	if err := va.groupIDs(b, sel, gids); err != nil {
		return err
	}
	groups := va.table.len()
	var perGroup []int64 // when some aggregate can use it
	for i, a := range va.aggs {
		if a.arg == nil || a.distinct == nil && a.small(args[i]) {
			perGroup = va.rowsPerGroup(gids, groups)
			break
		}
	}
	var summed []bool
	if perGroup != nil {
		summed = va.smallSums(args, sel, gids, perGroup)
	}
	for i, a := range va.aggs {
		a.grow(groups)
		switch {
		case summed != nil && summed[i]:
		case a.arg == nil && perGroup != nil:
			a.addCounts(perGroup)
		case a.arg == nil:
			for _, g := range gids {
				a.count[g]++
			}
		case a.distinct != nil:
			va.addDistinct(a, args[i], sel, gids)
		case perGroup == nil || !a.addSmall(args[i], sel, gids, perGroup):
			a.add(args[i], sel, gids)
		}
	}
	return nil
}

// groupIDs finds (or adds) each selected row's group.
func (va *vagg) groupIDs(b *vbatch, sel []int32, gids []int32) error {
	nk := len(va.keys) + 1
	if len(va.keys) == 0 {
		if va.table.len() == 0 {
			va.table.find(make([]uint64, nk))
		}
		clear(gids)
		return nil
	}
	if va.dictGroupIDs(b, sel, gids) {
		return nil
	}
	if ok, err := va.directGroupIDs(b, sel, gids); ok || err != nil {
		return err
	}
	if cap(va.words) < nk*len(sel) {
		va.words = make([]uint64, nk*va.size)
	}
	words := va.words[:nk*len(sel)]
	clear(words)
	for ki := range va.keys {
		k := &va.keys[ki]
		if k.dep >= 0 {
			continue // its state keeps it (batch)
		}
		v, err := k.fn(b, sel)
		if err != nil {
			return err
		}
		var trans []uint64
		if k.col >= 0 {
			trans = va.translation(k, b.seg)
		}
		for r, j := range sel {
			w := &words[r*nk+ki+1]
			if v.null != nil && v.null[j] {
				words[r*nk] |= 1 << ki
				continue
			}
			switch {
			case trans != nil:
				c := &b.seg.Cols[k.col]
				code := c.Codes[b.off+int(j)]
				if trans[code] == math.MaxUint64 {
					trans[code] = va.strID(c.Dict[code])
				}
				*w = trans[code]
			case k.t.k == vInt:
				*w = uint64(v.i[j])
			case k.t.k == vFloat:
				*w = floatKey(v.f[j])
			default:
				*w = va.strID(v.s[j])
			}
		}
	}
	for r := range sel {
		k := words[r*nk : (r+1)*nk]
		// Clustered keys (lineitem by l_orderkey) repeat from row to row.
		if r > 0 && eqWords(k, words[(r-1)*nk:r*nk]) {
			gids[r] = gids[r-1]
			continue
		}
		gids[r] = va.table.find(k)
	}
	return nil
}

// maxDictCombos bounds the table dictGroupIDs keeps per segment.
const maxDictCombos = 1 << 16

// dictGroupIDs groups by dictionary codes alone when every key is a
// dictionary column without NULLs in this segment: a row's codes make an
// index into a per-segment table of group ids, so most rows cost a few
// loads. It reports false when the keys do not allow it.
func (va *vagg) dictGroupIDs(b *vbatch, sel []int32, gids []int32) bool {
	if va.comboSeg != b.seg {
		va.comboSeg, va.combos = b.seg, va.combos[:0]
		n := 1
		for i := range va.keys {
			k := &va.keys[i]
			if k.col < 0 {
				return false
			}
			c := &b.seg.Cols[k.col]
			if c.Codes == nil || c.Valid != nil {
				return false
			}
			if n *= len(c.Dict); n > maxDictCombos {
				return false
			}
		}
		for range n {
			va.combos = append(va.combos, -1)
		}
	}
	if len(va.combos) == 0 {
		return false
	}
	// Two keys (TPC-H Q1's flag and status) and one take loops of their
	// own, the codes read from slices at hand.
	combos := va.combos
	switch len(va.keys) {
	case 1:
		c0 := b.seg.Cols[va.keys[0].col].Codes[b.off:]
		for r, j := range sel {
			combo := int(c0[j])
			if gids[r] = combos[combo]; gids[r] < 0 {
				gids[r] = va.comboGroup(b, j, combo)
			}
		}
	case 2:
		c0, c1 := b.seg.Cols[va.keys[0].col].Codes[b.off:], b.seg.Cols[va.keys[1].col].Codes[b.off:]
		d1 := len(b.seg.Cols[va.keys[1].col].Dict)
		for r, j := range sel {
			combo := int(c0[j])*d1 + int(c1[j])
			if gids[r] = combos[combo]; gids[r] < 0 {
				gids[r] = va.comboGroup(b, j, combo)
			}
		}
	default:
		for r, j := range sel {
			combo := 0
			for ki := range va.keys {
				c := &b.seg.Cols[va.keys[ki].col]
				combo = combo*len(c.Dict) + int(c.Codes[b.off+int(j)])
			}
			if gids[r] = combos[combo]; gids[r] < 0 {
				gids[r] = va.comboGroup(b, j, combo)
			}
		}
	}
	return true
}

// comboGroup finds the group of row j of batch b, whose dictionary codes
// make combo, the first time a row of the segment has them.
func (va *vagg) comboGroup(b *vbatch, j int32, combo int) int32 {
	key := append(va.comboKey[:0], 0) // no NULL flags: no key has NULLs
	for ki := range va.keys {
		var w uint64
		if va.keys[ki].dep < 0 { // a dependent key is not hashed, as in groupIDs
			c := &b.seg.Cols[va.keys[ki].col]
			w = va.strID(c.Dict[c.Codes[b.off+int(j)]])
		}
		key = append(key, w)
	}
	va.comboKey = key
	g := va.table.find(key)
	va.combos[combo] = g
	return g
}

// translation returns the string ids of a dictionary column's entries in
// seg, filled in as they are met, or nil for a plain column.
func (va *vagg) translation(k *vkey, seg *row.Segment) []uint64 {
	c := &seg.Cols[k.col]
	if c.Codes == nil {
		return nil
	}
	if k.seg != seg {
		k.seg = seg
		k.trans = k.trans[:0]
		for range c.Dict {
			k.trans = append(k.trans, math.MaxUint64)
		}
	}
	return k.trans
}

func (va *vagg) strID(s string) uint64 {
	id, ok := va.strIDs[s]
	if !ok {
		id = uint64(len(va.strs))
		va.strIDs[s] = id
		va.strs = append(va.strs, s)
	}
	return id
}

// floatKey makes equal floats (0 and -0, every NaN) one key.
func floatKey(f float64) uint64 {
	switch {
	case f == 0:
		return 0
	case math.IsNaN(f):
		return math.Float64bits(math.NaN())
	}
	return math.Float64bits(f)
}

// grow makes room for n groups.
func (a *vacc) grow(n int) {
	if n <= len(a.count) {
		return
	}
	a.count = growTo(a.count, n)
	switch a.call.Func {
	case "sum", "avg":
		if a.t.k == vFloat {
			a.f = growTo(a.f, n)
		} else {
			a.hi, a.lo = growTo(a.hi, n), growTo(a.lo, n)
		}
		if a.t.mixed {
			a.scale = growTo(a.scale, n)
		}
	case "min", "max", "any":
		a.hasBest = growTo(a.hasBest, n)
		switch a.t.k {
		case vInt:
			a.bestI = growTo(a.bestI, n)
		case vFloat:
			a.bestF = growTo(a.bestF, n)
		case vStr:
			a.bestS = growTo(a.bestS, n)
		}
	}
}

// shrink cuts the states back to n groups, keeping their memory.
func (a *vacc) shrink(n int) {
	a.count = a.count[:n]
	if a.hi != nil {
		a.hi, a.lo = a.hi[:n], a.lo[:n]
	}
	if a.f != nil {
		a.f = a.f[:n]
	}
	if a.hasBest != nil {
		a.hasBest = a.hasBest[:n]
	}
	if a.bestI != nil {
		a.bestI = a.bestI[:n]
	}
	if a.bestF != nil {
		a.bestF = a.bestF[:n]
	}
	if a.bestS != nil {
		a.bestS = a.bestS[:n]
	}
}

// growTo extends s with zero values to length n, at least doubling its
// capacity when it must reallocate: tables of a million groups grow a
// batch at a time.
func growTo[T any](s []T, n int) []T {
	if n <= cap(s) {
		return s[:n]
	}
	grown := make([]T, n, max(n, 2*cap(s)))
	copy(grown, s)
	return grown
}

// roomForN returns s with room for n more elements, at least doubling its
// capacity when it must reallocate (as roomFor for one): append grows a
// large slice by a quarter, copying it over and over.
func roomForN[T any](s []T, n int) []T { return growTo(s, len(s)+n)[:len(s)] }

// add accumulates v's selected values into their groups.
func (a *vacc) add(v *vec, sel []int32, gids []int32) {
	null := v.null
	switch a.call.Func {
	case "count":
		for r, j := range sel {
			if null == nil || !null[j] {
				a.count[gids[r]]++
			}
		}
	case "sum", "avg":
		if v.scale != nil {
			for r, j := range sel {
				if null == nil || !null[j] {
					a.scale[gids[r]] = max(a.scale[gids[r]], v.scale[j])
				}
			}
		}
		switch {
		case a.t.k == vFloat:
			for r, j := range sel {
				if null == nil || !null[j] {
					g := gids[r]
					a.count[g]++
					a.f[g] += v.f[j]
				}
			}
		case null == nil:
			count, hi, lo := a.count, a.hi, a.lo
			for r, j := range sel {
				g := gids[r]
				x := v.i[j]
				count[g]++
				var carry uint64
				lo[g], carry = bits.Add64(lo[g], uint64(x), 0)
				hi[g] += x>>63 + int64(carry)
			}
		default:
			for r, j := range sel {
				if null[j] {
					continue
				}
				g := gids[r]
				x := v.i[j]
				a.count[g]++
				var carry uint64
				a.lo[g], carry = bits.Add64(a.lo[g], uint64(x), 0)
				a.hi[g] += x>>63 + int64(carry)
			}
		}
	case "min", "max", "any":
		isMin, first := a.call.Func == "min", a.call.Func == "any"
		for r, j := range sel {
			if null != nil && null[j] {
				continue
			}
			g := int(gids[r])
			a.count[g]++
			if first && a.hasBest[g] {
				continue
			}
			switch a.t.k {
			case vInt:
				a.offerInt(g, v.i[j], isMin)
			case vFloat:
				a.offerFloat(g, v.f[j], isMin)
			case vStr:
				a.offerStr(g, v.s[j], isMin)
			}
		}
	}
}

// offerInt, offerFloat and offerStr make x group g's min (or max) if it
// beats the one it has.
func (a *vacc) offerInt(g int, x int64, isMin bool) {
	if !a.hasBest[g] || (x < a.bestI[g]) == isMin && x != a.bestI[g] {
		a.bestI[g], a.hasBest[g] = x, true
	}
}

func (a *vacc) offerFloat(g int, x float64, isMin bool) {
	if !a.hasBest[g] || floatBetter(x, a.bestF[g], isMin) {
		a.bestF[g], a.hasBest[g] = x, true
	}
}

func (a *vacc) offerStr(g int, x string, isMin bool) {
	if !a.hasBest[g] || (x < a.bestS[g]) == isMin && x != a.bestS[g] {
		a.bestS[g], a.hasBest[g] = x, true
	}
}

// floatBetter reports whether x beats best for min (or max), ordering NaN
// above every number as PostgreSQL does.
func floatBetter(x, best float64, isMin bool) bool {
	c := types.Compare(types.NewFloat(x), types.NewFloat(best))
	return c != 0 && (c < 0) == isMin
}

// state returns group g's state in the row path's form.
func (a *vacc) state(g int) aggState {
	s := aggState{count: a.count[g]}
	switch a.call.Func {
	case "sum", "avg":
		switch {
		case a.t.k == vFloat:
			s.sumF = a.f[g]
		case a.t.t.ID == types.Numeric:
			s.sumD = int128Decimal(a.hi[g], a.lo[g], a.t.scale)
			if a.scale != nil && int32(a.scale[g]) < a.t.scale {
				// exact: each row's value is a multiple of 10^-scale[g]
				types.DecimalContext.Quantize(s.sumD, s.sumD, -int32(a.scale[g]))
			}
		case a.hi[g] == int64(a.lo[g])>>63:
			s.sumI = int64(a.lo[g])
		default:
			s.sumD = int128Decimal(a.hi[g], a.lo[g], 0)
		}
	case "min", "max", "any":
		if a.hasBest[g] {
			switch a.t.k {
			case vInt:
				s.best = intValue(a.t, a.bestI[g])
			case vFloat:
				s.best = types.NewFloat(a.bestF[g])
			case vStr:
				s.best = types.NewText(a.bestS[g])
			}
		}
	}
	return s
}

// int128Decimal returns hi:lo / 10^scale.
func int128Decimal(hi int64, lo uint64, scale int32) *apd.Decimal {
	if hi == int64(lo)>>63 {
		return apd.New(int64(lo), -scale)
	}
	b := new(big.Int).SetInt64(hi)
	b.Lsh(b, 64)
	b.Add(b, new(big.Int).SetUint64(lo))
	return apd.NewWithBigInt(new(apd.BigInt).SetMathBigInt(b), -scale)
}

// intValue turns an int64 of representation t into a Value.
func intValue(t vtype, x int64) types.Value {
	if t.t.ID == types.Numeric {
		return types.NewDecimal(apd.New(x, -t.scale))
	}
	return column.FromInt64(t.t, x)
}

// absorb merges the groups of another worker's aggregation into va's:
// those of part (of parts) by their keys' hash, all when parts is 1.
func (va *vagg) absorb(from *vagg, part, parts int) {
	nk := len(va.keys) + 1
	k := make([]uint64, nk)
	for _, a := range from.aggs {
		a.grow(from.table.len())
	}
	into := make([]int32, from.table.len()) // from's groups' in va
	for g := range from.table.len() {
		copy(k, from.table.keys[g*nk:(g+1)*nk])
		if parts > 1 && partOf(k, parts) != part {
			continue
		}
		for i, key := range va.keys {
			if key.t.k == vStr && key.dep < 0 && k[0]&(1<<i) == 0 { // string ids are per worker
				k[i+1] = va.strID(from.strs[k[i+1]])
			}
		}
		into[g] = va.group(k)
		for i, a := range va.aggs {
			a.grow(va.table.len())
			if a.distinct == nil {
				a.merge(int(into[g]), from.aggs[i], g)
			}
		}
	}
	for i, a := range va.aggs {
		if a.distinct != nil {
			va.absorbDistinct(a, from.aggs[i], from, into)
		}
	}
}

// partOf is the partition (of parts) of group key k in a parallel merge.
// It takes the hash's low bits: a table's slots take its top bits, which
// are then not the same for every key of a partition.
func partOf(k []uint64, parts int) int {
	return int(uint64(uint32(hashWords(k))) * uint64(parts) >> 32)
}

// ParallelMergeGroups is the number of groups from which the workers'
// aggregations merge in parallel: below it, one table absorbing the
// others is quicker than starting the workers. Tests lower it.
var ParallelMergeGroups = 1 << 15

// mergeVAggs merges the workers' aggregations into one, or into parts
// that hold disjoint groups. One table absorbing the others inserts the
// groups of all but it, one after the other; parts merge on the workers,
// each taking the groups of one hash partition from every worker's table,
// which for W workers makes 1/W of the groups each. Whichever inserts
// fewer groups on one core wins: the parts from three workers on. Keys
// with strings merge into one, their ids being per worker, and so do
// distinct aggregates.
func mergeVAggs(vaggs []*vagg) []*vagg {
	if len(vaggs) == 1 {
		return vaggs // nothing to merge: groups a direct array holds need no hash index
	}
	groups, largest, single := 0, 0, false
	for i, va := range vaggs {
		groups += va.table.len()
		if va.table.len() > vaggs[largest].table.len() {
			largest = i
		}
	}
	for _, k := range vaggs[0].keys {
		single = single || k.t.k == vStr
	}
	for _, a := range vaggs[0].aggs {
		single = single || a.distinct != nil // its pairs name groups by their ids in one table
	}
	into := vaggs[largest]
	if groups < ParallelMergeGroups || single || groups/len(vaggs) >= groups-into.table.len() {
		into.reserve(groups) // at most: one rehash, not one per doubling
		for _, va := range vaggs {
			if va != into {
				into.absorb(va, 0, 1)
			}
		}
		return []*vagg{into}
	}
	parts := make([]*vagg, len(vaggs))
	var wg sync.WaitGroup
	for p := range parts {
		wg.Go(func() {
			out := vaggs[0].empty()
			out.reserve(groups / len(parts))
			for _, va := range vaggs {
				out.absorb(va, p, len(parts))
			}
			parts[p] = out
		})
	}
	wg.Wait()
	return parts
}

// empty returns an aggregation of va's keys and aggregates without groups,
// to merge others into.
func (va *vagg) empty() *vagg {
	out := &vagg{c: va.c, vc: va.vc, keys: va.keys, nAggs: va.nAggs, strIDs: map[string]uint64{}, size: va.size}
	for _, a := range va.aggs {
		out.aggs = append(out.aggs, &vacc{call: a.call, arg: a.arg, t: a.t})
	}
	out.table.init(len(va.keys) + 1)
	return out
}

// expect sizes va's table for the groups that its share of the rows would
// make at the rate its first done rows made them, when they made many: a
// million groups would otherwise rehash the table a dozen times, each time
// moving every slot (TPC-H q18 makes 1.5M groups of 6M rows).
func (va *vagg) expect(done, share int) {
	if done <= 0 || va.table.len() < minExpectGroups {
		return
	}
	va.expected = int(min(int64(share), int64(va.table.len())*int64(share)/int64(done)))
	va.reserve(va.expected)
}

// minExpectGroups is how many groups the first rows must make for expect
// to size the table for more.
const minExpectGroups = 1024

// reserve makes room for n groups in va's table and states.
func (va *vagg) reserve(n int) {
	va.table.reserve(n)
	for _, a := range va.aggs {
		l := len(a.count)
		a.grow(n)
		a.shrink(l)
	}
}

// finishVAggs merges the workers' aggregations and returns their groups,
// leaving out those the filter having (over the aggregation's output, nil
// for none) drops for sure (see havingTests, in the statement's context c),
// and the memory the merged tables hold; toMerge keeps a distinct
// aggregate's values seen, for merging with the row path's groups.
func finishVAggs(c *Context, vaggs []*vagg, having plan.Expr, toMerge bool) ([]*partialGroup, int64) {
	var groups []*partialGroup
	var bytes int64
	for _, va := range mergeVAggs(vaggs) {
		if toMerge {
			va.keepSeen()
		}
		groups = append(groups, va.groups(len(vaggs), va.havingTests(c, having))...)
		bytes += va.bytes()
	}
	return groups, bytes
}

// merge adds group g of b's states into group into of a's.
func (a *vacc) merge(into int, b *vacc, g int) {
	a.count[into] += b.count[g]
	switch a.call.Func {
	case "sum", "avg":
		if a.t.k == vFloat {
			a.f[into] += b.f[g]
			return
		}
		var carry uint64
		a.lo[into], carry = bits.Add64(a.lo[into], b.lo[g], 0)
		a.hi[into] += b.hi[g] + int64(carry)
		if a.scale != nil {
			a.scale[into] = max(a.scale[into], b.scale[g])
		}
	case "min", "max", "any":
		if !b.hasBest[g] || a.call.Func == "any" && a.hasBest[into] {
			return
		}
		isMin := a.call.Func == "min"
		switch a.t.k {
		case vInt:
			a.offerInt(into, b.bestI[g], isMin)
		case vFloat:
			a.offerFloat(into, b.bestF[g], isMin)
		case vStr:
			a.offerStr(into, b.bestS[g], isMin)
		}
	}
}

// groups returns the aggregation's groups in the row path's form, only
// those that pass every test.
func (va *vagg) groups(workers int, tests []groupTest) []*partialGroup {
	var out []*partialGroup
	va.chunks(workers, tests, func(n int) { out = make([]*partialGroup, n) }, func(ids []int32, lo, hi int) {
		va.makeGroups(out, ids, lo, hi)
	})
	return out
}

// chunks calls made with the number of groups that pass every test, then
// each for chunks [lo, hi) of their ids, on workers for many groups.
func (va *vagg) chunks(workers int, tests []groupTest, made func(n int), each func(ids []int32, lo, hi int)) {
	n := va.table.len()
	for _, a := range va.aggs {
		a.grow(n)
	}
	ids := make([]int32, 0, n)
	for g := range int32(n) {
		if passesAll(tests, int(g)) {
			ids = append(ids, g)
		}
	}
	made(len(ids))
	// Making rows of a million groups is worth the workers.
	chunk := max(1<<16, (len(ids)+workers-1)/workers)
	var wg sync.WaitGroup
	for lo := 0; lo < len(ids); lo += chunk {
		wg.Go(func() { each(ids, lo, min(len(ids), lo+chunk)) })
	}
	wg.Wait()
}

// bytes is the memory of the group table and the aggregates' states.
func (va *vagg) bytes() int64 {
	n := va.table.bytes() + int64(len(va.direct))*4
	for _, s := range va.strs {
		n += int64(len(s)) + 16
	}
	for _, a := range va.aggs {
		n += int64(len(a.count)+len(a.hi)+len(a.lo)+len(a.f)+len(a.bestI)+len(a.bestF))*8 + int64(len(a.hasBest)) + int64(len(a.bestS))*16
	}
	return n
}

// groupTest decides from a group's vector states whether it can pass the
// filter above the aggregation.
type groupTest func(g int) bool

func passesAll(tests []groupTest, g int) bool {
	for _, t := range tests {
		if !t(g) {
			return false
		}
	}
	return true
}

// havingTests makes tests of the conjuncts of cond, the filter over the
// aggregation's output (a HAVING), that compare an integer-like count,
// sum, min or max with a constant or an uncorrelated subquery (TPC-H
// q11's share of the total value), whose value the filter then reuses.
// A group failing one is dropped before it becomes a row; the filter
// still checks the groups that remain. c is the statement's context, the
// filter's, whose subquery results the filter reads.
func (va *vagg) havingTests(c *Context, cond plan.Expr) []groupTest {
	var tests []groupTest
	var conj func(e plan.Expr)
	conj = func(e plan.Expr) {
		b, ok := e.(*plan.Binary)
		if !ok {
			return
		}
		if b.Op == "and" {
			conj(b.L)
			conj(b.R)
			return
		}
		op, aggSide, constSide := b.Op, b.L, b.R
		if !statementConstant(constSide) {
			op, aggSide, constSide = flipCmp[op], b.R, b.L
		}
		ref, ok := aggSide.(*plan.ColRef)
		if !ok || op == "" || !statementConstant(constSide) || ref.Idx < len(va.keys) || ref.Idx >= len(va.keys)+va.nAggs ||
			va.table.len() == 0 { // no group to test: a subquery need not run
			return
		}
		f, err := c.compile(constSide)
		if err != nil {
			return
		}
		v, err := f(nil)
		if err != nil || v.IsNull() {
			return // the filter meets the error itself
		}
		if t := va.aggs[ref.Idx-len(va.keys)].test(op, v); t != nil {
			tests = append(tests, t)
		}
	}
	conj(cond)
	return tests
}

// test returns a test of "result op c" on the accumulator's groups, or nil
// when the result is not an integer-like value that c compares with
// exactly. A group whose result is NULL fails, as the comparison would.
func (a *vacc) test(op string, c types.Value) groupTest {
	holds := cmpTest(op)
	switch {
	case a.call.Func == "count":
		k, ok := scaledInt(c, 0)
		if !ok {
			return nil
		}
		return func(g int) bool { return holds(cmp.Compare(a.count[g], k)) }
	case a.t.k != vInt || a.t.t.ID != types.Numeric && !isInteger(a.t.t.ID):
		return nil
	}
	k, ok := scaledInt(c, a.t.scale)
	if !ok {
		if op, k, ok = boundBelow(op, c, a.t.scale); !ok {
			return nil
		}
		holds = cmpTest(op)
	}
	switch a.call.Func {
	case "sum":
		khi, klo := k>>63, uint64(k)
		return func(g int) bool {
			if a.count[g] == 0 {
				return false
			}
			c := cmp.Compare(a.hi[g], khi)
			if c == 0 {
				c = cmp.Compare(a.lo[g], klo)
			}
			return holds(c)
		}
	case "min", "max":
		return func(g int) bool { return a.hasBest[g] && holds(cmp.Compare(a.bestI[g], k)) }
	}
	return nil
}

// boundBelow returns the comparison "x op2 k" with an integer k that holds
// for exactly the integers x (values at scale) for which "x op c" does,
// where c has more digits than scale holds: for x > c, x > floor(c).
func boundBelow(op string, c types.Value, scale int32) (string, int64, bool) {
	if c.K != types.KDecimal || c.D.Form != apd.Finite || scale < 0 || scale > 18 {
		return "", 0, false
	}
	var at, f apd.Decimal
	at.Set(c.D)
	at.Exponent += scale // c at scale
	// into f, not in place (apd floors -0.5 to -0 so)
	if _, err := apd.BaseContext.WithPrecision(40).Floor(&f, &at); err != nil {
		return "", 0, false
	}
	k, err := f.Int64()
	if err != nil {
		return "", 0, false
	}
	switch op {
	case ">", "<=":
		return op, k, true
	case ">=": // x >= c, c not an integer: x > floor(c)
		return ">", k, true
	case "<":
		return "<=", k, true
	}
	return "", 0, false // = and <> compare with a value no x equals
}

// makeGroups fills out[lo:hi] with groups ids[lo:hi].
func (va *vagg) makeGroups(out []*partialGroup, ids []int32, lo, hi int) {
	// in three allocations, not three a group (TPC-H q13 makes 150,000)
	n, na := hi-lo, va.nAggs
	pgs, allKeys, allStates := make([]partialGroup, n), make([]types.Value, n*len(va.keys)), make([]aggState, n*na)
	for i := lo; i < hi; i++ {
		g := int(ids[i])
		at := (i - lo) * len(va.keys)
		keys := allKeys[at : at+len(va.keys) : at+len(va.keys)]
		va.groupKeys(g, keys)
		pg := &pgs[i-lo]
		pg.keys, pg.states = keys, allStates[(i-lo)*na:(i-lo+1)*na:(i-lo+1)*na]
		for i, a := range va.aggs[:na] {
			pg.states[i] = a.state(g)
			if a.seen != nil {
				pg.states[i].seen = a.seen[g]
			}
		}
		out[i] = pg
	}
}

// zonePruner decides from a segment's zone maps that no row of it can pass
// a filter: one of its conjuncts compares a column with a constant the
// column's range excludes.
type zonePruner struct {
	tests []zoneTest
}

type zoneTest struct {
	col  int
	cast *types.T // the column is cast to this type before comparing
	op   string   // the column on the left
	c    types.Value
}

func (c *Context) newZonePruner(filter plan.Expr) (*zonePruner, error) {
	p := &zonePruner{}
	var conj func(e plan.Expr) error
	conj = func(e plan.Expr) error {
		b, ok := e.(*plan.Binary)
		if !ok {
			return nil
		}
		if b.Op == "and" {
			if err := conj(b.L); err != nil {
				return err
			}
			return conj(b.R)
		}
		op := b.Op
		colSide, constSide := b.L, b.R
		if !constant(constSide) {
			colSide, constSide, op = b.R, b.L, flipCmp[op]
		}
		if op == "" || !constant(constSide) {
			return nil
		}
		t := zoneTest{op: op}
		if cast, ok := colSide.(*plan.Cast); ok {
			if !monotoneCast(cast.X.Type().ID, cast.T.ID) {
				return nil
			}
			ct := cast.T
			t.cast, colSide = &ct, cast.X
		}
		ref, ok := colSide.(*plan.ColRef)
		if !ok {
			return nil
		}
		t.col = ref.Idx
		f, err := c.compile(constSide)
		if err != nil {
			return err
		}
		if t.c, err = f(nil); err != nil {
			return err
		}
		p.tests = append(p.tests, t)
		return nil
	}
	return p, conj(filter)
}

var flipCmp = map[string]string{"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

func (p *zonePruner) excludes(seg *row.Segment) bool {
	for _, t := range p.tests {
		col := &seg.Cols[t.col]
		z := col.Zone
		if col.Kind == column.Unsupported || col.Type.ID == types.Char {
			continue // char compares without trailing blanks
		}
		if z.Nulls == seg.Rows || t.c.IsNull() {
			return true // a comparison with NULL is never true
		}
		lo, hi := z.Min, z.Max
		if t.cast != nil {
			var err1, err2 error
			lo, err1 = types.Cast(lo, *t.cast)
			hi, err2 = types.Cast(hi, *t.cast)
			if err1 != nil || err2 != nil {
				continue
			}
		}
		if !comparable(lo, t.c) {
			continue
		}
		cl, ch := types.Compare(lo, t.c), types.Compare(hi, t.c)
		switch t.op {
		case "=":
			if cl > 0 || ch < 0 {
				return true
			}
		case "<":
			if cl >= 0 {
				return true
			}
		case "<=":
			if cl > 0 {
				return true
			}
		case ">":
			if ch <= 0 {
				return true
			}
		case ">=":
			if ch < 0 {
				return true
			}
		}
	}
	return false
}

// comparable reports whether types.Compare orders a and b by value.
func comparable(a, b types.Value) bool {
	num := func(k types.Kind) bool { return k == types.KInt || k == types.KFloat || k == types.KDecimal }
	datetime := func(k types.Kind) bool { return k == types.KDate || k == types.KTimestamp || k == types.KTimestampTZ }
	return a.K == b.K || num(a.K) && num(b.K) || datetime(a.K) && datetime(b.K)
}

// monotoneCast reports whether a cast from one type to another keeps the
// order of values, so that it maps a zone's bounds to bounds.
func monotoneCast(from, to types.ID) bool {
	numeric := func(id types.ID) bool {
		return isInteger(id) || id == types.Numeric || id == types.Float4 || id == types.Float8
	}
	return numeric(from) && numeric(to) || from == types.Date && to == types.Timestamp
}

// groupKeys sets keys to group g's key values.
func (va *vagg) groupKeys(g int, keys []types.Value) {
	nk := len(va.keys) + 1
	words := va.table.keys[g*nk : (g+1)*nk]
	for i, k := range va.keys {
		w := words[i+1]
		switch {
		case k.dep >= 0:
			keys[i] = va.aggs[k.dep].state(g).best // Null when it was NULL
		case words[0]&(1<<i) != 0:
			keys[i] = types.Null
		case k.t.k == vInt:
			keys[i] = intValue(k.t, int64(w))
		case k.t.k == vFloat:
			keys[i] = types.NewFloat(math.Float64frombits(w))
		default:
			keys[i] = types.NewText(va.strs[w])
		}
	}
}

// resultRows makes o's result rows of the groups that pass tests straight
// from the vector states, without partial groups in between (TPC-H q13's
// 150,000 customers), each chunk's rows in one allocation.
func (va *vagg) resultRows(o *aggOp, workers int, tests []groupTest) ([][]types.Value, error) {
	var rows [][]types.Value
	var mu sync.Mutex
	var failed error
	va.chunks(workers, tests, func(n int) { rows = make([][]types.Value, n) }, func(ids []int32, lo, hi int) {
		nk, width := len(va.keys), len(va.keys)+va.nAggs
		vals := make([]types.Value, (hi-lo)*width)
		for i := lo; i < hi; i++ {
			g, at := int(ids[i]), (i-lo)*width
			row := vals[at : at+width : at+width]
			va.groupKeys(g, row[:nk])
			for k, a := range va.aggs[:va.nAggs] {
				s := a.state(g)
				v, err := o.result(&s, o.calls[k])
				if err != nil {
					mu.Lock()
					failed = cmp.Or(failed, err)
					mu.Unlock()
					return
				}
				row[nk+k] = v
			}
			rows[i] = row
		}
	})
	return rows, failed
}
