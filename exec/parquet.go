package exec

// Reading Parquet files: the read_parquet scan and COPY FROM a Parquet
// file. Both read a file a row group at a time and column by column, so
// columns nothing reads are never decoded (the scan's Need), and the scan
// skips row groups whose min/max statistics prove the filter above it
// false. Values convert to the SQL types plan.ParquetType gives.

import (
	"io"
	"math/big"
	"strconv"

	"github.com/cockroachdb/apd/v3"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"rustydb/catalog"
	"rustydb/plan"
	"rustydb/sqlerr"
	"rustydb/types"
)

// parquetConv converts a non-null Parquet value of one column.
type parquetConv func(parquet.Value) types.Value

// parquetConverter returns the conversion of a leaf column's values to its
// SQL type (plan.ParquetType).
func parquetConverter(t parquet.Type) parquetConv {
	var lv format.LogicalTypeValue
	if lt := t.LogicalType(); lt != nil {
		lv = lt.Value
	}
	if d, ok := lv.(*format.DecimalType); ok {
		return decimalConverter(t.Kind(), d.Scale)
	}
	switch t.Kind() {
	case parquet.Boolean:
		return func(v parquet.Value) types.Value { return types.NewBool(v.Boolean()) }
	case parquet.Int32:
		switch lv := lv.(type) {
		case *format.DateType:
			return func(v parquet.Value) types.Value { return types.NewDate(int64(v.Int32())) }
		case *format.IntType:
			if !lv.IsSigned && lv.BitWidth == 32 {
				return func(v parquet.Value) types.Value { return types.NewInt(int64(uint32(v.Int32()))) }
			}
		case *format.TimeType: // milliseconds
			return func(v parquet.Value) types.Value { return types.NewTime(int64(v.Int32()) * 1000) }
		}
		return func(v parquet.Value) types.Value { return types.NewInt(int64(v.Int32())) }
	case parquet.Int64:
		switch lv := lv.(type) {
		case *format.TimestampType:
			per := timeUnitMicros(&lv.Unit)
			if lv.IsAdjustedToUTC {
				return func(v parquet.Value) types.Value { return types.NewTimestampTZ(per(v.Int64())) }
			}
			return func(v parquet.Value) types.Value { return types.NewTimestamp(per(v.Int64())) }
		case *format.IntType:
			if !lv.IsSigned {
				return func(v parquet.Value) types.Value {
					var d apd.Decimal
					d.Coeff.SetUint64(uint64(v.Int64()))
					return types.NewDecimal(&d)
				}
			}
		case *format.TimeType:
			per := timeUnitMicros(&lv.Unit)
			return func(v parquet.Value) types.Value { return types.NewTime(per(v.Int64())) }
		}
		return func(v parquet.Value) types.Value { return types.NewInt(v.Int64()) }
	case parquet.Int96:
		// nanoseconds of the day, then the Julian day number
		return func(v parquet.Value) types.Value {
			i := v.Int96()
			nanos := int64(uint64(i[1])<<32 | uint64(i[0]))
			const unixEpochJulianDay = 2440588
			return types.NewTimestamp((int64(i[2])-unixEpochJulianDay)*86_400_000_000 + nanos/1000)
		}
	case parquet.Float:
		return func(v parquet.Value) types.Value { return types.NewFloat(float64(v.Float())) }
	case parquet.Double:
		return func(v parquet.Value) types.Value { return types.NewFloat(v.Double()) }
	}
	// byte arrays: the SQL type says how to read them
	st, _ := plan.ParquetType(t)
	switch st.ID {
	case types.Text:
		return func(v parquet.Value) types.Value { return types.NewText(string(v.ByteArray())) }
	case types.UUID:
		return func(v parquet.Value) types.Value { return types.NewUUID([16]byte(v.ByteArray())) }
	}
	return func(v parquet.Value) types.Value { return types.NewBytea(v.ByteArray()) }
}

// timeUnitMicros converts a count of the unit u to microseconds.
func timeUnitMicros(u *format.TimeUnit) func(int64) int64 {
	switch u.Value.(type) {
	case *format.MilliSeconds:
		return func(n int64) int64 { return n * 1000 }
	case *format.NanoSeconds:
		return func(n int64) int64 {
			if n < 0 && n%1000 != 0 {
				return n/1000 - 1 // floor, as for positive instants
			}
			return n / 1000
		}
	}
	return func(n int64) int64 { return n }
}

