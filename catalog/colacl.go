package catalog

import "slices"

// Column privileges: GRANT SELECT (a, b), INSERT (a), UPDATE (c),
// REFERENCES (d) ON t. Each column keeps its own ACL (Column.ACL), changed
// and logged with the table's definition like the table's ACL. A role may
// use a column when it holds the privilege on the table or on the column.

// ColumnPrivs are the privileges that can be granted on a column.
const ColumnPrivs = PrivSelect | PrivInsert | PrivUpdate | PrivReferences

// ColumnPrivileges returns, per column of t, the privileges role holds on
// that column alone (superusers hold all).
func (c *Catalog) ColumnPrivileges(role string, t *Table) []Priv {
	out := make([]Priv, len(t.Columns))
	bypass := c.Bypasses(role)
	roles := c.Memberships(role)
	for i, col := range t.Columns {
		if bypass {
			out[i] = ColumnPrivs
			continue
		}
		for _, a := range col.ACL {
			if a.Grantee == "" || slices.Contains(roles, a.Grantee) {
				out[i] |= a.Privs
			}
		}
	}
	return out
}

// RevokedFromColumns returns t's columns with privs (or only their grant
// options) of grantee from grantor revoked: a table-level REVOKE takes the
// column-level grants too, as in PostgreSQL. A column left without grants
// has a nil ACL again.
func RevokedFromColumns(cols []Column, grantee, grantor string, privs Priv, optionOnly bool) []Column {
	out := make([]Column, len(cols))
	for i, col := range cols {
		out[i] = col
		if col.ACL != nil {
			out[i].ACL = ColumnACL(Revoked(col.ACL, grantee, grantor, privs, optionOnly))
		}
	}
	return out
}

// ColumnACL returns acl as a column keeps it: nil when empty.
func ColumnACL(acl []ACLItem) []ACLItem {
	if len(acl) == 0 {
		return nil
	}
	return acl
}
