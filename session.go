package rustydb

import (
	"context"
	"io"
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"rustydb/catalog"
	"rustydb/config"
	"rustydb/exec"
	"rustydb/plan"
	"rustydb/row"
	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/txn"
	"rustydb/types"
)

// Column describes a result column.
type Column = plan.Column

// Notice is a non-error message for the client (a WARNING or NOTICE).
type Notice struct {
	Severity string // WARNING, NOTICE
	Code     string
	Message  string
	Detail   string // "" when none
}

// ResultWriter receives the results of the statements a session runs.
type ResultWriter interface {
	// Columns starts a result set (a query, or DML with RETURNING).
	Columns(cols []Column) error
	Row(vals []types.Value) error
	// Complete ends a statement with its command tag, e.g. "INSERT 0 3".
	Complete(tag string) error
	Notice(n Notice)
	// ParameterStatus reports a changed session parameter the client tracks.
	ParameterStatus(name, value string)
	// CopyIn starts COPY FROM STDIN: the client's data arrives through the
	// reader, which ends with io.EOF when the client finishes.
	CopyIn(columns int, csv bool) (io.Reader, error)
	// CopyOut starts COPY TO STDOUT; each Write sends one row.
	CopyOut(columns int, csv bool) (io.Writer, error)
}

// StatementHook observes every statement a session finishes.
type StatementHook func(kind string, d time.Duration, err error)

// Session is one client's connection to the engine: its settings and its
// transaction state. A session is used by one goroutine at a time.
type Session struct {
	db       *DB
	user     string
	settings map[string]string
	// workMemCache is workMem's answer for a work_mem setting.
	workMemCache struct {
		text  string
		bytes int64
	}
	// sqlPrepared are the statements SQL's PREPARE made, by name.
	sqlPrepared map[string]*Prepared
	// unnamed are the extended protocol's recent unnamed statements, by
	// query text (unnamed.go).
	unnamed map[string][]*Prepared
	// txSettings are the values of the settings the transaction block's
	// SETs changed, from before them (localset.go).
	txSettings map[string]*savedSetting
	// pathCache is searchPath's answer for a search_path value and role.
	pathCache struct {
		value, role string
		path        []string
	}
	// params are the session's own values of server parameters (SET
	// work_mem), by parameter name; the others follow the server's.
	params map[string]string
	login  bool // opened by Login: the privileges are those of role user
	// sessionAuth is SET SESSION AUTHORIZATION's role and role SET ROLE's,
	// "" when not set (see setrole.go).
	sessionAuth, role string

	// lastPlan is the plan of the statement running or just run, for the
	// slow-query log; nil for statements without one.
	lastPlan plan.Plan

	tx      *row.Tx
	txStart time.Time
	// stmtStart and stmtEnd are the clock readings measure took around the
	// last statement (from clock, see clock.go); its transaction starts at
	// the first (now()), and the idle state that follows at the second:
	// reading the clock is a sizeable part of a point query.
	stmtStart, stmtEnd time.Time
	clock              clock
	writer             statementWriter // measure's, reused
	// settingsGen counts the changes of settings, params and roles, which
	// stmtSettings derives its values from.
	settingsGen uint64
	derived     statementSettings
	explicit    bool // inside BEGIN ... COMMIT
	failed      bool // an error occurred in the explicit transaction
	// isolation is the open transaction's level; a REPEATABLE READ one keeps
	// the snapshot of its first statement in txSnap.
	isolation string
	txSnap    *txn.Snapshot

	seqs exec.SeqValues // currval / lastval state

	running exec.Context // the running statement's (see runOne)

	cursors map[string]*cursor // DECLAREd cursors, by name

	// loc is the TimeZone setting resolved; nil is UTC.
	loc *time.Location

	mu     sync.Mutex
	cancel context.CancelFunc // cancels the running statement
	// cancelKept: cancel is kept.cancel, which stays set between
	// statements; a Cancel then cancels the kept context, which the next
	// statement replaces, rather than anything running.
	cancelKept bool
	// kept is the cancelable context statements without a timeout run
	// under, reused while nothing canceled it and the caller's context is
	// the same: a new one per statement costs two allocations and a
	// registration with the parent.
	kept struct {
		parent, ctx context.Context
		cancel      context.CancelFunc
	}

	// the session's hooks into exec.Context, made once: a method value or
	// closure made per statement is an allocation per statement
	openFile  func(path string) (io.ReadCloser, error)
	privilege func(*catalog.Table, catalog.Priv) error

	id  uint32   // in the DB's session registry (sessions.go)
	act activity // what the session is doing, for v$session

	// OnStatement, when set, is called after each statement.
	OnStatement StatementHook
}

