package exec

import (
	"rustydb/catalog"
	"rustydb/plan"
	"rustydb/row"
	"rustydb/sqlerr"
	"rustydb/types"
	"time"
)

// ReturnFn receives the RETURNING rows of a DML statement.
type ReturnFn func([]types.Value) error

// checkRow converts values to their columns' types, but for those
// converted says already are, and enforces NOT NULL.
func checkRow(t *catalog.Table, vals []types.Value, converted []bool) error {
	for i := range t.Columns {
		c := &t.Columns[i] // not a copy: a column is a hundred bytes
		if (converted == nil || !converted[i]) && !types.Fits(vals[i], c.Type) {
			v, err := types.Assign(vals[i], c.Type)
			if err != nil {
				return err
			}
			vals[i] = v // only here: a load's rows are mostly converted, and storing costs a write barrier
		}
		if vals[i].IsNull() && c.NotNull {
			return notNullError(t, i, vals)
		}
	}
	return nil
}

// notNullError is the error of a row, vals, with a NULL in column col,
// which is NOT NULL.
func notNullError(t *catalog.Table, col int, vals []types.Value) error {
	return sqlerr.New(sqlerr.NotNullViolation, "null value in column %q of relation %q violates not-null constraint", t.Columns[col].Name, t.Name).
		WithDetail("Failing row contains (%s).", formatRow(vals))
}

func formatRow(vals []types.Value) string {
	var b []byte
	for i, v := range vals {
		if i > 0 {
			b = append(b, ", "...)
		}
		if v.IsNull() {
			b = append(b, "null"...)
		} else {
			b = types.AppendText(b, v, types.TUnknown)
		}
	}
	return string(b)
}

func (c *Context) returning(exprs []plan.Expr, ret ReturnFn) (func([]types.Value) error, error) {
	if len(exprs) == 0 || ret == nil {
		return func([]types.Value) error { return nil }, nil
	}
	fns, err := c.compileAll(exprs)
	if err != nil {
		return nil, err
	}
	return func(r []types.Value) error {
		out := make([]types.Value, len(fns))
		for i, f := range fns {
			if out[i], err = f(r); err != nil {
				return err
			}
		}
		return ret(out)
	}, nil
}

// Insert runs an INSERT and returns the number of rows inserted.
func (c *Context) Insert(p *plan.Insert, ret ReturnFn) (int64, error) {
	h := c.Store.Heap(p.Table)
	if h == nil {
		return 0, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", p.Table.Name)
	}
	emit, err := c.returning(p.Returning, ret)
	if err != nil {
		return 0, err
	}
	var upsert *upserter
	if p.OnConflict != nil {
		if upsert, err = c.newUpserter(p, h); err != nil {
			return 0, err
		}
	}
	var n int64
	// insert stores one row, which it may change in place (casts, defaults).
	insert := func(vals []types.Value) error {
		if err := c.validate(p.Table, vals, nil); err != nil {
			return err
		}
		if upsert != nil {
			written, err := upsert.insert(vals)
			if written != nil && err == nil {
				n++
				err = emit(written)
			}
			return err
		}
		if err := c.Tx.Insert(c.Ctx, h, vals); err != nil {
			return err
		}
		n++
		return emit(vals)
	}
	// A VALUES list of constants and parameters (a prepared INSERT's) is
	// evaluated a row at a time into one buffer, which the row's insert
	// does not keep, without an operator.
	if values, ok := p.Source.(*plan.Values); ok && upsert == nil && c.Analysis == nil && literalRows(values.Rows) {
		buf := []types.Value(nil)
		if c.Memo != nil {
			buf = c.Memo.row
		}
		for _, r := range values.Rows {
			if buf, err = c.constantRow(buf[:0], r); err != nil {
				return n, err
			}
			if err := insert(buf); err != nil {
				return n, err
			}
		}
		if c.Memo != nil {
			c.Memo.row = buf
		}
		return n, nil
	}
	src, err := c.Build(p.Source)
	if err != nil {
		return 0, err
	}
	// insert changes the row in place: a copy, unless the row is the
	// INSERT's own
	values, owned := src.(*rowsOp)
	owned = owned && values.owned
	err = Drain(src, func(r []types.Value) error {
		if !owned {
			r = append([]types.Value(nil), r...)
		}
		return insert(r)
	})
	return n, err
}

// target is a row an UPDATE or DELETE changes: a version and its values.
type target struct {
	v    *row.Version
	vals []types.Value
}

