package iouring

import (
	"io"
	"os"
	"sync"
	"syscall"
)

// Fault is one injected failure: the first matching operation after After
// others fails (every one from then on if Sticky).
type Fault struct {
	Op     Op     // Read, Write or Sync
	Path   string // the path given to Open; "" matches every file
	After  int    // matching operations to let through first
	Sticky bool   // keep failing, like a dead disk
	// Err is the errno or error, wrapped in *os.PathError; nil means
	// syscall.EIO, or io.ErrShortWrite when Written is set.
	Err error
	// Written is, for a Write, how many bytes reach the file before the
	// error: a short or torn write.
	Written int
}

// Faults is a set of armed faults shared by the engines WithFaults wraps.
// The zero value has none; methods are safe for concurrent use.
type Faults struct {
	mu    sync.Mutex
	armed []Fault
	fired int
}

// Add arms f. Every matching operation counts towards the After of every
// armed fault, whether or not another one fails it; the first fault (in
// order of Add) that is due fires.
func (fs *Faults) Add(f Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.armed = append(fs.armed, f)
}

// Clear disarms every fault.
func (fs *Faults) Clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.armed = nil
}

// Fired returns how many operations a fault has failed, so a test can check
// that its fault was reached.
func (fs *Faults) Fired() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.fired
}

// take returns the fault that fails this operation, if any.
func (fs *Faults) take(op Op, path string) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	hit := -1
	for i := range fs.armed {
		a := &fs.armed[i]
		switch {
		case a.Op != op || a.Path != "" && a.Path != path:
		case a.After > 0:
			a.After--
		case hit < 0:
			hit = i
		}
	}
	if hit < 0 {
		return Fault{}, false
	}
	f := fs.armed[hit]
	if !f.Sticky {
		fs.armed = append(fs.armed[:hit], fs.armed[hit+1:]...)
	}
	fs.fired++
	return f, true
}

// WithFaults returns e with the faults of fs injected into the reads, writes
// and syncs of the files it opens, batches included; the rest passes through.
func WithFaults(e Engine, fs *Faults) Engine { return &faultEngine{Engine: e, faults: fs} }

type faultEngine struct {
	Engine
	faults *Faults
}

func (e *faultEngine) Open(path string, flag int, perm os.FileMode) (File, error) {
	f, err := e.Engine.Open(path, flag, perm)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: f, path: path, faults: e.faults}, nil
}

type faultFile struct {
	File
	path   string
	faults *Faults
}

func (f *faultFile) ReadAt(p []byte, off int64) (int, error) {
	if ft, ok := f.faults.take(Read, f.path); ok {
		return f.inject(ft, Read, p, off)
	}
	return f.File.ReadAt(p, off)
}

func (f *faultFile) WriteAt(p []byte, off int64) (int, error) {
	if ft, ok := f.faults.take(Write, f.path); ok {
		return f.inject(ft, Write, p, off)
	}
	return f.File.WriteAt(p, off)
}

// Sync fails without syncing, as after a real fsync error the data is not
// known to be durable.
func (f *faultFile) Sync() error {
	if ft, ok := f.faults.take(Sync, f.path); ok {
		_, err := f.inject(ft, Sync, nil, 0)
		return err
	}
	return f.File.Sync()
}

// Submit fails the requests a fault matches and passes the rest, as one
// batch, to the wrapped file.
func (f *faultFile) Submit(batch []Request) error {
	var rest []Request
	var at []int
	for i := range batch {
		q := &batch[i]
		if q.Op == Read || q.Op == Write {
			if ft, ok := f.faults.take(q.Op, f.path); ok {
				q.N, q.Err = f.inject(ft, q.Op, q.Buf, q.Off)
				continue
			}
		}
		rest = append(rest, *q)
		at = append(at, i)
	}
	if len(rest) > 0 {
		f.File.Submit(rest)
		for j, i := range at {
			batch[i].N, batch[i].Err = rest[j].N, rest[j].Err
		}
	}
	return firstErr(batch)
}

func (f *faultFile) inject(ft Fault, op Op, p []byte, off int64) (int, error) {
	n := 0
	if op == Write && ft.Written > 0 {
		var err error
		if n, err = f.File.WriteAt(p[:min(ft.Written, len(p))], off); err != nil {
			return n, err
		}
		if ft.Err == nil {
			ft.Err = io.ErrShortWrite
		}
	}
	if ft.Err == nil {
		ft.Err = syscall.EIO
	}
	return n, &os.PathError{Op: op.String(), Path: f.path, Err: ft.Err}
}
