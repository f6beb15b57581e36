package rustydb

// Server parameters in SQL: SHOW, SHOW ALL, SET / ALTER SESSION SET of the
// parameters a session may set for itself, ALTER SYSTEM SET / RESET, and the
// slow-query log. The parameters themselves (values, validation, the file)
// are config.Params, which the REST API changes through the same calls.

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"rustydb/config"
	"rustydb/plan"
	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

// Params returns the server parameters the database runs with.
func (db *DB) Params() *config.Params { return db.params }

// embeddedConfig describes an engine opened without configuration
// parameters: the defaults, with what opts set.
func embeddedConfig(opts Options) *config.Config {
	c := config.Default()
	c.Storage.DataDir, c.WAL.Dir = opts.Dir, opts.WALDir
	if opts.SyncMode != "" {
		c.WAL.SyncMode = opts.SyncMode
	}
	if opts.WALSegmentBytes > 0 {
		c.WAL.MaxSegmentMB = int(opts.WALSegmentBytes >> 20)
	}
	if opts.BufferPoolPages > 0 {
		c.Storage.BufferPoolPages = opts.BufferPoolPages
	}
	c.WAL.CheckpointIntervalMs = int(opts.CheckpointInterval.Milliseconds())
	c.Server.QueryTimeoutMs = int(opts.StatementTimeout.Milliseconds())
	c.Security.PasswordEncryption = opts.PasswordEncryption
	// An embedding program did not ask for a slow-query log on its
	// stderr; ALTER SYSTEM SET slow_query_threshold_ms turns it on.
	c.Logging.SlowQueryThresholdMs = -1
	return c
}

// paramError turns an error of config.Params into a SQL error.
func paramError(err error) error {
	var pe *config.ParamError
	if !errors.As(err, &pe) {
		return err
	}
	code := sqlerr.InvalidParameterValue
	switch {
	case errors.Is(err, config.ErrUnknownParam):
		code = sqlerr.UndefinedObject
	case errors.Is(err, config.ErrNeedsRestart):
		code = sqlerr.CantChangeRuntimeParam
	case errors.Is(err, config.ErrNoFile):
		code = sqlerr.ObjectNotInPrerequisiteSt
	case errors.Is(err, config.ErrFileIO):
		code = sqlerr.IOError
	}
	e := sqlerr.New(code, "%s", pe.Message)
	if pe.Hint != "" {
		e = e.WithHint("%s", pe.Hint)
	}
	return e
}

// paramAliases are PostgreSQL's names for server parameters a session sets:
// statement_timeout is the session's query_timeout_ms.
var paramAliases = map[string]string{"statement_timeout": "query_timeout_ms"}

// sessionParam returns the server parameter that SET name changes for the
// session, if there is one.
func sessionParam(name string) (*config.Param, bool) {
	if a, ok := paramAliases[name]; ok {
		name = a
	}
	p, ok := config.Lookup(name)
	return p, ok && p.Session
}

// paramValue returns the session's value of p: its own, or the server's.
func (s *Session) paramValue(p *config.Param) string {
	if v, ok := s.params[p.Name]; ok {
		return v
	}
	return s.db.params.Current().Value(p)
}

// sessionInt is the value of the integer parameter named name: the
// session's own (SET) or else server, the server's, which callers read from
// its field: every statement asks, and paramValue goes through reflection.
func (s *Session) sessionInt(name string, server int) int {
	if v, ok := s.params[name]; ok {
		n, _ := strconv.Atoi(v)
		return n
	}
	return server
}

// queryTimeoutMS is the session's statement_timeout in milliseconds.
func (s *Session) queryTimeoutMS() int {
	return s.sessionInt("query_timeout_ms", s.db.params.Current().Server.QueryTimeoutMs)
}

// maxWorkers is the most workers one aggregation of the session may use:
// max_parallel_workers_per_query, or max_parallel_workers when that is 0;
// 0 means one per CPU.
func (s *Session) maxWorkers() int {
	cfg := s.db.params.Current()
	if n := s.sessionInt("max_parallel_workers_per_query", cfg.Performance.MaxParallelWorkersPerQuery); n > 0 {
		return n
	}
	return cfg.Performance.MaxParallelWorkers
}

