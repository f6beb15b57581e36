package exec

import (
	"rustydb/plan"
	"rustydb/row"
	"rustydb/sqlerr"
	"rustydb/types"
)

// upserter inserts rows for INSERT ... ON CONFLICT: a row whose arbiter key
// a live row already holds is skipped (DO NOTHING) or turns into an update
// of that row (DO UPDATE), as PostgreSQL does.
type upserter struct {
	c     *Context
	p     *plan.Insert
	h     *row.Heap
	keys  [][]int
	set   []evalFn
	where evalFn
}

func (c *Context) newUpserter(p *plan.Insert, h *row.Heap) (*upserter, error) {
	u := &upserter{c: c, p: p, h: h, keys: p.Table.Keys()}
	if k := p.OnConflict.Key; k >= 0 {
		u.keys = u.keys[k : k+1]
	}
	var err error
	if u.set, err = c.compileAll(p.OnConflict.Set); err != nil {
		return nil, err
	}
	if w := p.OnConflict.Where; w != nil {
		if u.where, err = c.compile(w); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// insert writes vals, or what the conflict action makes of it, and returns
// the row written (nil when nothing was).
func (u *upserter) insert(vals []types.Value) ([]types.Value, error) {
	c := u.c
	for attempt := 0; ; attempt++ {
		existing, old, err := u.conflicting(vals)
		if err != nil {
			return nil, err
		}
		if existing == nil {
			err := c.Tx.Insert(c.Ctx, u.h, vals)
			if sqlerr.Code(err) == sqlerr.UniqueViolation && attempt < 3 {
				continue // a concurrent insert took the key first: look again
			}
			if err != nil {
				return nil, err
			}
			return vals, nil
		}
		if u.p.OnConflict.DoNothing {
			return nil, nil
		}
		if c.Tx.WroteInCommand(existing) {
			return nil, sqlerr.New(sqlerr.CardinalityViolation, "ON CONFLICT DO UPDATE command cannot affect row a second time").
				WithHint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values.")
		}
		both := append(append([]types.Value(nil), old...), vals...) // the row, then EXCLUDED
		if u.where != nil {
			ok, err := u.where(both)
			if err != nil || ok.IsNull() || !ok.Bool() {
				return nil, err
			}
		}
		updated := append([]types.Value(nil), old...)
		for i, f := range u.set {
			if updated[u.p.OnConflict.SetCols[i]], err = f(both); err != nil {
				return nil, err
			}
		}
		ok, err := c.updateRow(u.p.Table, u.h, existing, old, updated)
		if sqlerr.Code(err) == sqlerr.SerializationFailure && !c.RepeatableRead && attempt < 3 {
			continue // updated concurrently: look again
		}
		if err != nil || !ok {
			return nil, err
		}
		return updated, nil
	}
}

// conflicting returns the live row that holds one of vals's arbiter keys,
// with its values, or nil.
func (u *upserter) conflicting(vals []types.Value) (*row.Version, []types.Value, error) {
	for _, cols := range u.keys {
		key, ok := row.KeyOf(vals, cols)
		if !ok {
			continue
		}
		live, err := u.c.Tx.LiveWithKey(u.c.Ctx, u.h, cols, key)
		if err != nil {
			return nil, nil, err
		}
		if len(live) > 0 {
			old, err := u.h.Values(live[0])
			return live[0], old, err
		}
	}
	return nil, nil, nil
}
