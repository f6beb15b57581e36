package rustydb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"rustydb/exec"
)

// columnarQueries are aggregations the column path runs (or declines),
// each checked against the row path.
var columnarQueries = []string{
	// TPC-H Q1 and Q6 shapes
	`SELECT %s t, flag, count(*), sum(n), avg(n), min(n), max(n), sum(n * (1 - d)), sum(n * (1 - d) * (1 + d)),
	   sum(i), avg(i), min(s), max(s), min(dt), max(dt), count(v), sum(f), min(f), max(f), min(ts), max(ts)
	 FROM c WHERE dt <= date '2021-06-01' - interval '10' day GROUP BY t, flag ORDER BY 1, 2`,
	`SELECT %s sum(n * d) FROM c WHERE dt >= date '2020-03-01' AND dt < date '2020-03-01' + interval '1' year
	   AND d BETWEEN 0.03 AND 0.07 AND i < 24`,
	`SELECT %s count(*), sum(big), avg(big), sum(sm) FROM c`,
	// few groups over a column without NULLs: rows counted per group once
	// a batch, bounded sums carried once a batch (vsmall.go)
	`SELECT %s t, count(*), sum(id), sum(id * 3 - 7), avg(id), count(id), sum(id * 1000000000000000) FROM c GROUP BY t ORDER BY 1`,
	`SELECT %s flag, count(*), sum(f) FROM c WHERE t LIKE 'a%%' OR v IN ('v1', 'v7', 'v13') GROUP BY flag ORDER BY 1`,
	// comparisons of one column with constants tested as one interval (vrange.go)
	`SELECT %s count(*), sum(i), sum(sm) FROM c WHERE i >= 3 AND i <= 20 AND sm > 10 AND sm < 150 AND sm <> 77 AND big > -1000000000000000000 AND big <= 1000000000000000000`,
	`SELECT %s count(*) FROM c WHERE i > 30 AND i < 10 OR sm >= 5000000000 AND sm < 6000000000 OR i BETWEEN -2 AND 2 AND i >= 0`,
	`SELECT %s flag, count(*), sum(n) FROM c WHERE dt >= date '2020-03-01' AND t LIKE 'a%%' AND dt < date '2020-09-01' AND n BETWEEN -100.5 AND 300 GROUP BY flag ORDER BY 1`,
	`SELECT %s count(*), sum(a), sum(b) FROM wide WHERE a < b`,
	`SELECT %s count(*), sum(id) FROM wide WHERE a >= b OR b IS NULL`,
	// IN lists over dictionary columns, tested once per dictionary entry
	`SELECT %s t, count(*), sum(i) FROM c WHERE v NOT IN ('v2', 'v3', 'v19') AND t IN ('beta', 'gamma', 'delta') GROUP BY t ORDER BY 1`,
	`SELECT %s count(*), sum(i) FROM c WHERE s LIKE '%%1%%2' AND t NOT LIKE '%%a_'`,
	`SELECT %s flag, count(*) FROM c WHERE s NOT LIKE 'b_%%' AND v LIKE 'v1%%' GROUP BY flag ORDER BY 1`,
	`SELECT %s count(*) FROM c WHERE s LIKE '\_%%' OR t LIKE 'gam%%a' OR ch LIKE 'ab%%' OR t ILIKE 'BETA'`,
	`SELECT %s substring(s, 1, 2), substr(t, 2), count(*), sum(i) FROM c WHERE substring(s FROM 2 FOR 1) IN ('1', '5', '9') AND sm NOT IN (3, 50, 199) GROUP BY 1, 2 ORDER BY 1, 2`,
	`SELECT %s count(*) FROM c WHERE substring(v, -1, 3) IN ('v', 'v1') OR i IN (1, 2, NULL) OR t NOT IN ('beta', NULL) OR big IN (1, 2)`,
	`SELECT %s ch, dt, count(*), max(v) FROM c WHERE ch <> 'ab' GROUP BY ch, dt ORDER BY 1, 2 LIMIT 40`,
	`SELECT %s f, n, count(*) FROM c GROUP BY f, n ORDER BY 1, 2 LIMIT 30`,
	`SELECT %s i %% 7, count(*) FROM c GROUP BY 1 ORDER BY 1`,
	`SELECT %s count(*) FROM c WHERE j IS NULL`,
	`SELECT %s sum(i * i * i * i) FROM c`,
	`SELECT %s sum(big * 1000) FROM c`,
	`SELECT %s sum(CASE WHEN i > 10 THEN 1 ELSE 0 END), sum(CASE WHEN flag THEN n ELSE 0.00 END), count(CASE WHEN d > 0.05 THEN 1 END) FROM c`,
	`SELECT %s count(*), min(ts), max(ts) FROM c WHERE s > 'm' AND ts BETWEEN timestamp '2020-02-01' AND timestamp '2020-09-01 12:00'`,
	`SELECT %s count(*), sum(n), max(s) FROM c WHERE i < -100`,
	`SELECT %s t, sum(n) FROM c WHERE i < -100 GROUP BY t`,
	`SELECT %s t IS NULL, n IS NOT NULL, count(*) FROM c WHERE NOT flag OR flag IS NULL GROUP BY 1, 2 ORDER BY 1, 2`,
	`SELECT %s -i, count(*) FROM c WHERE f / 2 > 10 AND f * 2.5 < 300 GROUP BY 1 ORDER BY 1 LIMIT 10`,
	`SELECT %s upper(t), count(*) FROM c WHERE length(v) = 2 AND dt = date '2020-05-05' GROUP BY 1 ORDER BY 1`,
	`SELECT %s count(*) FROM c WHERE dt > date '2030-01-01'`,
	`SELECT %s count(i), sum(n) FROM c WHERE i = 3 OR n > 900`,
	`SELECT %s v, count(*), sum(n) FROM c WHERE v >= 'v15' AND 'v3' <> v AND t < 'b' AND s <= 'm5' GROUP BY 1 ORDER BY 1`,
	// CASE branches of different scales: each row keeps its own, a sum
	// has the largest of its rows' (a group of zeros sums to 0)
	`SELECT %s t, sum(CASE WHEN t LIKE 'a%%' THEN n * (1 - d) ELSE 0 END), sum(CASE WHEN i > 50 THEN n ELSE 0 END),
	   sum(CASE WHEN i > 3 THEN n WHEN i < 0 THEN d * d END), count(CASE WHEN flag THEN n * d ELSE 0 END)
	 FROM c GROUP BY t ORDER BY 1`,
	`SELECT %s flag, avg(CASE WHEN i > 30 THEN n ELSE 0 END), sum(CASE WHEN i > 30 THEN n ELSE 0 END) FROM c GROUP BY 1 ORDER BY 1`,
	`SELECT %s sum(CASE WHEN i > 30 THEN n ELSE 1 END) FROM c WHERE i > 50`,
	// one integer key, grouped through an array while its keys are dense
	// enough (NULL and negative keys), and the hash table once they spread
	`SELECT %s sm, count(*), sum(i), count(DISTINCT t) FROM c GROUP BY sm HAVING count(*) > 1 ORDER BY 1`,
	`SELECT %s count(*), sum(cnt), max(k) FROM (SELECT id * 1000 - 2000000 AS k, count(*) AS cnt FROM c GROUP BY 1) x`,
	`SELECT %s count(*), sum(cnt), count(DISTINCT cnt) FROM (SELECT big, count(*) cnt FROM c GROUP BY big) x`,
	// a key in segment order: the direct array covers the zone maps' range at once (coverKeys)
	`SELECT %s count(*), sum(cnt), sum(s), min(id), max(id) FROM (SELECT id, count(*) cnt, sum(i) s FROM c GROUP BY id HAVING sum(i) > 3) x`,
	`SELECT %s cnt, count(*) FROM (SELECT i, count(*) AS cnt FROM c GROUP BY i) x GROUP BY cnt ORDER BY 1, 2`,
	`SELECT %s count(*), sum(k * cnt), sum(k * s) FROM (SELECT CASE WHEN id < 2500 THEN id ELSE 2500 - id END AS k,
	   count(*) AS cnt, sum(i) AS s FROM c GROUP BY 1) x`,
	// count(DISTINCT x): per group, over scans, joins and the heap delta
	`SELECT %s t, count(DISTINCT i), count(DISTINCT s), count(DISTINCT f), count(DISTINCT dt), count(*), sum(n) FROM c GROUP BY t ORDER BY 1`,
	`SELECT %s count(DISTINCT v), count(DISTINCT n), count(DISTINCT flag) FROM c WHERE i > 3`,
	`SELECT %s i %% 5, count(DISTINCT sm) FROM c WHERE sm < 0 GROUP BY 1 ORDER BY 1`,
	// scans under row operators (c2 has only columns the segments hold)
	`SELECT %s id, t, n, dt, j FROM c WHERE dt < date '2020-02-01' AND n > 0 ORDER BY id`,
	`SELECT %s * FROM c2 WHERE t = 'beta' AND i BETWEEN 3 AND 9 ORDER BY id LIMIT 25`,
	`SELECT %s c.id, c2.t, c2.n FROM c JOIN c2 ON c.id = c2.id WHERE c.i < 5 AND c2.dt > date '2021-01-01' ORDER BY 1`,
	`SELECT %s DISTINCT t, flag FROM c2 WHERE f > 50 ORDER BY 1, 2`,
	`SELECT %s count(*) FROM c2 WHERE n > (SELECT avg(n) FROM c2)`,
	`SELECT %s id, row_number() OVER (PARTITION BY t ORDER BY id) FROM c2 WHERE n < -990 ORDER BY id`,
	`SELECT %s t, count(*) FROM (SELECT t, n FROM c2 WHERE dt >= date '2021-01-01' UNION ALL SELECT t, n FROM c WHERE i = 7) u GROUP BY t ORDER BY t`,
	// aggregations over joins, vectorized over batches of the join's rows
	`SELECT %s c.t, extract(year FROM c.dt), count(*), sum(c2.n * (1 - c.d)), min(c2.dt), max(c.s), avg(c.i), sum(c2.f)
	 FROM c JOIN c2 ON c.id = c2.id GROUP BY 1, 2 ORDER BY 1, 2`,
	`SELECT %s c.t, sum(c2.n), count(*) FROM c JOIN c2 ON c.i = c2.i GROUP BY c.t HAVING sum(c2.n) > 0 AND count(*) > 3 ORDER BY 1`,
	`SELECT %s date_part('month', c.ts), extract(day FROM c.ts), count(c2.id), sum(c.f), max(c2.n)
	 FROM c LEFT JOIN c2 ON c.id = c2.id + 1 GROUP BY 1, 2 ORDER BY 1, 2`,
	`SELECT %s c2.flag, sum(c.big * 1000), count(*) FROM c JOIN c2 ON c.id = c2.id GROUP BY 1 ORDER BY 1`,
	`SELECT %s count(*), sum(c.n), min(c.ch) FROM c JOIN c2 ON c.id = c2.id WHERE c2.i > 100`,
	// joins streaming the segmented table, which workers share
	`SELECT %s ck.label, c.flag, count(*), sum(c.n), avg(c.f), max(c.s) FROM c JOIN ck ON c.i = ck.k
	 WHERE c.dt > date '2020-02-01' GROUP BY 1, 2 ORDER BY 1, 2`,
	`SELECT %s ck.label, sum(c.big * 1000), count(*) FROM c JOIN ck ON c.i = ck.k GROUP BY 1 ORDER BY 1`,
	`SELECT %s ck.label, count(c.id), sum(c.n), min(c.dt) FROM ck LEFT JOIN c ON c.i = ck.k AND c.flag GROUP BY 1 ORDER BY 1`,
	`SELECT %s ck.k, count(c.id) FROM ck LEFT JOIN c ON c.i = ck.k WHERE c.t IS NULL OR c.t > 'm' GROUP BY 1 ORDER BY 1`,
	`SELECT %s ck.label, count(*) FROM c JOIN ck ON c.i = ck.k LEFT JOIN ck k2 ON c.sm = k2.k
	 WHERE k2.k IS NULL OR c.n > 0 GROUP BY 1 HAVING count(*) > 10 ORDER BY 1`,
	// vectorized hash joins (vjoin.go): several levels, duplicate and NULL
	// keys on both sides, keys absent on either side, filters on both
	// sides and across them, groups of built columns, two keys, date
	// keys, semi and anti joins; text keys stay on the row path
	`SELECT %s ck.label, c2.flag, count(*), sum(c.n), min(c2.t), max(c.dt), sum(c2.f) FROM c JOIN c2 ON c.id = c2.id
	 JOIN ck ON c2.i = ck.k WHERE c.f < 80 AND c2.dt > date '2020-03-01' GROUP BY 1, 2 ORDER BY 1, 2`,
	`SELECT %s c2.t, c.flag, count(*), sum(c.f), sum(c2.n), min(c.ch), max(c2.dt) FROM c JOIN c2 ON c.i = c2.i
	 WHERE c.id < 600 GROUP BY 1, 2 ORDER BY 1, 2`,
	`SELECT %s c2.flag, count(*), sum(c2.f), max(c.v) FROM c JOIN c2 ON c.id = c2.id AND c.i = c2.i GROUP BY 1 ORDER BY 1`,
	`SELECT %s count(*), min(c2.id), max(c.id) FROM c JOIN c2 ON c.dt = c2.dt WHERE c.id < 300 AND c2.id < 300`,
	`SELECT %s ck.label, count(*), avg(c.f), sum(c.sm) FROM c JOIN ck ON c.sm = ck.k WHERE ck.label = 'k1' OR c.n > 500
	 GROUP BY 1 ORDER BY 1`,
	`SELECT %s k2.label, ck.label, count(*) FROM c JOIN ck ON c.i = ck.k JOIN ck k2 ON c.sm = k2.k GROUP BY 1, 2 ORDER BY 1, 2`,
	`SELECT %s c.t, count(*), sum(c.n) FROM c WHERE c.i IN (SELECT k FROM ck WHERE label <> 'k1') GROUP BY 1 ORDER BY 1`,
	`SELECT %s c.t, count(*), sum(c.f) FROM c WHERE NOT EXISTS (SELECT 1 FROM ck WHERE ck.k = c.i) GROUP BY 1 ORDER BY 1`,
	`SELECT %s count(*) FROM c WHERE c.i NOT IN (SELECT i FROM c2 WHERE id < 100)`,
	`SELECT %s c2.t, count(*) FROM c2 JOIN c ON c2.id = c.id WHERE c.i IN (SELECT k FROM ck) GROUP BY 1 ORDER BY 1`,
	`SELECT %s c2.flag, count(*) FROM c JOIN c2 ON c.t = c2.t WHERE c.id < 50 GROUP BY 1 ORDER BY 1`,
	// a scan's rows tested against the join's sparse key bitmap before the
	// scan's filter (vearly.go): inner, semi and marking joins; not the
	// anti or left joins, which keep rows without a match
	`SELECT %s ck.label, count(*), sum(c.n), min(c.dt) FROM c JOIN ck ON c.i = ck.k WHERE c.f < 80 AND c.t <> 'beta' GROUP BY 1 ORDER BY 1`,
	`SELECT %s c.t, count(*), max(c.s) FROM c WHERE c.dt < date '2021-01-01' AND c.i IN (SELECT k FROM ck) GROUP BY 1 ORDER BY 1`,
	`SELECT %s ck.label, count(*) FROM ck WHERE EXISTS (SELECT 1 FROM c WHERE c.i = ck.k AND c.sm < c.i * 4 AND c.f < 50) GROUP BY 1 ORDER BY 1`,
	`SELECT %s c.t, count(*), sum(c.f) FROM c WHERE c.f < 70 AND NOT EXISTS (SELECT 1 FROM ck WHERE ck.k = c.i) GROUP BY 1 ORDER BY 1`,
	`SELECT %s ck.label, count(*), sum(c.n) FROM c LEFT JOIN ck ON c.i = ck.k WHERE c.f < 60 GROUP BY 1 ORDER BY 1`,
	`SELECT %s ck.label, count(*), sum(cr.f), min(cr.t) FROM cr JOIN ck ON cr.g = ck.k WHERE cr.f < 60 GROUP BY 1 ORDER BY 1`,
	`SELECT %s count(*), sum(a.f), min(b.t) FROM cw a JOIN cw b ON a.w = b.w WHERE b.id %% 97 = 0 AND a.f < 90`,
	// a join whose built input reads the row of an enclosing query (which
	// workers do not have) builds it on the row path
	`SELECT %s ck.k, t.id FROM ck, LATERAL (SELECT c2.id FROM c2 JOIN (SELECT c.id FROM c JOIN ck k2 ON c.i = k2.k
	 WHERE c.sm > ck.k + 150) y ON c2.id = y.id ORDER BY c2.id LIMIT 2) t ORDER BY 1, 2`,
	// a row-path join whose built input, joins over a scan, is built from
	// batches by workers (vbuild.go): TPC-H q17's shape, and an outer join
	`SELECT %s sum(c.f), count(*), min(ck.label), max(c.t) FROM c JOIN ck ON c.i = ck.k
	 WHERE ck.label = 'k1' AND c.n < (SELECT avg(c2.n) + 100 FROM c2 WHERE c2.id = c.id)`,
	`SELECT %s c.id, ck.label, c.t, c.dt, c.ch, c.n, c.big FROM c JOIN ck ON c.i = ck.k
	 WHERE ck.label <> 'k1' AND c.f > (SELECT avg(c2.f) - 10 FROM c2 WHERE c2.id = c.id) ORDER BY 1`,
	`SELECT %s c.flag, count(*), sum(c2.n) FROM c JOIN c2 ON c.i = c2.i AND (c.n < c2.n OR c2.t = 'beta') AND c.dt <> c2.dt
	 WHERE c.id < 1500 GROUP BY 1 ORDER BY 1`,
	`SELECT %s c2.t, count(*), sum(c.big * 1000) FROM c JOIN c2 ON c.id = c2.id AND c.big > c2.i * 100000000000 GROUP BY 1 ORDER BY 1`,
	`SELECT %s k2.label, c2.flag, count(k2.k), count(*), sum(c.n), max(c2.dt) FROM c LEFT JOIN ck k2 ON c.sm = k2.k
	 LEFT JOIN c2 ON c.i = c2.id WHERE c.id < 2000 GROUP BY 1, 2 ORDER BY 1, 2`,
	// one integer key (vtable's one-key slots, NULL among the keys) and
	// many groups, which the workers merge in parallel (ParallelMergeGroups)
	`SELECT %s i, count(*), sum(n), min(f), max(dt), avg(sm) FROM c GROUP BY i ORDER BY 1`,
	`SELECT %s id, sum(n), avg(f), count(v) FROM c GROUP BY id HAVING sum(n) > 900 ORDER BY 1`,
	`SELECT %s big, count(*), sum(i), max(s) FROM c GROUP BY big ORDER BY 2 DESC, 1 LIMIT 20`,
	`SELECT %s id %% 1000, i, count(*), sum(f), min(n) FROM c GROUP BY 1, 2 ORDER BY 1, 2 LIMIT 60`,
	`SELECT %s c2.id, count(*), sum(c.f), max(c.n) FROM c JOIN c2 ON c.i = c2.i GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 30`,
	`SELECT %s c.id, c.dt, sum(c2.n) FROM c JOIN c2 ON c.id = c2.id
	 WHERE c.id IN (SELECT id FROM c2 GROUP BY id HAVING sum(n) > 950) GROUP BY 1, 2 ORDER BY 1`,
	// keys a primary key among the keys determines (plan.Aggregate.Dependent),
	// NULL among their values and the rows of an outer join's NULL side
	`SELECT %s id, t, v, n, f, dt, count(*), sum(i) FROM c GROUP BY id, t, v, n, f, dt HAVING count(*) > 0 ORDER BY 1 LIMIT 80`,
	`SELECT %s c.t, c.id, c.n, c.s, count(*), sum(c2.n) FROM c JOIN c2 ON c.i = c2.i GROUP BY c.t, c.id, c.n, c.s
	 ORDER BY 5 DESC, 2 LIMIT 40`,
	`SELECT %s ck.label, ck.k, c.flag, count(*), sum(c.n) FROM c JOIN ck ON c.i = ck.k GROUP BY ck.k, ck.label, c.flag ORDER BY 2, 3`,
	`SELECT %s ck.k, ck.label, c.id, c.t, count(*) FROM ck LEFT JOIN c ON c.i = ck.k AND c.id < 40
	 GROUP BY ck.k, ck.label, c.id, c.t ORDER BY 1, 3`,
	// semi and anti joins that hold their left input, the smaller, and
	// mark it from the right input's batches (vmark.go); TPC-H q21's shape
	`SELECT %s ck.label, count(*) FROM ck WHERE EXISTS (SELECT 1 FROM c WHERE c.i = ck.k AND c.sm <> ck.k + 50) GROUP BY 1 ORDER BY 1`,
	`SELECT %s ck.k, ck.label FROM ck WHERE NOT EXISTS (SELECT 1 FROM c WHERE c.i = ck.k AND c.f > 90) ORDER BY 1`,
	`SELECT %s ck.k FROM ck WHERE ck.k IN (SELECT i FROM c WHERE c.dt > date '2021-07-01') ORDER BY 1`,
	`SELECT %s c2.t, count(*) FROM c2 WHERE c2.id < 300
	   AND EXISTS (SELECT * FROM c WHERE c.i = c2.i AND c.id <> c2.id)
	   AND NOT EXISTS (SELECT * FROM c c3 WHERE c3.i = c2.i AND c3.id <> c2.id AND c3.f > c3.n AND c3.t <> c2.t)
	 GROUP BY 1 ORDER BY 1`,
	`SELECT %s 100.00 * sum(CASE WHEN c2.t LIKE 'b%%' THEN c.n * (1 - c.d) ELSE 0 END) / sum(c.n * (1 - c.d)),
	   sum(CASE WHEN c2.t LIKE 'z%%' THEN c.n * (1 - c.d) ELSE 0 END)
	 FROM c JOIN c2 ON c.id = c2.id WHERE c.dt >= date '2020-03-01' AND c.dt < date '2020-04-01'`,
	// TPC-H q16's shape: count(DISTINCT) over a join filtered by NOT IN
	// an uncorrelated subquery; IN and NOT IN subqueries that are empty,
	// hold NULL, or meet NULL values
	`SELECT %s c2.t, c2.flag, count(DISTINCT c.sm), count(DISTINCT c.i) FROM c JOIN c2 ON c.id = c2.id
	 WHERE c2.t <> 'beta' AND c.sm NOT IN (SELECT k FROM ck WHERE label LIKE 'k%%') GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
	`SELECT %s c2.t, count(*), count(DISTINCT c.i) FROM c JOIN c2 ON c.id = c2.id WHERE c.sm IN (SELECT k FROM ck) GROUP BY 1 ORDER BY 1`,
	`SELECT %s c2.t, count(*) FROM c JOIN c2 ON c.id = c2.id WHERE c.sm NOT IN (SELECT k FROM ck WHERE k > 1000) GROUP BY 1 ORDER BY 1`,
	`SELECT %s c2.t, count(*) FROM c JOIN c2 ON c.id = c2.id WHERE c.sm NOT IN (SELECT i FROM c2 WHERE id < 200) GROUP BY 1 ORDER BY 1`,
	`SELECT %s c2.t, count(*) FROM c JOIN c2 ON c.id = c2.id WHERE c2.i IN (SELECT k FROM ck WHERE k < 0) OR c.sm IS NULL GROUP BY 1 ORDER BY 1`,
	// outer joins that keep their built rows (vouter.go): the preserved
	// side hashed, its unmatched rows (keys absent from the other side,
	// NULL keys) output at the end with NULLs; count(*) against
	// count(column) over the NULL-extended rows; filters on both sides;
	// a join above the one that keeps its built rows (TPC-H q13's shape)
	`SELECT %s cnt, count(*) FROM (SELECT ck.k, count(c.id) AS cnt FROM ck LEFT JOIN c ON ck.k = c.i AND c.t NOT LIKE '%%ph%%'
	 GROUP BY ck.k) x GROUP BY cnt ORDER BY 1, 2`,
	`SELECT %s ck.label, count(*), count(c.id), count(c.t), sum(c.n), min(c.dt), max(c.s), sum(c.f) FROM ck LEFT JOIN c ON c.sm = ck.k
	 GROUP BY 1 ORDER BY 1`,
	`SELECT %s c2.flag, count(*), count(c.i), sum(c.n), max(c2.t), min(c.v) FROM (SELECT * FROM c2 WHERE id < 400) c2
	 LEFT JOIN c ON c.i = c2.i AND c.id > 2500 WHERE c2.f > 20 OR c2.f IS NULL GROUP BY 1 ORDER BY 1`,
	`SELECT %s ck.label, count(*), count(c.id), sum(c.n), max(c.ch) FROM c RIGHT JOIN ck ON c.i = ck.k AND c.flag GROUP BY 1 ORDER BY 1`,
	`SELECT %s k2.label, count(*), count(c.id), count(k2.k) FROM ck LEFT JOIN c ON c.i = ck.k LEFT JOIN ck k2 ON c.sm = k2.k
	 GROUP BY 1 ORDER BY 1`,
	`SELECT %s ck.label, count(*), count(c.id) FROM ck LEFT JOIN c ON c.i = ck.k AND c.i + 0 = 1000 GROUP BY 1 ORDER BY 1`,
	`SELECT %s count(*), count(c.id), count(c2.id), sum(c2.n) FROM (SELECT * FROM c2 WHERE id BETWEEN 100 AND 300) c2
	 LEFT JOIN c ON c.id = c2.id - 50 AND c.i = c2.i`,
	// decorrelated aggregates per key over joins (TPC-H q2's shape): the
	// keys of the join above, the smaller side, reach the scan under the
	// joins below (keys present and absent, NULL keys, a sparse key set),
	// from the streamed key or through an inner join's built key equal to it
	`SELECT %s c2.id, c2.n FROM c2 WHERE c2.id BETWEEN 2000 AND 2150 AND c2.t <> 'beta'
	   AND c2.f >= (SELECT avg(c.f) FROM c JOIN c2 y ON c.id = y.id + 1 WHERE c.id = c2.id) ORDER BY 1`,
	`SELECT %s o.id, o.f FROM c o WHERE o.id < 60
	   AND o.f <= (SELECT max(c.f) FROM c JOIN c2 x ON c.id = x.id WHERE x.id = o.id AND x.flag) ORDER BY 1`,
	`SELECT %s o.id, o.n FROM c o WHERE o.id < 300 AND o.n <= (SELECT max(c.n) FROM c JOIN ck ON c.i = ck.k WHERE c.big = o.big) ORDER BY 1`,
	// a selective join on a key without NULLs whose built keys fill an
	// eighth of their range and more: a batch's keys tested without
	// branches, keys below and above the range
	`SELECT %s c.t, count(*), sum(c.n), max(x.dt) FROM c JOIN (SELECT * FROM c2 WHERE id BETWEEN 1000 AND 3000 AND id %% 4 = 0) x
	 ON c.id = x.id GROUP BY 1 ORDER BY 1`,
	// two correlation keys (TPC-H q20's shape): their pairs filter the
	// aggregation, their first halves the scan, over a join and directly
	`SELECT %s o.id, o.n FROM c o WHERE o.id < 300
	   AND o.n <= (SELECT max(c.n) FROM c JOIN ck ON c.i = ck.k WHERE c.big = o.big AND c.sm = o.sm) ORDER BY 1`,
	`SELECT %s o.id, o.f FROM c o WHERE o.id BETWEEN 1000 AND 1400
	   AND o.f * 3 > (SELECT sum(c.f) FROM c WHERE c.i = o.i AND c.sm = o.sm AND c.dt > date '2020-06-01') ORDER BY 1`,
	// HAVING against an uncorrelated subquery (TPC-H q11's shape): groups
	// dropped before they become rows, bounds with more digits than the
	// sums have, over a scan and over a join
	`SELECT %s i, sum(n), count(*) FROM c GROUP BY i HAVING sum(n) > (SELECT avg(n) * 7.123456 FROM c2) ORDER BY 1`,
	`SELECT %s sm, sum(n) FROM c GROUP BY sm HAVING (SELECT sum(n) / 333.3 FROM c2 WHERE id < 100) >= sum(n) AND count(*) < 40 ORDER BY 1`,
	`SELECT %s c.i, sum(c.n * c2.i), max(c.i) FROM c JOIN c2 ON c.id = c2.id GROUP BY c.i
	 HAVING sum(c.n * c2.i) < (SELECT sum(n) * 0.0123 FROM c2) AND max(c.i) <= (SELECT 20.5) ORDER BY 1`,
	`SELECT %s t, count(*) FROM c GROUP BY t HAVING count(*) > (SELECT count(*) / 5 FROM c2 WHERE id < 0) ORDER BY 1`,
}

// TestColumnarMatchesRowPath loads a table into small column segments and
// checks every query's result on the column path (with random batch sizes
// and worker counts) against the row path, before and after deletes,
// updates and inserts that leave rows in the heap delta.
func TestColumnarMatchesRowPath(t *testing.T) {
	db, err := OpenWith(Options{Dir: t.TempDir(), SyncMode: "off", SegmentRows: 512})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	defer func(size int) { exec.BatchSize = size }(exec.BatchSize)
	defer func(groups int) { exec.ParallelMergeGroups = groups }(exec.ParallelMergeGroups)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(11, 12))
	mustExec(t, db, `CREATE TABLE c (id INT PRIMARY KEY, i INT, sm SMALLINT, big BIGINT, n NUMERIC(12,2), d NUMERIC(4,2),
		f FLOAT8, t TEXT, v VARCHAR(20), ch CHAR(3), flag BOOL, dt DATE, ts TIMESTAMP, s TEXT, j JSONB)`)
	insert := func(from, to int) {
		var sb strings.Builder
		for id := from; id < to; id++ {
			if sb.Len() == 0 {
				sb.WriteString("INSERT INTO c VALUES ")
			} else {
				sb.WriteByte(',')
			}
			null := func(s string) string {
				if rng.IntN(12) == 0 {
					return "NULL"
				}
				return s
			}
			fmt.Fprintf(&sb, "(%d, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", id,
				null(fmt.Sprint(rng.IntN(60)-5)), null(fmt.Sprint(rng.IntN(200))),
				null(fmt.Sprint(rng.Int64N(1<<62)-1<<61)), null(fmt.Sprintf("%d.%02d", rng.IntN(2000)-1000, rng.IntN(100))),
				null(fmt.Sprintf("0.%02d", rng.IntN(11))), null(fmt.Sprint(float64(rng.IntN(400))/4)),
				null(fmt.Sprintf("'%s'", []string{"alpha", "beta", "gamma", "avocado"}[rng.IntN(4)])),
				null(fmt.Sprintf("'v%d'", rng.IntN(20))), null(fmt.Sprintf("'%s'", []string{"ab", "abc", "x"}[rng.IntN(3)])),
				null(fmt.Sprint(rng.IntN(2) == 0)), null(fmt.Sprintf("date '2020-01-01' + %d", rng.IntN(600))),
				null(fmt.Sprintf("timestamp '2020-01-01' + interval '%d minutes'", rng.IntN(600000))),
				null(fmt.Sprintf("'%c%d'", 'a'+rng.IntN(26), rng.IntN(1000))), null(`'{"a": 1}'`))
			if id%500 == 499 || id == to-1 {
				mustExec(t, db, sb.String())
				sb.Reset()
			}
		}
	}
	insert(0, 5000)
	mustExec(t, db, "CREATE TABLE c2 AS SELECT id, i, n, t, dt, f, flag FROM c")
	// two int columns too wide to bit-pack: compared in place (vector.go's in32)
	mustExec(t, db, `CREATE TABLE wide AS SELECT g AS id, ((g * 2654435761) % 2000000000 - 1000000000)::int AS a,
		CASE WHEN g % 7 = 0 THEN NULL ELSE ((g * 40503) % 2000000000 - 1000000000)::int END AS b FROM generate_series(1, 3000) g`)
	mustExec(t, db, "VACUUM c")
	mustExec(t, db, "VACUUM c2")
	mustExec(t, db, "VACUUM wide")
	// g: a sorted BIGINT, run-length encoded in the segments
	mustExec(t, db, "CREATE TABLE cr AS SELECT id, CAST(id / 40 AS BIGINT) AS g, f, t FROM c ORDER BY id")
	mustExec(t, db, "VACUUM cr")
	// w: keys spread over a wide range, a few of which a join holds
	mustExec(t, db, "CREATE TABLE cw AS SELECT id, id * 3001 AS w, f, t FROM c")
	mustExec(t, db, "VACUUM cw")
	mustExec(t, db, "CREATE TABLE ck (k INT PRIMARY KEY, label TEXT)")
	mustExec(t, db, "INSERT INTO ck SELECT g, 'k' || (g % 4) FROM generate_series(-5, 40, 3) g")
	mustExec(t, db, "INSERT INTO ck VALUES (100, 'none'), (101, 'none'), (102, NULL)")
	mustExec(t, db, "ANALYZE")
	check := func(stage string) {
		t.Helper()
		for _, q := range columnarQueries {
			rowPath := queryText(t, db, "SET enable_columnar_scan = off", fmt.Sprintf(q, "/*+ NO_PARALLEL */"))
			for range 3 {
				exec.BatchSize = 1 + rng.IntN(700)
				exec.ParallelMergeGroups = []int{1, 1000, 1 << 15}[rng.IntN(3)]
				hint := []string{"", "/*+ NO_PARALLEL */", "/*+ PARALLEL(2) */", "/*+ PARALLEL(3) */"}[rng.IntN(4)]
				// a small work_mem sends large hash tables back to rows, which spill
				setup := []string{"SET enable_columnar_scan = on", "SET enable_columnar_scan = on; SET work_mem = '64kB'"}[rng.IntN(5)/4]
				got := queryText(t, db, setup, fmt.Sprintf(q, hint))
				if got != rowPath {
					t.Errorf("%s, batch size %d, %q, %s: %s\ncolumn path:\n%s\nrow path:\n%s", stage, exec.BatchSize, hint, setup, q, got, rowPath)
				}
			}
		}
	}
	check("after load")
	if testing.Verbose() {
		for _, q := range columnarQueries {
			plan := queryText(t, db, "", "EXPLAIN ANALYZE "+fmt.Sprintf(q, ""))
			t.Logf("columnar=%v: %.60s", strings.Contains(plan, "segments="), q)
		}
	}
	// Operators that hold rows report how much memory they held.
	plan := queryText(t, db, "", `EXPLAIN ANALYZE SELECT ck.label, count(*) FROM c JOIN ck ON c.i = ck.k GROUP BY 1 ORDER BY 2`)
	for _, op := range []string{"Sort", "HashAggregate", "Hash Join"} {
		if !regexp.MustCompile(op + ` \(actual [^)]* memory=[1-9][0-9]*kB\)`).MatchString(plan) {
			t.Errorf("EXPLAIN ANALYZE shows no memory for %s:\n%s", op, plan)
		}
	}
	// A vectorized hash join reports its rows.
	want := queryText(t, db, "SET enable_columnar_scan = off", "SELECT count(*) FROM c JOIN ck ON c.i = ck.k")
	plan = queryText(t, db, "SET enable_columnar_scan = on", `EXPLAIN ANALYZE SELECT ck.label, count(*) FROM c JOIN ck ON c.i = ck.k GROUP BY 1`)
	want = regexp.MustCompile(`[0-9]+`).FindString(want)
	if !regexp.MustCompile(`Hash Join \(actual [^)]* rows=` + want + ` loops=1 vectorized`).MatchString(plan) {
		t.Errorf("EXPLAIN ANALYZE shows no vectorized join of %s rows:\n%s", want, plan)
	}
	// A semi join that holds its left input marks it from the scan's batches.
	plan = queryText(t, db, "SET enable_columnar_scan = on", `EXPLAIN ANALYZE SELECT ck.k FROM ck WHERE EXISTS (SELECT 1 FROM c WHERE c.i = ck.k AND c.sm <> ck.k)`)
	if !regexp.MustCompile(`Hash Semi Join \(actual [^)]* vectorized`).MatchString(plan) || !strings.Contains(plan, "Hashed Input: left") {
		t.Errorf("EXPLAIN ANALYZE shows no vectorized semi join holding its left input:\n%s", plan)
	}
	// An outer join that hashes its preserved side runs vectorized.
	plan = queryText(t, db, "SET enable_columnar_scan = on", `EXPLAIN ANALYZE SELECT ck.k, count(c.id) FROM ck LEFT JOIN c ON ck.k = c.i GROUP BY 1`)
	if !regexp.MustCompile(`Hash Left Join \(actual [^)]* vectorized`).MatchString(plan) || !strings.Contains(plan, "Hashed Input: left") {
		t.Errorf("EXPLAIN ANALYZE shows no vectorized left join hashing its left input:\n%s", plan)
	}
	// The column path must really have run.
	plan = queryText(t, db, "", "EXPLAIN ANALYZE SELECT /*+ PARALLEL(2) FULL(c) */ count(*), sum(n) FROM c WHERE id >= 4000")
	if !strings.Contains(plan, "segments=10 pruned=7") || !strings.Contains(plan, "rows=1000 loops=1") {
		t.Errorf("EXPLAIN ANALYZE shows no pruned segment scan:\n%s", plan)
	}
	mustExec(t, db, "DELETE FROM c WHERE id % 7 = 0")
	mustExec(t, db, "DELETE FROM cr WHERE id % 5 = 0") // its batches' selections have gaps
	mustExec(t, db, "UPDATE c SET n = n + 1, t = 'updated' WHERE id % 11 = 0")
	insert(5000, 5800)
	check("after delete, update and insert")
	mustExec(t, db, "VACUUM c")
	check("after vacuum")

	// A snapshot taken before a delete keeps seeing the deleted rows on
	// both paths.
	reader, writer := db.NewSession("rustydb"), db.NewSession("rustydb")
	defer reader.Close()
	defer writer.Close()
	count := func() string {
		return queryText(t, db, "", "SELECT count(*), sum(n) FROM c")
	}
	before := count()
	for _, s := range []string{"BEGIN ISOLATION LEVEL REPEATABLE READ", "SELECT 1"} {
		if _, err := reader.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := writer.Exec(ctx, "DELETE FROM c WHERE id < 3000"); err != nil {
		t.Fatal(err)
	}
	for _, setting := range []string{"on", "off"} {
		if _, err := reader.Exec(ctx, "SET enable_columnar_scan = "+setting); err != nil {
			t.Fatal(err)
		}
		rs, err := reader.Query(ctx, "SELECT count(*), sum(n) FROM c")
		if err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		for rs.Next() {
			fmt.Fprintln(&got, rs.Values())
		}
		if got.String() != before {
			t.Errorf("repeatable read with enable_columnar_scan=%s sees %q, want %q", setting, got.String(), before)
		}
	}
	if after := count(); after == before {
		t.Errorf("the delete is not visible to a new snapshot: %s", after)
	}
}

func mustExec(t *testing.T, db *DB, q string) {
	t.Helper()
	if _, err := db.Exec(context.Background(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// queryText runs setup (if any) and q in one session and returns the rows,
// or the error, as text.
func queryText(t *testing.T, db *DB, setup, q string) string {
	t.Helper()
	s := db.NewSession("rustydb")
	defer s.Close()
	ctx := context.Background()
	if setup != "" {
		if _, err := s.Exec(ctx, setup); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := s.Query(ctx, q)
	if err != nil {
		return "error: " + err.Error()
	}
	var b strings.Builder
	for rs.Next() {
		fmt.Fprintln(&b, rs.Values())
	}
	return b.String()
}
