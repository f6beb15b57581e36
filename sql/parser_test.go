package sql

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"rustydb/sqlerr"
	"rustydb/types"
)

func parseOK(t *testing.T, src string) []Statement {
	t.Helper()
	stmts, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return stmts
}

// TestParseAccepts parses statements PostgreSQL 15 accepts (checked against a
// real server): every statement kind and clause of the AST.
func TestParseAccepts(t *testing.T) {
	srcs := []string{
		`SELECT 1`,
		`select 1;`,
		`SELECT 1; SELECT 2`,
		`;;SELECT 1;;;SELECT 2;`,
		`SELECT`,
		`SELECT * FROM t`,
		`SELECT DISTINCT a, b FROM t`,
		`SELECT ALL a FROM t`,
		`SELECT t.*, u.* FROM t, u`,
		`SELECT "T".* FROM t AS "T"`,
		`SELECT a AS x, b y, c AS "Quoted Alias", 1 AS from FROM t`,
		`SELECT a FROM public.t`,
		`SELECT t.a, public.t.b FROM public.t`,
		`SELECT * FROM t AS x(p, q)`,
		`SELECT * FROM t JOIN u ON t.a = u.a`,
		`SELECT * FROM t INNER JOIN u ON t.a = u.a`,
		`SELECT * FROM t LEFT JOIN u ON t.a = u.a LEFT OUTER JOIN t AS t2 ON t2.a = u.a`,
		`SELECT * FROM t RIGHT JOIN u ON true RIGHT OUTER JOIN t t3 ON true`,
		`SELECT * FROM t FULL JOIN u ON true FULL OUTER JOIN t t4 ON true`,
		`SELECT * FROM t CROSS JOIN u`,
		`SELECT * FROM t JOIN u USING (a, b)`,
		`SELECT * FROM t NATURAL JOIN u`,
		`SELECT * FROM t NATURAL LEFT JOIN u NATURAL RIGHT OUTER JOIN t t2 NATURAL FULL JOIN u u2 NATURAL INNER JOIN t t3`,
		`SELECT * FROM (t JOIN u ON t.a = u.a)`,
		`SELECT * FROM (SELECT a FROM t) AS s`,
		`SELECT * FROM (SELECT a FROM t) s(x)`,
		`SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, s)`,
		`SELECT * FROM ((SELECT 1) UNION (SELECT 2)) s`,
		`SELECT * FROM t WHERE a IN (1, 2, 3) AND b NOT IN (4)`,
		`SELECT * FROM t WHERE a IN (SELECT a FROM u) OR a NOT IN (SELECT b FROM u)`,
		`SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.a = t.a) AND NOT EXISTS (SELECT 1)`,
		`SELECT (SELECT max(a) FROM u), (VALUES (1)) FROM t`,
		`SELECT * FROM t WHERE a BETWEEN 1 AND 10 AND b NOT BETWEEN 2 AND 3`,
		`SELECT * FROM t WHERE a BETWEEN SYMMETRIC 10 AND 1`,
		`SELECT * FROM t WHERE c LIKE 'a%' OR c NOT LIKE '_b' OR c ILIKE 'X' OR c NOT ILIKE 'y'`,
		`SELECT a IS NULL, a IS NOT NULL, a ISNULL, a NOTNULL FROM t`,
		`SELECT a > 1 IS TRUE, a > 1 IS NOT TRUE, a > 1 IS FALSE, a > 1 IS NOT FALSE, a > 1 IS UNKNOWN, a > 1 IS NOT UNKNOWN FROM t`,
		`SELECT a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b FROM t`,
		`SELECT CASE WHEN a > 0 THEN 'pos' WHEN a < 0 THEN 'neg' ELSE 'zero' END FROM t`,
		`SELECT CASE a WHEN 1 THEN 'one' WHEN 2 THEN 'two' END FROM t`,
		`SELECT CAST(a AS text), CAST('1' AS numeric(5,2)), a::bigint, '2024-01-01'::date, 1::double precision FROM t`,
		`SELECT a::text::varchar(3), CAST(CAST(a AS int) AS text) FROM t`,
		`SELECT DATE '2024-01-01', TIMESTAMP '2024-01-01 10:00:00', INTEGER '5', NUMERIC '1.5', TEXT 'x', BOOLEAN 't', VARCHAR 'v', REAL '1.5', BIGINT '1', SMALLINT '2', INT '3', DECIMAL '4.5', DOUBLE PRECISION '2.5'`,
		`SELECT int4 '5', float8 '1.5', int8 '7', bool 't', timestamp without time zone '2020-01-01'`,
		`SELECT a, count(*) FROM t GROUP BY a HAVING count(*) > 1`,
		`SELECT a, b, sum(c) FROM t GROUP BY a, b ORDER BY a DESC, b ASC`,
		`SELECT a FROM t ORDER BY a NULLS FIRST, b DESC NULLS LAST, c ASC NULLS LAST`,
		`SELECT a FROM t LIMIT 10`,
		`SELECT a FROM t LIMIT 10 OFFSET 5`,
		`SELECT a FROM t OFFSET 5 LIMIT 10`,
		`SELECT a FROM t LIMIT ALL`,
		`SELECT a FROM t OFFSET 5 ROWS`,
		`SELECT a FROM t FETCH FIRST 3 ROWS ONLY`,
		`SELECT a FROM t OFFSET 1 ROW FETCH NEXT 1 ROW ONLY`,
		`SELECT a FROM t FETCH FIRST ROW ONLY`,
		`SELECT a FROM t ORDER BY 1 LIMIT $1 OFFSET $2`,
		`SELECT 1 UNION SELECT 2`,
		`SELECT 1 UNION ALL SELECT 2`,
		`SELECT 1 UNION DISTINCT SELECT 2`,
		`SELECT 1 INTERSECT SELECT 2`,
		`SELECT 1 INTERSECT ALL SELECT 2`,
		`SELECT 1 EXCEPT SELECT 2`,
		`SELECT 1 EXCEPT ALL SELECT 2`,
		`SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT SELECT 4 ORDER BY 1 LIMIT 2`,
		`(SELECT 1 ORDER BY 1 LIMIT 1) UNION ALL (SELECT 2)`,
		`VALUES (1, 'a'), (2, 'b')`,
		`VALUES (1) UNION VALUES (2) ORDER BY 1`,
		`SELECT count(*), count(DISTINCT a), count(ALL a), max(a), now(), lower('X'), coalesce(a, 0), pg_catalog.lower('A') FROM t`,
		`SELECT extract(year FROM DATE '2024-01-01'), date_part('month', DATE '2024-01-01')`,
		`SELECT current_date, current_timestamp, localtimestamp, current_user, session_user, current_schema`,
		`SELECT $1, $2::int, $10`,
		`SELECT 1 + 2 * 3 - 4 / 5 % 6 ^ 7, -a, +a, - -1, 'a' || 'b' || 'c' FROM t`,
		`SELECT a = b, a <> b, a != b, a < b, a <= b, a > b, a >= b FROM t`,
		`SELECT NOT a AND b OR c FROM t`,
		`SELECT true = not false`,
		`SELECT E'a\nb', E'it''s', E'\\', E'\'', 'it''s', e'x'`,
		`SELECT "select", "with ""quotes""", "MixedCase" FROM t`,
		`SELECT 1 -- trailing comment`,
		`SELECT /* comment /* nested */ still comment */ 1`,
		`/* leading comment */ SELECT 1`,
		`SELECT /*+ PARALLEL(4) */ a FROM t`,
		`SELECT /*+ PARALLEL(4) NO_INDEX(t) */ /*+ HASH_JOIN */ a FROM t`,
		`/*+ not a hint here */ SELECT 1`,
		`SELECT 1 /*+ not a hint here */`,
		`SELECT .5, 1., 1.5e3, 1e-3, 1E+10, 3000000000, 9223372036854775808`,
		`SELECT café, "café", naïve FROM t`,
		`INSERT INTO t VALUES (1, 2, 'x')`,
		`INSERT INTO t (a, b) VALUES (1, 2), (3, 4)`,
		`INSERT INTO t (a, c) VALUES (DEFAULT, 'x'), (1, DEFAULT)`,
		`INSERT INTO t DEFAULT VALUES`,
		`INSERT INTO t SELECT * FROM u`,
		`INSERT INTO t (a) SELECT a FROM u WHERE a > 1`,
		`INSERT INTO t (a) (SELECT 1)`,
		`INSERT INTO t VALUES (1) RETURNING *`,
		`INSERT INTO t (a) VALUES (1) RETURNING a, b AS bee`,
		`INSERT INTO t AS x VALUES (1)`,
		`INSERT INTO public.t VALUES (1)`,
		`INSERT /*+ BATCH */ INTO t VALUES (1)`,
		`UPDATE t SET a = 1`,
		`UPDATE t SET a = a + 1, b = DEFAULT WHERE c = 'x'`,
		`UPDATE t AS x SET a = 1 WHERE x.b = 2 RETURNING x.a, *`,
		`UPDATE t x SET a = 1`,
		`UPDATE /*+ PARALLEL(2) */ public.t SET a = 1 RETURNING a`,
		`DELETE FROM t`,
		`DELETE FROM t WHERE a = 1`,
		`DELETE FROM t AS x WHERE x.a = 1 RETURNING *`,
		`DELETE FROM t x WHERE x.a IN (SELECT a FROM u) RETURNING x.a, x.b AS y`,
		`CREATE TABLE t (a int)`,
		`CREATE TABLE IF NOT EXISTS t (a int)`,
		`CREATE TABLE public.t (a int PRIMARY KEY, b text NOT NULL, c varchar(10) UNIQUE, d numeric(10,2) DEFAULT 0, e bool NULL)`,
		`CREATE TABLE t (a smallint, b int2, c integer, d int, e int4, f bigint, g int8, h real, i float4, j double precision, k float8, l float, m float(10), n float(53), o numeric, p numeric(10,2), q numeric(5), r decimal(7,3), s text, u varchar, v varchar(20), w character varying(20), x char, y char(3), z character(3), aa bool, ab boolean, ac date, ad timestamp, ae timestamp without time zone, af timestamp(3), ag timestamp(6) without time zone, ah bpchar(4), ai numeric(5,6), aj decimal)`,
		`CREATE TABLE t (a int, b int, c text, PRIMARY KEY (a, b), UNIQUE (c), UNIQUE (a, c))`,
		`CREATE TABLE t (a int CONSTRAINT a_nn NOT NULL CONSTRAINT a_pk PRIMARY KEY, b int, CONSTRAINT t_uq UNIQUE (b))`,
		`CREATE TABLE t (a int DEFAULT 1 + 2 NOT NULL, b text DEFAULT 'a' || 'b', c bool DEFAULT 1 < 2, d date DEFAULT current_date, e int DEFAULT -1, f timestamp DEFAULT now())`,
		`CREATE TABLE t (a int NOT NULL UNIQUE PRIMARY KEY DEFAULT 5)`,
		`CREATE TABLE "My Table" ("Col" int)`,
		`DROP TABLE t`,
		`DROP TABLE IF EXISTS t`,
		`DROP TABLE IF EXISTS t, u`,
		`DROP TABLE t, public.u CASCADE`,
		`DROP TABLE t RESTRICT`,
		`BEGIN`,
		`BEGIN WORK`,
		`BEGIN TRANSACTION`,
		`BEGIN ISOLATION LEVEL SERIALIZABLE`,
		`BEGIN TRANSACTION ISOLATION LEVEL READ COMMITTED, READ WRITE`,
		`BEGIN READ ONLY`,
		`BEGIN NOT DEFERRABLE`,
		`START TRANSACTION`,
		`START TRANSACTION ISOLATION LEVEL REPEATABLE READ`,
		`START TRANSACTION ISOLATION LEVEL READ UNCOMMITTED READ ONLY DEFERRABLE`,
		`COMMIT`,
		`COMMIT WORK`,
		`COMMIT TRANSACTION`,
		`END`,
		`END TRANSACTION`,
		`ROLLBACK`,
		`ROLLBACK WORK`,
		`ROLLBACK TRANSACTION`,
		`ABORT`,
		`SET search_path = public`,
		`SET search_path TO public, pg_catalog`,
		`SET TIME ZONE 'UTC'`,
		`SET TIME ZONE LOCAL`,
		`SET SESSION statement_timeout = 1000`,
		`SET LOCAL statement_timeout TO '5s'`,
		`SET extra_float_digits = -3`,
		`SET application_name TO DEFAULT`,
		`SET myapp.setting = 'x'`,
		`SET datestyle = ISO, MDY`,
		`SET client_min_messages = warning; SELECT 1`,
		`SHOW search_path`,
		`SHOW ALL`,
		`SHOW TIME ZONE`,
		`SHOW TRANSACTION ISOLATION LEVEL`,
		`SHOW "search_path"`,
	}
	for _, src := range srcs {
		stmts, err := Parse(src)
		if err != nil {
			t.Errorf("Parse(%q): %v", src, err)
			continue
		}
		want := 0
		for _, part := range strings.Split(src, ";") {
			if strings.TrimSpace(part) != "" {
				want++
			}
		}
		if len(stmts) != want {
			t.Errorf("Parse(%q): %d statements, want %d", src, len(stmts), want)
		}
		for _, st := range stmts {
			if s := stmtString(st); strings.Contains(s, "?") {
				t.Errorf("Parse(%q): unexpected node in %s", src, s)
			}
		}
		_, texts, err := Split(src)
		if err != nil || len(texts) != len(stmts) {
			t.Errorf("Split(%q) = %q, %v; want %d texts", src, texts, err, len(stmts))
		}
	}
	for _, src := range []string{"", " ", ";", " ; ;; ", "-- only a comment", "/* only */ ; /* comments */"} {
		if stmts := parseOK(t, src); len(stmts) != 0 {
			t.Errorf("Parse(%q) = %d statements, want none", src, len(stmts))
		}
	}
}

