package exec

// Top-N: a Sort under a Limit with a small constant bound keeps only the
// best offset+limit rows it has seen, in a bounded heap whose root is the
// worst of them, instead of sorting its whole input (PostgreSQL's "top-N
// heapsort"). The result is the one sort-then-limit gives: a row ties with
// an earlier row of equal keys and loses to it, as the stable full sort
// orders them. Should the kept rows pass work_mem (huge rows), the heap
// hands its rows back in input order and the sort goes on as a full,
// spilling sort.

import (
	"sort"

	"rustydb/types"
)

// topNMaxRows is the largest bound that gets the top-N path: above it a
// heap of that many rows costs about what sorting everything does.
const topNMaxRows = 4096

// boundSort switches a sort right below the limit to the top-N path when
// the limit is small.
func (l *limitOp) boundSort() {
	in := l.in
	if a, ok := in.(*analyzeOp); ok {
		in = a.in
	}
	if s, ok := in.(*sortOp); ok && l.limit >= 0 && l.offset <= topNMaxRows && l.limit <= topNMaxRows-l.offset {
		s.bounded, s.bound = true, l.offset+l.limit
	}
}

// seqRow is a kept row with its position in the input, which breaks ties.
type seqRow struct {
	keyedRow
	seq int64
}

// topN keeps the k best input rows. It returns done with the rows sorted in
// o.rows, or, when they passed work_mem, not done with the kept rows in
// input order and their size, for the full sort to continue from.
func (o *sortOp) topN(k int64) (rows []keyedRow, bytes int64, done bool, err error) {
	o.c.noteTopN(o.node, k)
	h := topHeap{o: o}
	var seq int64
	var spare []types.Value // the keys of the last row dropped, for the next
	for k > 0 {
		r, ok, err := o.next(spare)
		if err != nil {
			return nil, 0, false, err
		}
		if !ok {
			break
		}
		seq++
		spare = nil
		size := rowSize(r.row) + rowSize(r.keys)
		if int64(len(h.rows)) < k {
			h.push(seqRow{r, seq})
		} else if o.compare(r.keys, h.rows[0].keys) < 0 { // an equal row is later, so worse
			bytes -= rowSize(h.rows[0].row) + rowSize(h.rows[0].keys)
			spare = h.rows[0].keys
			h.rows[0] = seqRow{r, seq}
			h.down(0)
		} else {
			spare = r.keys
			continue
		}
		bytes += size
		o.c.noteMemory(o.node, bytes)
		if o.c.overWorkMem(bytes) {
			sort.Slice(h.rows, func(i, j int) bool { return h.rows[i].seq < h.rows[j].seq })
			rows = make([]keyedRow, len(h.rows))
			for i, r := range h.rows {
				rows[i] = r.keyedRow
			}
			return rows, bytes, false, nil
		}
	}
	sort.Slice(h.rows, func(i, j int) bool { return h.worse(j, i) })
	o.rows = make([][]types.Value, len(h.rows))
	for i, r := range h.rows {
		o.rows[i] = r.row
	}
	return nil, bytes, true, nil
}

// topHeap is a binary max-heap of rows by sort order: the root is the row
// that would come last.
type topHeap struct {
	o    *sortOp
	rows []seqRow
}

// worse reports whether row i sorts after row j.
func (h *topHeap) worse(i, j int) bool {
	if c := h.o.compare(h.rows[i].keys, h.rows[j].keys); c != 0 {
		return c > 0
	}
	return h.rows[i].seq > h.rows[j].seq
}

func (h *topHeap) push(r seqRow) {
	h.rows = append(h.rows, r)
	for i := len(h.rows) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.worse(i, p) {
			break
		}
		h.rows[i], h.rows[p] = h.rows[p], h.rows[i]
		i = p
	}
}

// down restores the heap below i after its row got better.
func (h *topHeap) down(i int) {
	n := len(h.rows)
	for {
		w := i
		if l := 2*i + 1; l < n && h.worse(l, w) {
			w = l
		}
		if r := 2*i + 2; r < n && h.worse(r, w) {
			w = r
		}
		if w == i {
			return
		}
		h.rows[i], h.rows[w] = h.rows[w], h.rows[i]
		i = w
	}
}
