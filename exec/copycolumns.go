package exec

// COPY FROM column by column. When every column of the table has a column
// form (column.KindOf) and the table has no CHECK constraint, foreign key
// or default the load would have to compute, a conversion worker turns a
// batch's fields straight into a column.Builder of the batch (integers,
// scaled decimals, days and strings; no types.Value per field, see
// rowConv.appendTo) and encodes the rows' heap tuples from it. The loader
// copies the tuples into its pages and the batch's rows into its segments
// (row.Load.AddRow). Fields the fast conversion declines take the general
// one (types.AssignIn), which also words a bad value's error, as the row
// path does; the first rows, inserted one by one, become values again.

import (
	"bytes"
	"slices"
	"strings"

	"rustydb/catalog"
	"rustydb/column"
	"rustydb/sqlerr"
	"rustydb/types"
)

// columnLoad reports whether a COPY FROM into t of the columns cols goes
// column by column; text says every row gives all of cols (no
// CopyDefault).
func columnLoad(t *catalog.Table, cols []int, text bool) bool {
	if len(t.Checks) > 0 || len(t.ForeignKeys) > 0 {
		return false
	}
	given := make([]bool, len(t.Columns))
	for _, c := range cols {
		given[c] = true
	}
	for i, col := range t.Columns {
		if column.KindOf(col.Type) == column.Unsupported {
			return false
		}
		if (col.Default != "" || col.Identity != "") && !(given[i] && text) {
			return false // a default to compute, row by row in input order
		}
	}
	return true
}

// convertColumns converts the fields of b's rows into b.cols and encodes
// their tuples. A row that cannot be converted gets its error, as
// convertBatch gives it, and no row in b.cols.
func (c *Context) convertColumns(t *catalog.Table, cols []int, f CopyFormat, rc *rowConv, b *loadBatch) {
	defer close(b.done)
	b.cols = column.NewBuilder(t, len(b.rows))
	// a row's tuple is about as long as its text, with a byte a field more
	b.tuples = slices.Grow(b.tuples[:0], len(b.text)+len(b.rows)*len(t.Columns))
	b.ends = slices.Grow(b.ends[:0], len(b.rows))
	field := columnFields(t, cols)
	var missing []int // the columns the input does not give
	for col, i := range field {
		if i < 0 {
			missing = append(missing, col)
		}
	}
	text := b.textString()
	for i := range b.rows {
		r := &b.rows[i]
		if r.err != nil {
			continue
		}
		func() {
			defer recoverInto(&r.err)
			if b.text != nil && !f.CSV && bytes.IndexByte(r.raw, '\\') < 0 {
				r.err = c.appendPlainRow(t, cols, missing, f, rc, text[r.at:r.at+len(r.raw)], r.line, b.cols)
			} else if fields, err := rc.rowFields(t, cols, f, b, r, text); err != nil {
				r.err = err
			} else {
				r.err = c.appendRow(t, f, rc, field, fields, r.line, b.cols)
			}
			if r.err != nil {
				return
			}
			r.idx = b.cols.Rows()
			b.encode(r.idx)
			b.cols.EndRow()
		}()
		if r.err != nil {
			b.cols.DropRow() // what was appended of the row
		}
	}
}

// columnFields returns the target field of each of t's columns, -1 for
// the columns cols leave out.
func columnFields(t *catalog.Table, cols []int) []int {
	field := make([]int, len(t.Columns))
	for i := range field {
		field[i] = -1
	}
	for i, col := range cols {
		field[col] = i
	}
	return field
}

// appendRow appends one input row's fields to the columns of bld, field
// giving the field of each column, and checks NOT NULL.
func (c *Context) appendRow(t *catalog.Table, f CopyFormat, rc *rowConv, field []int, fields []*string, line int64, bld *column.Builder) error {
	for col, i := range field {
		if i < 0 || fields[i] == nil || fields[i] == CopyDefault { // no default: columnLoad made sure
			bld.AppendNull(col)
			continue
		}
		if rc.appendTo(bld, col, i, *fields[i]) {
			continue
		}
		v, err := c.convertField(t, col, f, *fields[i], line)
		if err != nil {
			return err
		}
		bld.AppendValue(col, v)
	}
	return checkNotNull(t, bld)
}

