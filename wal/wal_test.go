package wal

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"rustydb/iouring"
)

func openLog(t testing.TB, dir string, segSize int64, mode SyncMode) *Log {
	t.Helper()
	l, err := Open(Options{Dir: dir, SegmentSize: segSize, SyncMode: mode})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func closeLog(t testing.TB, l *Log) {
	t.Helper()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

func replayAll(t testing.TB, l *Log, from LSN) []Record {
	t.Helper()
	var recs []Record
	if err := l.Replay(from, func(r Record) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return recs
}

// appendRandom commits n records with payloads of 0..maxSize random bytes.
func appendRandom(t testing.TB, l *Log, rng *rand.Rand, n, maxSize int) []Record {
	t.Helper()
	var recs []Record
	for range n {
		r := Record{Txn: rng.Uint64(), Type: RecordType(1 + rng.IntN(3)), Data: make([]byte, rng.IntN(maxSize+1))}
		for i := range r.Data {
			r.Data[i] = byte(rng.Uint32())
		}
		var err error
		if rng.IntN(2) == 0 {
			r.LSN, err = l.Commit(r.Txn, r.Type, r.Data)
		} else {
			r.LSN, err = l.Append(r.Txn, r.Type, r.Data)
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	if err := l.Flush(l.End()); err != nil {
		t.Fatal(err)
	}
	return recs
}

func checkRecords(t testing.TB, got, want []Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.LSN != w.LSN || g.Txn != w.Txn || g.Type != w.Type || !bytes.Equal(g.Data, w.Data) {
			t.Fatalf("record %d: got LSN %d txn %d type %d len %d, want LSN %d txn %d type %d len %d",
				i, g.LSN, g.Txn, g.Type, len(g.Data), w.LSN, w.Txn, w.Type, len(w.Data))
		}
	}
}

func segmentFiles(t testing.TB, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.wal"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

func recordEnd(r Record) LSN { return r.LSN + recordHeaderSize + LSN(len(r.Data)) }

func TestEmptyLog(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "wal")
	for range 2 {
		l := openLog(t, dir, 0, SyncLocal)
		if l.End() != 0 {
			t.Fatalf("End() = %d, want 0", l.End())
		}
		if _, _, found := l.TornTail(); found {
			t.Fatal("empty log reports a torn tail")
		}
		if recs := replayAll(t, l, 0); len(recs) != 0 {
			t.Fatalf("replayed %d records from an empty log", len(recs))
		}
		closeLog(t, l)
	}
	if got := segmentFiles(t, dir); len(got) != 1 || filepath.Base(got[0]) != "0000000000000000.wal" {
		t.Fatalf("segment files %v", got)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name    string
		segSize int64
		mode    SyncMode
		minSegs int
	}{
		{"small segments", 4 << 10, SyncLocal, 10},
		{"small segments sync off", 4 << 10, SyncOff, 10},
		{"default segment size", 0, SyncLocal, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			rng := rand.New(rand.NewPCG(1, 2))
			l := openLog(t, dir, tc.segSize, tc.mode)
			want := appendRandom(t, l, rng, 300, 1500)
			end := l.End()
			checkRecords(t, replayAll(t, l, 0), want)
			closeLog(t, l)
			if n := len(segmentFiles(t, dir)); n < tc.minSegs {
				t.Fatalf("%d segments, want at least %d", n, tc.minSegs)
			}

			l = openLog(t, dir, tc.segSize, tc.mode)
			if l.End() != end {
				t.Fatalf("End() after reopen = %d, want %d", l.End(), end)
			}
			if at, reason, found := l.TornTail(); found {
				t.Fatalf("clean log reports torn tail at %d: %s", at, reason)
			}
			checkRecords(t, replayAll(t, l, 0), want)
			want = append(want, appendRandom(t, l, rng, 100, 1500)...)
			closeLog(t, l)

			l = openLog(t, dir, tc.segSize, tc.mode)
			defer closeLog(t, l)
			checkRecords(t, replayAll(t, l, 0), want)
		})
	}
}

func TestReplayFrom(t *testing.T) {
	l := openLog(t, t.TempDir(), 4<<10, SyncLocal)
	defer closeLog(t, l)
	want := appendRandom(t, l, rand.New(rand.NewPCG(3, 4)), 200, 600)
	for _, tc := range []struct {
		name  string
		from  LSN
		first int
	}{
		{"zero", 0, 0},
		{"middle record", want[100].LSN, 100},
		{"inside a record", want[100].LSN + 1, 101},
		{"last record", want[199].LSN, 199},
		{"end", l.End(), 200},
		{"past end", l.End() + 1000, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkRecords(t, replayAll(t, l, tc.from), want[tc.first:])
		})
	}
}

// writeLog makes a log in dir and returns its records, closed.
func writeLog(t *testing.T, dir string, n int) []Record {
	t.Helper()
	l := openLog(t, dir, 4<<10, SyncLocal)
	recs := appendRandom(t, l, rand.New(rand.NewPCG(5, 6)), n, 300)
	closeLog(t, l)
	return recs
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	for _, name := range segmentFiles(t, src) {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(name)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkRecovered reopens dir, expects exactly want and the given torn tail,
// then checks that appending after the cut and reopening works.
func checkRecovered(t *testing.T, dir string, want []Record, tornAt LSN, torn bool) {
	t.Helper()
	l := openLog(t, dir, 4<<10, SyncLocal)
	at, reason, found := l.TornTail()
	if found != torn || (torn && at != tornAt) {
		t.Fatalf("TornTail() = %d, %q, %v; want %d, %v", at, reason, found, tornAt, torn)
	}
	checkRecords(t, replayAll(t, l, 0), want)
	if end := l.End(); len(want) > 0 && end != recordEnd(want[len(want)-1]) {
		t.Fatalf("End() = %d, want %d", end, recordEnd(want[len(want)-1]))
	}
	more := appendRandom(t, l, rand.New(rand.NewPCG(7, 8)), 3, 100)
	closeLog(t, l)
	want = append(slices.Clip(want), more...)
	l = openLog(t, dir, 4<<10, SyncLocal)
	defer closeLog(t, l)
	if _, reason, found := l.TornTail(); found {
		t.Fatalf("torn tail after recovery and append: %s", reason)
	}
	checkRecords(t, replayAll(t, l, 0), want)
}

func TestTornTailEveryOffset(t *testing.T) {
	src := t.TempDir()
	recs := writeLog(t, src, 50)
	last := recs[len(recs)-1]
	name, segStart := lastSegment(t, src)
	lastSeg := filepath.Base(name)
	for cut := last.LSN; cut < recordEnd(last); cut++ {
		dir := t.TempDir()
		copyDir(t, src, dir)
		if err := os.Truncate(filepath.Join(dir, lastSeg), segmentHeaderSize+int64(cut-segStart)); err != nil {
			t.Fatal(err)
		}
		checkRecovered(t, dir, recs[:len(recs)-1], last.LSN, cut > last.LSN)
	}
}

// lastSegment returns the newest segment file of dir and its start LSN, read
// from its name (its size includes preallocated zeros).
func lastSegment(t *testing.T, dir string) (string, LSN) {
	t.Helper()
	segs := segmentFiles(t, dir)
	name := segs[len(segs)-1]
	start, err := strconv.ParseUint(strings.TrimSuffix(filepath.Base(name), segmentSuffix), 16, 64)
	if err != nil {
		t.Fatal(err)
	}
	return name, LSN(start)
}

func mustSize(t *testing.T, name string) int64 {
	t.Helper()
	info, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}

func TestCorruptTail(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(seg []byte, segStart LSN, recs []Record) []byte
		keep   int // records that survive, counted from the end: -k drops k
		reason string
		clean  bool // not a torn tail: the end of the records
	}{
		{"flipped payload byte", func(seg []byte, s LSN, recs []Record) []byte {
			r := recs[len(recs)-3]
			seg[segmentHeaderSize+int(r.LSN-s)+recordHeaderSize+len(r.Data)/2] ^= 0x40
			return seg
		}, -3, "checksum mismatch", false},
		{"flipped length byte", func(seg []byte, s LSN, recs []Record) []byte {
			seg[segmentHeaderSize+int(recs[len(recs)-2].LSN-s)+4] ^= 0x01
			return seg
		}, -2, "", false},
		{"zeros after end", func(seg []byte, _ LSN, _ []Record) []byte {
			return append(seg, make([]byte, 4096)...)
		}, 0, "", true},
		{"few zeros after end", func(seg []byte, _ LSN, _ []Record) []byte {
			return append(seg, make([]byte, 10)...)
		}, 0, "", true},
		{"zeros then garbage after end", func(seg []byte, _ LSN, _ []Record) []byte {
			seg = append(seg, make([]byte, 4096)...)
			return append(seg, 1)
		}, 0, "zeroed bytes", false},
		{"garbage after end", func(seg []byte, _ LSN, _ []Record) []byte {
			rng := rand.New(rand.NewPCG(9, 10))
			for range 1000 {
				seg = append(seg, byte(rng.Uint32()))
			}
			return seg
		}, 0, "", false},
		{"stale copy of a record after end", func(seg []byte, s LSN, recs []Record) []byte {
			r := recs[len(recs)-1]
			off := segmentHeaderSize + int(r.LSN-s)
			return append(seg, seg[off:off+recordHeaderSize+len(r.Data)]...)
		}, 0, "LSN mismatch", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			recs := writeLog(t, dir, 60)
			name, segStart := lastSegment(t, dir)
			seg, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if end := recordEnd(recs[len(recs)-1]); mustSize(t, name) <= segmentHeaderSize+int64(end-segStart) {
				t.Fatal("the newest segment has no preallocated space")
			} else {
				seg = seg[:segmentHeaderSize+int(end-segStart)]
			}
			if recs[len(recs)-3].LSN < segStart {
				t.Fatal("test needs the last three records in the last segment")
			}
			if err := os.WriteFile(name, tc.damage(seg, segStart, recs), 0o644); err != nil {
				t.Fatal(err)
			}
			want := recs[:len(recs)+tc.keep]
			l := openLog(t, dir, 4<<10, SyncLocal)
			at, reason, found := l.TornTail()
			if tc.clean {
				if found {
					t.Fatalf("TornTail() = %d, %q after the records' end; want none", at, reason)
				}
			} else if !found || at != recordEnd(want[len(want)-1]) || (tc.reason != "" && reason != tc.reason) {
				t.Fatalf("TornTail() = %d, %q, %v; want %d, %q", at, reason, found, recordEnd(want[len(want)-1]), tc.reason)
			}
			closeLog(t, l)
			checkRecovered(t, dir, want, 0, false)
		})
	}
}

func TestSegmentHeader(t *testing.T) {
	for _, tc := range []struct {
		name    string
		content []byte
		wantErr error
	}{
		{"empty file", nil, nil},
		{"short header", []byte("RDBWAL01\x01"), nil},
		{"zeroed header", make([]byte, segmentHeaderSize), nil},
		{"bad header with data", make([]byte, 100), ErrCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			recs := writeLog(t, dir, 10)
			end := recordEnd(recs[len(recs)-1])
			if err := os.WriteFile((&Log{opts: Options{Dir: dir}}).path(end), tc.content, 0o644); err != nil {
				t.Fatal(err)
			}
			l, err := Open(Options{Dir: dir, SegmentSize: 4 << 10})
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Open error %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if at, reason, found := l.TornTail(); !found || at != end || reason != "torn segment header" {
				t.Fatalf("TornTail() = %d, %q, %v", at, reason, found)
			}
			closeLog(t, l)
			checkRecovered(t, dir, recs, 0, false)
		})
	}
}

func TestCorruptMiddleSegment(t *testing.T) {
	dir := t.TempDir()
	writeLog(t, dir, 100)
	segs := segmentFiles(t, dir)
	seg, err := os.ReadFile(segs[1])
	if err != nil {
		t.Fatal(err)
	}
	seg[len(seg)-1] ^= 0xff
	if err := os.WriteFile(segs[1], seg, 0o644); err != nil {
		t.Fatal(err)
	}
	l := openLog(t, dir, 4<<10, SyncLocal)
	defer closeLog(t, l)
	if err := l.Replay(0, func(Record) error { return nil }); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Replay error %v, want ErrCorrupt", err)
	}
}

