package column

// Filling a Builder column by column. A bulk load's workers convert their
// rows' text straight into a Builder of the batch (no types.Value per
// field); the loader then copies the batch's rows into the segments it
// builds, and encodes the heap tuples from the batch.

import "rustydb/types"

// Kind returns how column col is stored.
func (b *Builder) Kind(col int) Kind { return b.cols[col].kind }

// AppendNull appends a NULL to column col of the row being added.
func (b *Builder) AppendNull(col int) {
	cb := &b.cols[col]
	if cb.kind == Unsupported {
		return
	}
	cb.valid = append(cb.valid, false)
	cb.nulls++
	switch cb.kind {
	case Int32:
		cb.i32 = append(cb.i32, 0)
	case Int64:
		cb.i64 = append(cb.i64, 0)
	case Float64:
		cb.f64 = append(cb.f64, 0)
	case String:
		cb.str = append(cb.str, "")
	}
}

// AppendInt appends v, the int64 form (see ToInt64) of a value of an
// Int32 or Int64 column.
func (b *Builder) AppendInt(col int, v int64) {
	cb := &b.cols[col]
	cb.valid = append(cb.valid, true)
	if cb.kind == Int32 {
		cb.i32 = append(cb.i32, int32(v))
	} else {
		cb.i64 = append(cb.i64, v)
	}
}

// AppendString appends s to a String column.
func (b *Builder) AppendString(col int, s string) {
	cb := &b.cols[col]
	cb.valid = append(cb.valid, true)
	cb.str = append(cb.str, s)
}

// AppendValue appends v, a value of column col's type (or NULL).
func (b *Builder) AppendValue(col int, v types.Value) {
	cb := &b.cols[col]
	switch {
	case cb.kind == Unsupported:
	case v.IsNull():
		b.AppendNull(col)
	case cb.kind == Int32 || cb.kind == Int64:
		b.AppendInt(col, ToInt64(cb.t, v))
	case cb.kind == Float64:
		b.AppendFloat(col, v.F)
	case cb.kind == String:
		b.AppendString(col, v.S)
	}
}

// EndRow ends the row whose columns were appended.
func (b *Builder) EndRow() { b.rows++ }

// DropRow drops what was appended of a row not ended, which could not be
// converted.
func (b *Builder) DropRow() {
	n := b.rows
	for i := range b.cols {
		cb := &b.cols[i]
		if len(cb.valid) <= n {
			continue
		}
		for _, ok := range cb.valid[n:] {
			if !ok {
				cb.nulls--
			}
		}
		cb.valid = cb.valid[:n]
		switch cb.kind {
		case Int32:
			cb.i32 = cb.i32[:n]
		case Int64:
			cb.i64 = cb.i64[:n]
		case Float64:
			cb.f64 = cb.f64[:n]
		case String:
			cb.str = cb.str[:n]
		}
	}
}

// Null reports whether row i of column col is NULL.
func (b *Builder) Null(col, i int) bool {
	cb := &b.cols[col]
	return cb.kind == Unsupported || !cb.valid[i]
}

// Int returns row i of an Int32 or Int64 column in its int64 form.
func (b *Builder) Int(col, i int) int64 {
	if cb := &b.cols[col]; cb.kind == Int32 {
		return int64(cb.i32[i])
	}
	return b.cols[col].i64[i]
}

// Value returns row i of column col as a types.Value, as the heap holds it.
func (b *Builder) Value(col, i int) types.Value {
	cb := &b.cols[col]
	if b.Null(col, i) {
		return types.Null
	}
	switch cb.kind {
	case Int32, Int64:
		return FromInt64(cb.t, b.Int(col, i))
	case Float64:
		return types.NewFloat(cb.f64[i])
	case String:
		return types.NewText(cb.str[i])
	}
	return types.Null
}

// AppendRows appends rows from to to-1 of src, a builder for the same
// table.
func (b *Builder) AppendRows(src *Builder, from, to int) {
	for c := range b.cols {
		cb, sc := &b.cols[c], &src.cols[c]
		if cb.kind == Unsupported {
			continue
		}
		for _, ok := range sc.valid[from:to] {
			if !ok {
				cb.nulls++
			}
		}
		cb.valid = append(cb.valid, sc.valid[from:to]...)
		switch cb.kind {
		case Int32:
			cb.i32 = append(cb.i32, sc.i32[from:to]...)
		case Int64:
			cb.i64 = append(cb.i64, sc.i64[from:to]...)
		case Float64:
			cb.f64 = append(cb.f64, sc.f64[from:to]...)
		case String:
			cb.str = append(cb.str, sc.str[from:to]...)
		}
	}
	b.rows += to - from
}

// Type returns column col's type.
func (b *Builder) Type(col int) types.T { return b.cols[col].t }

// Columns returns how many columns the builder has.
func (b *Builder) Columns() int { return len(b.cols) }

// Values returns row i as values in table column order.
func (b *Builder) Values(i int) []types.Value {
	vals := make([]types.Value, len(b.cols))
	for c := range vals {
		vals[c] = b.Value(c, i)
	}
	return vals
}

// ValuesInto sets the columns cols of dst, a row in table column order,
// to row i's values.
func (b *Builder) ValuesInto(dst []types.Value, i int, cols []int) {
	for _, c := range cols {
		dst[c] = b.Value(c, i)
	}
}

// Str returns row i of a String column.
func (b *Builder) Str(col, i int) string { return b.cols[col].str[i] }
