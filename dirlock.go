package rustydb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// ErrDirInUse is returned by Open when another process (a server, or an
// embedded rusty-db-cli) has the data directory open: two processes writing
// one WAL and one set of heap files would corrupt both.
var ErrDirInUse = errors.New("data directory is in use by another process")

// dirLock is the lock on a data directory's meta/lock file, held while the
// DB is open. It is a POSIX record lock (fcntl), so the kernel drops it when
// the process dies, even by kill -9, and a stale file never blocks a start.
// POSIX locks belong to the process: a second Open of the same directory in
// one process (as crash tests do) is not refused, and closing either DB
// releases the lock. The file holds the owner's process id for the error
// message of whoever is refused.
type dirLock struct{ f *os.File }

func lockDir(dir string) (*dirLock, error) {
	meta := filepath.Join(dir, "meta")
	if err := os.MkdirAll(meta, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create data directory %s: %w", dir, err)
	}
	path := filepath.Join(meta, "lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot open lock file %s: %w", path, err)
	}
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0, Start: 0, Len: 0}
	if err := unix.FcntlFlock(f.Fd(), unix.F_SETLK, &lk); err != nil {
		defer f.Close()
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EACCES) {
			owner := ""
			if b, err := os.ReadFile(path); err == nil {
				if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
					owner = fmt.Sprintf(" (process %d)", pid)
				}
			}
			return nil, fmt.Errorf("cannot open %s: %w%s", dir, ErrDirInUse, owner)
		}
		return nil, fmt.Errorf("cannot lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &dirLock{f: f}, nil
}

// release unlocks the directory (by closing the file, which drops the
// process's lock).
func (l *dirLock) release() error { return l.f.Close() }
