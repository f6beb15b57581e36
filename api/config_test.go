package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rustydb/config"
)

func TestConfigEndpoints(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rustydb.toml")
	const file = "[server]\nmax_connections = 50 # pool\n"
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	params := config.NewParams(cfg)
	h := NewREST(RESTOptions{Mode: "dev", Logger: slog.New(slog.DiscardHandler), Params: params})
	do := func(method, target, body string) (int, string) {
		t.Helper()
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.RemoteAddr = "127.0.0.1:50000"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if !json.Valid(rec.Body.Bytes()) {
			t.Errorf("%s %s: body is not JSON: %s", method, target, rec.Body)
		}
		return rec.Code, rec.Body.String()
	}
	f := func(method, target, body string, wantStatus int, wantBody ...string) {
		t.Helper()
		status, got := do(method, target, body)
		if status != wantStatus {
			t.Errorf("%s %s %s: status %d, want %d\n%s", method, target, body, status, wantStatus, got)
		}
		for _, w := range wantBody {
			if !strings.Contains(got, w) {
				t.Errorf("%s %s %s: body lacks %s:\n%s", method, target, body, w, got)
			}
		}
	}
	const one = "/api/v1/admin/config/"
	f("GET", "/api/v1/admin/config", "", 200, `"config_file":"`+path+`"`, `"name":"work_mem"`, `"key":"memory.work_mem"`)
	f("GET", one+"max_connections", "", 200, `"value":"50"`, `"default_value":"100"`, `"is_dynamic":true`,
		`"source":"configuration file"`, `"scope":"system"`)
	f("GET", one+"server.listen_port", "", 200, `"name":"listen_port"`, `"is_dynamic":false`)
	f("GET", one+"nope", "", 404, `"code":"NOT_FOUND"`, `unrecognized configuration parameter \"nope\"`)
	f("DELETE", one+"max_connections", "", 405, `use GET, PUT`)

	f("PUT", one+"max_connections", `{"value": 80, "scope": "MEMORY"}`, 200, `"new_value":"80"`, `"scope":"MEMORY"`,
		`"user":"rest-api@127.0.0.1"`, `"is_modified":true`)
	if params.Current().Server.MaxConnections != 80 {
		t.Errorf("running max_connections = %d, want 80", params.Current().Server.MaxConnections)
	}
	f("PUT", one+"slow_query_threshold_ms", `{"value": "250"}`, 200, `"scope":"BOTH"`) // the default scope with a file
	f("PUT", one+"simd_enabled", `{"value": false, "scope": "spfile"}`, 200, `"new_value":"false"`)
	f("PUT", one+"buffer_pool_pages", `{"value": 2000, "scope": "MEMORY"}`, 400, `"code":"RESTART_REQUIRED"`,
		`parameter \"buffer_pool_pages\" cannot be changed without restarting the server`, "SCOPE = SPFILE")
	f("PUT", one+"max_connections", `{"value": 0}`, 400, `"code":"INVALID_VALUE"`, "0 is out of range (1..100000)")
	f("PUT", one+"nope", `{"value": 1}`, 404, `"code":"NOT_FOUND"`)
	f("PUT", one+"max_connections", `{"value": [1]}`, 400, `"code":"BAD_REQUEST"`)
	f("PUT", one+"max_connections", `{"scope": "MEMORY"}`, 400, `"code":"BAD_REQUEST"`)
	f("PUT", one+"max_connections", `{"value": 5, "scope": "DISK"}`, 400, `unknown scope \"DISK\"`)

	got, _ := os.ReadFile(path)
	want := file + "\n[logging]\nslow_query_threshold_ms = 250\n\n[performance]\nsimd_enabled = false\n"
	if string(got) != want {
		t.Errorf("file after the changes =\n%s\nwant\n%s", got, want)
	}
	if h := params.History(); len(h) != 3 {
		t.Errorf("history = %+v, want the 3 changes that succeeded", h)
	}

	// without a file, SPFILE has nothing to change
	h = NewREST(RESTOptions{Mode: "dev", Logger: slog.New(slog.DiscardHandler), Params: config.NewParams(config.Default())})
	f("PUT", one+"max_connections", `{"value": 5, "scope": "SPFILE"}`, http.StatusConflict, `"code":"NO_CONFIG_FILE"`)
}
