package exec

import (
	"rustydb/plan"
	"rustydb/types"
	"sync"
)

// joinOp is a hash join when the plan has equality keys and a nested loop
// otherwise. The right input is materialized (the built rows) and the left
// one streamed, or with BuildLeft the other way round. An outer join emits
// the unmatched rows it keeps of the streamed input as they pass and those
// of the built input at the end, with NULLs for the other side.
type joinOp struct {
	c                     *Context
	node                  *plan.Join
	kind                  string
	left, right           Operator
	leftKeys, rightKeys   []evalFn
	byValue               []bool // key i mixes number types: hash by numeric value
	buildLeft             bool
	stream, build         Operator // left, right or with buildLeft right, left
	streamKeys, buildKeys []evalFn
	streamKeyCols         []int // the streamed input's columns that are the keys, nil if some key is not a column
	on                    evalFn
	nLeft, nRight         int
	out                   []int         // the joined row's columns output (plan.Join.Out), nil for all
	joined                []types.Value // the joined row On reads when out is set

	built [][]types.Value // the materialized input
	// The hash table: the first right row (index + 1) of each key, by its
	// integer value when the key is one integer column (intKeys), by the
	// pair of values for two (pairKeys), else by
	// its HashKey bytes; next chains the rows of a key in input order.
	intKeys bool
	itable  map[int64]int32
	keySet  *keySet // itable's keys, for the key filters of scans (pushKeyFilter)
	// pairKeys: the key is two integer columns, hashed by their values.
	pairKeys bool
	ptable   map[[2]int64]int32
	pair     [2]int64
	table    map[string]int32
	next     []int32
	matched  []bool

	cur        []types.Value // current left row
	at         int32         // the next candidate right row + 1 (hash join)
	pos        int           // the next right row (nested loop)
	curMatched bool
	tail       int // position in built when emitting unmatched right rows
	leftDone   bool
	buf        []byte
	// grace holds the partitions of a join whose built input passed
	// work_mem (joinspill.go).
	grace *graceJoin
	// shared: the hash table is another worker's (see share); peers are
	// the workers sharing this one's, done when peersDone is.
	shared    bool
	peers     []*joinOp
	peersDone *sync.WaitGroup
	slab      []types.Value // where output rows are cut from (alloc)
	// vneed, when set, asks for a jtable of the built rows (vt) instead
	// of the maps, for a vectorized pipeline (vjoin.go); it marks the
	// built columns the pipeline reads.
	vneed   []bool
	vdegree int // the workers the jtable's build may use (plan.Aggregate.Pipeline)
	vt      *jtable
	marking bool // its marking pipeline is being made (vmark.go)
}

func (c *Context) buildJoin(n *plan.Join) (Operator, error) {
	l, err := c.Build(n.Left)
	if err != nil {
		return nil, err
	}
	if n.Lateral {
		j := &lateralOp{c: c, left: l, right: n.Right, kind: n.Kind, nLeft: len(n.Left.Columns()), nRight: len(n.Right.Columns())}
		if n.On != nil {
			if j.on, err = c.compile(n.On); err != nil {
				return nil, err
			}
		}
		return j, nil
	}
	r, err := c.Build(n.Right)
	if err != nil {
		return nil, err
	}
	return c.newJoin(n, l, r)
}

