package row

// Segment files: column segments kept across restarts, so that a restart
// does not copy every settled row into segments again.
//
// A checkpoint writes each segment that has no file yet to
// seg/<table id>_<n> (the format of package column's segfile.go; n numbers
// the files of the data directory, never reused while a checkpoint names
// one) and fsyncs it and the directory before it writes meta/checkpoint,
// whose segments part names, per table, the files of a prefix of its
// segments and the row ids each holds. A file is written whole before any
// checkpoint names it, and never changed; a file no checkpoint names
// (written before a crash, or of a segment since dropped: vacuumed,
// replaced, its table dropped or altered) is removed at start and after
// every checkpoint.
//
// At start, after the checkpoint's rows are loaded, each named file
// becomes the heap's segment again: its versions are the loaded versions
// with its row ids, in order. A row of the segment that the checkpoint
// does not name was dead by then (deleted, or its creator aborted); it
// gets a dead placeholder version, which no snapshot sees and which is not
// one of the heap's versions, and the segment is marked touched so scans
// check visibility per row. Dropping such a segment instead would make
// every restart after a single DELETE rebuild all segments behind it;
// vacuum drops segments that are mostly dead, placeholders included. A
// file that is missing, damaged or does not match the table's columns is
// logged and dropped with every segment after it (segments cover a prefix
// of the heap's versions); the columnizer copies those rows again.
//
// # Segments part of the checkpoint file (after the roles)
//
//	uvarint table count, then per table: u32 table id, uvarint segment
//	count, then per segment: uvarint file number n, uvarint row count,
//	uvarint run count, then per run of consecutive row ids: zig-zag varint
//	first id minus the end of the previous run (0 for the first), uvarint
//	length. A checkpoint without this part names no segment files.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"rustydb/column"
	"rustydb/txn"
)

// segDir is the directory of segment files under the data directory.
const segDir = "seg"

func segPath(dir string, table uint32, n uint64) string {
	return filepath.Join(dir, segDir, strconv.FormatUint(uint64(table), 10)+"_"+strconv.FormatUint(n, 10))
}

// parseSegName returns the file number of a segment file's name.
func parseSegName(name string) (uint64, bool) {
	_, num, ok := strings.Cut(name, "_")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(num, 10, 64)
	return n, err == nil
}

// idRun is a run of consecutive row ids.
type idRun struct{ first, n uint64 }

// segRef is a segment file as a checkpoint names it.
type segRef struct {
	file uint64
	rows uint64
	runs []idRun
}

// writeSegments writes a file for every segment of heaps that has none,
// fsyncing each and then the directory. Caller holds segMu.
func (s *Store) writeSegments(heaps []*Heap) error {
	wrote := false
	for _, h := range heaps {
		h.mu.RLock()
		segs := h.segs
		h.mu.RUnlock()
		for _, seg := range segs {
			if seg.file != 0 {
				continue
			}
			n := s.nextSegFile + 1
			data := seg.EncodeFile()
			if err := s.writeSynced(segPath(s.opts.Dir, h.id, n), data); err != nil {
				return fmt.Errorf("cannot write segment file: %w", err)
			}
			s.nextSegFile, seg.file, wrote = n, n, true
			seg.diskBytes.Store(int64(len(data)))
		}
	}
	if !wrote {
		return nil
	}
	return syncDir(filepath.Join(s.opts.Dir, segDir))
}

// fileSegments returns the prefix of h's segments that have files.
func (h *Heap) fileSegments() []*Segment {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for i, seg := range h.segs {
		if seg.file == 0 {
			return h.segs[:i]
		}
	}
	return h.segs
}

// appendSegmentsPart appends the checkpoint's segments part: per table id,
// its segments with files.
func appendSegmentsPart(buf []byte, tables []uint32, segs map[uint32][]*Segment) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(tables)))
	for _, id := range tables {
		buf = binary.LittleEndian.AppendUint32(buf, id)
		buf = binary.AppendUvarint(buf, uint64(len(segs[id])))
		for _, seg := range segs[id] {
			buf = binary.AppendUvarint(buf, seg.file)
			buf = binary.AppendUvarint(buf, uint64(len(seg.Versions)))
			runs := idRuns(seg.Versions)
			buf = binary.AppendUvarint(buf, uint64(len(runs)))
			end := uint64(0)
			for _, r := range runs {
				buf = binary.AppendVarint(buf, int64(r.first-end))
				buf = binary.AppendUvarint(buf, r.n)
				end = r.first + r.n
			}
		}
	}
	return buf
}

func idRuns(vs []*Version) []idRun {
	var runs []idRun
	for i, v := range vs {
		if i > 0 && v.ID == vs[i-1].ID+1 {
			runs[len(runs)-1].n++
		} else {
			runs = append(runs, idRun{v.ID, 1})
		}
	}
	return runs
}

