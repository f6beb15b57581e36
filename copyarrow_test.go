package rustydb

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"rustydb/sqlerr"
)

// arrowLoadDDL is the table the Arrow load tests fill; with a CHECK
// constraint the same table loads row by row, each value through its
// text form.
const arrowLoadDDL = "(id INT PRIMARY KEY, n BIGINT, i INT, d NUMERIC(15,2), day DATE, v VARCHAR(8), c CHAR(4), f FLOAT8, r REAL, b BOOLEAN, ts TIMESTAMP, tz TIMESTAMPTZ, s SMALLINT NOT NULL"

// arrowLoadSchema is the fields of the files written: in another order
// than the table's columns, with a field the table lacks.
var arrowLoadSchema = arrow.NewSchema([]arrow.Field{
	{Name: "s", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "id", Type: arrow.PrimitiveTypes.Int32},
	{Name: "extra", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "d", Type: &arrow.Decimal128Type{Precision: 20, Scale: 2}, Nullable: true},
	{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "v", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "c", Type: arrow.BinaryTypes.LargeString, Nullable: true},
	{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "r", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}, Nullable: true},
	{Name: "tz", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "Europe/Paris"}, Nullable: true},
}, nil)

// writeArrowLoad writes batches record batches of rows rows each, random
// values and NULLs, as an Arrow IPC file or (stream) stream; bad, when
// set, changes row bad.row (1-based, across batches) of field bad.field.
func writeArrowLoad(t *testing.T, batches, rows int, stream bool, bad *arrowBad) string {
	t.Helper()
	name := fmt.Sprintf("load-%d-%d.arrow", batches, rows)
	if stream {
		name += "s"
	}
	path := filepath.Join(t.TempDir(), name)
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	var w interface {
		Write(arrow.RecordBatch) error
		Close() error
	}
	if stream {
		w = ipc.NewWriter(out, ipc.WithSchema(arrowLoadSchema))
	} else if w, err = ipc.NewFileWriter(out, ipc.WithSchema(arrowLoadSchema)); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(batches), uint64(rows)))
	b := array.NewRecordBuilder(memory.DefaultAllocator, arrowLoadSchema)
	defer b.Release()
	id := 0
	for range batches {
		for range rows {
			id++
			null := func(i int) bool {
				if bad != nil && bad.row == id && bad.field == i {
					if bad.null {
						b.Field(i).AppendNull()
					}
					return bad.null
				}
				if rng.IntN(8) == 0 && i != 0 && i != 1 {
					b.Field(i).AppendNull()
					return true
				}
				return false
			}
			value := func(i int, v int64) int64 {
				if bad != nil && bad.row == id && bad.field == i && !bad.null {
					return bad.value
				}
				return v
			}
			str := func(i int, s string) string {
				if bad != nil && bad.row == id && bad.field == i && !bad.null {
					return bad.str
				}
				return s
			}
			if !null(0) {
				b.Field(0).(*array.Int64Builder).Append(value(0, int64(rng.IntN(65536)-32768)))
			}
			b.Field(1).(*array.Int32Builder).Append(int32(id))
			if !null(2) {
				b.Field(2).(*array.StringBuilder).Append("ignored")
			}
			if !null(3) {
				b.Field(3).(*array.Int64Builder).Append(rng.Int64() - rng.Int64())
			}
			if !null(4) {
				b.Field(4).(*array.Int64Builder).Append(value(4, int64(rng.Int32())-int64(rng.Int32())))
			}
			if !null(5) {
				b.Field(5).(*array.Decimal128Builder).Append(decimal128.FromI64(rng.Int64N(2e15) - 1e15))
			}
			if !null(6) {
				b.Field(6).(*array.Date32Builder).Append(arrow.Date32(rng.IntN(40000) - 20000))
			}
			pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
			if !null(7) {
				b.Field(7).(*array.StringBuilder).Append(str(7, pick("", "short", "é ü", "eight ch", "tab\tx|y", `\N`)))
			}
			if !null(8) {
				b.Field(8).(*array.LargeStringBuilder).Append(str(8, pick("", "ab", "abcd", "ü")))
			}
			if !null(9) {
				b.Field(9).(*array.Float64Builder).Append(rng.NormFloat64() * 1e6)
			}
			if !null(10) {
				b.Field(10).(*array.Float32Builder).Append(float32(rng.NormFloat64()))
			}
			if !null(11) {
				b.Field(11).(*array.BooleanBuilder).Append(rng.IntN(2) == 0)
			}
			if !null(12) {
				b.Field(12).(*array.TimestampBuilder).Append(arrow.Timestamp(rng.Int64N(4e18) - 2e18))
			}
			if !null(13) {
				b.Field(13).(*array.TimestampBuilder).Append(arrow.Timestamp(rng.Int64N(4e15) - 2e15))
			}
		}
		rec := b.NewRecordBatch()
		err := w.Write(rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// arrowBad is a value to put in row row of field field of a file:
// NULL, value or str.
type arrowBad struct {
	row, field int
	null       bool
	value      int64
	str        string
}

// TestCopyArrowLoad loads Arrow files and streams of several record
// batches, more rows than a load batch and than the bulk load threshold,
// into a table that loads them column by column and into one that loads
// them row by row through their text forms, and checks both hold the
// same rows; then that a value out of range, a string too long and a
// NULL into NOT NULL fail both loads alike, with the row's number, and
// leave no row; and that ON_ERROR ignore leaves the bad row out.
func TestCopyArrowLoad(t *testing.T) {
	db := openCopyDB(t)
	s := db.NewSession("rustydb")
	defer s.Close()
	// load loads path into a new table t (row by row with rowPath) and
	// returns its rows, or the error.
	load := func(path string, rowPath bool, opts string) (string, error) {
		ddl := arrowLoadDDL + ")"
		if rowPath {
			ddl = arrowLoadDDL + ", CHECK (id > 0))"
		}
		mustExec(t, db, "DROP TABLE IF EXISTS t; CREATE TABLE t "+ddl)
		if _, err := s.Exec(t.Context(), "COPY t FROM '"+path+"' (FORMAT arrow"+opts+")"); err != nil {
			if got := copyRows(t, s, "SELECT count(*) FROM t"); got != "0\n" {
				t.Errorf("the failed load of %s left %s rows", path, got)
			}
			return "", err
		}
		return copyRows(t, s, "SET TimeZone = 'UTC'; SELECT * FROM t ORDER BY id"), nil
	}
	for _, tc := range []struct {
		batches, rows int
		stream        bool
	}{
		{3, 2000, false},
		{1, 700, true},
		{5, 1000, true},
	} {
		path := writeArrowLoad(t, tc.batches, tc.rows, tc.stream, nil)
		got, err := load(path, false, "")
		if err != nil {
			t.Fatal(err)
		}
		want, err := load(path, true, "")
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(got, "\n"); n != tc.batches*tc.rows {
			t.Errorf("%s: %d rows, want %d", path, n, tc.batches*tc.rows)
		}
		if got != want {
			gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
			for i := range min(len(gl), len(wl)) {
				if gl[i] != wl[i] {
					t.Fatalf("%s: row %d column by column:\n%s\nrow by row:\n%s", path, i, gl[i], wl[i])
				}
			}
		}
	}

	for _, tc := range []struct {
		name         string
		bad          arrowBad
		code, msg    string
		detail       string
		skippedCount string
	}{
		{"integer out of range", arrowBad{row: 4500, field: 4, value: 1 << 31}, sqlerr.NumericValueOutOfRange, `value "2147483648" is out of range for type integer`, "line 4500, column i", "5999\n"},
		{"smallint out of range", arrowBad{row: 5999, field: 0, value: -32769}, sqlerr.NumericValueOutOfRange, `value "-32769" is out of range for type smallint`, "line 5999, column s", "5999\n"},
		{"varchar too long", arrowBad{row: 600, field: 7, str: "nine char"}, sqlerr.StringDataRightTruncation, "value too long for type character varying(8)", "line 600, column v", "5999\n"},
		{"char too long", arrowBad{row: 4097, field: 8, str: "abcde"}, sqlerr.StringDataRightTruncation, "value too long for type character(4)", "line 4097, column c", "5999\n"},
		{"null into NOT NULL", arrowBad{row: 5000, field: 0, null: true}, sqlerr.NotNullViolation, `null value in column "s" of relation "t" violates not-null constraint`, "", ""},
	} {
		path := writeArrowLoad(t, 3, 2000, false, &tc.bad)
		for _, rowPath := range []bool{false, true} {
			_, err := load(path, rowPath, "")
			e := sqlerr.From(err)
			if err == nil {
				t.Errorf("%s (row path %v): loaded, want SQLSTATE %s", tc.name, rowPath, tc.code)
			} else if e.Code != tc.code || !strings.Contains(e.Message, tc.msg) || !strings.Contains(e.Detail, tc.detail) {
				t.Errorf("%s (row path %v): got %v (%s), want SQLSTATE %s with %q and detail %q", tc.name, rowPath, err, e.Detail, tc.code, tc.msg, tc.detail)
			}
			if tc.skippedCount == "" {
				continue
			}
			if _, err := load(path, rowPath, ", ON_ERROR 'ignore'"); err != nil {
				t.Errorf("%s (row path %v), ignored: %v", tc.name, rowPath, err)
			} else if got := copyRows(t, s, "SELECT count(*) FROM t"); got != tc.skippedCount {
				t.Errorf("%s (row path %v), ignored: %s rows, want %s", tc.name, rowPath, got, tc.skippedCount)
			}
		}
	}
}
