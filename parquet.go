package rustydb

// COPY ... (FORMAT parquet): a table's columns or a query's rows to a
// Parquet file on the server, and a Parquet file into a table. Like the
// other server-file COPYs (copyfile.go) only a superuser may run them, and
// COPY TO needs an absolute path. Each column is an optional (nullable)
// top-level field named after the result column; SQL types map to Parquet
// as follows:
//
//	SQL type                       Parquet physical type (logical type)
//	boolean                        BOOLEAN
//	smallint                       INT32 (INT(16))
//	integer                        INT32 (INT(32))
//	bigint                         INT64 (INT(64))
//	real, double precision         FLOAT, DOUBLE
//	text, varchar(n), char(n)      BYTE_ARRAY (STRING)
//	date                           INT32 (DATE)
//	timestamp                      INT64 (TIMESTAMP(us, not adjusted to UTC))
//	timestamptz                    INT64 (TIMESTAMP(us, adjusted to UTC))
//	numeric(p,s), p <= 9           INT32 (DECIMAL(p,s))
//	numeric(p,s), 9 < p <= 18      INT64 (DECIMAL(p,s))
//	time                           INT64 (TIME(us))
//	uuid                           FIXED_LEN_BYTE_ARRAY(16) (UUID)
//	bytea                          BYTE_ARRAY
//	any other (numeric, interval,  BYTE_ARRAY (STRING): the PostgreSQL text form
//	json, arrays)
//
// Files are written in row groups of 122,880 rows (DuckDB's default)
// compressed with snappy; the options COMPRESSION (snappy, zstd, gzip,
// none) and ROW_GROUP_SIZE change that. COPY FROM reads the file's columns
// in order into the table's (or the listed) columns, converting each value
// to the column's type as INSERT does; see plan/parquet.go for how Parquet
// types read, and exec/parquet.go for the reading.

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"

	"rustydb/catalog"
	"rustydb/exec"
	"rustydb/plan"
	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

// copyParquet runs COPY with FORMAT parquet: of table t's columns cols,
// or (TO only) of the query q.
func (s *Session) copyParquet(c *exec.Context, st *sql.CopyStmt, t *catalog.Table, cols []int, q *plan.Query, w ResultWriter) error {
	if !st.IsFile {
		return sqlerr.New(sqlerr.FeatureNotSupported, "COPY FORMAT parquet needs a server file; STDIN and STDOUT are not supported").
			WithHint("Write COPY ... TO '/absolute/path/file.parquet' (FORMAT parquet).")
	}
	opts, err := parseParquetOptions(st.Options)
	if err != nil {
		return err
	}
	if st.From {
		path := st.File
		if !filepath.IsAbs(path) {
			path = filepath.Join(s.db.opts.Dir, path)
		}
		n, err := c.CopyFromParquet(t, cols, path, st.File)
		if err != nil {
			return err
		}
		return w.Complete(fmt.Sprintf("COPY %d", n))
	}
	var root plan.Node
	pick := cols // the columns of root's rows written
	var runs []exec.SegmentRows
	var heap *exec.HeapRows
	if q != nil {
		root = q.Root
		pick = make([]int, len(root.Columns()))
		for i := range pick {
			pick[i] = i
		}
	} else {
		scan := &plan.Scan{Table: t}
		for _, col := range t.Columns {
			scan.Cols = append(scan.Cols, plan.Column{Name: col.Name, Type: col.Type, Table: t.Name})
		}
		root = scan
		if columnarColumns(t, cols) {
			var err error
			if runs, heap, err = c.TableColumns(t); err != nil {
				return err
			}
		}
	}
	all := root.Columns()
	outCols := make([]plan.Column, len(pick))
	for i, k := range pick {
		outCols[i] = all[k]
	}
	schema, conv, err := parquetSchema(outCols)
	if err != nil {
		return err
	}
	var op exec.Operator
	if heap == nil {
		if op, err = c.Build(root); err != nil {
			return err
		}
	}
	file, err := createCopyFile(st.File)
	if err != nil {
		if op != nil {
			op.Close()
		}
		return err
	}
	pw := parquet.NewWriter(file, schema, parquet.Compression(opts.codec), parquet.MaxRowsPerRowGroup(opts.rowGroup))
	groups := newParquetGroups(c, pw, st.File, opts.rowGroup, conv, pick)
	if heap != nil {
		err = groups.addTable(runs, heap, cols)
	} else {
		err = exec.Drain(op, groups.add)
	}
	n, err := groups.finish(err)
	if err == nil {
		if cerr := pw.Close(); cerr != nil {
			err = fileError(cerr, "could not write to COPY file \"%s\"", st.File)
		}
	}
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(st.File) // a Parquet file without its footer is of no use
		return err
	}
	return w.Complete(fmt.Sprintf("COPY %d", n))
}

