// Package row is RustyDB's row store: heap files of slotted 8 KiB pages
// behind a buffer pool, the MVCC versions that say which tuples each
// transaction sees, B+tree indexes, the transaction write path that logs
// every commit in the WAL before it becomes visible, checkpoints and crash
// recovery.
//
// Row values live in pages, which the buffer pool caches and evicts; the
// MVCC version list and the indexes (with their keys) stay in memory and are
// rebuilt from the pages at start. The WAL is logical and redo-only: a
// commit record carries its rows, so pages never need undo, and recovery
// loads the rows the last checkpoint names and replays the log after it.
// A bulk load (COPY FROM) is the exception: its pages are written and
// fsynced before its commit, whose record names where its rows are
// (bulk.go).
//
// # Files under the data directory
//
//	meta/control      JSON {"format_version": 2, "created_by": "..."}; a data
//	                  directory with another format version is refused.
//	meta/checkpoint   the last checkpoint (below); replaced atomically by rename.
//	base/<table id>   the table's heap file: 8 KiB pages, block n at n*8192.
//	base/doublewrite  the last batch of pages written, see below.
//	seg/<table>_<n>   a column segment file, named by the checkpoint (segfiles.go).
//	wal/              the write-ahead log (package wal).
//
// # Page (8192 bytes, little-endian)
//
//	offset size
//	0      4    CRC-32C (Castagnoli) of bytes 4..8191, checked on every read
//	4      1    kind: 1 heap, 2 overflow (0 in a block never written)
//	5      1    reserved, 0
//	6      2    heap: slot count; overflow: payload bytes
//	8      8    LSN: the WAL's end when the page was last written
//	16     4    table id  } a page read from the wrong place fails its check
//	20     4    block     }
//	24     2    heap: end of the slot array (free space starts here)
//	26     2    heap: start of the tuple data (free space ends here)
//	28     4    heap: u16 empty slots, u16 bytes of removed tuples not yet
//	            compacted away; overflow: next block of the chain,
//	            0xFFFFFFFF at the end
//	32     ...  heap: slots of 4 bytes (u16 tuple offset, u16 length; offset
//	            0 = empty slot), then free space, then tuples from the end of
//	            the page down. Overflow: the payload.
//
// A tuple is the row id (uvarint) followed by the row encoding below. A row
// longer than 2000 bytes has its longest text, bytea, numeric, json and
// jsonb values moved to chains of overflow pages in the same file (value
// kind 10). A tuple is addressed by (block, slot); slots never move,
// compaction moves only bytes.
//
// A page that fails its checksum is never used: queries on its table get
// SQLSTATE XX001 naming the file and block.
//
// # Writing pages: doublewrite
//
// Dirty pages are written by eviction (in batches) and by checkpoints. Each
// batch is first written to base/doublewrite (page images back to back) and
// fsynced, then written in place and the heap files fsynced. A crash tearing
// an in-place write leaves a page whose checksum fails; Open restores it from
// its doublewrite copy. Slots and overflow pages of removed rows are reused
// only after the next checkpoint, which no longer names them, so a page
// written at any time never destroys a tuple the last checkpoint names.
//
// # Checkpoint file (little-endian)
//
//	+--------+---------+----------+-------------+-----------------+--------+-------+----------+---------+
//	| magic  | version | redo LSN | catalog len | catalog JSON    | tables | roles | segments | trailer |
//	| 8 B    | u32     | u64      | uvarint     | []catalog.Table | ...    | ...   | ...      | 4 B     |
//	+--------+---------+----------+-------------+-----------------+--------+-------+----------+---------+
//	tables: uvarint count, then per table: u32 table id, uvarint next row id,
//	uvarint block count, uvarint row count, then per committed row: uvarint
//	row id, uvarint block, uvarint slot.
//	roles: uvarint length + []catalog.Role JSON, the committed roles. A
//	checkpoint written before roles existed lacks this part; it has none.
//	segments: the column segment files of each table and the row ids they
//	hold, laid out in segfiles.go. A checkpoint written before segment
//	files existed lacks this part; it names none.
//	trailer: u32 CRC-32C (Castagnoli) of every byte before it.
//
// The catalog JSON lists the schema entries first, then the relations;
// schemas are entries without rows, as views are.
//
// A checkpoint first writes the segment files it will name and every dirty
// page, then this file. Recovery loads the rows it names, clears every other
// tuple from the pages (rows written after it, or by transactions that had
// not committed) and replays the WAL from its redo LSN.
//
// # Row encoding
//
//	uvarint column count, then per value a kind byte and its payload:
//	0 NULL, 1 false, 2 true, 3 integer (zig-zag varint), 4 float (8 bytes,
//	IEEE 754), 5 numeric (uvarint length + decimal text), 6 text (uvarint
//	length + bytes), 7 date (zig-zag varint days since 1970-01-01),
//	8 timestamp (zig-zag varint microseconds since 1970-01-01), 9 interval
//	(zig-zag varints: microseconds, days, months), 10 out of line (heap
//	tuples only: uvarint length, u32 first overflow block, the kind byte of
//	the text, bytea or numeric value), 11 numeric with a coefficient that fits in
//	64 bits (zig-zag varints: exponent, coefficient), 12 array (uvarint
//	element type ID, uvarint length + the canonical text form), 13 uuid
//	(the 16 bytes), 14 bytea (uvarint length + bytes), 15 timestamp with
//	time zone (zig-zag varint microseconds since 1970-01-01 00:00:00 UTC),
//	16 time (zig-zag varint microseconds since midnight), 17 json (uvarint
//	length + the text as input), 18 jsonb (uvarint length + the canonical
//	text of package jsonb: keys sorted shorter first then bytewise and
//	unique, numbers in numeric's output form, ", " and ": " separators).
//
// # WAL commit record payload (record type wal.TypeCommit)
//
//	a sequence of operations, each a kind byte:
//	1 insert:       u32 table id, uvarint row id, row
//	2 delete:       u32 table id, uvarint row id
//	3 create table: uvarint length + catalog.Table JSON (a table, view,
//	                sequence or, with "namespace", a schema)
//	4 drop table:   u32 table id
//	5 alter table:  uvarint length + the new catalog.Table JSON (same id)
//	6 create role:  uvarint length + catalog.Role JSON
//	7 alter role:   uvarint length + the new catalog.Role JSON (same id)
//	8 drop role:    u32 role id
//	9 load:         a bulk load's rows, located in its pages (bulk.go)
package row

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"rustydb/catalog"
	"rustydb/iouring"
	"rustydb/sqlerr"
	"rustydb/txn"
	"rustydb/types"
	"rustydb/wal"
)

