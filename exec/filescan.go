package exec

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"rustydb/plan"
	"rustydb/sqlerr"
	"rustydb/types"
)

// read_csv and read_json: a server file scanned as a table. SniffFile gives
// the table its columns from a sample of the file's first sniffRows
// records, as DuckDB does: the names from the CSV header (or column0,
// column1, ...) or the JSON keys (their union, in the order first seen),
// and for each column the narrowest of boolean, bigint, double precision,
// date, timestamp and text that every non-empty sampled value reads as. A
// value further on that does not fit its column's type fails the query
// with its file, line and column named.

// sniffRows is how many records SniffFile reads.
const sniffRows = 1000

// sniffTypes are the types SniffFile tries, narrowest first, with the test
// of a value; text takes anything.
var sniffTypes = []struct {
	t  types.T
	ok func(s string) bool
}{
	{types.TBool, func(s string) bool { return strings.EqualFold(s, "true") || strings.EqualFold(s, "false") }},
	{types.TInt8, func(s string) bool { _, err := strconv.ParseInt(s, 10, 64); return err == nil }},
	{types.TFloat8, func(s string) bool {
		_, err := strconv.ParseFloat(s, 64)
		return err == nil && s[len(s)-1] >= '0' && s[len(s)-1] <= '9' // not NaN or Inf
	}},
	{types.TDate, func(s string) bool {
		_, err := types.ParseDate(s)
		return err == nil && s[0] >= '0' && s[0] <= '9' && !strings.Contains(s, ":")
	}},
	{types.TTimestamp, func(s string) bool {
		_, err := types.ParseTimestamp(s)
		return err == nil && s[0] >= '0' && s[0] <= '9'
	}},
}

// fileRecords reads the records of a read_csv or read_json file.
type fileRecords struct {
	n    *plan.FileScan
	br   *bufio.Reader
	csv  CopyFormat
	dec  *JSONDecoder
	line int64
}

func newFileRecords(n *plan.FileScan, r io.Reader) *fileRecords {
	fr := &fileRecords{n: n, br: bufio.NewReaderSize(r, 256<<10)}
	if n.Func == "read_json" {
		fr.dec = NewJSONDecoder()
	} else {
		fr.csv = CopyFormat{CSV: true, Delimiter: n.Delim, Quote: '"', Escape: '"'}
	}
	return fr
}

// at names the file and line an error is on.
func (r *fileRecords) at() string {
	return fmt.Sprintf("%s, file \"%s\", line %d", r.n.Func, r.n.Path, r.line)
}

// next returns the next record: the fields of a CSV line (nil for an
// empty unquoted field) or the members of a JSON object; io.EOF after the
// last.
func (r *fileRecords) next() ([]*string, []JSONMember, error) {
	for {
		raw, err := readLine(r.br)
		if err != nil && err != io.EOF || len(raw) == 0 && err == io.EOF {
			return nil, nil, err
		}
		r.line++
		if r.dec == nil {
			q := csvQuotes{quote: '"', escape: '"'}
			if q.scan(raw) {
				record := append([]byte(nil), raw...)
				for q.inQuote && err == nil {
					if raw, err = readLine(r.br); err != nil && err != io.EOF {
						return nil, nil, err
					}
					r.line++
					record = append(record, raw...)
					q.scan(raw)
				}
				raw = record
			}
		}
		raw = bytes.TrimRight(raw, "\r\n")
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		if r.dec != nil {
			members, err := r.dec.Decode(raw)
			if err != nil {
				return nil, nil, sqlerr.New(sqlerr.BadCopyFileFormat, "invalid JSON: %v", err).WithDetail("%s", r.at())
			}
			return nil, members, nil
		}
		fields, err := splitCSVRow(raw, r.csv)
		if err != nil {
			return nil, nil, sqlerr.New(sqlerr.BadCopyFileFormat, "%v", err).WithDetail("%s", r.at())
		}
		return fields, nil, nil
	}
}