// setParam is SET (and ALTER SESSION SET) of server parameter p: the
// session's own value, checked as the configuration file's would be, or
// back to the server's for DEFAULT.
func (s *Session) setParam(p *config.Param, st *sql.SetStmt, w ResultWriter) error {
	s.settingsChanged()
	value := st.Value
	if strings.EqualFold(value, "default") {
		delete(s.params, p.Name)
		return w.Complete("SET")
	}
	if p.Unit == "ms" { // PostgreSQL's time units: '5s', '1min'
		ms, err := parseDurationMS(value)
		if err != nil {
			return sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter %q: %q", st.Name, value).
				WithHint("Give milliseconds, or a number with a unit: ms, s, min, h.")
		}
		value = strconv.FormatInt(ms, 10)
	}
	if err := config.CheckValue(p, value); err != nil {
		return paramError(err)
	}
	s.params[p.Name] = value
	return w.Complete("SET")
}

// alterSystem runs ALTER SYSTEM SET and RESET.
func (s *Session) alterSystem(st *sql.AlterSystemStmt, w ResultWriter) error {
	if !s.superuser() {
		return sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied to set parameter %q", st.Name).
			WithDetail("Only superusers may run ALTER SYSTEM.")
	}
	if s.explicit {
		return sqlerr.New(sqlerr.ActiveSQLTransaction, "ALTER SYSTEM cannot run inside a transaction block")
	}
	scope, err := config.ParseScope(st.Scope)
	if err != nil {
		return sqlerr.New(sqlerr.SyntaxError, "%v", err)
	}
	params := s.db.params
	var ch config.Change
	if st.Reset {
		ch, err = params.Reset(st.Name, scope, s.user)
	} else {
		ch, err = params.Set(st.Name, st.Value, scope, s.user)
	}
	if err != nil {
		return paramError(err)
	}
	if ch.Scope == config.ScopeSPFILE {
		w.Notice(Notice{Severity: "NOTICE", Code: sqlerr.SuccessfulCompletion,
			Message: fmt.Sprintf("parameter %q changed in %s; the new value takes effect at the next start", ch.Name, params.File())})
	}
	s.db.logger.Info("parameter changed", "name", ch.Name, "old_value", ch.OldValue, "new_value", ch.NewValue,
		"scope", string(ch.Scope), "user", s.user)
	return w.Complete("ALTER SYSTEM")
}

// showValue returns what SHOW name prints, for names other than ALL.
func (s *Session) showValue(name string) (string, bool) {
	if name == "transaction isolation level" {
		name = "transaction_isolation"
	}
	if v, ok := s.settings[name]; ok {
		if name == "transaction_isolation" && s.tx != nil {
			v = s.isolation
		}
		return v, true
	}
	if p, ok := sessionParam(name); ok {
		return s.paramValue(p), true
	}
	if name == "config_file" {
		return s.db.params.File(), true
	}
	if p, ok := config.Lookup(name); ok {
		return s.db.params.Current().Value(p), true
	}
	return "", false
}

// showAll answers SHOW ALL as PostgreSQL does (name, setting, description),
// listing the session's variables and the server parameters.
func (s *Session) showAll(w ResultWriter) error {
	type row struct{ name, setting, desc string }
	var rows []row
	for name, v := range s.settings {
		rows = append(rows, row{name, v, settingDescriptions[name]})
	}
	rows = append(rows, row{"config_file", s.db.params.File(), "Configuration file in use; empty on the embedded defaults"})
	for alias, name := range paramAliases {
		p, _ := config.Lookup(name)
		rows = append(rows, row{alias, s.paramValue(p), settingDescriptions[alias]})
	}
	for _, p := range config.AllParams() {
		if _, ok := s.settings[p.Name]; !ok {
			v, _ := s.showValue(p.Name)
			rows = append(rows, row{p.Name, v, p.Description})
		}
	}
	slices.SortFunc(rows, func(a, b row) int { return strings.Compare(a.name, b.name) })
	if err := w.Columns(showColumns("all")); err != nil {
		return err
	}
	for _, r := range rows {
		if err := w.Row([]types.Value{types.NewText(r.name), types.NewText(r.setting), types.NewText(r.desc)}); err != nil {
			return err
		}
	}
	return w.Complete(fmt.Sprintf("SHOW %d", len(rows)))
}

