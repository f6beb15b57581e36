package main

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// TestPsqlDescribe runs psql's describe commands (\d table, \di, \dn, \du,
// \l, \df, \d+) against RustyDB: they read pg_catalog with the queries
// psql 15 sends, which must all succeed and show what PostgreSQL shows.
func TestPsqlDescribe(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not installed; skipping the psql client test")
	}
	s := startServer(t, "")
	run := func(sql string) string {
		cmd := exec.Command(psql, "-h", "127.0.0.1", "-p", fmt.Sprint(s.pg), "-U", "rustydb", "-X", "-v", "ON_ERROR_STOP=0")
		cmd.Stdin = strings.NewReader(sql)
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	setup := run(`create table t1(a int primary key, b text not null default 'x', c numeric(10,2));
create index t1_b on t1(b);
create view v1 as select a,b from t1;
create table t2(id int primary key, a int references t1(a) on delete cascade, q int check (q > 0), unique (q));
`)
	if strings.Contains(setup, "ERROR") {
		t.Fatalf("setup failed:\n%s", setup)
	}
	for _, c := range []struct {
		cmd  string
		want []string
	}{
		{`\d t1`, []string{`Table "public.t1"`, " a      | integer       |           | not null | ",
			" c      | numeric(10,2) |           |          | ", `"t1_pkey" PRIMARY KEY, btree (a)`, `"t1_b" btree (b)`,
			"Referenced by:", `TABLE "t2" CONSTRAINT "t2_a_fkey" FOREIGN KEY (a) REFERENCES t1(a) ON DELETE CASCADE`}},
		{`\d t2`, []string{`Table "public.t2"`, `"t2_q_key" UNIQUE CONSTRAINT, btree (q)`, "Check constraints:",
			`"t2_q_check" CHECK (q > 0)`, "Foreign-key constraints:",
			`"t2_a_fkey" FOREIGN KEY (a) REFERENCES t1(a) ON DELETE CASCADE`}},
		{`\d v1`, []string{`View "public.v1"`, " a      | integer |           |          | "}},
		{`\di`, []string{" public | t1_b     | index | rustydb | t1", " public | t2_q_key | index | rustydb | t2", "(4 rows)"}},
		{`\dn`, []string{" public | rustydb", "(1 row)"}},
		{`\du`, []string{" rustydb   | Superuser"}},
		{`\l`, []string{" rustydb | rustydb | UTF8 "}},
		{`\df`, []string{"(0 rows)"}},
		{`\d+ t1`, []string{" b      | text          |           | not null | 'x'     | extended |", "Access method: heap"}},
	} {
		out := run(c.cmd + "\n")
		if strings.Contains(out, "ERROR") || strings.Contains(out, "server closed") {
			t.Errorf("%s failed:\n%s", c.cmd, out)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s output lacks %q:\n%s", c.cmd, w, out)
			}
		}
	}
}
