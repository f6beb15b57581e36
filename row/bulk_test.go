package row

import (
	"context"
	"fmt"
	"maps"
	"os"
	"reflect"
	"strings"
	"testing"

	"rustydb/sqlerr"
	"rustydb/types"
)

// bulkName is the name of row id in the bulk tests: about 900 bytes, so
// that a page holds 8 rows and a few thousand rows fill several chunks.
func bulkName(id int64) string { return fmt.Sprintf("row %d ", id) + strings.Repeat("x", 900) }

func bulkRows(m map[int64]string, ids ...int64) map[int64]string {
	m = maps.Clone(m)
	for _, id := range ids {
		m[id] = bulkName(id)
	}
	return m
}

// bulkLoad adds ids to h through a bulk load of tx and finishes it.
func bulkLoad(t *testing.T, tx *Tx, h *Heap, ids ...int64) *Load {
	t.Helper()
	l := tx.BulkLoad(h)
	for _, id := range ids {
		if err := l.Add(context.Background(), itemRow(id, bulkName(id))); err != nil {
			t.Fatalf("bulk load of row %d: %v", id, err)
		}
	}
	if err := l.Finish(context.Background()); err != nil {
		t.Fatalf("finishing the bulk load: %v", err)
	}
	return l
}

func mustCheckpoint(t *testing.T, s *Store) {
	t.Helper()
	if err := s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
}

// A committed load survives a crash (no checkpoint after it) with its
// index, whatever else was logged around it: rows other transactions
// committed before and after it (stored at redo where the load's blocks
// are, unless recovery claims them), and checkpoints taken during the load
// (which count its blocks but name none of its rows).
func TestBulkLoadSurvivesCrash(t *testing.T) {
	type step int
	const (
		loadRows step = iota
		insertOther
		checkpoint
		commitLoad
	)
	cases := map[string][]step{
		"alone":                     {loadRows, commitLoad},
		"insert committed during":   {loadRows, insertOther, commitLoad},
		"insert committed after":    {loadRows, commitLoad, insertOther},
		"checkpoint during":         {loadRows, checkpoint, commitLoad},
		"checkpoint and insert":     {loadRows, checkpoint, insertOther, commitLoad, insertOther},
		"insert before checkpoint":  {insertOther, loadRows, insertOther, checkpoint, commitLoad},
		"checkpoint after the load": {loadRows, commitLoad, checkpoint, insertOther},
	}
	for name, steps := range cases {
		t.Run(name, func(t *testing.T) {
			s := openStore(t, testOptions(t))
			h := createItems(t, s, "items", 1, 2)
			want := rowsWith(1, 2)
			load := s.Begin()
			other := int64(10000)
			next := int64(100)
			for _, st := range steps {
				switch st {
				case loadRows:
					ids := idRange(next, next+2999)
					bulkLoad(t, load, h, ids...)
					want = bulkRows(want, ids...)
					next += 3000
				case insertOther:
					tx := s.Begin()
					for range 40 { // more than the blocks the log's replay has before the load's
						mustInsert(t, tx, h, other, bulkName(other))
						want[other] = bulkName(other)
						other++
					}
					mustCommit(t, tx)
				case checkpoint:
					mustCheckpoint(t, s)
				case commitLoad:
					mustCommit(t, load)
				}
			}
			checkContents(t, s, "items", want, "after the load")
			s = restart(t, s, false)
			checkContents(t, s, "items", want, "after a crash")
			h = heapOf(t, s, "items")
			checkRowIDsUnique(t, h)
			tx := s.Begin()
			err := tx.Insert(context.Background(), h, itemRow(150, "again"))
			wantCode(t, err, sqlerr.UniqueViolation, "inserting a loaded key again after the crash")
			tx.Rollback()
			// Rows stored now must not land on the loaded rows.
			tx = s.Begin()
			for id := int64(20000); id < 20100; id++ {
				mustInsert(t, tx, h, id, bulkName(id))
				want[id] = bulkName(id)
			}
			mustCommit(t, tx)
			s = restart(t, s, false)
			checkContents(t, s, "items", want, "after a second crash")
			s = restart(t, s, true)
			checkContents(t, s, "items", want, "after a clean restart")
		})
	}
}

