package plan

import "rustydb/catalog"

// Privileges are checked where a statement names a relation: SELECT for
// each table or view it reads, INSERT, UPDATE or DELETE on the table it
// changes (and SELECT too where it reads that table's rows: a WHERE or
// RETURNING clause). As in PostgreSQL, the tables a view reads are
// checked against the view's owner, not the reader, so that a view can
// give access to part of a table.

// viewBinder returns the binder of view t's query, which checks the
// privileges of the view's owner.
func (b *Binder) viewBinder(t *catalog.Table, path []string) *Binder {
	inner := b.inner(t.View, path)
	inner.Privilege, inner.Role = b.Privilege, t.Owner
	inner.ColumnPrivileges, inner.colUse = b.ColumnPrivileges, b.colUse
	return inner
}
