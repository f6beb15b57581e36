// Package slt runs sqllogictest files against RustyDB, embedded or over the
// PostgreSQL wire protocol. It reads both dialects in use: SQLite's original
// one (one value per line, md5-hashed large results) and DuckDB's extension of
// it (tab-separated rows, expected error text, require, loops, mode skip).
// The engine name for skipif/onlyif is "postgresql", so files written for
// PostgreSQL's behaviour apply to RustyDB.
//
// It is a test harness, not a driver: results are compared as text, the way
// the reference runner prints them.
package slt

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Engine is the name skipif and onlyif conditions are matched against.
const Engine = "postgresql"

// Kind is what a record does.
type Kind int

const (
	Statement     Kind = iota // statement ok|error|maybe
	Query                     // query <types> [sort mode] [label]
	HashThreshold             // hash-threshold N
	Halt                      // halt: stop running the file
	Restart                   // restart: reopen the database from disk
	Require                   // require <feature>: skip the file without it
	Mode                      // mode skip|unskip
)

// Expect is what a statement record expects.
type Expect int

const (
	ExpectOK Expect = iota
	ExpectError
	ExpectMaybe // either outcome passes
)

// SortMode orders a query's values before they are compared.
type SortMode int

const (
	NoSort    SortMode = iota
	RowSort            // sort the rows
	ValueSort          // sort all values, ignoring rows
)

// Record is one record of a file, with loops already expanded.
type Record struct {
	Line   int // 1-based line of the record's first line
	Kind   Kind
	SkipIf []string // engines the record is skipped on
	OnlyIf []string // engines the record is limited to
	SQL    string

	Expect    Expect // Statement
	ErrorText string // Statement: DuckDB's expected message after ----

	Types  string // Query: one letter per column (I, R, T)
	Sort   SortMode
	Label  string   // Query: results of queries with one label must be equal
	Result []string // Query: the expected lines after ----

	N   int    // HashThreshold
	Arg string // Require: the feature; Mode: skip or unskip
}

type line struct {
	n    int
	text string
}

// Parse reads the records of a sqllogictest file; name is used in errors.
func Parse(r io.Reader, name string) ([]Record, error) {
	var lines []line
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64*1024*1024)
	for n := 1; sc.Scan(); n++ {
		lines = append(lines, line{n, strings.TrimRight(sc.Text(), "\r")})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var recs []Record
	if err := parseLines(lines, &recs); err != nil {
		return nil, fmt.Errorf("%s:%w", name, err)
	}
	return recs, nil
}

