package slt

import (
	"context"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"rustydb"
	"rustydb/api"
)

func TestParse(t *testing.T) {
	src := `# comment
hash-threshold 8

skipif mysql # why
onlyif postgresql
statement error
SELECT 1/0
----
Division by zero

query IT rowsort label-1
SELECT a,
       b FROM t
----
1
x

load __TEST_DIR__/x.db
statement ok
INSERT INTO t VALUES (1)

foreach v a b
loop i 0 2
query I
SELECT '${v}', ${i}
----
${i}

endloop
endloop

require icu

mode skip

halt

restart
`
	recs, err := Parse(strings.NewReader(src), "x.test")
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{
		{Line: 2, Kind: HashThreshold, N: 8},
		{Line: 6, Kind: Statement, SkipIf: []string{"mysql"}, OnlyIf: []string{"postgresql"}, Expect: ExpectError, SQL: "SELECT 1/0", ErrorText: "Division by zero"},
		{Line: 11, Kind: Query, Types: "IT", Sort: RowSort, Label: "label-1", SQL: "SELECT a,\n       b FROM t", Result: []string{"1", "x"}},
		{Line: 19, Kind: Statement, SQL: "INSERT INTO t VALUES (1)"},
	}
	for _, v := range []string{"a", "b"} {
		for _, i := range []string{"0", "1"} {
			want = append(want, Record{Line: 24, Kind: Query, Types: "I", SQL: "SELECT '" + v + "', " + i, Result: []string{i}})
		}
	}
	want = append(want,
		Record{Line: 32, Kind: Require, Arg: "icu"},
		Record{Line: 34, Kind: Mode, Arg: "skip"},
		Record{Line: 36, Kind: Halt},
		Record{Line: 38, Kind: Restart})
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("got\n%+v\nwant\n%+v", recs, want)
	}

	for _, bad := range []string{"frobnicate\n", "loop i 0 2\nstatement ok\nSELECT 1\n", "endloop\n", "statement sometimes\nSELECT 1\n", "loop i 0 x\nendloop\n"} {
		if _, err := Parse(strings.NewReader(bad), "bad.test"); err == nil || !strings.HasPrefix(err.Error(), "bad.test:1: ") {
			t.Errorf("Parse(%q): error %v, want one at bad.test:1", bad, err)
		}
	}
}

func TestFormat(t *testing.T) {
	f := func(c Cell, typ byte, isBool, duckdb bool, want string) {
		t.Helper()
		if got := (dialect{duckdb}).format(c, typ, isBool); got != want {
			t.Errorf("format(%+v, %c, bool=%t, duckdb=%t) = %q, want %q", c, typ, isBool, duckdb, got, want)
		}
	}
	f(Cell{Null: true}, 'I', false, false, "NULL")
	f(Cell{Text: "-42"}, 'I', false, false, "-42")
	f(Cell{Text: "7.9"}, 'I', false, false, "7")
	f(Cell{Text: "-7.9"}, 'I', false, false, "-7")
	f(Cell{Text: "-0.5"}, 'I', false, false, "0")
	f(Cell{Text: "123456789012345678901234.5"}, 'I', false, false, "123456789012345678901234")
	f(Cell{Text: "1e+20"}, 'I', false, false, "100000000000000000000")
	f(Cell{Text: "abc"}, 'I', false, false, "abc")
	f(Cell{Text: "t"}, 'I', true, false, "1")
	f(Cell{Text: "f"}, 'I', true, true, "0")
	f(Cell{Text: "2"}, 'R', false, false, "2.000")
	f(Cell{Text: "-0.0001"}, 'R', false, false, "-0.000")
	f(Cell{Text: "0.3333333333333333"}, 'R', false, true, "0.3333333333333333")
	f(Cell{Text: ""}, 'T', false, false, "(empty)")
	f(Cell{Text: "t"}, 'T', true, false, "t")
	f(Cell{Text: "t"}, 'T', true, true, "true")
	f(Cell{Text: "f"}, 'T', false, true, "f")
}

