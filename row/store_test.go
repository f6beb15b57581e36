package row

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"rustydb/catalog"
	"rustydb/sqlerr"
	"rustydb/txn"
	"rustydb/types"
	"rustydb/wal"
)

// Timeouts for the concurrency tests: how long a blocked operation must stay
// blocked, and how long an operation that should finish may take.
const (
	blockedFor = 30 * time.Millisecond
	finishIn   = 5 * time.Second
)

var quietLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

func testOptions(t *testing.T) Options {
	// A small buffer pool, so that the tests also run eviction, doublewrite
	// and reading pages back.
	return Options{Dir: t.TempDir(), SyncMode: wal.SyncOff, Logger: quietLogger, BufferPoolPages: 16}
}

func openStore(t *testing.T, opts Options) *Store {
	t.Helper()
	s, err := Open(opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", opts.Dir, err)
	}
	t.Cleanup(func() { s.CloseNoCheckpoint() }) // ErrClosed if the test closed it
	return s
}

// restart closes s (with a final checkpoint when checkpoint is set, else as
// an immediate stop) and opens the same directory again.
func restart(t *testing.T, s *Store, checkpoint bool) *Store {
	t.Helper()
	var err error
	if checkpoint {
		err = s.Close()
	} else {
		err = s.CloseNoCheckpoint()
	}
	if err != nil {
		t.Fatalf("closing the store (checkpoint=%v): %v", checkpoint, err)
	}
	return openStore(t, s.opts)
}

func itemsTable(name string) *catalog.Table {
	return &catalog.Table{
		Name: name,
		Columns: []catalog.Column{
			{Name: "id", Type: types.TInt8, NotNull: true},
			{Name: "name", Type: types.TText},
		},
		PrimaryKey: []int{0},
	}
}

func itemRow(id int64, name string) []types.Value {
	return []types.Value{types.NewInt(id), types.NewText(name)}
}

func defaultName(id int64) string { return fmt.Sprintf("row %d", id) }

func mustCommit(t *testing.T, tx *Tx) {
	t.Helper()
	if err := tx.Commit(); err != nil {
		t.Fatalf("commit of transaction %d: %v", tx.ID, err)
	}
}

func mustInsert(t *testing.T, tx *Tx, h *Heap, id int64, name string) {
	t.Helper()
	if err := tx.Insert(context.Background(), h, itemRow(id, name)); err != nil {
		t.Fatalf("transaction %d: insert of (%d, %q) into %s: %v", tx.ID, id, name, h.Table.Name, err)
	}
}

// createItems creates table name in its own transaction, inserts ids with
// their default names and commits. It returns the heap.
func createItems(t *testing.T, s *Store, name string, ids ...int64) *Heap {
	t.Helper()
	tx := s.Begin()
	tbl := itemsTable(name)
	if err := tx.CreateTable(tbl); err != nil {
		t.Fatalf("CREATE TABLE %s: %v", name, err)
	}
	h := s.Heap(tbl)
	for _, id := range ids {
		mustInsert(t, tx, h, id, defaultName(id))
	}
	mustCommit(t, tx)
	return h
}

// heapOf returns the heap of the named table, failing when it does not exist.
func heapOf(t *testing.T, s *Store, name string) *Heap {
	t.Helper()
	tbl := s.Catalog().Lookup(catalog.Public, name)
	if tbl == nil {
		t.Fatalf("table %s does not exist; catalog has %v", name, tableNames(s))
	}
	h := s.Heap(tbl)
	if h == nil {
		t.Fatalf("table %s is in the catalog but has no heap", name)
	}
	return h
}

func tableNames(s *Store) []string {
	var names []string
	for _, t := range s.Catalog().Tables() {
		names = append(names, t.Name)
	}
	return names
}

// contentsAt returns the rows of h visible to snap as id -> name.
func contentsAt(t *testing.T, h *Heap, snap txn.Snapshot) map[int64]string {
	t.Helper()
	got := make(map[int64]string)
	for _, v := range mustScan(t, h) {
		if !v.VisibleTo(&snap) {
			continue
		}
		vals := valuesOf(t, h, v)
		id := vals[0].I
		if prev, dup := got[id]; dup {
			t.Fatalf("table %s: two visible rows with id %d: %q and %q", h.Table.Name, id, prev, vals[1].S)
		}
		got[id] = vals[1].S
	}
	return got
}

