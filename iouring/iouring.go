// Package iouring is RustyDB's storage file I/O: every read, write and sync
// of a data file goes through an [Engine], so the server can choose how I/O
// runs at start and tests can inject faults. It is not a buffer pool or a
// file system abstraction: creating, renaming and removing files and syncing
// directories stay with package os.
//
// Two engines implement the interface:
//
//   - io_uring ([NewUring]), written here over golang.org/x/sys/unix (no
//     io_uring Go module is available): a [File.Submit] batch is one
//     submission with queue depth len(batch), without a thread per request.
//   - pread ([NewPread]): os.File's pread(2) and pwrite(2); Submit spreads a
//     batch over up to 32 goroutines, each blocking one thread.
//
// [New] picks io_uring when performance.io_uring_enabled = true and the
// kernel lets us set up a ring that supports the operations we use, otherwise
// pread, and returns the reason. The caller logs the reason and exports
// [Engine.Name] as a metric. [WithFaults] wraps either engine to fail chosen
// operations with EIO, ENOSPC, short writes or failed syncs.
//
// # Semantics, the same in both engines
//
//   - ReadAt and WriteAt behave as os.File's: a read that stops at the end of
//     the file returns io.EOF with the bytes it got, a short write is an
//     error, errors are *os.PathError wrapping the errno (errors.Is(err,
//     syscall.ENOSPC) works), and a negative offset is an error.
//   - Sync is fdatasync(2): the data and the metadata needed to read it back
//     (the size) are durable, timestamps may not be. A new or renamed file
//     also needs an fsync of its directory, which is the caller's job. After a
//     failed Sync the kernel may have dropped the dirty pages: the data is
//     lost, retrying cannot succeed, recover from the WAL instead.
//   - Submit runs independent requests concurrently, in no particular order
//     (two requests of one batch must not overlap if either writes), fills
//     each request's N and Err as ReadAt or WriteAt would, and returns the
//     first of those errors in batch order (io.EOF included), so one check
//     covers a batch. Only Read and Write may be batched.
//   - Truncate and Size are ftruncate(2) and fstat(2) through os.
//   - O_APPEND is refused at Open: writes are positional.
//   - With O_DIRECT, buffers, offsets and lengths must be multiples of the
//     device's logical block size; [AlignedBuffer] returns buffers aligned to
//     [Alignment], which is enough for every block size up to the page size.
//   - All methods are safe for concurrent use. Close waits for the file's
//     in-flight I/O; I/O after Close returns an error wrapping os.ErrClosed.
//
// # The io_uring engine
//
// A ring is not safe for concurrent use, so the engine keeps a pool of rings
// and a call owns one from its first submission to its last completion:
// nothing is shared between calls, no goroutine dispatches completions, and a
// call returns only when the kernel no longer uses its buffers. The pool
// grows on demand up to 64 rings (the number of calls running I/O at once;
// further callers wait) or until the kernel refuses another ring, for
// example over RLIMIT_MEMLOCK on kernels before 5.12. A lone ReadAt costs
// one io_uring_enter as a pread costs one pread: io_uring gains on batches.
//
// A call keeps at most sq_entries requests in flight and refills the ring as
// completions arrive; the CQ ring has twice as many entries, so it never
// overflows. A read or write that completes short is resubmitted for the rest
// (a read that gets 0 bytes has reached the end of the file); one that
// completes with -EINTR or -EAGAIN is resubmitted whole. io_uring_enter
// failing with EINTR, EAGAIN or EBUSY is retried; any other failure fails the
// requests the kernel has not taken and retires the ring.
//
// Requirements, checked by NewUring: IORING_FEAT_SINGLE_MMAP, _NODROP and
// _SUBMIT_STABLE (the kernel copies an SQE at submission, so its slot can be
// reused at once), and IORING_OP_READ and _WRITE in the
// IORING_REGISTER_PROBE answer: Linux 5.6 or later. Sync calls fdatasync(2)
// in the calling thread rather than queueing IORING_OP_FSYNC, which the
// kernel runs on an io-wq worker thread: a WAL commit waited about twice as
// long for it on a busy 2-core machine.
//
// # Ring layout
//
// io_uring_setup(2) fills io_uring_params with the entry counts and the byte
// offset of every field below; the code assumes nothing else about where they
// are. One mapping of the ring fd at offset IORING_OFF_SQ_RING (0) holds both
// rings (IORING_FEAT_SINGLE_MMAP); a second at IORING_OFF_SQES (0x10000000)
// holds the SQE array.
//
//	ring mapping, max(sq_off.array + 4*sq_entries, cq_off.cqes + 16*cq_entries) bytes
//	  sq_off.head       uint32   kernel: SQ entries consumed; loaded atomically
//	  sq_off.tail       uint32   us: stored atomically after the SQE is written
//	  sq_off.ring_mask  uint32   sq_entries-1
//	  sq_off.array      [sq_entries]uint32  SQ slot -> SQE index; identity, set once
//	  cq_off.head       uint32   us: stored atomically after the CQEs are read
//	  cq_off.tail       uint32   kernel: CQEs posted; loaded atomically
//	  cq_off.ring_mask  uint32   cq_entries-1
//	  cq_off.cqes       [cq_entries]cqe
//
//	SQE, 64 bytes, array index = SQ tail & ring_mask
//	  0 opcode u8 | 1 flags u8 | 2 ioprio u16 | 4 fd s32 | 8 off u64 | 16 addr u64
//	  24 len u32 | 28 rw_flags u32 | 32 user_data u64 | 40..63 zero
//
//	CQE, 16 bytes
//	  0 user_data u64 | 8 res s32 (bytes, or -errno) | 12 flags u32
//
// user_data is the request's index in its batch. Atomic loads and stores are
// the acquire and release barriers the kernel's protocol requires: an SQE is
// written before the tail store that publishes it, and a CQE is read before
// the head store that gives its slot back.
package iouring

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"unsafe"
)

