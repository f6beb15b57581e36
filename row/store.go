// Package row is RustyDB's row store: the heaps that hold table rows as MVCC
// versions, their uniqueness indexes, the transaction write path that logs
// every commit in the WAL before it becomes visible, checkpoints and crash
// recovery.
//
// In this first version heaps live in memory and durability comes from the
// WAL plus periodic checkpoint files; slotted 8 KiB pages behind a buffer pool
// replace the in-memory heaps later without changing this package's API.
//
// # Files under the data directory
//
//	meta/control      JSON {"format_version": 1, "created_by": "..."}; a data
//	                  directory with another format version is refused.
//	meta/checkpoint   the last checkpoint (below); replaced atomically by rename.
//	wal/              the write-ahead log (package wal).
//
// # Checkpoint file (little-endian)
//
//	+--------+---------+----------+-------------+------------------+---------+
//	| magic  | version | redo LSN | catalog len | catalog JSON     | tables  |
//	| 8 B    | u32     | u64      | uvarint     | []catalog.Table  | ...     |
//	+--------+---------+----------+-------------+------------------+---------+
//	tables: uvarint count, then per table: u32 table id, uvarint next row id,
//	uvarint row count, then per row: uvarint row id, row.
//	trailer: u32 CRC-32C (Castagnoli) of every byte before it.
//
// Recovery loads the checkpoint and replays the WAL from its redo LSN.
//
// # Row encoding
//
//	uvarint column count, then per value a kind byte and its payload:
//	0 NULL, 1 false, 2 true, 3 integer (zig-zag varint), 4 float (8 bytes,
//	IEEE 754), 5 numeric (uvarint length + decimal text), 6 text (uvarint
//	length + bytes), 7 date (zig-zag varint days since 1970-01-01),
//	8 timestamp (zig-zag varint microseconds since 1970-01-01), 9 interval
//	(zig-zag varints: microseconds, days, months).
//
// # WAL commit record payload (record type wal.TypeCommit)
//
//	a sequence of operations, each a kind byte:
//	1 insert:       u32 table id, uvarint row id, row
//	2 delete:       u32 table id, uvarint row id
//	3 create table: uvarint length + catalog.Table JSON
//	4 drop table:   u32 table id
//	5 alter table:  uvarint length + the new catalog.Table JSON (same id)
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
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"

	"rustydb/catalog"
	"rustydb/iouring"
	"rustydb/sqlerr"
	"rustydb/txn"
	"rustydb/types"
	"rustydb/wal"
)

// Format constants. Part of the on-disk format.
const (
	FormatVersion   = 1
	checkpointMagic = "RDBCKPT1"

	opInsert      = 1
	opDelete      = 2
	opCreateTable = 3
	opDropTable   = 4
	opAlterTable  = 5
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Options configures a Store.
type Options struct {
	Dir         string // data directory
	WALDir      string // defaults to Dir/wal
	SyncMode    wal.SyncMode
	SegmentSize int64
	Logger      *slog.Logger
	// IO runs the reads, writes and syncs of the WAL and checkpoint files;
	// nil means pread.
	IO iouring.Engine
}

// Store is the database's storage: catalog, heaps, log and transactions.
type Store struct {
	opts    Options
	log     *wal.Log
	txns    *txn.Manager
	catalog *catalog.Catalog
	logger  *slog.Logger

	heapsMu sync.RWMutex
	heaps   map[uint32]*Heap

	// ckptMu orders commits against checkpoints: a commit holds it shared
	// from logging to becoming visible, a checkpoint exclusively.
	ckptMu sync.RWMutex

	// DDL of open transactions: checkpoints leave out tables whose creation is
	// not committed and keep tables whose drop is not.
	pendingMu      sync.Mutex
	pendingCreates map[uint32]bool
	pendingDrops   map[uint32]*catalog.Table
	pendingAlters  map[uint32]*catalog.Table // the committed definition

	seqMu sync.Mutex
	seqs  map[uint32]*seqState

	checkpoints atomic.Uint64
	recovered   RecoveryInfo
}

// RecoveryInfo says what Open found.
type RecoveryInfo struct {
	CheckpointLSN   wal.LSN
	ReplayedRecords int
	ReplayedTxns    int
	TornTail        string // "" when the log ended cleanly
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
	meta := filepath.Join(opts.Dir, "meta")
	if err := os.MkdirAll(meta, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create data directory %s: %w", opts.Dir, err)
	}
	s := &Store{opts: opts, catalog: catalog.New(), heaps: make(map[uint32]*Heap), logger: opts.Logger,
		pendingCreates: make(map[uint32]bool), pendingDrops: make(map[uint32]*catalog.Table),
		pendingAlters: make(map[uint32]*catalog.Table), seqs: make(map[uint32]*seqState)}
	if err := s.checkControl(meta); err != nil {
		return nil, err
	}
	redo, err := s.loadCheckpoint()
	if err != nil {
		return nil, err
	}
	s.recovered.CheckpointLSN = redo
	log, err := wal.Open(wal.Options{Dir: opts.WALDir, SegmentSize: opts.SegmentSize, SyncMode: opts.SyncMode, IO: opts.IO})
	if err != nil {
		return nil, fmt.Errorf("cannot open WAL in %s: %w", opts.WALDir, err)
	}
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
		h.vacuum(txn.Recovered.CommitSeq())
	}
	s.txns = txn.NewManager(maxTxn)
	return s, nil
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
	s.heapsMu.RLock()
	defer s.heapsMu.RUnlock()
	return s.heaps[t.ID]
}

