package slt

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// dialect holds what differs between SQLite's and DuckDB's files.
type dialect struct {
	duckdb bool
}

// format prints a value the way the reference runner does for the column's
// declared type: I as an integer (a fraction truncated toward zero, a
// boolean as 1 or 0), R with three decimals, T as text; NULL and (empty) for
// null and the empty string. DuckDB prints booleans as true/false and
// compares R with a tolerance, so its R values keep the engine's text.
func (d dialect) format(c Cell, typ byte, isBool bool) string {
	if c.Null {
		return "NULL"
	}
	s := c.Text
	switch typ {
	case 'I':
		switch {
		case isBool && s == "t":
			s = "1"
		case isBool && s == "f":
			s = "0"
		default:
			s = truncateInt(s)
		}
	case 'R':
		if f, err := strconv.ParseFloat(s, 64); err == nil && !d.duckdb {
			s = fmt.Sprintf("%.3f", f)
		}
	default:
		if isBool && d.duckdb {
			switch s {
			case "t":
				s = "true"
			case "f":
				s = "false"
			}
		}
	}
	if s == "" {
		return "(empty)"
	}
	return s
}

// truncateInt prints a numeric text as an integer, truncating toward zero;
// other text is returned unchanged.
func truncateInt(s string) string {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return s
	}
	if intPart, _, ok := strings.Cut(s, "."); ok && !strings.ContainsAny(s, "eE") {
		// Cut the text rather than the float, so big NUMERICs keep their digits.
		switch intPart = strings.TrimPrefix(intPart, "+"); intPart {
		case "", "-", "-0":
			return "0"
		}
		return intPart
	}
	return strconv.FormatFloat(math.Trunc(f), 'f', 0, 64)
}

// equal compares a got value with an expected one; DuckDB compares R
// values as numbers within 1%, as its runner does.
func (d dialect) equal(got, want string, typ byte) bool {
	if got == want {
		return true
	}
	if !d.duckdb || typ != 'R' {
		return false
	}
	g, err1 := strconv.ParseFloat(got, 64)
	w, err2 := strconv.ParseFloat(want, 64)
	return err1 == nil && err2 == nil && math.Abs(g-w) <= math.Abs(w)*0.01+1e-8
}

var hashLine = regexp.MustCompile(`^(\d+) values hashing to ([0-9a-f]{32})$`)

// hashValues is the reference runner's digest of a result: the md5 of every
// value followed by a newline.
func hashValues(values []string) string {
	h := md5.New()
	for _, v := range values {
		h.Write([]byte(v))
		h.Write([]byte{'\n'})
	}
	return fmt.Sprintf("%d values hashing to %s", len(values), hex.EncodeToString(h.Sum(nil)))
}

// outcome is the comparison of a query's result with its record.
type outcome struct {
	ok        bool
	got, want string // as shown in a failure
	hash      string // the result's digest, for labels
}

// check formats res per rec's column types, sorts it per rec's sort mode and
// compares it with rec.Result. The expected lines hold one value each
// (SQLite) or tab-separated rows (DuckDB); they are read as rows when a line
// holds a tab or there is one line per row. A result of more values than
// threshold (or expected as one) is compared by its digest,
// "N values hashing to MD5".
func (d dialect) check(rec *Record, res *Result, threshold int) outcome {
	ncols := len(res.IsBool)
	want := rec.Result
	out := outcome{want: strings.Join(want, "\n")}
	if ncols != len(rec.Types) {
		out.got = fmt.Sprintf("%d columns, the record declares %d", ncols, len(rec.Types))
		return out
	}
	rows := make([][]string, len(res.Rows))
	for i, r := range res.Rows {
		rows[i] = make([]string, ncols)
		for j, c := range r {
			rows[i][j] = d.format(c, rec.Types[j], res.IsBool[j])
		}
	}
	var wantRows [][]string
	switch {
	case len(want) == len(rows) || slices.ContainsFunc(want, func(s string) bool { return strings.Contains(s, "\t") }):
		for _, l := range want {
			wantRows = append(wantRows, strings.Split(l, "\t"))
		}
	case ncols > 0 && len(want)%ncols == 0:
		for i := 0; i < len(want); i += ncols {
			wantRows = append(wantRows, want[i:i+ncols])
		}
	default:
		wantRows = [][]string{want} // the wrong shape: it cannot match
	}
	typeOf := func(j int) byte { return rec.Types[j] }
	switch rec.Sort {
	case RowSort:
		slices.SortFunc(rows, slices.Compare)
		slices.SortFunc(wantRows, slices.Compare)
	case ValueSort:
		rows = [][]string{slices.Sorted(slices.Values(slices.Concat(rows...)))}
		wantRows = [][]string{slices.Sorted(slices.Values(slices.Concat(wantRows...)))}
		// Sorted values no longer belong to a column: tolerate R only when
		// every column is R.
		typeOf = func(int) byte {
			if strings.Trim(rec.Types, "R") == "" {
				return 'R'
			}
			return 'T'
		}
	}
	values := slices.Concat(rows...)
	out.hash = hashValues(values)
	wantHash := len(want) == 1 && hashLine.MatchString(want[0])
	if wantHash || threshold > 0 && len(values) > threshold {
		wantDigest := hashValues(slices.Concat(wantRows...))
		if wantHash {
			wantDigest = want[0]
		}
		out.got, out.ok = out.hash, out.hash == wantDigest
		return out
	}
	lines := make([]string, len(rows))
	for i, r := range rows {
		lines[i] = strings.Join(r, "\t")
	}
	out.got, out.ok = strings.Join(lines, "\n"), d.equalRows(rows, wantRows, typeOf)
	return out
}

func (d dialect) equalRows(got, want [][]string, typeOf func(j int) byte) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if len(got[i]) != len(want[i]) {
			return false
		}
		for j := range got[i] {
			if !d.equal(got[i][j], want[i][j], typeOf(j)) {
				return false
			}
		}
	}
	return true
}
