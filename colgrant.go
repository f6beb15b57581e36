package rustydb

import (
	"slices"
	"strings"

	"rustydb/catalog"
	"rustydb/sql"
	"rustydb/sqlerr"
)

// Column privileges: GRANT SELECT (a, b), UPDATE (c) ON t TO r and their
// REVOKE, kept in each column's ACL (catalog/colacl.go), of tables and
// views alike. The binder lets a
// statement read or write a table the role lacks the table privilege on
// when it holds the privilege on every column the statement uses
// (plan/colprivileges.go). A REVOKE on the whole table takes the column
// grants of the same privileges too (grant.go).

// checkGrantees checks that the roles GRANT or REVOKE names exist.
func (s *Session) checkGrantees(st *sql.GrantStmt) error {
	cat := s.db.store.Catalog()
	for _, g := range st.Grantees {
		if g != "" && cat.Role(g) == nil {
			return sqlerr.New(sqlerr.UndefinedObject, "role %q does not exist", g)
		}
	}
	return nil
}

// grantColumns runs a GRANT or REVOKE of privileges on columns of tables.
// Unlike PostgreSQL, every privilege of the statement must name columns,
// and a role without the grant option gets an error rather than a warning.
func (s *Session) grantColumns(st *sql.GrantStmt, w ResultWriter) error {
	if st.On != "table" {
		return sqlerr.New(invalidGrantOperation, "column privileges are only valid for relations")
	}
	var want catalog.Priv
	for i, name := range st.Privs {
		if st.Columns[i] == nil {
			return sqlerr.New(sqlerr.FeatureNotSupported, "%s on the table and privileges on its columns in one statement are not supported", strings.ToUpper(name)).
				WithHint("Use one statement for the table's privileges and one for its columns'.")
		}
		p, ok := catalog.PrivByName(name)
		if !ok || p&catalog.ColumnPrivs == 0 {
			return sqlerr.New(invalidGrantOperation, "invalid privilege type %s for column", strings.ToUpper(name))
		}
		want |= p
	}
	objects, err := s.grantObjects(st)
	if err != nil {
		return err
	}
	if err := s.checkGrantees(st); err != nil {
		return err
	}
	for _, t := range objects {
		if t.IsSequence() {
			return sqlerr.New(invalidGrantOperation, "column privileges are only valid for relations")
		}
		grantor, grantable := s.grantor(t, want)
		if want&grantable != want {
			return permissionDenied(t)
		}
		def := *t
		def.Columns = slices.Clone(t.Columns)
		for i, name := range st.Privs {
			p, _ := catalog.PrivByName(name)
			for _, col := range st.Columns[i] {
				c := slices.IndexFunc(def.Columns, func(c catalog.Column) bool { return c.Name == col })
				if c < 0 {
					return sqlerr.New(sqlerr.UndefinedColumn, "column %q of relation %q does not exist", col, t.Name)
				}
				acl := catalog.Apply(def.Columns[c].ACL, st.Grantees, grantor, p, st.Revoke, st.GrantOption)
				def.Columns[c].ACL = catalog.ColumnACL(acl)
			}
		}
		if err := s.tx.AlterTable(t, &def); err != nil {
			return err
		}
	}
	if st.Revoke {
		return w.Complete("REVOKE")
	}
	return w.Complete("GRANT")
}

// columnPrivilegeHook returns the binder's lookup of the column privileges
// of a role on a table whose table privilege it lacks: none when it may
// not use the table's schema, and no lookup for embedded sessions.
func (s *Session) columnPrivilegeHook() func(string, *catalog.Table) []catalog.Priv {
	if !s.checked() {
		return nil
	}
	return func(role string, t *catalog.Table) []catalog.Priv {
		if s.schemaDenied(role, t) != nil {
			return nil
		}
		return s.db.store.Catalog().ColumnPrivileges(role, t)
	}
}