// Tx is a transaction's write path: what it changed, to log at commit or to
// undo at rollback.
type Tx struct {
	*txn.Txn
	s   *Store
	ops []op
}

type op struct {
	kind  byte
	heap  *Heap
	v     *Version
	table *catalog.Table
	old   *catalog.Table // alter table: the definition before
}

// Begin starts a transaction.
func (s *Store) Begin() *Tx { return &Tx{Txn: s.txns.Begin(), s: s} }

// Snapshot returns the snapshot for tx's current command.
func (tx *Tx) Snapshot() txn.Snapshot { return tx.s.txns.Snapshot(tx.Txn) }

// Insert adds a row to h.
func (tx *Tx) Insert(ctx context.Context, h *Heap, vals []types.Value) error {
	v, err := h.insert(ctx, tx.s.txns, tx.Txn, vals)
	if err != nil {
		return err
	}
	tx.ops = append(tx.ops, op{kind: opInsert, heap: h, v: v})
	return nil
}

// Delete removes v from h. It reports false when this statement already
// deleted v (a row reached twice).
func (tx *Tx) Delete(ctx context.Context, h *Heap, v *Version) (bool, error) {
	ok, err := h.delete(ctx, tx.s.txns, tx.Txn, v)
	if ok {
		tx.ops = append(tx.ops, op{kind: opDelete, heap: h, v: v})
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
	v, err := h.insert(ctx, tx.s.txns, tx.Txn, vals)
	if err != nil {
		return false, err
	}
	tx.ops = append(tx.ops, op{kind: opInsert, heap: h, v: v})
	old.next.Store(v)
	return true, nil
}

// CreateTable adds t to the catalog. Until commit other sessions can see the
// name (they get 42P07 on a second CREATE) but no rows.
func (tx *Tx) CreateTable(t *catalog.Table) error {
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
	h := newHeap(t)
	tx.s.heapsMu.Lock()
	tx.s.heaps[t.ID] = h
	tx.s.heapsMu.Unlock()
	tx.ops = append(tx.ops, op{kind: opCreateTable, table: t, heap: h})
	return nil
}

// DropTable removes t from the catalog.
func (tx *Tx) DropTable(t *catalog.Table) {
	tx.s.pendingMu.Lock()
	tx.s.pendingDrops[t.ID] = t
	tx.s.pendingMu.Unlock()
	tx.s.catalog.Remove(t.Name)
	tx.ops = append(tx.ops, op{kind: opDropTable, table: t})
}

// AlterTable replaces t's definition by def (same id), checking the rows
// against def's keys. Until commit, checkpoints keep the old definition.
func (tx *Tx) AlterTable(t, def *catalog.Table) error {
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
	tx.ops = append(tx.ops, op{kind: opAlterTable, heap: h, table: def, old: old})
	return nil
}

// settleDDL forgets tx's DDL as pending once tx has ended.
func (tx *Tx) settleDDL() {
	for _, o := range tx.ops {
		if o.kind == opCreateTable || o.kind == opDropTable || o.kind == opAlterTable {
			tx.s.pendingMu.Lock()
			delete(tx.s.pendingCreates, o.table.ID)
			delete(tx.s.pendingDrops, o.table.ID)
			delete(tx.s.pendingAlters, o.table.ID)
			tx.s.pendingMu.Unlock()
		}
	}
}

// Commit logs the transaction, waits until the log is durable (per sync
// mode), then makes it visible.
func (tx *Tx) Commit() error {
	s := tx.s
	if len(tx.ops) == 0 {
		s.txns.Commit(tx.Txn)
		return nil
	}
	payload := tx.encode()
	s.ckptMu.RLock()
	_, err := s.log.Commit(tx.ID, wal.TypeCommit, payload)
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
	// Settle DDL before a checkpoint can run: it must not see a committed
	// CREATE as pending (and leave the table out) or a committed DROP as
	// pending (and look for its removed heap).
	for _, o := range tx.ops {
		if o.kind == opDropTable {
			s.heapsMu.Lock()
			delete(s.heaps, o.table.ID)
			s.heapsMu.Unlock()
		}
	}
	tx.settleDDL()
	s.ckptMu.RUnlock()
	tx.ops = nil
	return nil
}

func (tx *Tx) encode() []byte {
	var buf []byte
	for _, o := range tx.ops {
		buf = append(buf, o.kind)
		switch o.kind {
		case opInsert:
			buf = binary.LittleEndian.AppendUint32(buf, o.heap.id)
			buf = binary.AppendUvarint(buf, o.v.ID)
			buf = AppendRow(buf, o.v.Values)
		case opDelete:
			buf = binary.LittleEndian.AppendUint32(buf, o.heap.id)
			buf = binary.AppendUvarint(buf, o.v.ID)
		case opCreateTable, opAlterTable:
			b, _ := json.Marshal(o.table)
			buf = binary.AppendUvarint(buf, uint64(len(b)))
			buf = append(buf, b...)
		case opDropTable:
			buf = binary.LittleEndian.AppendUint32(buf, o.table.ID)
		}
	}
	return buf
}

// Rollback undoes the transaction's changes in reverse order.
func (tx *Tx) Rollback() {
	s := tx.s
	s.txns.Abort(tx.Txn)
	for i := len(tx.ops) - 1; i >= 0; i-- {
		o := tx.ops[i]
		switch o.kind {
		case opInsert:
			o.heap.undoInsert(o.v)
		case opDelete:
			o.heap.undoDelete(tx.Txn, o.v)
		case opCreateTable:
			s.catalog.Remove(o.table.Name)
			s.heapsMu.Lock()
			delete(s.heaps, o.table.ID)
			s.heapsMu.Unlock()
		case opDropTable:
			_ = s.catalog.Add(o.table)
		case opAlterTable:
			o.heap.mu.Lock()
			_ = o.heap.setDef(nil, o.old, false)
			o.heap.mu.Unlock()
			s.catalog.Replace(o.old)
		}
	}
	tx.settleDDL() // after the undo, so a checkpoint never misses a restored table
	tx.ops = nil
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
				h.redoInsert(&Version{ID: id, Values: vals})
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
			s.heaps[t.ID] = newHeap(&t)
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
				s.catalog.Remove(h.Table.Name)
				delete(s.heaps, id)
			}
		default:
			return errCorrupt
		}
	}
	return nil
}

