package exec

// Aggregations over read_parquet in vector form. A Parquet row group is
// already columnar, so instead of turning it into rows for the row
// executor, its needed columns decode straight from the pages' typed
// buffers (page.Data, with the definition levels for NULLs and the
// dictionary for indexed pages) into the vectors of a row.Segment, which
// the vectorized aggregation of column segments (vagg.go) then consumes.
// Workers take row groups in turn, each aggregating into its own groups,
// and the groups merge at the end as for a table's segments. Row groups
// that the statistics rule out are skipped as in the row scan, and
// count(*) alone reads no column data: the row group's row count comes
// from the file's metadata. The row scan decodes its columns through the
// same vectors and runs the filter above it on them (parquetFilter).

import (
	"errors"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/format"

	"rustydb/column"
	"rustydb/plan"
	"rustydb/row"
	"rustydb/sqlerr"
	"rustydb/types"
)

// parquetAggInput returns the read_parquet scan n aggregates, with the
// filter between them (nil if none), or a nil scan.
func parquetAggInput(n *plan.Aggregate) (*plan.ParquetScan, plan.Expr) {
	in, filter := n.Input, plan.Expr(nil)
	if f, ok := in.(*plan.Filter); ok {
		in, filter = f.Input, f.Cond
	}
	s, _ := in.(*plan.ParquetScan)
	return s, filter
}

// aggregateParquet computes n's groups from the row groups of the
// read_parquet scan under it, or reports false when n has no vectorized
// form or reads a column the segments cannot hold.
func (o *aggOp) aggregateParquet(n *plan.Aggregate) ([]*partialGroup, bool, error) {
	s, filter := parquetAggInput(n)
	if s == nil || o.keyFilter != nil {
		return nil, false, nil
	}
	cols := make([]types.T, len(s.Cols))
	for i, c := range s.Cols {
		cols[i] = c.Type
		if (s.Need == nil || s.Need[i]) && column.KindOf(c.Type) == column.Unsupported {
			return nil, false, nil
		}
	}
	workers, giveBack := o.c.degree(o.c.allWorkers())
	defer giveBack()
	vaggs := make([]*vagg, workers)
	for w := range vaggs {
		va, err := o.newVAgg(n, filter, cols)
		if err != nil {
			if errors.Is(err, errNotVectorized) {
				return nil, false, nil
			}
			return nil, false, err
		}
		vaggs[w] = va
	}
	scan := &parquetScanOp{c: o.c, n: s}
	// rows and row groups decoded, and row groups in all
	var read, decoded, groups atomic.Int64
	for _, path := range s.Files {
		if err := o.aggregateParquetFile(scan, path, vaggs, &read, &decoded, &groups); err != nil {
			if errors.Is(err, errVectorFallback) {
				return nil, false, nil
			}
			return nil, true, err
		}
	}
	if o.c.Analysis != nil {
		for _, va := range vaggs {
			o.scanned.Add(va.scanned)
		}
		o.noteScan(n) // the rows that passed the filter, if any
		if filter != nil {
			st := o.c.Analysis.Stats(s)
			st.Loops++
			st.Rows += read.Load()
		}
		st := o.c.Analysis.Stats(n)
		st.Workers = len(vaggs)
		st.Segments += int(groups.Load())
		st.SegmentsPruned += int(groups.Load() - decoded.Load())
	}
	out, bytes := finishVAggs(o.c, vaggs, o.having, false)
	o.tableBytes = bytes
	return out, true, nil
}

