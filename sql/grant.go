package sql

import (
	"slices"
	"strings"

	"rustydb/sqlerr"
)

// GrantStmt is GRANT or REVOKE of privileges on objects, or of roles:
//
//	GRANT { priv [(column [, ...])] [, ...] | ALL [PRIVILEGES] } ON { [TABLE] t [, ...] | SEQUENCE s [, ...]
//	      | ALL TABLES IN SCHEMA n [, ...] | SCHEMA n [, ...] }
//	      TO grantee [, ...] [WITH GRANT OPTION]
//	REVOKE [GRANT OPTION FOR] ... FROM grantee [, ...] [CASCADE | RESTRICT]
//	GRANT role [, ...] TO role [, ...]
//	REVOKE role [, ...] FROM role [, ...]
type GrantStmt struct {
	Revoke bool
	// Privs are the privileges' names in lower case; nil with All.
	Privs []string
	// Columns are the columns each of Privs is granted on, nil for the
	// whole object: GRANT SELECT (a, b) ON t.
	Columns [][]string
	All     bool
	// On is what Objects are: "table", "sequence", "schema" or
	// "all tables in schema" (Objects then name schemas).
	On      string
	Objects []ObjectName
	// Roles are the roles granted for GRANT role TO; Privs, All and
	// Objects are then empty.
	Roles []string
	// Grantees are the roles given or taken the privileges; "" is PUBLIC.
	Grantees []string
	// GrantOption is WITH GRANT OPTION, or REVOKE GRANT OPTION FOR.
	GrantOption bool
	Cascade     bool
}

func (*GrantStmt) statement() {}

// privilegeNames are PostgreSQL's privileges; which apply to an object is
// for the engine to say.
var privilegeNames = map[string]bool{
	"select": true, "insert": true, "update": true, "delete": true, "truncate": true, "references": true,
	"trigger": true, "usage": true, "create": true, "execute": true, "connect": true, "temporary": true, "temp": true,
}

// grantStmt parses GRANT and REVOKE.
func (p *parser) grantStmt() (Statement, error) {
	s, err := p.grantWith(p.grantObjects)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// grantWith parses GRANT or REVOKE with objects parsing what follows ON.
func (p *parser) grantWith(objects func(*GrantStmt) error) (*GrantStmt, error) {
	s := &GrantStmt{Revoke: p.advance().text == "revoke"}
	if s.Revoke && p.acceptKw("grant", "option", "for") {
		s.GrantOption = true
	}
	// A list of privileges or of roles: which, ON tells.
	var names []string
	if p.acceptKw("all") {
		s.All = true
		p.acceptKw("privileges")
	} else {
		for {
			t := p.peek()
			if t.kind != tIdent && t.kind != tQIdent || t.kind == tIdent && (t.text == "to" || t.text == "from" || t.text == "on") {
				return nil, p.unexpected()
			}
			p.i++
			names = append(names, t.text)
			var cols []string
			if p.isOp("(") {
				var err error
				if cols, err = p.parenIdentList(); err != nil {
					return nil, err
				}
			}
			s.Columns = append(s.Columns, cols)
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if s.All || p.isKw("on") {
		if err := p.expectKw("on"); err != nil {
			return nil, err
		}
		for _, n := range names {
			if !privilegeNames[n] {
				return nil, sqlerr.New(sqlerr.SyntaxError, "unrecognized privilege type %q", n)
			}
		}
		s.Privs = names
		if err := objects(s); err != nil {
			return nil, err
		}
	} else {
		if s.GrantOption || slices.ContainsFunc(s.Columns, func(c []string) bool { return c != nil }) {
			return nil, p.unexpected()
		}
		s.Roles, s.Columns = names, nil
	}
	to := "to"
	if s.Revoke {
		to = "from"
	}
	if err := p.expectKw(to); err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		switch {
		case t.kind == tIdent && t.text == "public":
			p.i++
			s.Grantees = append(s.Grantees, "")
		case t.kind == tIdent && t.text == "group": // GRANT ... TO GROUP r, an old spelling
			p.i++
			continue
		default:
			name, err := p.ident()
			if err != nil {
				return nil, err
			}
			s.Grantees = append(s.Grantees, name)
		}
		if !p.acceptOp(",") {
			break
		}
	}
	switch {
	case !s.Revoke && p.acceptKw("with"):
		if s.Roles != nil {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "WITH ADMIN OPTION is not supported")
		}
		if err := p.expectKw("grant"); err != nil {
			return nil, err
		}
		if err := p.expectKw("option"); err != nil {
			return nil, err
		}
		s.GrantOption = true
	case s.Revoke && p.acceptKw("cascade"):
		s.Cascade = true
	case s.Revoke:
		p.acceptKw("restrict")
	}
	return s, nil
}

// grantObjects parses what follows ON.
func (p *parser) grantObjects(s *GrantStmt) error {
	switch {
	case p.acceptKw("all", "tables", "in", "schema"):
		s.On = "all tables in schema"
	case p.acceptKw("schema"):
		s.On = "schema"
	case p.acceptKw("sequence"):
		s.On = "sequence"
	default:
		for _, kw := range []string{"function", "procedure", "routine", "database", "domain", "type", "language",
			"tablespace", "foreign", "large", "all"} {
			if p.isKw(kw) {
				return sqlerr.New(sqlerr.FeatureNotSupported, "privileges on %s are not supported", strings.ToUpper(kw)).
					WithPosition(charPos(p.src, p.peek().pos))
			}
		}
		p.acceptKw("table")
		s.On = "table"
	}
	if s.On == "table" || s.On == "sequence" {
		var err error
		s.Objects, err = p.tableList()
		return err
	}
	names, err := p.identList()
	for _, n := range names {
		s.Objects = append(s.Objects, ObjectName{Name: n})
	}
	return err
}
