package row

import "iter"

// opLog is a transaction's changes in the order it made them. It grows by
// chunks, each up to twice the last and at most maxOpChunk, rather than by
// copying: a transaction of a million inserts would otherwise copy its log
// about twice over and leave as much garbage behind.
type opLog struct {
	chunks [][]op
	n      int
}

const firstOpChunk, maxOpChunk = 4, 4096

func (l *opLog) add(o op) {
	last := len(l.chunks) - 1
	if last < 0 || len(l.chunks[last]) == cap(l.chunks[last]) {
		size := firstOpChunk
		if last >= 0 {
			size = min(2*cap(l.chunks[last]), maxOpChunk)
		}
		l.chunks = append(l.chunks, make([]op, 0, size))
		last++
	}
	l.chunks[last] = append(l.chunks[last], o)
	l.n++
}

// len returns the number of changes.
func (l *opLog) len() int { return l.n }

// all yields the changes in the order made.
func (l *opLog) all() iter.Seq[*op] {
	return func(yield func(*op) bool) {
		for _, c := range l.chunks {
			for i := range c {
				if !yield(&c[i]) {
					return
				}
			}
		}
	}
}

// backward yields the changes last first.
func (l *opLog) backward() iter.Seq[*op] {
	return func(yield func(*op) bool) {
		for j := len(l.chunks) - 1; j >= 0; j-- {
			c := l.chunks[j]
			for i := len(c) - 1; i >= 0; i-- {
				if !yield(&c[i]) {
					return
				}
			}
		}
	}
}
