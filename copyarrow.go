package rustydb

import (
	"bytes"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"rustydb/catalog"
	"rustydb/exec"
	"rustydb/sqlerr"
	"rustydb/types"
)

// COPY ... (FORMAT arrow): Arrow IPC files (the random-access format with
// a footer, .arrow or .feather v2); COPY FROM also reads IPC streams
// (.arrows, what the REST API answers with). COPY TO writes record batches of up to
// arrowBatchRows rows, the columns typed as ArrowType maps them.
//
// COPY FROM opens the file or stream here and hands its record batches to
// exec.Context.CopyArrow, which matches the fields to the table's columns
// by name (a column the input lacks takes its default, a field the table
// lacks is ignored). Into a table that loads column by column (no CHECK,
// foreign key or default to compute) each record batch is cut into the
// load's batches and converted a column at a time from its arrays: the
// Arrow types that map onto a column's form go straight in without text
// (int64 into bigint, int32 into integer, date32 into date, float64 into
// double precision and timestamp[us] arrays become the batch's storage
// whole), every other value goes through its text form and the text
// load's conversion, so that results and errors are those of a text
// load. The batches then take the text load's workers and loader (heap
// tuples, column segments, indexes, crash-atomic bulk load). Other tables
// load row by row, each value through its text form (exec/copyarrow.go).

const arrowBatchRows = 64 * 1024

// arrowFileWriter writes COPY TO rows as an Arrow IPC file.
type arrowFileWriter struct {
	w    *ipc.FileWriter
	b    *array.RecordBuilder
	typs []types.T
	n    int  // rows in b
	some bool // a batch was written
}

func newArrowFileWriter(out io.Writer, names []string, typs []types.T) (*arrowFileWriter, error) {
	cols := make([]Column, len(names))
	for i := range names {
		cols[i] = Column{Name: names[i], Type: typs[i]}
	}
	schema := ArrowSchema(cols)
	w, err := ipc.NewFileWriter(out, ipc.WithSchema(schema))
	if err != nil {
		return nil, sqlerr.New(sqlerr.IOError, "could not start Arrow file: %v", err)
	}
	return &arrowFileWriter{w: w, b: array.NewRecordBuilder(memory.DefaultAllocator, schema), typs: typs}, nil
}

func (a *arrowFileWriter) Row(vals []types.Value) error {
	for i, v := range vals {
		if err := AppendArrow(a.b.Field(i), v, a.typs[i]); err != nil {
			return sqlerr.New(sqlerr.NumericValueOutOfRange, "column %q: %v", a.b.Schema().Field(i).Name, err)
		}
	}
	if a.n++; a.n == arrowBatchRows {
		return a.flush()
	}
	return nil
}

func (a *arrowFileWriter) flush() error {
	rec := a.b.NewRecordBatch()
	defer rec.Release()
	a.n, a.some = 0, true
	return a.w.Write(rec)
}

// Close writes the last batch (an empty one for an empty table, so that
// the file has one) and the file's footer.
func (a *arrowFileWriter) Close() error {
	defer a.b.Release()
	if a.n > 0 || !a.some {
		if err := a.flush(); err != nil {
			return err
		}
	}
	return a.w.Close()
}

// arrowBatches reads the record batches of an Arrow IPC file or stream.
type arrowBatches struct {
	schema *arrow.Schema
	next   func() (arrow.RecordBatch, error) // nil, nil after the last
	close  func()
}

// loadAllocator holds the buffers of the record batches COPY FROM reads:
// Go memory, which the load may keep past a batch (see exec.ArrowSource).
var loadAllocator = memory.NewGoAllocator()

// openArrow opens r, COPY FROM's file name, as an Arrow IPC file (which
// starts with the magic ARROW1) or else an IPC stream.
func openArrow(r io.Reader, name string) (*arrowBatches, error) {
	var src io.ReaderAt
	var size int64
	if f, ok := r.(*copyFileReader); ok && f.z == nil {
		st, err := f.f.Stat()
		if err != nil {
			return nil, fileError(err, "could not stat file \"%s\"", name)
		}
		src, size = f.f, st.Size()
	} else { // compressed: the IPC file reader seeks, so read it whole
		data, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		src, size = bytes.NewReader(data), int64(len(data))
	}
	all := io.NewSectionReader(src, 0, size)
	magic := make([]byte, 6)
	if n, _ := src.ReadAt(magic, 0); n == 6 && string(magic) == "ARROW1" {
		fr, err := ipc.NewFileReader(all, ipc.WithAllocator(loadAllocator))
		if err != nil {
			return nil, sqlerr.New(sqlerr.BadCopyFileFormat, "\"%s\" is not an Arrow IPC file: %v", name, err)
		}
		batch := 0
		return &arrowBatches{schema: fr.Schema(), close: func() { fr.Close() }, next: func() (arrow.RecordBatch, error) {
			if batch >= fr.NumRecords() {
				return nil, nil
			}
			rec, err := fr.RecordBatch(batch)
			if err != nil {
				return nil, sqlerr.New(sqlerr.BadCopyFileFormat, "could not read record batch %d of \"%s\": %v", batch, name, err)
			}
			batch++
			return rec, nil
		}}, nil
	}
	sr, err := ipc.NewReader(all, ipc.WithAllocator(loadAllocator))
	if err != nil {
		return nil, sqlerr.New(sqlerr.BadCopyFileFormat, "\"%s\" is not an Arrow IPC file or stream: %v", name, err)
	}
	return &arrowBatches{schema: sr.Schema(), close: sr.Release, next: func() (arrow.RecordBatch, error) {
		if sr.Next() {
			return sr.RecordBatch(), nil
		}
		if err := sr.Err(); err != nil {
			return nil, sqlerr.New(sqlerr.BadCopyFileFormat, "could not read the Arrow stream \"%s\": %v", name, err)
		}
		return nil, nil
	}}, nil
}

// copyFromArrow loads the Arrow IPC file or stream r (name is for errors)
// into t's columns cols.
func (s *Session) copyFromArrow(c *exec.Context, t *catalog.Table, cols []int, name string, r io.Reader, f exec.CopyFormat) (int64, error) {
	in, err := openArrow(r, name)
	if err != nil {
		return 0, err
	}
	defer in.close()
	return c.CopyArrow(t, cols, in.schema, in.next, f)
}