// Engine opens files whose I/O it runs.
type Engine interface {
	// Name is "io_uring" or "pread".
	Name() string
	// Open opens a file as os.OpenFile does; O_APPEND is refused.
	Open(path string, flag int, perm os.FileMode) (File, error)
	// Close releases the engine's resources (io_uring: its rings); files
	// opened by it fail their I/O afterwards. pread has none to release.
	Close() error
}

// File is one open file. See the package documentation for the semantics.
type File interface {
	ReadAt(p []byte, off int64) (int, error)
	WriteAt(p []byte, off int64) (int, error)
	// Sync is fdatasync(2).
	Sync() error
	// Writeback starts writing the n bytes at off back to the device and
	// returns without waiting, so that a later Sync has less to write.
	Writeback(off, n int64) error
	Truncate(size int64) error
	Size() (int64, error)
	Close() error
	// Submit runs a batch of independent Read and Write requests
	// concurrently, fills each one's N and Err, and returns the first error.
	Submit(batch []Request) error
}

// Op is what a Request or a Fault does.
type Op uint8

const (
	Read  Op = iota // read len(Buf) bytes at Off
	Write           // write Buf at Off
	Sync            // fdatasync; for faults only, Submit refuses it
)

func (o Op) String() string {
	switch o {
	case Read:
		return "read"
	case Write:
		return "write"
	case Sync:
		return "sync"
	}
	return "op(" + strconv.Itoa(int(o)) + ")"
}

// Request is one read or write of a batch. Submit sets N and Err to what
// ReadAt or WriteAt would have returned; Buf must not be touched until then.
type Request struct {
	Op  Op
	Buf []byte
	Off int64
	N   int
	Err error
}

// defaultEntries is the SQ size of New's rings: enough for the batches of a
// buffer pool (queue depth 32 to 64) in one submission.
const defaultEntries = 128

// New returns the io_uring engine when preferUring is set (from
// performance.io_uring_enabled) and the kernel allows it, else the pread
// engine, and why that engine was chosen, for the start-up log.
func New(preferUring bool) (Engine, string) {
	if !preferUring {
		return NewPread(), "pread: performance.io_uring_enabled = false"
	}
	e, err := NewUring(defaultEntries)
	if err != nil {
		return NewPread(), "pread: io_uring unavailable: " + err.Error()
	}
	return e, "io_uring: performance.io_uring_enabled = true and the kernel supports it"
}

// Alignment is the address alignment of AlignedBuffer's buffers.
const Alignment = 4096

// AlignedBuffer returns a zeroed buffer of size bytes starting at a multiple
// of Alignment, as O_DIRECT needs.
func AlignedBuffer(size int) []byte {
	b := make([]byte, size+Alignment)
	off := (Alignment - int(uintptr(unsafe.Pointer(&b[0]))%Alignment)) % Alignment
	return b[off : off+size : off+size]
}

var errNegativeOffset = errors.New("negative offset")

// openFile opens path for either engine.
func openFile(path string, flag int, perm os.FileMode) (*os.File, error) {
	if flag&os.O_APPEND != 0 {
		return nil, &os.PathError{Op: "open", Path: path, Err: errors.New("O_APPEND is not supported: writes are positional")}
	}
	return os.OpenFile(path, flag, perm)
}

func fileSize(f *os.File) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// prepare clears q's results and fails it if it cannot run; it reports
// whether q needs I/O (a zero-length request is done at once, as in os).
func prepare(q *Request, name string) bool {
	q.N, q.Err = 0, nil
	switch {
	case q.Op != Read && q.Op != Write:
		q.Err = &os.PathError{Op: "submit", Path: name, Err: fmt.Errorf("%v cannot be batched, only read and write", q.Op)}
	case q.Off < 0:
		q.Err = &os.PathError{Op: q.Op.String() + "at", Path: name, Err: errNegativeOffset}
	}
	return q.Err == nil && len(q.Buf) > 0
}

func firstErr(batch []Request) error {
	for i := range batch {
		if batch[i].Err != nil {
			return batch[i].Err
		}
	}
	return nil
}
