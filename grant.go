package rustydb

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"rustydb/catalog"
	"rustydb/sql"
	"rustydb/sqlerr"
)

// GRANT and REVOKE, and the checks they feed. Privileges are PostgreSQL's:
// a relation's owner (its creator) holds every privilege until it revokes
// some, superusers bypass every check, and a role holds the privileges
// granted to it, to PUBLIC and to the roles it is a member of (GRANT role
// TO role). Statements check the privileges of the session's role when
// they are bound (see plan/privileges.go); a GRANT, REVOKE or role change
// makes cached plans bind again. Embedded sessions (NewSession) may do
// anything, as they may open the data directory themselves.

// invalidGrantOperation is SQLSTATE 0LP01.
const invalidGrantOperation = "0LP01"

// objectKind names what t is in messages: "schema", or the relation's kind.
func objectKind(t *catalog.Table) string {
	if t.IsSchema() {
		return "schema"
	}
	return t.Kind()
}

// permissionDenied is PostgreSQL's error for a missing privilege.
func permissionDenied(t *catalog.Table) error {
	return sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied for %s %s", objectKind(t), t.Name)
}

// checkPrivilege is the binder's privilege check: role needs need on t,
// and USAGE on the schema t is in.
func (s *Session) checkPrivilege(role string, t *catalog.Table, need catalog.Priv) error {
	if ns := s.schemaDenied(role, t); ns != nil {
		return permissionDenied(ns)
	}
	if privs, _ := s.db.store.Catalog().Privileges(role, t); privs&need != need {
		return permissionDenied(t)
	}
	return nil
}

// schemaDenied returns the schema of relation t when role may not use it
// (USAGE), else nil.
func (s *Session) schemaDenied(role string, t *catalog.Table) *catalog.Table {
	cat := s.db.store.Catalog()
	if ns := cat.Schema(t.Schema); ns != nil && !t.IsSchema() {
		if privs, _ := cat.Privileges(role, ns); privs&catalog.PrivUsage == 0 {
			return ns
		}
	}
	return nil
}

// require checks that the session's role holds need on t.
func (s *Session) require(t *catalog.Table, need catalog.Priv) error {
	if !s.checked() {
		return nil
	}
	return s.checkPrivilege(s.currentRole(), t, need)
}

// requireOwner checks that the session's role owns t (or is a member of
// its owner, or a superuser), as changing or dropping t needs.
func (s *Session) requireOwner(t *catalog.Table) error {
	cat := s.db.store.Catalog()
	if !s.checked() || cat.Bypasses(s.currentRole()) || slices.Contains(cat.Memberships(s.currentRole()), t.OwnerName()) {
		return nil
	}
	return sqlerr.New(sqlerr.InsufficientPrivilege, "must be owner of %s %s", objectKind(t), t.Name)
}

// requireCreate checks that the session's role may create relations in
// schema: public lets everyone, as in PostgreSQL before 15.
func (s *Session) requireCreate(schema string) error {
	if ns := s.db.store.Catalog().Schema(schema); ns != nil {
		return s.require(ns, catalog.PrivCreate)
	}
	return nil
}

