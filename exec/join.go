package exec

import (
	"rustydb/plan"
	"rustydb/types"
)

// joinOp is a hash join when the plan has equality keys and a nested loop
// otherwise. The right input is materialized; for right and full joins,
// right rows never matched are emitted at the end with NULLs on the left.
type joinOp struct {
	c                   *Context
	kind                string
	left, right         Operator
	leftKeys, rightKeys []evalFn
	byValue             []bool // key i mixes number types: hash by numeric value
	on                  evalFn
	nLeft, nRight       int

	rightRows [][]types.Value
	table     map[string][]int // key -> indexes into rightRows
	matched   []bool

	cur        []types.Value // current left row
	candidates []int
	pos        int
	curMatched bool
	tail       int // position in rightRows when emitting unmatched right rows
	leftDone   bool
	buf        []byte
}

func (c *Context) buildJoin(n *plan.Join) (Operator, error) {
	l, err := c.Build(n.Left)
	if err != nil {
		return nil, err
	}
	if n.Lateral {
		j := &lateralOp{c: c, left: l, right: n.Right, kind: n.Kind, nLeft: len(n.Left.Columns()), nRight: len(n.Right.Columns())}
		if n.On != nil {
			if j.on, err = c.compile(n.On); err != nil {
				return nil, err
			}
		}
		return j, nil
	}
	r, err := c.Build(n.Right)
	if err != nil {
		return nil, err
	}
	j := &joinOp{c: c, kind: n.Kind, left: l, right: r, nLeft: len(n.Left.Columns()), nRight: len(n.Right.Columns())}
	if j.leftKeys, err = c.compileAll(n.LeftKeys); err != nil {
		return nil, err
	}
	if j.rightKeys, err = c.compileAll(n.RightKeys); err != nil {
		return nil, err
	}
	for i := range n.LeftKeys {
		lt, rt := n.LeftKeys[i].Type(), n.RightKeys[i].Type()
		j.byValue = append(j.byValue, lt.ID != rt.ID && lt.IsNumeric() && rt.IsNumeric())
	}
	if n.On != nil {
		if j.on, err = c.compile(n.On); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// key evaluates join keys; ok is false when a key is NULL (never matches).
func (j *joinOp) key(fns []evalFn, r []types.Value) (string, bool, error) {
	j.buf = j.buf[:0]
	for i, f := range fns {
		v, err := f(r)
		if err != nil {
			return "", false, err
		}
		if v.IsNull() {
			return "", false, nil
		}
		if j.byValue[i] { // 1 (integer) must meet 1.0 (numeric)
			v = types.NewDecimal(v.ToDecimal())
		}
		j.buf = v.HashKey(j.buf)
	}
	return string(j.buf), true, nil
}

func (j *joinOp) Init() error {
	if err := j.left.Init(); err != nil {
		return err
	}
	err := Drain(j.right, func(r []types.Value) error {
		j.rightRows = append(j.rightRows, r)
		return nil
	})
	if err != nil {
		return err
	}
	j.matched = make([]bool, len(j.rightRows))
	if len(j.rightKeys) > 0 {
		j.table = make(map[string][]int, len(j.rightRows))
		for i, r := range j.rightRows {
			k, ok, err := j.key(j.rightKeys, r)
			if err != nil {
				return err
			}
			if ok {
				j.table[k] = append(j.table[k], i)
			}
		}
	}
	return nil
}

func (j *joinOp) Close() { j.left.Close() }

// semi reports whether the join only filters its left input (semi or anti).
func (j *joinOp) semi() bool { return j.kind == "semi" || j.kind == "anti" }

func (j *joinOp) combine(l, r []types.Value) []types.Value {
	out := make([]types.Value, j.nLeft+j.nRight)
	copy(out, l)
	copy(out[j.nLeft:], r)
	return out
}

func (j *joinOp) Next() ([]types.Value, error) {
	for !j.leftDone {
		if j.cur == nil {
			l, err := j.left.Next()
			if err != nil {
				return nil, err
			}
			if l == nil {
				j.leftDone = true
				break
			}
			j.cur, j.pos, j.curMatched = l, 0, false
			if j.table != nil {
				k, ok, err := j.key(j.leftKeys, l)
				if err != nil {
					return nil, err
				}
				j.candidates = nil
				if ok {
					j.candidates = j.table[k]
				}
			}
		}
		n := len(j.rightRows)
		if j.table != nil {
			n = len(j.candidates)
		}
		for j.pos < n {
			i := j.pos
			if j.table != nil {
				i = j.candidates[j.pos]
			}
			j.pos++
			if err := j.c.canceled(); err != nil {
				return nil, err
			}
			out := j.combine(j.cur, j.rightRows[i])
			if j.on != nil {
				v, err := j.on(out)
				if err != nil {
					return nil, err
				}
				if v.IsNull() || !v.Bool() {
					continue
				}
			}
			j.curMatched = true
			j.matched[i] = true
			if j.semi() {
				j.pos = n // one match decides the row
				break
			}
			return out, nil
		}
		cur := j.cur
		j.cur = nil
		switch {
		case j.kind == "semi" && j.curMatched, j.kind == "anti" && !j.curMatched:
			return cur, nil
		case !j.curMatched && (j.kind == "left" || j.kind == "full"):
			return j.combine(cur, nil), nil
		}
	}
	if j.kind == "right" || j.kind == "full" {
		for j.tail < len(j.rightRows) {
			i := j.tail
			j.tail++
			if !j.matched[i] {
				return j.combine(nil, j.rightRows[i]), nil
			}
		}
	}
	return nil, nil
}

// lateralOp runs its right side once per left row, with the left row as the
// outer row its OuterRefs read.
type lateralOp struct {
	c             *Context
	left          Operator
	right         plan.Node
	kind          string // cross, inner or left
	on            evalFn
	nLeft, nRight int
	pending       [][]types.Value
}

func (j *lateralOp) Init() error { return j.left.Init() }
func (j *lateralOp) Close()      { j.left.Close() }

func (j *lateralOp) Next() ([]types.Value, error) {
	for len(j.pending) == 0 {
		l, err := j.left.Next()
		if l == nil || err != nil {
			return nil, err
		}
		j.c.outer = append(j.c.outer, l)
		op, err := j.c.Build(j.right)
		var rights [][]types.Value
		if err == nil {
			err = Drain(op, func(r []types.Value) error { rights = append(rights, r); return nil })
		}
		j.c.outer = j.c.outer[:len(j.c.outer)-1]
		if err != nil {
			return nil, err
		}
		for _, r := range rights {
			out := make([]types.Value, j.nLeft+j.nRight)
			copy(out, l)
			copy(out[j.nLeft:], r)
			if j.on != nil {
				ok, err := j.on(out)
				if err != nil {
					return nil, err
				}
				if ok.IsNull() || !ok.Bool() {
					continue
				}
			}
			j.pending = append(j.pending, out)
		}
		if len(j.pending) == 0 && j.kind == "left" {
			out := make([]types.Value, j.nLeft+j.nRight)
			copy(out, l)
			j.pending = append(j.pending, out)
		}
	}
	row := j.pending[0]
	j.pending = j.pending[1:]
	return row, nil
}
