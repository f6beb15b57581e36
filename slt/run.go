package slt

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// FileResult counts a file's statement and query records by outcome.
type FileResult struct {
	Pass, Fail, Skip int
	Halted           bool // a halt record stopped the file
	Failures         []Failure
}

// Failure describes a failed record: its unexpected error, or the result
// it got and the one it wanted.
type Failure struct {
	Line                int
	SQL, Got, Want, Err string
}

// satisfiable are the DuckDB require arguments RustyDB meets; any other
// (an extension, a vector size) skips the rest of the file.
var satisfiable = map[string]bool{"skip_reload": true, "notwindows": true, "64bit": true}

// Options tunes a run.
type Options struct {
	// Timeout bounds each record (default one minute), so a query that does
	// not finish (DuckDB's recursive_hang tests) fails instead of stopping
	// the run.
	Timeout time.Duration
}

// Run runs a file on b with default options; see RunWith.
func Run(file string, b Backend) FileResult { return RunWith(file, b, Options{}) }

// RunWith runs a file on b, starting from an empty database. Files under a
// directory named duckdb are read in DuckDB's dialect: booleans print as
// true/false, R values compare within 1%, and results are not hashed unless
// the file says so (SQLite's default hash-threshold is 8).
func RunWith(file string, b Backend, o Options) FileResult {
	if o.Timeout <= 0 {
		o.Timeout = time.Minute
	}
	var res FileResult
	abort := func(line int, err error) FileResult {
		res.Fail++
		res.Failures = append(res.Failures, Failure{Line: line, Err: err.Error()})
		return res
	}
	f, err := os.Open(file)
	if err != nil {
		return abort(0, err)
	}
	recs, err := Parse(f, file)
	f.Close()
	if err != nil {
		return abort(0, err)
	}
	if err := b.Reset(); err != nil {
		return abort(0, err)
	}
	abs, _ := filepath.Abs(file)
	d := dialect{duckdb: strings.Contains(filepath.ToSlash(abs), "/duckdb/")}
	threshold := 8
	if d.duckdb {
		threshold = 0
	}
	labels := map[string]string{} // label → digest of its first result
	skipping := false             // mode skip
	for i := range recs {
		rec := &recs[i]
		counted := rec.Kind == Statement || rec.Kind == Query
		if !applies(rec) || counted && (skipping || isPragma(rec.SQL)) {
			if counted {
				res.Skip++
			}
			continue
		}
		switch rec.Kind {
		case HashThreshold:
			threshold = rec.N
		case Halt:
			res.Halted = true
			return res
		case Restart:
			if err := b.Restart(); err != nil {
				return abort(rec.Line, err)
			}
		case Require:
			if !satisfiable[rec.Arg] {
				for _, r := range recs[i+1:] {
					if r.Kind == Statement || r.Kind == Query {
						res.Skip++
					}
				}
				return res
			}
		case Mode:
			// Other modes (output formats, debug) do not change what runs.
			switch rec.Arg {
			case "skip":
				skipping = true
			case "unskip":
				skipping = false
			}
		case Statement, Query:
			var fl *Failure
			if rec.Kind == Statement {
				fl = runStatement(b, rec, o.Timeout)
			} else {
				fl = runQuery(b, rec, o.Timeout, d, threshold, labels)
			}
			if fl == nil {
				res.Pass++
			} else {
				fl.Line, fl.SQL = rec.Line, rec.SQL
				res.Fail++
				res.Failures = append(res.Failures, *fl)
			}
		}
	}
	return res
}

// applies evaluates a record's skipif and onlyif conditions for Engine.
func applies(rec *Record) bool {
	for _, e := range rec.SkipIf {
		if e == Engine {
			return false
		}
	}
	for _, e := range rec.OnlyIf {
		if e != Engine {
			return false
		}
	}
	return true
}

// isPragma reports DuckDB's PRAGMA statements, which configure DuckDB and
// are counted as skipped.
func isPragma(sql string) bool {
	s := strings.TrimSpace(sql)
	return len(s) >= 6 && strings.EqualFold(s[:6], "pragma")
}

func runStatement(b Backend, rec *Record, timeout time.Duration) *Failure {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := b.Exec(ctx, rec.SQL)
	switch {
	case rec.Expect == ExpectOK && err != nil:
		return &Failure{Err: err.Error()}
	case rec.Expect == ExpectError && err == nil:
		// DuckDB's expected message is shown but not compared: it is
		// DuckDB's wording, not PostgreSQL's.
		want := "an error"
		if rec.ErrorText != "" {
			want += ": " + rec.ErrorText
		}
		return &Failure{Got: "ok", Want: want}
	}
	return nil
}

func runQuery(b Backend, rec *Record, timeout time.Duration, d dialect, threshold int, labels map[string]string) *Failure {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	res, err := b.Query(ctx, rec.SQL)
	if err != nil {
		return &Failure{Err: err.Error()}
	}
	o := d.check(rec, res, threshold)
	if !o.ok {
		return &Failure{Got: o.got, Want: o.want}
	}
	if rec.Label != "" {
		if prev, ok := labels[rec.Label]; ok && prev != o.hash {
			return &Failure{Got: o.hash, Want: prev + " (label " + rec.Label + ")"}
		}
		labels[rec.Label] = o.hash
	}
	return nil
}
