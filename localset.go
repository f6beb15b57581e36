package rustydb

import (
	"rustydb/exec"
	"rustydb/sql"
	"rustydb/sqlerr"
)

// Settings across a transaction, as in PostgreSQL: SET LOCAL lasts until
// the transaction block ends, a plain SET until a ROLLBACK undoes it; RESET
// ALL and DISCARD put the session back as it started.

// savedSetting is a setting's value before the first SET of it in the
// transaction block.
type savedSetting struct {
	value string
	param bool // a server parameter: value is the session's own when had
	had   bool
	local bool // the last SET of it in the block was SET LOCAL
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
		saved.local = local
		return
	}
	saved := &savedSetting{local: local, param: param}
	if param {
		saved.value, saved.had = s.params[name]
	} else {
		saved.value = s.settings[name]
	}
	s.txSettings[name] = saved
}

// endSettings runs as the transaction block ends: it restores what its SET
// LOCALs changed, and after a rollback everything its SETs changed,
// reporting restored protocol parameters to the client through w.
func (s *Session) endSettings(w ResultWriter, rolledBack bool) {
	saved := s.txSettings
	s.txSettings = nil
	for name, v := range saved {
		switch {
		case !rolledBack && !v.local:
		case v.param && v.had:
			s.params[name] = v.value
		case v.param:
			delete(s.params, name)
		default:
			_ = s.setTo(name, v.value, w)
		}
	}
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
