package rustydb

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"rustydb/sqlerr"
)

// parquetTypesTable is a table of every type COPY FORMAT parquet maps,
// with NULLs in each column.
const parquetTypesTable = `(id INT PRIMARY KEY, s SMALLINT, b BIGINT, r REAL, d DOUBLE PRECISION,
	ok BOOLEAN, t TEXT, v VARCHAR(10), c CHAR(3), day DATE, ts TIMESTAMP, tz TIMESTAMPTZ,
	n NUMERIC(12,3), n4 NUMERIC(5,2), big NUMERIC, u UUID, raw BYTEA, iv INTERVAL, tm TIME)`

func openParquetDB(t *testing.T) (*DB, *Session) {
	t.Helper()
	db, err := OpenWith(Options{Dir: t.TempDir(), SyncMode: "off"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := db.NewSession("rustydb")
	t.Cleanup(func() { s.Close() })
	copyExec(t, s, "CREATE TABLE src "+parquetTypesTable, "CREATE TABLE")
	copyExec(t, s, `INSERT INTO src VALUES
		(1, 7, 9000000000, 1.5, 2.25, true, 'tea', 'cup', 'ab', '2024-02-29', '2024-02-29 12:34:56.789012', '2024-01-01 00:00:00+00',
		 123456789.123, 999.99, 12345678901234567890.5, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\xdeadbeef', '1 day 2 hours', '23:59:59.999999'),
		(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
		(3, -32768, -1, -0.25, -1e300, false, '', 'é ü', 'x', '1900-01-01', '1969-12-31 23:59:59.999999', '2000-06-30 12:00:00+02',
		 -0.001, -999.99, -1, '00000000-0000-0000-0000-000000000000', '\x', '-3 mons', '00:00:01')`, "INSERT 0 3")
	return db, s
}

// TestParquetRoundTrip writes every mapped type with NULLs to Parquet,
// from a table and from a query, loads the files back and compares.
func TestParquetRoundTrip(t *testing.T) {
	_, s := openParquetDB(t)
	dir := t.TempDir()
	want := copyRows(t, s, "SELECT * FROM src ORDER BY id")
	for _, tc := range []struct{ name, copyTo string }{
		{"table", "COPY src TO '%s' (FORMAT parquet)"},
		{"query zstd", "COPY (SELECT * FROM src ORDER BY id DESC) TO '%s' (FORMAT 'parquet', COMPRESSION 'zstd', ROW_GROUP_SIZE 2)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".parquet")
			copyExec(t, s, strings.Replace(tc.copyTo, "%s", path, 1), "COPY 3")
			data, err := os.ReadFile(path)
			if err != nil || !strings.HasPrefix(string(data), "PAR1") {
				t.Fatalf("%s is not a Parquet file: %v", path, err)
			}
			copyExec(t, s, "DROP TABLE IF EXISTS dst; CREATE TABLE dst "+parquetTypesTable, "CREATE TABLE")
			copyExec(t, s, "COPY dst FROM '"+path+"' (FORMAT parquet)", "COPY 3")
			if got := copyRows(t, s, "SELECT * FROM dst ORDER BY id"); got != want {
				t.Errorf("round trip:\n%s\nwant:\n%s", got, want)
			}
			// read_parquet types the columns from the file
			if got := copyRows(t, s, "SELECT * FROM read_parquet('"+path+"') ORDER BY id"); got != want {
				t.Errorf("read_parquet:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestReadParquet reads a glob of two files with a filter and an
// aggregate, checks EXPLAIN's function scan with the columns it decodes,
// and that row groups the filter excludes by their statistics are skipped.
func TestReadParquet(t *testing.T) {
	_, s := openParquetDB(t)
	dir := t.TempDir()
	copyExec(t, s, "CREATE TABLE nums AS SELECT g AS k, g % 10 AS m, 'row ' || g AS label FROM generate_series(1, 1000) g", "SELECT 1000")
	copyExec(t, s, "COPY (SELECT * FROM nums WHERE k <= 500) TO '"+dir+"/part1.parquet' (FORMAT parquet, ROW_GROUP_SIZE 100)", "COPY 500")
	copyExec(t, s, "COPY (SELECT * FROM nums WHERE k > 500) TO '"+dir+"/part2.parquet' (FORMAT parquet, ROW_GROUP_SIZE 100)", "COPY 500")
	glob := dir + "/part*.parquet"
	for _, tc := range []struct{ q, want string }{
		{"SELECT count(*), sum(k), min(label), max(k) FROM read_parquet('" + glob + "')", "1000|500500|row 1|1000\n"},
		{"SELECT count(*) FROM read_parquet('" + glob + "')", "1000\n"},
		{"SELECT m, count(*) FROM read_parquet('" + glob + "') WHERE k > 990 GROUP BY m ORDER BY m LIMIT 3", "0|1\n1|1\n2|1\n"},
		{"SELECT label FROM read_parquet('" + glob + "') AS p WHERE p.k = 777", "row 777\n"},
		{"SELECT count(*) FROM read_parquet('" + glob + "') WHERE 250 >= k AND label LIKE 'row 2%'", "62\n"},
		{"SELECT x.a FROM read_parquet('" + dir + "/part2.parquet') AS x(a, b) ORDER BY a DESC LIMIT 1", "1000\n"},
		{"SELECT count(*), min(k), max(k) FROM read_parquet('" + dir + "/part2.parquet', '" + dir + "/part1.parquet')", "1000|1|1000\n"},
		{"SELECT n.k FROM nums n JOIN read_parquet('" + glob + "') p ON p.k = n.k WHERE p.m = 3 AND n.k < 30 ORDER BY 1", "3\n13\n23\n"},
	} {
		if got := copyRows(t, s, tc.q); got != tc.want {
			t.Errorf("%s:\n%s\nwant:\n%s", tc.q, got, tc.want)
		}
	}
	// a query without rows makes a file without row groups
	copyExec(t, s, "COPY (SELECT * FROM nums WHERE k < 0) TO '"+dir+"/empty.parquet' (FORMAT parquet)", "COPY 0")
	if got := copyRows(t, s, "SELECT count(*), max(label) FROM read_parquet('"+dir+"/empty.parquet')"); got != "0|NULL\n" {
		t.Errorf("empty file: %s", got)
	}
	// a table or a view made from the files
	copyExec(t, s, "CREATE TABLE loaded AS SELECT * FROM read_parquet('"+glob+"') WHERE m = 0", "SELECT 100")
	copyExec(t, s, "CREATE VIEW pv AS SELECT k, label FROM read_parquet('"+glob+"') WHERE m = 1", "CREATE VIEW")
	copyExec(t, s, "INSERT INTO loaded SELECT k, 1, label FROM pv", "INSERT 0 100")
	if got := copyRows(t, s, "SELECT count(*), sum(k), max(label) FROM loaded"); got != "200|100100|row 991\n" {
		t.Errorf("CREATE TABLE AS and a view over read_parquet: %s", got)
	}
	if plan := copyRows(t, s, "EXPLAIN SELECT count(*) FROM read_parquet('"+glob+"')"); !strings.Contains(plan, "Columns Read: none") {
		t.Errorf("count(*) decodes columns:\n%s", plan)
	}
	plan := copyRows(t, s, "EXPLAIN SELECT sum(k) FROM read_parquet('"+glob+"') WHERE k > 990")
	for _, want := range []string{"Function Scan on read_parquet\n", "Files: 2 matching " + glob, "Columns Read: k\n"} {
		if !strings.Contains(plan, want) {
			t.Errorf("EXPLAIN lacks %q:\n%s", want, plan)
		}
	}

	// row groups skipped by their statistics: the scan's actual rows are
	// those of the row groups (100 rows each) it had to read
	copyExec(t, s, "COPY (SELECT k, CASE WHEN k > 100 THEN m END AS m, label FROM nums) TO '"+dir+"/one.parquet' (FORMAT parquet, ROW_GROUP_SIZE 100)", "COPY 1000")
	for _, tc := range []struct {
		where string
		read  int
	}{
		{"k = 555", 100},
		{"k = 5000", 0},
		{"k < 101", 100},
		{"k <= 100", 100},
		{"950 < k", 100},
		{"k >= 901", 100},
		{"k > 150 AND k <= 250", 200},
		{"k BETWEEN 150 AND 250", 200},
		{"m = 3", 900}, // the first row group's m is all NULL
		{"m IS NULL", 1000},
		{"k > 990 OR k < 5", 1000},
		{"k = NULL", 1000},
		// text bounds are byte-wise: the first group's labels run from 'row 1' to 'row 99'
		{"label = 'zzz'", 0},
		{"label < 'row 1'", 0},
		{"label = 'row 1000'", 200},
		{"k + 0 = 555", 1000},
	} {
		plan := copyRows(t, s, "EXPLAIN ANALYZE SELECT count(*) FROM read_parquet('"+dir+"/one.parquet') WHERE "+tc.where)
		if !strings.Contains(plan, "Function Scan on read_parquet (actual time=") ||
			!strings.Contains(plan, fmt.Sprintf(" rows=%d loops=1)\n              Files:", tc.read)) {
			t.Errorf("WHERE %s: want the scan to read %d rows:\n%s", tc.where, tc.read, plan)
		}
	}
}

// TestParquetErrors checks the errors of COPY FORMAT parquet and
// read_parquet: missing files, files that are not Parquet, values that do
// not fit the table (the COPY rolled back), bad options and privileges.
func TestParquetErrors(t *testing.T) {
	db, s := openParquetDB(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.parquet")
	copyExec(t, s, "COPY (SELECT id, t FROM src ORDER BY id) TO '"+good+"' (FORMAT parquet)", "COPY 3")
	bogus := filepath.Join(dir, "bogus.parquet")
	if err := os.WriteFile(bogus, []byte("id,name\n1,tea\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// a page whose bytes changed after it was written
	corrupt := filepath.Join(dir, "corrupt.parquet")
	copyExec(t, s, "COPY (SELECT g AS k FROM generate_series(1, 1000) g) TO '"+corrupt+"' (FORMAT parquet, COMPRESSION 'none')", "COPY 1000")
	data, err := os.ReadFile(corrupt)
	if err != nil {
		t.Fatal(err)
	}
	copy(data[100:], strings.Repeat("\xff", 64))
	if err := os.WriteFile(corrupt, data, 0o644); err != nil {
		t.Fatal(err)
	}
	// a file with a repeated (list) column, which has no SQL type here
	nested := filepath.Join(dir, "nested.parquet")
	type listRow struct {
		ID   int64   `parquet:"id"`
		Tags []int64 `parquet:"tags,list"`
	}
	if err := parquet.WriteFile(nested, []listRow{{ID: 1, Tags: []int64{1, 2}}}); err != nil {
		t.Fatal(err)
	}
	// a string column holding bytes that are not UTF-8
	badText := filepath.Join(dir, "latin1.parquet")
	type textRow struct {
		Name string `parquet:"name"`
	}
	if err := parquet.WriteFile(badText, []textRow{{Name: "ok"}, {Name: "caf\xe9"}}); err != nil {
		t.Fatal(err)
	}
	copyExec(t, s, "CREATE TABLE two (id INT, n INT NOT NULL)", "CREATE TABLE")
	copyExec(t, s, "INSERT INTO two VALUES (0, 0)", "INSERT 0 1")
	for _, tc := range []struct{ q, code, msg string }{
		{"COPY two FROM '" + dir + "/missing.parquet' (FORMAT parquet)", sqlerr.UndefinedFile, `could not open file "` + dir + `/missing.parquet" for reading: No such file or directory`},
		{"SELECT * FROM read_parquet('" + dir + "/missing.parquet')", sqlerr.UndefinedFile, "No such file or directory"},
		{"SELECT * FROM read_parquet('" + dir + "/none*.parquet')", sqlerr.UndefinedFile, `no files match "` + dir + `/none*.parquet"`},
		{"SELECT * FROM read_parquet('" + dir + "')", sqlerr.WrongObjectType, "is a directory"},
		{"COPY two FROM '" + bogus + "' (FORMAT parquet)", sqlerr.BadCopyFileFormat, `file "` + bogus + `" is not a valid Parquet file`},
		{"SELECT * FROM read_parquet('" + dir + "/*.parquet')", sqlerr.BadCopyFileFormat, "is not a valid Parquet file"},
		{"SELECT * FROM read_parquet('" + nested + "')", sqlerr.FeatureNotSupported, `Parquet column "tags" of file "` + nested + `" is nested or repeated, which is not supported`},
		{"SELECT * FROM read_parquet('" + badText + "')", sqlerr.CharacterNotInRepertoire, `invalid byte sequence for encoding "UTF8" in Parquet file "` + badText + `"`},
		{"SELECT sum(k) FROM read_parquet('" + corrupt + "')", sqlerr.DataCorrupted, `could not read Parquet file "` + corrupt + `": crc32 checksum mismatch in page of column "k"`},
		{"SELECT * FROM read_parquet('relative.parquet')", sqlerr.InvalidName, "relative path not allowed for read_parquet"},
		{"SELECT * FROM read_parquet(1)", sqlerr.InvalidParameterValue, "string constant"},
		// the text column does not convert to integer: the file, row and column are named
		{"COPY two FROM '" + good + "' (FORMAT parquet)", sqlerr.InvalidTextRepresentation, `invalid input syntax for type integer: "tea"`},
		{"COPY two (n) FROM '" + good + "' (FORMAT parquet)", sqlerr.BadCopyFileFormat, "has 2 columns but COPY two expects 1"},
		{"COPY two FROM STDIN (FORMAT parquet)", sqlerr.FeatureNotSupported, "needs a server file"},
		{"COPY two TO '" + dir + "/x.parquet' (FORMAT parquet, COMPRESSION 'lzo')", sqlerr.InvalidParameterValue, "compression"},
		{"COPY two TO '" + dir + "/x.parquet' (FORMAT parquet, HEADER)", sqlerr.SyntaxError, `option "header" not recognized`},
		{"COPY (SELECT 1 AS a, 2 AS a) TO '" + dir + "/x.parquet' (FORMAT parquet)", sqlerr.DuplicateColumn, `"a" appears more than once`},
		{"COPY two TO 'x.parquet' (FORMAT parquet)", sqlerr.InvalidName, "relative path not allowed"},
		{"COPY (SELECT 12345.6::numeric(5,1)) TO '" + dir + "/x.parquet' (FORMAT parquet)", sqlerr.NumericValueOutOfRange, ""},
	} {
		wantCopyError(t, s, tc.q, tc.code, tc.msg)
	}
	if _, err := os.Stat(dir + "/x.parquet"); !os.IsNotExist(err) {
		t.Errorf("a failed COPY TO left its file: %v", err)
	}
	_, err = s.Exec(t.Context(), "COPY two FROM '"+good+"' (FORMAT parquet)")
	if d := sqlerr.From(err).Detail; d != `COPY two, file "`+good+`", row 1, column n` {
		t.Errorf("detail %q", d)
	}
	// the failed loads left nothing behind
	if got := copyRows(t, s, "SELECT count(*) FROM two"); got != "1\n" {
		t.Errorf("two has %s rows after failed COPYs", got)
	}

	copyExec(t, s, "CREATE ROLE reader LOGIN", "CREATE ROLE")
	reader := db.Login("reader")
	defer reader.Close()
	wantCopyError(t, reader, "SELECT * FROM read_parquet('"+good+"')", sqlerr.InsufficientPrivilege, "pg_read_server_files role to read server files with read_parquet")
	wantCopyError(t, reader, "COPY two FROM '"+good+"' (FORMAT parquet)", sqlerr.InsufficientPrivilege, "pg_read_server_files")
}

// TestParquetDuckDBFile reads testdata/parquet/duckdb_types.parquet, which
// DuckDB 1.5 wrote (benchmarks/peers/duckdb/parquet_test.go makes it):
// tinyint, unsigned, decimals over INT32, INT64 and FIXED_LEN_BYTE_ARRAY,
// UUID and BLOB columns among others, with a row of NULLs.
func TestParquetDuckDBFile(t *testing.T) {
	_, s := openParquetDB(t)
	file, err := filepath.Abs("testdata/parquet/duckdb_types.parquet")
	if err != nil {
		t.Fatal(err)
	}
	const want = `1|7|9000000000|1.5|-2.25|t|tea ☕|2024-02-29|2024-02-29 12:34:56.789012|123456789.123|99.9|-12345678901234567890.12345|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|\xdead|-5|4000000000|12:34:56.5
2|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL
`
	if got := copyRows(t, s, "SELECT * FROM read_parquet('"+file+"') ORDER BY id"); got != want {
		t.Errorf("read_parquet:\n%s\nwant:\n%s", got, want)
	}
	copyExec(t, s, `CREATE TABLE duck (id INT, s SMALLINT, b BIGINT, f REAL, d DOUBLE PRECISION, ok BOOLEAN, txt TEXT, day DATE,
		ts TIMESTAMP, n NUMERIC(12,3), n4 NUMERIC(4,1), wide NUMERIC(30,5), u UUID, bl BYTEA, tiny SMALLINT, u32 BIGINT, tm TIME)`, "CREATE TABLE")
	copyExec(t, s, "COPY duck FROM '"+file+"' (FORMAT parquet)", "COPY 2")
	if got := copyRows(t, s, "SELECT * FROM duck ORDER BY id"); got != want {
		t.Errorf("COPY FROM:\n%s\nwant:\n%s", got, want)
	}
	// the columns' types come from the file: arithmetic and comparisons work
	if got := copyRows(t, s, "SELECT n * 2, wide + 1, day + 1, u32 + 1, tiny - 1 FROM read_parquet('"+file+"') WHERE id = 1 AND b > 0"); got != "246913578.246|-12345678901234567889.12345|2024-03-01|4000000001|-6\n" {
		t.Errorf("typed columns: %s", got)
	}
}

// TestParquetFromColumnSegments exports a table that VACUUM moved into
// column segments, with newer rows, updates and deletes in the heap, and
// checks the file holds exactly the visible rows.
func TestParquetFromColumnSegments(t *testing.T) {
	s := segmentedSession(t)
	copyExec(t, s, "CREATE TABLE seg (id INT PRIMARY KEY, n NUMERIC(10,2), t TEXT)", "CREATE TABLE")
	copyExec(t, s, "INSERT INTO seg SELECT g, g / 4.0, 'v' || g FROM generate_series(1, 2000) g", "INSERT 0 2000")
	copyExec(t, s, "VACUUM seg", "VACUUM")
	copyExec(t, s, "DELETE FROM seg WHERE id % 7 = 0", "DELETE 285")
	copyExec(t, s, "UPDATE seg SET t = 'changed' WHERE id % 11 = 0", "UPDATE 156")
	copyExec(t, s, "INSERT INTO seg VALUES (5000, NULL, NULL)", "INSERT 0 1")
	path := filepath.Join(t.TempDir(), "seg.parquet")
	copyExec(t, s, "COPY seg TO '"+path+"' (FORMAT parquet)", "COPY 1716")
	const summary = "SELECT count(*), count(n), sum(n), count(*) FILTER (WHERE t = 'changed'), max(id) FROM "
	if got, want := copyRows(t, s, summary+"read_parquet('"+path+"')"), copyRows(t, s, summary+"seg"); got != want {
		t.Errorf("file: %s table: %s", got, want)
	}
}

// TestReadParquetRescan reads a file on the inner side of a nested loop
// and in a correlated subquery, which scan it again for each outer row.
func TestReadParquetRescan(t *testing.T) {
	_, s := openParquetDB(t)
	path := filepath.Join(t.TempDir(), "small.parquet")
	copyExec(t, s, "COPY (SELECT g AS k FROM generate_series(1, 5) g) TO '"+path+"' (FORMAT parquet, ROW_GROUP_SIZE 2)", "COPY 5")
	for _, tc := range []struct{ q, want string }{
		{"SELECT count(*) FROM src JOIN read_parquet('" + path + "') p ON p.k < src.id", "3\n"},
		{"SELECT id, (SELECT count(*) FROM read_parquet('" + path + "') p WHERE p.k <= src.id) FROM src ORDER BY id", "1|1\n2|2\n3|3\n"},
		{"SELECT count(*) FROM read_parquet('" + path + "') a, read_parquet('" + path + "') b WHERE a.k > b.k", "10\n"},
		// a filter on the outer row, which the scan applies to its vectors
		{"SELECT id, (SELECT k * 10 FROM read_parquet('" + path + "') p WHERE p.k = src.id + 1) FROM src ORDER BY id", "1|20\n2|30\n3|40\n"},
		{"SELECT id, ARRAY(SELECT k FROM read_parquet('" + path + "') p WHERE p.k > src.id AND p.k < 5 ORDER BY k) FROM src ORDER BY id", "1|{2,3,4}\n2|{3,4}\n3|{4}\n"},
	} {
		if got := copyRows(t, s, tc.q); got != tc.want {
			t.Errorf("%s:\n%s\nwant:\n%s", tc.q, got, tc.want)
		}
	}
}

// segmentedSession is a session on a new database whose column segments
// hold 256 rows, so that small tables span several.
func segmentedSession(t *testing.T) *Session {
	t.Helper()
	db, err := OpenWith(Options{Dir: t.TempDir(), SyncMode: "off", SegmentRows: 256})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := db.NewSession("rustydb")
	t.Cleanup(s.Close)
	return s
}
