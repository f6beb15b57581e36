package catalog

import "slices"

// Default privileges (ALTER DEFAULT PRIVILEGES), kept with the role whose
// new relations they apply to, as PostgreSQL's pg_default_acl rows are:
// an entry for every schema holds the whole ACL that replaces the
// built-in default (the owner holds everything), and an entry for one
// schema holds grants added to it.

// DefaultACL is one default-privileges entry of a role.
type DefaultACL struct {
	// Schema is the schema the entry applies in, "" for all.
	Schema string `json:"schema,omitempty"`
	// Type is the kind of relation, as pg_default_acl.defaclobjtype: "r"
	// tables and views, "S" sequences.
	Type string    `json:"type"`
	ACL  []ACLItem `json:"acl"`
}

// DefaultACLPrivs returns the privileges relations of default-ACL type
// typ have.
func DefaultACLPrivs(typ string) Priv {
	if typ == "S" {
		return SequencePrivs
	}
	return TablePrivs
}

// DefaultACL returns r's entry for schema and typ, or nil.
func (r *Role) DefaultACL(schema, typ string) *DefaultACL {
	i := slices.IndexFunc(r.DefaultACLs, func(d DefaultACL) bool { return d.Schema == schema && d.Type == typ })
	if i < 0 {
		return nil
	}
	return &r.DefaultACLs[i]
}

// BuiltinACL is the ACL a relation of type typ owned by owner has without
// default privileges: the owner holds everything.
func BuiltinACL(owner, typ string) []ACLItem {
	return []ACLItem{{Grantee: owner, Grantor: owner, Privs: DefaultACLPrivs(typ)}}
}

// NewRelationACL returns the ACL a relation of type typ that r creates in
// schema starts with: nil, the default, unless r's default privileges
// change it.
func (r *Role) NewRelationACL(schema, typ string) []ACLItem {
	all, one := r.DefaultACL("", typ), r.DefaultACL(schema, typ)
	if all == nil && one == nil {
		return nil
	}
	acl := BuiltinACL(r.Name, typ)
	if all != nil {
		acl = slices.Clone(all.ACL)
	}
	if one != nil {
		for _, a := range one.ACL {
			acl = Granted(acl, a.Grantee, a.Grantor, a.Privs, a.Grant)
		}
	}
	// PostgreSQL's merge makes an empty ACL the default too
	if len(acl) == 0 || SameACL(acl, BuiltinACL(r.Name, typ)) {
		return nil
	}
	return acl
}

// SameACL reports whether a and b hold the same items in any order.
func SameACL(a, b []ACLItem) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// MentionsInDefaults reports whether role is named in r's default
// privileges.
func (r *Role) MentionsInDefaults(role string) bool {
	return slices.ContainsFunc(r.DefaultACLs, func(d DefaultACL) bool {
		return slices.ContainsFunc(d.ACL, func(a ACLItem) bool { return a.Grantee == role || a.Grantor == role })
	})
}
