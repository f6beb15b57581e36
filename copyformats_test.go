package rustydb

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"rustydb/sqlerr"
	"rustydb/types"
)

// TestCopyOnError loads a file with bad rows with and without ON_ERROR.
func TestCopyOnError(t *testing.T) {
	db := openCopyDB(t)
	s := db.NewSession("rustydb")
	defer s.Close()
	dir := t.TempDir()
	data := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(data, []byte("1,2.50,2024-01-01\n2,abc,2024-01-02\n3,1.00\n4,4.00,2024-02-30\n5,5.00,2024-03-01\n6,\"x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mustExec(t, db, "CREATE TABLE t (id INT, price NUMERIC(8,2), day DATE)")
	for _, tc := range []struct {
		name, opts  string
		tag, notice string // the command tag and NOTICE on success
		code        string // the SQLSTATE on failure
		detail      string
		rows        string
	}{
		{name: "stop by default", code: sqlerr.InvalidTextRepresentation, detail: `COPY t, file "` + data + `", line 2, column price`},
		{name: "stop", opts: ", ON_ERROR 'stop'", code: sqlerr.InvalidTextRepresentation, detail: "line 2, column price"},
		{name: "ignore", opts: ", ON_ERROR 'ignore'", tag: "COPY 2", notice: "4 rows were skipped due to data type incompatibility", rows: "1|2.50|2024-01-01\n5|5.00|2024-03-01\n"},
		{name: "skip", opts: ", ON_ERROR skip", tag: "COPY 2", notice: "4 rows were skipped due to data type incompatibility", rows: "1|2.50|2024-01-01\n5|5.00|2024-03-01\n"},
		{name: "bad value", opts: ", ON_ERROR 'maybe'", code: sqlerr.InvalidParameterValue},
		{name: "reject file without ignore", opts: ", REJECT_FILE '/tmp/x.csv'", code: sqlerr.InvalidParameterValue},
		{name: "relative reject file", opts: ", ON_ERROR 'ignore', REJECT_FILE 'x.csv'", code: sqlerr.InvalidName},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustExec(t, db, "TRUNCATE t")
			var c collector
			_, err := s.Run(ctx, "COPY t FROM '"+data+"' (FORMAT csv"+tc.opts+")", &c)
			if tc.code != "" {
				if sqlerr.Code(err) != tc.code || !strings.Contains(sqlerr.From(err).Detail, tc.detail) {
					t.Fatalf("got %v, want SQLSTATE %s with detail %q", err, tc.code, tc.detail)
				}
				if got := copyRows(t, s, "SELECT count(*) FROM t"); got != "0\n" {
					t.Errorf("a failed COPY left %s rows", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.rows.tag != tc.tag || len(c.notices) != 1 || c.notices[0].Message != tc.notice {
				t.Errorf("tag %q, notices %v; want %q and %q", c.rows.tag, c.notices, tc.tag, tc.notice)
			}
			if got := copyRows(t, s, "SELECT * FROM t ORDER BY id"); got != tc.rows {
				t.Errorf("rows:\n%s\nwant:\n%s", got, tc.rows)
			}
		})
	}

	// the reject file names each rejected line and its error
	rej := filepath.Join(dir, "rejects.csv")
	mustExec(t, db, "TRUNCATE t")
	copyExec(t, s, "COPY t FROM '"+data+"' (FORMAT csv, ON_ERROR 'ignore', REJECT_FILE '"+rej+"')", "COPY 2")
	got, err := os.ReadFile(rej)
	if err != nil {
		t.Fatal(err)
	}
	want := `line,sqlstate,error,context,data
2,22P02,"invalid input syntax for type numeric: ""abc""","COPY t, file ""` + data + `"", line 2, column price","2,abc,2024-01-02"
3,22P04,"missing data for column ""day""","COPY t, file ""` + data + `"", line 3","3,1.00"
4,22008,"date/time field value out of range: ""2024-02-30""","COPY t, file ""` + data + `"", line 4, column day","4,4.00,2024-02-30"
6,22P04,unterminated CSV quoted field,"COPY t, file ""` + data + `"", line 6","6,""x"
`
	if string(got) != want {
		t.Errorf("reject file:\n%s\nwant:\n%s", got, want)
	}

	// a constraint violation is no data type problem: it still fails
	mustExec(t, db, "CREATE TABLE nn (id INT NOT NULL)")
	nulls := filepath.Join(dir, "nulls.txt")
	if err := os.WriteFile(nulls, []byte("1\n\\N\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantCopyError(t, s, "COPY nn FROM '"+nulls+"' (ON_ERROR 'ignore')", sqlerr.NotNullViolation, "null value")
	wantCopyError(t, s, "COPY t TO '"+filepath.Join(dir, "out.csv")+"' (ON_ERROR 'ignore')", sqlerr.FeatureNotSupported, "ON_ERROR cannot be used with COPY TO")
}

// TestCopyJSONArrow writes src as NDJSON and as an Arrow IPC file and
// loads each back.
func TestCopyJSONArrow(t *testing.T) {
	db := openCopyDB(t)
	s := db.NewSession("rustydb")
	defer s.Close()
	dir := t.TempDir()
	mustExec(t, db, "ALTER TABLE src ADD COLUMN flag BOOLEAN DEFAULT true")
	mustExec(t, db, "ALTER TABLE src ADD COLUMN at TIMESTAMP DEFAULT '2024-05-06 07:08:09.5'")
	mustExec(t, db, "ALTER TABLE src ADD COLUMN doc JSONB DEFAULT '{\"a\": [1, 2]}'")
	mustExec(t, db, "ALTER TABLE src ADD COLUMN r DOUBLE PRECISION DEFAULT 'NaN'")
	want := copyRows(t, s, "SELECT * FROM src ORDER BY id")
	for _, tc := range []struct{ file, format string }{
		{"src.ndjson", "json"},
		{"src.ndjson.gz", "json"},
		{"src.arrow", "arrow"},
		{"src.arrow.zst", "arrow"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			copyExec(t, s, "COPY src TO '"+path+"' (FORMAT "+tc.format+")", "COPY 5")
			copyExec(t, s, "DROP TABLE IF EXISTS dst; CREATE TABLE dst (id INT PRIMARY KEY, name TEXT, price NUMERIC(8,2), day DATE, note VARCHAR(40), flag BOOLEAN, at TIMESTAMP, doc JSONB, r DOUBLE PRECISION)", "CREATE TABLE")
			copyExec(t, s, "COPY dst FROM '"+path+"' (FORMAT "+tc.format+")", "COPY 5")
			if got := copyRows(t, s, "SELECT * FROM dst ORDER BY id"); got != want {
				t.Errorf("round trip:\n%s\nwant:\n%s", got, want)
			}
		})
	}

	// one object per row, typed as JSON
	path := filepath.Join(dir, "q.ndjson")
	copyExec(t, s, "COPY (SELECT id, name, price, flag, doc, r FROM src WHERE id <= 2 ORDER BY id) TO '"+path+"' (FORMAT json)", "COPY 2")
	if got, _ := os.ReadFile(path); string(got) != `{"id":1,"name":"tea","price":2.50,"flag":true,"doc":{"a": [1, 2]},"r":"NaN"}
{"id":2,"name":null,"price":null,"flag":true,"doc":{"a": [1, 2]},"r":"NaN"}
` {
		t.Errorf("NDJSON written:\n%s", got)
	}

	// by name: missing keys take defaults, unknown keys are ignored
	in := filepath.Join(dir, "in.ndjson")
	if err := os.WriteFile(in, []byte("{\"b\": \"x\", \"a\": 1, \"zzz\": [1]}\n\n{\"a\": 2.5e1, \"c\": null}\r\n{\"a\": -3, \"b\": {\"k\": true}}"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, "CREATE TABLE j (a INT, b TEXT, c TEXT DEFAULT 'dflt')")
	copyExec(t, s, "COPY j FROM '"+in+"' (FORMAT json)", "COPY 3")
	if got, want := copyRows(t, s, "SELECT * FROM j ORDER BY a"), "-3|{\"k\":true}|dflt\n1|x|dflt\n25|NULL|NULL\n"; got != want {
		t.Errorf("loaded by name:\n%s\nwant:\n%s", got, want)
	}

	bad := filepath.Join(dir, "bad.ndjson")
	if err := os.WriteFile(bad, []byte("{\"a\": 1}\n{\"a\": 2\n[3]\n{\"a\": \"x\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ q, code, msg, detail string }{
		{"COPY j FROM '" + bad + "' (FORMAT json)", sqlerr.BadCopyFileFormat, "invalid JSON", `COPY j, file "` + bad + `", line 2`},
		{"COPY j FROM '" + in + "' (FORMAT json, DELIMITER ',')", sqlerr.FeatureNotSupported, `"delimiter" is not available with FORMAT json`, ""},
		{"COPY j FROM '" + in + "' (FORMAT xml)", sqlerr.FeatureNotSupported, `COPY format "xml" is not supported`, ""},
		{"COPY j FROM '" + in + "' (FORMAT arrow)", sqlerr.BadCopyFileFormat, "is not an Arrow IPC file", ""},
		{"COPY j FROM STDIN (FORMAT arrow)", sqlerr.FeatureNotSupported, "server files only", ""},
	} {
		_, err := s.Exec(context.Background(), tc.q)
		if e := sqlerr.From(err); err == nil || e.Code != tc.code || !strings.Contains(e.Message, tc.msg) || !strings.Contains(e.Detail, tc.detail) {
			t.Errorf("%s: got %v, want %s %q %q", tc.q, err, tc.code, tc.msg, tc.detail)
		}
	}
	var c collector
	mustExec(t, db, "TRUNCATE j")
	if _, err := s.Run(context.Background(), "COPY j FROM '"+bad+"' (FORMAT json, ON_ERROR 'ignore')", &c); err != nil || c.rows.tag != "COPY 1" || len(c.notices) != 1 || c.notices[0].Message != "3 rows were skipped due to data type incompatibility" {
		t.Errorf("ON_ERROR ignore over bad JSON: %v, %q, %v", err, c.rows.tag, c.notices)
	}

	// an empty table writes an Arrow file that loads as no rows
	empty := filepath.Join(dir, "empty.arrow")
	copyExec(t, s, "COPY (SELECT * FROM j WHERE false) TO '"+empty+"' (FORMAT arrow)", "COPY 0")
	if got, _ := os.ReadFile(empty); !bytes.HasPrefix(got, []byte("ARROW1")) {
		t.Errorf("%s is no Arrow file: % x", empty, got[:min(len(got), 8)])
	}
	copyExec(t, s, "COPY j FROM '"+empty+"' (FORMAT arrow)", "COPY 0")

	// an IPC stream loads too, its fields matched by name
	var stream bytes.Buffer
	typs := []types.T{types.TText, types.TInt8}
	schema := ArrowSchema([]Column{{Name: "c", Type: typs[0]}, {Name: "a", Type: typs[1]}})
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, row := range [][]types.Value{{types.NewText("s1"), types.NewInt(7)}, {types.Null, types.NewInt(8)}} {
		for i, v := range row {
			if err := AppendArrow(b.Field(i), v, typs[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	iw := ipc.NewWriter(&stream, ipc.WithSchema(schema))
	if err := iw.Write(rec); err != nil || iw.Close() != nil {
		t.Fatal(err)
	}
	arrows := filepath.Join(dir, "s.arrows")
	if err := os.WriteFile(arrows, stream.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, "TRUNCATE j")
	copyExec(t, s, "COPY j FROM '"+arrows+"' (FORMAT arrow)", "COPY 2")
	if got, want := copyRows(t, s, "SELECT * FROM j ORDER BY a"), "7|NULL|s1\n8|NULL|NULL\n"; got != want {
		t.Errorf("from an Arrow stream:\n%s\nwant:\n%s", got, want)
	}
}