func mustScan(t testing.TB, h *Heap) []*Version {
	t.Helper()
	vs, err := h.Scan()
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func valuesOf(t testing.TB, h *Heap, v *Version) []types.Value {
	t.Helper()
	vals, err := h.Values(v)
	if err != nil {
		t.Fatalf("table %s, row id %d: %v", h.Table.Name, v.ID, err)
	}
	return vals
}

// contents returns the committed rows of table name.
func contents(t *testing.T, s *Store, name string) map[int64]string {
	t.Helper()
	return contentsAt(t, heapOf(t, s, name), s.Txns().Snapshot(nil))
}

func rowsWith(ids ...int64) map[int64]string {
	m := make(map[int64]string, len(ids))
	for _, id := range ids {
		m[id] = defaultName(id)
	}
	return m
}

func idRange(from, to int64) []int64 {
	var ids []int64
	for i := from; i <= to; i++ {
		ids = append(ids, i)
	}
	return ids
}

func sortedKeys(m map[int64]string) []int64 {
	return slices.Sorted(maps.Keys(m))
}

func checkContents(t *testing.T, s *Store, name string, want map[int64]string, when string) {
	t.Helper()
	got := contents(t, s, name)
	if maps.Equal(got, want) {
		return
	}
	var missing, extra, changed []string
	for id, w := range want {
		if g, ok := got[id]; !ok {
			missing = append(missing, fmt.Sprint(id))
		} else if g != w {
			changed = append(changed, fmt.Sprintf("%d: got %q want %q", id, g, w))
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			extra = append(extra, fmt.Sprint(id))
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	t.Fatalf("%s: table %s has %d rows, want %d\n missing ids: %v\n unexpected ids: %v\n changed: %v",
		when, name, len(got), len(want), missing, extra, changed)
}

// findVersion returns the version of row id visible to snap, or nil.
func findVersion(t testing.TB, h *Heap, snap txn.Snapshot, id int64) *Version {
	for _, v := range mustScan(t, h) {
		if v.VisibleTo(&snap) && valuesOf(t, h, v)[0].I == id {
			return v
		}
	}
	return nil
}

func mustDelete(t *testing.T, tx *Tx, h *Heap, id int64) {
	t.Helper()
	v := findVersion(t, h, tx.Snapshot(), id)
	if v == nil {
		t.Fatalf("transaction %d: row %d of %s is not visible, cannot delete it", tx.ID, id, h.Table.Name)
	}
	ok, err := tx.Delete(context.Background(), h, v)
	if err != nil || !ok {
		t.Fatalf("transaction %d: delete of row %d of %s = %v, %v; want true, nil", tx.ID, id, h.Table.Name, ok, err)
	}
}

// checkRowIDsUnique fails if two versions of h share a row id: WAL delete
// records name rows by id, so ids must stay unique across restarts.
func checkRowIDsUnique(t *testing.T, h *Heap) {
	t.Helper()
	seen := make(map[uint64]bool)
	for _, v := range mustScan(t, h) {
		if seen[v.ID] {
			t.Fatalf("table %s: row id %d is used twice", h.Table.Name, v.ID)
		}
		seen[v.ID] = true
	}
}

func wantCode(t *testing.T, err error, code, what string) {
	t.Helper()
	if got := sqlerr.Code(err); got != code {
		t.Fatalf("%s: got error %v (SQLSTATE %q), want SQLSTATE %s", what, err, got, code)
	}
}

// trimPreallocation cuts the newest WAL segment, path, of the closed store s
// to its last record, so that damage appended to the file follows the records
// instead of the zeros the log preallocates.
func trimPreallocation(t *testing.T, s *Store, path string) {
	t.Helper()
	start, err := strconv.ParseUint(strings.TrimSuffix(filepath.Base(path), ".wal"), 16, 64)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 32+int64(uint64(s.WAL().End())-start)); err != nil { // 32: the segment header
		t.Fatal(err)
	}
}

func walSegments(t *testing.T, s *Store) []string {
	t.Helper()
	segs, err := filepath.Glob(filepath.Join(s.WALDir(), "*.wal"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(segs)
	return segs
}

// ---------------------------------------------------------------------------
// Recovery

func TestReopenAfterCloseWithCheckpoint(t *testing.T) {
	s := openStore(t, testOptions(t))
	createItems(t, s, "items", idRange(1, 20)...)
	s = restart(t, s, true)
	checkContents(t, s, "items", rowsWith(idRange(1, 20)...), "after Close and Open")
	if r := s.Recovered(); r.CheckpointLSN == 0 || r.ReplayedTxns != 0 || r.TornTail != "" {
		t.Fatalf("Recovered() = %+v; want a checkpoint LSN, nothing replayed, no torn tail", r)
	}
	if _, err := os.Stat(filepath.Join(s.opts.Dir, "meta", "checkpoint")); err != nil {
		t.Fatalf("no checkpoint file after Close: %v", err)
	}

	// The recovered store keeps working, and its new rows survive too.
	tx := s.Begin()
	h := heapOf(t, s, "items")
	for _, id := range idRange(21, 25) {
		mustInsert(t, tx, h, id, defaultName(id))
	}
	mustCommit(t, tx)
	s = restart(t, s, true)
	checkContents(t, s, "items", rowsWith(idRange(1, 25)...), "after the second Close and Open")
	checkRowIDsUnique(t, heapOf(t, s, "items"))
}

func TestReopenFromWALOnly(t *testing.T) {
	s := openStore(t, testOptions(t))
	createItems(t, s, "items", idRange(1, 10)...)
	h := heapOf(t, s, "items")
	for i := int64(11); i <= 15; i++ {
		tx := s.Begin()
		mustInsert(t, tx, h, i, defaultName(i))
		mustCommit(t, tx)
	}
	s = restart(t, s, false)
	if _, err := os.Stat(filepath.Join(s.opts.Dir, "meta", "checkpoint")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a checkpoint exists although none was taken (stat: %v)", err)
	}
	if r := s.Recovered(); r.CheckpointLSN != 0 || r.ReplayedTxns != 6 || r.TornTail != "" {
		t.Fatalf("Recovered() = %+v; want CheckpointLSN 0, 6 replayed transactions, no torn tail", r)
	}
	checkContents(t, s, "items", rowsWith(idRange(1, 15)...), "after recovery from the WAL alone")

	// Recovery twice in a row gives the same result.
	s = restart(t, s, false)
	checkContents(t, s, "items", rowsWith(idRange(1, 15)...), "after a second recovery from the WAL")
	checkRowIDsUnique(t, heapOf(t, s, "items"))
}

func TestReopenFromCheckpointAndWALTail(t *testing.T) {
	s := openStore(t, testOptions(t))
	h := createItems(t, s, "items", idRange(1, 10)...)
	if err := s.Checkpoint(); err != nil {
		t.Fatalf("Checkpoint: %v", err)
	}
	if s.Checkpoints() != 1 {
		t.Fatalf("Checkpoints() = %d after one checkpoint", s.Checkpoints())
	}
	want := rowsWith(idRange(1, 10)...)
	// After the checkpoint: inserts, a delete, an update, a new table.
	tx := s.Begin()
	mustInsert(t, tx, h, 11, defaultName(11))
	mustInsert(t, tx, h, 12, defaultName(12))
	mustCommit(t, tx)
	tx = s.Begin()
	mustDelete(t, tx, h, 3)
	mustDelete(t, tx, h, 5)
	mustInsert(t, tx, h, 5, "five, updated")
	mustCommit(t, tx)
	want[11], want[12], want[5] = defaultName(11), defaultName(12), "five, updated"
	delete(want, 3)
	createItems(t, s, "other", 1, 2)

	s = restart(t, s, false)
	r := s.Recovered()
	if r.CheckpointLSN == 0 || r.ReplayedTxns != 3 {
		t.Fatalf("Recovered() = %+v; want a checkpoint LSN and the 3 transactions after it replayed", r)
	}
	checkContents(t, s, "items", want, "after recovery from checkpoint + WAL tail")
	checkContents(t, s, "other", rowsWith(1, 2), "after recovery from checkpoint + WAL tail")

	// New rows get fresh row ids: deleting a recovered row and inserting new
	// ones must not confuse the next recovery.
	h = heapOf(t, s, "items")
	tx = s.Begin()
	mustDelete(t, tx, h, 11)
	for _, id := range idRange(100, 104) {
		mustInsert(t, tx, h, id, defaultName(id))
	}
	mustCommit(t, tx)
	delete(want, 11)
	for _, id := range idRange(100, 104) {
		want[id] = defaultName(id)
	}
	checkRowIDsUnique(t, h)
	s = restart(t, s, false)
	checkContents(t, s, "items", want, "after the second recovery")
	checkRowIDsUnique(t, heapOf(t, s, "items"))
	s = restart(t, s, true)
	checkContents(t, s, "items", want, "after a clean restart")
}

func TestNewDirectoryWritesControlFile(t *testing.T) {
	opts := testOptions(t)
	openStore(t, opts)
	b, err := os.ReadFile(filepath.Join(opts.Dir, "meta", "control"))
	if err != nil {
		t.Fatalf("reading meta/control: %v", err)
	}
	if want := fmt.Sprintf(`"format_version":%d`, FormatVersion); !strings.Contains(string(b), want) {
		t.Fatalf("meta/control = %s; want %s", b, want)
	}
}

// ---------------------------------------------------------------------------
// Rollback

func TestRollbackLeavesNothing(t *testing.T) {
	s := openStore(t, testOptions(t))
	h := createItems(t, s, "items", 1, 2, 3)

	tx := s.Begin()
	mustInsert(t, tx, h, 10, "rolled back")
	mustDelete(t, tx, h, 1)
	tx.Rollback()
	checkContents(t, s, "items", rowsWith(1, 2, 3), "after rollback")

	// The rolled-back key is free again, the deleted row can be deleted.
	tx = s.Begin()
	mustInsert(t, tx, h, 10, "committed")
	mustDelete(t, tx, h, 1)
	tx.Rollback()

	for _, checkpoint := range []bool{false, true} {
		s = restart(t, s, checkpoint)
		checkContents(t, s, "items", rowsWith(1, 2, 3), fmt.Sprintf("after rollbacks and restart (checkpoint=%v)", checkpoint))
	}
}

func TestRollbackCreateTable(t *testing.T) {
	s := openStore(t, testOptions(t))
	tx := s.Begin()
	tbl := itemsTable("temp")
	if err := tx.CreateTable(tbl); err != nil {
		t.Fatal(err)
	}
	mustInsert(t, tx, s.Heap(tbl), 1, "x")
	// A second CREATE of the same name fails while the first is pending.
	tx2 := s.Begin()
	if err := tx2.CreateTable(itemsTable("temp")); sqlerr.Code(err) != sqlerr.DuplicateTable {
		t.Fatalf("CREATE of a name pending in another transaction: %v, want SQLSTATE 42P07", err)
	}
	tx2.Rollback()
	tx.Rollback()
	if s.Catalog().Lookup(catalog.Public, "temp") != nil || s.Heap(tbl) != nil {
		t.Fatalf("rolled-back table still exists: catalog %v, heap %v", tableNames(s), s.Heap(tbl))
	}
	for _, checkpoint := range []bool{false, true} {
		s = restart(t, s, checkpoint)
		if names := tableNames(s); len(names) != 0 {
			t.Fatalf("after restart (checkpoint=%v) catalog has %v, want no tables", checkpoint, names)
		}
	}
	// The name can be used again.
	createItems(t, s, "temp", 7)
	s = restart(t, s, false)
	checkContents(t, s, "temp", rowsWith(7), "after re-creating a rolled-back table")
}

func TestRollbackDropTable(t *testing.T) {
	s := openStore(t, testOptions(t))
	createItems(t, s, "items", 1, 2, 3)
	tx := s.Begin()
	tx.DropTable(s.Catalog().Lookup(catalog.Public, "items"))
	if s.Catalog().Lookup(catalog.Public, "items") != nil {
		t.Fatalf("table still in the catalog inside the dropping transaction")
	}
	tx.Rollback()
	checkContents(t, s, "items", rowsWith(1, 2, 3), "after a rolled-back DROP TABLE")
	for _, checkpoint := range []bool{false, true} {
		s = restart(t, s, checkpoint)
		checkContents(t, s, "items", rowsWith(1, 2, 3), fmt.Sprintf("after a rolled-back DROP TABLE and restart (checkpoint=%v)", checkpoint))
	}
	// The restored table still works.
	h := heapOf(t, s, "items")
	tx = s.Begin()
	mustInsert(t, tx, h, 4, defaultName(4))
	mustCommit(t, tx)
	checkContents(t, s, "items", rowsWith(1, 2, 3, 4), "after inserting into the restored table")
}

func TestCommittedDropTable(t *testing.T) {
	s := openStore(t, testOptions(t))
	createItems(t, s, "items", 1, 2, 3)
	createItems(t, s, "keep", 1)
	tx := s.Begin()
	tx.DropTable(s.Catalog().Lookup(catalog.Public, "items"))
	mustCommit(t, tx)
	for _, checkpoint := range []bool{false, true, false} {
		s = restart(t, s, checkpoint)
		if names := tableNames(s); !slices.Equal(names, []string{"keep"}) {
			t.Fatalf("after DROP TABLE and restart (checkpoint=%v): tables %v, want [keep]", checkpoint, names)
		}
	}
	createItems(t, s, "items", 9)
	s = restart(t, s, false)
	checkContents(t, s, "items", rowsWith(9), "after re-creating a dropped table")
	checkContents(t, s, "keep", rowsWith(1), "after re-creating a dropped table")
}

// ---------------------------------------------------------------------------
// Deletes and updates

func TestDeletesAndUpdatesSurviveRestart(t *testing.T) {
	s := openStore(t, testOptions(t))
	h := createItems(t, s, "items", idRange(1, 10)...)
	want := rowsWith(idRange(1, 10)...)

	tx := s.Begin()
	mustDelete(t, tx, h, 2)
	mustDelete(t, tx, h, 4)
	mustCommit(t, tx)
	delete(want, 2)
	delete(want, 4)

	// UPDATE is Delete + Insert of the new version, here twice on one row.
	for _, name := range []string{"five v2", "five v3"} {
		tx = s.Begin()
		mustDelete(t, tx, h, 5)
		mustInsert(t, tx, h, 5, name)
		mustCommit(t, tx)
	}
	want[5] = "five v3"
	// Update within one transaction across commands, then delete.
	tx = s.Begin()
	tx.NextCommand()
	mustDelete(t, tx, h, 6)
	mustInsert(t, tx, h, 6, "six v2")
	tx.NextCommand()
	mustDelete(t, tx, h, 6)
	mustInsert(t, tx, h, 6, "six v3")
	tx.NextCommand()
	mustDelete(t, tx, h, 7)
	mustInsert(t, tx, h, 7, "seven v2")
	tx.NextCommand()
	mustDelete(t, tx, h, 7)
	mustCommit(t, tx)
	want[6] = "six v3"
	delete(want, 7)
	checkContents(t, s, "items", want, "before restart")

	s = restart(t, s, false)
	checkContents(t, s, "items", want, "after recovery from the WAL")
	if err := s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	s = restart(t, s, false)
	checkContents(t, s, "items", want, "after checkpoint and restart")
	h = heapOf(t, s, "items")
	if h.Len() != len(want) {
		t.Fatalf("heap holds %d versions after checkpoint and restart, want exactly the %d live rows", h.Len(), len(want))
	}
	s = restart(t, s, true)
	checkContents(t, s, "items", want, "after a clean restart")
	if h := heapOf(t, s, "items"); h.Len() != len(want) {
		t.Fatalf("heap holds %d versions after a clean restart, want %d", h.Len(), len(want))
	}
}

func TestUncommittedTransactionAtCrash(t *testing.T) {
	for _, checkpointFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("checkpoint=%v", checkpointFirst), func(t *testing.T) {
			s := openStore(t, testOptions(t))
			h := createItems(t, s, "items", 1, 2, 3)
			open := s.Begin()
			mustInsert(t, open, h, 100, "uncommitted")
			mustDelete(t, open, h, 1)
			if err := open.CreateTable(itemsTable("pending")); err != nil {
				t.Fatal(err)
			}
			mustInsert(t, open, heapOf(t, s, "pending"), 1, "uncommitted")
			// Another transaction commits afterwards: its record follows in
			// the WAL, and it must survive.
			tx := s.Begin()
			mustInsert(t, tx, h, 4, defaultName(4))
			mustCommit(t, tx)
			if checkpointFirst {
				if err := s.Checkpoint(); err != nil {
					t.Fatal(err)
				}
			}
			s = restart(t, s, false)
			checkContents(t, s, "items", rowsWith(1, 2, 3, 4), "after a crash with an open transaction")
			if names := tableNames(s); !slices.Equal(names, []string{"items"}) {
				t.Fatalf("tables after crash: %v, want [items] (the uncommitted CREATE TABLE must be gone)", names)
			}
			// The uncommitted key is free.
			tx = s.Begin()
			mustInsert(t, tx, heapOf(t, s, "items"), 100, "now committed")
			mustCommit(t, tx)
		})
	}
}

// ---------------------------------------------------------------------------
// Torn WAL tail

func TestTornWALTail(t *testing.T) {
	cases := []struct {
		name   string
		damage func(t *testing.T, path string)
		lost   int // transactions lost at the end
	}{
		{"truncated", func(t *testing.T, path string) {
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, info.Size()-3); err != nil {
				t.Fatal(err)
			}
		}, 1},
		{"garbage appended", func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write([]byte("\xde\xad\xbe\xef garbage after the last record")); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}, 0},
		// Zeros after the last record are the log's own preallocated
		// space: the end of the log, not a torn tail.
		{"zeros appended", func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write(make([]byte, 4096)); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			const n = 10
			s := openStore(t, testOptions(t))
			h := createItems(t, s, "items")
			for i := int64(1); i <= n; i++ {
				tx := s.Begin()
				mustInsert(t, tx, h, i, defaultName(i))
				mustCommit(t, tx)
			}
			if err := s.CloseNoCheckpoint(); err != nil {
				t.Fatal(err)
			}
			segs := walSegments(t, s)
			if len(segs) == 0 {
				t.Fatalf("no WAL segments in %s", s.WALDir())
			}
			trimPreallocation(t, s, segs[len(segs)-1])
			c.damage(t, segs[len(segs)-1])

			s = openStore(t, s.opts)
			if torn := s.Recovered().TornTail != ""; torn != (c.name != "zeros appended") {
				t.Fatalf("Recovered() = %+v after %s", s.Recovered(), c.name)
			}
			want := rowsWith(idRange(1, n-int64(c.lost))...)
			checkContents(t, s, "items", want, "after recovery from a torn WAL")

			// The store keeps working: new commits persist through restarts.
			h = heapOf(t, s, "items")
			for i := int64(n + 1); i <= n+3; i++ {
				tx := s.Begin()
				mustInsert(t, tx, h, i, defaultName(i))
				mustCommit(t, tx)
				want[i] = defaultName(i)
			}
			s = restart(t, s, false)
			if s.Recovered().TornTail != "" {
				t.Fatalf("TornTail = %q after a clean stop", s.Recovered().TornTail)
			}
			checkContents(t, s, "items", want, "after commits following a torn-tail recovery")
			s = restart(t, s, true)
			checkContents(t, s, "items", want, "after a clean restart")
		})
	}
}

