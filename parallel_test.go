package rustydb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestParallelMatchesSerial runs aggregations over random data with several
// worker counts and checks every result against the serial one.
func TestParallelMatchesSerial(t *testing.T) {
	db, err := OpenWith(Options{Dir: t.TempDir(), SyncMode: "off"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 8))
	if _, err := db.Exec(ctx, "CREATE TABLE r (id INT PRIMARY KEY, g INT, n NUMERIC(10,3), f FLOAT8, b BOOL)"); err != nil {
		t.Fatal(err)
	}
	const rows = 30000
	var sb strings.Builder
	for i := range rows {
		if i%1000 == 0 {
			if sb.Len() > 0 {
				if _, err := db.Exec(ctx, sb.String()); err != nil {
					t.Fatal(err)
				}
			}
			sb.Reset()
			sb.WriteString("INSERT INTO r VALUES ")
		} else {
			sb.WriteByte(',')
		}
		n, f, b := fmt.Sprint(rng.IntN(2000000)-1000000, ".", rng.IntN(1000)), fmt.Sprint(rng.Float64()*100), fmt.Sprint(rng.IntN(2) == 0)
		if rng.IntN(10) == 0 {
			n, f, b = "NULL", "NULL", "NULL"
		}
		fmt.Fprintf(&sb, "(%d, %d, %s, %s, %s)", i, rng.IntN(13), n, f, b)
	}
	if _, err := db.Exec(ctx, sb.String()); err != nil {
		t.Fatal(err)
	}
	queries := []string{
		"SELECT %s g, count(*), count(n), sum(n), avg(n), min(n), max(n), round(sum(f)::numeric, 6), round(avg(f)::numeric, 9), round(variance(n), 6), bool_and(b), bool_or(b) FROM r GROUP BY g ORDER BY g",
		"SELECT %s count(*), sum(id), max(f) FROM r WHERE n > 0",
		"SELECT %s g, sum(n) FILTER (WHERE b), count(*) FILTER (WHERE f < 50) FROM r WHERE id %% 3 = 0 GROUP BY g ORDER BY g",
		"SELECT %s sum(id) FROM r WHERE id < 0",
		// count(DISTINCT) merges the workers' values seen
		"SELECT %s g, count(DISTINCT n), count(DISTINCT b), count(*) FROM r GROUP BY g ORDER BY g",
		"SELECT %s count(DISTINCT g), count(DISTINCT id %% 1000), count(DISTINCT f) FROM r WHERE n IS NOT NULL",
	}
	result := func(q string) string {
		rs, err := db.Query(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var b strings.Builder
		for rs.Next() {
			fmt.Fprintln(&b, rs.Values())
		}
		return b.String()
	}
	for _, q := range queries {
		want := result(fmt.Sprintf(q, "/*+ NO_PARALLEL */"))
		for _, workers := range []int{2, 3, 4, 7} {
			hinted := fmt.Sprintf(q, fmt.Sprintf("/*+ PARALLEL(%d) */", workers))
			if got := result(hinted); got != want {
				t.Errorf("%s\nwith %d workers:\n%s\nserially:\n%s", q, workers, got, want)
			}
		}
	}
	rs, err := db.Query(ctx, "EXPLAIN ANALYZE SELECT /*+ PARALLEL(2) */ count(*) FROM r")
	if err != nil {
		t.Fatal(err)
	}
	rs.Next()
	if line := fmt.Sprint(rs.Values()[0]); !strings.Contains(line, "workers=2") {
		t.Errorf("EXPLAIN ANALYZE does not report the workers: %s", line)
	}
}
