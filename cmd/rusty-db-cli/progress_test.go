package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

func TestGroupDigits(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1234: "-1,234", 100000: "100,000"} {
		if got := groupDigits(n); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
}

func TestProgressStatus(t *testing.T) {
	p := &progress{label: "query", total: -1}
	p.add(12345, 2_500_000)
	if got, want := p.status(2*time.Second), "query: 12,345 rows, 6,172 rows/s, 2.5 MB, 1.2 MB/s, 2s"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	p = &progress{label: `\copy t`, total: 10_000_000}
	p.add(1000, 4_000_000)
	if got, want := p.status(4*time.Second), `\copy t: 1,000 rows, 250 rows/s`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestProgressDraws(t *testing.T) {
	// Without a delay the bar draws at least once; out is read only after
	// finish, which waits for the drawing goroutine.
	var out bytes.Buffer
	data := strings.Repeat("1\tone\n", 1000)
	p := startProgress(&out, `\copy t`, int64(len(data)), 0)
	r := &countingReader{r: strings.NewReader(data), p: p}
	if _, err := io.Copy(io.Discard, r); err != nil {
		t.Fatal(err)
	}
	p.finish()
	if n := p.rows.Load(); n != 1000 {
		t.Errorf("counted %d rows, want 1000", n)
	}
	s := out.String()
	if !strings.Contains(s, `\copy t: `) || !strings.Contains(s, " rows/s") || !strings.Contains(s, "%") {
		t.Errorf("no progress bar drawn: %q", s)
	}
	if !strings.HasSuffix(s, "\r") {
		t.Errorf("the bar is not cleared at the end: %q", s)
	}
	// a nil progress (stderr is no terminal) does nothing
	var none *progress
	none.add(1, 1)
	none.finish()
	if startProgress(nil, "x", -1, 0) != nil {
		t.Error("a progress without a terminal")
	}
}
