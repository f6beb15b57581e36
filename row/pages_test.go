package row

import (
	"context"
	"os"
	"strings"
	"testing"

	"rustydb/iouring"
	"rustydb/sqlerr"
)

// TestPagesThroughSmallPool writes far more rows than a 16-page pool holds,
// changes them, and checks them after a checkpoint, after an immediate stop
// (recovery from the WAL) and after a clean restart.
func TestPagesThroughSmallPool(t *testing.T) { onEachEngine(t, testPagesThroughSmallPool) }

func testPagesThroughSmallPool(t *testing.T, opts Options) {
	s := openStore(t, opts)
	name := func(id int64) string { return strings.Repeat("x", int(id%150)) + defaultName(id) }
	h := createItems(t, s, "big")
	want := map[int64]string{}
	for batch := range 10 {
		tx := s.Begin()
		for i := range 2000 {
			id := int64(batch*2000 + i)
			mustInsert(t, tx, h, id, name(id))
			want[id] = name(id)
		}
		mustCommit(t, tx)
		if batch == 4 {
			if err := s.Checkpoint(); err != nil {
				t.Fatal(err)
			}
		}
	}
	tx := s.Begin()
	snap := tx.Snapshot()
	for _, v := range mustScan(t, h) {
		if id := valuesOf(t, h, v)[0].I; id%7 == 0 && v.VisibleTo(&snap) {
			if ok, err := tx.Delete(context.Background(), h, v); !ok || err != nil {
				t.Fatalf("delete of row %d: %v, %v", id, ok, err)
			}
			delete(want, id)
		}
	}
	mustCommit(t, tx)
	st := s.BufferPool()
	if st.Evictions == 0 || st.PageWrites == 0 || st.Misses == 0 {
		t.Fatalf("the pool never evicted, wrote or read a page: %+v", st)
	}
	checkContents(t, s, "big", want, "before restart")
	s = restart(t, s, false)
	checkContents(t, s, "big", want, "after recovery from the WAL")
	s = restart(t, s, true)
	checkContents(t, s, "big", want, "after a clean restart")
}

// TestLongValues stores values larger than a page out of line and reuses
// their overflow pages once the rows are gone.
func TestLongValues(t *testing.T) { onEachEngine(t, testLongValues) }

func testLongValues(t *testing.T, opts Options) {
	s := openStore(t, opts)
	h := createItems(t, s, "docs")
	long := func(id int64) string { return strings.Repeat(string(rune('a'+id%26)), int(1000+id*37_000)) }
	want := map[int64]string{}
	tx := s.Begin()
	for id := range int64(8) {
		mustInsert(t, tx, h, id, long(id))
		want[id] = long(id)
	}
	mustCommit(t, tx)
	checkContents(t, s, "docs", want, "after insert")
	s = restart(t, s, false)
	checkContents(t, s, "docs", want, "after recovery")
	s = restart(t, s, true)
	checkContents(t, s, "docs", want, "after a clean restart")

	h = heapOf(t, s, "docs")
	size := func() int64 {
		fi, err := os.Stat(heapPath(s.opts.Dir, h.id))
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	for round := range 3 {
		tx := s.Begin()
		for id := range int64(8) {
			mustDelete(t, tx, h, id)
		}
		mustCommit(t, tx)
		// Vacuum, then a checkpoint that no longer names them, frees the
		// rows' pages; the second checkpoint writes the freed state.
		for range 2 {
			if err := s.Checkpoint(); err != nil {
				t.Fatal(err)
			}
		}
		tx = s.Begin()
		for id := range int64(8) {
			mustInsert(t, tx, h, id, long(id))
		}
		mustCommit(t, tx)
		if err := s.Checkpoint(); err != nil {
			t.Fatal(err)
		}
		if round == 0 {
			continue
		}
		total := 0
		for id := range int64(8) {
			total += len(long(id))
		}
		// One copy live, one being freed; without reuse it would be 4.
		if grown := size(); grown > int64(total)*5/2 {
			t.Fatalf("round %d: heap file grew to %d bytes: overflow pages are not reused", round, grown)
		}
	}
	checkContents(t, s, "docs", want, "after rewriting")
}

// onEachEngine runs a storage test on the pread engine and, where the
// kernel allows it, on io_uring.
func onEachEngine(t *testing.T, test func(*testing.T, Options)) {
	t.Run("pread", func(t *testing.T) { test(t, testOptions(t)) })
	u, err := iouring.NewUring(64)
	if err != nil {
		t.Logf("io_uring unavailable: %v", err)
		return
	}
	defer u.Close()
	t.Run("io_uring", func(t *testing.T) {
		opts := testOptions(t)
		opts.IO = u
		test(t, opts)
	})
}

// TestCorruptPage flips a byte of a data page: queries on that table fail
// with XX001 naming the file and block, and other tables still work.
func TestCorruptPage(t *testing.T) {
	s := openStore(t, testOptions(t))
	createItems(t, s, "good", 1, 2, 3)
	bad := createItems(t, s, "bad", 1, 2, 3)
	path := heapPath(s.opts.Dir, bad.id)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	os.Remove(s.opts.Dir + "/base/doublewrite") // or open would repair the page
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[PageSize-10] ^= 0xff
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, s.opts)
	checkContents(t, s, "good", rowsWith(1, 2, 3), "after reopening")
	_, err = heapOf(t, s, "bad").Scan()
	if sqlerr.Code(err) != sqlerr.DataCorrupted || !strings.Contains(err.Error(), "block 0") || !strings.Contains(err.Error(), path) {
		t.Fatalf("scan of the corrupt table: %v; want XX001 naming block 0 of %s", err, path)
	}
	tx := s.Begin()
	defer tx.Rollback()
	if err := tx.Insert(context.Background(), heapOf(t, s, "bad"), itemRow(9, "x")); sqlerr.Code(err) != sqlerr.DataCorrupted {
		t.Fatalf("insert into the corrupt table: %v; want XX001", err)
	}
}

