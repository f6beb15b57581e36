package row

// Bulk loads. COPY FROM of many rows does not log the rows: as PostgreSQL
// does with wal_level=minimal, it writes them into pages of its own, past
// the table's end, straight to the heap file (no buffer pool, no
// doublewrite), fsyncs the file before the commit record and logs only
// where the rows are. A load is atomic: after a crash it is all there or
// not at all.
//
//   - Until commit, nothing names the load's tuples, so recovery reclaims
//     them as it does any uncommitted tuple (Heap.load). A page torn by a
//     crash during the load holds nothing committed either; recovery frees
//     it (see Heap.load).
//   - At commit, the heap file is fsynced first, then a load record
//     (recLoad: the blocks the load wrote) and the commit record, whose
//     load operation names each row's id and tuple. Both are appended under
//     ckptMu, so no checkpoint falls between them.
//   - Recovery first reads the load records of committed transactions
//     after the checkpoint (Store.scanLoads) and claims their blocks: the
//     rows the log replays before a load must not be stored over its pages,
//     and Heap.load must not clear them (a checkpoint taken during the load
//     counted its blocks but named none of its rows). Replaying the commit
//     record then reinstalls the rows from the pages.
//
// The loader also builds the column segments of the rows it publishes
// (full groups of SegmentRows), which the columnizer installs instead of
// copying the rows again once they are settled (Heap.prebuiltFor).
//
// # WAL formats
//
//	recLoad record:        u32 table id, uvarint range count, then per
//	                       range uvarint first block, uvarint blocks
//	commit operation 9:    u32 table id, uvarint row count, then per row
//	                       uvarint row id delta, uvarint block delta (both
//	                       from the previous row; the first from 0),
//	                       uvarint slot

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"

	"rustydb/catalog"
	"rustydb/column"
	"rustydb/iouring"
	"rustydb/sqlerr"
	"rustydb/types"
	"rustydb/wal"
)

// recLoad is the WAL record type of a load's blocks. Part of the WAL format.
const recLoad wal.RecordType = 5

// loadChunkPages is how many pages a load fills before it writes them and
// publishes their rows: 2 MiB at a time.
const loadChunkPages = 256

// Load is a bulk load into one heap by one transaction; see the comment at
// the top of this file. Not safe for concurrent use.
type Load struct {
	tx *Tx
	h  *Heap
	// def is the table's definition the segments are built for; they are
	// not offered if it changed before commit.
	def *catalog.Table

	images  []byte // the chunk's pages, filled in order
	npages  int
	tuple   []byte
	pending []loadedRow // rows in the chunk's pages, not published yet

	versions []*Version      // published rows, in order
	ranges   [][2]uint32     // blocks written: first, count
	builder  *column.Builder // the segment of versions[segStart:]
	segStart int             // index into versions
	segRows  int             // rows of the segment, runs included
	runs     []rowRun        // rows of the segment not in builder yet
	skip     int             // rows before the first segment (see align)
	rowsPer  int             // rows per segment
	segs     []*Segment      // built segments, installed at commit
	building sync.WaitGroup  // encoders of built segments
	file     iouring.File    // the heap file
	err      error           // a failed chunk: the load cannot go on
}

type loadedRow struct {
	id   uint64
	page int
	slot uint16
	vals []types.Value
	src  *column.Builder // or row idx of src (see AddRow)
	idx  int
}

// BulkLoad starts a bulk load into h. Rows too long for one page go the
// ordinary, logged way. Finish ends the load; the transaction's commit
// makes it durable and visible.
func (tx *Tx) BulkLoad(h *Heap) *Load {
	l := &Load{tx: tx, h: h, def: h.Def(), rowsPer: tx.s.segmentRows(),
		images: iouring.AlignedBuffer(loadChunkPages * PageSize)}
	l.align()
	tx.ops.add(op{kind: opLoad, heap: h, opDef: &opDef{load: l}})
	return l
}

// align sets how many of the load's first rows complete the segment the
// columnizer will build of the versions already there (it copies those
// rows itself), so that the load's segments start where the columnizer's
// batches will: its next batch starts after its last full segment, and
// batches are SegmentRows long. Versions inserted by others during the
// load, or removed by vacuum before the columnizer reaches the load,
// shift the batches; the columnizer then copies the rows as usual.
func (l *Load) align() {
	h := l.h
	h.mu.RLock()
	before := len(h.versions) - h.covered
	if n := len(h.segs); n > 0 && h.segs[n-1].Rows < l.rowsPer {
		before += h.segs[n-1].Rows
	}
	h.mu.RUnlock()
	if r := before % l.rowsPer; r > 0 {
		l.skip = l.rowsPer - r
	}
}

