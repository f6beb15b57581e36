package slt

import (
	"bufio"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/baseline.tsv with the pass counts of this run")

const baselineFile = "testdata/baseline.tsv"

// TestSharedCorpus runs the shared sqllogictest files (../shared/slt beside
// the repository) on the embedded engine and fails when a file passes fewer
// records than testdata/baseline.tsv records for it. -update rewrites the
// baseline from this run.
func TestSharedCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("the shared corpus takes a while")
	}
	root, err := filepath.Abs("../../shared/slt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(root); err != nil {
		t.Skipf("no shared sqllogictest corpus at %s", root)
	}
	var files []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".test") {
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	baseline, err := readBaseline(baselineFile)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, rel := range files {
		t.Run(rel, func(t *testing.T) {
			start := time.Now()
			// The slowest passing record takes under a second; five give room
			// for a loaded machine while bounding the records that hang.
			r := RunWith(filepath.Join(root, rel), b, Options{Timeout: 5 * time.Second})
			t.Logf("pass=%d fail=%d skipped=%d halted=%t in %s", r.Pass, r.Fail, r.Skip, r.Halted, time.Since(start).Round(time.Millisecond))
			want, known := baseline[rel]
			switch {
			case *update:
				baseline[rel] = r.Pass
			case !known:
				t.Logf("no baseline; add it with -update")
			case r.Pass < want:
				t.Errorf("%d records pass, below the baseline of %d; failures:\n%s", r.Pass, want, describe(r.Failures, 10))
			case r.Pass > want:
				t.Logf("%d records pass, above the baseline of %d; raise it with -update", r.Pass, want)
			}
		})
	}
	if *update {
		if err := writeBaseline(baselineFile, baseline); err != nil {
			t.Fatal(err)
		}
	}
}

// readBaseline reads "file<TAB>pass count" lines.
func readBaseline(path string) (map[string]int, error) {
	m := map[string]int{}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		name, count, ok := strings.Cut(sc.Text(), "\t")
		pass, err := strconv.Atoi(count)
		if !ok || err != nil {
			return nil, fmt.Errorf("%s:%d: want file<TAB>pass count", path, n)
		}
		m[name] = pass
	}
	return m, sc.Err()
}

func writeBaseline(path string, m map[string]int) error {
	var sb strings.Builder
	for _, name := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(&sb, "%s\t%d\n", name, m[name])
	}
	return os.WriteFile(path, []byte(sb.String()), 0o644)
}

// describe lists the first n failures for a test log.
func describe(failures []Failure, n int) string {
	var sb strings.Builder
	for i, f := range failures {
		if i == n {
			fmt.Fprintf(&sb, "... %d more\n", len(failures)-n)
			break
		}
		fmt.Fprintf(&sb, "line %d: %s\n", f.Line, f.SQL)
		if f.Err != "" {
			fmt.Fprintf(&sb, "  error: %s\n", f.Err)
		} else {
			fmt.Fprintf(&sb, "  got:\n%s\n  want:\n%s\n", f.Got, f.Want)
		}
	}
	return sb.String()
}
