// Package txn gives transactions their identity, their snapshots and their
// ordering. A transaction is visible to others only once it has committed, and
// a snapshot is a commit sequence number: a row version is visible to a snapshot
// when the transaction that wrote it committed at or before that number (or is
// the reader itself, for changes made by an earlier command). Writers that touch
// a row another open transaction has changed wait for it (Wait), with deadlocks
// between waiters detected and reported as SQLSTATE 40P01.
//
// The package knows nothing of rows or logs: row versions point at a *Txn and
// ask it whether they are visible; the storage layer decides what to log.
package txn

import (
	"sync"
	"sync/atomic"
	"time"

	"rustydb/sqlerr"
)

// Status of a transaction.
type Status uint32

const (
	InProgress Status = iota
	Committed
	Aborted
)

// Txn is one transaction.
type Txn struct {
	ID uint64

	status    atomic.Uint32
	commitSeq atomic.Uint64
	waitingOn atomic.Pointer[Txn]

	// done is made by the first Done while the transaction is open and
	// closed when it ends: most transactions are never waited for, and
	// need no channel.
	endMu sync.Mutex
	done  chan struct{}
	ended bool

	// prev and next link the manager's open transactions, under its mu.
	prev, next *Txn

	beginSeq uint64 // the commit sequence when it began; its snapshots are no older

	// cid numbers the commands (statements) of this transaction; a row version
	// written by command c is visible to this transaction's commands after c.
	cid uint32
}

// Status returns the current status.
func (t *Txn) Status() Status { return Status(t.status.Load()) }

// CommitSeq returns the commit sequence number, 0 while not committed.
func (t *Txn) CommitSeq() uint64 { return t.commitSeq.Load() }

// CommandID returns the current command id.
func (t *Txn) CommandID() uint32 { return t.cid }

// NextCommand starts a new command (statement) within the transaction.
func (t *Txn) NextCommand() { t.cid++ }

// Done returns a channel closed when the transaction has ended.
func (t *Txn) Done() <-chan struct{} {
	t.endMu.Lock()
	defer t.endMu.Unlock()
	if t.ended {
		return closed
	}
	if t.done == nil {
		t.done = make(chan struct{})
	}
	return t.done
}

// closed is the Done of every ended transaction.
var closed = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// finish marks t ended, waking its waiters.
func (t *Txn) finish() {
	t.endMu.Lock()
	t.ended = true
	if t.done != nil {
		close(t.done)
	}
	t.endMu.Unlock()
}

// Snapshot is what one statement (READ COMMITTED) sees.
type Snapshot struct {
	Seq uint64 // transactions with CommitSeq <= Seq are visible
	Own *Txn   // the reading transaction, nil for a read outside any
	CID uint32 // the reading command: own versions from earlier commands are visible
}

// VisibleCreator reports whether a version created by creator (nil means
// frozen: committed before every running transaction) in command cmin is visible.
func (s *Snapshot) VisibleCreator(creator *Txn, cmin uint32) bool {
	if creator == nil {
		return true
	}
	if creator == s.Own {
		return cmin < s.CID
	}
	seq := creator.commitSeq.Load()
	return seq != 0 && seq <= s.Seq
}

// Deleted reports whether a deletion by deleter in command cmax is visible,
// i.e. whether the version is gone for this snapshot.
func (s *Snapshot) Deleted(deleter *Txn, cmax uint32) bool {
	if deleter == nil {
		return false
	}
	if deleter == s.Own {
		return cmax < s.CID
	}
	seq := deleter.commitSeq.Load()
	return seq != 0 && seq <= s.Seq
}

// Recovered stands for every transaction replayed from the log: committed
// before any transaction of this run, at the first commit sequence number.
var Recovered = func() *Txn {
	t := &Txn{ended: true}
	t.status.Store(uint32(Committed))
	t.commitSeq.Store(1)
	return t
}()

// Manager hands out transaction ids and commit sequence numbers.
type Manager struct {
	nextID atomic.Uint64
	// seq is the latest commit sequence number: read without a lock,
	// advanced under seqMu only after the committing transaction's
	// commitSeq is stored, so a snapshot that sees a number sees every
	// transaction committed at or before it.
	seqMu sync.Mutex
	seq   atomic.Uint64

	mu     sync.Mutex
	active Txn // the list of open transactions: active.next is the oldest
	open   int

	commits, rollbacks atomic.Uint64
	// waits counts the Waits that blocked, waitTime their nanoseconds.
	waits, waitTime, deadlocks atomic.Uint64
}

