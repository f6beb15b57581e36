package plan

// read_parquet('path/*.parquet') in FROM, and the Parquet schema mapping
// that COPY ... (FORMAT parquet) shares. The binder opens every file the
// glob matches (only their footers are read) to learn the columns, which
// are the Parquet schema's top-level leaf columns, named as in the file
// and typed as follows:
//
//	Parquet physical type (logical type)      SQL type
//	BOOLEAN                                   boolean
//	INT32 (INT(8|16))                         smallint
//	INT32, INT32 (INT(32))                    integer
//	INT32 (INT(32, unsigned)), INT64          bigint
//	INT64 (INT(64, unsigned))                 numeric
//	INT32 (DATE)                              date
//	INT32|INT64 (TIME(ms|us|ns))              time
//	INT64 (TIMESTAMP(ms|us|ns))               timestamp (timestamptz when adjusted to UTC)
//	INT96                                     timestamp (legacy Spark/Impala)
//	INT32|INT64|FIXED|BYTE_ARRAY (DECIMAL)    numeric(p,s)
//	FLOAT, DOUBLE                             real, double precision
//	BYTE_ARRAY (STRING|ENUM|JSON), UTF8       text
//	FIXED_LEN_BYTE_ARRAY(16) (UUID)           uuid
//	BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY          bytea
//
// Nested and repeated columns are refused. All files must have the same
// columns; the scan reads them in name order.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"

	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

// ParquetScan reads the rows of Parquet files: read_parquet in FROM.
type ParquetScan struct {
	Pattern string   // the arguments, for EXPLAIN
	Files   []string // the files it matched, in name order
	Cols    []Column
	// Need says which columns something above reads; the others are not
	// decoded and read as NULL (nil: all). Set by column pruning.
	Need []bool
	// Cond is the filter right above the scan, if any: row groups whose
	// statistics prove it false for every row are skipped.
	Cond Expr
}

func (n *ParquetScan) Columns() []Column { return n.Cols }

// ParquetFile is an open Parquet file.
type ParquetFile struct {
	Name string // as the statement gave it, for errors
	*parquet.File
	f *os.File
}

func (p *ParquetFile) Close() error { return p.f.Close() }

// OpenParquet opens the Parquet file at path (name is how the statement
// spells it), reading its footer. A file that is not Parquet is a 22P04
// error naming it; an operating system error carries its SQLSTATE.
func OpenParquet(path, name string) (*ParquetFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, sqlerr.FileError(err, "could not open file \"%s\" for reading", name)
	}
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		f.Close()
		return nil, sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is a directory", name)
	}
	if err != nil {
		f.Close()
		return nil, sqlerr.FileError(err, "could not stat file \"%s\"", name)
	}
	pf, err := parquet.OpenFile(f, st.Size(), parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true))
	if err != nil {
		f.Close()
		var errno syscall.Errno
		if errors.As(err, &errno) {
			return nil, sqlerr.FileError(err, "could not read file \"%s\"", name)
		}
		return nil, sqlerr.New(sqlerr.BadCopyFileFormat, "file \"%s\" is not a valid Parquet file: %v", name, err)
	}
	return &ParquetFile{Name: name, File: pf, f: f}, nil
}

// ParquetColumns maps the schema of a Parquet file to SQL columns (see the
// table above).
func ParquetColumns(p *ParquetFile) ([]Column, error) {
	var cols []Column
	for _, f := range p.Schema().Fields() {
		if !f.Leaf() || f.Repeated() {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "Parquet column %q of file \"%s\" is nested or repeated, which is not supported", f.Name(), p.Name)
		}
		t, err := ParquetType(f.Type())
		if err != nil {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "Parquet column %q of file \"%s\": %v", f.Name(), p.Name, err)
		}
		cols = append(cols, Column{Name: f.Name(), Type: t})
	}
	if len(cols) == 0 {
		return nil, sqlerr.New(sqlerr.BadCopyFileFormat, "Parquet file \"%s\" has no columns", p.Name)
	}
	return cols, nil
}

// ParquetType is the SQL type of a Parquet leaf column's values.
func ParquetType(t parquet.Type) (types.T, error) {
	lt := t.LogicalType()
	var lv format.LogicalTypeValue
	if lt != nil {
		lv = lt.Value
	}
	if d, ok := lv.(*format.DecimalType); ok {
		return types.T{ID: types.Numeric, Precision: d.Precision, Scale: d.Scale}, nil
	}
	switch t.Kind() {
	case parquet.Boolean:
		return types.TBool, nil
	case parquet.Int32:
		switch lv := lv.(type) {
		case *format.DateType:
			return types.TDate, nil
		case *format.IntType:
			switch {
			case !lv.IsSigned && lv.BitWidth == 32:
				return types.TInt8, nil
			case lv.BitWidth <= 16:
				return types.TInt2, nil
			}
		case *format.TimeType:
			return types.TTime, nil
		}
		return types.TInt4, nil
	case parquet.Int64:
		switch lv := lv.(type) {
		case *format.TimestampType:
			if lv.IsAdjustedToUTC {
				return types.TTimestampTZ, nil
			}
			return types.TTimestamp, nil
		case *format.IntType:
			if !lv.IsSigned {
				return types.TNumeric, nil
			}
		case *format.TimeType:
			return types.TTime, nil
		}
		return types.TInt8, nil
	case parquet.Int96:
		return types.TTimestamp, nil
	case parquet.Float:
		return types.TFloat4, nil
	case parquet.Double:
		return types.TFloat8, nil
	case parquet.ByteArray, parquet.FixedLenByteArray:
		switch lv.(type) {
		case *format.StringType, *format.EnumType, *format.JsonType:
			return types.TText, nil
		case *format.UUIDType:
			if t.Kind() == parquet.FixedLenByteArray && t.Length() == 16 {
				return types.TUUID, nil
			}
		}
		if ct := t.ConvertedType(); ct != nil && (*ct == deprecated.UTF8 || *ct == deprecated.Enum || *ct == deprecated.Json) {
			return types.TText, nil
		}
		return types.TBytea, nil
	}
	return types.T{}, errors.New("the type " + t.String() + " is not supported")
}

