// Command rusty-slt runs sqllogictest files against RustyDB and prints a
// pass/fail/skip summary per file:
//
//	rusty-slt [-wire DSN] [-v] [-strict] [-failures N] [-timeout D] files-or-dirs...
//
// Without -wire each file runs on an embedded engine in a temporary
// directory; with it, on the server at DSN over one connection. Directories
// are searched for *.test files.
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"rustydb/slt"
)

func main() {
	wire := flag.String("wire", "", "run on the server at this DSN (e.g. postgres://rustydb@127.0.0.1:5432/rustydb) instead of embedded")
	verbose := flag.Bool("v", false, "print every failure in full, and each file's run time")
	strict := flag.Bool("strict", false, "exit 1 when a record fails")
	maxFailures := flag.Int("failures", 3, "failures to print per file (without -v)")
	timeout := flag.Duration("timeout", time.Minute, "time limit of one record")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: rusty-slt [-wire DSN] [-v] [-strict] [-failures N] [-timeout D] files-or-dirs...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	files, err := testFiles(flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "rusty-slt:", err)
		os.Exit(2)
	}
	var b slt.Backend
	if *wire != "" {
		b, err = slt.NewWire(*wire)
	} else {
		b, err = slt.NewEmbedded()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "rusty-slt:", err)
		os.Exit(2)
	}
	defer b.Close()

	var total slt.FileResult
	start := time.Now()
	for _, file := range files {
		t := time.Now()
		r := slt.RunWith(file, b, slt.Options{Timeout: *timeout})
		fmt.Printf("%s pass=%d fail=%d skipped=%d halted=%t", file, r.Pass, r.Fail, r.Skip, r.Halted)
		if *verbose {
			fmt.Printf(" time=%s", time.Since(t).Round(time.Millisecond))
		}
		fmt.Println()
		for i, f := range r.Failures {
			if !*verbose && i == *maxFailures {
				fmt.Printf("    ... %d more\n", len(r.Failures)-i)
				break
			}
			printFailure(f, *verbose)
		}
		total.Pass += r.Pass
		total.Fail += r.Fail
		total.Skip += r.Skip
	}
	fmt.Printf("total files=%d pass=%d fail=%d skipped=%d time=%s\n", len(files), total.Pass, total.Fail, total.Skip, time.Since(start).Round(time.Millisecond))
	if *strict && total.Fail > 0 {
		b.Close()
		os.Exit(1)
	}
}

// testFiles expands directories into their *.test files, in lexical order.
func testFiles(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			files = append(files, a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".test") {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

func printFailure(f slt.Failure, full bool) {
	short := func(s string) string {
		if !full {
			s = strings.Join(strings.Fields(s), " ")
			if len(s) > 160 {
				s = s[:160] + "..."
			}
		}
		return s
	}
	fmt.Printf("    L%d: %s\n", f.Line, short(f.SQL))
	if f.Err != "" {
		fmt.Printf("        error: %s\n", short(f.Err))
		return
	}
	if full {
		fmt.Printf("        got:\n%s\n        want:\n%s\n", f.Got, f.Want)
		return
	}
	fmt.Printf("        got %q, want %q\n", short(f.Got), short(f.Want))
}
