package row

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"

	"rustydb/catalog"
	"rustydb/sqlerr"
	"rustydb/txn"
	"rustydb/types"
)

// Version is one version of a row. Values never change once published; an
// UPDATE ends a version (sets its deleter) and inserts a new one.
type Version struct {
	ID     uint64 // row id, stable across restarts; WAL delete records name it
	Values []types.Value

	creator *txn.Txn // nil: frozen, committed before any running transaction
	cmin    uint32
	deleter atomic.Pointer[txn.Txn]
	cmax    atomic.Uint32
	next    atomic.Pointer[Version] // the version an UPDATE replaced this one with
}

// Latest follows UPDATEs from v to the newest committed version of the row,
// which a READ COMMITTED writer re-checks after waiting for a concurrent
// update. It returns nil when the row was deleted.
func (v *Version) Latest() *Version {
	for {
		d := v.deleter.Load()
		if d == nil || d.Status() != txn.Committed {
			return v
		}
		n := v.next.Load()
		if n == nil {
			return nil
		}
		v = n
	}
}

// VisibleTo reports whether the version is visible to snapshot s.
func (v *Version) VisibleTo(s *txn.Snapshot) bool {
	if !s.VisibleCreator(v.creator, v.cmin) {
		return false
	}
	return !s.Deleted(v.deleter.Load(), v.cmax.Load())
}

// Heap holds the row versions of one table in insertion order, plus one hash
// index per uniqueness constraint.
type Heap struct {
	// Table is the table's definition. ALTER TABLE replaces it while holding
	// mu, so code outside mu reads it through Def.
	Table *catalog.Table
	id    uint32

	mu       sync.RWMutex
	versions []*Version
	keys     []map[string][]*Version // parallel to Table.IndexKeys()
	nextID   atomic.Uint64

	redoIndex map[uint64]*Version // row id -> version, during recovery only
	stats     atomic.Pointer[TableStats]
}

func newHeap(t *catalog.Table) *Heap {
	h := &Heap{Table: t, id: t.ID}
	for range t.IndexKeys() {
		h.keys = append(h.keys, make(map[string][]*Version))
	}
	return h
}

// Def returns the table definition.
func (h *Heap) Def() *catalog.Table {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.Table
}

// Scan returns the versions present now; callers filter by visibility. The
// returned slice is never modified afterwards, so it can be read without locks.
func (h *Heap) Scan() []*Version {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.versions[:len(h.versions):len(h.versions)]
}

// Lookup returns the versions, live or dead, whose key under uniqueness
// index k (an index into Table.IndexKeys()) equals vals.
func (h *Heap) Lookup(k int, vals []types.Value) []*Version {
	var buf []byte
	for _, v := range vals {
		if v.IsNull() {
			return nil
		}
		buf = v.HashKey(buf)
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	vs := h.keys[k][string(buf)]
	return vs[:len(vs):len(vs)]
}

// Len returns the number of stored versions, live or dead.
func (h *Heap) Len() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.versions)
}

func keyOf(vals []types.Value, cols []int) (string, bool) {
	var buf []byte
	for _, c := range cols {
		if vals[c].IsNull() {
			return "", false // NULLs never conflict
		}
		buf = vals[c].HashKey(buf)
	}
	return string(buf), true
}

// conflict describes why an insert or delete cannot proceed yet.
type conflict struct {
	wait *txn.Txn      // wait for this transaction, then retry
	err  *sqlerr.Error // or fail with this
}

// checkUnique looks for a live version with the same key as vals under every
// uniqueness constraint. Caller holds h.mu.
func (h *Heap) checkUnique(t *txn.Txn, vals []types.Value) conflict {
	for i, cols := range h.Table.Keys() {
		key, ok := keyOf(vals, cols)
		if !ok {
			continue
		}
		for _, other := range h.keys[i][key] {
			if c := liveFor(t, other); c.wait != nil {
				return c
			} else if c.err == nil {
				continue
			}
			return conflict{err: h.duplicateKey(cols, vals)}
		}
	}
	return conflict{}
}

// liveFor decides whether other still holds its key as seen by writer t: it
// returns a conflict whose err is set (live), whose wait is set (undecided until
// that transaction ends), or neither (dead).
func liveFor(t *txn.Txn, other *Version) conflict {
	if c := other.creator; c != nil && c != t {
		switch c.Status() {
		case txn.InProgress:
			return conflict{wait: c}
		case txn.Aborted:
			return conflict{}
		}
	}
	if d := other.deleter.Load(); d != nil {
		if d == t {
			return conflict{}
		}
		switch d.Status() {
		case txn.InProgress:
			return conflict{wait: d}
		case txn.Committed:
			return conflict{}
		}
	}
	return conflict{err: &sqlerr.Error{}}
}