// TestParseWindowsAndTruncate checks the parts of the WINDOW clause, OVER
// clauses naming a window and TRUNCATE's options.
func TestParseWindowsAndTruncate(t *testing.T) {
	sel := parseOK(t, `SELECT sum(a) OVER w, sum(a) OVER (w ROWS 1 PRECEDING), rank() OVER (PARTITION BY b) FROM t WINDOW w AS (PARTITION BY b), w2 AS (w ORDER BY c)`)[0].(*SelectStmt)
	if len(sel.Windows) != 2 || sel.Windows[0].Name != "w" || len(sel.Windows[0].Spec.PartitionBy) != 1 ||
		sel.Windows[1].Spec.Ref != "w" || len(sel.Windows[1].Spec.OrderBy) != 1 {
		t.Errorf("WINDOW clause: %+v", sel.Windows)
	}
	over := func(i int) *WindowSpec { return sel.Targets[i].Expr.(*FuncCall).Over }
	if o := over(0); o.Ref != "w" || !o.Bare {
		t.Errorf("OVER w: %+v", o)
	}
	if o := over(1); o.Ref != "w" || o.Bare || o.Frame == nil {
		t.Errorf("OVER (w ROWS ...): %+v", o)
	}
	if o := over(2); o.Ref != "" || len(o.PartitionBy) != 1 {
		t.Errorf("OVER (PARTITION BY b): %+v", o)
	}
	for src, want := range map[string]Statement{
		`CREATE SCHEMA s`: &CreateSchemaStmt{Name: "s"},
		`CREATE SCHEMA IF NOT EXISTS "S" AUTHORIZATION bob`: &CreateSchemaStmt{Name: "S", Owner: "bob", IfNotExists: true},
		`CREATE SCHEMA AUTHORIZATION bob`:                   &CreateSchemaStmt{Name: "bob", Owner: "bob"},
		`DROP SCHEMA IF EXISTS a, b CASCADE`:                &DropSchemaStmt{Names: []string{"a", "b"}, IfExists: true, Cascade: true},
		`DROP SCHEMA a RESTRICT`:                            &DropSchemaStmt{Names: []string{"a"}},
		`ALTER SCHEMA a RENAME TO b`:                        &AlterSchemaStmt{Name: "a", RenameTo: "b"},
		`CREATE SCHEMA s CREATE SEQUENCE q CREATE INDEX i ON t (a)`: &CreateSchemaStmt{Name: "s", Elements: []Statement{
			&CreateSequenceStmt{Name: ObjectName{Name: "q"}, Options: SequenceOptions{}},
			&CreateIndexStmt{Name: "i", Table: ObjectName{Name: "t"}, Columns: []string{"a"}}}},
		`ALTER SCHEMA a OWNER TO CURRENT_USER`: &AlterSchemaStmt{Name: "a", SetOwner: true},
		`ALTER TABLE IF EXISTS ONLY s.t SET SCHEMA s2`: &AlterTableStmt{Table: ObjectName{Schema: "s", Name: "t"}, IfExists: true, Object: "table",
			Action: AlterAction{SetSchema: "s2"}},
		`ALTER VIEW v SET SCHEMA "S"`:             &AlterTableStmt{Table: ObjectName{Name: "v"}, Object: "view", Action: AlterAction{SetSchema: "S"}},
		`ALTER SEQUENCE IF EXISTS q SET SCHEMA s`: &AlterTableStmt{Table: ObjectName{Name: "q"}, IfExists: true, Object: "sequence", Action: AlterAction{SetSchema: "s"}},
	} {
		if got := parseOK(t, src)[0]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %+v, want %+v", src, got, want)
		}
	}
	if n, err := ParseObjectName(`S."My Seq"`); err != nil || n != (ObjectName{Schema: "s", Name: "My Seq"}) {
		t.Errorf(`ParseObjectName(S."My Seq") = %+v, %v`, n, err)
	}
	a, b := ObjectName{Name: "a"}, ObjectName{Name: "b"}
	for src, want := range map[string]TruncateStmt{
		`TRUNCATE a`: {Names: []ObjectName{a}},
		`TRUNCATE TABLE a, b RESTART IDENTITY CASCADE`: {Names: []ObjectName{a, b}, RestartIdentity: true, Cascade: true},
		`TRUNCATE ONLY a CONTINUE IDENTITY RESTRICT`:   {Names: []ObjectName{a}},
		`TRUNCATE a CASCADE`:                           {Names: []ObjectName{a}, Cascade: true},
		`TRUNCATE public.a RESTART IDENTITY`:           {Names: []ObjectName{{Schema: "public", Name: "a"}}, RestartIdentity: true},
	} {
		got := *parseOK(t, src)[0].(*TruncateStmt)
		if !slices.Equal(got.Names, want.Names) || got.RestartIdentity != want.RestartIdentity || got.Cascade != want.Cascade {
			t.Errorf("%s: %+v, want %+v", src, got, want)
		}
	}
	for _, src := range []string{`TRUNCATE a CASCADE RESTART IDENTITY`, `TRUNCATE a RESTART`, `SELECT 1 WINDOW w`,
		`ALTER VIEW v RENAME TO w`, `ALTER SEQUENCE q SET SCHEMA`, `CREATE SCHEMA s CREATE SCHEMA t`,
		`CREATE SCHEMA IF NOT EXISTS s CREATE TABLE t (a INT)`, `CREATE SCHEMA s CREATE TABLE t (a INT) SELECT 1`} {
		if _, err := Parse(src); err == nil {
			t.Errorf("Parse(%q) succeeded, want a syntax error", src)
		}
	}
}

