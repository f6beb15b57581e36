package iouring

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestDirect(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e Engine) {
		path := filepath.Join(t.TempDir(), "data")
		f, err := e.Open(path, os.O_RDWR|os.O_CREATE|syscall.O_DIRECT, 0o644)
		if errors.Is(err, syscall.EINVAL) {
			t.Skipf("the file system refuses O_DIRECT: %v", err)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rng := rand.New(rand.NewPCG(10, 11))
		const block, blocks = 4096, 16
		data := AlignedBuffer(block * blocks)
		copy(data, randBytes(rng, len(data)))
		if _, err := f.WriteAt(data, 0); errors.Is(err, syscall.EINVAL) {
			t.Skipf("the file system refuses O_DIRECT writes: %v", err)
		} else if err != nil {
			t.Fatal(err)
		}
		// Read the blocks back in one batch, and rewrite the odd ones in
		// another.
		got := AlignedBuffer(block * blocks)
		batch := make([]Request, blocks)
		for i := range batch {
			batch[i] = Request{Op: Read, Buf: got[i*block : (i+1)*block], Off: int64(i * block)}
		}
		if err := f.Submit(batch); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Fatal("O_DIRECT batch read: wrong data")
		}
		var writes []Request
		for i := 1; i < blocks; i += 2 {
			b := data[i*block : (i+1)*block]
			copy(b, randBytes(rng, block))
			writes = append(writes, Request{Op: Write, Buf: b, Off: int64(i * block)})
		}
		if err := f.Submit(writes); err != nil {
			t.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
		if n, err := f.ReadAt(got, 0); n != len(got) || err != nil || !bytes.Equal(got, data) {
			t.Fatalf("O_DIRECT read after batch write: %d, %v, equal %v", n, err, bytes.Equal(got, data))
		}
	})
}

// BenchmarkRandomRead8K reads random 8 KiB blocks of a 256 MiB file with
// O_DIRECT: one ReadAt at a time (qd1) and batches of 32 (qd32), on each
// engine. One op is one 8 KiB read. Where the file system refuses O_DIRECT
// the reads come from the page cache, measuring the system-call path only.
func BenchmarkRandomRead8K(b *testing.B) {
	const fileSize, block = 256 << 20, 8 << 10
	path := filepath.Join(b.TempDir(), "data")
	w, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	chunk := randBytes(rand.New(rand.NewPCG(12, 13)), 1<<20)
	for off := 0; off < fileSize; off += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Sync(); err != nil {
		b.Fatal(err)
	}
	w.Close()

	flag := os.O_RDONLY | syscall.O_DIRECT
	if f, err := os.OpenFile(path, flag, 0); err != nil {
		b.Logf("O_DIRECT refused (%v): buffered reads from the page cache", err)
		flag = os.O_RDONLY
	} else {
		f.Close()
	}
	engines := []Engine{NewPread()}
	if u, err := NewUring(defaultEntries); err != nil {
		b.Logf("io_uring unavailable: %v", err)
	} else {
		defer u.Close()
		engines = append(engines, u)
	}
	for _, e := range engines {
		f, err := e.Open(path, flag, 0)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		for _, qd := range []int{1, 32} {
			b.Run(fmt.Sprintf("%s/qd%d", e.Name(), qd), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(14, 15))
				buf := AlignedBuffer(qd * block)
				batch := make([]Request, qd)
				for i := range batch {
					batch[i] = Request{Op: Read, Buf: buf[i*block : (i+1)*block]}
				}
				b.SetBytes(block)
				b.ReportAllocs()
				b.ResetTimer()
				for done := 0; done < b.N; done += qd {
					n := min(qd, b.N-done)
					for i := range batch[:n] {
						batch[i].Off = rng.Int64N(fileSize/block) * block
					}
					var err error
					if qd == 1 {
						_, err = f.ReadAt(batch[0].Buf, batch[0].Off)
					} else {
						err = f.Submit(batch[:n])
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "IOPS")
			})
		}
	}
}

// TestBrokenRing makes io_uring_enter fail for good: the requests fail with
// its error, and the ring is retired for a new one.
func TestBrokenRing(t *testing.T) {
	e, err := NewUring(8)
	if err != nil {
		t.Skipf("io_uring unavailable: %v", err)
	}
	defer e.Close()
	ue := e.(*uringEngine)
	r, err := ue.get()
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(r.fd)
	r.fd = -1
	ue.put(r)
	f, _ := create(t, e, "data")
	if _, err := f.WriteAt([]byte("x"), 0); err != nil { // in the calling thread: no ring
		t.Fatal(err)
	}
	p := make([]byte, 1)
	if _, err := f.ReadAt(p, 0); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("ReadAt on a broken ring: %v, want EBADF", err)
	}
	if _, err := f.ReadAt(p, 0); err != nil {
		t.Fatalf("ReadAt after the broken ring was retired: %v", err)
	}
	if ue.rings != 1 {
		t.Fatalf("%d rings, want 1", ue.rings)
	}
}

// TestRingLimit runs 16 goroutines on an engine allowed 2 rings: callers
// wait for a ring instead of failing or creating more.
func TestRingLimit(t *testing.T) {
	e, err := NewUring(4)
	if err != nil {
		t.Skipf("io_uring unavailable: %v", err)
	}
	defer e.Close()
	ue := e.(*uringEngine)
	ue.limit = 2
	f, _ := create(t, e, "data")
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			p := bytes.Repeat([]byte{byte(g)}, 4096)
			for range 50 {
				if _, err := f.WriteAt(p, int64(g*len(p))); err != nil {
					t.Error(err)
					return
				}
				if _, err := f.ReadAt(p, int64(g*len(p))); err != nil || p[0] != byte(g) {
					t.Errorf("goroutine %d: %v", g, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if ue.rings > 2 {
		t.Fatalf("%d rings, limit 2", ue.rings)
	}
}
