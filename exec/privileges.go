package exec

import (
	"slices"
	"strconv"
	"strings"

	"rustydb/catalog"
	"rustydb/sqlerr"
	"rustydb/types"
)

// has_table_privilege, has_schema_privilege and has_database_privilege
// answer from the catalog's ACLs, as GRANT and REVOKE left them (see
// catalog/acl.go). Like PostgreSQL's they take an optional role first and
// a comma-separated list of privileges, each optionally WITH GRANT OPTION,
// and are true when the role holds any of them.

// hasPrivilege evaluates has_<kind>_privilege([role,] object, privileges).
func (c *Context) hasPrivilege(kind string, a []types.Value) (types.Value, error) {
	cat := c.Store.Catalog()
	role := c.User
	if c.Privilege == nil && len(a) == 2 {
		role = "" // an embedded session may do anything
	}
	if len(a) == 3 {
		role, a = a[0].S, a[1:]
		if cat.Role(role) == nil && !cat.Bypasses(role) {
			return types.Null, sqlerr.New(sqlerr.UndefinedObject, "role %q does not exist", role)
		}
	}
	var obj *catalog.Table
	var all catalog.Priv
	switch kind {
	case "table":
		t, err := c.privilegeRelation(a[0].S)
		if err != nil {
			return types.Null, err
		}
		obj, all = t, catalog.TablePrivs
	case "schema":
		if obj = cat.Schema(a[0].S); obj == nil && !cat.SchemaExists(a[0].S) {
			return types.Null, sqlerr.New(sqlerr.InvalidSchemaName, "schema %q does not exist", a[0].S)
		}
		all = catalog.SchemaPrivs
	default: // the database: everyone may connect and create temporary tables
		all = catalog.PrivCreate
	}
	for _, item := range strings.Split(a[1].S, ",") {
		name, withGrant := strings.CutSuffix(strings.ToUpper(strings.Join(strings.Fields(item), " ")), " WITH GRANT OPTION")
		p, ok := catalog.PrivByName(name)
		if kind == "database" && (name == "CONNECT" || name == "TEMP" || name == "TEMPORARY") {
			return types.NewBool(true), nil
		}
		if !ok || p&all == 0 {
			return types.Null, sqlerr.New(sqlerr.InvalidParameterValue, "unrecognized privilege type: %q", strings.TrimSpace(item))
		}
		var privs, grant catalog.Priv
		switch {
		case obj != nil:
			privs, grant = cat.Privileges(role, obj)
		case kind == "schema" && a[0].S == catalog.Public:
			privs = catalog.SchemaPrivs // public lets everyone use it and create in it
		case kind == "schema": // pg_catalog and information_schema: readable by all
			privs = catalog.PrivUsage
		}
		if cat.Bypasses(role) {
			privs, grant = all, all
		}
		if withGrant && grant&p != 0 || !withGrant && privs&p != 0 {
			return types.NewBool(true), nil
		}
	}
	return types.NewBool(false), nil
}

// privilegeRelation resolves has_table_privilege's relation: a name, or
// an OID (a regclass argument arrives as its number).
func (c *Context) privilegeRelation(text string) (*catalog.Table, error) {
	if oid, err := strconv.ParseInt(text, 10, 64); err == nil {
		if t, k := c.tableOfOID(oid); t != nil && k < 0 {
			return t, nil
		}
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation with OID %d does not exist", oid)
	}
	return c.relationByText(text)
}

// aclArray is an object's ACL as pg_class.relacl shows it: NULL while it
// has the default privileges, else the aclitem texts.
func aclArray(t *catalog.Table) types.Value { return aclItems(t.ACL) }

// aclItems is an ACL as an aclitem[] column shows it: NULL for nil.
func aclItems(acl []catalog.ACLItem) types.Value {
	if acl == nil {
		return types.Null
	}
	items := make([]types.Value, len(acl))
	for i, a := range acl {
		items[i] = types.NewText(a.String())
	}
	return types.NewArray(types.TText, items)
}

