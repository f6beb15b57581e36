package iouring

import (
	"os"
	"sync"
	"sync/atomic"
)

// preadWorkers bounds the goroutines of one pread batch, and so its queue
// depth: each blocks a thread in pread or pwrite.
const preadWorkers = 32

// NewPread returns the engine that runs reads and writes as pread(2) and
// pwrite(2) through os.File; it works wherever os does.
func NewPread() Engine { return preadEngine{} }

type preadEngine struct{}

func (preadEngine) Name() string { return "pread" }

func (preadEngine) Close() error { return nil }

func (preadEngine) Open(path string, flag int, perm os.FileMode) (File, error) {
	f, err := openFile(path, flag, perm)
	if err != nil {
		return nil, err
	}
	return &preadFile{f: f}, nil
}

// preadFile leaves closing races to os.File, which holds a reference to the
// descriptor for the length of each call.
type preadFile struct{ f *os.File }

func (p *preadFile) ReadAt(b []byte, off int64) (int, error)  { return p.f.ReadAt(b, off) }
func (p *preadFile) WriteAt(b []byte, off int64) (int, error) { return p.f.WriteAt(b, off) }
func (p *preadFile) Sync() error                              { return datasync(p.f) }
func (p *preadFile) Writeback(off, n int64) error             { return writeback(p.f, off, n) }
func (p *preadFile) Truncate(size int64) error                { return p.f.Truncate(size) }
func (p *preadFile) Size() (int64, error)                     { return fileSize(p.f) }
func (p *preadFile) Close() error                             { return p.f.Close() }

func (p *preadFile) Submit(batch []Request) error {
	run := func(q *Request) {
		if !prepare(q, p.f.Name()) {
			return
		}
		if q.Op == Read {
			q.N, q.Err = p.f.ReadAt(q.Buf, q.Off)
		} else {
			q.N, q.Err = p.f.WriteAt(q.Buf, q.Off)
		}
	}
	workers := min(len(batch), preadWorkers)
	if workers <= 1 {
		for i := range batch {
			run(&batch[i])
		}
		return firstErr(batch)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(batch)); i = next.Add(1) - 1 {
				run(&batch[i])
			}
		})
	}
	wg.Wait()
	return firstErr(batch)
}
