package rustydb

import (
	"fmt"
	"slices"
	"strings"

	"rustydb/catalog"
	"rustydb/sql"
	"rustydb/sqlerr"
)

// ALTER DEFAULT PRIVILEGES: the privileges tables, views and sequences
// start with when a role creates them, kept with the role (catalog
// DefaultACL) and shown in pg_default_acl (psql's \ddp). As in PostgreSQL
// the entry for all schemas replaces the built-in default, and an entry
// for one schema adds to it.

// alterDefaultPrivileges runs ALTER DEFAULT PRIVILEGES. A role may change
// its own defaults and those of the roles it is a member of; superusers
// anyone's.
func (s *Session) alterDefaultPrivileges(st *sql.AlterDefaultPrivilegesStmt, w ResultWriter) error {
	g := st.Grant
	typ, kind := "r", "relation"
	if g.On == "sequences" {
		typ, kind = "S", "sequence"
	}
	want := catalog.DefaultACLPrivs(typ)
	if !g.All {
		want = 0
		for i, name := range g.Privs {
			p, ok := catalog.PrivByName(name)
			if !ok || p&catalog.DefaultACLPrivs(typ) == 0 || g.Columns[i] != nil {
				return sqlerr.New(invalidGrantOperation, "invalid privilege type %s for %s", strings.ToUpper(name), kind)
			}
			want |= p
		}
	}
	cat := s.db.store.Catalog()
	roles := st.Roles
	if roles == nil {
		roles = []string{s.currentRole()}
	}
	for _, r := range roles {
		if cat.Role(r) == nil {
			return sqlerr.New(sqlerr.UndefinedObject, "role %q does not exist", r)
		}
		if cur := s.currentRole(); s.checked() && !cat.Bypasses(cur) && !slices.Contains(cat.Memberships(cur), r) {
			return sqlerr.New(sqlerr.InsufficientPrivilege, "must be member of role %q", r)
		}
	}
	for _, ns := range st.Schemas {
		if !cat.SchemaExists(ns) {
			return sqlerr.New(sqlerr.InvalidSchemaName, "schema %q does not exist", ns)
		}
	}
	if err := s.checkGrantees(g); err != nil {
		return err
	}
	schemas := st.Schemas
	if schemas == nil {
		schemas = []string{""}
	}
	for _, name := range roles {
		old := cat.Role(name)
		r := *old
		r.DefaultACLs = slices.Clone(old.DefaultACLs)
		for _, schema := range schemas {
			var acl []catalog.ACLItem
			if d := r.DefaultACL(schema, typ); d != nil {
				acl = d.ACL
			} else if schema == "" {
				acl = catalog.BuiltinACL(name, typ)
			}
			acl = catalog.Apply(acl, g.Grantees, name, want, g.Revoke, g.GrantOption)
			r.DefaultACLs = slices.DeleteFunc(r.DefaultACLs, func(d catalog.DefaultACL) bool { return d.Schema == schema && d.Type == typ })
			// an entry that changes nothing goes, as in PostgreSQL
			if schema == "" && !catalog.SameACL(acl, catalog.BuiltinACL(name, typ)) || schema != "" && len(acl) > 0 {
				r.DefaultACLs = append(r.DefaultACLs, catalog.DefaultACL{Schema: schema, Type: typ, ACL: append([]catalog.ACLItem{}, acl...)})
			}
		}
		if err := s.tx.AlterRole(old, &r); err != nil {
			return err
		}
	}
	return w.Complete("ALTER DEFAULT PRIVILEGES")
}

// newRelationACL returns the ACL a relation of default-ACL type typ that
// owner creates in schema starts with: nil (the default) unless owner's
// default privileges say otherwise.
func (s *Session) newRelationACL(owner, schema, typ string) []catalog.ACLItem {
	if r := s.db.store.Catalog().Role(owner); r != nil {
		return r.NewRelationACL(schema, typ)
	}
	return nil
}

// dropDefaultACLs removes the default privileges for dropped schema.
func (s *Session) dropDefaultACLs(schema string) error {
	for _, old := range s.db.store.Catalog().Roles() {
		if !slices.ContainsFunc(old.DefaultACLs, func(d catalog.DefaultACL) bool { return d.Schema == schema }) {
			continue
		}
		r := *old
		r.DefaultACLs = slices.DeleteFunc(slices.Clone(old.DefaultACLs), func(d catalog.DefaultACL) bool { return d.Schema == schema })
		if err := s.tx.AlterRole(old, &r); err != nil {
			return err
		}
	}
	return nil
}

// defaultACLDependents lists the default privileges that keep role name
// from being dropped, as PostgreSQL's DETAIL does.
func defaultACLDependents(cat *catalog.Catalog, name string) []string {
	var out []string
	for _, r := range cat.Roles() {
		switch {
		case r.Name == name && len(r.DefaultACLs) > 0:
			out = append(out, fmt.Sprintf("owner of default privileges on new relations belonging to role %s", name))
		case r.Name != name && r.MentionsInDefaults(name):
			out = append(out, fmt.Sprintf("privileges for default privileges on new relations belonging to role %s", r.Name))
		}
	}
	return out
}