// Add adds a row with vals to the load.
func (l *Load) Add(ctx context.Context, vals []types.Value) error {
	if l.err != nil {
		return l.err
	}
	id := l.h.nextID.Add(1)
	l.tuple = AppendRow(binary.AppendUvarint(l.tuple[:0], id), vals)
	if len(l.tuple) > maxTupleSize {
		return l.tx.Insert(ctx, l.h, vals) // overflow pages: the logged path
	}
	pg, slot, err := l.place(ctx)
	if err != nil {
		return err
	}
	l.pending = append(l.pending, loadedRow{id: id, page: pg, slot: slot, vals: vals})
	return nil
}

// place stores l.tuple in the chunk's pages, and returns the page and
// slot; a full chunk is written and its rows published first.
func (l *Load) place(ctx context.Context) (int, uint16, error) {
	if l.npages == 0 || page(l.images[(l.npages-1)*PageSize:l.npages*PageSize]).freeSpace() < len(l.tuple)+slotSize {
		if l.npages == loadChunkPages {
			if err := l.flush(ctx); err != nil {
				return 0, 0, err
			}
		}
		l.npages++
		initPage(l.images[(l.npages-1)*PageSize:l.npages*PageSize], pageKindHeap, l.h.id, 0)
	}
	slot := page(l.images[(l.npages-1)*PageSize : l.npages*PageSize]).insert(l.tuple)
	return l.npages - 1, uint16(slot), nil
}

// Finish writes and publishes the rows still pending and waits for the
// segments being built.
func (l *Load) Finish(ctx context.Context) error {
	err := l.flush(ctx)
	l.building.Wait()
	l.images, l.builder, l.runs = nil, nil, nil
	return err
}

// flush writes the chunk's pages to new blocks at the table's end, then
// publishes their rows: versions created by the transaction, in the
// indexes after a uniqueness check (which may wait for other writers).
func (l *Load) flush(ctx context.Context) error {
	if l.err != nil || l.npages == 0 {
		return l.err
	}
	h, ps := l.h, &l.h.pages
	h.mu.Lock()
	if h.broken != nil {
		h.mu.Unlock()
		return h.broken
	}
	// The blocks get no room: no other insert may use them before commit.
	first := ps.blocks
	ps.blocks += uint32(l.npages)
	ps.room = append(ps.room, make([]uint16, l.npages)...)
	h.mu.Unlock()
	lsn := ps.pool.lsn()
	for i := range l.npages {
		p := page(l.images[i*PageSize : (i+1)*PageSize])
		binary.LittleEndian.PutUint32(p[20:], first+uint32(i))
		p.setLSN(lsn)
		p.seal()
	}
	if err := l.write(first); err != nil {
		l.err = sqlerr.New(sqlerr.IOError, "could not write loaded pages to relation file %s: %v", heapPath(ps.pool.dir, ps.table), err)
		return l.err
	}
	l.ranges = append(l.ranges, [2]uint32{first, uint32(l.npages)})
	pending := l.pending
	l.pending, l.npages = l.pending[:0], 0
	m, t := l.tx.s.txns, l.tx.Txn
	slab := make([]Version, len(pending)) // one allocation for the chunk's versions
	l.versions = growDoubling(l.versions, len(pending))
	h.mu.Lock()
	h.versions = growDoubling(h.versions, len(pending))
	// A row given column by column has values made only for the indexes,
	// in one row reused (the indexes copy their keys).
	keys := indexColumns(h.Table)
	keyRow := make([]types.Value, len(h.Table.Columns))
	var keySlab []types.Value // the index entries' key values
	for i := 0; i < len(pending); {
		r := &pending[i]
		vals := r.vals
		if r.src != nil {
			r.src.ValuesInto(keyRow, r.idx, keys)
			vals = keyRow
		}
		c := h.checkUnique(m, t, vals)
		if c.err == nil && c.wait == nil {
			v := &slab[i]
			v.ID, v.tid, v.creator, v.cmin = r.id, tid{first + uint32(r.page), r.slot}, t, t.CommandID()
			h.addFrom(v, vals, &keySlab)
			l.versions = append(l.versions, v)
			l.addToSegment(r)
			r.vals, r.src = nil, nil
			i++
			continue
		}
		h.mu.Unlock()
		err := error(c.err)
		if c.err == nil {
			err = waitFor(ctx, m, t, c.wait)
		}
		h.mu.Lock()
		if err != nil {
			// The rows not published are nobody's: their tuples go after the
			// next checkpoint, as removed rows' do.
			for _, r := range pending[i:] {
				ps.pendingFree = append(ps.pendingFree, tid{first + uint32(r.page), r.slot})
			}
			h.mu.Unlock()
			l.err = err
			return err
		}
	}
	h.mu.Unlock()
	return nil
}

