package rustydb

import (
	"context"
	"testing"

	"rustydb/auth"
	"rustydb/sqlerr"
)

func TestLoginPrivileges(t *testing.T) {
	db, err := OpenWith(Options{Dir: t.TempDir(), SyncMode: "off"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if did, err := db.EnsureAdmin("admin", "adminpw"); err != nil || did != `created the bootstrap superuser "admin"` {
		t.Fatalf("EnsureAdmin = %q, %v", did, err)
	}
	if did, err := db.EnsureAdmin("admin", "other"); err != nil || did != "" {
		t.Fatalf("second EnsureAdmin = %q, %v; want nothing done", did, err)
	}
	exec := func(s *Session, sql, code string) {
		t.Helper()
		_, err := s.Exec(ctx, sql)
		if got := sqlerr.Code(err); (code == "" && err != nil) || (code != "" && got != code) {
			t.Fatalf("%s: got %v, want SQLSTATE %q", sql, err, code)
		}
	}
	admin := db.Login("admin")
	if admin.settings["is_superuser"] != "on" {
		t.Error("admin session is not superuser")
	}
	exec(admin, "CREATE USER alice PASSWORD 'a'", "")
	exec(admin, "CREATE USER bob PASSWORD 'b'", "")

	alice := db.Login("alice")
	if alice.settings["is_superuser"] != "off" {
		t.Error("alice's session reports is_superuser on")
	}
	exec(alice, "CREATE USER eve", sqlerr.InsufficientPrivilege)
	exec(alice, "DROP USER bob", sqlerr.InsufficientPrivilege)
	exec(alice, "ALTER USER bob PASSWORD 'x'", sqlerr.InsufficientPrivilege)
	exec(alice, "ALTER USER alice SUPERUSER", sqlerr.InsufficientPrivilege)
	exec(alice, "ALTER USER alice PASSWORD 'a2'", "") // one's own password

	exec(admin, "DROP USER admin", sqlerr.ObjectInUse)
	exec(admin, "ALTER USER admin NOSUPERUSER", sqlerr.InsufficientPrivilege)
	exec(admin, "ALTER USER alice SUPERUSER", "")
	exec(alice, "CREATE USER carol", "") // privileges are looked up per statement
	exec(alice, "DROP USER admin", sqlerr.DependentObjectsStillExist)
	exec(admin, "DROP USER alice", "")
	exec(alice, "CREATE USER dave", sqlerr.InsufficientPrivilege) // a dropped role has no privileges

	// Passwords are stored as a SCRAM verifier only, never in clear; md5
	// only under password_encryption = md5.
	bob := db.Role("bob")
	if v, ok := auth.ParseVerifier(bob.SCRAM); !ok || v.Iterations != auth.SCRAMIterations || bob.MD5 != "" {
		t.Errorf("bob's stored password: %+v", bob)
	}
	exec(admin, "SET password_encryption = md5; ALTER USER bob PASSWORD 'b2'", "")
	if bob = db.Role("bob"); bob.MD5 != auth.MD5("b2", "bob") || bob.SCRAM == "" {
		t.Errorf("bob's stored password under md5: %+v", bob)
	}
	// A client-computed verifier (psql's \password) is stored as given.
	v := auth.NewVerifier("c").String()
	exec(admin, "ALTER USER carol PASSWORD '"+v+"'", "")
	if c := db.Role("carol"); c.SCRAM != v || c.MD5 != "" {
		t.Errorf("carol's stored password: %+v", c)
	}

	// A role changed by an open transaction keeps its committed definition
	// for authentication until the commit.
	exec(admin, "BEGIN; ALTER USER bob NOLOGIN; CREATE USER frank", "")
	if !db.Role("bob").Login || db.Role("frank") != nil {
		t.Error("uncommitted role changes are visible to authentication")
	}
	exec(admin, "COMMIT", "")
	if db.Role("bob").Login || db.Role("frank") == nil {
		t.Error("committed role changes are not visible to authentication")
	}
}

// TestEnsureAdminSetsMissingPassword covers a directory first served in dev
// mode, whose administrator has no password, then started with one.
func TestEnsureAdminSetsMissingPassword(t *testing.T) {
	db, err := OpenWith(Options{Dir: t.TempDir(), SyncMode: "off"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Role(DatabaseName) == nil {
		t.Fatal("a database without roles has no implicit superuser")
	}
	if _, err := db.EnsureAdmin("rustydb", ""); err != nil {
		t.Fatal(err)
	}
	if r := db.Role("rustydb"); r == nil || r.HasPassword() || !r.Bootstrap || !r.Superuser {
		t.Fatalf("admin after a passwordless bootstrap: %+v", r)
	}
	if did, err := db.EnsureAdmin("rustydb", "pw"); err != nil || did != `set the password of "rustydb"` {
		t.Fatalf("EnsureAdmin = %q, %v", did, err)
	}
	if r := db.Role("rustydb"); !r.HasPassword() {
		t.Fatalf("admin password not set: %+v", r)
	}
	if _, err := db.EnsureAdmin("pg_admin", "pw"); sqlerr.Code(err) != sqlerr.ReservedName {
		t.Errorf("EnsureAdmin with a reserved name: %v", err)
	}
}