// appendPlainRow appends the fields of line, a text-format row without
// escapes, to the columns cols of bld as it splits them (no list of
// fields), NULLs to the columns missing, and checks NOT NULL. As
// textSplitter.split does, it ignores a delimiter that ends the line
// after the last field.
func (c *Context) appendPlainRow(t *catalog.Table, cols, missing []int, f CopyFormat, rc *rowConv, line string, lineNo int64, bld *column.Builder) error {
	delim := string([]byte{f.Delimiter})
	n := strings.Count(line, delim) + 1
	if n == len(cols)+1 && strings.HasSuffix(line, delim) {
		n, line = len(cols), line[:len(line)-1]
	}
	if err := fieldCountError(t, cols, f, n, lineNo); err != nil {
		return err // before any field's error, as on the row path
	}
	for n, col := range cols {
		var v string
		v, line, _ = strings.Cut(line, delim)
		switch {
		case v == f.Null:
			bld.AppendNull(col)
		case rc.appendTo(bld, col, n, v):
		default:
			val, err := c.convertField(t, col, f, v, lineNo)
			if err != nil {
				return err
			}
			bld.AppendValue(col, val)
		}
	}
	for _, col := range missing {
		bld.AppendNull(col)
	}
	return checkNotNull(t, bld)
}

// checkNotNull checks the NOT NULL columns of the row being added to bld.
func checkNotNull(t *catalog.Table, bld *column.Builder) error {
	for col := range t.Columns {
		if t.Columns[col].NotNull && bld.Null(col, bld.Rows()) {
			return notNullError(t, col, bld.Values(bld.Rows()))
		}
	}
	return nil
}

// fieldCountError is the error of a row with n fields where cols need
// len(cols), or nil.
func fieldCountError(t *catalog.Table, cols []int, f CopyFormat, n int, line int64) error {
	switch {
	case n > len(cols):
		return sqlerr.New(sqlerr.BadCopyFileFormat, "extra data after last expected column").WithDetail("%s", f.At(t, line))
	case n < len(cols):
		return sqlerr.New(sqlerr.BadCopyFileFormat, "missing data for column %q", t.Columns[cols[n]].Name).
			WithDetail("%s", f.At(t, line))
	}
	return nil
}

// tuple returns the tuple of row i of b.cols.
func (b *loadBatch) tuple(i int) []byte {
	start := 0
	if i > 0 {
		start = b.ends[i-1]
	}
	return b.tuples[start:b.ends[i]]
}

// rowFields returns the fields of r, a row of b: split from b's text
// (as the string text), or as the source gave them. It checks that they
// are as many as cols.
func (rc *rowConv) rowFields(t *catalog.Table, cols []int, f CopyFormat, b *loadBatch, r *loadRow, text string) ([]*string, error) {
	fields := r.fields
	if b.text != nil {
		var err error
		if fields, err = rc.split.split(r.raw, text[r.at:r.at+len(r.raw)]); err != nil {
			return nil, sqlerr.New(sqlerr.BadCopyFileFormat, "%v", err).WithDetail("%s", f.At(t, r.line))
		}
	}
	if err := fieldCountError(t, cols, f, len(fields), r.line); err != nil {
		return nil, err
	}
	return fields, nil
}

// convertField converts s, a field of column col, the general way; its
// error says where the field is.
func (c *Context) convertField(t *catalog.Table, col int, f CopyFormat, s string, line int64) (types.Value, error) {
	v, err := types.AssignIn(types.NewText(s), t.Columns[col].Type, c.Loc)
	if err != nil {
		e := sqlerr.From(err)
		return types.Null, &sqlerr.Error{Code: e.Code, Message: e.Message,
			Detail: f.At(t, line) + ", column " + t.Columns[col].Name}
	}
	return v, nil
}
