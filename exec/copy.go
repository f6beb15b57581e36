package exec

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"

	"rustydb/catalog"
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
	Quote     byte
}

// ParseCopyOptions reads COPY's options with PostgreSQL's defaults.
func ParseCopyOptions(opts map[string]string) (CopyFormat, error) {
	f := CopyFormat{Delimiter: '\t', Null: `\N`, Quote: '"'}
	switch strings.ToLower(opts["format"]) {
	case "", "text":
	case "csv":
		f.CSV, f.Delimiter, f.Null = true, ',', ""
	default:
		return f, sqlerr.New(sqlerr.FeatureNotSupported, "COPY format %q is not supported; use text or csv", opts["format"])
	}
	for k, v := range opts {
		switch k {
		case "format", "freeze": // FREEZE is a PostgreSQL heap hint; loads here are always visible on commit
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
		case "escape", "encoding":
		default:
			return f, sqlerr.New(sqlerr.SyntaxError, "option %q not recognized", k)
		}
	}
	return f, nil
}

// CopyFrom reads rows in format f from r into table t (cols are the target
// column ordinals) and returns the number of rows inserted. A bad row is
// reported with its line number and the statement fails as a whole.
func (c *Context) CopyFrom(t *catalog.Table, cols []int, r io.Reader, f CopyFormat) (int64, error) {
	h := c.Store.Heap(t)
	if h == nil {
		return 0, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", t.Name)
	}
	defaults, err := c.defaults(t)
	if err != nil {
		return 0, err
	}
	var n, line int64
	insert := func(fields []*string) error {
		if len(fields) != len(cols) {
			what := "missing data"
			if len(fields) > len(cols) {
				what = "extra data after last expected column"
			}
			return sqlerr.New("22P04", "%s", what).WithDetail("COPY %s, line %d", t.Name, line)
		}
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
		for i, fld := range fields {
			if fld == nil {
				vals[cols[i]] = types.Null
				continue
			}
			v, err := types.AssignIn(types.NewText(*fld), t.Columns[cols[i]].Type, c.Loc)
			if err != nil {
				e := sqlerr.From(err)
				return &sqlerr.Error{Code: e.Code, Message: e.Message,
					Detail: "COPY " + t.Name + ", line " + strconv.FormatInt(line, 10) + ", column " + t.Columns[cols[i]].Name}
			}
			vals[cols[i]] = v
		}
		if err := c.validate(t, vals, nil); err != nil {
			return err
		}
		if err := c.Tx.Insert(c.Ctx, h, vals); err != nil {
			return err
		}
		n++
		return c.canceled()
	}
	if f.CSV {
		cr := csv.NewReader(r)
		cr.Comma = rune(f.Delimiter)
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = true
		cr.LazyQuotes = f.Quote != '"'
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				return n, nil
			}
			line++
			if err != nil {
				return n, sqlerr.New("22P04", "invalid CSV input: %v", err).WithDetail("COPY %s, line %d", t.Name, line)
			}
			if line == 1 && f.Header {
				continue
			}
			if len(rec) == 1 && rec[0] == `\.` {
				return n, nil
			}
			fields := make([]*string, len(rec))
			for i := range rec {
				if rec[i] != f.Null {
					s := rec[i]
					fields[i] = &s
				}
			}
			if err := insert(fields); err != nil {
				return n, err
			}
		}
	}
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		raw, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			full := append([]byte(nil), raw...)
			for errors.Is(err, bufio.ErrBufferFull) {
				raw, err = br.ReadSlice('\n')
				full = append(full, raw...)
			}
			raw = full
		}
		if len(raw) == 0 && err != nil {
			if err == io.EOF {
				return n, nil
			}
			return n, err
		}
		line++
		raw = bytes.TrimSuffix(bytes.TrimSuffix(raw, []byte{'\n'}), []byte{'\r'})
		if string(raw) == `\.` {
			return n, nil
		}
		if line == 1 && f.Header {
			continue
		}
		fields, perr := splitTextRow(raw, f)
		if perr != nil {
			return n, sqlerr.New("22P04", "%v", perr).WithDetail("COPY %s, line %d", t.Name, line)
		}
		if err := insert(fields); err != nil {
			return n, err
		}
	}
}

// splitTextRow splits one line of COPY text format into fields, undoing
// backslash escapes; a field equal to the NULL marker is nil.
func splitTextRow(raw []byte, f CopyFormat) ([]*string, error) {
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
	var buf []byte
	if f.Header {
		for i, col := range cols {
			if i > 0 {
				buf = append(buf, f.Delimiter)
			}
			buf = append(buf, t.Columns[col].Name...)
		}
		if _, err := w.Write(append(buf, '\n')); err != nil {
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
		buf = buf[:0]
		for i, col := range cols {
			if i > 0 {
				buf = append(buf, f.Delimiter)
			}
			val := vals[col]
			if val.IsNull() {
				buf = append(buf, f.Null...)
				continue
			}
			text := types.AppendTextIn(nil, val, t.Columns[col].Type, c.Loc)
			buf = appendCopyField(buf, text, f)
		}
		if _, err := w.Write(append(buf, '\n')); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func appendCopyField(buf, text []byte, f CopyFormat) []byte {
	if f.CSV {
		if bytes.IndexByte(text, f.Delimiter) < 0 && bytes.IndexByte(text, f.Quote) < 0 &&
			bytes.IndexAny(text, "\r\n") < 0 && (len(text) > 0 || f.Null != "") {
			return append(buf, text...)
		}
		buf = append(buf, f.Quote)
		for _, b := range text {
			if b == f.Quote {
				buf = append(buf, f.Quote)
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
