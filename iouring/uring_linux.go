package iouring

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Kernel ABI from <linux/io_uring.h>; x/sys/unix has only the syscall numbers.
const (
	opRead  = 22
	opWrite = 23

	enterGetEvents = 1 << 0

	featSingleMmap   = 1 << 0
	featNoDrop       = 1 << 1
	featSubmitStable = 1 << 2

	offSQRing = 0
	offSQEs   = 0x10000000

	registerProbe = 8
	opSupported   = 1 << 0
)

type sqOffsets struct {
	head, tail, ringMask, ringEntries, flags, dropped, array, resv1 uint32
	resv2                                                           uint64
}

type cqOffsets struct {
	head, tail, ringMask, ringEntries, overflow, cqes, flags, resv1 uint32
	resv2                                                           uint64
}

// params is struct io_uring_params.
type params struct {
	sqEntries, cqEntries, flags, sqThreadCPU, sqThreadIdle, features, wqFd uint32
	resv                                                                   [3]uint32
	sqOff                                                                  sqOffsets
	cqOff                                                                  cqOffsets
}

// sqe is struct io_uring_sqe without the unions we do not use.
type sqe struct {
	opcode, flags uint8
	ioprio        uint16
	fd            int32
	off, addr     uint64
	len, opFlags  uint32
	userData      uint64
	_             [3]uint64
}

// cqe is struct io_uring_cqe.
type cqe struct {
	userData uint64
	res      int32
	flags    uint32
}

// probe is struct io_uring_probe with room for every opcode.
type probe struct {
	lastOp, opsLen uint8
	_              uint16
	_              [3]uint32
	ops            [256]struct {
		op, _ uint8
		flags uint16
		_     uint32
	}
}

// The kernel reads these by size; a wrong field list must not compile.
var (
	_ [unsafe.Sizeof(sqe{}) - 64]byte
	_ [64 - unsafe.Sizeof(sqe{})]byte
	_ [unsafe.Sizeof(cqe{}) - 16]byte
	_ [16 - unsafe.Sizeof(cqe{})]byte
	_ [unsafe.Sizeof(params{}) - 120]byte
	_ [120 - unsafe.Sizeof(params{})]byte
)

// maxRings bounds the rings of an engine, and so its calls running I/O at once.
const maxRings = 64

// maxChunk bounds one SQE's length (its field is 32 bits); the rest of a
// longer request is resubmitted like a short transfer.
const maxChunk = 1 << 30

var errEngineClosed = fmt.Errorf("io_uring engine closed: %w", os.ErrClosed)

// NewUring returns the io_uring engine, whose rings have an SQ of entries
// (rounded up to a power of two, at most 32768), or the reason it cannot:
// the kernel or a seccomp filter refuses io_uring (ENOSYS, EPERM), or the
// kernel is older than 5.6.
func NewUring(entries uint32) (Engine, error) {
	r, err := newRing(entries)
	if err != nil {
		return nil, err
	}
	if err := r.supports(opRead, opWrite); err != nil {
		r.close()
		return nil, err
	}
	e := &uringEngine{entries: entries, free: []*ring{r}, rings: 1, limit: maxRings}
	e.cond.L = &e.mu
	return e, nil
}

type uringEngine struct {
	entries uint32
	mu      sync.Mutex
	cond    sync.Cond // signalled when a ring is freed or retired
	free    []*ring
	rings   int // rings created and not closed, idle or in use
	limit   int // maxRings, or fewer once the kernel refused one
	closed  bool
}

func (e *uringEngine) Name() string { return "io_uring" }

func (e *uringEngine) Open(path string, flag int, perm os.FileMode) (File, error) {
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return nil, &os.PathError{Op: "open", Path: path, Err: errEngineClosed}
	}
	f, err := openFile(path, flag, perm)
	if err != nil {
		return nil, err
	}
	return &uringFile{e: e, f: f, fd: int32(f.Fd())}, nil
}

// Close closes the idle rings now and the busy ones when their calls end.
func (e *uringEngine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	for _, r := range e.free {
		r.close()
	}
	e.rings -= len(e.free)
	e.free = nil
	e.cond.Broadcast()
	return nil
}