// parseSegmentsPart reads a checkpoint's segments part.
func parseSegmentsPart(b []byte) (map[uint32][]segRef, error) {
	bad := errors.New("segment list")
	uvarint := func() uint64 {
		x, k := binary.Uvarint(b)
		if k <= 0 {
			b = nil
			return math.MaxUint64 // fails every bound below
		}
		b = b[k:]
		return x
	}
	out := map[uint32][]segRef{}
	tables := uvarint()
	for t := uint64(0); t < tables; t++ {
		if len(b) < 4 {
			return nil, bad
		}
		id := binary.LittleEndian.Uint32(b)
		b = b[4:]
		count := uvarint()
		if count > uint64(len(b)) {
			return nil, bad
		}
		refs := make([]segRef, count)
		for i := range refs {
			r := &refs[i]
			r.file, r.rows = uvarint(), uvarint()
			nruns := uvarint()
			if r.rows > math.MaxInt32 || nruns > r.rows || nruns > uint64(len(b)) {
				return nil, bad
			}
			r.runs = make([]idRun, nruns)
			end, sum := uint64(0), uint64(0)
			for k := range r.runs {
				d, n := binary.Varint(b)
				if n <= 0 {
					return nil, bad
				}
				b = b[n:]
				r.runs[k] = idRun{end + uint64(d), uvarint()}
				end = r.runs[k].first + r.runs[k].n
				sum += r.runs[k].n
				if sum > r.rows {
					return nil, bad
				}
			}
			if sum != r.rows {
				return nil, bad
			}
		}
		out[id] = refs
	}
	if len(b) != 0 || tables == math.MaxUint64 {
		return nil, bad
	}
	return out, nil
}

// loadSegments makes the files refs name h's segments again, after the
// checkpoint's rows are loaded and before the log is replayed. It stops at
// the first file it cannot use, logging why.
func (s *Store) loadSegments(h *Heap, refs []segRef) {
	at := 0 // h.versions[:at] are in segments
	for _, ref := range refs {
		seg, err := s.readSegment(h, ref)
		if err != nil {
			s.logger.Warn("segment file dropped; the columnizer copies its rows from the heap again",
				"table", h.Table.Name, "file", segPath(s.opts.Dir, h.id, ref.file), "err", err)
			return
		}
		for _, r := range ref.runs {
			for id := r.first; id < r.first+r.n; id++ {
				v := &Version{ID: id}
				if at < len(h.versions) && h.versions[at].ID == id {
					v = h.versions[at]
					at++
					seg.held++
				} else { // dead before the checkpoint: a placeholder no snapshot sees
					v.deleter.Store(txn.Recovered)
					seg.touched.Store(true)
				}
				v.seg = seg
				seg.Versions = append(seg.Versions, v)
			}
		}
		h.segs = append(h.segs, seg)
		h.covered = at
	}
}

// readSegment reads and checks the file ref names.
func (s *Store) readSegment(h *Heap, ref segRef) (*Segment, error) {
	data, err := s.readFile(segPath(s.opts.Dir, h.id, ref.file))
	if err != nil {
		return nil, err
	}
	cs, err := column.DecodeSegment(data)
	if err != nil {
		return nil, err
	}
	if uint64(cs.Rows) != ref.rows || len(cs.Cols) != len(h.Table.Columns) {
		return nil, fmt.Errorf("%d rows and %d columns, the checkpoint names %d rows of a table of %d columns", cs.Rows, len(cs.Cols), ref.rows, len(h.Table.Columns))
	}
	for i, c := range cs.Cols {
		if c.Type != h.Table.Columns[i].Type {
			return nil, fmt.Errorf("column %d has type %v, the table %v", i+1, c.Type, h.Table.Columns[i].Type)
		}
	}
	seg := &Segment{Segment: cs, Versions: make([]*Version, 0, cs.Rows), file: ref.file}
	seg.diskBytes.Store(int64(len(data)))
	return seg, nil
}

// keptSegments adds to named, the files a checkpoint names, those of the
// segments in memory that it left out (of a table being altered): the
// next checkpoint may name them.
func (s *Store) keptSegments(named map[uint64]bool) map[uint64]bool {
	for _, h := range s.allHeaps() {
		h.mu.RLock()
		for _, seg := range h.segs {
			if seg.file != 0 {
				named[seg.file] = true
			}
		}
		h.mu.RUnlock()
	}
	return named
}

// removeUnnamedSegments removes the segment files that named does not
// list, and sets the next file number past every file kept.
func (s *Store) removeUnnamedSegments(named map[uint64]bool) {
	dir := filepath.Join(s.opts.Dir, segDir)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		n, ok := parseSegName(e.Name())
		if ok && named[n] {
			s.nextSegFile = max(s.nextSegFile, n)
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			s.logger.Warn("could not remove a segment file no checkpoint names", "err", err)
		}
	}
}

func segmentDiskBytes(segs []*Segment) int64 {
	var n int64
	for _, s := range segs {
		n += s.diskBytes.Load()
	}
	return n
}
