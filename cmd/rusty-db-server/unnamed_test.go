package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
)

// TestUnnamedStatementReplanned sends the same text as the unnamed
// statement (Parse/Bind/Describe/Execute/Sync, as pgbench -M extended and
// libpq's PQexecParams do) across DDL, SET search_path and SET ROLE, and
// checks each answer is the one a fresh statement gives: the server keeps
// the unnamed statement's plan only while none of those changed.
func TestUnnamedStatementReplanned(t *testing.T) {
	s := startServer(t, "")
	ctx := context.Background()
	c := s.connect(t)
	pc := c.PgConn()
	const query = "SELECT * FROM un WHERE id = $1"
	mustExec(t, c, "CREATE TABLE un (id int, a int)", "")
	mustExec(t, c, "INSERT INTO un VALUES (1, 10)", "")
	mustExec(t, c, "CREATE SCHEMA other", "")
	mustExec(t, c, "CREATE TABLE other.un (id text, z text)", "")
	mustExec(t, c, "INSERT INTO other.un VALUES ('1', 'zed')", "")
	mustExec(t, c, "CREATE ROLE nobody", "")
	for _, step := range []struct {
		before string
		want   string // column:type OID ..., then the row's cells
		code   string
	}{
		{"", "id:23 a:23 | 1 10", ""},
		{"", "id:23 a:23 | 1 10", ""},
		{"UPDATE un SET a = 11", "id:23 a:23 | 1 11", ""},
		{"ALTER TABLE un ADD COLUMN b text DEFAULT 'bee'", "id:23 a:23 b:25 | 1 11 bee", ""},
		{"DROP TABLE un; CREATE TABLE un (id text, c float8); INSERT INTO un VALUES ('1', 2.5)", "id:25 c:701 | 1 2.5", ""},
		{"SET search_path = other", "id:25 z:25 | 1 zed", ""},
		{"RESET search_path", "id:25 c:701 | 1 2.5", ""},
		{"SET ROLE nobody", "", "42501"},
		{"RESET ROLE", "id:25 c:701 | 1 2.5", ""},
	} {
		if step.before != "" {
			mustExec(t, c, step.before, "")
		}
		res := pc.ExecParams(ctx, query, [][]byte{[]byte("1")}, nil, nil, nil).Read()
		if step.code != "" {
			if res.Err == nil || !strings.Contains(res.Err.Error(), step.code) {
				t.Errorf("after %q: %v, want SQLSTATE %s", step.before, res.Err, step.code)
			}
			continue
		}
		if res.Err != nil {
			t.Fatalf("after %q: %v", step.before, res.Err)
		}
		var got []string
		for _, f := range res.FieldDescriptions {
			got = append(got, f.Name+":"+strconv.FormatUint(uint64(f.DataTypeOID), 10))
		}
		got = append(got, "|")
		for _, row := range res.Rows {
			for _, cell := range row {
				got = append(got, string(cell))
			}
		}
		if strings.Join(got, " ") != step.want {
			t.Errorf("after %q: %s, want %s", step.before, strings.Join(got, " "), step.want)
		}
	}
}