// showColumns are the result columns of SHOW name.
func showColumns(name string) []Column {
	if name == "all" {
		return []Column{{Name: "name", Type: types.TText}, {Name: "setting", Type: types.TText},
			{Name: "description", Type: types.TText}}
	}
	return []Column{{Name: name, Type: types.TText}}
}

// settingDescriptions describe the session variables, for SHOW ALL.
var settingDescriptions = map[string]string{
	"application_name":                    "Sets the application name to be reported in statistics and logs",
	"client_encoding":                     "Sets the client's character set encoding (only UTF8)",
	"datestyle":                           "Sets the display format for date and time values",
	"integer_datetimes":                   "Shows whether datetimes are integer based",
	"intervalstyle":                       "Sets the display format for interval values",
	"is_superuser":                        "Shows whether the current user is a superuser",
	"role":                                "Sets the current role (SET ROLE)",
	"server_encoding":                     "Shows the server (database) character set encoding",
	"server_version":                      "Shows the server version",
	"session_authorization":               "Shows the session user name",
	"standard_conforming_strings":         "Causes '...' strings to treat backslashes literally",
	"timezone":                            "Sets the time zone for displaying and interpreting time stamps",
	"search_path":                         "Sets the schema search order for names that are not schema-qualified",
	"transaction_isolation":               "Sets the current transaction's isolation level",
	"default_transaction_isolation":       "Sets the transaction isolation level of each new transaction",
	"extra_float_digits":                  "Sets the number of digits displayed for floating-point values",
	"statement_timeout":                   "Cancels statements running longer than this many milliseconds; 0 = never (default: query_timeout_ms)",
	"lock_timeout":                        "Accepted for compatibility; lock waits are not timed out separately",
	"idle_in_transaction_session_timeout": "Accepted for compatibility; idle transactions are not timed out",
	"client_min_messages":                 "Sets the message levels that are sent to the client",
	"bytea_output":                        "Sets the output format for bytea",
	"max_identifier_length":               "Shows the maximum identifier length",
	"synchronous_commit":                  "Accepted for compatibility; commits follow wal.sync_mode",
	"jit":                                 "Accepted for compatibility; there is no JIT compilation",
	"password_encryption":                 "Chooses the algorithm for encrypting passwords",
	"enable_columnar_scan":                "Lets aggregations read column segments (off keeps them on the row path)",
}

// slowQuery logs a statement that ran at least slow_query_threshold_ms
// (-1 turns the log off) at WARN: its text, duration, user, session and a
// one-line summary of its plan.
func (s *Session) slowQuery(stmt sql.Statement, text string, d time.Duration, err error) {
	ms := s.db.params.Current().Logging.SlowQueryThresholdMs
	if ms < 0 || d < time.Duration(ms)*time.Millisecond {
		return
	}
	summary := sql.Kind(stmt)
	if s.lastPlan != nil {
		summary = planSummary(s.lastPlan)
	}
	attrs := []any{"duration_ms", float64(d.Microseconds()) / 1000, "statement", text, "user", s.user,
		"session_id", s.ID(), "plan", summary}
	if err != nil {
		attrs = append(attrs, "sqlstate", sqlerr.Code(err))
	}
	s.db.logger.Warn("slow query", attrs...)
}

// planSummary names the operators of p from the top, as EXPLAIN shows them,
// on one line: "HashAggregate -> Hash Join -> Seq Scan on t -> ...".
func planSummary(p plan.Plan) string {
	lines, err := plan.Explain(p, nil, nil)
	if err != nil {
		return ""
	}
	const most = 6
	var ops []string
	for _, l := range lines {
		// operators are the unindented top line and the "->" lines; the
		// others are their conditions
		if _, op, ok := strings.Cut(l, "->  "); ok {
			ops = append(ops, op)
		} else if !strings.HasPrefix(l, " ") {
			ops = append(ops, l)
		}
	}
	if len(ops) > most {
		ops = append(ops[:most], "...")
	}
	return strings.Join(ops, " -> ")
}
