package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestGrantOverWire checks table privileges for roles that log in: a
// statement prepared while a privilege was held fails once it is revoked,
// privileges survive a clean restart and a kill -9, and psql's \dp shows
// them.
func TestGrantOverWire(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir() + "/data"
	s := startServer(t, dir)
	admin := s.connect(t)
	for _, q := range []string{"CREATE USER alice PASSWORD 'a'", "CREATE USER bob PASSWORD 'b'"} {
		mustExec(t, admin, q, "CREATE ROLE")
	}
	// as prepared statements, with the extended protocol
	login := func(user string) *pgx.Conn {
		u := url.URL{Scheme: "postgres", User: url.UserPassword(user, "x"), Host: fmt.Sprintf("127.0.0.1:%d", s.pg),
			Path: "/rustydb", RawQuery: "sslmode=disable"}
		c, err := pgx.Connect(ctx, u.String())
		if err != nil {
			t.Fatalf("connect as %s: %v", user, err)
		}
		t.Cleanup(func() { c.Close(ctx) })
		return c
	}
	denied := func(c *pgx.Conn, sql string, args ...any) {
		t.Helper()
		_, err := c.Exec(ctx, sql, args...)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("%s: got %v, want 42501", sql, err)
		}
	}
	alice := login("alice")
	for _, q := range []string{"CREATE TABLE t (a int PRIMARY KEY, b text)", "INSERT INTO t VALUES (1, 'x')", "GRANT SELECT ON t TO bob"} {
		if _, err := alice.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	bob := login("bob")
	var b string
	if err := bob.QueryRow(ctx, "SELECT b FROM t WHERE a = $1", 1).Scan(&b); err != nil || b != "x" {
		t.Fatalf("bob reads t: %q, %v", b, err)
	}
	denied(bob, "INSERT INTO t VALUES ($1, $2)", 2, "y")
	denied(bob, "DROP TABLE t")
	if _, err := alice.Exec(ctx, "REVOKE SELECT ON t FROM bob"); err != nil {
		t.Fatal(err)
	}
	denied(bob, "SELECT b FROM t WHERE a = $1", 1) // the same prepared statement, bound again
	if _, err := alice.Exec(ctx, "GRANT INSERT ON t TO bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Exec(ctx, "INSERT INTO t VALUES ($1, $2)", 2, "y"); err != nil {
		t.Fatalf("bob inserts after GRANT: %v", err)
	}

	s.stop(syscall.SIGTERM)
	s = startServer(t, dir)
	wantRows(t, s.connect(t), "SELECT relacl::text FROM pg_class WHERE relname = 't'", "{alice=arwdDxt/alice,bob=a/alice}")
	s.stop(syscall.SIGKILL)
	s = startServer(t, dir)
	bob = login("bob")
	denied(bob, "SELECT * FROM t")
	if _, err := bob.Exec(ctx, "INSERT INTO t VALUES (3, 'z')"); err != nil {
		t.Fatalf("bob inserts after restarts: %v", err)
	}

	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Log("psql not installed; skipping \\dp")
		return
	}
	out, _ := exec.Command(psql, "-h", "127.0.0.1", "-p", fmt.Sprint(s.pg), "-U", "rustydb", "-d", "rustydb", "-X", "-c", `\dp t`).CombinedOutput()
	for _, want := range []string{" public | t    | table | alice=arwdDxt/alice+", "bob=a/alice"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("\\dp t lacks %q:\n%s", want, out)
		}
	}
}
