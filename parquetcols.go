package rustydb

// How COPY ... TO (FORMAT parquet) writes its rows. A table whose rows are
// in column segments is written from the segments' vectors: workers each
// fill a whole row group column by column (integers, floats, scaled
// numerics and strings go from the vectors to Parquet values without row
// values in between), compress it in memory, and commit it to the file in
// turn, so row groups are encoded in parallel and written in order. The
// rows after the segments, and the rows of a query, go through the row
// path: batches of rows converted value by value. Both give the file the
// same schema and values (see parquet.go).

import (
	"errors"
	"runtime"
	"sync"
	"unsafe"

	"github.com/parquet-go/parquet-go"

	"rustydb/catalog"
	"rustydb/column"
	"rustydb/exec"
	"rustydb/sqlerr"
	"rustydb/types"
)

// columnarColumns reports whether the columns cols of t are all held in
// column segments, so that COPY TO can write them from the vectors.
func columnarColumns(t *catalog.Table, cols []int) bool {
	for _, k := range cols {
		if column.KindOf(t.Columns[k].Type) == column.Unsupported {
			return false
		}
	}
	return true
}

// segmentPiece is rows lo to hi of a run of segment rows.
type segmentPiece struct {
	run    exec.SegmentRows
	lo, hi int
}

// parquetGroups writes the row groups of a Parquet file on workers: each
// fills and compresses a row group in memory (a ConcurrentRowGroupWriter)
// and commits it to the file once the row groups before it are there.
// The producer (the statement's goroutine) hands out a row group at a
// time, of segment pieces or of rows that it converts a chunk at a time;
// it waits while all workers are busy, which bounds the memory held.
type parquetGroups struct {
	c    *exec.Context
	pw   *parquet.Writer
	file string
	size int64 // rows per row group
	conv []parquetValue
	pick []int // the values of a row written, in order
	jobs chan *parquetGroup
	stop chan struct{} // closed when a worker or the producer fails
	once sync.Once
	wg   sync.WaitGroup
	errs []error
	prev chan struct{} // closed once the last row group handed out is committed
	rows int64         // rows handed out
	// the row group of rows being filled, its rows so far and the chunk
	// being converted
	group     *parquetGroup
	groupRows int64
	chunk     *rowChunk
	free      chan *rowChunk // written chunks, for reuse
}

// parquetGroup is one row group: write fills it.
type parquetGroup struct {
	write      func(rg *parquet.ConcurrentRowGroupWriter, enc *segmentEncoder) (int64, error)
	chunks     chan *rowChunk // of a row group of rows
	turn, done chan struct{}  // turn is closed when it may commit; done when it has
}

// rowChunk is rows of a row group converted to Parquet values, column by
// column.
type rowChunk struct {
	cols [][]parquet.Value
	rows int
}

// rowChunkRows is the most rows a chunk holds: a few pages' worth.
const rowChunkRows = 4096

func newParquetGroups(c *exec.Context, pw *parquet.Writer, file string, size int64, conv []parquetValue, pick []int) *parquetGroups {
	workers := runtime.GOMAXPROCS(0)
	if c.MaxWorkers > 0 {
		workers = min(workers, c.MaxWorkers)
	}
	g := &parquetGroups{c: c, pw: pw, file: file, size: size, conv: conv, pick: pick,
		jobs: make(chan *parquetGroup), stop: make(chan struct{}), errs: make([]error, max(workers, 1)),
		prev: make(chan struct{}), free: make(chan *rowChunk, 2*workers+2)}
	close(g.prev)
	for w := range g.errs {
		g.wg.Go(func() { g.work(w) })
	}
	return g
}

// work writes the row groups handed out until there are no more or
// something failed.
func (g *parquetGroups) work(w int) {
	defer func() {
		if r := recover(); r != nil {
			g.errs[w] = sqlerr.New(sqlerr.InternalError, "internal error writing Parquet: %v", r)
		}
		if g.errs[w] != nil {
			g.fail()
		}
	}()
	rg := g.pw.BeginRowGroup()
	enc := &segmentEncoder{buf: make([]parquet.Value, 0, 1024)}
	for job := range g.jobs {
		n, err := job.write(rg, enc)
		if err != nil {
			g.errs[w] = fileError(err, "could not write to COPY file \"%s\"", g.file)
			return
		}
		select {
		case <-job.turn:
		case <-g.stop:
			return
		}
		if _, err := rg.Commit(); err != nil {
			g.errs[w] = fileError(err, "could not write to COPY file \"%s\"", g.file)
			return
		}
		close(job.done)
		g.c.Progress.Add(n, 0)
	}
}

