// Package benchmarks measures RustyDB end to end. The embedded benchmarks
// here run the engine in process; peer comparisons (SQLite, PostgreSQL,
// DuckDB) join them as the row-store and column-store work lands.
package benchmarks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"rustydb"
	"rustydb/types"
)

func openDB(b *testing.B) *rustydb.DB {
	b.Helper()
	db, err := rustydb.OpenWith(rustydb.Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkInsertOneTransaction inserts rows one statement each inside one
// transaction, as the SQLite comparison of the row-store issue does.
func BenchmarkInsertOneTransaction(b *testing.B) {
	db := openDB(b)
	ctx := context.Background()
	s := db.NewSession("rustydb")
	if _, err := s.Exec(ctx, "CREATE TABLE t (id INT PRIMARY KEY, name TEXT, v DOUBLE PRECISION)"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := s.Exec(ctx, "BEGIN"); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		if _, err := s.Exec(ctx, fmt.Sprintf("INSERT INTO t VALUES (%d, 'name%d', %d.5)", i, i, i)); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.Exec(ctx, "COMMIT"); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPreparedInsert is workload a of make bench-sqlite without
// database/sql: a prepared single-row INSERT executed with bound parameters
// inside one transaction, through the session as a protocol would.
func BenchmarkPreparedInsert(b *testing.B) {
	db := openDB(b)
	ctx := context.Background()
	s := db.NewSession("rustydb")
	if _, err := s.Exec(ctx, "CREATE TABLE t (id INT PRIMARY KEY, name TEXT, v DOUBLE PRECISION)"); err != nil {
		b.Fatal(err)
	}
	p, err := s.Prepare("INSERT INTO t VALUES ($1, $2, $3)", nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Exec(ctx, "BEGIN"); err != nil {
		b.Fatal(err)
	}
	params := make([]types.Value, 3)
	var w discard
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		params[0], params[1], params[2] = types.NewInt(int64(i)), types.NewText("name"), types.NewFloat(float64(i)+0.5)
		if err := s.ExecutePrepared(ctx, p, params, &w); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.Exec(ctx, "COMMIT"); err != nil {
		b.Fatal(err)
	}
}

// discard is a result writer that keeps nothing.
type discard struct{}

func (discard) Columns([]rustydb.Column) error       { return nil }
func (discard) Row([]types.Value) error              { return nil }
func (discard) Complete(string) error                { return nil }
func (discard) Notice(rustydb.Notice)                {}
func (discard) ParameterStatus(string, string)       {}
func (discard) CopyIn(int, bool) (io.Reader, error)  { return nil, errors.New("no COPY") }
func (discard) CopyOut(int, bool) (io.Writer, error) { return nil, errors.New("no COPY") }

// BenchmarkPointSelect reads one row by primary key from a 100,000-row table.
func BenchmarkPointSelect(b *testing.B) {
	db := openDB(b)
	ctx := context.Background()
	s := db.NewSession("rustydb")
	if _, err := s.Exec(ctx, "CREATE TABLE t (id INT PRIMARY KEY, name TEXT)"); err != nil {
		b.Fatal(err)
	}
	const rows = 100_000
	for start := 0; start < rows; start += 1000 {
		var sb strings.Builder
		sb.WriteString("INSERT INTO t VALUES ")
		for i := start; i < start+1000; i++ {
			if i > start {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, "(%d, 'n%d')", i, i)
		}
		if _, err := s.Exec(ctx, sb.String()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rows, err := s.Query(ctx, fmt.Sprintf("SELECT name FROM t WHERE id = %d", i%rows))
		if err != nil || rows.Len() != 1 {
			b.Fatalf("%v %d", err, rows.Len())
		}
	}
}

// BenchmarkAutocommitInsert is one durable (fsync) commit per row.
func BenchmarkAutocommitInsert(b *testing.B) {
	db := openDB(b)
	ctx := context.Background()
	s := db.NewSession("rustydb")
	if _, err := s.Exec(ctx, "CREATE TABLE t (id INT PRIMARY KEY, v INT)"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Exec(ctx, fmt.Sprintf("INSERT INTO t VALUES (%d, %d)", i, i)); err != nil {
			b.Fatal(err)
		}
	}
}

// openSQL opens RustyDB through database/sql, as the SQLite comparison does.
// openSQL opens a new embedded database through database/sql, on one
// connection, and runs setup in it (by default, creating the table t of
// workloads a and b).
func openSQL(b *testing.B, setup ...string) *sql.DB {
	b.Helper()
	db, err := sql.Open("rustydb", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	b.Cleanup(func() { db.Close() })
	if len(setup) == 0 {
		setup = []string{"CREATE TABLE t (id INT PRIMARY KEY, name TEXT, v DOUBLE PRECISION)"}
	}
	for _, q := range setup {
		if _, err := db.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	return db
}

// BenchmarkSQLPreparedInsert is workload a of make bench-sqlite: prepared
// single-row inserts inside one transaction, through database/sql.
func BenchmarkSQLPreparedInsert(b *testing.B) {
	db := openSQL(b)
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	st, err := tx.Prepare("INSERT INTO t VALUES ($1, $2, $3)")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := st.Exec(i, "name", float64(i)+0.5); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSQLPointSelect is workload b of make bench-sqlite: a prepared
// primary-key select on a 100,000-row table, through database/sql.
func BenchmarkSQLPointSelect(b *testing.B) {
	db := openSQL(b)
	if _, err := db.Exec("INSERT INTO t SELECT g, 'name', g FROM generate_series(0, 99999) g"); err != nil {
		b.Fatal(err)
	}
	st, err := db.Prepare("SELECT name, v FROM t WHERE id = $1")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var name string
		var v float64
		if err := st.QueryRow((i*7919)%100_000).Scan(&name, &v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSQLRangeScan is workload e of make bench-sqlite: a prepared
// 10,000-row range over a secondary index whose keys scatter the rows across
// a 100,000-row table, read through database/sql; one op is one scan.
func BenchmarkSQLRangeScan(b *testing.B) {
	db := openSQL(b, "CREATE TABLE t (id INT PRIMARY KEY, k INT)", "CREATE INDEX t_k ON t(k)",
		"INSERT INTO t SELECT g, g * 7919 % 100000 FROM generate_series(0, 99999) g")
	st, err := db.Prepare("SELECT id, k FROM t WHERE k BETWEEN $1 AND $2")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lo := i * 7 % 90000
		rows, err := st.Query(lo, lo+9999)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		var id, k int64
		for rows.Next() {
			if err := rows.Scan(&id, &k); err != nil {
				b.Fatal(err)
			}
			n++
		}
		if err := rows.Close(); err != nil || n != 10000 {
			b.Fatalf("%d rows, %v", n, err)
		}
	}
}

// BenchmarkParallelAggregate runs a TPC-H Q1-shaped aggregation (filter,
// group by two columns, sums, averages, count) over 500,000 rows with one
// worker and with every CPU; one op is one query.
func BenchmarkParallelAggregate(b *testing.B) {
	db := openDB(b)
	ctx := context.Background()
	s := db.NewSession("rustydb")
	for _, q := range []string{
		"CREATE TABLE li (k INT PRIMARY KEY, flag TEXT, status TEXT, qty NUMERIC(15,2), price NUMERIC(15,2), disc NUMERIC(15,2), ship DATE)",
		"INSERT INTO li SELECT g, substr('ANR', g % 3 + 1, 1), substr('FO', g % 2 + 1, 1), g % 50 + 1, (g % 1000) * 1.5, (g % 11) / 100.0, DATE '1992-01-01' + g % 2500 FROM generate_series(1, 500000) g",
	} {
		if _, err := s.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	for _, hint := range []string{"NO_PARALLEL", "PARALLEL"} {
		b.Run(hint, func(b *testing.B) {
			q := "SELECT /*+ " + hint + " */ flag, status, sum(qty), sum(price), sum(price * (1 - disc)), avg(qty), avg(disc), count(*) " +
				"FROM li WHERE ship <= DATE '1998-09-02' GROUP BY flag, status ORDER BY flag, status"
			for i := 0; i < b.N; i++ {
				if _, err := s.Query(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
