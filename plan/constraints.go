package plan

import (
	"fmt"
	"slices"
	"strings"

	"rustydb/catalog"
	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

// bindConstraints adds the CHECK and FOREIGN KEY constraints of CREATE TABLE
// s, column and table level, to t (whose columns and keys are set).
func (b *Binder) bindConstraints(t *catalog.Table, s *sql.CreateTableStmt) error {
	for _, c := range s.Columns {
		for _, ck := range c.Checks {
			if err := b.AddCheck(t, ck, c.Name); err != nil {
				return err
			}
		}
		if fk := c.References; fk != nil {
			def := *fk
			def.Columns = []string{c.Name}
			if err := b.AddForeignKey(t, def); err != nil {
				return err
			}
		}
	}
	for _, ck := range s.Checks {
		if err := b.AddCheck(t, ck, ""); err != nil {
			return err
		}
	}
	for _, fk := range s.ForeignKeys {
		if err := b.AddForeignKey(t, fk); err != nil {
			return err
		}
	}
	return nil
}

// AddCheck validates CHECK constraint c and adds it to t, named as
// PostgreSQL would (t_col_check for a column's, t_check for a table's)
// unless it has a name.
func (b *Binder) AddCheck(t *catalog.Table, c sql.CheckDef, column string) error {
	if _, err := b.CheckExpr(t, c.Text); err != nil {
		return err
	}
	name := c.Name
	if name == "" {
		base := t.Name + "_check"
		if column != "" {
			base = t.Name + "_" + column + "_check"
		}
		name = freeConstraintName(t, base)
	} else if slices.Contains(t.ConstraintNames(), name) {
		return sqlerr.New(sqlerr.DuplicateObject, "constraint %q for relation %q already exists", name, t.Name)
	}
	t.Checks = append(t.Checks, catalog.Check{Name: name, Expr: c.Text})
	return nil
}

// freeConstraintName returns base, or base with the first number that makes
// it unused among t's constraints.
func freeConstraintName(t *catalog.Table, base string) string {
	names := t.ConstraintNames()
	name := base
	for n := 1; slices.Contains(names, name); n++ {
		name = fmt.Sprintf("%s%d", base, n)
	}
	return name
}

// CheckExpr binds the expression of a CHECK constraint of t over t's row.
func (b *Binder) CheckExpr(t *catalog.Table, text string) (Expr, error) {
	src := "SELECT " + text
	stmts, err := sql.Parse(src)
	if err != nil {
		return nil, err
	}
	inner := b.inner(src, b.SearchPath)
	e, err := inner.bindExpr(tableScope(t, ""), nil, stmts[0].(*sql.SelectStmt).Targets[0].Expr)
	if err != nil {
		return nil, err
	}
	if hasSubquery(e) {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "cannot use subquery in check constraint")
	}
	return inner.coerce(e, types.TBool, 0, "CHECK")
}

