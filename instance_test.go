package rustydb

import (
	"context"
	"testing"

	"rustydb/sqlerr"
)

func TestMountedDatabase(t *testing.T) {
	dir := t.TempDir()
	db, err := OpenWith(Options{Dir: dir, SyncMode: "off"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := db.EnsureAdmin("admin", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, "CREATE TABLE t (i INT); INSERT INTO t VALUES (1); CREATE VIEW v AS SELECT i FROM t; CREATE USER alice"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = OpenWith(Options{Dir: dir, SyncMode: "off", MountOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !db.Mounted() {
		t.Fatal("MountOnly did not mount")
	}
	if err := db.CheckLogin("admin"); err != nil {
		t.Errorf("superuser refused while mounted: %v", err)
	}
	if got := sqlerr.Code(db.CheckLogin("alice")); got != sqlerr.CannotConnectNow {
		t.Errorf("alice while mounted: %s, want 57P03", got)
	}
	admin := db.Login("admin")
	f := func(s *Session, query, code string) {
		t.Helper()
		_, err := s.Exec(ctx, query)
		if got := sqlerr.Code(err); (code == "" && err != nil) || (code != "" && got != code) {
			t.Errorf("%s: got %v, want SQLSTATE %q", query, err, code)
		}
	}
	for _, q := range []string{
		"SELECT * FROM t", "SELECT * FROM v", "SELECT 1 FROM pg_class c JOIN t ON true",
		"SELECT (SELECT count(*) FROM t)", "INSERT INTO t VALUES (2)", "UPDATE t SET i = 3",
		"DELETE FROM t", "CREATE TABLE u (i INT)", "DROP TABLE t", "TRUNCATE t", "VACUUM t",
		"COPY t TO STDOUT", "EXPLAIN SELECT * FROM t",
	} {
		f(admin, q, sqlerr.ObjectNotInPrerequisiteSt)
	}
	for _, q := range []string{
		"SELECT count(*) FROM pg_class", "SELECT 1", "SHOW search_path", "SET application_name = 'x'",
		"BEGIN", "COMMIT", "CHECKPOINT",
	} {
		f(admin, q, "")
	}
	alice := db.Login("alice")
	f(alice, "ALTER DATABASE OPEN", sqlerr.InsufficientPrivilege)
	f(admin, "ALTER DATABASE OPEN", "")
	f(admin, "ALTER DATABASE OPEN", sqlerr.ObjectNotInPrerequisiteSt)
	f(admin, "SELECT * FROM v", "")
	f(admin, "INSERT INTO t VALUES (2)", "")
	if err := db.CheckLogin("alice"); err != nil {
		t.Errorf("alice after OPEN: %v", err)
	}
}

// openWithAlice opens a DB in a new directory with the superuser admin and
// the user alice.
func openWithAlice(t *testing.T, opts Options) *DB {
	t.Helper()
	opts.Dir, opts.SyncMode = t.TempDir(), "off"
	db, err := OpenWith(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.EnsureAdmin("admin", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(context.Background(), "CREATE USER alice"); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestRestrictedSession(t *testing.T) {
	db := openWithAlice(t, Options{Restricted: true})
	ctx := context.Background()
	login := func(want string) {
		t.Helper()
		if got := sqlerr.Code(db.CheckLogin("alice")); got != want {
			t.Fatalf("alice's login: %q, want %q", got, want)
		}
		if err := db.CheckLogin("admin"); err != nil {
			t.Fatalf("superuser refused: %v", err)
		}
	}
	login(sqlerr.CannotConnectNow)
	alice := db.Login("alice") // a session already open stays
	if _, err := alice.Exec(ctx, "ALTER SYSTEM DISABLE RESTRICTED SESSION"); sqlerr.Code(err) != sqlerr.InsufficientPrivilege {
		t.Fatalf("alice disabling restricted session: %v", err)
	}
	admin := db.Login("admin")
	for _, c := range []struct {
		sql  string
		want string
	}{
		{"ALTER SYSTEM DISABLE RESTRICTED SESSION", ""},
		{"ALTER SYSTEM ENABLE RESTRICTED SESSION", sqlerr.CannotConnectNow},
		{"alter system disable restricted session", ""},
	} {
		if tag, err := admin.Exec(ctx, c.sql); err != nil || tag != "ALTER SYSTEM" {
			t.Fatalf("%s: %q, %v", c.sql, tag, err)
		}
		login(c.want)
	}
}

func TestShutdownStatement(t *testing.T) {
	db := openWithAlice(t, Options{})
	ctx := context.Background()
	admin := db.Login("admin")
	if _, err := admin.Exec(ctx, "SHUTDOWN"); sqlerr.Code(err) != sqlerr.FeatureNotSupported {
		t.Fatalf("SHUTDOWN without a server: %v", err)
	}
	requests := db.ShutdownRequests()
	if _, err := db.Login("alice").Exec(ctx, "SHUTDOWN ABORT"); sqlerr.Code(err) != sqlerr.InsufficientPrivilege {
		t.Fatalf("SHUTDOWN by alice: %v", err)
	}
	if _, err := admin.Exec(ctx, "BEGIN; SHUTDOWN"); sqlerr.Code(err) != sqlerr.ActiveSQLTransaction {
		t.Fatalf("SHUTDOWN in a transaction block: %v", err)
	}
	admin.Exec(ctx, "ROLLBACK")
	for _, c := range []struct {
		sql  string
		want ShutdownMode
	}{{"SHUTDOWN", ShutdownNormal}, {"SHUTDOWN IMMEDIATE", ShutdownImmediate}, {"shutdown abort", ShutdownAbort}} {
		if tag, err := admin.Exec(ctx, c.sql); err != nil || tag != "SHUTDOWN" {
			t.Fatalf("%s: %q, %v", c.sql, tag, err)
		}
		select {
		case m := <-requests:
			if m != c.want {
				t.Errorf("%s requested %s", c.sql, m)
			}
		default:
			t.Errorf("%s requested nothing", c.sql)
		}
	}
	// A client's writer that defers the request gets it, under the
	// session's own wrappers; nothing is requested before it delivers.
	d := &deferringWriter{}
	if _, err := admin.Run(ctx, "SHUTDOWN IMMEDIATE", d); err != nil || d.mode != ShutdownImmediate {
		t.Fatalf("SHUTDOWN IMMEDIATE through a deferring writer: %v, deferred %q", err, d.mode)
	}
	select {
	case m := <-requests:
		t.Errorf("SHUTDOWN requested %s at once instead of deferring it", m)
	default:
	}
	if !ShutdownAbort.Stronger(ShutdownImmediate) || !ShutdownImmediate.Stronger(ShutdownNormal) || ShutdownNormal.Stronger(ShutdownNormal) {
		t.Error("Stronger does not order NORMAL < IMMEDIATE < ABORT")
	}
	for in, want := range map[string]ShutdownMode{"normal": ShutdownNormal, " Immediate ": ShutdownImmediate, "ABORT": ShutdownAbort, "fast": ""} {
		if got, err := ParseShutdownMode(in); got != want || (want == "") != (err != nil) {
			t.Errorf("ParseShutdownMode(%q) = %q, %v", in, got, err)
		}
	}
}

// deferringWriter is a client's writer that keeps a SHUTDOWN, as the wire
// protocol's does until ReadyForQuery.
type deferringWriter struct {
	collector
	mode ShutdownMode
}

func (w *deferringWriter) DeferShutdown(m ShutdownMode) { w.mode = m }
