package iouring

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"unsafe"
)

// forEachEngine runs test on every engine available here: pread, and
// io_uring with New's SQ size and with a 4-entry SQ, which drives batches
// through the refill path. io_uring subtests skip, with the reason, where the
// kernel refuses it.
func forEachEngine(t *testing.T, test func(t *testing.T, e Engine)) {
	t.Run("pread", func(t *testing.T) { test(t, NewPread()) })
	for _, entries := range []uint32{defaultEntries, 4} {
		t.Run(fmt.Sprintf("io_uring-%d", entries), func(t *testing.T) {
			e, err := NewUring(entries)
			if err != nil {
				t.Skipf("io_uring unavailable: %v", err)
			}
			t.Cleanup(func() { e.Close() })
			test(t, e)
		})
	}
}

// create opens a new file in a temporary directory; it is closed at cleanup.
func create(t *testing.T, e Engine, name string) (File, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := e.Open(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, path
}

func randBytes(rng *rand.Rand, n int) []byte {
	p := make([]byte, n+8)
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(p[i:], rng.Uint64())
	}
	return p[:n:n]
}

// checkRead reads n bytes at off and compares them with model, the file's
// expected contents, EOF included.
func checkRead(t *testing.T, f File, model []byte, off, n int) {
	t.Helper()
	p := make([]byte, n)
	got, err := f.ReadAt(p, int64(off))
	want := max(0, min(n, len(model)-off))
	var wantErr error
	if want < n {
		wantErr = io.EOF
	}
	if got != want || err != wantErr {
		t.Fatalf("ReadAt(%d bytes at %d) = %d, %v; want %d, %v", n, off, got, err, want, wantErr)
	}
	if got > 0 && !bytes.Equal(p[:got], model[off:off+got]) {
		t.Fatalf("ReadAt(%d bytes at %d): wrong data", n, off)
	}
}

func TestRoundTrip(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e Engine) {
		f, _ := create(t, e, "data")
		rng := rand.New(rand.NewPCG(1, 2))
		var model []byte
		for range 300 {
			off, n := rng.IntN(1<<20), 1+rng.IntN(64<<10)
			if rng.IntN(2) == 0 {
				checkRead(t, f, model, off, n)
				continue
			}
			p := randBytes(rng, n)
			if got, err := f.WriteAt(p, int64(off)); got != n || err != nil {
				t.Fatalf("WriteAt(%d bytes at %d) = %d, %v", n, off, got, err)
			}
			if end := off + n; end > len(model) {
				model = append(model, make([]byte, end-len(model))...)
			}
			copy(model[off:], p)
		}
		checkRead(t, f, model, 0, len(model)+1)
	})
}

func TestEOF(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e Engine) {
		f, _ := create(t, e, "data")
		model := randBytes(rand.New(rand.NewPCG(3, 4)), 1000)
		if _, err := f.WriteAt(model, 0); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ off, n int }{{0, 1000}, {0, 1001}, {900, 200}, {999, 1}, {1000, 1}, {5000, 10}, {5000, 0}} {
			checkRead(t, f, model, c.off, c.n)
		}
		if n, err := f.ReadAt(make([]byte, 1), -1); n != 0 || err == nil {
			t.Fatalf("ReadAt at -1 = %d, %v; want an error", n, err)
		}
	})
}

