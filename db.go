// Package rustydb is the embeddable RustyDB engine: open a data directory and
// run SQL on it, with no server. The server (cmd/rusty-db-server) wraps the
// same engine with the PostgreSQL wire protocol, the REST API and metrics.
//
//	db, err := rustydb.Open("./data")
//	if err != nil { ... }
//	defer db.Close()
//	_, err = db.Exec(ctx, "CREATE TABLE t (id INT PRIMARY KEY, name TEXT)")
//	rows, err := db.Query(ctx, "SELECT id, name FROM t WHERE id > 10")
//	for rows.Next() { var id int64; var name string; rows.Scan(&id, &name) }
package rustydb

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"rustydb/config"
	"rustydb/exec"
	"rustydb/iouring"
	"rustydb/row"
	"rustydb/wal"
)

// Version is the RustyDB release.
const Version = "0.1.0"

// ServerVersion is what clients see as server_version: the PostgreSQL
// version whose protocol and behaviour RustyDB follows.
const ServerVersion = "15.0 (RustyDB " + Version + ")"

// DatabaseName is the one database until CREATE DATABASE exists.
const DatabaseName = "rustydb"

// Options configures an engine.
type Options struct {
	Dir                string
	WALDir             string        // default Dir/wal
	SyncMode           string        // "local" (fsync at commit, the default) or "off"
	WALSegmentBytes    int64         // default 64 MiB
	CheckpointInterval time.Duration // 0 disables periodic checkpoints; see Params
	StatementTimeout   time.Duration // default statement_timeout of sessions; 0 = none; see Params
	// Params are the server's parameters (see config.Params), whose
	// running values the engine follows as they change: the checkpoint
	// interval, the sessions' statement timeout and parallel workers, the
	// slow-query threshold. nil makes them from the other options, for an
	// embedded engine; when set, CheckpointInterval and StatementTimeout
	// are not used.
	Params *config.Params
	Logger *slog.Logger
	// IO runs the storage files' I/O (io_uring or pread, see iouring.New);
	// nil means pread. The caller closes it after the DB.
	IO iouring.Engine
	// BufferPoolPages is the buffer pool's size in 8 KiB pages; 0 means
	// row.DefaultBufferPoolPages.
	BufferPoolPages int
	// PasswordEncryption is the password_encryption of new sessions: how
	// CREATE and ALTER ROLE store passwords. "scram-sha-256" (also for "")
	// stores a SCRAM verifier; "md5" stores the md5 hash as well.
	PasswordEncryption string
	// SegmentRows is the number of rows in a column segment; 0 means
	// row.DefaultSegmentRows.
	SegmentRows int
	// MountOnly opens the database mounted and Restricted with restricted
	// sessions (see instance.go).
	MountOnly, Restricted bool
	// KeepGC leaves the Go runtime's garbage collector as the program set
	// it. Otherwise an engine opened without Params applies [memory]
	// gc_percent and gc_memory_limit (defaults 400 and 75% of the
	// machine's memory) to the process as the server does, unless GOGC or
	// GOMEMLIMIT are set (see ApplyGC).
	KeepGC bool
}

// DB is an open database.
type DB struct {
	opts    Options
	store   *row.Store
	lock    *dirLock
	started time.Time
	logger  *slog.Logger
	params  *config.Params
	sched   *exec.Scheduler // parallel workers shared by the sessions
	tempDir string          // the statements' temporary files (tempdir.go)

	stop     chan struct{}
	stopped  sync.WaitGroup
	closeMu  sync.Mutex
	closed   bool
	embedded *Session  // for DB.Exec and DB.Query
	inst     openState // mounted, restricted, shutdown requests (instance.go)

	sessions   sessionRegistry // the open sessions (sessions.go)
	statements statementStats  // v$sql_statistics (statements.go)
}

// Open opens the database in dir with default options.
func Open(dir string) (*DB, error) { return OpenWith(Options{Dir: dir}) }

