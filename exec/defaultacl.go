package exec

import (
	"rustydb/types"
)

// oidDefaultACLBase numbers pg_default_acl's rows: + role id * 64 + entry.
const oidDefaultACLBase = 1 << 29

// defaultACLRows are the rows of pg_default_acl: each role's default
// privileges (ALTER DEFAULT PRIVILEGES), namespace 0 for every schema.
func (c *Context) defaultACLRows() [][]types.Value {
	var rows [][]types.Value
	for _, r := range c.Store.Catalog().Roles() {
		for k, d := range r.DefaultACLs {
			ns := int64(0)
			if d.Schema != "" {
				ns = c.namespaceOID(d.Schema)
			}
			rows = append(rows, []types.Value{types.NewInt(oidDefaultACLBase + int64(r.ID)*64 + int64(k)),
				types.NewInt(c.roleOID(r.Name)), types.NewInt(ns), types.NewText(d.Type), aclItems(d.ACL)})
		}
	}
	return rows
}