// reportedParams are sent to clients at start-up and when SET changes them.
var reportedParams = []string{"application_name", "client_encoding", "DateStyle", "integer_datetimes",
	"IntervalStyle", "is_superuser", "server_encoding", "server_version", "session_authorization",
	"standard_conforming_strings", "TimeZone"}

// NewSession opens a session for user on the default database.
func (db *DB) NewSession(user string) *Session { return db.newSession(user, false) }

// newSession opens a session; login as for Login.
func (db *DB) newSession(user string, login bool) *Session {
	s := &Session{db: db, user: user, login: login, settings: defaultSettings(user), params: map[string]string{}}
	if db.opts.PasswordEncryption != "" {
		s.settings["password_encryption"] = db.opts.PasswordEncryption
	}
	now := time.Now()
	s.act.started, s.act.state, s.act.stateChange = now, "idle", now
	db.sessions.add(s)
	return s
}

// defaultSettings are a new session's parameters.
func defaultSettings(user string) map[string]string {
	return map[string]string{
		"application_name":                    "",
		"client_encoding":                     "UTF8",
		"datestyle":                           "ISO, MDY",
		"integer_datetimes":                   "on",
		"intervalstyle":                       "postgres",
		"is_superuser":                        "on",
		"server_encoding":                     "UTF8",
		"server_version":                      ServerVersion,
		"session_authorization":               user,
		"role":                                "none",
		"standard_conforming_strings":         "on",
		"timezone":                            "UTC",
		"search_path":                         `"$user", public`,
		"transaction_isolation":               "read committed",
		"default_transaction_isolation":       "read committed",
		"extra_float_digits":                  "1",
		"lock_timeout":                        "0",
		"idle_in_transaction_session_timeout": "0",
		"client_min_messages":                 "notice",
		"bytea_output":                        "hex",
		"max_identifier_length":               "63",
		"synchronous_commit":                  "on",
		"jit":                                 "off",
		"password_encryption":                 "scram-sha-256",
		// enable_columnar_scan off keeps aggregations on the row path
		// (to compare the two, or to rule the column path out).
		"enable_columnar_scan": "on",
	}
}

// InitialParameters returns the ParameterStatus values sent at start-up.
func (s *Session) InitialParameters() [][2]string {
	out := make([][2]string, 0, len(reportedParams))
	for _, name := range reportedParams {
		out = append(out, [2]string{name, s.settings[strings.ToLower(name)]})
	}
	return out
}

// Location returns the session's TimeZone, in which values of timestamp
// with time zone print (types.AppendTextIn).
func (s *Session) Location() *time.Location {
	if s.loc == nil {
		return time.UTC
	}
	return s.loc
}

// TxStatus returns the ReadyForQuery status: 'I' idle, 'T' in a transaction
// block, 'E' in a failed transaction block.
func (s *Session) TxStatus() byte {
	switch {
	case s.failed:
		return 'E'
	case s.explicit:
		return 'T'
	}
	return 'I'
}

// Cancel cancels the statement running in the session, if any.
func (s *Session) Cancel() {
	s.mu.Lock()
	if s.cancel != nil {
		s.cancel()
	}
	s.mu.Unlock()
}

// Close rolls back an open transaction.
func (s *Session) Close() {
	s.closeCursors(func(*cursor) bool { return true })
	if s.kept.cancel != nil {
		s.kept.cancel()
	}
	if s.tx != nil {
		s.tx.Rollback()
		s.tx = nil
	}
	s.explicit, s.failed = false, false
	s.db.sessions.remove(s)
}

// Run parses query and runs its statements in order, sending results to w.
// It returns how many statements the query held (0 for an empty query) and
// the first error; statements after an error are not run. Statements of one
// query without BEGIN/COMMIT run in one implicit transaction, as in PostgreSQL.
func (s *Session) Run(ctx context.Context, query string, w ResultWriter) (n int, err error) {
	if s.Terminated() {
		return 0, ErrTerminated
	}
	stmts, texts, norms, err := sql.SplitNormalized(query)
	if err != nil {
		s.fail()
		return 0, err
	}
	defer s.idle() // after the commit below
	defer func() {
		if s.tx != nil && !s.explicit {
			if err == nil {
				err = s.commit()
			} else {
				s.rollback()
			}
		}
	}()
	for i, stmt := range stmts {
		err := s.measure(stmt, texts[i], norms[i], nil, w, func(w ResultWriter) error {
			return s.runOne(ctx, stmt, query, nil, nil, nil, w)
		})
		if err != nil {
			s.db.logger.Debug("statement failed", "sql", texts[i], "err", err)
			s.fail()
			return len(stmts), err
		}
	}
	return len(stmts), nil
}

