package api

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
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
	// Tokens are the bearer tokens the API accepts; nil accepts none (then
	// only dev-mode requests from this machine are let in) and leaves out
	// the token endpoints.
	Tokens *TokenStore
	// Params are the server parameters (the /admin/config endpoints);
	// nil: those endpoints are absent.
	Params *config.Params
}

// NewREST returns the REST admin API, served under /api/v1. Every response,
// errors included, is JSON: {"data": ...} on success, {"error": {"code",
// "message"}} otherwise; /openapi.json is the OpenAPI document itself and
// /query can answer in Arrow (arrow.go). Every route needs a bearer token
// (tokens.go) except those registered with publicRoute.
func NewREST(opts RESTOptions) http.Handler {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	a := &restAPI{opts: opts}
	mux := &restMux{ServeMux: http.NewServeMux(), api: a, methods: map[string][]string{}}
	publicRoute(mux, "GET", "/api/v1/admin/health", a.health)
	publicRoute(mux, "GET", "/api/v1/admin/version", a.version)
	publicRoute(mux, "GET", "/api/v1/openapi.json", serveOpenAPI)
	restRoute(mux, "GET", "/api/v1/metrics", a.metrics)
	if opts.Admin != nil {
		restRoute(mux, "GET", "/api/v1/connections", a.connections)
		restRoute(mux, "DELETE", "/api/v1/connections/{session_id}", a.terminate)
		restRoute(mux, "POST", "/api/v1/admin/checkpoint", a.checkpoint)
		restRoute(mux, "POST", "/api/v1/admin/shutdown", a.shutdown)
		restRoute(mux, "POST", "/api/v1/query", a.query)
		restRoute(mux, "GET", "/api/v1/admin/pprof/{profile}", a.pprofProfile)
	}
	if opts.Tokens != nil {
		restRoute(mux, "GET", "/api/v1/admin/tokens", a.listTokens)
		restRoute(mux, "POST", "/api/v1/admin/tokens", a.issueToken)
		restRoute(mux, "DELETE", "/api/v1/admin/tokens/{id}", a.revokeToken)
	}
	if opts.Params != nil {
		restRoute(mux, "GET", "/api/v1/admin/config", a.configAll)
		restRoute(mux, "GET", "/api/v1/admin/config/{name}", a.configGet)
		restRoute(mux, "PUT", "/api/v1/admin/config/{name}", a.configSet)
	}
	return mux.finish()
}

// restMux is a ServeMux that knows its routes: to answer the other methods
// of a path with a JSON 405 (ServeMux would answer in plain text), and for
// the test that holds openapi.json to them.
type restMux struct {
	*http.ServeMux
	api     *restAPI
	routes  []routeInfo         // in registration order
	methods map[string][]string // path -> its methods
}

type routeInfo struct {
	method, path string
	public       bool
}

// restRoute registers h for method and path, behind the bearer-token check.
func restRoute(mux *restMux, method, path string, h http.HandlerFunc) {
	mux.route(routeInfo{method, path, false}, func(w http.ResponseWriter, r *http.Request) {
		if mux.api.authorized(w, r) {
			h(w, r)
		}
	})
}

// publicRoute registers h for method and path, open to every client.
func publicRoute(mux *restMux, method, path string, h http.HandlerFunc) {
	mux.route(routeInfo{method, path, true}, h)
}

func (m *restMux) route(ri routeInfo, h http.HandlerFunc) {
	m.HandleFunc(ri.method+" "+ri.path, h)
	m.routes = append(m.routes, ri)
	m.methods[ri.path] = append(m.methods[ri.path], ri.method)
}

// finish adds the 405 and 404 answers.
func (m *restMux) finish() *restMux {
	for path, methods := range m.methods {
		allowed := strings.Join(methods, ", ")
		m.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allowed)
			respondError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", r.Method+" is not allowed on "+path+"; use "+allowed)
		})
	}
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		respondError(w, http.StatusNotFound, "NOT_FOUND", "no such endpoint: "+r.URL.Path)
	})
	return m
}

// decodeBody reads a JSON request body into v; an empty body leaves v as
// it is. On error it has answered 400 with usage and returns false.
func decodeBody(w http.ResponseWriter, r *http.Request, v any, usage string) bool {
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v)
	if err != nil && !errors.Is(err, io.EOF) {
		respondError(w, http.StatusBadRequest, "BAD_REQUEST", "invalid JSON body ("+err.Error()+"): "+usage)
		return false
	}
	return true
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
		"rows":                  map[string]any{"read": st.RowsRead, "inserted": st.RowsInserted, "deleted": st.RowsDeleted},
		"parallel_workers_busy": st.ParallelWorkersBusy,
		"checkpoints":           st.Checkpoints,
		"tables":                st.Tables,
		"io_engine":             st.IOEngine,
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