func TestBatch(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e Engine) {
		f, _ := create(t, e, "data")
		rng := rand.New(rand.NewPCG(5, 6))
		const slot, regionB = 16 << 10, 1 << 20
		var old [32][]byte
		for i := range old {
			old[i] = randBytes(rng, 1+rng.IntN(slot))
			if _, err := f.WriteAt(old[i], int64(i*slot)); err != nil {
				t.Fatal(err)
			}
		}
		// 32 reads of region A and 32 writes to region B, shuffled.
		var batch []Request
		for i := range old {
			batch = append(batch,
				Request{Op: Read, Buf: make([]byte, len(old[i])), Off: int64(i * slot)},
				Request{Op: Write, Buf: randBytes(rng, 1+rng.IntN(slot)), Off: int64(regionB + i*slot)})
		}
		rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
		if err := f.Submit(batch); err != nil {
			t.Fatal(err)
		}
		for _, q := range batch {
			if q.N != len(q.Buf) || q.Err != nil {
				t.Fatalf("%v of %d bytes at %d: N = %d, Err = %v", q.Op, len(q.Buf), q.Off, q.N, q.Err)
			}
			if q.Op == Read && !bytes.Equal(q.Buf, old[q.Off/slot]) {
				t.Fatalf("read at %d: wrong data", q.Off)
			}
			if q.Op == Write {
				got := make([]byte, len(q.Buf))
				if _, err := f.ReadAt(got, q.Off); err != nil || !bytes.Equal(got, q.Buf) {
					t.Fatalf("write at %d: read back %v, equal %v", q.Off, err, bytes.Equal(got, q.Buf))
				}
			}
		}

		// Results are reset, the odd requests fail alone, and Submit
		// returns the first error in batch order.
		size, err := f.Size()
		if err != nil {
			t.Fatal(err)
		}
		odd := []Request{
			{Op: Read, Buf: make([]byte, 10), Off: 0, N: 99, Err: io.ErrUnexpectedEOF},
			{Op: Read, Buf: make([]byte, 100), Off: size - 40},
			{Op: Write, Buf: nil, Off: 5},
			{Op: Write, Buf: make([]byte, 1), Off: -1},
			{Op: Sync},
			{Op: Read, Buf: make([]byte, 10), Off: size + 10},
		}
		if err := f.Submit(odd); err != io.EOF {
			t.Fatalf("Submit = %v, want io.EOF", err)
		}
		want := []struct {
			n   int
			err string
		}{{10, ""}, {40, "EOF"}, {0, ""}, {0, "negative offset"}, {0, "cannot be batched"}, {0, "EOF"}}
		for i, w := range want {
			q := odd[i]
			if q.N != w.n || (q.Err == nil) != (w.err == "") || q.Err != nil && !strings.Contains(q.Err.Error(), w.err) {
				t.Errorf("request %d: N = %d, Err = %v; want %d, %q", i, q.N, q.Err, w.n, w.err)
			}
		}
	})
}

func TestSyncTruncateSize(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e Engine) {
		f, _ := create(t, e, "data")
		model := randBytes(rand.New(rand.NewPCG(7, 8)), 10000)
		if _, err := f.WriteAt(model, 0); err != nil {
			t.Fatal(err)
		}
		size := func(want int64) {
			t.Helper()
			if got, err := f.Size(); got != want || err != nil {
				t.Fatalf("Size = %d, %v; want %d", got, err, want)
			}
		}
		size(10000)
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(4096); err != nil {
			t.Fatal(err)
		}
		size(4096)
		checkRead(t, f, model[:4096], 0, 8192)
		if err := f.Truncate(1 << 20); err != nil {
			t.Fatal(err)
		}
		size(1 << 20)
		checkRead(t, f, append(model[:4096], make([]byte, 1<<20-4096)...), 4000, 200)
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestConcurrent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e Engine) {
		f, _ := create(t, e, "data")
		const goroutines, region = 16, 128 << 10
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(g), 9))
				base := g * region
				model := make([]byte, region)
				if _, err := f.WriteAt(model, int64(base)); err != nil {
					t.Error(err)
					return
				}
				for i := range 40 {
					off, n := rng.IntN(region/2), 1+rng.IntN(region/2)
					switch i % 4 {
					case 0, 1:
						p := randBytes(rng, n)
						if _, err := f.WriteAt(p, int64(base+off)); err != nil {
							t.Error(err)
							return
						}
						copy(model[off:], p)
					case 2:
						p := make([]byte, n)
						if _, err := f.ReadAt(p, int64(base+off)); err != nil || !bytes.Equal(p, model[off:off+n]) {
							t.Errorf("goroutine %d: ReadAt at %d: %v, equal %v", g, off, err, bytes.Equal(p, model[off:off+n]))
							return
						}
					case 3:
						batch := make([]Request, 8)
						for j := range batch {
							batch[j] = Request{Op: Read, Buf: make([]byte, region/8), Off: int64(base + j*region/8)}
						}
						if err := f.Submit(batch); err != nil {
							t.Error(err)
							return
						}
						for j, q := range batch {
							if !bytes.Equal(q.Buf, model[j*region/8:(j+1)*region/8]) {
								t.Errorf("goroutine %d: batch read %d: wrong data", g, j)
								return
							}
						}
						if err := f.Sync(); err != nil {
							t.Error(err)
							return
						}
					}
				}
			})
		}
		wg.Wait()
	})
}

func TestClosed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e Engine) {
		f, path := create(t, e, "data")
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		p := make([]byte, 8)
		_, rerr := f.ReadAt(p, 0)
		_, werr := f.WriteAt(p, 0)
		for name, err := range map[string]error{"ReadAt": rerr, "WriteAt": werr, "Sync": f.Sync(), "Submit": f.Submit([]Request{{Buf: p}})} {
			if !errors.Is(err, os.ErrClosed) {
				t.Errorf("%s after Close: %v, want os.ErrClosed", name, err)
			}
		}
		if f.Close() == nil {
			t.Error("second Close succeeded")
		}
		if _, err := e.Open(path, os.O_RDWR|os.O_APPEND, 0); err == nil || !strings.Contains(err.Error(), "O_APPEND") {
			t.Errorf("Open with O_APPEND: %v, want refused", err)
		}
		if e.Name() != "io_uring" {
			return
		}
		g, err := e.Open(path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer g.Close()
		e.Close()
		if _, err := g.ReadAt(p, 0); !errors.Is(err, os.ErrClosed) {
			t.Errorf("ReadAt after engine Close: %v, want os.ErrClosed", err)
		}
		if _, err := e.Open(path, os.O_RDWR, 0); !errors.Is(err, os.ErrClosed) {
			t.Errorf("Open after engine Close: %v, want os.ErrClosed", err)
		}
	})
}

