package sql

// SET ROLE and SET SESSION AUTHORIZATION, which change the roles a
// session's privileges are checked against. Both are SetStmt, named
// "role" and "session_authorization", with Values nil for NONE / DEFAULT
// and RESET, else the role's name; SET LOCAL ROLE and SET LOCAL SESSION
// AUTHORIZATION set Local.

// setRoleValue parses what follows SET ROLE or SET SESSION AUTHORIZATION:
// [= | TO] name, 'name', or the keyword none (SET ROLE NONE) or DEFAULT.
func (p *parser) setRoleValue(name string, none string, local bool) (Statement, error) {
	if !p.acceptOp("=") {
		p.acceptKw("to")
	}
	t := p.peek()
	switch {
	case t.kind == tIdent && (t.text == none || t.text == "default"):
		p.i++
		return &SetStmt{Name: name, Local: local}, nil
	case t.kind == tIdent || t.kind == tQIdent || t.kind == tString:
		p.i++
		return &SetStmt{Name: name, Value: t.text, Values: []string{t.text}, Local: local}, nil
	}
	return nil, p.unexpected()
}
