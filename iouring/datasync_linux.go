package iouring

import (
	"os"

	"golang.org/x/sys/unix"
)

// datasync is the pread engine's Sync. Control holds os.File's reference to
// the descriptor, so a concurrent Close cannot release it under the call.
func datasync(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if rc.Control(func(fd uintptr) { serr = unix.Fdatasync(int(fd)) }) != nil {
		// Control fails only once Close has begun; its error is internal.
		return &os.PathError{Op: "sync", Path: f.Name(), Err: os.ErrClosed}
	}
	if serr != nil {
		return &os.PathError{Op: "sync", Path: f.Name(), Err: serr}
	}
	return nil
}
