package rustydb

import (
	"fmt"
	"strings"

	"rustydb/auth"
	"rustydb/catalog"
	"rustydb/sql"
	"rustydb/sqlerr"
)

// Roles. Creating, changing and dropping roles needs a superuser, except
// that a user may change their own password. Privileges on tables, views
// and schemas are in grant.go.
//
// Sessions from NewSession run in the embedding program's process, which
// could open the data directory itself, so they may do anything. Sessions
// from Login belong to an authenticated role and have its privileges,
// looked up at each statement, so that ALTER ROLE ... NOSUPERUSER and DROP
// ROLE take effect on open sessions too.

// Login opens a session for role user, which the caller has authenticated
// (package api checks passwords against Role).
func (db *DB) Login(user string) *Session {
	s := db.newSession(user, true)
	if r := db.Role(user); r == nil || !r.Superuser {
		s.settings["is_superuser"] = "off"
		s.settingsChanged()
	}
	return s
}

// Role returns the committed definition of role name, or nil; a role that
// an open transaction creates or changes counts only once it commits.
//
// A database without roles, which only the embedded engine has opened (the
// server creates its administrator at start, see EnsureAdmin), has one
// implicit superuser, DatabaseName, without a password: the user embedded
// sessions run as.
func (db *DB) Role(name string) *catalog.Role {
	if r := db.store.Role(name); r != nil {
		return r
	}
	if name == DatabaseName && len(db.store.Roles()) == 0 {
		return &catalog.Role{Name: name, Superuser: true, Login: true}
	}
	return nil
}

// Roles returns the committed roles, sorted by name.
func (db *DB) Roles() []*catalog.Role { return db.store.Roles() }

// EnsureAdmin readies the administrator of a data directory that the
// server opens. In a directory without roles it creates the bootstrap
// superuser name, with password unless that is "". Where role name exists
// without a password (a directory first served in dev mode without one) it
// sets password, if given. Otherwise it changes nothing: the password of an
// existing administrator is changed with ALTER ROLE, not at start. It
// returns what it did, for the log, or "".
func (db *DB) EnsureAdmin(name, password string) (string, error) {
	if err := checkRoleName(name); err != nil {
		return "", err
	}
	tx := db.store.Begin()
	var err error
	var did string
	switch r := db.store.Role(name); {
	case len(db.store.Roles()) == 0:
		admin := &catalog.Role{Name: name, Superuser: true, Login: true, Bootstrap: true}
		setPassword(admin, password, db.opts.PasswordEncryption)
		err, did = tx.CreateRole(admin), "created the bootstrap superuser"
	case r != nil && !r.HasPassword() && password != "":
		changed := *r
		setPassword(&changed, password, db.opts.PasswordEncryption)
		err, did = tx.AlterRole(r, &changed), "set the password of"
	default:
		tx.Rollback()
		return "", nil
	}
	if err != nil {
		tx.Rollback()
		return "", err
	}
	return fmt.Sprintf("%s %q", did, name), tx.Commit()
}

// superuser reports whether the session may manage roles.
func (s *Session) superuser() bool {
	if !s.checked() {
		return true
	}
	r := s.db.Role(s.currentRole())
	return r != nil && r.Superuser
}

// checkRoleName refuses the names PostgreSQL reserves.
func checkRoleName(name string) error {
	switch {
	case name == "":
		return sqlerr.New(sqlerr.InvalidParameterValue, "role name must not be empty")
	case strings.HasPrefix(name, "pg_"):
		return sqlerr.New(sqlerr.ReservedName, "role name %q is reserved", name).
			WithDetail("Role names starting with \"pg_\" are reserved.")
	case name == "public" || name == "none":
		return sqlerr.New(sqlerr.ReservedName, "role name %q is reserved", name)
	}
	return nil
}