// matching returns the versions of h visible to the statement that satisfy
// cond (nil: all), read through the index range when there is one.
func (c *Context) matching(t *catalog.Table, h *row.Heap, cond evalFn, lookup *plan.IndexRange) ([]target, error) {
	candidates, err := c.candidates(t, h, lookup, nil)
	if err != nil {
		return nil, err
	}
	r := h.Reader()
	defer r.Close()
	var out []target
	for _, v := range candidates {
		if err := c.canceled(); err != nil {
			return nil, err
		}
		if !v.VisibleTo(&c.Snap) {
			continue
		}
		vals, err := r.Values(v)
		if err != nil {
			return nil, err
		}
		if cond != nil {
			ok, err := cond(vals)
			if err != nil {
				return nil, err
			}
			if ok.IsNull() || !ok.Bool() {
				continue
			}
		}
		out = append(out, target{v, vals})
	}
	return out, nil
}

// writeRows applies write, an UPDATE's or DELETE's change, to every row of t
// matching filter and returns how many rows it changed. Under READ
// COMMITTED, a row that a concurrent transaction changed and committed while
// we waited is followed to its newest version, re-checked against filter
// and written there, as PostgreSQL does; REPEATABLE READ reports 40001.
func (c *Context) writeRows(stmt plan.Plan, t *catalog.Table, filter plan.Expr, lookup *plan.IndexRange, write func(h *row.Heap, r target) (bool, error)) (int64, error) {
	h := c.Store.Heap(t)
	if h == nil {
		return 0, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", t.Name)
	}
	var cond evalFn
	if filter != nil {
		var err error
		if cond, err = c.compile(filter); err != nil {
			return 0, err
		}
	}
	start := time.Now()
	targets, err := c.matching(t, h, cond, lookup)
	if err != nil {
		return 0, err
	}
	if c.Analysis != nil {
		st := c.Analysis.Stats(plan.ScanOf{Stmt: stmt})
		st.Loops, st.Rows = 1, int64(len(targets))
		st.First, st.Total = time.Since(start), time.Since(start)
	}
	var n int64
	for _, tg := range targets {
		for tg.v != nil {
			ok, err := write(h, tg)
			if sqlerr.Code(err) == sqlerr.SerializationFailure && !c.RepeatableRead {
				if tg, err = c.recheck(h, tg.v, cond); err != nil {
					return n, err
				}
				continue
			}
			if err != nil {
				return n, err
			}
			if ok {
				n++
			}
			break
		}
	}
	return n, nil
}

// recheck finds the newest version of a row that a concurrent transaction
// changed, returning it if it still satisfies cond, or no version.
func (c *Context) recheck(h *row.Heap, v *row.Version, cond evalFn) (target, error) {
	latest := v.Latest()
	if latest == nil || latest == v {
		return target{v: latest}, nil
	}
	vals, err := h.Values(latest)
	if err != nil || cond == nil {
		return target{latest, vals}, err
	}
	ok, err := cond(vals)
	if err != nil || ok.IsNull() || !ok.Bool() {
		return target{}, err
	}
	return target{latest, vals}, nil
}

// Update runs an UPDATE: each matching row version is ended and a new one
// inserted. It returns the number of rows updated.
func (c *Context) Update(p *plan.Update, ret ReturnFn) (int64, error) {
	set, err := c.compileAll(p.Set)
	if err != nil {
		return 0, err
	}
	emit, err := c.returning(p.Returning, ret)
	if err != nil {
		return 0, err
	}
	return c.writeRows(p, p.Table, p.Filter, p.Lookup, func(h *row.Heap, r target) (bool, error) {
		vals := append([]types.Value(nil), r.vals...)
		for i, f := range set {
			if vals[p.SetCols[i]], err = f(r.vals); err != nil {
				return false, err
			}
		}
		ok, err := c.updateRow(p.Table, h, r.v, r.vals, vals)
		if ok && err == nil {
			err = emit(vals)
		}
		return ok, err
	})
}

// Truncate deletes every row of t visible to the statement. Unlike a
// DELETE it runs no foreign key actions: TRUNCATE empties the referencing
// tables along with t.
func (c *Context) Truncate(t *catalog.Table) error {
	_, err := c.writeRows(nil, t, nil, nil, func(h *row.Heap, r target) (bool, error) {
		return c.Tx.Delete(c.Ctx, h, r.v)
	})
	return err
}

// Delete runs a DELETE and returns the number of rows deleted.
func (c *Context) Delete(p *plan.Delete, ret ReturnFn) (int64, error) {
	emit, err := c.returning(p.Returning, ret)
	if err != nil {
		return 0, err
	}
	return c.writeRows(p, p.Table, p.Filter, p.Lookup, func(h *row.Heap, r target) (bool, error) {
		ok, err := c.deleteRow(p.Table, h, r.v, r.vals)
		if ok && err == nil {
			err = emit(r.vals)
		}
		return ok, err
	})
}
