package rustydb

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"rustydb/types"
)

// sharedDir finds ../shared (beside the repository), or "" when absent.
func sharedDir() string {
	for _, d := range []string{"../shared", "../../shared"} {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			abs, _ := filepath.Abs(d)
			return abs
		}
	}
	return ""
}

// loadTPCH creates the TPC-H schema and loads the .tbl files of scale dir.
func loadTPCH(t testing.TB, s *Session, shared, scale string) {
	t.Helper()
	ctx := context.Background()
	schema, err := os.ReadFile(filepath.Join(shared, "tpch", "schema_pg.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exec(ctx, string(schema)); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem"} {
		// the larger scales are gzipped
		path := filepath.Join(shared, "tpch", "data", scale, table+".tbl")
		var f io.ReadCloser
		f, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			var gz *os.File
			if gz, err = os.Open(path + ".gz"); err == nil {
				f, err = gzipFile(gz)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		// dbgen ends each line with the delimiter; COPY wants it between fields only.
		pr, pw := io.Pipe()
		go func() {
			sc := bufio.NewScanner(f)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			w := bufio.NewWriter(pw)
			for sc.Scan() {
				w.WriteString(strings.TrimSuffix(sc.Text(), "|"))
				w.WriteByte('\n')
			}
			w.Flush()
			pw.CloseWithError(sc.Err())
			f.Close()
		}()
		if _, err := s.CopyFrom(ctx, "COPY "+table+" FROM STDIN WITH (DELIMITER '|')", pr); err != nil {
			t.Fatalf("loading %s: %v", table, err)
		}
	}
}

// TestTPCH runs the 22 TPC-H queries at scale 0.01 (RUSTYDB_TPCH_SF=0.1 for
// the larger data set, as make tpch-sf0.1 does) and compares every value
// with the reference answers (numbers within 0.01), on the row path and on
// column segments of 4096 rows with ANALYZE's statistics (which let the
// planner build hash joins on their smaller input).
func TestTPCH(t *testing.T) {
	shared := sharedDir()
	if shared == "" {
		t.Skip("../shared is absent; skipping TPC-H answers")
	}
	scale := "sf" + cmp.Or(os.Getenv("RUSTYDB_TPCH_SF"), "0.01")
	db, err := OpenWith(Options{Dir: t.TempDir(), SyncMode: "off", SegmentRows: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := db.NewSession("rustydb")
	start := time.Now()
	loadTPCH(t, s, shared, scale)
	t.Logf("loaded %s in %v", scale, time.Since(start))
	for _, path := range []string{"row", "columnar"} {
		setting := map[string]string{"row": "off", "columnar": "on"}[path]
		if _, err := s.Exec(context.Background(), "SET enable_columnar_scan = "+setting); err != nil {
			t.Fatal(err)
		}
		if path == "columnar" {
			start := time.Now()
			if _, err := s.Exec(context.Background(), "VACUUM ANALYZE"); err != nil {
				t.Fatal(err)
			}
			t.Logf("columnized in %v", time.Since(start))
		}
		runTPCH(t, s, shared, scale, path)
	}
}

// runTPCH runs the queries and checks their answers.
func runTPCH(t *testing.T, s *Session, shared, scale, path string) {
	for q := 1; q <= 22; q++ {
		name := "q" + strconv.Itoa(100 + q)[1:]
		t.Run(path+"/"+name, func(t *testing.T) {
			query, err := os.ReadFile(filepath.Join(shared, "tpch", "queries", name+".sql"))
			if err != nil {
				t.Fatal(err)
			}
			answer, err := os.ReadFile(filepath.Join(shared, "tpch", "answers", scale, name+".csv"))
			if err != nil {
				t.Fatal(err)
			}
			begin := time.Now()
			rows, err := s.Query(context.Background(), string(query))
			if err != nil {
				t.Fatalf("%v", err)
			}
			t.Logf("%s: %d rows in %v", name, rows.Len(), time.Since(begin))
			compareAnswer(t, rows, string(answer))
		})
	}
}

// compareAnswer checks rows against a |-separated answer with a header.
func compareAnswer(t *testing.T, rows *Rows, answer string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(answer, "\n"), "\n")[1:]
	if rows.Len() != len(lines) {
		t.Fatalf("%d rows, want %d", rows.Len(), len(lines))
	}
	for i := 0; rows.Next(); i++ {
		want := strings.Split(lines[i], "|")
		got := rows.Values()
		if len(got) != len(want) {
			t.Fatalf("row %d: %d columns, want %d", i, len(got), len(want))
		}
		for j, v := range got {
			g := string(types.AppendText(nil, v, rows.Columns()[j].Type)) // NULL is empty, as in the answers
			if g == want[j] {
				continue
			}
			gf, err1 := strconv.ParseFloat(g, 64)
			wf, err2 := strconv.ParseFloat(want[j], 64)
			if err1 == nil && err2 == nil && math.Abs(gf-wf) <= 0.01 {
				continue
			}
			t.Errorf("row %d column %d (%s): got %q, want %q", i, j, rows.Columns()[j].Name, g, want[j])
		}
	}
}

// gzipFile reads a gzipped file; closing it closes the file.
func gzipFile(f *os.File) (io.ReadCloser, error) {
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, f}, nil
}