// decimalConverter reads DECIMAL values stored as integers or as big-endian
// two's complement bytes, with scale digits after the point.
func decimalConverter(kind parquet.Kind, scale int32) parquetConv {
	switch kind {
	case parquet.Int32:
		return func(v parquet.Value) types.Value { return types.NewDecimal(apd.New(int64(v.Int32()), -scale)) }
	case parquet.Int64:
		return func(v parquet.Value) types.Value { return types.NewDecimal(apd.New(v.Int64(), -scale)) }
	}
	return func(v parquet.Value) types.Value {
		b := v.ByteArray()
		n := new(big.Int).SetBytes(b)
		if len(b) > 0 && b[0]&0x80 != 0 { // negative: subtract 2^(8·len)
			n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
		}
		return types.NewDecimal(apd.NewWithBigInt(new(apd.BigInt).SetMathBigInt(n), -scale))
	}
}

// readParquetColumn decodes column col of row group rg into out (reused),
// NULLs as types.Null.
func readParquetColumn(p *plan.ParquetFile, rg parquet.RowGroup, col int, conv parquetConv, out []types.Value) ([]types.Value, error) {
	out = out[:0]
	pages := rg.ColumnChunks()[col].Pages()
	defer pages.Close()
	buf := make([]parquet.Value, 1024)
	for {
		page, err := pages.ReadPage()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, parquetReadError(p, err)
		}
		vr := page.Values()
		for {
			n, err := vr.ReadValues(buf)
			for _, v := range buf[:n] {
				if v.IsNull() {
					out = append(out, types.Null)
				} else {
					out = append(out, conv(v))
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				parquet.Release(page)
				return out, parquetReadError(p, err)
			}
		}
		parquet.Release(page)
	}
}

func parquetReadError(p *plan.ParquetFile, err error) error {
	return sqlerr.New(sqlerr.DataCorrupted, "could not read Parquet file \"%s\": %v", p.Name, err)
}

// parquetScanOp is read_parquet: the rows of its files, one row group of
// decoded columns at a time.
type parquetScanOp struct {
	c       *Context
	n       *plan.ParquetScan
	file    int // the next file to open
	cur     *plan.ParquetFile
	convs   []parquetConv // of cur's columns; nil where not needed
	rg      int           // the next row group of cur
	cols    [][]types.Value
	row     int
	rows    int
	skipped int // row groups skipped by statistics
}

func (c *Context) buildParquetScan(n *plan.ParquetScan) Operator {
	return &parquetScanOp{c: c, n: n, cols: make([][]types.Value, len(n.Cols))}
}

func (o *parquetScanOp) Init() error { return nil }

func (o *parquetScanOp) Next() ([]types.Value, error) {
	for o.row >= o.rows {
		if err := o.nextRowGroup(); err != nil || o.cur == nil {
			return nil, err
		}
	}
	out := make([]types.Value, len(o.n.Cols))
	for i, vals := range o.cols {
		if o.convs[i] != nil {
			out[i] = vals[o.row]
		}
	}
	o.row++
	return out, nil
}

// nextRowGroup decodes the next row group that may hold matching rows,
// opening the next file when one is done; at the end cur is nil.
func (o *parquetScanOp) nextRowGroup() error {
	if err := o.c.canceled(); err != nil {
		return err
	}
	for o.cur == nil || o.rg >= len(o.cur.RowGroups()) {
		if o.cur != nil {
			o.cur.Close()
			o.cur = nil
		}
		if o.file >= len(o.n.Files) {
			return nil
		}
		name := o.n.Files[o.file]
		o.file++
		p, err := plan.OpenParquet(name, name)
		if err != nil {
			return err
		}
		o.cur, o.rg = p, 0
		if err := o.checkSchema(); err != nil {
			return err
		}
	}
	rg := o.cur.RowGroups()[o.rg]
	o.rg++
	o.row, o.rows = 0, 0
	if !parquetRowGroupMayMatch(rg, o.convs, o.n.Cond) {
		o.skipped++
		return nil
	}
	for i, conv := range o.convs {
		if conv == nil {
			continue
		}
		var err error
		if o.cols[i], err = readParquetColumn(o.cur, rg, i, conv, o.cols[i]); err != nil {
			return err
		}
	}
	o.rows = int(rg.NumRows())
	return nil
}

// checkSchema makes the converters of the file just opened, which must
// still have the columns the statement was bound with.
func (o *parquetScanOp) checkSchema() error {
	cols, err := plan.ParquetColumns(o.cur)
	if err != nil {
		return err
	}
	if len(cols) != len(o.n.Cols) {
		return sqlerr.New(sqlerr.DatatypeMismatch, "Parquet file \"%s\" changed since the statement was planned", o.cur.Name)
	}
	fields := o.cur.Schema().Fields()
	o.convs = make([]parquetConv, len(cols))
	for i, col := range cols {
		if col.Type != o.n.Cols[i].Type {
			return sqlerr.New(sqlerr.DatatypeMismatch, "Parquet file \"%s\" changed since the statement was planned", o.cur.Name)
		}
		if o.n.Need == nil || o.n.Need[i] {
			o.convs[i] = parquetConverter(fields[i].Type())
		}
	}
	return nil
}