// ---------------------------------------------------------------------------
// Damaged meta files

func TestCorruptCheckpoint(t *testing.T) {
	opts := testOptions(t)
	s := openStore(t, opts)
	createItems(t, s, "items", idRange(1, 10)...)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(opts.Dir, "meta", "checkpoint")
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	damages := map[string]func([]byte) []byte{
		"byte flipped in the middle": func(b []byte) []byte { b[len(b)/2] ^= 0x40; return b },
		"byte flipped in the magic":  func(b []byte) []byte { b[0] ^= 1; return b },
		"byte flipped in the CRC":    func(b []byte) []byte { b[len(b)-1] ^= 1; return b },
		"truncated":                  func(b []byte) []byte { return b[:len(b)-7] },
		"too short":                  func(b []byte) []byte { return b[:10] },
		"empty":                      func(b []byte) []byte { return nil },
	}
	for name, damage := range damages {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(path, damage(slices.Clone(orig)), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(opts)
			if err == nil {
				s.CloseNoCheckpoint()
				t.Fatalf("Open succeeded with a damaged checkpoint")
			}
			if !strings.Contains(err.Error(), "checkpoint") {
				t.Fatalf("Open error %q does not mention the checkpoint", err)
			}
		})
	}
	t.Run("other version", func(t *testing.T) {
		b := slices.Clone(orig)
		binary.LittleEndian.PutUint32(b[8:], 7)
		binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], crc32.MakeTable(crc32.Castagnoli)))
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(opts)
		if err == nil {
			s.CloseNoCheckpoint()
			t.Fatalf("Open succeeded with a checkpoint of format version 7")
		}
		if !strings.Contains(err.Error(), "checkpoint") || !strings.Contains(err.Error(), "version 7") {
			t.Fatalf("Open error %q does not name the checkpoint and its version 7", err)
		}
	})
	// The original file still opens: the failed attempts changed nothing.
	if err := os.WriteFile(path, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, opts)
	checkContents(t, s, "items", rowsWith(idRange(1, 10)...), "after restoring the checkpoint")
}

