package rustydb

import (
	"time"

	"rustydb/exec"
	"rustydb/row"
	"rustydb/wal"
)

// Stats are counters measured by the engine since it opened.
type Stats struct {
	Started     time.Time
	Commits     uint64 // transactions committed
	Rollbacks   uint64 // transactions rolled back (explicitly or by error)
	ActiveTxns  int
	Checkpoints uint64
	Tables      int
	WAL         wal.Stats
	DataDir     string
	WALDir      string
	WALUnusable bool   // the WAL failed a write or fsync; the server must restart
	IOEngine    string // "io_uring" or "pread"
	BufferPool  row.BufferPoolStats
	// RowsRead, RowsInserted and RowsDeleted are row.Activity's counters;
	// ParallelWorkersBusy is the number of parallel query workers running.
	RowsRead, RowsInserted, RowsDeleted uint64
	ParallelWorkersBusy                 int64
	// Workers is the parallel worker pool's size and what it lent.
	Workers exec.SchedulerStats
}

// Stats returns the engine's current counters.
func (db *DB) Stats() Stats {
	commits, rollbacks := db.store.Txns().Counts()
	act := db.store.Activity()
	st := Stats{
		RowsRead:            act.RowsRead.Load(),
		RowsInserted:        act.RowsInserted.Load(),
		RowsDeleted:         act.RowsDeleted.Load(),
		ParallelWorkersBusy: act.WorkersBusy.Load(),
		Started:             db.started,
		Commits:             commits,
		Rollbacks:           rollbacks,
		ActiveTxns:          db.store.Txns().Active(),
		Checkpoints:         db.store.Checkpoints(),
		Tables:              len(db.store.Catalog().Tables()),
		WAL:                 db.store.WAL().Stats(),
		DataDir:             db.opts.Dir,
		WALDir:              db.opts.WALDir,
		WALUnusable:         db.store.WAL().Err() != nil,
		IOEngine:            db.opts.IO.Name(),
		BufferPool:          db.store.BufferPool(),
		Workers:             db.sched.Stats(),
	}
	return st
}
