package rustydb

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"rustydb/sqlerr"
)

// openParamsDB opens an engine that logs JSON to the file it returns.
func openParamsDB(t *testing.T) (*DB, string) {
	t.Helper()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "server.log")
	log, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	db, err := OpenWith(Options{Dir: filepath.Join(dir, "data"), SyncMode: "off", Logger: slog.New(slog.NewJSONHandler(log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		log.Close()
	})
	return db, logPath
}

// queryValues runs sql and returns its rows' first values as text.
func queryValues(t *testing.T, s *Session, sql string) []string {
	t.Helper()
	rows, err := s.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	var out []string
	for rows.Next() {
		out = append(out, rows.Values()[0].S)
	}
	return out
}

func execIn(t *testing.T, s *Session, sql string) {
	t.Helper()
	if _, err := s.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func TestShowAllAndConfigFile(t *testing.T) {
	db, _ := openParamsDB(t)
	s := db.NewSession("rustydb")
	rows, err := s.Query(context.Background(), "SHOW ALL")
	if err != nil {
		t.Fatal(err)
	}
	if cols := rows.Columns(); len(cols) != 3 || cols[0].Name != "name" || cols[1].Name != "setting" || cols[2].Name != "description" {
		t.Fatalf("SHOW ALL columns = %+v", cols)
	}
	got := map[string]string{}
	for rows.Next() {
		v := rows.Values()
		got[v[0].S] = v[1].S
		if v[2].S == "" {
			t.Errorf("SHOW ALL: %s has no description", v[0].S)
		}
	}
	for name, want := range map[string]string{"search_path": `"$user", public`, "timezone": "UTC", "work_mem": "512MB",
		"statement_timeout": "0", "max_connections": "100", "config_file": "", "password_encryption": "scram-sha-256"} {
		if v, ok := got[name]; !ok || v != want {
			t.Errorf("SHOW ALL: %s = %q (listed %v), want %q", name, v, ok, want)
		}
	}
	if v := queryValues(t, s, "SHOW config_file"); len(v) != 1 || v[0] != "" {
		t.Errorf("SHOW config_file = %q, want empty on embedded defaults", v)
	}
	// Describe of a prepared SHOW ALL has the same columns
	p, err := s.Prepare("SHOW ALL", nil)
	if err != nil || len(p.Columns) != 3 {
		t.Errorf("Prepare(SHOW ALL) columns = %+v, %v", p.Columns, err)
	}
}

func TestAlterSystemNeedsSuperuser(t *testing.T) {
	db, _ := openParamsDB(t)
	admin := db.NewSession("rustydb")
	execIn(t, admin, "CREATE USER alice PASSWORD 'x'")
	alice := db.Login("alice")
	_, err := alice.Exec(context.Background(), "ALTER SYSTEM SET max_connections = 5")
	if sqlerr.Code(err) != sqlerr.InsufficientPrivilege {
		t.Fatalf("ALTER SYSTEM as alice: %v, want 42501", err)
	}
	if v := queryValues(t, alice, "SHOW max_connections"); v[0] != "100" {
		t.Errorf("max_connections = %s after a refused change", v[0])
	}
	// her own session values need no privilege
	execIn(t, alice, "SET work_mem = '1MB'")
	if v := queryValues(t, alice, "SHOW work_mem"); v[0] != "1MB" {
		t.Errorf("work_mem = %s, want 1MB", v[0])
	}
}

// TestDynamicParams checks that changed values take effect in running
// sessions that have no value of their own.
func TestDynamicParams(t *testing.T) {
	db, _ := openParamsDB(t)
	s := db.NewSession("rustydb")
	ctx := context.Background()

	// the query timeout
	execIn(t, s, "ALTER SYSTEM SET query_timeout_ms = 100")
	if v := queryValues(t, s, "SHOW statement_timeout"); v[0] != "100" {
		t.Errorf("statement_timeout = %s, want the server's 100", v[0])
	}
	_, err := s.Exec(ctx, "SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b")
	if sqlerr.Code(err) != sqlerr.QueryCanceled {
		t.Errorf("long query under query_timeout_ms: %v, want 57014", err)
	}
	execIn(t, s, "SET statement_timeout = '1min'")
	execIn(t, s, "ALTER SYSTEM SET query_timeout_ms = 5")
	if v := queryValues(t, s, "SHOW statement_timeout"); v[0] != "60000" {
		t.Errorf("statement_timeout = %s, want the session's own 60000", v[0])
	}

	// the parallel workers of an aggregation
	execIn(t, s, "CREATE TABLE big AS SELECT g AS v FROM generate_series(1, 40000) g")
	workers := func() string {
		for _, l := range queryValues(t, s, "EXPLAIN ANALYZE SELECT /*+ PARALLEL(4) */ sum(v) FROM big") {
			if _, after, ok := strings.Cut(l, "workers="); ok {
				return strings.TrimRight(strings.Fields(after)[0], ")")
			}
		}
		return "1"
	}
	// the hint's 4: the statement's own worker and 3 from the pool, which
	// holds one per CPU
	if w, want := workers(), fmt.Sprint(1+min(3, runtime.GOMAXPROCS(0))); w != want {
		t.Errorf("workers = %s, want %s as the hint asks and the pool allows", w, want)
	}

	execIn(t, s, "ALTER SYSTEM SET max_parallel_workers = 3")
	if w := workers(); w != "3" {
		t.Errorf("workers = %s, want 3 (max_parallel_workers)", w)
	}
	execIn(t, s, "SET max_parallel_workers_per_query = 2")
	if w := workers(); w != "2" {
		t.Errorf("workers = %s, want 2 (max_parallel_workers_per_query)", w)
	}
	// a query may ask for 4, but the pool lends one worker beyond its own
	execIn(t, s, "ALTER SYSTEM SET max_parallel_workers = 1")
	execIn(t, s, "SET max_parallel_workers_per_query = 4")
	if w := workers(); w != "2" {
		t.Errorf("workers = %s, want 2 (a pool of max_parallel_workers = 1)", w)
	}

	// the checkpoint interval: an embedded engine starts without one
	before := db.store.Checkpoints()
	execIn(t, s, "ALTER SYSTEM SET checkpoint_interval_ms = 1000")
	deadline := time.Now().Add(20 * time.Second)
	for db.store.Checkpoints() == before {
		if time.Now().After(deadline) {
			t.Fatal("no periodic checkpoint after checkpoint_interval_ms was set")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestSlowQueryLog(t *testing.T) {
	db, logPath := openParamsDB(t)
	s := db.NewSession("rustydb")
	execIn(t, s, "CREATE TABLE t (a INT)")
	execIn(t, s, "ALTER SYSTEM SET slow_query_threshold_ms = 0")
	execIn(t, s, "SELECT a FROM t WHERE a > 1 ORDER BY a")
	execIn(t, s, "ALTER SYSTEM SET slow_query_threshold_ms = -1")
	execIn(t, s, "SELECT 'not logged' FROM t")

	var slow []map[string]any
	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(log)), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["msg"] == "slow query" {
			slow = append(slow, rec)
		}
	}
	// the ALTER SYSTEM that turned the log on (it applies to itself) and
	// the SELECT; nothing after it was turned off
	if len(slow) != 2 {
		t.Fatalf("slow-query records = %v, want 2", slow)
	}
	if slow[0]["plan"] != "utility" {
		t.Errorf("plan of ALTER SYSTEM = %v, want its kind", slow[0]["plan"])
	}
	rec := slow[1]
	if rec["level"] != "WARN" || rec["statement"] != "SELECT a FROM t WHERE a > 1 ORDER BY a" || rec["user"] != "rustydb" ||
		rec["session_id"] != float64(s.ID()) || rec["plan"] != "Sort -> Seq Scan on t" {
		t.Errorf("slow-query record = %v", rec)
	}
	if _, ok := rec["duration_ms"].(float64); !ok {
		t.Errorf("duration_ms = %v, want a number", rec["duration_ms"])
	}
}

// TestPreparedSeesSettingChanges runs one prepared statement between
// changes of what a statement derives from the session's settings (see
// stmtSettings): the search path (as SET, SET LOCAL that a commit reverts,
// and SET ROLE through $user), statement_timeout and
// default_transaction_isolation. Each execution must see the settings
// then in force, not those the derived values were made from.
func TestPreparedSeesSettingChanges(t *testing.T) {
	db, _ := openParamsDB(t)
	s := db.NewSession("rustydb")
	ctx := context.Background()
	for _, q := range []string{
		"CREATE SCHEMA other", "CREATE TABLE t (x TEXT)", "CREATE TABLE other.t (x TEXT)",
		"INSERT INTO t VALUES ('public')", "INSERT INTO other.t VALUES ('other')",
		"CREATE ROLE other SUPERUSER",
	} {
		execIn(t, s, q)
	}
	p, err := s.Prepare("SELECT x FROM t", nil)
	if err != nil {
		t.Fatal(err)
	}
	run := func(step, want string) {
		t.Helper()
		var c collector
		err := s.ExecutePrepared(ctx, p, nil, &c)
		if err == nil {
			err = s.Sync(false)
		}
		got := ""
		if err != nil {
			got = "error " + sqlerr.Code(err)
		} else if len(c.rows.rows) == 1 {
			got = c.rows.rows[0][0].S
		}
		if got != want {
			t.Errorf("%s: got %q, want %q", step, got, want)
		}
	}
	run("default path", "public")
	execIn(t, s, "SET search_path = other")
	run("SET search_path", "other")
	execIn(t, s, "RESET search_path")
	run("RESET search_path", "public")
	execIn(t, s, "BEGIN")
	execIn(t, s, "SET LOCAL search_path = other")
	run("SET LOCAL search_path", "other")
	execIn(t, s, "COMMIT")
	run("after the transaction", "public")
	execIn(t, s, `SET search_path = "$user"`)
	run("$user as rustydb", "error 42P01")
	execIn(t, s, "SET ROLE other")
	run("$user as other", "other")
	execIn(t, s, "RESET ROLE")
	execIn(t, s, "RESET search_path")

	sleep, err := s.Prepare("SELECT pg_sleep(0.2)::text", nil)
	if err != nil {
		t.Fatal(err)
	}
	sleepErr := func() string {
		var c collector
		err := s.ExecutePrepared(ctx, sleep, nil, &c)
		s.Sync(err != nil)
		return sqlerr.Code(err)
	}
	execIn(t, s, "SET statement_timeout = 20")
	if code := sleepErr(); code != sqlerr.QueryCanceled {
		t.Errorf("statement_timeout 20 ms: code %q, want %s", code, sqlerr.QueryCanceled)
	}
	execIn(t, s, "RESET statement_timeout")
	if code := sleepErr(); code != "" {
		t.Errorf("after RESET statement_timeout: code %q", code)
	}

	// Two executions before a Sync share an implicit transaction, whose
	// second statement sees a row another session committed in between
	// only under READ COMMITTED.
	count, err := s.Prepare("SELECT count(*)::text FROM t", nil)
	if err != nil {
		t.Fatal(err)
	}
	other := db.NewSession("rustydb")
	for _, c := range []struct {
		level string
		grows bool
	}{{"repeatable read", false}, {"read committed", true}} {
		execIn(t, s, "SET default_transaction_isolation = '"+c.level+"'")
		var first, second collector
		if err := s.ExecutePrepared(ctx, count, nil, &first); err != nil {
			t.Fatal(err)
		}
		execIn(t, other, "INSERT INTO t VALUES ('more')")
		if err := s.ExecutePrepared(ctx, count, nil, &second); err != nil {
			t.Fatal(err)
		}
		s.Sync(false)
		if grows := first.rows.rows[0][0].S != second.rows.rows[0][0].S; grows != c.grows {
			t.Errorf("default_transaction_isolation %s: counts %s then %s", c.level, first.rows.rows[0][0].S, second.rows.rows[0][0].S)
		}
	}
}