// A load that does not commit leaves nothing, before and after a restart,
// whether it rolled back (a duplicate key) or the server stopped first;
// the pages it wrote do not count after a restart without a checkpoint,
// and a page of it torn by the crash does not break the table.
func TestBulkLoadNotCommitted(t *testing.T) {
	cases := []struct {
		name                 string
		checkpoint, tear     bool
		duplicate, rollback  bool
		restartCheckpointing bool
	}{
		{name: "crash before commit"},
		{name: "crash before commit after a checkpoint", checkpoint: true},
		{name: "crash before commit, torn page", checkpoint: true, tear: true},
		{name: "duplicate key rolls back", duplicate: true, rollback: true},
		{name: "duplicate key rolls back, then checkpoint", duplicate: true, rollback: true, restartCheckpointing: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t, testOptions(t))
			h := createItems(t, s, "items", 1, 2, 5000)
			before := h.FileBytes()
			tx := s.Begin()
			l := tx.BulkLoad(h)
			var err error
			end := int64(4900) // short of the table's key 5000
			if tc.duplicate {
				end = 6000
			}
			for id := int64(100); id < end && err == nil; id++ {
				err = l.Add(context.Background(), itemRow(id, bulkName(id)))
			}
			if err == nil {
				err = l.Finish(context.Background())
			}
			if tc.duplicate {
				wantCode(t, err, sqlerr.UniqueViolation, "loading key 5000, which the table has")
			} else if err != nil {
				t.Fatal(err)
			}
			if tc.checkpoint {
				mustCheckpoint(t, s)
			}
			if tc.tear {
				tearBlock(t, s, h, l.ranges[len(l.ranges)-1][0])
			}
			if tc.rollback {
				tx.Rollback()
				checkContents(t, s, "items", rowsWith(1, 2, 5000), "after the rollback")
			}
			s = restart(t, s, tc.restartCheckpointing)
			checkContents(t, s, "items", rowsWith(1, 2, 5000), "after a restart")
			h = heapOf(t, s, "items")
			if !tc.checkpoint && !tc.restartCheckpointing && h.FileBytes() != before {
				t.Errorf("table uses %d bytes after the restart, want %d: the load's blocks are not reclaimed", h.FileBytes(), before)
			}
			tx = s.Begin()
			for id := int64(100); id < 300; id++ {
				mustInsert(t, tx, h, id, bulkName(id))
			}
			mustCommit(t, tx)
			s = restart(t, s, false)
			checkContents(t, s, "items", bulkRows(rowsWith(1, 2, 5000), idRange(100, 299)...), "after inserting the keys again")
		})
	}
}

// tearBlock overwrites half of block b of h's file, as a crash during its
// write would leave it.
func tearBlock(t *testing.T, s *Store, h *Heap, b uint32) {
	t.Helper()
	f, err := os.OpenFile(heapPath(s.opts.Dir, h.id), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(make([]byte, PageSize/2), int64(b)*PageSize+PageSize/4); err != nil {
		t.Fatal(err)
	}
}

// Until it commits, a load is invisible to other snapshots, and its
// segments wait until no snapshot older than its commit is open; they
// are then the segments the columnizer would have built of its rows.
func TestBulkLoadSnapshotsAndSegments(t *testing.T) {
	opts := testOptions(t)
	opts.SegmentRows = 256
	s := openStore(t, opts)
	h := createItems(t, s, "items")
	old := s.Begin() // a REPEATABLE READ transaction: one snapshot throughout
	snap := old.Snapshot()
	tx := s.Begin()
	ids := idRange(1, 1000)
	l := bulkLoad(t, tx, h, ids...)
	tx.NextCommand() // the load's statement has ended
	if n := len(contentsAt(t, h, s.Txns().Snapshot(nil))); n != 0 {
		t.Fatalf("another transaction sees %d rows of a load not committed", n)
	}
	if got := len(contentsAt(t, h, tx.Snapshot())); got != len(ids) {
		t.Fatalf("the loading transaction sees %d rows, want %d", got, len(ids))
	}
	mustCommit(t, tx)
	if n := len(contentsAt(t, h, snap)); n != 0 {
		t.Fatalf("a snapshot taken before the commit sees %d loaded rows", n)
	}
	if segs, _ := h.SegmentCount(); segs != 0 {
		t.Fatalf("%d segments installed while a snapshot older than the load is open", segs)
	}
	old.Rollback()
	if _, err := s.Columnize(); err != nil {
		t.Fatal(err)
	}
	if segs, rows := h.SegmentCount(); segs != len(l.segs) || rows != len(l.segs)*256 || segs != 3 {
		t.Fatalf("after the old snapshot ended: %d segments of %d rows, want the load's %d of 256 rows", segs, rows, len(l.segs))
	}
	for i, seg := range l.segs {
		if h.segs[i] == nil || h.segs[i].Segment != seg.Segment {
			t.Fatalf("segment %d is not the load's", i)
		}
	}
	checkContents(t, s, "items", bulkRows(map[int64]string{}, ids...), "after the load")

	// The same rows inserted one by one, columnized from the pages.
	tx = s.Begin()
	loaded := heapOf(t, s, "items")
	refTable := itemsTable("ref")
	if err := tx.CreateTable(refTable); err != nil {
		t.Fatal(err)
	}
	rh := s.Heap(refTable)
	for _, id := range ids {
		mustInsert(t, tx, rh, id, bulkName(id))
	}
	mustCommit(t, tx)
	if _, err := s.Columnize(); err != nil {
		t.Fatal(err)
	}
	if len(rh.segs) != len(loaded.segs) {
		t.Fatalf("the columnizer built %d segments of the rows, the load %d", len(rh.segs), len(loaded.segs))
	}
	for i := range loaded.segs {
		if !reflect.DeepEqual(loaded.segs[i].Segment, rh.segs[i].Segment) {
			t.Fatalf("segment %d of the load differs from the columnizer's of the same rows", i)
		}
	}
}

// A row too long for a page goes the logged way within the load.
func TestBulkLoadLongRow(t *testing.T) {
	s := openStore(t, testOptions(t))
	h := createItems(t, s, "items")
	tx := s.Begin()
	l := tx.BulkLoad(h)
	long := strings.Repeat("y", 5000)
	for _, r := range [][]types.Value{itemRow(1, bulkName(1)), itemRow(2, long), itemRow(3, bulkName(3))} {
		if err := l.Add(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Finish(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustCommit(t, tx)
	want := map[int64]string{1: bulkName(1), 2: long, 3: bulkName(3)}
	s = restart(t, s, false)
	checkContents(t, s, "items", want, "after a crash")
}
