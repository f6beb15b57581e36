package sql

import "rustydb/sqlerr"

type (
	// CreateRoleStmt is CREATE ROLE | USER name [[WITH] options], including
	// the form CREATE USER name IDENTIFIED BY 'password'.
	CreateRoleStmt struct {
		Name    string
		User    bool // CREATE USER, which can log in unless NOLOGIN is given
		Options RoleOptions
	}

	// AlterRoleStmt is ALTER ROLE | USER name [WITH] options.
	AlterRoleStmt struct {
		Name    string
		Options RoleOptions
	}

	// DropRoleStmt is DROP ROLE | USER [IF EXISTS] name [, ...].
	DropRoleStmt struct {
		Names    []string
		IfExists bool
	}

	// RoleOptions are the options of CREATE and ALTER ROLE; nil means not
	// given.
	RoleOptions struct {
		// Password is the new password, or a SCRAM-SHA-256 verifier or md5
		// hash computed by the client; "" (PASSWORD NULL or '') removes it.
		Password         *string
		Superuser, Login *bool
	}
)

func (*CreateRoleStmt) statement() {}
func (*AlterRoleStmt) statement()  {}
func (*DropRoleStmt) statement()   {}

// roleFlag is a role option that is a keyword alone.
type roleFlag struct {
	option string // "superuser" or "login"; "" for a no-op
	value  bool
}

// roleFlags are the role options that are keywords alone. The no-ops state
// what every role already is here (no role can create databases or roles
// unless it is a superuser, and roles have no members to inherit from);
// pg_dumpall writes them.
var roleFlags = map[string]roleFlag{
	"superuser": {"superuser", true}, "nosuperuser": {"superuser", false},
	"login": {"login", true}, "nologin": {"login", false},
	"inherit": {}, "noinherit": {}, "nocreatedb": {}, "nocreaterole": {}, "noreplication": {}, "nobypassrls": {},
}

// unsupportedRoleOptions are PostgreSQL's other role options (and ALTER
// ROLE's RENAME, SET and RESET), refused by name rather than as a syntax
// error.
var unsupportedRoleOptions = map[string]bool{
	"createdb": true, "createrole": true, "replication": true, "bypassrls": true, "connection": true,
	"valid": true, "in": true, "role": true, "admin": true, "user": true, "sysid": true,
	"rename": true, "set": true, "reset": true,
}

func ptr[T any](v T) *T { return &v }

// createRole parses CREATE ROLE | USER after CREATE.
func (p *parser) createRole() (Statement, error) {
	s := &CreateRoleStmt{User: p.advance().text == "user"}
	var err error
	if s.Name, err = p.ident(); err != nil {
		return nil, err
	}
	p.acceptKw("with")
	s.Options, err = p.roleOptions()
	return s, err
}

// alterRole parses ALTER ROLE | USER after ALTER.
func (p *parser) alterRole() (Statement, error) {
	p.i++ // role | user
	s := &AlterRoleStmt{}
	var err error
	if s.Name, err = p.ident(); err != nil {
		return nil, err
	}
	p.acceptKw("with")
	s.Options, err = p.roleOptions()
	return s, err
}

// dropRole parses DROP ROLE | USER after DROP.
func (p *parser) dropRole() (Statement, error) {
	p.i++ // role | user
	s := &DropRoleStmt{IfExists: p.acceptKw("if", "exists")}
	for {
		name, err := p.ident()
		if err != nil {
			return nil, err
		}
		s.Names = append(s.Names, name)
		if !p.acceptOp(",") {
			return s, nil
		}
	}
}

// roleOptions parses role options up to the end of the statement.
func (p *parser) roleOptions() (RoleOptions, error) {
	var o RoleOptions
	seen := map[string]bool{}
	for p.peek().kind == tIdent {
		t := p.peek()
		kw := t.text
		if unsupportedRoleOptions[kw] {
			return o, sqlerr.New(sqlerr.FeatureNotSupported, "role option %s is not supported", p.tokenText(t)).
				WithPosition(charPos(p.src, t.pos))
		}
		flag, isFlag := roleFlags[kw]
		switch {
		case isFlag:
			p.i++
			if flag.option == "" {
				continue
			}
			if seen[flag.option] {
				return o, p.errAt(t.pos, "conflicting or redundant options")
			}
			seen[flag.option] = true
			if flag.option == "login" {
				o.Login = ptr(flag.value)
			} else {
				o.Superuser = ptr(flag.value)
			}
			continue
		case kw == "password":
			p.i++
		case kw == "encrypted":
			p.i++
			if err := p.expectKw("password"); err != nil {
				return o, err
			}
		case kw == "identified":
			p.i++
			if err := p.expectKw("by"); err != nil {
				return o, err
			}
		default:
			return o, p.unexpected()
		}
		if seen["password"] {
			return o, p.errAt(t.pos, "conflicting or redundant options")
		}
		seen["password"] = true
		switch v := p.peek(); {
		case v.kind == tString:
			p.i++
			o.Password = ptr(v.text)
		case kw == "password" && p.acceptKw("null"):
			o.Password = ptr("")
		default:
			return o, p.unexpected()
		}
	}
	return o, nil
}