// parquetOptions are the options of COPY FORMAT parquet.
type parquetOptions struct {
	codec    compress.Codec
	rowGroup int64
}

func parseParquetOptions(opts map[string]string) (parquetOptions, error) {
	o := parquetOptions{codec: &parquet.Snappy, rowGroup: 122_880}
	for k, v := range opts {
		switch k {
		case "format":
		case "compression":
			switch strings.ToLower(v) {
			case "snappy":
				o.codec = &parquet.Snappy
			case "zstd":
				o.codec = &parquet.Zstd
			case "gzip":
				o.codec = &parquet.Gzip
			case "none", "uncompressed":
				o.codec = &parquet.Uncompressed
			default:
				return o, sqlerr.New(sqlerr.InvalidParameterValue, "COPY parquet compression %q is not supported; use snappy, zstd, gzip or none", v)
			}
		case "row_group_size":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 {
				return o, sqlerr.New(sqlerr.InvalidParameterValue, "row_group_size must be a positive integer, not %q", v)
			}
			o.rowGroup = n
		default:
			return o, sqlerr.New(sqlerr.SyntaxError, "option %q not recognized for FORMAT parquet", k).
				WithHint("FORMAT parquet takes the options COMPRESSION and ROW_GROUP_SIZE.")
		}
	}
	return o, nil
}

// parquetValue converts a SQL value to the Parquet value of its column.
type parquetValue func(types.Value) (parquet.Value, error)

// parquetSchema is the Parquet schema of cols (see the table above) and
// the conversion of each column's values.
func parquetSchema(cols []plan.Column) (*parquet.Schema, []parquetValue, error) {
	fields := make([]parquet.Field, len(cols))
	conv := make([]parquetValue, len(cols))
	group := parquet.Group{}
	for i, col := range cols {
		if _, dup := group[col.Name]; dup {
			return nil, nil, sqlerr.New(sqlerr.DuplicateColumn, "column name %q appears more than once; a Parquet file needs distinct column names", col.Name).
				WithHint("Give the columns distinct aliases in the query.")
		}
		node, f := parquetColumn(col.Type)
		conv[i] = nullable(f)
		node = parquet.Optional(node)
		group[col.Name] = node
		fields[i] = parquetField{Node: node, name: col.Name}
	}
	return parquet.NewSchema("rustydb", orderedGroup{Group: group, fields: fields}), conv, nil
}

// orderedGroup is a parquet.Group whose fields keep the result's column
// order (a Group sorts them by name).
type orderedGroup struct {
	parquet.Group
	fields []parquet.Field
}

func (g orderedGroup) Fields() []parquet.Field { return g.fields }

type parquetField struct {
	parquet.Node
	name string
}

func (f parquetField) Name() string { return f.name }

// Value finds the field in a Go map, as a Group's fields do; the writer
// takes parquet.Rows, so this serves the interface only.
func (f parquetField) Value(base reflect.Value) reflect.Value {
	return base.MapIndex(reflect.ValueOf(f.name))
}

func nullable(f parquetValue) parquetValue {
	return func(v types.Value) (parquet.Value, error) {
		if v.IsNull() {
			return parquet.NullValue(), nil
		}
		return f(v)
	}
}

