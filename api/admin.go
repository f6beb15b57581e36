package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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
	RequestShutdown(mode rustydb.ShutdownMode)
}

// Sessions lists the open client connections, oldest first, from the
// engine's session registry (which v$session reads too).
func (s *Server) Sessions() []SessionInfo {
	out := []SessionInfo{}
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

// connections answers GET /api/v1/connections with one page of the
// sessions, oldest first: ?limit=&offset= (default 50 from 0) or
// ?page=&page_size= (pages count from 1), at most maxPageSize a page. The
// pagination object gives the total and the page, whichever way it was
// asked for.
func (a *restAPI) connections(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := pageOf(r.URL.Query())
	if err != nil {
		respondError(w, http.StatusBadRequest, "BAD_REQUEST", err.Error())
		return
	}
	all := a.opts.Admin.Sessions()
	page := all[min(offset, len(all)):min(offset+limit, len(all))]
	respondJSON(w, http.StatusOK, map[string]any{"data": page,
		"pagination": map[string]any{"total": len(all), "limit": limit, "offset": offset,
			"page": offset/limit + 1, "page_size": limit, "pages": (len(all) + limit - 1) / limit,
			"has_more": offset+len(page) < len(all)}})
}

const maxPageSize = 1000

// pageOf reads the paging parameters of a listing as a limit and offset.
func pageOf(q url.Values) (limit, offset int, err error) {
	num := func(name string, min, def int) (int, error) {
		s := q.Get(name)
		if s == "" {
			return def, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < min {
			return 0, fmt.Errorf("%s must be a whole number >= %d, not %q", name, min, s)
		}
		return n, nil
	}
	if q.Has("page") || q.Has("page_size") {
		if q.Has("limit") || q.Has("offset") {
			return 0, 0, errors.New("use either limit and offset or page and page_size")
		}
		size, err := num("page_size", 1, 50)
		if err != nil {
			return 0, 0, err
		}
		page, err := num("page", 1, 1)
		if err != nil {
			return 0, 0, err
		}
		size = min(size, maxPageSize)
		return size, (page - 1) * size, nil
	}
	if limit, err = num("limit", 1, 50); err == nil {
		offset, err = num("offset", 0, 0)
	}
	return min(limit, maxPageSize), offset, err
}

func (a *restAPI) terminate(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseUint(r.PathValue("session_id"), 10, 32)
	if err != nil {
		respondError(w, http.StatusBadRequest, "BAD_REQUEST", "session id must be a number")
		return
	}
	if !a.opts.Admin.Terminate(uint32(id)) {
		respondError(w, http.StatusNotFound, "NOT_FOUND", "no session "+r.PathValue("session_id"))
		return
	}
	respondJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"session_id": id, "terminated": true}})
}

func (a *restAPI) checkpoint(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if err := a.opts.Admin.Checkpoint(); err != nil {
		respondError(w, http.StatusInternalServerError, "CHECKPOINT_FAILED", err.Error())
		return
	}
	respondJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"status": "completed",
		"duration_ms": float64(time.Since(start).Microseconds()) / 1000}})
}

// shutdown answers POST /api/v1/admin/shutdown {"mode": "NORMAL" |
// "IMMEDIATE" | "ABORT"} (NORMAL without a body) with 202 before the server
// acts on it; the server lets this response finish before it stops.
func (a *restAPI) shutdown(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Mode string `json:"mode"`
	}
	if !decodeBody(w, r, &req, `send {"mode": "NORMAL" | "IMMEDIATE" | "ABORT"}`) {
		return
	}
	mode := rustydb.ShutdownNormal
	if req.Mode != "" {
		var err error
		if mode, err = rustydb.ParseShutdownMode(req.Mode); err != nil {
			respondError(w, http.StatusBadRequest, "BAD_REQUEST", sqlerr.From(err).Message)
			return
		}
	}
	a.opts.Logger.Info("shutdown requested over REST", "mode", string(mode), "remote", r.RemoteAddr)
	respondJSON(w, http.StatusAccepted, map[string]any{"data": map[string]any{"mode": mode, "status": "shutting down",
		"active_sessions": len(a.opts.Admin.Sessions())}})
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	a.opts.Admin.RequestShutdown(mode)
}

// query runs {"sql": "..."} and returns the last statement's rows as JSON,
// or as an Arrow IPC stream (arrow.go) to a client that accepts one.
func (a *restAPI) query(w http.ResponseWriter, r *http.Request) {
	var req struct {
		SQL string `json:"sql"`
	}
	if !decodeBody(w, r, &req, `send {"sql": "..."}`) {
		return
	}
	if req.SQL == "" {
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
	if acceptsArrow(r) {
		streaming := false
		err := writeArrow(w, rows, func() {
			streaming = true
			w.Header().Set("Content-Type", arrowStreamType)
			w.Header().Set("RustyDB-Command-Tag", rows.Tag())
		})
		switch {
		case err != nil && !streaming:
			respondError(w, http.StatusNotAcceptable, "NOT_ACCEPTABLE", "the result cannot be sent as Arrow ("+err.Error()+"); ask for JSON")
		case err != nil:
			a.opts.Logger.Warn("Arrow stream cut short", "err", err)
		}
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

// acceptsArrow reports whether the request's Accept header names the Arrow
// stream format (with any parameters).
func acceptsArrow(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		for part := range strings.SplitSeq(v, ",") {
			mt, _, _ := strings.Cut(part, ";")
			if strings.EqualFold(strings.TrimSpace(mt), arrowStreamType) {
				return true
			}
		}
	}
	return false
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
