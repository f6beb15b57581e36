package rustydb

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/apd/v3"
	"github.com/parquet-go/parquet-go"

	"rustydb/sqlerr"
	"rustydb/types"
)

// TestParquetVectorAggregates checks that aggregations over read_parquet,
// which decode row groups into column vectors, give what the row path
// (enable_columnar_scan off) gives: every type the vectors hold, with
// NULLs, over several row groups, with filters that skip row groups, over
// files RustyDB and DuckDB wrote (testdata/parquet, made by
// benchmarks/peers/duckdb), plain and dictionary-encoded.
func TestParquetVectorAggregates(t *testing.T) {
	_, s := openParquetDB(t)
	dir := t.TempDir()
	copyExec(t, s, `CREATE TABLE vt AS SELECT g AS id,
		CASE WHEN g % 7 <> 0 THEN (g % 300)::smallint END AS s,
		CASE WHEN g % 5 <> 0 THEN g::bigint * 1000003 END AS b,
		CASE WHEN g % 6 <> 0 THEN (g / 8.0)::real END AS r,
		CASE WHEN g % 4 <> 0 THEN g / 3.0::double precision END AS d,
		CASE WHEN g % 9 <> 0 THEN g % 2 = 0 END AS ok,
		CASE WHEN g % 11 <> 0 THEN 'tag ' || (g % 13) END AS t,
		CASE WHEN g % 3 <> 0 THEN ('v' || g)::varchar(10) END AS v,
		CASE WHEN g % 8 <> 0 THEN date '2024-01-01' + g END AS day,
		CASE WHEN g % 10 <> 0 THEN timestamp '2024-01-01 00:00:00' + g * interval '1 minute 1.5 second' END AS ts,
		CASE WHEN g % 12 <> 0 THEN timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour' END AS tz,
		CASE WHEN g % 14 <> 0 THEN (g * 1.125)::numeric(12,3) END AS n,
		CASE WHEN g % 15 <> 0 THEN (g % 999 - 500 + 0.25)::numeric(5,2) END AS n4,
		CASE WHEN g % 16 <> 0 THEN g::numeric * 10 END AS big
		FROM generate_series(1, 3000) g`, "SELECT 3000")
	ours := filepath.Join(dir, "vt.parquet")
	copyExec(t, s, "COPY vt TO '"+ours+"' (FORMAT parquet, ROW_GROUP_SIZE 500)", "COPY 3000")
	duck, err := filepath.Abs("testdata/parquet/duckdb_types.parquet")
	if err != nil {
		t.Fatal(err)
	}
	groups, err := filepath.Abs("testdata/parquet/duckdb_groups.parquet")
	if err != nil {
		t.Fatal(err)
	}
	from := "read_parquet('" + ours + "')"
	fromDuck := "read_parquet('" + groups + "')"
	const all = "count(*), count(s), sum(s), min(b), max(b), sum(b), sum(r), avg(d), min(d), count(ok), min(t), max(t), max(v), min(day), max(ts), min(tz), sum(n), avg(n), max(n4), sum(n4)"
	queries := []string{
		"SELECT " + all + " FROM " + from,
		"SELECT count(*) FROM " + from,
		"SELECT count(*), sum(n) FROM " + from + " WHERE id <= 700",               // skips row groups
		"SELECT count(*), sum(b) FROM " + from + " WHERE id > 5000",               // skips them all
		"SELECT count(*), max(t) FROM " + from + " WHERE t > 'tag 5' AND d < 900", // vector filter
		"SELECT t, count(*), sum(n), min(day), avg(r) FROM " + from + " GROUP BY t ORDER BY t",
		"SELECT ok, day > date '2024-06-01', count(*), sum(s) FROM " + from + " GROUP BY 1, 2 ORDER BY 1, 2",
		"SELECT count(*), max(big) FROM " + from, // numeric without precision: written as text
		"SELECT s % 3, count(*), max(ts) FROM " + from + " WHERE s IS NOT NULL GROUP BY 1 ORDER BY 1",
		"SELECT count(*), count(s), sum(s), sum(b), sum(f), sum(d), count(ok), max(txt), max(day), max(ts), sum(n), sum(n4), sum(tiny), sum(u32) FROM read_parquet('" + duck + "')",
		"SELECT txt, count(*), sum(b) FROM read_parquet('" + duck + "') GROUP BY txt ORDER BY txt",
		"SELECT count(tm), max(tm), sum(n) FROM read_parquet('" + duck + "')", // time has no vector form: the row path
		// DuckDB's row groups of 2048 rows, zstd, dictionary and plain pages
		"SELECT count(*), count(s), sum(s), sum(b), avg(d), min(t), max(v), min(day), max(ts), sum(n), min(n4) FROM " + fromDuck,
		"SELECT t, count(*), sum(b), max(v), sum(n) FROM " + fromDuck + " WHERE id >= 4000 AND n4 > 0 GROUP BY t ORDER BY t",
		"SELECT day, count(*), max(ts) FROM " + fromDuck + " WHERE day < date '2024-01-05' GROUP BY day ORDER BY day",
		// rows of a filtered scan: the vectors filter before rows are made
		"SELECT * FROM " + from + " WHERE n > 3000 AND t <> 'tag 3' ORDER BY id",
		"SELECT id, b, ts FROM " + from + " WHERE s < 20 OR d > 990 ORDER BY id",
		"SELECT * FROM " + from + " WHERE v = 'v2999' OR day = date '2024-03-01'",
		"SELECT id, n4 FROM " + from + " WHERE n4 * 2 > 990 ORDER BY id",
		"SELECT * FROM " + fromDuck + " WHERE t = 'tag 7' AND n4 < 0 AND id % 3 = 1 ORDER BY id",
		"SELECT count(*) FROM (SELECT * FROM " + fromDuck + " WHERE b > 5000000000 LIMIT 100) x",
	}
	results := map[string]string{}
	for _, mode := range []string{"off", "on"} {
		copyExec(t, s, "SET enable_columnar_scan = "+mode, "SET")
		for _, q := range queries {
			got := copyRows(t, s, q)
			if mode == "off" {
				results[q] = got
			} else if got != results[q] {
				t.Errorf("%s\nvectors: %s\nrows:    %s", q, got, results[q])
			}
		}
	}
	// the vectors were used: the aggregation reports the row groups it
	// read and those it skipped
	plan := copyRows(t, s, "EXPLAIN ANALYZE SELECT count(*), sum(n) FROM "+from+" WHERE id <= 700")
	if !strings.Contains(plan, "segments=6 pruned=4") {
		t.Errorf("row groups read and skipped:\n%s", plan)
	}
}

