package main

// The server log: log/slog in text or JSON, to stdout, stderr or a file
// that is rotated by size. The level is a slog.LevelVar so that ALTER
// SYSTEM SET level changes it while the server runs.

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"

	"rustydb/config"
)

// newLogger makes the logger [logging] describes. It returns the level,
// which the caller may change, and a function that closes a log file.
func newLogger(cfg *config.Config, stdout io.Writer) (*slog.Logger, *slog.LevelVar, func(), error) {
	level := new(slog.LevelVar)
	if err := level.UnmarshalText([]byte(cfg.Logging.Level)); err != nil {
		return nil, nil, nil, fmt.Errorf("[logging] level: %v", err)
	}
	out, closeFn := stdout, func() {}
	switch cfg.Logging.Output {
	case "stdout":
	case "stderr":
		out = os.Stderr
	default:
		f, err := openRotating(cfg.Logging.Output, int64(cfg.Logging.MaxSizeMB)<<20, cfg.Logging.MaxFiles)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("cannot open log file (set [logging] output): %v", err)
		}
		out, closeFn = f, f.Close
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Logging.Format == "json" {
		return slog.New(slog.NewJSONHandler(out, opts)), level, closeFn, nil
	}
	return slog.New(slog.NewTextHandler(out, opts)), level, closeFn, nil
}

// rotatingFile is a log file rotated by size: when a write would take it
// past max bytes, path.N is removed, path.N-1 becomes path.N, ..., path
// becomes path.1, and a new path is started, where N is keep. A record is
// never split between two files.
type rotatingFile struct {
	path string
	max  int64 // 0: never rotate
	keep int

	mu   sync.Mutex
	f    *os.File // nil after a failed rotation; the next write retries
	size int64
}

func openRotating(path string, max int64, keep int) (*rotatingFile, error) {
	r := &rotatingFile{path: path, max: max, keep: keep}
	return r, r.open()
}

func (r *rotatingFile) open() error {
	f, err := os.OpenFile(r.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	r.f, r.size = f, info.Size()
	return nil
}

func (r *rotatingFile) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f != nil && r.max > 0 && r.size > 0 && r.size+int64(len(p)) > r.max {
		r.f.Close()
		r.f = nil
		r.shift()
	}
	if r.f == nil {
		if err := r.open(); err != nil {
			return 0, err
		}
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	return n, err
}

// shift moves the files up one number, dropping the oldest.
func (r *rotatingFile) shift() {
	name := func(i int) string { return r.path + "." + strconv.Itoa(i) }
	_ = os.Remove(name(r.keep))
	for i := r.keep - 1; i >= 1; i-- {
		_ = os.Rename(name(i), name(i+1))
	}
	_ = os.Rename(r.path, name(1))
}

func (r *rotatingFile) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f != nil {
		r.f.Close()
		r.f = nil
	}
}