// redoInsert adds a recovered, committed version.
func (h *Heap) redoInsert(v *Version) {
	h.add(v)
	if h.redoIndex != nil {
		h.redoIndex[v.ID] = v
	}
	if v.ID > h.nextID.Load() {
		h.nextID.Store(v.ID)
	}
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
		v.deleter.Store(txn.Recovered)
		delete(h.redoIndex, id)
	}
}

// Checkpoint writes every committed row to a new checkpoint file, so that
// recovery can start from it, and removes the WAL segments it makes unneeded.
// Commits wait while it runs.
func (s *Store) Checkpoint() error {
	horizon := s.txns.Horizon()
	s.heapsMu.RLock()
	for _, h := range s.heaps {
		h.vacuum(horizon)
	}
	s.heapsMu.RUnlock()

	s.ckptMu.Lock()
	// The log must be durable up to redo before the checkpoint names it
	// (with sync_mode off, commits do not fsync).
	if err := s.log.Sync(); err != nil {
		s.ckptMu.Unlock()
		return err
	}
	redo := s.log.End()
	snap := s.txns.Snapshot(nil)
	err := s.writeCheckpoint(redo, &snap)
	s.ckptMu.Unlock()
	if err != nil {
		return err
	}
	s.checkpoints.Add(1)
	if err := s.log.RemoveBefore(redo); err != nil {
		s.logger.Warn("could not remove old WAL segments", "err", err)
	}
	return nil
}