// Format constants. Part of the on-disk format.
const (
	FormatVersion   = 2
	checkpointMagic = "RDBCKPT2"

	opInsert      = 1
	opDelete      = 2
	opCreateTable = 3
	opDropTable   = 4
	opAlterTable  = 5
	opCreateRole  = 6
	opAlterRole   = 7
	opDropRole    = 8
	opLoad        = 9
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Options configures a Store.
type Options struct {
	Dir         string // data directory
	WALDir      string // defaults to Dir/wal
	SyncMode    wal.SyncMode
	SegmentSize int64
	Logger      *slog.Logger
	// IO runs the reads, writes and syncs of every storage file; nil means
	// pread.
	IO iouring.Engine
	// BufferPoolPages is the buffer pool's size in 8 KiB pages; 0 means
	// DefaultBufferPoolPages.
	BufferPoolPages int
	// SegmentRows is the number of rows in a column segment; 0 means
	// DefaultSegmentRows.
	SegmentRows int
}

// DefaultBufferPoolPages is the buffer pool size of an embedded database:
// 128 MiB, PostgreSQL's default shared_buffers. Frames are allocated as
// pages are first read.
const DefaultBufferPoolPages = 16384

// Store is the database's storage: catalog, heaps, log and transactions.
type Store struct {
	opts          Options
	autovacuumOff atomic.Bool
	log           *wal.Log
	txns          *txn.Manager
	catalog       *catalog.Catalog
	logger        *slog.Logger

	heapsMu sync.RWMutex
	heaps   map[uint32]*Heap
	// heapView is a copy of heaps, replaced (under heapsMu) at every
	// change, that Heap reads without a lock: every statement looks its
	// table's heap up.
	heapView atomic.Pointer[map[uint32]*Heap]

	// ckptMu orders commits against checkpoints: a commit holds it shared
	// from logging to becoming visible, a checkpoint exclusively.
	ckptMu sync.RWMutex

	// DDL of open transactions: checkpoints leave out tables whose creation is
	// not committed and keep tables whose drop is not.
	pendingMu      sync.Mutex
	pendingCreates map[uint32]bool
	pendingDrops   map[uint32]*catalog.Table
	pendingAlters  map[uint32]*catalog.Table // the committed definition
	pendingRoles   map[uint32]pendingRole    // by role ID

	seqMu sync.Mutex
	seqs  map[uint32]*seqState

	pool   *bufferPool
	stopBG chan struct{}
	// columnizeNow wakes the background columnizer (wakeColumnizer).
	columnizeNow chan struct{}
	stopOnce     sync.Once
	bgWriter     sync.WaitGroup
	// droppedFiles are heap files of dropped tables, removed once a
	// checkpoint no longer names the tables.
	droppedFiles []uint32

	// segMu runs checkpoints one at a time: each writes the segment files
	// it names and then removes those it does not (segfiles.go).
	segMu       sync.Mutex
	nextSegFile uint64          // the highest segment file number in use
	segNamed    map[uint64]bool // the segment files the checkpoint loaded at start names

	checkpoints atomic.Uint64
	redoLSN     atomic.Uint64 // the last checkpoint's redo LSN
	recovered   RecoveryInfo
	opened      time.Time
	// claims are the blocks of committed bulk loads recovery replays, by
	// table; during Open only (bulk.go).
	claims map[uint32]map[uint32]bool
}

// RecoveryInfo says what Open found.
type RecoveryInfo struct {
	CheckpointLSN   wal.LSN
	ReplayedRecords int
	ReplayedTxns    int
	TornTail        string // "" when the log ended cleanly
	RepairedPages   int    // torn data pages restored from the doublewrite file
}

// Open opens (creating if needed) the data directory and recovers it.
func Open(opts Options) (*Store, error) {
	if opts.WALDir == "" {
		opts.WALDir = filepath.Join(opts.Dir, "wal")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.IO == nil {
		opts.IO = iouring.NewPread()
	}
	if opts.BufferPoolPages == 0 {
		opts.BufferPoolPages = DefaultBufferPoolPages
	}
	meta := filepath.Join(opts.Dir, "meta")
	for _, d := range []string{meta, filepath.Join(opts.Dir, "base"), filepath.Join(opts.Dir, segDir)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("cannot create data directory %s: %w", opts.Dir, err)
		}
	}
	s := &Store{opts: opts, catalog: catalog.New(), heaps: make(map[uint32]*Heap), logger: opts.Logger,
		pendingCreates: make(map[uint32]bool), pendingDrops: make(map[uint32]*catalog.Table),
		pendingAlters: make(map[uint32]*catalog.Table), pendingRoles: make(map[uint32]pendingRole), seqs: make(map[uint32]*seqState)}
	if err := s.checkControl(meta); err != nil {
		return nil, err
	}
	s.pool = newBufferPool(opts.Dir, opts.IO, opts.BufferPoolPages, func() uint64 {
		if s.log == nil {
			return 0
		}
		return uint64(s.log.End())
	})
	repaired, err := s.pool.repair()
	if err != nil {
		return nil, fmt.Errorf("cannot repair torn pages from the doublewrite file: %w", err)
	}
	s.recovered.RepairedPages = repaired
	log, err := wal.Open(wal.Options{Dir: opts.WALDir, SegmentSize: opts.SegmentSize, SyncMode: opts.SyncMode, IO: opts.IO})
	if err != nil {
		return nil, fmt.Errorf("cannot open WAL in %s: %w", opts.WALDir, err)
	}
	redo, err := s.loadCheckpoint(func(redo wal.LSN) (err error) {
		s.claims, err = scanLoads(log, redo) // before any heap is loaded
		return err
	})
	if err != nil {
		log.Close()
		return nil, err
	}
	s.recovered.CheckpointLSN = redo
	s.redoLSN.Store(uint64(redo))
	s.log = log
	if at, reason, found := log.TornTail(); found {
		s.recovered.TornTail = fmt.Sprintf("at LSN %d: %s", at, reason)
	}
	var maxTxn uint64
	err = log.Replay(redo, func(r wal.Record) error {
		s.recovered.ReplayedRecords++
		maxTxn = max(maxTxn, r.Txn)
		if r.Type == recSequence {
			return s.redoSequence(r.Data)
		}
		if r.Type != wal.TypeCommit {
			return nil
		}
		s.recovered.ReplayedTxns++
		return s.redo(r.Data)
	})
	if err != nil {
		log.Close()
		return nil, fmt.Errorf("WAL replay failed: %w", err)
	}
	for _, h := range s.heaps {
		h.redoIndex = nil
		if err := h.clearClaimed(s.claims[h.id]); err != nil {
			log.Close()
			return nil, fmt.Errorf("WAL replay failed: %w", err)
		}
		h.vacuum(txn.Recovered.CommitSeq())
	}
	s.claims = nil
	s.publishHeaps()
	s.txns = txn.NewManager(maxTxn)
	s.removeStrayFiles()
	s.opened = time.Now()
	s.stopBG, s.columnizeNow = make(chan struct{}), make(chan struct{}, 1)
	s.bgWriter.Add(2)
	go s.every(200*time.Millisecond, nil, "background writer could not write pages", s.pool.writeBehind)
	go s.every(time.Second, s.columnizeNow, "columnizer could not read rows", func() error {
		s.autovacuum()
		_, err := s.Columnize() // settled rows into column segments
		return err
	})
	return s, nil
}

// every runs fn each period, and whenever wake has a value, until Close,
// logging its errors as what failed: the buffer pool's write-behind and
// the columnizer run this way.
func (s *Store) every(period time.Duration, wake <-chan struct{}, what string, fn func() error) {
	defer s.bgWriter.Done()
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-s.stopBG:
			return
		case <-t.C:
		case <-wake:
		}
		if err := fn(); err != nil {
			s.logger.Warn(what, "err", err)
		}
	}
}