// aggregateParquetFile aggregates the row groups of the file at path that
// may match the filter, the workers (one per vagg) taking them as morsels;
// read and decoded count their rows and row groups, total all row groups.
func (o *aggOp) aggregateParquetFile(scan *parquetScanOp, path string, vaggs []*vagg, read, decoded, total *atomic.Int64) error {
	p, err := plan.OpenParquet(path, path)
	if err != nil {
		return err
	}
	defer p.Close()
	convs, err := scan.converters(p)
	if err != nil {
		return err
	}
	groups := p.RowGroups()
	total.Add(int64(len(groups)))
	morsels := NewMorsels(len(groups), len(vaggs))
	var failed atomic.Bool
	errs := make([]error, len(vaggs))
	var wg sync.WaitGroup
	for w, va := range vaggs {
		wg.Go(func() {
			defer o.c.working()()
			defer func() {
				if errs[w] != nil {
					failed.Store(true)
				}
			}()
			defer recoverInto(&errs[w])
			for !failed.Load() {
				g, ok := morsels.Next(w)
				if !ok {
					return
				}
				o.c.Progress.Add(0, p.Metadata().RowGroups[g].TotalByteSize)
				if errs[w] = o.c.cancelErr(); errs[w] != nil {
					return
				}
				rg := groups[g]
				if !parquetRowGroupMayMatch(rg, convs, scan.n.Cond) {
					continue
				}
				read.Add(rg.NumRows())
				decoded.Add(1)
				seg, err := decodeParquetSegment(p, rg, scan.n.Cols, convs)
				if err == nil {
					err = va.segment(seg)
				}
				if errs[w] = err; err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// decodeParquetSegment decodes the columns of rg that have a converter
// (the needed ones) into the vectors of a segment; the others stay empty.
func decodeParquetSegment(p *plan.ParquetFile, rg parquet.RowGroup, cols []plan.Column, convs []parquetConv) (*row.Segment, error) {
	n := int(rg.NumRows())
	seg := &row.Segment{Segment: &column.Segment{Rows: n, Cols: make([]column.Column, len(cols))}}
	for i, conv := range convs {
		if conv == nil {
			continue
		}
		b := newVecBuilder(cols[i].Type, n)
		if err := b.decode(p, rg, i, conv); err != nil {
			return nil, err
		}
		seg.Cols[i] = b.finish()
	}
	return seg, nil
}

// decodeParquetValues decodes column col of rg, of SQL type t, into out
// (reused) as read_parquet's row scan gives them: through a column vector
// when t has one, which reads the pages' typed buffers, else value by
// value.
func decodeParquetValues(p *plan.ParquetFile, rg parquet.RowGroup, col int, t types.T, conv parquetConv, out []types.Value) ([]types.Value, error) {
	if column.KindOf(t) == column.Unsupported {
		return readParquetColumn(p, rg, col, conv, out)
	}
	b := newVecBuilder(t, int(rg.NumRows()))
	if err := b.decode(p, rg, col, conv); err != nil {
		return out, err
	}
	c := b.finish()
	return columnValues(&c, nil, out), nil
}

// columnValues returns rows rows of c (nil: all) as values, in out
// (reused).
func columnValues(c *column.Column, rows []int32, out []types.Value) []types.Value {
	n := len(rows)
	if rows == nil {
		n = max(len(c.I32), len(c.I64), len(c.F64), len(c.Codes))
		if c.Str != nil {
			n = c.Str.Len()
		}
	}
	row := func(k int) int {
		if rows == nil {
			return k
		}
		return int(rows[k])
	}
	out = slices.Grow(out[:0], n)[:n]
	if c.Type.ID != types.Numeric {
		for k := range out {
			out[k] = c.Value(row(k))
		}
		return out
	}
	decs := make([]apd.Decimal, n) // at once, not one by one
	for k := range out {
		if i := row(k); c.Null(i) {
			out[k] = types.Null
		} else {
			decs[k].SetFinite(c.Int(i), -c.Type.Scale)
			out[k] = types.NewDecimal(&decs[k])
		}
	}
	return out
}

// parquetFilter is the vector form of the filter above a read_parquet
// scan, which the scan applies to each row group it decodes so that only
// the rows that pass become row values (the filter above still checks
// them).
type parquetFilter struct {
	pred vpred
	all  []int32
	keep []int32
}

// newParquetFilter compiles the filter of scan n, or returns nil when
// there is none, it has no vector form or it reads a column without one.
func (c *Context) newParquetFilter(n *plan.ParquetScan) (*parquetFilter, error) {
	if n.Cond == nil || c.NoColumnar {
		return nil, nil
	}
	cols := make([]types.T, len(n.Cols))
	for i, col := range n.Cols {
		cols[i] = col.Type
		if (n.Need == nil || n.Need[i]) && column.KindOf(col.Type) == column.Unsupported {
			return nil, nil
		}
	}
	size := max(1, BatchSize)
	vc := &vcompiler{c: c.fork(), cols: cols, size: size}
	pred, err := vc.pred(n.Cond)
	if errors.Is(err, errNotVectorized) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	f := &parquetFilter{pred: pred, all: make([]int32, size)}
	for i := range f.all {
		f.all[i] = int32(i)
	}
	return f, nil
}

// rows returns the rows of seg that pass the filter; a batch whose filter
// the vectors cannot compute passes whole.
func (f *parquetFilter) rows(seg *row.Segment) ([]int32, error) {
	if f.keep == nil {
		f.keep = make([]int32, 0, seg.Rows) // not nil: nil means all rows
	}
	f.keep = f.keep[:0]
	b := vbatch{seg: seg}
	for b.off = 0; b.off < seg.Rows; b.off += b.n {
		b.n = min(len(f.all), seg.Rows-b.off)
		sel, err := f.pred(&b, f.all[:b.n])
		if errors.Is(err, errVectorFallback) {
			sel = f.all[:b.n]
		} else if err != nil {
			return nil, err
		}
		for _, j := range sel {
			f.keep = append(f.keep, int32(b.off)+j)
		}
	}
	return f.keep, nil
}

// decode decodes the needed columns of rg into g (in parallel), only the
// rows that pass f.
func (f *parquetFilter) decode(c *Context, p *plan.ParquetFile, rg parquet.RowGroup, cols []plan.Column, convs []parquetConv, g *parquetRowGroup) error {
	n := int(rg.NumRows())
	seg := &row.Segment{Segment: &column.Segment{Rows: n, Cols: make([]column.Column, len(cols))}}
	err := c.eachColumn(convs, func(i int) error {
		b := newVecBuilder(cols[i].Type, n)
		err := b.decode(p, rg, i, convs[i])
		seg.Cols[i] = b.finish()
		return err
	})
	if err != nil {
		return err
	}
	keep, err := f.rows(seg)
	if err != nil {
		return err
	}
	g.rows = len(keep)
	return c.eachColumn(convs, func(i int) error {
		g.cols[i] = columnValues(&seg.Cols[i], keep, g.cols[i])
		return nil
	})
}

// vecBuilder decodes one column chunk into a segment column of type t.
type vecBuilder struct {
	t     types.T
	kind  column.Kind
	n     int // the row group's rows
	rows  int // decoded so far
	valid []byte
	nulls int
	i32   []int32
	i64   []int64
	f64   []float64
	// strings: the bytes and offsets of plain values, or while every page
	// so far is indexed by the same small dictionary, its entries and codes
	data    []byte
	offsets []int32
	dictOf  parquet.Dictionary
	dict    []string
	codes   []uint16
	pos     []int32 // scratch: the page's rows that are not NULL
}

func newVecBuilder(t types.T, n int) *vecBuilder {
	b := &vecBuilder{t: t, kind: column.KindOf(t), n: n}
	switch b.kind {
	case column.Int32:
		b.i32 = make([]int32, n)
	case column.Int64:
		b.i64 = make([]int64, n)
	case column.Float64:
		b.f64 = make([]float64, n)
	case column.String:
		b.offsets = make([]int32, 1, n+1)
	}
	return b
}

// decode reads column col of rg: page by page from the typed buffers when
// its physical type allows, else value by value through conv.
func (b *vecBuilder) decode(p *plan.ParquetFile, rg parquet.RowGroup, col int, conv parquetConv) error {
	chunk := rg.ColumnChunks()[col]
	ints := intDecoder(chunk.Type(), b.t)
	kind := chunk.Type().Kind()
	direct := ints != nil || kind == parquet.Float || kind == parquet.Double ||
		kind == parquet.ByteArray && b.kind == column.String
	if !direct {
		vals, err := readParquetColumn(p, rg, col, conv, nil)
		if err != nil {
			return err
		}
		b.values(vals)
		return nil
	}
	pages := chunk.Pages()
	defer pages.Close()
	for {
		page, err := pages.ReadPage()
		if err == io.EOF {
			if b.rows != b.n {
				return parquetReadError(p, errShortPage)
			}
			if b.dictOf != nil && b.nulls == b.n {
				b.plain() // codes of no entry
			}
			return nil
		}
		if err != nil {
			return parquetReadError(p, err)
		}
		err = b.page(page, ints)
		parquet.Release(page)
		if errors.Is(err, errInvalidUTF8) {
			return sqlerr.New(sqlerr.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\" in Parquet file \"%s\"", p.Name).
				WithDetail("Column %s.", p.Schema().Fields()[col].Name())
		}
		if err != nil {
			return parquetReadError(p, err)
		}
	}
}

// intDecoder returns the conversion of a Parquet integer column's values
// of type t to the int64 form of the segment column, or nil when the
// column is not INT32 or INT64.
func intDecoder(pt parquet.Type, t types.T) func(int64) int64 {
	kind := pt.Kind()
	if kind != parquet.Int32 && kind != parquet.Int64 {
		return nil
	}
	if lt := pt.LogicalType(); lt != nil {
		switch lv := lt.Value.(type) {
		case *format.TimestampType:
			return timeUnitMicros(&lv.Unit)
		case *format.IntType:
			if !lv.IsSigned && lv.BitWidth == 32 {
				return func(x int64) int64 { return int64(uint32(x)) }
			}
		case *format.TimeType:
			return nil // time has no segment form
		}
	}
	return func(x int64) int64 { return x }
}

// page adds the rows of one data page.
func (b *vecBuilder) page(page parquet.Page, ints func(int64) int64) error {
	rows := int(page.NumRows())
	base := b.rows
	if base+rows > b.n {
		return errLongPage
	}
	b.pos = b.pos[:0]
	if b.pos == nil {
		b.pos = make([]int32, 0, rows) // not nil: nil says no row is NULL
	}
	defs := page.DefinitionLevels()
	for r, d := range defs {
		if d == 0 {
			b.null(base + r)
		} else {
			b.pos = append(b.pos, int32(r))
		}
	}
	pos := b.pos
	if len(defs) == 0 {
		pos = nil // every row has a value
	}
	b.rows += rows
	data := page.Data()
	if b.kind == column.String {
		return b.strings(page, base, rows, pos)
	}
	if d := page.Dictionary(); d != nil {
		if data.Kind() != encoding.Int32 {
			return errors.New("dictionary indexes are not INT32")
		}
		return b.indexed(d.Page().Data(), data.Int32(), base, rows, pos, ints)
	}
	if !valuesFit(pos, valueCount(data), rows) {
		return errShortPage
	}
	switch data.Kind() {
	case encoding.Int32:
		vals := data.Int32()
		b.putInts(base, pos, len(vals), func(k int) int64 { return ints(int64(vals[k])) })
	case encoding.Int64:
		vals := data.Int64()
		b.putInts(base, pos, len(vals), func(k int) int64 { return ints(vals[k]) })
	case encoding.Float:
		vals := data.Float()
		scatter(b.f64, base, pos, vals, func(x float32) float64 { return float64(x) })
	case encoding.Double:
		vals := data.Double()
		scatter(b.f64, base, pos, vals, func(x float64) float64 { return x })
	default:
		return errors.New("unexpected physical type " + data.Kind().String())
	}
	return nil
}

// Errors of a page's contents, which decode turns into SQL errors.
var (
	errShortPage   = errors.New("a page holds fewer values than its rows")
	errLongPage    = errors.New("the pages hold more rows than their row group")
	errInvalidUTF8 = errors.New("invalid UTF-8")
	errBadIndex    = errors.New("a dictionary index is out of range")
)

// valuesFit reports whether a page of rows rows, whose non-NULL rows are
// pos (nil: all), holds as many values.
func valuesFit(pos []int32, values, rows int) bool {
	if pos == nil {
		return values == rows
	}
	return values == len(pos)
}

// valueCount is the number of values of a page's buffer.
func valueCount(v encoding.Values) int {
	switch v.Kind() {
	case encoding.Int32, encoding.Float:
		return int(v.Size() / 4)
	case encoding.Int64, encoding.Double:
		return int(v.Size() / 8)
	case encoding.ByteArray:
		_, offsets := v.ByteArray()
		return max(len(offsets)-1, 0)
	}
	return -1
}

// putInts stores the page's k-th value (k < n) at its row.
func (b *vecBuilder) putInts(base int, pos []int32, n int, value func(k int) int64) {
	if b.kind == column.Int32 {
		for k := range n {
			b.i32[at(base, pos, k)] = int32(value(k))
		}
		return
	}
	for k := range n {
		b.i64[at(base, pos, k)] = value(k)
	}
}

// at is the row of a page's k-th value.
func at(base int, pos []int32, k int) int {
	if pos == nil {
		return base + k
	}
	return base + int(pos[k])
}

// scatter stores f of the page's values at their rows.
func scatter[T, U any](dst []U, base int, pos []int32, vals []T, f func(T) U) {
	if pos == nil {
		for k, x := range vals {
			dst[base+k] = f(x)
		}
		return
	}
	for k, x := range vals {
		dst[base+int(pos[k])] = f(x)
	}
}

// indexed stores the values of a dictionary-encoded numeric page.
func (b *vecBuilder) indexed(dict encoding.Values, idx []int32, base, rows int, pos []int32, ints func(int64) int64) error {
	if !valuesFit(pos, len(idx), rows) {
		return errShortPage
	}
	var ivals []int64
	var fvals []float64
	switch dict.Kind() {
	case encoding.Int32:
		for _, x := range dict.Int32() {
			ivals = append(ivals, ints(int64(x)))
		}
	case encoding.Int64:
		for _, x := range dict.Int64() {
			ivals = append(ivals, ints(x))
		}
	case encoding.Float:
		for _, x := range dict.Float() {
			fvals = append(fvals, float64(x))
		}
	case encoding.Double:
		fvals = dict.Double()
	default:
		return errors.New("unexpected dictionary type " + dict.Kind().String())
	}
	size := max(len(ivals), len(fvals))
	for _, ix := range idx {
		if uint32(ix) >= uint32(size) {
			return errBadIndex
		}
	}
	if b.kind == column.Float64 {
		scatter(b.f64, base, pos, idx, func(ix int32) float64 { return fvals[ix] })
		return nil
	}
	b.putInts(base, pos, len(idx), func(k int) int64 { return ivals[idx[k]] })
	return nil
}

// strings adds a page of a text column, whose values must be valid UTF-8
// as in PostgreSQL.
func (b *vecBuilder) strings(page parquet.Page, base, rows int, pos []int32) error {
	d := page.Dictionary()
	if d != nil && base == 0 && d.Len() > 0 && d.Len() <= column.MaxDictionary {
		if err := b.startDict(d); err != nil {
			return err
		}
	}
	if b.dictOf != nil && d != b.dictOf {
		b.plain() // a page not indexed by it: the chunk's strings go plain
	}
	data := page.Data()
	if b.dictOf != nil {
		idx := data.Int32()
		if !valuesFit(pos, len(idx), rows) {
			return errShortPage
		}
		b.codes = append(b.codes, make([]uint16, rows)...)
		for k, ix := range idx {
			if uint32(ix) >= uint32(len(b.dict)) {
				return errBadIndex
			}
			b.codes[at(base, pos, k)] = uint16(ix)
		}
		return nil
	}
	var count int                // the page's values
	var value func(k int) []byte // a view of the k-th, copied below
	if d != nil {
		idx := data.Int32()
		for _, ix := range idx {
			if uint32(ix) >= uint32(d.Len()) {
				return errBadIndex
			}
		}
		count, value = len(idx), func(k int) []byte { return d.Index(idx[k]).ByteArray() }
	} else {
		bytes, offsets := data.ByteArray()
		count = max(len(offsets)-1, 0)
		value = func(k int) []byte { return bytes[offsets[k]:offsets[k+1]] }
		b.data = slices.Grow(b.data, len(bytes))
	}
	if !valuesFit(pos, count, rows) {
		return errShortPage
	}
	k := 0
	for r := range rows {
		if pos == nil || k < len(pos) && int(pos[k]) == r {
			v := value(k)
			if !utf8.Valid(v) {
				return errInvalidUTF8
			}
			b.data = append(b.data, v...)
			k++
		}
		b.offsets = append(b.offsets, int32(len(b.data)))
	}
	return nil
}

// startDict makes the column a dictionary one over d's entries.
func (b *vecBuilder) startDict(d parquet.Dictionary) error {
	data := d.Page().Data()
	bytes, offsets := data.ByteArray()
	for k := 0; k+1 < len(offsets); k++ {
		v := bytes[offsets[k]:offsets[k+1]]
		if !utf8.Valid(v) {
			return errInvalidUTF8
		}
		b.dict = append(b.dict, string(v))
	}
	b.dictOf, b.codes = d, make([]uint16, 0, b.n)
	return nil
}

// plain turns the dictionary codes so far into plain values.
func (b *vecBuilder) plain() {
	for r, c := range b.codes {
		if !b.isNull(r) {
			b.data = append(b.data, b.dict[c]...)
		}
		b.offsets = append(b.offsets, int32(len(b.data)))
	}
	b.dictOf, b.dict, b.codes = nil, nil, nil
}

func (b *vecBuilder) null(r int) {
	if b.valid == nil {
		b.valid = make([]byte, (b.n+7)/8)
		for i := range b.valid {
			b.valid[i] = 0xff
		}
	}
	b.valid[r>>3] &^= 1 << (r & 7)
	b.nulls++
}

func (b *vecBuilder) isNull(r int) bool { return b.valid != nil && b.valid[r>>3]&(1<<(r&7)) == 0 }

// values adds a chunk decoded value by value (NULLs as types.Null).
func (b *vecBuilder) values(vals []types.Value) {
	for r, v := range vals {
		if v.IsNull() {
			b.null(r)
			if b.kind == column.String {
				b.offsets = append(b.offsets, int32(len(b.data)))
			}
			continue
		}
		switch b.kind {
		case column.Int32:
			b.i32[r] = int32(column.ToInt64(b.t, v))
		case column.Int64:
			b.i64[r] = column.ToInt64(b.t, v)
		case column.Float64:
			b.f64[r] = v.F
		case column.String:
			b.data = append(b.data, v.S...)
			b.offsets = append(b.offsets, int32(len(b.data)))
		}
	}
	b.rows = len(vals)
}

// finish returns the column decoded.
func (b *vecBuilder) finish() column.Column {
	c := column.Column{Kind: b.kind, Type: b.t, Valid: b.valid, I32: b.i32, I64: b.i64, F64: b.f64, Zone: column.Zone{Nulls: b.nulls}}
	if b.kind == column.String {
		if b.dictOf != nil {
			c.Dict, c.Codes = b.dict, b.codes
		} else {
			c.Str = column.NewStrings(b.data, b.offsets, b.valid, b.nulls)
		}
	}
	return c
}
