package rustydb

// How COPY ... TO (FORMAT parquet) writes its rows: on workers, each of
// which fills a whole row group, compresses it in memory and commits it to
// the file when the row groups before it are there, so row groups are
// encoded in parallel and written in order. A table's rows in column
// segments go from the segments' vectors to Parquet values column by
// column (integers, floats, scaled numerics and strings, without row
// values in between); the rows after them are read from the heap by the
// workers, a chunk of rows at a time. The statement's goroutine runs a
// query and hands its rows to the workers in batches, which they convert.
// All give the file the same schema and values (see parquet.go).

import (
	"errors"
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

// tablePiece is rows lo to hi of a run of segment rows or, when heap is
// set, of the heap's rows.
type tablePiece struct {
	run    exec.SegmentRows
	heap   *exec.HeapRows
	lo, hi int
}

// parquetGroups hands out the row groups of a Parquet file to workers.
// The producer (the statement's goroutine) waits while all workers are
// busy, which bounds the memory held.
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
	// giveBack returns the workers to the scheduler once they are done
	giveBack func()
	prev     chan struct{} // closed once the last row group handed out is committed
	rows     int64         // rows handed out
	// the row group of a query's rows being filled, its rows so far and
	// the batch of them not yet handed to its worker
	group     *parquetGroup
	groupRows int64
	batch     [][]types.Value
	free      chan [][]types.Value // batches written, for reuse
}

// parquetGroup is one row group: write fills it and returns its rows.
type parquetGroup struct {
	write      func(w *groupWriter) (int64, error)
	batches    chan [][]types.Value // of a row group of a query's rows
	turn, done chan struct{}        // turn is closed when it may commit; done when it has
}

// rowChunk is rows converted to Parquet values, column by column.
type rowChunk struct {
	cols [][]parquet.Value
	rows int
}

// rowChunkRows is the most rows a chunk or a batch holds: a few pages'
// worth.
const rowChunkRows = 4096

func newParquetGroups(c *exec.Context, pw *parquet.Writer, file string, size int64, conv []parquetValue, pick []int) *parquetGroups {
	workers, giveBack := c.Workers()
	g := &parquetGroups{c: c, pw: pw, file: file, size: size, conv: conv, pick: pick, giveBack: giveBack,
		jobs: make(chan *parquetGroup), stop: make(chan struct{}), errs: make([]error, max(workers, 1)),
		prev: make(chan struct{}), free: make(chan [][]types.Value, 2*workers+2)}
	close(g.prev)
	for w := range g.errs {
		g.wg.Go(func() { g.work(w) })
	}
	return g
}

// groupWriter is a worker's row group and scratch.
type groupWriter struct {
	g     *parquetGroups
	rg    *parquet.ConcurrentRowGroupWriter
	buf   []parquet.Value
	dict  [][]byte // a dictionary column's entries, as bytes
	chunk *rowChunk
}

// work writes the row groups handed out until there are no more or
// something failed.
func (g *parquetGroups) work(i int) {
	defer func() {
		if r := recover(); r != nil {
			g.errs[i] = sqlerr.New(sqlerr.InternalError, "internal error writing Parquet: %v", r)
		}
		if g.errs[i] != nil {
			g.fail()
		}
	}()
	w := &groupWriter{g: g, rg: g.pw.BeginRowGroup(), buf: make([]parquet.Value, 0, 1024)}
	for job := range g.jobs {
		n, err := job.write(w)
		if err != nil {
			g.errs[i] = err
			return
		}
		select {
		case <-job.turn:
		case <-g.stop:
			return
		}
		if _, err := w.rg.Commit(); err != nil {
			g.errs[i] = g.writeError(err)
			return
		}
		close(job.done)
		g.c.Progress.Add(n, 0)
	}
}

func (g *parquetGroups) fail() { g.once.Do(func() { close(g.stop) }) }

func (g *parquetGroups) writeError(err error) error {
	return fileError(err, "could not write to COPY file \"%s\"", g.file)
}

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

