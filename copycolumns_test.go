package rustydb

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rustydb/sqlerr"
)

// copyColumnsDDL is a table whose COPY FROM goes column by column; the
// same with a CHECK constraint goes the row path (types.Value per field).
const copyColumnsDDL = "(id INT PRIMARY KEY, n BIGINT, d NUMERIC(12,3), day DATE, c CHAR(6), v VARCHAR(12), tx TEXT, f FLOAT8, b BOOLEAN, ts TIMESTAMP, s SMALLINT NOT NULL)"

// randomCopyFile writes rows of the copyColumnsDDL table in text format or
// CSV: NULLs, decimals that round, integers with blanks, padded and
// non-ASCII strings, fields holding the delimiter, quotes, backslashes and
// newlines (CSV quoted fields that span lines, some across the workers'
// batches of rows).
func randomCopyFile(t *testing.T, rows int, csv bool, seed uint64) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	null := `\N`
	if csv {
		null = ""
	}
	var b strings.Builder
	for id := range rows {
		strs := []string{"", "plain", "é ü", "a,b|c", `q"uote`, "back\\slash", "tab\tin", "line\nbreak", `\.`, "x"}
		field := func(s string) string {
			if csv {
				if strings.ContainsAny(s, ",\"\n\r") || s == "" || s == `\.` {
					return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
				}
				return s
			}
			r := strings.NewReplacer("\\", `\\`, "\n", `\n`, "\t", `\t`, "|", `\|`)
			return r.Replace(s)
		}
		vals := []string{
			fmt.Sprint(id),
			pick(fmt.Sprint(rng.Int64()-rng.Int64()), " 42", "-0", null),
			pick(fmt.Sprintf("%d.%03d", rng.IntN(1e9)-5e8, rng.IntN(1000)), "1.23456", "-0.0005", "7", ".5", null),
			pick(fmt.Sprintf("%04d-%02d-%02d", 1+rng.IntN(2100), 1+rng.IntN(12), 1+rng.IntN(28)), "2000-02-29", " 1999-01-01", null),
			pick("ab", "abcdef", "é", "", null),
			pick("short", "abcdefghijkl", "ü", null),
			field(strs[rng.IntN(len(strs))]),
			pick("0.1", "-1e300", "3", null),
			pick("t", "false", "yes", null),
			pick("2024-01-02 03:04:05.123456", "1970-01-01", null),
			fmt.Sprint(rng.IntN(65536) - 32768),
		}
		delim := "|"
		if csv {
			delim = ","
		}
		b.WriteString(strings.Join(vals, delim))
		b.WriteByte('\n')
	}
	path := filepath.Join(t.TempDir(), fmt.Sprintf("random-%v-%d.txt", csv, seed))
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCopyColumnPath loads the same random files into a table that loads
// column by column and one that loads row by row, past the bulk load
// threshold, and checks they hold the same rows; that an error names its
// line and column and rolls the load back; and that ON_ERROR ignore leaves
// out the bad rows there too.
func TestCopyColumnPath(t *testing.T) {
	db := openCopyDB(t)
	s := db.NewSession("rustydb")
	defer s.Close()
	mustExec(t, db, "CREATE TABLE cols "+copyColumnsDDL+"; CREATE TABLE rows "+strings.TrimSuffix(copyColumnsDDL, ")")+", CHECK (id >= 0))")
	for _, csv := range []bool{false, true} {
		opts := "(DELIMITER '|')"
		if csv {
			opts = "(FORMAT csv)"
		}
		path := randomCopyFile(t, 6000, csv, 1)
		mustExec(t, db, "TRUNCATE cols; TRUNCATE rows")
		copyExec(t, s, "COPY cols FROM '"+path+"' "+opts, "COPY 6000")
		copyExec(t, s, "COPY rows FROM '"+path+"' "+opts, "COPY 6000")
		got, want := copyRows(t, s, "SELECT * FROM cols ORDER BY id"), copyRows(t, s, "SELECT * FROM rows ORDER BY id")
		if got != want {
			gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
			for i := range min(len(gl), len(wl)) {
				if gl[i] != wl[i] {
					t.Fatalf("csv %v: row %d column by column:\n%s\nrow by row:\n%s", csv, i, gl[i], wl[i])
				}
			}
			t.Fatalf("csv %v: %d rows column by column, %d row by row", csv, len(gl), len(wl))
		}
	}

	// a JSON row without a key has NULL there (no default)
	ndjson := filepath.Join(t.TempDir(), "rows.ndjson")
	if err := os.WriteFile(ndjson, []byte(`{"id": 1, "n": 5, "tx": "a", "s": 1}`+"\n"+`{"id": 2, "s": 2}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, "TRUNCATE cols")
	copyExec(t, s, "COPY cols FROM '"+ndjson+"' (FORMAT json)", "COPY 2")
	if got := copyRows(t, s, "SELECT id, n, tx, s FROM cols ORDER BY id"); got != "1|5|a|1\n2|NULL|NULL|2\n" {
		t.Errorf("json rows:\n%s", got)
	}

	// errors past the bulk load threshold
	good := randomCopyFile(t, 5000, false, 2)
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	// bad returns a file of good with line n's id (first) or s (last)
	// field set to val, or, with last and val "", without s.
	bad := func(n int, last bool, val string) string {
		l := append([]string(nil), lines...)
		line := l[n-1]
		switch {
		case !last:
			_, rest, _ := strings.Cut(line, "|")
			l[n-1] = val + "|" + rest
		case val == "":
			l[n-1] = line[:strings.LastIndexByte(line, '|')]
		default:
			l[n-1] = line[:strings.LastIndexByte(line, '|')+1] + val
		}
		path := filepath.Join(t.TempDir(), "bad.txt")
		if err := os.WriteFile(path, []byte(strings.Join(l, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	mustExec(t, db, "TRUNCATE cols")
	for _, tc := range []struct {
		name, path, code, msg, detail string
	}{
		{"bad integer", bad(4900, false, "x"), sqlerr.InvalidTextRepresentation, `invalid input syntax for type integer: "x"`, "line 4900, column id"},
		{"smallint out of range", bad(4800, true, "99999"), sqlerr.NumericValueOutOfRange, "out of range", "line 4800, column s"},
		{"missing column", bad(4700, true, ""), sqlerr.BadCopyFileFormat, `missing data for column "s"`, "line 4700"},
		{"null into NOT NULL", bad(4600, true, `\N`), sqlerr.NotNullViolation, `null value in column "s"`, ""},
		{"duplicate key", bad(4990, false, "17"), sqlerr.UniqueViolation, "duplicate key", ""},
	} {
		for _, opts := range []string{"", ", ON_ERROR 'ignore'"} {
			_, err := s.Exec(t.Context(), "COPY cols FROM '"+tc.path+"' (DELIMITER '|'"+opts+")")
			if opts != "" && strings.HasPrefix(tc.code, "22") {
				if err != nil {
					t.Errorf("%s, ignored: %v", tc.name, err)
				} else if got := copyRows(t, s, "SELECT count(*) FROM cols"); got != "4999\n" {
					t.Errorf("%s, ignored: %s rows, want 4999", tc.name, got)
				}
				mustExec(t, db, "TRUNCATE cols")
				continue
			}
			e := sqlerr.From(err)
			if err == nil || e.Code != tc.code || !strings.Contains(e.Message, tc.msg) || !strings.Contains(e.Detail, tc.detail) {
				t.Errorf("%s%s: got %v, want SQLSTATE %s with %q and detail %q", tc.name, opts, err, tc.code, tc.msg, tc.detail)
			} else if got := copyRows(t, s, "SELECT count(*) FROM cols"); got != "0\n" {
				t.Errorf("%s%s: the failed load left %s rows", tc.name, opts, got)
			}
		}
	}
}
