package exec

// A table's rows for writers of columnar files (COPY TO parquet): the rows
// in column segments as runs of vectors, so that a writer converts whole
// columns without making row values, and the rows after the segments (the
// heap delta) as versions that workers read in parallel.

import (
	"rustydb/catalog"
	"rustydb/column"
	"rustydb/row"
	"rustydb/types"
)

// SegmentRows is the rows of a column segment that a statement sees.
type SegmentRows struct {
	Seg *column.Segment
	// Sel lists the visible rows in order when some are not (rows deleted
	// or updated since the segment was built); nil: all of them.
	Sel []int32
}

// Len is the number of rows.
func (r SegmentRows) Len() int {
	if r.Sel != nil {
		return len(r.Sel)
	}
	return r.Seg.Rows
}

// Row is the segment row of the i-th row of r.
func (r SegmentRows) Row(i int) int {
	if r.Sel != nil {
		return int(r.Sel[i])
	}
	return i
}

// HeapRows is rows of a table's heap that a statement sees, in order;
// goroutines may read different ones at once.
type HeapRows struct {
	h        *row.Heap
	versions []*row.Version
}

// Len is the number of rows.
func (r *HeapRows) Len() int { return len(r.versions) }

// Read calls yield with the values of rows lo to hi-1 in turn until yield
// fails.
func (r *HeapRows) Read(lo, hi int, yield func([]types.Value) error) error {
	rd := r.h.Reader()
	defer rd.Close()
	for _, v := range r.versions[lo:hi] {
		vals, err := rd.Values(v)
		if err != nil {
			return err
		}
		if err := yield(vals); err != nil {
			return err
		}
	}
	return nil
}

// TableColumns returns the rows of t that the statement sees: those in
// column segments as runs, then those after the segments in the heap. It
// returns a nil heap when columnar scans are off: a table scan reads the
// rows then.
func (c *Context) TableColumns(t *catalog.Table) ([]SegmentRows, *HeapRows, error) {
	h := c.Store.Heap(t)
	if h == nil || c.NoColumnar {
		return nil, nil, nil
	}
	segs, rest, err := h.Columnar()
	if err != nil {
		return nil, nil, err
	}
	runs := make([]SegmentRows, 0, len(segs))
	for _, sg := range segs {
		run := SegmentRows{Seg: sg.Segment}
		if sg.Touched() {
			run.Sel = []int32{}
			for i, v := range sg.Versions {
				if v.VisibleTo(&c.Snap) {
					run.Sel = append(run.Sel, int32(i))
				}
			}
		}
		runs = append(runs, run)
	}
	heap := &HeapRows{h: h}
	for _, v := range rest {
		if v.VisibleTo(&c.Snap) {
			heap.versions = append(heap.versions, v)
		}
	}
	return runs, heap, nil
}

// Canceled returns the error that ends a statement canceled or out of
// time, or nil; workers outside this package check it between units of
// work.
func (c *Context) Canceled() error { return c.cancelErr() }