func (s *Session) grant(st *sql.GrantStmt, w ResultWriter) error {
	if st.Roles != nil {
		return s.grantRoles(st, w)
	}
	if slices.ContainsFunc(st.Columns, func(c []string) bool { return c != nil }) {
		return s.grantColumns(st, w)
	}
	objects, err := s.grantObjects(st)
	if err != nil {
		return err
	}
	if err := s.checkGrantees(st); err != nil {
		return err
	}
	cat := s.db.store.Catalog()
	for _, t := range objects {
		want, err := grantPrivs(st, t)
		if err != nil {
			return err
		}
		privs, _ := cat.Privileges(s.currentRole(), t)
		grantor, grantable := s.grantor(t, want)
		if want&grantable != want {
			if privs == 0 {
				return sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied for %s %s", grantKind(t), t.Name)
			}
			what := "granted for"
			if st.Revoke {
				what = "revoked for"
			}
			prefix := "not all privileges were"
			if want&grantable == 0 {
				prefix = "no privileges were"
				if st.Revoke {
					prefix, what = "no privileges could be", "revoked for"
				}
			}
			code := "01007"
			if st.Revoke {
				code = "01006"
			}
			w.Notice(Notice{Severity: "WARNING", Code: code, Message: fmt.Sprintf("%s %s %q", prefix, what, t.Name)})
			want &= grantable
		}
		acl, cols := t.EffectiveACL(), t.Columns
		for _, g := range st.Grantees {
			if st.Revoke {
				if acl, err = revoke(acl, g, grantor, want, st.GrantOption, st.Cascade); err != nil {
					return err
				}
				cols = catalog.RevokedFromColumns(cols, g, grantor, want, st.GrantOption)
			} else {
				grant := catalog.Priv(0)
				if st.GrantOption {
					grant = want
				}
				acl = catalog.Granted(acl, g, grantor, want, grant)
			}
		}
		def := *t
		def.ACL = append([]catalog.ACLItem{}, acl...) // never nil: nil is the default ACL
		def.Columns = cols
		if err := s.tx.AlterTable(t, &def); err != nil {
			return err
		}
	}
	if st.Revoke {
		return w.Complete("REVOKE")
	}
	return w.Complete("GRANT")
}

// grantor returns the role the session grants or revokes want on t as,
// and what that role may grant. As in PostgreSQL, superusers and the
// owner act as the owner; another role acts as itself when it holds the
// grant option, else as the role it is a member of that holds most of
// want with the grant option.
func (s *Session) grantor(t *catalog.Table, want catalog.Priv) (string, catalog.Priv) {
	cat := s.db.store.Catalog()
	owner := t.OwnerName()
	if !s.checked() || cat.Bypasses(s.currentRole()) || slices.Contains(cat.Memberships(s.currentRole()), owner) {
		if owner == "" {
			owner = s.currentRole()
		}
		return owner, t.AllPrivs()
	}
	best, bestGrant := s.currentRole(), catalog.Priv(0)
	for _, r := range cat.Memberships(s.currentRole()) {
		_, grant := t.Privileges([]string{r})
		if bits.OnesCount16(uint16(grant&want)) > bits.OnesCount16(uint16(bestGrant&want)) {
			best, bestGrant = r, grant
		}
	}
	return best, bestGrant
}

// revoke takes privs (or only their grant options) from grantee's item
// by grantor. The grant options it takes must not have been used: what
// grantee granted with them goes too with CASCADE, else REVOKE fails.
func revoke(acl []catalog.ACLItem, grantee, grantor string, privs catalog.Priv, optionOnly, cascade bool) ([]catalog.ACLItem, error) {
	var lost catalog.Priv
	for _, a := range acl {
		if a.Grantee == grantee && a.Grantor == grantor {
			lost = a.Grant & privs
		}
	}
	acl = catalog.Revoked(acl, grantee, grantor, privs, optionOnly)
	if lost == 0 || grantee == "" {
		return acl, nil
	}
	for _, a := range acl {
		if a.Grantor != grantee || a.Privs&lost == 0 {
			continue
		}
		if !cascade {
			return nil, sqlerr.New(sqlerr.DependentObjectsStillExist, "dependent privileges exist").
				WithHint("Use CASCADE to revoke them too.")
		}
		var err error
		if acl, err = revoke(acl, a.Grantee, grantee, lost, false, true); err != nil {
			return nil, err
		}
	}
	return acl, nil
}

// grantKind names t as GRANT's errors do: views count as tables.
func grantKind(t *catalog.Table) string {
	if t.IsSchema() {
		return "schema"
	}
	return "table"
}

