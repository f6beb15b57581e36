package main

import (
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progressDelay is how long a statement or \copy runs before its progress
// shows: quick ones never draw anything.
const progressDelay = time.Second

// progress shows on a terminal how a long statement or \copy moves: rows
// and rows/s, bytes and MB/s, and, when the total size is known (a \copy
// from a file), a bar with the time left. It draws on its own goroutine,
// from counters the statement's goroutine adds to; a nil *progress (not a
// terminal) does nothing.
type progress struct {
	label       string
	total       int64 // bytes expected; -1 when unknown
	rows, bytes atomic.Int64
	start       time.Time
	stop        chan struct{}
	done        sync.WaitGroup
}

// startProgress starts showing progress on w after delay (with none, it
// draws at once, at least once); w nil shows none.
func startProgress(w io.Writer, label string, total int64, delay time.Duration) *progress {
	if w == nil {
		return nil
	}
	p := &progress{label: label, total: total, start: time.Now(), stop: make(chan struct{})}
	p.done.Add(1)
	go p.run(w, delay)
	return p
}

// add counts rows and bytes that went through.
func (p *progress) add(rows, bytes int64) {
	if p != nil {
		p.rows.Add(rows)
		p.bytes.Add(bytes)
	}
}

// finish erases the display; the caller prints its result after.
func (p *progress) finish() {
	if p != nil {
		close(p.stop)
		p.done.Wait()
	}
}

func (p *progress) run(w io.Writer, delay time.Duration) {
	defer p.done.Done()
	if delay > 0 {
		timer := time.NewTimer(delay)
		defer timer.Stop()
		select {
		case <-p.stop:
			return
		case <-timer.C:
		}
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetWidth(24),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetElapsedTime(false),
		progressbar.OptionSetDescription(p.status(time.Since(p.start))),
	}
	if p.total > 0 {
		// a bar with bytes done of the total, MB/s and [elapsed:left]
		opts = append(opts, progressbar.OptionShowBytes(true), progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true))
	} else {
		// a spinner after the status, which has the bytes and the time
		opts = append(opts, progressbar.OptionSetPredictTime(false))
	}
	bar := progressbar.NewOptions64(p.total, opts...)
	bar.RenderBlank()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	var shown int64
	for {
		bar.Describe(p.status(time.Since(p.start)))
		b := p.bytes.Load()
		if p.total > 0 {
			b = min(b, p.total-1) // the bar completes (and clears itself) only at finish
		}
		bar.Add64(b - shown)
		shown = b
		select {
		case <-p.stop:
			bar.Finish()
			return
		case <-tick.C:
		}
	}
}

// status is the text before the bar: "label: 12,345 rows, 6,172 rows/s";
// without a total (and so without a bar) also the bytes, MB/s and the time
// so far: "label: 12,345 rows, 6,172 rows/s, 1.2 MB, 0.6 MB/s, 2s".
func (p *progress) status(elapsed time.Duration) string {
	rows, bytes := p.rows.Load(), p.bytes.Load()
	secs := elapsed.Seconds()
	perSec := func(n int64) int64 {
		if secs <= 0 {
			return 0
		}
		return int64(float64(n) / secs)
	}
	s := fmt.Sprintf("%s: %s rows, %s rows/s", p.label, groupDigits(rows), groupDigits(perSec(rows)))
	if p.total <= 0 {
		s += fmt.Sprintf(", %.1f MB, %.1f MB/s, %s", float64(bytes)/1e6, float64(perSec(bytes))/1e6, elapsed.Truncate(time.Second))
	}
	return s
}

// groupDigits writes n with thousands separators: 1234567 is 1,234,567.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// countingReader counts the bytes and lines (rows, for COPY's text and CSV
// formats) read through it into a progress.
type countingReader struct {
	r io.Reader
	p *progress
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	var lines int64
	for _, ch := range b[:n] {
		if ch == '\n' {
			lines++
		}
	}
	c.p.add(lines, int64(n))
	return n, err
}

// countingWriter counts what is written through it: COPY TO sends one row
// per write.
type countingWriter struct {
	w io.Writer
	p *progress
}

func (c *countingWriter) Write(b []byte) (int, error) {
	c.p.add(1, int64(len(b)))
	return c.w.Write(b)
}
