package catalog

import (
	"reflect"
	"slices"
	"strings"
)

// Privileges on tables, views, sequences and schemas, kept as PostgreSQL
// keeps them: an access control list (ACL) of grantee=privileges/grantor
// items on each object, where a nil list means the default (the owner has
// every privilege, nobody else any). GRANT and REVOKE replace the object's
// definition with a new list, so privileges are logged, checkpointed,
// recovered and rolled back with the rest of the definition.

// Priv is a set of privileges, one bit each, in the order of PostgreSQL's
// aclitem letters (ACL_ALL_RIGHTS_STR).
type Priv uint16

const (
	PrivInsert     Priv = 1 << iota // a
	PrivSelect                      // r
	PrivUpdate                      // w
	PrivDelete                      // d
	PrivTruncate                    // D
	PrivReferences                  // x
	PrivTrigger                     // t
	PrivExecute                     // X (no functions to grant it on; keeps the letters aligned)
	PrivUsage                       // U
	PrivCreate                      // C
)

// privLetters are the aclitem letters of the bits of Priv, lowest first.
const privLetters = "arwdDxtXUC"

// privNames are the SQL names of the bits of Priv, lowest first.
var privNames = []string{"INSERT", "SELECT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "EXECUTE", "USAGE", "CREATE"}

// Privileges that each kind of object has; ALL means these.
const (
	TablePrivs    = PrivInsert | PrivSelect | PrivUpdate | PrivDelete | PrivTruncate | PrivReferences | PrivTrigger
	SequencePrivs = PrivSelect | PrivUpdate | PrivUsage
	SchemaPrivs   = PrivUsage | PrivCreate
)

// PrivByName returns the privilege a SQL name (lower case) stands for.
func PrivByName(name string) (Priv, bool) {
	i := slices.Index(privNames, strings.ToUpper(name))
	if i < 0 {
		return 0, false
	}
	return 1 << i, true
}

// Names returns the SQL names of p's privileges, in aclitem order.
func (p Priv) Names() []string {
	var out []string
	for i, n := range privNames {
		if p&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// ACLItem grants Privs (and, for the bits in Grant, the right to grant
// them on) from Grantor to Grantee; Grantee "" is PUBLIC, every role.
type ACLItem struct {
	Grantee string `json:"grantee,omitempty"`
	Grantor string `json:"grantor"`
	Privs   Priv   `json:"privs"`
	Grant   Priv   `json:"grant,omitempty"`
}

// String renders the item as PostgreSQL's aclitem text: alice=arw*/bob,
// =r/bob for PUBLIC. Names that need it are double-quoted.
func (a ACLItem) String() string {
	var b strings.Builder
	b.WriteString(aclName(a.Grantee))
	b.WriteByte('=')
	for i := range privLetters {
		if a.Privs&(1<<i) != 0 {
			b.WriteByte(privLetters[i])
			if a.Grant&(1<<i) != 0 {
				b.WriteByte('*')
			}
		}
	}
	b.WriteByte('/')
	b.WriteString(aclName(a.Grantor))
	return b.String()
}

// aclName quotes a role name as aclitem output does: when it has
// characters other than letters, digits and underscores.
func aclName(n string) string {
	for _, r := range n {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r > 127) {
			return `"` + strings.ReplaceAll(n, `"`, `""`) + `"`
		}
	}
	return n
}

// OwnerName returns the role that owns t: a schema's or a relation's
// owner; "" for relations created before owners were recorded, which only
// superusers own.
func (t *Table) OwnerName() string {
	if t.IsSchema() {
		return t.Namespace.Owner
	}
	return t.Owner
}

// AllPrivs returns the privileges that t's kind of object has.
func (t *Table) AllPrivs() Priv {
	switch {
	case t.IsSchema():
		return SchemaPrivs
	case t.IsSequence():
		return SequencePrivs
	}
	return TablePrivs
}

// EffectiveACL returns t's ACL, the default one when none was granted:
// the owner holds every privilege, granted by itself.
func (t *Table) EffectiveACL() []ACLItem {
	if t.ACL != nil || t.OwnerName() == "" {
		return t.ACL
	}
	return []ACLItem{{Grantee: t.OwnerName(), Grantor: t.OwnerName(), Privs: t.AllPrivs()}}
}

// Privileges returns the privileges that roles (a role with the roles it
// is a member of; PUBLIC's always count) hold on t, and those of them they
// may grant.
func (t *Table) Privileges(roles []string) (privs, grant Priv) {
	for _, a := range t.EffectiveACL() {
		if a.Grantee == "" || slices.Contains(roles, a.Grantee) {
			privs |= a.Privs
			grant |= a.Grant
		}
	}
	return privs, grant
}

// Granted returns acl with privs (and grant options for the bits of grant)
// added to grantee's item from grantor, appended when there is none.
func Granted(acl []ACLItem, grantee, grantor string, privs, grant Priv) []ACLItem {
	out := slices.Clone(acl)
	for i, a := range out {
		if a.Grantee == grantee && a.Grantor == grantor {
			out[i].Privs |= privs
			out[i].Grant |= grant
			return out
		}
	}
	return append(out, ACLItem{Grantee: grantee, Grantor: grantor, Privs: privs, Grant: grant})
}

// Apply returns acl after GRANT p (WITH GRANT OPTION when grantOption) to
// each of grantees by grantor, or with revoke after REVOKE [GRANT OPTION
// FOR] p FROM them.
func Apply(acl []ACLItem, grantees []string, grantor string, p Priv, revoke, grantOption bool) []ACLItem {
	for _, g := range grantees {
		if revoke {
			acl = Revoked(acl, g, grantor, p, grantOption)
			continue
		}
		option := Priv(0)
		if grantOption {
			option = p
		}
		acl = Granted(acl, g, grantor, p, option)
	}
	return acl
}

// Revoked returns acl without grantee's privs from grantor (only the
// grant options when optionOnly); items left without privileges go.
func Revoked(acl []ACLItem, grantee, grantor string, privs Priv, optionOnly bool) []ACLItem {
	out := make([]ACLItem, 0, len(acl))
	for _, a := range acl {
		if a.Grantee == grantee && a.Grantor == grantor {
			a.Grant &^= privs
			if !optionOnly {
				a.Privs &^= privs
			}
			if a.Privs == 0 {
				continue
			}
		}
		out = append(out, a)
	}
	return out
}

// Mentions reports whether role is t's owner or named in its ACL, which
// keeps the role from being dropped.
func (t *Table) Mentions(role string) bool {
	names := func(a ACLItem) bool { return a.Grantee == role || a.Grantor == role }
	return t.OwnerName() == role || slices.ContainsFunc(t.ACL, names) ||
		slices.ContainsFunc(t.Columns, func(c Column) bool { return slices.ContainsFunc(c.ACL, names) })
}

// OnlyPrivilegesDiffer reports whether a and b are the same definition but
// for their owner and ACL, so that a change between them leaves the rows
// and indexes as they are.
func OnlyPrivilegesDiffer(a, b *Table) bool {
	c := *b
	c.Owner, c.ACL = a.Owner, a.ACL
	if len(a.Columns) != len(b.Columns) {
		return false
	}
	c.Columns = slices.Clone(b.Columns)
	for i := range c.Columns {
		c.Columns[i].ACL = a.Columns[i].ACL
	}
	return reflect.DeepEqual(a, &c)
}

// Memberships returns role and every role it is a member of, directly or
// through other roles.
func (c *Catalog) Memberships(role string) []string {
	out := []string{role}
	for i := 0; i < len(out); i++ {
		if r := c.Role(out[i]); r != nil {
			for _, m := range r.MemberOf {
				if !slices.Contains(out, m) {
					out = append(out, m)
				}
			}
		}
	}
	return out
}

// Bypasses reports whether role skips privilege checks: superusers do, and
// so does "", the owner of relations created before owners were recorded,
// and any role of a database without roles (only embedded sessions, which
// may do anything, use one).
func (c *Catalog) Bypasses(role string) bool {
	if role == "" {
		return true
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	r := c.roles[role]
	return r != nil && r.Superuser || len(c.roles) == 0
}

// Privileges returns what role holds on t and what of it it may grant:
// everything for superusers, and the grant option on everything for the
// owner (and members of the owner).
func (c *Catalog) Privileges(role string, t *Table) (privs, grant Priv) {
	if c.Bypasses(role) {
		return t.AllPrivs(), t.AllPrivs()
	}
	roles := c.Memberships(role)
	privs, grant = t.Privileges(roles)
	if slices.Contains(roles, t.OwnerName()) {
		grant = t.AllPrivs()
	}
	return privs, grant
}
