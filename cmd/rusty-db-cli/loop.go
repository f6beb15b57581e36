package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// input is a source of lines: standard input, a -f or \i file or a -c
// string. Interactive input is read on a goroutine, so that Ctrl-C at the
// prompt can drop the line being typed.
type input struct {
	r           *bufio.Reader
	name        string // file name for message prefixes; "" for standard input
	lineNo      int
	stmtLine    int // the line of the statement running, which messages name; 0 between statements
	interactive bool
	lines       chan lineRead // interactive only
	reading     bool          // a read is under way on the goroutine
}

type lineRead struct {
	line string
	err  error
}

func newInput(r io.Reader, name string, interactive bool) *input {
	return &input{r: bufio.NewReaderSize(r, 64<<10), name: name, interactive: interactive}
}

// errInterrupted is Ctrl-C at the prompt.
var errInterrupted = errors.New("interrupted")

// readLine returns the next line without its newline; io.EOF at the end.
func (c *cli) readLine(in *input) (string, error) {
	if !in.interactive {
		return readOne(in.r)
	}
	if in.lines == nil {
		in.lines = make(chan lineRead)
	}
	if !in.reading {
		in.reading = true
		go func() {
			line, err := readOne(in.r)
			in.lines <- lineRead{line, err}
		}()
	}
	select {
	case l := <-in.lines:
		in.reading = false
		return l.line, l.err
	case <-c.promptInt:
		// The terminal dropped the line being typed; the read under way
		// returns the next one, at the next call.
		return "", errInterrupted
	}
}

func readOne(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err == io.EOF && line != "" {
		err = nil
	}
	return strings.TrimSuffix(line, "\n"), err
}

// mainLoop runs the statements and backslash commands of in until its end
// or \q. It returns the exit status (3 when ON_ERROR_STOP stopped a script,
// 2 when the connection was lost) and whether \q ended it.
func (c *cli) mainLoop(in *input) (code int, quit bool) {
	outer := c.cur
	c.cur = in
	defer func() { c.cur = outer }()
	var sp splitter
	for {
		if in.interactive {
			c.takeCancel() // a Ctrl-C that cancelled a statement is spent
			fmt.Fprint(c.stdout, c.prompt(sp.state()))
		}
		line, err := c.readLine(in)
		if errors.Is(err, errInterrupted) {
			sp.reset()
			c.takeCancel()
			fmt.Fprintln(c.stdout)
			continue
		}
		if err != nil {
			if in.interactive {
				fmt.Fprintln(c.stdout, `\q`)
				return 0, true
			}
			// a script's last statement may lack its semicolon
			if q := sp.pending(); q != "" && !c.runQuery(q, in) && c.onErrorStop() {
				return 3, false
			}
			return c.lostCode(), false
		}
		in.lineNo++
		if !in.interactive && c.takeCancel() {
			return 3, false // Ctrl-C stops a script
		}
		if in.interactive && sp.state() == '=' {
			switch strings.ToLower(strings.TrimSpace(line)) {
			case "help":
				fmt.Fprint(c.stdout, "You are using rusty-db-cli, the command-line interface to RustyDB.\nType:  \\? for help with rusty-db-cli commands\n       \\q to quit\n")
				continue
			case "quit", "exit":
				return 0, true
			}
		}
		for _, p := range sp.feed(line) {
			ok := true
			if p.meta {
				var st metaStatus
				st, code = c.meta(p.text, &sp, in)
				switch st {
				case metaQuit:
					return 0, true
				case metaExit: // \i stopped, or the connection was lost
					if !in.interactive || code == 2 {
						return code, code == 2
					}
				case metaFailed:
					ok = false
				}
			} else {
				ok = c.runQuery(p.text, in)
			}
			if code := c.lostCode(); code != 0 {
				return code, true
			}
			if !ok && c.onErrorStop() && !in.interactive {
				return 3, false
			}
		}
	}
}

// lostCode is 2 when the connection to the server is gone, else 0.
func (c *cli) lostCode() int {
	if w, ok := c.be.(*wire); ok && w.conn.IsClosed() {
		fmt.Fprintln(c.stderr, "rusty-db-cli: the connection to the server was lost")
		return 2
	}
	return 0
}

// takeCancel reports and clears a Ctrl-C.
func (c *cli) takeCancel() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	was := c.cancelled
	c.cancelled = false
	select {
	case <-c.promptInt:
	default:
	}
	return was
}

// prompt is psql's default prompt, %/%R%x%# : the database, the input
// state (= - ' " $ * or ( ), * inside a transaction block or ! inside a
// failed one, and # for a superuser or > for others.
func (c *cli) prompt(state byte) string {
	tx := ""
	switch c.be.txStatus() {
	case 'T':
		tx = "*"
	case 'E':
		tx = "!"
	}
	who := ">"
	if c.be.superuser() {
		who = "#"
	}
	return fmt.Sprintf("%s%c%s%s ", c.be.dbname(), state, tx, who)
}

// runQuery sends a query string and prints its results, then its error if
// it failed, then its time under \timing. It reports success. COPY FROM
// STDIN reads its data from in, up to a line \. as in psql.
func (c *cli) runQuery(q string, in *input) bool {
	req := &request{query: q, out: c.out}
	var data *copyData
	switch stmts := splitAll(q); {
	case len(stmts) > 1 && anyCopy(stmts):
		// pgconn can stream COPY data only for a query of its own
		for _, s := range stmts {
			if !c.runQuery(s, in) {
				return false
			}
		}
		return true
	case len(stmts) == 1:
		req.copy = copyDirection(q)
	}
	if req.copy == copyIn {
		if in.interactive {
			fmt.Fprint(c.stdout, "Enter data to be copied followed by a newline.\nEnd with a backslash and a period on a line by itself, or an EOF signal.\n")
		}
		data = &copyData{c: c, in: in}
		req.in = data
	}
	ok := c.execute(req, "query", -1, in)
	if data != nil && !in.interactive {
		data.drain() // the rest of the data of a COPY that failed is not SQL
	}
	return ok
}

