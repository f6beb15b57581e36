package sql

import (
	"fmt"
	"testing"

	"rustydb/sqlerr"
)

// roleString renders a role statement for comparison.
func roleString(s Statement) string {
	opts := func(o RoleOptions) string {
		out := ""
		if o.Password != nil {
			out += fmt.Sprintf(" password=%q", *o.Password)
		}
		if o.Superuser != nil {
			out += fmt.Sprintf(" superuser=%v", *o.Superuser)
		}
		if o.Login != nil {
			out += fmt.Sprintf(" login=%v", *o.Login)
		}
		return out
	}
	switch s := s.(type) {
	case *CreateRoleStmt:
		return fmt.Sprintf("create %s user=%v%s", s.Name, s.User, opts(s.Options))
	case *AlterRoleStmt:
		return fmt.Sprintf("alter %s%s", s.Name, opts(s.Options))
	case *DropRoleStmt:
		return fmt.Sprintf("drop %v if_exists=%v", s.Names, s.IfExists)
	}
	return fmt.Sprintf("%T", s)
}

func TestParseRoles(t *testing.T) {
	f := func(sql, want string) {
		t.Helper()
		stmts, err := Parse(sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if got := roleString(stmts[0]); got != want {
			t.Errorf("%s:\n got %s\nwant %s", sql, got, want)
		}
		if Kind(stmts[0]) != "ddl" {
			t.Errorf("%s: Kind %q", sql, Kind(stmts[0]))
		}
	}
	f("CREATE USER alice", "create alice user=true")
	f("create role r", "create r user=false")
	f("CREATE USER alice WITH PASSWORD 'pw' SUPERUSER LOGIN", `create alice user=true password="pw" superuser=true login=true`)
	f("CREATE USER alice PASSWORD 'it''s' NOSUPERUSER NOLOGIN", `create alice user=true password="it's" superuser=false login=false`)
	f("CREATE USER \"Mixed Case\" IDENTIFIED BY 'pw'", `create Mixed Case user=true password="pw"`)
	f("CREATE ROLE r ENCRYPTED PASSWORD 'pw'", `create r user=false password="pw"`)
	f("CREATE ROLE r PASSWORD NULL", `create r user=false password=""`)
	f("ALTER USER alice WITH PASSWORD 'new'", `alter alice password="new"`)
	f("ALTER ROLE alice SUPERUSER", "alter alice superuser=true")
	// what pg_dumpall writes
	f("ALTER ROLE alice WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS PASSWORD 'SCRAM-SHA-256$4096:c2FsdA==$a:b'",
		`alter alice password="SCRAM-SHA-256$4096:c2FsdA==$a:b" superuser=false login=true`)
	f("ALTER ROLE alice WITH INHERIT", "alter alice")
	f("ALTER USER alice", "alter alice")
	f("DROP USER alice", "drop [alice] if_exists=false")
	f("DROP ROLE IF EXISTS a, b", "drop [a b] if_exists=true")
}

func TestParseRoleErrors(t *testing.T) {
	f := func(sql, code, msg string) {
		t.Helper()
		_, err := Parse(sql)
		e, ok := err.(*sqlerr.Error)
		if !ok || e.Code != code || e.Message != msg {
			t.Errorf("%s: got %v, want %s %q", sql, err, code, msg)
		}
	}
	f("CREATE USER", sqlerr.SyntaxError, "syntax error at end of input")
	f("CREATE USER alice PASSWORD", sqlerr.SyntaxError, "syntax error at end of input")
	f("CREATE USER alice PASSWORD 5", sqlerr.SyntaxError, `syntax error at or near "5"`)
	f("CREATE USER alice IDENTIFIED 'pw'", sqlerr.SyntaxError, `syntax error at or near "'pw'"`)
	f("CREATE USER alice LOGIN NOLOGIN", sqlerr.SyntaxError, "conflicting or redundant options")
	f("CREATE USER alice PASSWORD 'a' IDENTIFIED BY 'b'", sqlerr.SyntaxError, "conflicting or redundant options")
	f("CREATE USER alice CREATEDB", sqlerr.FeatureNotSupported, "role option CREATEDB is not supported")
	f("ALTER USER alice RENAME TO bob", sqlerr.FeatureNotSupported, "role option RENAME is not supported")
	f("ALTER USER alice PASSWORD 'x' VALID UNTIL 'infinity'", sqlerr.FeatureNotSupported, "role option VALID is not supported")
	f("DROP USER", sqlerr.SyntaxError, "syntax error at end of input")
}
