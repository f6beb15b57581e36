package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// configFile is the file TestAlterSystem starts from: its comments, spacing
// and order must survive every change.
const configFile = `# RustyDB test configuration
[server]
max_connections = 20   # the pool needs fewer

[logging]
# JSON, so that the test reads the records
format = "json"
output = "%s"
slow_query_threshold_ms = -1
`

// TestAlterSystem starts the server with a configuration file and changes
// it with ALTER SYSTEM and the REST API: running values, the file, the
// slow-query log in JSON, the history, and the file's values after a
// restart.
func TestAlterSystem(t *testing.T) {
	dir := t.TempDir()
	logFile := filepath.Join(dir, "server.log")
	cfgPath := filepath.Join(dir, "rustydb.toml")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf(configFile, logFile)), 0o600); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(dir, "data")
	s := startServerLogging(t, dataDir, logFile, "--config", cfgPath)
	c := s.connect(t)
	ctx := context.Background()

	wantRows(t, c, "SHOW config_file", cfgPath)
	wantRows(t, c, "SHOW max_connections", "20")

	// SCOPE = BOTH: the running value and the file's line, comment kept
	mustExec(t, c, "ALTER SYSTEM SET max_connections = 30 SCOPE = BOTH", "ALTER SYSTEM")
	wantRows(t, c, "SHOW max_connections", "30")
	wantRows(t, c, "SELECT value, source, is_modified FROM v$parameter WHERE name = 'max_connections'", "30|ALTER SYSTEM|t")

	// a static parameter: MEMORY is refused; the default scope writes the file
	e := wantCode(t, c, "ALTER SYSTEM SET buffer_pool_pages = 2000 SCOPE = MEMORY", "55P02")
	if e.Message != `parameter "buffer_pool_pages" cannot be changed without restarting the server` || !strings.Contains(e.Hint, cfgPath) {
		t.Errorf("static parameter error = %q (hint %q)", e.Message, e.Hint)
	}
	var notices []string
	cfg := c.Config()
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { notices = append(notices, n.Message) }
	n := s.connectWith(t, func(pc *pgx.ConnConfig) { pc.OnNotice = cfg.OnNotice })
	mustExec(t, n, "ALTER SYSTEM SET buffer_pool_pages = 2000", "ALTER SYSTEM")
	if len(notices) != 1 || !strings.Contains(notices[0], "takes effect at the next start") {
		t.Errorf("notices = %q", notices)
	}
	n.Close(ctx)
	wantRows(t, c, "SHOW buffer_pool_pages", "16384")
	wantCode(t, c, "ALTER SYSTEM SET max_connections = 0", "22023")

	// the REST API: the same parameters and rules
	rest := fmt.Sprintf("http://127.0.0.1:%d/api/v1/admin/config/", s.rest)
	status, body := httpDo(t, "GET", rest+"max_connections", "")
	if status != 200 || !strings.Contains(body, `"value":"30"`) {
		t.Errorf("GET max_connections: %d %s", status, body)
	}
	status, body = httpDo(t, "PUT", rest+"slow_query_threshold_ms", `{"value": 0, "scope": "BOTH"}`)
	if status != 200 || !strings.Contains(body, `"new_value":"0"`) {
		t.Errorf("PUT slow_query_threshold_ms: %d %s", status, body)
	}
	if status, body = httpDo(t, "PUT", rest+"page_size", `{"value": 8192, "scope": "MEMORY"}`); status != 400 {
		t.Errorf("PUT of a static parameter in MEMORY: %d %s", status, body)
	}
	if status, body = httpDo(t, "GET", rest+"no_such_parameter", ""); status != 404 {
		t.Errorf("GET of an unknown parameter: %d %s", status, body)
	}

	// every statement is now slow enough for the log
	const slowSQL = "SELECT count(*) FROM generate_series(1, 1000) g WHERE g % 7 = 0"
	wantRows(t, c, slowSQL, "142")
	rec := waitLogRecord(t, logFile, func(r map[string]any) bool { return r["msg"] == "slow query" && r["statement"] == slowSQL })
	if rec["level"] != "WARN" || rec["user"] != "rustydb" || rec["plan"] != "Aggregate -> Filter -> Function Scan on generate_series" {
		t.Errorf("slow-query record = %v", rec)
	}
	if id, ok := rec["session_id"].(float64); !ok || id < 1 {
		t.Errorf("session_id = %v, want the connection's process id", rec["session_id"])
	}

	// the level follows the parameter: debug shows failed statements
	mustExec(t, c, "ALTER SYSTEM SET level = 'debug' SCOPE = MEMORY", "ALTER SYSTEM")
	wantCode(t, c, "SELECT * FROM missing_table", "42P01")
	waitLogRecord(t, logFile, func(r map[string]any) bool {
		return r["level"] == "DEBUG" && r["msg"] == "statement failed" && r["sql"] == "SELECT * FROM missing_table"
	})

	wantRows(t, c, "SELECT name, old_value, new_value, scope, username FROM v$parameter_history ORDER BY change_time",
		"max_connections|20|30|BOTH|rustydb",
		"buffer_pool_pages|16384|2000|SPFILE|rustydb",
		"slow_query_threshold_ms|-1|0|BOTH|rest-api@127.0.0.1",
		"level|info|debug|MEMORY|rustydb")

	// max_connections is followed by new connections
	mustExec(t, c, "ALTER SYSTEM SET max_connections = 1 SCOPE = MEMORY", "ALTER SYSTEM")
	_, err := pgx.Connect(ctx, s.connString())
	if !strings.Contains(fmt.Sprint(err), "53300") {
		t.Errorf("a second connection with max_connections = 1: %v, want 53300", err)
	}

	got, _ := os.ReadFile(cfgPath)
	want := strings.NewReplacer("max_connections = 20", "max_connections = 30",
		"slow_query_threshold_ms = -1", "slow_query_threshold_ms = 0").Replace(fmt.Sprintf(configFile, logFile)) +
		"\n[storage]\nbuffer_pool_pages = 2000\n"
	if string(got) != want {
		t.Errorf("configuration file =\n%s\nwant\n%s", got, want)
	}

	// the next start runs with the file: MEMORY changes are gone, SPFILE ones in effect
	c.Close(ctx)
	if code := s.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code %d\n%s", code, s.logText())
	}
	os.Rename(logFile, logFile+".before")
	s = startServerLogging(t, dataDir, logFile, "--config", cfgPath)
	c = s.connect(t)
	wantRows(t, c, "SELECT name, value, source FROM v$parameter WHERE name IN ('buffer_pool_pages', 'level', 'max_connections') ORDER BY name",
		"buffer_pool_pages|2000|configuration file", "level|info|default", "max_connections|30|configuration file")
	wantRows(t, c, "SELECT count(*) FROM v$parameter_history", "0")
}

// connectWith is connect with changes to the connection's configuration.
func (s *server) connectWith(t *testing.T, change func(*pgx.ConnConfig)) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(s.connString())
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	change(cfg)
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	return conn
}

// httpDo sends a request with a JSON body ("" for none) and returns the
// status and body.
func httpDo(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitLogRecord waits for a JSON record of the log file that match accepts.
func waitLogRecord(t *testing.T, path string, match func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, _ := os.ReadFile(path)
		for _, line := range strings.Split(string(data), "\n") {
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) == nil && match(rec) {
				return rec
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no such record in the log:\n%s", data)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