// AddForeignKey resolves foreign key fk of t and adds it. A key that refers
// to t itself gets RefTable 0 until t has its id (see catalog.Add).
func (b *Binder) AddForeignKey(t *catalog.Table, fk sql.ForeignKeyDef) error {
	ref := t
	if fk.RefTable.Name != t.Name || fk.RefTable.Schema != "" && fk.RefTable.Schema != t.Schema {
		var err error
		if ref, err = b.relation(fk.RefTable); err != nil {
			if sqlerr.Code(err) != sqlerr.UndefinedTable {
				return err
			}
			ref = nil
		}
		if ref == nil || ref.IsView() || ref.IsSequence() {
			return b.errAt(fk.Pos, sqlerr.UndefinedTable, "relation %q does not exist", fk.RefTable.String())
		}
	}
	columns := func(tbl *catalog.Table, names []string) ([]int, error) {
		var cols []int
		for _, n := range names {
			i := tbl.ColumnIndex(n)
			if i < 0 {
				return nil, sqlerr.New(sqlerr.UndefinedColumn, "column %q referenced in foreign key constraint does not exist", n)
			}
			cols = append(cols, i)
		}
		return cols, nil
	}
	cols, err := columns(t, fk.Columns)
	if err != nil {
		return err
	}
	var refCols []int
	if len(fk.RefColumns) == 0 {
		if len(ref.PrimaryKey) == 0 {
			return sqlerr.New(sqlerr.InvalidForeignKey, "there is no primary key for referenced table %q", ref.Name)
		}
		refCols = ref.PrimaryKey
	} else if refCols, err = columns(ref, fk.RefColumns); err != nil {
		return err
	}
	if len(cols) != len(refCols) {
		return sqlerr.New(sqlerr.InvalidForeignKey, "number of referencing and referenced columns for foreign key disagree")
	}
	if !slices.ContainsFunc(ref.Keys(), func(k []int) bool { return slices.Equal(k, refCols) }) {
		return sqlerr.New(sqlerr.InvalidForeignKey, "there is no unique constraint matching given keys for referenced table %q", ref.Name)
	}
	var names []string
	for i, c := range cols {
		ct, rt := t.Columns[c].Type, ref.Columns[refCols[i]].Type
		if ct.ID != rt.ID && !(ct.IsNumeric() && rt.IsNumeric()) && !(ct.IsString() && rt.IsString()) {
			return sqlerr.New(sqlerr.DatatypeMismatch, "foreign key constraint cannot be implemented").
				WithDetail("Key columns %q and %q are of incompatible types: %s and %s.", t.Columns[c].Name, ref.Columns[refCols[i]].Name, ct, rt)
		}
		names = append(names, t.Columns[c].Name)
		if (fk.OnDelete == "set null" || fk.OnUpdate == "set null") && t.Columns[c].NotNull {
			return sqlerr.New(sqlerr.InvalidForeignKey, "column %q of a foreign key with SET NULL cannot be NOT NULL", t.Columns[c].Name)
		}
	}
	name := fk.Name
	if name == "" {
		name = freeConstraintName(t, t.Name+"_"+strings.Join(names, "_")+"_fkey")
	} else if slices.Contains(t.ConstraintNames(), name) {
		return sqlerr.New(sqlerr.DuplicateObject, "constraint %q for relation %q already exists", name, t.Name)
	}
	refID := ref.ID
	if ref == t {
		refID = t.ID // 0 for a table being created
	}
	t.ForeignKeys = append(t.ForeignKeys, catalog.ForeignKey{Name: name, Columns: cols, RefTable: refID,
		RefColumns: slices.Clone(refCols), OnDelete: fk.OnDelete, OnUpdate: fk.OnUpdate})
	return nil
}

// UnlinkForeignKeys finds the foreign keys of other tables that refer to the
// tables d drops: without cascade they make the drop fail, with it they are
// removed from those tables (d.Unlinked).
func (b *Binder) UnlinkForeignKeys(d *DropTable, cascade bool) error {
	dropped, unlinked := map[uint32]bool{}, map[uint32]bool{}
	for _, t := range d.Tables {
		dropped[t.ID] = true
	}
	for _, t := range d.Tables {
		for _, child := range b.Catalog.Referencing(t.ID) {
			if dropped[child.ID] || unlinked[child.ID] {
				continue
			}
			var kept []catalog.ForeignKey
			for _, fk := range child.ForeignKeys {
				if !dropped[fk.RefTable] {
					kept = append(kept, fk)
				} else if !cascade {
					return sqlerr.New(sqlerr.DependentObjectsStillExist, "cannot drop table %s because other objects depend on it", t.Name).
						WithDetail("constraint %s on table %s depends on table %s", fk.Name, child.Name, t.Name).
						WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
				}
			}
			def := *child
			def.ForeignKeys = kept
			d.Unlinked = append(d.Unlinked, &def)
			unlinked[child.ID] = true
		}
	}
	return nil
}
