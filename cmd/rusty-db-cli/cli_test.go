package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"rustydb"
	"rustydb/api"
)

// These tests run the client's run function against a real server (the
// api package's, started in the test process on a free port) and on data
// directories opened embedded.

// holdDirEnv makes the test binary, started again by TestEmbeddedRefused,
// hold a data directory open the way a server does, until its standard
// input closes.
const holdDirEnv = "RUSTYDB_CLI_TEST_HOLD_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(holdDirEnv); dir != "" {
		db, err := rustydb.OpenWith(rustydb.Options{Dir: dir, SyncMode: "off", Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("ready")
		io.Copy(io.Discard, os.Stdin)
		db.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startServer serves a new database on a free port and returns the port.
func startServer(t *testing.T) string {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	db, err := rustydb.OpenWith(rustydb.Options{Dir: t.TempDir(), SyncMode: "off", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.EnsureAdmin("rustydb", ""); err != nil {
		t.Fatal(err)
	}
	srv := api.NewServer(api.ServerOptions{DB: db, Host: "127.0.0.1", PG: api.Listener{Port: 0}, Mode: "dev", Logger: quiet})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		db.Close()
	})
	_, port, err := net.SplitHostPort(srv.Addr("PostgreSQL protocol"))
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// runCLI runs the client with stdin and returns its output and status.
func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	for _, v := range []string{"PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD"} {
		t.Setenv(v, "")
	}
	var out, errOut strings.Builder
	code = run(args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), code
}

// check runs the client and compares its output and status.
func check(t *testing.T, name, stdin string, args []string, wantOut, wantErr string, wantCode int) {
	t.Helper()
	out, errOut, code := runCLI(t, stdin, args...)
	if out != wantOut || errOut != wantErr || code != wantCode {
		t.Errorf("%s: %q\nstatus %d, want %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s\nwant:\n%s", name, args, code, wantCode, out, wantOut, errOut, wantErr)
	}
}

func TestCLIOverWire(t *testing.T) {
	port := startServer(t)
	conn := []string{"-h", "127.0.0.1", "-p", port}
	with := func(args ...string) []string { return append(append([]string(nil), conn...), args...) }
	data := filepath.Join(t.TempDir(), "items.csv")
	if err := os.WriteFile(data, []byte("3,tea,2.50\n4,日本茶,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	exported := filepath.Join(t.TempDir(), "out.txt")

	// a here-document script: statements over several lines, an error that
	// does not stop the script, a notice, COPY data inline, \copy, \d
	check(t, "heredoc script", `
CREATE TABLE items (id INT PRIMARY KEY, name TEXT NOT NULL DEFAULT 'x', price NUMERIC(10,2));
CREATE INDEX items_name ON items (name);
INSERT INTO items VALUES (1, 'coffee', 3.10),
  (2, 'a;b', NULL);
SELECT * FROM items ORDER BY id;
SELECT bogus FROM items;
DROP TABLE IF EXISTS nosuch;
COPY items FROM STDIN WITH (FORMAT csv);
5,water,0.5
\.
\copy items from '`+data+`' with (format csv)
\copy (SELECT id, name FROM items WHERE id > 2 ORDER BY id) to '`+exported+`'
SELECT count(*) FROM items
`, with(), ""+
		"CREATE TABLE\n"+
		"CREATE INDEX\n"+
		"INSERT 0 2\n"+
		" id |  name  | price \n"+
		"----+--------+-------\n"+
		"  1 | coffee |  3.10\n"+
		"  2 | a;b    |      \n"+
		"(2 rows)\n\n"+
		"DROP TABLE\n"+
		"COPY 1\n"+
		"COPY 2\n"+
		"COPY 3\n"+
		" count \n"+
		"-------\n"+
		"     5\n"+
		"(1 row)\n\n",
		"ERROR:  column \"bogus\" does not exist\n"+
			"LINE 1: SELECT bogus FROM items;\n"+
			"               ^\n"+
			"NOTICE:  table \"nosuch\" does not exist, skipping\n", 0)
	if b, err := os.ReadFile(exported); err != nil || string(b) != "3\ttea\n4\t日本茶\n5\twater\n" {
		t.Errorf("\\copy to a file wrote %q, %v", b, err)
	}

	check(t, "-c with several statements", "", with("-c", "SELECT 1 AS x; INSERT INTO items VALUES (10, 'z', 1); SELECT 2 AS y"),
		" x \n---\n 1\n(1 row)\n\nINSERT 0 1\n y \n---\n 2\n(1 row)\n\n", "", 0)
	check(t, "-c stops at an error and fails", "", with("-c", "SELECT 1 AS x; SELECT bogus; SELECT 3"),
		" x \n---\n 1\n(1 row)\n\n",
		"ERROR:  column \"bogus\" does not exist\nLINE 1: SELECT 1 AS x; SELECT bogus; SELECT 3\n                              ^\n", 1)
	check(t, "-c in order; the last decides the status", "", with("-c", "SELECT bogus", "-c", "SELECT 5 AS five"),
		" five \n------\n    5\n(1 row)\n\n", "ERROR:  column \"bogus\" does not exist\nLINE 1: SELECT bogus\n               ^\n", 0)
	check(t, "-t", "", with("-t", "-c", "SELECT id, name FROM items WHERE id < 3 ORDER BY id"), "  1 | coffee\n  2 | a;b\n\n", "", 0)
	check(t, "-tA -F", "", with("-tA", "-F", ",", "-c", "SELECT id, name FROM items WHERE id < 3 ORDER BY id"), "1,coffee\n2,a;b\n", "", 0)
	check(t, "-x", "", with("-x", "-c", "SELECT id, name FROM items WHERE id = 1"), "-[ RECORD 1 ]\nid   | 1\nname | coffee\n\n", "", 0)
	check(t, "-q leaves out command tags", "", with("-q", "-c", "UPDATE items SET price = 1 WHERE id = 10"), "", "", 0)
	check(t, "RETURNING prints rows and the tag", "", with("-c", "DELETE FROM items WHERE id = 10 RETURNING id"),
		" id \n----\n 10\n(1 row)\n\nDELETE 1\n", "", 0)
	check(t, "verbose errors carry the SQLSTATE, DETAIL", "", with("-v", "VERBOSITY=verbose", "-c", "INSERT INTO items VALUES (1, 'dup', 1)"), "",
		"ERROR:  23505: duplicate key value violates unique constraint \"items_pkey\"\nDETAIL:  Key (id)=(1) already exists.\n", 1)

	check(t, "ON_ERROR_STOP stops a script with status 3", "SELECT 1 AS a;\nSELECT bogus;\nSELECT 2 AS b;\n", with("-v", "ON_ERROR_STOP=1"),
		" a \n---\n 1\n(1 row)\n\n", "ERROR:  column \"bogus\" does not exist\nLINE 1: SELECT bogus;\n               ^\n", 3)
	check(t, "ON_ERROR_STOP set in the script", "\\set ON_ERROR_STOP on\nSELECT bogus;\nSELECT 2 AS b;\n", with(),
		"", "ERROR:  column \"bogus\" does not exist\nLINE 1: SELECT bogus;\n               ^\n", 3)
	check(t, "ON_ERROR_STOP with -c gives 1", "", with("-v", "ON_ERROR_STOP=1", "-c", "SELECT bogus", "-c", "SELECT 1"), "",
		"ERROR:  column \"bogus\" does not exist\nLINE 1: SELECT bogus\n               ^\n", 1)
	check(t, "a last statement without semicolon runs", "SELECT 7 AS s", with("-A"), "s\n7\n(1 row)\n", "", 0)

	check(t, `\d table`, "", with("-c", `\d items`), ""+
		"                  Table \"public.items\"\n"+
		" Column |     Type      | Collation | Nullable | Default \n"+
		"--------+---------------+-----------+----------+---------\n"+
		" id     | integer       |           | not null | \n"+
		" name   | text          |           | not null | 'x'\n"+
		" price  | numeric(10,2) |           |          | \n"+
		"Indexes:\n"+
		"    \"items_pkey\" PRIMARY KEY, btree (id)\n"+
		"    \"items_name\" btree (name)\n\n", "", 0)
	check(t, `\dt and \di`, "", with("-c", `\dt`, "-c", `\di items*`), ""+
		"        List of relations\n"+
		" Schema | Name  | Type  |  Owner  \n"+
		"--------+-------+-------+---------\n"+
		" public | items | table | rustydb\n"+
		"(1 row)\n\n"+
		"               List of relations\n"+
		" Schema |    Name    | Type  |  Owner  | Table \n"+
		"--------+------------+-------+---------+-------\n"+
		" public | items_name | index | rustydb | items\n"+
		" public | items_pkey | index | rustydb | items\n"+
		"(2 rows)\n\n", "", 0)
	check(t, `\d of nothing`, "", with("-c", `\d nosuch`), "", "Did not find any relation named \"nosuch\".\n", 0)
	check(t, "an unknown command fails", "", with("-c", `\nosuch`), "", "invalid command \\nosuch\n", 1)
	out, _, code := runCLI(t, "", with("-c", `\timing on`, "-c", "SELECT 1 AS one", "-c", `\conninfo`)...)
	if code != 0 || !regexp.MustCompile(`(?s)^Timing is on\.\n one \n-----\n   1\n\(1 row\)\n\nTime: \d+\.\d{3} ms\n`+
		`You are connected to database "rustydb" as user "rustydb" on host "127.0.0.1" at port "`+port+`"\.\n$`).MatchString(out) {
		t.Errorf("\\timing and \\conninfo: status %d, output:\n%s", code, out)
	}

	// a COPY that fails to start leaves the connection usable
	check(t, "failed \\copy", "", with("-c", `\copy nosuch from '`+data+`'`, "-c", "SELECT 1 AS ok"),
		" ok \n----\n  1\n(1 row)\n\n", "ERROR:  relation \"nosuch\" does not exist\n", 0)

	// a file run with -f names its lines in messages
	script := filepath.Join(t.TempDir(), "script.sql")
	os.WriteFile(script, []byte("SELECT 1 AS a;\n\nSELECT\n  bogus;\n"), 0o644)
	check(t, "-f", "", with("-f", script), " a \n---\n 1\n(1 row)\n\n",
		"rusty-db-cli:"+script+":4: ERROR:  column \"bogus\" does not exist\nLINE 2:   bogus;\n          ^\n", 0)
	check(t, "-f of a missing file", "", with("-f", script+".none"), "", "rusty-db-cli: error: "+script+".none: No such file or directory\n", 1)

	_, errOut, code := runCLI(t, "", "-h", "127.0.0.1", "-p", "1", "-c", "SELECT 1")
	if want := `connection to server at "127.0.0.1", port 1 failed: Connection refused`; code != 2 || !strings.Contains(errOut, want) || !strings.Contains(errOut, "Is the server running") {
		t.Errorf("no server: status %d, stderr %q", code, errOut)
	}
}

// TestCLIMatchesPsql runs one script through psql and rusty-db-cli and
// compares what they print. It needs psql (postgresql-client).
func TestCLIMatchesPsql(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql is not installed")
	}
	port := startServer(t)
	script := `CREATE TABLE t1 (a INT PRIMARY KEY, b TEXT NOT NULL DEFAULT 'x', c NUMERIC(10,2));
CREATE VIEW v1 AS SELECT a, b FROM t1;
INSERT INTO t1 VALUES (1, 'héllo', 2.5), (22, '日本語', NULL), (3, E'a\nb', -1);
SELECT * FROM t1 ORDER BY a;
\x
SELECT * FROM t1 ORDER BY a;
SELECT 1 WHERE false;
\x
\pset null '(null)'
SELECT NULL::int AS n, 'x' AS "long header name";
\pset null ''
SELECT E'a\tb' AS tab, 1.5::float8 AS f, true AS b;
\d
\dv
\dn
\du
\d t1
\d v1
SELECT bogus;
INSERT INTO t1 VALUES (1, 'a', 1);
DROP TABLE IF EXISTS nosuch;
\pset format unaligned
SELECT * FROM t1 ORDER BY a;
\t
SELECT * FROM t1 ORDER BY a;
`
	cmd := exec.Command(psql, "-X", "-h", "127.0.0.1", "-p", port, "-U", "rustydb", "-d", "rustydb")
	cmd.Stdin = strings.NewReader(script)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10", "PSQLRC=/dev/null")
	var pout, perr strings.Builder
	cmd.Stdout, cmd.Stderr = &pout, &perr
	if err := cmd.Run(); err != nil {
		t.Fatalf("psql: %v\n%s", err, perr.String())
	}
	// the same script again on a new database, through rusty-db-cli
	port = startServer(t)
	out, errOut, code := runCLI(t, script, "-X", "-h", "127.0.0.1", "-p", port)
	if code != 0 || out != pout.String() || errOut != perr.String() {
		t.Errorf("rusty-db-cli (status %d) and psql differ:\n%s", code, diffLines(pout.String()+perr.String(), out+errOut))
	}
}

// diffLines shows the first lines where a and b differ.
func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\npsql:         %q\nrusty-db-cli: %q", i+1, x, y)
		}
	}
	return "(same lines)"
}

