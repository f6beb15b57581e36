package exec

// The row path's hash aggregation, which spills past work_mem as
// PostgreSQL 13's does. Its groups stay in memory while they fit; past
// work_mem the aggregation keeps adding to the groups it holds and writes
// the input rows of any other group to one of spillPartitions temporary
// files, by the hash of the group key. When the input ends it outputs the
// groups held, frees them, and aggregates each partition the same way
// (with a new hash seed, so that a partition that still does not fit
// spreads anew). All the rows of a group thus reach one table, in input
// order, so every aggregate (DISTINCT, ORDER BY, array_agg, string_agg)
// comes out as it does in memory. Each level holds at least one group, so
// the recursion ends; past maxSpillDepth levels (only keys whose hashes
// keep colliding get there) the groups stay in memory whatever they take.
//
// The vectorized and parallel aggregations (vagg.go, vrows.go,
// parallel.go) do not spill: they run only plain sum, count, min, max and
// avg without DISTINCT or ORDER BY, whose state is a few words per group
// in flat arrays, several times smaller than this path's, and their
// morsel-driven pipelines could not re-read their input.

import (
	"unsafe"

	"rustydb/types"
)

// aggGroup is one group of the row path: its keys and states.
type aggGroup struct {
	keys   []types.Value
	states []aggState
	// ordered holds the rows of each call with ORDER BY, which are fed
	// to it sorted once the input ends.
	ordered [][]keyedRow
}

// keyedRow is a row with the keys of an aggregate's ORDER BY.
type keyedRow struct {
	row  []types.Value
	keys []types.Value
}

// maxSpillDepth bounds the levels of re-partitioning.
const maxSpillDepth = 6

// mapEntryBytes estimates a Go map entry's overhead beyond its key and
// value.
const mapEntryBytes = 16

// groupBytes is the fixed memory of a group of calls aggregates: the
// struct, its states, its map entry and its slot in the output order.
func groupBytes(calls int) int64 {
	return int64(unsafe.Sizeof(aggGroup{})) + int64(calls)*int64(unsafe.Sizeof(aggState{})) + mapEntryBytes + 8
}

// aggTable is the row path's table of groups.
type aggTable struct {
	o *aggOp
	// Groups by their key's bytes, or by its value when the key is one
	// integer or date (no key bytes to build per row).
	table     map[string]*aggGroup
	intKey    bool
	itable    map[int64]*aggGroup
	nullGroup *aggGroup
	order     []*aggGroup // first-seen order keeps output stable
	buf       []byte
	keys      []types.Value
	bytes     int64 // the memory the groups hold, against work_mem
}

func (o *aggOp) newAggTable() *aggTable {
	return &aggTable{o: o, table: map[string]*aggGroup{}, itable: map[int64]*aggGroup{},
		intKey: len(o.node.GroupBy) == 1 && (isInteger(o.node.GroupBy[0].Type().ID) || o.node.GroupBy[0].Type().ID == types.Date),
		keys:   make([]types.Value, len(o.groups))}
}

// group returns row r's group, creating it if create is set, else nil
// when the table does not hold it; t.buf then holds the bytes of r's key.
func (t *aggTable) group(r []types.Value, create bool) (*aggGroup, error) {
	var err error
	for i, g := range t.o.groups {
		if t.keys[i], err = g(r); err != nil {
			return nil, err
		}
	}
	var g *aggGroup
	switch {
	case !t.intKey:
		t.buf = rowKey(t.buf[:0], t.keys)
		g = t.table[string(t.buf)]
	case t.keys[0].IsNull():
		t.buf = t.buf[:0]
		g = t.nullGroup
	default:
		t.buf = intKeyBytes(t.buf, t.keys[0].I)
		g = t.itable[t.keys[0].I]
	}
	if g != nil || !create {
		return g, nil
	}
	calls := len(t.o.calls)
	g = &aggGroup{keys: append([]types.Value(nil), t.keys...), states: make([]aggState, calls), ordered: make([][]keyedRow, calls)}
	switch {
	case !t.intKey:
		t.table[string(t.buf)] = g
		t.bytes += int64(len(t.buf))
	case t.keys[0].IsNull():
		t.nullGroup = g
	default:
		t.itable[t.keys[0].I] = g
	}
	t.order = append(t.order, g)
	t.bytes += rowSize(g.keys) + groupBytes(calls)
	return g, nil
}