// wakeColumnizer has the background columnizer run now rather than at its
// next tick.
func (s *Store) wakeColumnizer() {
	select {
	case s.columnizeNow <- struct{}{}:
	default: // a run is due already
	}
}

func (s *Store) stopBackgroundWriter() {
	s.stopOnce.Do(func() { close(s.stopBG) })
	s.bgWriter.Wait()
}

// removeStrayFiles deletes heap files of tables that no longer exist
// (dropped, or created by a transaction that never committed) and segment
// files the checkpoint does not name.
func (s *Store) removeStrayFiles() {
	entries, _ := os.ReadDir(filepath.Join(s.opts.Dir, "base"))
	for _, e := range entries {
		id, err := strconv.ParseUint(e.Name(), 10, 32)
		if err == nil && s.heaps[uint32(id)] == nil {
			os.Remove(heapPath(s.opts.Dir, uint32(id)))
		}
	}
	s.removeUnnamedSegments(s.segNamed)
	s.segNamed = nil
}

type control struct {
	FormatVersion int    `json:"format_version"`
	CreatedBy     string `json:"created_by"`
}

// checkControl creates meta/control in a new directory and refuses a
// directory written in another format.
func (s *Store) checkControl(meta string) error {
	path := filepath.Join(meta, "control")
	b, err := s.readFile(path)
	if errors.Is(err, os.ErrNotExist) {
		b, _ = json.Marshal(control{FormatVersion: FormatVersion, CreatedBy: "RustyDB"})
		return s.writeFileSync(path, b)
	}
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", path, err)
	}
	var c control
	if err := json.Unmarshal(b, &c); err != nil {
		return fmt.Errorf("%s is not a RustyDB control file: %v", path, err)
	}
	if c.FormatVersion != FormatVersion {
		return fmt.Errorf("data directory %s has format version %d, but this server reads version %d; use a matching server or another --data-dir", filepath.Dir(meta), c.FormatVersion, FormatVersion)
	}
	return nil
}

// Catalog returns the catalog.
func (s *Store) Catalog() *catalog.Catalog { return s.catalog }

// Txns returns the transaction manager.
func (s *Store) Txns() *txn.Manager { return s.txns }

// WALDir returns the directory of the log.
func (s *Store) WALDir() string { return s.opts.WALDir }

// WAL returns the log, for statistics.
func (s *Store) WAL() *wal.Log { return s.log }

// Recovered returns what the last Open recovered.
func (s *Store) Recovered() RecoveryInfo { return s.recovered }

// Checkpoints returns how many checkpoints completed since start.
func (s *Store) Checkpoints() uint64 { return s.checkpoints.Load() }

// Heap returns the heap of table t.
func (s *Store) Heap(t *catalog.Table) *Heap {
	return (*s.heapView.Load())[t.ID]
}

// publishHeaps makes heaps as they are now what Heap reads. Caller holds
// heapsMu, or is opening the store.
func (s *Store) publishHeaps() {
	view := maps.Clone(s.heaps)
	s.heapView.Store(&view)
}

// Tx is a transaction's write path: what it changed, to log at commit or to
// undo at rollback.
type Tx struct {
	*txn.Txn
	// own is what Txn points to: the transaction's state and its
	// identity in one allocation. A committed transaction's versions keep
	// it, and so the Tx, alive; Commit drops what the Tx holds.
	own txn.Txn
	s   *Store
	ops opLog
	// rows holds the inserted rows, encoded as the commit record carries
	// them; an insert's op names its bytes. Keeping them encoded rather
	// than as values takes a fraction of the memory in a large load.
	rows []byte
	// held is the frame of the page the last insert into heldFor went to,
	// kept pinned for the next (see pages.pin) until the transaction ends.
	held    heldFrame
	heldFor *Heap
	// inserts counts the rows inserted; past slabAfter their versions come
	// from slab (see newVersion).
	inserts int
	slab    []Version
}

