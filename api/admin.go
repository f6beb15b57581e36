package api

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"rustydb"
	"rustydb/sqlerr"
	"rustydb/types"
)

// SessionInfo describes one client connection for GET /api/v1/connections.
type SessionInfo struct {
	ID              uint32     `json:"session_id"`
	User            string     `json:"username"`
	Database        string     `json:"database"`
	ApplicationName string     `json:"application_name"`
	ClientAddr      string     `json:"client_address"`
	State           string     `json:"state"` // idle, active, idle in transaction, idle in transaction (aborted)
	BackendStart    time.Time  `json:"backend_start"`
	QueryStart      *time.Time `json:"query_start,omitempty"`
	Query           string     `json:"query,omitempty"`
}

// AdminOps are the server operations the REST API drives.
type AdminOps interface {
	Sessions() []SessionInfo
	Terminate(id uint32) bool
	Checkpoint() error
	Query(ctx context.Context, sql string) (*rustydb.Rows, error)
}

// activity is what a connection is doing, for the connections listing.
type activity struct {
	mu         sync.Mutex
	app        string
	state      string
	query      string
	queryStart time.Time
	started    time.Time
}

func (a *activity) begin(query string) {
	a.mu.Lock()
	a.state, a.query, a.queryStart = "active", query, time.Now()
	a.mu.Unlock()
}

func (a *activity) end(txStatus byte) {
	a.mu.Lock()
	switch txStatus {
	case 'T':
		a.state = "idle in transaction"
	case 'E':
		a.state = "idle in transaction (aborted)"
	default:
		a.state = "idle"
	}
	a.mu.Unlock()
}

// Sessions lists the open client connections, oldest first.
func (s *Server) Sessions() []SessionInfo {
	s.conns.mu.Lock()
	conns := make([]*pgConn, 0, len(s.conns.conns))
	for _, c := range s.conns.conns {
		conns = append(conns, c)
	}
	s.conns.mu.Unlock()
	out := make([]SessionInfo, 0, len(conns))
	for _, c := range conns {
		a := &c.act
		a.mu.Lock()
		info := SessionInfo{ID: c.pid, User: c.user, Database: rustydb.DatabaseName, ApplicationName: a.app,
			ClientAddr: c.netConn.RemoteAddr().String(), State: a.state, BackendStart: a.started, Query: a.query}
		if !a.queryStart.IsZero() {
			qs := a.queryStart
			info.QueryStart = &qs
		}
		a.mu.Unlock()
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Terminate cancels a session's statement and closes its connection, as
// pg_terminate_backend does.
func (s *Server) Terminate(id uint32) bool {
	s.conns.mu.Lock()
	c := s.conns.conns[id]
	s.conns.mu.Unlock()
	if c == nil {
		return false
	}
	c.session.Cancel()
	c.netConn.Close()
	return true
}

// Checkpoint writes a checkpoint now.
func (s *Server) Checkpoint() error { return s.db.Checkpoint() }

// Query runs SQL for the REST API in a session of its own.
func (s *Server) Query(ctx context.Context, sql string) (*rustydb.Rows, error) {
	sess := s.db.NewSession(rustydb.DatabaseName)
	defer sess.Close()
	return sess.Query(ctx, sql)
}

// local reports whether the request comes from this machine; in dev mode such
// requests need no token.
func local(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// authorized guards the administrative endpoints. Bearer tokens are not
// implemented yet, so only local requests in dev mode are let through.
func (a *restAPI) authorized(w http.ResponseWriter, r *http.Request) bool {
	if a.opts.Mode == "dev" && local(r) {
		return true
	}
	respondError(w, http.StatusUnauthorized, "UNAUTHORIZED", "administrative endpoints accept only local requests in dev mode until bearer tokens are implemented")
	return false
}

func (a *restAPI) connections(w http.ResponseWriter, r *http.Request) {
	if !a.authorized(w, r) {
		return
	}
	all := a.opts.Admin.Sessions()
	limit, offset := 50, 0
	if v, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && v > 0 {
		limit = min(v, 1000)
	}
	if v, err := strconv.Atoi(r.URL.Query().Get("offset")); err == nil && v >= 0 {
		offset = v
	}
	page := all[min(offset, len(all)):min(offset+limit, len(all))]
	respondJSON(w, http.StatusOK, map[string]any{"data": page,
		"pagination": map[string]int{"total": len(all), "limit": limit, "offset": offset}})
}

func (a *restAPI) terminate(w http.ResponseWriter, r *http.Request) {
	if !a.authorized(w, r) {
		return
	}
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 32)
	if err != nil {
		respondError(w, http.StatusBadRequest, "BAD_REQUEST", "session id must be a number")
		return
	}
	if !a.opts.Admin.Terminate(uint32(id)) {
		respondError(w, http.StatusNotFound, "NOT_FOUND", "no session "+r.PathValue("id"))
		return
	}
	respondJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"session_id": id, "terminated": true}})
}

func (a *restAPI) checkpoint(w http.ResponseWriter, r *http.Request) {
	if !a.authorized(w, r) {
		return
	}
	start := time.Now()
	if err := a.opts.Admin.Checkpoint(); err != nil {
		respondError(w, http.StatusInternalServerError, "CHECKPOINT_FAILED", err.Error())
		return
	}
	respondJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"status": "completed",
		"duration_ms": float64(time.Since(start).Microseconds()) / 1000}})
}

// query runs {"sql": "..."} and returns the last statement's rows as JSON.
func (a *restAPI) query(w http.ResponseWriter, r *http.Request) {
	if !a.authorized(w, r) {
		return
	}
	var req struct {
		SQL string `json:"sql"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil || req.SQL == "" {
		respondError(w, http.StatusBadRequest, "BAD_REQUEST", `send {"sql": "..."}`)
		return
	}
	start := time.Now()
	rows, err := a.opts.Admin.Query(r.Context(), req.SQL)
	if err != nil {
		e := sqlerr.From(err)
		respondJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{"code": e.Code, "message": e.Message, "detail": e.Detail}})
		return
	}
	cols := make([]map[string]string, len(rows.Columns()))
	for i, c := range rows.Columns() {
		cols[i] = map[string]string{"name": c.Name, "type": c.Type.String()}
	}
	out := make([][]any, 0, rows.Len())
	for rows.Next() {
		vals := rows.Values()
		row := make([]any, len(vals))
		for i, v := range vals {
			row[i] = jsonValue(v, rows.Columns()[i].Type)
		}
		out = append(out, row)
	}
	respondJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"columns": cols, "rows": out,
		"command_tag": rows.Tag(), "execution_ms": float64(time.Since(start).Microseconds()) / 1000}})
}

// jsonValue renders a value for JSON: numbers and booleans natively, exact
// decimals and everything else as their PostgreSQL text.
func jsonValue(v types.Value, t types.T) any {
	switch v.K {
	case types.KNull:
		return nil
	case types.KBool:
		return v.Bool()
	case types.KInt:
		return v.I
	case types.KFloat:
		return v.F
	}
	return string(types.AppendText(nil, v, t))
}
