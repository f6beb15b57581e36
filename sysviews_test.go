package rustydb

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"rustydb/sql"
	"rustydb/sqlerr"
)

// eventually polls q in s until it returns want (rows as copyRows gives
// them, without the last newline).
func eventually(t *testing.T, s *Session, q, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for got := strings.TrimSuffix(copyRows(t, s, q), "\n"); got != want; got = strings.TrimSuffix(copyRows(t, s, q), "\n") {
		if time.Now().After(deadline) {
			t.Fatalf("%s: got %q, want %q", q, got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func wantSQLState(t *testing.T, err error, code string) {
	t.Helper()
	if sqlerr.Code(err) != code {
		t.Fatalf("got %v, want SQLSTATE %s", err, code)
	}
}

func openTestDB(t *testing.T) *DB {
	t.Helper()
	db, err := OpenWith(Options{Dir: t.TempDir(), SyncMode: "off"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// start runs q in s in the background; the channel gets its error.
func start(s *Session, q string) chan error {
	done := make(chan error, 1)
	go func() {
		_, err := s.Exec(context.Background(), q)
		done <- err
	}()
	return done
}

// TestKillEmbeddedSession kills an embedded session that runs a statement:
// the statement fails with 57P01, as do the session's later ones, and
// v$session shows it KILLED until it is closed.
func TestKillEmbeddedSession(t *testing.T) {
	db, ctx := openTestDB(t), context.Background()
	dba, victim := db.NewSession("rustydb"), db.NewSession("rustydb")
	defer dba.Close()
	done := start(victim, "SELECT pg_sleep(60)")
	sid := victim.ID()
	eventually(t, dba, fmt.Sprintf("SELECT status, event FROM v$session WHERE sid = %d", sid), "ACTIVE|PgSleep")
	// CANCEL SQL ends the statement, not the session
	if _, err := dba.Exec(ctx, fmt.Sprintf("ALTER SYSTEM CANCEL SQL '%d'", sid)); err != nil {
		t.Fatal(err)
	}
	wantSQLState(t, <-done, sqlerr.QueryCanceled)
	done = start(victim, "SELECT pg_sleep(60)")
	eventually(t, dba, fmt.Sprintf("SELECT sql_text FROM v$active_queries WHERE sid = %d", sid), "SELECT pg_sleep(60)")
	if tag, err := dba.Exec(ctx, fmt.Sprintf("ALTER SYSTEM KILL SESSION '%d'", sid)); err != nil || tag != "ALTER SYSTEM" {
		t.Fatalf("kill: %q %v", tag, err)
	}
	select {
	case err := <-done:
		wantSQLState(t, err, sqlerr.AdminShutdown)
	case <-time.After(10 * time.Second):
		t.Fatal("the killed session's statement still runs")
	}
	_, err := victim.Exec(ctx, "SELECT 1")
	wantSQLState(t, err, sqlerr.AdminShutdown)
	if got := copyRows(t, dba, fmt.Sprintf("SELECT status FROM v$session WHERE sid = %d", sid)); got != "KILLED\n" {
		t.Errorf("status %q, want KILLED", got)
	}
	victim.Close()
	if got := copyRows(t, dba, fmt.Sprintf("SELECT count(*) FROM v$session WHERE sid = %d", sid)); got != "0\n" {
		t.Errorf("a closed session is still listed: %s", got)
	}
}

// TestSignalPrivileges: only superusers kill sessions; other roles may
// cancel and terminate only their own role's sessions, as in PostgreSQL.
func TestSignalPrivileges(t *testing.T) {
	db, ctx := openTestDB(t), context.Background()
	admin := db.NewSession("rustydb")
	defer admin.Close()
	if _, err := admin.Exec(ctx, "CREATE USER rustydb SUPERUSER; CREATE USER bob; CREATE USER eve"); err != nil {
		t.Fatal(err)
	}
	su, bob, bob2, eve := db.Login("rustydb"), db.Login("bob"), db.Login("bob"), db.Login("eve")
	for _, s := range []*Session{su, bob, bob2, eve} {
		defer s.Close()
	}
	f := func(s *Session, q, code string) {
		t.Helper()
		_, err := s.Exec(ctx, q)
		if code == "" && err != nil || code != "" && sqlerr.Code(err) != code {
			t.Errorf("%s as %s: %v, want %q", q, s.user, err, code)
		}
	}
	f(bob, fmt.Sprintf("ALTER SYSTEM KILL SESSION '%d'", eve.ID()), sqlerr.InsufficientPrivilege)
	f(bob, fmt.Sprintf("ALTER SYSTEM CANCEL SQL '%d'", bob2.ID()), sqlerr.InsufficientPrivilege)
	f(bob, fmt.Sprintf("SELECT pg_cancel_backend(%d)", su.ID()), sqlerr.InsufficientPrivilege)
	f(bob, fmt.Sprintf("SELECT pg_terminate_backend(%d)", eve.ID()), sqlerr.InsufficientPrivilege)
	f(bob, fmt.Sprintf("SELECT pg_cancel_backend(%d)", bob2.ID()), "")
	f(bob, fmt.Sprintf("SELECT pg_terminate_backend(%d)", bob2.ID()), "")
	f(bob2, "SELECT 1", sqlerr.AdminShutdown)
	f(su, fmt.Sprintf("ALTER SYSTEM KILL SESSION '%d'", eve.ID()), "")
	f(eve, "SELECT 1", sqlerr.AdminShutdown)
}

// TestCopyProgress: v$session shows the rows and bytes a running COPY
// FROM STDIN has loaded.
func TestCopyProgress(t *testing.T) {
	db, ctx := openTestDB(t), context.Background()
	loader, watcher := db.NewSession("rustydb"), db.NewSession("rustydb")
	defer loader.Close()
	defer watcher.Close()
	if _, err := loader.Exec(ctx, "CREATE TABLE c (i INT, s TEXT)"); err != nil {
		t.Fatal(err)
	}
	r, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := loader.CopyFrom(ctx, "COPY c FROM STDIN", r)
		done <- err
	}()
	fmt.Fprint(w, "1\tone\n2\ttwo\n3\tthree\n") // 20 bytes
	q := fmt.Sprintf("SELECT status, rows_processed, bytes_processed FROM v$session WHERE sid = %d", loader.ID())
	eventually(t, watcher, q, "ACTIVE|3|20")
	fmt.Fprint(w, "4\tfour\n")
	eventually(t, watcher, q, "ACTIVE|4|27")
	w.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	eventually(t, watcher, q, "INACTIVE|4|27")
}

func TestStatementStatsBounded(t *testing.T) {
	var st statementStats
	hot := sql.Normalize("SELECT hot FROM t WHERE id = 1")
	for i := 0; i < 3; i++ {
		st.record(hot, nil, time.Millisecond*time.Duration(i+1), 1, time.Now())
	}
	for i := 0; i < maxStatements+10; i++ {
		st.record(sql.Normalize(fmt.Sprintf("SELECT c%d FROM t", i)), nil, time.Millisecond, 0, time.Now())
	}
	all := st.snapshot()
	if len(all) > maxStatements || len(all) < maxStatements-maxStatements/20 {
		t.Fatalf("%d entries, want at most %d", len(all), maxStatements)
	}
	for _, s := range all {
		if s.ID == hot.ID {
			if s.Calls != 3 || s.Rows != 3 || s.Min != time.Millisecond || s.Max != 3*time.Millisecond || s.Total != 6*time.Millisecond {
				t.Errorf("hot statement %+v", s)
			}
			return
		}
	}
	t.Error("the most executed statement was evicted")
}

// TestStatementStatsKeptEntry checks that a prepared statement's kept entry
// counts its executions, and that once the entry is evicted the next
// execution starts a new one rather than counting where no view looks.
func TestStatementStatsKeptEntry(t *testing.T) {
	var st statementStats
	var kept *statementEntry
	n := sql.Normalize("SELECT v FROM t WHERE id = $1")
	calls := func() int64 {
		for _, s := range st.snapshot() {
			if s.ID == n.ID {
				return s.Calls
			}
		}
		return 0
	}
	st.record(n, &kept, time.Millisecond, 1, time.Now())
	st.record(n, &kept, time.Millisecond, 1, time.Now())
	if kept == nil || calls() != 2 {
		t.Fatalf("kept %v, calls %d; want an entry with 2 calls", kept, calls())
	}
	for i := 0; i < maxStatements; i++ { // busier statements push it out
		other := sql.Normalize(fmt.Sprintf("SELECT c%d FROM t", i))
		for range 3 {
			st.record(other, nil, time.Millisecond, 0, time.Now())
		}
	}
	if calls() != 0 || !kept.evicted {
		t.Fatalf("calls %d, evicted %v; want the entry evicted", calls(), kept.evicted)
	}
	st.record(n, &kept, time.Millisecond, 1, time.Now())
	if kept.evicted || calls() != 1 {
		t.Errorf("after eviction: calls %d, evicted %v; want a new entry with 1 call", calls(), kept.evicted)
	}
}