// TestParquetVectorEncodings reads columns in vector form whose pages are
// dictionary-encoded, plain, or first the one then the other (a writer
// whose dictionary grew too big), required or optional, and refuses
// invalid UTF-8 in either encoding.
func TestParquetVectorEncodings(t *testing.T) {
	_, s := openParquetDB(t)
	dir := t.TempDir()
	type plainRow struct {
		Name *string  `parquet:"name,optional"`
		N    *int64   `parquet:"n,optional"`
		F    *float64 `parquet:"f,optional"`
		I    int32    `parquet:"i"`
	}
	type dictRow struct {
		Name *string  `parquet:"name,optional,dict"`
		N    *int64   `parquet:"n,optional,dict"`
		F    *float64 `parquet:"f,optional,dict"`
		I    int32    `parquet:"i,dict"`
	}
	var plainRows []plainRow
	var dictRows []dictRow
	for i := range 5000 {
		name, n, f := []string{"tea", "coffee", "cocoa ☕"}[i%3], int64(i%7)*1_000_000_007, float64(i%5)/4
		r := plainRow{&name, &n, &f, int32(i % 3)}
		if i%4 == 0 {
			r.Name, r.N, r.F = nil, nil, nil
		}
		plainRows, dictRows = append(plainRows, r), append(dictRows, dictRow(r))
	}
	// a dictionary too small for the distinct names after the first rows
	var mixedRows []dictRow
	for i := range 3000 {
		name := fmt.Sprintf("name %d", i%1000)
		mixedRows = append(mixedRows, dictRow{Name: &name, I: int32(i)})
	}
	files := map[string]string{}
	for name, write := range map[string]func(string) error{
		"plain": func(f string) error {
			return parquet.WriteFile(f, plainRows, parquet.MaxRowsPerRowGroup(1500), parquet.PageBufferSize(1024))
		},
		"dict": func(f string) error {
			return parquet.WriteFile(f, dictRows, parquet.MaxRowsPerRowGroup(1500), parquet.PageBufferSize(1024))
		},
		"mixed": func(f string) error {
			return parquet.WriteFile(f, mixedRows, parquet.PageBufferSize(512), parquet.DictionaryMaxBytes(1000))
		},
	} {
		files[name] = filepath.Join(dir, name+".parquet")
		if err := write(files[name]); err != nil {
			t.Fatal(err)
		}
	}
	queries := []string{
		"SELECT name, count(*), sum(n), avg(f), sum(i) FROM read_parquet('" + files["plain"] + "') GROUP BY name ORDER BY name",
		"SELECT name, count(*), sum(n), avg(f), sum(i) FROM read_parquet('" + files["dict"] + "') GROUP BY name ORDER BY name",
		"SELECT count(name), min(name), max(name), sum(i) FROM read_parquet('" + files["mixed"] + "') WHERE name > 'name 5'",
	}
	for _, q := range queries {
		vectors := copyRows(t, s, q)
		copyExec(t, s, "SET enable_columnar_scan = off", "SET")
		rows := copyRows(t, s, q)
		copyExec(t, s, "SET enable_columnar_scan = on", "SET")
		if vectors != rows || strings.Count(vectors, "\n") < 1 {
			t.Errorf("%s\nvectors: %s\nrows:    %s", q, vectors, rows)
		}
	}
	bad := "caf\xe9"
	for i, opts := range [][]parquet.WriterOption{nil, {parquet.MaxRowsPerRowGroup(1)}} {
		badFile := filepath.Join(dir, fmt.Sprintf("bad%d.parquet", i))
		if err := parquet.WriteFile(badFile, []dictRow{{I: 1}, {Name: &bad}}, opts...); err != nil {
			t.Fatal(err)
		}
		wantCopyError(t, s, "SELECT max(name) FROM read_parquet('"+badFile+"')", sqlerr.CharacterNotInRepertoire, `invalid byte sequence for encoding "UTF8" in Parquet file "`+badFile+`"`)
	}
}

