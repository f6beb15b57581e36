package row

// Bulk load rows given column by column: a column.Builder holding a batch
// of converted rows (see column/rows.go), the heap tuples encoded from it
// on the load's workers. The loader copies the tuples into its pages and
// the rows into its segments, and makes types.Values only of the columns
// the table's indexes need.

import (
	"context"
	"encoding/binary"
	"slices"

	"rustydb/catalog"
	"rustydb/column"
	"rustydb/types"
)

// AppendBuilderRow appends row i of b encoded as AppendRow encodes its
// values (the bytes are the same), from the column forms.
func AppendBuilderRow(buf []byte, b *column.Builder, i int) []byte {
	buf = binary.AppendUvarint(buf, uint64(b.Columns()))
	for c := range b.Columns() {
		switch {
		case b.Null(c, i):
			buf = append(buf, encNull)
		case b.Kind(c) == column.String:
			s := b.Str(c, i)
			buf = binary.AppendUvarint(append(buf, encText), uint64(len(s)))
			buf = append(buf, s...)
		case b.Kind(c) == column.Int32 || b.Kind(c) == column.Int64:
			buf = appendInt(buf, b.Type(c), b.Int(c, i))
		default:
			buf = appendValue(buf, b.Value(c, i))
		}
	}
	return buf
}

// appendInt appends x, the column form of a value of type t, as
// appendValue appends the value.
func appendInt(buf []byte, t types.T, x int64) []byte {
	switch t.ID {
	case types.Numeric: // a decimal of exponent -scale, its coefficient an int64
		buf = binary.AppendVarint(append(buf, encDecimalInt), int64(-t.Scale))
		return binary.AppendVarint(buf, x)
	case types.Date:
		return binary.AppendVarint(append(buf, encDate), x)
	case types.Int2, types.Int4, types.Int8:
		return binary.AppendVarint(append(buf, encInt), x)
	}
	return appendValue(buf, column.FromInt64(t, x))
}

// AddRow adds row i of src, whose tuple (AppendBuilderRow's encoding) is
// body, to the load.
func (l *Load) AddRow(ctx context.Context, src *column.Builder, i int, body []byte) error {
	if l.err != nil {
		return l.err
	}
	id := l.h.nextID.Add(1)
	l.tuple = append(binary.AppendUvarint(l.tuple[:0], id), body...)
	if len(l.tuple) > maxTupleSize {
		return l.tx.Insert(ctx, l.h, src.Values(i)) // overflow pages: the logged path
	}
	pg, slot, err := l.place(ctx)
	if err != nil {
		return err
	}
	l.pending = append(l.pending, loadedRow{id: id, page: pg, slot: slot, src: src, idx: i})
	return nil
}

// indexColumns returns the columns t's indexes cover, once each.
func indexColumns(t *catalog.Table) []int {
	var cols []int
	for _, key := range t.IndexKeys() {
		for _, c := range key {
			if !slices.Contains(cols, c) {
				cols = append(cols, c)
			}
		}
	}
	return cols
}

// rowRun is rows from to to-1 of src, added to a load's segment at once:
// copying a batch's columns is cheaper than copying its rows one by one.
type rowRun struct {
	src      *column.Builder
	from, to int
}
