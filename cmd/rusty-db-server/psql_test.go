package main

import (
	"fmt"
	"os"
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

// TestPsqlSchemas runs psql's describe commands on a schema other than
// public, and sets search_path through PGOPTIONS as libpq clients do; the
// expected lines are PostgreSQL 15's.
func TestPsqlSchemas(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not installed; skipping the psql client test")
	}
	s := startServer(t, "")
	run := func(options, sql string) string {
		cmd := exec.Command(psql, "-h", "127.0.0.1", "-p", fmt.Sprint(s.pg), "-U", "rustydb", "-X", "-v", "ON_ERROR_STOP=0")
		cmd.Env = append(os.Environ(), "PGOPTIONS="+options)
		cmd.Stdin = strings.NewReader(sql)
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	setup := run("", `create schema s;
create table s.t(a int primary key, b text);
create index t_b on s.t(b);
create table s.u(x int references s.t(a));
`)
	if strings.Contains(setup, "ERROR") {
		t.Fatalf("setup failed:\n%s", setup)
	}
	for _, c := range []struct {
		options, cmd string
		want         []string
	}{
		{"", `\dn`, []string{" s      | rustydb", "(2 rows)"}},
		{"", `\dt s.*`, []string{" s      | t    | table | rustydb", " s      | u    | table | rustydb", "(2 rows)"}},
		{"", `\dt`, []string{"Did not find any relations."}},
		{"", `\d s.t`, []string{`Table "s.t"`, " a      | integer |           | not null | ", `"t_pkey" PRIMARY KEY, btree (a)`,
			`"t_b" btree (b)`, "Referenced by:", `TABLE "s.u" CONSTRAINT "u_x_fkey" FOREIGN KEY (x) REFERENCES s.t(a)`}},
		{"", `\di s.*`, []string{" s      | t_b    | index | rustydb | t", " s      | t_pkey | index | rustydb | t", "(2 rows)"}},
		{"-c search_path=s", `\dt`, []string{" s      | t    | table | rustydb", "(2 rows)"}},
		{"-c search_path=s", "show search_path;", []string{" s\n"}},
	} {
		out := run(c.options, c.cmd+"\n")
		if strings.Contains(out, "ERROR") || strings.Contains(out, "server closed") {
			t.Errorf("%s failed:\n%s", c.cmd, out)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s (PGOPTIONS %q) output lacks %q:\n%s", c.cmd, c.options, w, out)
			}
		}
	}
}