func (s *Store) writeCheckpoint(redo wal.LSN, snap *txn.Snapshot) error {
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
	s.pendingMu.Lock()
	for _, t := range s.catalog.Tables() {
		if old := s.pendingAlters[t.ID]; old != nil {
			t = old // an ALTER not yet committed
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
	s.pendingMu.Unlock()
	cat, _ := json.Marshal(committed)
	buf.Write(binary.AppendUvarint(nil, uint64(len(cat))))
	buf.Write(cat)
	buf.Write(binary.AppendUvarint(nil, uint64(len(committed))))
	var scratch []byte
	for _, t := range committed {
		h := s.Heap(t)
		var live []*Version
		for _, v := range h.Scan() {
			if v.VisibleTo(snap) {
				live = append(live, v)
			}
		}
		scratch = binary.LittleEndian.AppendUint32(scratch[:0], t.ID)
		scratch = binary.AppendUvarint(scratch, h.nextID.Load())
		scratch = binary.AppendUvarint(scratch, uint64(len(live)))
		buf.Write(scratch)
		for _, v := range live {
			scratch = binary.AppendUvarint(scratch[:0], v.ID)
			scratch = AppendRow(scratch, v.Values)
			buf.Write(scratch)
		}
	}
	buf.Write(binary.LittleEndian.AppendUint32(nil, crc32.Checksum(buf.Bytes(), crcTable)))
	return s.writeFileSync(filepath.Join(s.opts.Dir, "meta", "checkpoint"), buf.Bytes())
}

// loadCheckpoint reads meta/checkpoint, if any, and returns its redo LSN.
func (s *Store) loadCheckpoint() (wal.LSN, error) {
	path := filepath.Join(s.opts.Dir, "meta", "checkpoint")
	b, err := s.readFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
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
		s.heaps[t.ID] = newHeap(t)
	}
	rest := b[20+(len(b)-24-r.Len()) : len(b)-4]
	count, k := binary.Uvarint(rest)
	if k <= 0 {
		return 0, corrupt("table count")
	}
	rest = rest[k:]
	for range count {
		if len(rest) < 4 {
			return 0, corrupt("table header")
		}
		h := s.heaps[binary.LittleEndian.Uint32(rest)]
		rest = rest[4:]
		next, k1 := binary.Uvarint(rest)
		if h == nil || k1 <= 0 {
			return 0, corrupt("table id")
		}
		rest = rest[k1:]
		rows, k2 := binary.Uvarint(rest)
		if k2 <= 0 {
			return 0, corrupt("row count")
		}
		rest = rest[k2:]
		h.versions = make([]*Version, 0, rows)
		for range rows {
			id, k := binary.Uvarint(rest)
			if k <= 0 {
				return 0, corrupt("row id")
			}
			vals, r2, err := DecodeRow(rest[k:])
			if err != nil {
				return 0, corrupt("row")
			}
			rest = r2
			h.add(&Version{ID: id, Values: vals})
		}
		h.nextID.Store(next)
	}
	return redo, nil
}

// Vacuum removes the versions of t that no snapshot can see any more and
// returns how many it removed.
func (s *Store) Vacuum(t *catalog.Table) int {
	h := s.Heap(t)
	if h == nil {
		return 0
	}
	return h.vacuum(s.txns.Horizon())
}

// Close writes a final checkpoint and closes the log.
func (s *Store) Close() error {
	err := s.Checkpoint()
	if cerr := s.log.Close(); err == nil {
		err = cerr
	}
	return err
}

// CloseNoCheckpoint closes the log without a checkpoint (an immediate stop).
func (s *Store) CloseNoCheckpoint() error { return s.log.Close() }

// writeFileSync replaces path with data atomically and durably: a crash
// leaves the old file or the new one.
func (s *Store) writeFileSync(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := s.opts.IO.Open(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
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
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
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