// fail records an error: an explicit transaction becomes failed; an implicit
// one is rolled back by Run.
func (s *Session) fail() {
	if s.explicit {
		s.failed = true
	}
}

// runOne runs one statement; params and paramTypes are the extended
// protocol's bound parameters.
func (s *Session) runOne(ctx context.Context, stmt sql.Statement, query string, params []types.Value, paramTypes []types.T, cache *planCache, w ResultWriter) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.db.logger.Error("panic in session; statement aborted", "panic", r, "stack", string(debug.Stack()))
			err = sqlerr.New(sqlerr.InternalError, "internal error: %v", r)
		}
	}()
	return s.dispatch(ctx, stmt, query, params, paramTypes, cache, w)
}

// The statement functions below are split where their defers are, so that
// the compiler can open-code each (it cannot in a function with as many
// returns as dispatch has); run as records, they took 2% of a prepared
// insert's time.

// dispatch runs one statement: session and instance commands here, the
// others in a transaction (inTransaction).
func (s *Session) dispatch(ctx context.Context, stmt sql.Statement, query string, params []types.Value, paramTypes []types.T, cache *planCache, w ResultWriter) error {
	s.lastPlan = nil
	if t, ok := stmt.(*sql.TransactionStmt); ok {
		return s.transaction(t, w)
	}
	if s.failed {
		return sqlerr.New(sqlerr.InFailedSQLTransaction, "current transaction is aborted, commands ignored until end of transaction block")
	}
	if err := s.mountGate(stmt); err != nil {
		return err
	}
	switch st := stmt.(type) {
	case *sql.ShutdownStmt, *sql.RestrictedSessionStmt, *sql.AlterDatabaseOpenStmt:
		return s.instanceCommand(st, w)
	case *sql.SetStmt:
		if st.Reset {
			w = resetWriter{w}
		}
		return s.set(st, w)
	case *sql.DiscardStmt:
		return s.discard(st, w)
	case *sql.PrepareStmt:
		return s.prepareSQL(st, w)
	case *sql.ExecuteStmt:
		return s.executeSQL(ctx, st, w)
	case *sql.DeallocateStmt:
		return s.deallocateSQL(st, w)
	case *sql.ShowStmt:
		return s.show(st, w)
	case *sql.AlterSystemStmt:
		return s.alterSystem(st, w)
	case *sql.VacuumStmt:
		return s.vacuum(st, w)
	case *sql.CheckpointStmt:
		if err := s.db.Checkpoint(); err != nil {
			return err
		}
		return w.Complete("CHECKPOINT")
	case *sql.KillSessionStmt:
		return s.killSession(st, w)
	}
	return s.inTransaction(ctx, stmt, query, params, paramTypes, cache, w)
}

// inTransaction runs a statement in the session's transaction, beginning
// one if none is open, with the statement's context.
func (s *Session) inTransaction(ctx context.Context, stmt sql.Statement, query string, params []types.Value, paramTypes []types.T, cache *planCache, w ResultWriter) error {
	set := s.stmtSettings()
	if s.tx == nil {
		if set.isolationErr != nil {
			return set.isolationErr
		}
		s.beginAt(set.isolation)
	}
	s.tx.NextCommand()
	ctx, cancel := s.statementContext(ctx, set.timeoutMS)
	snap := s.tx.Snapshot()
	if s.isolation == "repeatable read" {
		if s.txSnap == nil {
			first := snap // a copy: snap itself stays off the heap
			s.txSnap = &first
		}
		snap.Seq = s.txSnap.Seq // the first statement's view, with this command's own changes
	}
	// The session's one statement context: a statement's operators hold it
	// only while it runs (a cursor copies it), and a new one per statement
	// would be half a kilobyte to allocate and collect.
	// Its fields are set one by one: a composite literal would be built
	// aside and copied, as it reads s, which holds c.
	c := &s.running
	if c.Store != nil { // a statement inside another (CREATE SCHEMA's)
		*c = exec.Context{}
	}
	defer func() {
		*c = exec.Context{} // nothing of the statement stays reachable
		s.endStatement(cancel)
	}()
	c.Ctx, c.Store, c.Tx, c.Snap, c.Now, c.RepeatableRead = ctx, s.db.store, s.tx, snap, s.txStart, s.isolation == "repeatable read"
	c.User, c.SessionUser, c.Database, c.ServerVersion = s.currentRole(), s.sessionUser(), DatabaseName, ServerVersion
	c.Params, c.Seqs, c.Loc, c.NoColumnar, c.SearchPath = params, &s.seqs, s.loc, set.noColumnar, set.searchPath
	c.MaxWorkers, c.Sched, c.Config, c.SessionConfig, c.WorkMem = set.maxWorkers, s.db.sched, s.db.params, s.params, set.workMem
	c.TempDir, c.Temp, c.Instance, c.Progress = s.db.tempDir, &s.db.sessions.temp, instance{s}, &s.act.progress
	c.OpenFile, c.Privilege = s.openFileHook(), s.runtimePrivilegeHook()
	return s.runStatement(ctx, c, stmt, query, paramTypes, cache, w)
}