// tablePrivilegeRows are the rows of information_schema.table_privileges:
// one per privilege of each ACL item, PUBLIC's included.
func (c *Context) tablePrivilegeRows(tables []*catalog.Table) [][]types.Value {
	var rows [][]types.Value
	for _, tbl := range tables {
		if tbl.IsSequence() {
			continue
		}
		c.eachVisibleGrant(tbl, tbl.EffectiveACL(), catalog.TablePrivs, func(grantor, grantee string, p catalog.Priv, grantable bool) {
			rows = append(rows, []types.Value{types.NewText(grantor), types.NewText(grantee), types.NewText(c.Database),
				types.NewText(tbl.Schema), types.NewText(tbl.Name), types.NewText(p.Names()[0]), yesNo(grantable),
				yesNo(p == catalog.PrivSelect)})
		})
	}
	return rows
}

// columnPrivilegeRows are the rows of information_schema.column_privileges:
// for each column, the privileges granted on its table that apply to
// columns and those granted on the column alone, each once.
func (c *Context) columnPrivilegeRows(tables []*catalog.Table) [][]types.Value {
	var rows [][]types.Value
	for _, tbl := range tables {
		if tbl.IsSequence() {
			continue
		}
		for _, col := range tbl.Columns {
			seen := map[[3]string]bool{}
			emit := func(grantor, grantee string, p catalog.Priv, grantable bool) {
				key := [3]string{grantor, grantee, p.Names()[0]}
				if seen[key] {
					return
				}
				seen[key] = true
				rows = append(rows, []types.Value{types.NewText(grantor), types.NewText(grantee), types.NewText(c.Database),
					types.NewText(tbl.Schema), types.NewText(tbl.Name), types.NewText(col.Name), types.NewText(key[2]), yesNo(grantable)})
			}
			c.eachVisibleGrant(tbl, tbl.EffectiveACL(), catalog.ColumnPrivs, emit)
			c.eachVisibleGrant(tbl, col.ACL, catalog.ColumnPrivs, emit)
		}
	}
	return rows
}

// eachVisibleGrant calls fn for each privilege among privs of each item of
// acl, an ACL of tbl or of one of its columns, that the session's role may
// see: as in PostgreSQL, the items it (or a role it is a member of)
// granted or holds, and PUBLIC's; superusers and embedded sessions see
// all. The owner's privileges count as grantable.
func (c *Context) eachVisibleGrant(tbl *catalog.Table, acl []catalog.ACLItem, privs catalog.Priv,
	fn func(grantor, grantee string, p catalog.Priv, grantable bool)) {
	cat := c.Store.Catalog()
	all := c.Privilege == nil || cat.Bypasses(c.User)
	mine := cat.Memberships(c.User)
	for _, a := range acl {
		if !all && a.Grantee != "" && !slices.Contains(mine, a.Grantee) && !slices.Contains(mine, a.Grantor) {
			continue
		}
		grantee := a.Grantee
		if grantee == "" {
			grantee = "PUBLIC"
		}
		for _, name := range (a.Privs & privs).Names() {
			p, _ := catalog.PrivByName(name)
			fn(a.Grantor, grantee, p, a.Grant&p != 0 || grantee == tbl.Owner)
		}
	}
}

// yesNo is a yes_or_no of information_schema.
func yesNo(ok bool) types.Value {
	if ok {
		return types.NewText("YES")
	}
	return types.NewText("NO")
}

// authMemberRows are the rows of pg_auth_members: who was granted which
// role (GRANT role TO role, which only superusers run).
func (c *Context) authMemberRows() [][]types.Value {
	var rows [][]types.Value
	for _, r := range c.Store.Catalog().Roles() {
		for _, m := range r.MemberOf {
			rows = append(rows, []types.Value{types.NewInt(c.roleOID(m)), types.NewInt(c.roleOID(r.Name)),
				types.NewInt(oidSuperuser), types.NewBool(false)})
		}
	}
	return rows
}