func (h *Heap) duplicateKey(cols []int, vals []types.Value) *sqlerr.Error {
	names := make([]string, len(cols))
	vs := make([]string, len(cols))
	for i, c := range cols {
		names[i] = h.Table.Columns[c].Name
		vs[i] = types.Format(vals[c])
	}
	constraint := h.Table.Name + "_pkey"
	if len(h.Table.PrimaryKey) == 0 || !sameCols(cols, h.Table.PrimaryKey) {
		constraint = h.Table.Name + "_" + strings.Join(names, "_") + "_key"
	}
	return sqlerr.New(sqlerr.UniqueViolation, "duplicate key value violates unique constraint %q", constraint).
		WithDetail("Key (%s)=(%s) already exists.", strings.Join(names, ", "), strings.Join(vs, ", "))
}

func sameCols(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// insert adds a version created by t, after checking uniqueness. It waits for
// transactions whose outcome decides a conflict.
func (h *Heap) insert(ctx context.Context, m *txn.Manager, t *txn.Txn, vals []types.Value) (*Version, error) {
	for {
		h.mu.Lock()
		c := h.checkUnique(t, vals)
		if c.wait == nil && c.err == nil {
			v := &Version{ID: h.nextID.Add(1), Values: vals, creator: t, cmin: t.CommandID()}
			h.add(v)
			h.mu.Unlock()
			return v, nil
		}
		h.mu.Unlock()
		if c.err != nil {
			return nil, c.err
		}
		if err := waitFor(ctx, m, t, c.wait); err != nil {
			return nil, err
		}
	}
}

// add appends v and indexes it. Caller holds h.mu.
func (h *Heap) add(v *Version) {
	h.versions = append(h.versions, v)
	for i, cols := range h.Table.IndexKeys() {
		if key, ok := keyOf(v.Values, cols); ok {
			h.keys[i][key] = append(h.keys[i][key], v)
		}
	}
}

// delete marks v deleted by t. A version already deleted by an open
// transaction makes t wait; one deleted by a committed transaction after t's
// snapshot is a serialization failure (40001) until re-checking the new
// version under READ COMMITTED is implemented. It reports false when t itself
// already deleted v in this statement.
func (h *Heap) delete(ctx context.Context, m *txn.Manager, t *txn.Txn, v *Version) (bool, error) {
	for {
		h.mu.Lock()
		d := v.deleter.Load()
		switch {
		case d == nil || d.Status() == txn.Aborted:
			v.cmax.Store(t.CommandID())
			v.deleter.Store(t)
			h.mu.Unlock()
			return true, nil
		case d == t:
			h.mu.Unlock()
			return false, nil
		case d.Status() == txn.Committed:
			h.mu.Unlock()
			return false, sqlerr.New(sqlerr.SerializationFailure, "could not serialize access due to concurrent update")
		}
		h.mu.Unlock()
		if err := waitFor(ctx, m, t, d); err != nil {
			return false, err
		}
	}
}

func waitFor(ctx context.Context, m *txn.Manager, t, other *txn.Txn) error {
	return m.Wait(t, other, ctx.Done(), func() error {
		return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
	})
}

// undoInsert hides a version whose creator rolled back.
func (h *Heap) undoInsert(v *Version) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, cols := range h.Table.IndexKeys() {
		if key, ok := keyOf(v.Values, cols); ok {
			h.keys[i][key] = removeVersion(h.keys[i][key], v)
			if len(h.keys[i][key]) == 0 {
				delete(h.keys[i], key)
			}
		}
	}
}

// undoDelete clears a deletion by t that rolled back.
func (h *Heap) undoDelete(t *txn.Txn, v *Version) {
	h.mu.Lock()
	if v.deleter.Load() == t {
		v.deleter.Store(nil)
	}
	h.mu.Unlock()
}

func removeVersion(vs []*Version, v *Version) []*Version {
	for i, x := range vs {
		if x == v {
			return append(vs[:i:i], vs[i+1:]...)
		}
	}
	return vs
}

