package rustydb

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"rustydb/sqlerr"
	"rustydb/types"
)

func TestEmbeddedAPI(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if tag, err := db.Exec(ctx, "CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT, price NUMERIC(6,2), day DATE, ok BOOLEAN)"); err != nil || tag != "CREATE TABLE" {
		t.Fatalf("create: %q %v", tag, err)
	}
	if tag, err := db.Exec(ctx, "INSERT INTO t VALUES (1, 'a', 1.25, '2024-03-01', true), (2, NULL, NULL, NULL, NULL)"); err != nil || tag != "INSERT 0 2" {
		t.Fatalf("insert: %q %v", tag, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(ctx, "SELECT id, name, price, day, ok FROM t ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	if rows.Len() != 2 || rows.Tag() != "SELECT 2" || len(rows.Columns()) != 5 {
		t.Fatalf("rows: %d %q %d", rows.Len(), rows.Tag(), len(rows.Columns()))
	}
	rows.Next()
	var id int64
	var name string
	var price float64
	var day time.Time
	var ok bool
	if err := rows.Scan(&id, &name, &price, &day, &ok); err != nil {
		t.Fatal(err)
	}
	if id != 1 || name != "a" || price != 1.25 || !day.Equal(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)) || !ok {
		t.Errorf("scanned %v %v %v %v %v", id, name, price, day, ok)
	}
	rows.Next()
	var n1, n2 any
	var v types.Value
	if err := rows.Scan(&id, &n1, &n2, &v, &v); err != nil {
		t.Fatal(err)
	}
	if n1 != nil || n2 != nil || !v.IsNull() {
		t.Errorf("NULLs scanned as %v %v %v", n1, n2, v)
	}
	if err := rows.Scan(&id, &name, &n1, &n2, &v); err == nil {
		t.Error("scanning NULL into *string succeeded")
	}
	if _, err := db.Query(ctx, "SELECT nope FROM t"); sqlerr.Code(err) != sqlerr.UndefinedColumn {
		t.Errorf("want 42703, got %v", err)
	}
}

// panicWriter panics while receiving a row, standing in for any bug inside
// a statement's execution.
type panicWriter struct{ collector }

func (panicWriter) Row([]types.Value) error { panic("boom") }

func TestPanicInStatementIsContained(t *testing.T) {
	// the recovered panic is logged with its stack; keep it out of test output
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := OpenWith(Options{Dir: t.TempDir(), SyncMode: "off", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := db.NewSession("rustydb")
	ctx := context.Background()
	if _, err := s.Exec(ctx, "CREATE TABLE t (i INT); INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	_, err = s.Run(ctx, "SELECT i FROM t", &panicWriter{})
	if sqlerr.Code(err) != sqlerr.InternalError || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("panic not turned into XX000: %v", err)
	}
	// The session and the database go on working.
	rows, err := s.Query(ctx, "SELECT count(*) FROM t")
	if err != nil || !rows.Next() || rows.Values()[0].I != 1 {
		t.Fatalf("after panic: %v", err)
	}
}

func TestTransactionStates(t *testing.T) {
	db, err := OpenWith(Options{Dir: t.TempDir(), SyncMode: "off"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := db.NewSession("rustydb")
	ctx := context.Background()
	f := func(sql string, wantStatus byte, wantCode string) {
		t.Helper()
		_, err := s.Exec(ctx, sql)
		if sqlerr.Code(err) != wantCode {
			t.Errorf("%s: code %q (%v), want %q", sql, sqlerr.Code(err), err, wantCode)
		}
		if s.TxStatus() != wantStatus {
			t.Errorf("%s: status %c, want %c", sql, s.TxStatus(), wantStatus)
		}
	}
	f("CREATE TABLE t (i INT PRIMARY KEY)", 'I', "")
	f("BEGIN", 'T', "")
	f("INSERT INTO t VALUES (1)", 'T', "")
	f("INSERT INTO t VALUES (1)", 'E', sqlerr.UniqueViolation)
	f("SELECT 1", 'E', sqlerr.InFailedSQLTransaction)
	f("ROLLBACK", 'I', "")
	f("SELECT 1 FROM", 'I', sqlerr.SyntaxError)
	// A syntax error anywhere in a query message runs none of it, as in PostgreSQL.
	f("BEGIN; SELECT 1 FROM", 'I', sqlerr.SyntaxError)
	f("BEGIN", 'T', "")
	f("SELECT 1 FROM", 'E', sqlerr.SyntaxError)
	f("COMMIT", 'I', "")
	f("SET statement_timeout = '5s'", 'I', "")
	f("SET no_such_setting = 1", 'I', sqlerr.UndefinedObject)
	rows, err := s.Query(ctx, "SHOW statement_timeout")
	if err != nil || !rows.Next() || rows.Values()[0].S != "5000" {
		t.Errorf("SHOW statement_timeout: %v", err)
	}
}

// After a crash (no final checkpoint) a sequence never hands out a value twice.
func TestSequenceSurvivesCrash(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := OpenWith(Options{Dir: dir, SyncMode: "off"})
	if err != nil {
		t.Fatal(err)
	}
	s := db.NewSession("rustydb")
	if _, err := s.Exec(ctx, "CREATE TABLE t (id SERIAL PRIMARY KEY, v INT)"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 40; i++ {
		if _, err := s.Exec(ctx, "INSERT INTO t (v) VALUES (1)"); err != nil {
			t.Fatal(err)
		}
	}
	db.closed = true // simulate a crash: no checkpoint, the log is all there is
	close(db.stop)
	if err := db.store.CloseNoCheckpoint(); err != nil {
		t.Fatal(err)
	}
	db, err = OpenWith(Options{Dir: dir, SyncMode: "off"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s = db.NewSession("rustydb")
	if _, err := s.Exec(ctx, "INSERT INTO t (v) VALUES (2)"); err != nil {
		t.Fatalf("insert after crash reused a sequence value: %v", err)
	}
	rows, err := s.Query(ctx, "SELECT count(*), max(id) > 40 FROM t")
	if err != nil || !rows.Next() || rows.Values()[0].I != 41 || !rows.Values()[1].Bool() {
		t.Fatalf("after crash: %v %v", err, rows.Values())
	}
}

// Schemas and the tables in them are durable like tables: they survive a
// clean restart (checkpoint) and a crash (WAL replay), and a rolled back
// CREATE SCHEMA leaves nothing behind.
func TestSchemasSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	open := func() *Session {
		db, err := OpenWith(Options{Dir: dir, SyncMode: "off"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db.NewSession("rustydb")
	}
	exec := func(s *Session, sql string) {
		t.Helper()
		if _, err := s.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	check := func(s *Session, when string) {
		t.Helper()
		rows, err := s.Query(ctx, "SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace WHERE oid >= 16384")
		if err != nil || !rows.Next() || rows.Values()[0].S != "a,b" {
			t.Fatalf("%s: schemas %v %v, want a,b", when, err, rows.Values())
		}
		rows, err = s.Query(ctx, "SELECT (SELECT count(*) FROM a.t), (SELECT count(*) FROM b.t), (SELECT max(id) FROM b.t)")
		if err != nil || !rows.Next() || rows.Values()[0].I != 2 || rows.Values()[1].I != 1 || rows.Values()[2].I != 1 {
			t.Fatalf("%s: rows %v %v", when, err, rows.Values())
		}
	}
	s := open()
	exec(s, "CREATE SCHEMA a; CREATE TABLE a.t (id INT PRIMARY KEY); INSERT INTO a.t VALUES (1), (2)")
	exec(s, "BEGIN; CREATE SCHEMA gone; CREATE TABLE gone.t (id INT); ROLLBACK")
	exec(s, "CREATE SCHEMA b; CREATE TABLE b.t (id SERIAL PRIMARY KEY); INSERT INTO b.t DEFAULT VALUES")
	if err := s.db.Close(); err != nil {
		t.Fatal(err)
	}
	s = open()
	check(s, "after a restart")
	exec(s, "CREATE SCHEMA c; CREATE TABLE c.t (id INT); DROP SCHEMA c CASCADE")
	s.db.closed = true // simulate a crash: no checkpoint, the log is all there is
	close(s.db.stop)
	if err := s.db.store.CloseNoCheckpoint(); err != nil {
		t.Fatal(err)
	}
	s = open()
	check(s, "after a crash")
	exec(s, "INSERT INTO b.t DEFAULT VALUES")
}

func TestIsolationLevels(t *testing.T) {
	db, err := OpenWith(Options{Dir: t.TempDir(), SyncMode: "off"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	a, b := db.NewSession("rustydb"), db.NewSession("rustydb")
	exec := func(s *Session, sql, wantCode string) {
		t.Helper()
		if _, err := s.Exec(ctx, sql); sqlerr.Code(err) != wantCode {
			t.Fatalf("%s: %v, want %q", sql, err, wantCode)
		}
	}
	count := func(s *Session) int64 {
		t.Helper()
		rows, err := s.Query(ctx, "SELECT count(*) FROM t")
		if err != nil || !rows.Next() {
			t.Fatal(err)
		}
		return rows.Values()[0].I
	}
	exec(a, "CREATE TABLE t (k INT PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 0)", "")

	// REPEATABLE READ keeps the first statement's snapshot.
	exec(a, "BEGIN ISOLATION LEVEL REPEATABLE READ", "")
	if n := count(a); n != 1 {
		t.Fatalf("count %d", n)
	}
	exec(b, "INSERT INTO t VALUES (2, 0)", "")
	if n := count(a); n != 1 {
		t.Errorf("repeatable read saw a later commit: count %d", n)
	}
	exec(b, "UPDATE t SET v = v + 1 WHERE k = 1", "")
	exec(a, "UPDATE t SET v = v + 10 WHERE k = 1", sqlerr.SerializationFailure)
	exec(a, "ROLLBACK", "")

	// READ COMMITTED sees each commit and re-applies the update to the newest row.
	exec(a, "BEGIN", "")
	exec(b, "INSERT INTO t VALUES (3, 0)", "")
	if n := count(a); n != 3 {
		t.Errorf("read committed count %d, want 3", n)
	}
	exec(a, "UPDATE t SET v = v + 10 WHERE k = 1", "")
	exec(a, "COMMIT", "")
	rows, _ := a.Query(ctx, "SELECT v FROM t WHERE k = 1")
	if !rows.Next() || rows.Values()[0].I != 11 {
		t.Errorf("v = %v, want 11", rows.Values())
	}

	exec(a, "BEGIN ISOLATION LEVEL SERIALIZABLE", sqlerr.FeatureNotSupported)
	exec(a, "BEGIN; SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", "")
	rows, _ = a.Query(ctx, "SHOW transaction_isolation")
	if !rows.Next() || rows.Values()[0].S != "repeatable read" {
		t.Errorf("transaction_isolation = %v", rows.Values())
	}
	count(a) // the first query fixes the snapshot; the level can no longer change
	exec(a, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED", sqlerr.ActiveSQLTransaction)
	exec(a, "ROLLBACK", "")
}