// SniffFile sets n's columns from the first records of r, n's file.
func SniffFile(n *plan.FileScan, r io.Reader) error {
	recs := newFileRecords(n, r)
	var names []string
	index := map[string]int{}
	var values [][]string // the sampled non-NULL values of each column
	add := func(i int, v *string) {
		for len(values) <= i {
			values = append(values, nil)
		}
		if v != nil && *v != "" {
			values[i] = append(values[i], *v)
		}
	}
	header := n.Header && recs.dec == nil
	for rows := 0; rows < sniffRows; rows++ {
		fields, members, err := recs.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if recs.dec != nil {
			for _, m := range members {
				i, ok := index[m.Key]
				if !ok {
					i = len(names)
					index[m.Key] = i
					names = append(names, m.Key)
				}
				add(i, m.Val)
			}
			continue
		}
		if header {
			header = false
			for i, f := range fields {
				name := fmt.Sprintf("column%d", i)
				if f != nil && *f != "" {
					name = *f
				}
				names = append(names, name)
			}
			rows--
			continue
		}
		for i, f := range fields {
			add(i, f)
		}
	}
	for i := len(names); i < len(values); i++ {
		names = append(names, fmt.Sprintf("column%d", i))
	}
	if len(names) == 0 {
		return sqlerr.New(sqlerr.BadCopyFileFormat, "%s found no columns in \"%s\"", n.Func, n.Path).
			WithHint("The file is empty, or holds no JSON object with a key.")
	}
	n.Cols = make([]plan.Column, len(names))
	for i, name := range names {
		n.Cols[i] = plan.Column{Name: name, Type: types.TText}
		var sample []string
		if i < len(values) {
			sample = values[i]
		}
		if len(sample) == 0 {
			continue
		}
	next:
		for _, st := range sniffTypes {
			for _, v := range sample {
				if !st.ok(v) {
					continue next
				}
			}
			n.Cols[i].Type = st.t
			break
		}
	}
	return nil
}

// fileScanOp produces the rows of a FileScan.
type fileScanOp struct {
	c     *Context
	n     *plan.FileScan
	f     io.ReadCloser
	recs  *fileRecords
	index map[string]int // read_json: the column of each key
}

func (c *Context) buildFileScan(n *plan.FileScan) (Operator, error) {
	if c.OpenFile == nil {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "%s is not available here", n.Func)
	}
	return &fileScanOp{c: c, n: n}, nil
}

func (o *fileScanOp) Init() error {
	f, err := o.c.OpenFile(o.n.Path)
	if err != nil {
		return err
	}
	o.f, o.recs = f, newFileRecords(o.n, f)
	if o.n.Func == "read_json" {
		o.index = make(map[string]int, len(o.n.Cols))
		for i, col := range o.n.Cols {
			o.index[col.Name] = i
		}
	} else if o.n.Header {
		if _, _, err := o.recs.next(); err != nil && err != io.EOF {
			return err
		}
	}
	return nil
}

func (o *fileScanOp) Next() ([]types.Value, error) {
	fields, members, err := o.recs.next()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := o.c.canceled(); err != nil {
		return nil, err
	}
	out := make([]types.Value, len(o.n.Cols))
	for i := range out {
		out[i] = types.Null
	}
	set := func(i int, v *string) error {
		if v == nil || *v == "" && o.n.Cols[i].Type.ID != types.Text {
			return nil
		}
		val, err := types.AssignIn(types.NewText(*v), o.n.Cols[i].Type, o.c.Loc)
		if err != nil {
			e := sqlerr.From(err)
			return &sqlerr.Error{Code: e.Code, Message: e.Message, Detail: o.recs.at() + ", column " + o.n.Cols[i].Name,
				Hint: "The column's type was guessed from the file's first rows; load the file with COPY into a table of the right types instead."}
		}
		out[i] = val
		return nil
	}
	if members != nil || o.index != nil {
		for _, m := range members {
			if i, ok := o.index[m.Key]; ok {
				if err := set(i, m.Val); err != nil {
					return nil, err
				}
			}
		}
		return out, nil
	}
	if len(fields) > len(out) {
		return nil, sqlerr.New(sqlerr.BadCopyFileFormat, "extra data after last expected column").WithDetail("%s", o.recs.at())
	}
	for i, f := range fields { // missing trailing fields are NULL
		if err := set(i, f); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (o *fileScanOp) Close() {
	if o.f != nil {
		o.f.Close()
		o.f = nil
	}
}
