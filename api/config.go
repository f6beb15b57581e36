package api

// The configuration endpoints: the server parameters as v$parameter shows
// them, and changes with the rules and errors of ALTER SYSTEM SET (the same
// config.Params.Set does both).
//
//	GET /api/v1/admin/config         {"data": {"config_file": ..., "parameters": [...]}}
//	GET /api/v1/admin/config/{name}  {"data": {parameter}}, 404 when unknown
//	PUT /api/v1/admin/config/{name}  body {"value": ..., "scope": "MEMORY|SPFILE|BOTH"}

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"net/http"

	"rustydb/config"
)

func (a *restAPI) configAll(w http.ResponseWriter, r *http.Request) {
	respondJSON(w, http.StatusOK, map[string]any{"data": map[string]any{
		"config_file": a.opts.Params.File(), "parameters": a.opts.Params.Settings()}})
}

func (a *restAPI) configGet(w http.ResponseWriter, r *http.Request) {
	s, err := a.opts.Params.Setting(r.PathValue("name"))
	if err != nil {
		respondParamError(w, err)
		return
	}
	respondJSON(w, http.StatusOK, map[string]any{"data": s})
}

// configSet changes a parameter as ALTER SYSTEM SET name = value SCOPE =
// scope does; value may be a JSON string, number or boolean.
func (a *restAPI) configSet(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Value json.RawMessage `json:"value"`
		Scope string          `json:"scope"`
	}
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req)
	value, ok := jsonScalar(req.Value)
	if err != nil || !ok {
		respondError(w, http.StatusBadRequest, "BAD_REQUEST", `send {"value": <string, number or boolean>, "scope": "MEMORY" | "SPFILE" | "BOTH"}`)
		return
	}
	scope, err := config.ParseScope(req.Scope)
	if err != nil {
		respondError(w, http.StatusBadRequest, "BAD_REQUEST", err.Error())
		return
	}
	name := r.PathValue("name")
	ch, err := a.opts.Params.Set(name, value, scope, restUser(r))
	if err != nil {
		respondParamError(w, err)
		return
	}
	a.opts.Logger.Info("parameter changed", "name", ch.Name, "old_value", ch.OldValue, "new_value", ch.NewValue,
		"scope", string(ch.Scope), "user", ch.User)
	s, _ := a.opts.Params.Setting(name)
	respondJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"change": ch, "parameter": s}})
}

// jsonScalar returns the text of a JSON string, number or boolean.
func jsonScalar(raw json.RawMessage) (string, bool) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// restUser names who made a change through the REST API, for
// v$parameter_history.
func restUser(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "rest-api@" + host
}

// respondParamError answers an error of config.Params with the status that
// matches its SQLSTATE: unknown 404, bad value or static parameter 400, no
// configuration file 409, the file unreadable or unwritable 500.
func respondParamError(w http.ResponseWriter, err error) {
	status, code := http.StatusInternalServerError, "CONFIG_FILE_ERROR"
	switch {
	case errors.Is(err, config.ErrUnknownParam):
		status, code = http.StatusNotFound, "NOT_FOUND"
	case errors.Is(err, config.ErrInvalidValue):
		status, code = http.StatusBadRequest, "INVALID_VALUE"
	case errors.Is(err, config.ErrNeedsRestart):
		status, code = http.StatusBadRequest, "RESTART_REQUIRED"
	case errors.Is(err, config.ErrNoFile):
		status, code = http.StatusConflict, "NO_CONFIG_FILE"
	}
	msg := err.Error()
	var pe *config.ParamError
	if errors.As(err, &pe) && pe.Hint != "" {
		msg += " (" + pe.Hint + ")"
	}
	respondError(w, status, code, msg)
}
