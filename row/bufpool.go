package row

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"rustydb/iouring"
	"rustydb/sqlerr"
	"rustydb/types"
)

// pageID names a page: the table whose heap file holds it, and its block.
type pageID struct{ table, block uint32 }

// frame is one buffer pool slot. The pool's mutex guards id and the page
// table; latch guards the content; pins keep the frame from being reused.
type frame struct {
	id    pageID
	data  page
	latch sync.RWMutex
	pins  atomic.Int32
	usage atomic.Int32
	dirty atomic.Bool
	err   error // why loading failed; set with latch held
	// loaded is set once the page is in data, so that a hit need not take
	// the latch to wait for the read.
	loaded atomic.Bool
	// rows caches the decoded tuples of a heap page, by slot, so that
	// repeated scans of a cached page decode it once. A change to the page
	// (with latch held exclusively) or its replacement drops the cache.
	rows atomic.Pointer[[]atomic.Pointer[[]types.Value]]
}

// modified marks f's page changed: dirty, and its decoded rows stale.
// Caller holds f.latch exclusively.
func (f *frame) modified() {
	if !f.dirty.Load() { // under the latch, only a writer of the page clears it
		f.dirty.Store(true)
	}
	if f.rows.Load() != nil {
		f.rows.Store(nil)
	}
}

// cachedRow returns the slot's decoded row, decoding it with decode on the
// first call. Caller holds f.latch shared; the rows are shared, read-only.
func (f *frame) cachedRow(slot int, decode func() ([]types.Value, error)) ([]types.Value, error) {
	rows := f.rows.Load()
	if rows == nil {
		r := make([]atomic.Pointer[[]types.Value], f.data.count())
		f.rows.CompareAndSwap(nil, &r)
		rows = f.rows.Load()
	}
	if slot >= len(*rows) {
		return decode()
	}
	if vals := (*rows)[slot].Load(); vals != nil {
		return *vals, nil
	}
	vals, err := decode()
	if err == nil {
		(*rows)[slot].Store(&vals)
	}
	return vals, err
}

// maxUsage caps a frame's usage count: how many sweeps of the clock hand it
// survives unused.
const maxUsage = 5

// writeBatch is how many dirty pages eviction writes at once.
const writeBatch = 32

// BufferPoolStats are the pool's counters since open.
type BufferPoolStats struct {
	Pages      int           // capacity
	Used       int           // frames holding a page
	Dirty      int           // frames changed since they were last written
	Hits       uint64        // page requests served from memory
	Misses     uint64        // page requests that read the page
	Evictions  uint64        // pages dropped to make room
	PageWrites uint64        // page images written in place
	Reads      uint64        // pages read from their files
	ReadTime   time.Duration // spent in those reads
}

// bufferPool caches the pages of the heap files in a fixed number of
// frames, replacing them by clock sweep: a hit raises a frame's usage count,
// the hand lowers it, and a frame at zero is replaced. Pages read by
// sequential scans enter with usage 0, so one scan of a big table cannot
// push out the pages that point lookups keep using. Dirty pages are written
// through a doublewrite file (see the package doc) by eviction, in batches,
// and by checkpoints.
type bufferPool struct {
	activity Activity

	dir  string // data directory
	io   iouring.Engine
	size int
	lsn  func() uint64 // the WAL's end, stamped on written pages

	mu     sync.Mutex
	frames []*frame
	table  map[pageID]*frame
	hand   int
	files  map[uint32]iouring.File
	dw     iouring.File

	hits, misses, evictions, writes atomic.Uint64
	reads, readNanos                atomic.Uint64
}

func newBufferPool(dir string, io iouring.Engine, pages int, lsn func() uint64) *bufferPool {
	return &bufferPool{dir: dir, io: io, size: pages, lsn: lsn, table: map[pageID]*frame{}, files: map[uint32]iouring.File{}}
}

