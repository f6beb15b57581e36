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
// the start (rewind) as often as needed.
type spillFile struct {
	f     *os.File
	w     *bufio.Writer
	r     *bufio.Reader
	buf   []byte
	rows  int64 // rows written
	bytes int64
	stats *TempStats // counts the file's bytes when it is removed; nil: none
}

// spillBufSize is the buffer of each file, read or written; a hash
// partitioning holds spillPartitions of them at once.
const spillBufSize = 32 << 10

// newSpill creates a temporary file in the statement's TempDir.
func (c *Context) newSpill() (*spillFile, error) {
	dir := c.TempDir
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, "spill-*")
	if err != nil {
		return nil, sqlerr.FileError(err, "could not create temporary file in %q", dir)
	}
	if c.Temp != nil {
		c.Temp.Files.Add(1)
	}
	return &spillFile{f: f, w: bufio.NewWriterSize(f, spillBufSize), stats: c.Temp}, nil
}

// write appends row r; it returns the bytes the row took.
func (s *spillFile) write(r []types.Value) (int64, error) {
	s.buf = row.AppendRow(s.buf[:0], r)
	var n [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(n[:], uint64(len(s.buf)))
	if _, err := s.w.Write(n[:k]); err != nil {
		return 0, s.ioError(err)
	}
	if _, err := s.w.Write(s.buf); err != nil {
		return 0, s.ioError(err)
	}
	s.rows++
	s.bytes += int64(k + len(s.buf))
	return int64(k + len(s.buf)), nil
}

// rewind ends the writing and starts reading from the first row.
func (s *spillFile) rewind() error {
	if err := s.w.Flush(); err != nil {
		return s.ioError(err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return s.ioError(err)
	}
	if s.r == nil {
		s.r = bufio.NewReaderSize(s.f, spillBufSize)
	} else {
		s.r.Reset(s.f)
	}
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

// remove closes and deletes the file; nil does nothing.
func (s *spillFile) remove() {
	if s == nil || s.f == nil {
		return
	}
	if s.stats != nil {
		s.stats.Bytes.Add(s.bytes)
	}
	s.f.Close()
	os.Remove(s.f.Name())
	s.f = nil
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
// of them, and 32 write buffers are 1 MB.
const spillPartitions = 32

// partitioner spreads rows over spillPartitions files by the hash of their
// key; each level of a recursive partitioning has its own seed, so that
// the rows of one partition spread anew.
type partitioner struct {
	seed  maphash.Seed
	parts []*spillFile
	bytes int64 // written, for EXPLAIN ANALYZE
}

// newPartitioner creates the files of a partitioning.
func (c *Context) newPartitioner() (*partitioner, error) {
	p := &partitioner{seed: maphash.MakeSeed()}
	for range spillPartitions {
		f, err := c.newSpill()
		if err != nil {
			p.remove()
			return nil, err
		}
		p.parts = append(p.parts, f)
	}
	return p, nil
}

// part returns the partition of key.
func (p *partitioner) part(key []byte) int {
	return int(maphash.Bytes(p.seed, key) % spillPartitions)
}

// write adds row r to partition i.
func (p *partitioner) write(i int, r []types.Value) error {
	n, err := p.parts[i].write(r)
	p.bytes += n
	return err
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
// files, under EXPLAIN ANALYZE.
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