// TestParseAST checks the whole parsed tree of representative statements,
// rendered back as canonical text (see print_test.go).
func TestParseAST(t *testing.T) {
	cases := []struct{ in, want string }{
		// SELECT lists, aliases, stars
		{`SELECT 1`, `SELECT 1`},
		{`SELECT`, `SELECT`},
		{`SELECT DISTINCT a, b FROM t`, `SELECT DISTINCT a, b FROM t`},
		{`SELECT ALL a FROM t`, `SELECT a FROM t`},
		{`SELECT *, t.*, "T".* FROM t`, `SELECT *, t.*, T.* FROM t`},
		{`SELECT a AS x, b y, c AS "Quoted", 1 AS from, 2 "select" FROM t`, `SELECT a AS x, b AS y, c AS Quoted, 1 AS from, 2 AS select FROM t`},
		{`SELECT A, "A", Tab.COL FROM Tab`, `SELECT a, A, tab.col FROM tab`},
		{`SELECT t.a, public.t.b FROM public.t`, `SELECT t.a, public.t.b FROM public.t`},
		{`SELECT s.t.*, "S"."T".* FROM s.t`, `SELECT s.t.*, S.T.* FROM s.t`},
		{`SELECT "with ""quotes"""`, `SELECT with "quotes"`},
		{`SELECT café, naïve_1, ÄÖ FROM t`, `SELECT café, naïve_1, äö FROM t`},

		// FROM: joins, subqueries, VALUES
		{`SELECT * FROM t, u AS x, v y`, `SELECT * FROM t, u AS x, v AS y`},
		{`SELECT * FROM t AS x(p, q)`, `SELECT * FROM t AS x(p, q)`},
		{`SELECT * FROM t JOIN u ON t.a = u.a`, `SELECT * FROM (t INNER JOIN u ON (t.a = u.a))`},
		{`SELECT * FROM t INNER JOIN u USING (a, b)`, `SELECT * FROM (t INNER JOIN u USING (a, b))`},
		{`SELECT * FROM t LEFT JOIN u ON true LEFT OUTER JOIN v ON false`, `SELECT * FROM ((t LEFT JOIN u ON TRUE) LEFT JOIN v ON FALSE)`},
		{`SELECT * FROM t RIGHT OUTER JOIN u ON true`, `SELECT * FROM (t RIGHT JOIN u ON TRUE)`},
		{`SELECT * FROM t FULL JOIN u ON true FULL OUTER JOIN v USING (a)`, `SELECT * FROM ((t FULL JOIN u ON TRUE) FULL JOIN v USING (a))`},
		{`SELECT * FROM t CROSS JOIN u, v`, `SELECT * FROM (t CROSS JOIN u), v`},
		{`SELECT * FROM t NATURAL JOIN u NATURAL LEFT JOIN v`, `SELECT * FROM ((t NATURAL INNER JOIN u) NATURAL LEFT JOIN v)`},
		{`SELECT * FROM t NATURAL FULL OUTER JOIN u`, `SELECT * FROM (t NATURAL FULL JOIN u)`},
		{`SELECT * FROM t x JOIN (u y JOIN v z ON true) ON true`, `SELECT * FROM (t AS x INNER JOIN (u AS y INNER JOIN v AS z ON TRUE) ON TRUE)`},
		{`SELECT * FROM (SELECT a FROM t) AS s`, `SELECT * FROM (SELECT a FROM t) AS s`},
		{`SELECT * FROM (SELECT a FROM t) s(x)`, `SELECT * FROM (SELECT a FROM t) AS s(x)`},
		{`SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, s)`, `SELECT * FROM (SELECT * FROM VALUES (1, 'a'), (2, 'b') AS *VALUES*) AS v(n, s)`},
		{`VALUES (1), (2)`, `SELECT * FROM VALUES (1), (2) AS *VALUES*`},

		// WHERE, GROUP BY, HAVING, ORDER BY, LIMIT
		{`SELECT a, count(*) FROM t WHERE b > 1 GROUP BY a, c HAVING count(*) > 1`, `SELECT a, count(*) FROM t WHERE (b > 1) GROUP BY a, c HAVING (count(*) > 1)`},
		{`SELECT a FROM t ORDER BY a, b DESC, c ASC NULLS FIRST, d DESC NULLS LAST`, `SELECT a FROM t ORDER BY a, b DESC, c NULLS FIRST, d DESC NULLS LAST`},
		{`SELECT a FROM t ORDER BY 1 LIMIT 10 OFFSET 5`, `SELECT a FROM t ORDER BY 1 LIMIT 10 OFFSET 5`},
		{`SELECT a FROM t OFFSET 5 LIMIT $1`, `SELECT a FROM t LIMIT $1 OFFSET 5`},
		{`SELECT a FROM t LIMIT ALL`, `SELECT a FROM t`},
		{`SELECT a FROM t LIMIT NULL`, `SELECT a FROM t LIMIT NULL`},
		{`SELECT a FROM t OFFSET 2 ROWS FETCH FIRST 3 ROWS ONLY`, `SELECT a FROM t LIMIT 3 OFFSET 2`},
		{`SELECT a FROM t FETCH NEXT ROW ONLY`, `SELECT a FROM t LIMIT 1`},
		{`SELECT a FROM t OFFSET 1 ROW FETCH FIRST 2 ROW ONLY`, `SELECT a FROM t LIMIT 2 OFFSET 1`},

		// set operations: INTERSECT binds tighter; ORDER BY/LIMIT apply to the whole
		{`SELECT 1 UNION SELECT 2`, `(SELECT 1) UNION (SELECT 2)`},
		{`SELECT 1 UNION ALL SELECT 2 UNION DISTINCT SELECT 3`, `((SELECT 1) UNION ALL (SELECT 2)) UNION (SELECT 3)`},
		{`SELECT 1 EXCEPT ALL SELECT 2 INTERSECT SELECT 3`, `(SELECT 1) EXCEPT ALL ((SELECT 2) INTERSECT (SELECT 3))`},
		{`SELECT 1 INTERSECT ALL SELECT 2 UNION SELECT 3 ORDER BY 1 LIMIT 1`, `((SELECT 1) INTERSECT ALL (SELECT 2)) UNION (SELECT 3) ORDER BY 1 LIMIT 1`},
		{`(SELECT 1 ORDER BY 1 LIMIT 1) UNION (SELECT 2)`, `(SELECT 1 ORDER BY 1 LIMIT 1) UNION (SELECT 2)`},
		{`SELECT 1 UNION (SELECT 2 UNION SELECT 3)`, `(SELECT 1) UNION ((SELECT 2) UNION (SELECT 3))`},
		{`VALUES (1) EXCEPT VALUES (2) ORDER BY 1`, `(SELECT * FROM VALUES (1) AS *VALUES*) EXCEPT (SELECT * FROM VALUES (2) AS *VALUES*) ORDER BY 1`},
		// A parenthesized query takes the ORDER BY/LIMIT it lacks, as in PostgreSQL.
		{`(SELECT a FROM t LIMIT 3) ORDER BY a DESC`, `SELECT a FROM t ORDER BY a DESC LIMIT 3`},
		{`(SELECT a FROM t ORDER BY a DESC LIMIT 5) OFFSET 2`, `SELECT a FROM t ORDER BY a DESC LIMIT 5 OFFSET 2`},
		{`((SELECT 1))`, `SELECT 1`},

		// subqueries in expressions
		{`SELECT * FROM t WHERE a IN (SELECT a FROM u) AND b NOT IN (1, 2)`, `SELECT * FROM t WHERE ((a IN (SELECT a FROM u)) and (b NOT IN (1, 2)))`},
		{`SELECT EXISTS (SELECT 1), NOT EXISTS (SELECT 2 FROM u)`, `SELECT EXISTS(SELECT 1), (NOT EXISTS(SELECT 2 FROM u))`},
		{`SELECT (SELECT max(a) FROM u), (VALUES (1))`, `SELECT (SELECT max(a) FROM u), (SELECT * FROM VALUES (1) AS *VALUES*)`},
		{`SELECT a IN ((SELECT 1), 2)`, `SELECT (a IN ((SELECT 1), 2))`},

		// INSERT
		{`INSERT INTO t VALUES (1, 'x', NULL)`, `INSERT INTO t VALUES (1, 'x', NULL)`},
		{`INSERT INTO t (a, b) VALUES (1, 2), (3, DEFAULT)`, `INSERT INTO t (a, b) VALUES (1, 2), (3, DEFAULT)`},
		{`INSERT INTO t DEFAULT VALUES`, `INSERT INTO t DEFAULT VALUES`},
		{`INSERT INTO t SELECT * FROM u WHERE a > 1`, `INSERT INTO t SELECT * FROM u WHERE (a > 1)`},
		{`INSERT INTO t (a) (SELECT 1) RETURNING *`, `INSERT INTO t (a) SELECT 1 RETURNING *`},
		{`INSERT INTO t (a) VALUES (1) RETURNING a, b AS bee, t.*`, `INSERT INTO t (a) VALUES (1) RETURNING a, b AS bee, t.*`},
		{`INSERT INTO public.t AS x VALUES (-1)`, `INSERT INTO public.t VALUES (-1)`},
		{`INSERT /*+ BATCH(100) */ INTO t VALUES (1)`, `INSERT /*+ BATCH(100) */ INTO t VALUES (1)`},
		{`INSERT INTO t VALUES ((SELECT 1))`, `INSERT INTO t VALUES ((SELECT 1))`},

		// UPDATE and DELETE
		{`UPDATE t SET a = a + 1, b = DEFAULT WHERE c = 'x'`, `UPDATE t SET a = (a + 1), b = DEFAULT WHERE (c = 'x')`},
		{`UPDATE t AS x SET a = 1 WHERE x.b = 2 RETURNING x.a, *`, `UPDATE t AS x SET a = 1 WHERE (x.b = 2) RETURNING x.a, *`},
		{`UPDATE t x SET a = 1`, `UPDATE t AS x SET a = 1`},
		{`UPDATE /*+ PARALLEL(2) */ public.t SET a = 1 RETURNING a`, `UPDATE /*+ PARALLEL(2) */ public.t SET a = 1 RETURNING a`},
		{`DELETE FROM t`, `DELETE FROM t`},
		{`DELETE FROM t AS x WHERE x.a = 1 RETURNING *`, `DELETE FROM t AS x WHERE (x.a = 1) RETURNING *`},
		{`DELETE FROM t x WHERE x.a IN (SELECT a FROM u) RETURNING x.a AS y`, `DELETE FROM t AS x WHERE (x.a IN (SELECT a FROM u)) RETURNING x.a AS y`},

		// CREATE TABLE
		{`CREATE TABLE t (a int)`, `CREATE TABLE t (a integer)`},
		{`CREATE TABLE IF NOT EXISTS public.t (a int PRIMARY KEY, b text NOT NULL, c varchar(10) UNIQUE, d numeric(10,2) DEFAULT 0, e bool NULL)`,
			`CREATE TABLE IF NOT EXISTS public.t (a integer PRIMARY KEY, b text NOT NULL, c character varying(10) UNIQUE, d numeric(10,2) DEFAULT 0, e boolean)`},
		{`CREATE TABLE t (a smallint, b int2, c integer, d int, e int4, f bigint, g int8)`,
			`CREATE TABLE t (a smallint, b smallint, c integer, d integer, e integer, f bigint, g bigint)`},
		{`CREATE TABLE t (h real, i float4, j double precision, k float8, l float, m float(10), n float(53))`,
			`CREATE TABLE t (h real, i real, j double precision, k double precision, l double precision, m real, n double precision)`},
		{`CREATE TABLE t (o numeric, p numeric(10,2), q numeric(5), r decimal(7,3), s decimal, x numeric(3,5))`,
			`CREATE TABLE t (o numeric, p numeric(10,2), q numeric(5,0), r numeric(7,3), s numeric, x numeric(3,5))`},
		{`CREATE TABLE t (s text, u varchar, v varchar(20), w character varying(20), x char, y char(3), z character(3), ah bpchar(4), ai character)`,
			`CREATE TABLE t (s text, u character varying, v character varying(20), w character varying(20), x character(1), y character(3), z character(3), ah character(4), ai character(1))`},
		{`CREATE TABLE t (aa bool, ab boolean, ac date, ad timestamp, ae timestamp without time zone, af timestamp(3), ag timestamp(6) without time zone)`,
			`CREATE TABLE t (aa boolean, ab boolean, ac date, ad timestamp without time zone, ae timestamp without time zone, af timestamp without time zone, ag timestamp without time zone)`},
		{`CREATE TABLE t (a timestamptz, b timestamp with time zone, c timestamptz(3), d timestamp(0) with time zone, e time, f time(3) without time zone, g uuid, h bytea)`,
			`CREATE TABLE t (a timestamp with time zone, b timestamp with time zone, c timestamp with time zone, d timestamp with time zone, e time without time zone, f time without time zone, g uuid, h bytea)`},
		{`CREATE TABLE t (a int, b int, c text, PRIMARY KEY (a, b), UNIQUE (c), UNIQUE (a, c))`,
			`CREATE TABLE t (a integer, b integer, c text, PRIMARY KEY (a, b), UNIQUE (c), UNIQUE (a, c))`},
		{`CREATE TABLE t (a int CONSTRAINT a_nn NOT NULL CONSTRAINT a_pk PRIMARY KEY, b int, CONSTRAINT t_uq UNIQUE (b), CONSTRAINT pk PRIMARY KEY (b))`,
			`CREATE TABLE t (a integer NOT NULL PRIMARY KEY, b integer, PRIMARY KEY (b), UNIQUE (b))`},
		{`CREATE TABLE t (a int DEFAULT 1 + 2 NOT NULL, b text DEFAULT 'a' || 'b', c bool DEFAULT 1 < 2, d date DEFAULT current_date, e int DEFAULT -1, f timestamp DEFAULT now())`,
			`CREATE TABLE t (a integer NOT NULL DEFAULT (1 + 2), b text DEFAULT ('a' || 'b'), c boolean DEFAULT (1 < 2), d date DEFAULT current_date(), e integer DEFAULT -1, f timestamp without time zone DEFAULT now())`},
		{`CREATE TABLE t (a int NOT NULL UNIQUE PRIMARY KEY DEFAULT 5)`, `CREATE TABLE t (a integer NOT NULL PRIMARY KEY UNIQUE DEFAULT 5)`},
		{`CREATE TABLE "My Table" ("Col" INT)`, `CREATE TABLE My Table (Col integer)`},

		// DROP TABLE
		{`DROP TABLE t`, `DROP TABLE t`},
		{`DROP TABLE IF EXISTS a, b`, `DROP TABLE IF EXISTS a, b`},
		{`DROP TABLE t, public.u CASCADE`, `DROP TABLE t, public.u CASCADE`},
		{`DROP TABLE t RESTRICT`, `DROP TABLE t`},

		// transactions
		{`BEGIN`, `BEGIN`},
		{`begin work`, `BEGIN`},
		{`BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE`, `BEGIN`},
		{`BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE`, `BEGIN`},
		{`START TRANSACTION ISOLATION LEVEL REPEATABLE READ`, `BEGIN`},
		{`START TRANSACTION ISOLATION LEVEL READ UNCOMMITTED READ ONLY NOT DEFERRABLE`, `BEGIN`},
		{`COMMIT`, `COMMIT`},
		{`COMMIT WORK`, `COMMIT`},
		{`END`, `COMMIT`},
		{`END TRANSACTION`, `COMMIT`},
		{`ROLLBACK`, `ROLLBACK`},
		{`ROLLBACK TRANSACTION`, `ROLLBACK`},
		{`ABORT`, `ROLLBACK`},

		// SET and SHOW
		{`SET search_path = public`, `SET search_path = public`},
		{`SET search_path TO public, "$user"`, `SET search_path = public, $user`},
		{`SET TIME ZONE 'Europe/Paris'`, `SET timezone = Europe/Paris`},
		{`SET TIME ZONE LOCAL`, `SET timezone = local`},
		{`SET SESSION statement_timeout = 1000`, `SET statement_timeout = 1000`},
		{`SET LOCAL statement_timeout TO '5s'`, `SET statement_timeout = 5s`},
		{`SET extra_float_digits = -3`, `SET extra_float_digits = -3`},
		{`SET x = 1.5`, `SET x = 1.5`},
		{`SET application_name TO DEFAULT`, `SET application_name = default`},
		{`SET myapp.setting = 'x'`, `SET myapp.setting = x`},
		{`SET DateStyle = ISO, MDY`, `SET datestyle = iso, mdy`},
		{`SHOW search_path`, `SHOW search_path`},
		{`SHOW ALL`, `SHOW all`},
		{`SHOW TIME ZONE`, `SHOW timezone`},
		{`SHOW TRANSACTION ISOLATION LEVEL`, `SHOW transaction isolation level`},
		{`SHOW "DateStyle"`, `SHOW DateStyle`},
		{`SHOW logging.level`, `SHOW logging.level`},
		{`SHOW config_file`, `SHOW config_file`},
		{`SHOW PARAMETERS`, `SELECT name, type, value, default_value, is_dynamic, scope FROM v$parameter ORDER BY name`},
		{`SHOW PARAMETERS LIKE '%memory%'`, `SELECT name, type, value, default_value, is_dynamic, scope FROM v$parameter WHERE ((name ILIKE '%memory%') or (config_key ILIKE '%memory%')) ORDER BY name`},
		{`show parameter work_mem`, `SELECT name, type, value, default_value, is_dynamic, scope FROM v$parameter WHERE ((name ILIKE '%work_mem%') or (config_key ILIKE '%work_mem%')) ORDER BY name`},
		{`SHOW PARAMETERS LIKE 'it''s'`, `SELECT name, type, value, default_value, is_dynamic, scope FROM v$parameter WHERE ((name ILIKE 'it''s') or (config_key ILIKE 'it''s')) ORDER BY name`},
		{`ALTER SYSTEM SET work_mem = '128MB'`, `ALTER SYSTEM SET work_mem = 128MB`},
		{`ALTER SYSTEM SET memory.work_mem TO '128MB' SCOPE = memory`, `ALTER SYSTEM SET memory.work_mem = 128MB SCOPE = MEMORY`},
		{`alter system set max_connections = 200 scope = both`, `ALTER SYSTEM SET max_connections = 200 SCOPE = BOTH`},
		{`ALTER SYSTEM SET slow_query_threshold_ms = -1 SCOPE = SPFILE`, `ALTER SYSTEM SET slow_query_threshold_ms = -1 SCOPE = SPFILE`},
		{`ALTER SYSTEM SET level = DEFAULT`, `ALTER SYSTEM RESET level`},
		{`ALTER SYSTEM SET level = 'default'`, `ALTER SYSTEM SET level = default`},
		{`ALTER SYSTEM RESET work_mem SCOPE = SPFILE`, `ALTER SYSTEM RESET work_mem SCOPE = SPFILE`},
		{`ALTER SESSION SET work_mem = '1GB'`, `SET work_mem = 1GB`},

		// hints: only right after the first keyword; anywhere else a comment
		{`SELECT /*+ PARALLEL(4) */ a FROM t`, `SELECT /*+ PARALLEL(4) */ a FROM t`},
		{`SELECT /*+ parallel(4) no_index(t, t_a) hash_join */ /*+ LEADING(t u) */ 1`, `SELECT /*+ PARALLEL(4) */ /*+ NO_INDEX(t, t_a) */ /*+ HASH_JOIN */ /*+ LEADING(t, u) */ 1`},
		{`SELECT 1 UNION SELECT /*+ PARALLEL(2) */ 2`, `(SELECT 1) UNION (SELECT /*+ PARALLEL(2) */ 2)`},
		{`/*+ PARALLEL(4) */ SELECT 1`, `SELECT 1`},
		{`SELECT 1 /*+ PARALLEL(4) */ FROM t`, `SELECT 1 FROM t`},
		{`SELECT /* plain */ 1`, `SELECT 1`},

		// comments, strings and identifiers
		{"SELECT 1 -- comment\n + 2 -- another", `SELECT (1 + 2)`},
		{`SELECT /* a /* nested */ comment */ 1`, `SELECT 1`},
		{`SELECT 'it''s', E'it\'s', E'a\\b', E'tab\there', e'\x41\101\u00e9'`, `SELECT 'it''s', 'it''s', 'a\b', 'tab` + "\t" + `here', 'AAé'`},
		{`SELECT ''`, `SELECT ''`},
		{`SELECT $1, $2::int, $10`, `SELECT $1, CAST($2 AS integer), $10`},
	}
	for _, c := range cases {
		stmts, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if len(stmts) != 1 {
			t.Errorf("Parse(%q): %d statements", c.in, len(stmts))
			continue
		}
		if got := stmtString(stmts[0]); got != c.want {
			t.Errorf("Parse(%q)\n got  %s\n want %s", c.in, got, c.want)
		}
	}
}

