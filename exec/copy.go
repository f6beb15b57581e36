package exec

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"

	"rustydb/catalog"
	"rustydb/column"
	"rustydb/plan"
	"rustydb/sqlerr"
	"rustydb/types"
)

// CopyFormat describes a COPY data stream: PostgreSQL's text format (rows of
// delimiter-separated fields, \N for NULL, backslash escapes) or CSV.
type CopyFormat struct {
	CSV       bool
	Delimiter byte
	Null      string
	Header    bool
	Quote     byte // CSV: encloses a field holding special characters
	Escape    byte // CSV: inside a quoted field, makes the next Quote or Escape literal
	// Skip is ON_ERROR ignore (or skip): a row with malformed data or a
	// value its column's type cannot hold is left out instead of failing
	// the load; Rejected, when set, is told of each.
	Skip     bool
	Rejected func(line int64, raw []byte, err *sqlerr.Error) error
	// File names the server file read, for the line an error is on.
	File string
	// Writer, when set, takes the rows of a COPY TO in place of the text
	// and CSV formatting (JSON, Arrow); it writes no header.
	Writer func(vals []types.Value) error
	// Other holds the options of a format other than text and CSV (json,
	// arrow), which the caller reads (FORMAT is in Other["format"]).
	Other map[string]string
}

// ParseCopyOptions reads COPY's options with PostgreSQL's defaults. A
// FORMAT other than text and csv is left to the caller in f.Other, with
// the options as given.
// ENCODING accepts UTF8 only (the one server and client encoding).
func ParseCopyOptions(opts map[string]string) (CopyFormat, error) {
	f := CopyFormat{Delimiter: '\t', Null: `\N`, Quote: '"'}
	switch strings.ToLower(opts["format"]) {
	case "", "text":
	case "csv":
		f.CSV, f.Delimiter, f.Null = true, ',', ""
	default:
		f.Other = opts // checked by the format's reader or writer
	}
	escape := ""
	for k, v := range opts {
		switch k {
		case "format", "freeze": // FREEZE is a PostgreSQL heap hint; loads here are always visible on commit
		case "on_error":
			switch strings.ToLower(v) {
			case "stop":
			case "ignore", "skip":
				f.Skip = true
			default:
				return f, sqlerr.New(sqlerr.InvalidParameterValue, "COPY ON_ERROR %q not recognized", v).
					WithHint("ON_ERROR is stop (the default), ignore or skip.")
			}
		case "reject_file": // written by the caller
		case "delimiter":
			if len(v) != 1 {
				return f, sqlerr.New(sqlerr.FeatureNotSupported, "COPY delimiter must be a single one-byte character")
			}
			f.Delimiter = v[0]
		case "null":
			f.Null = v
		case "header":
			b, err := types.ParseBool(v)
			if err != nil {
				return f, sqlerr.New(sqlerr.InvalidParameterValue, "header requires a Boolean value")
			}
			f.Header = b.Bool()
		case "quote":
			if len(v) != 1 {
				return f, sqlerr.New(sqlerr.FeatureNotSupported, "COPY quote must be a single one-byte character")
			}
			f.Quote = v[0]
		case "escape":
			if len(v) != 1 {
				return f, sqlerr.New(sqlerr.FeatureNotSupported, "COPY escape must be a single one-byte character")
			}
			escape = v
		case "encoding":
			switch strings.ToUpper(v) {
			case "UTF8", "UTF-8", "UNICODE":
			default:
				return f, sqlerr.New(sqlerr.FeatureNotSupported, "COPY encoding %q is not supported; only UTF8 is", v)
			}
		default:
			if f.Other == nil {
				return f, sqlerr.New(sqlerr.SyntaxError, "option %q not recognized", k)
			}
		}
	}
	f.Escape = f.Quote
	if escape != "" {
		f.Escape = escape[0]
	}
	switch {
	case f.Delimiter == '\n' || f.Delimiter == '\r':
		return f, sqlerr.New(sqlerr.InvalidParameterValue, "COPY delimiter cannot be newline or carriage return")
	case !f.CSV && f.Delimiter == '\\':
		return f, sqlerr.New(sqlerr.FeatureNotSupported, "COPY delimiter cannot be \"\\\"")
	case f.CSV && f.Delimiter == f.Quote:
		return f, sqlerr.New(sqlerr.FeatureNotSupported, "COPY delimiter and quote must be different")
	case strings.ContainsAny(f.Null, "\r\n"):
		return f, sqlerr.New(sqlerr.InvalidParameterValue, "COPY null representation cannot use newline or carriage return")
	}
	return f, nil
}

