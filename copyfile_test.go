package rustydb

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"rustydb/sqlerr"
)

// openCopyDB opens a database with the table src that the COPY file tests
// write out: NULLs, empty strings, and values holding delimiters, quotes,
// backslashes, tabs and newlines.
func openCopyDB(t *testing.T) *DB {
	t.Helper()
	db, err := OpenWith(Options{Dir: t.TempDir(), SyncMode: "off"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	mustExec(t, db, "CREATE TABLE src (id INT PRIMARY KEY, name TEXT, price NUMERIC(8,2), day DATE, note VARCHAR(40))")
	mustExec(t, db, `INSERT INTO src VALUES
		(1, 'tea', 2.50, '2024-01-01', 'plain'),
		(2, NULL, NULL, NULL, ''),
		(3, 'a,b "q" | c; d''e', 3.10, '2024-12-31', E'tab\there\nnew line\r\n'),
		(4, 'back\slash \N', 0, '2000-02-29', 'NA'),
		(5, '\.', -1.25, '1999-12-31', '<null>')`)
	return db
}

// copyRows returns the rows of q, one line each, fields separated by |.
func copyRows(t *testing.T, s *Session, q string) string {
	t.Helper()
	rs, err := s.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	var b strings.Builder
	for rs.Next() {
		for i, v := range rs.Values() {
			if i > 0 {
				b.WriteByte('|')
			}
			if v.IsNull() {
				b.WriteString("NULL")
			} else {
				b.WriteString(v.String())
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// copyExec runs q in s and checks its command tag.
func copyExec(t *testing.T, s *Session, q, wantTag string) {
	t.Helper()
	tag, err := s.Exec(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if tag != wantTag {
		t.Fatalf("%s: tag %q, want %q", q, tag, wantTag)
	}
}

// wantCopyError runs q in s and checks the SQLSTATE and that the message
// contains msg.
func wantCopyError(t *testing.T, s *Session, q, code, msg string) {
	t.Helper()
	_, err := s.Exec(context.Background(), q)
	if sqlerr.Code(err) != code || !strings.Contains(sqlerr.From(err).Message, msg) {
		t.Errorf("%s: got %v, want SQLSTATE %s with %q", q, err, code, msg)
	}
}

// TestCopyFileRoundTrip writes src to a server file and loads it back, for
// the text and CSV formats with their options and for compressed files.
func TestCopyFileRoundTrip(t *testing.T) {
	db := openCopyDB(t)
	s := db.NewSession("rustydb")
	defer s.Close()
	dir := t.TempDir()
	want := copyRows(t, s, "SELECT * FROM src ORDER BY id")
	for _, tc := range []struct {
		name, file, opts string
		magic            []byte // the file's first bytes, when compressed
	}{
		{name: "text", file: "src.txt"},
		{name: "text with options", file: "src.pipe", opts: "WITH (FORMAT text, DELIMITER '|', NULL '<NULL>', HEADER true, ENCODING 'utf8')"},
		{name: "text keyword form", file: "src.semi", opts: "DELIMITER AS ';' NULL AS '?' ENCODING 'UTF-8'"},
		{name: "csv", file: "src.csv", opts: "WITH (FORMAT csv)"},
		{name: "csv header", file: "src-h.csv", opts: "(FORMAT csv, HEADER)"},
		{name: "csv delimiter null quote escape", file: "src-q.csv", opts: `WITH (FORMAT csv, HEADER true, DELIMITER ';', NULL 'NA', QUOTE '''', ESCAPE '\')`},
		{name: "csv keyword form", file: "src-k.csv", opts: `WITH CSV HEADER DELIMITER AS '|' NULL AS '<null>' QUOTE AS '$'`},
		{name: "gzip text", file: "src.txt.gz", magic: []byte{0x1f, 0x8b}},
		{name: "gzip csv", file: "src.csv.GZ", opts: "WITH (FORMAT csv, HEADER)", magic: []byte{0x1f, 0x8b}},
		{name: "zstd text", file: "src.zst", magic: []byte{0x28, 0xb5, 0x2f, 0xfd}},
		{name: "zstd csv", file: "src.csv.zstd", opts: "WITH (FORMAT csv, NULL 'NA')", magic: []byte{0x28, 0xb5, 0x2f, 0xfd}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			copyExec(t, s, "COPY src TO '"+path+"' "+tc.opts, "COPY 5")
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if tc.magic != nil && !bytes.HasPrefix(data, tc.magic) {
				t.Errorf("%s starts with % x, want % x", tc.file, data[:min(len(data), 4)], tc.magic)
			}
			copyExec(t, s, "DROP TABLE IF EXISTS dst; CREATE TABLE dst (id INT PRIMARY KEY, name TEXT, price NUMERIC(8,2), day DATE, note VARCHAR(40))", "CREATE TABLE")
			copyExec(t, s, "COPY dst FROM '"+path+"' "+tc.opts, "COPY 5")
			if got := copyRows(t, s, "SELECT * FROM dst ORDER BY id"); got != want {
				t.Errorf("round trip through %s:\n%s\nwant:\n%s\nfile:\n%s", tc.file, got, want, data)
			}
		})
	}

	// a column list on both sides; the other columns take their defaults
	path := filepath.Join(dir, "cols.csv")
	copyExec(t, s, "COPY src (note, id) TO '"+path+"' WITH (FORMAT csv)", "COPY 5")
	copyExec(t, s, "DROP TABLE dst; CREATE TABLE dst (id INT, note TEXT, n INT DEFAULT 7)", "CREATE TABLE")
	copyExec(t, s, "COPY dst (note, id) FROM '"+path+"' WITH (FORMAT csv)", "COPY 5")
	if got, want := copyRows(t, s, "SELECT id, n, note IS NULL, length(note) FROM dst ORDER BY id"),
		"1|7|f|5\n2|7|f|0\n3|7|f|19\n4|7|f|2\n5|7|f|6\n"; got != want {
		t.Errorf("column lists:\n%s\nwant:\n%s", got, want)
	}
}

// TestCopyFileFormats checks the bytes COPY TO writes.
func TestCopyFileFormats(t *testing.T) {
	db := openCopyDB(t)
	s := db.NewSession("rustydb")
	defer s.Close()
	dir := t.TempDir()
	for _, tc := range []struct{ name, copy, want string }{
		{"text", "COPY src (id, name, note) TO '%s'",
			"1\ttea\tplain\n2\t\\N\t\n3\ta,b \"q\" | c; d'e\ttab\\there\\nnew line\\r\\n\n4\tback\\\\slash \\\\N\tNA\n5\t\\\\.\t<null>\n"},
		{"csv header", "COPY src (id, name, note) TO '%s' WITH (FORMAT csv, HEADER)",
			"id,name,note\n1,tea,plain\n2,,\"\"\n3,\"a,b \"\"q\"\" | c; d'e\",\"tab\there\nnew line\r\n\"\n4,back\\slash \\N,NA\n5,\\.,<null>\n"},
		{"csv escape", `COPY src (id, name) TO '%s' WITH (FORMAT csv, DELIMITER '|', ESCAPE '\')`,
			"1|tea\n2|\n3|\"a,b \\\"q\\\" | c; d'e\"\n4|back\\slash \\N\n5|\\.\n"},
		{"query", "COPY (SELECT id, price * 2 AS double, day FROM src WHERE id > 1 AND price IS NOT NULL ORDER BY id DESC) TO '%s' WITH (FORMAT csv, HEADER)",
			"id,double,day\n5,-2.50,1999-12-31\n4,0.00,2000-02-29\n3,6.20,2024-12-31\n"},
		{"one column lone \\.", "COPY (SELECT name FROM src WHERE id = 5) TO '%s' (FORMAT csv)", "\"\\.\"\n"},
		{"values", "COPY (VALUES (1, 'x'), (2, NULL)) TO '%s'", "1\tx\n2\t\\N\n"},
		{"with", "COPY (WITH c AS (SELECT count(*) AS n FROM src) SELECT n, n * 2 AS twice FROM c) TO '%s' WITH (HEADER)", "n\ttwice\n5\t10\n"},
		{"empty", "COPY (SELECT * FROM src WHERE false) TO '%s'", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
			if _, err := s.Exec(context.Background(), strings.Replace(tc.copy, "%s", path, 1)); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != tc.want {
				t.Errorf("got:\n%q\nwant:\n%q", data, tc.want)
			}
		})
	}
}

// copyOutCollector is a collector whose COPY TO STDOUT writes to out.
type copyOutCollector struct {
	collector
	out bytes.Buffer
}

func (c *copyOutCollector) CopyOut(int, bool) (io.Writer, error) { return &c.out, nil }

// TestCopyQueryToStdout runs COPY (query) TO STDOUT.
func TestCopyQueryToStdout(t *testing.T) {
	db := openCopyDB(t)
	s := db.NewSession("rustydb")
	defer s.Close()
	var c copyOutCollector
	if _, err := s.Run(context.Background(), "COPY (SELECT id, name FROM src WHERE id <= 2 ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)", &c); err != nil {
		t.Fatal(err)
	}
	if got, want := c.out.String(), "id,name\n1,tea\n2,\n"; got != want || c.rows.tag != "COPY 2" {
		t.Errorf("got %q %q, want %q COPY 2", got, c.rows.tag, want)
	}
}

// TestCopyFileTPCH loads '|'-separated files whose lines end with a '|', as
// TPC-H's dbgen writes them, plain and gzipped, and the ones without it.
func TestCopyFileTPCH(t *testing.T) {
	db, err := OpenWith(Options{Dir: t.TempDir(), SyncMode: "off"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := db.NewSession("rustydb")
	defer s.Close()
	copyExec(t, s, `CREATE TABLE lineitem (l_orderkey BIGINT NOT NULL, l_partkey INTEGER NOT NULL, l_suppkey INTEGER NOT NULL,
		l_linenumber INTEGER NOT NULL, l_quantity DECIMAL(15,2) NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL,
		l_discount DECIMAL(15,2) NOT NULL, l_tax DECIMAL(15,2) NOT NULL, l_returnflag VARCHAR(1) NOT NULL,
		l_linestatus VARCHAR(1) NOT NULL, l_shipdate DATE NOT NULL, l_commitdate DATE NOT NULL, l_receiptdate DATE NOT NULL,
		l_shipinstruct VARCHAR(25) NOT NULL, l_shipmode VARCHAR(10) NOT NULL, l_comment VARCHAR(44) NOT NULL,
		PRIMARY KEY (l_orderkey, l_linenumber))`, "CREATE TABLE")
	tbl := `1|1552|93|1|17.00|24710.35|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|DELIVER IN PERSON|TRUCK|to beans x-ray carefull|
1|674|75|2|36.00|56688.12|0.09|0.06|N|O|1996-04-12|1996-02-28|1996-04-20|TAKE BACK RETURN|MAIL| according to the final foxes. qui|
2|1062|33|1|38.00|36596.28|0.00|0.05|N|O|1997-01-28|1997-01-14|1997-02-02|TAKE BACK RETURN|RAIL|ven requests. deposits breach a|
`
	dir := t.TempDir()
	plain := filepath.Join(dir, "lineitem.tbl")
	if err := os.WriteFile(plain, []byte(tbl), 0o644); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.ReplaceAll(tbl, "|\n", "\n"))) // no trailing '|' (as tpchgen writes)
	zw.Close()
	if err := os.WriteFile(plain+".gz", gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var zst bytes.Buffer
	enc, _ := zstd.NewWriter(&zst)
	enc.Write([]byte(tbl))
	enc.Close()
	if err := os.WriteFile(filepath.Join(dir, "lineitem.tbl.zst"), zst.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	copyExec(t, s, "COPY lineitem FROM '"+plain+"' WITH (DELIMITER '|')", "COPY 3")
	copyExec(t, s, "TRUNCATE lineitem", "TRUNCATE TABLE")
	copyExec(t, s, "COPY lineitem FROM '"+plain+".gz' DELIMITER '|'", "COPY 3")
	copyExec(t, s, "TRUNCATE lineitem", "TRUNCATE TABLE")
	copyExec(t, s, "COPY lineitem FROM '"+filepath.Join(dir, "lineitem.tbl.zst")+"' WITH (DELIMITER '|')", "COPY 3")
	if got, want := copyRows(t, s, "SELECT l_orderkey, l_linenumber, l_extendedprice, l_shipdate, l_comment FROM lineitem ORDER BY 1, 2"),
		"1|1|24710.35|1996-03-13|to beans x-ray carefull\n1|2|56688.12|1996-04-12| according to the final foxes. qui\n2|1|36596.28|1997-01-28|ven requests. deposits breach a\n"; got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// only one trailing delimiter is forgiven, and only a bare one
	bad := filepath.Join(dir, "bad.tbl")
	os.WriteFile(bad, []byte(strings.Replace(tbl, "carefull|\n", "carefull||\n", 1)), 0o644)
	wantCopyError(t, s, "COPY lineitem FROM '"+bad+"' WITH (DELIMITER '|')", sqlerr.BadCopyFileFormat, "extra data after last expected column")
	if got := copyRows(t, s, "SELECT count(*) FROM lineitem"); got != "3\n" {
		t.Errorf("after a failed load: %s rows, want 3", got)
	}
	copyExec(t, s, "TRUNCATE lineitem", "TRUNCATE TABLE")
	os.WriteFile(bad, []byte(strings.Replace(tbl, "carefull|\n", "carefull\\|\n", 1)), 0o644)
	copyExec(t, s, "COPY lineitem FROM '"+bad+"' WITH (DELIMITER '|')", "COPY 3")
	if got := copyRows(t, s, "SELECT l_comment FROM lineitem WHERE l_orderkey = 1 AND l_linenumber = 1"); got != "to beans x-ray carefull|\n" {
		t.Errorf("an escaped last delimiter is data: got %q", got)
	}
}

// TestCopyFileErrors checks the errors of server-file COPY: paths,
// missing files, directories, encodings, and that a failed load changes
// nothing.
func TestCopyFileErrors(t *testing.T) {
	db := openCopyDB(t)
	s := db.NewSession("rustydb")
	defer s.Close()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.txt")
	copyExec(t, s, "COPY src TO '"+good+"'", "COPY 5")
	for _, tc := range []struct{ sql, code, msg string }{
		{"COPY src TO 'relative.txt'", sqlerr.InvalidName, "relative path not allowed for COPY to file"},
		{"COPY (SELECT 1) TO 'out/relative.csv'", sqlerr.InvalidName, "relative path not allowed for COPY to file"},
		{"COPY src FROM '" + dir + "/missing.txt'", sqlerr.UndefinedFile, `could not open file "` + dir + `/missing.txt" for reading: No such file or directory`},
		{"COPY src FROM 'missing.txt'", sqlerr.UndefinedFile, `could not open file "missing.txt" for reading: No such file or directory`},
		{"COPY src FROM '" + dir + "'", sqlerr.WrongObjectType, `"` + dir + `" is a directory`},
		{"COPY src TO '" + dir + "'", sqlerr.WrongObjectType, `could not open file "` + dir + `" for writing: Is a directory`},
		{"COPY src TO '" + dir + "/no/such/dir.txt'", sqlerr.UndefinedFile, "for writing: No such file or directory"},
		{"COPY src FROM '" + good + "/x'", sqlerr.WrongObjectType, "for reading: Not a directory"},
		{"COPY src FROM '" + good + "' WITH (ENCODING 'LATIN1')", sqlerr.FeatureNotSupported, `COPY encoding "LATIN1" is not supported`},
		{"COPY src TO '" + good + "' ENCODING 'latin1'", sqlerr.FeatureNotSupported, `COPY encoding "latin1" is not supported`},
		{"COPY src FROM PROGRAM 'cat /etc/passwd'", sqlerr.FeatureNotSupported, "COPY FROM PROGRAM is not supported"},
		{"COPY (SELECT 1) FROM '" + good + "'", sqlerr.SyntaxError, "syntax error"},
		{"COPY (SELECT nope FROM src) TO '" + dir + "/never.txt'", sqlerr.UndefinedColumn, "nope"},
		{"COPY nope TO '" + dir + "/never.txt'", sqlerr.UndefinedTable, "nope"},
	} {
		wantCopyError(t, s, tc.sql, tc.code, tc.msg)
	}
	if _, err := os.Stat(filepath.Join(dir, "never.txt")); err == nil {
		t.Error("a COPY TO that failed before its first row created the file")
	}
	// a data directory relative path: the checkpoint is a directory there
	wantCopyError(t, s, "COPY src FROM 'base'", sqlerr.WrongObjectType, `"base" is a directory`)

	// a bad row rolls the whole COPY back
	mustExec(t, db, "CREATE TABLE dst (id INT PRIMARY KEY, name TEXT, price NUMERIC(8,2), day DATE, note VARCHAR(40))")
	mustExec(t, db, "INSERT INTO dst VALUES (100, 'kept', 1, '2020-01-01', 'x')")
	for _, tc := range []struct{ name, data, opts, code, msg, detail string }{
		{"bad number", "1\ta\t1\t2024-01-01\tx\n2\tb\tnot-a-number\t2024-01-01\tx\n", "", sqlerr.InvalidTextRepresentation, "", "line 2, column price"},
		{"missing column", "1\ta\t1\t2024-01-01\tx\n2\tb\t1\n", "", sqlerr.BadCopyFileFormat, `missing data for column "day"`, "line 2"},
		{"duplicate key", "1\ta\t1\t2024-01-01\tx\n100\tb\t1\t2024-01-01\tx\n", "", sqlerr.UniqueViolation, "", ""},
		{"unterminated quote", "1,a,1,2024-01-01,x\n2,\"b,1,2024-01-01,x\n", "WITH (FORMAT csv)", sqlerr.BadCopyFileFormat, "unterminated CSV quoted field", "line 2"},
		{"corrupt gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xffgarbage", "", sqlerr.IOError, "could not read from COPY file", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "bad.txt")
			if tc.name == "corrupt gzip" {
				path += ".gz"
			}
			if err := os.WriteFile(path, []byte(tc.data), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := s.Exec(context.Background(), "COPY dst FROM '"+path+"' "+tc.opts)
			e := sqlerr.From(err)
			if err == nil || e.Code != tc.code || !strings.Contains(e.Message, tc.msg) || !strings.Contains(e.Detail, tc.detail) {
				t.Errorf("got %v, want SQLSTATE %s with %q and detail %q", err, tc.code, tc.msg, tc.detail)
			}
			if got := copyRows(t, s, "SELECT id, name FROM dst"); got != "100|kept\n" {
				t.Errorf("after the failed COPY dst has:\n%s", got)
			}
		})
	}
	// in a transaction block the failed COPY aborts the transaction
	copyExec(t, s, "BEGIN", "BEGIN")
	copyExec(t, s, "INSERT INTO dst VALUES (101, 'gone', 1, '2020-01-01', 'x')", "INSERT 0 1")
	wantCopyError(t, s, "COPY dst FROM '"+filepath.Join(dir, "bad.txt")+"'", sqlerr.BadCopyFileFormat, "missing data")
	copyExec(t, s, "ROLLBACK", "ROLLBACK")
	if got := copyRows(t, s, "SELECT id FROM dst"); got != "100\n" {
		t.Errorf("after the rolled back transaction dst has:\n%s", got)
	}
	// and a good one commits with it
	copyExec(t, s, "BEGIN", "BEGIN")
	copyExec(t, s, "COPY dst FROM '"+good+"'", "COPY 5")
	copyExec(t, s, "COMMIT", "COMMIT")
	if got := copyRows(t, s, "SELECT count(*) FROM dst"); got != "6\n" {
		t.Errorf("after the committed COPY dst has %s rows, want 6", got)
	}
	// views and sequences are not tables
	mustExec(t, db, "CREATE VIEW v AS SELECT id FROM src; CREATE SEQUENCE q")
	wantCopyError(t, s, "COPY v TO '"+dir+"/v.txt'", sqlerr.WrongObjectType, `cannot copy from view "v"`)
	wantCopyError(t, s, "COPY v FROM '"+good+"'", sqlerr.WrongObjectType, `cannot copy to view "v"`)
	wantCopyError(t, s, "COPY q TO '"+dir+"/q.txt'", sqlerr.WrongObjectType, `cannot copy from sequence "q"`)
}

// TestCopyFilePrivileges checks that only superusers use server files,
// while COPY FROM STDIN and TO STDOUT stay open to every role with the
// table's INSERT or SELECT privilege.
func TestCopyFilePrivileges(t *testing.T) {
	db := openCopyDB(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.txt")
	admin := db.NewSession("rustydb")
	defer admin.Close()
	copyExec(t, admin, "COPY src TO '"+good+"'", "COPY 5")
	copyExec(t, admin, "CREATE ROLE loader LOGIN; CREATE ROLE boss SUPERUSER LOGIN", "CREATE ROLE")
	mustExec(t, db, "CREATE TABLE dst (id INT PRIMARY KEY, name TEXT, price NUMERIC(8,2), day DATE, note VARCHAR(40))")
	mustExec(t, db, "GRANT INSERT, SELECT ON dst TO loader")

	loader := db.Login("loader")
	defer loader.Close()
	for _, q := range []string{"COPY dst FROM '" + good + "'", "COPY dst FROM 'missing'"} {
		wantCopyError(t, loader, q, sqlerr.InsufficientPrivilege,
			"must be superuser or have privileges of the pg_read_server_files role to COPY from a file")
	}
	for _, q := range []string{"COPY src TO '" + dir + "/loader.txt'", "COPY (SELECT 1) TO '" + dir + "/loader.txt'", "COPY src TO 'relative'"} {
		wantCopyError(t, loader, q, sqlerr.InsufficientPrivilege,
			"must be superuser or have privileges of the pg_write_server_files role to COPY to a file")
	}
	if _, err := os.Stat(filepath.Join(dir, "loader.txt")); err == nil {
		t.Error("a refused COPY TO created its file")
	}
	if n, err := loader.CopyFrom(context.Background(), "COPY dst FROM STDIN", strings.NewReader("7\tx\t1\t2024-01-01\ty\n")); err != nil || n != 1 {
		t.Errorf("COPY FROM STDIN as loader: %d %v", n, err)
	}
	var c copyOutCollector
	if _, err := loader.Run(context.Background(), "COPY dst (id) TO STDOUT", &c); err != nil || c.out.String() != "7\n" {
		t.Errorf("COPY TO STDOUT as loader: %q %v", c.out.String(), err)
	}

	boss := db.Login("boss")
	defer boss.Close()
	copyExec(t, boss, "COPY dst FROM '"+good+"'", "COPY 5")
	copyExec(t, boss, "COPY dst TO '"+dir+"/boss.txt.gz'", "COPY 6")
	// privileges are looked up per statement
	copyExec(t, admin, "ALTER ROLE boss NOSUPERUSER", "ALTER ROLE")
	wantCopyError(t, boss, "COPY dst TO '"+dir+"/boss.txt'", sqlerr.InsufficientPrivilege, "pg_write_server_files")
}