// TestParquetWriteFromSegments writes a table whose rows are in column
// segments (some deleted, some newer in the heap) from the vectors and,
// with enable_columnar_scan off, row by row, and checks both files have
// the same schema and rows as the table, NULLs included, with row groups
// that span segments.
func TestParquetWriteFromSegments(t *testing.T) {
	s := segmentedSession(t)
	copyExec(t, s, `CREATE TABLE ws (id INT, s SMALLINT, b BIGINT, r REAL, d DOUBLE PRECISION, ok BOOLEAN,
		t TEXT, v VARCHAR(12), c CHAR(3), day DATE, ts TIMESTAMP, tz TIMESTAMPTZ, n NUMERIC(12,3), n4 NUMERIC(5,2))`, "CREATE TABLE")
	copyExec(t, s, `INSERT INTO ws SELECT g,
		CASE WHEN g % 7 <> 0 THEN g % 300 END, CASE WHEN g % 5 <> 0 THEN g * 1000003 END,
		CASE WHEN g % 6 <> 0 THEN g / 8.0 END, CASE WHEN g % 4 <> 0 THEN g / 3.0 END,
		CASE WHEN g % 9 <> 0 THEN g % 2 = 0 END, CASE WHEN g % 11 <> 0 THEN 'tag ' || (g % 13) END,
		CASE WHEN g % 3 <> 0 THEN 'v' || g END, CASE WHEN g % 2 = 0 THEN 'c' || (g % 10) END,
		CASE WHEN g % 8 <> 0 THEN date '2024-01-01' + g END,
		CASE WHEN g % 10 <> 0 THEN timestamp '2024-01-01' + g * interval '61.5 seconds' END,
		CASE WHEN g % 12 <> 0 THEN timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour' END,
		CASE WHEN g % 14 <> 0 THEN g * 1.125 END, CASE WHEN g % 15 <> 0 THEN g % 999 - 500.25 END
		FROM generate_series(1, 2000) g`, "INSERT 0 2000")
	copyExec(t, s, "VACUUM ws", "VACUUM")
	copyExec(t, s, "DELETE FROM ws WHERE id % 17 = 0", "DELETE 117")
	copyExec(t, s, "INSERT INTO ws (id, t) VALUES (3000, 'newer'), (3001, NULL)", "INSERT 0 2")
	dir := t.TempDir()
	vectors, rows := filepath.Join(dir, "vectors.parquet"), filepath.Join(dir, "rows.parquet")
	copyExec(t, s, "COPY ws TO '"+vectors+"' (FORMAT parquet, ROW_GROUP_SIZE 700)", "COPY 1885")
	copyExec(t, s, "SET enable_columnar_scan = off", "SET")
	copyExec(t, s, "COPY ws TO '"+rows+"' (FORMAT parquet, ROW_GROUP_SIZE 700)", "COPY 1885")
	copyExec(t, s, "COPY ws (id, n, t) TO '"+rows+".some' (FORMAT parquet)", "COPY 1885")
	copyExec(t, s, "SET enable_columnar_scan = on", "SET")
	copyExec(t, s, "COPY ws (id, n, t) TO '"+vectors+".some' (FORMAT parquet)", "COPY 1885")
	schema := func(path string) string {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		st, _ := f.Stat()
		pf, err := parquet.OpenFile(f, st.Size())
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%s, %d row groups", pf.Schema(), len(pf.RowGroups()))
	}
	// row groups of 700 rows span segments and the newer rows
	if got, want := schema(vectors), schema(rows); got != want || !strings.HasSuffix(got, "3 row groups") {
		t.Errorf("schema of the file from vectors:\n%s\nfrom rows:\n%s", got, want)
	}
	table := copyRows(t, s, "SELECT * FROM ws ORDER BY id")
	for _, f := range []string{vectors, rows} {
		if got := copyRows(t, s, "SELECT * FROM read_parquet('"+f+"') ORDER BY id"); got != table {
			t.Errorf("%s:\n%s\nwant:\n%s", f, got, table)
		}
	}
	if got, want := copyRows(t, s, "SELECT * FROM read_parquet('"+vectors+".some') ORDER BY id"), copyRows(t, s, "SELECT * FROM read_parquet('"+rows+".some') ORDER BY id"); got != want {
		t.Errorf("some columns:\n%s\nwant:\n%s", got, want)
	}
}

