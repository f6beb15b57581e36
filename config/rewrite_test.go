package config

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestSetKey")

// TestSetKey edits the files in testdata/rewrite and compares the results
// with their .golden files (go test -run TestSetKey -update rewrites them).
// Every result must load.
func TestSetKey(t *testing.T) {
	str := func(s string) *string { return &s }
	f := func(name, in, key string, value *string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "rewrite", in))
			if err != nil {
				t.Fatal(err)
			}
			sec, k, _ := strings.Cut(key, ".")
			got := setKey(string(data), sec, k, value)
			golden := filepath.Join("testdata", "rewrite", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("setKey(%s, %s) =\n%q\nwant\n%q", in, key, got, want)
			}
			if _, err := loadText(in, got); err != nil {
				t.Errorf("the result does not load: %v", err)
			}
		})
	}
	f("replace-keeps-comment", "commented.toml", "server.max_connections", str("200"))
	f("replace-string-with-hash", "commented.toml", "memory.work_mem", str(`"128MB"`))
	f("add-key-to-section", "commented.toml", "server.listen_port", str("6543"))
	f("add-section", "commented.toml", "logging.level", str(`"debug"`))
	f("remove-key", "commented.toml", "server.query_timeout_ms", nil)
	f("remove-missing-key", "commented.toml", "wal.dir", nil)
	f("crlf-replace", "crlf.toml", "logging.level", str(`"warn"`))
	f("crlf-add", "crlf.toml", "server.listen_port", str("6543"))
	f("dotted-replace", "dotted.toml", "server.max_connections", str("20"))
	f("dotted-add", "dotted.toml", "server.query_timeout_ms", str("1000"))
	f("compact-no-newline", "compact.toml", "logging.level", str(`"error"`))
	f("compact-add-section", "compact.toml", "wal.sync_mode", str(`"off"`))
	f("multiline-replace", "multiline.toml", "logging.output", str(`"stderr"`))
	f("empty-file", "empty.toml", "server.max_connections", str("7"))
}

// TestSetKeyEveryParam sets each parameter to its default in the full
// example file and checks that exactly that value changed, and that every
// other line stayed as it was.
func TestSetKeyEveryParam(t *testing.T) {
	path := filepath.Join("testdata", "full.toml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	full, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	def := Default()
	for _, p := range AllParams() {
		sec, key, _ := strings.Cut(p.Key, ".")
		v := def.tomlValue(p)
		got := setKey(string(data), sec, key, &v)
		c, err := loadText(path, got)
		if err != nil {
			// the defaults of some keys are invalid together with the rest of
			// the file (require_tls without a certificate); compare the raw values
			if !strings.Contains(err.Error(), "security.") {
				t.Errorf("%s: result does not load: %v", p.Key, err)
			}
			continue
		}
		want := *full
		if err := want.setText(p, def.raw(p)); err != nil {
			t.Fatal(err)
		}
		if *c != want {
			t.Errorf("%s: loaded %+v\nwant %+v", p.Key, *c, want)
		}
		before, after := strings.Split(string(data), "\n"), strings.Split(got, "\n")
		if d := lineDiff(before, after); d > 1 {
			t.Errorf("%s: %d lines differ, want at most 1", p.Key, d)
		}
	}
}

// lineDiff counts the lines of a that b does not have at the same place,
// plus the lines b adds.
func lineDiff(a, b []string) int {
	n := max(len(b)-len(a), 0)
	for i := range a {
		if i >= len(b) || a[i] != b[i] {
			n++
		}
	}
	return n
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rustydb.toml")
	if err := os.WriteFile(path, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.toml")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(link, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Errorf("contents = %q, want new", got)
	}
	if info, _ := os.Lstat(link); info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced by a file")
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v, want 0640", info.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	names := []string{}
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"link.toml", "rustydb.toml"}) {
		t.Errorf("directory holds %v, want no temporary file left", names)
	}

	if os.Geteuid() != 0 { // root writes anywhere
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(dir, 0o700)
		if err := writeFileAtomic(path, []byte("newer")); err == nil {
			t.Errorf("write into a read-only directory succeeded")
		}
		if got, _ := os.ReadFile(path); string(got) != "new" {
			t.Errorf("a failed write changed the file to %q", got)
		}
	}
}