// slabAfter and slabSize: a transaction's versions past its first
// slabAfter come slabSize to an allocation, as a load's do. The rows of a
// transaction that inserts many tend to live and die together; a version
// of one still live keeps its slab's memory.
const slabAfter, slabSize = 64, 64

// newVersion returns a new zero version for an insert.
func (tx *Tx) newVersion() *Version {
	tx.inserts++
	if tx.inserts <= slabAfter {
		return new(Version)
	}
	if len(tx.slab) == 0 {
		tx.slab = make([]Version, slabSize)
	}
	v := &tx.slab[0]
	tx.slab = tx.slab[1:]
	return v
}

// op is one change of a transaction. A row's takes 48 bytes: a load of
// single-row inserts keeps one per row.
type op struct {
	kind     byte
	heap     *Heap
	v        *Version
	off, end int // an insert's row: tx.rows[off:end], logged at commit
	*opDef       // a definition's or a bulk load's; nil for a row's
}

type opDef struct {
	table *catalog.Table
	old   *catalog.Table // alter table: the definition before
	// role operations: the new definition (the dropped one for a drop)
	// and, for an alter, the one before
	role, oldRole *catalog.Role
	load          *Load // a bulk load
}

// Begin starts a transaction.
func (s *Store) Begin() *Tx {
	tx := &Tx{s: s}
	tx.Txn = &tx.own
	s.txns.Start(tx.Txn)
	return tx
}

// Snapshot returns the snapshot for tx's current command.
func (tx *Tx) Snapshot() txn.Snapshot { return tx.s.txns.Snapshot(tx.Txn) }

// Insert adds a row to h.
func (tx *Tx) Insert(ctx context.Context, h *Heap, vals []types.Value) error {
	_, err := tx.insert(ctx, h, vals)
	return err
}

// insert encodes vals once, for the commit record and the heap page, and
// stores them as a new version in h.
func (tx *Tx) insert(ctx context.Context, h *Heap, vals []types.Value) (*Version, error) {
	// A large transaction (a load) doubles its buffers: append grows a big
	// slice by a quarter, copying what it holds about five times over.
	if cap(tx.rows)-len(tx.rows) < 1024 {
		tx.rows = slices.Grow(tx.rows, len(tx.rows)+1024)
	}
	off := len(tx.rows)
	tx.rows = AppendRow(tx.rows, vals)
	if tx.heldFor != h {
		tx.release()
		tx.heldFor = h
	}
	v := tx.newVersion()
	err := h.insert(ctx, tx.s.txns, tx.Txn, v, vals, tx.rows[off:], &tx.held)
	if err != nil {
		tx.rows = tx.rows[:off]
		return nil, err
	}
	tx.ops.add(op{kind: opInsert, heap: h, v: v, off: off, end: len(tx.rows)})
	return v, nil
}

// release unpins the frame the transaction's inserts kept.
func (tx *Tx) release() {
	tx.held.release(tx.s.pool)
	tx.heldFor = nil
}

// Delete removes v from h. It reports false when this statement already
// deleted v (a row reached twice).
func (tx *Tx) Delete(ctx context.Context, h *Heap, v *Version) (bool, error) {
	ok, err := h.delete(ctx, tx.s.txns, tx.Txn, v)
	if ok {
		tx.ops.add(op{kind: opDelete, heap: h, v: v})
	}
	return ok, err
}

// Update replaces version old of a row in h by a new version with vals.
// It reports false when this statement already changed old.
func (tx *Tx) Update(ctx context.Context, h *Heap, old *Version, vals []types.Value) (bool, error) {
	ok, err := tx.Delete(ctx, h, old)
	if !ok || err != nil {
		return ok, err
	}
	v, err := tx.insert(ctx, h, vals)
	if err != nil {
		return false, err
	}
	old.next.Store(v)
	return true, nil
}

// CreateTable adds t to the catalog. Until commit other sessions can see the
// name (they get 42P07 on a second CREATE) but no rows.
func (tx *Tx) CreateTable(t *catalog.Table) error {
	if err := t.CheckIndexWidths(); err != nil {
		return err
	}
	// Publish and mark pending at once, so that a checkpoint never takes the
	// uncommitted table for a committed one.
	tx.s.pendingMu.Lock()
	err := tx.s.catalog.Add(t)
	if err == nil {
		tx.s.pendingCreates[t.ID] = true
	}
	tx.s.pendingMu.Unlock()
	if err != nil {
		return err
	}
	h := newHeap(t, tx.s.pool)
	tx.s.heapsMu.Lock()
	tx.s.heaps[t.ID] = h
	tx.s.publishHeaps()
	tx.s.heapsMu.Unlock()
	tx.ops.add(op{kind: opCreateTable, heap: h, opDef: &opDef{table: t}})
	return nil
}

// DropTable removes t from the catalog.
func (tx *Tx) DropTable(t *catalog.Table) {
	tx.s.pendingMu.Lock()
	tx.s.pendingDrops[t.ID] = t
	tx.s.pendingMu.Unlock()
	tx.s.catalog.Remove(t)
	tx.ops.add(op{kind: opDropTable, opDef: &opDef{table: t}})
}

// AlterTable replaces t's definition by def (same id), checking the rows
// against def's keys. Until commit, checkpoints keep the old definition.
func (tx *Tx) AlterTable(t, def *catalog.Table) error {
	if err := def.CheckIndexWidths(); err != nil {
		return err
	}
	h := tx.s.Heap(t)
	if h == nil {
		return sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", t.Name)
	}
	tx.s.pendingMu.Lock()
	defer tx.s.pendingMu.Unlock()
	h.mu.Lock()
	old := h.Table
	err := h.setDef(tx.Txn, def, true)
	h.mu.Unlock()
	if err != nil {
		return err
	}
	tx.s.catalog.Replace(def)
	if _, pending := tx.s.pendingAlters[def.ID]; !pending {
		tx.s.pendingAlters[def.ID] = old
	}
	tx.ops.add(op{kind: opAlterTable, heap: h, opDef: &opDef{table: def, old: old}})
	return nil
}