// newJoin makes the hash or nested-loop join of plan n over the left and
// right inputs.
func (c *Context) newJoin(n *plan.Join, l, r Operator) (*joinOp, error) {
	var err error
	j := &joinOp{c: c, node: n, kind: n.Kind, left: l, right: r, nLeft: len(n.Left.Columns()), nRight: len(n.Right.Columns()), out: n.Out}
	if j.leftKeys, err = c.compileAll(n.LeftKeys); err != nil {
		return nil, err
	}
	if j.rightKeys, err = c.compileAll(n.RightKeys); err != nil {
		return nil, err
	}
	for i := range n.LeftKeys {
		lt, rt := n.LeftKeys[i].Type(), n.RightKeys[i].Type()
		j.byValue = append(j.byValue, lt.ID != rt.ID && lt.IsNumeric() && rt.IsNumeric())
	}
	j.buildLeft = n.BuildLeft && len(n.LeftKeys) > 0
	j.stream, j.build, j.streamKeys, j.buildKeys = j.left, j.right, j.leftKeys, j.rightKeys
	if j.buildLeft {
		j.stream, j.build, j.streamKeys, j.buildKeys = j.right, j.left, j.rightKeys, j.leftKeys
	}
	streamKeys := n.LeftKeys
	if j.buildLeft {
		streamKeys = n.RightKeys
	}
	for _, k := range streamKeys {
		c, ok := k.(*plan.ColRef)
		if !ok {
			j.streamKeyCols = nil
			break
		}
		j.streamKeyCols = append(j.streamKeyCols, c.Idx)
	}
	j.intKeys = len(n.LeftKeys) == 1 && intLike(n.LeftKeys[0].Type().ID, n.RightKeys[0].Type().ID)
	j.pairKeys = len(n.LeftKeys) == 2 && intLike(n.LeftKeys[0].Type().ID, n.RightKeys[0].Type().ID) &&
		intLike(n.LeftKeys[1].Type().ID, n.RightKeys[1].Type().ID)
	if n.On != nil {
		if j.on, err = c.compile(n.On); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// intLike reports whether keys of types l and r hash by their int64
// value: integers of any width, or both dates or both timestamps.
func intLike(l, r types.ID) bool {
	return isInteger(l) && isInteger(r) || l == r && (l == types.Date || l == types.Timestamp)
}

// key evaluates join keys into j.buf, or for intKeys returns the key's
// value; ok is false when a key is NULL (never matches).
func (j *joinOp) key(fns []evalFn, r []types.Value) (int64, bool, error) {
	j.buf = j.buf[:0]
	for i, f := range fns {
		v, err := f(r)
		if err != nil || v.IsNull() {
			return 0, false, err
		}
		if j.intKeys {
			return v.I, true, nil
		}
		if j.pairKeys {
			j.pair[i] = v.I
			continue
		}
		if j.byValue[i] { // 1 (integer) must meet 1.0 (numeric)
			v = types.NewDecimal(v.ToDecimal())
		}
		j.buf = v.HashKey(j.buf)
	}
	return 0, true, nil
}

// probe returns the first built row (+ 1) whose key equals streamed row
// l's.
func (j *joinOp) probe(l []types.Value) (int32, error) {
	k, ok, err := j.key(j.streamKeys, l)
	switch {
	case err != nil || !ok:
		return 0, err
	case j.intKeys:
		return j.itable[k], nil
	case j.pairKeys:
		return j.ptable[j.pair], nil
	}
	return j.table[string(j.buf)], nil // the conversion does not allocate
}

func (j *joinOp) Init() error {
	j.endGrace()
	// An aggregation streamed starts after the hash table exists, so that
	// it can skip the keys the table does not hold (pushKeyFilter); other
	// inputs start first, as a column scan's Init clears its key filters.
	_, aggStream := unwrapAnalyze(j.stream).(*aggOp)
	if !aggStream {
		if err := j.stream.Init(); err != nil {
			return err
		}
	}
	j.cur, j.leftDone, j.tail = nil, false, 0
	if scan, ok := unwrapAnalyze(j.stream).(*colScanOp); ok && j.out != nil {
		scan.reuse = true // combine and leftOut copy the columns out
	}
	marks, err := j.markPipeline()
	if err != nil {
		return err
	}
	if !j.shared {
		if err := j.buildTable(); err != nil {
			j.endGrace()
			return err
		}
	}
	j.pushKeyFilter()
	if aggStream {
		if err := j.stream.Init(); err != nil {
			return err
		}
	}
	if j.grace != nil {
		if err := unvectorizeAll(j.stream); err != nil { // the partitions take rows
			j.endGrace()
			return err
		}
		if err := j.partitionStream(); err != nil {
			j.endGrace()
			return err
		}
		return nil
	}
	if j.buildLeft && j.semi() {
		if marks != nil && j.vt != nil {
			return j.markBatches(marks)
		}
		return j.markMatches()
	}
	return nil
}

// buildTable drains the built input into the hash table, or into hash
// partitions once it passes work_mem (joinspill.go).
func (j *joinOp) buildTable() error {
	j.built = j.built[:0]
	if j.vneed == nil && j.grace == nil {
		if done, err := j.buildRowsFromBatches(); done || err != nil {
			return err
		}
	}
	if j.vneed != nil && j.grace == nil {
		if done, err := j.buildFromBatches(); done || err != nil {
			if err == nil && j.buildLeft && j.semi() {
				// it outputs rows of those it marks (or not), made once
				// they are known (markBatches)
				j.built = make([][]types.Value, len(j.vt.k1))
			}
			return err
		}
	}
	var bytes int64
	err := Drain(j.build, func(r []types.Value) error {
		if j.grace != nil {
			return j.grace.add(j, j.grace.build, j.buildKeys, r)
		}
		j.built = append(j.built, r)
		if bytes += rowSize(r); j.c.overWorkMem(bytes) && len(j.buildKeys) > 0 {
			return j.startGrace()
		}
		return nil
	})
	if err != nil || j.grace != nil {
		return err
	}
	if j.vneed != nil {
		if ok, err := j.buildVectors(); ok || err != nil {
			return err
		}
	}
	return j.index()
}

// index builds the hash table of the built rows.
func (j *joinOp) index() error {
	j.matched = make([]bool, len(j.built))
	if len(j.rightKeys) > 0 {
		j.next = make([]int32, len(j.built))
		switch {
		case j.intKeys:
			j.itable = make(map[int64]int32, len(j.built))
		case j.pairKeys:
			j.ptable = make(map[[2]int64]int32, len(j.built))
		default:
			j.table = make(map[string]int32, len(j.built))
		}
		// Backwards, so that each key's chain is in input order.
		for i := len(j.built) - 1; i >= 0; i-- {
			k, ok, err := j.key(j.buildKeys, j.built[i])
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			switch {
			case j.intKeys:
				j.next[i], j.itable[k] = j.itable[k], int32(i+1)
			case j.pairKeys:
				j.next[i], j.ptable[j.pair] = j.ptable[j.pair], int32(i+1)
			default:
				j.next[i], j.table[string(j.buf)] = j.table[string(j.buf)], int32(i+1)
			}
		}
	}
	if j.intKeys {
		j.keySet = newKeySet(j.itable)
	}
	if j.c.Analysis != nil {
		// the rows, their chain links and one map entry per key
		j.c.noteMemory(j.node, rowBytes(j.built)+int64(len(j.next))*4+int64(len(j.itable)+len(j.ptable)+len(j.table))*24)
	}
	return nil
}

// share makes j, a join of the same plan as from (for another worker),
// probe from's hash table instead of building its own: Init then only
// starts the streamed input. A join that outputs its unmatched built rows
// records its matches in its own array, which from reads once every
// worker is done (peersDone) before it outputs the rows none matched.
func (j *joinOp) share(from *joinOp, peersDone *sync.WaitGroup) {
	j.shared = true
	j.built, j.next, j.matched = from.built, from.next, nil
	j.itable, j.ptable, j.table, j.keySet, j.vt = from.itable, from.ptable, from.table, from.keySet, from.vt
	if j.keepsUnmatched(true) {
		j.matched = make([]bool, len(j.built))
		from.peers, from.peersDone = append(from.peers, j), peersDone
	}
}

// sharable reports whether several workers may stream their shares of the
// streamed input through one built table; not a semi or anti join that
// holds its left input, which marks matches in Init.
// A join that spilled runs alone, partition by partition.
func (j *joinOp) sharable() bool { return !(j.buildLeft && j.semi()) && j.grace == nil }

// gatherMatches waits for the workers sharing j's table and adds the
// matches they recorded to j's.
func (j *joinOp) gatherMatches() {
	if j.peersDone == nil {
		return
	}
	j.peersDone.Wait()
	for _, p := range j.peers {
		for i, m := range p.matched {
			j.matched[i] = j.matched[i] || m
		}
	}
	j.peers, j.peersDone = nil, nil
}

// pushKeyFilter hands the hash table to a column-segment scan that is the
// streamed input, when streamed rows without a matching key produce
// nothing (inner and semi joins, anti joins that hold the left input): the
// scan then drops them before making row values of them.
func (j *joinOp) pushKeyFilter() {
	if agg, ok := unwrapAnalyze(j.stream).(*aggOp); ok {
		agg.keyFilter = nil // not a previous run's table
	}
	if j.grace != nil || j.vt != nil {
		return // no table yet: partitions come one by one; or no keySet
	}
	if !j.intKeys && !j.pairKeys || j.streamKeyCols == nil || j.keepsUnmatched(false) || j.kind == "anti" && !j.buildLeft {
		return
	}
	switch op := unwrapAnalyze(j.stream).(type) {
	case *colScanOp:
		if col := j.streamKeyCols[0]; j.intKeys && col < len(op.scan.Table.Columns) {
			op.addKeyFilter(col, j.keySet)
		}
	case *aggOp:
		// the keys are GROUP BY values: groups without a match are
		// dropped, so the rows of their keys need not be aggregated
		// (TPC-H q17's decorrelated average per part, q20's sum per part
		// and supplier)
		for _, c := range j.streamKeyCols {
			if c >= len(op.node.GroupBy) || !isInteger(op.node.GroupBy[c].Type().ID) {
				return
			}
		}
		f := &aggKeyFilter{groups: j.streamKeyCols, keys: j.keySet, pairs: j.ptable, first: j.keySet}
		if j.pairKeys {
			f.first = keySetOf(func(yield func(int64) bool) {
				for k := range j.ptable {
					if !yield(k[0]) {
						return
					}
				}
			}, len(j.ptable))
		}
		op.keyFilter = f
	}
}

// unwrapAnalyze returns the operator EXPLAIN ANALYZE's instrumentation
// wraps, or op itself.
func unwrapAnalyze(op Operator) Operator {
	if a, ok := op.(*analyzeOp); ok {
		return a.in
	}
	return op
}

// markMatches runs a semi or anti join that holds its left input: each
// right row marks the left rows it matches; Next then returns the left rows
// marked (semi) or not (anti), in their order.
func (j *joinOp) markMatches() error {
	for {
		r, err := j.stream.Next()
		if err != nil || r == nil {
			j.leftDone = true
			return err
		}
		at, err := j.probe(r)
		if err != nil {
			return err
		}
		for ; at != 0; at = j.next[at-1] {
			i := int(at - 1)
			if j.matched[i] {
				continue
			}
			if j.on != nil {
				v, err := j.on(j.joinedRow(r, j.built[i]))
				if err != nil {
					return err
				}
				if v.IsNull() || !v.Bool() {
					continue
				}
			}
			j.matched[i] = true
		}
		if err := j.c.canceled(); err != nil {
			return err
		}
	}
}

func (j *joinOp) Close() {
	j.endGrace()
	j.stream.Close()
}

// keepsUnmatched reports whether the join outputs the rows of its built
// input (built) or of its streamed one (!built) that match nothing, with
// NULLs for the other side: the left rows of a left join, the right rows of
// a right join, both of a full join.
func (j *joinOp) keepsUnmatched(built bool) bool {
	outerLeft := j.kind == "left" || j.kind == "full"
	outerRight := j.kind == "right" || j.kind == "full"
	if built == j.buildLeft {
		return outerLeft
	}
	return outerRight
}

// semi reports whether the join only filters its left input (semi or anti).
func (j *joinOp) semi() bool { return j.kind == "semi" || j.kind == "anti" }

// combine returns the output row of joining l and r (either nil for a
// row of NULLs): the columns of out, or all of them.
func (j *joinOp) combine(l, r []types.Value) []types.Value {
	if j.buildLeft { // l is the streamed row, r the built one
		l, r = r, l
	}
	if j.out == nil {
		row := j.alloc(j.nLeft + j.nRight)
		copy(row, l)
		copy(row[j.nLeft:], r)
		return row
	}
	row := j.alloc(len(j.out))
	for k, c := range j.out {
		switch {
		case c < j.nLeft:
			if l != nil {
				row[k] = l[c]
			}
		case r != nil:
			row[k] = r[c-j.nLeft]
		}
	}
	return row
}

// joinedRow is the whole joined row of l and r, which On reads: the output
// row itself unless out drops columns, else a buffer reused for each pair.
func (j *joinOp) joinedRow(l, r []types.Value) []types.Value {
	if j.out == nil {
		return j.combine(l, r)
	}
	if j.buildLeft {
		l, r = r, l
	}
	j.joined = append(append(j.joined[:0], l...), r...)
	return j.joined
}

// leftOut is what a semi or anti join outputs of its left row l.
func (j *joinOp) leftOut(l []types.Value) []types.Value {
	if j.out == nil {
		return l
	}
	row := j.alloc(len(j.out))
	for k, c := range j.out {
		row[k] = l[c]
	}
	return row
}

// slabRows is how many output rows share one allocation.
const slabRows = 256

// alloc returns a new row of n values, cut from a slab that the next rows
// share: one allocation per slab rather than per row.
func (j *joinOp) alloc(n int) []types.Value {
	if len(j.slab) < n {
		j.slab = make([]types.Value, n*slabRows)
	}
	row := j.slab[:n:n]
	j.slab = j.slab[n:]
	return row
}

// joinRows returns the next joined row of the streamed input and the
// built table, then the built rows to output at the end; nil when done.
func (j *joinOp) joinRows() ([]types.Value, error) {
	for !j.leftDone {
		if j.cur == nil {
			l, err := j.stream.Next()
			if err != nil {
				return nil, err
			}
			if l == nil {
				j.leftDone = true
				break
			}
			j.cur, j.pos, j.curMatched = l, 0, false
			if j.next != nil {
				if j.at, err = j.probe(l); err != nil {
					return nil, err
				}
			}
		}
		for {
			var i int
			if j.next != nil {
				if j.at == 0 {
					break
				}
				i, j.at = int(j.at-1), j.next[j.at-1]
			} else {
				if j.pos >= len(j.built) {
					break
				}
				i = j.pos
				j.pos++
			}
			if err := j.c.canceled(); err != nil {
				return nil, err
			}
			var out []types.Value
			if j.on != nil {
				row := j.joinedRow(j.cur, j.built[i])
				v, err := j.on(row)
				if err != nil {
					return nil, err
				}
				if v.IsNull() || !v.Bool() {
					continue
				}
				if j.out == nil {
					out = row
				}
			}
			j.curMatched = true
			if j.matched != nil {
				j.matched[i] = true
			}
			if j.semi() {
				j.at, j.pos = 0, len(j.built) // one match decides the row
				break
			}
			if out == nil {
				out = j.combine(j.cur, j.built[i])
			}
			return out, nil
		}
		cur := j.cur
		j.cur = nil
		switch {
		case j.kind == "semi" && j.curMatched, j.kind == "anti" && !j.curMatched:
			return j.leftOut(cur), nil
		case !j.curMatched && j.keepsUnmatched(false):
			return j.combine(cur, nil), nil
		}
	}
	if j.buildLeft && j.semi() {
		for j.tail < len(j.built) {
			i := j.tail
			j.tail++
			if j.matched[i] == (j.kind == "semi") {
				return j.leftOut(j.built[i]), nil
			}
		}
		return nil, nil
	}
	if j.keepsUnmatched(true) && !j.shared { // the unmatched built rows are the first worker's to output
		j.gatherMatches()
		for j.tail < len(j.built) {
			i := j.tail
			j.tail++
			if !j.matched[i] {
				return j.combine(nil, j.built[i]), nil
			}
		}
	}
	return nil, nil
}

// lateralOp runs its right side once per left row, with the left row as the
// outer row its OuterRefs read.
type lateralOp struct {
	c             *Context
	left          Operator
	right         plan.Node
	kind          string // cross, inner or left
	on            evalFn
	nLeft, nRight int
	pending       [][]types.Value
}

func (j *lateralOp) Init() error { return j.left.Init() }
func (j *lateralOp) Close()      { j.left.Close() }

func (j *lateralOp) Next() ([]types.Value, error) {
	for len(j.pending) == 0 {
		l, err := j.left.Next()
		if l == nil || err != nil {
			return nil, err
		}
		j.c.outer = append(j.c.outer, l)
		op, err := j.c.Build(j.right)
		var rights [][]types.Value
		if err == nil {
			err = Drain(op, func(r []types.Value) error { rights = append(rights, r); return nil })
		}
		j.c.outer = j.c.outer[:len(j.c.outer)-1]
		if err != nil {
			return nil, err
		}
		for _, r := range rights {
			out := make([]types.Value, j.nLeft+j.nRight)
			copy(out, l)
			copy(out[j.nLeft:], r)
			if j.on != nil {
				ok, err := j.on(out)
				if err != nil {
					return nil, err
				}
				if ok.IsNull() || !ok.Bool() {
					continue
				}
			}
			j.pending = append(j.pending, out)
		}
		if len(j.pending) == 0 && j.kind == "left" {
			out := make([]types.Value, j.nLeft+j.nRight)
			copy(out, l)
			j.pending = append(j.pending, out)
		}
	}
	row := j.pending[0]
	j.pending = j.pending[1:]
	return row, nil
}