// TestParquetDecimalValues checks the conversion of numerics to the
// scaled integers of a DECIMAL column: values at the column's scale take
// a shortcut, others are rounded to it, and both refuse values that need
// more digits than the column's precision.
func TestParquetDecimalValues(t *testing.T) {
	for _, tc := range []struct {
		typ  types.T
		in   string
		want int64 // -1: out of range
	}{
		{types.T{ID: types.Numeric, Precision: 5, Scale: 2}, "123.45", 12345},
		{types.T{ID: types.Numeric, Precision: 5, Scale: 2}, "-999.99", -99999},
		{types.T{ID: types.Numeric, Precision: 5, Scale: 2}, "1000.00", -1},
		{types.T{ID: types.Numeric, Precision: 5, Scale: 2}, "-1000.00", -1},
		{types.T{ID: types.Numeric, Precision: 5, Scale: 2}, "1.005", 101}, // rounded half away from zero
		{types.T{ID: types.Numeric, Precision: 5, Scale: 2}, "7", 700},
		{types.T{ID: types.Numeric, Precision: 5, Scale: 2}, "999.996", -1},
		{types.T{ID: types.Numeric, Precision: 15, Scale: 2}, "1234567890123.45", 123456789012345},
		{types.T{ID: types.Numeric, Precision: 15, Scale: 2}, "-0.02", -2},
		{types.T{ID: types.Numeric, Precision: 18, Scale: 0}, "999999999999999999", 999999999999999999},
		{types.T{ID: types.Numeric, Precision: 18, Scale: 0}, "1000000000000000000", -1},
	} {
		d, _, err := apd.NewFromString(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		_, conv := decimalColumn(tc.typ)
		v, err := conv(types.NewDecimal(d))
		got := int64(-1)
		if err == nil {
			if tc.typ.Precision <= 9 {
				got = int64(v.Int32())
			} else {
				got = v.Int64()
			}
		} else if sqlerr.Code(err) != sqlerr.NumericValueOutOfRange {
			t.Errorf("%s as %s: %v", tc.in, tc.typ, err)
		}
		if got != tc.want {
			t.Errorf("%s as %s: got %d, want %d", tc.in, tc.typ, got, tc.want)
		}
	}
}

// TestParquetWriteFails checks that an error while row groups are being
// written in parallel ends the COPY with that error and no file.
func TestParquetWriteFails(t *testing.T) {
	_, s := openParquetDB(t)
	path := filepath.Join(t.TempDir(), "x.parquet")
	for _, q := range []string{
		"COPY (SELECT g, 1 / (g - 7000) AS r FROM generate_series(1, 10000) g) TO '" + path + "' (FORMAT parquet, ROW_GROUP_SIZE 1000)",
		"COPY (SELECT g, 1 / (g - 7000) AS r FROM generate_series(1, 10000) g) TO '" + path + "' (FORMAT parquet)",
	} {
		wantCopyError(t, s, q, sqlerr.DivisionByZero, "division by zero")
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("%s left its file: %v", q, err)
		}
	}
}