// runStatement runs a statement with its context c.
func (s *Session) runStatement(ctx context.Context, c *exec.Context, stmt sql.Statement, query string, paramTypes []types.T, cache *planCache, w ResultWriter) error {
	switch st := stmt.(type) {
	case *sql.TruncateStmt:
		return s.truncate(c, st, w)
	case *sql.CreateRoleStmt:
		return s.createRole(st, w)
	case *sql.AlterRoleStmt:
		return s.alterRole(st, w)
	case *sql.DropRoleStmt:
		return s.dropRole(st, w)
	case *sql.GrantStmt:
		return s.grant(st, w)
	case *sql.AlterDefaultPrivilegesStmt:
		return s.alterDefaultPrivileges(st, w)
	case *sql.AlterTableStmt:
		return s.alterTable(c, st, w)
	case *sql.CreateIndexStmt:
		return s.createIndex(st, w)
	case *sql.DropIndexStmt:
		return s.dropIndex(st, w)
	case *sql.CopyStmt:
		return s.copy(c, st, query, paramTypes, w)
	case *sql.ExplainStmt:
		return s.explain(c, st, query, paramTypes, w)
	case *sql.DeclareStmt:
		return s.declare(c, st, query, paramTypes, w)
	case *sql.FetchStmt:
		return s.fetch(ctx, st, w)
	case *sql.CloseStmt:
		return s.closeCursor(st, w)
	case *sql.CreateSchemaStmt:
		return s.createSchema(ctx, st, query, w)
	case *sql.DropSchemaStmt:
		return s.dropSchema(st, w)
	case *sql.AlterSchemaStmt:
		return s.alterSchema(st, w)
	}
	key := s.planKey()
	if cache != nil && cache.plan != nil && cache.key == key {
		s.lastPlan = cache.plan
		c.Memo = &cache.memo
		return s.execute(c, cache.plan, w)
	}
	b := s.binder(query, append([]types.T(nil), paramTypes...))
	p, err := b.Bind(stmt)
	if err != nil {
		return err
	}
	if cache != nil && cacheable(p) {
		*cache = planCache{plan: p, key: key}
		c.Memo = &cache.memo
	}
	s.lastPlan = p
	return s.execute(c, p, w)
}

// resetWriter completes a RESET with PostgreSQL's tag RESET, where the
// SET it runs as completes with SET.
type resetWriter struct{ ResultWriter }

func (w resetWriter) inner() ResultWriter { return w.ResultWriter }

func (w resetWriter) Complete(tag string) error {
	if tag == "SET" {
		tag = "RESET"
	}
	return w.ResultWriter.Complete(tag)
}

// commandTag is a statement's completion tag: verb, then the row count.
func commandTag(verb string, n int64) string {
	if n == 1 { // a single-row statement's tag, without building it
		switch verb {
		case "INSERT 0 ":
			return "INSERT 0 1"
		case "SELECT ":
			return "SELECT 1"
		case "UPDATE ":
			return "UPDATE 1"
		case "DELETE ":
			return "DELETE 1"
		}
	}
	return string(strconv.AppendInt(append(make([]byte, 0, 24), verb...), n, 10))
}

// planCache keeps a prepared statement's plan while its planKey holds.
type planCache struct {
	plan plan.Plan
	key  planKey
	memo exec.PlanMemo
}

// planKey is what a plan depends on besides the statement: the catalog's
// version, the search path through which its names were resolved, and the
// role whose privileges were checked.
type planKey struct {
	version          uint64
	searchPath, role string
}

