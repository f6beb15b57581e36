package rustydb

import (
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"rustydb/config"
	"rustydb/exec"
	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/txn"
	"rustydb/types"
)

// Sessions. Every Session registers with its DB from NewSession to Close
// under an id, which the server also uses as the connection's process id
// (BackendKeyData, pg_backend_pid(), REST /connections). What a session is
// doing is kept in its activity: written by the session's own goroutine,
// read by others for v$session and pg_stat_activity, and acted on by ALTER
// SYSTEM KILL SESSION, pg_terminate_backend and REST DELETE /connections.

// SessionInfo is one session as v$session shows it.
type SessionInfo = exec.SessionInfo

// ErrTerminated is what a killed session's statements fail with; the
// server then closes the connection.
var ErrTerminated = sqlerr.New(sqlerr.AdminShutdown, "terminating connection due to administrator command")

type sessionRegistry struct {
	mu   sync.Mutex
	next uint32
	byID map[uint32]*Session

	// instance-wide counters, for v$system_performance
	statements, rowsReturned, rowsWritten atomic.Uint64
	temp                                  exec.TempStats
}

func (r *sessionRegistry) add(s *Session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byID == nil {
		r.byID = map[uint32]*Session{}
	}
	r.next++
	s.id = r.next
	r.byID[s.id] = s
}

func (r *sessionRegistry) remove(s *Session) {
	r.mu.Lock()
	delete(r.byID, s.id)
	r.mu.Unlock()
}

func (r *sessionRegistry) get(id uint32) *Session {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byID[id]
}

// activity is what a session is doing. mu guards the fields; progress is
// atomic, as the running statement updates it.
type activity struct {
	mu          sync.Mutex
	app, client string
	started     time.Time
	state       string
	stateChange time.Time
	query       string
	queryID     uint64
	queryStart  time.Time
	tx          *txn.Txn // the open transaction, whose lock waits show as wait events
	txStart     time.Time
	killed      atomic.Bool // read without mu by every statement
	onKill      func()
	progress    exec.Progress
}

// begin makes a statement, started at now, the session's current one.
func (a *activity) begin(n sql.Normalized, text string, now time.Time) {
	a.progress.Reset()
	a.mu.Lock()
	a.query, a.queryID, a.queryStart = text, n.ID, now
	if a.state != "active" {
		a.state, a.stateChange = "active", now
	}
	a.mu.Unlock()
}

// idle records the state a statement (or an extended-protocol Sync) left
// the session in, now.
func (s *Session) idle() { s.idleAt(s.clock.now()) }

// idleAt is idle for a state entered at now: a statement's end, which
// measure has just read.
func (s *Session) idleAt(now time.Time) {
	state := "idle"
	switch s.TxStatus() {
	case 'T':
		state = "idle in transaction"
	case 'E':
		state = "idle in transaction (aborted)"
	}
	a := &s.act
	a.mu.Lock()
	if a.state != state {
		a.state, a.stateChange = state, now
	}
	if s.tx == nil {
		a.tx, a.txStart = nil, time.Time{}
	}
	a.mu.Unlock()
}

// ID returns the session's id: pg_backend_pid() and v$session.sid.
func (s *Session) ID() uint32 { return s.id }

// SetClient records the address of the session's client, host:port.
func (s *Session) SetClient(addr string) {
	s.act.mu.Lock()
	s.act.client = addr
	s.act.mu.Unlock()
}

// OnTerminate sets a function that ALTER SYSTEM KILL SESSION (and
// pg_terminate_backend, DB.TerminateSession) calls, from another goroutine,
// after canceling the session's statement: the server uses it to wake a
// connection waiting for its client.
func (s *Session) OnTerminate(fn func()) {
	s.act.mu.Lock()
	s.act.onKill = fn
	s.act.mu.Unlock()
}

// Terminated reports whether the session was killed: its statements fail
// with 57P01 and its connection should close.
func (s *Session) Terminated() bool {
	return s.act.killed.Load()
}

// terminated turns a statement's error into 57P01 once the session is
// killed: the statement was canceled for that.
func (s *Session) terminated(err error) error {
	if s.Terminated() {
		return ErrTerminated
	}
	return err
}

