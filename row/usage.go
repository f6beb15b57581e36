package row

import (
	"sync/atomic"
	"time"

	"rustydb/txn"
)

// Usage counters of a heap, for v$table_statistics and v$index_statistics:
// scans counted where they start (Scan and Columnar for whole-table scans,
// Lookup per index, in the btree), and when the table was last vacuumed and
// analyzed. All are atomics, so counting costs a scan one add.
type heapUsage struct {
	seqScans                             atomic.Uint64
	lastVacuum, lastAutoVac, lastAnalyze atomic.Int64 // unix nanoseconds; 0 never
}

// TableUsage is what a heap measures about itself.
type TableUsage struct {
	Live, Dead   int // versions visible to a new snapshot; versions only vacuum still has to remove
	Pages        int64
	SeqScans     uint64 // whole-table scans: queries, COPY TO, foreign key checks without an index
	IndexScans   []uint64
	IndexEntries []int // per index, parallel to Table.IndexKeys()
	Segments     int
	SegmentRows  int
	SegmentBytes int64
	// SegmentDiskBytes is the size of the segments' files; segments built
	// since the last checkpoint have none yet.
	SegmentDiskBytes int64
	// LastVacuum is the last VACUUM of the table, LastAutovacuum the last
	// autovacuum's or checkpoint's; LastAnalyze the last ANALYZE. Zero
	// when never.
	LastVacuum, LastAutovacuum, LastAnalyze time.Time
}

// all returns the versions present now, as Scan does, without counting a
// scan: for the checkpoint and ANALYZE.
func (h *Heap) all() ([]*Version, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.versions[:len(h.versions):len(h.versions)], h.broken
}

// Usage measures the heap: it counts the visibility of every version, so it
// costs a pass over them.
func (h *Heap) Usage(snap *txn.Snapshot) TableUsage {
	u := TableUsage{}
	u.IndexEntries, u.IndexScans = h.IndexUsage()
	h.mu.RLock()
	u.Pages, u.Segments, u.SegmentRows = int64(h.pages.blocks), len(h.segs), h.covered
	u.SegmentBytes = segmentBytes(h.segs)
	u.SegmentDiskBytes = segmentDiskBytes(h.segs)
	versions := h.versions[:len(h.versions):len(h.versions)]
	h.mu.RUnlock()
	for _, v := range versions {
		switch d := v.deleter.Load(); {
		case v.VisibleTo(snap):
			u.Live++
		case v.creator != nil && v.creator.Status() == txn.Aborted, d != nil && d.Status() == txn.Committed:
			u.Dead++
		}
	}
	u.SeqScans = h.usage.seqScans.Load()
	u.LastVacuum, u.LastAutovacuum = unixTime(h.usage.lastVacuum.Load()), unixTime(h.usage.lastAutoVac.Load())
	u.LastAnalyze = unixTime(h.usage.lastAnalyze.Load())
	return u
}

func unixTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

func stamp(t *atomic.Int64) { t.Store(time.Now().UnixNano()) }

// IndexUsage returns, per index (parallel to Table.IndexKeys()), its
// entries and the Lookups that used it.
func (h *Heap) IndexUsage() (entries []int, scans []uint64) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, ix := range h.indexes {
		entries = append(entries, ix.n)
		scans = append(scans, ix.scans.Load())
	}
	return entries, scans
}

// SegmentBytes returns the memory of the heap's column segments.
func (h *Heap) SegmentBytes() int64 {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return segmentBytes(h.segs)
}

func segmentBytes(segs []*Segment) int64 {
	var n int64
	for _, s := range segs {
		n += s.Bytes()
	}
	return n
}