// settleDDL forgets tx's DDL as pending once tx has ended.
func (tx *Tx) settleDDL() {
	for o := range tx.ops.all() {
		if o.kind == opCreateTable || o.kind == opDropTable || o.kind == opAlterTable {
			tx.s.pendingMu.Lock()
			delete(tx.s.pendingCreates, o.table.ID)
			delete(tx.s.pendingDrops, o.table.ID)
			delete(tx.s.pendingAlters, o.table.ID)
			tx.s.pendingMu.Unlock()
		}
		if o.opDef != nil && o.role != nil {
			tx.s.pendingMu.Lock()
			delete(tx.s.pendingRoles, o.role.ID)
			tx.s.pendingMu.Unlock()
		}
	}
}

// Commit logs the transaction, waits until the log is durable (per sync
// mode), then makes it visible.
func (tx *Tx) Commit() error {
	s := tx.s
	tx.release() // before a dropped table's pages are
	if tx.ops.len() == 0 {
		s.txns.CommitReadOnly(tx.Txn)
		return nil
	}
	for o := range tx.ops.all() {
		if o.kind == opLoad {
			if err := o.load.sync(); err != nil {
				tx.Rollback()
				return err
			}
			o.load.offer()
		}
	}
	payload := tx.encode()
	s.ckptMu.RLock()
	err := tx.logLoads()
	if err == nil {
		_, err = s.log.Commit(tx.ID, wal.TypeCommit, payload)
	}
	if err != nil {
		s.ckptMu.RUnlock()
		tx.Rollback()
		code := sqlerr.IOError
		if errors.Is(err, syscall.ENOSPC) {
			code = sqlerr.DiskFull
		}
		return sqlerr.New(code, "could not write the commit to the WAL: %v", err).
			WithHint("The transaction's changes are not visible; if its log record reached the disk despite the error, recovery applies it at the next start. Writes are refused until then: after a failed write or fsync the kernel may have dropped data, so only recovery from the WAL is safe. Check the WAL directory's disk.")
	}
	s.txns.Commit(tx.Txn)
	var inserted, deleted uint64
	for o := range tx.ops.all() {
		switch o.kind {
		case opInsert:
			inserted++
		case opDelete:
			deleted++
			o.heap.deadSince.Add(1)
		case opLoad:
			inserted += uint64(len(o.load.versions))
		}
	}
	s.pool.activity.RowsInserted.Add(inserted)
	s.pool.activity.RowsDeleted.Add(deleted)
	// Settle DDL before a checkpoint can run: it must not see a committed
	// CREATE as pending (and leave the table out) or a committed DROP as
	// pending (and look for its removed heap).
	for o := range tx.ops.all() {
		if o.kind == opDropTable {
			s.heapsMu.Lock()
			delete(s.heaps, o.table.ID)
			s.publishHeaps()
			s.droppedFiles = append(s.droppedFiles, o.table.ID)
			s.heapsMu.Unlock()
			s.pool.drop(o.table.ID)
		}
	}
	tx.settleDDL()
	s.ckptMu.RUnlock()
	for o := range tx.ops.all() {
		if o.kind == opLoad {
			o.load.install()
		}
	}
	tx.ops, tx.rows, tx.slab = opLog{}, nil, nil
	return nil
}

func (tx *Tx) encode() []byte {
	size := len(tx.rows) + tx.ops.len()*(1+4+binary.MaxVarintLen64)
	for o := range tx.ops.all() {
		if o.kind == opLoad {
			size += len(o.load.versions) * 5 // a row id delta, a block delta and a slot: 1, 1 and 2-3 bytes
		}
	}
	buf := make([]byte, 0, size)
	for o := range tx.ops.all() {
		buf = append(buf, o.kind)
		switch o.kind {
		case opInsert:
			buf = binary.LittleEndian.AppendUint32(buf, o.heap.id)
			buf = binary.AppendUvarint(buf, o.v.ID)
			buf = append(buf, tx.rows[o.off:o.end]...)
		case opDelete:
			buf = binary.LittleEndian.AppendUint32(buf, o.heap.id)
			buf = binary.AppendUvarint(buf, o.v.ID)
		case opLoad:
			buf = o.load.appendOp(buf)
		case opCreateTable, opAlterTable:
			b, _ := json.Marshal(o.table)
			buf = binary.AppendUvarint(buf, uint64(len(b)))
			buf = append(buf, b...)
		case opDropTable:
			buf = binary.LittleEndian.AppendUint32(buf, o.table.ID)
		case opCreateRole, opAlterRole, opDropRole:
			buf = appendRoleOp(buf, *o)
		}
	}
	return buf
}

// Rollback undoes the transaction's changes in reverse order.
func (tx *Tx) Rollback() {
	s := tx.s
	tx.release() // before a created table's pages are dropped
	s.txns.Abort(tx.Txn)
	for o := range tx.ops.backward() {
		switch o.kind {
		case opInsert:
			if vals, _, err := DecodeRow(tx.rows[o.off:o.end]); err == nil {
				o.heap.undoInsert(o.v, vals)
			}
		case opDelete:
			o.heap.undoDelete(tx.Txn, o.v)
		case opLoad:
			o.load.undo()
		case opCreateTable:
			s.catalog.Remove(o.table)
			s.heapsMu.Lock()
			delete(s.heaps, o.table.ID)
			s.publishHeaps()
			s.heapsMu.Unlock()
			s.pool.drop(o.table.ID) // no checkpoint names an uncommitted table
			os.Remove(heapPath(s.opts.Dir, o.table.ID))
		case opDropTable:
			_ = s.catalog.Add(o.table)
		case opAlterTable:
			o.heap.mu.Lock()
			_ = o.heap.setDef(nil, o.old, false)
			o.heap.mu.Unlock()
			s.catalog.Replace(o.old)
		case opCreateRole, opAlterRole, opDropRole:
			s.undoRole(*o)
		}
	}
	tx.settleDDL() // after the undo, so a checkpoint never misses a restored table
	tx.ops, tx.rows, tx.slab = opLog{}, nil, nil
}

