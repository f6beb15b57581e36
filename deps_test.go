package rustydb

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// layers orders the packages from the bottom up: a package may import only
// packages of a lower layer. New packages must be added here.
var layers = [][]string{
	{"sqlerr", "config", "iouring", "asm", "auth", "benchmarks/tpchgen"},
	{"jsonb"},
	{"wal", "types", "txn"},
	{"sql", "catalog"},
	{"column"},
	{"row", "plan"},
	{"exec"},
	{"."}, // the embeddable engine, package rustydb
	{"api", "slt"},
	{"cmd/rusty-db-server", "cmd/rusty-db-cli", "benchmarks", "benchmarks/peers/sqlite", "benchmarks/peers/duckdb", "slt/cmd/rusty-slt"},
}

func TestLayering(t *testing.T) {
	rank := map[string]int{}
	for i, layer := range layers {
		for _, p := range layer {
			rank[p] = i
		}
	}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		// Go ignores directories starting with . or _ (asm/_gen is its own module).
		if path != "." && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_") || d.Name() == "testdata" || d.Name() == "bin" || d.Name() == "data") {
			return filepath.SkipDir
		}
		pkgs, err := parser.ParseDir(fset, path, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ImportsOnly)
		if err != nil || len(pkgs) == 0 {
			return err
		}
		r, known := rank[path]
		if !known {
			t.Errorf("package %s is not in the layer list of deps_test.go", path)
			return nil
		}
		for _, pkg := range pkgs {
			for name, f := range pkg.Files {
				for _, imp := range f.Imports {
					p := strings.Trim(imp.Path.Value, `"`)
					if p != "rustydb" && !strings.HasPrefix(p, "rustydb/") {
						continue
					}
					dep := strings.TrimPrefix(strings.TrimPrefix(p, "rustydb"), "/")
					if dep == "" {
						dep = "."
					}
					if dr, ok := rank[dep]; !ok || dr >= r {
						t.Errorf("%s imports %s, which is not in a lower layer", name, p)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
