//go:build !linux

package iouring

import (
	"errors"
	"fmt"
	"os"
	"runtime"
)

// NewUring reports that io_uring exists only on Linux.
func NewUring(entries uint32) (Engine, error) {
	return nil, fmt.Errorf("io_uring on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

// datasync is fsync where fdatasync is not available.
func datasync(f *os.File) error { return f.Sync() }

// writeback does nothing where sync_file_range is not available: Sync
// writes everything.
func writeback(*os.File, int64, int64) error { return nil }