// statementSettings are what every statement reads of the session's
// settings and the server's parameters, derived once per change of either
// rather than looked up in their maps for each statement.
type statementSettings struct {
	gen        uint64         // the session's settingsGen they reflect
	cfg        *config.Config // the server's parameters they reflect
	noColumnar bool
	searchPath []string
	pathValue  string // search_path as set, for the planKey
	role       string
	maxWorkers int
	workMem    int64
	timeoutMS  int
	// isolation is default_transaction_isolation's level for a statement
	// outside BEGIN, or isolationErr why it is none.
	isolation    string
	isolationErr error
}

// stmtSettings returns the statement settings now in force.
func (s *Session) stmtSettings() *statementSettings {
	d, cfg := &s.derived, s.db.params.Current()
	if d.cfg == cfg && d.gen == s.settingsGen {
		return d
	}
	*d = statementSettings{gen: s.settingsGen, cfg: cfg, noColumnar: s.settings["enable_columnar_scan"] == "off",
		searchPath: s.searchPath(), pathValue: s.settings["search_path"], role: s.currentRole(),
		maxWorkers: s.maxWorkers(), workMem: s.workMem(), timeoutMS: s.queryTimeoutMS()}
	d.isolation, d.isolationErr = isolationLevel(s.settings["default_transaction_isolation"])
	return d
}

// settingsChanged records a change of the session's settings, parameters
// or roles: the next statement derives its settings anew.
func (s *Session) settingsChanged() { s.settingsGen++ }

// planKey returns the session's planKey now.
func (s *Session) planKey() planKey {
	set := s.stmtSettings()
	return planKey{s.db.store.Catalog().Version(), set.pathValue, set.role}
}

// cacheable reports whether a plan can run again: DDL plans carry the
// definitions they create, which must be fresh each time.
func cacheable(p plan.Plan) bool {
	switch p.(type) {
	case *plan.Query, *plan.Insert, *plan.Update, *plan.Delete:
		return true
	}
	return false
}

// statementContext applies statement_timeout and makes the statement
// cancelable; endStatement(release) ends what it began.
func (s *Session) statementContext(ctx context.Context, timeoutMS int) (_ context.Context, release context.CancelFunc) {
	var cancel context.CancelFunc
	if ms := timeoutMS; ms > 0 {
		ctx, cancel = context.WithTimeout(ctx, time.Duration(ms)*time.Millisecond)
		release = cancel
		s.setCancel(cancel, false)
	} else {
		var fresh bool
		ctx, cancel, fresh = s.keptContext(ctx)
		if fresh || !s.cancelKept {
			s.setCancel(cancel, true)
		}
	}
	if s.Terminated() { // killed before the statement could be canceled
		cancel()
	}
	return ctx, release
}

// setCancel makes cancel what Cancel calls; kept tells whether it is the
// kept context's.
func (s *Session) setCancel(cancel context.CancelFunc, kept bool) {
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	s.cancelKept = kept
}

// keptContext returns s.kept for parent, made anew (fresh) when it was
// canceled or its parent differs.
func (s *Session) keptContext(parent context.Context) (_ context.Context, _ context.CancelFunc, fresh bool) {
	k := &s.kept
	if k.ctx == nil || k.ctx.Err() != nil || !sameContext(k.parent, parent) {
		if k.cancel != nil {
			k.cancel() // unregisters it from its parent
		}
		k.ctx, k.cancel = context.WithCancel(parent)
		k.parent = parent
		fresh = true
	}
	return k.ctx, k.cancel, fresh
}

// sameContext reports whether a and b are the same context, without
// comparing values of a type that would panic on ==.
func sameContext(a, b context.Context) bool {
	t := reflect.TypeOf(a)
	return t == reflect.TypeOf(b) && t.Comparable() && a == b
}

// endStatement ends what statementContext began: release is nil for the
// kept context, which stays for the next statement, its cancel with it.
func (s *Session) endStatement(release context.CancelFunc) {
	if release != nil {
		s.setCancel(nil, false)
		release()
	}
}

