package rustydb

import (
	"strings"
	"sync"
	"sync/atomic"

	"rustydb/catalog"
	"rustydb/sql"
	"rustydb/sqlerr"
)

// The instance's state as an administrator controls it: shutdown requests,
// the mounted state of a server started with --mount-only, and restricted
// sessions (--restrict).
//
// Mounted (Oracle's word): the data directory has been opened and recovered
// as always, but only superusers may connect, and statements that read or
// change user tables, views or sequences fail with 55000 "database is
// mounted but not open": data-changing statements, DDL, COPY and VACUUM are
// refused outright, and queries fail where they name a user relation, so
// that the system catalogs and views stay readable. SET, SHOW, CHECKPOINT,
// SHUTDOWN, ALTER SYSTEM and transaction control work. ALTER DATABASE OPEN
// ends the state for good.
//
// Restricted: only superusers may log in; sessions already open stay.
//
// SHUTDOWN is carried out by the server (cmd/rusty-db-server), which reads
// ShutdownRequests; an engine without a server refuses it.

// ShutdownMode says how the server stops.
type ShutdownMode string

const (
	// ShutdownNormal refuses new connections, waits for every session to
	// disconnect, checkpoints and exits (PostgreSQL's "smart" shutdown).
	ShutdownNormal ShutdownMode = "NORMAL"
	// ShutdownImmediate ends every session (57P01 to its client, its
	// transaction rolled back), checkpoints and exits ("fast").
	ShutdownImmediate ShutdownMode = "IMMEDIATE"
	// ShutdownAbort exits at once without a checkpoint; the next start
	// recovers from the WAL ("immediate").
	ShutdownAbort ShutdownMode = "ABORT"
)

// ParseShutdownMode reads a mode name, in any case.
func ParseShutdownMode(s string) (ShutdownMode, error) {
	switch m := ShutdownMode(strings.ToUpper(strings.TrimSpace(s))); m {
	case ShutdownNormal, ShutdownImmediate, ShutdownAbort:
		return m, nil
	}
	return "", sqlerr.New(sqlerr.InvalidParameterValue, "unknown shutdown mode %q: use NORMAL, IMMEDIATE or ABORT", s)
}

// Stronger reports whether m stops the server harder than other, so that a
// request during a NORMAL shutdown can hurry it.
func (m ShutdownMode) Stronger(other ShutdownMode) bool { return m.rank() > other.rank() }

func (m ShutdownMode) rank() int {
	return map[ShutdownMode]int{ShutdownNormal: 1, ShutdownImmediate: 2, ShutdownAbort: 3}[m]
}

// ShutdownDeferrer is a ResultWriter that delivers a SHUTDOWN request only
// once the client has the statement's answer (the wire protocol does so
// after ReadyForQuery). With other writers the request goes out as the
// statement completes.
type ShutdownDeferrer interface {
	DeferShutdown(ShutdownMode)
}

// findWriter finds a client writer's optional interface T (ShutdownDeferrer,
// StatementDeallocator) under the writers a session wraps around it
// (statementWriter, resetWriter, noTag). Missed, a SHUTDOWN IMMEDIATE would
// be requested at once and could end its session before the client had the
// answer.
func findWriter[T any](w ResultWriter) (T, bool) {
	for {
		if d, ok := w.(T); ok {
			return d, true
		}
		u, ok := w.(interface{ inner() ResultWriter })
		if !ok {
			var zero T
			return zero, false
		}
		w = u.inner()
	}
}

// openState is the DB's administrative state; the zero value is an open,
// unrestricted instance that no server serves.
type openState struct {
	mounted, restricted atomic.Bool
	once                sync.Once
	requests            chan ShutdownMode
	served              atomic.Bool
}

func (in *openState) channel() chan ShutdownMode {
	in.once.Do(func() { in.requests = make(chan ShutdownMode, 8) })
	return in.requests
}

// ShutdownRequests returns the channel on which SHUTDOWN statements and
// RequestShutdown deliver their modes. The server reads it; calling it is
// what makes SHUTDOWN available.
func (db *DB) ShutdownRequests() <-chan ShutdownMode {
	db.inst.served.Store(true)
	return db.inst.channel()
}

// RequestShutdown asks the server to stop in mode. It never blocks: the
// server reads requests while it stops, to hurry a NORMAL shutdown, and
// further ones beyond what the channel holds add nothing.
func (db *DB) RequestShutdown(mode ShutdownMode) {
	select {
	case db.inst.channel() <- mode:
	default:
	}
}

// Mounted reports whether the database is mounted but not open.
func (db *DB) Mounted() bool { return db.inst.mounted.Load() }

