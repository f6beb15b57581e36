package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// These tests build the real server binary, start it on free ports with a
// temporary data directory and talk to it over the network.

var serverBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rustydb-e2e")
	if err != nil {
		panic(err)
	}
	serverBin = filepath.Join(dir, "rusty-db-server")
	out, err := exec.Command("go", "build", "-o", serverBin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building server: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is one running rusty-db-server process.
type server struct {
	t                *testing.T
	dataDir          string
	pg, rest, metric int
	cmd              *exec.Cmd
	log              *syncBuffer // stdout and stderr
	logFile          string      // where the log goes when not to stdout
	exited           chan error
}

// logText returns what the server has logged so far.
func (s *server) logText() string {
	if s.logFile == "" {
		return s.log.String()
	}
	b, _ := os.ReadFile(s.logFile)
	return s.log.String() + string(b)
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startServer starts the server on dataDir (a new temp dir when "") and waits
// until it is ready for connections. A port picked free can be taken before
// the server binds it (by another test's client connection), so that failure
// is retried on new ports.
func startServer(t *testing.T, dataDir string, extra ...string) *server {
	t.Helper()
	return startServerLogging(t, dataDir, "", extra...)
}

// startServerLogging is startServer for a server configured to log to
// logFile ("" for stdout).
func startServerLogging(t *testing.T, dataDir, logFile string, extra ...string) *server {
	t.Helper()
	if dataDir == "" {
		dataDir = filepath.Join(t.TempDir(), "data")
	}
	for attempt := 1; ; attempt++ {
		s, err := tryStartServer(t, dataDir, logFile, extra...)
		if err == nil {
			return s
		}
		if attempt == 3 || !strings.Contains(s.logText(), "already in use") {
			t.Fatalf("%v\n%s", err, s.logText())
		}
	}
}

func tryStartServer(t *testing.T, dataDir, logFile string, extra ...string) (*server, error) {
	t.Helper()
	s := &server{t: t, dataDir: dataDir, pg: freePort(t), rest: freePort(t), metric: freePort(t), log: &syncBuffer{},
		logFile: logFile, exited: make(chan error, 1)}
	args := append([]string{"--data-dir", dataDir, "--port", fmt.Sprint(s.pg),
		"--rest-port", fmt.Sprint(s.rest), "--metrics-port", fmt.Sprint(s.metric)}, extra...)
	s.cmd = exec.Command(serverBin, args...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			<-s.exited
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(s.logText(), "RustyDB ready for connections") {
		select {
		case err := <-s.exited:
			s.exited <- err // for the cleanup
			return s, fmt.Errorf("server exited during start-up: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			return s, fmt.Errorf("server not ready in time")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s, nil
}

// stop sends sig and waits for the process to exit, returning its exit code.
func (s *server) stop(sig syscall.Signal) int {
	s.t.Helper()
	s.cmd.Process.Signal(sig)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		s.t.Fatalf("server did not exit after %v:\n%s", sig, s.log)
	}
	return s.cmd.ProcessState.ExitCode()
}

func (s *server) connString() string {
	return fmt.Sprintf("postgres://rustydb@127.0.0.1:%d/rustydb?sslmode=disable", s.pg)
}

// connect opens a pgx connection using the simple query protocol.
func (s *server) connect(t *testing.T) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(s.connString())
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("connect: %v\n%s", err, s.log)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func mustExec(t *testing.T, c *pgx.Conn, sql string, wantTag string) {
	t.Helper()
	tag, err := c.Exec(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if wantTag != "" && tag.String() != wantTag {
		t.Fatalf("%s: tag %q, want %q", sql, tag.String(), wantTag)
	}
}

// rowsText runs a query and returns its rows as text, cells joined by |.
func rowsText(t *testing.T, c *pgx.Conn, sql string) []string {
	t.Helper()
	rows, err := c.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var cells []string
		for _, raw := range rows.RawValues() {
			if raw == nil {
				cells = append(cells, "NULL")
			} else {
				cells = append(cells, string(raw))
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func wantRows(t *testing.T, c *pgx.Conn, sql string, want ...string) {
	t.Helper()
	got := rowsText(t, c, sql)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s:\ngot:\n  %s\nwant:\n  %s", sql, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func wantCode(t *testing.T, c *pgx.Conn, sql, code string) *pgconn.PgError {
	t.Helper()
	_, err := c.Exec(context.Background(), sql)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		t.Fatalf("%s: want SQLSTATE %s, got %v", sql, code, err)
	}
	if pgErr.Code != code {
		t.Fatalf("%s: SQLSTATE %s (%s), want %s", sql, pgErr.Code, pgErr.Message, code)
	}
	return pgErr
}

func TestStatementsOverWire(t *testing.T) {
	s := startServer(t, "")
	c := s.connect(t)
	mustExec(t, c, `CREATE TABLE items (
		id INT PRIMARY KEY, small SMALLINT, big BIGINT NOT NULL DEFAULT 7, r REAL, d DOUBLE PRECISION,
		price NUMERIC(10,2), name VARCHAR(20) NOT NULL, code CHAR(3), note TEXT, ok BOOLEAN,
		day DATE, at TIMESTAMP)`, "CREATE TABLE")
	mustExec(t, c, `INSERT INTO items VALUES
		(1, 10, 100, 1.5, 0.1, 9.99, 'apple', 'ab', 'red', true, '2024-02-29', '2024-02-29 13:14:15.25'),
		(2, 20, 200, 2.5, 1e20, 0.5, 'pear', 'xyz', NULL, false, '1999-12-31', '2000-01-01 00:00:00'),
		(3, NULL, DEFAULT, NULL, NULL, NULL, 'plum', NULL, 'blue', NULL, NULL, NULL)`, "INSERT 0 3")
	wantRows(t, c, "SELECT * FROM items ORDER BY id",
		"1|10|100|1.5|0.1|9.99|apple|ab |red|t|2024-02-29|2024-02-29 13:14:15.25",
		"2|20|200|2.5|1e+20|0.50|pear|xyz|NULL|f|1999-12-31|2000-01-01 00:00:00",
		"3|NULL|7|NULL|NULL|NULL|plum|NULL|blue|NULL|NULL|NULL")
	// Literals and arithmetic behave as in PostgreSQL.
	wantRows(t, c, "SELECT 0.1 + 0.2 = 0.3, 7 / 2, -7 / 2, 7 % 3, 7.0 / 2, 1 / 3.0, 2 ^ 3, 'a' || 'b', 10 - 2 * 3",
		"t|3|-3|1|3.5000000000000000|0.33333333333333333333|8|ab|4")
	wantRows(t, c, "SELECT name, price * 2 AS twice FROM items WHERE price IS NOT NULL AND small >= 10 ORDER BY twice DESC",
		"apple|19.98", "pear|1.00")
	wantRows(t, c, "SELECT id FROM items ORDER BY id DESC LIMIT 2 OFFSET 1", "2", "1")
	wantRows(t, c, "SELECT DISTINCT ok FROM items ORDER BY ok", "f", "t", "NULL")
	mustExec(t, c, "INSERT INTO items (id, name, small) SELECT id + 10, name || '2', small FROM items", "INSERT 0 3")
	wantRows(t, c, "SELECT small, count(*), sum(big), avg(big), min(name), max(name) FROM items GROUP BY small HAVING count(*) > 1 ORDER BY small NULLS FIRST",
		"NULL|2|14|7.0000000000000000|plum|plum2",
		"10|2|107|53.5000000000000000|apple|apple2",
		"20|2|207|103.5000000000000000|pear|pear2")
	wantRows(t, c, "SELECT count(*), count(note), sum(price), avg(price) FROM items", "6|2|10.49|5.2450000000000000")
	mustExec(t, c, "CREATE TABLE colors (note TEXT PRIMARY KEY, hex VARCHAR(7))", "CREATE TABLE")
	mustExec(t, c, "INSERT INTO colors VALUES ('red', '#f00'), ('blue', '#00f'), ('green', '#0f0')", "INSERT 0 3")
	wantRows(t, c, "SELECT i.name, c.hex FROM items i JOIN colors c ON i.note = c.note ORDER BY i.id",
		"apple|#f00", "plum|#00f")
	wantRows(t, c, "SELECT i.name, c.hex FROM items i, colors c WHERE i.note = c.note AND i.id > 1", "plum|#00f")
	mustExec(t, c, "UPDATE items SET price = price + 1, note = 'green' WHERE id = 2", "UPDATE 1")
	mustExec(t, c, "UPDATE items SET big = big * 2 WHERE id > 10", "UPDATE 3")
	mustExec(t, c, "DELETE FROM items WHERE id >= 12", "DELETE 2")
	wantRows(t, c, "SELECT id, price, note, big FROM items ORDER BY id", "1|9.99|red|100", "2|1.50|green|200", "3|NULL|blue|7", "11|NULL|NULL|14")

	// Transactions.
	mustExec(t, c, "BEGIN", "BEGIN")
	mustExec(t, c, "INSERT INTO colors VALUES ('black', '#000')", "INSERT 0 1")
	mustExec(t, c, "ROLLBACK", "ROLLBACK")
	mustExec(t, c, "BEGIN", "BEGIN")
	mustExec(t, c, "INSERT INTO colors VALUES ('white', '#fff')", "INSERT 0 1")
	mustExec(t, c, "COMMIT", "COMMIT")
	wantRows(t, c, "SELECT note FROM colors ORDER BY note", "blue", "green", "red", "white")
	mustExec(t, c, "DROP TABLE items, colors", "DROP TABLE")
	mustExec(t, c, "DROP TABLE IF EXISTS items", "DROP TABLE")
	wantCode(t, c, "SELECT * FROM items", "42P01")
}

func TestErrorsOverWire(t *testing.T) {
	s := startServer(t, "")
	c := s.connect(t)
	mustExec(t, c, "CREATE TABLE t (id INT PRIMARY KEY, n INT NOT NULL, s SMALLINT, v VARCHAR(3), p NUMERIC(4,2))", "")
	mustExec(t, c, "INSERT INTO t VALUES (1, 1, 1, 'a', 1)", "")
	e := wantCode(t, c, "SELECT * FROM t WHERE", "42601")
	if e.Position == 0 {
		t.Errorf("syntax error without position: %+v", e)
	}
	// FRM is taken as a column alias, so the error is at t, as in PostgreSQL.
	if e := wantCode(t, c, "SELECT 1 FRM t", "42601"); e.Position != 14 {
		t.Errorf("position %d, want 14", e.Position)
	}
	wantCode(t, c, "SELECT * FROM nope", "42P01")
	wantCode(t, c, "SELECT nope FROM t", "42703")
	wantCode(t, c, "INSERT INTO t VALUES (1, 2, 3, 'b', 1)", "23505")
	wantCode(t, c, "INSERT INTO t (id) VALUES (5)", "23502")
	wantCode(t, c, "SELECT 1 / 0", "22012")
	wantCode(t, c, "SELECT 1.5 / 0", "22012")
	wantCode(t, c, "INSERT INTO t VALUES (6, 1, 40000, 'a', 1)", "22003")
	wantCode(t, c, "INSERT INTO t VALUES (7, 1, 1, 'a', 123.4)", "22003")
	wantCode(t, c, "SELECT 2147483647 + 1", "22003")
	wantCode(t, c, "INSERT INTO t VALUES ('x', 1, 1, 'a', 1)", "22P02")
	wantCode(t, c, "INSERT INTO t VALUES (8, true, 1, 'a', 1)", "42804")
	wantCode(t, c, "INSERT INTO t VALUES (9, 1, 1, 'abcd', 1)", "22001")
	wantCode(t, c, "SELECT n FROM t GROUP BY id", "42803")
	wantCode(t, c, "CREATE TABLE t (x INT)", "42P07")

	// A failing statement aborts the transaction block until ROLLBACK.
	mustExec(t, c, "BEGIN", "")
	mustExec(t, c, "INSERT INTO t VALUES (2, 2, 2, 'b', 2)", "")
	wantCode(t, c, "SELECT 1 / 0", "22012")
	wantCode(t, c, "SELECT 1", "25P02")
	mustExec(t, c, "COMMIT", "ROLLBACK")
	wantRows(t, c, "SELECT count(*) FROM t", "1")

	// Only the rustydb database exists.
	cfg, _ := pgx.ParseConfig(strings.Replace(s.connString(), "/rustydb?", "/other?", 1))
	_, err := pgx.ConnectConfig(context.Background(), cfg)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "3D000" {
		t.Errorf("connect to database other: %v, want 3D000", err)
	}
}

func TestCancelRequest(t *testing.T) {
	s := startServer(t, "")
	c := s.connect(t)
	mustExec(t, c, "CREATE TABLE n (i INT)", "")
	mustExec(t, c, "INSERT INTO n VALUES (1),(2),(3),(4),(5),(6),(7),(8),(9),(10)", "")
	for i := 0; i < 3; i++ {
		mustExec(t, c, "INSERT INTO n SELECT i + (SELECT max(i) FROM n) FROM n", "")
	}
	// 80^4 = 41M joined rows take far longer than the wait; the CancelRequest
	// arrives on a separate connection, as psql's Ctrl-C sends it.
	go func() {
		time.Sleep(300 * time.Millisecond)
		c.PgConn().CancelRequest(context.Background())
	}()
	start := time.Now()
	_, err := c.Exec(context.Background(), "SELECT count(*) FROM n a, n b, n c, n d")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "57014" {
		t.Fatalf("want 57014 after cancel, got %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("cancel took %v", d)
	}
	wantRows(t, s.connect(t), "SELECT count(*) FROM n", "80")
}

func TestRestartAndKill9(t *testing.T) {
	s := startServer(t, "")
	c := s.connect(t)
	mustExec(t, c, "CREATE TABLE kv (k INT PRIMARY KEY, v TEXT)", "")
	mustExec(t, c, "INSERT INTO kv VALUES (1, 'one'), (2, 'two')", "")
	mustExec(t, c, "BEGIN", "")
	mustExec(t, c, "INSERT INTO kv VALUES (3, 'uncommitted')", "")
	if code := s.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("SIGTERM exit code %d:\n%s", code, s.log)
	}
	if !strings.Contains(s.log.String(), "checkpoint complete") {
		t.Errorf("no checkpoint on shutdown:\n%s", s.log)
	}
	s = startServer(t, s.dataDir)
	c = s.connect(t)
	wantRows(t, c, "SELECT k, v FROM kv ORDER BY k", "1|one", "2|two")

	// Writers commit as fast as they can; SIGKILL lands at an arbitrary moment.
	// Every acknowledged commit must survive; the open transaction must not.
	mustExec(t, c, "BEGIN", "")
	mustExec(t, c, "INSERT INTO kv VALUES (1000000, 'never committed')", "")
	var mu sync.Mutex
	acked := map[int]bool{}
	stopWriters := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		wc := s.connect(t)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stopWriters:
					return
				default:
				}
				k := 100 + w*100000 + i
				if _, err := wc.Exec(context.Background(), fmt.Sprintf("INSERT INTO kv VALUES (%d, 'w%d')", k, w)); err != nil {
					return
				}
				mu.Lock()
				acked[k] = true
				mu.Unlock()
			}
		}(w)
	}
	time.Sleep(700 * time.Millisecond)
	s.stop(syscall.SIGKILL)
	close(stopWriters)
	wg.Wait()

	s = startServer(t, s.dataDir)
	c = s.connect(t)
	got := map[int]bool{}
	rows, err := c.Query(context.Background(), "SELECT k FROM kv")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k int
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		got[k] = true
	}
	rows.Close()
	if len(acked) == 0 {
		t.Fatal("no commits were acknowledged before the kill")
	}
	for k := range acked {
		if !got[k] {
			t.Errorf("acknowledged commit of key %d lost after kill -9", k)
		}
	}
	if got[1000000] {
		t.Error("uncommitted row visible after kill -9")
	}
	if !got[1] || !got[2] {
		t.Error("rows from before the restart are missing")
	}
	t.Logf("%d acknowledged commits survived kill -9", len(acked))
}

func TestHealthAndMetrics(t *testing.T) {
	s := startServer(t, "")
	c := s.connect(t)
	mustExec(t, c, "CREATE TABLE m (i INT)", "")
	mustExec(t, c, "INSERT INTO m VALUES (1)", "")
	wantCode(t, c, "SELECT nope", "42703")

	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/api/v1/admin/health", s.rest))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`"status":"HEALTHY"`, `"data_directory"`, `"wal"`, `"uptime"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("health lacks %s: %s", want, body)
		}
	}
	resp, err = http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", s.metric))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(body)
	for _, want := range []string{
		"rustydb_connections_active 1",
		`rustydb_statements_total{kind="insert",status="ok"} 1`,
		`rustydb_statements_total{kind="select",status="error"} 1`,
		"rustydb_transactions_committed_total 3", // with the one creating the admin user at start
		"rustydb_statement_duration_seconds_bucket",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func runServer(t *testing.T, args ...string) (int, string) {
	t.Helper()
	out, err := exec.Command(serverBin, args...).CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

func TestConfigValidate(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.toml")
	os.WriteFile(good, []byte("[server]\nlisten_port = 6543\n[storage]\ndata_dir = \"/tmp/x\"\n"), 0o600)
	if code, out := runServer(t, "--config", good, "--validate"); code != 0 || !strings.Contains(out, "configuration OK") {
		t.Errorf("valid config: exit %d, %s", code, out)
	}
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[server]\nlisten_prot = 6543\nmax_connections = \"many\"\n[wal]\nsync_mode = \"fast\"\n"), 0o600)
	code, out := runServer(t, "--config", bad, "--validate")
	if code == 0 {
		t.Errorf("invalid config accepted: %s", out)
	}
	for _, want := range []string{bad + ":2: server.listen_prot: unknown key", `did you mean "listen_port"`,
		bad + ":3: server.max_connections", bad + ":5: wal.sync_mode"} {
		if !strings.Contains(out, want) {
			t.Errorf("validation output lacks %q:\n%s", want, out)
		}
	}
	if code, out := runServer(t, "--version"); code != 0 || !strings.Contains(out, "RustyDB") {
		t.Errorf("--version: %d %s", code, out)
	}
}

func TestStartupErrors(t *testing.T) {
	// A port in use stops the start with one line naming the flag.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := ln.Addr().(*net.TCPAddr).Port
	code, out := runServer(t, "--data-dir", filepath.Join(t.TempDir(), "d"), "--port", fmt.Sprint(busy),
		"--rest-port", fmt.Sprint(freePort(t)), "--metrics-port", fmt.Sprint(freePort(t)))
	if code == 0 || !strings.Contains(out, "already in use") || !strings.Contains(out, "--port") {
		t.Errorf("busy port: exit %d:\n%s", code, out)
	}
	// A data directory that cannot be created.
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	code, out = runServer(t, "--data-dir", filepath.Join(file, "data"), "--port", fmt.Sprint(freePort(t)))
	if code == 0 || !strings.Contains(out, "--data-dir") {
		t.Errorf("bad data dir: exit %d:\n%s", code, out)
	}
	// A data directory from an incompatible version.
	dd := filepath.Join(t.TempDir(), "old")
	os.MkdirAll(filepath.Join(dd, "meta"), 0o700)
	os.WriteFile(filepath.Join(dd, "meta", "control"), []byte(`{"format_version": 99}`), 0o600)
	code, out = runServer(t, "--data-dir", dd, "--port", fmt.Sprint(freePort(t)))
	if code == 0 || !strings.Contains(out, "format version 99") {
		t.Errorf("incompatible data dir: exit %d:\n%s", code, out)
	}
}

func TestPsql(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not installed; skipping the psql client test")
	}
	s := startServer(t, "")
	run := func(sql string) string {
		cmd := exec.Command(psql, "-h", "127.0.0.1", "-p", fmt.Sprint(s.pg), "-U", "rustydb", "-X", "-v", "ON_ERROR_STOP=0")
		cmd.Stdin = strings.NewReader(sql)
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	out := run(`CREATE TABLE p (id INT PRIMARY KEY, name TEXT, price NUMERIC(6,2), day DATE);
INSERT INTO p VALUES (1, 'tea', 2.5, '2024-01-01'), (2, 'coffee', NULL, NULL);
SELECT * FROM p ORDER BY id;
SELECT 1/0;
`)
	for _, want := range []string{"CREATE TABLE", "INSERT 0 2", " 1 | tea    |  2.50 | 2024-01-01", "(2 rows)",
		"ERROR:  division by zero"} {
		if !strings.Contains(out, want) {
			t.Errorf("psql output lacks %q:\n%s", want, out)
		}
	}
	// psql's \d, \dt, \dv and \ds list relations from pg_catalog
	out += run("CREATE VIEW pv AS SELECT id FROM p;\nCREATE SEQUENCE ps;\n\\d\n\\dt\n")
	for _, want := range []string{" public | p    | table    | rustydb", " public | ps   | sequence | rustydb",
		" public | pv   | view     | rustydb", "(3 rows)", "(1 row)"} {
		if !strings.Contains(out, want) {
			t.Errorf("psql \\d output lacks %q:\n%s", want, out)
		}
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if strings.Contains(sc.Text(), "server closed the connection") {
			t.Errorf("psql lost its connection:\n%s", out)
		}
	}
}

func TestMalformedProtocol(t *testing.T) {
	s := startServer(t, "")
	addr := fmt.Sprintf("127.0.0.1:%d", s.pg)
	send := func(b []byte) string {
		nc, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(5 * time.Second))
		nc.Write(b)
		out, _ := io.ReadAll(nc)
		return string(out)
	}
	// Random bytes instead of a startup packet.
	if out := send([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); !strings.Contains(out, "08P01") {
		t.Errorf("garbage startup: %q", out)
	}
	// A valid startup, then a Query message claiming a 1 GiB body.
	startup := []byte{0, 0, 0, 0, 0, 3, 0, 0}
	startup = append(startup, "user\x00rustydb\x00database\x00rustydb\x00\x00"...)
	startup[3] = byte(len(startup))
	bad := append(append([]byte{}, startup...), 'Q', 0x40, 0, 0, 0)
	if out := send(bad); !strings.Contains(out, "08P01") {
		t.Errorf("huge message length: %q", out)
	}
	// An unknown message type after startup.
	if out := send(append(append([]byte{}, startup...), 'z', 0, 0, 0, 4)); !strings.Contains(out, "08P01") {
		t.Errorf("unknown message: %q", out)
	}
	// The server is still there for well-behaved clients.
	wantRows(t, s.connect(t), "SELECT 1 + 1", "2")
}

func TestExtendedProtocol(t *testing.T) {
	s := startServer(t, "")
	ctx := context.Background()
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeCacheDescribe,
		pgx.QueryExecModeDescribeExec, pgx.QueryExecModeExec} {
		t.Run(mode.String(), func(t *testing.T) {
			cfg, err := pgx.ParseConfig(s.connString())
			if err != nil {
				t.Fatal(err)
			}
			cfg.DefaultQueryExecMode = mode
			c, err := pgx.ConnectConfig(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(ctx)
			table := "ext_" + strings.NewReplacer(" ", "_", "-", "_").Replace(mode.String())
			if _, err := c.Exec(ctx, "CREATE TABLE "+table+" (id BIGINT PRIMARY KEY, s SMALLINT, i INT, r REAL, d DOUBLE PRECISION, n NUMERIC(12,4), t TEXT, v VARCHAR(10), b BOOLEAN, day DATE, at TIMESTAMP)"); err != nil {
				t.Fatal(err)
			}
			day := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
			at := time.Date(1999, 12, 31, 23, 59, 58, 123456000, time.UTC)
			tag, err := c.Exec(ctx, "INSERT INTO "+table+" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
				int64(1), int16(-2), int32(3), float32(1.5), 2.25, "-12345.6789", "héllo", "v", true, day, at)
			if err != nil || tag.String() != "INSERT 0 1" {
				t.Fatalf("insert: %v %v", tag, err)
			}
			if _, err := c.Exec(ctx, "INSERT INTO "+table+" (id) VALUES ($1)", 2); err != nil {
				t.Fatal(err)
			}
			var (
				id   int64
				sm   int16
				i    int32
				r    float32
				d    float64
				n    string
				txt  string
				v    string
				b    bool
				gday time.Time
				gat  time.Time
			)
			err = c.QueryRow(ctx, "SELECT id, s, i, r, d, n::text, t, v, b, day, at FROM "+table+" WHERE id = $1", 1).
				Scan(&id, &sm, &i, &r, &d, &n, &txt, &v, &b, &gday, &gat)
			if err != nil {
				t.Fatal(err)
			}
			if id != 1 || sm != -2 || i != 3 || r != 1.5 || d != 2.25 || n != "-12345.6789" || txt != "héllo" || v != "v" || !b ||
				!gday.Equal(day) || !gat.Equal(at) {
				t.Errorf("round trip: %v %v %v %v %v %v %v %v %v %v %v", id, sm, i, r, d, n, txt, v, b, gday, gat)
			}
			// numeric in binary both ways
			var num pgtypeNumeric
			if err := c.QueryRow(ctx, "SELECT n FROM "+table+" WHERE id = $1", 1).Scan(&num.f); err != nil || num.f != -12345.6789 {
				t.Errorf("numeric: %v %v", num.f, err)
			}
			var nullText *string
			if err := c.QueryRow(ctx, "SELECT t FROM "+table+" WHERE id = $1", 2).Scan(&nullText); err != nil || nullText != nil {
				t.Errorf("NULL: %v %v", nullText, err)
			}
			// An error inside the extended protocol leaves the connection usable.
			if _, err := c.Exec(ctx, "SELECT 1 / $1", 0); err == nil {
				t.Error("division by zero succeeded")
			}
			tx, err := c.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctx, "UPDATE "+table+" SET t = $1 WHERE id = $2", "changed", 2); err != nil {
				t.Fatal(err)
			}
			if err := tx.Rollback(ctx); err != nil {
				t.Fatal(err)
			}
			var count int
			if err := c.QueryRow(ctx, "SELECT count(*) FROM "+table+" WHERE t = $1", "changed").Scan(&count); err != nil || count != 0 {
				t.Errorf("rolled back update visible: %d %v", count, err)
			}
		})
	}
}

// pgtypeNumeric scans a numeric column as float64 through pgx's numeric codec.
type pgtypeNumeric struct{ f float64 }

func TestCopy(t *testing.T) {
	s := startServer(t, "")
	c := s.connect(t)
	ctx := context.Background()
	mustExec(t, c, "CREATE TABLE cp (id INT PRIMARY KEY, name TEXT, price NUMERIC(8,2), day DATE)", "")
	text := "1\ttab\\there\t1.50\t2024-01-01\n2\t\\N\t\\N\t\\N\n3\tback\\\\slash\t3\t2024-12-31\n"
	tag, err := c.PgConn().CopyFrom(ctx, strings.NewReader(text), "COPY cp FROM STDIN")
	if err != nil || tag.String() != "COPY 3" {
		t.Fatalf("copy from: %v %v", tag, err)
	}
	csvData := "id,name,price,day\n4,\"quoted, comma\",4.25,2025-01-02\n5,,,\n"
	if _, err := c.PgConn().CopyFrom(ctx, strings.NewReader(csvData), "COPY cp FROM STDIN WITH (FORMAT csv, HEADER true)"); err != nil {
		t.Fatal(err)
	}
	wantRows(t, c, "SELECT id, name, price, day FROM cp ORDER BY id",
		"1|tab\there|1.50|2024-01-01", "2|NULL|NULL|NULL", "3|back\\slash|3.00|2024-12-31",
		"4|quoted, comma|4.25|2025-01-02", "5|NULL|NULL|NULL")
	var out bytes.Buffer
	if _, err := c.PgConn().CopyTo(ctx, &out, "COPY cp TO STDOUT"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1\ttab\\there\t1.50\t2024-01-01\n2\t\\N\t\\N\t\\N\n") {
		t.Errorf("copy to:\n%s", out.String())
	}
	// A bad row fails the whole COPY with its line number; the connection goes on.
	_, err = c.PgConn().CopyFrom(ctx, strings.NewReader("10\tok\t1\t2024-01-01\n11\tbad\tnot-a-number\t2024-01-01\n"), "COPY cp FROM STDIN")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "22P02" || !strings.Contains(pgErr.Detail, "line 2") {
		t.Errorf("bad row: %v", err)
	}
	wantRows(t, c, "SELECT count(*) FROM cp", "5")
}

func TestPgbench(t *testing.T) {
	pgbench, err := exec.LookPath("pgbench")
	if err != nil {
		t.Skip("pgbench not installed; skipping the pgbench client test")
	}
	s := startServer(t, "")
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(pgbench, append([]string{"-h", "127.0.0.1", "-p", fmt.Sprint(s.pg), "-U", "rustydb"}, append(args, "rustydb")...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("pgbench %v: %v\n%s\nserver log:\n%s", args, err, out, s.log)
		}
		return string(out)
	}
	c := s.connect(t)
	for _, mode := range []string{"simple", "extended", "prepared"} {
		run("-i", "-s", "1")
		run("-c", "2", "-t", "100", "-S", "-M", mode)
		// Four clients updating one branch row wait for each other and then
		// apply their change to the newest version (READ COMMITTED).
		out := run("-c", "4", "-j", "2", "-t", "50", "-M", mode)
		if !strings.Contains(out, "number of failed transactions: 0") {
			t.Errorf("pgbench -M %s reported failures:\n%s", mode, out)
		}
		// Every balance still equals the history of the run.
		wantRows(t, c, `SELECT (SELECT sum(abalance) FROM pgbench_accounts) = (SELECT sum(delta) FROM pgbench_history),
			(SELECT sum(tbalance) FROM pgbench_tellers) = (SELECT sum(delta) FROM pgbench_history),
			(SELECT sum(bbalance) FROM pgbench_branches) = (SELECT sum(delta) FROM pgbench_history),
			(SELECT count(*) FROM pgbench_history)`, "t|t|t|200")
	}
}

func TestRESTAdmin(t *testing.T) {
	s := startServer(t, "")
	c := s.connect(t)
	mustExec(t, c, "CREATE TABLE r (i INT, s TEXT, n NUMERIC(5,2))", "")
	mustExec(t, c, "INSERT INTO r VALUES (1, 'a', 1.50), (2, NULL, NULL)", "")
	mustExec(t, c, "BEGIN", "")
	base := fmt.Sprintf("http://127.0.0.1:%d/api/v1", s.rest)
	call := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return resp.StatusCode, out
	}
	code, out := call("GET", "/connections", "")
	sessions, _ := out["data"].([]any)
	if code != 200 || len(sessions) != 1 {
		t.Fatalf("connections: %d %v", code, out)
	}
	sess := sessions[0].(map[string]any)
	if sess["state"] != "idle in transaction" || sess["query"] != "BEGIN" {
		t.Errorf("session: %v", sess)
	}
	code, out = call("POST", "/query", `{"sql": "SELECT i, s, n FROM r ORDER BY i"}`)
	data, _ := out["data"].(map[string]any)
	if code != 200 || fmt.Sprint(data["rows"]) != "[[1 a 1.50] [2 <nil> <nil>]]" || data["command_tag"] != "SELECT 2" {
		t.Errorf("query: %d %v", code, out)
	}
	code, out = call("POST", "/query", `{"sql": "SELECT nope FROM r"}`)
	if e, _ := out["error"].(map[string]any); code != 400 || e["code"] != "42703" {
		t.Errorf("query error: %d %v", code, out)
	}
	if code, out = call("POST", "/admin/checkpoint", ""); code != 200 {
		t.Errorf("checkpoint: %d %v", code, out)
	}
	id := fmt.Sprint(sess["session_id"])
	if code, out = call("DELETE", "/connections/"+id, ""); code != 200 {
		t.Errorf("terminate: %d %v", code, out)
	}
	if _, err := c.Exec(context.Background(), "SELECT 1"); err == nil {
		t.Error("terminated session still works")
	}
	if code, _ = call("DELETE", "/connections/999999", ""); code != 404 {
		t.Errorf("terminate unknown: %d", code)
	}
}

