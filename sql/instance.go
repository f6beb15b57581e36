package sql

import "strings"

// Statements that control the server instance rather than data: SHUTDOWN,
// ALTER SYSTEM ENABLE | DISABLE RESTRICTED SESSION and ALTER DATABASE OPEN
// (Oracle's names; PostgreSQL has pg_ctl stop -m smart | fast | immediate
// for the shutdown modes and nothing for the others).

type (
	// ShutdownStmt is SHUTDOWN [NORMAL | IMMEDIATE | ABORT]; Mode is upper
	// case, NORMAL when the statement names none.
	ShutdownStmt struct {
		Mode string
	}
	// RestrictedSessionStmt is ALTER SYSTEM ENABLE | DISABLE RESTRICTED SESSION.
	RestrictedSessionStmt struct {
		Enable bool
	}
	// AlterDatabaseOpenStmt is ALTER DATABASE OPEN: a server started with
	// --mount-only opens its tables to queries.
	AlterDatabaseOpenStmt struct{}
)

func (*ShutdownStmt) statement()          {}
func (*RestrictedSessionStmt) statement() {}
func (*AlterDatabaseOpenStmt) statement() {}

// shutdownStmt parses SHUTDOWN [NORMAL | IMMEDIATE | ABORT].
func (p *parser) shutdownStmt() (Statement, error) {
	p.i++ // shutdown
	for _, mode := range []string{"normal", "immediate", "abort"} {
		if p.acceptKw(mode) {
			return &ShutdownStmt{Mode: strings.ToUpper(mode)}, nil
		}
	}
	if p.peek().kind == tIdent {
		return nil, p.errAt(p.peek().pos, "unknown shutdown mode %q: use NORMAL, IMMEDIATE or ABORT", p.peek().text)
	}
	return &ShutdownStmt{Mode: "NORMAL"}, nil
}

// restrictedSession parses the rest of ALTER SYSTEM ENABLE | DISABLE
// RESTRICTED SESSION from its ENABLE or DISABLE on.
func (p *parser) restrictedSession() (Statement, error) {
	enable := p.advance().text == "enable"
	for _, kw := range []string{"restricted", "session"} {
		if err := p.expectKw(kw); err != nil {
			return nil, err
		}
	}
	return &RestrictedSessionStmt{Enable: enable}, nil
}

// alterDatabase parses the rest of ALTER DATABASE OPEN, after ALTER
// DATABASE.
func (p *parser) alterDatabase() (Statement, error) {
	if err := p.expectKw("open"); err != nil {
		return nil, err
	}
	return &AlterDatabaseOpenStmt{}, nil
}
