package main

import (
	"reflect"
	"strings"
	"testing"
)

// feedAll feeds lines to a splitter and returns the pieces, statements as
// their text and backslash commands as `\` + text, and the pending text.
func feedAll(lines ...string) ([]string, string) {
	var sp splitter
	var out []string
	for _, l := range lines {
		for _, p := range sp.feed(l) {
			if p.meta {
				out = append(out, `\`+p.text)
			} else {
				out = append(out, p.text)
			}
		}
	}
	return out, sp.pending()
}

func TestSplitter(t *testing.T) {
	f := func(name string, lines []string, want []string, pending string) {
		t.Helper()
		got, rest := feedAll(lines...)
		if !reflect.DeepEqual(got, want) || rest != pending {
			t.Errorf("%s: got %q pending %q, want %q pending %q", name, got, rest, want, pending)
		}
	}
	f("one", []string{"select 1;"}, []string{"select 1;"}, "")
	f("two on a line", []string{"select 1; select 2;"}, []string{"select 1;", "select 2;"}, "")
	f("multi-line", []string{"select", "  2 as b;"}, []string{"select\n  2 as b;"}, "")
	f("unterminated", []string{"select 1"}, nil, "select 1")
	f("semicolon in string", []string{"select 'a;b', 'it''s;';"}, []string{"select 'a;b', 'it''s;';"}, "")
	f("E string escapes", []string{`select E'\';', 2;`}, []string{`select E'\';', 2;`}, "")
	f("backslash in a plain string", []string{`select 'a\'; select 2;`}, []string{`select 'a\';`, "select 2;"}, "")
	f("string across lines", []string{"select 'a", ";b';"}, []string{"select 'a\n;b';"}, "")
	f("quoted identifier", []string{`select 1 as "x;y";`}, []string{`select 1 as "x;y";`}, "")
	f("dollar quotes", []string{"select $$a;b$$, $fn$ x; $$ $fn$;"}, []string{"select $$a;b$$, $fn$ x; $$ $fn$;"}, "")
	f("dollar quote across lines", []string{"select $q$", "a;", "$q$;"}, []string{"select $q$\na;\n$q$;"}, "")
	f("parameter is no dollar quote", []string{"select $1; select 2;"}, []string{"select $1;", "select 2;"}, "")
	f("dollar in identifier", []string{"select a$b$c; select 2;"}, []string{"select a$b$c;", "select 2;"}, "")
	f("nested comments", []string{"select /* a /* b; */ c; */ 1;"}, []string{"select /* a /* b; */ c; */ 1;"}, "")
	f("line comment", []string{"select 1 -- not the end;", ";"}, []string{"select 1 -- not the end;\n;"}, "")
	f("leading comments dropped", []string{"-- setup", "  ", "select 1;"}, []string{"select 1;"}, "")
	f("parentheses", []string{"create rule r as on insert to t do (delete from u; delete from v);"},
		[]string{"create rule r as on insert to t do (delete from u; delete from v);"}, "")
	f("meta command", []string{`\timing on`}, []string{`\timing on`}, "")
	f("statement then meta", []string{`select 1; \x`}, []string{"select 1;", `\x`}, "")
	f("meta ends the line", []string{`select 1 \g`}, []string{`\g`}, "select 1")
	f("backslash in a string is no meta", []string{`select '\x';`}, []string{`select '\x';`}, "")
	f("empty statement", []string{";"}, []string{";"}, "")
}

func TestSplitterState(t *testing.T) {
	f := func(line string, want byte) {
		t.Helper()
		var sp splitter
		sp.feed(line)
		if got := sp.state(); got != want {
			t.Errorf("%q: state %q, want %q", line, got, want)
		}
	}
	f("", '=')
	f("select 1;", '=')
	f("select", '-')
	f("select 'a", '\'')
	f(`select E'a\'`, '\'')
	f(`select "a`, '"')
	f("select $$a", '$')
	f("select /* a", '*')
	f("select (1", '(')
}

func TestCopyDirection(t *testing.T) {
	f := func(stmt string, want copyDir) {
		t.Helper()
		if got := copyDirection(stmt); got != want {
			t.Errorf("%q: %v, want %v", stmt, got, want)
		}
	}
	f("COPY t FROM STDIN;", copyIn)
	f("copy t (a, b) from stdin with (format csv);", copyIn)
	f("COPY (SELECT 1) TO STDOUT", copyOut)
	f("copy t to stdout (format csv)", copyOut)
	f("COPY t FROM '/tmp/file'", copyNone)
	f("COPY t TO '/tmp/file'", copyNone)
	f("COPY (select 'from stdin') TO '/tmp/x'", copyNone)
	f("select 'copy t from stdin'", copyNone)
	f("/* c */ copy t from stdin", copyIn)
}

func TestParseCopy(t *testing.T) {
	f := func(args string, want copySpec) {
		t.Helper()
		got, err := parseCopy(args)
		if err != nil {
			t.Errorf("%q: %v", args, err)
			return
		}
		got.label = ""
		if *got != want {
			t.Errorf("%q:\n got %+v\nwant %+v", args, *got, want)
		}
	}
	f("t from '/tmp/a b.csv' with (format csv)", copySpec{sql: "COPY t FROM STDIN with (format csv)", from: true, file: "/tmp/a b.csv"})
	f("t (a, b) from data.txt", copySpec{sql: "COPY t (a, b) FROM STDIN", from: true, file: "data.txt"})
	f("t from 'it''s.csv'", copySpec{sql: "COPY t FROM STDIN", from: true, file: "it's.csv"})
	f("t from stdin", copySpec{sql: "COPY t FROM STDIN", from: true})
	f("t from pstdin", copySpec{sql: "COPY t FROM STDIN", from: true, pstd: true})
	f("(select a from t where b = 'to') to '/tmp/out'", copySpec{sql: "COPY (select a from t where b = 'to') TO STDOUT", file: "/tmp/out"})
	f("t to stdout with csv header", copySpec{sql: "COPY t TO STDOUT with csv header"})
	for _, bad := range []string{"t", "t from", "t from program 'ls'", "t from 'unterminated"} {
		if _, err := parseCopy(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestMetaArgs(t *testing.T) {
	f := func(s string, want ...string) {
		t.Helper()
		if got := metaArgs(s); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("%q: %q, want %q", s, got, want)
		}
	}
	f("")
	f("on", "on")
	f("  a   b ", "a", "b")
	f(`'hello world' x`, "hello world", "x")
	f(`'it''s'`, "it's")
	f(`"My Table"`, `"My Table"`)
	f(`public."T 1"`, `public."T 1"`)
}

func TestPatternClause(t *testing.T) {
	f := func(pattern, want string) {
		t.Helper()
		got := strings.ReplaceAll(patternClause(pattern, "n.nspname", "c.relname", "visible(c.oid)"), "\n", " ")
		if got != want {
			t.Errorf("%q:\n got %s\nwant %s", pattern, got, want)
		}
	}
	f("", "   AND visible(c.oid)")
	f("T1", "   AND c.relname OPERATOR(pg_catalog.~) '^(t1)$' COLLATE pg_catalog.default   AND visible(c.oid)")
	f("t*", "   AND c.relname OPERATOR(pg_catalog.~) '^(t.*)$' COLLATE pg_catalog.default   AND visible(c.oid)")
	f("t?", "   AND c.relname OPERATOR(pg_catalog.~) '^(t.)$' COLLATE pg_catalog.default   AND visible(c.oid)")
	f(`"My.T*"`, `   AND c.relname OPERATOR(pg_catalog.~) '^(My\.T\*)$' COLLATE pg_catalog.default   AND visible(c.oid)`)
	f("s.t", "   AND c.relname OPERATOR(pg_catalog.~) '^(t)$' COLLATE pg_catalog.default   AND n.nspname OPERATOR(pg_catalog.~) '^(s)$' COLLATE pg_catalog.default")
	f("a$b", `   AND c.relname OPERATOR(pg_catalog.~) '^(a\$b)$' COLLATE pg_catalog.default   AND visible(c.oid)`)
	f("o'k", `   AND c.relname OPERATOR(pg_catalog.~) '^(o''k)$' COLLATE pg_catalog.default   AND visible(c.oid)`)
}