func heapPath(dir string, table uint32) string {
	return filepath.Join(dir, "base", strconv.FormatUint(uint64(table), 10))
}

// file returns table's heap file, opening (creating) it. Caller holds mu.
func (bp *bufferPool) file(table uint32) (iouring.File, error) {
	if f := bp.files[table]; f != nil {
		return f, nil
	}
	f, err := bp.io.Open(heapPath(bp.dir, table), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	bp.files[table] = f
	return f, nil
}

// get pins the page id and returns its frame, reading it unless fresh (a
// page being added to the file, which the caller formats). cold marks a
// sequential scan's read.
func (bp *bufferPool) get(id pageID, fresh, cold bool) (*frame, error) {
	bp.mu.Lock()
	if f := bp.table[id]; f != nil {
		f.pins.Add(1)
		if !cold && f.usage.Load() < maxUsage {
			f.usage.Add(1)
		}
		bp.mu.Unlock()
		bp.hits.Add(1)
		if f.loaded.Load() {
			return f, nil
		}
		f.latch.RLock() // waits for a read in progress
		err := f.err
		f.latch.RUnlock()
		if err != nil {
			bp.release(f)
			return nil, err
		}
		return f, nil
	}
	f, err := bp.victim()
	if err != nil {
		bp.mu.Unlock()
		return nil, err
	}
	file, err := bp.file(id.table)
	if err != nil {
		bp.mu.Unlock()
		return nil, err
	}
	f.id, f.err = id, nil
	f.loaded.Store(false)
	f.pins.Store(1)
	f.usage.Store(1)
	if cold {
		f.usage.Store(0)
	}
	bp.table[id] = f
	f.latch.Lock()
	bp.mu.Unlock()
	bp.misses.Add(1)
	f.rows.Store(nil)
	if fresh {
		clear(f.data)
	} else if err = bp.read(file, f); err != nil {
		f.err = err
	}
	f.loaded.Store(err == nil)
	f.latch.Unlock()
	if err != nil {
		bp.mu.Lock()
		if bp.table[id] == f {
			delete(bp.table, id)
			f.id = pageID{noPage, noPage}
		}
		bp.mu.Unlock()
		bp.release(f)
		return nil, err
	}
	return f, nil
}

func (bp *bufferPool) read(file iouring.File, f *frame) error {
	path := heapPath(bp.dir, f.id.table)
	start := time.Now()
	n, err := file.ReadAt(f.data, int64(f.id.block)*PageSize)
	bp.reads.Add(1)
	bp.readNanos.Add(uint64(time.Since(start)))
	if err != nil && err != io.EOF {
		return sqlerr.New(sqlerr.IOError, "could not read block %d of relation file %s: %v", f.id.block, path, err)
	}
	if n < PageSize {
		return sqlerr.New(sqlerr.DataCorrupted, "could not read block %d of relation file %s: read only %d of %d bytes", f.id.block, path, n, PageSize)
	}
	return f.data.verify(path, f.id.table, f.id.block)
}

func (bp *bufferPool) release(f *frame) { f.pins.Add(-1) }

// victim returns an unpinned frame to reuse, writing dirty pages first.
// Caller holds mu.
func (bp *bufferPool) victim() (*frame, error) {
	if len(bp.frames) < bp.size {
		f := &frame{data: page(iouring.AlignedBuffer(PageSize))}
		bp.frames = append(bp.frames, f)
		return f, nil
	}
	for range (maxUsage + 2) * len(bp.frames) {
		f := bp.frames[bp.hand]
		bp.hand = (bp.hand + 1) % len(bp.frames)
		if f.pins.Load() > 0 {
			continue
		}
		if f.usage.Load() > 0 {
			f.usage.Add(-1)
			continue
		}
		if f.dirty.Load() {
			if err := bp.writeDirty(f); err != nil {
				return nil, err
			}
		}
		delete(bp.table, f.id)
		bp.evictions.Add(1)
		return f, nil
	}
	return nil, sqlerr.New(sqlerr.OutOfMemory, "buffer pool exhausted: all %d pages are in use", len(bp.frames)).
		WithHint("Raise storage.buffer_pool_pages.")
}

// writeDirty writes f and up to writeBatch-1 more unpinned dirty frames
// after it, so that the hand finds clean victims for a while. Caller
// holds mu.
func (bp *bufferPool) writeDirty(f *frame) error {
	batch := []*frame{f}
	for i := 0; i < len(bp.frames) && len(batch) < writeBatch; i++ {
		g := bp.frames[(bp.hand+i)%len(bp.frames)]
		if g != f && g.pins.Load() == 0 && g.dirty.Load() {
			batch = append(batch, g)
		}
	}
	return bp.writePages(batch)
}

// writePages writes the frames' pages durably, each one atomically: first
// all of them to the doublewrite file, which is fsynced, then to their
// places in the heap files, which are fsynced. A crash tearing an in-place
// write leaves a page whose checksum fails, which open() repairs from the
// doublewrite copy. Caller holds mu.
func (bp *bufferPool) writePages(frames []*frame) error {
	if len(frames) == 0 {
		return nil
	}
	if bp.dw == nil {
		dw, err := bp.io.Open(filepath.Join(bp.dir, "base", "doublewrite"), os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return err
		}
		bp.dw = dw
	}
	images := iouring.AlignedBuffer(len(frames) * PageSize)
	lsn := bp.lsn()
	for i, f := range frames {
		img := page(images[i*PageSize : (i+1)*PageSize])
		f.latch.RLock()
		copy(img, f.data)
		f.dirty.Store(false)
		f.latch.RUnlock()
		img.setLSN(lsn)
		img.seal()
	}
	err := bp.writeImages(frames, images)
	if err != nil {
		for _, f := range frames {
			f.dirty.Store(true)
		}
		return sqlerr.New(sqlerr.IOError, "could not write data pages: %v", err)
	}
	bp.writes.Add(uint64(len(frames)))
	return nil
}

func (bp *bufferPool) writeImages(frames []*frame, images []byte) error {
	if _, err := bp.dw.WriteAt(images, 0); err != nil {
		return err
	}
	if err := errors.Join(bp.dw.Truncate(int64(len(images))), bp.dw.Sync()); err != nil {
		return err
	}
	byFile := map[uint32][]iouring.Request{}
	for i, f := range frames {
		byFile[f.id.table] = append(byFile[f.id.table], iouring.Request{Op: iouring.Write,
			Buf: images[i*PageSize : (i+1)*PageSize], Off: int64(f.id.block) * PageSize})
	}
	for table, reqs := range byFile {
		file, err := bp.file(table)
		if err != nil {
			return err
		}
		if err := file.Submit(reqs); err != nil {
			return err
		}
		if err := file.Sync(); err != nil {
			return err
		}
	}
	return nil
}

// writeBehind is the background writer's step: when more than a quarter
// of the pool is dirty, it writes a batch of dirty pages that no one is
// using, so that eviction seldom has to write before it can reuse a frame.
func (bp *bufferPool) writeBehind() error {
	bp.mu.Lock()
	defer bp.mu.Unlock()
	var batch, dirty []*frame
	for _, f := range bp.frames {
		if f.dirty.Load() {
			dirty = append(dirty, f)
			if f.pins.Load() == 0 && len(batch) < 4*writeBatch {
				batch = append(batch, f)
			}
		}
	}
	if len(dirty) <= bp.size/4 {
		return nil
	}
	return bp.writePages(batch)
}

// fileBlocks returns how many whole blocks table's heap file holds.
func (bp *bufferPool) fileBlocks(table uint32) (uint32, error) {
	bp.mu.Lock()
	defer bp.mu.Unlock()
	f, err := bp.file(table)
	if err != nil {
		return 0, err
	}
	size, err := f.Size()
	return uint32(size / PageSize), err
}

// flush writes every dirty page; checkpoints call it.
func (bp *bufferPool) flush() error {
	bp.mu.Lock()
	defer bp.mu.Unlock()
	var dirty []*frame
	for _, f := range bp.frames {
		if f.dirty.Load() {
			dirty = append(dirty, f)
		}
	}
	for len(dirty) > 0 {
		n := min(len(dirty), 4*writeBatch)
		if err := bp.writePages(dirty[:n]); err != nil {
			return err
		}
		dirty = dirty[n:]
	}
	return nil
}

// drop forgets table's pages without writing them and closes its file (a
// dropped table's file is removed once no checkpoint needs it).
func (bp *bufferPool) drop(table uint32) {
	bp.mu.Lock()
	defer bp.mu.Unlock()
	for id, f := range bp.table {
		if id.table == table && f.pins.Load() == 0 {
			f.dirty.Store(false)
			f.usage.Store(0)
			delete(bp.table, id)
			f.id = pageID{noPage, noPage}
		}
	}
	if f := bp.files[table]; f != nil {
		f.Close()
		delete(bp.files, table)
	}
}

// repair restores torn pages from the doublewrite file: each valid image
// there whose place in its heap file does not verify is written back.
func (bp *bufferPool) repair() (int, error) {
	path := filepath.Join(bp.dir, "base", "doublewrite")
	dw, err := bp.io.Open(path, os.O_RDONLY, 0)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer dw.Close()
	size, err := dw.Size()
	if err != nil {
		return 0, err
	}
	repaired := 0
	img := page(iouring.AlignedBuffer(PageSize))
	cur := page(iouring.AlignedBuffer(PageSize))
	for off := int64(0); off+PageSize <= size; off += PageSize {
		if _, err := dw.ReadAt(img, off); err != nil {
			return repaired, err
		}
		table, block := img.table(), img.number()
		if isZero(img) || img.verify(path, table, block) != nil {
			continue // torn in the doublewrite file: the in-place write never started
		}
		file, err := bp.io.Open(heapPath(bp.dir, table), os.O_RDWR, 0)
		if errors.Is(err, os.ErrNotExist) {
			continue // the table was dropped
		}
		if err != nil {
			return repaired, err
		}
		n, _ := file.ReadAt(cur, int64(block)*PageSize)
		if n == PageSize && cur.verify("", table, block) == nil && cur.lsn() >= img.lsn() {
			file.Close()
			continue
		}
		_, err = file.WriteAt(img, int64(block)*PageSize)
		if err == nil {
			err = file.Sync()
		}
		file.Close()
		if err != nil {
			return repaired, err
		}
		repaired++
	}
	return repaired, nil
}

// stats returns the pool's counters.
func (bp *bufferPool) stats() BufferPoolStats {
	bp.mu.Lock()
	st := BufferPoolStats{Pages: bp.size, Used: len(bp.table)}
	for _, f := range bp.frames {
		if f.dirty.Load() {
			st.Dirty++
		}
	}
	bp.mu.Unlock()
	st.Hits, st.Misses, st.Evictions, st.PageWrites = bp.hits.Load(), bp.misses.Load(), bp.evictions.Load(), bp.writes.Load()
	st.Reads, st.ReadTime = bp.reads.Load(), time.Duration(bp.readNanos.Load())
	return st
}

// close closes the files; the caller flushed what it needed.
func (bp *bufferPool) close() error {
	bp.mu.Lock()
	defer bp.mu.Unlock()
	var errs []error
	for _, f := range bp.files {
		errs = append(errs, f.Close())
	}
	if bp.dw != nil {
		errs = append(errs, bp.dw.Close())
	}
	bp.files = nil
	return errors.Join(errs...)
}

// describe is for logs: "N of M pages used, D dirty".
func (st BufferPoolStats) String() string {
	return fmt.Sprintf("%d of %d pages used, %d dirty", st.Used, st.Pages, st.Dirty)
}
