package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"rustydb"
)

// testServer is a Server over a new DB that is not listening: the REST
// API's AdminOps with real sessions behind them.
func testServer(t *testing.T) *Server {
	t.Helper()
	db, err := rustydb.OpenWith(rustydb.Options{Dir: t.TempDir(), SyncMode: "off", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return NewServer(ServerOptions{DB: db, Mode: "prod", Logger: slog.New(slog.DiscardHandler)})
}

// restClient sends requests to h from remote, with token when not "".
type restClient struct {
	t      *testing.T
	h      http.Handler
	remote string
	token  string
}

func (c restClient) do(method, path, body string, header ...string) *httptest.ResponseRecorder {
	c.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.RemoteAddr = c.remote
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	return rec
}

// json sends a request and decodes its JSON answer.
func (c restClient) json(method, path, body string) (int, map[string]any) {
	c.t.Helper()
	rec := c.do(method, path, body)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		c.t.Fatalf("%s %s: %v: %s", method, path, err, rec.Body)
	}
	return rec.Code, out
}

func restWithTokens(t *testing.T, mode string) (http.Handler, *TokenStore, *Server) {
	t.Helper()
	srv := testServer(t)
	dir := t.TempDir()
	tokens, created, err := OpenTokenStore(filepath.Join(dir, "api_tokens"))
	if err != nil || !created {
		t.Fatalf("OpenTokenStore: created %v, %v", created, err)
	}
	if err := tokens.IssueFirst(filepath.Join(dir, "admin_api_token")); err != nil {
		t.Fatal(err)
	}
	h := NewREST(RESTOptions{Stats: srv.db.Stats, Connections: srv.ActiveConnections, Mode: mode,
		Logger: slog.New(slog.DiscardHandler), Admin: srv, Tokens: tokens, Params: srv.db.Params()})
	return h, tokens, srv
}

func TestRESTBearerTokens(t *testing.T) {
	h, tokens, _ := restWithTokens(t, "prod")
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(tokens.Path()), "admin_api_token"))
	if err != nil {
		t.Fatal(err)
	}
	admin := strings.TrimSpace(string(raw))
	if fi, _ := os.Stat(filepath.Join(filepath.Dir(tokens.Path()), "admin_api_token")); fi.Mode().Perm() != 0o600 {
		t.Errorf("admin_api_token mode %v, want 0600", fi.Mode().Perm())
	}
	if stored, _ := os.ReadFile(tokens.Path()); bytes.Contains(stored, []byte(admin)) {
		t.Fatal("the tokens file holds the token itself")
	}
	f := func(remote, token, method, path string, want int) {
		t.Helper()
		rec := restClient{t, h, remote, token}.do(method, path, "")
		if rec.Code != want {
			t.Fatalf("%s %s from %s with token %q: HTTP %d %s, want %d", method, path, remote, token, rec.Code, rec.Body, want)
		}
		if want == http.StatusUnauthorized {
			if !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") || !strings.Contains(rec.Body.String(), `"code":"UNAUTHORIZED"`) {
				t.Errorf("401 without the Bearer challenge or error code: %v %s", rec.Header(), rec.Body)
			}
		}
	}
	const remote, local = "203.0.113.9:5000", "127.0.0.1:5000"
	f(remote, "", "GET", "/api/v1/connections", 401)
	f(local, "", "GET", "/api/v1/connections", 401) // prod mode: local requests need one too
	f(remote, "rdb_wrong", "GET", "/api/v1/connections", 401)
	f(remote, admin+"x", "GET", "/api/v1/metrics", 401)
	f(remote, admin, "GET", "/api/v1/connections", 200)
	f(remote, admin, "GET", "/api/v1/metrics", 200)
	f(remote, "", "GET", "/api/v1/admin/config", 401)
	f(remote, "", "GET", "/api/v1/admin/config/max_connections", 401)
	f(remote, "", "PUT", "/api/v1/admin/config/max_connections", 401) // refused before the body is read
	f(remote, admin, "GET", "/api/v1/admin/config/max_connections", 200)
	f(remote, "", "GET", "/api/v1/admin/health", 200) // public
	f(remote, "", "GET", "/api/v1/openapi.json", 200)
	f(remote, "", "GET", "/api/v1/admin/version", 200)
	if rec := (restClient{t, h, remote, ""}).do("GET", "/api/v1/metrics", ""); rec.Header().Get("WWW-Authenticate") != `Bearer realm="rustydb"` {
		t.Errorf("missing token: challenge %q", rec.Header().Get("WWW-Authenticate"))
	}

	// A token issued over the API works at once, appears in the list, and
	// stops working when revoked.
	c := restClient{t, h, remote, admin}
	code, out := c.json("POST", "/api/v1/admin/tokens", `{"id": "ci", "note": "the CI runner"}`)
	data, _ := out["data"].(map[string]any)
	ci, _ := data["token"].(string)
	if code != 201 || data["id"] != "ci" || !strings.HasPrefix(ci, tokenPrefix) {
		t.Fatalf("issue: %d %v", code, out)
	}
	f(remote, ci, "GET", "/api/v1/connections", 200)
	if code, out = c.json("POST", "/api/v1/admin/tokens", `{"id": "ci"}`); code != 409 {
		t.Errorf("duplicate id: %d %v", code, out)
	}
	if code, out = c.json("POST", "/api/v1/admin/tokens", `{"id": "no spaces"}`); code != 400 {
		t.Errorf("bad id: %d %v", code, out)
	}
	code, out = c.json("POST", "/api/v1/admin/tokens", "") // no body: a generated id
	if data, _ := out["data"].(map[string]any); code != 201 || data["id"] == "" {
		t.Errorf("issue without body: %d %v", code, out)
	}
	code, out = c.json("GET", "/api/v1/admin/tokens", "")
	list := fmt.Sprint(out["data"])
	if code != 200 || !strings.Contains(list, "id:admin") || !strings.Contains(list, "id:ci") || strings.Contains(list, "sha256") {
		t.Errorf("list: %d %v", code, out)
	}
	if code, out = c.json("DELETE", "/api/v1/admin/tokens/ci", ""); code != 200 {
		t.Errorf("revoke: %d %v", code, out)
	}
	f(remote, ci, "GET", "/api/v1/connections", 401)
	if code, _ = c.json("DELETE", "/api/v1/admin/tokens/ci", ""); code != 404 {
		t.Errorf("revoke again: %d", code)
	}
	// The file was written through: a new store reads the same tokens.
	again, created, err := OpenTokenStore(tokens.Path())
	if err != nil || created || len(again.List()) != 2 || again.Check(admin) != "admin" || again.Check(ci) != "" {
		t.Errorf("reopened store: %v %v %v", again.List(), created, err)
	}
}

