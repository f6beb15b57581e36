package exec

import (
	"strings"

	"rustydb/catalog"
	"rustydb/plan"
	"rustydb/row"
	"rustydb/sqlerr"
	"rustydb/types"
)

// validate checks a row about to be written to t: column types and NOT
// NULL (checkRow), CHECK constraints, and that its foreign keys name
// existing rows. old is the row's previous values for an UPDATE, whose
// unchanged foreign keys are not checked again; nil for an INSERT.
func (c *Context) validate(t *catalog.Table, vals, old []types.Value) error {
	return c.validateConverted(t, vals, old, nil)
}

// validateConverted is validate for a row whose values converted marks
// are already of their columns' types (a load converts them on workers).
func (c *Context) validateConverted(t *catalog.Table, vals, old []types.Value, converted []bool) error {
	if err := checkRow(t, vals, converted); err != nil {
		return err
	}
	if len(t.Checks) > 0 {
		checks, err := c.checkConstraints(t)
		if err != nil {
			return err
		}
		for i, f := range checks {
			ok, err := f(vals)
			if err != nil {
				return err
			}
			if !ok.IsNull() && !ok.Bool() {
				return sqlerr.New(sqlerr.CheckViolation, "new row for relation %q violates check constraint %q", t.Name, t.Checks[i].Name).
					WithDetail("Failing row contains (%s).", formatRow(vals))
			}
		}
	}
	for _, fk := range t.ForeignKeys {
		key, ok := row.KeyOf(vals, fk.Columns)
		if !ok || old != nil && sameKey(old, fk.Columns, key) {
			continue
		}
		ref := c.Store.Catalog().ByID(fk.RefTable)
		if ref == nil {
			continue // dropped with CASCADE by this transaction
		}
		h := c.Store.Heap(ref)
		if h == nil {
			continue
		}
		if err := castKey(key, ref, fk.RefColumns); err != nil {
			return err
		}
		live, err := c.Tx.LiveWithKey(c.Ctx, h, fk.RefColumns, key)
		if err != nil {
			return err
		}
		if len(live) == 0 {
			return sqlerr.New(sqlerr.ForeignKeyViolation, "insert or update on table %q violates foreign key constraint %q", t.Name, fk.Name).
				WithDetail("Key (%s)=(%s) is not present in table %q.", columnNames(t, fk.Columns), formatRow(key), ref.Name)
		}
	}
	return nil
}

// checkConstraints compiles t's CHECK constraints, once per statement.
func (c *Context) checkConstraints(t *catalog.Table) ([]evalFn, error) {
	if fns, ok := c.checkFns[t]; ok {
		return fns, nil
	}
	b := &plan.Binder{Catalog: c.Store.Catalog(), Loc: c.Loc, SearchPath: c.SearchPath}
	var fns []evalFn
	for _, ck := range t.Checks {
		e, err := b.CheckExpr(t, ck.Expr)
		if err != nil {
			return nil, err
		}
		f, err := c.compile(e)
		if err != nil {
			return nil, err
		}
		fns = append(fns, f)
	}
	if c.checkFns == nil {
		c.checkFns = map[*catalog.Table][]evalFn{}
	}
	c.checkFns[t] = fns
	return fns, nil
}

// referencedBy enforces the foreign keys that refer to t when its row old is
// deleted (new nil) or updated to new: with rows still referring to old's
// key, NO ACTION and RESTRICT refuse, CASCADE deletes them or moves them to
// the new key, SET NULL and SET DEFAULT change their key columns.
//
// The actions run before the refusals are checked, so that a row one key
// cascades away does not make another key's NO ACTION fail.
func (c *Context) referencedBy(t *catalog.Table, old, new []types.Value) error {
	for _, refusals := range []bool{false, true} {
		if err := c.applyReferences(t, old, new, refusals); err != nil {
			return err
		}
	}
	return nil
}