// At says where a row of a COPY FROM into t was read, for an error's
// detail: COPY t[, file "name"], line n.
func (f CopyFormat) At(t *catalog.Table, line int64) string {
	if f.File != "" {
		return fmt.Sprintf("COPY %s, file \"%s\", line %d", t.Name, f.File, line)
	}
	return fmt.Sprintf("COPY %s, line %d", t.Name, line)
}

// CopyDefault in a row from a CopySource stands for a value the source
// does not give (a JSON key that is missing): the column's default.
var CopyDefault = new(string)

// CopySource yields the rows of a COPY FROM, one field per target column
// (nil for NULL, CopyDefault for the column's default), with the line they
// were read from (raw, for a reject file; valid until the next call). The
// fields and their strings are the caller's to keep: workers convert them
// while the source reads on. It
// returns io.EOF after the last row. An error of class 22 (data exception,
// such as 22P04 bad_copy_file_format) is about that row alone, which
// ON_ERROR ignore skips; any other error ends the load.
type CopySource func() (fields []*string, line int64, raw []byte, err error)

// CopyFrom reads rows in format f from r into table t (cols are the target
// column ordinals) and returns the number of rows inserted. A bad row is
// reported with its line number and the statement fails as a whole, or,
// with f.Skip, is left out.
//
// In text format a line may end with one delimiter more than its fields
// need, as TPC-H's dbgen writes them ("1|2|3|"); that delimiter is ignored.
func (c *Context) CopyFrom(t *catalog.Table, cols []int, r io.Reader, f CopyFormat) (int64, error) {
	return c.load(t, cols, c.textBatches(t, r, f), true, f)
}

// CopyLoad inserts the rows of src into t (cols are the target column
// ordinals) and returns the number inserted. With f.Skip a row with a data
// exception is handed to f.Rejected and left out.
func (c *Context) CopyLoad(t *catalog.Table, cols []int, src CopySource, f CopyFormat) (int64, error) {
	return c.load(t, cols, c.rowBatches(src, f), false, f)
}

// load inserts the rows of the batches fill reads into t; text says they
// are text or CSV, which give every target column.
func (c *Context) load(t *catalog.Table, cols []int, fill batchSource, text bool, f CopyFormat) (int64, error) {
	h := c.Store.Heap(t)
	if h == nil {
		return 0, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", t.Name)
	}
	defaults, err := c.defaults(t)
	if err != nil {
		return 0, err
	}
	stop := make(chan struct{})
	batches, done, wait := c.convertRows(t, cols, fill, columnLoad(t, cols, text), f, stop)
	defer wait()
	defer close(stop)
	ins := c.newLoadInserter(t, h)
	var n int64
	for b := range batches {
		<-b.done
		for i := range b.rows {
			r := &b.rows[i]
			if r.err != nil {
				e := sqlerr.From(r.err)
				if !f.Skip || !strings.HasPrefix(e.Code, "22") {
					return n, r.err
				}
				if f.Rejected != nil {
					if err := f.Rejected(r.line, r.raw, e); err != nil {
						return n, err
					}
				}
				continue
			}
			if b.cols != nil {
				if err := ins.insertBuilt(b.cols, r.idx, b.tuple(r.idx)); err != nil {
					return n, err
				}
				n++
				continue
			}
			// Defaults run here, in row order: nextval() numbers the rows
			// as they are in the input.
			for i, d := range defaults {
				if d != nil && !r.explicit[i] {
					v, err := d(nil)
					if err != nil {
						return n, err
					}
					r.vals[i] = v
				}
			}
			if err := ins.insert(r.vals, r.explicit); err != nil {
				return n, err
			}
			n++
		}
		done(b)
	}
	return n, ins.finish()
}