func (o *parquetScanOp) Close() {
	if o.cur != nil {
		o.cur.Close()
		o.cur = nil
	}
}

// parquetRowGroupMayMatch reports whether rows of rg may satisfy cond, by
// the min/max statistics of its column chunks: false only if a conjunct
// column op constant (=, <, <=, >, >=) is false for the whole range of its
// column, or that column holds only NULLs. Byte array statistics may be
// truncated, so only numeric and temporal columns are used.
func parquetRowGroupMayMatch(rg parquet.RowGroup, convs []parquetConv, cond plan.Expr) bool {
	for _, e := range plan.Conjuncts(cond) {
		b, ok := e.(*plan.Binary)
		if !ok {
			continue
		}
		op := b.Op
		col, lok := b.L.(*plan.ColRef)
		k, rok := b.R.(*plan.Const)
		if !lok || !rok {
			if col, lok = b.R.(*plan.ColRef); !lok {
				continue
			}
			if k, rok = b.L.(*plan.Const); !rok {
				continue
			}
			op = map[string]string{"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
		}
		if op == "" || k.V.IsNull() || col.Idx >= len(convs) || convs[col.Idx] == nil {
			continue
		}
		chunk, ok := rg.ColumnChunks()[col.Idx].(*parquet.FileColumnChunk)
		if !ok {
			continue
		}
		if kind := chunk.Type().Kind(); kind == parquet.ByteArray || kind == parquet.FixedLenByteArray {
			continue
		}
		if chunk.NumValues() > 0 && chunk.NullCount() == chunk.NumValues() {
			return false // col op k is never true of NULL
		}
		pmin, pmax, ok := chunk.Bounds()
		if !ok || pmin.IsNull() || pmax.IsNull() {
			continue
		}
		lo, hi := convs[col.Idx](pmin), convs[col.Idx](pmax)
		if lo.K != k.V.K || hi.K != k.V.K {
			continue
		}
		cl, ch := types.Compare(k.V, lo), types.Compare(k.V, hi)
		switch op {
		case "=":
			if cl < 0 || ch > 0 {
				return false
			}
		case "<":
			if cl <= 0 {
				return false
			}
		case "<=":
			if cl < 0 {
				return false
			}
		case ">":
			if ch >= 0 {
				return false
			}
		case ">=":
			if ch > 0 {
				return false
			}
		}
	}
	return true
}

// CopyFromParquet loads the Parquet file p into the columns cols of t:
// the file's columns in order, each converted to its column's type as an
// INSERT would. A value that does not convert fails the COPY with the
// file, row and column in its detail.
func (c *Context) CopyFromParquet(t *catalog.Table, cols []int, p *plan.ParquetFile) (int64, error) {
	h := c.Store.Heap(t)
	if h == nil {
		return 0, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", t.Name)
	}
	fileCols, err := plan.ParquetColumns(p)
	if err != nil {
		return 0, err
	}
	if len(fileCols) != len(cols) {
		return 0, sqlerr.New(sqlerr.BadCopyFileFormat, "Parquet file \"%s\" has %d columns but COPY %s expects %d", p.Name, len(fileCols), t.Name, len(cols)).
			WithDetail("The file's columns are %s.", plan.DescribeColumns(fileCols))
	}
	defaults, err := c.defaults(t)
	if err != nil {
		return 0, err
	}
	fields := p.Schema().Fields()
	convs := make([]parquetConv, len(cols))
	for i := range cols {
		convs[i] = parquetConverter(fields[i].Type())
	}
	decoded := make([][]types.Value, len(cols))
	loaded := make([]types.Value, len(cols))
	var n int64
	for g, rg := range p.RowGroups() {
		for i, conv := range convs {
			if decoded[i], err = readParquetColumn(p, rg, i, conv, decoded[i]); err != nil {
				return n, err
			}
		}
		c.Progress.Add(0, p.Metadata().RowGroups[g].TotalByteSize)
		for r := range int(rg.NumRows()) {
			for i, col := range cols {
				v, err := types.AssignIn(decoded[i][r], t.Columns[col].Type, c.Loc)
				if err != nil {
					e := sqlerr.From(err)
					return n, &sqlerr.Error{Code: e.Code, Message: e.Message,
						Detail: "COPY " + t.Name + ", file \"" + p.Name + "\", row " + strconv.FormatInt(n+1, 10) + ", column " + t.Columns[col].Name}
				}
				loaded[i] = v
			}
			if err := c.loadRow(t, h, defaults, cols, loaded); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
