package main

import (
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestParseArgs(t *testing.T) {
	f := func(args []string, check func(o *options) bool) {
		t.Helper()
		o, err := parseArgs(args)
		if err != nil {
			t.Errorf("%q: %v", args, err)
			return
		}
		if !check(o) {
			t.Errorf("%q: parsed %+v", args, *o)
		}
	}
	f([]string{"-h", "db1", "-p5433", "-U", "alice", "-d", "rustydb"}, func(o *options) bool {
		return o.host == "db1" && o.port == "5433" && o.user == "alice" && o.dbname == "rustydb"
	})
	f([]string{"-tAq", "-F,", "-c", "select 1", "-f", "x.sql", "-c", `\dt`}, func(o *options) bool {
		return o.tuplesOnly && o.unaligned && o.quiet && *o.fieldSep == "," &&
			reflect.DeepEqual(o.actions, []action{{text: "select 1"}, {file: true, text: "x.sql"}, {text: `\dt`}})
	})
	f([]string{"--host=h", "--port", "1", "--tuples-only", "--set=ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose", "-X"}, func(o *options) bool {
		return o.host == "h" && o.port == "1" && o.tuplesOnly && o.vars["ON_ERROR_STOP"] == "1" && o.vars["VERBOSITY"] == "verbose"
	})
	f([]string{"mydb", "bob", "-x"}, func(o *options) bool { return o.dbname == "mydb" && o.user == "bob" && o.expanded })
	f([]string{"postgres://u@h:1/db", "bob", "extra"}, func(o *options) bool {
		return o.conninfo == "postgres://u@h:1/db" && o.user == "bob" && reflect.DeepEqual(o.extra, []string{"extra"})
	})
	f([]string{"host=h port=1"}, func(o *options) bool { return o.conninfo == "host=h port=1" })
	f([]string{"--embedded", "./data", "-c", "select 1"}, func(o *options) bool { return o.embedded == "./data" })
	f([]string{"-D./data"}, func(o *options) bool { return o.embedded == "./data" })
	f([]string{"--", "-notanoption"}, func(o *options) bool { return o.dbname == "-notanoption" })
	for _, bad := range [][]string{{"-Z"}, {"--nope"}, {"-c"}, {"--host"}, {"--quiet=yes"}} {
		if _, err := parseArgs(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestConnString(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	f := func(args []string, wantHost string, wantPort uint16, wantUser, wantDB string) {
		t.Helper()
		o, err := parseArgs(args)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := connString(o, getenv)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := pgconn.ParseConfig(cs)
		if err != nil {
			t.Fatalf("%q: %q: %v", args, cs, err)
		}
		if cfg.Host != wantHost || cfg.Port != wantPort || cfg.User != wantUser || cfg.Database != wantDB {
			t.Errorf("%q: %q gives %s:%d user %s db %s, want %s:%d user %s db %s", args, cs,
				cfg.Host, cfg.Port, cfg.User, cfg.Database, wantHost, wantPort, wantUser, wantDB)
		}
	}
	// the defaults: TCP on localhost, user and database rustydb
	f(nil, "localhost", 5432, "rustydb", "rustydb")
	f([]string{"-h", "127.0.0.1", "-p", "6000", "-U", "alice", "-d", "db"}, "127.0.0.1", 6000, "alice", "db")
	f([]string{"host=h1 user='bob'"}, "h1", 5432, "bob", "rustydb")
	f([]string{"host=h1 port=7", "-p", "8"}, "h1", 8, "rustydb", "rustydb")
	f([]string{"postgres://carol@h2:9/d2"}, "h2", 9, "carol", "d2")
	f([]string{"postgresql:///d3"}, "localhost", 5432, "rustydb", "d3")
	f([]string{"postgres://h3/d4", "-U", "dan", "-h", "h4"}, "h4", 5432, "dan", "d4")
	f([]string{"-U", "it's"}, "localhost", 5432, "it's", "rustydb")
	// what the environment sets is left to pgconn, which reads it
	env["PGHOST"], env["PGUSER"] = "envhost", "envuser"
	t.Setenv("PGHOST", "envhost")
	t.Setenv("PGUSER", "envuser")
	f(nil, "envhost", 5432, "envuser", "rustydb")
	f([]string{"-h", "flag"}, "flag", 5432, "envuser", "rustydb")
}

func TestConninfoKeys(t *testing.T) {
	got := conninfoKeys(`host=a port = 5 password='x y\' z' user=u`)
	want := map[string]bool{"host": true, "port": true, "password": true, "user": true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