func (s *Session) execute(c *exec.Context, p plan.Plan, w ResultWriter) error {
	switch p := p.(type) {
	case *plan.Query:
		op, err := c.Build(p.Root)
		if err != nil {
			return err
		}
		if err := w.Columns(p.Root.Columns()); err != nil {
			return err
		}
		var n int64
		if err := exec.Drain(op, func(r []types.Value) error { n++; return w.Row(r) }); err != nil {
			return err
		}
		return w.Complete(commandTag("SELECT ", n))
	case *plan.Insert:
		ret, err := s.startReturning(p.RetCols, w)
		if err != nil {
			return err
		}
		n, err := c.Insert(p, ret)
		if err != nil {
			return err
		}
		return w.Complete(commandTag("INSERT 0 ", n))
	case *plan.Update:
		ret, err := s.startReturning(p.RetCols, w)
		if err != nil {
			return err
		}
		n, err := c.Update(p, ret)
		if err != nil {
			return err
		}
		return w.Complete(commandTag("UPDATE ", n))
	case *plan.Delete:
		ret, err := s.startReturning(p.RetCols, w)
		if err != nil {
			return err
		}
		n, err := c.Delete(p, ret)
		if err != nil {
			return err
		}
		return w.Complete(commandTag("DELETE ", n))
	case *plan.CreateTable:
		if p.Table == nil {
			w.Notice(Notice{Severity: "NOTICE", Code: sqlerr.DuplicateTable, Message: "relation already exists, skipping"})
			return w.Complete("CREATE TABLE")
		}
		if err := s.requireCreate(p.Table.Schema); err != nil {
			return err
		}
		p.Table.Owner = s.currentRole()
		typ := "r"
		if p.Table.IsSequence() {
			typ = "S"
		}
		p.Table.ACL = s.newRelationACL(p.Table.Owner, p.Table.Schema, typ)
		if err := s.tx.CreateTable(p.Table); err != nil {
			return err
		}
		for _, seq := range p.Sequences {
			seq.Sequence.OwnedBy, seq.Owner = p.Table.ID, s.currentRole()
			seq.ACL = s.newRelationACL(seq.Owner, seq.Schema, "S")
			if err := s.tx.CreateTable(seq); err != nil {
				return err
			}
		}
		if p.As == nil {
			if p.Table.IsSequence() {
				return w.Complete("CREATE SEQUENCE")
			}
			return w.Complete("CREATE TABLE")
		}
		n, err := c.Insert(&plan.Insert{Table: p.Table, Source: p.As}, nil)
		if err != nil {
			return err
		}
		return w.Complete(commandTag("SELECT ", n))
	case *plan.CreateView:
		err := s.requireCreate(p.View.Schema)
		switch {
		case err != nil:
		case p.Replace != nil:
			if err = s.requireOwner(p.Replace); err == nil {
				p.View.Owner, p.View.ACL = p.Replace.Owner, p.Replace.ACL
				err = s.tx.AlterTable(p.Replace, p.View)
			}
		default:
			p.View.Owner = s.currentRole()
			p.View.ACL = s.newRelationACL(p.View.Owner, p.View.Schema, "r")
			err = s.tx.CreateTable(p.View)
		}
		if err != nil {
			return err
		}
		return w.Complete("CREATE VIEW")
	case *plan.DropTable:
		for _, err := range p.Skipped {
			skipping(w, err)
		}
		if err := s.dropRelations(p); err != nil {
			return err
		}
		return w.Complete(p.Tag)
	}
	return sqlerr.New(sqlerr.FeatureNotSupported, "statement not supported")
}

// dropRelations drops the relations of p after removing the foreign keys
// of other tables that refer to them.
func (s *Session) dropRelations(p *plan.DropTable) error {
	for _, def := range p.Unlinked {
		if err := s.tx.AlterTable(s.db.store.Catalog().ByID(def.ID), def); err != nil {
			return err
		}
	}
	for _, t := range p.Tables {
		if err := s.requireOwner(t); err != nil {
			return err
		}
	}
	for _, t := range p.Tables {
		s.tx.DropTable(t)
	}
	return nil
}

func (s *Session) startReturning(cols []Column, w ResultWriter) (exec.ReturnFn, error) {
	if len(cols) == 0 {
		return nil, nil
	}
	if err := w.Columns(cols); err != nil {
		return nil, err
	}
	return w.Row, nil
}

func (s *Session) transaction(t *sql.TransactionStmt, w ResultWriter) error {
	switch t.Kind {
	case "begin":
		if s.explicit {
			w.Notice(Notice{Severity: "WARNING", Code: sqlerr.ActiveSQLTransaction, Message: "there is already a transaction in progress"})
		} else {
			if s.tx == nil {
				if err := s.beginTx(t.Isolation); err != nil {
					return err
				}
			} else if t.Isolation != "" && s.txSnap == nil {
				// BEGIN inside a query's implicit transaction
				iso, err := isolationLevel(t.Isolation)
				if err != nil {
					return err
				}
				s.isolation = iso
			}
			s.explicit = true
		}
		return w.Complete("BEGIN")
	case "commit":
		if s.failed {
			s.rollback()
			s.endSettings(w, true)
			return w.Complete("ROLLBACK")
		}
		if s.tx == nil {
			w.Notice(Notice{Severity: "WARNING", Code: sqlerr.NoActiveSQLTransaction, Message: "there is no transaction in progress"})
			return w.Complete("COMMIT")
		}
		err := s.commit()
		s.endSettings(w, err != nil)
		if err != nil {
			return err
		}
		return w.Complete("COMMIT")
	default:
		if s.tx == nil {
			w.Notice(Notice{Severity: "WARNING", Code: sqlerr.NoActiveSQLTransaction, Message: "there is no transaction in progress"})
		}
		s.rollback()
		s.endSettings(w, true)
		return w.Complete("ROLLBACK")
	}
}