// parseLines appends the records of lines to out, expanding loops.
func parseLines(lines []line, out *[]Record) error {
	var skipIf, onlyIf []string
	for i := 0; i < len(lines); {
		l := lines[i]
		fields := directive(l.text)
		if len(fields) == 0 {
			i++
			continue
		}
		errorf := func(format string, args ...any) error {
			return fmt.Errorf("%d: %s", l.n, fmt.Sprintf(format, args...))
		}
		rec := Record{Line: l.n}
		i++
		switch fields[0] {
		case "skipif", "onlyif":
			if len(fields) < 2 {
				return errorf("%s needs an engine name", fields[0])
			}
			if fields[0] == "skipif" {
				skipIf = append(skipIf, fields[1])
			} else {
				onlyIf = append(onlyIf, fields[1])
			}
			continue
		case "statement":
			if len(fields) < 2 {
				return errorf("statement needs ok, error or maybe")
			}
			switch fields[1] {
			case "ok":
				rec.Expect = ExpectOK
			case "error":
				rec.Expect = ExpectError
			case "maybe":
				rec.Expect = ExpectMaybe
			default:
				return errorf("unknown statement expectation %q", fields[1])
			}
			rec.Kind = Statement
			var sqlLines []string
			var dashes bool
			sqlLines, dashes, i = block(lines, i, true)
			rec.SQL = strings.Join(sqlLines, "\n")
			if dashes {
				var text []string
				text, _, i = block(lines, i, false)
				rec.ErrorText = strings.Join(text, "\n")
			}
		case "query":
			if len(fields) < 2 {
				return errorf("query needs column types")
			}
			rec.Kind, rec.Types = Query, fields[1]
			for _, f := range fields[2:] {
				switch f {
				case "nosort":
					rec.Sort = NoSort
				case "rowsort":
					rec.Sort = RowSort
				case "valuesort":
					rec.Sort = ValueSort
				default:
					rec.Label = f
				}
			}
			var sqlLines []string
			var dashes bool
			sqlLines, dashes, i = block(lines, i, true)
			rec.SQL = strings.Join(sqlLines, "\n")
			if dashes {
				rec.Result, _, i = block(lines, i, false)
			}
		case "hash-threshold":
			n := -1
			if len(fields) == 2 {
				n, _ = strconv.Atoi(fields[1])
			}
			if n < 0 {
				return errorf("hash-threshold needs a count")
			}
			rec.Kind, rec.N = HashThreshold, n
		case "halt":
			rec.Kind = Halt
		case "restart":
			rec.Kind = Restart
		case "load":
			// Every file already runs on a database of its own on disk, which
			// is what load asks for.
			skipIf, onlyIf = nil, nil
			continue
		case "require", "mode":
			if len(fields) < 2 {
				return errorf("%s needs an argument", fields[0])
			}
			rec.Kind, rec.Arg = Require, strings.Join(fields[1:], " ")
			if fields[0] == "mode" {
				rec.Kind = Mode
			}
		case "loop", "concurrentloop", "foreach", "concurrentforeach":
			values, err := loopValues(fields)
			if err != nil {
				return errorf("%v", err)
			}
			end := endOfLoop(lines, i)
			if end < 0 {
				return errorf("%s without endloop", fields[0])
			}
			// Concurrent loops run sequentially: the runner has one session.
			for _, v := range values {
				body := make([]line, end-i)
				for j, bl := range lines[i:end] {
					body[j] = line{bl.n, strings.ReplaceAll(bl.text, "${"+fields[1]+"}", v)}
				}
				if err := parseLines(body, out); err != nil {
					return err
				}
			}
			i = end + 1
			skipIf, onlyIf = nil, nil
			continue
		case "endloop":
			return errorf("endloop without loop")
		default:
			return errorf("unknown record %q", fields[0])
		}
		rec.SkipIf, rec.OnlyIf = skipIf, onlyIf
		skipIf, onlyIf = nil, nil
		*out = append(*out, rec)
	}
	return nil
}

// directive splits a record's first line into words, dropping a trailing
// "# comment"; it returns nothing for blank and comment lines.
func directive(s string) []string {
	fields := strings.Fields(s)
	for i, f := range fields {
		if strings.HasPrefix(f, "#") {
			return fields[:i]
		}
	}
	return fields
}

// block returns the lines from i up to a blank line (or a "----" line when
// stopAtDashes), whether it stopped at "----", and the index after it.
func block(lines []line, i int, stopAtDashes bool) ([]string, bool, int) {
	var out []string
	for ; i < len(lines); i++ {
		t := lines[i].text
		if strings.TrimSpace(t) == "" {
			return out, false, i + 1
		}
		if stopAtDashes && t == "----" {
			return out, true, i + 1
		}
		out = append(out, t)
	}
	return out, false, i
}

// loopValues returns the values a loop or foreach line iterates over.
func loopValues(fields []string) ([]string, error) {
	if strings.HasSuffix(fields[0], "foreach") {
		if len(fields) < 3 {
			return nil, fmt.Errorf("%s needs a variable and values", fields[0])
		}
		return fields[2:], nil
	}
	if len(fields) != 4 {
		return nil, fmt.Errorf("%s needs a variable, a start and an end", fields[0])
	}
	start, err1 := strconv.Atoi(fields[2])
	end, err2 := strconv.Atoi(fields[3])
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("%s bounds must be integers", fields[0])
	}
	var values []string
	for v := start; v < end; v++ {
		values = append(values, strconv.Itoa(v))
	}
	return values, nil
}

// endOfLoop returns the index of the endloop matching a loop whose body
// starts at i, or -1.
func endOfLoop(lines []line, i int) int {
	depth := 0
	for ; i < len(lines); i++ {
		switch f := directive(lines[i].text); {
		case len(f) == 0:
		case f[0] == "loop" || f[0] == "concurrentloop" || f[0] == "foreach" || f[0] == "concurrentforeach":
			depth++
		case f[0] == "endloop":
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}