// loadBatch is a run of input rows of a COPY FROM that a worker converts
// to column values; done is closed when it has.
type loadBatch struct {
	rows []loadRow
	// text holds the rows of a text or CSV input, which the worker splits
	// into fields (raw): the reader only finds where the rows end.
	text []byte
	// cols holds the rows converted column by column, and tuples their
	// heap tuples, row i's ending at ends[i] (see copycolumns.go).
	cols   *column.Builder
	tuples []byte
	ends   []int
	// arrow holds the rows of an Arrow input, a slice of each target
	// field's array, which the worker converts a column at a time (see
	// copyarrow.go).
	arrow []arrow.Array
	done  chan struct{}
}

// textString returns b's text as a string, without copying it: the rows'
// fields are substrings of it, and nothing writes the text once it is read.
func (b *loadBatch) textString() string {
	return unsafe.String(unsafe.SliceData(b.text), len(b.text))
}

type loadRow struct {
	fields   []*string
	line     int64
	raw      []byte // for a reject file; in text, the row
	at       int    // where raw starts in the batch's text
	idx      int    // the row in the batch's cols
	err      error
	vals     []types.Value
	explicit []bool // the columns the input gives
}

// batchSource fills b with the next rows of a COPY FROM's input, up to
// loadBatchRows, and reports whether more may follow.
type batchSource func(b *loadBatch) bool

// rowBatches reads the rows of src into batches.
func (c *Context) rowBatches(src CopySource, f CopyFormat) batchSource {
	return func(b *loadBatch) bool {
		for len(b.rows) < loadBatchRows {
			fields, line, raw, err := src()
			if err == io.EOF {
				return false
			}
			if f.Rejected != nil {
				raw = bytes.Clone(raw) // the source reuses it
			}
			b.rows = append(b.rows, loadRow{fields: fields, line: line, raw: raw, err: err})
			c.Progress.Add(1, 0) // read: the rows inserted lag by a batch
			if err != nil && !strings.HasPrefix(sqlerr.From(err).Code, "22") {
				return false // an error of another class than 22 ends the input
			}
		}
		return true
	}
}

// loadBatchRows is how many input rows a conversion worker takes at once.
const loadBatchRows = 512

// loadQueueRows is how many rows may wait, converted or read, for the
// loader: more than a chunk of pages holds (row.Load.flush).
const loadQueueRows = 32 << 10

// convertRows reads src on a goroutine of its own and converts its rows on
// workers, returning the batches in input order; done takes back a batch
// the caller is through with, whose memory later batches reuse, and wait
// waits for all of them to end, which they do at the input's end or once
// stop is closed.
// Reading and converting text is most of a load's work; the inserts stay
// on the caller's goroutine, in order.
//
// With columns the workers convert the rows into column batches (see
// copycolumns.go).
func (c *Context) convertRows(t *catalog.Table, cols []int, fill batchSource, columns bool, f CopyFormat, stop chan struct{}) (batches <-chan *loadBatch, done func(*loadBatch), wait func()) {
	workers, giveBack := c.Workers()
	// The loader publishes a chunk of pages at a time (row.Load.flush);
	// the queue lets the workers go on converting meanwhile.
	queue := loadQueueRows / loadBatchRows
	ordered, work := make(chan *loadBatch, queue), make(chan *loadBatch, queue)
	// The rows and tuples of the batches done with, for new batches: a
	// load's garbage collection is proportional to what it allocates.
	spare := make(chan *loadBatch, queue+2)
	var wg sync.WaitGroup
	send := func(ch chan *loadBatch, b *loadBatch) bool {
		select {
		case ch <- b:
			return true
		case <-stop:
			return false
		}
	}
	wg.Go(func() {
		defer close(ordered)
		defer close(work)
		for more := true; more; {
			b := &loadBatch{done: make(chan struct{})}
			select {
			case s := <-spare:
				b.rows, b.tuples, b.ends = s.rows[:0], s.tuples[:0], s.ends[:0]
			default:
			}
			more = fill(b)
			if !send(work, b) || !send(ordered, b) {
				return
			}
		}
	})
	typs := make([]types.T, len(cols))
	for i, col := range cols {
		typs[i] = t.Columns[col].Type
	}
	for range workers {
		wg.Go(func() {
			rc := newRowConv(typs)
			rc.split = textSplitter{f: f, ncols: len(cols)}
			for {
				select {
				case b, ok := <-work:
					if !ok {
						return
					}
					if b.arrow != nil {
						c.convertArrow(t, cols, f, rc, b)
					} else if columns {
						c.convertColumns(t, cols, f, rc, b)
					} else {
						c.convertBatch(t, cols, f, rc, b)
					}
				case <-stop:
					return
				}
			}
		})
	}
	done = func(b *loadBatch) {
		clear(b.rows[:cap(b.rows)]) // what the rows point to is not the spare's to keep
		select {
		case spare <- &loadBatch{rows: b.rows, tuples: b.tuples, ends: b.ends}:
		default:
		}
	}
	return ordered, done, func() {
		wg.Wait()
		giveBack()
	}
}

