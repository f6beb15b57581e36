package exec

// Temporary files for the operators whose state passes work_mem: a sort
// writes sorted runs and merges them (sort.go's external merge), a hash
// aggregation writes the rows of the groups it has no room for into hash
// partitions and aggregates them one by one (aggspill.go), a hash join
// partitions both inputs by key hash and joins partition by partition
// (joinspill.go). The files hold rows in the row store's encoding
// (row.AppendRow), each preceded by its length.
//
// They are plain os files through bufio, not the WAL or iouring: their
// data is never needed after the statement, so it needs no durability,
// ordering or crash recovery. They live in Context.TempDir (the data
// directory's tmp/, emptied when the server starts) and are removed when
// the operator that wrote them is done with them, closes or fails.

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"io"
	"os"
	"sync/atomic"

	"rustydb/row"
	"rustydb/sqlerr"
	"rustydb/types"
)

// TempStats count the temporary files of the instance's statements, for
// v$system_performance (as PostgreSQL's temp_files and temp_bytes).
type TempStats struct {
	Files, Bytes atomic.Int64
}

// spillFile is one temporary file of rows, written once, then read from
// the start (rewind) as often as needed. Rows wait in a buffer of
// spillBufSize bytes; the file is created when it first fills, so a
// partition that gets a few rows never reaches the disk.
type spillFile struct {
	c       *Context
	node    any      // the plan node whose operator writes it, for EXPLAIN ANALYZE
	f       *os.File // nil until the buffer first fills
	pending []byte   // rows not written to f yet
	r       interface {
		io.Reader
		io.ByteReader
	} // the rows after rewind: fr, or mr while there is no file
	fr   *bufio.Reader
	mr   bytes.Reader
	buf  []byte
	rows int64 // rows written
	disk int64 // bytes written to f
}

// spillBufSize is the buffer of each file, read or written, as
// PostgreSQL's BufFile, which work_mem does not count (as there): a
// partitioning of both sides of a join holds 2 * spillPartitions of them,
// a sort's merge one for each run.
const spillBufSize = 8 << 10

// newSpill returns an empty temporary file of the operator of node n.
func (c *Context) newSpill(n any) *spillFile { return &spillFile{c: c, node: n} }

// write appends row r.
func (s *spillFile) write(r []types.Value) error {
	s.buf = row.AppendRow(s.buf[:0], r)
	s.pending = append(binary.AppendUvarint(s.pending, uint64(len(s.buf))), s.buf...)
	s.rows++
	if len(s.pending) < spillBufSize {
		return nil
	}
	return s.flush()
}

// flush writes the pending rows to the file, creating it.
func (s *spillFile) flush() error {
	if s.f == nil {
		dir := s.c.TempDir
		if dir == "" {
			dir = os.TempDir()
		}
		f, err := os.CreateTemp(dir, "spill-*")
		if err != nil {
			return sqlerr.FileError(err, "could not create temporary file in %q", dir)
		}
		s.f = f
		if s.c.Temp != nil {
			s.c.Temp.Files.Add(1)
		}
	}
	n, err := s.f.Write(s.pending)
	s.disk += int64(n)
	if err != nil {
		return s.ioError(err)
	}
	s.pending = s.pending[:0]
	return nil
}

// close ends the writing of a file that is not read until later: its
// rows go to disk, and its buffer is freed.
func (s *spillFile) close() error {
	if len(s.pending) > 0 {
		if err := s.flush(); err != nil {
			return err
		}
	}
	s.pending = nil
	return nil
}

// rewind ends the writing and starts reading from the first row.
func (s *spillFile) rewind() error {
	if s.f == nil {
		s.mr.Reset(s.pending)
		s.r = &s.mr
		return nil
	}
	if len(s.pending) > 0 {
		if err := s.flush(); err != nil {
			return err
		}
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return s.ioError(err)
	}
	if s.fr == nil {
		s.fr = bufio.NewReaderSize(s.f, spillBufSize)
	} else {
		s.fr.Reset(s.f)
	}
	s.r = s.fr
	return nil
}

// read returns the next row, or nil after the last.
func (s *spillFile) read() ([]types.Value, error) {
	n, err := binary.ReadUvarint(s.r)
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, s.ioError(err)
	}
	if uint64(cap(s.buf)) < n {
		s.buf = make([]byte, n)
	}
	s.buf = s.buf[:n]
	if _, err := io.ReadFull(s.r, s.buf); err != nil {
		return nil, s.ioError(err)
	}
	r, _, err := row.DecodeRow(s.buf)
	if err != nil {
		return nil, s.ioError(err)
	}
	return r, nil
}

// readSpill calls fn for each row of f, from the first.
func readSpill(f *spillFile, fn func([]types.Value) error) error {
	if err := f.rewind(); err != nil {
		return err
	}
	for {
		r, err := f.read()
		if r == nil || err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
}

// remove frees the rows and deletes the file, counting what it wrote;
// nil does nothing.
func (s *spillFile) remove() {
	if s == nil {
		return
	}
	s.pending, s.r = nil, nil
	if s.f == nil {
		return
	}
	s.f.Close()
	os.Remove(s.f.Name())
	s.f = nil
	s.c.noteDisk(s.node, s.disk)
	if s.c.Temp != nil {
		s.c.Temp.Bytes.Add(s.disk)
	}
}

func (s *spillFile) ioError(err error) error {
	return sqlerr.FileError(err, "could not use temporary file %q", s.f.Name())
}

// removeSpills removes files and returns the emptied slice.
func removeSpills(files []*spillFile) []*spillFile {
	for _, f := range files {
		f.remove()
	}
	return files[:0]
}

// spillPartitions is how many files a hash aggregation or join splits its
// rows into when they do not fit: each partition then holds about a 32nd
// of them.
const spillPartitions = 32

// partitioner spreads rows over files by the hash of their key; each
// level of a recursive partitioning has its own seed, so that the rows of
// one partition spread anew.
type partitioner struct {
	seed  maphash.Seed
	parts []*spillFile
}

// newPartitioner starts a partitioning into n files for the operator of
// node.
func (c *Context) newPartitioner(node any, n int) *partitioner {
	p := &partitioner{seed: maphash.MakeSeed(), parts: make([]*spillFile, n)}
	for i := range p.parts {
		p.parts[i] = c.newSpill(node)
	}
	return p
}

// part returns the partition of key.
func (p *partitioner) part(key []byte) int {
	return int(maphash.Bytes(p.seed, key) % uint64(len(p.parts)))
}

// remove deletes the partitions' files.
func (p *partitioner) remove() {
	if p != nil {
		p.parts = removeSpills(p.parts)
	}
}

// intKeyBytes is the key bytes partitioner.part hashes for an integer key.
func intKeyBytes(buf []byte, k int64) []byte {
	return binary.LittleEndian.AppendUint64(buf[:0], uint64(k))
}

// noteDisk records that the operator of node n wrote bytes to temporary
// files, under EXPLAIN ANALYZE (when they are removed, before EXPLAIN
// shows the plan).
func (c *Context) noteDisk(n any, bytes int64) {
	if c.Analysis != nil && bytes > 0 {
		c.Analysis.Stats(n).Disk += bytes
	}
}

// overWorkMem reports whether bytes of operator state pass work_mem (0:
// no limit).
func (c *Context) overWorkMem(bytes int64) bool {
	return c.WorkMem > 0 && bytes > c.WorkMem
}
