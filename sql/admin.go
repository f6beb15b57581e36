package sql

import (
	"strconv"
	"strings"

	"rustydb/sqlerr"
)

// KillSessionStmt is Oracle's ALTER SYSTEM KILL SESSION 'sid[,serial#]'
// [IMMEDIATE], which ends a session, or ALTER SYSTEM CANCEL SQL
// 'sid[,serial#]', which cancels the statement it runs. Sessions have no
// serial number here, so one given is checked for form and ignored.
type KillSessionStmt struct {
	Session uint32 // the sid, as v$session and pg_backend_pid() show it
	Cancel  bool   // CANCEL SQL: the session stays
}

func (*KillSessionStmt) statement() {}

// alterSystemSession parses ALTER SYSTEM KILL SESSION and ALTER SYSTEM
// CANCEL SQL after ALTER; ok is false, with nothing consumed, for other
// statements.
func (p *parser) alterSystemSession() (st Statement, ok bool, err error) {
	s := &KillSessionStmt{}
	switch {
	case p.acceptKw("system", "kill", "session"):
	case p.acceptKw("system", "cancel", "sql"):
		s.Cancel = true
	default:
		return nil, false, nil
	}
	t := p.peek()
	if t.kind != tString {
		return nil, true, p.unexpected()
	}
	p.i++
	sid, serial, hasSerial := strings.Cut(t.text, ",")
	id, err := strconv.ParseUint(strings.TrimSpace(sid), 10, 32)
	if hasSerial && err == nil {
		_, err = strconv.ParseUint(strings.TrimSpace(serial), 10, 64)
	}
	if err != nil || id == 0 {
		return nil, true, sqlerr.New(sqlerr.InvalidParameterValue, "invalid session %q: expected 'sid' or 'sid,serial#'", t.text).
			WithHint("SELECT sid, username, status FROM v$session lists the sessions.").WithPosition(charPos(p.src, t.pos))
	}
	s.Session = uint32(id)
	if !s.Cancel {
		p.acceptKw("immediate")
	}
	return s, true, nil
}
