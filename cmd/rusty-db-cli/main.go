// Command rusty-db-cli is RustyDB's command-line client, in the spirit of
// psql: it connects over the PostgreSQL protocol (-h -p -U -d or a
// connection URI), or with --embedded DIR opens a data directory in its own
// process with no server, and then runs -c command strings, -f files, a
// script on standard input (a here-document runs unchanged) or an
// interactive session with a prompt. Output follows psql 15: aligned tables,
// command tags, NOTICE and ERROR messages with DETAIL and HINT, \timing, the
// \d family of describe commands, \x, \copy; exit codes are psql's (1 for a
// failed -c, 2 for a failed connection, 3 for a script stopped by
// ON_ERROR_STOP). On a terminal, a statement or \copy that runs longer than
// a second shows its progress (rows/s, MB/s, and time left when the size
// is known) on standard error.
//
// Files: options.go (command line), split.go (statements and backslash
// commands), backend.go with wire.go and embedded.go (the two ways to run
// SQL), loop.go (input and execution), meta.go and describe.go (backslash
// commands), copy.go (\copy), format.go (output), progress.go.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/term"

	"rustydb"
	"rustydb/sqlerr"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// cli is one run of the client.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	out            io.Writer // query output: stdout, or the file of \o
	outFile        *os.File  // open \o file
	be             backend
	pset           printOpts
	vars           map[string]string // \set variables; ON_ERROR_STOP and VERBOSITY act
	timing         bool
	interactive    bool
	progressOut    io.Writer // stderr when it is a terminal, else nil: no progress display

	mu        sync.Mutex
	busy      bool          // a statement is running (Ctrl-C cancels it)
	cancelled bool          // Ctrl-C was pressed
	promptInt chan struct{} // Ctrl-C at the prompt

	cur       *input // the input being run, for the file and line of messages
	lastQuery string // for \g and \p with an empty buffer
	failures  int    // statements and commands that failed
}

// run is the whole client: it parses args, connects, runs the commands and
// returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "rusty-db-cli: %v\nTry \"rusty-db-cli --help\" for more information.\n", err)
		return 1
	}
	switch {
	case o.help:
		fmt.Fprint(stdout, usage())
		return 0
	case o.version:
		fmt.Fprintf(stdout, "rusty-db-cli (RustyDB) %s\n", rustydb.Version)
		return 0
	}
	for _, e := range o.extra {
		fmt.Fprintf(stderr, "rusty-db-cli: warning: extra command-line argument \"%s\" ignored\n", e)
	}
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, out: stdout, vars: o.vars, promptInt: make(chan struct{}, 1),
		interactive: len(o.actions) == 0 && isTerminal(stdin) && isTerminal(stdout)}
	c.pset = printOpts{unaligned: o.unaligned, tuplesOnly: o.tuplesOnly, fieldSep: "|", termWidth: func() int { return termWidth(c.out) }}
	if o.fieldSep != nil {
		c.pset.fieldSep = *o.fieldSep
	}
	if o.expanded {
		c.pset.expanded = expandedOn
	}
	if o.quiet {
		c.vars["QUIET"] = "on"
	}
	if isTerminal(stderr) {
		c.progressOut = stderr
	}
	if c.be, err = c.connect(o); err != nil {
		fmt.Fprintf(stderr, "rusty-db-cli: error: %v\n", err)
		return 2
	}
	defer func() {
		c.setOutput("")
		if err := c.be.close(); err != nil {
			fmt.Fprintf(stderr, "rusty-db-cli: error: %v\n", err)
		}
	}()
	stop := c.handleInterrupts()
	defer stop()
	if len(o.actions) > 0 {
		return c.runActions(o.actions)
	}
	if c.interactive {
		where := "server " + c.be.serverVersion()
		if e, ok := c.be.(*embedded); ok {
			where = "embedded on " + e.dir
		}
		fmt.Fprintf(stdout, "rusty-db-cli %s (%s)\nType \"help\" for help.\n\n", rustydb.Version, where)
	}
	code, _ := c.mainLoop(newInput(stdin, "", c.interactive))
	return code
}