// vacuum drops versions no snapshot can see any more: those whose creator
// aborted and those deleted by a transaction committed at or before horizon.
func (h *Heap) vacuum(horizon uint64) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	dead := func(v *Version) bool {
		if v.creator != nil && v.creator.Status() == txn.Aborted {
			return true
		}
		d := v.deleter.Load()
		return d != nil && d.Status() == txn.Committed && d.CommitSeq() <= horizon
	}
	kept := make([]*Version, 0, len(h.versions))
	removed := 0
	for _, v := range h.versions {
		if dead(v) {
			removed++
			continue
		}
		kept = append(kept, v)
	}
	if removed == 0 {
		return 0
	}
	h.versions = kept
	for i, idx := range h.keys {
		for key, vs := range idx {
			live := vs[:0:0]
			for _, v := range vs {
				if !dead(v) {
					live = append(live, v)
				}
			}
			if len(live) == 0 {
				delete(h.keys[i], key)
			} else {
				h.keys[i][key] = live
			}
		}
	}
	return removed
}

// liveForKey reports whether v still holds its key for writer t (live, or
// written by a transaction still open).
func liveForKey(t *txn.Txn, v *Version) bool {
	c := liveFor(t, v)
	return c.err != nil || c.wait != nil
}

// setDef installs a new definition and rebuilds the key indexes. With check,
// it fails with 23505 or 23502 when rows live for t violate a key. Caller
// holds h.mu.
func (h *Heap) setDef(t *txn.Txn, def *catalog.Table, check bool) error {
	unique := len(def.Keys())
	keys := make([]map[string][]*Version, len(def.IndexKeys()))
	for i, cols := range def.IndexKeys() {
		keys[i] = make(map[string][]*Version)
		for _, v := range h.versions {
			live := check && i < unique && liveForKey(t, v)
			key, ok := keyOf(v.Values, cols)
			if !ok {
				if live && i == 0 && len(def.PrimaryKey) > 0 {
					for _, c := range cols {
						if v.Values[c].IsNull() {
							return sqlerr.New(sqlerr.NotNullViolation, "column %q of relation %q contains null values", def.Columns[c].Name, def.Name)
						}
					}
				}
				continue
			}
			if live {
				for _, other := range keys[i][key] {
					if liveForKey(t, other) {
						old := h.Table
						h.Table = def
						err := h.duplicateKey(cols, v.Values)
						h.Table = old
						return sqlerr.New(sqlerr.UniqueViolation, "could not create unique index: %s", err.Message).
							WithDetail("%s", strings.Replace(err.Detail, "already exists", "is duplicated", 1))
					}
				}
			}
			keys[i][key] = append(keys[i][key], v)
		}
	}
	h.Table, h.keys = def, keys
	return nil
}

// TableStats are what ANALYZE measured over the visible rows.
type TableStats struct {
	Rows    int64
	Columns []ColumnStats
}

// ColumnStats describe one column's values.
type ColumnStats struct {
	NullFrac float64
	Distinct int64
	Min, Max types.Value
}

// Analyze measures the rows visible to snap and keeps the result for the
// planner and for statistics views.
func (h *Heap) Analyze(snap *txn.Snapshot) TableStats {
	def := h.Def()
	st := TableStats{Columns: make([]ColumnStats, len(def.Columns))}
	nulls := make([]int64, len(def.Columns))
	distinct := make([]map[string]struct{}, len(def.Columns))
	for i := range distinct {
		distinct[i] = map[string]struct{}{}
	}
	for _, v := range h.Scan() {
		if !v.VisibleTo(snap) {
			continue
		}
		st.Rows++
		for i, val := range v.Values {
			if i >= len(st.Columns) {
				break
			}
			if val.IsNull() {
				nulls[i]++
				continue
			}
			c := &st.Columns[i]
			if c.Min.IsNull() || types.Compare(val, c.Min) < 0 {
				c.Min = val
			}
			if c.Max.IsNull() || types.Compare(val, c.Max) > 0 {
				c.Max = val
			}
			distinct[i][string(val.HashKey(nil))] = struct{}{}
		}
	}
	for i := range st.Columns {
		if st.Rows > 0 {
			st.Columns[i].NullFrac = float64(nulls[i]) / float64(st.Rows)
		}
		st.Columns[i].Distinct = int64(len(distinct[i]))
	}
	h.stats.Store(&st)
	return st
}

// Stats returns the last ANALYZE result, or nil.
func (h *Heap) Stats() *TableStats { return h.stats.Load() }
