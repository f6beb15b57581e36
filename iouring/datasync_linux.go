package iouring

import (
	"os"

	"golang.org/x/sys/unix"
)

// datasync is the pread engine's Sync.
func datasync(f *os.File) error {
	return onDescriptor(f, "sync", func(fd int) error { return unix.Fdatasync(fd) })
}

// writeback starts writing [off, off+n) of f back to its device without
// waiting for it (sync_file_range(2) with SYNC_FILE_RANGE_WRITE).
func writeback(f *os.File, off, n int64) error {
	return onDescriptor(f, "sync_file_range", func(fd int) error {
		return unix.SyncFileRange(fd, off, n, unix.SYNC_FILE_RANGE_WRITE)
	})
}

// onDescriptor runs call on f's descriptor. Control holds os.File's
// reference to the descriptor, so a concurrent Close cannot release it
// under the call.
func onDescriptor(f *os.File, op string, call func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if rc.Control(func(fd uintptr) { serr = call(int(fd)) }) != nil {
		// Control fails only once Close has begun; its error is internal.
		return &os.PathError{Op: op, Path: f.Name(), Err: os.ErrClosed}
	}
	if serr != nil {
		return &os.PathError{Op: op, Path: f.Name(), Err: serr}
	}
	return nil
}