func (g *parquetGroups) fail() { g.once.Do(func() { close(g.stop) }) }

// errWorkerFailed stops the producer; the worker's error is reported.
var errWorkerFailed = errors.New("a Parquet worker failed")

// start hands out a row group to the next free worker.
func (g *parquetGroups) start(job *parquetGroup) error {
	if err := g.c.Canceled(); err != nil {
		return err
	}
	job.turn, job.done = g.prev, make(chan struct{})
	select {
	case g.jobs <- job:
		g.prev = job.done
		return nil
	case <-g.stop:
		return errWorkerFailed
	}
}

// addRuns writes the rows of runs, columns cols of their segments, from
// the vectors; a last row group of fewer rows is written on its own.
func (g *parquetGroups) addRuns(runs []exec.SegmentRows, cols []int) error {
	var pieces []segmentPiece
	var rows int64
	flush := func() error {
		group, n := pieces, rows
		pieces, rows = nil, 0
		return g.start(&parquetGroup{write: func(rg *parquet.ConcurrentRowGroupWriter, enc *segmentEncoder) (int64, error) {
			for leaf, k := range cols {
				if err := enc.column(rg.ColumnWriters()[leaf], group, k, leaf); err != nil {
					return 0, err
				}
			}
			return n, nil
		}})
	}
	for _, run := range runs {
		for lo := 0; lo < run.Len(); {
			take := int(min(int64(run.Len()-lo), g.size-rows))
			pieces = append(pieces, segmentPiece{run: run, lo: lo, hi: lo + take})
			lo, rows, g.rows = lo+take, rows+int64(take), g.rows+int64(take)
			if rows == g.size {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if rows > 0 {
		return flush()
	}
	return nil
}

// add converts a row and adds it to the row group of rows being filled.
func (g *parquetGroups) add(r []types.Value) error {
	if g.chunk == nil {
		select {
		case g.chunk = <-g.free:
			for i := range g.chunk.cols {
				g.chunk.cols[i] = g.chunk.cols[i][:0]
			}
			g.chunk.rows = 0
		default:
			g.chunk = &rowChunk{cols: make([][]parquet.Value, len(g.pick))}
			for i := range g.chunk.cols {
				g.chunk.cols[i] = make([]parquet.Value, 0, min(g.size, rowChunkRows))
			}
		}
	}
	ch := g.chunk
	for i, k := range g.pick {
		v, err := g.conv[i](r[k])
		if err != nil {
			return err
		}
		if v.IsNull() {
			v = v.Level(0, 0, i)
		} else {
			v = v.Level(0, 1, i)
		}
		ch.cols[i] = append(ch.cols[i], v)
	}
	ch.rows++
	g.groupRows++
	g.rows++
	if ch.rows == rowChunkRows || g.groupRows == g.size {
		return g.sendChunk()
	}
	return nil
}

// sendChunk hands the chunk to the worker writing its row group, handing
// the row group out first if it is new, and ends the row group when full.
func (g *parquetGroups) sendChunk() error {
	if g.group == nil {
		chunks := make(chan *rowChunk, 2)
		g.group = &parquetGroup{chunks: chunks, write: func(rg *parquet.ConcurrentRowGroupWriter, _ *segmentEncoder) (int64, error) {
			var n int64
			for ch := range chunks {
				for i, vals := range ch.cols {
					// a call at a time for the writer to cut pages between
					for lo := 0; lo < len(vals); lo += 1024 {
						if _, err := rg.ColumnWriters()[i].WriteRowValues(vals[lo:min(lo+1024, len(vals))]); err != nil {
							return 0, err
						}
					}
				}
				n += int64(ch.rows)
				select {
				case g.free <- ch:
				default:
				}
			}
			return n, nil
		}}
		if err := g.start(g.group); err != nil {
			return err
		}
	}
	select {
	case g.group.chunks <- g.chunk:
	case <-g.stop:
		return errWorkerFailed
	}
	g.chunk = nil
	if g.groupRows == g.size {
		close(g.group.chunks)
		g.group, g.groupRows = nil, 0
	}
	return nil
}

// finish writes what is left (unless err, the producer's error) and waits
// for the workers; it returns the rows written.
func (g *parquetGroups) finish(err error) (int64, error) {
	if err == nil && g.chunk != nil && g.chunk.rows > 0 {
		err = g.sendChunk()
	}
	if g.group != nil {
		close(g.group.chunks)
		g.group = nil
	}
	close(g.jobs)
	if err != nil {
		g.fail()
	}
	g.wg.Wait()
	for _, werr := range g.errs {
		if werr != nil {
			return 0, werr
		}
	}
	if err != nil {
		return 0, err
	}
	return g.rows, nil
}

// segmentEncoder turns segment columns into the Parquet values of their
// column, a buffer at a time.
type segmentEncoder struct {
	buf  []parquet.Value
	out  *parquet.ColumnWriter
	dict [][]byte // a dictionary column's entries, as bytes
}

// column writes column k of the pieces' segments as leaf column leaf.
func (e *segmentEncoder) column(out *parquet.ColumnWriter, pieces []segmentPiece, k, leaf int) error {
	e.out, e.buf = out, e.buf[:0]
	for _, p := range pieces {
		col := &p.run.Seg.Cols[k]
		var value func(i int) parquet.Value
		switch t := col.Type; {
		case t.ID == types.Bool:
			value = func(i int) parquet.Value { return parquet.BooleanValue(col.I32[i] != 0) }
		case col.Kind == column.Int32:
			value = func(i int) parquet.Value { return parquet.Int32Value(col.I32[i]) }
		case t.ID == types.Numeric && t.Precision <= 9: // DECIMAL over INT32
			value = func(i int) parquet.Value { return parquet.Int32Value(int32(col.I64[i])) }
		case col.Kind == column.Int64:
			value = func(i int) parquet.Value { return parquet.Int64Value(col.I64[i]) }
		case t.ID == types.Float4:
			value = func(i int) parquet.Value { return parquet.FloatValue(float32(col.F64[i])) }
		case col.Kind == column.Float64:
			value = func(i int) parquet.Value { return parquet.DoubleValue(col.F64[i]) }
		case col.Codes != nil:
			e.dict = e.dict[:0]
			for _, s := range col.Dict {
				e.dict = append(e.dict, stringBytes(s))
			}
			value = func(i int) parquet.Value { return parquet.ByteArrayValue(e.dict[col.Codes[i]]) }
		default:
			offsets, data := col.Str.ValueOffsets(), col.Str.ValueBytes()
			value = func(i int) parquet.Value { return parquet.ByteArrayValue(data[offsets[i]:offsets[i+1]]) }
		}
		if err := e.encode(p, col, leaf, value); err != nil {
			return err
		}
	}
	return e.flush()
}

// encode adds the values of a piece of column col, value(i) for row i of
// its segment, NULLs as such.
func (e *segmentEncoder) encode(p segmentPiece, col *column.Column, leaf int, value func(i int) parquet.Value) error {
	for r := p.lo; r < p.hi; r++ {
		i := p.run.Row(r)
		if col.Null(i) {
			e.buf = append(e.buf, parquet.NullValue().Level(0, 0, leaf))
		} else {
			e.buf = append(e.buf, value(i).Level(0, 1, leaf))
		}
		if len(e.buf) == cap(e.buf) {
			if err := e.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush writes the buffered values; the writer cuts pages between calls.
func (e *segmentEncoder) flush() error {
	if len(e.buf) == 0 {
		return nil
	}
	_, err := e.out.WriteRowValues(e.buf)
	e.buf = e.buf[:0]
	return err
}

// stringBytes views s's bytes, which the Parquet writer copies and does
// not modify.
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
