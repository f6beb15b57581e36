package rustydb

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/cockroachdb/apd/v3"

	"rustydb/sqlerr"
	"rustydb/types"
)

// Rows is the result of a query run through the embedded API.
type Rows struct {
	cols []Column
	rows [][]types.Value
	one  [1][]types.Value // rows' first storage: most queries of an application return one row
	pos  int
	tag  string
	loc  *time.Location // the session's TimeZone, in which *string gets a timestamptz
}

// Columns returns the result columns.
func (r *Rows) Columns() []Column { return r.cols }

// Tag returns the command tag, e.g. "SELECT 3".
func (r *Rows) Tag() string { return r.tag }

// Len returns the number of rows.
func (r *Rows) Len() int { return len(r.rows) }

// Next advances to the next row.
func (r *Rows) Next() bool {
	if r.pos >= len(r.rows) {
		return false
	}
	r.pos++
	return true
}

// Values returns the current row.
func (r *Rows) Values() []types.Value { return r.rows[r.pos-1] }

// Close releases the rows.
func (r *Rows) Close() { r.rows = nil }

// Scan copies the current row into dest: *int64, *int, *int32, *float64,
// *string, *bool, *time.Time, *[]byte, *apd.Decimal, *types.Value or *any.
// A timestamp with time zone scans as text or a time.Time in the session's
// TimeZone.
func (r *Rows) Scan(dest ...any) error {
	row := r.Values()
	if len(dest) != len(row) {
		return fmt.Errorf("rustydb: Scan got %d destinations for %d columns", len(dest), len(row))
	}
	for i, d := range dest {
		v := row[i]
		if p, ok := d.(*types.Value); ok {
			*p = v
			continue
		}
		if p, ok := d.(*any); ok {
			*p = toGo(v)
			continue
		}
		if v.IsNull() {
			return fmt.Errorf("rustydb: column %q is NULL; scan into *any or *types.Value", r.cols[i].Name)
		}
		switch p := d.(type) {
		case *int64:
			*p = v.I
		case *int:
			*p = int(v.I)
		case *int32:
			*p = int32(v.I)
		case *float64:
			*p = v.Float()
		case *string:
			*p = types.FormatIn(v, r.loc)
		case *bool:
			*p = v.Bool()
		case *time.Time:
			switch v.K {
			case types.KDate:
				*p = time.UnixMicro(v.I * 86400 * 1_000_000).UTC()
			case types.KTimestampTZ:
				*p = time.UnixMicro(v.I).In(r.location())
			default:
				*p = time.UnixMicro(v.I).UTC()
			}
		case *[]byte:
			*p = []byte(v.S)
		case *apd.Decimal:
			p.Set(v.ToDecimal())
		default:
			return fmt.Errorf("rustydb: cannot scan into %T", d)
		}
	}
	return nil
}

// toGo converts a value to a plain Go value.
func toGo(v types.Value) any {
	switch v.K {
	case types.KNull:
		return nil
	case types.KBool:
		return v.Bool()
	case types.KInt:
		return v.I
	case types.KFloat:
		return v.F
	case types.KDecimal:
		return v.D
	case types.KText:
		return v.S
	case types.KDate:
		return time.UnixMicro(v.I * 86400 * 1_000_000).UTC()
	case types.KTimestamp, types.KTimestampTZ:
		return time.UnixMicro(v.I).UTC()
	case types.KBytes:
		return []byte(v.S)
	case types.KUUID, types.KTime:
		return types.Format(v)
	case types.KJSON, types.KJSONB:
		return v.S
	}
	return nil
}

func (r *Rows) location() *time.Location {
	if r.loc == nil {
		return time.UTC
	}
	return r.loc
}

// collector is a ResultWriter that keeps the last result in memory.
type collector struct {
	rows    Rows
	notices []Notice
}

func (c *collector) Columns(cols []Column) error {
	c.rows = Rows{cols: cols}
	return nil
}
func (c *collector) Row(vals []types.Value) error {
	if c.rows.rows == nil {
		c.rows.rows = c.rows.one[:0]
	}
	c.rows.rows = append(c.rows.rows, vals)
	return nil
}
func (c *collector) Complete(tag string) error {
	c.rows.tag = tag
	return nil
}
func (c *collector) Notice(n Notice)                { c.notices = append(c.notices, n) }
func (c *collector) ParameterStatus(string, string) {}

// errNoClient answers COPY FROM STDIN / TO STDOUT outside a client connection.
var errNoClient = sqlerr.New(sqlerr.FeatureNotSupported, "COPY FROM STDIN and COPY TO STDOUT need a client connection")

func (c *collector) CopyIn(int, bool) (io.Reader, error)  { return nil, errNoClient }
func (c *collector) CopyOut(int, bool) (io.Writer, error) { return nil, errNoClient }

// copyCollector is a collector whose COPY FROM STDIN reads from in.
type copyCollector struct {
	collector
	in io.Reader
}

func (c *copyCollector) CopyIn(int, bool) (io.Reader, error) { return c.in, nil }

// CopyFrom runs a COPY ... FROM STDIN statement with r as its data and
// returns the number of rows loaded.
func (s *Session) CopyFrom(ctx context.Context, query string, r io.Reader) (int64, error) {
	c := &copyCollector{in: r}
	if _, err := s.Run(ctx, query, c); err != nil {
		return 0, err
	}
	var n int64
	_, err := fmt.Sscanf(c.rows.tag, "COPY %d", &n)
	return n, err
}

// Exec runs one or more statements and returns the last command tag.
func (s *Session) Exec(ctx context.Context, query string) (string, error) {
	var c collector
	_, err := s.Run(ctx, query, &c)
	return c.rows.tag, err
}

// Query runs statements and returns the rows of the last one.
func (s *Session) Query(ctx context.Context, query string) (*Rows, error) {
	var c collector
	if _, err := s.Run(ctx, query, &c); err != nil {
		return nil, err
	}
	c.rows.loc = s.loc
	return &c.rows, nil
}
