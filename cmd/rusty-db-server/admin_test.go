package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/jackc/pgx/v5/pgconn"
)

// End-to-end tests of administration: shutdown modes, start-up modes, REST
// bearer tokens, Arrow answers, paginated connections, Prometheus metrics
// linted by promtool and scripts/health-check.sh.

// waitExit waits for the server process to end by itself and returns its
// exit code.
func (s *server) waitExit() int {
	s.t.Helper()
	select {
	case err := <-s.exited:
		s.exited <- err // for the cleanup
	case <-time.After(30 * time.Second):
		s.t.Fatalf("server did not exit:\n%s", s.log)
	}
	return s.cmd.ProcessState.ExitCode()
}

// wantCleanStop waits for the server to exit 0 after a final checkpoint,
// stopped in mode.
func (s *server) wantCleanStop(mode string) {
	s.t.Helper()
	if code := s.waitExit(); code != 0 {
		s.t.Fatalf("exit code %d:\n%s", code, s.log)
	}
	if !strings.Contains(s.log.String(), `msg="checkpoint complete; RustyDB stopped" mode=`+mode) {
		s.t.Errorf("no final checkpoint after a %s shutdown:\n%s", mode, s.log)
	}
}

// waitLog waits until the server's log contains text.
func (s *server) waitLog(text string) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(s.log.String(), text) {
		if time.Now().After(deadline) || !s.running() {
			s.t.Fatalf("the log never said %q:\n%s", text, s.log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// running reports whether the process is still up, without waiting.
func (s *server) running() bool {
	select {
	case err := <-s.exited:
		s.exited <- err
		return false
	default:
		return true
	}
}

// api sends a request to the REST API, with token when not "", and
// returns the status, headers and body.
func (s *server) api(t *testing.T, method, path, token, body string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, fmt.Sprintf("http://127.0.0.1:%d/api/v1%s", s.rest, path), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, out
}

// wantConnectError checks that a new connection as rustydb fails with code.
func (s *server) wantConnectError(t *testing.T, code string) {
	t.Helper()
	s.wantLoginError(t, "rustydb", "", "disable", code, "")
}

func TestShutdownNormal(t *testing.T) {
	s := startServer(t, "")
	c := s.connect(t)
	mustExec(t, c, "CREATE TABLE kv (k INT PRIMARY KEY, v TEXT)", "")
	mustExec(t, c, "BEGIN", "")
	mustExec(t, c, "INSERT INTO kv VALUES (1, 'committed after SHUTDOWN NORMAL')", "")
	issuer := s.connect(t)
	mustExec(t, issuer, "SHUTDOWN NORMAL", "SHUTDOWN")
	issuer.Close(context.Background())
	s.waitLog(`msg="shutdown requested" mode=NORMAL`)
	// A NORMAL shutdown waits for the open session: new clients are turned
	// away meanwhile, and the session works on until it leaves.
	s.wantConnectError(t, "57P03")
	if !s.running() {
		t.Fatalf("the server exited with a session open:\n%s", s.log)
	}
	mustExec(t, c, "COMMIT", "COMMIT")
	c.Close(context.Background())
	s.wantCleanStop("NORMAL")
	s = startServer(t, s.dataDir)
	wantRows(t, s.connect(t), "SELECT k, v FROM kv", "1|committed after SHUTDOWN NORMAL")
}

func TestShutdownImmediate(t *testing.T) {
	s := startServer(t, "")
	c := s.connect(t)
	mustExec(t, c, "CREATE TABLE kv (k INT PRIMARY KEY)", "")
	mustExec(t, c, "INSERT INTO kv VALUES (1)", "")
	mustExec(t, c, "BEGIN", "")
	mustExec(t, c, "INSERT INTO kv VALUES (2)", "")
	mustExec(t, s.connect(t), "SHUTDOWN IMMEDIATE", "SHUTDOWN")
	s.wantCleanStop("IMMEDIATE")
	// The open session was told why it ended.
	_, err := c.Exec(context.Background(), "COMMIT")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "57P01" || pgErr.Message != "terminating connection due to administrator command" {
		t.Errorf("session of an IMMEDIATE shutdown: %v, want FATAL 57P01", err)
	}
	s = startServer(t, s.dataDir)
	wantRows(t, s.connect(t), "SELECT k FROM kv", "1") // the open transaction rolled back
}

func TestShutdownAbortOverREST(t *testing.T) {
	s := startServer(t, "")
	c := s.connect(t)
	mustExec(t, c, "CREATE TABLE kv (k INT PRIMARY KEY)", "")
	mustExec(t, c, "INSERT INTO kv VALUES (1), (2)", "")
	code, _, body := s.api(t, "POST", "/admin/shutdown", "", `{"mode": "ABORT"}`)
	if code != 202 || !strings.Contains(string(body), `"mode":"ABORT"`) {
		t.Fatalf("POST /admin/shutdown: %d %s", code, body)
	}
	if code := s.waitExit(); code != 1 {
		t.Fatalf("ABORT exit code %d, want 1:\n%s", code, s.log)
	}
	if strings.Contains(s.log.String(), "checkpoint complete") {
		t.Errorf("ABORT wrote a checkpoint:\n%s", s.log)
	}
	s = startServer(t, s.dataDir)
	if !strings.Contains(s.log.String(), "replayed_transactions=") || strings.Contains(s.log.String(), "replayed_transactions=0") {
		t.Errorf("no crash recovery after ABORT:\n%s", s.log)
	}
	wantRows(t, s.connect(t), "SELECT k FROM kv ORDER BY k", "1", "2")
}

func TestShutdownPrivileges(t *testing.T) {
	s := startServer(t, "")
	c := s.connect(t)
	mustExec(t, c, "CREATE USER alice", "")
	alice := s.mustConnectAs(t, "alice", "", "disable")
	wantCode(t, alice, "SHUTDOWN ABORT", "42501")
	wantCode(t, alice, "ALTER SYSTEM ENABLE RESTRICTED SESSION", "42501")
	// A NORMAL shutdown is hurried by a stronger request.
	mustExec(t, c, "SHUTDOWN", "SHUTDOWN")
	s.waitLog(`msg="shutdown requested" mode=NORMAL`)
	s.wantConnectError(t, "57P03")
	code, _, body := s.api(t, "POST", "/admin/shutdown", "", `{"mode": "immediate"}`)
	if code != 202 {
		t.Fatalf("POST /admin/shutdown: %d %s", code, body)
	}
	s.wantCleanStop("IMMEDIATE")
	if !strings.Contains(s.log.String(), `msg="shutdown hurried" mode=IMMEDIATE`) {
		t.Errorf("the NORMAL shutdown was not hurried:\n%s", s.log)
	}
}

func TestRestrictMode(t *testing.T) {
	s := startServer(t, "", "--restrict")
	admin := s.connect(t) // a superuser
	mustExec(t, admin, "CREATE USER alice", "")
	s.wantLoginError(t, "alice", "", "disable", "57P03", "database is in restricted mode")
	mustExec(t, admin, "ALTER SYSTEM DISABLE RESTRICTED SESSION", "ALTER SYSTEM")
	alice := s.mustConnectAs(t, "alice", "", "disable")
	mustExec(t, admin, "ALTER SYSTEM ENABLE RESTRICTED SESSION", "ALTER SYSTEM")
	s.wantLoginError(t, "alice", "", "disable", "57P03", "restricted mode")
	wantRows(t, alice, "SELECT 1", "1") // an open session stays
}

func TestMountOnly(t *testing.T) {
	s := startServer(t, "")
	c := s.connect(t)
	mustExec(t, c, "CREATE TABLE kv (k INT PRIMARY KEY)", "")
	mustExec(t, c, "INSERT INTO kv VALUES (7)", "")
	mustExec(t, c, "CREATE USER alice", "")
	s.stop(15) // SIGTERM

	s = startServer(t, s.dataDir, "--mount-only")
	s.wantLoginError(t, "alice", "", "disable", "57P03", "mounted but not open")
	c = s.connect(t)
	e := wantCode(t, c, "SELECT * FROM kv", "55000")
	if e.Message != "database is mounted but not open" {
		t.Errorf("message %q", e.Message)
	}
	wantCode(t, c, "INSERT INTO kv VALUES (8)", "55000")
	wantRows(t, c, "SELECT relname FROM pg_class WHERE relname = 'kv'", "kv")
	mustExec(t, c, "ALTER DATABASE OPEN", "ALTER DATABASE")
	wantRows(t, c, "SELECT k FROM kv", "7")
	s.mustConnectAs(t, "alice", "", "disable")
}

func TestRESTTokensProd(t *testing.T) {
	s := startProd(t, "", "")
	tokenFile := filepath.Join(s.dataDir, "admin_api_token")
	raw, err := os.ReadFile(tokenFile)
	if err != nil {
		t.Fatalf("no first token: %v\n%s", err, s.log)
	}
	token := strings.TrimSpace(string(raw))
	if fi, _ := os.Stat(tokenFile); fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", tokenFile, fi.Mode().Perm())
	}
	if strings.Contains(s.log.String(), token) || !strings.Contains(s.log.String(), tokenFile) {
		t.Errorf("the log must name the token's file and not show the token:\n%s", s.log)
	}
	code, hdr, body := s.api(t, "GET", "/connections", "", "")
	if code != 401 || !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Bearer") || !strings.Contains(string(body), `"code":"UNAUTHORIZED"`) {
		t.Errorf("without a token: %d %v %s", code, hdr, body)
	}
	if code, _, _ = s.api(t, "GET", "/connections", "rdb_not_a_token", ""); code != 401 {
		t.Errorf("with a wrong token: %d", code)
	}
	if code, _, body = s.api(t, "GET", "/connections", token, ""); code != 200 {
		t.Errorf("with the token: %d %s", code, body)
	}
	if code, _, _ = s.api(t, "GET", "/admin/health", "", ""); code != 200 {
		t.Errorf("health without a token: %d", code)
	}
	// An issued token survives a restart: only its hash is on disk.
	code, _, body = s.api(t, "POST", "/admin/tokens", token, `{"id": "monitoring"}`)
	var issued struct {
		Data struct{ Token string } `json:"data"`
	}
	if err := json.Unmarshal(body, &issued); code != 201 || err != nil || issued.Data.Token == "" {
		t.Fatalf("issue: %d %s", code, body)
	}
	if stored, _ := os.ReadFile(filepath.Join(s.dataDir, "api_tokens")); bytes.Contains(stored, []byte(issued.Data.Token)) {
		t.Error("api_tokens holds a token in clear")
	}
	s.stop(15)
	s = startServer(t, s.dataDir, "--config", writeConfig(t, "[instance]\nmode = \"prod\"\n"))
	if code, _, body = s.api(t, "GET", "/metrics", issued.Data.Token, ""); code != 200 {
		t.Errorf("issued token after a restart: %d %s", code, body)
	}
	// The health-check script finds its token in a file.
	if _, err := exec.LookPath("jq"); err == nil {
		if code, out := s.healthCheck(t, "RUSTYDB_TOKEN_FILE="+tokenFile); code != 0 {
			t.Errorf("health-check with the token file: exit %d\n%s", code, out)
		}
		if code, out := s.healthCheck(t); code != 2 || !strings.Contains(out, "needs a token") {
			t.Errorf("health-check without a token: exit %d, want 2\n%q", code, out)
		}
	}
}

// healthCheck runs scripts/health-check.sh against s with env added.
func (s *server) healthCheck(t *testing.T, env ...string) (int, string) {
	t.Helper()
	for _, tool := range []string{"curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (.ci/install-tools installs it)", tool)
		}
	}
	cmd := exec.Command("bash", "../../scripts/health-check.sh")
	cmd.Env = append(os.Environ(), append([]string{"RUSTYDB_HOST=127.0.0.1", fmt.Sprintf("RUSTYDB_REST_PORT=%d", s.rest)}, env...)...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), string(out)
}

