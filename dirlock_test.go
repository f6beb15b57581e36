package rustydb

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDirLockFile checks that an open DB holds meta/lock with its process
// id, which the refusal of another process names (the refusal itself is
// tested across processes in cmd/rusty-db-cli, TestEmbeddedRefused), and
// that the directory opens again after Close.
func TestDirLockFile(t *testing.T) {
	dir := t.TempDir()
	for round := 0; round < 2; round++ {
		db, err := OpenWith(Options{Dir: dir, SyncMode: "off"})
		if err != nil {
			t.Fatalf("open %d: %v", round, err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "meta", "lock"))
		if err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(os.Getpid()) {
			t.Errorf("meta/lock holds %q (%v), want this process id %d", b, err, os.Getpid())
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
