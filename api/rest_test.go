package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"rustydb"
	"rustydb/row"
)

type healthBody struct {
	Status string `json:"status"`
	Data   struct {
		Status            string    `json:"status"`
		Version           string    `json:"version"`
		UptimeSeconds     float64   `json:"uptime_seconds"`
		ActiveConnections int       `json:"active_connections"`
		CheckedAt         time.Time `json:"checked_at"`
		Components        []struct {
			Name      string  `json:"name"`
			Status    string  `json:"status"`
			Message   string  `json:"message"`
			LatencyMs float64 `json:"latency_ms"`
		} `json:"components"`
	} `json:"data"`
}

// restGet serves one request from this machine and checks that the answer
// is JSON.
func restGet(t *testing.T, h http.Handler, method, path string) (int, string, http.Header) {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(method, path, nil)
	req.RemoteAddr = "127.0.0.1:40000"
	h.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q, want application/json", method, path, ct)
	}
	if !json.Valid(rec.Body.Bytes()) {
		t.Errorf("%s %s: body is not JSON: %s", method, path, rec.Body)
	}
	return rec.Code, rec.Body.String(), rec.Header()
}

// restFor serves the REST API over engine stats with the given directories.
func restFor(dataDir, walDir string, walUnusable bool) http.Handler {
	st := rustydb.Stats{Started: time.Now().Add(-time.Minute), DataDir: dataDir, WALDir: walDir, WALUnusable: walUnusable}
	return NewREST(RESTOptions{
		Stats:       func() rustydb.Stats { return st },
		Connections: func() int { return 4 },
		Mode:        "dev",
		Logger:      slog.New(slog.DiscardHandler),
	})
}

func getHealth(t *testing.T, h http.Handler) (int, string, healthBody) {
	t.Helper()
	code, body, _ := restGet(t, h, "GET", "/api/v1/admin/health")
	var hb healthBody
	if err := json.Unmarshal([]byte(body), &hb); err != nil {
		t.Fatalf("health body %s: %v", body, err)
	}
	return code, body, hb
}

func TestHealthHealthy(t *testing.T) {
	data := t.TempDir()
	if disk := row.CheckHealth(data, data, false, 0)[2]; disk.Status != row.Healthy {
		t.Skipf("this machine's disk is short of space: %s", disk.Message)
	}
	code, body, hb := getHealth(t, restFor(data, data, false))
	if code != 200 || hb.Status != "HEALTHY" || hb.Data.Status != "HEALTHY" {
		t.Fatalf("HTTP %d, body %s; want 200 HEALTHY", code, body)
	}
	if !strings.HasPrefix(body, `{"status":"HEALTHY",`) {
		t.Errorf("body does not start with the literal top-level status: %s", body)
	}
	if hb.Data.Version != rustydb.Version || hb.Data.ActiveConnections != 4 {
		t.Errorf("version %q, connections %d", hb.Data.Version, hb.Data.ActiveConnections)
	}
	if hb.Data.UptimeSeconds < 59 || hb.Data.UptimeSeconds > 3600 {
		t.Errorf("uptime_seconds = %v, want about 60", hb.Data.UptimeSeconds)
	}
	if time.Since(hb.Data.CheckedAt) > time.Minute {
		t.Errorf("checked_at = %v", hb.Data.CheckedAt)
	}
	var names []string
	for _, c := range hb.Data.Components {
		names = append(names, c.Name)
		if c.Status != "HEALTHY" || c.Message == "" || c.LatencyMs < 0 {
			t.Errorf("component %+v", c)
		}
	}
	if got, want := strings.Join(names, ","), "data_directory,wal,disk_space,uptime"; got != want {
		t.Errorf("components %s, want %s", got, want)
	}
	// The probes must clean up after themselves.
	if ents, _ := os.ReadDir(data); len(ents) != 0 {
		t.Errorf("probe left %d files in the data directory", len(ents))
	}
}