// execute runs a request with progress, prints its results or error and
// the time it took. total is the size of the COPY data when known.
func (c *cli) execute(req *request, label string, total int64, in *input) bool {
	c.lastQuery = req.query
	// COPY TO the query output prints the data and no COPY n, as psql does
	dataIsOutput := req.copy == copyOut && (req.out == c.out || req.out == c.stdout)
	if in != nil {
		in.stmtLine = in.lineNo // COPY data read while it runs moves lineNo on
		defer func() { in.stmtLine = 0 }()
	}
	p := startProgress(c.progressOut, label, total, progressDelay)
	if req.copy == copyNone {
		req.onRow = func(size int) { p.add(1, int64(size)) }
	} else if req.in != nil {
		req.in = &countingReader{r: req.in, p: p}
	} else {
		req.out = &countingWriter{w: req.out, p: p}
	}
	var results []*result
	c.setBusy(true)
	start := time.Now()
	err := c.be.exec(context.Background(), req, func(r *result) error {
		results = append(results, r)
		return nil
	})
	elapsed := time.Since(start)
	c.setBusy(false)
	p.finish()
	for _, r := range results {
		c.printResult(r, dataIsOutput)
	}
	if err != nil {
		c.failures++
		c.printError(err, req.query)
	}
	if c.timing {
		fmt.Fprintln(c.stdout, formatTiming(elapsed)) // not to \o, as in psql
	}
	return err == nil
}

func (c *cli) setBusy(b bool) {
	c.mu.Lock()
	c.busy = b
	c.mu.Unlock()
}

// printResult prints a result as psql does: rows as a table (followed by
// the command tag for INSERT, UPDATE and DELETE ... RETURNING), other
// statements as their command tag, nothing more for COPY data already
// printed.
func (c *cli) printResult(r *result, dataIsOutput bool) {
	switch {
	case r.cols != nil:
		if err := c.pset.print(c.out, resultTable(r)); err != nil {
			fmt.Fprintf(c.stderr, "rusty-db-cli: could not write output: %v\n", err)
		}
		for _, verb := range []string{"INSERT", "UPDATE", "DELETE"} {
			if strings.HasPrefix(r.tag, verb) && !c.quiet() {
				fmt.Fprintln(c.out, r.tag)
			}
		}
	case r.copy == copyOut && dataIsOutput, r.tag == "", c.quiet():
	default:
		fmt.Fprintln(c.out, r.tag)
	}
}

// printError prints a failed statement's error.
func (c *cli) printError(err error, query string) {
	m, ok := messageOf(err)
	if !ok {
		fmt.Fprintf(c.stderr, "rusty-db-cli: error: %v\n", err)
		return
	}
	c.printMessage(m, query)
}

// printMessage prints an error or notice; in a -f or \i file it starts
// with the file and line, as psql's does.
func (c *cli) printMessage(m message, query string) {
	fmt.Fprint(c.stderr, c.filePrefix("")+formatMessage(m, query, strings.ToLower(c.vars["VERBOSITY"])))
}

// logError reports a client-side error as psql does: plain, or inside a
// script file after its name and line.
func (c *cli) logError(format string, args ...any) {
	fmt.Fprintln(c.stderr, c.filePrefix("error: ")+fmt.Sprintf(format, args...))
}

// filePrefix is "rusty-db-cli:FILE:LINE: " and then level while a -f or \i
// file runs, else "".
func (c *cli) filePrefix(level string) string {
	if c.cur == nil || c.cur.name == "" {
		return ""
	}
	line := c.cur.lineNo
	if c.cur.stmtLine > 0 {
		line = c.cur.stmtLine
	}
	return fmt.Sprintf("rusty-db-cli:%s:%d: %s", c.cur.name, line, level)
}

// splitAll splits a complete query string into its statements.
func splitAll(q string) []string {
	var sp splitter
	var out []string
	for _, line := range strings.Split(q, "\n") {
		for _, p := range sp.feed(line) {
			out = append(out, p.text)
		}
	}
	if rest := sp.pending(); rest != "" {
		out = append(out, rest)
	}
	return out
}

func anyCopy(stmts []string) bool {
	for _, s := range stmts {
		if copyDirection(s) != copyNone {
			return true
		}
	}
	return false
}

// copyData is the data of a COPY FROM STDIN that follows the statement in
// a script or at the prompt: lines up to one that is \. or the end.
type copyData struct {
	c    *cli
	in   *input
	buf  []byte
	done bool
}

func (d *copyData) Read(p []byte) (int, error) {
	for len(d.buf) == 0 {
		if d.done {
			return 0, io.EOF
		}
		if d.in.interactive {
			fmt.Fprint(d.c.stdout, ">> ")
		}
		line, err := d.c.readLine(d.in)
		switch {
		case errors.Is(err, errInterrupted):
			d.done = true
			return 0, errors.New("canceled by user")
		case err != nil:
			d.done = true
			return 0, io.EOF
		}
		d.in.lineNo++
		if strings.TrimSuffix(line, "\r") == `\.` {
			d.done = true
			continue
		}
		d.buf = append(append(d.buf[:0], line...), '\n')
	}
	n := copy(p, d.buf)
	d.buf = d.buf[n:]
	return n, nil
}

// drain skips what is left of the data.
func (d *copyData) drain() {
	for !d.done {
		d.buf = d.buf[:0]
		d.Read(nil)
	}
}
