package rustydb

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"rustydb/types"
)

// ORDER BY ... LIMIT with a small bound runs as a top-N sort, which EXPLAIN
// ANALYZE shows on the Sort line; a large bound, no LIMIT, or a bound given
// as a parameter answer the same as the literal query.
func TestTopNExplainAndParams(t *testing.T) {
	db, _ := openParamsDB(t)
	mustExec(t, db, `CREATE TABLE tn (id INT, k INT)`)
	mustExec(t, db, `INSERT INTO tn SELECT g, CASE WHEN g % 13 = 0 THEN NULL ELSE (g * 7919) % 101 END FROM generate_series(1, 20000) g`)
	for _, tc := range []struct {
		query string
		topN  string // the Sort line's top-N annotation, "" for none
	}{
		{`SELECT id FROM tn ORDER BY k, id LIMIT 10`, " top-N=10 "},
		{`SELECT id FROM tn ORDER BY k, id LIMIT 10 OFFSET 5`, " top-N=15 "},
		{`SELECT id FROM tn ORDER BY k, id LIMIT 5000`, ""},
		{`SELECT id FROM tn ORDER BY k, id OFFSET 5`, ""},
		{`SELECT id FROM tn ORDER BY k, id`, ""},
	} {
		plan := queryText(t, db, "", "EXPLAIN ANALYZE "+tc.query)
		var sortLine string
		for _, line := range strings.Split(plan, "\n") {
			if strings.Contains(line, "Sort  (actual") || strings.Contains(line, "Sort (actual") {
				sortLine = line
			}
		}
		if sortLine == "" {
			t.Fatalf("%s: no Sort line in\n%s", tc.query, plan)
		}
		if got := strings.Contains(sortLine, " top-N="); got != (tc.topN != "") || tc.topN != "" && !strings.Contains(sortLine, tc.topN) {
			t.Errorf("%s: Sort line %q, want top-N annotation %q", tc.query, sortLine, tc.topN)
		}
	}

	s := db.NewSession("rustydb")
	defer s.Close()
	p, err := s.Prepare(`SELECT id, k FROM tn ORDER BY k DESC, id LIMIT $1 OFFSET $2`, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range [][2]int64{{3, 0}, {3, 1535}, {7, 1600}, {0, 4}, {5000, 15000}} {
		var c collector
		if err := s.ExecutePrepared(context.Background(), p, []types.Value{types.NewInt(b[0]), types.NewInt(b[1])}, &c); err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		for _, r := range c.rows.rows {
			fmt.Fprintln(&got, r)
		}
		want := queryText(t, db, "", fmt.Sprintf(`SELECT id, k FROM tn ORDER BY k DESC, id LIMIT %d OFFSET %d`, b[0], b[1]))
		if got.String() != want || (b[0] > 0 && want == "") {
			t.Errorf("LIMIT $1=%d OFFSET $2=%d: got\n%s\nwant\n%s", b[0], b[1], got.String(), want)
		}
	}
}