// applyReferences does referencedBy's work for the foreign keys whose action
// refuses (refusals) or for the others.
func (c *Context) applyReferences(t *catalog.Table, old, new []types.Value, refusals bool) error {
	for _, child := range c.Store.Catalog().Referencing(t.ID) {
		ch := c.Store.Heap(child)
		if ch == nil {
			continue
		}
		for _, fk := range child.ForeignKeys {
			action := fk.OnDelete
			if new != nil {
				action = fk.OnUpdate
			}
			refuses := action == "no action" || action == "restrict"
			if fk.RefTable != t.ID || refuses != refusals {
				continue
			}
			key, ok := row.KeyOf(old, fk.RefColumns)
			if !ok || new != nil && sameKey(new, fk.RefColumns, key) {
				continue
			}
			if err := castKey(key, child, fk.Columns); err != nil {
				return err
			}
			live, err := c.Tx.LiveWithKey(c.Ctx, ch, fk.Columns, key)
			if err != nil || len(live) == 0 {
				return err
			}
			if refuses {
				return sqlerr.New(sqlerr.ForeignKeyViolation, "update or delete on table %q violates foreign key constraint %q on table %q", t.Name, fk.Name, child.Name).
					WithDetail("Key (%s)=(%s) is still referenced from table %q.", columnNames(t, fk.RefColumns), formatRow(key), child.Name)
			}
			for _, v := range live {
				vals, err := ch.Values(v)
				if err != nil {
					return err
				}
				if action == "cascade" && new == nil {
					if _, err := c.deleteRow(child, ch, v, vals); err != nil {
						return err
					}
					continue
				}
				changed := append([]types.Value(nil), vals...)
				for i, col := range fk.Columns {
					switch action {
					case "cascade":
						changed[col] = new[fk.RefColumns[i]]
					case "set null":
						changed[col] = types.Null
					case "set default":
						d, err := c.ColumnDefault(child.Columns[col])
						if err != nil {
							return err
						}
						changed[col] = d
					}
				}
				if _, err := c.updateRow(child, ch, v, vals, changed); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// deleteRow deletes version v (with values vals) of t and applies the
// foreign keys that refer to it. It reports false when this statement
// already deleted v.
func (c *Context) deleteRow(t *catalog.Table, h *row.Heap, v *row.Version, vals []types.Value) (bool, error) {
	ok, err := c.Tx.Delete(c.Ctx, h, v)
	if !ok || err != nil {
		return ok, err
	}
	return true, c.referencedBy(t, vals, nil)
}

// updateRow replaces version v of t (with values old) by a row with values
// new, checking the new row and the foreign keys on both sides. It reports
// false when this statement already changed v.
func (c *Context) updateRow(t *catalog.Table, h *row.Heap, v *row.Version, old, new []types.Value) (bool, error) {
	if err := c.validate(t, new, old); err != nil {
		return false, err
	}
	ok, err := c.Tx.Update(c.Ctx, h, v, new)
	if !ok || err != nil {
		return ok, err
	}
	return true, c.referencedBy(t, old, new)
}

// ColumnDefault evaluates a column's DEFAULT for a row being written.
func (c *Context) ColumnDefault(col catalog.Column) (types.Value, error) {
	e, err := (&plan.Binder{Catalog: c.Store.Catalog(), Loc: c.Loc, SearchPath: c.SearchPath}).DefaultExpr(col)
	if err != nil {
		return types.Null, err
	}
	f, err := c.compile(e)
	if err != nil {
		return types.Null, err
	}
	return f(nil)
}

func sameKey(vals []types.Value, cols []int, key []types.Value) bool {
	for i, c := range cols {
		if vals[c].IsNull() || types.Compare(vals[c], key[i]) != 0 {
			return false
		}
	}
	return true
}

// castKey converts key to the types of t's cols, as the index there holds them.
func castKey(key []types.Value, t *catalog.Table, cols []int) error {
	for i, c := range cols {
		v, err := types.Cast(key[i], t.Columns[c].Type)
		if err != nil {
			return err
		}
		key[i] = v
	}
	return nil
}

func columnNames(t *catalog.Table, cols []int) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = t.Columns[c].Name
	}
	return strings.Join(names, ", ")
}

// RewriteRows replaces every row of t visible to the statement by
// change(row), checked against t's definition: ALTER TABLE ADD and DROP
// COLUMN rewrite the table this way, in the altering transaction. With a
// nil change it only checks the rows, as adding a constraint does.
func (c *Context) RewriteRows(t *catalog.Table, change func([]types.Value) ([]types.Value, error)) error {
	h := c.Store.Heap(t)
	if h == nil {
		return sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", t.Name)
	}
	rows, err := c.matching(t, h, nil, nil)
	if err != nil {
		return err
	}
	for _, r := range rows {
		vals := append([]types.Value(nil), r.vals...)
		if change != nil {
			if vals, err = change(r.vals); err != nil {
				return err
			}
		}
		if err := c.validate(t, vals, nil); err != nil {
			return err
		}
		if change != nil {
			if _, err := c.Tx.Update(c.Ctx, h, r.v, vals); err != nil {
				return err
			}
		}
	}
	return nil
}