func TestHashValues(t *testing.T) {
	// md5("1\n2\n"), as the reference runner prints it.
	if got, want := hashValues([]string{"1", "2"}), "2 values hashing to 6ddb4095eb719e2a9f0a3f95677d24e0"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCheck(t *testing.T) {
	rows := func(ncols int, cells ...string) *Result {
		r := &Result{IsBool: make([]bool, ncols)}
		for i := 0; i < len(cells); i += ncols {
			var row []Cell
			for _, c := range cells[i : i+ncols] {
				row = append(row, Cell{Text: c, Null: c == "NULL"})
			}
			r.Rows = append(r.Rows, row)
		}
		return r
	}
	f := func(name string, duckdb bool, rec Record, res *Result, threshold int, ok bool, got string) {
		t.Helper()
		o := (dialect{duckdb}).check(&rec, res, threshold)
		if o.ok != ok || o.got != got {
			t.Errorf("%s: ok=%t got %q, want ok=%t got %q", name, o.ok, o.got, ok, got)
		}
	}
	ab := rows(2, "2", "b", "1", "a")
	f("values per line", false, Record{Types: "IT", Result: []string{"2", "b", "1", "a"}}, ab, 8, true, "2\tb\n1\ta")
	f("tab rows", true, Record{Types: "IT", Result: []string{"2\tb", "1\ta"}}, ab, 0, true, "2\tb\n1\ta")
	f("order matters", false, Record{Types: "IT", Result: []string{"1", "a", "2", "b"}}, ab, 8, false, "2\tb\n1\ta")
	f("rowsort", false, Record{Types: "IT", Sort: RowSort, Result: []string{"1", "a", "2", "b"}}, ab, 8, true, "1\ta\n2\tb")
	f("rowsort sorts expected rows too", true, Record{Types: "IT", Sort: RowSort, Result: []string{"2\tb", "1\ta"}}, ab, 0, true, "1\ta\n2\tb")
	f("valuesort", false, Record{Types: "IT", Sort: ValueSort, Result: []string{"1", "2", "a", "b"}}, ab, 8, true, "1\t2\ta\tb")
	f("valuesort of rows", true, Record{Types: "IT", Sort: ValueSort, Result: []string{"a\t1", "b\t2"}}, ab, 0, true, "1\t2\ta\tb")
	f("over the threshold", false, Record{Types: "IT", Result: []string{"2", "b", "1", "a"}}, ab, 3, true, "4 values hashing to c6582c03e7603a670e1510be9ab3bf16")
	f("expected as a digest", true, Record{Types: "IT", Result: []string{"4 values hashing to c6582c03e7603a670e1510be9ab3bf16"}}, ab, 0, true, "4 values hashing to c6582c03e7603a670e1510be9ab3bf16")
	f("wrong digest", false, Record{Types: "IT", Result: []string{"4 values hashing to 00000000000000000000000000000000"}}, ab, 8, false, "4 values hashing to c6582c03e7603a670e1510be9ab3bf16")
	f("wrong shape", false, Record{Types: "IT", Result: []string{"2", "b", "1"}}, ab, 8, false, "2\tb\n1\ta")
	f("column count", false, Record{Types: "I", Result: []string{"2", "1"}}, ab, 8, false, "2 columns, the record declares 1")
	f("no rows", true, Record{Types: "I"}, rows(1), 0, true, "")
	third := rows(1, "0.3333333333333333")
	f("duckdb R within 1%", true, Record{Types: "R", Result: []string{"0.333333"}}, third, 0, true, "0.3333333333333333")
	f("duckdb R beyond 1%", true, Record{Types: "R", Result: []string{"0.34"}}, third, 0, false, "0.3333333333333333")
	f("sqlite R is printed with 3 decimals", false, Record{Types: "R", Result: []string{"0.333"}}, third, 8, true, "0.333")
	f("duckdb T is exact", true, Record{Types: "T", Result: []string{"0.333333"}}, third, 0, false, "0.3333333333333333")
}

func TestRunFiles(t *testing.T) {
	b, err := NewEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	f := func(file string, want FileResult, failLines ...int) {
		t.Helper()
		got := Run(file, b)
		var lines []int
		for _, fl := range got.Failures {
			lines = append(lines, fl.Line)
		}
		if got.Pass != want.Pass || got.Fail != want.Fail || got.Skip != want.Skip || got.Halted != want.Halted || !reflect.DeepEqual(lines, failLines) {
			t.Errorf("%s: pass=%d fail=%d skip=%d halted=%t failing lines %v, want pass=%d fail=%d skip=%d halted=%t lines %v\n%+v",
				file, got.Pass, got.Fail, got.Skip, got.Halted, lines, want.Pass, want.Fail, want.Skip, want.Halted, failLines, got.Failures)
		}
	}
	f("testdata/sqlite/basic.test", FileResult{Pass: 15, Skip: 2, Halted: true})
	f("testdata/sqlite/failures.test", FileResult{Pass: 3, Fail: 6}, 10, 17, 23, 30, 34, 43)
	f("testdata/duckdb/basic.test", FileResult{Pass: 17, Skip: 3})
	// Each run starts on an empty database, so running a file again gives the same result.
	f("testdata/duckdb/basic.test", FileResult{Pass: 17, Skip: 3})
}

func TestWire(t *testing.T) {
	db, err := rustydb.OpenWith(rustydb.Options{Dir: t.TempDir(), SyncMode: "off", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := api.NewServer(api.ServerOptions{DB: db, Host: "127.0.0.1", Mode: "dev", Logger: slog.New(slog.DiscardHandler)})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	b, err := NewWire("postgres://rustydb@" + srv.Addr("PostgreSQL protocol") + "/rustydb")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// The same results as embedded; running a file twice checks that Reset
	// drops what the first run created.
	for range 2 {
		for file, want := range map[string][3]int{
			"testdata/sqlite/basic.test":    {15, 0, 2},
			"testdata/sqlite/failures.test": {3, 6, 0},
			"testdata/duckdb/basic.test":    {17, 0, 3},
		} {
			if r := Run(file, b); r.Pass != want[0] || r.Fail != want[1] || r.Skip != want[2] {
				t.Errorf("%s: pass=%d fail=%d skip=%d, want %v\n%+v", file, r.Pass, r.Fail, r.Skip, want, r.Failures)
			}
		}
	}
}