// TestExprPrecedence checks operator precedence and associativity as in
// PostgreSQL's grammar.
func TestExprPrecedence(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		stmts, err := Parse("SELECT " + in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			return
		}
		sel := stmts[0].(*SelectStmt)
		if len(sel.Targets) != 1 {
			t.Errorf("%s: %d targets", in, len(sel.Targets))
			return
		}
		if got := exprString(sel.Targets[0].Expr); got != want {
			t.Errorf("%s\n got  %s\n want %s", in, got, want)
		}
	}
	f(`1 + 2 * 3`, `(1 + (2 * 3))`)
	f(`(1 + 2) * 3`, `((1 + 2) * 3)`)
	f(`1 - 2 - 3`, `((1 - 2) - 3)`)
	f(`8 / 4 / 2`, `((8 / 4) / 2)`)
	f(`1 + 2 % 3 * 4`, `(1 + ((2 % 3) * 4))`)
	f(`2 * 3 ^ 2`, `(2 * (3 ^ 2))`)
	f(`2 ^ 3 ^ 2`, `((2 ^ 3) ^ 2)`)
	f(`-2 ^ 2`, `(-2 ^ 2)`) // unary minus binds tighter than ^: (-2)^2 = 4
	f(`-a ^ 2`, `((-a) ^ 2)`)
	f(`- - 1`, `1`)
	f(`(information_schema._pg_expandarray(i.indkey)).n`, `(_pg_expandarray(i.indkey)).n`)
	f(`(r.keys).x = 1`, `((r.keys).x = 1)`)
	f(`((f(a)).x)."Y"`, `((f(a)).x).Y`)
	f(`-(1)`, `-1`)
	f(`+a`, `a`)
	f(`-a.b`, `(-a.b)`)
	f(`-1::text`, `(-CAST(1 AS text))`) // :: binds tighter than unary minus
	f(`a::int + b`, `(CAST(a AS integer) + b)`)
	f(`a::int::text`, `CAST(CAST(a AS integer) AS text)`)
	f(`'a' || 'b' || 'c'`, `(('a' || 'b') || 'c')`)
	f(`'a' || 1 + 2`, `('a' || (1 + 2))`)
	f(`a || b = c`, `((a || b) = c)`)
	f(`a OR b AND c`, `(a or (b and c))`)
	f(`a AND b OR c`, `((a and b) or c)`)
	f(`a OR b OR c`, `((a or b) or c)`)
	f(`NOT a = b`, `(NOT (a = b))`)
	f(`NOT a AND b`, `((NOT a) and b)`)
	f(`NOT NOT a`, `(NOT (NOT a))`)
	f(`NOT a IS NULL`, `(NOT (a IS NULL))`)
	f(`a = NOT b`, `(a = (NOT b))`)
	f(`true = not false and true`, `((TRUE = (NOT FALSE)) and TRUE)`)
	f(`a < b AND b <= c OR d <> e AND f != g`, `(((a < b) and (b <= c)) or ((d <> e) and (f <> g)))`)
	f(`a + 1 > b * 2`, `((a + 1) > (b * 2))`)
	f(`a = b IS NULL`, `((a = b) IS NULL)`)
	f(`a IS NOT NULL`, `(a IS NOT NULL)`)
	f(`a ISNULL`, `(a IS NULL)`)
	f(`a NOTNULL`, `(a IS NOT NULL)`)
	f(`a IS TRUE`, `(a IS TRUE)`)
	f(`a IS NOT FALSE`, `(a IS NOT FALSE)`)
	f(`a IS UNKNOWN`, `(a IS UNKNOWN)`)
	f(`a > 1 IS NOT TRUE`, `((a > 1) IS NOT TRUE)`)
	f(`a IS DISTINCT FROM b`, `(a is distinct from b)`)
	f(`a IS NOT DISTINCT FROM b + 1`, `(a is not distinct from (b + 1))`)
	f(`a BETWEEN 1 AND 2`, `(a BETWEEN 1 AND 2)`)
	f(`a BETWEEN 1 AND 2 AND c`, `((a BETWEEN 1 AND 2) and c)`)
	f(`a NOT BETWEEN b + 1 AND c * 2`, `(a NOT BETWEEN (b + 1) AND (c * 2))`)
	f(`a BETWEEN SYMMETRIC 10 AND 1`, `((a BETWEEN 10 AND 1) or (a BETWEEN 1 AND 10))`)
	f(`a NOT BETWEEN SYMMETRIC 10 AND 1`, `((a NOT BETWEEN 10 AND 1) and (a NOT BETWEEN 1 AND 10))`)
	f(`a = 1 AND b BETWEEN 1 AND 2 OR c`, `(((a = 1) and (b BETWEEN 1 AND 2)) or c)`)
	f(`a IN (1, 2)`, `(a IN (1, 2))`)
	f(`a NOT IN (1)`, `(a NOT IN (1))`)
	f(`a + 1 IN (b)`, `((a + 1) IN (b))`)
	f(`a IN (1) = true`, `((a IN (1)) = TRUE)`)
	f(`NOT a IN (1)`, `(NOT (a IN (1)))`)
	f(`a LIKE 'x%'`, `(a LIKE 'x%')`)
	f(`a NOT LIKE 'x' || 'y'`, `(a NOT LIKE ('x' || 'y'))`)
	f(`a ILIKE b AND c NOT ILIKE d`, `((a ILIKE b) and (c NOT ILIKE d))`)
	f(`a SIMILAR TO 'x%' || 'y'`, `(a SIMILAR TO ('x%' || 'y'))`)
	f(`a NOT SIMILAR TO b ESCAPE '#' AND c`, `((a NOT SIMILAR TO b ESCAPE '#') and c)`)
	f(`string_agg(a, ',' ORDER BY b DESC, c NULLS FIRST)`, `string_agg(a, ',' ORDER BY b DESC, c NULLS FIRST)`)
	f(`count(DISTINCT a ORDER BY a)`, `count(DISTINCT a ORDER BY a)`)
	f(`CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END`, `CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END`)
	f(`CASE a WHEN 1 THEN 'x' END`, `CASE a WHEN 1 THEN 'x' END`)
	f(`CASE WHEN a = 1 OR b THEN c + 1 END * 2`, `(CASE WHEN ((a = 1) or b) THEN (c + 1) END * 2)`)
	f(`CAST(a + 1 AS bigint)`, `CAST((a + 1) AS bigint)`)
	f(`CAST('1.5' AS numeric(5, 2))`, `CAST('1.5' AS numeric(5,2))`)
	f(`DATE '2024-01-01'`, `CAST('2024-01-01' AS date)`)
	f(`TIMESTAMP '2024-01-01 10:00'`, `CAST('2024-01-01 10:00' AS timestamp without time zone)`)
	f(`timestamp without time zone '2024-01-01'`, `CAST('2024-01-01' AS timestamp without time zone)`)
	f(`TIMESTAMPTZ '2024-01-01 10:00+02'`, `CAST('2024-01-01 10:00+02' AS timestamp with time zone)`)
	f(`timestamp with time zone '2024-01-01'`, `CAST('2024-01-01' AS timestamp with time zone)`)
	f(`TIME '13:45:06.123'`, `CAST('13:45:06.123' AS time without time zone)`)
	f(`time(3) without time zone '13:45'`, `CAST('13:45' AS time without time zone)`)
	f(`uuid 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'`, `CAST('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' AS uuid)`)
	f(`bytea '\x01'`, `CAST('\x01' AS bytea)`)
	f(`time + 1`, `(time + 1)`)
	f(`DOUBLE PRECISION '1.5'`, `CAST('1.5' AS double precision)`)
	f(`int4 '5'`, `CAST('5' AS integer)`)
	f(`float8 '1e3'`, `CAST('1e3' AS double precision)`)
	f(`bool 'yes'`, `CAST('yes' AS boolean)`)
	f(`varchar(2) 'abc'`, `CAST('abc' AS character varying(2))`)
	f(`numeric(4,1) '1.25'`, `CAST('1.25' AS numeric(4,1))`)
	f(`count(*)`, `count(*)`)
	f(`count(DISTINCT a)`, `count(DISTINCT a)`)
	f(`count(ALL a)`, `count(a)`)
	f(`now()`, `now()`)
	f(`coalesce(a, b, 1)`, `coalesce(a, b, 1)`)
	f(`pg_catalog.lower('A')`, `lower('A')`)
	f(`extract(year FROM d)`, `extract('year', d)`)
	f(`EXTRACT('month' FROM d)`, `extract('month', d)`)
	f(`date_part('day', d)`, `date_part('day', d)`)
	f(`current_date`, `current_date()`)
	f(`CURRENT_TIMESTAMP`, `current_timestamp()`)
	f(`s.t.c`, `s.t.c`)
	f(`"A"."B"`, `A.B`)
	f(`$1 + $2`, `($1 + $2)`)
	f(`NULL`, `NULL`)
	f(`(((1)))`, `1`)
}

