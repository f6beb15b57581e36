package txn

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"rustydb/sqlerr"
)

const (
	blockedFor = 30 * time.Millisecond // a blocked Wait must stay blocked this long
	finishIn   = 5 * time.Second       // a Wait that should return must within this
)

var errCanceled = sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")

func cancelErr() error { return errCanceled }

func TestNewManagerIDs(t *testing.T) {
	m := NewManager(41)
	var ids []uint64
	for range 5 {
		ids = append(ids, m.Begin().ID)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Fatalf("transaction ids %v are not strictly increasing", ids)
		}
	}
	// The store passes the largest id found in the log: new ids must not reuse it.
	if ids[0] <= 41 {
		t.Fatalf("first id after NewManager(41) is %d; ids must come after 41", ids[0])
	}
	if n := m.Active(); n != 5 {
		t.Fatalf("Active() = %d, want 5", n)
	}
}

func TestStatusAndCommitSeq(t *testing.T) {
	m := NewManager(0)
	a, b := m.Begin(), m.Begin()
	if a.Status() != InProgress || a.CommitSeq() != 0 {
		t.Fatalf("new transaction: status %v, commit seq %d; want InProgress, 0", a.Status(), a.CommitSeq())
	}
	select {
	case <-a.Done():
		t.Fatalf("Done() closed for an open transaction")
	default:
	}
	m.Commit(b)
	m.Abort(a)
	if b.Status() != Committed || b.CommitSeq() == 0 {
		t.Fatalf("committed transaction: status %v, commit seq %d", b.Status(), b.CommitSeq())
	}
	if a.Status() != Aborted || a.CommitSeq() != 0 {
		t.Fatalf("aborted transaction: status %v, commit seq %d; want Aborted, 0", a.Status(), a.CommitSeq())
	}
	for _, x := range []*Txn{a, b} {
		select {
		case <-x.Done():
		default:
			t.Fatalf("Done() not closed after transaction %d ended", x.ID)
		}
	}
	c := m.Begin()
	m.Commit(c)
	if c.CommitSeq() != b.CommitSeq()+1 {
		t.Fatalf("commit seqs %d then %d; want consecutive (aborts take none)", b.CommitSeq(), c.CommitSeq())
	}
	if n := m.Active(); n != 0 {
		t.Fatalf("Active() = %d after every transaction ended", n)
	}
	if commits, rollbacks := m.Counts(); commits != 2 || rollbacks != 1 {
		t.Fatalf("Counts() = %d, %d; want 2 commits, 1 rollback", commits, rollbacks)
	}
}

func TestRecoveredIsCommittedBeforeEverything(t *testing.T) {
	if Recovered.Status() != Committed || Recovered.CommitSeq() != 1 {
		t.Fatalf("Recovered: status %v, commit seq %d; want Committed, 1", Recovered.Status(), Recovered.CommitSeq())
	}
	m := NewManager(0)
	own := m.Begin()
	for _, s := range []Snapshot{m.Snapshot(nil), m.Snapshot(own)} {
		if !s.VisibleCreator(Recovered, 0) || !s.Deleted(Recovered, 0) {
			t.Fatalf("snapshot %+v does not see Recovered's changes", s)
		}
	}
	select {
	case <-Recovered.Done():
	default:
		t.Fatalf("Recovered.Done() is not closed")
	}
	if err := m.Wait(own, Recovered, nil, cancelErr); err != nil {
		t.Fatalf("Wait for Recovered: %v", err)
	}
}