// convertBatch turns the fields of b's rows into column values with rc.
func (c *Context) convertBatch(t *catalog.Table, cols []int, f CopyFormat, rc *rowConv, b *loadBatch) {
	defer close(b.done)
	// The rows' values share two allocations, a load's allocations being
	// much of its garbage collection.
	n := len(t.Columns)
	vals, explicit := make([]types.Value, len(b.rows)*n), make([]bool, len(b.rows)*n)
	text := b.textString()
	for i := range b.rows {
		r := &b.rows[i]
		if r.err != nil {
			continue
		}
		r.vals, r.explicit = vals[i*n:(i+1)*n:(i+1)*n], explicit[i*n:(i+1)*n:(i+1)*n]
		func() {
			defer recoverInto(&r.err)
			fields, err := rc.rowFields(t, cols, f, b, r, text)
			if err != nil {
				r.err = err
				return
			}
			r.err = c.convertRow(t, cols, f, rc, fields, r.line, r.vals, r.explicit)
		}()
	}
}

// convertRow converts one input row's fields (nil for NULL, CopyDefault
// for the column's default) to t's column types, into vals, with rc where
// it can; explicit marks the columns the input gives.
func (c *Context) convertRow(t *catalog.Table, cols []int, f CopyFormat, rc *rowConv, fields []*string, line int64, vals []types.Value, explicit []bool) error {
	for i, fld := range fields {
		if fld == CopyDefault {
			continue
		}
		explicit[cols[i]] = true
		if fld == nil {
			continue // NULL
		}
		if v, ok := rc.convert(i, *fld); ok {
			vals[cols[i]] = v
			continue
		}
		v, err := c.convertField(t, cols[i], f, *fld, line)
		if err != nil {
			return err
		}
		vals[cols[i]] = v
	}
	return nil
}

// loadRow inserts one loaded row into t through ins: loaded holds the
// values of the columns cols, the others get their defaults. It counts the
// row in the statement's progress.
func (c *Context) loadRow(t *catalog.Table, ins *loadInserter, defaults []evalFn, cols []int, loaded []types.Value) error {
	vals := make([]types.Value, len(t.Columns))
	for i, d := range defaults {
		if d != nil {
			v, err := d(nil)
			if err != nil {
				return err
			}
			vals[i] = v
		}
	}
	for i, col := range cols {
		vals[col] = loaded[i]
	}
	c.Progress.Add(1, 0)
	return ins.insert(vals, nil)
}

// readLine returns the next line of br with its '\n' (the last line may
// have none); the slice is valid until the next read. At the end of the
// input it returns io.EOF, with the last line if that had no '\n'.
func readLine(br *bufio.Reader) ([]byte, error) {
	raw, err := br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		full := append([]byte(nil), raw...)
		for errors.Is(err, bufio.ErrBufferFull) {
			raw, err = br.ReadSlice('\n')
			full = append(full, raw...)
		}
		raw = full
	}
	return raw, err
}