// TestLiteralTypes checks the types given to constants, as PostgreSQL's
// make_const does (negative literals are folded before typing).
func TestLiteralTypes(t *testing.T) {
	f := func(in string, want types.T, value string) {
		t.Helper()
		stmts, err := Parse("SELECT " + in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			return
		}
		lit, ok := stmts[0].(*SelectStmt).Targets[0].Expr.(*Literal)
		if !ok {
			t.Errorf("%s: %T is not a literal", in, stmts[0].(*SelectStmt).Targets[0].Expr)
			return
		}
		if lit.Type != want || types.Format(lit.Value) != value {
			t.Errorf("%s: literal %q of type %s, want %q of type %s", in, types.Format(lit.Value), lit.Type, value, want)
		}
	}
	f(`1`, types.TInt4, "1")
	f(`0`, types.TInt4, "0")
	f(`007`, types.TInt4, "7")
	f(`2147483647`, types.TInt4, "2147483647")
	f(`2147483648`, types.TInt8, "2147483648")
	f(`-2147483648`, types.TInt4, "-2147483648")
	f(`-2147483649`, types.TInt8, "-2147483649")
	f(`-(2147483648)`, types.TInt4, "-2147483648")
	f(`3000000000`, types.TInt8, "3000000000")
	f(`9223372036854775807`, types.TInt8, "9223372036854775807")
	f(`-9223372036854775808`, types.TInt8, "-9223372036854775808")
	f(`9223372036854775808`, types.TNumeric, "9223372036854775808")
	f(`-9223372036854775809`, types.TNumeric, "-9223372036854775809")
	f(`99999999999999999999999999999`, types.TNumeric, "99999999999999999999999999999")
	f(`1.5`, types.TNumeric, "1.5")
	f(`1.50`, types.TNumeric, "1.50")
	f(`-1.5`, types.TNumeric, "-1.5")
	f(`-0.0`, types.TNumeric, "0.0")
	f(`.5`, types.TNumeric, "0.5")
	f(`1.`, types.TNumeric, "1")
	f(`1e3`, types.TNumeric, "1000")
	f(`1.5E-3`, types.TNumeric, "0.0015")
	f(`2e+2`, types.TNumeric, "200")
	f(`-9223372036854775808.0`, types.TNumeric, "-9223372036854775808.0")
	f(`1e-16383`, types.TNumeric, "0."+strings.Repeat("0", 16382)+"1")
	f(`0e99999`, types.TNumeric, "0")
	f(`0.00e2`, types.TNumeric, "0")
	f(`1.50e1`, types.TNumeric, "15.0")
	f(`0e5`, types.TNumeric, "0")
	f(`'x'`, types.TUnknown, "x")
	f(`''`, types.TUnknown, "")
	f(`E'\n'`, types.TUnknown, "\n")
	f(`NULL`, types.TUnknown, "")
	f(`TRUE`, types.TBool, "t")
	f(`false`, types.TBool, "f")

	// NULL is a NULL value, not an empty string.
	stmts := parseOK(t, "SELECT NULL")
	if lit := stmts[0].(*SelectStmt).Targets[0].Expr.(*Literal); !lit.Value.IsNull() {
		t.Errorf("NULL literal is %v", lit.Value)
	}
}