// Sessions lists the open sessions, by id.
func (db *DB) Sessions() []SessionInfo {
	r := &db.sessions
	r.mu.Lock()
	all := make([]*Session, 0, len(r.byID))
	for _, s := range r.byID {
		all = append(all, s)
	}
	r.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].id < all[j].id })
	out := make([]SessionInfo, len(all))
	waitsFor := make([]uint64, len(all)) // the transaction each session waits for
	byTx := map[uint64]int64{}           // the session of each open transaction
	for k, s := range all {
		a := &s.act
		a.mu.Lock()
		out[k] = SessionInfo{ID: int64(s.id), User: s.user, Database: DatabaseName, Application: a.app, ClientAddr: a.client,
			BackendStart: a.started, State: a.state, StateChange: a.stateChange, Killed: a.killed.Load(), Query: a.query,
			QueryID: a.queryID, QueryStart: a.queryStart, TxStart: a.txStart}
		tx := a.tx
		a.mu.Unlock()
		info := &out[k]
		info.Rows, info.Bytes = a.progress.Done()
		wait := a.progress.Wait()
		if tx != nil {
			info.TxID, byTx[tx.ID] = tx.ID, info.ID
			if other := tx.WaitingOn(); other != nil {
				wait, waitsFor[k] = exec.WaitLock, other.ID
			}
		}
		if wait == nil && info.State != "active" {
			wait = exec.WaitClientRead
		}
		if wait != nil {
			info.WaitClass, info.Event = wait.Class, wait.Name
		}
	}
	for k, id := range waitsFor {
		if id != 0 {
			out[k].BlockedBy = byTx[id]
		}
	}
	return out
}

// TerminateSession ends session id as ALTER SYSTEM KILL SESSION does,
// without a privilege check (the REST API checks its caller); it returns
// false when there is no such session.
func (db *DB) TerminateSession(id uint32) bool { return db.signal(id, true) }

// signal cancels session id's statement, and with terminate kills the
// session.
func (db *DB) signal(id uint32, terminate bool) bool {
	s := db.sessions.get(id)
	if s == nil {
		return false
	}
	var hook func()
	if terminate {
		s.act.mu.Lock()
		s.act.killed.Store(true)
		hook = s.act.onKill
		s.act.mu.Unlock()
	}
	s.Cancel()
	if hook != nil {
		hook()
	}
	return true
}

// killSession runs ALTER SYSTEM KILL SESSION and ALTER SYSTEM CANCEL SQL.
func (s *Session) killSession(st *sql.KillSessionStmt, w ResultWriter) error {
	what := "kill a session"
	if st.Cancel {
		what = "cancel a session's statement"
	}
	if !s.superuser() {
		return sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied to %s", what).
			WithDetail("Only superusers may %s.", what)
	}
	if st.Session == s.id && !st.Cancel {
		return sqlerr.New(sqlerr.ObjectNotInPrerequisiteSt, "cannot kill the current session").
			WithHint("Disconnect instead, or run it from another session.")
	}
	if !s.db.signal(st.Session, !st.Cancel) {
		return sqlerr.New(sqlerr.UndefinedObject, "session %d does not exist", st.Session).
			WithHint("SELECT sid, username, status FROM v$session lists the sessions.")
	}
	return w.Complete("ALTER SYSTEM")
}

// instance is the exec.Instance a session's statements see.
type instance struct{ s *Session }

func (in instance) SessionID() int64 { return int64(in.s.id) }
func (in instance) Variables() []exec.Variable {
	defaults := defaultSettings(in.s.user)
	out := make([]exec.Variable, 0, len(in.s.settings))
	for name, v := range in.s.settings {
		out = append(out, exec.Variable{Name: name, Value: v, Default: defaults[name], Description: settingDescriptions[name]})
	}
	for alias, name := range paramAliases { // statement_timeout
		p, _ := config.Lookup(name)
		out = append(out, exec.Variable{Name: alias, Value: in.s.paramValue(p), Default: config.Default().Value(p), Description: settingDescriptions[alias]})
	}
	return out
}
func (in instance) Sessions() []SessionInfo           { return in.s.db.Sessions() }
func (in instance) Statements() []exec.StatementStats { return in.s.db.statements.snapshot() }