// growDoubling makes room for n more elements in s, doubling it when it
// grows: append grows a long slice by a quarter, copying millions of
// pointers again and again during a load.
func growDoubling[S ~[]E, E any](s S, n int) S {
	if cap(s)-len(s) >= n {
		return s
	}
	return slices.Grow(s, max(n, len(s)))
}

// write writes the chunk's pages at block first.
func (l *Load) write(first uint32) error {
	ps := &l.h.pages
	if l.file == nil {
		ps.pool.mu.Lock()
		f, err := ps.pool.file(ps.table)
		ps.pool.mu.Unlock()
		if err != nil {
			return err
		}
		l.file = f
	}
	off, n := int64(first)*PageSize, int64(l.npages)*PageSize
	if _, err := l.file.WriteAt(l.images[:n], off); err != nil {
		return err
	}
	// The kernel writes the chunk back now, while the load goes on, rather
	// than all of the load's pages at the commit's fsync. Only advice: that
	// fsync reports any error.
	_ = l.file.Writeback(off, n)
	return nil
}

// addToSegment adds a published row to the segment being built, and
// finishes the segment (on a goroutine of its own) once it is full. Rows
// given column by column (AddRow) are noted as runs of their batches,
// which that goroutine copies: the loader's goroutine, which keeps the
// rows in order, is a load's one serial part.
func (l *Load) addToSegment(r *loadedRow) {
	if l.skip > 0 {
		l.skip--
		return
	}
	if l.segRows == 0 {
		l.segStart = len(l.versions) - 1
	}
	if r.src != nil {
		if n := len(l.runs); n > 0 && l.runs[n-1].src == r.src && l.runs[n-1].to == r.idx {
			l.runs[n-1].to++
		} else {
			l.runs = append(l.runs, rowRun{src: r.src, from: r.idx, to: r.idx + 1})
		}
	} else {
		l.copyRuns() // (a load adds its rows one way only; the order holds if not)
		l.builder.Add(r.vals)
	}
	if l.segRows++; l.segRows < l.rowsPer {
		return
	}
	b, runs, seg := l.builder, l.runs, &Segment{Versions: l.versions[l.segStart:len(l.versions):len(l.versions)]}
	l.segs = append(l.segs, seg)
	l.builder, l.runs, l.segRows = nil, nil, 0
	def, rowsPer := l.def, l.rowsPer
	l.building.Go(func() {
		if b == nil {
			b = column.NewBuilder(def, rowsPer)
		}
		for _, run := range runs {
			b.AppendRows(run.src, run.from, run.to)
		}
		seg.Segment = b.Finish()
		seg.Segment.Encode()
	})
}

// copyRuns copies the segment's runs into its builder, which it makes if
// need be.
func (l *Load) copyRuns() {
	if l.builder == nil {
		l.builder = column.NewBuilder(l.def, l.rowsPer)
	}
	for _, run := range l.runs {
		l.builder.AppendRows(run.src, run.from, run.to)
	}
	l.runs = nil
}

// sync makes the load's pages durable; the commit calls it before logging.
func (l *Load) sync() error {
	if l.file == nil {
		return nil
	}
	// One fsync at the end: fsyncs during the load stall its writes
	// (measured: SF1 lineitem 37 s without, 68 s with one every 64 MiB).
	if err := l.file.Sync(); err != nil {
		return sqlerr.New(sqlerr.IOError, "could not fsync relation file %s: %v", heapPath(l.h.pages.pool.dir, l.h.id), err)
	}
	return nil
}

// appendBlocks appends the recLoad record's payload.
func (l *Load) appendBlocks(buf []byte) []byte {
	buf = binary.LittleEndian.AppendUint32(buf, l.h.id)
	buf = binary.AppendUvarint(buf, uint64(len(l.ranges)))
	for _, r := range l.ranges {
		buf = binary.AppendUvarint(buf, uint64(r[0]))
		buf = binary.AppendUvarint(buf, uint64(r[1]))
	}
	return buf
}

