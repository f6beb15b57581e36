package sql

import (
	"reflect"
	"testing"

	"rustydb/sqlerr"
)

func TestParseInstanceStatements(t *testing.T) {
	f := func(src string, want Statement) {
		t.Helper()
		stmts, err := Parse(src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		if len(stmts) != 1 || !reflect.DeepEqual(stmts[0], want) {
			t.Fatalf("Parse(%q) = %#v, want %#v", src, stmts, want)
		}
		if k := Kind(stmts[0]); k != "utility" {
			t.Errorf("Kind(%q) = %q, want utility", src, k)
		}
	}
	f("SHUTDOWN", &ShutdownStmt{Mode: "NORMAL"})
	f("shutdown normal;", &ShutdownStmt{Mode: "NORMAL"})
	f("SHUTDOWN IMMEDIATE", &ShutdownStmt{Mode: "IMMEDIATE"})
	f("Shutdown Abort", &ShutdownStmt{Mode: "ABORT"})
	f("ALTER SYSTEM ENABLE RESTRICTED SESSION", &RestrictedSessionStmt{Enable: true})
	f("alter system disable restricted session", &RestrictedSessionStmt{Enable: false})
	f("ALTER DATABASE OPEN", &AlterDatabaseOpenStmt{})
}

func TestParseInstanceErrors(t *testing.T) {
	f := func(src, msg string) {
		t.Helper()
		_, err := Parse(src)
		e := sqlerr.From(err)
		if err == nil || e.Code != sqlerr.SyntaxError || e.Message != msg {
			t.Errorf("Parse(%q) = %v, want 42601 %q", src, err, msg)
		}
	}
	f("SHUTDOWN FAST", `unknown shutdown mode "fast": use NORMAL, IMMEDIATE or ABORT`)
	f("SHUTDOWN NORMAL NOW", `syntax error at or near "NOW"`)
	f("ALTER SYSTEM ENABLE RESTRICTED", "syntax error at end of input")
	f("ALTER SYSTEM DISABLE SESSION", `syntax error at or near "SESSION"`)
	f("ALTER DATABASE CLOSE", `syntax error at or near "CLOSE"`)
}