func TestRecordBiggerThanSegment(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, 4<<10, SyncLocal)
	var want []Record
	for i, size := range []int{100, 10000, 100, 100, 20000} {
		r := Record{Txn: uint64(i), Type: TypeCommit, Data: bytes.Repeat([]byte{byte(i)}, size)}
		var err error
		if r.LSN, err = l.Commit(r.Txn, r.Type, r.Data); err != nil {
			t.Fatal(err)
		}
		want = append(want, r)
	}
	checkRecords(t, replayAll(t, l, 0), want)
	closeLog(t, l)

	var sizes []int64
	for _, name := range segmentFiles(t, dir) {
		sizes = append(sizes, mustSize(t, name))
	}
	hdr := int64(segmentHeaderSize + recordHeaderSize)
	wantSizes := []int64{hdr + 100, hdr + 10000, segmentHeaderSize + 2*(recordHeaderSize+100), hdr + 20000}
	if !slices.Equal(sizes, wantSizes) {
		t.Fatalf("segment sizes %v, want %v", sizes, wantSizes)
	}
	l = openLog(t, dir, 4<<10, SyncLocal)
	defer closeLog(t, l)
	checkRecords(t, replayAll(t, l, 0), want)
}

func TestRemoveBefore(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, 4<<10, SyncLocal)
	want := appendRandom(t, l, rand.New(rand.NewPCG(11, 12)), 200, 500)
	before := len(segmentFiles(t, dir))
	ckpt := want[120].LSN

	if err := l.RemoveBefore(ckpt); err != nil {
		t.Fatal(err)
	}
	removed := before - len(segmentFiles(t, dir))
	if removed == 0 || uint64(removed) != l.Stats().SegmentsRemoved {
		t.Fatalf("removed %d segments, Stats says %d", removed, l.Stats().SegmentsRemoved)
	}
	checkRecords(t, replayAll(t, l, ckpt), want[120:])
	got := replayAll(t, l, 0)
	if first := got[0].LSN; first > ckpt {
		t.Fatalf("first remaining record at %d, after %d", first, ckpt)
	}

	if err := l.RemoveBefore(l.End() + 1); err != nil {
		t.Fatal(err)
	}
	if n := len(segmentFiles(t, dir)); n != 1 {
		t.Fatalf("%d segments left, want the current one", n)
	}
	want = append(want, appendRandom(t, l, rand.New(rand.NewPCG(13, 14)), 20, 500)...)
	closeLog(t, l)

	l = openLog(t, dir, 4<<10, SyncLocal)
	defer closeLog(t, l)
	got = replayAll(t, l, 0)
	checkRecords(t, got, want[len(want)-len(got):])
}