func TestHealthDataDirUnwritable(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// Nothing can be created under a regular file, even by root.
	code, body, hb := getHealth(t, restFor(filepath.Join(file, "data"), tmp, false))
	if code != http.StatusServiceUnavailable || hb.Status != "CRITICAL" {
		t.Fatalf("HTTP %d, body %s; want 503 CRITICAL", code, body)
	}
	for _, c := range hb.Data.Components {
		if c.Name == "data_directory" && (c.Status != "CRITICAL" || !strings.Contains(c.Message, "data")) {
			t.Errorf("data_directory = %+v, want CRITICAL with the OS error", c)
		}
		if c.Name == "wal" && c.Status != "HEALTHY" {
			t.Errorf("wal = %+v, want HEALTHY", c)
		}
	}
}

func TestHealthWALUnusable(t *testing.T) {
	dir := t.TempDir()
	code, body, hb := getHealth(t, restFor(dir, dir, true))
	if code != http.StatusServiceUnavailable || hb.Status != "CRITICAL" {
		t.Fatalf("HTTP %d, body %s; want 503 CRITICAL", code, body)
	}
	for _, c := range hb.Data.Components {
		if c.Name == "wal" && (c.Status != "CRITICAL" || !strings.Contains(c.Message, "restart")) {
			t.Errorf("wal = %+v, want CRITICAL asking for a restart", c)
		}
	}
}

func TestRESTVersion(t *testing.T) {
	code, body, _ := restGet(t, restFor(t.TempDir(), t.TempDir(), false), "GET", "/api/v1/admin/version")
	var v struct {
		Data map[string]string `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil || code != 200 {
		t.Fatalf("HTTP %d, body %s: %v", code, body, err)
	}
	if v.Data["version"] != rustydb.Version || v.Data["server_version"] != rustydb.ServerVersion || v.Data["go"] != runtime.Version() {
		t.Errorf("version data %v", v.Data)
	}
}

func TestRESTErrors(t *testing.T) {
	h := restFor(t.TempDir(), t.TempDir(), false)
	f := func(method, path string, wantCode int, wantErr string) {
		t.Helper()
		code, body, hdr := restGet(t, h, method, path)
		if wantCode == 405 && hdr.Get("Allow") != "GET" {
			t.Errorf("%s %s: Allow %q, want GET", method, path, hdr.Get("Allow"))
		}
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			t.Fatalf("%s %s: %s: %v", method, path, body, err)
		}
		if code != wantCode || e.Error.Code != wantErr || e.Error.Message == "" {
			t.Errorf("%s %s: HTTP %d %s, want %d %s", method, path, code, body, wantCode, wantErr)
		}
	}
	f("GET", "/api/v1/nope", 404, "NOT_FOUND")
	f("GET", "/api/v1/admin/health/extra", 404, "NOT_FOUND")
	f("GET", "/elsewhere", 404, "NOT_FOUND")
	f("POST", "/api/v1/admin/health", 405, "METHOD_NOT_ALLOWED")
	f("DELETE", "/api/v1/admin/version", 405, "METHOD_NOT_ALLOWED")
}

// TestRESTMetrics checks GET /api/v1/metrics against the engine's counters,
// including the buffer pool usage the guide's health-check script reads.
func TestRESTMetrics(t *testing.T) {
	st := rustydb.Stats{Started: time.Now(), Commits: 7, IOEngine: "pread"}
	st.BufferPool.Pages, st.BufferPool.Used, st.BufferPool.Hits, st.BufferPool.Misses = 200, 50, 30, 10
	h := NewREST(RESTOptions{Stats: func() rustydb.Stats { return st }, Connections: func() int { return 2 },
		Mode: "dev", Logger: slog.New(slog.DiscardHandler)})
	code, body, _ := restGet(t, h, "GET", "/api/v1/metrics")
	var m struct {
		Data struct {
			Memory struct {
				Usage    float64 `json:"buffer_pool_usage_percent"`
				HitRatio float64 `json:"buffer_pool_hit_ratio"`
			} `json:"memory"`
			Transactions struct {
				Committed int `json:"committed"`
			} `json:"transactions"`
			Connections struct {
				Active int `json:"active"`
			} `json:"connections"`
			IOEngine string `json:"io_engine"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &m); err != nil || code != 200 {
		t.Fatalf("HTTP %d, %v: %s", code, err, body)
	}
	d := m.Data
	if d.Memory.Usage != 25 || d.Memory.HitRatio != 0.75 || d.Transactions.Committed != 7 || d.Connections.Active != 2 || d.IOEngine != "pread" {
		t.Fatalf("metrics %+v from %s", d, body)
	}
}