// TestParseErrors checks SQLSTATE, message and the 1-based character
// position of errors against what PostgreSQL 15 reports.
func TestParseErrors(t *testing.T) {
	cases := []struct {
		in   string
		code string
		msg  string
		pos  int
	}{
		{`SELEC 1`, "42601", `syntax error at or near "SELEC"`, 1},
		{`SELECT (a).*`, "0A000", `(expression).* is not supported`, 12},
		{`SELECT (a).1`, "42601", `syntax error at or near ".1"`, 11},
		{`ALTER SYSTEM SET work_mem = '1GB' SCOPE = disk`, "42601", `SCOPE must be MEMORY, SPFILE or BOTH`, 43},
		{`ALTER SYSTEM SET work_mem`, "42601", `syntax error at end of input`, 26},
		{`ALTER SYSTEM RESET`, "42601", `syntax error at end of input`, 19},
		{`SHOW PARAMETERS LIKE 5`, "42601", `syntax error at or near "5"`, 22},
		{`SELECT 1 FROM`, "42601", `syntax error at end of input`, 14},
		{`SELECT 1 FROM   `, "42601", `syntax error at end of input`, 17},
		{`SELECT 1 FROM -- c`, "42601", `syntax error at end of input`, 19},
		{`SELECT 'abc`, "42601", `unterminated quoted string at or near "'abc"`, 8},
		{`SELECT E'abc`, "42601", `unterminated quoted string at or near "E'abc"`, 8},
		{`SELECT E'abc\'`, "42601", `unterminated quoted string at or near "E'abc\'"`, 8},
		{`SELECT 1 FROM t WHERE a = 'x`, "42601", `unterminated quoted string at or near "'x"`, 27},
		{`SELECT (1`, "42601", `syntax error at end of input`, 10},
		{`SELECT ((1)`, "42601", `syntax error at end of input`, 12},
		{`SELECT 1)`, "42601", `syntax error at or near ")"`, 9},
		{`SELECT 1 +`, "42601", `syntax error at end of input`, 11},
		{`SELECT 1 2`, "42601", `syntax error at or near "2"`, 10},
		{`SELECT 'a' || 'b' 'c'`, "42601", `syntax error at or near "'c'"`, 19},
		{`SELECT 1 'it''s'`, "42601", `syntax error at or near "'it''s'"`, 10},
		{`SELECT 1 "Quoted"""`, "42601", ``, 0}, // an alias: valid
		{`SELECT 1 < 2 < 3`, "42601", `syntax error at or near "<"`, 14},
		{`SELECT 1 = 1 = 1`, "42601", `syntax error at or near "="`, 14},
		{`SELECT "`, "42601", `unterminated quoted identifier at or near """`, 8},
		{`SELECT ""`, "42601", `zero-length delimited identifier at or near """"`, 8},
		{`SELECT /* unterminated`, "42601", `unterminated /* comment at or near "/* unterminated"`, 8},
		{`SELECT /* a /* b */`, "42601", `unterminated /* comment at or near "/* a /* b */"`, 8},
		{`SELECT /*+ PARALLEL(4)`, "42601", `unterminated /* comment at or near "/*+ PARALLEL(4)"`, 8},
		{`SELECT 1a`, "42601", `trailing junk after numeric literal at or near "1a"`, 8},
		{`SELECT 1.5e`, "42601", `trailing junk after numeric literal at or near "1.5e"`, 8},
		{`SELECT 0x1F`, "42601", `trailing junk after numeric literal at or near "0x1F"`, 8},
		{`SELECT CASE END`, "42601", `syntax error at or near "END"`, 13},
		{`SELECT 1 FROM t t2 t3`, "42601", `syntax error at or near "t3"`, 20},
		{`SELECT 1 FROM t JOIN u`, "42601", `syntax error at end of input`, 23},
		{`SELECT 1 FROM t NATURAL JOIN u ON true`, "42601", `syntax error at or near "ON"`, 32},
		{`SELECT * FROM t LIMIT`, "42601", `syntax error at end of input`, 22},
		{`SELECT a FROM t LIMIT 1 LIMIT 2`, "42601", `syntax error at or near "LIMIT"`, 25},
		{`SELECT a FROM t OFFSET 1 OFFSET 2`, "42601", `syntax error at or near "OFFSET"`, 26},
		{`SELECT a FROM t LIMIT 1 FETCH FIRST 2 ROWS ONLY`, "42601", `syntax error at or near "FETCH"`, 25},
		{`(SELECT a FROM t ORDER BY a) ORDER BY a DESC`, "42601", `multiple ORDER BY clauses not allowed`, 39},
		{`(SELECT a FROM t ORDER BY a LIMIT 3) LIMIT 2`, "42601", `multiple LIMIT clauses not allowed`, 44},
		{`(SELECT a FROM t OFFSET 3) OFFSET 2`, "42601", `multiple OFFSET clauses not allowed`, 35},
		{`SELECT count(*`, "42601", `syntax error at end of input`, 15},
		{`SELECT 1 BETWEEN 2`, "42601", `syntax error at end of input`, 19},
		{`SELECT x IN 1`, "42601", `syntax error at or near "1"`, 13},
		{`SELECT 1 is foo`, "42601", `syntax error at or near "foo"`, 13},
		{`SELECT 1 FROM`, "42601", `syntax error at end of input`, 14},
		{`SELECT * FROM (SELECT 1)`, "42601", `subquery in FROM must have an alias`, 15},
		{`SELECT * FROM (SELECT 1) WHERE true`, "42601", `subquery in FROM must have an alias`, 15},
		{`VALUES (1),(1,2)`, "42601", `VALUES lists must all be the same length`, 13},
		{`INSERT INTO t VALUES (1), (1, 2)`, "42601", `VALUES lists must all be the same length`, 28},
		{`INSERT INTO t VALUES`, "42601", `syntax error at end of input`, 21},
		{`INSERT t VALUES (1)`, "42601", `syntax error at or near "t"`, 8},
		{`DROP TABLE`, "42601", `syntax error at end of input`, 11},
		{`UPDATE t SET`, "42601", `syntax error at end of input`, 13},
		{`UPDATE t SET a`, "42601", `syntax error at end of input`, 15},
		{`DELETE t`, "42601", `syntax error at or near "t"`, 8},
		{`select 1; selec 2`, "42601", `syntax error at or near "selec"`, 11},
		{`SELECT 1 SELECT 2`, "42601", `syntax error at or near "SELECT"`, 10},
		{`SET x`, "42601", `syntax error at end of input`, 6},
		{`SET x =`, "42601", `syntax error at end of input`, 8},
		{`SET x = 1 2`, "42601", `syntax error at or near "2"`, 11},
		{`SHOW`, "42601", `syntax error at end of input`, 5},
		{`BEGIN ISOLATION LEVEL SOMETIMES`, "42601", `syntax error at or near "SOMETIMES"`, 23},
		{`START`, "42601", `syntax error at end of input`, 6},
		{`CREATE TABLE t (a int, b)`, "42601", `syntax error at or near ")"`, 25},
		{`CREATE TABLE t (a foo)`, "42704", `type "foo" does not exist`, 19},
		{`CREATE TABLE t (a int, b "Int")`, "42704", `type "Int" does not exist`, 26},
		{`SELECT 1::foo`, "42704", `type "foo" does not exist`, 11},
		{`SELECT CAST(1 AS nosuch)`, "42704", `type "nosuch" does not exist`, 18},
		{`CREATE TABLE t (a int, PRIMARY KEY (a), PRIMARY KEY (a))`, "42P16", `multiple primary keys for table "t" are not allowed`, 41},
		{`CREATE TABLE t (a numeric(1001))`, "22023", `NUMERIC precision 1001 must be between 1 and 1000`, 19},
		{`CREATE TABLE t (a numeric(0))`, "22023", `NUMERIC precision 0 must be between 1 and 1000`, 19},
		{`CREATE TABLE t (a numeric(5,1001))`, "22023", `NUMERIC scale 1001 must be between -1000 and 1000`, 19},
		{`CREATE TABLE t (a numeric(1,2,3))`, "22023", `invalid NUMERIC type modifier`, 19},
		{`CREATE TABLE t (a varchar(0))`, "22023", `length for type varchar must be at least 1`, 19},
		{`CREATE TABLE t (a char(0))`, "22023", `length for type char must be at least 1`, 19},
		{`CREATE TABLE t (a varchar(10485761))`, "22023", `length for type varchar cannot exceed 10485760`, 19},
		{`CREATE TABLE t (a float(0))`, "22023", `precision for type float must be at least 1 bit`, 25},
		{`CREATE TABLE t (a float(54))`, "22023", `precision for type float must be less than 54 bits`, 25},
		{`CREATE TABLE t (a int(5))`, "42601", `syntax error at or near "("`, 22},
		{`CREATE TABLE t (a bool(1))`, "42601", `type modifier is not allowed for type "bool"`, 19},
		{`CREATE TABLE t (a varchar(1, 2))`, "42601", `syntax error at or near ","`, 28},
		{`CREATE TABLE t (a text(5))`, "42601", `type modifier is not allowed for type "text"`, 19},
		{`CREATE TABLE t (a date(1))`, "42601", `type modifier is not allowed for type "date"`, 19},
		{`CREATE TABLE t (a varchar(1,2))`, "42601", `syntax error at or near ","`, 28},
		{`CREATE TABLE t (a time with time zone)`, "0A000", `type time with time zone is not supported yet`, 19},
		{`SELECT 1, 1e131072`, "22003", `value overflows numeric format`, 11},
		{`SELECT 1e999999999999`, "22003", `value overflows numeric format`, 8},
		{`SELECT 1e-16384`, "22003", `value overflows numeric format`, 8},
		{`SELECT 0e-99999`, "22003", `value overflows numeric format`, 8},

		// Positions count characters, not bytes.
		{`SELECT 'éé' FROM WHERE`, "42601", `syntax error at or near "WHERE"`, 18},
		{`SELECT 'éé', 1 +`, "42601", `syntax error at end of input`, 17},
		{`SELECT '日本語', 1 FROM WHERE`, "42601", `syntax error at or near "WHERE"`, 22},
		{`SELECT "ü" FROM t WHERE ü = 'ö' AND`, "42601", `syntax error at end of input`, 36},
		{`SELECT 'ü', 'x`, "42601", `unterminated quoted string at or near "'x"`, 13},
		{"SELECT 'ä' -- ü\n + + FROM", "42601", `syntax error at or near "FROM"`, 22},
		{`SELECT 1 € 2`, "42601", `syntax error at or near "2"`, 12}, // € is an identifier character
		{"SELECT '\xff'", "22021", `invalid byte sequence for encoding "UTF8": 0xff`, 0},
		{`SELECT E'\xff'`, "22021", `invalid byte sequence for encoding "UTF8": 0xff`, 0},
		{`SELECT E'\000'`, "22021", `invalid byte sequence for encoding "UTF8": 0x00`, 0},
		{`SELECT E'\u12'`, "22025", `invalid Unicode escape`, 10},
		{`SELECT E'\u0000'`, "42601", `invalid Unicode escape value at or near "\u0000"`, 10},
		{`SELECT E'\U00110000'`, "42601", `invalid Unicode escape value at or near "\U00110000"`, 10},
		{`SELECT E'\ude00'`, "42601", `invalid Unicode surrogate pair at or near "\ude00"`, 10},
		{`SELECT E'\ud83dx'`, "42601", `invalid Unicode surrogate pair at or near "x"`, 16},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		if c.msg == "" {
			if err != nil {
				t.Errorf("Parse(%q): %v", c.in, err)
			}
			continue
		}
		var se *sqlerr.Error
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q): error %v is not a *sqlerr.Error", c.in, err)
			continue
		}
		if se.Code != c.code || se.Message != c.msg || se.Position != c.pos {
			t.Errorf("Parse(%q):\n got  %s %q at %d\n want %s %q at %d", c.in, se.Code, se.Message, se.Position, c.code, c.msg, c.pos)
		}
	}
}

