package row

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"rustydb/catalog"
	"rustydb/types"
)

// columnContents reads table items as a column scan does: the segments'
// rows (checking visibility when a segment is touched), then the delta
// through the heap. It fails when a row is read twice.
func columnContents(t *testing.T, s *Store, h *Heap) map[int64]string {
	t.Helper()
	snap := s.Begin().Snapshot()
	segs, delta, err := h.Columnar()
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	add := func(id int64, name string) {
		if _, dup := got[id]; dup {
			t.Fatalf("row %d read twice", id)
		}
		got[id] = name
	}
	for _, seg := range segs {
		if len(seg.Versions) != seg.Rows {
			t.Fatalf("segment of %d rows has %d versions", seg.Rows, len(seg.Versions))
		}
		for i, v := range seg.Versions {
			if !seg.Touched() || v.VisibleTo(&snap) {
				add(seg.Cols[0].Value(i).I, seg.Cols[1].Value(i).S)
			}
		}
	}
	for _, v := range delta {
		if v.VisibleTo(&snap) {
			vals := valuesOf(t, h, v)
			add(vals[0].I, vals[1].S)
		}
	}
	return got
}

// segFiles lists the segment files on disk.
func segFiles(t *testing.T, s *Store) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(s.opts.Dir, segDir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// checkPaths fails unless the column path and the row path read want.
func checkPaths(t *testing.T, s *Store, want map[int64]string, when string) {
	t.Helper()
	checkContents(t, s, "items", want, when)
	if got := columnContents(t, s, heapOf(t, s, "items")); !maps.Equal(got, want) {
		t.Fatalf("%s: the column path reads %d rows, the row path the %d expected", when, len(got), len(want))
	}
}

func wantItems(from, to int64, except ...int64) map[int64]string {
	want := map[int64]string{}
	for id := from; id <= to; id++ {
		if !slices.Contains(except, id) {
			want[id] = defaultName(id)
		}
	}
	return want
}

// TestSegmentFilesSurviveRestart: segments written by the checkpoint come
// back at start without columnizer work, with the rows deleted before the
// checkpoint (dead placeholders) and after it (replayed deletes) hidden.
func TestSegmentFilesSurviveRestart(t *testing.T) {
	s, h, _ := segmentedItems(t)
	tx := s.Begin()
	mustDelete(t, tx, h, 5)
	mustDelete(t, tx, h, 70)
	for id := int64(129); id <= 140; id++ {
		mustInsert(t, tx, h, id, defaultName(id))
	}
	mustCommit(t, tx)
	want := wantItems(1, 140, 5, 70)
	checkPaths(t, s, want, "before the restart")

	s = restart(t, s, true)
	h = heapOf(t, s, "items")
	if segs, _ := h.SegmentCount(); segs != 2 {
		t.Fatalf("after the restart: %d segments, want the 2 written", segs)
	}
	files := segFiles(t, s)
	snap := s.Begin().Snapshot()
	if disk := h.Usage(&snap).SegmentDiskBytes; len(files) != 2 || disk == 0 {
		t.Fatalf("segment files %v (%d bytes), want 2", files, disk)
	}
	if !h.segs[0].Touched() || !h.segs[1].Touched() {
		t.Fatalf("segments with rows deleted before the checkpoint are not touched")
	}
	checkPaths(t, s, want, "after the restart")
	if n, err := s.Columnize(); err != nil || n != 0 {
		t.Fatalf("Columnize after the restart built %d segments, %v; want none", n, err)
	}

	// A delete after the checkpoint, replayed from the log.
	if err := s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	tx = s.Begin()
	mustDelete(t, tx, heapOf(t, s, "items"), 10)
	mustCommit(t, tx)
	delete(want, 10)
	s = restart(t, s, false)
	checkPaths(t, s, want, "after a crash and replaying a delete")
	if got := segFiles(t, s); !slices.Equal(got, files) {
		t.Fatalf("segment files %v after more checkpoints, want the same %v", got, files)
	}
}

// TestSegmentFileOfDroppedSegmentRemoved: a checkpoint after vacuum
// dropped mostly dead segments removes their files, as after DROP TABLE.
func TestSegmentFileOfDroppedSegmentRemoved(t *testing.T) {
	s, h, _ := segmentedItems(t)
	if err := s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	if files := segFiles(t, s); len(files) != 2 {
		t.Fatalf("segment files %v, want 2", files)
	}
	tx := s.Begin()
	for id := int64(1); id <= 100; id++ {
		mustDelete(t, tx, h, id)
	}
	mustCommit(t, tx)
	if err := s.Checkpoint(); err != nil { // vacuums first
		t.Fatal(err)
	}
	if segs, _ := h.SegmentCount(); segs != 0 {
		t.Fatalf("vacuum kept %d mostly dead segments", segs)
	}
	if files := segFiles(t, s); len(files) != 0 {
		t.Fatalf("segment files %v of dropped segments remain after the checkpoint", files)
	}
	s = restart(t, s, true)
	checkPaths(t, s, wantItems(101, 128), "after the restart")
}

// TestSegmentFilesOfChangedTablesRemoved: the checkpoint after DROP TABLE
// or a new column removes the table's segment files; one during an ALTER
// not yet committed keeps them.
func TestSegmentFilesOfChangedTablesRemoved(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, s *Store, h *Heap) *Tx
		kept   int
	}{
		{"drop table", func(t *testing.T, s *Store, h *Heap) *Tx {
			tx := s.Begin()
			tx.DropTable(h.Table)
			mustCommit(t, tx)
			return nil
		}, 0},
		{"add column", func(t *testing.T, s *Store, h *Heap) *Tx {
			mustCommit(t, addColumn(t, s, h))
			return nil
		}, 0},
		{"alter index, open", func(t *testing.T, s *Store, h *Heap) *Tx {
			def := *h.Table
			def.Indexes = append(slices.Clone(def.Indexes), catalog.Index{Name: "items_name", Columns: []int{1}})
			tx := s.Begin()
			if err := tx.AlterTable(h.Table, &def); err != nil {
				t.Fatal(err)
			}
			return tx
		}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, h, _ := segmentedItems(t)
			if err := s.Checkpoint(); err != nil {
				t.Fatal(err)
			}
			open := tc.change(t, s, h)
			if err := s.Checkpoint(); err != nil {
				t.Fatal(err)
			}
			if files := segFiles(t, s); len(files) != tc.kept {
				t.Fatalf("segment files %v after the checkpoint, want %d", files, tc.kept)
			}
			if open != nil {
				mustCommit(t, open)
				s = restart(t, s, true)
				if segs, _ := heapOf(t, s, "items").SegmentCount(); segs != 2 {
					t.Fatalf("%d segments loaded after the ALTER committed, want 2", segs)
				}
				checkPaths(t, s, wantItems(1, 128), "after the restart")
			}
		})
	}
}

