package rustydb

import (
	"context"
	"testing"

	"rustydb/sqlerr"
)

// TestSetRolePreparedPlans checks that a prepared statement's cached plan,
// bound with one role's privileges, is bound again after SET ROLE.
func TestSetRolePreparedPlans(t *testing.T) {
	db, err := OpenWith(Options{Dir: t.TempDir(), SyncMode: "off"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	admin := db.NewSession("rustydb")
	for _, q := range []string{"CREATE USER bob", "CREATE ROLE readers", "GRANT readers TO bob",
		"CREATE TABLE t (a int)", "INSERT INTO t VALUES (1)", "GRANT SELECT ON t TO bob"} {
		if _, err := admin.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	bob := db.Login("bob")
	p, err := bob.Prepare("SELECT count(*) FROM t", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		set, code string
	}{
		{"", ""}, // bob may read t
		{"SET ROLE readers", sqlerr.InsufficientPrivilege}, // readers may not
		{"RESET ROLE", ""},
	} {
		if step.set != "" {
			if _, err := bob.Exec(ctx, step.set); err != nil {
				t.Fatalf("%s: %v", step.set, err)
			}
		}
		var c collector
		if err := bob.ExecutePrepared(ctx, p, nil, &c); sqlerr.Code(err) != step.code && !(err == nil && step.code == "") {
			t.Errorf("after %q: EXECUTE = %v, want SQLSTATE %q", step.set, err, step.code)
		}
	}
}