func TestIntervalBinary(t *testing.T) {
	s := startServer(t, "")
	cfg, err := pgx.ParseConfig(s.connString())
	if err != nil {
		t.Fatal(err)
	}
	c, err := pgx.ConnectConfig(context.Background(), cfg) // cached statements: binary results
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var d time.Duration
	var months pgtype.Interval
	if err := c.QueryRow(context.Background(), "SELECT interval '1 day 02:00:00' + $1::interval, interval '1 year 2 mons 3 days 00:00:01'",
		2*time.Hour).Scan(&d, &months); err != nil {
		t.Fatal(err)
	}
	if d != 28*time.Hour {
		t.Errorf("interval as duration: %v", d)
	}
	if months.Months != 14 || months.Days != 3 || months.Microseconds != 1_000_000 {
		t.Errorf("interval parts: %+v", months)
	}
}

// TestNewTypesOverWire round-trips uuid, bytea, timestamp with time zone and
// time through pgx: parameters and results in binary (cached statements)
// and in text (the simple protocol and QueryExecModeExec), and the session
// time zone in text output.
func TestNewTypesOverWire(t *testing.T) {
	s := startServer(t, "")
	ctx := context.Background()
	id := [16]byte{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11}
	blob := []byte{0, 1, 0xfe, 0xff, '\\', 'x'}
	at := time.Date(2024, 3, 10, 6, 59, 58, 123456000, time.UTC)
	tod := pgtype.Time{Microseconds: (13*3600+45*60+6)*1_000_000 + 123000, Valid: true}

	setup := s.connect(t)
	mustExec(t, setup, "CREATE TABLE wt (n int PRIMARY KEY, u uuid, b bytea, tz timestamptz, tm time)", "")
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeExec, pgx.QueryExecModeSimpleProtocol} {
		t.Run(mode.String(), func(t *testing.T) {
			cfg, err := pgx.ParseConfig(s.connString())
			if err != nil {
				t.Fatal(err)
			}
			cfg.DefaultQueryExecMode = mode
			c, err := pgx.ConnectConfig(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(ctx)
			n := int(mode)
			if _, err := c.Exec(ctx, "INSERT INTO wt VALUES ($1, $2, $3, $4, $5)", n, pgtype.UUID{Bytes: id, Valid: true}, blob, at, tod); err != nil {
				t.Fatalf("insert: %v", err)
			}
			var (
				gotID   [16]byte
				gotUUID pgtype.UUID
				gotBlob []byte
				gotAt   time.Time
				gotTod  pgtype.Time
			)
			err = c.QueryRow(ctx, "SELECT u, u, b, tz, tm FROM wt WHERE n = $1", n).Scan(&gotID, &gotUUID, &gotBlob, &gotAt, &gotTod)
			if err != nil {
				t.Fatal(err)
			}
			if gotID != id || gotUUID.Bytes != id || !bytes.Equal(gotBlob, blob) || !gotAt.Equal(at) || gotTod != tod {
				t.Errorf("round trip: %x %x %x %v %+v", gotID, gotUUID.Bytes, gotBlob, gotAt, gotTod)
			}
			if mode == pgx.QueryExecModeCacheStatement { // pgx asks for binary results of all four
				rows, err := c.Query(ctx, "SELECT u, b, tz, tm FROM wt WHERE n = $1", n)
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range rows.FieldDescriptions() {
					if f.Format != 1 {
						t.Errorf("column %s in format %d, want binary", f.Name, f.Format)
					}
				}
				rows.Close()
			}
			// values as parameters of a comparison, and server-side functions
			var count int
			var zero []byte
			err = c.QueryRow(ctx, "SELECT count(*), decode('00', 'hex') FROM wt WHERE u = $1 AND b = $2 AND tz = $3 AND tm = $4",
				pgtype.UUID{Bytes: id, Valid: true}, blob, at, tod).Scan(&count, &zero)
			if err != nil || count < 1 || !bytes.Equal(zero, []byte{0}) {
				t.Errorf("parameters in WHERE: %d %x %v", count, zero, err)
			}
			var empty []byte // an empty bytea is not NULL
			if err := c.QueryRow(ctx, "SELECT ''::bytea").Scan(&empty); err != nil || empty == nil {
				t.Errorf("empty bytea: %#v %v", empty, err)
			}
			// the session time zone changes the text, not the instant
			if _, err := c.Exec(ctx, "SET TIME ZONE 'America/New_York'"); err != nil {
				t.Fatal(err)
			}
			var local time.Time
			var text string
			if err := c.QueryRow(ctx, "SELECT tz, tz::text FROM wt WHERE n = $1", n).Scan(&local, &text); err != nil {
				t.Fatal(err)
			}
			if !local.Equal(at) || text != "2024-03-10 01:59:58.123456-05" {
				t.Errorf("in New York: %v %q", local, text)
			}
		})
	}

	// the text format as PostgreSQL writes it
	c := s.connect(t)
	wantRows(t, c, "SELECT u, b, tz, tm FROM wt ORDER BY n LIMIT 1",
		`a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|\x0001feff5c78|2024-03-10 06:59:58.123456+00|13:45:06.123`)
	mustExec(t, c, "SET TIME ZONE 'Asia/Kolkata'", "SET")
	wantRows(t, c, "SELECT tz FROM wt ORDER BY n LIMIT 1", "2024-03-10 12:29:58.123456+05:30")
	wantCode(t, c, "SELECT 'nope'::uuid", "22P02")
	wantCode(t, c, "SET TIME ZONE 'Nowhere/Special'", "22023")

	// result column types as PostgreSQL describes them
	rows, err := c.Query(ctx, "SELECT u, b, tz, tm FROM wt LIMIT 1")
	if err != nil {
		t.Fatal(err)
	}
	var oids []uint32
	for _, f := range rows.FieldDescriptions() {
		oids = append(oids, f.DataTypeOID)
	}
	rows.Close()
	if fmt.Sprint(oids) != "[2950 17 1184 1083]" {
		t.Errorf("type OIDs %v, want [2950 17 1184 1083]", oids)
	}
}
