package api

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
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

// Sessions lists the open client connections, oldest first, from the
// engine's session registry (which v$session reads too).
func (s *Server) Sessions() []SessionInfo {
	var out []SessionInfo
	for _, si := range s.db.Sessions() {
		s.conns.mu.Lock()
		c := s.conns.conns[uint32(si.ID)]
		s.conns.mu.Unlock()
		if c == nil {
			continue // an embedded session, or one of the REST API's own
		}
		info := SessionInfo{ID: uint32(si.ID), User: si.User, Database: si.Database, ApplicationName: si.Application,
			ClientAddr: si.ClientAddr, State: si.State, BackendStart: si.BackendStart, Query: si.Query}
		if !si.QueryStart.IsZero() {
			qs := si.QueryStart
			info.QueryStart = &qs
		}
		out = append(out, info)
	}
	return out
}

// Terminate ends a client connection as ALTER SYSTEM KILL SESSION and
// pg_terminate_backend do: its statement is canceled and the client gets
// 57P01 before the connection closes.
func (s *Server) Terminate(id uint32) bool {
	s.conns.mu.Lock()
	c := s.conns.conns[id]
	s.conns.mu.Unlock()
	return c != nil && s.db.TerminateSession(id)
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