// NewManager returns a manager whose transaction ids follow firstID: the first
// is firstID+1, so passing the largest id already used never reuses it.
func NewManager(firstID uint64) *Manager {
	m := &Manager{}
	m.active.prev, m.active.next = &m.active, &m.active
	m.nextID.Store(firstID)
	m.seq.Store(1)
	return m
}

// Begin starts a transaction.
func (m *Manager) Begin() *Txn {
	t := new(Txn)
	m.Start(t)
	return t
}

// Start starts transaction t, a zero Txn the caller allocated (as part of
// its own transaction state, to save an allocation per transaction).
func (m *Manager) Start(t *Txn) {
	t.ID, t.beginSeq = m.nextID.Add(1), m.seq.Load()
	m.mu.Lock()
	last := m.active.prev
	t.prev, t.next = last, &m.active
	last.next, m.active.prev = t, t
	m.open++
	m.mu.Unlock()
}

// Snapshot returns a snapshot for the next command of t (t may be nil).
func (m *Manager) Snapshot(t *Txn) Snapshot {
	s := Snapshot{Seq: m.seq.Load(), Own: t}
	if t != nil {
		s.CID = t.cid
	}
	return s
}

// Commit makes t visible to snapshots taken from now on. The caller must have
// made the commit durable first.
func (m *Manager) Commit(t *Txn) {
	m.seqMu.Lock()
	next := m.seq.Load() + 1
	t.commitSeq.Store(next)
	t.status.Store(uint32(Committed))
	m.seq.Store(next)
	m.seqMu.Unlock()
	m.end(t)
	m.commits.Add(1)
}

// CommitReadOnly ends t, which wrote nothing: with nothing to make
// visible, it takes no commit sequence number.
func (m *Manager) CommitReadOnly(t *Txn) {
	t.status.Store(uint32(Committed))
	m.end(t)
	m.commits.Add(1)
}

// Abort ends t without making it visible.
func (m *Manager) Abort(t *Txn) {
	t.status.Store(uint32(Aborted))
	m.end(t)
	m.rollbacks.Add(1)
}

func (m *Manager) end(t *Txn) {
	m.mu.Lock()
	t.prev.next, t.next.prev = t.next, t.prev
	t.prev, t.next = nil, nil
	m.open--
	m.mu.Unlock()
	t.finish()
}

// Active returns the number of open transactions.
func (m *Manager) Active() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.open
}

// Horizon returns a commit sequence number that no open transaction's
// snapshots are older than: versions deleted at or before it are dead to all.
func (m *Manager) Horizon() uint64 {
	h := m.seq.Load()
	m.mu.Lock()
	for t := m.active.next; t != &m.active; t = t.next {
		h = min(h, t.beginSeq)
	}
	m.mu.Unlock()
	return h
}

// Counts returns how many transactions committed and rolled back since start.
func (m *Manager) Counts() (commits, rollbacks uint64) {
	return m.commits.Load(), m.rollbacks.Load()
}

// Wait blocks t until other has ended, or returns 40P01 if waiting would close
// a cycle of transactions waiting on each other, or the error of cancel.
func (m *Manager) Wait(t, other *Txn, cancel <-chan struct{}, cancelErr func() error) error {
	if t != nil {
		t.waitingOn.Store(other)
		defer t.waitingOn.Store(nil)
		for w, n := other, 0; w != nil && n < 1000; w, n = w.waitingOn.Load(), n+1 {
			if w == t {
				m.deadlocks.Add(1)
				return sqlerr.New("40P01", "deadlock detected").
					WithDetail("Transaction %d waits for transaction %d, which waits for this one.", t.ID, other.ID)
			}
		}
	}
	select {
	case <-other.Done():
		return nil
	default:
	}
	start := time.Now()
	defer func() {
		m.waits.Add(1)
		m.waitTime.Add(uint64(time.Since(start)))
	}()
	select {
	case <-other.Done():
		return nil
	case <-cancel:
		return cancelErr()
	}
}

// WaitStats are the lock waits measured since start: Waits that blocked,
// the time they blocked, and the waits refused as deadlocks.
type WaitStats struct {
	Waits     uint64
	Time      time.Duration
	Deadlocks uint64
}

// WaitStats returns the manager's lock wait counters.
func (m *Manager) WaitStats() WaitStats {
	return WaitStats{Waits: m.waits.Load(), Time: time.Duration(m.waitTime.Load()), Deadlocks: m.deadlocks.Load()}
}

// WaitingOn returns the transaction t is blocked on in Wait, or nil.
func (t *Txn) WaitingOn() *Txn { return t.waitingOn.Load() }