func TestSplit(t *testing.T) {
	f := func(src string, want ...string) {
		t.Helper()
		stmts, texts, err := Split(src)
		if err != nil {
			t.Errorf("Split(%q): %v", src, err)
			return
		}
		if len(stmts) != len(want) || strings.Join(texts, "|") != strings.Join(want, "|") {
			t.Errorf("Split(%q) = %d statements %q, want %q", src, len(stmts), texts, want)
		}
	}
	f(``)
	f(`;;`)
	f(`SELECT 1`, `SELECT 1`)
	f(`  SELECT 1 ;  `, `SELECT 1`)
	f(`SELECT 1; SELECT 2;`, `SELECT 1`, `SELECT 2`)
	f("BEGIN;\nINSERT INTO t VALUES (1);\n;\nCOMMIT", `BEGIN`, `INSERT INTO t VALUES (1)`, `COMMIT`)
	f(`SELECT 'a;b'; SELECT "x;y" FROM t`, `SELECT 'a;b'`, `SELECT "x;y" FROM t`)
	f("-- leading\nSELECT 1; /* mid */ SELECT 2", `SELECT 1`, `SELECT 2`)
	f(`SELECT /*+ PARALLEL(2) */ 1; SET x = 1; SHOW x`, `SELECT /*+ PARALLEL(2) */ 1`, `SET x = 1`, `SHOW x`)
	f(`SELECT 'é';SELECT 'ü'`, `SELECT 'é'`, `SELECT 'ü'`)

	if _, _, err := Split(`SELECT 1; SELEC 2`); sqlerr.Code(err) != sqlerr.SyntaxError {
		t.Errorf("Split of a bad statement: %v", err)
	}
}