// grantObjects resolves what GRANT or REVOKE names.
func (s *Session) grantObjects(st *sql.GrantStmt) ([]*catalog.Table, error) {
	cat := s.db.store.Catalog()
	var out []*catalog.Table
	for _, n := range st.Objects {
		switch st.On {
		case "schema", "all tables in schema":
			if n.Name == catalog.Public || catalog.IsSystemSchema(n.Name) {
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "privileges on schema %s cannot be changed", n.Name).
					WithDetail("Every role may use the schemas public, pg_catalog and information_schema and create relations in public.")
			}
			ns := cat.Schema(n.Name)
			if ns == nil {
				return nil, sqlerr.New(sqlerr.InvalidSchemaName, "schema %q does not exist", n.Name)
			}
			if st.On == "schema" {
				out = append(out, ns)
				continue
			}
			for _, t := range cat.Tables() {
				if t.Schema == n.Name && !t.IsSequence() {
					out = append(out, t)
				}
			}
		default:
			t, err := s.relation(n)
			if err != nil {
				return nil, err
			}
			if st.On == "sequence" && !t.IsSequence() {
				return nil, sqlerr.New(sqlerr.WrongObjectType, "%q is not a sequence", t.Name)
			}
			out = append(out, t)
		}
	}
	return out, nil
}

// grantPrivs returns the privileges a GRANT or REVOKE names on t.
func grantPrivs(st *sql.GrantStmt, t *catalog.Table) (catalog.Priv, error) {
	if st.All {
		return t.AllPrivs(), nil
	}
	kind := "table"
	switch {
	case t.IsSchema():
		kind = "schema"
	case t.IsSequence():
		kind = "sequence"
	}
	var want catalog.Priv
	for _, name := range st.Privs {
		p, ok := catalog.PrivByName(name)
		if !ok || p&t.AllPrivs() == 0 {
			return 0, sqlerr.New(invalidGrantOperation, "invalid privilege type %s for %s", strings.ToUpper(name), kind)
		}
		want |= p
	}
	return want, nil
}

// grantRoles runs GRANT role TO role and REVOKE role FROM role, which only
// superusers may.
func (s *Session) grantRoles(st *sql.GrantStmt, w ResultWriter) error {
	cat := s.db.store.Catalog()
	for _, name := range append(slices.Clone(st.Roles), st.Grantees...) {
		if name == "" {
			name = "public"
		}
		if cat.Role(name) == nil {
			return sqlerr.New(sqlerr.UndefinedObject, "role %q does not exist", name)
		}
	}
	if !s.superuser() {
		return sqlerr.New(sqlerr.InsufficientPrivilege, "must have admin option on role %q", st.Roles[0])
	}
	for _, member := range st.Grantees {
		for _, role := range st.Roles {
			old := cat.Role(member)
			r := *old
			switch has := slices.Contains(old.MemberOf, role); {
			case st.Revoke && !has:
				w.Notice(Notice{Severity: "WARNING", Code: "01000", Message: fmt.Sprintf("role %q is not a member of role %q", member, role)})
				continue
			case st.Revoke:
				r.MemberOf = slices.DeleteFunc(slices.Clone(old.MemberOf), func(m string) bool { return m == role })
			case has:
				w.Notice(Notice{Severity: "NOTICE", Code: "00000", Message: fmt.Sprintf("role %q is already a member of role %q", member, role)})
				continue
			case slices.Contains(cat.Memberships(role), member):
				return sqlerr.New(invalidGrantOperation, "role %q is a member of role %q", role, member)
			default:
				r.MemberOf = append(slices.Clone(old.MemberOf), role)
			}
			if err := s.tx.AlterRole(old, &r); err != nil {
				return err
			}
		}
	}
	if st.Revoke {
		return w.Complete("REVOKE ROLE")
	}
	return w.Complete("GRANT ROLE")
}

