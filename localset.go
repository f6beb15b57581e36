package rustydb

import (
	"rustydb/exec"
	"rustydb/sql"
	"rustydb/sqlerr"
)

// Settings across a transaction, as in PostgreSQL: SET LOCAL lasts until
// the transaction block ends, a plain SET until a ROLLBACK undoes it; RESET
// ALL and DISCARD put the session back as it started. SET [LOCAL] ROLE and
// SET [LOCAL] SESSION AUTHORIZATION follow the same rules.

// savedSetting is what the transaction block's end puts back of a setting
// that a SET in the block changed: at ROLLBACK its value before the block,
// at COMMIT, if the last SET was SET LOCAL, its value before that SET LOCAL
// as plain SETs left it (PostgreSQL's GUC_SET_LOCAL; else COMMIT keeps it).
type savedSetting struct {
	before, atCommit settingValue
	param            bool // a server parameter: had says the session has its own
	local            bool // the last SET of it in the block was SET LOCAL
}

// settingValue is a setting's value at some point of the block.
type settingValue struct {
	value string
	had   bool
}

// rememberSetting records name's value before a SET in the transaction
// block changes it.
func (s *Session) rememberSetting(name string, local bool) {
	if s.txSettings == nil {
		s.txSettings = map[string]*savedSetting{}
	}
	p, param := sessionParam(name)
	if param {
		name = p.Name
	}
	if saved, ok := s.txSettings[name]; ok {
		if local && !saved.local {
			saved.atCommit = s.settingNow(name, saved)
		}
		saved.local = local
		return
	}
	saved := &savedSetting{local: local, param: param}
	saved.before = s.settingNow(name, saved)
	saved.atCommit = saved.before
	s.txSettings[name] = saved
}

// settingNow returns the current value of the setting saved is kept for.
func (s *Session) settingNow(name string, saved *savedSetting) settingValue {
	switch {
	case saved.param:
		v, had := s.params[name]
		return settingValue{v, had}
	case name == "role":
		return settingValue{s.role, true}
	case name == "session_authorization":
		return settingValue{s.sessionAuth, true}
	}
	return settingValue{s.settings[name], true}
}

// endSettings runs as the transaction block ends: it restores what its SET
// LOCALs changed, and after a rollback everything its SETs changed,
// reporting restored protocol parameters to the client through w. Roles
// are put back without checking the privilege to take them on again, as
// PostgreSQL does.
func (s *Session) endSettings(w ResultWriter, rolledBack bool) {
	saved := s.txSettings
	s.txSettings = nil
	rolesChanged := false
	for name, v := range saved {
		to := v.atCommit
		switch {
		case rolledBack:
			to = v.before
		case !v.local:
			continue
		}
		s.settingsChanged()
		switch {
		case v.param && to.had:
			s.params[name] = to.value
		case v.param:
			delete(s.params, name)
		case name == "role":
			s.role, rolesChanged = to.value, true
		case name == "session_authorization":
			s.sessionAuth, rolesChanged = to.value, true
		default:
			_ = s.setTo(name, to.value, w)
		}
	}
	if rolesChanged {
		s.roleChanged(w)
	}
}

// setLocalOutsideBlock runs SET LOCAL outside a transaction block: it
// warns, and as in PostgreSQL, where the statement's own transaction ends
// at once, the value is checked and then has no effect.
func (s *Session) setLocalOutsideBlock(name string, st *sql.SetStmt, w ResultWriter) error {
	w.Notice(Notice{Severity: "WARNING", Code: sqlerr.NoActiveSQLTransaction, Message: "SET LOCAL can only be used in transaction blocks"})
	if name == "transaction_isolation" {
		return w.Complete("SET")
	}
	s.rememberSetting(name, true)
	if name == "session_authorization" {
		s.rememberSetting("role", true)
	}
	plain := *st
	plain.Local = false
	err := s.set(&plain, noTag{w})
	s.endSettings(noTag{w}, true)
	if err != nil {
		return err
	}
	return w.Complete("SET")
}

// setTo runs SET name = value on behalf of another statement (its tag is
// not sent), value being a setting's text as SHOW gives it.
func (s *Session) setTo(name, value string, w ResultWriter) error {
	values := []string{value}
	if name == "search_path" { // kept formatted: SET takes the names
		values = parseSearchPath(value)
	}
	return s.set(&sql.SetStmt{Name: name, Value: value, Values: values}, noTag{w})
}

// noTag passes a statement's notices and parameter reports on but not its
// completion, for statements run on behalf of another.
type noTag struct{ ResultWriter }

func (noTag) Complete(string) error { return nil }

func (w noTag) inner() ResultWriter { return w.ResultWriter }

// resetAll is RESET ALL: every setting SET can change back to the
// session's start, except the role (as PostgreSQL's role and
// session_authorization are exempt).
func (s *Session) resetAll(w ResultWriter) error {
	defaults := defaultSettings(s.user)
	for name := range settable {
		if _, ok := defaults[name]; !ok || name == "transaction_isolation" {
			continue
		}
		if err := s.setTo(name, defaults[name], w); err != nil {
			return err
		}
	}
	for name := range s.params {
		if err := s.set(&sql.SetStmt{Name: name, Value: "default", Values: []string{"default"}}, noTag{w}); err != nil {
			return err
		}
	}
	return nil
}

// StatementDeallocator is a ResultWriter whose client keeps protocol-level
// prepared statements, which DISCARD ALL drops (PostgreSQL's DEALLOCATE
// ALL).
type StatementDeallocator interface {
	DeallocateAll()
}

// discard runs DISCARD ALL | PLANS | SEQUENCES | TEMP and RESET ALL.
func (s *Session) discard(st *sql.DiscardStmt, w ResultWriter) error {
	switch st.What {
	case "reset all":
		if err := s.resetAll(w); err != nil {
			return err
		}
		return w.Complete("RESET")
	case "all":
		if s.explicit {
			return sqlerr.New(sqlerr.ActiveSQLTransaction, "DISCARD ALL cannot run inside a transaction block")
		}
		s.closeCursors(func(*cursor) bool { return true })
		if err := s.setSessionAuthorization(&sql.SetStmt{Name: "session_authorization"}, noTag{w}); err != nil {
			return err
		}
		if err := s.resetAll(w); err != nil {
			return err
		}
		if d, ok := findWriter[StatementDeallocator](w); ok {
			d.DeallocateAll()
		}
		s.sqlPrepared = nil
		s.seqs = exec.SeqValues{}
	case "sequences":
		s.seqs = exec.SeqValues{}
	}
	// PLANS: prepared statements bind again when the catalog changes, and
	// there is no shared plan cache; TEMP: there are no temporary tables.
	return w.Complete("DISCARD " + map[string]string{"all": "ALL", "plans": "PLANS", "sequences": "SEQUENCES", "temp": "TEMP"}[st.What])
}
