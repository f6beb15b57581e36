package rustydb

import (
	"context"
	"slices"
	"testing"

	"rustydb/sqlerr"
	"rustydb/types"
)

// TestPrepareUnnamed checks that the unnamed statement is reused, plan and
// all, while nothing it depends on changed, and prepared afresh (new
// columns, parameter types and privileges) after DDL on its table, SET
// search_path, SET ROLE, or with other parameter types.
func TestPrepareUnnamed(t *testing.T) {
	db, err := OpenWith(Options{Dir: t.TempDir(), SyncMode: "off"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	s := db.NewSession("rustydb")
	for _, q := range []string{"CREATE TABLE u (id int, a int)", "INSERT INTO u VALUES (1, 10)",
		"CREATE SCHEMA other", "CREATE TABLE other.u (id text, z text)", "INSERT INTO other.u VALUES ('1', 'zed')",
		"CREATE ROLE nobody"} {
		if _, err := s.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	const query = "SELECT * FROM u WHERE id = $1"
	var prev *Prepared
	for _, step := range []struct {
		before string
		asked  []types.T // the client's parameter types
		param  types.Value
		reused bool
		cols   []string
		param0 types.ID // the type the parameter was given
		code   string   // the execution's SQLSTATE
	}{
		{before: "", param: types.NewInt(1), cols: []string{"id", "a"}, param0: types.Int4},
		{before: "", param: types.NewInt(1), reused: true, cols: []string{"id", "a"}, param0: types.Int4},
		{before: "SELECT 1", param: types.NewInt(1), reused: true, cols: []string{"id", "a"}, param0: types.Int4},
		{asked: []types.T{types.TInt8}, param: types.NewInt(1), cols: []string{"id", "a"}, param0: types.Int8},
		{before: "ALTER TABLE u ADD COLUMN b text", param: types.NewInt(1), cols: []string{"id", "a", "b"}, param0: types.Int4},
		{before: "DROP TABLE u; CREATE TABLE u (id text, c float8); INSERT INTO u VALUES ('1', 2.5)", param: types.NewText("1"),
			cols: []string{"id", "c"}, param0: types.Text},
		{before: "SET search_path = other", param: types.NewText("1"), cols: []string{"id", "z"}, param0: types.Text},
		{before: "", param: types.NewText("1"), reused: true, cols: []string{"id", "z"}, param0: types.Text},
		{before: "RESET search_path", param: types.NewText("1"), cols: []string{"id", "c"}, param0: types.Text},
		{before: "SET ROLE nobody", param: types.NewText("1"), cols: []string{"id", "c"}, param0: types.Text, code: sqlerr.InsufficientPrivilege},
	} {
		if step.before != "" {
			if _, err := s.Exec(ctx, step.before); err != nil {
				t.Fatalf("%s: %v", step.before, err)
			}
		}
		p, err := s.PrepareUnnamed(query, step.asked)
		if step.code != "" {
			if sqlerr.Code(err) != step.code {
				t.Errorf("after %q: prepare = %v, want SQLSTATE %s", step.before, err, step.code)
			}
			continue
		}
		if err != nil {
			t.Fatalf("after %q: %v", step.before, err)
		}
		if (p == prev) != step.reused {
			t.Errorf("after %q with %v: reused = %v, want %v", step.before, step.asked, p == prev, step.reused)
		}
		prev = p
		var names []string
		for _, c := range p.Columns {
			names = append(names, c.Name)
		}
		if !slices.Equal(names, step.cols) || len(p.ParamTypes) != 1 || p.ParamTypes[0].ID != step.param0 {
			t.Errorf("after %q: columns %v, parameter %v; want %v, %v", step.before, names, p.ParamTypes, step.cols, step.param0)
		}
		var c collector
		if err := s.ExecutePrepared(ctx, p, []types.Value{step.param}, &c); err != nil {
			t.Fatalf("after %q: %v", step.before, err)
		}
		if len(c.rows.rows) != 1 || len(c.rows.rows[0]) != len(step.cols) {
			t.Errorf("after %q: rows %v, want one of %d columns", step.before, c.rows.rows, len(step.cols))
		}
		if err := s.Sync(false); err != nil {
			t.Fatal(err)
		}
	}
}
