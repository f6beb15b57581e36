package exec

import (
	"rustydb/column"
)

// Vectorized outer joins that keep their built rows: a left join whose
// left input is hashed (or a right join whose right one is), as when the
// preserved side is the smaller (TPC-H q13: customer LEFT JOIN orders).
// The streamed batches join as an inner join would, and each worker's
// stage marks the built rows they match in its own bitmap (no sharing,
// no atomics). Once every worker is done, finishOuter ORs the workers'
// bitmaps into the first one's and pushes the built rows none matched,
// joined to NULLs for the streamed columns, through the first worker's
// stages above the join. Stages are finished from the scan up, so that
// the rows a lower join adds can still match in an upper one.

// markMatches records in s's bitmap that built rows r-1, next[r-1]-1, ...
// (one key's chain, one row when the keys are unique) are matched.
func (s *vstage) markMatches(r int32, next []int32, unique bool) {
	if s.matched == nil {
		s.matched = make([]uint64, (len(next)+63)/64)
	}
	for ; r != 0; r = next[r-1] {
		s.matched[(r-1)>>6] |= 1 << ((r - 1) & 63)
		if unique {
			return
		}
	}
}

// finishOuter outputs, once all the workers' pipes are done, the built
// rows of each join that keeps them and that no worker matched.
func finishOuter(pipes []*vpipe) error {
	first := pipes[0]
	for k := len(first.stages) - 1; k >= 0; k-- {
		s := first.stages[k]
		if !s.outerBuilt {
			continue
		}
		for _, p := range pipes[1:] {
			other := p.stages[k].matched
			if other == nil {
				continue
			}
			if s.matched == nil {
				s.matched = make([]uint64, len(other))
			}
			for i, w := range other {
				s.matched[i] |= w
			}
		}
		if err := s.unmatched(); err != nil {
			return err
		}
	}
	return nil
}

// unmatched pushes the built rows s's bitmap does not mark, a batch at a
// time, joined to NULL streamed columns. A built row with a NULL key
// matches nothing, so it is among them.
func (s *vstage) unmatched() error {
	n := len(s.j.vt.k1)
	brs := s.brs[:0]
	for r := range n {
		if s.matched != nil && s.matched[r>>6]&(1<<(r&63)) != 0 {
			continue
		}
		if brs = append(brs, int32(r)); len(brs) < cap(brs) && r < n-1 {
			continue
		}
		if s.nulls == nil {
			s.nulls = s.nullColumns(cap(brs))
		}
		if err := s.emit(nil, nil, brs); err != nil {
			return err
		}
		brs = brs[:0]
	}
	if len(brs) > 0 { // the last row was matched
		if s.nulls == nil {
			s.nulls = s.nullColumns(cap(brs))
		}
		return s.emit(nil, nil, brs)
	}
	return nil
}

// nullColumns returns, for each streamed column the stage outputs, a
// column of size NULLs in its vector form.
func (s *vstage) nullColumns(size int) []column.Column {
	cols := make([]column.Column, len(s.srcs))
	valid := make([]byte, (size+7)/8) // no bit set: every row NULL
	for k, src := range s.srcs {
		if src.built || !src.need {
			continue
		}
		c := vectorColumn(s.in[src.col], size)
		if c.Kind == column.String {
			c.Codes = s.codes[:size]
		}
		c.Valid = valid
		cols[k] = c
	}
	return cols
}

// cut returns the first n rows of c, a column of nullColumns.
func cut(c column.Column, n int) column.Column {
	truncate(&c, n)
	if c.Kind == column.String {
		c.Codes = c.Codes[:n]
	}
	c.Valid = c.Valid[:(n+7)/8]
	return c
}

// keepsBuilt reports whether join j, as a vectorized stage, outputs its
// built rows without a match (and not its streamed ones).
func keepsBuilt(j *joinOp) bool {
	return (j.kind == "left" || j.kind == "right") && j.keepsUnmatched(true) && !j.keepsUnmatched(false)
}