// roleDependents lists what keeps role name from being dropped, as
// PostgreSQL's DETAIL does: the relations and schemas it owns or holds
// or gave privileges on.
func roleDependents(cat *catalog.Catalog, name string) []string {
	var out []string
	for _, t := range append(cat.Schemas(), cat.Tables()...) {
		if !t.Mentions(name) {
			continue
		}
		what := "privileges for "
		if t.OwnerName() == name {
			what = "owner of "
		}
		names := func(a catalog.ACLItem) bool { return a.Grantee == name || a.Grantor == name }
		if what == "owner of " || slices.ContainsFunc(t.ACL, names) {
			out = append(out, what+objectKind(t)+" "+t.Name)
		}
		for _, c := range t.Columns {
			if slices.ContainsFunc(c.ACL, names) {
				out = append(out, "privileges for column "+c.Name+" of "+objectKind(t)+" "+t.Name)
			}
		}
	}
	return append(out, defaultACLDependents(cat, name)...)
}

// privilegeHook returns the binder's privilege check: none for embedded
// sessions.
func (s *Session) privilegeHook() func(string, *catalog.Table, catalog.Priv) error {
	if !s.checked() {
		return nil
	}
	return s.checkPrivilege
}

// dropMemberships removes dropped role name from the roles that were
// granted it, as DROP ROLE does in PostgreSQL.
func (s *Session) dropMemberships(name string) error {
	for _, old := range s.db.store.Catalog().Roles() {
		if !slices.Contains(old.MemberOf, name) {
			continue
		}
		r := *old
		r.MemberOf = slices.DeleteFunc(slices.Clone(old.MemberOf), func(m string) bool { return m == name })
		if err := s.tx.AlterRole(old, &r); err != nil {
			return err
		}
	}
	return nil
}

// setOwner runs ALTER TABLE | VIEW | SEQUENCE ... OWNER TO role (the
// caller checked that the session owns t): a superuser may give t to
// anyone, an owner to a role it is a member of. The old owner's ACL
// entries pass to the new one, and a table's serial sequences go with it.
func (s *Session) setOwner(t *catalog.Table, role string) error {
	cat := s.db.store.Catalog()
	if role == "" {
		role = s.currentRole()
	}
	if cat.Role(role) == nil {
		return sqlerr.New(sqlerr.UndefinedObject, "role %q does not exist", role)
	}
	if s.checked() && !cat.Bypasses(s.currentRole()) && !slices.Contains(cat.Memberships(s.currentRole()), role) {
		return sqlerr.New(sqlerr.InsufficientPrivilege, "must be member of role %q", role)
	}
	for _, rel := range append([]*catalog.Table{t}, cat.OwnedSequences(t.ID)...) {
		def := *rel
		def.Owner = role
		if rel.ACL != nil {
			def.ACL = ownerMoved(rel.ACL, rel.Owner, role)
		}
		def.Columns = slices.Clone(rel.Columns)
		for i, col := range def.Columns {
			if col.ACL != nil {
				def.Columns[i].ACL = catalog.ColumnACL(ownerMoved(col.ACL, rel.Owner, role))
			}
		}
		if err := s.tx.AlterTable(rel, &def); err != nil {
			return err
		}
	}
	return nil
}

// ownerMoved returns a relation's or column's ACL with what the old owner
// held or granted moved to the new one, as PostgreSQL does; items that
// now coincide merge.
func ownerMoved(acl []catalog.ACLItem, from, to string) []catalog.ACLItem {
	out := []catalog.ACLItem{}
	for _, a := range acl {
		if a.Grantee == from {
			a.Grantee = to
		}
		if a.Grantor == from {
			a.Grantor = to
		}
		out = catalog.Granted(out, a.Grantee, a.Grantor, a.Privs, a.Grant)
	}
	return out
}

// runtimePrivilegeHook returns the executor's check of relations named at
// run time (nextval's sequence): the role needs one of anyOf. None for
// embedded sessions.
func (s *Session) runtimePrivilegeHook() func(*catalog.Table, catalog.Priv) error {
	if !s.checked() {
		return nil
	}
	if s.privilege == nil {
		s.privilege = func(t *catalog.Table, anyOf catalog.Priv) error {
			if privs, _ := s.db.store.Catalog().Privileges(s.currentRole(), t); privs&anyOf == 0 {
				return permissionDenied(t)
			}
			return nil
		}
	}
	return s.privilege
}
