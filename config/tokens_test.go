package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTokensRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "api_tokens")
	want := []Token{
		{ID: "admin", Hash: HashToken("secret one"), Created: time.Date(2025, 1, 31, 9, 0, 0, 0, time.UTC), Note: "issued at first start"},
		{ID: "ci.runner-2", Hash: HashToken("secret two")},
	}
	if err := WriteTokens(path, want); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("tokens file mode: %v, %v; want 0600", fi.Mode(), err)
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "secret") {
		t.Fatalf("the file holds a token in clear:\n%s", data)
	}
	got, err := ReadTokens(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("read %d tokens, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("token %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, err := ReadTokens(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
}

func TestTokensFileProblems(t *testing.T) {
	hash := "sha256:" + strings.Repeat("ab", 32)
	f := func(content string, want ...string) {
		t.Helper()
		path := filepath.Join(t.TempDir(), "api_tokens")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		tokens, err := ReadTokens(path)
		if len(want) == 0 {
			if err != nil {
				t.Errorf("%q: %v", content, err)
			}
			return
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || tokens != nil {
			t.Fatalf("%q: got %v, want a ValidationError", content, err)
		}
		if got := strings.ReplaceAll(err.Error(), path, "PATH"); got != strings.Join(want, "\n") {
			t.Errorf("%q:\ngot  %s\nwant %s", content, got, strings.Join(want, "\n"))
		}
	}
	f("# only a comment\n\n")
	f("a " + hash + "\nb " + hash + " 2025-01-01T00:00:00Z\nc " + hash + " a note\n")
	f("lonely\n", "PATH:1: want: <id> sha256:<64 hex digits> [<created>] [<note>]")
	f("bad/id "+hash+"\n", `PATH:1: token id "bad/id" must be 1 to 64 letters, digits, '_', '-' or '.'`)
	f("a sha256:abc\n", `PATH:1: token "a": the hash must be sha256: and 64 hex digits (printf %s "$TOKEN" | sha256sum)`)
	f("a "+strings.Repeat("ab", 32)+"\n", `PATH:1: token "a": the hash must be sha256: and 64 hex digits (printf %s "$TOKEN" | sha256sum)`)
	f("a "+hash+"\n# x\na "+hash+"\n", `PATH:3: token id "a" is already used on line 1`)
}

func TestTokensFileDefault(t *testing.T) {
	c := Default()
	if got, want := c.TokensFile(), filepath.Join("data", "api_tokens"); got != want {
		t.Errorf("TokensFile() = %q, want %q", got, want)
	}
	c.API.TokensFile = "/etc/rustydb/tokens"
	if got := c.TokensFile(); got != "/etc/rustydb/tokens" {
		t.Errorf("TokensFile() = %q", got)
	}
	c.API.TokensFile = "/etc/rustydb/"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "api.tokens_file") {
		t.Errorf("a directory as tokens_file: %v", err)
	}
}
