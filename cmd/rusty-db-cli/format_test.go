package main

import (
	"strings"
	"testing"
	"time"
)

// The expected outputs below are psql 15's, captured against a RustyDB
// server with the same queries.

// vals makes a row; "\x00" stands for NULL.
func vals(s ...string) [][]byte {
	row := make([][]byte, len(s))
	for i, v := range s {
		if v != "\x00" {
			row[i] = []byte(v)
		}
	}
	return row
}

// t1 is SELECT a, b, c FROM t1 with a int, b text, c numeric(10,2).
func t1() *table {
	return resultTable(&result{
		cols: []column{{"a", 23}, {"b", 25}, {"c", 1700}},
		rows: [][][]byte{vals("1", "héllo", "2.50"), vals("22", "日本語", "\x00"), vals("3", "a\nb", "-1.00")},
	})
}

func TestPrint(t *testing.T) {
	f := func(name string, o printOpts, tb *table, want string) {
		t.Helper()
		if o.fieldSep == "" {
			o.fieldSep = "|"
		}
		var b strings.Builder
		if err := o.print(&b, tb); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); got != want {
			t.Errorf("%s:\n got:\n%s\nwant:\n%s\n got %q\nwant %q", name, got, want, got, want)
		}
	}
	f("aligned: numbers right, NULL, wide characters, a value on two lines", printOpts{}, t1(), ""+
		" a  |   b    |   c   \n"+
		"----+--------+-------\n"+
		"  1 | héllo  |  2.50\n"+
		" 22 | 日本語 |      \n"+
		"  3 | a     +| -1.00\n"+
		"    | b      | \n"+
		"(3 rows)\n\n")
	f("tuples only", printOpts{tuplesOnly: true}, t1(), ""+
		"  1 | héllo  |  2.50\n"+
		" 22 | 日本語 |      \n"+
		"  3 | a     +| -1.00\n"+
		"    | b      | \n\n")
	f("unaligned", printOpts{unaligned: true}, t1(), "a|b|c\n1|héllo|2.50\n22|日本語|\n3|a\nb|-1.00\n(3 rows)\n")
	f("unaligned tuples only with a separator", printOpts{unaligned: true, tuplesOnly: true, fieldSep: ","}, t1(),
		"1,héllo,2.50\n22,日本語,\n3,a\nb,-1.00\n")
	f("expanded", printOpts{expanded: expandedOn}, t1(), ""+
		"-[ RECORD 1 ]\n"+
		"a | 1\n"+
		"b | héllo\n"+
		"c | 2.50\n"+
		"-[ RECORD 2 ]\n"+
		"a | 22\n"+
		"b | 日本語\n"+
		"c | \n"+
		"-[ RECORD 3 ]\n"+
		"a | 3\n"+
		"b | a     +\n"+
		"  | b\n"+
		"c | -1.00\n\n")
	f("expanded tuples only", printOpts{expanded: expandedOn, tuplesOnly: true}, t1(), ""+
		"a | 1\n"+
		"b | héllo\n"+
		"c | 2.50\n"+
		"--+-------\n"+
		"a | 22\n"+
		"b | 日本語\n"+
		"c | \n"+
		"--+-------\n"+
		"a | 3\n"+
		"b | a     +\n"+
		"  | b\n"+
		"c | -1.00\n\n")
	f("expanded unaligned", printOpts{expanded: expandedOn, unaligned: true}, t1(),
		"a|1\nb|héllo\nc|2.50\n\na|22\nb|日本語\nc|\n\na|3\nb|a\nb\nc|-1.00\n")
	f("expanded, the record line reaching over wide values", printOpts{expanded: expandedOn},
		resultTable(&result{cols: []column{{"longcolumnname", 25}, {"b", 23}}, rows: [][][]byte{vals("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "1")}}), ""+
			"-[ RECORD 1 ]--+-------------------------------\n"+
			"longcolumnname | xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"+
			"b              | 1\n\n")
	f("no rows", printOpts{}, resultTable(&result{cols: []column{{"x", 23}, {"y", 25}}}), " x | y \n---+---\n(0 rows)\n\n")
	f("no rows expanded", printOpts{expanded: expandedOn}, resultTable(&result{cols: []column{{"x", 23}}}), "(0 rows)\n\n")
	f("one row, NULL shown as set", printOpts{null: "(null)"},
		resultTable(&result{cols: []column{{"n", 23}, {"long header name", 25}}, rows: [][][]byte{vals("\x00", "x")}}), ""+
			"   n    | long header name \n"+
			"--------+------------------\n"+
			" (null) | x\n"+
			"(1 row)\n\n")
	f("tab, float, bool", printOpts{},
		resultTable(&result{cols: []column{{"tab", 25}, {"long header name", 25}, {"f", 701}, {"b", 16}}, rows: [][][]byte{vals("a\tb", "x", "1.5", "t")}}), ""+
			"    tab    | long header name |  f  | b \n"+
			"-----------+------------------+-----+---\n"+
			" a       b | x                | 1.5 | t\n"+
			"(1 row)\n\n")
	f("control characters and a header on two lines", printOpts{},
		resultTable(&result{cols: []column{{"cr", 25}, {"ctl", 25}, {"two\nlines", 25}}, rows: [][][]byte{vals("a\rb", "x\x01y", "multi\nline")}}), ""+
			"  cr  |  ctl   |  two +\n"+
			"      |        | lines \n"+
			"------+--------+-------\n"+
			" a\\rb | x\\x01y | multi+\n"+
			"      |        | line\n"+
			"(1 row)\n\n")
	schemas := resultTable(&result{cols: []column{{"Name", 19}, {"Owner", 19}}, rows: [][][]byte{vals("public", "rustydb")}})
	schemas.title = "List of schemas"
	f("title", printOpts{}, schemas, ""+
		" List of schemas\n"+
		"  Name  |  Owner  \n"+
		"--------+---------\n"+
		" public | rustydb\n"+
		"(1 row)\n\n")
	f("title, tuples only", printOpts{tuplesOnly: true}, schemas, " public | rustydb\n\n")
	roles := &table{title: "List of roles", headers: []string{"Role name", "Attributes", "Member of"}, right: make([]bool, 3), noFooters: true,
		rows: [][][]byte{vals("rustydb", "Superuser, Create role, Create DB, Replication, Bypass RLS", "{}")}}
	f("no footer", printOpts{}, roles, ""+
		"                                   List of roles\n"+
		" Role name |                         Attributes                         | Member of \n"+
		"-----------+------------------------------------------------------------+-----------\n"+
		" rustydb   | Superuser, Create role, Create DB, Replication, Bypass RLS | {}\n\n")
	desc := &table{title: `View "public.v1"`, headers: []string{"Column", "Type", "Collation", "Nullable", "Default"}, right: make([]bool, 5),
		footers: []string{}, rows: [][][]byte{vals("a", "integer", "", "", ""), vals("b", "text", "", "", "")}}
	f("describe footers", printOpts{}, desc, ""+
		"                 View \"public.v1\"\n"+
		" Column |  Type   | Collation | Nullable | Default \n"+
		"--------+---------+-----------+----------+---------\n"+
		" a      | integer |           |          | \n"+
		" b      | text    |           |          | \n\n")
	wide := t1()
	f("expanded auto on a narrow terminal", printOpts{expanded: expandedAuto, termWidth: func() int { return 10 }}, wide, ""+
		"-[ RECORD 1 ]\na | 1\nb | héllo\nc | 2.50\n-[ RECORD 2 ]\na | 22\nb | 日本語\nc | \n-[ RECORD 3 ]\na | 3\nb | a     +\n  | b\nc | -1.00\n\n")
	f("expanded auto on a wide terminal", printOpts{expanded: expandedAuto, termWidth: func() int { return 80 }}, t1(), ""+
		" a  |   b    |   c   \n----+--------+-------\n  1 | héllo  |  2.50\n 22 | 日本語 |      \n  3 | a     +| -1.00\n    | b      | \n(3 rows)\n\n")
}

func TestFormatMessage(t *testing.T) {
	f := func(name string, m message, query, verbosity, want string) {
		t.Helper()
		if got := formatMessage(m, query, verbosity); got != want {
			t.Errorf("%s:\n got:\n%s\nwant:\n%s", name, got, want)
		}
	}
	bogus := message{severity: "ERROR", code: "42703", text: `column "bogus" does not exist`, position: 8}
	f("position", bogus, "select bogus;", "", "ERROR:  column \"bogus\" does not exist\nLINE 1: select bogus;\n               ^\n")
	f("verbose", bogus, "select bogus", "verbose", "ERROR:  42703: column \"bogus\" does not exist\nLINE 1: select bogus\n               ^\n")
	f("terse", bogus, "select bogus", "terse", "ERROR:  column \"bogus\" does not exist\n")
	f("second line", message{severity: "ERROR", text: "x", position: 18}, "select 1;\nselect bogus;", "",
		"ERROR:  x\nLINE 2: select bogus;\n               ^\n")
	f("detail and hint", message{severity: "ERROR", text: "duplicate key value violates unique constraint \"t1_pkey\"", detail: "Key (a)=(1) already exists.", hint: "Change it."}, "", "",
		"ERROR:  duplicate key value violates unique constraint \"t1_pkey\"\nDETAIL:  Key (a)=(1) already exists.\nHINT:  Change it.\n")
	f("notice", message{severity: "NOTICE", text: `table "nosuch" does not exist, skipping`}, "", "", "NOTICE:  table \"nosuch\" does not exist, skipping\n")
	long := "select aaaaaaaaaa, bbbbbbbbbb, cccccccccc, dddddddddd, eeeeeeeeee, ffffffffff, bogus, gggggggggg, hhhhhhhhhh from lt"
	f("a long line cut around the position", message{severity: "ERROR", text: "x", position: strings.Index(long, "bogus") + 1}, long, "",
		"ERROR:  x\nLINE 1: ..., cccccccccc, dddddddddd, eeeeeeeeee, ffffffffff, bogus, ggg...\n"+
			"                                                             ^\n")
	f("a long line cut at the end", message{severity: "ERROR", text: "x", position: 8}, long, "",
		"ERROR:  x\nLINE 1: select aaaaaaaaaa, bbbbbbbbbb, cccccccccc, dddddddddd, eeeee...\n               ^\n")
	end := "select aaaaaaaaaa, bbbbbbbbbb, cccccccccc, dddddddddd, eeeeeeeeee, ffffffffff, gggggggggg, hhhhhhhhhh, bogus from lt"
	f("a long line cut at the start", message{severity: "ERROR", text: "x", position: strings.Index(end, "bogus") + 1}, end, "",
		"ERROR:  x\nLINE 1: ..., eeeeeeeeee, ffffffffff, gggggggggg, hhhhhhhhhh, bogus from...\n"+
			"                                                             ^\n")
	wide := "select '" + strings.Repeat("日本語", 12) + "', bogus from lt"
	f("wide characters", message{severity: "ERROR", text: "x", position: len([]rune(wide)) - len("bogus from lt") + 1}, wide, "",
		"ERROR:  x\nLINE 1: ...本語"+strings.Repeat("日本語", 7)+"', bogus from...\n"+
			"                                                            ^\n")
	f("position out of range", message{severity: "ERROR", text: "x", position: 99}, "select 1", "", "ERROR:  x\n")
}

func TestFormatTiming(t *testing.T) {
	f := func(d time.Duration, want string) {
		t.Helper()
		if got := formatTiming(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
	f(1234*time.Microsecond, "Time: 1.234 ms")
	f(999999*time.Microsecond, "Time: 999.999 ms")
	f(61*time.Second+500*time.Millisecond, "Time: 61500.000 ms (01:01.500)")
	f(2*time.Hour+3*time.Minute+4*time.Second, "Time: 7384000.000 ms (02:03:04.000)")
	f(26*time.Hour, "Time: 93600000.000 ms (1 d 02:00:00.000)")
}
