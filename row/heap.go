package row

import (
	"context"
	"math/rand/v2"
	"slices"
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
	ID  uint64 // row id, stable across restarts; WAL delete records name it
	tid tid    // where the row's values are stored

	creator *txn.Txn // nil: frozen, committed before any running transaction
	cmin    uint32
	pruned  bool // its index entries are gone (see prune); set under the heap's mu
	deleter atomic.Pointer[txn.Txn]
	cmax    atomic.Uint32
	next    atomic.Pointer[Version] // the version an UPDATE replaced this one with
	seg     *Segment                // the column segment holding a copy, set under the heap's mu
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

// Heap holds the row versions of one table in insertion order, plus one
// B+tree per index: uniqueness constraints first, then the other indexes.
type Heap struct {
	// Table is the table's definition. ALTER TABLE replaces it while holding
	// mu, so code outside mu reads it through Def.
	Table *catalog.Table
	id    uint32

	mu       sync.RWMutex
	versions []*Version
	indexes  []*btree // parallel to Table.IndexKeys()
	nextID   atomic.Uint64
	pages    pages
	// broken is the error (XX001) found loading the table at start: its
	// rows cannot all be trusted, so every use of it reports the error.
	broken error

	// segs are the column segments of versions[:covered] (see Columnize).
	segs        []*Segment
	covered     int
	columnizing sync.Mutex
	vacuuming   sync.Mutex // one vacuum at a time (vacuum)
	// prebuilt are the segments committed bulk loads built, by first
	// version, for the columnizer to take (bulk.go).
	prebuilt map[*Version]*Segment

	redoIndex map[uint64]*Version // row id -> version, during recovery only
	stats     atomic.Pointer[catalog.TableStats]
	usage     heapUsage
	// deadSince counts the versions committed deletes and updates made
	// dead since the last vacuum, which autovacuum weighs.
	deadSince atomic.Int64
}

func newHeap(t *catalog.Table, pool *bufferPool) *Heap {
	h := &Heap{Table: t, id: t.ID, pages: pages{pool: pool, table: t.ID}}
	for _, cols := range t.IndexKeys() {
		h.indexes = append(h.indexes, newBtree(cols))
	}
	return h
}

// Def returns the table definition.
func (h *Heap) Def() *catalog.Table {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.Table
}

// Scan returns the versions present now; callers filter by visibility and
// read the values through a Reader. The returned slice is never modified
// afterwards, so it can be read without locks.
func (h *Heap) Scan() ([]*Version, error) {
	h.usage.seqScans.Add(1)
	return h.all()
}

// Values reads the values of version v from its page.
func (h *Heap) Values(v *Version) ([]types.Value, error) {
	h.pages.pool.activity.RowsRead.Add(1)
	return h.pages.values(v.tid, false)
}

// Reader reads the values of many versions, as a scan does, keeping the
// current page pinned between rows of the same page and reading pages as
// a scan (see bufferPool) so that they do not push out hotter ones.
type Reader struct {
	h *Heap
	f *frame
	n uint64 // rows read since the last page change, for Activity
}

// Reader returns a Reader; Close releases its page.
func (h *Heap) Reader() *Reader { return &Reader{h: h} }

// Values reads v's values.
func (r *Reader) Values(v *Version) ([]types.Value, error) {
	return r.read(v, func(f *frame) ([]types.Value, error) { return r.h.pages.decodeTuple(f, v.tid) })
}

// Columns reads the columns of v that want marks (nil: all; the others are
// NULL), from the page's decoded rows when v's is there, else decoding only
// those and without keeping the row: for a pass over a whole table, such as
// building an index or a column segment.
func (r *Reader) Columns(v *Version, want []bool) ([]types.Value, error) {
	return r.ColumnsInto(v, want, nil)
}

// ColumnsInto is Columns decoding into into's memory when it has room (a
// row from the page's cache of decoded rows is returned as it is); the
// values are good until the next call.
func (r *Reader) ColumnsInto(v *Version, want []bool, into []types.Value) ([]types.Value, error) {
	return r.read(v, func(f *frame) ([]types.Value, error) { return r.h.pages.decodeColumnsInto(f, v.tid, want, into) })
}

// read pins v's page, keeping it pinned for the next row of the same page,
// and decodes v from it with its latch held shared.
func (r *Reader) read(v *Version, decode func(*frame) ([]types.Value, error)) ([]types.Value, error) {
	ps := &r.h.pages
	if r.f == nil || r.f.id.block != v.tid.block {
		r.Close()
		f, err := ps.pool.get(pageID{ps.table, v.tid.block}, false, true)
		if err != nil {
			return nil, err
		}
		r.f = f
	}
	r.f.latch.RLock()
	defer r.f.latch.RUnlock()
	r.n++
	return decode(r.f)
}

// Close releases the reader's page.
func (r *Reader) Close() {
	if r.n > 0 { // counted per page, not per row, to keep the shared counter cool
		r.h.pages.pool.activity.RowsRead.Add(r.n)
		r.n = 0
	}
	if r.f != nil {
		r.h.pages.pool.release(r.f)
		r.f = nil
	}
}

// Lookup returns the versions, live or dead, in key order, whose leading
// columns under index k (an index into Table.IndexKeys()) equal prefix and
// whose next column lies within lo and hi (nil: unbounded). Callers filter by
// visibility. A NULL in prefix matches nothing, as = NULL does. The versions
// are appended to into.
func (h *Heap) Lookup(k int, prefix []types.Value, lo, hi *Bound, into []*Version) ([]*Version, error) {
	for _, v := range prefix {
		if v.IsNull() {
			return nil, nil
		}
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	h.indexes[k].scans.Add(1)
	out := into
	h.indexes[k].scan(prefix, lo, hi, func(v *Version) bool {
		out = append(out, v)
		return true
	})
	return out, h.broken
}

// Len returns the number of stored versions, live or dead.
func (h *Heap) Len() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.versions)
}

