package rustydb

import (
	"bytes"
	"encoding/hex"
	"io"
	"time"

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
// arrowBatchRows rows, the columns typed as ArrowType maps them; COPY FROM
// matches the file's fields to the table's columns by name (a column the
// file lacks takes its default, a field the table lacks is ignored) and
// converts each value through its text form, so any Arrow type with one
// loads into any column type that accepts it.

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
		fr, err := ipc.NewFileReader(all)
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
	sr, err := ipc.NewReader(all)
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
	// pos[i] is the field of the file that gives cols[i], or -1
	pos := make([]int, len(cols))
	for i, col := range cols {
		pos[i] = -1
		if idx := in.schema.FieldIndices(t.Columns[col].Name); len(idx) > 0 {
			pos[i] = idx[0]
		}
	}
	var rec arrow.RecordBatch
	var row, line int64
	return c.CopyLoad(t, cols, func() ([]*string, int64, []byte, error) {
		for rec == nil || row >= rec.NumRows() {
			var err error
			if rec, err = in.next(); err != nil || rec == nil {
				if err == nil {
					err = io.EOF
				}
				return nil, line, nil, err
			}
			row = 0
		}
		line++
		fields, texts := make([]*string, len(cols)), make([]string, len(cols)) // the load keeps them
		for i, p := range pos {
			if p < 0 {
				fields[i] = exec.CopyDefault
			} else if col := rec.Column(p); col.IsNull(int(row)) {
				fields[i] = nil
			} else {
				texts[i] = arrowText(col, int(row))
				fields[i] = &texts[i]
			}
		}
		row++
		return fields, line, nil, nil
	}, f)
}

// arrowText is the text form of value i of col that SQL types read:
// Arrow's own for most types, but timestamps in ISO form with their time
// zone and binary as bytea's hex.
func arrowText(col arrow.Array, i int) string {
	switch a := col.(type) {
	case *array.Timestamp:
		typ := a.DataType().(*arrow.TimestampType)
		ts := a.Value(i).ToTime(typ.Unit)
		if typ.TimeZone == "" {
			return ts.Format("2006-01-02 15:04:05.999999")
		}
		return ts.Format("2006-01-02 15:04:05.999999Z07:00")
	case *array.Binary:
		return `\x` + hex.EncodeToString(a.Value(i))
	case *array.LargeBinary:
		return `\x` + hex.EncodeToString(a.Value(i))
	case *array.Date64:
		return a.Value(i).ToTime().Format(time.DateOnly)
	}
	return col.ValueStr(i)
}