func TestEmbedded(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	check(t, "a new directory", "CREATE TABLE kv (k TEXT PRIMARY KEY, v INT);\nINSERT INTO kv VALUES ('a', 1), ('b', NULL);\nCOPY kv FROM STDIN;\nc\t3\n\\.\n",
		[]string{"--embedded", dir}, "CREATE TABLE\nINSERT 0 2\nCOPY 1\n", "rusty-db-cli: created a new data directory "+dir+"\n", 0)
	// the same output paths as over the wire, on the data the first run left
	check(t, "reopened", "", []string{"-D", dir, "-c", "SELECT * FROM kv ORDER BY k", "-c", `\d kv`, "-c", "SELECT nosuch"}, ""+
		" k | v \n---+---\n a | 1\n b |  \n c | 3\n(3 rows)\n\n"+
		"                 Table \"public.kv\"\n"+
		" Column |  Type   | Collation | Nullable | Default \n"+
		"--------+---------+-----------+----------+---------\n"+
		" k      | text    |           | not null | \n"+
		" v      | integer |           |          | \n"+
		"Indexes:\n"+
		"    \"kv_pkey\" PRIMARY KEY, btree (k)\n\n",
		"ERROR:  column \"nosuch\" does not exist\nLINE 1: SELECT nosuch\n               ^\n", 1)
	out, _, code := runCLI(t, "", "-D", dir, "-c", `\conninfo`)
	if abs, _ := filepath.Abs(dir); code != 0 || !strings.Contains(out, `embedded on data directory "`+abs+`"`) {
		t.Errorf("\\conninfo embedded: %d %q", code, out)
	}
	check(t, "COPY TO STDOUT", "", []string{"-D", dir, "-c", "COPY kv TO STDOUT"}, "a\t1\nb\t\\N\nc\t3\n", "", 0)
	check(t, "not with a server address", "", []string{"-D", dir, "-h", "localhost", "-c", "SELECT 1"}, "",
		"rusty-db-cli: error: --embedded opens a data directory without a server: leave out -h, -p and the connection string\n", 2)
}

// TestEmbeddedRefused checks that a data directory another process holds
// (as a running server does) is refused, naming that process.
func TestEmbeddedRefused(t *testing.T) {
	dir := t.TempDir()
	holder := exec.Command(os.Args[0], "-test.run=^$")
	holder.Env = append(os.Environ(), holdDirEnv+"="+dir)
	stdin, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer holder.Wait()
	defer stdin.Close()
	if line, err := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
		t.Fatalf("holder: %q %v", line, err)
	}
	_, errOut, code := runCLI(t, "", "--embedded", dir, "-c", "SELECT 1")
	want := fmt.Sprintf("data directory is in use by another process (process %d)", holder.Process.Pid)
	if code != 2 || !strings.Contains(errOut, want) {
		t.Errorf("status %d, stderr %q; want 2 and %q", code, errOut, want)
	}
	stdin.Close()
	if err := holder.Wait(); err != nil {
		t.Fatal(err)
	}
	check(t, "free again", "", []string{"--embedded", dir, "-tA", "-c", "SELECT 1"}, "1\n", "", 0)
}