// appendOp appends the load's commit operation (its kind byte excluded).
func (l *Load) appendOp(buf []byte) []byte {
	buf = binary.LittleEndian.AppendUint32(buf, l.h.id)
	buf = binary.AppendUvarint(buf, uint64(len(l.versions)))
	var id uint64
	var block uint32
	for _, v := range l.versions {
		buf = binary.AppendUvarint(buf, v.ID-id)
		buf = binary.AppendUvarint(buf, uint64(v.tid.block-block))
		buf = binary.AppendUvarint(buf, uint64(v.tid.slot))
		id, block = v.ID, v.tid.block
	}
	return buf
}

// offer hands the load's segments to the heap before the commit makes
// its rows visible (so that no columnizer copies them first): the
// columnizer takes them when their rows are settled.
func (l *Load) offer() {
	if len(l.segs) == 0 {
		return
	}
	h := l.h
	h.mu.Lock()
	if h.Table != l.def {
		h.mu.Unlock()
		return
	}
	if h.prebuilt == nil {
		h.prebuilt = make(map[*Version]*Segment)
	}
	for _, seg := range l.segs {
		h.prebuilt[seg.Versions[0]] = seg
	}
	h.mu.Unlock()
}

// install wakes the background columnizer once the load committed, which
// takes its segments if no open transaction's snapshot predates the
// commit. The commit does not wait for it: checking millions of versions
// and building the rows before the load's first segment take a while.
func (l *Load) install() {
	if len(l.segs) > 0 {
		l.tx.s.wakeColumnizer()
	}
}

// undo takes the rolled-back load's rows out of the indexes; vacuum
// removes them and their tuples.
func (l *Load) undo() {
	h := l.h
	h.mu.Lock()
	for _, seg := range l.segs {
		delete(h.prebuilt, seg.Versions[0])
	}
	h.mu.Unlock()
	if len(h.Def().IndexKeys()) == 0 {
		return
	}
	r := h.Reader()
	defer r.Close()
	for _, v := range l.versions {
		if vals, err := r.Values(v); err == nil {
			h.undoInsert(v, vals)
		}
	}
}

// prebuiltFor returns the segment a load built of exactly the versions of
// batch, or nil. A load's segment that can no longer be used (the
// columnizer made one of other rows that start within it) is forgotten.
func (h *Heap) prebuiltFor(batch []*Version) *column.Segment {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.prebuilt) == 0 || len(batch) == 0 {
		return nil
	}
	seg := h.prebuilt[batch[0]]
	if seg == nil || len(seg.Versions) != len(batch) {
		for _, v := range batch {
			delete(h.prebuilt, v)
		}
		return nil
	}
	delete(h.prebuilt, batch[0])
	for i, v := range batch {
		if seg.Versions[i] != v {
			return nil
		}
	}
	return seg.Segment
}

// scanLoads reads the load records of the transactions committed after
// redo and returns the blocks they wrote, by table (see the top of this
// file).
func scanLoads(log *wal.Log, redo wal.LSN) (map[uint32]map[uint32]bool, error) {
	pending := map[uint64][][]byte{}
	claims := map[uint32]map[uint32]bool{}
	err := log.Replay(redo, func(r wal.Record) error {
		switch r.Type {
		case recLoad:
			pending[r.Txn] = append(pending[r.Txn], r.Data)
		case wal.TypeCommit:
			for _, data := range pending[r.Txn] {
				if err := claimBlocks(claims, data); err != nil {
					return err
				}
			}
			delete(pending, r.Txn)
		}
		return nil
	})
	return claims, err
}

// claimBlocks adds the blocks of a recLoad payload to claims.
func claimBlocks(claims map[uint32]map[uint32]bool, data []byte) error {
	if len(data) < 4 {
		return errCorrupt
	}
	table := binary.LittleEndian.Uint32(data)
	data = data[4:]
	n, k := binary.Uvarint(data)
	if k <= 0 {
		return errCorrupt
	}
	data = data[k:]
	if claims[table] == nil {
		claims[table] = map[uint32]bool{}
	}
	for range n {
		first, k1 := binary.Uvarint(data)
		if k1 <= 0 {
			return errCorrupt
		}
		count, k2 := binary.Uvarint(data[k1:])
		if k2 <= 0 || first+count > 1<<32 {
			return errCorrupt
		}
		data = data[k1+k2:]
		for b := first; b < first+count; b++ {
			claims[table][uint32(b)] = true
		}
	}
	return nil
}

