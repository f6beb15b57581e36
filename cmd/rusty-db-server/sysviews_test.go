package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// waitRows polls a query until it returns want (or fails the test after
// ten seconds): for state another connection changes.
func waitRows(t *testing.T, c *pgx.Conn, sql string, want ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := rowsText(t, c, sql)
		if strings.Join(got, "\n") == strings.Join(want, "\n") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s:\ngot:\n  %s\nwant:\n  %s", sql, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wantTerminated checks that err is the FATAL 57P01 a killed session gets.
func wantTerminated(t *testing.T, err error) {
	t.Helper()
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "57P01" || pgErr.Severity != "FATAL" ||
		pgErr.Message != "terminating connection due to administrator command" {
		t.Fatalf("want FATAL 57P01 terminating connection due to administrator command, got %v", err)
	}
}

// TestSessionViews follows sessions through v$session, v$active_queries and
// pg_stat_activity while they run, kills them with ALTER SYSTEM KILL
// SESSION and pg_terminate_backend, and checks v$sql_statistics.
func TestSessionViews(t *testing.T) {
	s := startServer(t, "")
	ctx := context.Background()
	admin := s.connect(t)
	mustExec(t, admin, "SET application_name = 'dba console'", "SET")
	adminPID := admin.PgConn().PID()

	// One normalized statement for executions that differ in constants,
	// spacing and keyword case, over both protocols.
	mustExec(t, admin, "CREATE TABLE k (id INT PRIMARY KEY, v TEXT)", "")
	for i := 1; i <= 3; i++ {
		mustExec(t, admin, fmt.Sprintf("INSERT INTO k VALUES (%d, 'v%d')", i, i), "INSERT 0 1")
	}
	mustExec(t, admin, "insert into k   values (4, 'four')", "INSERT 0 1")
	wantRows(t, admin, `SELECT executions, rows, total_time_ms > 0, avg_time_ms <= max_time_ms, min_time_ms <= avg_time_ms,
		length(sql_id) FROM v$sql_statistics WHERE sql_text = 'INSERT INTO k VALUES ($1, $2)'`, "4|4|t|t|t|13")
	ext, err := pgx.Connect(ctx, s.connString()) // extended protocol
	if err != nil {
		t.Fatal(err)
	}
	defer ext.Close(ctx)
	for i := 1; i <= 2; i++ {
		var v string
		if err := ext.QueryRow(ctx, "SELECT v FROM k WHERE id = $1", i).Scan(&v); err != nil {
			t.Fatal(err)
		}
	}
	wantRows(t, admin, "SELECT calls, rows FROM pg_stat_statements WHERE query = 'SELECT v FROM k WHERE id = $1'", "2|2")
	// the DBA's top ten, as the guide writes it
	top := rowsText(t, admin, "SELECT * FROM v$sql_statistics ORDER BY total_time_ms DESC LIMIT 10")
	if len(top) < 5 || len(top) > 10 {
		t.Fatalf("top statements: %q", top)
	}

	// Start-up parameters are settings, not statements the client ran.
	cfg, err := pgx.ParseConfig(s.connString())
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["application_name"], cfg.RuntimeParams["timezone"] = "loader", "Europe/Paris"
	fresh, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close(ctx)
	wantRows(t, admin, fmt.Sprintf("SELECT program, status, sql_text FROM v$session WHERE sid = %d", fresh.PgConn().PID()),
		"loader|INACTIVE|NULL")
	wantRows(t, fresh, "SHOW TimeZone", "Europe/Paris")

	// A running statement, seen from another session.
	victim, err := pgx.Connect(ctx, s.connString())
	if err != nil {
		t.Fatal(err)
	}
	defer victim.Close(ctx)
	pid := victim.PgConn().PID()
	done := make(chan error, 1)
	go func() {
		_, err := victim.Exec(ctx, "SELECT pg_sleep(60)")
		done <- err
	}()
	waitRows(t, admin, fmt.Sprintf("SELECT sid, sql_text, wait_class, event, elapsed_ms >= 0 FROM v$active_queries WHERE sid = %d", pid),
		fmt.Sprintf("%d|SELECT pg_sleep(60)|Timeout|PgSleep|t", pid))
	wantRows(t, admin, fmt.Sprintf("SELECT sid, username, status, sql_text FROM v$session WHERE status = 'ACTIVE' AND sid <> %d", adminPID),
		fmt.Sprintf("%d|rustydb|ACTIVE|SELECT pg_sleep(60)", pid))
	wantRows(t, admin, fmt.Sprintf(`SELECT state, query, wait_event, client_addr, backend_start <= query_start
		FROM pg_stat_activity WHERE pid = %d`, pid), "active|SELECT pg_sleep(60)|PgSleep|127.0.0.1|t")
	wantRows(t, admin, "SELECT program, state, status FROM v$session WHERE sid = pg_backend_pid()", "dba console|active|ACTIVE")
	// the views join like tables
	wantRows(t, admin, fmt.Sprintf(`SELECT s.username, q.sql_text FROM v$session s JOIN v$active_queries q ON q.sid = s.sid
		WHERE s.sid = %d`, pid), "rustydb|SELECT pg_sleep(60)")

	// Only superusers kill sessions.
	mustExec(t, admin, "CREATE USER bob", "")
	bob := s.mustConnectAs(t, "bob", "", "disable")
	defer bob.Close(ctx)
	wantCode(t, bob, fmt.Sprintf("ALTER SYSTEM KILL SESSION '%d'", pid), "42501")
	wantCode(t, bob, fmt.Sprintf("SELECT pg_terminate_backend(%d)", pid), "42501")
	wantCode(t, admin, "ALTER SYSTEM KILL SESSION '999999'", "42704")
	wantCode(t, admin, "ALTER SYSTEM KILL SESSION 'x'", "22023")
	wantCode(t, admin, fmt.Sprintf("ALTER SYSTEM KILL SESSION '%d'", adminPID), "55000")

	mustExec(t, admin, fmt.Sprintf("ALTER SYSTEM KILL SESSION '%d,7' IMMEDIATE", pid), "ALTER SYSTEM")
	select {
	case err := <-done:
		wantTerminated(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the killed session's statement still runs")
	}
	waitRows(t, admin, fmt.Sprintf("SELECT count(*) FROM v$session WHERE sid = %d", pid), "0")

	// An idle session killed with pg_terminate_backend: the server sends
	// the error at once and closes the connection.
	idle := s.connect(t)
	idlePID := idle.PgConn().PID()
	wantRows(t, admin, fmt.Sprintf("SELECT status, state, event FROM v$session WHERE sid = %d", idlePID), "INACTIVE|idle|ClientRead")
	wantRows(t, admin, fmt.Sprintf("SELECT pg_terminate_backend(%d, 5000)", idlePID), "t")
	wantRows(t, admin, "SELECT pg_terminate_backend(999999)", "f")
	// (The client may see the FATAL error or, if the closed socket's reset
	// overtakes it, a connection error.)
	if _, err := idle.Exec(ctx, "SELECT 1"); err == nil {
		t.Fatal("a terminated session still runs statements")
	}

	// A lock wait shows who blocks whom.
	holder := s.connect(t)
	waiter := s.connect(t)
	mustExec(t, holder, "BEGIN", "")
	mustExec(t, holder, "UPDATE k SET v = 'held' WHERE id = 1", "UPDATE 1")
	go func() {
		_, err := waiter.Exec(ctx, "UPDATE k SET v = 'waited' WHERE id = 1")
		done <- err
	}()
	waitRows(t, admin, fmt.Sprintf("SELECT wait_class, event, blocking_session FROM v$session WHERE sid = %d", waiter.PgConn().PID()),
		fmt.Sprintf("Lock|transactionid|%d", holder.PgConn().PID()))
	wantRows(t, admin, fmt.Sprintf("SELECT state, xact_start IS NOT NULL FROM pg_stat_activity WHERE pid = %d", holder.PgConn().PID()),
		"idle in transaction|t")
	mustExec(t, holder, "COMMIT", "")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	wantRows(t, admin, "SELECT total_waits > 0, time_waited_ms > 0 FROM v$system_wait_events WHERE event = 'transaction lock'", "t|t")
}