// Restricted reports whether only superusers may log in.
func (db *DB) Restricted() bool { return db.inst.restricted.Load() }

// SetRestricted turns restricted sessions on or off.
func (db *DB) SetRestricted(on bool) {
	if db.inst.restricted.Swap(on) != on {
		db.logger.Info("restricted session changed", "restricted", on)
	}
}

// OpenDatabase ends the mounted state.
func (db *DB) OpenDatabase() error {
	if !db.inst.mounted.Swap(false) {
		return sqlerr.New(sqlerr.ObjectNotInPrerequisiteSt, "database is already open")
	}
	db.logger.Info("database opened: user tables accept queries")
	return nil
}

// CheckLogin refuses a role that may not log in now: while the database
// is mounted or restricted, only superusers may.
func (db *DB) CheckLogin(user string) error {
	mounted, restricted := db.Mounted(), db.Restricted()
	if !mounted && !restricted {
		return nil
	}
	if r := db.Role(user); r != nil && r.Superuser {
		return nil
	}
	if mounted {
		return sqlerr.New(sqlerr.CannotConnectNow, "database is mounted but not open: only superusers may connect").
			WithHint("A superuser opens it with ALTER DATABASE OPEN.")
	}
	return sqlerr.New(sqlerr.CannotConnectNow, "database is in restricted mode: only superusers may connect").
		WithHint("A superuser ends it with ALTER SYSTEM DISABLE RESTRICTED SESSION.")
}

// errMounted is what a mounted database answers a statement on user data.
func errMounted() error {
	return sqlerr.New(sqlerr.ObjectNotInPrerequisiteSt, "database is mounted but not open").
		WithHint("Only the system catalogs and views can be queried until a superuser runs ALTER DATABASE OPEN.")
}

// mountGate refuses, while the database is mounted, the statements that
// change data or definitions; queries are checked table by table as they
// are bound (see relationGate).
func (s *Session) mountGate(stmt sql.Statement) error {
	if !s.db.Mounted() {
		return nil
	}
	if _, ok := stmt.(*sql.VacuumStmt); ok {
		return errMounted()
	}
	switch sql.Kind(stmt) {
	case "insert", "update", "delete", "ddl", "copy":
		return errMounted()
	}
	return nil
}

// relationGate is the binder's check of each relation a statement names:
// while the database is mounted, user relations are closed.
func (s *Session) relationGate(*catalog.Table) error {
	if s.db.Mounted() {
		return errMounted()
	}
	return nil
}

// instanceCommand runs SHUTDOWN, ALTER SYSTEM ENABLE | DISABLE RESTRICTED
// SESSION and ALTER DATABASE OPEN, which only superusers may.
func (s *Session) instanceCommand(stmt sql.Statement, w ResultWriter) error {
	if !s.superuser() {
		return sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied to run %s", statementName(stmt)).
			WithDetail("Only superusers may shut the server down, restrict sessions or open the database.")
	}
	switch st := stmt.(type) {
	case *sql.ShutdownStmt:
		if s.explicit {
			return sqlerr.New(sqlerr.ActiveSQLTransaction, "SHUTDOWN cannot run inside a transaction block")
		}
		if !s.db.inst.served.Load() {
			return sqlerr.New(sqlerr.FeatureNotSupported, "SHUTDOWN needs rusty-db-server").
				WithHint("An embedded engine stops when its program closes the DB.")
		}
		if err := w.Complete("SHUTDOWN"); err != nil {
			return err
		}
		mode := ShutdownMode(st.Mode)
		s.db.logger.Info("SHUTDOWN requested", "mode", string(mode), "user", s.user)
		if d, ok := findWriter[ShutdownDeferrer](w); ok {
			d.DeferShutdown(mode)
		} else {
			s.db.RequestShutdown(mode)
		}
		return nil
	case *sql.RestrictedSessionStmt:
		s.db.SetRestricted(st.Enable)
		return w.Complete("ALTER SYSTEM")
	case *sql.AlterDatabaseOpenStmt:
		if err := s.db.OpenDatabase(); err != nil {
			return err
		}
		return w.Complete("ALTER DATABASE")
	}
	return sqlerr.New(sqlerr.InternalError, "unexpected instance command %T", stmt)
}

func statementName(stmt sql.Statement) string {
	switch stmt.(type) {
	case *sql.ShutdownStmt:
		return "SHUTDOWN"
	case *sql.RestrictedSessionStmt:
		return "ALTER SYSTEM ... RESTRICTED SESSION"
	}
	return "ALTER DATABASE OPEN"
}