// add adds input row r to group g.
func (t *aggTable) add(g *aggGroup, r []types.Value) error {
	o := t.o
	kept := o.kept
	var copied []types.Value // r, copied once for all the calls that keep it
	for i := range o.calls {
		if o.orders[i] == nil {
			if err := o.accumulate(&g.states[i], i, r); err != nil {
				return err
			}
			continue
		}
		if ok, err := o.passes(i, r); !ok || err != nil {
			return err
		}
		if copied == nil {
			copied = append([]types.Value(nil), r...)
			t.bytes += rowSize(copied)
		}
		ord := keyedRow{row: copied, keys: make([]types.Value, len(o.orders[i]))}
		for k, f := range o.orders[i] {
			var err error
			if ord.keys[k], err = f(r); err != nil {
				return err
			}
		}
		t.bytes += rowSize(ord.keys)
		g.ordered[i] = append(g.ordered[i], ord)
	}
	t.bytes += o.kept - kept
	return nil
}

// finish computes the groups' results into o.rows.
func (t *aggTable) finish() error {
	o := t.o
	for _, g := range t.order {
		for i, rows := range g.ordered {
			if err := o.feedOrdered(&g.states[i], i, rows); err != nil {
				return err
			}
		}
		g.ordered = nil
		if err := o.emit(g.keys, g.states); err != nil {
			return err
		}
	}
	return nil
}

// aggregateRows is the row path: it aggregates the input, spilling what
// does not fit work_mem.
func (o *aggOp) aggregateRows() error {
	err := o.aggregateLevel(func(fn func([]types.Value) error) error { return Drain(o.in, fn) }, 0)
	if err != nil {
		o.out.remove()
		o.out = nil
		return err
	}
	if o.out != nil {
		return o.out.rewind()
	}
	if len(o.rows) == 0 && len(o.groups) == 0 {
		// an aggregate without GROUP BY returns one row even for no input
		return o.emit(nil, make([]aggState, len(o.calls)))
	}
	return nil
}

// aggregateLevel aggregates the rows drain hands out, which are the
// whole input (depth 0) or a partition of a spilled level.
func (o *aggOp) aggregateLevel(drain func(func([]types.Value) error) error, depth int) error {
	t := o.newAggTable()
	var spill *partitioner // the partitions once t passes work_mem
	defer func() { spill.remove() }()
	mayspill := len(o.groups) > 0 && depth < maxSpillDepth
	err := drain(func(r []types.Value) error {
		g, err := t.group(r, spill == nil)
		if err != nil {
			return err
		}
		if g == nil {
			if err := spill.parts[spill.part(t.buf)].write(r); err != nil {
				return err
			}
			return o.c.canceled()
		}
		if err := t.add(g, r); err != nil {
			return err
		}
		if spill == nil && mayspill && o.c.overWorkMem(t.bytes) {
			spill = o.c.newPartitioner(o.node, spillPartitions)
		}
		return o.c.canceled()
	})
	o.tableBytes = max(o.tableBytes, t.bytes)
	if err != nil {
		return err
	}
	if err := t.finish(); err != nil {
		return err
	}
	if spill == nil && depth == 0 {
		return nil // all in memory: Next hands out o.rows
	}
	if err := o.spillResult(); err != nil || spill == nil {
		return err
	}
	for _, part := range spill.parts {
		if part.rows == 0 {
			continue
		}
		err := o.aggregateLevel(func(fn func([]types.Value) error) error { return readSpill(part, fn) }, depth+1)
		if err != nil {
			return err
		}
		part.remove()
	}
	return nil
}

// spillResult moves the result rows computed so far to the result file.
func (o *aggOp) spillResult() error {
	if o.out == nil {
		o.out = o.c.newSpill(o.node)
	}
	for _, r := range o.rows {
		if err := o.out.write(r); err != nil {
			return err
		}
	}
	o.tableBytes = max(o.tableBytes, rowBytes(o.rows))
	o.rows = nil
	return nil
}

func (o *aggOp) Next() ([]types.Value, error) {
	if o.out == nil {
		return o.rowsOp.Next()
	}
	return o.out.read()
}
