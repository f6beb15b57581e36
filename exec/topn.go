package exec

// Top-N: a Sort under a Limit with a small constant bound keeps only the
// best offset+limit rows it has seen, in a bounded heap whose root is the
// worst of them, instead of sorting its whole input (PostgreSQL's "top-N
// heapsort"). The result is the one sort-then-limit gives: a row ties with
// an earlier row of equal keys and loses to it, as the stable full sort
// orders them. Each worker of a parallel sort keeps its own heap, and the
// merge of their rows gives the best of all. Should the kept rows pass
// work_mem (huge rows), the heap hands its rows back in input order and
// the sort goes on as a full, spilling sort.

import (
	"cmp"
	"slices"
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

// topN keeps the k best input rows in w.buf, whose rows are slots the
// heap's entries point to, one of them spare for the next row read. It
// reports done with the kept rows' entries sorted, or, when they passed
// work_mem, not done with them put back in input order for the full sort
// to continue from.
func (w *sortWorker) topN(in Operator, k int64) (done bool, err error) {
	b := &w.buf
	h := topHeap{b: b}
	spare := -1
	var seq int64
	for k > 0 {
		r, err := in.Next()
		if r == nil || err != nil {
			if err != nil {
				return false, err
			}
			break
		}
		seq++
		full := int64(len(b.ents)) == k
		slot := spare
		if !full || spare < 0 {
			slot = len(b.rows)
			b.rows, h.seqs = append(b.rows, nil), append(h.seqs, 0)
		}
		keys := b.keysOf(uint32(slot))
		if _, err := w.evalKeys(keys[:0], r); err != nil {
			return false, err
		}
		e := b.ent(keys, slot)
		if full {
			if b.compare(e, b.ents[0]) >= 0 { // an equal row is later, so worse
				spare = slot
				continue
			}
			spare = int(b.ents[0].idx)
			b.bytes -= rowSize(b.rows[spare]) + rowSize(b.keysOf(uint32(spare))) + sortEntSize
			b.rows[spare] = nil
		}
		b.rows[slot], h.seqs[slot] = r, seq
		b.bytes += rowSize(r) + rowSize(keys) + sortEntSize
		w.peak = max(w.peak, b.bytes)
		if full {
			b.ents[0] = e
			h.down(0)
		} else {
			h.push(e)
		}
		if w.workMem > 0 && b.bytes > w.workMem {
			w.inInputOrder(h.seqs)
			return false, nil
		}
	}
	slices.SortFunc(b.ents, func(x, y sortEnt) int {
		if c := b.compare(x, y); c != 0 {
			return c
		}
		return cmp.Compare(h.seqs[x.idx], h.seqs[y.idx])
	})
	return true, nil
}

// inInputOrder rebuilds w.buf from the rows the heap kept, in the order
// they were read (seqs: the input position of each slot's row).
func (w *sortWorker) inInputOrder(seqs []int64) {
	old := w.buf
	slices.SortFunc(old.ents, func(x, y sortEnt) int { return cmp.Compare(seqs[x.idx], seqs[y.idx]) })
	w.buf = sortBuf{spec: old.spec, abbr: old.abbr, kind: old.kind}
	for _, e := range old.ents {
		copy(w.buf.keysOf(uint32(len(w.buf.rows))), old.keysOf(e.idx))
		w.buf.add(old.rows[e.idx])
	}
}

// topHeap is a binary max-heap of entries by sort order: the root is the
// row that would come last. seqs is the input position of each slot's
// row, which breaks ties.
type topHeap struct {
	b    *sortBuf
	seqs []int64
}

// worse reports whether entry i's row sorts after entry j's.
func (h *topHeap) worse(i, j int) bool {
	x, y := h.b.ents[i], h.b.ents[j]
	if c := h.b.compare(x, y); c != 0 {
		return c > 0
	}
	return h.seqs[x.idx] > h.seqs[y.idx]
}

func (h *topHeap) push(e sortEnt) {
	ents := append(h.b.ents, e)
	h.b.ents = ents
	for i := len(ents) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.worse(i, p) {
			break
		}
		ents[i], ents[p] = ents[p], ents[i]
		i = p
	}
}

// down restores the heap below i after its row got better.
func (h *topHeap) down(i int) {
	ents := h.b.ents
	n := len(ents)
	for {
		s := i
		if l := 2*i + 1; l < n && h.worse(l, s) {
			s = l
		}
		if r := 2*i + 2; r < n && h.worse(r, s) {
			s = r
		}
		if s == i {
			return
		}
		ents[i], ents[s] = ents[s], ents[i]
		i = s
	}
}