func addColumn(t *testing.T, s *Store, h *Heap) *Tx {
	def := *h.Table
	def.Columns = append(slices.Clone(def.Columns), catalog.Column{Name: "extra", Type: types.TInt4})
	tx := s.Begin()
	if err := tx.AlterTable(h.Table, &def); err != nil {
		t.Fatal(err)
	}
	return tx
}

// TestDamagedSegmentFileRebuilt: a damaged or missing segment file is
// dropped at start, with the segments after it, and the columnizer
// rebuilds them from the heap.
func TestDamagedSegmentFileRebuilt(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(path string) error
		file   int // which file is damaged
		kept   int // segments loaded
	}{
		{"flipped byte in the first", flipByte, 0, 0},
		{"flipped byte in the second", flipByte, 1, 1},
		{"truncated", func(p string) error { return os.Truncate(p, 100) }, 0, 0},
		{"missing", os.Remove, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _, _ := segmentedItems(t)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			files := segFiles(t, s)
			slices.SortFunc(files, func(a, b string) int { return len(a) - len(b) }) // numbers ascend
			if err := tc.damage(filepath.Join(s.opts.Dir, segDir, files[tc.file])); err != nil {
				t.Fatal(err)
			}
			s = openStore(t, s.opts)
			h := heapOf(t, s, "items")
			if segs, _ := h.SegmentCount(); segs != tc.kept {
				t.Fatalf("%d segments loaded, want %d", segs, tc.kept)
			}
			want := wantItems(1, 128)
			checkPaths(t, s, want, "with a damaged segment file")
			if n, err := s.Columnize(); err != nil || n != 2-tc.kept {
				t.Fatalf("Columnize rebuilt %d segments, %v; want %d", n, err, 2-tc.kept)
			}
			checkPaths(t, s, want, "after rebuilding")
			s = restart(t, s, true)
			if segs, _ := heapOf(t, s, "items").SegmentCount(); segs != 2 || len(segFiles(t, s)) != 2 {
				t.Fatalf("after the next restart: %d segments, files %v; want 2", segs, segFiles(t, s))
			}
		})
	}
}