// KeyOf returns the values of cols in vals, or false when one is NULL: a
// NULL never conflicts in a unique key and refers to nothing in a foreign
// key.
func KeyOf(vals []types.Value, cols []int) ([]types.Value, bool) {
	return keyInto(make([]types.Value, 0, len(cols)), vals, cols)
}

// keyInto is KeyOf appending the key to key[:0].
func keyInto(key, vals []types.Value, cols []int) ([]types.Value, bool) {
	for _, c := range cols {
		if vals[c].IsNull() {
			return nil, false
		}
		key = append(key, vals[c])
	}
	return key, true
}

// conflict describes why an insert or delete cannot proceed yet.
type conflict struct {
	wait *txn.Txn      // wait for this transaction, then retry
	err  *sqlerr.Error // or fail with this
}

// checkUnique looks for a live version with the same key as vals under every
// uniqueness constraint, and prunes the dead ones it walks past when they are
// many. Caller holds h.mu.
func (h *Heap) checkUnique(m *txn.Manager, t *txn.Txn, vals []types.Value) conflict {
	var buf [4]types.Value // most keys: no allocation a row
	for i := range h.Table.NumKeys() {
		key, ok := keyInto(buf[:0], vals, h.Table.IndexKey(i))
		if !ok || h.indexes[i].past(key) {
			continue
		}
		var c conflict
		var gone []*Version // versions that are dead for t, maybe for all
		h.indexes[i].scan(key, nil, nil, func(other *Version) bool {
			c = liveFor(t, other)
			if c.wait == nil && c.err == nil {
				gone = append(gone, other)
			}
			return c.wait == nil && c.err == nil
		})
		if len(gone) >= pruneAfter {
			h.prune(gone, m.Horizon())
		}
		if c.err != nil {
			c.err = h.duplicateKey(i, vals)
		}
		if c.wait != nil || c.err != nil {
			return c
		}
	}
	return conflict{}
}

