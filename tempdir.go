package rustydb

// The data directory's tmp/ holds the temporary files of the sorts, hash
// aggregations and hash joins whose rows pass work_mem (exec/spill.go).
// Opening the database empties it: a file left there belongs to a server
// that stopped mid-statement, and no statement runs before Open returns.

import (
	"fmt"
	"os"
	"path/filepath"

	"rustydb/config"
)

// resetTempDir creates dir/tmp, or empties it, and returns its path.
func resetTempDir(dir string) (string, error) {
	tmp := filepath.Join(dir, "tmp")
	if err := os.RemoveAll(tmp); err != nil {
		return "", fmt.Errorf("emptying the temporary file directory: %w", err)
	}
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return "", fmt.Errorf("creating the temporary file directory: %w", err)
	}
	return tmp, nil
}

// workMem is the session's work_mem in bytes (0: no limit). Every
// statement asks: the setting is read from its field and parsed only when it
// changed.
func (s *Session) workMem() int64 {
	text, ok := s.params["work_mem"]
	if !ok {
		text = s.db.params.Current().Memory.WorkMem
	}
	if c := &s.workMemCache; c.text != text || c.bytes == 0 {
		c.text = text
		c.bytes, _ = config.ParseSize(text)
	}
	return s.workMemCache.bytes
}
