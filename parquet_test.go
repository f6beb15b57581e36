package rustydb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// parquetTypesTable is a table of every type COPY FORMAT parquet maps,
// with NULLs in each column.
const parquetTypesTable = `(id INT PRIMARY KEY, s SMALLINT, b BIGINT, r REAL, d DOUBLE PRECISION,
	ok BOOLEAN, t TEXT, v VARCHAR(10), c CHAR(3), day DATE, ts TIMESTAMP, tz TIMESTAMPTZ,
	n NUMERIC(12,3), n4 NUMERIC(5,2), big NUMERIC, u UUID, raw BYTEA, iv INTERVAL)`

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
		 123456789.123, 999.99, 12345678901234567890.5, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\xdeadbeef', '1 day 2 hours'),
		(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
		(3, -32768, -1, -0.25, -1e300, false, '', 'é ü', 'x', '1900-01-01', '1969-12-31 23:59:59.999999', '2000-06-30 12:00:00+02',
		 -0.001, -999.99, -1, '00000000-0000-0000-0000-000000000000', '\x', '-3 mons')`, "INSERT 0 3")
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
