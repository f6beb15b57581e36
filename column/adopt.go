package column

// Filling a Builder a whole column at a time. A load from Arrow record
// batches has each batch's columns at hand as arrays: a column whose
// values already are in their column form (int64 into bigint, int32 into
// integer, date32 into date, float64 into double precision) becomes the
// builder's storage itself, with no copy and no conversion per value
// (Adopt); the others are appended value by value (AppendInt, ...), and
// the batch's rows are counted at the end (EndRows).

// Adopt makes vals column col's values for the batch's rows, valid their
// validity (nil: none is NULL; a NULL's slot in vals must hold zero). The
// column must be empty and store T: Int32 columns []int32, Int64 ones
// []int64, Float64 ones []float64. The builder keeps vals without copying
// them and never writes into them: it only appends (past their capacity,
// which it caps) and truncates.
func Adopt[T int32 | int64 | float64](b *Builder, col int, vals []T, valid []bool) {
	cb := &b.cols[col]
	n := len(vals)
	vals = vals[:n:n]
	switch v := any(vals).(type) {
	case []int32:
		cb.i32 = v
	case []int64:
		cb.i64 = v
	case []float64:
		cb.f64 = v
	}
	cb.nulls = 0
	if valid == nil {
		valid = make([]bool, n)
		for i := range valid {
			valid[i] = true
		}
	} else {
		for _, ok := range valid {
			if !ok {
				cb.nulls++
			}
		}
	}
	cb.valid = valid[:n:n]
}

// AppendNulls appends n NULLs to column col.
func (b *Builder) AppendNulls(col, n int) {
	for range n {
		b.AppendNull(col)
	}
}

// EndRows ends n rows whose columns were filled a column at a time.
func (b *Builder) EndRows(n int) { b.rows += n }

// AppendFloat appends f to a Float64 column.
func (b *Builder) AppendFloat(col int, f float64) {
	cb := &b.cols[col]
	cb.valid = append(cb.valid, true)
	cb.f64 = append(cb.f64, f)
}