// bindReadParquet binds read_parquet('glob' [, ...]): a superuser's (it
// reads server files), over the files the absolute globs match, which
// must all have the same columns.
func (b *Binder) bindReadParquet(f *sql.FuncRef) (Node, error) {
	if b.ServerFiles == nil {
		return nil, b.errAt(f.Pos, sqlerr.InsufficientPrivilege, "permission denied for function read_parquet")
	}
	if err := b.ServerFiles(); err != nil {
		return nil, err
	}
	var files, patterns []string
	for _, a := range f.Args {
		pattern, matches, err := b.parquetGlob(a)
		if err != nil {
			return nil, err
		}
		files, patterns = append(files, matches...), append(patterns, pattern)
	}
	var cols []Column
	for _, name := range files {
		p, err := OpenParquet(name, name)
		if err != nil {
			return nil, err
		}
		fc, err := ParquetColumns(p)
		p.Close()
		if err != nil {
			return nil, err
		}
		if cols == nil {
			cols = fc
			continue
		}
		if !slices.Equal(cols, fc) {
			return nil, sqlerr.New(sqlerr.DatatypeMismatch, "Parquet file \"%s\" has other columns than \"%s\"", name, files[0]).
				WithDetail("%s has %s; %s has %s", files[0], DescribeColumns(cols), name, DescribeColumns(fc))
		}
	}
	return &ParquetScan{Pattern: strings.Join(patterns, ", "), Files: files, Cols: cols}, nil
}

// parquetGlob returns the argument x of read_parquet, a string constant
// holding an absolute path or glob, and the files it matches, in name
// order; matching none is an error.
func (b *Binder) parquetGlob(x sql.Expr) (string, []string, error) {
	arg, err := b.bindExpr(&scope{}, nil, x)
	if err != nil {
		return "", nil, err
	}
	c, ok := arg.(*Const)
	if !ok || c.V.K != types.KText {
		return "", nil, b.errAt(x.Position(), sqlerr.InvalidParameterValue, "read_parquet takes file names or glob patterns as string constants")
	}
	pattern := c.V.S
	if !filepath.IsAbs(pattern) {
		return "", nil, b.errAt(x.Position(), sqlerr.InvalidName, "relative path not allowed for read_parquet: %q", pattern).
			WithHint("Give an absolute path on the server, such as '/data/sales/*.parquet'.")
	}
	files, err := filepath.Glob(pattern)
	if err != nil {
		return "", nil, b.errAt(x.Position(), sqlerr.InvalidParameterValue, "invalid glob pattern %q: %v", pattern, err)
	}
	if len(files) == 0 {
		if _, serr := os.Stat(pattern); serr != nil && !strings.ContainsAny(pattern, `*?[\`) {
			return "", nil, sqlerr.FileError(serr, "could not open file \"%s\" for reading", pattern)
		}
		return "", nil, sqlerr.New(sqlerr.UndefinedFile, "no files match \"%s\"", pattern)
	}
	slices.Sort(files)
	return pattern, files, nil
}

// DescribeColumns lists columns as "name type, ...".
func DescribeColumns(cols []Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c.Name + " " + c.Type.String()
	}
	return strings.Join(parts, ", ")
}

// parquetScan explains read_parquet: the pattern, how many files it
// matched and the columns it decodes.
func (e *explainer) parquetScan(n *ParquetScan, depth int) {
	alias := ""
	if t := n.Cols[0].Table; t != "read_parquet" {
		alias = " " + t
	}
	e.line(depth, n, "Function Scan on read_parquet%s", alias)
	e.detail(depth, "Files", fmt.Sprintf("%d matching %s", len(n.Files), n.Pattern))
	var read []string
	for i, c := range n.Cols {
		if n.Need == nil || n.Need[i] {
			read = append(read, c.Name)
		}
	}
	if len(read) == 0 {
		read = []string{"none (row counts from the files' metadata)"}
	}
	e.detail(depth, "Columns Read", strings.Join(read, ", "))
}

// Conjuncts splits a condition into its AND-ed parts (none for nil).
func Conjuncts(e Expr) []Expr { return conjuncts(e, nil) }
