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
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/parquet-go/parquet-go"

	"rustydb/catalog"
	"rustydb/column"
	"rustydb/exec"
	"rustydb/sqlerr"
	"rustydb/types"
)

// parquetRows writes rows to a Parquet file in batches.
type parquetRows struct {
	c      *exec.Context
	pw     *parquet.Writer
	conv   []parquetValue
	pick   []int // the row's values written, in order
	file   string
	batch  []parquet.Row
	values []parquet.Value // of the batch's rows, reused: WriteRows copies them
	n      int64           // rows written
}

func newParquetRows(c *exec.Context, pw *parquet.Writer, conv []parquetValue, pick []int, file string) *parquetRows {
	const batch = 1024
	return &parquetRows{c: c, pw: pw, conv: conv, pick: pick, file: file,
		batch: make([]parquet.Row, 0, batch), values: make([]parquet.Value, batch*len(pick))}
}

// add converts and adds one row.
func (w *parquetRows) add(r []types.Value) error {
	at := len(w.batch) * len(w.pick)
	row := parquet.Row(w.values[at : at+len(w.pick) : at+len(w.pick)])
	for i, k := range w.pick {
		v, err := w.conv[i](r[k])
		if err != nil {
			return err
		}
		if v.IsNull() {
			row[i] = v.Level(0, 0, i)
		} else {
			row[i] = v.Level(0, 1, i)
		}
	}
	w.n++
	if w.batch = append(w.batch, row); len(w.batch) == cap(w.batch) {
		return w.flush()
	}
	return nil
}

// flush writes the rows added since the last flush.
func (w *parquetRows) flush() error {
	if len(w.batch) == 0 {
		return nil
	}
	if _, err := w.pw.WriteRows(w.batch); err != nil {
		return fileError(err, "could not write to COPY file \"%s\"", w.file)
	}
	w.c.Progress.Add(int64(len(w.batch)), 0)
	w.batch = w.batch[:0]
	return nil
}

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

// writeParquetSegments writes the rows of runs, columns cols of their
// segments, to pw in row groups of size rows, and returns how many rows
// it wrote.
func writeParquetSegments(c *exec.Context, pw *parquet.Writer, runs []exec.SegmentRows, cols []int, file string, size int64) (int64, error) {
	var groups [][]segmentPiece
	var cur []segmentPiece
	var rows, curRows int64
	for _, run := range runs {
		for lo := 0; lo < run.Len(); {
			take := int(min(int64(run.Len()-lo), size-curRows))
			cur = append(cur, segmentPiece{run: run, lo: lo, hi: lo + take})
			lo, curRows, rows = lo+take, curRows+int64(take), rows+int64(take)
			if curRows == size {
				groups, cur, curRows = append(groups, cur), nil, 0
			}
		}
	}
	if curRows > 0 {
		groups = append(groups, cur)
	}
	workers := min(runtime.GOMAXPROCS(0), len(groups))
	if c.MaxWorkers > 0 {
		workers = min(workers, c.MaxWorkers)
	}
	// turn[g] is closed once row group g may be committed: the row groups
	// before it are in the file
	turn := make([]chan struct{}, len(groups)+1)
	for g := range turn {
		turn[g] = make(chan struct{})
	}
	close(turn[0])
	stop := make(chan struct{})
	var once sync.Once
	var next atomic.Int64
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					errs[w] = sqlerr.New(sqlerr.InternalError, "internal error writing Parquet: %v", r)
				}
				if errs[w] != nil {
					once.Do(func() { close(stop) })
				}
			}()
			rg := pw.BeginRowGroup()
			enc := &segmentEncoder{buf: make([]parquet.Value, 0, 1024)}
			for {
				g := int(next.Add(1)) - 1
				if g >= len(groups) {
					return
				}
				if errs[w] = c.Canceled(); errs[w] != nil {
					return
				}
				var n int
				for leaf, k := range cols {
					if errs[w] = enc.column(rg.ColumnWriters()[leaf], groups[g], k, leaf); errs[w] != nil {
						errs[w] = fileError(errs[w], "could not write to COPY file \"%s\"", file)
						return
					}
				}
				for _, p := range groups[g] {
					n += p.hi - p.lo
				}
				select {
				case <-turn[g]:
				case <-stop:
					return
				}
				if _, errs[w] = rg.Commit(); errs[w] != nil {
					errs[w] = fileError(errs[w], "could not write to COPY file \"%s\"", file)
					return
				}
				close(turn[g+1])
				c.Progress.Add(int64(n), 0)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return 0, err
		}
	}
	return rows, nil
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