// addTable writes the rows of runs and then of heap, columns cols of the
// table.
func (g *parquetGroups) addTable(runs []exec.SegmentRows, heap *exec.HeapRows, cols []int) error {
	var pieces []tablePiece
	var rows int64
	flush := func() error {
		group, n := pieces, rows
		pieces, rows = nil, 0
		return g.start(&parquetGroup{write: func(w *groupWriter) (int64, error) {
			for _, p := range group {
				if err := w.piece(p, cols); err != nil {
					return 0, err
				}
			}
			return n, nil
		}})
	}
	add := func(p tablePiece, size int) error {
		for p.lo = 0; p.lo < size; p.lo = p.hi {
			p.hi = p.lo + int(min(int64(size-p.lo), g.size-rows))
			pieces = append(pieces, p)
			rows, g.rows = rows+int64(p.hi-p.lo), g.rows+int64(p.hi-p.lo)
			if rows == g.size {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, run := range runs {
		if err := add(tablePiece{run: run}, run.Len()); err != nil {
			return err
		}
	}
	if err := add(tablePiece{heap: heap}, heap.Len()); err != nil {
		return err
	}
	if rows > 0 {
		return flush()
	}
	return nil
}

// add adds a row of a query to the row group being filled; its worker
// converts it.
func (g *parquetGroups) add(r []types.Value) error {
	if g.batch == nil {
		select {
		case g.batch = <-g.free:
		default:
			g.batch = make([][]types.Value, 0, min(g.size, rowChunkRows))
		}
	}
	g.batch = append(g.batch, r)
	g.groupRows++
	g.rows++
	if len(g.batch) == cap(g.batch) || g.groupRows == g.size {
		return g.sendBatch()
	}
	return nil
}

func (g *parquetGroups) newChunk() *rowChunk {
	ch := &rowChunk{cols: make([][]parquet.Value, len(g.pick))}
	for i := range ch.cols {
		ch.cols[i] = make([]parquet.Value, 0, min(g.size, rowChunkRows))
	}
	return ch
}

// convert adds row r to ch.
func (g *parquetGroups) convert(ch *rowChunk, r []types.Value) error {
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
	return nil
}

// sendBatch hands the batch to the worker writing its row group, handing
// the row group out first if it is new, and ends the row group when full.
func (g *parquetGroups) sendBatch() error {
	if g.group == nil {
		batches := make(chan [][]types.Value, 2)
		g.group = &parquetGroup{batches: batches, write: func(w *groupWriter) (int64, error) {
			var n int64
			for rows := range batches {
				if err := w.rows(func(yield func([]types.Value) error) error {
					for _, r := range rows {
						if err := yield(r); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					return 0, err
				}
				n += int64(len(rows))
				clear(rows) // let the rows go
				select {
				case g.free <- rows[:0]:
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
	case g.group.batches <- g.batch:
	case <-g.stop:
		return errWorkerFailed
	}
	g.batch = nil
	if g.groupRows == g.size {
		close(g.group.batches)
		g.group, g.groupRows = nil, 0
	}
	return nil
}

// finish writes what is left (unless err, the producer's error) and waits
// for the workers; it returns the rows written.
func (g *parquetGroups) finish(err error) (int64, error) {
	if err == nil && len(g.batch) > 0 {
		err = g.sendBatch()
	}
	if g.group != nil {
		close(g.group.batches)
		g.group = nil
	}
	close(g.jobs)
	if err != nil {
		g.fail()
	}
	g.wg.Wait()
	g.giveBack()
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

// writeChunk writes a chunk's values to the row group and empties it.
func (w *groupWriter) writeChunk(ch *rowChunk) error {
	for i, vals := range ch.cols {
		// a call at a time, for the writer to cut pages between them
		for lo := 0; lo < len(vals); lo += cap(w.buf) {
			if _, err := w.rg.ColumnWriters()[i].WriteRowValues(vals[lo:min(lo+cap(w.buf), len(vals))]); err != nil {
				return w.g.writeError(err)
			}
		}
		ch.cols[i] = vals[:0]
	}
	ch.rows = 0
	return nil
}

// piece writes a piece of a table's rows, columns cols.
func (w *groupWriter) piece(p tablePiece, cols []int) error {
	if p.heap == nil {
		for leaf, k := range cols {
			if err := w.column(p, k, leaf); err != nil {
				return err
			}
		}
		return nil
	}
	for lo := p.lo; lo < p.hi; lo += rowChunkRows {
		if err := w.rows(func(yield func([]types.Value) error) error {
			return p.heap.Read(lo, min(lo+rowChunkRows, p.hi), yield)
		}); err != nil {
			return err
		}
	}
	return nil
}

// rows converts and writes the rows read calls its argument with (at
// most rowChunkRows).
func (w *groupWriter) rows(read func(yield func([]types.Value) error) error) error {
	if w.chunk == nil {
		w.chunk = w.g.newChunk()
	}
	if err := read(func(r []types.Value) error { return w.g.convert(w.chunk, r) }); err != nil {
		return err
	}
	return w.writeChunk(w.chunk)
}

// column writes column k of a piece of segment rows as leaf column leaf.
func (w *groupWriter) column(p tablePiece, k, leaf int) error {
	col := &p.run.Seg.Cols[k]
	var value func(i int) parquet.Value
	switch t := col.Type; {
	// Integer columns read through Int: a segment may hold them bit-packed
	// or run-length encoded.
	case t.ID == types.Bool:
		value = func(i int) parquet.Value { return parquet.BooleanValue(col.Int(i) != 0) }
	case col.Kind == column.Int32:
		value = func(i int) parquet.Value { return parquet.Int32Value(int32(col.Int(i))) }
	case t.ID == types.Numeric && t.Precision <= 9: // DECIMAL over INT32
		value = func(i int) parquet.Value { return parquet.Int32Value(int32(col.Int(i))) }
	case col.Kind == column.Int64:
		value = func(i int) parquet.Value { return parquet.Int64Value(col.Int(i)) }
	case t.ID == types.Float4:
		value = func(i int) parquet.Value { return parquet.FloatValue(float32(col.F64[i])) }
	case col.Kind == column.Float64:
		value = func(i int) parquet.Value { return parquet.DoubleValue(col.F64[i]) }
	case col.Codes != nil:
		w.dict = w.dict[:0]
		for _, s := range col.Dict {
			w.dict = append(w.dict, stringBytes(s))
		}
		value = func(i int) parquet.Value { return parquet.ByteArrayValue(w.dict[col.Codes[i]]) }
	default:
		offsets, data := col.Str.ValueOffsets(), col.Str.ValueBytes()
		value = func(i int) parquet.Value { return parquet.ByteArrayValue(data[offsets[i]:offsets[i+1]]) }
	}
	out := w.rg.ColumnWriters()[leaf]
	flush := func() error {
		_, err := out.WriteRowValues(w.buf)
		w.buf = w.buf[:0]
		if err != nil {
			return w.g.writeError(err)
		}
		return nil
	}
	for r := p.lo; r < p.hi; r++ {
		i := p.run.Row(r)
		if col.Null(i) {
			w.buf = append(w.buf, parquet.NullValue().Level(0, 0, leaf))
		} else {
			w.buf = append(w.buf, value(i).Level(0, 1, leaf))
		}
		if len(w.buf) == cap(w.buf) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// stringBytes views s's bytes, which the Parquet writer copies and does
// not modify.
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