// connect opens the backend the options ask for.
func (c *cli) connect(o *options) (backend, error) {
	notice := func(m message) { c.printMessage(m, "") }
	if o.embedded != "" {
		if o.host != "" || o.port != "" || o.conninfo != "" {
			return nil, errors.New("--embedded opens a data directory without a server: leave out -h, -p and the connection string")
		}
		user := o.user
		if user == "" {
			user = defaultUser
		}
		created := !exists(o.embedded)
		logger := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		be, err := openEmbedded(o.embedded, user, logger, notice)
		if err == nil && created && !c.quiet() {
			fmt.Fprintf(c.stderr, "rusty-db-cli: created a new data directory %s\n", o.embedded)
		}
		return be, err
	}
	cs, err := connString(o, os.Getenv)
	if err != nil {
		return nil, err
	}
	password := ""
	if o.askPassword {
		if password, err = readPassword("Password: "); err != nil {
			return nil, err
		}
	}
	ctx := context.Background()
	be, err := dialWire(ctx, cs, password, notice)
	var pe *pgconn.PgError
	if err != nil && password == "" && !o.neverPassword && errors.As(err, &pe) && pe.Code == sqlerr.InvalidPassword {
		// the server wants a password none was given for: ask, as psql does
		if pw, perr := readPassword("Password: "); perr == nil {
			be, err = dialWire(ctx, cs, pw, notice)
		}
	}
	if err != nil {
		return nil, connectError(err)
	}
	return be, nil
}

// connectError words a failed connection as psql does: where, and the
// server's message or the network's reason.
func connectError(err error) error {
	var ce *pgconn.ConnectError
	if !errors.As(err, &ce) {
		return err
	}
	where := fmt.Sprintf("connection to server at \"%s\", port %d failed: ", ce.Config.Host, ce.Config.Port)
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return errors.New(where + pe.Severity + ":  " + pe.Message)
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		msg := where + osError(oe.Err)
		if errors.Is(err, syscall.ECONNREFUSED) {
			msg += "\n\tIs the server running on that host and accepting TCP/IP connections?" +
				"\n\t(rusty-db-cli --embedded DATADIR opens a data directory without a server.)"
		}
		return errors.New(msg)
	}
	return err
}

// osError is the reason a file operation failed, worded as strerror
// words it ("No such file or directory").
func osError(err error) string {
	var pe *os.PathError
	var se *os.SyscallError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &se):
		err = se.Err
	}
	s := err.Error()
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// readPassword asks for a password on the terminal, without echo.
func readPassword(prompt string) (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", fmt.Errorf("no terminal to ask for a password on (set PGPASSWORD): %v", err)
	}
	defer tty.Close()
	fmt.Fprint(tty, prompt)
	pw, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	return string(pw), err
}

func isTerminal(x any) bool {
	f, ok := x.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// termWidth is the width of the terminal w is, 0 when it is none.
func termWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil {
			return width
		}
	}
	return 0
}

// handleInterrupts makes Ctrl-C cancel the running statement, or clear
// the input line at the prompt, instead of ending the client.
func (c *cli) handleInterrupts() (stop func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-sig:
			}
			c.mu.Lock()
			c.cancelled = true
			if c.busy {
				c.be.cancel()
			}
			// also for a statement: an interactive COPY FROM STDIN waits
			// for a line at the >> prompt
			select {
			case c.promptInt <- struct{}{}:
			default:
			}
			c.mu.Unlock()
		}
	}()
	return func() {
		signal.Stop(sig)
		close(done)
	}
}

// runActions runs the -c and -f options in order, with psql's exit status:
// that of the last, or of the first failure under ON_ERROR_STOP.
func (c *cli) runActions(actions []action) int {
	code := 0
	for _, a := range actions {
		switch {
		case a.file:
			code = c.runFile(a.text)
		case strings.HasPrefix(strings.TrimSpace(a.text), `\`):
			// a backslash command string: run as one line of a script
			before := c.failures
			code, _ = c.mainLoop(newInput(strings.NewReader(a.text), "", false))
			if code == 3 || code == 0 && c.failures > before {
				code = 1
			}
		default:
			code = 0
			if !c.runQuery(a.text, newInput(c.stdin, "", false)) {
				code = 1
			}
		}
		if code == 2 || code != 0 && c.onErrorStop() {
			break
		}
	}
	return code
}

// runFile runs a -f file ("-" is standard input) as a script.
func (c *cli) runFile(name string) int {
	in, closeIn, err := c.openInput(name)
	if err != nil {
		fmt.Fprintf(c.stderr, "rusty-db-cli: error: %v\n", err)
		return 1
	}
	defer closeIn()
	code, _ := c.mainLoop(in)
	return code
}

// openInput opens a script file; "-" is standard input.
func (c *cli) openInput(name string) (*input, func(), error) {
	if name == "-" {
		return newInput(c.stdin, "", false), func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %s", name, osError(err))
	}
	return newInput(f, name, false), func() { f.Close() }, nil
}

func (c *cli) quiet() bool       { return isOn(c.vars["QUIET"]) }
func (c *cli) onErrorStop() bool { return isOn(c.vars["ON_ERROR_STOP"]) }

// isOn reads a psql boolean variable: on, true, yes, 1 (any prefix).
func isOn(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "" {
		return false
	}
	for _, w := range []string{"on", "true", "yes", "1"} {
		if strings.HasPrefix(w, v) && v != "o" {
			return true
		}
	}
	return false
}
