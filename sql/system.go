package sql

// Statements about server parameters: ALTER SYSTEM SET / RESET, ALTER
// SESSION SET, and SHOW in its PostgreSQL and Oracle forms.

import "strings"

// AlterSystemStmt is ALTER SYSTEM SET name = value [SCOPE = MEMORY |
// SPFILE | BOTH], or ALTER SYSTEM RESET name [SCOPE = ...] (Reset, no
// Value); SET name = DEFAULT is a reset too. Scope is "" when not given.
type AlterSystemStmt struct {
	Name  string
	Value string
	Reset bool
	Scope string
}

func (*AlterSystemStmt) statement() {}

// alterSystem parses what follows ALTER SYSTEM SET | RESET.
func (p *parser) alterSystem() (Statement, error) {
	s := &AlterSystemStmt{Reset: p.advance().text == "reset"}
	name, err := p.settingName()
	if err != nil {
		return nil, err
	}
	s.Name = name
	if !s.Reset {
		if !p.acceptOp("=") && !p.acceptKw("to") {
			return nil, p.unexpected()
		}
		v, err := p.setValue()
		if err != nil {
			return nil, err
		}
		s.Value = strings.Join(v, ", ")
		s.Reset = len(v) == 1 && v[0] == "default" && p.toks[p.i-1].kind == tIdent
	}
	if p.acceptKw("scope") {
		if err := p.expectOp("="); err != nil {
			return nil, err
		}
		t := p.peek()
		if t.kind != tIdent || (t.text != "memory" && t.text != "spfile" && t.text != "both") {
			return nil, p.errAt(t.pos, "SCOPE must be MEMORY, SPFILE or BOTH")
		}
		p.i++
		s.Scope = strings.ToUpper(t.text)
	}
	return s, nil
}

// settingName reads a parameter name: a word or section.key.
func (p *parser) settingName() (string, error) {
	name, err := p.ident()
	for err == nil && p.acceptOp(".") {
		var part string
		part, err = p.ident()
		name += "." + part
	}
	return name, err
}

// showStmt parses SHOW name, SHOW ALL, SHOW TIME ZONE, SHOW TRANSACTION
// ISOLATION LEVEL and Oracle's SHOW PARAMETER[S] [LIKE 'pattern' |
// fragment]. The last is a query of v$parameter, and parses as one: the
// parameters whose name or section.key matches the pattern (case
// insensitive), or contains the fragment, by name.
func (p *parser) showStmt() (Statement, error) {
	p.i++ // show
	if p.acceptKw("parameters") || p.acceptKw("parameter") {
		var pattern string
		switch t := p.peek(); {
		case p.acceptKw("like"):
			if t = p.peek(); t.kind != tString {
				return nil, p.unexpected()
			}
			pattern = p.advance().text
		case t.kind == tIdent || t.kind == tQIdent:
			name, err := p.settingName()
			if err != nil {
				return nil, err
			}
			pattern = "%" + name + "%"
		}
		query := "SELECT name, type, value, default_value, is_dynamic, scope FROM v$parameter"
		if pattern != "" {
			lit := "'" + strings.ReplaceAll(pattern, "'", "''") + "'"
			query += " WHERE name ILIKE " + lit + " OR config_key ILIKE " + lit
		}
		stmts, err := Parse(query + " ORDER BY name")
		if err != nil {
			return nil, err
		}
		return stmts[0], nil
	}
	var parts []string
	for p.peek().kind == tIdent || p.peek().kind == tQIdent {
		part := p.advance().text
		for p.isOp(".") && p.isName(1) {
			p.i++
			part += "." + p.advance().text
		}
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return nil, p.unexpected()
	}
	name := strings.Join(parts, " ")
	if name == "time zone" && p.toks[p.i-1].kind == tIdent {
		name = "timezone"
	}
	return &ShowStmt{Name: name}, nil
}
