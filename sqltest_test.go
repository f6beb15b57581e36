package rustydb

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"rustydb/sqlerr"
	"rustydb/types"
)

// TestSQLFiles runs the sqllogictest-style files under testdata/sql against
// the embedded engine. The format (a subset of DuckDB's dialect):
//
//	statement ok | statement error [SQLSTATE]
//	<sql, up to a blank line or ---->
//	[<for ok, the notices the statement must send and no others; for an
//	  error, text its message must contain; up to a blank line>]
//
//	query <column types> [rowsort]
//	<sql>
//	----
//	<one row per line, values separated by tabs; NULL for null>
//
// Each file runs in a fresh database; "restart" reopens it from disk after
// a clean close (a checkpoint), "restart crash" after a stop without one,
// so that recovery replays the log; "user NAME" runs what follows in a
// session logged in as role NAME (one per role, kept until a restart),
// "user" alone goes back to the embedded session. Notices are written as psql prints them
// with \set VERBOSITY verbose (without LOCATION lines):
//
//	NOTICE:  00000: table "x" does not exist, skipping
//	DETAIL:  <detail, when the notice has one>
func TestSQLFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/sql/*.test")
	if len(files) == 0 {
		t.Fatal("no test files")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) { runSQLFile(t, file) })
	}
}

func runSQLFile(t *testing.T, file string) {
	dir := t.TempDir()
	db, err := OpenWith(Options{Dir: dir, SyncMode: "off"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if db != nil {
			db.Close()
		}
	}()
	s := db.NewSession("rustydb")
	embedded, logins := s, map[string]*Session{}
	ctx := context.Background()

	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line := 0
	next := func() (string, bool) {
		if !sc.Scan() {
			return "", false
		}
		line++
		return sc.Text(), true
	}
	// block reads lines up to a blank line (or ---- when stopAtDashes).
	block := func(stopAtDashes bool) (lines []string, dashes bool) {
		for {
			l, ok := next()
			if !ok || strings.TrimSpace(l) == "" {
				return lines, false
			}
			if stopAtDashes && l == "----" {
				return lines, true
			}
			lines = append(lines, l)
		}
	}
	for {
		l, ok := next()
		if !ok {
			return
		}
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		at := line
		fields := strings.Fields(l)
		switch fields[0] {
		case "restart":
			closeDB := db.Close
			if len(fields) > 1 && fields[1] == "crash" {
				closeDB = db.store.CloseNoCheckpoint
			}
			if err := closeDB(); err != nil {
				t.Fatal(err)
			}
			if db, err = OpenWith(Options{Dir: dir, SyncMode: "off"}); err != nil {
				t.Fatalf("%s:%d: reopen: %v", file, at, err)
			}
			s = db.NewSession("rustydb")
			embedded, logins = s, map[string]*Session{}
		case "user":
			s = embedded
			if len(fields) > 1 {
				if logins[fields[1]] == nil {
					logins[fields[1]] = db.Login(fields[1])
				}
				s = logins[fields[1]]
			}
		case "statement":
			sqlLines, dashes := block(true)
			var message []string
			if dashes {
				message, _ = block(false)
			}
			query := strings.Join(sqlLines, "\n")
			var c collector
			_, err := s.Run(ctx, query, &c)
			switch {
			case fields[1] == "ok" && err != nil:
				t.Errorf("%s:%d: %s\nunexpected error: %v", file, at, query, err)
			case fields[1] == "error" && err == nil:
				t.Errorf("%s:%d: %s\nexpected an error", file, at, query)
			case fields[1] == "error" && len(fields) > 2 && sqlerr.Code(err) != fields[2]:
				t.Errorf("%s:%d: %s\nSQLSTATE %s (%v), want %s", file, at, query, sqlerr.Code(err), err, fields[2])
			case err != nil && !strings.Contains(err.Error(), strings.Join(message, "\n")):
				t.Errorf("%s:%d: %s\nerror %q, want it to contain %q", file, at, query, err, strings.Join(message, "\n"))
			case err == nil && dashes:
				if got, want := formatNotices(c.notices), strings.Join(message, "\n"); got != want {
					t.Errorf("%s:%d: %s\nnotices:\n%s\nwant:\n%s", file, at, query, got, want)
				}
			}
		case "query":
			sqlLines, _ := block(true)
			want, _ := block(false)
			query := strings.Join(sqlLines, "\n")
			rows, err := s.Query(ctx, query)
			if err != nil {
				t.Errorf("%s:%d: %s\nerror: %v", file, at, query, err)
				continue
			}
			var got []string
			for rows.Next() {
				cells := make([]string, len(rows.Values()))
				for i, v := range rows.Values() {
					if v.IsNull() {
						cells[i] = "NULL"
					} else {
						cells[i] = string(types.AppendTextIn(nil, v, rows.Columns()[i].Type, s.Location()))
					}
				}
				got = append(got, strings.Join(cells, "\t"))
			}
			if len(fields) > 2 && fields[2] == "rowsort" {
				sort.Strings(got)
				sort.Strings(want)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s:%d: %s\ngot:\n%s\nwant:\n%s", file, at, query, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		default:
			t.Fatalf("%s:%d: unknown record %q", file, at, l)
		}
	}
}

// formatNotices prints notices as psql does with VERBOSITY verbose.
func formatNotices(notices []Notice) string {
	var lines []string
	for _, n := range notices {
		lines = append(lines, n.Severity+":  "+n.Code+": "+n.Message)
		if n.Detail != "" {
			lines = append(lines, "DETAIL:  "+n.Detail)
		}
	}
	return strings.Join(lines, "\n")
}