func flipByte(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	b[len(b)/2] ^= 1
	return os.WriteFile(path, b, 0o600)
}

// TestStraySegmentFileRemoved: a crash between writing a segment file and
// the checkpoint that would name it leaves a file that start removes.
func TestStraySegmentFileRemoved(t *testing.T) {
	s, h, _ := segmentedItems(t)
	if err := s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	tx := s.Begin()
	for id := int64(129); id <= 192; id++ {
		mustInsert(t, tx, h, id, defaultName(id))
	}
	mustCommit(t, tx)
	if n, err := s.Columnize(); err != nil || n != 1 {
		t.Fatalf("Columnize: %d segments, %v; want 1", n, err)
	}
	s.segMu.Lock()
	err := s.writeSegments(s.allHeaps()) // the checkpoint's first step, then a crash
	s.segMu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if files := segFiles(t, s); len(files) != 3 {
		t.Fatalf("segment files %v, want 3", files)
	}
	s = restart(t, s, false)
	if files := segFiles(t, s); len(files) != 2 {
		t.Fatalf("segment files %v after the restart, want the 2 the checkpoint names", files)
	}
	if segs, _ := heapOf(t, s, "items").SegmentCount(); segs != 2 {
		t.Fatalf("%d segments loaded, want 2", segs)
	}
	checkPaths(t, s, wantItems(1, 192), "after the restart")
}

// TestSegmentsPartRoundTrip encodes the checkpoint's list of segment row
// ids, in runs, and reads it back; damaged lists are errors.
func TestSegmentsPartRoundTrip(t *testing.T) {
	mk := func(file uint64, ids ...uint64) *Segment {
		seg := &Segment{file: file}
		for _, id := range ids {
			seg.Versions = append(seg.Versions, &Version{ID: id})
		}
		return seg
	}
	segs := map[uint32][]*Segment{
		7: {mk(3, 1, 2, 3, 4, 9, 10, 8, 100), mk(4, 101)},
		9: {mk(12, 5)},
	}
	b := appendSegmentsPart(nil, []uint32{7, 9}, segs)
	got, err := parseSegmentsPart(b)
	if err != nil {
		t.Fatal(err)
	}
	for table, list := range segs {
		for i, seg := range list {
			ref := got[table][i]
			var ids []uint64
			for _, r := range ref.runs {
				for id := r.first; id < r.first+r.n; id++ {
					ids = append(ids, id)
				}
			}
			var want []uint64
			for _, v := range seg.Versions {
				want = append(want, v.ID)
			}
			if ref.file != seg.file || ref.rows != uint64(len(want)) || !slices.Equal(ids, want) {
				t.Fatalf("table %d segment %d: %+v, ids %v; want file %d ids %v", table, i, ref, ids, seg.file, want)
			}
		}
	}
	for cut := range len(b) {
		if _, err := parseSegmentsPart(b[:cut]); err == nil {
			t.Fatalf("a list cut to %d of %d bytes parsed", cut, len(b))
		}
	}
	if _, err := parseSegmentsPart(append(slices.Clone(b), 0)); err == nil {
		t.Fatalf("a list with a trailing byte parsed")
	}
}
