package main

import (
	"errors"
	"os"
	"strings"
)

// \copy is COPY with the file on the client: the client reads or writes
// the file and streams it as COPY FROM STDIN / TO STDOUT (pgconn's
// CopyFrom and CopyTo over the wire; the session's copy streams when
// embedded). The file's size makes the progress bar's total.

// copySpec is a parsed \copy command.
type copySpec struct {
	sql  string // the COPY statement sent
	from bool
	file string // client file; "" for the script's input or output
	// pstd: pstdin / pstdout, the client's own standard input and output
	// rather than the script's
	pstd  bool
	label string // for the progress display
}

// parseCopy parses \copy's arguments: table [(columns)] or (query), FROM
// or TO, 'file', file, stdin, stdout, pstdin or pstdout, then the options
// as COPY takes them.
func parseCopy(args string) (*copySpec, error) {
	toks := tokens(args)
	dir := -1
	for i, t := range toks {
		if i > 0 && t.depth == 0 && (t.is("from") || t.is("to")) {
			dir = i
			break
		}
	}
	if dir < 0 {
		return nil, errors.New(`\copy: arguments required: table [(columns)] from|to 'file' [with (options)]`)
	}
	spec := &copySpec{from: toks[dir].is("from")}
	rel := strings.TrimSpace(args[:toks[dir].start])
	spec.label = `\copy ` + rel
	if len(spec.label) > 40 {
		spec.label = spec.label[:37] + "..."
	}
	rest := strings.TrimLeft(args[toks[dir].end:], " \t")
	var target string
	if strings.HasPrefix(rest, "'") { // a quoted file name: '' is a quote
		i := 1
		var b strings.Builder
		for ; i < len(rest); i++ {
			if rest[i] == '\'' {
				if i+1 < len(rest) && rest[i+1] == '\'' {
					b.WriteByte('\'')
					i++
					continue
				}
				break
			}
			b.WriteByte(rest[i])
		}
		if i >= len(rest) {
			return nil, errors.New(`\copy: unterminated quoted file name`)
		}
		target, rest = b.String(), rest[i+1:]
		spec.file = target
	} else {
		end := strings.IndexAny(rest, " \t")
		if end < 0 {
			end = len(rest)
		}
		target, rest = rest[:end], rest[end:]
		switch w := strings.ToLower(target); {
		case w == "":
			return nil, errors.New(`\copy: file name required after FROM or TO`)
		case w == "program":
			return nil, errors.New(`\copy: PROGRAM is not supported`)
		case w == "stdin" && spec.from, w == "stdout" && !spec.from:
		case w == "pstdin" && spec.from, w == "pstdout" && !spec.from:
			spec.pstd = true
		default:
			spec.file = target
		}
	}
	if spec.from {
		spec.sql = "COPY " + rel + " FROM STDIN" + rest
	} else {
		spec.sql = "COPY " + rel + " TO STDOUT" + rest
	}
	return spec, nil
}

// copyCommand runs \copy and prints its COPY n; false when it failed.
func (c *cli) copyCommand(args string, in *input) bool {
	spec, err := parseCopy(args)
	if err != nil {
		c.logError("%v", err)
		c.failures++
		return false
	}
	req := &request{query: spec.sql}
	total := int64(-1)
	var f *os.File
	if spec.file != "" {
		open := os.Create
		if spec.from {
			open = os.Open
		}
		if f, err = open(spec.file); err != nil {
			c.logError("%s: %s", spec.file, osError(err))
			c.failures++
			return false
		}
		defer f.Close()
	}
	var data *copyData
	switch {
	case spec.from && f != nil:
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			total = st.Size()
		}
		req.copy, req.in = copyIn, f
	case spec.from && spec.pstd:
		req.copy, req.in = copyIn, c.stdin
	case spec.from:
		data = &copyData{c: c, in: in}
		req.copy, req.in = copyIn, data
	case f != nil:
		req.copy, req.out = copyOut, f
	case spec.pstd:
		req.copy, req.out = copyOut, c.stdout
	default:
		req.copy, req.out = copyOut, c.out
	}
	ok := c.execute(req, spec.label, total, in)
	if data != nil && !in.interactive {
		data.drain()
	}
	return ok
}