func TestConcurrentCommit(t *testing.T) {
	const goroutines, perG = 32, 50
	l := openLog(t, t.TempDir(), 64<<10, SyncLocal)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perG {
				data := []byte{byte(g), byte(i)}
				if _, err := l.Commit(uint64(g*perG+i), TypeCommit, data); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	st := l.Stats()
	closeLog(t, l)

	l = openLog(t, l.opts.Dir, 64<<10, SyncLocal)
	defer closeLog(t, l)
	seen := make(map[uint64]bool)
	for _, r := range replayAll(t, l, 0) {
		g, i := uint64(r.Data[0]), uint64(r.Data[1])
		if r.Txn != g*perG+i || seen[r.Txn] {
			t.Fatalf("bad or duplicate record txn %d data %v", r.Txn, r.Data)
		}
		seen[r.Txn] = true
	}
	if len(seen) != goroutines*perG {
		t.Fatalf("replayed %d records, want %d", len(seen), goroutines*perG)
	}
	t.Logf("stats: %+v", st)
	if st.Records != goroutines*perG || st.Fsyncs >= st.Records {
		t.Fatalf("%d records, %d fsyncs: want fewer fsyncs than commits", st.Records, st.Fsyncs)
	}
	// The group size histogram: every flush in one bucket, the groups of
	// more than one in the buckets above the first, no commit counted twice.
	var flushes uint64
	for _, n := range st.GroupSizes {
		flushes += n
	}
	if flushes == 0 || flushes != st.GroupSizes[0]+st.GroupCommits || st.GroupSizeSum < flushes || st.GroupSizeSum > st.Records {
		t.Fatalf("group sizes %v (sum %d) for %d records and %d group commits", st.GroupSizes, st.GroupSizeSum, st.Records, st.GroupCommits)
	}
}

func TestSyncOffNoFsync(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, 0, SyncOff)
	before := l.Stats().Fsyncs
	want := appendRandom(t, l, rand.New(rand.NewPCG(15, 16)), 200, 200)
	if n := l.Stats().Fsyncs - before; n != 0 {
		t.Fatalf("SyncOff made %d fsyncs", n)
	}
	closeLog(t, l)
	l = openLog(t, dir, 0, SyncOff)
	defer closeLog(t, l)
	checkRecords(t, replayAll(t, l, 0), want)
}