func TestFaults(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e Engine) {
		fs := &Faults{}
		fe := WithFaults(e, fs)
		a, pathA := create(t, fe, "a")
		b, _ := create(t, fe, "b")
		blk := bytes.Repeat([]byte{7}, 4096)
		is := func(what string, err, want error) {
			t.Helper()
			var pe *os.PathError
			if !errors.Is(err, want) || !errors.As(err, &pe) {
				t.Fatalf("%s: %v, want a *os.PathError wrapping %v", what, err, want)
			}
		}
		ok := func(what string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}
		write := func(f File) error {
			_, err := f.WriteAt(blk, 0)
			return err
		}

		fs.Add(Fault{Op: Write, After: 2, Err: syscall.EIO})
		ok("write 1", write(a))
		ok("write 2", write(b))
		is("write 3", write(a), syscall.EIO)
		ok("write 4", write(a))

		fs.Add(Fault{Op: Write, Path: pathA, Sticky: true, Err: syscall.ENOSPC})
		ok("write to b", write(b))
		is("write to a", write(a), syscall.ENOSPC)
		is("write to a again", write(a), syscall.ENOSPC)
		fs.Clear()
		ok("write to a after Clear", write(a))

		fs.Add(Fault{Op: Write, Written: 100})
		n, err := a.WriteAt(blk, 8192)
		is("short write", err, io.ErrShortWrite)
		if n != 100 {
			t.Fatalf("short write wrote %d, want 100", n)
		}
		got := make([]byte, 4096)
		if n, err := a.ReadAt(got, 8192); n != 100 || err != io.EOF || !bytes.Equal(got[:n], blk[:n]) {
			t.Fatalf("after a short write: read %d, %v", n, err)
		}

		fs.Add(Fault{Op: Sync})
		is("sync", a.Sync(), syscall.EIO)
		ok("second sync", a.Sync())

		fs.Add(Fault{Op: Read, Err: syscall.EIO})
		_, err = a.ReadAt(got, 0)
		is("read", err, syscall.EIO)
		_, err = a.ReadAt(got, 0)
		ok("second read", err)

		fs.Add(Fault{Op: Write, After: 1, Err: syscall.ENOSPC})
		batch := make([]Request, 4)
		for i := range batch {
			batch[i] = Request{Op: Write, Buf: blk, Off: int64(i * len(blk))}
		}
		is("batch", a.Submit(batch), syscall.ENOSPC)
		for i, q := range batch {
			if (i == 1) != (q.Err != nil) || i != 1 && q.N != len(blk) {
				t.Errorf("batch request %d: N = %d, Err = %v", i, q.N, q.Err)
			}
		}
		if got := fs.Fired(); got != 7 {
			t.Errorf("Fired = %d, want 7", got)
		}
	})
}

func TestNew(t *testing.T) {
	e, why := New(false)
	if e.Name() != "pread" || !strings.Contains(why, "io_uring_enabled = false") {
		t.Errorf("New(false) = %s, %q", e.Name(), why)
	}
	e, why = New(true)
	defer e.Close()
	t.Logf("New(true) = %s: %s", e.Name(), why)
	if u, err := NewUring(8); err != nil {
		if e.Name() != "pread" || !strings.Contains(why, "io_uring unavailable: ") {
			t.Errorf("io_uring fails with %v, but New(true) = %s, %q", err, e.Name(), why)
		}
	} else {
		u.Close()
		if e.Name() != "io_uring" {
			t.Errorf("io_uring works, but New(true) = %s, %q", e.Name(), why)
		}
	}
}

func TestAlignedBuffer(t *testing.T) {
	for _, size := range []int{0, 1, 512, 4096, 8192*3 + 1} {
		b := AlignedBuffer(size)
		if len(b) != size || cap(b) != size {
			t.Errorf("AlignedBuffer(%d): len %d, cap %d", size, len(b), cap(b))
		}
		if size > 0 && uintptr(unsafe.Pointer(&b[0]))%Alignment != 0 {
			t.Errorf("AlignedBuffer(%d) is not aligned", size)
		}
	}
}
