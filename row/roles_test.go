package row

import (
	"fmt"
	"strings"
	"testing"

	"rustydb/catalog"
	"rustydb/sqlerr"
)

// roleList renders roles as "name:superuser:login:scram" lines, sorted by name.
func roleList(roles []*catalog.Role) string {
	var lines []string
	for _, r := range roles {
		lines = append(lines, fmt.Sprintf("%s:%v:%v:%s", r.Name, r.Superuser, r.Login, r.SCRAM))
	}
	return strings.Join(lines, " ")
}

func checkRoles(t *testing.T, s *Store, want, when string) {
	t.Helper()
	if got := roleList(s.Roles()); got != want {
		t.Fatalf("%s: committed roles\n  %s\nwant\n  %s", when, got, want)
	}
	if got := roleList(s.Catalog().Roles()); got != want {
		t.Fatalf("%s: catalog roles\n  %s\nwant\n  %s", when, got, want)
	}
}

func createRole(t *testing.T, s *Store, r *catalog.Role) {
	t.Helper()
	tx := s.Begin()
	if err := tx.CreateRole(r); err != nil {
		t.Fatal(err)
	}
	mustCommit(t, tx)
}

// TestRolesSurviveRestart checks that role changes are durable both through
// a checkpoint and through WAL replay alone.
func TestRolesSurviveRestart(t *testing.T) {
	for _, checkpoint := range []bool{true, false} {
		t.Run(fmt.Sprintf("checkpoint=%v", checkpoint), func(t *testing.T) {
			s := openStore(t, testOptions(t))
			createRole(t, s, &catalog.Role{Name: "admin", Superuser: true, Login: true, Bootstrap: true, SCRAM: "v1"})
			createRole(t, s, &catalog.Role{Name: "alice", Login: true, SCRAM: "a1"})
			createRole(t, s, &catalog.Role{Name: "bob", Login: true})
			tx := s.Begin()
			alice := s.Catalog().Role("alice")
			changed := *alice
			changed.SCRAM, changed.MD5 = "a2", "md5x"
			if err := tx.AlterRole(alice, &changed); err != nil {
				t.Fatal(err)
			}
			if err := tx.DropRole(s.Catalog().Role("bob")); err != nil {
				t.Fatal(err)
			}
			mustCommit(t, tx)
			want := "admin:true:true:v1 alice:false:true:a2"
			checkRoles(t, s, want, "before restart")
			s = restart(t, s, checkpoint)
			checkRoles(t, s, want, "after restart")
			if r := s.Role("alice"); r == nil || r.MD5 != "md5x" || r.ID != alice.ID {
				t.Fatalf("alice after restart: %+v", r)
			}
			if r := s.Role("admin"); r == nil || !r.Bootstrap {
				t.Fatalf("admin after restart: %+v", r)
			}
			// New roles after a restart get fresh IDs.
			createRole(t, s, &catalog.Role{Name: "carol"})
			if c := s.Catalog().Role("carol"); c.ID <= alice.ID {
				t.Errorf("carol got id %d, alice has %d", c.ID, alice.ID)
			}
			s = restart(t, s, !checkpoint)
			checkRoles(t, s, want+" carol:false:false:", "after second restart")
		})
	}
}

// TestRolesUncommitted checks that an open transaction's role changes are
// visible in the catalog but not in the committed view, roll back, and
// stay out of a checkpoint taken meanwhile.
func TestRolesUncommitted(t *testing.T) {
	s := openStore(t, testOptions(t))
	createRole(t, s, &catalog.Role{Name: "alice", Login: true, SCRAM: "a1"})
	createRole(t, s, &catalog.Role{Name: "bob", Login: true, SCRAM: "b1"})
	alice := s.Catalog().Role("alice")

	tx := s.Begin()
	changed := *alice
	changed.SCRAM = "a2"
	if err := tx.AlterRole(alice, &changed); err != nil {
		t.Fatal(err)
	}
	if err := tx.DropRole(s.Catalog().Role("bob")); err != nil {
		t.Fatal(err)
	}
	if err := tx.CreateRole(&catalog.Role{Name: "carol", Login: true}); err != nil {
		t.Fatal(err)
	}
	committed := "alice:false:true:a1 bob:false:true:b1"
	if got := roleList(s.Roles()); got != committed {
		t.Fatalf("committed view during the transaction: %s", got)
	}
	if got := roleList(s.Catalog().Roles()); got != "alice:false:true:a2 carol:false:true:" {
		t.Fatalf("catalog during the transaction: %s", got)
	}
	if r := s.Role("carol"); r != nil {
		t.Fatalf("uncommitted role visible to Role: %+v", r)
	}
	if r := s.Role("bob"); r == nil {
		t.Fatal("role dropped by an open transaction missing from Role")
	}

	// Another transaction cannot change the same roles or take bob's name.
	other := s.Begin()
	stale := *alice // not the catalog's current definition
	wantCode(t, other.AlterRole(&stale, &catalog.Role{ID: alice.ID, Name: "alice"}), sqlerr.SerializationFailure, "alter from a stale definition")
	wantCode(t, other.AlterRole(&changed, &catalog.Role{ID: alice.ID, Name: "alice"}), sqlerr.SerializationFailure, "alter a role another transaction altered")
	wantCode(t, other.CreateRole(&catalog.Role{Name: "bob"}), sqlerr.SerializationFailure, "create a role another transaction drops")
	wantCode(t, other.CreateRole(&catalog.Role{Name: "carol"}), sqlerr.DuplicateObject, "create a role another transaction creates")
	other.Rollback()

	if err := s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	checkRoles(t, s, committed, "after rollback")
	s = restart(t, s, false) // from the checkpoint taken mid-transaction
	checkRoles(t, s, committed, "after restart")
}