// get returns an idle ring, creating one while under the limit, else waits.
func (e *uringEngine) get() (*ring, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for {
		switch {
		case e.closed:
			return nil, errEngineClosed
		case len(e.free) > 0:
			r := e.free[len(e.free)-1]
			e.free = e.free[:len(e.free)-1]
			return r, nil
		case e.rings < e.limit:
			r, err := newRing(e.entries)
			if err == nil {
				e.rings++
				return r, nil
			}
			if e.rings == 0 {
				return nil, err
			}
			e.limit = e.rings
		default:
			e.cond.Wait()
		}
	}
}

func (e *uringEngine) put(r *ring) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed || r.broken != nil {
		r.close()
		e.rings--
	} else {
		e.free = append(e.free, r)
	}
	e.cond.Signal()
}

type uringFile struct {
	e  *uringEngine
	f  *os.File
	fd int32
	// mu is read-held while a ring uses fd, so Close cannot release the
	// descriptor number (which a new file could reuse) under in-flight I/O.
	mu     sync.RWMutex
	closed bool
}

func (f *uringFile) ReadAt(p []byte, off int64) (int, error) { return f.one(Read, p, off) }

// WriteAt writes in the calling thread, as Sync does, for the same reason:
// the kernel punts a buffered write it cannot finish without blocking to an
// io-wq worker, and a lone write gains nothing from the ring (batches,
// Submit, still go through it). A WAL commit is a write then a Sync.
func (f *uringFile) WriteAt(p []byte, off int64) (int, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.closed {
		return 0, &os.PathError{Op: "write", Path: f.f.Name(), Err: os.ErrClosed}
	}
	if off < 0 {
		return 0, &os.PathError{Op: "write", Path: f.f.Name(), Err: errors.New("negative offset")}
	}
	return f.f.WriteAt(p, off)
}

// Sync runs fdatasync in the calling thread, not through the ring: the
// kernel hands an IORING_OP_FSYNC to an io-wq worker thread, which on a busy
// machine doubled a WAL commit's latency (pgbench TPC-B, 2 cores: commits
// 307 -> 154 µs, 6,760 -> 7,940 TPS with fdatasync called directly).
func (f *uringFile) Sync() error {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.closed {
		return &os.PathError{Op: "sync", Path: f.f.Name(), Err: os.ErrClosed}
	}
	return datasync(f.f)
}

func (f *uringFile) Truncate(size int64) error { return f.f.Truncate(size) }

func (f *uringFile) Writeback(off, n int64) error { return writeback(f.f, off, n) }
func (f *uringFile) Size() (int64, error)         { return fileSize(f.f) }

func (f *uringFile) Close() error {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	return f.f.Close()
}

// one runs a single request in the ring's own one-element batch, so that
// ReadAt does not allocate.
func (f *uringFile) one(op Op, p []byte, off int64) (int, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	r, err := f.ring(op.String())
	if err != nil {
		return 0, err
	}
	q := &r.one[0]
	*q = Request{Op: op, Buf: p, Off: off}
	if prepare(q, f.f.Name()) {
		r.run(f.fd, f.f.Name(), r.one[:])
	}
	n, err := q.N, q.Err
	*q = Request{}
	f.e.put(r)
	return n, err
}

