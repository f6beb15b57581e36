package exec

import (
	"rustydb/catalog"
	"rustydb/plan"
	"rustydb/row"
	"rustydb/types"
)

type scanOp struct {
	c        *Context
	table    *catalog.Table
	heap     *row.Heap
	index    *plan.IndexRange // non-nil: read this range instead of scanning
	versions []*row.Version
	pos      int
	// reader and found are held in the operator, not allocated apart: a
	// point query makes one scan per execution.
	reader row.Reader
	opened bool
	found  [2]*row.Version
}

func (o *scanOp) Init() (err error) {
	o.versions, err = o.c.candidates(o.table, o.heap, o.index, o.found[:0])
	o.pos = 0
	if !o.opened {
		o.reader, o.opened = *o.heap.Reader(), true
	}
	return err
}

func (o *scanOp) Close() { o.reader.Close() }
func (o *scanOp) Next() ([]types.Value, error) {
	for o.pos < len(o.versions) {
		v := o.versions[o.pos]
		o.pos++
		if err := o.c.canceled(); err != nil {
			return nil, err
		}
		if v.VisibleTo(&o.c.Snap) {
			return o.reader.Values(v)
		}
	}
	return nil, nil
}

type valuesOp struct {
	rows [][]evalFn
	pos  int
}

func (o *valuesOp) Init() error { return nil }
func (o *valuesOp) Close()      {}
func (o *valuesOp) Next() ([]types.Value, error) {
	if o.pos >= len(o.rows) {
		return nil, nil
	}
	fns := o.rows[o.pos]
	o.pos++
	out := make([]types.Value, len(fns))
	for i, f := range fns {
		v, err := f(nil)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

type filterOp struct {
	c    *Context
	in   Operator
	cond evalFn
	expr plan.Expr // cond's plan, which a vectorized hash join compiles
}

func (o *filterOp) Init() error { return o.in.Init() }
func (o *filterOp) Close()      { o.in.Close() }
func (o *filterOp) Next() ([]types.Value, error) {
	for {
		r, err := o.in.Next()
		if r == nil || err != nil {
			return nil, err
		}
		v, err := o.cond(r)
		if err != nil {
			return nil, err
		}
		if !v.IsNull() && v.Bool() {
			return r, nil
		}
		if err := o.c.canceled(); err != nil {
			return nil, err
		}
	}
}

// identity reports whether exprs, column references, are the n columns of
// their input in order.
func identity(exprs []plan.Expr, n int) bool {
	if len(exprs) != n {
		return false
	}
	for i, e := range exprs {
		if e.(*plan.ColRef).Idx != i {
			return false
		}
	}
	return true
}

type projectOp struct {
	in    Operator
	exprs []evalFn    // nil when every expression is a column reference
	plan  []plan.Expr // exprs' plans, which a vectorized hash join reads
}

func (o *projectOp) Init() error { return o.in.Init() }
func (o *projectOp) Close()      { o.in.Close() }
func (o *projectOp) Next() ([]types.Value, error) {
	r, err := o.in.Next()
	if r == nil || err != nil {
		return nil, err
	}
	out := make([]types.Value, len(o.plan))
	if o.exprs == nil {
		for i, e := range o.plan {
			out[i] = r[e.(*plan.ColRef).Idx]
		}
		return out, nil
	}
	for i, f := range o.exprs {
		if out[i], err = f(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// compareKey orders two sort key values under a key's direction and NULL placement.
func compareKey(a, b types.Value, s plan.SortKey) int {
	an, bn := a.IsNull(), b.IsNull()
	switch {
	case an && bn:
		return 0
	case an:
		if s.NullsFirst {
			return -1
		}
		return 1
	case bn:
		if s.NullsFirst {
			return 1
		}
		return -1
	}
	c := types.Compare(a, b)
	if s.Desc {
		return -c
	}
	return c
}

type limitOp struct {
	in            Operator
	limit, offset int64 // limit -1: none
	seen          int64
}

func (o *limitOp) Init() error { return o.in.Init() }
func (o *limitOp) Close()      { o.in.Close() }
func (o *limitOp) Next() ([]types.Value, error) {
	for {
		if o.limit >= 0 && o.seen >= o.offset+o.limit {
			return nil, nil
		}
		r, err := o.in.Next()
		if r == nil || err != nil {
			return nil, err
		}
		o.seen++
		if o.seen > o.offset {
			return r, nil
		}
	}
}

// distinctOp passes the first row of each distinct value of the whole row,
// or of keys for DISTINCT ON.
type distinctOp struct {
	in   Operator
	seen map[string]bool
	keys []evalFn
	buf  []byte
}

func (o *distinctOp) Init() error { return o.in.Init() }
func (o *distinctOp) Close()      { o.in.Close() }
func (o *distinctOp) Next() ([]types.Value, error) {
	for {
		r, err := o.in.Next()
		if r == nil || err != nil {
			return nil, err
		}
		if o.keys == nil {
			o.buf = rowKey(o.buf[:0], r)
		} else {
			o.buf = o.buf[:0]
			for _, k := range o.keys {
				v, err := k(r)
				if err != nil {
					return nil, err
				}
				o.buf = v.HashKey(o.buf)
			}
		}
		if !o.seen[string(o.buf)] {
			o.seen[string(o.buf)] = true
			return r, nil
		}
	}
}

// setOp computes UNION / INTERSECT / EXCEPT with or without ALL by counting
// the right side's rows per key.
type setOp struct {
	kind        string
	all         bool
	left, right Operator
	rowsOp      // the computed result, handed out by Next
}

func (o *setOp) Init() error {
	counts := map[string]int{}
	var buf []byte
	if o.kind == "union" {
		seen := map[string]bool{}
		for _, op := range []Operator{o.left, o.right} {
			err := Drain(op, func(r []types.Value) error {
				if !o.all {
					buf = rowKey(buf[:0], r)
					if seen[string(buf)] {
						return nil
					}
					seen[string(buf)] = true
				}
				o.rows = append(o.rows, r)
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	}
	err := Drain(o.right, func(r []types.Value) error {
		buf = rowKey(buf[:0], r)
		counts[string(buf)]++
		return nil
	})
	if err != nil {
		return err
	}
	emitted := map[string]bool{}
	return Drain(o.left, func(r []types.Value) error {
		buf = rowKey(buf[:0], r)
		k := string(buf)
		n := counts[k]
		keep := false
		if o.kind == "intersect" {
			keep = n > 0
			if o.all && keep {
				counts[k]--
			}
		} else { // except
			keep = n == 0
			if o.all && n > 0 {
				counts[k]--
			}
		}
		if keep && !o.all {
			if emitted[k] {
				return nil
			}
			emitted[k] = true
		}
		if keep {
			o.rows = append(o.rows, r)
		}
		return nil
	})
}

func (o *setOp) Close() {}

// rowsOp hands out rows computed before: a WITH query's result, or the output
// a materializing operator (sort, aggregate, window, set operation) built.
type rowsOp struct {
	rows [][]types.Value
	pos  int
	// owned: the rows were made for this operator alone (VALUES), so
	// whoever reads them may keep or change them without a copy.
	owned bool
}

func (o *rowsOp) Init() error { return nil }
func (o *rowsOp) Close()      {}
func (o *rowsOp) Next() ([]types.Value, error) {
	if o.pos >= len(o.rows) {
		return nil, nil
	}
	o.pos++
	return o.rows[o.pos-1], nil
}