// parquetColumn is the Parquet node of a SQL type and the conversion of
// its non-null values.
func parquetColumn(t types.T) (parquet.Node, parquetValue) {
	switch t.ID {
	case types.Bool:
		return parquet.Leaf(parquet.BooleanType), func(v types.Value) (parquet.Value, error) { return parquet.BooleanValue(v.Bool()), nil }
	case types.Int2, types.Int4:
		bits := 32
		if t.ID == types.Int2 {
			bits = 16
		}
		return parquet.Int(bits), func(v types.Value) (parquet.Value, error) { return parquet.Int32Value(int32(v.I)), nil }
	case types.Int8:
		return parquet.Int(64), func(v types.Value) (parquet.Value, error) { return parquet.Int64Value(v.I), nil }
	case types.Float4:
		return parquet.Leaf(parquet.FloatType), func(v types.Value) (parquet.Value, error) { return parquet.FloatValue(float32(v.F)), nil }
	case types.Float8:
		return parquet.Leaf(parquet.DoubleType), func(v types.Value) (parquet.Value, error) { return parquet.DoubleValue(v.F), nil }
	case types.Text, types.Varchar, types.Char:
		return parquet.String(), func(v types.Value) (parquet.Value, error) { return parquet.ByteArrayValue(stringBytes(v.S)), nil }
	case types.Date:
		return parquet.Date(), func(v types.Value) (parquet.Value, error) { return parquet.Int32Value(int32(v.I)), nil }
	case types.Timestamp, types.TimestampTZ:
		return parquet.TimestampAdjusted(parquet.Microsecond, t.ID == types.TimestampTZ),
			func(v types.Value) (parquet.Value, error) { return parquet.Int64Value(v.I), nil }
	case types.Time:
		return parquet.TimeAdjusted(parquet.Microsecond, false), func(v types.Value) (parquet.Value, error) { return parquet.Int64Value(v.I), nil }
	case types.UUID:
		return parquet.UUID(), func(v types.Value) (parquet.Value, error) { return parquet.FixedLenByteArrayValue([]byte(v.S)), nil }
	case types.Bytea:
		return parquet.Leaf(parquet.ByteArrayType), func(v types.Value) (parquet.Value, error) { return parquet.ByteArrayValue(stringBytes(v.S)), nil }
	case types.Numeric:
		if t.Precision > 0 && t.Precision <= 18 {
			return decimalColumn(t)
		}
	}
	return parquet.String(), func(v types.Value) (parquet.Value, error) {
		return parquet.ByteArrayValue(types.AppendTextIn(nil, v, t, nil)), nil
	}
}

// decimalColumn stores numeric(p,s) with p <= 18 as a DECIMAL over INT32
// (p <= 9) or INT64: the value times 10^s.
func decimalColumn(t types.T) (parquet.Node, parquetValue) {
	physical, wide := parquet.Type(parquet.Int32Type), false
	if t.Precision > 9 {
		physical, wide = parquet.Int64Type, true
	}
	ctx := apd.BaseContext.WithPrecision(uint32(t.Precision))
	limit := int64(1)
	for range t.Precision {
		limit *= 10
	}
	return parquet.Decimal(int(t.Scale), int(t.Precision), physical), func(v types.Value) (parquet.Value, error) {
		var n int64
		if d := v.D; v.K == types.KDecimal && d.Form == apd.Finite && d.Exponent == -t.Scale && d.Coeff.IsInt64() {
			// already at the column's scale, as a typed column's values are
			if n = d.Coeff.Int64(); n >= limit {
				return parquet.Value{}, sqlerr.New(sqlerr.NumericValueOutOfRange, "numeric value %s does not fit %s", v, t)
			}
			if d.Negative {
				n = -n
			}
		} else {
			var d apd.Decimal
			if _, err := ctx.Quantize(&d, v.ToDecimal(), -t.Scale); err != nil {
				return parquet.Value{}, sqlerr.New(sqlerr.NumericValueOutOfRange, "numeric value %s does not fit %s", v, t)
			}
			d.Exponent = 0
			var err error
			if n, err = d.Int64(); err != nil {
				return parquet.Value{}, sqlerr.New(sqlerr.NumericValueOutOfRange, "numeric value %s does not fit %s", v, t)
			}
		}
		if !wide {
			return parquet.Int32Value(int32(n)), nil
		}
		return parquet.Int64Value(n), nil
	}
}

// checkReadFiles refuses read_parquet, which reads server files, to a role
// that is not a superuser.
func (s *Session) checkReadFiles() error {
	if s.superuser() {
		return nil
	}
	return sqlerr.New(sqlerr.InsufficientPrivilege, "must be superuser or have privileges of the pg_read_server_files role to read server files with read_parquet")
}