// redo applies one commit record during recovery.
func (s *Store) redo(data []byte) error {
	for len(data) > 0 {
		kind := data[0]
		data = data[1:]
		switch kind {
		case opInsert, opDelete:
			if len(data) < 4 {
				return errCorrupt
			}
			// A table can be dropped while another transaction still writes
			// to it; that transaction's later commit names a table that no
			// longer exists, and its changes to it are moot.
			h := s.heaps[binary.LittleEndian.Uint32(data)]
			id, k := binary.Uvarint(data[4:])
			if k <= 0 {
				return errCorrupt
			}
			data = data[4+k:]
			if kind == opDelete {
				if h != nil {
					h.redoDelete(id)
				}
				continue
			}
			vals, rest, err := DecodeRow(data)
			if err != nil {
				return err
			}
			data = rest
			if h != nil {
				if err := h.redoInsert(id, vals); err != nil {
					return err
				}
			}
		case opCreateTable:
			l, k := binary.Uvarint(data)
			if k <= 0 || uint64(len(data)-k) < l {
				return errCorrupt
			}
			var t catalog.Table
			if err := json.Unmarshal(data[k:k+int(l)], &t); err != nil {
				return err
			}
			data = data[k+int(l):]
			if err := s.catalog.Add(&t); err != nil {
				return err
			}
			s.heaps[t.ID] = newHeap(&t, s.pool)
			s.heaps[t.ID].pages.claim(s.claims[t.ID])
		case opAlterTable:
			l, k := binary.Uvarint(data)
			if k <= 0 || uint64(len(data)-k) < l {
				return errCorrupt
			}
			var t catalog.Table
			if err := json.Unmarshal(data[k:k+int(l)], &t); err != nil {
				return err
			}
			data = data[k+int(l):]
			if h := s.heaps[t.ID]; h != nil {
				if err := h.setDef(nil, &t, false); err != nil {
					return err
				}
				s.catalog.Replace(&t)
			}
		case opDropTable:
			if len(data) < 4 {
				return errCorrupt
			}
			id := binary.LittleEndian.Uint32(data)
			data = data[4:]
			if h := s.heaps[id]; h != nil {
				s.catalog.Remove(h.Table)
				delete(s.heaps, id)
				s.pool.drop(id) // removeStrayFiles deletes the file
			}
		case opCreateRole, opAlterRole, opDropRole:
			rest, err := s.redoRole(kind, data)
			if err != nil {
				return err
			}
			data = rest
		case opLoad:
			rest, err := s.redoLoad(data)
			if err != nil {
				return err
			}
			data = rest
		default:
			return errCorrupt
		}
	}
	return nil
}

// redoInsert stores a recovered, committed row.
func (h *Heap) redoInsert(id uint64, vals []types.Value) error {
	t, err := h.pages.store(id, vals, nil, nil)
	if err != nil {
		return err
	}
	v := &Version{ID: id, tid: t}
	h.add(v, vals)
	if h.redoIndex != nil {
		h.redoIndex[v.ID] = v
	}
	if v.ID > h.nextID.Load() {
		h.nextID.Store(v.ID)
	}
	return nil
}

// redoDelete marks a recovered version deleted by a transaction older than
// every snapshot; the vacuum at the end of recovery removes it.
func (h *Heap) redoDelete(id uint64) {
	if h.redoIndex == nil {
		h.redoIndex = make(map[uint64]*Version, len(h.versions))
		for _, v := range h.versions {
			h.redoIndex[v.ID] = v
		}
	}
	if v := h.redoIndex[id]; v != nil {
		if v.seg != nil {
			v.seg.touched.Store(true)
		}
		v.deleter.Store(txn.Recovered)
		delete(h.redoIndex, id)
	}
}

// Checkpoint writes every dirty page and a new checkpoint file naming the
// committed rows' tuples, so that recovery can start from it, then frees
// what no checkpoint needs any more: removed tuples, dropped tables' files
// and old WAL segments. Commits wait while its final part runs.
func (s *Store) Checkpoint() error {
	s.segMu.Lock()
	defer s.segMu.Unlock()
	horizon := s.txns.Horizon()
	heaps := s.allHeaps()
	for _, h := range heaps {
		h.vacuum(horizon)
		stamp(&h.usage.lastAutoVac)
	}
	if err := s.writeSegments(heaps); err != nil {
		// The checkpoint names only segments with files; the others stay in
		// memory, and the next checkpoint tries again.
		s.logger.Warn("could not write column segments", "err", err)
	}
	// Most pages are written before commits have to wait.
	if err := s.pool.flush(); err != nil {
		return err
	}
	s.ckptMu.Lock()
	// The log must be durable up to redo before the checkpoint names it
	// (with sync_mode off, commits do not fsync).
	if err := s.log.Sync(); err != nil {
		s.ckptMu.Unlock()
		return err
	}
	redo := s.log.End()
	snap := s.txns.Snapshot(nil)
	// Tuples removed from now on may be rows this checkpoint still names.
	// Every committed row's tuple lies in the blocks allocated by now;
	// blocks added later (by open transactions) may not be written yet.
	heaps = s.allHeaps()
	settled := make([]int, len(heaps))
	blocks := make(map[uint32]uint32, len(heaps))
	for i, h := range heaps {
		h.mu.RLock()
		settled[i] = len(h.pages.pendingFree)
		blocks[h.id] = h.pages.blocks
		h.mu.RUnlock()
	}
	err := s.pool.flush()
	var named map[uint64]bool
	if err == nil {
		named, err = s.writeCheckpoint(redo, &snap, blocks)
	}
	s.heapsMu.Lock()
	dropped := s.droppedFiles
	if err == nil {
		s.droppedFiles = nil
	}
	s.heapsMu.Unlock()
	s.ckptMu.Unlock()
	if err != nil {
		return err
	}
	s.checkpoints.Add(1)
	s.redoLSN.Store(uint64(redo))
	for i, h := range heaps {
		h.mu.Lock()
		err := h.pages.settle(settled[i])
		h.mu.Unlock()
		if err != nil {
			s.logger.Warn("could not reclaim removed tuples", "table", h.Def().Name, "err", err)
		}
	}
	for _, id := range dropped {
		os.Remove(heapPath(s.opts.Dir, id))
	}
	s.removeUnnamedSegments(s.keptSegments(named))
	if err := s.log.RemoveBefore(redo); err != nil {
		s.logger.Warn("could not remove old WAL segments", "err", err)
	}
	return nil
}