// endsWithDelimiter reports whether a text-format line ends with an
// unescaped delimiter.
func endsWithDelimiter(raw []byte, delim byte) bool {
	if len(raw) == 0 || raw[len(raw)-1] != delim {
		return false
	}
	backslashes := 0
	for i := len(raw) - 2; i >= 0 && raw[i] == '\\'; i-- {
		backslashes++
	}
	return backslashes%2 == 0
}

// csvQuotes follows whether a CSV record is inside a quoted field, as
// PostgreSQL's line reader does: an escape counts only inside quotes and
// before a quote, and an escape equal to the quote is just the quote.
type csvQuotes struct {
	quote, escape     byte
	inQuote, afterEsc bool
}

// scan follows the quotes of line and reports whether it ends inside one.
func (q *csvQuotes) scan(line []byte) bool {
	if bytes.IndexByte(line, q.quote) < 0 && !q.inQuote {
		return false
	}
	hasEsc := q.escape != q.quote
	for _, c := range line {
		if hasEsc && q.inQuote && c == q.escape {
			q.afterEsc = !q.afterEsc
		}
		if c == q.quote && !q.afterEsc {
			q.inQuote = !q.inQuote
		}
		if !hasEsc || c != q.escape {
			q.afterEsc = false
		}
	}
	return q.inQuote
}

// splitCSVRow splits one CSV record into fields. An unquoted field equal to
// the NULL string is nil; a quoted one never is, so "" is an empty string
// where NULL is written as nothing.
func splitCSVRow(raw []byte, f CopyFormat) ([]*string, error) {
	var fields []*string
	var cur []byte
	for i := 0; ; {
		cur = cur[:0]
		quoted := false
		for i < len(raw) && raw[i] != f.Delimiter {
			c := raw[i]
			i++
			if c != f.Quote {
				cur = append(cur, c)
				continue
			}
			quoted = true
			for {
				if i >= len(raw) {
					return nil, errors.New("unterminated CSV quoted field")
				}
				c = raw[i]
				i++
				if c == f.Escape && i < len(raw) && (raw[i] == f.Quote || raw[i] == f.Escape) {
					cur = append(cur, raw[i])
					i++
					continue
				}
				if c == f.Quote {
					break
				}
				cur = append(cur, c)
			}
		}
		if !quoted && string(cur) == f.Null {
			fields = append(fields, nil)
		} else {
			s := string(cur)
			fields = append(fields, &s)
		}
		if i >= len(raw) {
			return fields, nil
		}
		i++ // the delimiter
	}
}

// splitTextRow splits one line of COPY text format into fields, undoing
// backslash escapes; a field equal to the NULL marker is nil.
func splitTextRow(raw []byte, f CopyFormat, slab *fieldSlab) ([]*string, error) {
	if bytes.IndexByte(raw, '\\') < 0 {
		return splitPlainRow(string(raw), f, slab), nil
	}
	var fields []*string
	var cur []byte
	rawField := []byte{} // the field as written, to compare with the NULL marker
	flush := func() {
		if string(rawField) == f.Null {
			fields = append(fields, nil)
		} else {
			s := string(cur)
			fields = append(fields, &s)
		}
		cur, rawField = cur[:0], rawField[:0]
	}
	for i := 0; i < len(raw); i++ {
		b := raw[i]
		if b == f.Delimiter {
			flush()
			continue
		}
		rawField = append(rawField, b)
		if b != '\\' || i+1 >= len(raw) {
			cur = append(cur, b)
			continue
		}
		i++
		e := raw[i]
		rawField = append(rawField, e)
		switch e {
		case 'n':
			cur = append(cur, '\n')
		case 't':
			cur = append(cur, '\t')
		case 'r':
			cur = append(cur, '\r')
		case 'b':
			cur = append(cur, '\b')
		case 'f':
			cur = append(cur, '\f')
		case 'v':
			cur = append(cur, '\v')
		case 'N':
			cur = append(cur, '\\', 'N') // only meaningful as the whole field
		case 'x':
			j := i + 1
			for j < len(raw) && j < i+3 && isHex(raw[j]) {
				j++
			}
			if j == i+1 {
				cur = append(cur, 'x')
				continue
			}
			v, _ := strconv.ParseUint(string(raw[i+1:j]), 16, 8)
			cur = append(cur, byte(v))
			rawField = append(rawField, raw[i+1:j]...)
			i = j - 1
		default:
			if e >= '0' && e <= '7' {
				j := i
				for j < len(raw) && j < i+3 && raw[j] >= '0' && raw[j] <= '7' {
					j++
				}
				v, _ := strconv.ParseUint(string(raw[i:j]), 8, 8)
				cur = append(cur, byte(v))
				rawField = append(rawField, raw[i+1:j]...)
				i = j - 1
				continue
			}
			cur = append(cur, e)
		}
	}
	flush()
	return fields, nil
}

