package sql

import (
	"errors"
	"testing"
	"unicode/utf8"

	"rustydb/sqlerr"
)

var fuzzSeeds = []string{
	``,
	`;`,
	`SELECT 1`,
	`SELECT DISTINCT a, t.*, b AS "x" FROM t JOIN u USING (a) LEFT JOIN v ON v.a = t.a WHERE a IN (1, 2) AND b BETWEEN SYMMETRIC 1 AND 2 GROUP BY a HAVING count(*) > 1 ORDER BY a DESC NULLS LAST LIMIT 10 OFFSET 5`,
	`SELECT * FROM (SELECT 1) AS s(x), (VALUES (1, 'a')) v(n, s) NATURAL FULL JOIN w`,
	`SELECT CASE WHEN a THEN 1 ELSE 2 END, CASE a WHEN 1 THEN 'x' END, CAST(a AS numeric(5,2)), a::text, DATE '2024-01-01', EXISTS (SELECT 1), (SELECT 2)`,
	`SELECT 1 UNION ALL SELECT 2 INTERSECT SELECT 3 EXCEPT SELECT 4 ORDER BY 1 FETCH FIRST 2 ROWS ONLY`,
	`(SELECT a FROM t LIMIT 3) ORDER BY a`,
	`SELECT -2 ^ 2, NOT a = b, a IS NOT DISTINCT FROM b, a LIKE 'x%', c NOT ILIKE $1, -9223372036854775808, 1.5e3, E'\x41\u00e9'`,
	`SELECT /*+ PARALLEL(4) */ a FROM t -- comment`,
	`/* a /* nested */ comment */ SELECT "quoted ""id""", 'it''s'`,
	`INSERT INTO t (a, b) VALUES (1, DEFAULT), (2, 'x') RETURNING *`,
	`INSERT INTO t DEFAULT VALUES`,
	`INSERT INTO t SELECT * FROM u`,
	`UPDATE t AS x SET a = a + 1, b = DEFAULT WHERE x.c IS NULL RETURNING a`,
	`DELETE FROM t WHERE a NOT IN (SELECT a FROM u) RETURNING *`,
	`CREATE TABLE IF NOT EXISTS t (a int PRIMARY KEY, b varchar(10) NOT NULL DEFAULT 'x' || 'y', c numeric(10,2) UNIQUE, d timestamp(3) without time zone, PRIMARY KEY (a, b), UNIQUE (c))`,
	`DROP TABLE IF EXISTS a, b CASCADE`,
	`BEGIN ISOLATION LEVEL SERIALIZABLE; COMMIT; START TRANSACTION READ ONLY; ROLLBACK; END; ABORT`,
	`SET search_path TO public, pg_catalog; SET TIME ZONE 'UTC'; SHOW ALL; SHOW TIME ZONE`,
	`SELEC 1`,
	`SELECT 'abc`,
	`SELECT (1`,
	`SELECT 'éé' FROM WHERE`,
	`CREATE TABLE t (a foo)`,
	`SELECT 1a`,
	`SELECT E'\ud83d\ude00'`,
	`SELECT extract(year FROM d), count(*), pg_catalog.lower('A'), s.t.c`,
}

// FuzzParse checks that Parse never panics and that every error it returns is
// a *sqlerr.Error with a five-character SQLSTATE and a position inside the
// statement. Run with: go test ./sql/ -run XXX -fuzz FuzzParse
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		stmts, err := Parse(src)
		if err != nil {
			var se *sqlerr.Error
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q): error %v (%T) is not a *sqlerr.Error", src, err, err)
			}
			if len(se.Code) != 5 {
				t.Fatalf("Parse(%q): SQLSTATE %q", src, se.Code)
			}
			if se.Position < 0 || se.Position > utf8.RuneCountInString(src)+1 {
				t.Fatalf("Parse(%q): position %d outside the statement", src, se.Position)
			}
			if stmts != nil {
				t.Fatalf("Parse(%q): statements returned with an error", src)
			}
			return
		}
		for _, st := range stmts {
			if st == nil {
				t.Fatalf("Parse(%q): nil statement", src)
			}
			_ = Kind(st)
			_ = stmtString(st)
		}
		_, texts, err := Split(src)
		if err != nil || len(texts) != len(stmts) {
			t.Fatalf("Split(%q) = %q, %v; Parse gave %d statements", src, texts, err, len(stmts))
		}
	})
}