func TestUnusableAfterWriteFailure(t *testing.T) {
	l := openLog(t, t.TempDir(), 0, SyncLocal)
	if _, err := l.Commit(1, TypeCommit, []byte("ok")); err != nil {
		t.Fatal(err)
	}
	l.f.Close() // make the next write fail
	if _, err := l.Commit(2, TypeCommit, []byte("lost")); !errors.Is(err, ErrUnusable) {
		t.Fatalf("Commit after failed write: %v, want ErrUnusable", err)
	}
	if _, err := l.Append(3, TypeCommit, nil); !errors.Is(err, ErrUnusable) {
		t.Fatalf("Append on unusable log: %v, want ErrUnusable", err)
	}
	if err := l.Flush(l.End()); !errors.Is(err, ErrUnusable) {
		t.Fatalf("Flush on unusable log: %v, want ErrUnusable", err)
	}
}

func TestClosed(t *testing.T) {
	l := openLog(t, t.TempDir(), 0, SyncLocal)
	closeLog(t, l)
	if _, err := l.Commit(1, TypeCommit, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Commit after Close: %v", err)
	}
	if err := l.Close(); !errors.Is(err, ErrClosed) {
		t.Fatalf("second Close: %v", err)
	}
}

func benchmarkCommit(b *testing.B, parallel bool) {
	l := openLog(b, b.TempDir(), 0, SyncLocal)
	defer closeLog(b, l)
	data := make([]byte, 128)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	if !parallel {
		for i := 0; b.Loop(); i++ {
			if _, err := l.Commit(uint64(i), TypeCommit, data); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := l.Commit(1, TypeCommit, data); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(l.Stats().Fsyncs)/float64(b.N), "fsyncs/op")
}

func BenchmarkCommit(b *testing.B)         { benchmarkCommit(b, false) }
func BenchmarkCommitParallel(b *testing.B) { benchmarkCommit(b, true) }

// engines returns the I/O engines to test: pread, and io_uring where the
// kernel allows it.
func engines(t *testing.T) []iouring.Engine {
	es := []iouring.Engine{iouring.NewPread()}
	if u, err := iouring.NewUring(32); err == nil {
		t.Cleanup(func() { u.Close() })
		es = append(es, u)
	} else {
		t.Logf("io_uring unavailable: %v", err)
	}
	return es
}

// TestInjectedFaults fails the WAL's writes and syncs the way a full or
// broken disk does, on each engine: the commit that meets the fault gets an
// error naming the cause, the log refuses further writes, and reopening it
// replays exactly the commits acknowledged before (the failed one may or may
// not be there, as its bytes may have reached the file, but never torn).
func TestInjectedFaults(t *testing.T) {
	faults := []struct {
		name  string
		fault iouring.Fault
		errno error
	}{
		{"ENOSPC on write", iouring.Fault{Op: iouring.Write, Err: syscall.ENOSPC}, syscall.ENOSPC},
		{"EIO on write", iouring.Fault{Op: iouring.Write}, syscall.EIO},
		{"torn write", iouring.Fault{Op: iouring.Write, Written: 10}, io.ErrShortWrite},
		{"fsync failure", iouring.Fault{Op: iouring.Sync}, syscall.EIO},
	}
	for _, e := range engines(t) {
		for _, f := range faults {
			t.Run(e.Name()+"/"+f.name, func(t *testing.T) {
				dir := t.TempDir()
				var fs iouring.Faults
				l, err := Open(Options{Dir: dir, SyncMode: SyncLocal, IO: iouring.WithFaults(e, &fs)})
				if err != nil {
					t.Fatal(err)
				}
				rng := rand.New(rand.NewPCG(1, 2))
				acked := appendRandom(t, l, rng, 20, 300)
				fs.Add(f.fault)
				_, err = l.Commit(99, TypeCommit, bytes.Repeat([]byte("x"), 100))
				if !errors.Is(err, ErrUnusable) || !errors.Is(err, f.errno) {
					t.Fatalf("commit under fault: %v, want ErrUnusable wrapping %v", err, f.errno)
				}
				if fs.Fired() == 0 {
					t.Fatal("the fault never fired")
				}
				if _, err := l.Commit(100, TypeCommit, nil); !errors.Is(err, ErrUnusable) {
					t.Fatalf("commit after the fault: %v, want ErrUnusable", err)
				}
				l.Close()

				l = openLog(t, dir, 0, SyncLocal)
				defer closeLog(t, l)
				got := replayAll(t, l, 0)
				if len(got) == len(acked)+1 && got[len(got)-1].Txn == 99 {
					got = got[:len(acked)] // the failed commit's bytes made it whole
				}
				checkRecords(t, got, acked)
			})
		}
	}
}

// TestPreallocation checks that only the newest segment carries zeros after
// its records: every older one ends where the next begins, so Replay never
// meets preallocated space.
func TestPreallocation(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, 64<<10, SyncLocal)
	want := appendRandom(t, l, rand.New(rand.NewPCG(13, 14)), 300, 2000)
	segs := segmentFiles(t, dir)
	if len(segs) < 3 {
		t.Fatalf("%d segments, want several", len(segs))
	}
	for i, name := range segs[:len(segs)-1] {
		start, _ := strconv.ParseUint(strings.TrimSuffix(filepath.Base(name), segmentSuffix), 16, 64)
		next, _ := strconv.ParseUint(strings.TrimSuffix(filepath.Base(segs[i+1]), segmentSuffix), 16, 64)
		if size := mustSize(t, name); size != segmentHeaderSize+int64(next-start) {
			t.Fatalf("segment %s is %d bytes, want %d", name, size, segmentHeaderSize+int64(next-start))
		}
	}
	name, start := lastSegment(t, dir)
	if size, end := mustSize(t, name), segmentHeaderSize+int64(l.End()-start); size <= end || size > 64<<10 {
		t.Fatalf("newest segment is %d bytes for records ending at %d; want zeros after them, within the segment size", size, end)
	}
	closeLog(t, l)
	checkRecovered(t, dir, want, 0, false)
}