func TestSnapshotVisibility(t *testing.T) {
	m := NewManager(0)
	committedBefore := m.Begin()
	m.Commit(committedBefore)
	aborted := m.Begin()
	m.Abort(aborted)
	open := m.Begin()
	reader := m.Begin()
	reader.NextCommand()
	reader.NextCommand() // command 2
	snap := m.Snapshot(reader)
	if snap.Own != reader || snap.CID != 2 || snap.Seq != committedBefore.CommitSeq() {
		t.Fatalf("Snapshot(reader) = %+v; want Own reader, CID 2, Seq %d", snap, committedBefore.CommitSeq())
	}
	committedAfter := m.Begin()
	m.Commit(committedAfter)
	later := m.Snapshot(nil)
	if later.Seq != committedAfter.CommitSeq() || later.Own != nil || later.CID != 0 {
		t.Fatalf("Snapshot(nil) = %+v; want Seq %d, no owner", later, committedAfter.CommitSeq())
	}

	cases := []struct {
		name    string
		snap    Snapshot
		txn     *Txn
		cid     uint32
		visible bool
	}{
		{"frozen", snap, nil, 0, true},
		{"committed before the snapshot", snap, committedBefore, 0, true},
		{"committed after the snapshot", snap, committedAfter, 0, false},
		{"committed after, newer snapshot", later, committedAfter, 0, true},
		{"aborted", snap, aborted, 0, false},
		{"aborted, newer snapshot", later, aborted, 0, false},
		{"in progress", snap, open, 0, false},
		{"in progress, newer snapshot", later, open, 0, false},
		{"own, earlier command", snap, reader, 1, true},
		{"own, command 0", snap, reader, 0, true},
		{"own, same command", snap, reader, 2, false},
		{"own, later command", snap, reader, 3, false},
		{"own, seen by a snapshot without owner", later, reader, 0, false},
	}
	for _, c := range cases {
		if got := c.snap.VisibleCreator(c.txn, c.cid); got != c.visible {
			t.Errorf("%s: VisibleCreator = %v, want %v", c.name, got, c.visible)
		}
		// A deletion is visible (the version gone) exactly when a creation
		// by the same transaction and command would be.
		if got := c.snap.Deleted(c.txn, c.cid); got != (c.visible && c.txn != nil) {
			t.Errorf("%s: Deleted = %v, want %v", c.name, got, c.visible && c.txn != nil)
		}
	}

	// The snapshot is a value: commits after it was taken do not change it.
	m.Commit(open)
	if snap.VisibleCreator(open, 0) {
		t.Errorf("snapshot taken before a commit sees it afterwards")
	}
	if s := m.Snapshot(nil); !s.VisibleCreator(open, 0) {
		t.Errorf("snapshot taken after a commit does not see it")
	}
}

func TestNextCommand(t *testing.T) {
	m := NewManager(0)
	tx := m.Begin()
	if tx.CommandID() != 0 {
		t.Fatalf("CommandID of a new transaction = %d, want 0", tx.CommandID())
	}
	first := m.Snapshot(tx)
	tx.NextCommand()
	second := m.Snapshot(tx)
	if second.CID != first.CID+1 || tx.CommandID() != 1 {
		t.Fatalf("after NextCommand: snapshot CID %d (before %d), CommandID %d", second.CID, first.CID, tx.CommandID())
	}
	// A version written by command 0 is invisible to command 0, visible to 1.
	if first.VisibleCreator(tx, 0) || !second.VisibleCreator(tx, 0) {
		t.Fatalf("own write of command 0: visible to command 0 = %v, to command 1 = %v; want false, true",
			first.VisibleCreator(tx, 0), second.VisibleCreator(tx, 0))
	}
}

func TestHorizon(t *testing.T) {
	m := NewManager(0)
	if h := m.Horizon(); h != 1 {
		t.Fatalf("Horizon of a new manager = %d, want 1", h)
	}
	commit := func() uint64 { x := m.Begin(); m.Commit(x); return x.CommitSeq() }
	commit()
	old := m.Begin() // its snapshots see at least seq 2
	oldStart := m.Snapshot(nil).Seq
	s3 := commit()
	newer := m.Begin()
	s4 := commit()
	if h := m.Horizon(); h != oldStart {
		t.Fatalf("Horizon with the oldest open transaction begun at seq %d = %d (commits %d, %d since)", oldStart, h, s3, s4)
	}
	m.Commit(old)
	if h := m.Horizon(); h != s3 {
		t.Fatalf("Horizon after the oldest ended = %d, want %d (when the next one began)", h, s3)
	}
	m.Abort(newer)
	if h, want := m.Horizon(), m.Snapshot(nil).Seq; h != want {
		t.Fatalf("Horizon with no open transaction = %d, want the current seq %d", h, want)
	}
}