func (s *Store) allHeaps() []*Heap {
	s.heapsMu.RLock()
	defer s.heapsMu.RUnlock()
	heaps := make([]*Heap, 0, len(s.heaps))
	for _, h := range s.heaps {
		heaps = append(heaps, h)
	}
	return heaps
}

// writeCheckpoint writes meta/checkpoint and returns the segment files it
// names.
func (s *Store) writeCheckpoint(redo wal.LSN, snap *txn.Snapshot, blocks map[uint32]uint32) (map[uint64]bool, error) {
	var buf bytes.Buffer
	buf.WriteString(checkpointMagic)
	buf.Write(binary.LittleEndian.AppendUint32(nil, FormatVersion))
	buf.Write(binary.LittleEndian.AppendUint64(nil, uint64(redo)))
	// Creations by open transactions are logged after redo, so they are left
	// out; drops by open transactions may still roll back, so they stay in.
	// A table both created and dropped by an open transaction is left out,
	// and one that a rolling-back drop has already put back is listed once.
	var committed []*catalog.Table
	listed := make(map[uint32]bool)
	altering := make(map[uint32]bool)
	s.pendingMu.Lock()
	for _, t := range s.catalog.Entries() {
		if old := s.pendingAlters[t.ID]; old != nil {
			t = old // an ALTER not yet committed
			altering[t.ID] = true
		}
		if t.IsSequence() {
			t = s.sequenceForCheckpoint(t)
		}
		if !s.pendingCreates[t.ID] {
			committed = append(committed, t)
			listed[t.ID] = true
		}
	}
	for _, t := range s.pendingDrops {
		if !s.pendingCreates[t.ID] && !listed[t.ID] {
			committed = append(committed, t)
			listed[t.ID] = true
		}
	}
	roles, _ := json.Marshal(s.committedRoles())
	s.pendingMu.Unlock()
	cat, _ := json.Marshal(committed)
	buf.Write(binary.AppendUvarint(nil, uint64(len(cat))))
	buf.Write(cat)
	buf.Write(binary.AppendUvarint(nil, uint64(len(committed))))
	var scratch []byte
	var segTables []uint32
	segs := make(map[uint32][]*Segment)
	named := make(map[uint64]bool)
	for _, t := range committed {
		h := s.Heap(t)
		// Segments are taken before the versions: versions are only
		// appended or removed, so the ones the segments hold still come
		// first among them.
		if fs := h.fileSegments(); len(fs) > 0 && !altering[t.ID] {
			segTables = append(segTables, t.ID)
			segs[t.ID] = fs
			for _, seg := range fs {
				named[seg.file] = true
			}
		}
		versions, _ := h.all()
		var live []*Version
		for _, v := range versions {
			if v.VisibleTo(snap) {
				live = append(live, v)
			}
		}
		scratch = binary.LittleEndian.AppendUint32(scratch[:0], t.ID)
		scratch = binary.AppendUvarint(scratch, h.nextID.Load())
		scratch = binary.AppendUvarint(scratch, uint64(blocks[t.ID]))
		scratch = binary.AppendUvarint(scratch, uint64(len(live)))
		buf.Write(scratch)
		for _, v := range live {
			scratch = binary.AppendUvarint(scratch[:0], v.ID)
			scratch = binary.AppendUvarint(scratch, uint64(v.tid.block))
			scratch = binary.AppendUvarint(scratch, uint64(v.tid.slot))
			buf.Write(scratch)
		}
	}
	buf.Write(binary.AppendUvarint(nil, uint64(len(roles))))
	buf.Write(roles)
	buf.Write(appendSegmentsPart(nil, segTables, segs))
	buf.Write(binary.LittleEndian.AppendUint32(nil, crc32.Checksum(buf.Bytes(), crcTable)))
	return named, s.writeFileSync(filepath.Join(s.opts.Dir, "meta", "checkpoint"), buf.Bytes())
}

