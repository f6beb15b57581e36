package exec

// Reading COPY FROM's text and CSV formats. One goroutine reads the input
// and only finds where its rows end, copying them once into the text of a
// batch; the conversion workers split the rows into fields (substrings of
// that text, no copy) and convert them, in parallel.

import (
	"bufio"
	"bytes"
	"io"
	"strings"

	"rustydb/catalog"
)

// textBatches reads the rows of COPY's text and CSV formats from r into
// batches for t. A CSV row goes on past a line's end inside a quoted field.
func (c *Context) textBatches(t *catalog.Table, r io.Reader, f CopyFormat) batchSource {
	br := bufio.NewReaderSize(r, 256<<10)
	var line int64
	size := 64 << 10 // the last batch's text, for the next one's room
	done := false
	return func(b *loadBatch) bool {
		b.text = make([]byte, 0, size+size/8) // not reused: the rows' strings are substrings of it
		if b.rows == nil {
			b.rows = make([]loadRow, 0, loadBatchRows)
		}
		for !done && len(b.rows) < loadBatchRows {
			raw, err := readLine(br)
			if err != nil && err != io.EOF || len(raw) == 0 && err == io.EOF {
				done = true
				if err != io.EOF {
					b.rows = append(b.rows, loadRow{line: line, err: err})
				}
				break
			}
			line++
			c.Progress.Add(0, int64(len(raw)))
			at := len(b.text)
			b.text = append(b.text, raw...)
			if f.CSV {
				// a quoted field may hold newlines: read on to the record's end
				q := csvQuotes{quote: f.Quote, escape: f.Escape}
				for q.scan(raw) && err == nil {
					if raw, err = readLine(br); err != nil && err != io.EOF {
						done = true
						b.rows = append(b.rows, loadRow{line: line, err: err})
						break
					}
					if len(raw) > 0 {
						line++
						c.Progress.Add(0, int64(len(raw)))
						b.text = append(b.text, raw...)
					}
				}
				if done {
					break
				}
			}
			rec := bytes.TrimSuffix(bytes.TrimSuffix(b.text[at:], []byte{'\n'}), []byte{'\r'})
			if string(rec) == `\.` {
				done = true
				b.text = b.text[:at]
				break
			}
			if line == 1 && f.Header {
				b.text = b.text[:at]
				continue
			}
			b.rows = append(b.rows, loadRow{line: line, at: at, raw: rec})
			c.Progress.Add(1, 0) // read: the rows inserted lag by a batch
		}
		// b.text may have moved as it grew: the rows' raw point into it now
		for i := range b.rows {
			if r := &b.rows[i]; r.err == nil {
				r.raw = b.text[r.at : r.at+len(r.raw)]
			}
		}
		size = max(len(b.text), 4<<10)
		return !done
	}
}

// textSplitter splits the rows of a text or CSV input into fields, on a
// conversion worker; the fields are valid until the next row's.
type textSplitter struct {
	f     CopyFormat
	ncols int
	slab  fieldSlab
}

// split splits raw, whose text is line, into its fields. In text format a
// line may end with one delimiter more than its fields need, as TPC-H's
// dbgen writes them ("1|2|3|"); that delimiter is ignored.
func (sp *textSplitter) split(raw []byte, line string) ([]*string, error) {
	if sp.f.CSV {
		return splitCSVRow(raw, sp.f)
	}
	var fields []*string
	if strings.IndexByte(line, '\\') < 0 {
		sp.slab.reset()
		fields = splitPlainRow(line, sp.f, &sp.slab)
	} else {
		var err error
		if fields, err = splitTextRow(raw, sp.f, nil); err != nil {
			return nil, err
		}
	}
	if len(fields) == sp.ncols+1 && endsWithDelimiter(raw, sp.f.Delimiter) {
		fields = fields[:sp.ncols]
	}
	return fields, nil
}
