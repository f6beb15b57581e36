package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"rustydb"
	"rustydb/config"
	"rustydb/row"
)

// RESTOptions configures the REST admin API.
type RESTOptions struct {
	Stats       func() rustydb.Stats
	Connections func() int // active client connections
	Mode        string     // "dev" or "prod"
	Logger      *slog.Logger
	Admin       AdminOps // nil: the administrative endpoints are absent
	// Params are the server parameters (the /admin/config endpoints);
	// nil: those endpoints are absent.
	Params *config.Params
}

// NewREST returns the REST admin API, served under /api/v1. Every response,
// errors included, is JSON: {"data": ...} on success, {"error": {"code",
// "message"}} otherwise.
func NewREST(opts RESTOptions) http.Handler {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	a := &restAPI{opts: opts}
	mux := http.NewServeMux()
	restRoute(mux, "GET", "/api/v1/admin/health", a.health)
	restRoute(mux, "GET", "/api/v1/admin/version", a.version)
	restRoute(mux, "GET", "/api/v1/metrics", a.metrics)
	if opts.Admin != nil {
		restRoute(mux, "GET", "/api/v1/connections", a.connections)
		restRoute(mux, "DELETE", "/api/v1/connections/{id}", a.terminate)
		restRoute(mux, "POST", "/api/v1/admin/checkpoint", a.checkpoint)
		restRoute(mux, "POST", "/api/v1/query", a.query)
	}
	if opts.Params != nil {
		a.configRoutes(mux)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		respondError(w, http.StatusNotFound, "NOT_FOUND", "no such endpoint: "+r.URL.Path)
	})
	return mux
}

// restRoute registers h for method and path, and a JSON 405 for the path's other
// methods, which ServeMux would otherwise answer in plain text.
func restRoute(mux *http.ServeMux, method, path string, h http.HandlerFunc) {
	mux.HandleFunc(method+" "+path, h)
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", method)
		respondError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", r.Method+" is not allowed on "+path+"; use "+method)
	})
}

type restAPI struct {
	opts RESTOptions
}

// respondJSON writes v as compact JSON (scripts grep for `"status":"HEALTHY"`).
func respondJSON(w http.ResponseWriter, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		code = http.StatusInternalServerError
		body = []byte(`{"error":{"code":"INTERNAL","message":"cannot encode the response"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(append(body, '\n'))
}

func respondError(w http.ResponseWriter, code int, errCode, message string) {
	type apiError struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	respondJSON(w, code, struct {
		Error apiError `json:"error"`
	}{apiError{errCode, message}})
}

// metrics answers GET /api/v1/metrics: the engine's counters as JSON, all
// measured (the Administration Guide's health-check script reads
// data.memory.buffer_pool_usage_percent).
func (a *restAPI) metrics(w http.ResponseWriter, r *http.Request) {
	st := a.opts.Stats()
	bp := st.BufferPool
	usage, hitRatio := 0.0, 0.0
	if bp.Pages > 0 {
		usage = 100 * float64(bp.Used) / float64(bp.Pages)
	}
	if bp.Hits+bp.Misses > 0 {
		hitRatio = float64(bp.Hits) / float64(bp.Hits+bp.Misses)
	}
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	respondJSON(w, http.StatusOK, map[string]any{"data": map[string]any{
		"uptime_seconds": time.Since(st.Started).Seconds(),
		"connections":    map[string]any{"active": a.opts.Connections()},
		"transactions": map[string]any{"committed": st.Commits, "rolled_back": st.Rollbacks,
			"active": st.ActiveTxns},
		"memory": map[string]any{
			"buffer_pool_usage_percent": usage,
			"buffer_pool_pages":         bp.Pages,
			"buffer_pool_pages_used":    bp.Used,
			"buffer_pool_pages_dirty":   bp.Dirty,
			"buffer_pool_hit_ratio":     hitRatio,
			"heap_alloc_bytes":          mem.HeapAlloc,
			"sys_bytes":                 mem.Sys,
		},
		"buffer_pool": map[string]any{"hits": bp.Hits, "misses": bp.Misses, "evictions": bp.Evictions,
			"page_writes": bp.PageWrites},
		"wal": map[string]any{"bytes_written": st.WAL.BytesWritten, "records": st.WAL.Records,
			"fsyncs": st.WAL.Fsyncs, "group_commits": st.WAL.GroupCommits, "unusable": st.WALUnusable},
		"checkpoints": st.Checkpoints,
		"tables":      st.Tables,
		"io_engine":   st.IOEngine,
	}})
}

func (a *restAPI) version(w http.ResponseWriter, r *http.Request) {
	respondJSON(w, http.StatusOK, map[string]any{"data": map[string]string{
		"version":        rustydb.Version,
		"server_version": rustydb.ServerVersion,
		"go":             runtime.Version(),
	}})
}

type healthReport struct {
	Status            row.HealthStatus      `json:"status"`
	Version           string                `json:"version"`
	Mode              string                `json:"mode"`
	UptimeSeconds     float64               `json:"uptime_seconds"`
	ActiveConnections int                   `json:"active_connections"`
	CheckedAt         time.Time             `json:"checked_at"`
	Components        []row.HealthComponent `json:"components"`
}

func (a *restAPI) health(w http.ResponseWriter, r *http.Request) {
	st := a.opts.Stats()
	now := time.Now()
	uptime := now.Sub(st.Started)
	rep := healthReport{
		Version:       rustydb.Version,
		Mode:          a.opts.Mode,
		UptimeSeconds: uptime.Seconds(),
		CheckedAt:     now.UTC().Truncate(time.Second),
		Components:    row.CheckHealth(st.DataDir, st.WALDir, st.WALUnusable, uptime),
	}
	if a.opts.Connections != nil {
		rep.ActiveConnections = a.opts.Connections()
	}
	for _, c := range rep.Components {
		rep.Status = max(rep.Status, c.Status)
		if c.Status != row.Healthy {
			a.opts.Logger.Warn("health check", "component", c.Name, "status", c.Status, "message", c.Message)
		}
	}
	code := http.StatusOK
	if rep.Status > row.Degraded {
		code = http.StatusServiceUnavailable
	}
	respondJSON(w, code, struct {
		Status row.HealthStatus `json:"status"`
		Data   healthReport     `json:"data"`
	}{rep.Status, rep})
}