func TestRESTDevModeLocal(t *testing.T) {
	h, _, _ := restWithTokens(t, "dev")
	if rec := (restClient{t, h, "127.0.0.1:5000", ""}).do("GET", "/api/v1/connections", ""); rec.Code != 200 {
		t.Errorf("dev mode, local, no token: HTTP %d %s", rec.Code, rec.Body)
	}
	if rec := (restClient{t, h, "[::1]:5000", ""}).do("GET", "/api/v1/connections", ""); rec.Code != 200 {
		t.Errorf("dev mode, local IPv6, no token: HTTP %d %s", rec.Code, rec.Body)
	}
	if rec := (restClient{t, h, "203.0.113.9:5000", ""}).do("GET", "/api/v1/connections", ""); rec.Code != 401 {
		t.Errorf("dev mode, remote, no token: HTTP %d %s", rec.Code, rec.Body)
	}
}

func TestPageOf(t *testing.T) {
	f := func(query string, limit, offset int, wantErr string) {
		t.Helper()
		req := httptest.NewRequest("GET", "/x?"+query, nil)
		l, o, err := pageOf(req.URL.Query())
		if wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), wantErr) {
				t.Errorf("%q: err %v, want %q", query, err, wantErr)
			}
			return
		}
		if err != nil || l != limit || o != offset {
			t.Errorf("%q: limit %d offset %d err %v; want %d %d", query, l, o, err, limit, offset)
		}
	}
	f("", 50, 0, "")
	f("limit=10&offset=20", 10, 20, "")
	f("limit=5000", 1000, 0, "")
	f("page=3&page_size=10", 10, 20, "")
	f("page=2", 50, 50, "")
	f("limit=0", 0, 0, "limit must be a whole number >= 1")
	f("offset=-1", 0, 0, "offset must be")
	f("page=0", 0, 0, "page must be")
	f("page_size=x", 0, 0, "page_size must be")
	f("page=1&limit=5", 0, 0, "either limit and offset or page and page_size")
}