func (f *uringFile) Submit(batch []Request) error {
	name := f.f.Name()
	todo := false
	for i := range batch {
		todo = prepare(&batch[i], name) || todo
	}
	if !todo {
		return firstErr(batch)
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	r, err := f.ring("submit")
	if err != nil {
		for i := range batch {
			if pending(&batch[i]) {
				batch[i].Err = err
			}
		}
		return firstErr(batch)
	}
	r.run(f.fd, name, batch)
	f.e.put(r)
	return firstErr(batch)
}

// ring returns a ring for I/O on f; f.mu must be read-held.
func (f *uringFile) ring(op string) (*ring, error) {
	if f.closed {
		return nil, &os.PathError{Op: op, Path: f.f.Name(), Err: os.ErrClosed}
	}
	r, err := f.e.get()
	if err != nil {
		return nil, &os.PathError{Op: op, Path: f.f.Name(), Err: err}
	}
	return r, nil
}

// pending reports whether q still needs I/O.
func pending(q *Request) bool {
	return q.Err == nil && q.N < len(q.Buf)
}

// ring is one io_uring instance, used by one call at a time.
type ring struct {
	fd       int
	ringMem  []byte // SQ and CQ rings
	sqeMem   []byte
	sqHead   *uint32
	sqTail   *uint32
	sqMask   uint32
	size     uint32 // SQ entries: the most requests in flight
	tail     uint32 // our copy of *sqTail
	sqes     []sqe
	cqHead   *uint32
	cqTail   *uint32
	cqMask   uint32
	cqes     []cqe
	broken   error     // io_uring_enter failed for good: retire the ring
	cur      []Request // the running batch: keeps its buffers reachable (and on the heap) for the kernel
	one      [1]Request
	resubmit []int32 // requests to submit again, at most size
}

func newRing(entries uint32) (*ring, error) {
	var p params
	fd, _, errno := unix.Syscall(unix.SYS_IO_URING_SETUP, uintptr(entries), uintptr(unsafe.Pointer(&p)), 0)
	if errno != 0 {
		return nil, os.NewSyscallError("io_uring_setup", errno)
	}
	r := &ring{fd: int(fd)}
	if err := r.mmap(&p); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

func (r *ring) mmap(p *params) error {
	const need = featSingleMmap | featNoDrop | featSubmitStable
	if p.features&need != need {
		return fmt.Errorf("io_uring: kernel lacks features %#x (needs Linux 5.6)", need&^p.features)
	}
	size := max(p.sqOff.array+4*p.sqEntries, p.cqOff.cqes+uint32(unsafe.Sizeof(cqe{}))*p.cqEntries)
	var err error
	r.ringMem, err = unix.Mmap(r.fd, offSQRing, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return os.NewSyscallError("mmap io_uring rings", err)
	}
	r.sqeMem, err = unix.Mmap(r.fd, offSQEs, int(p.sqEntries)*int(unsafe.Sizeof(sqe{})), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return os.NewSyscallError("mmap io_uring SQEs", err)
	}
	base := unsafe.Pointer(&r.ringMem[0])
	at := func(off uint32) *uint32 { return (*uint32)(unsafe.Add(base, off)) }
	r.sqHead, r.sqTail, r.sqMask = at(p.sqOff.head), at(p.sqOff.tail), *at(p.sqOff.ringMask)
	r.cqHead, r.cqTail, r.cqMask = at(p.cqOff.head), at(p.cqOff.tail), *at(p.cqOff.ringMask)
	r.size, r.tail = p.sqEntries, *r.sqTail
	array := unsafe.Slice(at(p.sqOff.array), p.sqEntries)
	for i := range array {
		array[i] = uint32(i)
	}
	r.sqes = unsafe.Slice((*sqe)(unsafe.Pointer(&r.sqeMem[0])), p.sqEntries)
	r.cqes = unsafe.Slice((*cqe)(unsafe.Add(base, p.cqOff.cqes)), p.cqEntries)
	r.resubmit = make([]int32, 0, p.sqEntries)
	return nil
}

func (r *ring) close() {
	if r.sqeMem != nil {
		unix.Munmap(r.sqeMem)
	}
	if r.ringMem != nil {
		unix.Munmap(r.ringMem)
	}
	unix.Close(r.fd)
}

// supports checks with IORING_REGISTER_PROBE that the kernel has ops.
func (r *ring) supports(ops ...uint8) error {
	var p probe
	_, _, errno := unix.Syscall6(unix.SYS_IO_URING_REGISTER, uintptr(r.fd), registerProbe, uintptr(unsafe.Pointer(&p)), uintptr(len(p.ops)), 0, 0)
	if errno != 0 {
		return os.NewSyscallError("io_uring_register(IORING_REGISTER_PROBE)", errno)
	}
	for _, op := range ops {
		if op > p.lastOp || p.ops[op].flags&opSupported == 0 {
			return fmt.Errorf("io_uring: kernel lacks opcode %d (needs Linux 5.6)", op)
		}
	}
	return nil
}

// run executes the pending requests of reqs on fd and returns when the
// kernel no longer uses any of their buffers.
func (r *ring) run(fd int32, name string, reqs []Request) {
	r.cur = reqs
	next, inflight := 0, uint32(0)
	for {
		for inflight < r.size {
			var i int
			if n := len(r.resubmit); n > 0 {
				i = int(r.resubmit[n-1])
				r.resubmit = r.resubmit[:n-1]
			} else if next < len(reqs) {
				i = next
				next++
				if !pending(&reqs[i]) {
					continue
				}
			} else {
				break
			}
			if r.broken != nil {
				reqs[i].Err = &os.PathError{Op: reqs[i].Op.String(), Path: name, Err: r.broken}
				continue
			}
			r.push(fd, i, &reqs[i])
			inflight++
		}
		if inflight == 0 {
			break
		}
		// With nothing left to queue, wait for everything in one call;
		// otherwise wake at the first completion to refill its slot.
		wait := inflight
		if next < len(reqs) || len(r.resubmit) > 0 {
			wait = 1
		}
		submit := r.tail - atomic.LoadUint32(r.sqHead)
		switch err := r.enter(submit, wait); err {
		case nil, unix.EINTR, unix.EAGAIN, unix.EBUSY:
		default:
			r.broken = os.NewSyscallError("io_uring_enter", err)
			if submit == 0 && inflight > r.pendingCQEs() {
				// We cannot wait, so we cannot learn when the kernel is done
				// with the buffers; returning would let it write into
				// memory the program reuses.
				panic(fmt.Sprintf("iouring: %v with %d requests in flight", r.broken, inflight))
			}
			inflight -= r.unqueue(name, reqs)
		}
		inflight -= r.reap(name, reqs)
	}
	r.cur = nil
}

func (r *ring) enter(submit, wait uint32) error {
	_, _, errno := unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), uintptr(submit), uintptr(wait), enterGetEvents, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// push queues the rest of reqs[i] as one SQE.
func (r *ring) push(fd int32, i int, q *Request) {
	s := &r.sqes[r.tail&r.sqMask]
	*s = sqe{fd: fd, userData: uint64(i)}
	switch q.Op {
	case Read, Write:
		s.opcode = opRead
		if q.Op == Write {
			s.opcode = opWrite
		}
		b := q.Buf[q.N:]
		s.addr = uint64(uintptr(unsafe.Pointer(&b[0])))
		s.len = uint32(min(len(b), maxChunk))
		s.off = uint64(q.Off + int64(q.N))
	}
	r.tail++
	atomic.StoreUint32(r.sqTail, r.tail)
}

// unqueue takes back the SQEs the kernel has not consumed (it reads the SQ
// tail only inside io_uring_enter) and fails their requests with r.broken.
func (r *ring) unqueue(name string, reqs []Request) uint32 {
	head := atomic.LoadUint32(r.sqHead)
	for t := head; t != r.tail; t++ {
		q := &reqs[r.sqes[t&r.sqMask].userData]
		q.Err = &os.PathError{Op: q.Op.String(), Path: name, Err: r.broken}
	}
	n := r.tail - head
	r.tail = head
	atomic.StoreUint32(r.sqTail, head)
	return n
}

func (r *ring) pendingCQEs() uint32 {
	return atomic.LoadUint32(r.cqTail) - atomic.LoadUint32(r.cqHead)
}

// reap handles the posted CQEs and returns how many.
func (r *ring) reap(name string, reqs []Request) uint32 {
	head, tail := atomic.LoadUint32(r.cqHead), atomic.LoadUint32(r.cqTail)
	for h := head; h != tail; h++ {
		c := r.cqes[h&r.cqMask]
		r.complete(name, reqs, int32(c.userData), c.res)
	}
	atomic.StoreUint32(r.cqHead, tail)
	return tail - head
}

func (r *ring) complete(name string, reqs []Request, i int32, res int32) {
	q := &reqs[i]
	switch {
	case res == -int32(unix.EINTR) || res == -int32(unix.EAGAIN):
		r.resubmit = append(r.resubmit, i)
	case res < 0:
		q.Err = &os.PathError{Op: q.Op.String(), Path: name, Err: unix.Errno(-res)}
	case res == 0 && q.Op == Read:
		q.Err = io.EOF
	case res == 0:
		q.Err = &os.PathError{Op: "write", Path: name, Err: io.ErrShortWrite}
	default:
		q.N += int(res)
		if q.N < len(q.Buf) {
			r.resubmit = append(r.resubmit, i)
		}
	}
}
