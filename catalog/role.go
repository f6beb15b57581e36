package catalog

import (
	"sort"

	"rustydb/sqlerr"
)

// Role is a database role; a role that can log in is a user. Roles are
// immutable once published: CREATE, ALTER and DROP ROLE replace the whole
// *Role.
//
// Only what authentication needs to check a password is kept, never the
// password (see package auth for the formats).
type Role struct {
	ID        uint32 `json:"id"`
	Name      string `json:"name"`
	Superuser bool   `json:"superuser,omitempty"`
	Login     bool   `json:"login,omitempty"`
	// Bootstrap marks the superuser the server created in a new data
	// directory. As in PostgreSQL it cannot be dropped and stays a
	// superuser, so the directory always has an administrator.
	Bootstrap bool `json:"bootstrap,omitempty"`
	// SCRAM is the SCRAM-SHA-256 verifier, "" when the role has no password
	// or was given only an md5 hash.
	SCRAM string `json:"scram,omitempty"`
	// MD5 is the md5 hash, kept only for passwords set with
	// password_encryption = md5 (or given already hashed).
	MD5 string `json:"md5,omitempty"`
	// MemberOf are the roles this one was granted (GRANT role TO this):
	// their privileges are this role's too.
	MemberOf []string `json:"member_of,omitempty"`
	// DefaultACLs are the privileges relations this role creates start
	// with (ALTER DEFAULT PRIVILEGES; see defaultacl.go).
	DefaultACLs []DefaultACL `json:"default_acls,omitempty"`
}

// HasPassword reports whether the role can authenticate with a password.
func (r *Role) HasPassword() bool { return r.SCRAM != "" || r.MD5 != "" }

// Role returns the named role, or nil.
func (c *Catalog) Role(name string) *Role {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.roles[name]
}

// RoleByID returns the role with the given id, or nil.
func (c *Catalog) RoleByID(id uint32) *Role {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, r := range c.roles {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// Roles returns all roles sorted by name.
func (c *Catalog) Roles() []*Role {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]*Role, 0, len(c.roles))
	for _, r := range c.roles {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// AddRole publishes r, assigning an ID when it has none.
func (c *Catalog) AddRole(r *Role) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.roles[r.Name] != nil {
		return sqlerr.New(sqlerr.DuplicateObject, "role %q already exists", r.Name)
	}
	if r.ID == 0 {
		r.ID = c.nextRoleID
	}
	c.nextRoleID = max(c.nextRoleID, r.ID+1)
	c.roles[r.Name] = r
	c.version.Add(1) // plans checked privileges as of the roles they were bound with
	return nil
}

// ReplaceRole swaps in a new definition of the role with r's name.
func (c *Catalog) ReplaceRole(r *Role) {
	c.mu.Lock()
	c.roles[r.Name] = r
	c.version.Add(1)
	c.mu.Unlock()
}

// RemoveRole deletes the named role.
func (c *Catalog) RemoveRole(name string) {
	c.mu.Lock()
	delete(c.roles, name)
	c.version.Add(1)
	c.mu.Unlock()
}