// waitAsync runs m.Wait(t, other) in a goroutine.
func waitAsync(m *Manager, t, other *Txn, cancel <-chan struct{}) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- m.Wait(t, other, cancel, cancelErr) }()
	return ch
}

func expectBlocked(t *testing.T, ch <-chan error, what string) {
	t.Helper()
	select {
	case err := <-ch:
		t.Fatalf("%s returned %v, want it to block", what, err)
	case <-time.After(blockedFor):
	}
}

func expectReturn(t *testing.T, ch <-chan error, what string) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(finishIn):
		t.Fatalf("%s still blocked after %v", what, finishIn)
		return nil
	}
}

// waitingOn waits until t is registered as waiting for other.
func waitingOn(t *testing.T, w, other *Txn) {
	t.Helper()
	deadline := time.Now().Add(finishIn)
	for w.waitingOn.Load() != other {
		if time.Now().After(deadline) {
			t.Fatalf("transaction %d never started waiting for %d", w.ID, other.ID)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestWaitReturnsWhenOtherEnds(t *testing.T) {
	for _, commit := range []bool{true, false} {
		m := NewManager(0)
		a, b := m.Begin(), m.Begin()
		ch := waitAsync(m, a, b, nil)
		expectBlocked(t, ch, "Wait for an open transaction")
		if commit {
			m.Commit(b)
		} else {
			m.Abort(b)
		}
		if err := expectReturn(t, ch, "Wait after the other ended"); err != nil {
			t.Fatalf("Wait after the other ended (commit=%v): %v", commit, err)
		}
		if w := a.waitingOn.Load(); w != nil {
			t.Fatalf("transaction %d still marked as waiting for %d after Wait returned", a.ID, w.ID)
		}
		// Waiting for an ended transaction returns at once.
		if err := m.Wait(a, b, nil, cancelErr); err != nil {
			t.Fatalf("Wait for an ended transaction: %v", err)
		}
	}
	// A waiter outside any transaction.
	m := NewManager(0)
	b := m.Begin()
	ch := waitAsync(m, nil, b, nil)
	expectBlocked(t, ch, "Wait without a waiting transaction")
	m.Commit(b)
	if err := expectReturn(t, ch, "Wait without a waiting transaction"); err != nil {
		t.Fatal(err)
	}
}

func TestDeadlockTwoCycle(t *testing.T) {
	m := NewManager(0)
	a, b := m.Begin(), m.Begin()
	chA := waitAsync(m, a, b, nil)
	waitingOn(t, a, b)
	err := m.Wait(b, a, nil, cancelErr)
	if sqlerr.Code(err) != "40P01" {
		t.Fatalf("Wait closing a 2-cycle = %v, want SQLSTATE 40P01", err)
	}
	if b.waitingOn.Load() != nil {
		t.Fatalf("the deadlock victim is still marked as waiting")
	}
	expectBlocked(t, chA, "the other waiter of the deadlock")
	m.Abort(b) // the victim rolls back
	if err := expectReturn(t, chA, "the surviving waiter"); err != nil {
		t.Fatalf("surviving waiter: %v", err)
	}
}

func TestDeadlockThreeCycle(t *testing.T) {
	m := NewManager(0)
	a, b, c := m.Begin(), m.Begin(), m.Begin()
	chA := waitAsync(m, a, b, nil)
	waitingOn(t, a, b)
	chB := waitAsync(m, b, c, nil)
	waitingOn(t, b, c)
	err := m.Wait(c, a, nil, cancelErr)
	if sqlerr.Code(err) != "40P01" {
		t.Fatalf("Wait closing a 3-cycle = %v, want SQLSTATE 40P01", err)
	}
	expectBlocked(t, chA, "a waiting for b")
	expectBlocked(t, chB, "b waiting for c")
	m.Abort(c)
	if err := expectReturn(t, chB, "b after c ended"); err != nil {
		t.Fatal(err)
	}
	m.Commit(b)
	if err := expectReturn(t, chA, "a after b ended"); err != nil {
		t.Fatal(err)
	}
}

func TestNoDeadlockOnAChain(t *testing.T) {
	m := NewManager(0)
	a, b, c := m.Begin(), m.Begin(), m.Begin()
	chA := waitAsync(m, a, b, nil)
	waitingOn(t, a, b)
	// c waits for a, which waits for b: a chain, not a cycle.
	chC := waitAsync(m, c, a, nil)
	expectBlocked(t, chC, "c waiting for a (a chain, no cycle)")
	m.Commit(b)
	if err := expectReturn(t, chA, "a after b ended"); err != nil {
		t.Fatal(err)
	}
	expectBlocked(t, chC, "c waiting for a, which is still open")
	m.Commit(a)
	if err := expectReturn(t, chC, "c after a ended"); err != nil {
		t.Fatal(err)
	}
	// Two transactions waiting for the same one is no cycle either.
	d, e, f := m.Begin(), m.Begin(), m.Begin()
	chD := waitAsync(m, d, f, nil)
	chE := waitAsync(m, e, f, nil)
	waitingOn(t, d, f)
	waitingOn(t, e, f)
	m.Abort(f)
	for _, ch := range []<-chan error{chD, chE} {
		if err := expectReturn(t, ch, "waiter after f ended"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWaitCanceled(t *testing.T) {
	m := NewManager(0)
	a, b := m.Begin(), m.Begin()
	cancel := make(chan struct{})
	ch := waitAsync(m, a, b, cancel)
	waitingOn(t, a, b)
	close(cancel)
	err := expectReturn(t, ch, "canceled Wait")
	if !errors.Is(err, errCanceled) {
		t.Fatalf("canceled Wait returned %v, want the cancel error", err)
	}
	if a.waitingOn.Load() != nil {
		t.Fatalf("a canceled waiter is still marked as waiting")
	}
	// a no longer waits, so b waiting for a is no deadlock.
	chB := waitAsync(m, b, a, nil)
	expectBlocked(t, chB, "b waiting for a after a's wait was canceled")
	m.Commit(a)
	if err := expectReturn(t, chB, "b after a ended"); err != nil {
		t.Fatalf("b waiting for a: %v (a false deadlock?)", err)
	}
	// An already closed cancel channel with an open transaction cancels at once.
	c := m.Begin()
	if err := m.Wait(b, c, cancel, cancelErr); !errors.Is(err, errCanceled) {
		t.Fatalf("Wait with a closed cancel channel = %v, want the cancel error", err)
	}
}

func TestConcurrentCommitSequence(t *testing.T) {
	const workers, each = 8, 200
	m := NewManager(0)
	seqs := make([][]uint64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				x := m.Begin()
				s := m.Snapshot(x)
				if i%4 == 3 {
					m.Abort(x)
					continue
				}
				m.Commit(x)
				if x.CommitSeq() <= s.Seq {
					t.Errorf("commit seq %d not after the snapshot %d taken by the transaction", x.CommitSeq(), s.Seq)
				}
				seqs[w] = append(seqs[w], x.CommitSeq())
				_ = m.Horizon()
			}
		}()
	}
	wg.Wait()
	var all []uint64
	for _, s := range seqs {
		all = append(all, s...)
	}
	slices.Sort(all)
	for i, s := range all {
		if s != uint64(i)+2 {
			t.Fatalf("commit seqs are not 2..%d without gaps or duplicates: position %d holds %d", len(all)+1, i, s)
		}
	}
	if m.Active() != 0 {
		t.Fatalf("Active() = %d after all ended", m.Active())
	}
	if h, s := m.Horizon(), m.Snapshot(nil).Seq; h != s || s != uint64(len(all))+1 {
		t.Fatalf("Horizon %d, seq %d after %d commits", h, s, len(all))
	}
}
