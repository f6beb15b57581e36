package sql

import (
	"testing"

	"rustydb/sqlerr"
)

func TestNormalize(t *testing.T) {
	f := func(src, want string) {
		t.Helper()
		if got := Normalize(src).Text; got != want {
			t.Errorf("Normalize(%q) = %q, want %q", src, got, want)
		}
	}
	f("SELECT * FROM t WHERE id = 42 AND name = 'bob'", "SELECT * FROM t WHERE id = $1 AND name = $2")
	f("SELECT  *\n\tFROM t -- comment\n WHERE id = /* c */ 1.5e3", "SELECT * FROM t WHERE id = $1")
	f("INSERT INTO t VALUES ($1, 3.5, 'x'::text, E'a\\'b')", "INSERT INTO t VALUES ($1, $2, $3::text, $4)")
	f("SELECT f(1,2), -3, x -4, x - 5, (-6) FROM t LIMIT 10", "SELECT f($1,$2), $3, x -$4, x - $5, ($6) FROM t LIMIT $7")
	f("SELECT /*+ FULL(t) */ a FROM t WHERE b IN (1, 2)", "SELECT /*+ FULL(t) */ a FROM t WHERE b IN ($1, $2)")
	f(`SELECT "Id" FROM t`, `SELECT "Id" FROM t`)
	f("SELECT 'unterminated", "SELECT 'unterminated") // does not lex: kept, spaces collapsed
}

// TestSplitNormalized: statements normalized while splitting a query are
// normalized as each statement's text alone is.
func TestSplitNormalized(t *testing.T) {
	q := "SELECT 1; INSERT INTO t VALUES (-2, 'x') ;; UPDATE t SET a = $1 + 3 WHERE b = 'y'"
	_, texts, norms, err := SplitNormalized(q)
	if err != nil || len(norms) != 3 {
		t.Fatalf("%v %v", norms, err)
	}
	for i, text := range texts {
		if n := Normalize(text); n != norms[i] {
			t.Errorf("%q: split %+v, alone %+v", text, norms[i], n)
		}
	}
	if norms[2].Text != "UPDATE t SET a = $1 + $2 WHERE b = $3" {
		t.Errorf("got %q", norms[2].Text)
	}
}

func TestNormalizeID(t *testing.T) {
	same := func(a, b string, want bool) {
		t.Helper()
		if got := Normalize(a).ID == Normalize(b).ID; got != want {
			t.Errorf("same statement(%q, %q) = %v, want %v", a, b, got, want)
		}
	}
	same("SELECT * FROM t WHERE id = 1", "select *   from T where ID = -7", true)
	same("SELECT a FROM t LIMIT 1", "SELECT a FROM t LIMIT 100", true)
	same("SELECT a FROM t", `SELECT "A" FROM t`, false) // a quoted name keeps its case
	same("SELECT a FROM t", "SELECT b FROM t", false)
	same("SELECT a FROM t WHERE x = 1", "SELECT a FROM t WHERE x = '1'", false)
	same("SELECT a FROM t WHERE x = 1", "SELECT a FROM t WHERE x = $1", false)
	same("SELECT ab FROM t", "SELECT a b FROM t", false)
	if id := SQLID(Normalize("SELECT 1").ID); len(id) != 13 || SQLID(0) != "0000000000000" {
		t.Errorf("SQLID = %q", id)
	}
}

func TestParseKillSession(t *testing.T) {
	f := func(src string, want KillSessionStmt) {
		t.Helper()
		st := parseOK(t, src)
		if k, ok := st[0].(*KillSessionStmt); !ok || *k != want {
			t.Errorf("%s: %#v, want %#v", src, st[0], want)
		}
		if Kind(st[0]) != "utility" {
			t.Errorf("%s: kind %s", src, Kind(st[0]))
		}
	}
	f("ALTER SYSTEM KILL SESSION '12'", KillSessionStmt{Session: 12})
	f("alter system kill session '12, 345' immediate", KillSessionStmt{Session: 12})
	f("ALTER SYSTEM CANCEL SQL '7'", KillSessionStmt{Session: 7, Cancel: true})
	bad := func(src, code string) {
		t.Helper()
		if _, err := Parse(src); sqlerr.Code(err) != code {
			t.Errorf("%s: %v, want %s", src, err, code)
		}
	}
	bad("ALTER SYSTEM KILL SESSION 12", sqlerr.SyntaxError)
	bad("ALTER SYSTEM KILL SESSION 'x'", sqlerr.InvalidParameterValue)
	bad("ALTER SYSTEM KILL SESSION '0'", sqlerr.InvalidParameterValue)
	bad("ALTER SYSTEM KILL SESSION '1,y'", sqlerr.InvalidParameterValue)
	bad("ALTER SYSTEM KILL SESSION '99999999999'", sqlerr.InvalidParameterValue)
	bad("ALTER SYSTEM CANCEL SQL '1' IMMEDIATE", sqlerr.SyntaxError)
}
