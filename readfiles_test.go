package rustydb

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rustydb/sqlerr"
)

// TestReadFiles queries CSV and NDJSON files with read_csv and read_json
// and checks the column names and types they sniff.
func TestReadFiles(t *testing.T) {
	db := openCopyDB(t)
	s := db.NewSession("rustydb")
	defer s.Close()
	dir := t.TempDir()
	write := func(name, data string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	csvFile := write("a.csv", "id,price,day,at,ok,name,empty\n1,2.5,2024-01-01,2024-01-01 10:00:00,true,x,\n2,3,2024-02-29,2024-01-02 11:30:00.5,FALSE,\"y, \"\"z\"\"\",\n,,,,,,\n")
	pipe := write("b.txt", "1|a\n2|b|\n")
	semi := write("c.csv", "10;1e3\n-7;NaN\n")
	js := write("d.ndjson", "{\"id\": 1, \"tags\": [1, 2], \"v\": 1.5}\n\n{\"id\": 2, \"name\": \"n\", \"v\": 2, \"day\": \"2024-03-01\"}\n")
	// the first 1,000 rows say bigint; the 1,001st does not fit
	late := write("late.csv", "n\n"+strings.Repeat("1\n", 1000)+"x\n")
	for _, tc := range []struct {
		q, cols, rows string
	}{
		{"SELECT * FROM read_csv('" + csvFile + "')",
			"id bigint, price double precision, day date, at timestamp without time zone, ok boolean, name text, empty text",
			"1|2.5|2024-01-01|2024-01-01 10:00:00|t|x|NULL\n2|3|2024-02-29|2024-01-02 11:30:00.5|f|y, \"z\"|NULL\nNULL|NULL|NULL|NULL|NULL|NULL|NULL\n"},
		{"SELECT column1, column0 FROM read_csv('b.txt', header => false, delim => '|') ORDER BY 1 DESC",
			"column1 text, column0 bigint", "b|2\na|1\n"},
		{"SELECT * FROM read_csv('" + semi + "', header => false, delim => ';')", "column0 bigint, column1 text", "10|1e3\n-7|NaN\n"},
		{"SELECT id + 1, tags, v, name, day FROM read_json('" + js + "') r", "?column? bigint, tags text, v double precision, name text, day date",
			"2|[1,2]|1.5|NULL|NULL\n3|NULL|2|n|2024-03-01\n"},
		{"SELECT count(*), sum(n) FROM read_csv('" + late + "') WHERE n < 0", "count bigint, sum numeric", "0|NULL\n"},
	} {
		if strings.Contains(tc.q, "b.txt") {
			// a relative path is in the data directory
			if err := os.Rename(pipe, filepath.Join(db.opts.Dir, "b.txt")); err != nil {
				t.Fatal(err)
			}
		}
		rs, err := s.Query(context.Background(), tc.q)
		if strings.Contains(tc.q, "late.csv") {
			if e := sqlerr.From(err); err == nil || e.Code != sqlerr.InvalidTextRepresentation || !strings.Contains(e.Detail, `read_csv, file "`+late+`", line 1002, column n`) {
				t.Errorf("%s: got %v, want 22P02 on line 1002", tc.q, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.q, err)
			continue
		}
		var cols []string
		for _, c := range rs.Columns() {
			cols = append(cols, c.Name+" "+c.Type.String())
		}
		if got := strings.Join(cols, ", "); got != tc.cols {
			t.Errorf("%s: columns %s, want %s", tc.q, got, tc.cols)
		}
		if got := copyRows(t, s, tc.q); got != tc.rows {
			t.Errorf("%s:\n%s\nwant:\n%s", tc.q, got, tc.rows)
		}
	}

	bad := write("bad.ndjson", "{\"a\": 1}\nnot json\n")
	for _, tc := range []struct{ q, code, msg string }{
		{"SELECT * FROM read_json('" + bad + "')", sqlerr.BadCopyFileFormat, "invalid JSON"},
		{"SELECT * FROM read_csv('" + dir + "/missing.csv')", sqlerr.UndefinedFile, "could not open file"},
		{"SELECT * FROM read_csv('" + csvFile + "', delim => '')", sqlerr.InvalidParameterValue, "delimiter"},
		{"SELECT * FROM read_csv('" + csvFile + "', quote => '\"')", sqlerr.UndefinedFunction, `has no argument "quote"`},
		{"SELECT * FROM read_json('" + js + "', header => true)", sqlerr.UndefinedFunction, "takes no named arguments"},
		{"SELECT * FROM generate_series(1, 2, step => 1)", sqlerr.UndefinedFunction, "takes no named arguments"},
		{"SELECT * FROM read_csv('" + csvFile + "', header => true, 1)", sqlerr.SyntaxError, "positional argument cannot follow named argument"},
		{"SELECT * FROM read_csv(NULL)", sqlerr.InvalidParameterValue, "must not be NULL"},
		{"SELECT * FROM read_csv('" + write("empty.csv", "") + "')", sqlerr.BadCopyFileFormat, "found no columns"},
	} {
		_, err := s.Query(context.Background(), tc.q)
		if e := sqlerr.From(err); err == nil || e.Code != tc.code || !strings.Contains(e.Message, tc.msg) {
			t.Errorf("%s: got %v, want %s %q", tc.q, err, tc.code, tc.msg)
		}
	}

	mustExec(t, db, "CREATE ROLE reader LOGIN")
	reader := db.Login("reader")
	defer reader.Close()
	_, err := reader.Query(context.Background(), "SELECT * FROM read_csv('"+csvFile+"')")
	if sqlerr.Code(err) != sqlerr.InsufficientPrivilege {
		t.Errorf("read_csv as a plain role: %v, want 42501", err)
	}
}
