package api

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"rustydb"
)

// POST /api/v1/query with "Accept: application/vnd.apache.arrow.stream"
// answers with an Arrow IPC stream: the schema, then the rows in record
// batches of up to arrowBatchRows, its column types mapped as
// rustydb.ArrowType says (arrow.go in package rustydb).

// arrowStreamType is the media type of the Arrow IPC stream format.
const arrowStreamType = "application/vnd.apache.arrow.stream"

const arrowBatchRows = 64 * 1024

// writeArrow writes rows to w as an Arrow IPC stream. It builds each batch
// before writing it, so an error in the first batch leaves w untouched.
func writeArrow(w io.Writer, rows *rustydb.Rows, started func()) error {
	cols := rows.Columns()
	schema := rustydb.ArrowSchema(cols)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	var iw *ipc.Writer
	flush := func() error {
		rec := b.NewRecordBatch()
		defer rec.Release()
		if iw == nil {
			started()
			iw = ipc.NewWriter(w, ipc.WithSchema(schema))
		}
		return iw.Write(rec)
	}
	n := 0
	for rows.Next() {
		for i, v := range rows.Values() {
			if err := rustydb.AppendArrow(b.Field(i), v, cols[i].Type); err != nil {
				return fmt.Errorf("column %q: %w", cols[i].Name, err)
			}
		}
		if n++; n%arrowBatchRows == 0 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if n == 0 || n%arrowBatchRows != 0 {
		if err := flush(); err != nil {
			return err
		}
	}
	return iw.Close()
}