// setPassword stores what authentication needs of password in r: always a
// SCRAM-SHA-256 verifier, and with encryption "md5" also the md5 hash,
// which md5 authentication needs. Keeping the verifier as well means that
// switching auth_method back to scram-sha-256 locks nobody out; the md5
// hash is kept only when asked for because it is weaker (it is enough to
// log in with md5, and cheap to attack). A password that already is a
// verifier or an md5 hash (from psql's \password or pg_dumpall) is stored
// as given. "" removes the password.
func setPassword(r *catalog.Role, password, encryption string) {
	r.SCRAM, r.MD5 = "", ""
	switch {
	case password == "":
	case auth.IsMD5(password):
		r.MD5 = password
	default:
		if _, ok := auth.ParseVerifier(password); ok {
			r.SCRAM = password
			return
		}
		r.SCRAM = auth.NewVerifier(password).String()
		if encryption == "md5" {
			r.MD5 = auth.MD5(password, r.Name)
		}
	}
}

func applyRoleOptions(r *catalog.Role, o sql.RoleOptions, encryption string) {
	if o.Superuser != nil {
		r.Superuser = *o.Superuser
	}
	if o.Login != nil {
		r.Login = *o.Login
	}
	if o.Password != nil {
		setPassword(r, *o.Password, encryption)
	}
}

func (s *Session) createRole(st *sql.CreateRoleStmt, w ResultWriter) error {
	if !s.superuser() {
		return sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied to create role").
			WithDetail("Only superusers may create roles.")
	}
	if err := checkRoleName(st.Name); err != nil {
		return err
	}
	r := &catalog.Role{Name: st.Name, Login: st.User}
	applyRoleOptions(r, st.Options, s.settings["password_encryption"])
	if err := s.tx.CreateRole(r); err != nil {
		return err
	}
	return w.Complete("CREATE ROLE")
}

func (s *Session) alterRole(st *sql.AlterRoleStmt, w ResultWriter) error {
	old := s.db.store.Catalog().Role(st.Name)
	if old == nil {
		return sqlerr.New(sqlerr.UndefinedObject, "role %q does not exist", st.Name)
	}
	if !s.superuser() {
		// As in PostgreSQL, users may change their own password.
		if st.Name != s.currentRole() || st.Options.Superuser != nil || st.Options.Login != nil {
			return sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied to alter role").
				WithDetail("Only superusers may alter roles other than their own password.")
		}
	}
	r := *old
	applyRoleOptions(&r, st.Options, s.settings["password_encryption"])
	if old.Bootstrap && !r.Superuser {
		return sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied to alter role").
			WithDetail("The bootstrap user must have the SUPERUSER attribute.")
	}
	if err := s.tx.AlterRole(old, &r); err != nil {
		return err
	}
	return w.Complete("ALTER ROLE")
}

func (s *Session) dropRole(st *sql.DropRoleStmt, w ResultWriter) error {
	if !s.superuser() {
		return sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied to drop role").
			WithDetail("Only superusers may drop roles.")
	}
	for _, name := range st.Names {
		r := s.db.store.Catalog().Role(name)
		switch {
		case r == nil && st.IfExists:
			skipping(w, sqlerr.New(sqlerr.UndefinedObject, "role %q does not exist", name))
			continue
		case r == nil:
			return sqlerr.New(sqlerr.UndefinedObject, "role %q does not exist", name)
		case name == s.currentRole():
			return sqlerr.New(sqlerr.ObjectInUse, "current user cannot be dropped")
		case name == s.sessionUser():
			return sqlerr.New(sqlerr.ObjectInUse, "session user cannot be dropped")
		case r.Bootstrap:
			return sqlerr.New(sqlerr.DependentObjectsStillExist, "cannot drop role %s because it is required by the database system", name)
		}
		if deps := roleDependents(s.db.store.Catalog(), name); len(deps) > 0 {
			return sqlerr.New(sqlerr.DependentObjectsStillExist, "role %q cannot be dropped because some objects depend on it", name).
				WithDetail("%s", strings.Join(deps, "\n"))
		}
		if err := s.tx.DropRole(r); err != nil {
			return err
		}
		if err := s.dropMemberships(name); err != nil {
			return err
		}
	}
	return w.Complete("DROP ROLE")
}
