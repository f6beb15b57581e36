package sql

import (
	"strings"

	"rustydb/sqlerr"
)

// AlterDefaultPrivilegesStmt is
//
//	ALTER DEFAULT PRIVILEGES [FOR {ROLE | USER} r [, ...]] [IN SCHEMA s [, ...]]
//	    { GRANT ... ON {TABLES | SEQUENCES} TO ... | REVOKE ... ON {TABLES | SEQUENCES} FROM ... }
//
// the privileges that relations the roles create later start with.
type AlterDefaultPrivilegesStmt struct {
	Roles   []string // nil: the current role
	Schemas []string // nil: every schema
	// Grant is the GRANT or REVOKE; its On is "tables" or "sequences" and
	// it has no Objects.
	Grant *GrantStmt
}

func (*AlterDefaultPrivilegesStmt) statement() {}

// alterDefaultPrivileges parses ALTER DEFAULT PRIVILEGES after its three
// words.
func (p *parser) alterDefaultPrivileges() (Statement, error) {
	s := &AlterDefaultPrivilegesStmt{}
	for {
		var err error
		switch {
		case p.acceptKw("for"):
			if !p.acceptKw("role") && !p.acceptKw("user") {
				return nil, p.unexpected()
			}
			s.Roles, err = p.identList()
		case p.acceptKw("in"):
			if err := p.expectKw("schema"); err != nil {
				return nil, err
			}
			s.Schemas, err = p.identList()
		case p.isKw("grant") || p.isKw("revoke"):
			if s.Grant, err = p.grantWith(p.defaultObjects); err != nil {
				return nil, err
			}
			if s.Grant.On == "" { // GRANT role TO role
				return nil, p.errAt(p.peek().pos, "ALTER DEFAULT PRIVILEGES grants privileges ON TABLES or ON SEQUENCES")
			}
			return s, nil
		default:
			return nil, p.unexpected()
		}
		if err != nil {
			return nil, err
		}
	}
}

// defaultObjects parses the kind of object after ON in ALTER DEFAULT
// PRIVILEGES.
func (p *parser) defaultObjects(s *GrantStmt) error {
	t := p.peek()
	switch {
	case p.acceptKw("tables"):
		s.On = "tables"
	case p.acceptKw("sequences"):
		s.On = "sequences"
	case t.kind == tIdent && (t.text == "functions" || t.text == "routines" || t.text == "types" || t.text == "schemas"):
		return sqlerr.New(sqlerr.FeatureNotSupported, "default privileges on %s are not supported", strings.ToUpper(t.text)).
			WithPosition(charPos(p.src, t.pos))
	default:
		return p.unexpected()
	}
	return nil
}