func (in instance) Totals() exec.Totals {
	r := &in.s.db.sessions
	t := &r.temp
	return exec.Totals{Statements: r.statements.Load(), RowsReturned: r.rowsReturned.Load(), RowsWritten: r.rowsWritten.Load(),
		TempFiles: t.Files.Load(), TempBytes: t.Bytes.Load()}
}

// Signal applies PostgreSQL's rules for pg_cancel_backend and
// pg_terminate_backend: a superuser may signal any session, another role
// only sessions of its own role that are not a superuser's.
func (in instance) Signal(id int64, terminate bool) (bool, error) {
	if id <= 0 || id > int64(^uint32(0)) {
		return false, nil
	}
	target := in.s.db.sessions.get(uint32(id))
	if target == nil {
		return false, nil
	}
	if !in.s.superuser() {
		verb := map[bool]string{false: "cancel", true: "terminate"}[terminate]
		if target.superuser() {
			return false, sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied to %s process", verb).
				WithDetail("Only superusers can %s superuser processes.", verb)
		}
		if target.user != in.s.user {
			return false, sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied to %s process", verb).
				WithDetail("Only roles with the privileges of the role whose process is being %sed may %s it.",
					strings.TrimSuffix(verb, "e"), verb)
		}
	}
	return in.s.db.signal(uint32(id), terminate), nil
}

// statementWriter passes a statement's results on, counting the rows it
// returns for v$session and the command tag's count (rows returned or
// affected) for the statement statistics.
type statementWriter struct {
	ResultWriter
	progress *exec.Progress
	returned int64
	tagged   int64
}

func (w *statementWriter) inner() ResultWriter { return w.ResultWriter }

func (w *statementWriter) Row(vals []types.Value) error {
	w.returned++
	w.progress.Add(1, 0)
	return w.ResultWriter.Row(vals)
}

func (w *statementWriter) Complete(tag string) error {
	if n, ok := tagCount(tag); ok {
		w.tagged = n
		w.progress.SetRows(max(n, w.returned))
	}
	return w.ResultWriter.Complete(tag)
}

// tagCount reads the row count that ends a command tag ("INSERT 0 3").
func tagCount(tag string) (n int64, ok bool) {
	k := len(tag)
	for k > 0 && tag[k-1] >= '0' && tag[k-1] <= '9' {
		k--
	}
	if k == len(tag) || k == 0 || tag[k-1] != ' ' || len(tag)-k > 18 {
		return 0, false
	}
	for _, c := range tag[k:] {
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// measure runs one statement as the session's current activity, and
// records its time and rows in the statement statistics, the instance's
// counters and the OnStatement hook. A statement of a killed session fails
// with 57P01.
func (s *Session) measure(stmt sql.Statement, text string, norm sql.Normalized, stat **statementEntry, w ResultWriter, run func(ResultWriter) error) error {
	start := s.clock.now() // one reading for the statement's start everywhere
	s.act.begin(norm, text, start)
	s.stmtStart = start
	// The session's writer unless a statement inside this one (EXECUTE's)
	// holds it.
	sw := &s.writer
	if sw.ResultWriter != nil {
		sw = new(statementWriter)
	}
	*sw = statementWriter{ResultWriter: w, progress: &s.act.progress}
	defer func() { sw.ResultWriter = nil }()
	err := run(sw)
	s.stmtEnd = s.clock.now()
	d := s.stmtEnd.Sub(start)
	err = s.terminated(err)
	kind := sql.Kind(stmt)
	reg := &s.db.sessions
	reg.statements.Add(1)
	if sw.returned > 0 { // an atomic add is not free: none for nothing
		reg.rowsReturned.Add(uint64(sw.returned))
	}
	if err == nil {
		if c, ok := stmt.(*sql.CopyStmt); sw.tagged > 0 && (kind == "insert" || kind == "update" || kind == "delete" || ok && c.From) {
			reg.rowsWritten.Add(uint64(sw.tagged))
		}
		s.db.statements.record(norm, stat, d, sw.tagged, s.stmtEnd)
	}
	if s.OnStatement != nil {
		s.OnStatement(kind, d, err)
	}
	s.slowQuery(stmt, text, d, err)
	return err
}
