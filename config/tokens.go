package config

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// The REST API's tokens file ([api] tokens_file; by default api_tokens in
// the data directory) holds the SHA-256 of every bearer token the API
// accepts, never a token itself. One token per line:
//
//	# comments and blank lines are ignored
//	<id> sha256:<64 hex digits> [<created, RFC 3339>] [<note ...>]
//
// for example
//
//	admin  sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08  2025-01-31T09:00:00Z  issued at first start
//
// An id is 1 to 64 letters, digits, '_', '-' or '.', unique in the file.
// An administrator adds a token by hand with its hash
// (printf %s "$TOKEN" | sha256sum), or through POST /api/v1/admin/tokens,
// which writes the file; the server reads it at start. [ReadTokens] reports
// every bad line as FILE:LINE: reason.

// Token is one line of the tokens file.
type Token struct {
	ID      string
	Hash    [sha256.Size]byte
	Created time.Time // zero when the line gives none
	Note    string
}

// HashToken returns the hash a tokens file keeps for token.
func HashToken(token string) [sha256.Size]byte { return sha256.Sum256([]byte(token)) }

var tokenID = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// ValidTokenID reports why id cannot name a token, or nil.
func ValidTokenID(id string) error {
	if !tokenID.MatchString(id) {
		return fmt.Errorf("token id %q must be 1 to 64 letters, digits, '_', '-' or '.'", id)
	}
	return nil
}

// TokensFile returns api.tokens_file, or api_tokens in the data directory
// when it is empty.
func (c *Config) TokensFile() string {
	if c.API.TokensFile != "" {
		return c.API.TokensFile
	}
	return filepath.Join(c.Storage.DataDir, "api_tokens")
}

// ReadTokens reads a tokens file. A file that cannot be read gives an error
// wrapping the os error (fs.ErrNotExist when it is missing); bad lines give
// a *ValidationError listing all of them.
func ReadTokens(path string) ([]Token, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: cannot read the API tokens file: %w", err)
	}
	var tokens []Token
	var problems []Problem
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		t, err := parseTokenLine(sc.Text())
		switch {
		case err != nil:
			problems = append(problems, Problem{File: path, Line: n, Reason: err.Error()})
		case t == nil:
		case seen[t.ID] != 0:
			problems = append(problems, Problem{File: path, Line: n, Reason: fmt.Sprintf("token id %q is already used on line %d", t.ID, seen[t.ID])})
		default:
			seen[t.ID] = n
			tokens = append(tokens, *t)
		}
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return tokens, nil
}

// parseTokenLine reads one line; a blank or comment line gives nil.
func parseTokenLine(line string) (*Token, error) {
	fields := strings.Fields(line)
	if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
		return nil, nil
	}
	if len(fields) < 2 {
		return nil, errors.New("want: <id> sha256:<64 hex digits> [<created>] [<note>]")
	}
	if err := ValidTokenID(fields[0]); err != nil {
		return nil, err
	}
	t := &Token{ID: fields[0]}
	hexHash, ok := strings.CutPrefix(fields[1], "sha256:")
	if n, err := hex.Decode(t.Hash[:], []byte(hexHash)); !ok || err != nil || n != sha256.Size || len(hexHash) != 2*sha256.Size {
		return nil, fmt.Errorf("token %q: the hash must be sha256: and 64 hex digits (printf %%s \"$TOKEN\" | sha256sum)", t.ID)
	}
	rest := fields[2:]
	if len(rest) > 0 {
		if created, err := time.Parse(time.RFC3339, rest[0]); err == nil {
			t.Created, rest = created, rest[1:]
		}
	}
	t.Note = strings.Join(rest, " ")
	return t, nil
}

// WriteTokens replaces the tokens file with tokens, atomically (a temporary
// file, fsync, rename), readable only by its owner.
func WriteTokens(path string, tokens []Token) error {
	var b strings.Builder
	b.WriteString("# RustyDB REST API tokens: <id> sha256:<hash of the token> [<created>] [<note>].\n")
	b.WriteString("# Only hashes are kept here; add a token with its hash: printf %s \"$TOKEN\" | sha256sum\n")
	for _, t := range tokens {
		fmt.Fprintf(&b, "%s sha256:%s", t.ID, hex.EncodeToString(t.Hash[:]))
		if !t.Created.IsZero() {
			b.WriteString(" " + t.Created.UTC().Format(time.RFC3339))
		}
		if note := strings.Join(strings.Fields(t.Note), " "); note != "" {
			b.WriteString(" " + note)
		}
		b.WriteByte('\n')
	}
	return WriteFileAtomic(path, []byte(b.String()), 0o600)
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory that is fsynced and renamed over it, so a crash leaves the old
// file or the new one, never a mix.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	err = errors.Join(err, f.Chmod(perm), f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		err = d.Sync()
		d.Close()
		return err
	}
	return nil
}
