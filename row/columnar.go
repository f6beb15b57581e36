package row

import (
	"sync/atomic"

	"rustydb/column"
	"rustydb/txn"
)

// The columnizer. A heap's versions are kept in insertion order; its
// segments cover a prefix of them, each segment the next SegmentRows
// versions, copied into column.Segment form once every transaction sees
// them. Scans read the segments and then the versions after the prefix (the
// delta) through the row path.
//
// A segment records which versions it copied. While none of them has been
// deleted since the segment was built, every row of it is visible to every
// snapshot (they were settled before the oldest open transaction began), so
// a scan needs no per-row visibility checks; a delete marks the segment
// touched, after which scans check each row's version.

// DefaultSegmentRows is the number of rows in a segment.
const DefaultSegmentRows = 1 << 16

// Segment is a column segment of a heap and the versions it holds.
type Segment struct {
	*column.Segment
	Versions []*Version
	touched  atomic.Bool
	// held is how many of Versions are in the heap's versions: all of them,
	// but for a segment loaded from a file, whose rows deleted before the
	// checkpoint are dead placeholders (segfiles.go).
	held int
	// file is the segment file's number once a checkpoint wrote it, 0
	// before; only checkpoints, which run one at a time, use it.
	file      uint64
	diskBytes atomic.Int64 // the file's size
}

// Touched reports whether a row of the segment may have been deleted or
// updated since it was built, so that visibility must be checked per row.
func (s *Segment) Touched() bool { return s.touched.Load() }

// Columnar returns the heap's segments and the versions after them, which a
// scan reads through the row path. Both slices are never modified
// afterwards.
func (h *Heap) Columnar() ([]*Segment, []*Version, error) {
	h.usage.seqScans.Add(1)
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.segs[:len(h.segs):len(h.segs)], h.versions[h.covered:len(h.versions):len(h.versions)], h.broken
}

// Columnize copies the settled versions after the heap's segments into new
// segments of rowsPer rows while there are enough of them, and returns how
// many segments it built. With partial, it also copies the settled versions
// that do not fill a segment into a last, partial one; a partial last
// segment is rebuilt with the versions that come after it, once they fill
// it (or with partial, whenever there are more). A version is settled when
// its creator committed at or before horizon (no open transaction's
// snapshot is older) or aborted.
func (h *Heap) Columnize(horizon uint64, rowsPer int, partial bool) (int, error) {
	h.columnizing.Lock() // one columnizer per heap: VACUUM and the background one
	defer h.columnizing.Unlock()
	added := 0
	for {
		h.mu.RLock()
		def, covered, broken, nsegs := h.Table, h.covered, h.broken, len(h.segs)
		start, replace := covered, false
		if nsegs > 0 && h.segs[nsegs-1].Rows < rowsPer {
			start, replace = covered-h.segs[nsegs-1].held, true
		}
		end := min(len(h.versions), start+rowsPer)
		for i, v := range h.versions[covered:end] {
			if !settled(v, horizon) {
				end = covered + i
				break
			}
		}
		batch := h.versions[start:end:end]
		h.mu.RUnlock()
		if broken != nil || end == covered || len(batch) < rowsPer && !partial || mostlyDead(batch, horizon) {
			// A batch mostly of dead versions (a table updated over and over)
			// waits for vacuum to remove them: copied, they would stay.
			return added, broken
		}
		cs := h.prebuiltFor(batch) // a bulk load's
		if cs == nil {
			b := column.NewBuilder(def, len(batch))
			r := h.Reader()
			for _, v := range batch {
				vals, err := r.Columns(v, nil) // not kept in the frames: the segment holds them now
				if err != nil {
					r.Close()
					return added, err
				}
				b.Add(vals)
			}
			r.Close()
			cs = b.Finish()
			cs.Encode() // bit-packs or run-length encodes the integer columns where that saves memory
		}
		seg := &Segment{Segment: cs, Versions: batch, held: len(batch)}
		h.mu.Lock()
		if h.covered != covered || len(h.segs) != nsegs || h.Table != def {
			h.mu.Unlock() // ALTER TABLE changed the heap under us
			return added, nil
		}
		if replace {
			nsegs-- // scans may hold the old slice: copy, do not overwrite
		}
		h.segs = append(h.segs[:nsegs:nsegs], seg)
		h.covered = end
		for _, v := range batch {
			v.seg = seg
			// Deletes hold h.mu; one that came before this point left its
			// deleter, which makes the segment touched now.
			if d := v.deleter.Load(); d != nil || v.creator != nil && v.creator.Status() == txn.Aborted {
				seg.touched.Store(true)
			}
		}
		h.mu.Unlock()
		added++
	}
}

// mostlyDead reports whether at least half of versions are dead to every
// snapshot at horizon.
func mostlyDead(versions []*Version, horizon uint64) bool {
	dead := 0
	for _, v := range versions {
		if deadAt(v, horizon) {
			dead++
		}
	}
	return dead > 0 && dead*2 >= len(versions)
}

// segmentsMostlyDead reports whether at least half of the rows of segs,
// dead placeholders included, are dead to every snapshot at horizon.
func segmentsMostlyDead(segs []*Segment, horizon uint64) bool {
	dead, rows := 0, 0
	for _, s := range segs {
		for _, v := range s.Versions {
			if deadAt(v, horizon) {
				dead++
			}
		}
		rows += len(s.Versions)
	}
	return dead > 0 && dead*2 >= rows
}

// settled reports whether v's creator is decided for every snapshot.
func settled(v *Version, horizon uint64) bool {
	if v.creator == nil {
		return true
	}
	switch v.creator.Status() {
	case txn.Aborted:
		return true
	case txn.Committed:
		return v.creator.CommitSeq() <= horizon
	}
	return false
}

// dropSegments forgets the heap's segments (its definition changed). Caller
// holds h.mu.
func (h *Heap) dropSegments() {
	for _, s := range h.segs {
		for _, v := range s.Versions {
			v.seg = nil
		}
	}
	h.segs, h.covered = nil, 0
}

// SegmentCount returns how many segments the heap has and how many rows
// they hold.
func (h *Heap) SegmentCount() (segments, rows int) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.segs), h.covered
}

// Columnize runs the columnizer over every table and returns how many
// segments it added.
func (s *Store) Columnize() (int, error) {
	added := 0
	for _, h := range s.allHeaps() {
		n, err := h.Columnize(s.txns.Horizon(), s.segmentRows(), false)
		added += n
		if err != nil {
			return added, err
		}
	}
	return added, nil
}

// ColumnizeTable runs the columnizer over one heap, copying all its
// settled rows (VACUUM does).
func (s *Store) ColumnizeTable(h *Heap) (int, error) {
	return h.Columnize(s.txns.Horizon(), s.segmentRows(), true)
}

func (s *Store) segmentRows() int {
	if s.opts.SegmentRows > 0 {
		return s.opts.SegmentRows
	}
	return DefaultSegmentRows
}