// beginTx starts a transaction at the given isolation level, or the
// session's default_transaction_isolation when level is "".
func (s *Session) beginTx(level string) error {
	if level == "" {
		level = s.settings["default_transaction_isolation"]
	}
	iso, err := isolationLevel(level)
	if err != nil {
		return err
	}
	s.beginAt(iso)
	return nil
}

// beginAt starts a transaction at isolation level iso, one isolationLevel
// returned.
func (s *Session) beginAt(iso string) {
	s.tx = s.db.store.Begin()
	s.txStart = s.stmtStart
	s.isolation, s.txSnap = iso, nil
	s.act.mu.Lock()
	s.act.tx, s.act.txStart = s.tx.Txn, s.txStart
	s.act.mu.Unlock()
}

// isolationLevel maps a requested level to the one provided. READ
// UNCOMMITTED behaves as READ COMMITTED, as in PostgreSQL; SERIALIZABLE
// (serializable snapshot isolation) is not implemented and is refused rather
// than silently weakened.
func isolationLevel(level string) (string, error) {
	switch strings.ToLower(level) {
	case "read committed", "read uncommitted":
		return "read committed", nil
	case "repeatable read":
		return "repeatable read", nil
	case "serializable":
		return "", sqlerr.New(sqlerr.FeatureNotSupported, "SERIALIZABLE isolation is not supported yet").
			WithHint("Use REPEATABLE READ (snapshot isolation) or READ COMMITTED.")
	}
	return "", sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"transaction_isolation\": %q", level)
}

func (s *Session) commit() error {
	tx := s.tx
	if err := s.endCursors(tx.ID, true); err != nil {
		s.rollback()
		return err
	}
	s.tx, s.explicit, s.failed, s.txSnap = nil, false, false, nil
	s.act.progress.SetWait(exec.WaitWALSync)
	defer s.act.progress.SetWait(nil)
	return tx.Commit()
}

func (s *Session) rollback() {
	if s.tx != nil {
		s.endCursors(s.tx.ID, false)
		s.tx.Rollback()
	}
	s.tx, s.explicit, s.failed, s.txSnap = nil, false, false, nil
}

// settable are the parameters SET accepts; others are 42704 as in PostgreSQL.
var settable = map[string]bool{
	"application_name": true, "client_encoding": true, "datestyle": true, "timezone": true,
	"search_path": true, "extra_float_digits": true, "lock_timeout": true,
	"idle_in_transaction_session_timeout": true, "client_min_messages": true, "bytea_output": true,
	"intervalstyle": true, "transaction_isolation": true, "default_transaction_isolation": true,
	"synchronous_commit": true, "jit": true, "standard_conforming_strings": true, "password_encryption": true,
	"enable_columnar_scan": true,
}

