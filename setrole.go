package rustydb

import (
	"slices"

	"rustydb/sql"
	"rustydb/sqlerr"
)

// SET ROLE and SET SESSION AUTHORIZATION, as in PostgreSQL 15. A session
// has three roles: the user that logged in (Session.user), the session
// user, which a superuser that logged in may change with SET SESSION
// AUTHORIZATION, and the current role, which SET ROLE changes to a role
// the session user is a member of. Privileges, ownership of new objects,
// current_user and "$user" in search_path follow the current role.
//
// Inside a transaction block both are undone as other settings are (see
// localset.go). An embedded session that takes on a role, with either statement, has
// that role's privileges until RESET; without one it may do anything.

// sessionUser returns session_user: SET SESSION AUTHORIZATION's role, else
// the user the session was opened for.
func (s *Session) sessionUser() string {
	if s.sessionAuth != "" {
		return s.sessionAuth
	}
	return s.user
}

// currentRole returns current_user, whose privileges statements have:
// SET ROLE's role, else the session user.
func (s *Session) currentRole() string {
	if s.role != "" {
		return s.role
	}
	return s.sessionUser()
}

// checked reports whether the session's statements are checked against
// the current role's privileges: for sessions that logged in, and for
// embedded ones that took on a role.
func (s *Session) checked() bool { return s.login || s.sessionAuth != "" || s.role != "" }

// setRole runs SET ROLE name | NONE and RESET ROLE: the session user must
// be a member of the role, or a superuser.
func (s *Session) setRole(st *sql.SetStmt, w ResultWriter) error {
	role := ""
	if st.Values != nil {
		role = st.Value
		if s.db.Role(role) == nil {
			return sqlerr.New(sqlerr.UndefinedObject, "role %q does not exist", role)
		}
		cat := s.db.store.Catalog()
		su := s.sessionUser()
		embedded := !s.login && s.sessionAuth == ""
		if !embedded && !cat.Bypasses(su) && !slices.Contains(cat.Memberships(su), role) {
			return sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied to set role %q", role)
		}
	}
	if s.explicit {
		s.rememberSetting("role", st.Local)
	}
	s.role = role
	s.roleChanged(w)
	return w.Complete("SET")
}

// setSessionAuthorization runs SET SESSION AUTHORIZATION name | DEFAULT
// and RESET SESSION AUTHORIZATION, which only a session whose login user
// is a superuser may; it also ends SET ROLE.
func (s *Session) setSessionAuthorization(st *sql.SetStmt, w ResultWriter) error {
	if r := s.db.Role(s.user); s.login && (r == nil || !r.Superuser) {
		return sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied to set session authorization")
	}
	user := ""
	if st.Values != nil {
		user = st.Value
		if s.db.Role(user) == nil {
			return sqlerr.New(sqlerr.UndefinedObject, "role %q does not exist", user)
		}
	}
	if s.explicit { // it also sets the role, as PostgreSQL's SET SESSION AUTHORIZATION does
		s.rememberSetting("session_authorization", st.Local)
		s.rememberSetting("role", st.Local)
	}
	s.sessionAuth, s.role = user, ""
	s.roleChanged(w)
	return w.Complete("SET")
}

// roleChanged updates the settings that show the session's roles and
// reports those clients track.
func (s *Session) roleChanged(w ResultWriter) {
	s.settingsChanged()
	s.settings["role"] = "none"
	if s.role != "" {
		s.settings["role"] = s.role
	}
	s.settings["session_authorization"] = s.sessionUser()
	s.settings["is_superuser"] = "off"
	if r := s.db.Role(s.currentRole()); r != nil && r.Superuser || !s.checked() {
		s.settings["is_superuser"] = "on"
	}
	w.ParameterStatus("session_authorization", s.settings["session_authorization"])
	w.ParameterStatus("is_superuser", s.settings["is_superuser"])
}
