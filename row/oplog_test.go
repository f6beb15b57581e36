package row

import "testing"

// TestOpLog checks the order of a log's changes, both ways, across the
// boundaries of its chunks.
func TestOpLog(t *testing.T) {
	for _, n := range []int{0, 1, firstOpChunk, firstOpChunk + 1, 3*maxOpChunk + 7} {
		var l opLog
		for i := range n {
			l.add(op{off: i})
		}
		if l.len() != n {
			t.Errorf("%d changes: len %d", n, l.len())
		}
		next := 0
		for o := range l.all() {
			if o.off != next {
				t.Fatalf("%d changes: change %d has off %d", n, next, o.off)
			}
			next++
		}
		for o := range l.backward() {
			next--
			if o.off != next {
				t.Fatalf("%d changes backward: change %d has off %d", n, next, o.off)
			}
		}
		if next != 0 {
			t.Errorf("%d changes: backward stopped at %d", n, next)
		}
		for _, c := range l.chunks {
			if cap(c) > maxOpChunk {
				t.Errorf("a chunk of %d changes", cap(c))
			}
		}
	}
}
