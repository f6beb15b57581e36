package main

// Parquet interoperability between RustyDB and DuckDB, both ways: DuckDB
// writes a file of many types with NULLs that RustyDB reads with
// read_parquet and COPY FROM, and RustyDB writes one with COPY TO that
// DuckDB reads. The DuckDB-written file is also committed as
// ../../../testdata/parquet/duckdb_types.parquet, which the main module's
// tests read without cgo; -update rewrites it:
//
//	cd benchmarks/peers/duckdb && go test -run TestParquet -update

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"rustydb"
)

var update = flag.Bool("update", false, "rewrite testdata/parquet/duckdb_types.parquet")

// duckTypes is the query DuckDB writes: one row of values, one of NULLs.
const duckTypes = `SELECT * FROM (VALUES
	(1, 7::SMALLINT, 9000000000::BIGINT, 1.5::FLOAT, -2.25::DOUBLE, true, 'tea ☕', DATE '2024-02-29',
	 TIMESTAMP '2024-02-29 12:34:56.789012', 123456789.123::DECIMAL(12,3), 99.9::DECIMAL(4,1),
	 -12345678901234567890.12345::DECIMAL(30,5), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID, '\xDE\xAD'::BLOB, -5::TINYINT, 4000000000::UINTEGER, TIME '12:34:56.5'),
	(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
) t(id, s, b, f, d, ok, txt, day, ts, n, n4, wide, u, bl, tiny, u32, tm)`

// duckTypesRows is how RustyDB reads the file: SELECT * ORDER BY id.
const duckTypesRows = `1|7|9000000000|1.5|-2.25|t|tea ☕|2024-02-29|2024-02-29 12:34:56.789012|123456789.123|99.9|-12345678901234567890.12345|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|\xdead|-5|4000000000|12:34:56.5
2|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL
`

