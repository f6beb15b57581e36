package rustydb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rustydb/sqlerr"
)

// Sorts, aggregations and joins past work_mem spill to the data
// directory's tmp/, say so in EXPLAIN ANALYZE, and leave no file behind,
// whether they finish or fail; opening the database empties tmp/.
func TestSpillTempFiles(t *testing.T) {
	dir := t.TempDir()
	db, err := OpenWith(Options{Dir: dir, SyncMode: "off"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close() }()
	mustExec(t, db, `CREATE TABLE t (a INT, k INT, s TEXT)`)
	mustExec(t, db, `INSERT INTO t SELECT g, g % 3001, 'v' || (g % 1009) FROM generate_series(1, 30000) g`)
	mustExec(t, db, `CREATE TABLE u (b INT, k INT)`)
	mustExec(t, db, `INSERT INTO u SELECT g, g % 4001 FROM generate_series(1, 30000) g`)
	tmp := filepath.Join(dir, "tmp")
	empty := func(after string) {
		t.Helper()
		if left, err := os.ReadDir(tmp); err != nil || len(left) > 0 {
			t.Fatalf("after %s: tmp/ holds %v (%v)", after, left, err)
		}
	}
	const setup = "SET work_mem = '64kB'"
	for _, tc := range []struct{ op, query string }{
		{"Sort", `SELECT a, s FROM t ORDER BY s, a`},
		{"Aggregate", `SELECT k, count(DISTINCT s), string_agg(s, ',' ORDER BY a) FROM t GROUP BY k`},
		{"Join", `SELECT t.a, u.b FROM t JOIN u ON t.k = u.k`},
	} {
		plan := queryText(t, db, setup, "EXPLAIN ANALYZE "+tc.query)
		found := false
		for _, line := range strings.Split(plan, "\n") {
			if strings.Contains(line, tc.op) && strings.Contains(line, " disk=") {
				found = true
			}
		}
		if !found {
			t.Errorf("EXPLAIN ANALYZE shows no disk use for %s:\n%s", tc.op, plan)
		}
		empty(tc.query)
	}
	for _, q := range []string{
		`SELECT a FROM t ORDER BY s, 1 / (a - 25000)`,
		`SELECT k, count(DISTINCT s), sum(1 / (a - 25000)) FROM t GROUP BY k`,
		`SELECT t.a, u.b FROM t JOIN u ON t.k = u.k AND 1 / (t.a - u.b + 1000) > 0`,
	} {
		s := db.NewSession("rustydb")
		ctx := context.Background()
		if _, err := s.Exec(ctx, setup); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Exec(ctx, q); sqlerr.Code(err) != sqlerr.DivisionByZero {
			t.Errorf("%s: error %v, want division by zero", q, err)
		}
		s.Close()
		empty(q)
	}
	// counted for v$system_performance when removed: six statements spilled, the first three at least 64kB each
	for _, m := range []struct {
		name string
		min  int
	}{{"temp_files", 6}, {"temp_bytes_written", 3 * 65536}} {
		q := fmt.Sprintf("SELECT value >= %d FROM v$system_performance WHERE metric_name = '%s'", m.min, m.name)
		if got := queryText(t, db, "", q); got != "[t]\n" {
			t.Errorf("%s: %q, want t", q, got)
		}
	}
	// a file left by a server that stopped mid-statement
	if err := os.WriteFile(filepath.Join(tmp, "spill-left"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err = OpenWith(Options{Dir: dir, SyncMode: "off"}); err != nil {
		t.Fatal(err)
	}
	empty("reopening")
}

// TPC-H queries (scale 0.01) on the row path with work_mem at its
// minimum, where their sorts, aggregations and joins spill, return the
// reference answers: joins with a group and a sort (q03), a left join
// counted (q13), count(DISTINCT) with an anti join (q16), a semi join
// on a grouped subquery (q18), NOT EXISTS (q22).
func TestTPCHSpill(t *testing.T) {
	shared := sharedDir()
	if shared == "" {
		t.Skip("../shared is absent; skipping TPC-H answers")
	}
	db, err := OpenWith(Options{Dir: t.TempDir(), SyncMode: "off"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := db.NewSession("rustydb")
	loadTPCH(t, s, shared, "sf0.01")
	ctx := context.Background()
	if _, err := s.Exec(ctx, "SET enable_columnar_scan = off; SET work_mem = '64kB'"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"q03", "q13", "q16", "q18", "q22"} {
		query, err := os.ReadFile(filepath.Join(shared, "tpch", "queries", name+".sql"))
		if err != nil {
			t.Fatal(err)
		}
		answer, err := os.ReadFile(filepath.Join(shared, "tpch", "answers", "sf0.01", name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		files := db.sessions.temp.Files.Load()
		rows, err := s.Query(ctx, string(query))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		compareAnswer(t, rows, string(answer))
		if db.sessions.temp.Files.Load() == files {
			t.Errorf("%s did not spill", name)
		}
	}
}