// OpenWith opens a database, recovering it from its checkpoint and WAL.
func OpenWith(opts Options) (*DB, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.IO == nil {
		opts.IO = iouring.NewPread()
	}
	var mode wal.SyncMode
	switch opts.SyncMode {
	case "", "local":
		mode = wal.SyncLocal
	case "off":
		mode = wal.SyncOff
	default:
		return nil, fmt.Errorf("unknown WAL sync mode %q (want local or off)", opts.SyncMode)
	}
	switch opts.PasswordEncryption {
	case "", "scram-sha-256", "md5":
	default:
		return nil, fmt.Errorf("unknown password encryption %q (want scram-sha-256 or md5)", opts.PasswordEncryption)
	}
	lock, err := lockDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	tempDir, err := resetTempDir(opts.Dir)
	if err != nil {
		lock.release()
		return nil, err
	}
	if opts.Params == nil && !opts.KeepGC {
		ApplyGC(embeddedConfig(opts)) // before recovery, which fills the heap
	}
	store, err := row.Open(row.Options{Dir: opts.Dir, WALDir: opts.WALDir, SyncMode: mode, SegmentSize: opts.WALSegmentBytes, Logger: opts.Logger, IO: opts.IO, BufferPoolPages: opts.BufferPoolPages, SegmentRows: opts.SegmentRows})
	if err != nil {
		lock.release()
		return nil, err
	}
	if opts.WALDir == "" {
		opts.WALDir = store.WALDir()
	}
	if opts.Params == nil {
		opts.Params = config.NewParams(embeddedConfig(opts))
		if !opts.KeepGC {
			opts.Params.OnChange(func(c *config.Config) { ApplyGC(c) })
		}
	}
	db := &DB{opts: opts, store: store, lock: lock, tempDir: tempDir, started: time.Now(), logger: opts.Logger, params: opts.Params, stop: make(chan struct{})}
	db.sched = exec.NewScheduler(func() int { return db.params.Current().Performance.MaxParallelWorkers })
	store.SetAutovacuum(db.params.Current().Storage.Autovacuum)
	db.params.OnChange(func(c *config.Config) { store.SetAutovacuum(c.Storage.Autovacuum) })
	db.inst.mounted.Store(opts.MountOnly)
	db.inst.restricted.Store(opts.Restricted)
	db.stopped.Add(1)
	go db.checkpointLoop()
	return db, nil
}

// Recovery says what Open recovered.
func (db *DB) Recovery() row.RecoveryInfo { return db.store.Recovered() }

// checkpointLoop checkpoints every wal.checkpoint_interval_ms (never when
// it is 0, which only an embedded engine has), starting the wait afresh when
// the parameter changes.
func (db *DB) checkpointLoop() {
	defer db.stopped.Done()
	changed := make(chan struct{}, 1)
	db.params.OnChange(func(*config.Config) {
		select {
		case changed <- struct{}{}:
		default: // one pending notice is enough: the loop reads the value
		}
	})
	var every time.Duration
	var t *time.Ticker
	var tick <-chan time.Time
	follow := func() {
		d := time.Duration(db.params.Current().WAL.CheckpointIntervalMs) * time.Millisecond
		if d == every {
			return
		}
		every = d
		if t != nil {
			t.Stop()
			t, tick = nil, nil
		}
		if d > 0 {
			t = time.NewTicker(d)
			tick = t.C
		}
	}
	follow()
	defer func() {
		if t != nil {
			t.Stop()
		}
	}()
	for {
		select {
		case <-db.stop:
			return
		case <-changed:
			follow()
		case <-tick:
			start := time.Now()
			if err := db.Checkpoint(); err != nil {
				db.logger.Error("checkpoint failed", "err", err)
			} else {
				db.logger.Debug("checkpoint complete", "duration", time.Since(start))
			}
		}
	}
}

// Checkpoint writes a checkpoint now, then turns the rows every
// transaction sees into column segments (see row.Store.Columnize).
func (db *DB) Checkpoint() error {
	if err := db.store.Checkpoint(); err != nil {
		return err
	}
	_, err := db.store.Columnize()
	return err
}

// Close checkpoints and closes the database.
func (db *DB) Close() error {
	db.closeMu.Lock()
	defer db.closeMu.Unlock()
	if db.closed {
		return nil
	}
	db.closed = true
	close(db.stop)
	db.stopped.Wait()
	err := db.store.Close()
	db.lock.release()
	return err
}

// Exec runs one or more statements in the DB's embedded session and returns
// the command tag of the last, e.g. "INSERT 0 3".
func (db *DB) Exec(ctx context.Context, query string) (string, error) {
	s, err := db.embeddedSession()
	if err != nil {
		return "", err
	}
	return s.Exec(ctx, query)
}

// Query runs a query in the DB's embedded session and returns its rows.
func (db *DB) Query(ctx context.Context, query string) (*Rows, error) {
	s, err := db.embeddedSession()
	if err != nil {
		return nil, err
	}
	return s.Query(ctx, query)
}

func (db *DB) embeddedSession() (*Session, error) {
	db.closeMu.Lock()
	defer db.closeMu.Unlock()
	if db.closed {
		return nil, fmt.Errorf("rustydb: database is closed")
	}
	if db.embedded == nil {
		db.embedded = db.NewSession("rustydb")
	}
	return db.embedded, nil
}
