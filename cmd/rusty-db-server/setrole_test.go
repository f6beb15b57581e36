package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestSetRoleOverWire checks SET ROLE and SET SESSION AUTHORIZATION with
// a real client: privileges follow the current role, prepared statements
// too, and the server reports is_superuser and session_authorization as
// they change, as PostgreSQL does.
func TestSetRoleOverWire(t *testing.T) {
	ctx := context.Background()
	s := startServer(t, t.TempDir()+"/data")
	admin := s.connect(t)
	for _, q := range []string{"CREATE USER bob", "CREATE ROLE readers", "GRANT readers TO bob", "CREATE TABLE t (a int)",
		"INSERT INTO t VALUES (1)", "GRANT SELECT ON t TO readers"} {
		if _, err := admin.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	bob, err := pgx.Connect(ctx, fmt.Sprintf("postgres://bob@127.0.0.1:%d/rustydb?sslmode=disable", s.pg))
	if err != nil {
		t.Fatal(err)
	}
	defer bob.Close(ctx)
	param := func(c *pgx.Conn, name, want string) {
		t.Helper()
		if got := c.PgConn().ParameterStatus(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	param(bob, "is_superuser", "off")
	mustExec(t, bob, "CREATE TABLE mine (a int)", "CREATE TABLE")
	// a prepared statement, bound for bob and bound again for readers
	count := func(table string) error {
		var n int
		return bob.QueryRow(ctx, "SELECT count(*) FROM "+table+" WHERE a = $1", 1).Scan(&n)
	}
	if err := count("mine"); err != nil {
		t.Fatalf("bob reads his table: %v", err)
	}
	mustExec(t, bob, "SET ROLE readers", "SET")
	if err := count("mine"); err == nil {
		t.Error("readers read bob's table")
	}
	if err := count("t"); err != nil {
		t.Errorf("readers read t: %v", err)
	}
	wantRows(t, bob, "SELECT current_user, session_user", "readers|bob")
	wantCode(t, bob, "SET ROLE rustydb", "42501")
	wantCode(t, bob, "SET SESSION AUTHORIZATION rustydb", "42501")
	mustExec(t, bob, "RESET ROLE", "RESET")
	if err := count("mine"); err != nil {
		t.Errorf("bob reads his table after RESET ROLE: %v", err)
	}

	mustExec(t, admin, "SET SESSION AUTHORIZATION bob", "SET")
	param(admin, "session_authorization", "bob")
	param(admin, "is_superuser", "off")
	wantCode(t, admin, "CREATE ROLE eve", "42501")
	mustExec(t, admin, "RESET SESSION AUTHORIZATION", "RESET")
	param(admin, "session_authorization", "rustydb")
	param(admin, "is_superuser", "on")
}

// TestDiscardAllOverWire: DISCARD ALL drops the connection's prepared
// statements (a pooler such as pgbouncer runs it between clients, who then
// prepare their statements again under the same names) and resets the
// session's settings.
func TestDiscardAllOverWire(t *testing.T) {
	s := startServer(t, "")
	c := s.connect(t)
	ctx := context.Background()
	if _, err := c.Prepare(ctx, "q", "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	mustExec(t, c, "SET work_mem = '1MB'", "SET")
	if _, err := c.Prepare(ctx, "q", "SELECT 2"); err == nil {
		t.Fatal("preparing q again before DISCARD ALL worked; want 42P05")
	}
	// SQL's PREPARE, and EXECUTE through the extended protocol, which
	// describes the prepared statement's columns.
	mustExec(t, c, "PREPARE twice (int) AS SELECT $1 * 2 AS doubled", "PREPARE")
	wantRows(t, c, "EXECUTE twice(21)", "42")
	mustExec(t, c, "DISCARD ALL", "DISCARD ALL")
	if _, err := c.Prepare(ctx, "q", "SELECT 2"); err != nil {
		t.Fatalf("preparing q after DISCARD ALL: %v", err)
	}
	wantRows(t, c, "SHOW work_mem", "512MB")
	wantCode(t, c, "EXECUTE twice(1)", "26000")
}