// loadCheckpoint reads meta/checkpoint, if any, loads the rows it names
// and returns its redo LSN.
func (s *Store) loadCheckpoint(found func(redo wal.LSN) error) (wal.LSN, error) {
	path := filepath.Join(s.opts.Dir, "meta", "checkpoint")
	b, err := s.readFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, found(0)
	}
	if err != nil {
		return 0, fmt.Errorf("cannot read checkpoint %s: %w", path, err)
	}
	corrupt := func(why string) error {
		return fmt.Errorf("checkpoint %s is corrupt (%s); restore the data directory from a backup", path, why)
	}
	if len(b) < 24 || string(b[:8]) != checkpointMagic {
		return 0, corrupt("bad header")
	}
	if crc32.Checksum(b[:len(b)-4], crcTable) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return 0, corrupt("checksum mismatch")
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != FormatVersion {
		return 0, fmt.Errorf("checkpoint %s has format version %d, this server reads %d", path, v, FormatVersion)
	}
	redo := wal.LSN(binary.LittleEndian.Uint64(b[12:]))
	if err := found(redo); err != nil {
		return 0, err
	}
	r := bytes.NewReader(b[20 : len(b)-4])
	n, err := binary.ReadUvarint(r)
	if err != nil || n > uint64(r.Len()) {
		return 0, corrupt("catalog length")
	}
	cat := make([]byte, n)
	io.ReadFull(r, cat)
	var tables []*catalog.Table
	if err := json.Unmarshal(cat, &tables); err != nil {
		return 0, corrupt("catalog: " + err.Error())
	}
	for _, t := range tables {
		if err := s.catalog.Add(t); err != nil {
			return 0, corrupt(err.Error())
		}
		s.heaps[t.ID] = newHeap(t, s.pool)
	}
	rest := b[20+(len(b)-24-r.Len()) : len(b)-4]
	uvarint := func(what string) (uint64, error) {
		x, k := binary.Uvarint(rest)
		if k <= 0 {
			return 0, corrupt(what)
		}
		rest = rest[k:]
		return x, nil
	}
	count, err := uvarint("table count")
	if err != nil {
		return 0, err
	}
	for range count {
		if len(rest) < 4 {
			return 0, corrupt("table header")
		}
		h := s.heaps[binary.LittleEndian.Uint32(rest)]
		rest = rest[4:]
		next, err1 := uvarint("next row id")
		blocks, err2 := uvarint("block count")
		rows, err3 := uvarint("row count")
		if err := errors.Join(err1, err2, err3); err != nil {
			return 0, err
		}
		if h == nil || blocks > math.MaxUint32 || rows > uint64(len(rest)) {
			return 0, corrupt("table id")
		}
		h.nextID.Store(next)
		h.pages.blocks, h.pages.room = uint32(blocks), make([]uint16, blocks)
		live := make([]*Version, rows)
		for i := range live {
			id, err1 := uvarint("row id")
			block, err2 := uvarint("block")
			slot, err3 := uvarint("slot")
			if err := errors.Join(err1, err2, err3); err != nil {
				return 0, err
			}
			if block >= blocks || slot > math.MaxUint16 {
				return 0, corrupt("tuple location")
			}
			live[i] = &Version{ID: id, tid: tid{uint32(block), uint16(slot)}}
		}
		if err := h.load(live, s.claims[h.id]); err != nil {
			if sqlerr.Code(err) != sqlerr.DataCorrupted {
				return 0, err
			}
			s.logger.Error("table has a corrupt page; its queries will fail until it is restored", "table", h.Table.Name, "err", err)
			h.broken = err
		}
	}
	if len(rest) > 0 { // a checkpoint written before roles existed ends here
		l, k := binary.Uvarint(rest)
		if k <= 0 || l > uint64(len(rest)-k) {
			return 0, corrupt("roles length")
		}
		if err := s.loadRoles(rest[:k+int(l)]); err != nil {
			return 0, corrupt("roles: " + err.Error())
		}
		rest = rest[k+int(l):]
	}
	// A checkpoint written before segment files existed ends here.
	refs, err := parseSegmentsPart(rest)
	if len(rest) > 0 && err != nil {
		return 0, corrupt(err.Error())
	}
	s.segNamed = make(map[uint64]bool)
	var segs int
	var segBytes int64
	for id, list := range refs {
		for _, ref := range list {
			s.segNamed[ref.file] = true
		}
		if h := s.heaps[id]; h != nil && h.broken == nil {
			s.loadSegments(h, list)
			segs, segBytes = segs+len(h.segs), segBytes+segmentDiskBytes(h.segs)
		}
	}
	if len(s.segNamed) > 0 {
		s.logger.Info("column segments loaded from files", "segments", segs, "named", len(s.segNamed), "bytes", segBytes)
	}
	return redo, nil
}

// SetAutovacuum turns autovacuum on or off (storage.autovacuum).
func (s *Store) SetAutovacuum(on bool) { s.autovacuumOff.Store(!on) }

// autovacuum vacuums the tables where enough versions died since their
// last vacuum (needsVacuum), as PostgreSQL's autovacuum does, so that dead
// versions and their index entries do not pile up between checkpoints
// under a steady stream of updates.
func (s *Store) autovacuum() {
	if s.autovacuumOff.Load() {
		return
	}
	for _, h := range s.allHeaps() {
		if h.needsVacuum() {
			h.vacuum(s.txns.Horizon())
			stamp(&h.usage.lastAutoVac)
		}
	}
}

// Vacuum removes the versions of t that no snapshot can see any more and
// returns how many it removed.
func (s *Store) Vacuum(t *catalog.Table) int {
	h := s.Heap(t)
	if h == nil {
		return 0
	}
	defer stamp(&h.usage.lastVacuum)
	return h.vacuum(s.txns.Horizon())
}

// Close writes a final checkpoint and closes the files.
func (s *Store) Close() error {
	s.stopBackgroundWriter()
	return errors.Join(s.Checkpoint(), s.log.Close(), s.pool.close())
}

// CloseNoCheckpoint closes the files without a checkpoint (an immediate
// stop): recovery replays the log at the next start.
func (s *Store) CloseNoCheckpoint() error {
	s.stopBackgroundWriter()
	return errors.Join(s.log.Close(), s.pool.close())
}

// BufferPool returns the buffer pool's counters.
func (s *Store) BufferPool() BufferPoolStats { return s.pool.stats() }

// writeFileSync replaces path with data atomically and durably: a crash
// leaves the old file or the new one.
func (s *Store) writeFileSync(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := s.writeSynced(tmp, data); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// writeSynced writes data to a new file at path through the I/O engine and
// fsyncs it.
func (s *Store) writeSynced(path string, data []byte) error {
	f, err := s.opts.IO.Open(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir fsyncs a directory, making the names of files in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// readFile reads a whole file through the I/O engine.
func (s *Store) readFile(path string) ([]byte, error) {
	f, err := s.opts.IO.Open(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return nil, err
	}
	b := make([]byte, size)
	if _, err := f.ReadAt(b, 0); err != nil {
		return nil, err
	}
	return b, nil
}

// DiskBytes returns the bytes the data directory's files take: heap files,
// checkpoint, WAL segments.
func (s *Store) DiskBytes() int64 {
	var n int64
	for _, dir := range []string{s.opts.Dir, s.opts.WALDir} {
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if fi, err := d.Info(); err == nil {
					n += fi.Size()
				}
			}
			return nil
		})
		if strings.HasPrefix(s.opts.WALDir, s.opts.Dir+string(filepath.Separator)) {
			break // the WAL is inside the data directory
		}
	}
	return n
}

// IOEngine names the storage I/O engine in use.
func (s *Store) IOEngine() string { return s.opts.IO.Name() }

// Dir returns the data directory.
func (s *Store) Dir() string { return s.opts.Dir }

// Uptime returns how long the store has been open.
func (s *Store) Uptime() time.Duration { return time.Since(s.opened) }
