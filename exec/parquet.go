package exec

// Reading Parquet files: the read_parquet scan, through which COPY FROM a
// Parquet file reads too. It reads a row group at a time, column by column
// (in parallel, and ahead of the operators above it), so columns nothing
// reads are never decoded (the scan's Need), and it skips row groups whose
// min/max statistics prove the filter above it false. Values convert to
// the SQL types plan.ParquetType gives: columns of a type that column
// segments hold decode from the pages' typed buffers into a vector first
// (parquetvec.go), the others value by value.

import (
	"errors"
	"io"
	"math/big"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"

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
// NULLs as types.Null. Strings must be valid UTF-8, as in PostgreSQL.
func readParquetColumn(p *plan.ParquetFile, rg parquet.RowGroup, col int, conv parquetConv, out []types.Value) ([]types.Value, error) {
	out = slices.Grow(out[:0], int(rg.NumRows()))
	chunk := rg.ColumnChunks()[col]
	st, _ := plan.ParquetType(chunk.Type())
	text := st.ID == types.Text
	pages := chunk.Pages()
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
				switch {
				case v.IsNull():
					out = append(out, types.Null)
				case text && !utf8.Valid(v.ByteArray()):
					parquet.Release(page)
					return out, sqlerr.New(sqlerr.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\" in Parquet file \"%s\"", p.Name).
						WithDetail("Column %s, value %d of its row group.", p.Schema().Fields()[col].Name(), len(out)+1)
				default:
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
// decoded columns at a time. A producer goroutine reads ahead: it decodes
// the next row group (its columns in parallel, up to MaxWorkers) while the
// operators above consume the current one.
type parquetScanOp struct {
	c     *Context
	n     *plan.ParquetScan
	names []string             // of n.Files, in errors (nil: the paths)
	ready chan parquetRowGroup // from the producer, in file order
	done  chan struct{}        // closed by Close: the producer stops
	spare chan [][]types.Value // consumed row groups' columns, for reuse
	wg    sync.WaitGroup
	cur   parquetRowGroup
	row   int
	// filter is the filter above in vector form, applied to each row
	// group decoded (nil: none)
	filter *parquetFilter
}

// parquetRowGroup is the decoded columns of a row group (nil where not
// needed), or the error that ended the scan.
type parquetRowGroup struct {
	cols [][]types.Value
	rows int
	err  error
}

func (c *Context) buildParquetScan(n *plan.ParquetScan) (Operator, error) {
	f, err := c.newParquetFilter(n)
	return &parquetScanOp{c: c, n: n, filter: f}, err
}

func (o *parquetScanOp) Init() error {
	o.Close() // a rescan starts over
	o.cur, o.row = parquetRowGroup{}, 0
	o.ready, o.done, o.spare = make(chan parquetRowGroup, 1), make(chan struct{}), make(chan [][]types.Value, 2)
	o.wg.Add(1)
	go o.produce()
	return nil
}

func (o *parquetScanOp) Next() ([]types.Value, error) {
	for o.row >= o.cur.rows {
		g, ok := <-o.ready
		if !ok {
			return nil, nil
		}
		if g.err != nil {
			return nil, g.err
		}
		if o.cur.cols != nil {
			select {
			case o.spare <- o.cur.cols:
			default:
			}
		}
		o.cur, o.row = g, 0
	}
	out := make([]types.Value, len(o.n.Cols))
	for i, vals := range o.cur.cols {
		if vals != nil {
			out[i] = vals[o.row]
		}
	}
	o.row++
	return out, nil
}

func (o *parquetScanOp) Close() {
	if o.done != nil {
		close(o.done)
		o.wg.Wait()
		o.done = nil
	}
}

// produce decodes the row groups of the files in order, skipping those the
// statistics rule out, and sends them to ready; it stops at the first
// error (which it sends) or when Close is called.
func (o *parquetScanOp) produce() {
	defer o.wg.Done()
	defer close(o.ready)
	send := func(g parquetRowGroup) bool {
		select {
		case o.ready <- g:
			return g.err == nil
		case <-o.done:
			return false
		}
	}
	defer func() {
		if r := recover(); r != nil {
			send(parquetRowGroup{err: sqlerr.New(sqlerr.InternalError, "internal error reading Parquet: %v", r)})
		}
	}()
	for i, path := range o.n.Files {
		name := path
		if o.names != nil {
			name = o.names[i]
		}
		p, err := plan.OpenParquet(path, name)
		if err != nil {
			send(parquetRowGroup{err: err})
			return
		}
		if !o.produceFile(p, send) {
			return
		}
	}
}

// produceFile sends the row groups of p and closes it; false when the
// scan must stop.
func (o *parquetScanOp) produceFile(p *plan.ParquetFile, send func(parquetRowGroup) bool) bool {
	defer p.Close()
	convs, err := o.converters(p)
	if err != nil {
		return send(parquetRowGroup{err: err})
	}
	for g, rg := range p.RowGroups() {
		o.c.Progress.Add(0, p.Metadata().RowGroups[g].TotalByteSize) // atomic
		// cancelErr, not canceled(), which counts in c unsynchronized
		if err := o.c.cancelErr(); err != nil {
			return send(parquetRowGroup{err: err})
		}
		if !parquetRowGroupMayMatch(rg, convs, o.n.Cond) {
			continue
		}
		g := parquetRowGroup{rows: int(rg.NumRows())}
		select {
		case g.cols = <-o.spare:
		default:
			g.cols = make([][]types.Value, len(convs))
		}
		if o.filter != nil {
			g.err = o.filter.decode(o.c, p, rg, o.n.Cols, convs, &g)
		} else {
			g.err = o.decode(p, rg, convs, g.cols)
		}
		if !send(g) {
			return false
		}
	}
	return true
}

// decode decodes the needed columns of rg into cols, in parallel.
func (o *parquetScanOp) decode(p *plan.ParquetFile, rg parquet.RowGroup, convs []parquetConv, cols [][]types.Value) error {
	return o.c.eachColumn(convs, func(i int) (err error) {
		cols[i], err = decodeParquetValues(p, rg, i, o.n.Cols[i].Type, convs[i], cols[i])
		return err
	})
}

// eachColumn runs decode for each column that has a converter, on up to
// MaxWorkers goroutines.
func (c *Context) eachColumn(convs []parquetConv, decode func(i int) error) error {
	var need []int
	for i, conv := range convs {
		if conv != nil {
			need = append(need, i)
		}
	}
	workers, giveBack := c.degree(min(len(need), c.allWorkers()))
	defer giveBack()
	errs := make([]error, len(need))
	morsels := NewMorsels(len(need), workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k, ok := morsels.Next(w); ok; k, ok = morsels.Next(w) {
				func() {
					defer recoverInto(&errs[k])
					errs[k] = decode(need[k])
				}()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// converters makes the converters of the needed columns of p, which must
// still have the columns the statement was bound with.
func (o *parquetScanOp) converters(p *plan.ParquetFile) ([]parquetConv, error) {
	cols, err := plan.ParquetColumns(p)
	if err != nil {
		return nil, err
	}
	changed := len(cols) != len(o.n.Cols)
	for i := 0; !changed && i < len(cols); i++ {
		changed = cols[i].Type != o.n.Cols[i].Type
	}
	if changed {
		return nil, sqlerr.New(sqlerr.DatatypeMismatch, "Parquet file \"%s\" changed since the statement was planned", p.Name)
	}
	fields := p.Schema().Fields()
	convs := make([]parquetConv, len(cols))
	for i := range cols {
		if o.n.Need == nil || o.n.Need[i] {
			convs[i] = parquetConverter(fields[i].Type())
		}
	}
	return convs, nil
}

// parquetRowGroupMayMatch reports whether rows of rg may satisfy cond, by
// the min/max statistics of its column chunks: false only if a conjunct
// column op constant (=, <, <=, >, >=) is false for the whole range of its
// column, or that column holds only NULLs. Float statistics are not used
// (they leave NaN out, which PostgreSQL sorts above all numbers), nor
// INT96 ones (no defined order). Byte array bounds compare as unsigned
// bytes, as text, bytea and uuid compare here; a writer that truncates
// them keeps them bounds.
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
		switch chunk.Type().Kind() {
		case parquet.Int96, parquet.Float, parquet.Double:
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

// CopyFromParquet loads the Parquet file at path (name, as the statement
// gave it, in errors) into the columns cols of t: the file's columns in
// order, each converted to its column's type as an INSERT would. It reads
// as read_parquet does, ahead and in parallel. A value that does not
// convert fails the COPY with the file, row and column in its detail.
func (c *Context) CopyFromParquet(t *catalog.Table, cols []int, path, name string) (int64, error) {
	h := c.Store.Heap(t)
	if h == nil {
		return 0, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", t.Name)
	}
	p, err := plan.OpenParquet(path, name)
	if err != nil {
		return 0, err
	}
	fileCols, err := plan.ParquetColumns(p)
	p.Close()
	if err != nil {
		return 0, err
	}
	if len(fileCols) != len(cols) {
		return 0, sqlerr.New(sqlerr.BadCopyFileFormat, "Parquet file \"%s\" has %d columns but COPY %s expects %d", name, len(fileCols), t.Name, len(cols)).
			WithDetail("The file's columns are %s.", plan.DescribeColumns(fileCols))
	}
	defaults, err := c.defaults(t)
	if err != nil {
		return 0, err
	}
	// a value whose file type is its column's needs no conversion, unless
	// the column's type has limits a careless writer may exceed
	same := make([]bool, len(cols))
	for i, col := range cols {
		switch ct := t.Columns[col].Type; ct.ID {
		case types.Int2, types.Numeric, types.Varchar, types.Char:
		default:
			same[i] = fileCols[i].Type == ct
		}
	}
	scan := &parquetScanOp{c: c, n: &plan.ParquetScan{Files: []string{path}, Cols: fileCols}, names: []string{name}}
	var n int64
	ins := c.newLoadInserter(t, h)
	err = Drain(scan, func(r []types.Value) error {
		for i, col := range cols {
			if same[i] {
				continue
			}
			v, err := types.AssignIn(r[i], t.Columns[col].Type, c.Loc)
			if err != nil {
				e := sqlerr.From(err)
				return &sqlerr.Error{Code: e.Code, Message: e.Message,
					Detail: "COPY " + t.Name + ", file \"" + name + "\", row " + strconv.FormatInt(n+1, 10) + ", column " + t.Columns[col].Name}
			}
			r[i] = v
		}
		if err := c.loadRow(t, ins, defaults, cols, r); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		return n, err
	}
	return n, ins.finish()
}