func TestKind(t *testing.T) {
	f := func(src, want string) {
		t.Helper()
		stmts := parseOK(t, src)
		if got := Kind(stmts[0]); got != want {
			t.Errorf("Kind(%q) = %q, want %q", src, got, want)
		}
	}
	f(`SELECT 1`, "select")
	f(`VALUES (1)`, "select")
	f(`SELECT 1 UNION SELECT 2`, "select")
	f(`INSERT INTO t VALUES (1)`, "insert")
	f(`UPDATE t SET a = 1`, "update")
	f(`DELETE FROM t`, "delete")
	f(`CREATE TABLE t (a int)`, "ddl")
	f(`DROP TABLE t`, "ddl")
	f(`BEGIN`, "begin")
	f(`START TRANSACTION`, "begin")
	f(`COMMIT`, "commit")
	f(`END`, "commit")
	f(`ROLLBACK`, "rollback")
	f(`ABORT`, "rollback")
	f(`SET x = 1`, "utility")
	f(`SHOW x`, "utility")
}

// TestExprPositions checks the 0-based byte offsets kept on expressions,
// which the planner turns into error positions.
func TestExprPositions(t *testing.T) {
	src := `SELECT a + 1, 'é' || b, -c, count(*), CAST(d AS int), e::text, $1 FROM t WHERE f IS NULL AND g BETWEEN 1 AND 2 AND h IN (1) AND i LIKE 'x' AND EXISTS (SELECT 1) AND CASE WHEN j THEN 1 END = 1`
	sel := parseOK(t, src)[0].(*SelectStmt)
	f := func(e Expr, want string) {
		t.Helper()
		if !strings.HasPrefix(src[e.Position():], want) {
			t.Errorf("%s at %d: source there is %q, want prefix %q", exprString(e), e.Position(), src[e.Position():], want)
		}
	}
	for i, want := range []string{"+ 1", "|| b", "-c", "count", "CAST", "::text", "$1"} {
		f(sel.Targets[i].Expr, want)
		if i == 0 {
			f(sel.Targets[0].Expr.(*BinaryExpr).L, "a +")
			f(sel.Targets[0].Expr.(*BinaryExpr).R, "1,")
		}
	}
	if got := src[sel.Targets[1].Pos:]; !strings.HasPrefix(got, `'é'`) {
		t.Errorf("select item position: %q", got)
	}
	var conj []Expr
	var walk func(e Expr)
	walk = func(e Expr) {
		if b, ok := e.(*BinaryExpr); ok && b.Op == "and" {
			walk(b.L)
			walk(b.R)
			return
		}
		conj = append(conj, e)
	}
	walk(sel.Where)
	for i, want := range []string{"IS NULL", "BETWEEN", "IN (1)", "LIKE", "EXISTS", "= 1"} {
		f(conj[i], want)
	}
	f(conj[5].(*BinaryExpr).L, "CASE")
	if tr := sel.From[0].(*TableRef); src[tr.Pos:tr.Pos+1] != "t" {
		t.Errorf("table position %d", tr.Pos)
	}

	ct := parseOK(t, "CREATE TABLE t (a int, \"B\" text)")[0].(*CreateTableStmt)
	if ct.Columns[1].Pos != 23 {
		t.Errorf("column position %d, want 23", ct.Columns[1].Pos)
	}
	up := parseOK(t, "UPDATE t SET a = 1, b = DEFAULT")[0].(*UpdateStmt)
	if up.Set[1].Pos != 20 || up.Set[1].Value.Position() != 24 {
		t.Errorf("SET positions %d, %d", up.Set[1].Pos, up.Set[1].Value.Position())
	}
}