// splitPlainRow splits a text-format line without escapes into fields
// that are substrings of line (a load's rows are millions of lines of a
// dozen fields each), their slices from slab.
func splitPlainRow(line string, f CopyFormat, slab *fieldSlab) []*string {
	delim := string([]byte{f.Delimiter})
	n := strings.Count(line, delim) + 1
	vals, fields := slab.take(n)
	for i := range n {
		v, rest, _ := strings.Cut(line, delim)
		line = rest
		fields[i] = nil
		if v != f.Null {
			vals[i] = v
			fields[i] = &vals[i]
		}
	}
	return fields
}

// fieldSlab hands out the fields of many rows from shared allocations,
// two for thousands of rows instead of two a row.
type fieldSlab struct {
	vals []string
	ptrs []*string
	used int
}

// take returns room for n fields; a nil slab allocates it.
func (s *fieldSlab) take(n int) ([]string, []*string) {
	if s == nil {
		return make([]string, n), make([]*string, n)
	}
	if len(s.vals)-s.used < n {
		size := max(n, 8192)
		s.vals, s.ptrs, s.used = make([]string, size), make([]*string, size), 0
	}
	vals, ptrs := s.vals[s.used:s.used+n:s.used+n], s.ptrs[s.used:s.used+n:s.used+n]
	s.used += n
	return vals, ptrs
}

// reset hands out the room taken so far again, once its fields are done with.
func (s *fieldSlab) reset() { s.used = 0 }

func isHex(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F'
}

// defaults compiles t's column defaults for a load (nil where none); they
// run per row, since a default such as nextval() differs each time.
func (c *Context) defaults(t *catalog.Table) ([]evalFn, error) {
	fns := make([]evalFn, len(t.Columns))
	for i, col := range t.Columns {
		if col.Default == "" {
			continue
		}
		e, err := (&plan.Binder{Loc: c.Loc}).DefaultExpr(col)
		if err != nil {
			return nil, err
		}
		if fns[i], err = c.compile(e); err != nil {
			return nil, err
		}
	}
	return fns, nil
}