func (s *Session) set(st *sql.SetStmt, w ResultWriter) error {
	name := strings.ToLower(st.Name)
	switch {
	case st.Local && !s.explicit:
		return s.setLocalOutsideBlock(name, st, w)
	case name == "role":
		return s.setRole(st, w)
	case name == "session_authorization":
		return s.setSessionAuthorization(st, w)
	case s.explicit && name != "transaction_isolation":
		s.rememberSetting(name, st.Local)
	}
	if p, ok := sessionParam(name); ok {
		return s.setParam(p, st, w)
	}
	if !settable[name] {
		if _, known := s.settings[name]; known {
			return sqlerr.New(sqlerr.CantChangeRuntimeParam, "parameter %q cannot be changed", st.Name)
		}
		if _, known := config.Lookup(name); known {
			return sqlerr.New(sqlerr.CantChangeRuntimeParam, "parameter %q cannot be set for a session", st.Name).
				WithHint("A superuser can change it for the server with ALTER SYSTEM SET.")
		}
		return sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter %q", st.Name)
	}
	value := st.Value
	if strings.EqualFold(value, "default") && name != "search_path" { // RESET, SET ... TO DEFAULT
		value = defaultSettings(s.user)[name]
	}
	switch name {
	case "transaction_isolation":
		if s.tx == nil || !s.explicit {
			w.Notice(Notice{Severity: "WARNING", Code: sqlerr.NoActiveSQLTransaction, Message: "SET TRANSACTION can only be used in transaction blocks"})
			return w.Complete("SET")
		}
		if s.txSnap != nil {
			return sqlerr.New(sqlerr.ActiveSQLTransaction, "SET TRANSACTION ISOLATION LEVEL must be called before any query")
		}
		iso, err := isolationLevel(value)
		if err != nil {
			return err
		}
		s.isolation = iso
		return w.Complete("SET")
	case "default_transaction_isolation":
		if _, err := isolationLevel(value); err != nil {
			return err
		}
	case "lock_timeout", "idle_in_transaction_session_timeout":
		ms, err := parseDurationMS(value)
		if err != nil {
			return sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter %q: %q", st.Name, value)
		}
		value = strconv.FormatInt(ms, 10)
	case "timezone":
		if strings.EqualFold(value, "default") || strings.EqualFold(value, "local") {
			value = defaultSettings(s.user)[name]
		}
		loc, err := types.LoadZone(value)
		if err != nil {
			return err
		}
		s.loc, value = loc, loc.String() // america/new_york shows as America/New_York
	case "password_encryption":
		if value = strings.ToLower(value); value != "scram-sha-256" && value != "md5" && value != "default" {
			return sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"password_encryption\": %q", st.Value).
				WithHint("Available values: md5, scram-sha-256.")
		}
	case "enable_columnar_scan":
		b, err := types.Cast(types.NewText(value), types.TBool)
		if err != nil {
			return sqlerr.New(sqlerr.InvalidParameterValue, "parameter \"enable_columnar_scan\" requires a Boolean value")
		}
		value = map[bool]string{true: "on", false: "off"}[b.Bool()]
	case "search_path":
		if !strings.EqualFold(value, "default") {
			value = formatSearchPath(st.Values)
		}
	case "client_encoding":
		if u := strings.ToUpper(value); u != "UTF8" && u != "UTF-8" && u != "UNICODE" && u != "DEFAULT" {
			return sqlerr.New(sqlerr.InvalidParameterValue, "client encoding %q is not supported; only UTF8 is", value)
		}
		value = "UTF8"
	}
	if strings.EqualFold(value, "default") {
		value = defaultSettings(s.user)[name]
	}
	s.settings[name] = value
	s.settingsChanged()
	if name == "application_name" {
		s.act.mu.Lock()
		s.act.app = value
		s.act.mu.Unlock()
	}
	for _, p := range reportedParams {
		if strings.ToLower(p) == name {
			w.ParameterStatus(p, value)
		}
	}
	return w.Complete("SET")
}

// parseDurationMS reads a PostgreSQL time setting: a number of milliseconds
// or a number with a unit (ms, s, min, h).
func parseDurationMS(v string) (int64, error) {
	v = strings.TrimSpace(strings.Trim(v, "'"))
	units := []struct {
		suffix string
		ms     float64
	}{{"ms", 1}, {"min", 60000}, {"s", 1000}, {"h", 3600000}}
	for _, u := range units {
		if strings.HasSuffix(v, u.suffix) {
			f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), 64)
			return int64(f * u.ms), err
		}
	}
	return strconv.ParseInt(v, 10, 64)
}

func (s *Session) show(st *sql.ShowStmt, w ResultWriter) error {
	name := strings.ToLower(st.Name)
	if name == "all" {
		return s.showAll(w)
	}
	v, ok := s.showValue(name)
	if !ok {
		return sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter %q", st.Name)
	}
	if name == "transaction isolation level" {
		name = "transaction_isolation"
	}
	if err := w.Columns(showColumns(name)); err != nil {
		return err
	}
	if err := w.Row([]types.Value{types.NewText(v)}); err != nil {
		return err
	}
	return w.Complete("SHOW")
}

// binder returns a planner for query over the current catalog and the
// tables' ANALYZE statistics.
func (s *Session) binder(query string, paramTypes []types.T) *plan.Binder {
	store := s.db.store
	return &plan.Binder{Catalog: store.Catalog(), SQL: query, ParamTypes: paramTypes, Loc: s.loc, SearchPath: s.searchPath(), Access: s.relationGate, Files: s.readFiles,
		Privilege: s.privilegeHook(), ColumnPrivileges: s.columnPrivilegeHook(), Role: s.currentRole(), ServerFiles: s.checkReadFiles,
		Stats: func(t *catalog.Table) *catalog.TableStats {
			if h := store.Heap(t); h != nil {
				return h.Stats()
			}
			return nil
		}}
}
