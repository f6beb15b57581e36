package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRotatingFile(t *testing.T) {
	f := func(name string, max int64, keep int, records []string, want map[string]string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "server.log")
			r, err := openRotating(path, max, keep)
			if err != nil {
				t.Fatal(err)
			}
			for _, rec := range records {
				if _, err := r.Write([]byte(rec)); err != nil {
					t.Fatal(err)
				}
			}
			r.Close()
			entries, _ := os.ReadDir(dir)
			got := map[string]string{}
			for _, e := range entries {
				b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
				got[e.Name()] = string(b)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("files = %q\nwant %q", got, want)
			}
		})
	}
	rec := func(i int) string { return fmt.Sprintf("record %02d %s\n", i, strings.Repeat("x", 20)) } // 31 bytes
	var ten []string
	for i := range 10 {
		ten = append(ten, rec(i))
	}
	f("three records a file, two kept", 100, 2, ten, map[string]string{
		"server.log":   rec(9),
		"server.log.1": rec(6) + rec(7) + rec(8),
		"server.log.2": rec(3) + rec(4) + rec(5),
	})
	f("never rotated", 0, 2, ten, map[string]string{"server.log": strings.Join(ten, "")})
	f("a record larger than the limit has a file of its own", 10, 5, ten[:3], map[string]string{
		"server.log": rec(2), "server.log.1": rec(1), "server.log.2": rec(0),
	})
}

// TestRotatingFileAppends checks that a restart continues the existing file
// and counts its size.
func TestRotatingFileAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "server.log")
	if err := os.WriteFile(path, []byte(strings.Repeat("o", 90)), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := openRotating(path, 100, 1)
	if err != nil {
		t.Fatal(err)
	}
	r.Write([]byte("0123456789-too-much\n"))
	r.Close()
	if b, _ := os.ReadFile(path + ".1"); len(b) != 90 {
		t.Errorf("the old file was not rotated out before the write: %q", b)
	}
	if b, _ := os.ReadFile(path); string(b) != "0123456789-too-much\n" {
		t.Errorf("new file = %q", b)
	}
}