func TestHealthCheckScript(t *testing.T) {
	s := startServer(t, "")
	mustExec(t, s.connect(t), "CREATE TABLE h AS SELECT g AS i FROM generate_series(1, 1000) g", "")
	code, out := s.healthCheck(t)
	if code != 0 || !strings.Contains(out, "RustyDB at 127.0.0.1") || !strings.Contains(out, ": HEALTHY") || !strings.Contains(out, "Buffer pool usage:") {
		t.Errorf("healthy server: exit %d\n%s", code, out)
	}
	// A full buffer pool by the script's measure: any usage is above -1%.
	if code, out = s.healthCheck(t, "BUFFER_POOL_THRESHOLD=-1"); code != 1 || !strings.Contains(out, "ALERT: buffer pool usage") {
		t.Errorf("threshold exceeded: exit %d\n%s", code, out)
	}
	s.stop(15)
	if code, out = s.healthCheck(t); code != 2 || !strings.Contains(out, "cannot reach") {
		t.Errorf("stopped server: exit %d\n%s", code, out)
	}
}

func TestRESTAdminPagesArrowMetrics(t *testing.T) {
	s := startServer(t, "")
	c := s.connect(t)
	mustExec(t, c, "CREATE TABLE r (i INT, n NUMERIC(6,2), t TEXT)", "")
	mustExec(t, c, "INSERT INTO r VALUES (1, 1.5, 'a'), (2, NULL, 'b')", "")
	for range 2 {
		s.connect(t)
	}
	// Three sessions, in pages of two.
	page := func(query string) (ids []float64, pagination map[string]any) {
		t.Helper()
		code, _, body := s.api(t, "GET", "/connections?"+query, "", "")
		var out struct {
			Data []struct {
				SessionID float64 `json:"session_id"`
			}
			Pagination map[string]any
		}
		if err := json.Unmarshal(body, &out); code != 200 || err != nil {
			t.Fatalf("connections?%s: %d %s", query, code, body)
		}
		for _, d := range out.Data {
			ids = append(ids, d.SessionID)
		}
		return ids, out.Pagination
	}
	first, p := page("limit=2")
	second, p2 := page("page=2&page_size=2")
	if len(first) != 2 || len(second) != 1 || p["total"] != 3.0 || p["has_more"] != true || p2["has_more"] != false || p2["pages"] != 2.0 || second[0] <= first[1] {
		t.Errorf("pages %v %v, pagination %v %v", first, second, p, p2)
	}
	if code, _, body := s.api(t, "GET", "/connections?limit=x", "", ""); code != 400 {
		t.Errorf("bad limit: %d %s", code, body)
	}
	if code, _, _ := s.api(t, "DELETE", "/connections/424242", "", ""); code != 404 {
		t.Errorf("unknown session: %d", code)
	}

	code, hdr, body := s.api(t, "POST", "/query", "", `{"sql": "SELECT i, n, t FROM r ORDER BY i"}`, "Accept", "application/vnd.apache.arrow.stream")
	if code != 200 || hdr.Get("Content-Type") != "application/vnd.apache.arrow.stream" {
		t.Fatalf("Arrow query: %d %v %s", code, hdr, body)
	}
	rd, err := ipc.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rd.Next() {
		rec := rd.RecordBatch()
		for j := range int(rec.NumRows()) {
			var cells []string
			for i := range int(rec.NumCols()) {
				cells = append(cells, rec.Column(i).ValueStr(j))
			}
			got = append(got, strings.Join(cells, "|"))
		}
	}
	if err := rd.Err(); err != nil || strings.Join(got, "\n") != "1|1.5|a\n2|(null)|b" || rd.Schema().Field(1).Type.String() != "decimal(6, 2)" {
		t.Errorf("Arrow rows %q (%v), schema %v", got, err, rd.Schema())
	}

	code, _, body = s.api(t, "GET", "/openapi.json", "", "")
	if code != 200 || !bytes.Contains(body, []byte(`"openapi": "3.`)) || !bytes.Contains(body, []byte(`"/api/v1/admin/shutdown"`)) {
		t.Errorf("openapi.json: %d %.200s", code, body)
	}

	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", s.metric))
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`rustydb_connections{state="idle"} 3`, `rustydb_rows_written_total{op="insert"} 2`, "rustydb_wal_group_commit_size_count "} {
		if !bytes.Contains(metrics, []byte(want)) {
			t.Errorf("metrics lack %q", want)
		}
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (Debian package prometheus): metrics not linted")
	}
	lint := exec.Command(promtool, "check", "metrics")
	lint.Stdin = bytes.NewReader(metrics)
	if out, err := lint.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

func TestValidateTokensFile(t *testing.T) {
	tokens := filepath.Join(t.TempDir(), "tokens")
	os.WriteFile(tokens, []byte("admin sha256:1234\n"), 0o600)
	cfg := writeConfig(t, fmt.Sprintf("[api]\ntokens_file = %q\n", tokens))
	code, out := runServer(t, "--config", cfg, "--validate")
	if code == 0 || !strings.Contains(out, tokens+`:1: token "admin": the hash must be sha256: and 64 hex digits`) {
		t.Errorf("bad tokens file: exit %d\n%s", code, out)
	}
	os.WriteFile(tokens, []byte("admin sha256:"+strings.Repeat("0", 64)+"\n"), 0o600)
	if code, out = runServer(t, "--config", cfg, "--validate"); code != 0 {
		t.Errorf("good tokens file: exit %d\n%s", code, out)
	}
}