// CopyTo writes the visible rows of t (columns cols) to w in format f, one
// Write per row, and returns the number of rows.
func (c *Context) CopyTo(t *catalog.Table, cols []int, w io.Writer, f CopyFormat) (int64, error) {
	h := c.Store.Heap(t)
	if h == nil {
		return 0, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", t.Name)
	}
	out := copyOut{w: w, f: f, loc: c.Loc, single: len(cols) == 1, progress: c.Progress}
	if f.Header {
		names := make([]string, len(cols))
		for i, col := range cols {
			names[i] = t.Columns[col].Name
		}
		if err := out.header(names); err != nil {
			return 0, err
		}
	}
	versions, err := h.Scan()
	if err != nil {
		return 0, err
	}
	r := h.Reader()
	defer r.Close()
	var n int64
	row := make([]types.Value, len(cols))
	typs := make([]types.T, len(cols))
	for i, col := range cols {
		typs[i] = t.Columns[col].Type
	}
	for _, v := range versions {
		if !v.VisibleTo(&c.Snap) {
			continue
		}
		if err := c.canceled(); err != nil {
			return n, err
		}
		vals, err := r.Values(v)
		if err != nil {
			return n, err
		}
		for i, col := range cols {
			row[i] = vals[col]
		}
		if err := out.row(row, typs); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// CopyQuery runs op, whose output columns are cols, and writes its rows to
// w in format f, one Write per row, for COPY (query) TO. It returns the
// number of rows.
func (c *Context) CopyQuery(op Operator, cols []plan.Column, w io.Writer, f CopyFormat) (int64, error) {
	out := copyOut{w: w, f: f, loc: c.Loc, single: len(cols) == 1, progress: c.Progress}
	names := make([]string, len(cols))
	typs := make([]types.T, len(cols))
	for i, col := range cols {
		names[i], typs[i] = col.Name, col.Type
	}
	if f.Header {
		if err := out.header(names); err != nil {
			op.Close()
			return 0, err
		}
	}
	var n int64
	err := Drain(op, func(r []types.Value) error {
		if err := c.canceled(); err != nil {
			return err
		}
		if err := out.row(r[:len(cols)], typs); err != nil {
			return err
		}
		n++
		return nil
	})
	return n, err
}

// copyOut formats the rows of COPY TO.
type copyOut struct {
	w      io.Writer
	f      CopyFormat
	loc    *time.Location
	single bool // one column: a lone \. is quoted in CSV
	buf    []byte
	// progress counts the rows and bytes written, for v$session
	progress *Progress
}

func (o *copyOut) header(names []string) error {
	if o.f.Writer != nil {
		return nil
	}
	o.buf = o.buf[:0]
	for i, name := range names {
		if i > 0 {
			o.buf = append(o.buf, o.f.Delimiter)
		}
		o.buf = o.field([]byte(name))
	}
	o.buf = append(o.buf, '\n')
	_, err := o.w.Write(o.buf)
	o.progress.Add(1, int64(len(o.buf)))
	return err
}

func (o *copyOut) row(vals []types.Value, typs []types.T) error {
	if o.f.Writer != nil {
		return o.f.Writer(vals)
	}
	o.buf = o.buf[:0]
	var text []byte
	for i, val := range vals {
		if i > 0 {
			o.buf = append(o.buf, o.f.Delimiter)
		}
		if val.IsNull() {
			o.buf = append(o.buf, o.f.Null...)
			continue
		}
		text = types.AppendTextIn(text[:0], val, typs[i], o.loc)
		o.buf = o.field(text)
	}
	_, err := o.w.Write(append(o.buf, '\n'))
	return err
}

// field appends one non-NULL field to o.buf. CSV quotes a field holding
// the delimiter, the quote, a line break, one equal to the NULL string, and
// a lone \. in a one-column row (the end-of-data marker); inside the quotes
// the quote and the escape are escaped. Text format escapes backslashes,
// line breaks, tabs and the delimiter with a backslash.
func (o *copyOut) field(text []byte) []byte {
	buf, f := o.buf, o.f
	if f.CSV {
		if bytes.IndexByte(text, f.Delimiter) < 0 && bytes.IndexByte(text, f.Quote) < 0 &&
			bytes.IndexAny(text, "\r\n") < 0 && string(text) != f.Null && !(o.single && string(text) == `\.`) {
			return append(buf, text...)
		}
		buf = append(buf, f.Quote)
		for _, b := range text {
			if b == f.Quote || b == f.Escape {
				buf = append(buf, f.Escape)
			}
			buf = append(buf, b)
		}
		return append(buf, f.Quote)
	}
	for _, b := range text {
		switch b {
		case '\\':
			buf = append(buf, '\\', '\\')
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		case '\t':
			buf = append(buf, '\\', 't')
		default:
			if b == f.Delimiter {
				buf = append(buf, '\\')
			}
			buf = append(buf, b)
		}
	}
	return buf
}
