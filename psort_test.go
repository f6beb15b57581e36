package rustydb

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"rustydb/exec"
)

// TestParallelSort sorts a table in column segments on several workers
// (with and without a join under the sort, under a LIMIT and OFFSET, with
// a work_mem that makes the workers spill) and checks the rows against
// the serial sort of the row path; the ORDER BY lists end in the unique
// id, as workers take segments in no fixed order and so give ties no
// order. EXPLAIN ANALYZE must show the workers, the runs merged and every
// scanned row.
func TestParallelSort(t *testing.T) {
	db, err := OpenWith(Options{Dir: t.TempDir(), SyncMode: "off", SegmentRows: 1024})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	defer func(size int) { exec.BatchSize = size }(exec.BatchSize)
	mustExec(t, db, "CREATE TABLE ps (id INT PRIMARY KEY, k INT, s TEXT, f FLOAT8, n NUMERIC(8,2), d DATE)")
	mustExec(t, db, `INSERT INTO ps SELECT g, CASE WHEN g % 11 = 0 THEN NULL ELSE g % 97 END,
		CASE WHEN g % 13 = 0 THEN NULL ELSE 'Customer#' || lpad(((g * 7919) % 1000)::text, 6, '0') END,
		((g * 31) % 200) / 8.0, ((g * 17) % 500) / 4.0, DATE '2024-01-01' + g % 40 FROM generate_series(1, 12000) g`)
	mustExec(t, db, "CREATE TABLE pk (k INT PRIMARY KEY, label TEXT)")
	mustExec(t, db, "INSERT INTO pk SELECT g, 'k' || (g % 5) FROM generate_series(0, 96, 2) g")
	mustExec(t, db, "VACUUM ps")
	mustExec(t, db, "ANALYZE")
	queries := []string{
		`SELECT %s id, k, s FROM ps WHERE f < 20 ORDER BY k, s DESC, id`,
		`SELECT %s id, s, n FROM ps ORDER BY s NULLS FIRST, n DESC, id LIMIT 50 OFFSET 100`,
		`SELECT %s id, f, d FROM ps ORDER BY d DESC, f, id LIMIT 7`,
		`SELECT %s ps.id, pk.label, ps.n FROM ps JOIN pk ON ps.k = pk.k ORDER BY pk.label DESC, ps.n, ps.id`,
		`SELECT %s k, s FROM ps ORDER BY k DESC NULLS LAST, s LIMIT 300`,
		`SELECT %s id, n * 2, upper(s) FROM ps WHERE id % 3 = 0 ORDER BY 2, 3 DESC, 1`,
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, q := range queries {
		want := queryText(t, db, "SET enable_columnar_scan = off", fmt.Sprintf(q, "/*+ NO_PARALLEL */"))
		for range 3 {
			exec.BatchSize = 1 + rng.IntN(900)
			hint := []string{"/*+ PARALLEL(2) */", "/*+ PARALLEL(3) */", "/*+ PARALLEL(4) */", ""}[rng.IntN(4)]
			setup := []string{"SET work_mem = '64kB'", "SET work_mem = '64MB'"}[rng.IntN(2)]
			if got := queryText(t, db, setup, fmt.Sprintf(q, hint)); got != want {
				t.Errorf("batch size %d, %s, %s: %s\nparallel:\n%.2000s\nserial:\n%.2000s", exec.BatchSize, hint, setup, q, got, want)
			}
		}
	}
	for _, tc := range []struct{ setup, q, want string }{
		{"", `SELECT /*+ PARALLEL(2) */ id, s FROM ps ORDER BY s, id`, `Sort \(actual [^)]*rows=12000 loops=1 workers=2 runs=2 memory=`},
		{"", `SELECT /*+ PARALLEL(3) */ id, s FROM ps ORDER BY s, id LIMIT 10`, `Sort \(actual [^)]*rows=10 loops=1 workers=3 top-N=10 runs=3 memory=`},
		{"SET work_mem = '64kB'", `SELECT /*+ PARALLEL(2) */ id, s FROM ps ORDER BY s, id`, `Sort \(actual [^)]*workers=2 runs=([3-9]|\d\d+) memory=[^)]* disk=`},
	} {
		plan := queryText(t, db, tc.setup, "EXPLAIN ANALYZE "+tc.q)
		if !regexp.MustCompile(tc.want).MatchString(plan) || !strings.Contains(plan, "Seq Scan on ps (actual") ||
			!regexp.MustCompile(`Seq Scan on ps \(actual [^)]*rows=12000 `).MatchString(plan) {
			t.Errorf("%s: EXPLAIN ANALYZE does not match %s or does not count every row scanned:\n%s", tc.q, tc.want, plan)
		}
	}
	if plan := queryText(t, db, "", "EXPLAIN SELECT /*+ PARALLEL(2) */ id FROM ps ORDER BY s"); !strings.Contains(plan, "Workers Planned: 2") {
		t.Errorf("EXPLAIN shows no planned workers for the sort:\n%s", plan)
	}
}