// claim makes room in ps for the blocks committed loads wrote past its
// end, so that the rows recovery stores before their load does not reuse
// them; the blocks between them hold nothing committed and are free.
func (ps *pages) claim(claimed map[uint32]bool) {
	end := ps.blocks
	for b := range claimed {
		end = max(end, b+1)
	}
	for b := ps.blocks; b < end; b++ {
		ps.room = append(ps.room, 0)
		if !claimed[b] {
			ps.freeBlocks = append(ps.freeBlocks, b)
		}
	}
	ps.blocks = end
}

// redoLoad reinstalls the rows of a committed load from its pages, which
// were durable before its commit record.
func (s *Store) redoLoad(data []byte) ([]byte, error) {
	if len(data) < 4 {
		return nil, errCorrupt
	}
	h := s.heaps[binary.LittleEndian.Uint32(data)]
	n, k := binary.Uvarint(data[4:])
	if k <= 0 {
		return nil, errCorrupt
	}
	data = data[4+k:]
	var r *Reader
	if h != nil {
		r = h.Reader()
		defer r.Close()
	}
	var id uint64
	var block uint32
	blocks := map[uint32]bool{}
	for range n {
		var d [3]uint64
		for i := range d {
			x, k := binary.Uvarint(data)
			if k <= 0 {
				return nil, errCorrupt
			}
			d[i], data = x, data[k:]
		}
		id, block = id+d[0], block+uint32(d[1])
		if h == nil {
			continue // dropped later in the log
		}
		if block >= h.pages.blocks || d[2] > 0xFFFF {
			return nil, fmt.Errorf("load record names block %d of table %d, which has %d: %w", block, h.id, h.pages.blocks, errCorrupt)
		}
		v := &Version{ID: id, tid: tid{block, uint16(d[2])}}
		vals, err := r.Values(v)
		if err != nil {
			return nil, err
		}
		h.add(v, vals)
		if h.redoIndex != nil {
			h.redoIndex[id] = v
		}
		if id > h.nextID.Load() {
			h.nextID.Store(id)
		}
		blocks[block] = true
	}
	if h != nil {
		for b := range blocks {
			f, err := h.pages.pool.get(pageID{h.id, b}, false, true)
			if err != nil {
				return nil, err
			}
			h.pages.room[b] = uint16(f.data.freeSpace())
			h.pages.pool.release(f)
		}
	}
	return data, nil
}

// clearClaimed removes from the claimed blocks the tuples no version
// names, once the log is replayed: tuples stored there after the load,
// in the free room recovery gave its pages, by a transaction that did not
// commit or whose rows the replay stored elsewhere.
func (h *Heap) clearClaimed(claimed map[uint32]bool) error {
	if len(claimed) == 0 {
		return nil
	}
	used := map[tid]bool{}
	for _, v := range h.versions {
		if claimed[v.tid.block] {
			used[v.tid] = true
		}
	}
	ps := &h.pages
	for b := range claimed {
		f, err := ps.pool.get(pageID{ps.table, b}, false, true)
		if err != nil {
			return err
		}
		f.latch.Lock()
		if p := f.data; p.kind() == pageKindHeap {
			for i := range p.count() {
				if off, _ := p.slot(i); off != 0 && !used[tid{b, uint16(i)}] {
					p.remove(i)
					f.modified()
				}
			}
			ps.room[b] = uint16(p.freeSpace())
		}
		f.latch.Unlock()
		ps.pool.release(f)
	}
	return nil
}

// tornFree reports whether block b, which failed its check when recovery
// read it, can be freed: no row the checkpoint names uses it, so it holds
// nothing committed (a load's page torn by a crash before its commit).
func tornFree(err error, usedBlock bool) bool {
	var e *sqlerr.Error
	return !usedBlock && errors.As(err, &e) && e.Code == sqlerr.DataCorrupted
}

// logLoads appends the load records of tx's bulk loads, before its commit
// record. Caller holds ckptMu shared.
func (tx *Tx) logLoads() error {
	for o := range tx.ops.all() {
		if o.kind == opLoad && len(o.load.ranges) > 0 {
			if _, err := tx.s.log.Append(tx.ID, recLoad, o.load.appendBlocks(nil)); err != nil {
				return err
			}
		}
	}
	return nil
}