func rustyRows(t *testing.T, s *rustydb.Session, q string) string {
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

// duckGroups is a bigger file DuckDB writes, committed as
// ../../../testdata/parquet/duckdb_groups.parquet: several row groups,
// dictionary-encoded and plain pages, NULLs, over the types RustyDB reads
// into column vectors.
const duckGroups = `SELECT i::INTEGER AS id, CASE WHEN i % 7 <> 0 THEN i % 100 END::SMALLINT AS s,
	CASE WHEN i % 5 <> 0 THEN i * 1000003 END::BIGINT AS b, CASE WHEN i % 6 <> 0 THEN i / 8 END::DOUBLE AS d,
	CASE WHEN i % 11 <> 0 THEN 'tag ' || (i % 13) END AS t, CASE WHEN i % 3 <> 0 THEN 'v' || i END AS v,
	DATE '2024-01-01' + (i % 400)::INTEGER AS day, CASE WHEN i % 14 <> 0 THEN (i * 1.125)::DECIMAL(12,3) END AS n,
	(i % 50 - 25)::DECIMAL(4,1) AS n4, TIMESTAMP '2024-01-01' + to_seconds(i * 61) AS ts
	FROM range(6000) r(i)`

func TestParquetInterop(t *testing.T) {
	dir := t.TempDir()
	duck, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	duckFile := filepath.Join(dir, "duck.parquet")
	if _, err := duck.Exec("COPY (" + duckTypes + ") TO '" + duckFile + "' (FORMAT parquet)"); err != nil {
		t.Fatal(err)
	}
	groupsFile := filepath.Join(dir, "groups.parquet")
	if _, err := duck.Exec("COPY (" + duckGroups + ") TO '" + groupsFile + "' (FORMAT parquet, ROW_GROUP_SIZE 2048, COMPRESSION zstd)"); err != nil {
		t.Fatal(err)
	}
	if *update {
		for from, to := range map[string]string{duckFile: "duckdb_types.parquet", groupsFile: "duckdb_groups.parquet"} {
			data, err := os.ReadFile(from)
			if err == nil {
				err = os.WriteFile("../../../testdata/parquet/"+to, data, 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}

	db, err := rustydb.OpenWith(rustydb.Options{Dir: filepath.Join(dir, "db"), SyncMode: "off"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := db.NewSession("rustydb")
	defer s.Close()

	// DuckDB -> RustyDB
	if got := rustyRows(t, s, "SELECT * FROM read_parquet('"+duckFile+"') ORDER BY id"); got != duckTypesRows {
		t.Errorf("RustyDB reads DuckDB's file as:\n%s\nwant:\n%s", got, duckTypesRows)
	}
	ctx := context.Background()
	if _, err := s.Exec(ctx, `CREATE TABLE rt (id INT, s SMALLINT, b BIGINT, f REAL, d DOUBLE PRECISION, ok BOOLEAN, txt TEXT, day DATE,
		ts TIMESTAMP, n NUMERIC(12,3), n4 NUMERIC(4,1), wide NUMERIC(30,5), u UUID, bl BYTEA, tiny SMALLINT, u32 BIGINT, tm TIME)`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exec(ctx, "COPY rt FROM '"+duckFile+"' (FORMAT parquet)"); err != nil {
		t.Fatal(err)
	}
	if got := rustyRows(t, s, "SELECT * FROM rt ORDER BY id"); got != duckTypesRows {
		t.Errorf("COPY FROM DuckDB's file:\n%s\nwant:\n%s", got, duckTypesRows)
	}

	// RustyDB -> DuckDB
	rustyFile := filepath.Join(dir, "rusty.parquet")
	if _, err := s.Exec(ctx, "COPY rt TO '"+rustyFile+"' (FORMAT parquet)"); err != nil {
		t.Fatal(err)
	}
	rows, err := duck.Query("SELECT column_name || ' ' || column_type FROM (DESCRIBE SELECT * FROM '" + rustyFile + "')")
	if err != nil {
		t.Fatal(err)
	}
	var desc []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		desc = append(desc, d)
	}
	rows.Close()
	wantDesc := "id INTEGER, s SMALLINT, b BIGINT, f FLOAT, d DOUBLE, ok BOOLEAN, txt VARCHAR, day DATE, ts TIMESTAMP, n DECIMAL(12,3), n4 DECIMAL(4,1), wide VARCHAR, u UUID, bl BLOB, tiny SMALLINT, u32 BIGINT, tm TIME"
	if got := strings.Join(desc, ", "); got != wantDesc {
		t.Errorf("DuckDB types RustyDB's file as:\n%s\nwant:\n%s", got, wantDesc)
	}
	// every value reads back equal to what DuckDB wrote (NULLs included)
	var diff int
	if err := duck.QueryRow(`SELECT count(*) FROM (SELECT id, s, b, f, d, ok, txt, day, ts, n, n4, wide::DECIMAL(30,5) AS wide, u, bl, tiny, u32, tm FROM '` + rustyFile + `'
		EXCEPT SELECT id, s, b, f, d, ok, txt, day, ts, n, n4, wide, u, bl, tiny, u32, tm FROM '` + duckFile + `')`).Scan(&diff); err != nil {
		t.Fatal(err)
	}
	if diff != 0 {
		t.Errorf("%d rows of RustyDB's file differ from DuckDB's", diff)
	}

	// the same from column segments, which RustyDB writes from their
	// vectors: a bigger table of the types segments hold
	if _, err := s.Exec(ctx, "CREATE TABLE groups AS SELECT * FROM read_parquet('"+groupsFile+"')"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exec(ctx, "VACUUM groups"); err != nil {
		t.Fatal(err)
	}
	segFile := filepath.Join(dir, "segments.parquet")
	if _, err := s.Exec(ctx, "COPY groups TO '"+segFile+"' (FORMAT parquet, ROW_GROUP_SIZE 3000)"); err != nil {
		t.Fatal(err)
	}
	if err := duck.QueryRow("SELECT count(*) FROM (SELECT * FROM '" + segFile + "' EXCEPT ALL SELECT * FROM '" + groupsFile + "')").Scan(&diff); err != nil {
		t.Fatal(err)
	}
	if diff != 0 {
		t.Errorf("%d rows of RustyDB's file from column segments differ from DuckDB's", diff)
	}
	// and RustyDB's vectorized aggregation over DuckDB's row groups
	// agrees with DuckDB
	const agg = "SELECT t, count(*), count(s), sum(s), sum(b), min(day), max(ts)::TEXT, sum(n)::TEXT, min(n4)::TEXT FROM "
	want := duckRows(t, duck, agg+"'"+groupsFile+"' WHERE id > 2500 GROUP BY t ORDER BY t NULLS LAST")
	if got := rustyRows(t, s, agg+"read_parquet('"+groupsFile+"') WHERE id > 2500 GROUP BY t ORDER BY t"); got != want {
		t.Errorf("RustyDB aggregates DuckDB's file as:\n%s\nDuckDB:\n%s", got, want)
	}
}

// duckRows runs q on DuckDB and formats its rows as rustyRows does.
func duckRows(t *testing.T, duck *sql.DB, q string) string {
	t.Helper()
	rows, err := duck.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteByte('|')
			}
			switch v := v.(type) {
			case nil:
				b.WriteString("NULL")
			case time.Time:
				b.WriteString(v.Format("2006-01-02"))
			default:
				fmt.Fprint(&b, v)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}