func TestControlFileVersion(t *testing.T) {
	opts := testOptions(t)
	s := openStore(t, opts)
	createItems(t, s, "items", 1)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(opts.Dir, "meta", "control")
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(`{"format_version": 99, "created_by": "RustyDB from the future"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(opts)
	if err == nil {
		s2.CloseNoCheckpoint()
		t.Fatalf("Open accepted a data directory of format version 99")
	}
	if !strings.Contains(err.Error(), "format version 99") {
		t.Fatalf("Open error %q does not name format version 99", err)
	}

	if err := os.WriteFile(path, []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s2, err := Open(opts); err == nil {
		s2.CloseNoCheckpoint()
		t.Fatalf("Open accepted a control file that is not JSON")
	} else if !strings.Contains(err.Error(), "control") {
		t.Fatalf("Open error %q does not mention the control file", err)
	}

	if err := os.WriteFile(path, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, opts)
	checkContents(t, s, "items", rowsWith(1), "after restoring the control file")
}

// ---------------------------------------------------------------------------
// Uniqueness

func TestUniqueConstraint(t *testing.T) {
	s := openStore(t, testOptions(t))
	h := createItems(t, s, "items")
	ctx := context.Background()

	tx := s.Begin()
	mustInsert(t, tx, h, 1, "a")
	err := tx.Insert(ctx, h, itemRow(1, "b"))
	wantCode(t, err, sqlerr.UniqueViolation, "duplicate key in the same transaction")
	if !strings.Contains(err.Error(), `"items_pkey"`) || !strings.Contains(err.Error(), "Key (id)=(1) already exists.") {
		t.Fatalf("duplicate key error %q should name items_pkey and the key", err)
	}
	mustInsert(t, tx, h, 2, "b") // the transaction goes on
	mustCommit(t, tx)

	tx = s.Begin()
	wantCode(t, tx.Insert(ctx, h, itemRow(1, "c")), sqlerr.UniqueViolation, "duplicate of a committed key")
	tx.Rollback()

	// Delete and re-insert the key in one transaction.
	tx = s.Begin()
	mustDelete(t, tx, h, 1)
	mustInsert(t, tx, h, 1, "a2")
	wantCode(t, tx.Insert(ctx, h, itemRow(1, "a3")), sqlerr.UniqueViolation, "duplicate of a key re-inserted in the same transaction")
	mustCommit(t, tx)

	// Delete in one transaction, reuse in the next.
	tx = s.Begin()
	mustDelete(t, tx, h, 2)
	mustCommit(t, tx)
	tx = s.Begin()
	mustInsert(t, tx, h, 2, "b2")
	mustCommit(t, tx)
	checkContents(t, s, "items", map[int64]string{1: "a2", 2: "b2"}, "after key reuse")

	// The index is rebuilt on recovery, from the WAL and from a checkpoint.
	for _, checkpoint := range []bool{false, true} {
		s = restart(t, s, checkpoint)
		h = heapOf(t, s, "items")
		tx = s.Begin()
		wantCode(t, tx.Insert(ctx, h, itemRow(1, "dup")), sqlerr.UniqueViolation, fmt.Sprintf("duplicate after restart (checkpoint=%v)", checkpoint))
		wantCode(t, tx.Insert(ctx, h, itemRow(2, "dup")), sqlerr.UniqueViolation, fmt.Sprintf("duplicate after restart (checkpoint=%v)", checkpoint))
		mustInsert(t, tx, h, 3, "c")
		tx.Rollback()
	}
	tx = s.Begin()
	mustDelete(t, tx, h, 1)
	mustInsert(t, tx, h, 1, "a3")
	mustCommit(t, tx)
	checkContents(t, s, "items", map[int64]string{1: "a3", 2: "b2"}, "at the end")
}

func TestUniqueConstraintSecondaryAndNulls(t *testing.T) {
	s := openStore(t, testOptions(t))
	tbl := &catalog.Table{
		Name: "people",
		Columns: []catalog.Column{
			{Name: "id", Type: types.TInt8, NotNull: true},
			{Name: "email", Type: types.TText},
			{Name: "a", Type: types.TInt8},
			{Name: "b", Type: types.TText},
		},
		PrimaryKey: []int{0},
		Unique:     [][]int{{1}, {2, 3}},
	}
	tx := s.Begin()
	if err := tx.CreateTable(tbl); err != nil {
		t.Fatal(err)
	}
	mustCommit(t, tx)
	h := s.Heap(tbl)
	ctx := context.Background()
	person := func(id int64, email types.Value, a types.Value, b types.Value) []types.Value {
		return []types.Value{types.NewInt(id), email, a, b}
	}
	text, num := types.NewText, types.NewInt

	tx = s.Begin()
	for i, r := range [][]types.Value{
		person(1, text("x@example.com"), num(1), text("a")),
		person(2, types.Null, num(1), text("b")),
		person(3, types.Null, num(2), text("a")), // NULL emails never conflict
		person(4, text("y@example.com"), types.Null, text("a")),
		person(5, text("z@example.com"), types.Null, text("a")), // NULL in a composite key
	} {
		if err := tx.Insert(ctx, h, r); err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
	}
	mustCommit(t, tx)

	tx = s.Begin()
	err := tx.Insert(ctx, h, person(6, text("x@example.com"), num(9), text("q")))
	wantCode(t, err, sqlerr.UniqueViolation, "duplicate email")
	if !strings.Contains(err.Error(), `"people_email_key"`) {
		t.Fatalf("error %q should name constraint people_email_key", err)
	}
	err = tx.Insert(ctx, h, person(6, text("w@example.com"), num(2), text("a")))
	wantCode(t, err, sqlerr.UniqueViolation, "duplicate (a, b)")
	if !strings.Contains(err.Error(), `"people_a_b_key"`) || !strings.Contains(err.Error(), "Key (a, b)=(2, a)") {
		t.Fatalf("error %q should name constraint people_a_b_key and the key", err)
	}
	wantCode(t, tx.Insert(ctx, h, person(1, text("new@example.com"), num(7), text("a"))), sqlerr.UniqueViolation, "duplicate id")
	if err := tx.Insert(ctx, h, person(6, types.Null, num(3), text("a"))); err != nil {
		t.Fatalf("insert without conflicts: %v", err)
	}
	mustCommit(t, tx)
}

// result is what a blocked operation running in a goroutine returned.
type result struct {
	ok  bool
	err error
}

// runAsync runs f in a goroutine and returns a channel for its result.
func runAsync(f func() (bool, error)) <-chan result {
	ch := make(chan result, 1)
	go func() {
		ok, err := f()
		ch <- result{ok, err}
	}()
	return ch
}

func expectBlocked(t *testing.T, ch <-chan result, what string) {
	t.Helper()
	select {
	case r := <-ch:
		t.Fatalf("%s should wait for the other transaction, but returned ok=%v err=%v", what, r.ok, r.err)
	case <-time.After(blockedFor):
	}
}

func expectResult(t *testing.T, ch <-chan result, what string) result {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(finishIn):
		t.Fatalf("%s still blocked after %v", what, finishIn)
		return result{}
	}
}

func TestConcurrentInsertOfSameKey(t *testing.T) {
	for _, firstCommits := range []bool{true, false} {
		t.Run(fmt.Sprintf("firstCommits=%v", firstCommits), func(t *testing.T) {
			s := openStore(t, testOptions(t))
			h := createItems(t, s, "items")
			tx1 := s.Begin()
			mustInsert(t, tx1, h, 1, "first")
			tx2 := s.Begin()
			ch := runAsync(func() (bool, error) {
				return true, tx2.Insert(context.Background(), h, itemRow(1, "second"))
			})
			expectBlocked(t, ch, "insert of a key another open transaction inserted")
			if firstCommits {
				mustCommit(t, tx1)
			} else {
				tx1.Rollback()
			}
			r := expectResult(t, ch, "the second insert after the first transaction ended")
			if firstCommits {
				wantCode(t, r.err, sqlerr.UniqueViolation, "second insert after the first committed")
				tx2.Rollback()
				checkContents(t, s, "items", map[int64]string{1: "first"}, "at the end")
			} else {
				if r.err != nil {
					t.Fatalf("second insert after the first rolled back: %v", r.err)
				}
				mustCommit(t, tx2)
				checkContents(t, s, "items", map[int64]string{1: "second"}, "at the end")
			}
			s = restart(t, s, false)
			checkContents(t, s, "items", map[int64]string{1: map[bool]string{true: "first", false: "second"}[firstCommits]}, "after restart")
		})
	}
}

func TestInsertWaitsForDeleterOfSameKey(t *testing.T) {
	for _, deleterCommits := range []bool{true, false} {
		t.Run(fmt.Sprintf("deleterCommits=%v", deleterCommits), func(t *testing.T) {
			s := openStore(t, testOptions(t))
			h := createItems(t, s, "items", 1)
			tx1 := s.Begin()
			mustDelete(t, tx1, h, 1)
			tx2 := s.Begin()
			ch := runAsync(func() (bool, error) {
				return true, tx2.Insert(context.Background(), h, itemRow(1, "new"))
			})
			expectBlocked(t, ch, "insert of a key whose row another open transaction deleted")
			if deleterCommits {
				mustCommit(t, tx1)
			} else {
				tx1.Rollback()
			}
			r := expectResult(t, ch, "the insert after the deleter ended")
			if deleterCommits {
				if r.err != nil {
					t.Fatalf("insert after the deleter committed: %v", r.err)
				}
				mustCommit(t, tx2)
				checkContents(t, s, "items", map[int64]string{1: "new"}, "at the end")
			} else {
				wantCode(t, r.err, sqlerr.UniqueViolation, "insert after the deleter rolled back")
				tx2.Rollback()
				checkContents(t, s, "items", rowsWith(1), "at the end")
			}
		})
	}
}

func TestWaitIsCanceled(t *testing.T) {
	s := openStore(t, testOptions(t))
	h := createItems(t, s, "items", 1)
	tx1 := s.Begin()
	mustInsert(t, tx1, h, 2, "first")
	mustDelete(t, tx1, h, 1)

	tx2 := s.Begin()
	ctx, cancel := context.WithCancel(context.Background())
	ch := runAsync(func() (bool, error) { return true, tx2.Insert(ctx, h, itemRow(2, "second")) })
	expectBlocked(t, ch, "insert of a pending key")
	cancel()
	wantCode(t, expectResult(t, ch, "canceled insert").err, sqlerr.QueryCanceled, "canceled insert")

	ctx, cancel = context.WithCancel(context.Background())
	v := findVersion(t, h, tx2.Snapshot(), 1)
	ch = runAsync(func() (bool, error) { return tx2.Delete(ctx, h, v) })
	expectBlocked(t, ch, "delete of a row deleted by an open transaction")
	cancel()
	r := expectResult(t, ch, "canceled delete")
	wantCode(t, r.err, sqlerr.QueryCanceled, "canceled delete")
	if r.ok {
		t.Fatalf("canceled delete reported ok")
	}
	tx2.Rollback()
	mustCommit(t, tx1)
	checkContents(t, s, "items", map[int64]string{2: "first"}, "at the end")
}

// ---------------------------------------------------------------------------
// Visibility

func TestSnapshotVisibility(t *testing.T) {
	s := openStore(t, testOptions(t))
	h := createItems(t, s, "items", 1)

	writer := s.Begin()
	writer.NextCommand()
	mustInsert(t, writer, h, 2, defaultName(2))
	mustDelete(t, writer, h, 1)

	reader := s.Begin()
	reader.NextCommand()
	before := reader.Snapshot()
	outside := s.Txns().Snapshot(nil)
	for name, snap := range map[string]txn.Snapshot{"other transaction": before, "no transaction": outside} {
		if got := contentsAt(t, h, snap); !maps.Equal(got, rowsWith(1)) {
			t.Fatalf("%s sees %v before the writer commits, want only row 1", name, sortedKeys(got))
		}
	}
	mustCommit(t, writer)
	if got := contentsAt(t, h, before); !maps.Equal(got, rowsWith(1)) {
		t.Fatalf("snapshot taken before the commit sees %v after it, want only row 1", sortedKeys(got))
	}
	reader.NextCommand()
	if got := contentsAt(t, h, reader.Snapshot()); !maps.Equal(got, rowsWith(2)) {
		t.Fatalf("reader's next command sees %v, want only row 2 (READ COMMITTED)", sortedKeys(got))
	}
	if got := contentsAt(t, h, s.Txns().Snapshot(nil)); !maps.Equal(got, rowsWith(2)) {
		t.Fatalf("snapshot taken after the commit sees %v, want only row 2", sortedKeys(got))
	}
	mustCommit(t, reader)

	// Rolled-back changes are never visible.
	tx := s.Begin()
	mustInsert(t, tx, h, 3, defaultName(3))
	mustDelete(t, tx, h, 2)
	tx.Rollback()
	if got := contentsAt(t, h, s.Txns().Snapshot(nil)); !maps.Equal(got, rowsWith(2)) {
		t.Fatalf("after a rollback a new snapshot sees %v, want only row 2", sortedKeys(got))
	}
}

func TestOwnChangesVisibleToNextCommand(t *testing.T) {
	s := openStore(t, testOptions(t))
	h := createItems(t, s, "items", 1)
	tx := s.Begin()

	tx.NextCommand()
	mustInsert(t, tx, h, 2, defaultName(2))
	if got := contentsAt(t, h, tx.Snapshot()); !maps.Equal(got, rowsWith(1)) {
		t.Fatalf("the inserting command sees %v, want its own insert invisible (only row 1)", sortedKeys(got))
	}
	tx.NextCommand()
	if got := contentsAt(t, h, tx.Snapshot()); !maps.Equal(got, rowsWith(1, 2)) {
		t.Fatalf("the next command sees %v, want rows 1 and 2", sortedKeys(got))
	}
	mustDelete(t, tx, h, 1)
	// Reached twice in one statement: the second delete reports false.
	if ok, err := tx.Delete(context.Background(), h, findVersion(t, h, tx.Snapshot(), 1)); ok || err != nil {
		t.Fatalf("second delete of a row in the same command = %v, %v; want false, nil", ok, err)
	}
	if got := contentsAt(t, h, tx.Snapshot()); !maps.Equal(got, rowsWith(1, 2)) {
		t.Fatalf("the deleting command sees %v, want its own delete invisible (rows 1 and 2)", sortedKeys(got))
	}
	tx.NextCommand()
	if got := contentsAt(t, h, tx.Snapshot()); !maps.Equal(got, rowsWith(2)) {
		t.Fatalf("the command after the delete sees %v, want only row 2", sortedKeys(got))
	}
	// Other transactions see none of it yet.
	if got := contentsAt(t, h, s.Txns().Snapshot(nil)); !maps.Equal(got, rowsWith(1)) {
		t.Fatalf("another snapshot sees %v before commit, want only row 1", sortedKeys(got))
	}
	mustCommit(t, tx)
	checkContents(t, s, "items", rowsWith(2), "after commit")
}

// ---------------------------------------------------------------------------
// Write-write conflicts and deadlocks

func TestWriteWriteConflict(t *testing.T) {
	for _, firstCommits := range []bool{true, false} {
		t.Run(fmt.Sprintf("firstCommits=%v", firstCommits), func(t *testing.T) {
			s := openStore(t, testOptions(t))
			h := createItems(t, s, "items", 1)
			tx1 := s.Begin()
			tx2 := s.Begin()
			v := findVersion(t, h, tx2.Snapshot(), 1)
			mustDelete(t, tx1, h, 1)
			ch := runAsync(func() (bool, error) { return tx2.Delete(context.Background(), h, v) })
			expectBlocked(t, ch, "delete of a row another open transaction deleted")
			if firstCommits {
				mustCommit(t, tx1)
			} else {
				tx1.Rollback()
			}
			r := expectResult(t, ch, "the second delete after the first transaction ended")
			if firstCommits {
				wantCode(t, r.err, sqlerr.SerializationFailure, "second delete after the first committed")
				if r.ok {
					t.Fatalf("failed delete reported ok")
				}
				tx2.Rollback()
			} else {
				if r.err != nil || !r.ok {
					t.Fatalf("second delete after the first rolled back = %v, %v; want true, nil", r.ok, r.err)
				}
				mustCommit(t, tx2)
			}
			checkContents(t, s, "items", rowsWith(), "at the end")
			s = restart(t, s, false)
			checkContents(t, s, "items", rowsWith(), "after restart")
		})
	}
}

func TestDeadlockDetected(t *testing.T) {
	s := openStore(t, testOptions(t))
	h := createItems(t, s, "items", 1, 2)
	tx1, tx2 := s.Begin(), s.Begin()
	a := findVersion(t, h, tx1.Snapshot(), 1)
	b := findVersion(t, h, tx1.Snapshot(), 2)
	mustDelete(t, tx1, h, 1)
	mustDelete(t, tx2, h, 2)

	ch1 := runAsync(func() (bool, error) { return tx1.Delete(context.Background(), h, b) })
	expectBlocked(t, ch1, "tx1 deleting a row tx2 deleted")
	ch2 := runAsync(func() (bool, error) { return tx2.Delete(context.Background(), h, a) })

	var victim, survivor *Tx
	var survivorCh <-chan result
	select {
	case r := <-ch1:
		wantCode(t, r.err, "40P01", "the first of the two deadlocked deletes to return (tx1)")
		victim, survivor, survivorCh = tx1, tx2, ch2
	case r := <-ch2:
		wantCode(t, r.err, "40P01", "the first of the two deadlocked deletes to return (tx2)")
		victim, survivor, survivorCh = tx2, tx1, ch1
	case <-time.After(finishIn):
		t.Fatalf("deadlock not detected after %v", finishIn)
	}
	victim.Rollback()
	r := expectResult(t, survivorCh, "the surviving transaction's delete after the victim rolled back")
	if r.err != nil || !r.ok {
		t.Fatalf("survivor's delete = %v, %v; want true, nil", r.ok, r.err)
	}
	mustCommit(t, survivor)
	checkContents(t, s, "items", rowsWith(), "after the survivor deleted both rows")
}

// ---------------------------------------------------------------------------
// Checkpoints

func TestCheckpointRemovesDeadVersions(t *testing.T) {
	s := openStore(t, testOptions(t))
	h := createItems(t, s, "items", idRange(1, 10)...)
	old := s.Begin() // began before the deletes: may still need the old versions
	old.NextCommand()
	oldSnap := old.Snapshot()

	tx := s.Begin()
	for _, id := range []int64{2, 4, 6, 8} {
		mustDelete(t, tx, h, id)
	}
	mustDelete(t, tx, h, 9)
	mustInsert(t, tx, h, 9, "nine v2") // an update leaves a dead version too
	mustCommit(t, tx)
	tx = s.Begin()
	mustInsert(t, tx, h, 11, "rolled back")
	tx.Rollback()
	if h.Len() != 12 {
		t.Fatalf("heap holds %d versions before vacuum, want 12 (10 + update + rolled-back insert)", h.Len())
	}

	if err := s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	// Only the rolled-back insert can go: old may still read the deleted rows.
	if h.Len() != 11 {
		t.Fatalf("heap holds %d versions after a checkpoint with an older transaction open, want 11", h.Len())
	}
	if got := contentsAt(t, h, oldSnap); !maps.Equal(got, rowsWith(idRange(1, 10)...)) {
		t.Fatalf("the older transaction's snapshot sees %v after the checkpoint, want rows 1..10", sortedKeys(got))
	}
	mustCommit(t, old)

	if err := s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{1: "row 1", 3: "row 3", 5: "row 5", 7: "row 7", 9: "nine v2", 10: "row 10"}
	if h.Len() != len(want) {
		t.Fatalf("heap holds %d versions after a checkpoint with no older transaction, want %d", h.Len(), len(want))
	}
	checkContents(t, s, "items", want, "after vacuum")
	// The key index lost the dead versions too: their keys are free.
	tx = s.Begin()
	mustInsert(t, tx, h, 2, "two again")
	wantCode(t, tx.Insert(context.Background(), h, itemRow(9, "dup")), sqlerr.UniqueViolation, "duplicate of the updated row after vacuum")
	mustCommit(t, tx)
	want[2] = "two again"
	s = restart(t, s, false)
	checkContents(t, s, "items", want, "after restart")
}

func TestCheckpointRemovesOldWALSegments(t *testing.T) {
	opts := testOptions(t)
	opts.SegmentSize = 512
	s := openStore(t, opts)
	h := createItems(t, s, "items")
	want := map[int64]string{}
	for i := int64(1); i <= 60; i++ {
		tx := s.Begin()
		mustInsert(t, tx, h, i, defaultName(i))
		if i%3 == 0 {
			mustDelete(t, tx, h, i-1)
			delete(want, i-1)
		}
		mustCommit(t, tx)
		want[i] = defaultName(i)
	}
	before := walSegments(t, s)
	if len(before) < 4 {
		t.Fatalf("only %d WAL segments with a 512-byte segment size; want several", len(before))
	}
	if err := s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	after := walSegments(t, s)
	if len(after) != 1 || after[0] != before[len(before)-1] {
		t.Fatalf("WAL segments after checkpoint: %v; want only the newest of %v", after, before)
	}
	if st := s.WAL().Stats(); st.SegmentsRemoved != uint64(len(before)-1) {
		t.Fatalf("WAL stats say %d segments removed, want %d", st.SegmentsRemoved, len(before)-1)
	}
	// More commits after the checkpoint spill into new segments again.
	for i := int64(61); i <= 80; i++ {
		tx := s.Begin()
		mustInsert(t, tx, h, i, defaultName(i))
		mustCommit(t, tx)
		want[i] = defaultName(i)
	}
	s = restart(t, s, false)
	checkContents(t, s, "items", want, "after checkpoint, segment removal and recovery")
	s = restart(t, s, true)
	checkContents(t, s, "items", want, "after a clean restart")
	if segs := walSegments(t, s); len(segs) != 1 {
		t.Fatalf("%d WAL segments after a clean restart, want 1: %v", len(segs), segs)
	}
}

// TestCheckpointWithPendingDDL takes a checkpoint while DDL is uncommitted
// and checks that recovery from it plus the WAL tail gives the right tables
// whichever way the transaction ends.
func TestCheckpointWithPendingDDL(t *testing.T) {
	cases := []struct {
		name   string
		ddl    func(t *testing.T, s *Store, tx *Tx)
		commit bool
		want   []string // tables after restart
	}{
		{"create, commit", createT, true, []string{"base", "t"}},
		{"create, rollback", createT, false, []string{"base"}},
		{"drop, commit", dropBase, true, nil},
		{"drop, rollback", dropBase, false, []string{"base"}},
		{"create and drop, commit", func(t *testing.T, s *Store, tx *Tx) {
			createT(t, s, tx)
			tx.DropTable(s.Catalog().Lookup(catalog.Public, "t"))
		}, true, []string{"base"}},
		{"create and drop, rollback", func(t *testing.T, s *Store, tx *Tx) {
			createT(t, s, tx)
			tx.DropTable(s.Catalog().Lookup(catalog.Public, "t"))
		}, false, []string{"base"}},
		{"drop and re-create, commit", func(t *testing.T, s *Store, tx *Tx) {
			dropBase(t, s, tx)
			if err := tx.CreateTable(itemsTable("base")); err != nil {
				t.Fatal(err)
			}
			mustInsert(t, tx, heapOf(t, s, "base"), 42, defaultName(42))
		}, true, []string{"base"}},
		{"drop and re-create, rollback", func(t *testing.T, s *Store, tx *Tx) {
			dropBase(t, s, tx)
			if err := tx.CreateTable(itemsTable("base")); err != nil {
				t.Fatal(err)
			}
		}, false, []string{"base"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, checkpointAfterEnd := range []bool{false, true} {
				s := openStore(t, testOptions(t))
				createItems(t, s, "base", 1, 2)
				tx := s.Begin()
				c.ddl(t, s, tx)
				if err := s.Checkpoint(); err != nil {
					t.Fatalf("checkpoint with pending DDL: %v", err)
				}
				if c.commit {
					mustCommit(t, tx)
				} else {
					tx.Rollback()
				}
				if checkpointAfterEnd {
					if err := s.Checkpoint(); err != nil {
						t.Fatalf("checkpoint after the DDL ended: %v", err)
					}
				}
				wantTables := tableNames(s)
				if !slices.Equal(wantTables, c.want) {
					t.Fatalf("tables before restart: %v, want %v", wantTables, c.want)
				}
				wantRows := map[string]map[int64]string{}
				for _, name := range wantTables {
					wantRows[name] = contents(t, s, name)
				}
				s = restart(t, s, false)
				if got := tableNames(s); !slices.Equal(got, wantTables) {
					t.Fatalf("tables after restart (checkpointAfterEnd=%v): %v, want %v", checkpointAfterEnd, got, wantTables)
				}
				for name, rows := range wantRows {
					checkContents(t, s, name, rows, fmt.Sprintf("after restart (checkpointAfterEnd=%v)", checkpointAfterEnd))
				}
				s.CloseNoCheckpoint()
			}
		})
	}
}

func createT(t *testing.T, s *Store, tx *Tx) {
	t.Helper()
	if err := tx.CreateTable(itemsTable("t")); err != nil {
		t.Fatal(err)
	}
	mustInsert(t, tx, heapOf(t, s, "t"), 1, defaultName(1))
}

func dropBase(t *testing.T, s *Store, tx *Tx) {
	t.Helper()
	tx.DropTable(s.Catalog().Lookup(catalog.Public, "base"))
}

// ---------------------------------------------------------------------------
// Concurrency

func TestConcurrentTransactions(t *testing.T) {
	const (
		workers = 8
		txns    = 200
	)
	opts := testOptions(t)
	opts.SegmentSize = 16 << 10 // several segments, removed by the checkpoints
	s := openStore(t, opts)
	h := createItems(t, s, "items")

	stop := make(chan struct{})
	ckptDone := make(chan error, 1)
	go func() { // checkpoints run concurrently with the commits
		for {
			select {
			case <-stop:
				ckptDone <- nil
				return
			case <-time.After(2 * time.Millisecond):
			}
			if err := s.Checkpoint(); err != nil {
				ckptDone <- err
				return
			}
		}
	}()

	wants := make([]map[int64]string, workers)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- func() error {
				ctx := context.Background()
				want := make(map[int64]string)
				var live []int64
				for i := range txns {
					tx := s.Begin()
					tx.NextCommand()
					id := int64(w*100000 + i)
					name := fmt.Sprintf("w%d t%d", w, i)
					if err := tx.Insert(ctx, h, itemRow(id, name)); err != nil {
						tx.Rollback()
						return fmt.Errorf("worker %d: insert %d: %w", w, id, err)
					}
					var deleted int64 = -1
					if i%3 == 2 && len(live) > 0 {
						deleted = live[(i*7)%len(live)]
						v := findVersion(t, h, tx.Snapshot(), deleted)
						if v == nil {
							tx.Rollback()
							return fmt.Errorf("worker %d: committed row %d is not visible", w, deleted)
						}
						if ok, err := tx.Delete(ctx, h, v); !ok || err != nil {
							tx.Rollback()
							return fmt.Errorf("worker %d: delete %d = %v, %w", w, deleted, ok, err)
						}
					}
					if i%10 == 9 {
						tx.Rollback()
						continue
					}
					if err := tx.Commit(); err != nil {
						return fmt.Errorf("worker %d: commit: %w", w, err)
					}
					want[id] = name
					live = append(live, id)
					if deleted >= 0 {
						delete(want, deleted)
						live = slices.DeleteFunc(live, func(x int64) bool { return x == deleted })
					}
				}
				wants[w] = want
				return nil
			}()
		}()
	}
	wg.Wait()
	close(stop)
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := <-ckptDone; err != nil {
		t.Fatalf("concurrent checkpoint: %v", err)
	}
	want := make(map[int64]string)
	for _, m := range wants {
		maps.Copy(want, m)
	}
	checkContents(t, s, "items", want, "after the concurrent transactions")
	checkRowIDsUnique(t, h)
	if commits, rollbacks := s.Txns().Counts(); commits != 1+workers*(txns-txns/10) || rollbacks != workers*txns/10 {
		t.Fatalf("Counts() = %d commits, %d rollbacks; want %d, %d", commits, rollbacks, 1+workers*(txns-txns/10), workers*txns/10)
	}
	if n := s.Txns().Active(); n != 0 {
		t.Fatalf("%d transactions still active", n)
	}

	s = restart(t, s, false)
	checkContents(t, s, "items", want, "after recovery from checkpoint + WAL")
	checkRowIDsUnique(t, heapOf(t, s, "items"))
	s = restart(t, s, true)
	checkContents(t, s, "items", want, "after a clean restart")
}

// TestConcurrentDDLAndCheckpoints commits CREATE and DROP TABLE while
// checkpoints run, then recovers from the last checkpoint plus the WAL.
func TestConcurrentDDLAndCheckpoints(t *testing.T) {
	s := openStore(t, testOptions(t))
	stop := make(chan struct{})
	ckptDone := make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				ckptDone <- nil
				return
			default:
			}
			if err := s.Checkpoint(); err != nil {
				ckptDone <- err
				return
			}
		}
	}()
	errs := make(chan error, 2)
	want := make([]map[string]bool, 2)
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- func() error {
				tables := make(map[string]bool)
				for i := range 150 {
					name := fmt.Sprintf("w%d_t%d", w, i)
					tx := s.Begin()
					tbl := itemsTable(name)
					if err := tx.CreateTable(tbl); err != nil {
						return err
					}
					if err := tx.Insert(context.Background(), s.Heap(tbl), itemRow(int64(i), name)); err != nil {
						return err
					}
					if i%5 == 4 {
						tx.Rollback()
						continue
					}
					if err := tx.Commit(); err != nil {
						return err
					}
					tables[name] = true
					if i%3 == 0 {
						tx := s.Begin()
						tx.DropTable(tbl)
						if i%2 == 0 {
							tx.Rollback()
							continue
						}
						if err := tx.Commit(); err != nil {
							return err
						}
						delete(tables, name)
					}
				}
				want[w] = tables
				return nil
			}()
		}()
	}
	wg.Wait()
	close(stop)
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := <-ckptDone; err != nil {
		t.Fatalf("concurrent checkpoint: %v", err)
	}
	var wantNames []string
	for _, m := range want {
		wantNames = append(wantNames, slices.Collect(maps.Keys(m))...)
	}
	sort.Strings(wantNames)
	if got := tableNames(s); !slices.Equal(got, wantNames) {
		t.Fatalf("tables before restart differ from the committed ones:\n got  %v\n want %v", got, wantNames)
	}
	s = restart(t, s, false)
	if got := tableNames(s); !slices.Equal(got, wantNames) {
		t.Fatalf("tables after recovery differ from the committed ones:\n got  %v\n want %v", got, wantNames)
	}
	for _, name := range wantNames {
		if rows := contents(t, s, name); len(rows) != 1 {
			t.Fatalf("table %s has %d rows after recovery, want 1", name, len(rows))
		}
	}
}

// TestCommitFailsWhenWALUnusable checks the commit path when the log write
// fails: the transaction is rolled back and reported with SQLSTATE 58030.
func TestCommitFailsWhenWALUnusable(t *testing.T) {
	s := openStore(t, testOptions(t))
	h := createItems(t, s, "items", 1)
	tx := s.Begin()
	mustInsert(t, tx, h, 2, defaultName(2))
	mustDelete(t, tx, h, 1)
	if err := tx.CreateTable(itemsTable("pending")); err != nil {
		t.Fatal(err)
	}
	if err := s.WAL().Close(); err != nil { // every later write fails
		t.Fatal(err)
	}
	err := tx.Commit()
	wantCode(t, err, sqlerr.IOError, "commit with a closed WAL")
	if tx.Status() != txn.Aborted {
		t.Fatalf("transaction status after a failed commit = %v, want Aborted", tx.Status())
	}
	checkContents(t, s, "items", rowsWith(1), "after the failed commit")
	if names := tableNames(s); !slices.Equal(names, []string{"items"}) {
		t.Fatalf("tables after the failed commit: %v, want [items]", names)
	}
	// Its key and its deleted row are free for the next transaction, and a
	// checkpoint (which waits for commits) is not blocked; it fails, since
	// it cannot make the log durable.
	tx = s.Begin()
	mustInsert(t, tx, h, 2, "again")
	mustDelete(t, tx, h, 1)
	tx.Rollback()
	done := make(chan error, 1)
	go func() { done <- s.Checkpoint() }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatalf("checkpoint succeeded although the WAL is unusable")
		}
	case <-time.After(finishIn):
		t.Fatalf("checkpoint blocked after a failed commit: the commit lock was not released")
	}
}

// A transaction that writes to a table another transaction drops and commits
// first must not make the database unrecoverable.
func TestDropWhileAnotherTransactionWrites(t *testing.T) {
	dir := t.TempDir()
	s := openStoreForDropTest(t, dir)
	ctx := context.Background()
	tbl := &catalog.Table{Name: "t", Columns: []catalog.Column{{Name: "i", Type: types.TInt4}}}
	create := s.Begin()
	if err := create.CreateTable(tbl); err != nil {
		t.Fatal(err)
	}
	if err := create.Commit(); err != nil {
		t.Fatal(err)
	}
	h := s.Heap(tbl)
	writer := s.Begin()
	if err := writer.Insert(ctx, h, []types.Value{types.NewInt(1)}); err != nil {
		t.Fatal(err)
	}
	dropper := s.Begin()
	dropper.DropTable(tbl)
	if err := dropper.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := writer.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseNoCheckpoint(); err != nil {
		t.Fatal(err)
	}
	s = openStoreForDropTest(t, dir)
	defer s.Close()
	if s.Catalog().Lookup(catalog.Public, "t") != nil {
		t.Error("dropped table is back after recovery")
	}
}

func openStoreForDropTest(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(Options{Dir: dir, SyncMode: wal.SyncOff})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPruneUpdatedKey updates one row many times: a writer's uniqueness
// check removes the index entries of versions dead to every snapshot, so the
// key's lookups stay short, while a snapshot older than the updates keeps
// the versions it can see; vacuum and a restart still find the right rows.
func TestPruneUpdatedKey(t *testing.T) {
	s := openStore(t, testOptions(t))
	h := createItems(t, s, "items", 1, 2)
	ctx := context.Background()
	versionsOf := func(id int64) []*Version {
		t.Helper()
		vs, err := h.Lookup(0, []types.Value{types.NewInt(id)}, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return vs
	}
	visible := func(snap txn.Snapshot, id int64) *Version {
		t.Helper()
		var found *Version
		for _, v := range versionsOf(id) {
			if v.VisibleTo(&snap) {
				if found != nil {
					t.Fatalf("two versions of row %d visible", id)
				}
				found = v
			}
		}
		if found == nil {
			t.Fatalf("no version of row %d visible", id)
		}
		return found
	}
	update := func(id int64, name string) {
		t.Helper()
		tx := s.Begin()
		if ok, err := tx.Update(ctx, h, visible(tx.Snapshot(), id), itemRow(id, name)); !ok || err != nil {
			t.Fatalf("update of row %d: %v, %v", id, ok, err)
		}
		mustCommit(t, tx)
	}
	for i := range 200 {
		update(1, fmt.Sprintf("v%d", i))
	}
	if n := len(versionsOf(1)); n > pruneAfter+1 {
		t.Fatalf("row 1 has %d index entries after 200 updates, want at most %d", n, pruneAfter+1)
	}

	old := s.Begin() // its snapshot sees row 2's current version
	snap := old.Snapshot()
	for i := range 50 {
		update(2, fmt.Sprintf("w%d", i))
	}
	if name := mustValues(t, h, visible(snap, 2))[1].S; name != defaultName(2) {
		t.Fatalf("old snapshot sees %q, want %q", name, defaultName(2))
	}
	mustCommit(t, old)
	update(2, "last")
	s.Vacuum(h.Table)
	checkContents(t, s, "items", map[int64]string{1: "v199", 2: "last"}, "after pruning and vacuum")
	s = restart(t, s, true)
	checkContents(t, s, "items", map[int64]string{1: "v199", 2: "last"}, "after a restart")
}

func mustValues(t *testing.T, h *Heap, v *Version) []types.Value {
	t.Helper()
	vals, err := h.Values(v)
	if err != nil {
		t.Fatal(err)
	}
	return vals
}

// TestSegmentsOfUpdatedRows: segments do not keep versions that updates
// killed. Vacuum drops segments that are mostly dead so that their versions
// can go, the columnizer leaves a batch of mostly dead versions for vacuum,
// and the segments built afterwards hold the live rows.
func TestSegmentsOfUpdatedRows(t *testing.T) {
	s, h, ids := segmentedItems(t)
	ctx := context.Background()
	want := map[int64]string{}
	for round := range 3 {
		tx := s.Begin()
		snap := tx.Snapshot()
		for _, id := range ids {
			vs, err := h.Lookup(0, []types.Value{types.NewInt(id)}, nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				if v.VisibleTo(&snap) {
					name := fmt.Sprintf("r%d-%d", round, id)
					if ok, err := tx.Update(ctx, h, v, itemRow(id, name)); !ok || err != nil {
						t.Fatalf("update of %d: %v %v", id, ok, err)
					}
					want[id] = name
				}
			}
		}
		mustCommit(t, tx)
	}
	if n, err := s.Columnize(); err != nil || n != 0 {
		t.Fatalf("Columnize over a batch of dead versions built %d segments, %v; want none", n, err)
	}
	s.Vacuum(h.Table)
	if segs, rows := h.SegmentCount(); segs != 0 || rows != 0 || h.Len() != 128 {
		t.Fatalf("after vacuum: %d segments of %d rows, %d versions; want no segments and the 128 live versions", segs, rows, h.Len())
	}
	if n, err := s.Columnize(); err != nil || n != 2 {
		t.Fatalf("Columnize of the live rows: %d segments, %v; want 2", n, err)
	}
	checkContents(t, s, "items", want, "after vacuum and columnizing again")
}

// TestIndexChangesKeepSegments: an index added to a table keeps its column
// segments (the rows and columns are the same); a new column drops them.
func TestIndexChangesKeepSegments(t *testing.T) {
	s, h, _ := segmentedItems(t)
	alter := func(change func(def *catalog.Table)) {
		t.Helper()
		def := *h.Table
		def.Columns = slices.Clone(def.Columns)
		change(&def)
		tx := s.Begin()
		if err := tx.AlterTable(h.Table, &def); err != nil {
			t.Fatal(err)
		}
		mustCommit(t, tx)
	}
	alter(func(def *catalog.Table) {
		def.Indexes = append(def.Indexes, catalog.Index{Name: "items_name", Columns: []int{1}})
	})
	if segs, _ := h.SegmentCount(); segs != 2 {
		t.Fatalf("after CREATE INDEX: %d segments, want the 2 there were", segs)
	}
	if vs, err := h.Lookup(1, []types.Value{types.NewText(defaultName(7))}, nil, nil, nil); err != nil || len(vs) != 1 {
		t.Fatalf("lookup through the new index: %d versions, %v", len(vs), err)
	}
	alter(func(def *catalog.Table) {
		def.Columns = append(def.Columns, catalog.Column{Name: "extra", Type: types.TInt4})
	})
	if segs, _ := h.SegmentCount(); segs != 0 {
		t.Fatalf("after ADD COLUMN: %d segments, want none", segs)
	}
}

// segmentedItems is a store whose table items holds rows 1..128 in two
// column segments of 64 rows.
func segmentedItems(t *testing.T) (*Store, *Heap, []int64) {
	t.Helper()
	opts := testOptions(t)
	opts.SegmentRows = 64
	s := openStore(t, opts)
	ids := make([]int64, 128)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	h := createItems(t, s, "items", ids...)
	if n, err := s.Columnize(); err != nil || n != 2 {
		t.Fatalf("Columnize of 128 rows: %d segments, %v; want 2", n, err)
	}
	return s, h, ids
}

// TestInsertsLeaveNoPins checks that the page a transaction's inserts keep
// pinned (Tx.held) is released however the transaction ends, and when its
// inserts move to another table: with 16 frames, 40 tables created and
// written, half of them rolled back, would exhaust the pool otherwise.
func TestInsertsLeaveNoPins(t *testing.T) {
	s := openStore(t, testOptions(t))
	ctx := context.Background()
	var prev *Heap
	for i := range 40 {
		tx := s.Begin()
		tbl := itemsTable(fmt.Sprintf("t%d", i))
		if err := tx.CreateTable(tbl); err != nil {
			t.Fatal(err)
		}
		h := s.Heap(tbl)
		for j := range 5 {
			if err := tx.Insert(ctx, h, []types.Value{types.NewInt(int64(j)), types.NewText("x")}); err != nil {
				t.Fatalf("table %d row %d: %v", i, j, err)
			}
			if prev != nil { // alternate with the last committed table
				if err := tx.Insert(ctx, prev, []types.Value{types.NewInt(int64(1000*i + j)), types.NewText("y")}); err != nil {
					t.Fatalf("table %d row %d of the previous table: %v", i, j, err)
				}
			}
		}
		if i%2 == 0 {
			tx.Rollback()
			continue
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		prev = h
	}
	for _, f := range s.pool.frames {
		if n := f.pins.Load(); n != 0 {
			t.Errorf("frame of page %v has %d pins", f.id, n)
		}
	}
}