// TestTornPageRepaired tears a page as a crash during its in-place write
// would: open restores it from the doublewrite file.
func TestTornPageRepaired(t *testing.T) {
	s := openStore(t, testOptions(t))
	h := createItems(t, s, "t", idRange(1, 50)...)
	path := heapPath(s.opts.Dir, h.id)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	copy(b[PageSize/2:PageSize], make([]byte, PageSize/2)) // the second half never made it
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, s.opts)
	if s.Recovered().RepairedPages == 0 {
		t.Fatal("no page repaired from the doublewrite file")
	}
	checkContents(t, s, "t", rowsWith(idRange(1, 50)...), "after repair")
}

// TestPageFormat pins the page header layout and the slot mechanics.
func TestPageFormat(t *testing.T) {
	p := page(make([]byte, PageSize))
	initPage(p, pageKindHeap, 7, 3)
	a := p.insert([]byte("alpha"))
	b := p.insert([]byte("beta"))
	p.remove(a)
	c := p.insert([]byte("gamma"))
	if a != 0 || b != 1 || c != 0 || string(p.tuple(0)) != "gamma" || string(p.tuple(1)) != "beta" || p.count() != 2 {
		t.Fatalf("slots %d %d %d, tuples %q %q, count %d", a, b, c, p.tuple(0), p.tuple(1), p.count())
	}
	p.setLSN(42)
	p.seal()
	if err := p.verify("f", 7, 3); err != nil {
		t.Fatal(err)
	}
	if p.table() != 7 || p.number() != 3 || p.lsn() != 42 || p.kind() != pageKindHeap {
		t.Fatal("header fields moved")
	}
	if err := p.verify("f", 7, 4); sqlerr.Code(err) != sqlerr.DataCorrupted {
		t.Fatalf("a page read at the wrong block: %v", err)
	}
	for n := 0; p.freeSpace() >= 100; n++ {
		p.insert(make([]byte, 96))
	}
	before := p.freeSpace()
	p.remove(1)
	if p.freeSpace() != before+len("beta")+slotSize { // its slot is free for reuse too
		t.Fatalf("free space %d after removing a 4-byte tuple from %d", p.freeSpace(), before)
	}
}

// TestUnwrittenBlocks covers blocks a checkpoint counts but that never
// reached the file (allocated by a transaction still open): opening must
// treat them as empty rather than as corrupt.
func TestUnwrittenBlocks(t *testing.T) {
	s := openStore(t, testOptions(t))
	h := createItems(t, s, "t", idRange(1, 10)...)
	open := s.Begin()
	for id := int64(100); id < 3000; id++ {
		mustInsert(t, open, h, id, strings.Repeat("y", 100))
	}
	if err := s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	path := heapPath(s.opts.Dir, h.id)
	if err := s.CloseNoCheckpoint(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() < 3*PageSize {
		t.Fatalf("heap file has %d bytes; the open transaction should have filled several blocks", fi.Size())
	}
	if err := os.Truncate(path, fi.Size()-PageSize); err != nil {
		t.Fatal(err)
	}
	os.Remove(s.opts.Dir + "/base/doublewrite")
	s = openStore(t, s.opts)
	checkContents(t, s, "t", rowsWith(idRange(1, 10)...), "after reopening")
}