// pruneAfter is how many dead versions of one key a writer's uniqueness
// check walks before it removes their index entries (prune).
const pruneAfter = 8

// prune removes the index entries of those of versions that no snapshot can
// see any more (dead at horizon), so that the lookups of a key updated many
// times between vacuums (pgbench's branches: hundreds a second) do not walk
// its dead versions. The versions and their tuples stay for vacuum to
// free, whose index deletes then find nothing. Caller holds h.mu.
func (h *Heap) prune(versions []*Version, horizon uint64) {
	for _, v := range versions {
		if deadAt(v, horizon) {
			h.unindex(v)
		}
	}
}

// unindex removes the index entries of v, a version dead to every
// snapshot, unless that was done. Caller holds h.mu.
func (h *Heap) unindex(v *Version) {
	if v.pruned {
		return
	}
	vals, err := h.pages.values(v.tid, true)
	if err != nil {
		return // unreadable: vacuum's index deletes find it later or never
	}
	h.unindexValues(v, vals)
}

// unindexValues removes the index entries of v, whose values are vals.
// Caller holds h.mu.
func (h *Heap) unindexValues(v *Version, vals []types.Value) {
	for _, ix := range h.indexes {
		ix.delete(vals, v)
	}
	v.pruned = true
}

// deadAt reports whether no snapshot at or after horizon can see v: its
// creator aborted, or a transaction committed at or before horizon deleted
// it.
func deadAt(v *Version, horizon uint64) bool {
	if v.creator != nil && v.creator.Status() == txn.Aborted {
		return true
	}
	d := v.deleter.Load()
	return d != nil && d.Status() == txn.Committed && d.CommitSeq() <= horizon
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

// duplicateKey is the error for a second live row with vals's key under
// uniqueness index k.
func (h *Heap) duplicateKey(k int, vals []types.Value) *sqlerr.Error {
	cols := h.Table.IndexKeys()[k]
	names := make([]string, len(cols))
	vs := make([]string, len(cols))
	for i, c := range cols {
		names[i] = h.Table.Columns[c].Name
		vs[i] = types.Format(vals[c])
	}
	return sqlerr.New(sqlerr.UniqueViolation, "duplicate key value violates unique constraint %q", h.Table.IndexNames()[k]).
		WithDetail("Key (%s)=(%s) already exists.", strings.Join(names, ", "), strings.Join(vs, ", "))
}

// insert adds v, a new version created by t, after checking uniqueness. It
// waits for transactions whose outcome decides a conflict.
func (h *Heap) insert(ctx context.Context, m *txn.Manager, t *txn.Txn, v *Version, vals []types.Value, row []byte, held *heldFrame) error {
	for {
		h.mu.Lock()
		if h.broken != nil {
			h.mu.Unlock()
			return h.broken
		}
		c := h.checkUnique(m, t, vals)
		if c.wait == nil && c.err == nil {
			v.ID, v.creator, v.cmin = h.nextID.Add(1), t, t.CommandID()
			var err error
			if v.tid, err = h.pages.store(v.ID, vals, row, held); err == nil {
				h.add(v, vals)
			}
			h.mu.Unlock()
			return err
		}
		h.mu.Unlock()
		if c.err != nil {
			return c.err
		}
		if err := waitFor(ctx, m, t, c.wait); err != nil {
			return err
		}
	}
}

// add appends v, whose values are vals, and indexes it. Caller holds h.mu.
func (h *Heap) add(v *Version, vals []types.Value) { h.addFrom(v, vals, nil) }

// addFrom is add with the index entries' key values taken from slab (see
// btree.entryFrom).
func (h *Heap) addFrom(v *Version, vals []types.Value, slab *[]types.Value) {
	h.versions = append(growDoubling(h.versions, 1), v)
	for _, ix := range h.indexes {
		ix.insertFrom(vals, v, slab)
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
			if v.seg != nil {
				v.seg.touched.Store(true)
			}
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

// undoInsert takes a version whose creator rolled back out of the indexes;
// vacuum removes it and its tuple.
func (h *Heap) undoInsert(v *Version, vals []types.Value) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ix := range h.indexes {
		ix.delete(vals, v)
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

// vacuum drops versions no snapshot can see any more: those whose creator
// aborted and those deleted by a transaction committed at or before horizon.
func (h *Heap) vacuum(horizon uint64) int {
	// The dead versions, and the keys of those still indexed, are found
	// under the read lock, which readers and writers share; the write lock
	// is held only to take them out (a table after a minute of pgbench's
	// updates: 200,000 of 1.2M versions).
	type doomed struct {
		v    *Version
		vals []types.Value // its values, to find its index entries; nil for none
	}
	h.vacuuming.Lock() // one at a time: each finds its dead versions in order
	defer h.vacuuming.Unlock()
	var dead []doomed
	h.mu.RLock()
	for _, v := range h.versions {
		if !deadAt(v, horizon) {
			continue
		}
		d := doomed{v: v}
		if !v.pruned {
			d.vals, _ = h.pages.values(v.tid, true) // unreadable: vacuum's index deletes find it later or never
		}
		dead = append(dead, d)
	}
	h.mu.RUnlock()

	h.mu.Lock()
	defer h.mu.Unlock()
	if segmentsMostlyDead(h.segs, horizon) {
		// Versions in segments cannot be removed; when they are mostly dead
		// the segments go, and the columnizer copies the live rows again.
		h.dropSegments()
	}
	h.deadSince.Store(0)
	for _, d := range dead {
		if !d.v.pruned && d.vals != nil { // now, also for a version that stays
			h.unindexValues(d.v, d.vals)
		}
	}
	// The dead versions are in h.versions' order, which inserts since
	// only extended.
	kept := make([]*Version, 0, len(h.versions))
	removed := 0
	for _, v := range h.versions {
		isDead := len(dead) > 0 && dead[0].v == v
		if isDead {
			dead = dead[1:]
		}
		// Versions in segments stay: the segments cover a prefix of
		// h.versions and scans check their visibility.
		if v.seg != nil || !isDead {
			kept = append(kept, v)
			continue
		}
		removed++
		// The tuple stays until the next checkpoint (see pendingFree).
		h.pages.pendingFree = append(h.pages.pendingFree, v.tid)
	}
	if removed > 0 {
		h.versions = kept
	}
	return removed
}

// Autovacuum thresholds, PostgreSQL's defaults: a table is vacuumed once
// the versions made dead since its last vacuum exceed autovacuumBase plus
// autovacuumScale of its versions.
const (
	autovacuumBase  = 50
	autovacuumScale = 0.2
)

// needsVacuum reports whether enough versions died since the last vacuum
// for autovacuum to run one.
func (h *Heap) needsVacuum() bool {
	h.mu.RLock()
	n := len(h.versions)
	h.mu.RUnlock()
	return float64(h.deadSince.Load()) > autovacuumBase+autovacuumScale*float64(n)
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
	if catalog.OnlyPrivilegesDiffer(h.Table, def) { // GRANT, REVOKE: rows and indexes stay
		h.Table = def
		return nil
	}
	unique := len(def.Keys())
	indexes := make([]*btree, len(def.IndexKeys()))
	var want []bool // the columns of the indexes to build
	for i, cols := range def.IndexKeys() {
		if indexes[i] = h.sameIndex(cols, indexRole(def, i)); indexes[i] != nil {
			continue // the same rows make the same index
		}
		if want == nil {
			want = make([]bool, len(def.Columns))
		}
		for _, c := range cols {
			want[c] = true
		}
	}
	if want == nil {
		h.install(def, indexes)
		return nil
	}
	// Each version's key columns are decoded once, into the same memory,
	// for the entries of every index to build.
	var build []int
	entries := make([][]entry, len(indexes))
	for i, cols := range def.IndexKeys() {
		if indexes[i] == nil {
			build = append(build, i)
			indexes[i] = newBtree(cols)
			entries[i] = make([]entry, 0, len(h.versions))
		}
	}
	r := h.Reader()
	scratch := make([]types.Value, len(def.Columns)) // never a page's cached row: that is not ours to write
	for _, v := range h.versions {
		if v.pruned { // a pruned version is dead to all: no lookup needs it
			continue
		}
		vals, err := r.ColumnsInto(v, want, scratch)
		if err != nil {
			r.Close()
			return err
		}
		for _, i := range build {
			entries[i] = append(entries[i], indexes[i].entry(vals, v))
		}
	}
	r.Close()
	for _, i := range build {
		ix, entries := indexes[i], entries[i]
		if !slices.IsSortedFunc(entries, ix.order) {
			slices.SortFunc(entries, ix.order)
		}
		if check && i < unique {
			if err := h.checkKeys(t, def, i, entries); err != nil {
				return err
			}
		}
		ix.fill(entries)
	}
	h.install(def, indexes)
	return nil
}

// install makes def and indexes the heap's. Its column segments stay when
// def has the same columns (CREATE INDEX, ADD PRIMARY KEY, a renamed
// column): the columnizer would copy the same rows again.
func (h *Heap) install(def *catalog.Table, indexes []*btree) {
	same := len(def.Columns) == len(h.Table.Columns)
	for i := 0; same && i < len(def.Columns); i++ {
		same = def.Columns[i].Type == h.Table.Columns[i].Type
	}
	h.Table, h.indexes = def, indexes
	if !same {
		h.dropSegments()
		h.prebuilt = nil
	}
}

// sameIndex returns the current index on cols when it can serve as the
// new definition's index in role (indexRole): the rows it holds and what
// was checked of them stay the same.
func (h *Heap) sameIndex(cols []int, role int) *btree {
	for k, old := range h.Table.IndexKeys() {
		if slices.Equal(old, cols) && indexRole(h.Table, k) == role {
			return h.indexes[k]
		}
	}
	return nil
}

// indexRole says what index i of t enforces: 2 the primary key (unique,
// no NULLs), 1 a unique constraint, 0 nothing.
func indexRole(t *catalog.Table, i int) int {
	switch {
	case i == 0 && len(t.PrimaryKey) > 0:
		return 2
	case i < len(t.Keys()):
		return 1
	}
	return 0
}

// checkKeys checks that the rows live for t hold the key of def's unique
// index i at most once each (23505) and, for a primary key, have no NULL in
// it (23502). entries are the index's, in index order, so equal keys are
// adjacent.
func (h *Heap) checkKeys(t *txn.Txn, def *catalog.Table, i int, entries []entry) error {
	cols := def.IndexKeys()[i]
	vals := make([]types.Value, len(def.Columns)) // the key columns of the entry at hand
	var prev *entry                               // the last live entry with a key without NULLs
	for k := range entries {
		e := &entries[k]
		if !liveForKey(t, e.v) {
			continue
		}
		null := e.k0.IsNull()
		vals[cols[0]] = e.k0
		for n, c := range cols[1:] {
			vals[c] = e.rest[n]
			null = null || e.rest[n].IsNull()
		}
		if null {
			if indexRole(def, i) == 2 {
				for _, c := range cols {
					if vals[c].IsNull() {
						return sqlerr.New(sqlerr.NotNullViolation, "column %q of relation %q contains null values", def.Columns[c].Name, def.Name)
					}
				}
			}
			continue
		}
		if prev != nil && h.sameKey(prev, e) {
			old := h.Table
			h.Table = def
			err := h.duplicateKey(i, vals)
			h.Table = old
			return sqlerr.New(sqlerr.UniqueViolation, "could not create unique index %q", def.IndexNames()[i]).
				WithDetail("%s", strings.Replace(err.Detail, "already exists", "is duplicated", 1))
		}
		prev = e
	}
	return nil
}

// sameKey reports whether entries a and b hold equal key values.
func (h *Heap) sameKey(a, b *entry) bool {
	if compareValues(a.k0, b.k0) != 0 {
		return false
	}
	for n := range a.rest {
		if compareValues(a.rest[n], b.rest[n]) != 0 {
			return false
		}
	}
	return true
}

// Analyze measures the rows visible to snap and keeps the result for the
// planner and for statistics views. As PostgreSQL's ANALYZE, it reads a
// uniform random sample of at most AnalyzeSampleRows visible rows: Rows is
// the exact number of visible rows (counting them reads no values), NullFrac,
// Min and Max are the sample's, and Distinct is exact when the sample is the
// whole table and otherwise the Haas-Stokes estimate from the sample. The
// sample is drawn with a generator seeded by the table, so that ANALYZE over
// the same rows gives the same figures (and the same plans).
func (h *Heap) Analyze(snap *txn.Snapshot) (catalog.TableStats, error) {
	def := h.Def()
	versions, err := h.all()
	if err != nil {
		return catalog.TableStats{Columns: make([]catalog.ColumnStats, len(def.Columns))}, err
	}
	rng := rand.New(rand.NewPCG(0x616e616c797a65, uint64(h.id)))
	picked, rows := sampleVisible(versions, snap, AnalyzeSampleRows, rng)
	sample := make([][]types.Value, len(picked))
	r := h.Reader()
	defer r.Close()
	for j, i := range picked {
		if sample[j], err = r.Values(versions[i]); err != nil {
			return catalog.TableStats{Columns: make([]catalog.ColumnStats, len(def.Columns))}, err
		}
	}
	st := sampleStats(len(def.Columns), sample, rows)
	h.stats.Store(&st)
	stamp(&h.usage.lastAnalyze)
	return st, nil
}

// Stats returns the last ANALYZE result, or nil.
func (h *Heap) Stats() *catalog.TableStats { return h.stats.Load() }

// LiveWithKey returns the versions of h whose cols hold key and that are
// live for t's writes: committed and not deleted, or written by t itself.
// Rows an open transaction inserted or deleted make it wait for that
// transaction's end first, as a uniqueness check does, so that foreign key
// checks on both sides see each other's committed outcome.
func (tx *Tx) LiveWithKey(ctx context.Context, h *Heap, cols []int, key []types.Value) ([]*Version, error) {
	k := -1 // an index whose leading columns are cols
	for i, ic := range h.Def().IndexKeys() {
		if len(ic) >= len(cols) && slices.Equal(ic[:len(cols)], cols) {
			k = i
			break
		}
	}
	for {
		var candidates []*Version
		var err error
		if k >= 0 {
			candidates, err = h.Lookup(k, key, nil, nil, nil)
		} else {
			candidates, err = h.Scan()
		}
		if err != nil {
			return nil, err
		}
		var live []*Version
		var wait *txn.Txn
		r := h.Reader()
		for _, v := range candidates {
			c := liveFor(tx.Txn, v)
			if c.err == nil && c.wait == nil {
				continue // dead for us
			}
			if k < 0 {
				vals, err := r.Values(v)
				if err != nil {
					r.Close()
					return nil, err
				}
				if !keyEqual(vals, cols, key) {
					continue
				}
			}
			if c.wait != nil {
				wait = c.wait
				break
			}
			live = append(live, v)
		}
		r.Close()
		if wait == nil {
			return live, nil
		}
		if err := waitFor(ctx, tx.s.txns, tx.Txn, wait); err != nil {
			return nil, err
		}
	}
}

func keyEqual(vals []types.Value, cols []int, key []types.Value) bool {
	for i, c := range cols {
		if c >= len(vals) || types.Compare(vals[c], key[i]) != 0 {
			return false
		}
	}
	return true
}

// FileBytes returns the size of the table's heap file in use: its blocks.
func (h *Heap) FileBytes() int64 {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return int64(h.pages.blocks) * PageSize
}

// WroteInCommand reports whether v was inserted by tx's current command.
func (tx *Tx) WroteInCommand(v *Version) bool {
	return v.creator == tx.Txn && v.cmin == tx.CommandID()
}