func TestRESTQueryArrow(t *testing.T) {
	h, _, srv := restWithTokens(t, "dev")
	ctx := context.Background()
	if _, err := srv.db.Exec(ctx, `CREATE TABLE a (b BOOLEAN, s SMALLINT, i INT, l BIGINT, r REAL, d DOUBLE PRECISION,
		n NUMERIC(10,2), u NUMERIC, t TEXT, dt DATE, ts TIMESTAMP, tz TIMESTAMPTZ, tm TIME, bt BYTEA, iv INTERVAL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.db.Exec(ctx, `INSERT INTO a VALUES
		(true, 1, 2, 3, 1.5, 2.25, 12345678.91, 1.000000000000000000000000000000000000000001, 'x', '2024-02-29',
		 '2024-02-29 12:34:56.789', '2024-02-29 12:00:00+02', '23:59:59.5', '\x0102', '1 day'),
		(NULL, NULL, NULL, NULL, NULL, NULL, -0.05, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`); err != nil {
		t.Fatal(err)
	}
	c := restClient{t, h, "127.0.0.1:1", ""}
	rec := c.do("POST", "/api/v1/query", `{"sql": "SELECT * FROM a ORDER BY s NULLS LAST"}`, "Accept", "application/json, "+arrowStreamType+";q=0.9")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != arrowStreamType || rec.Header().Get("RustyDB-Command-Tag") != "SELECT 2" {
		t.Fatalf("HTTP %d %v: %s", rec.Code, rec.Header(), rec.Body)
	}
	r, err := ipc.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	var got []string
	for _, f := range r.Schema().Fields() {
		typ, _ := f.Metadata.GetValue("rustydb.type")
		got = append(got, f.Name+":"+f.Type.String()+":"+typ)
	}
	want := []string{"b:bool:boolean", "s:int16:smallint", "i:int32:integer", "l:int64:bigint", "r:float32:real",
		"d:float64:double precision", "n:decimal(10, 2):numeric(10,2)", "u:utf8:numeric", "t:utf8:text", "dt:date32:date",
		"ts:timestamp[us]:timestamp without time zone", "tz:timestamp[us, tz=UTC]:timestamp with time zone",
		"tm:time64[us]:time without time zone", "bt:binary:bytea", "iv:utf8:interval"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("schema:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	rows := 0
	var cells []string
	for r.Next() {
		rec := r.RecordBatch()
		rows += int(rec.NumRows())
		for i := range int(rec.NumCols()) {
			for j := range int(rec.NumRows()) {
				cells = append(cells, rec.Column(i).ValueStr(j))
			}
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if rows != 2 {
		t.Fatalf("%d rows, want 2", rows)
	}
	// Column-major: each column's two values.
	wantCells := []string{"true", "(null)", "1", "(null)", "2", "(null)", "3", "(null)", "1.5", "(null)", "2.25", "(null)",
		"12345678.91", "-0.05", "1.000000000000000000000000000000000000000001", "(null)", "x", "(null)",
		"2024-02-29", "(null)", "2024-02-29T12:34:56.789", "(null)", "2024-02-29T10:00:00Z", "(null)",
		"23:59:59.500000", "(null)", "AQI=", "(null)", "1 day", "(null)"}
	if strings.Join(cells, "|") != strings.Join(wantCells, "|") {
		t.Errorf("values:\n%s\nwant\n%s", strings.Join(cells, "|"), strings.Join(wantCells, "|"))
	}

	// Without the Accept header the answer stays JSON; an SQL error stays JSON too.
	if rec := c.do("POST", "/api/v1/query", `{"sql": "SELECT 1"}`); !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Errorf("default answer: %v", rec.Header())
	}
	rec = c.do("POST", "/api/v1/query", `{"sql": "SELECT nope FROM a"}`, "Accept", arrowStreamType)
	if body, _ := io.ReadAll(rec.Body); rec.Code != 400 || !strings.Contains(string(body), "42703") {
		t.Errorf("SQL error as Arrow: %d %s", rec.Code, body)
	}
	// An empty result is a schema and one empty batch.
	rec = c.do("POST", "/api/v1/query", `{"sql": "SELECT i FROM a WHERE false"}`, "Accept", arrowStreamType)
	if r, err := ipc.NewReader(rec.Body); err != nil || !r.Next() || r.RecordBatch().NumRows() != 0 || r.Schema().Field(0).Type.ID() != arrow.INT32 {
		t.Errorf("empty result: %v", err)
	}
}

func TestRESTShutdownEndpoint(t *testing.T) {
	h, _, srv := restWithTokens(t, "dev")
	requests := srv.db.ShutdownRequests()
	c := restClient{t, h, "127.0.0.1:1", ""}
	for _, tc := range []struct {
		body string
		code int
		want rustydb.ShutdownMode
	}{
		{"", 202, rustydb.ShutdownNormal},
		{`{"mode": "immediate"}`, 202, rustydb.ShutdownImmediate},
		{`{"mode": "ABORT"}`, 202, rustydb.ShutdownAbort},
		{`{"mode": "fast"}`, 400, ""},
		{`{"mode": `, 400, ""},
	} {
		code, out := c.json("POST", "/api/v1/admin/shutdown", tc.body)
		if code != tc.code {
			t.Fatalf("%q: %d %v", tc.body, code, out)
		}
		select {
		case m := <-requests:
			if m != tc.want {
				t.Errorf("%q requested %s, want %s", tc.body, m, tc.want)
			}
			if data, _ := out["data"].(map[string]any); data["mode"] != string(tc.want) {
				t.Errorf("%q: answer %v", tc.body, out)
			}
		default:
			if tc.want != "" {
				t.Errorf("%q requested nothing", tc.body)
			}
		}
	}
}

// TestRESTPprof checks the profile endpoint: a heap profile in pprof's
// (gzipped protobuf) format for a token holder, 401 without one, 404 with
// the list of profiles for an unknown name.
func TestRESTPprof(t *testing.T) {
	h, tokens, _ := restWithTokens(t, "prod")
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(tokens.Path()), "admin_api_token"))
	if err != nil {
		t.Fatal(err)
	}
	admin := restClient{t, h, "192.0.2.1:5000", strings.TrimSpace(string(raw))}
	rec := admin.do("GET", "/api/v1/admin/pprof/heap", "")
	if rec.Code != 200 || !bytes.HasPrefix(rec.Body.Bytes(), []byte{0x1f, 0x8b}) {
		t.Fatalf("heap profile: %d, %d bytes starting %q", rec.Code, rec.Body.Len(), rec.Body.Bytes()[:min(8, rec.Body.Len())])
	}
	if rec := (restClient{t, h, "192.0.2.1:5000", ""}).do("GET", "/api/v1/admin/pprof/heap", ""); rec.Code != 401 {
		t.Fatalf("without a token: %d, want 401", rec.Code)
	}
	if code, body := admin.json("GET", "/api/v1/admin/pprof/nosuch", ""); code != 404 || !strings.Contains(fmt.Sprint(body), "goroutine") {
		t.Fatalf("unknown profile: %d %v", code, body)
	}
}
