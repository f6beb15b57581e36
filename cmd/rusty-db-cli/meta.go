package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Backslash commands. Messages are psql's, on standard output, and left
// out under -q.

// metaStatus is how a backslash command ended.
type metaStatus uint8

const (
	metaOK     metaStatus = iota
	metaFailed            // the command failed: counts as an error for ON_ERROR_STOP
	metaQuit              // \q
	metaExit              // stop the current input with an exit status (\i under ON_ERROR_STOP, a lost connection)
)

const metaHelp = `General
  \q                     quit rusty-db-cli
  \? [commands]          show this help
  \conninfo              display information about the current connection
  \timing [on|off]       toggle timing of commands (currently %s)

Query Buffer
  \g                     execute the query buffer (or the previous query)
  \gx                    as \g, with expanded output
  \p                     show the contents of the query buffer
  \r                     reset (clear) the query buffer

Input/Output
  \copy ...              client-side COPY: \copy table [(columns)] from|to 'file'|stdin|stdout [with (...)]
  \echo [STRING]         write string to standard output
  \qecho [STRING]        write string to the query output (see \o)
  \i FILE                execute commands from file
  \ir FILE               as \i, relative to the location of the current script
  \o [FILE]              send query results to file, or back to standard output

Informational (patterns: * any text, ? one character, "..." exact, schema.name)
  \d [NAME]              list tables, views and sequences, or describe table, view, index or sequence
  \dt [PATTERN]          list tables
  \di [PATTERN]          list indexes
  \dv [PATTERN]          list views
  \ds [PATTERN]          list sequences
  \dn [PATTERN]          list schemas
  \du [PATTERN]          list roles (also \dg)
  \l                     list databases

Formatting
  \a                     toggle between unaligned and aligned output mode
  \f [STRING]            show or set field separator for unaligned output
  \pset [NAME [VALUE]]   set table output option (format, tuples_only, null, fieldsep, expanded)
  \t [on|off]            show only rows
  \x [on|off|auto]       toggle expanded output (currently %s)

Variables
  \set [NAME [VALUE]]    set internal variable (ON_ERROR_STOP, VERBOSITY, QUIET), or list all
  \unset NAME            unset (delete) internal variable
`

// meta runs one backslash command (text is what follows the backslash).
// It returns how it ended and, for metaExit, the exit status.
func (c *cli) meta(text string, sp *splitter, in *input) (metaStatus, int) {
	name, rest := text, ""
	if i := strings.IndexAny(text, " \t"); i >= 0 {
		name, rest = text[:i], strings.TrimSpace(text[i+1:])
	}
	args := metaArgs(rest)
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	switch name {
	case "q", "quit":
		return metaQuit, 0
	case "?":
		c.say(fmt.Sprintf(metaHelp, onOff(c.timing), c.expandedName()))
	case "conninfo":
		fmt.Fprintln(c.stdout, c.be.describe())
	case "timing":
		if !c.toggle(&c.timing, arg(0)) {
			return metaFailed, 0
		}
		c.say(fmt.Sprintf("Timing is %s.\n", onOff(c.timing)))
	case "x":
		return c.pset1("expanded", arg(0)), 0
	case "a":
		if c.pset.unaligned {
			return c.pset1("format", "aligned"), 0
		}
		return c.pset1("format", "unaligned"), 0
	case "t":
		return c.pset1("tuples_only", arg(0)), 0
	case "f":
		return c.pset1("fieldsep", arg(0)), 0
	case "pset":
		if len(args) == 0 {
			for _, n := range []string{"expanded", "fieldsep", "format", "null", "tuples_only"} {
				fmt.Fprintf(c.stdout, "%-12s %s\n", n, c.psetValue(n))
			}
			return metaOK, 0
		}
		return c.pset1(arg(0), arg(1)), 0
	case "set":
		if len(args) == 0 {
			names := make([]string, 0, len(c.vars))
			for n := range c.vars {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				fmt.Fprintf(c.stdout, "%s = '%s'\n", n, c.vars[n])
			}
			return metaOK, 0
		}
		c.vars[arg(0)] = strings.Join(args[1:], "")
	case "unset":
		delete(c.vars, arg(0))
	case "echo":
		fmt.Fprintln(c.stdout, strings.Join(args, " "))
	case "qecho":
		fmt.Fprintln(c.out, strings.Join(args, " "))
	case "o", "out":
		if err := c.setOutput(arg(0)); err != nil {
			c.logError("%v", err)
			return metaFailed, 0
		}
	case "i", "include", "ir", "include_relative":
		return c.include(name, arg(0), in)
	case "r", "reset":
		sp.reset()
		c.say("Query buffer reset (cleared).\n")
	case "p", "print":
		q := sp.pending()
		if q == "" {
			q = c.lastQuery
		}
		if q == "" {
			fmt.Fprintln(c.stdout, "Query buffer is empty.")
		} else {
			fmt.Fprintln(c.stdout, q)
		}
	case "g", "gx":
		q := sp.pending()
		sp.reset()
		if q == "" {
			q = c.lastQuery
		}
		if q == "" {
			return metaOK, 0
		}
		saved := c.pset.expanded
		if name == "gx" {
			c.pset.expanded = expandedOn
		}
		ok := c.runQuery(q, in)
		c.pset.expanded = saved
		if !ok {
			return metaFailed, 0
		}
	case "copy":
		if !c.copyCommand(rest, in) {
			return metaFailed, 0
		}
	case "l", "l+", "list":
		return c.status(c.listDatabases()), 0
	default:
		if ok, known := c.describeCommand(name, arg(0)); known {
			return c.status(ok), 0
		}
		c.logError("invalid command \\%s", name)
		if c.interactive {
			fmt.Fprintln(c.stderr, `Try \? for help.`)
		}
		c.failures++
		return metaFailed, 0
	}
	return metaOK, 0
}

func (c *cli) status(ok bool) metaStatus {
	if ok {
		return metaOK
	}
	c.failures++
	return metaFailed
}

// say prints a message unless -q.
func (c *cli) say(s string) {
	if !c.quiet() {
		fmt.Fprint(c.stdout, s)
	}
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// toggle sets *b from an on/off argument, or flips it without one.
func (c *cli) toggle(b *bool, arg string) bool {
	switch {
	case arg == "":
		*b = !*b
	case isOn(arg):
		*b = true
	case isOff(arg):
		*b = false
	default:
		c.logError("unrecognized value \"%s\": Boolean expected", arg)
		return false
	}
	return true
}

func isOff(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	for _, w := range []string{"off", "false", "no", "0"} {
		if strings.HasPrefix(w, v) && v != "" && v != "o" {
			return true
		}
	}
	return false
}

func (c *cli) expandedName() string {
	switch c.pset.expanded {
	case expandedOn:
		return "on"
	case expandedAuto:
		return "auto"
	}
	return "off"
}

func (c *cli) psetValue(name string) string {
	switch name {
	case "expanded":
		return c.expandedName()
	case "fieldsep":
		return "'" + c.pset.fieldSep + "'"
	case "format":
		if c.pset.unaligned {
			return "unaligned"
		}
		return "aligned"
	case "null":
		return "'" + c.pset.null + "'"
	}
	return onOff(c.pset.tuplesOnly)
}

// pset1 sets one output option, as \pset NAME VALUE does, and says so.
func (c *cli) pset1(name, value string) metaStatus {
	switch name {
	case "expanded", "x":
		switch {
		case value == "auto":
			c.pset.expanded = expandedAuto
			c.say("Expanded display is used automatically.\n")
			return metaOK
		default:
			on := c.pset.expanded != expandedOff // auto counts as on: a bare \x turns it off, as in psql
			if !c.toggle(&on, value) {
				return metaFailed
			}
			c.pset.expanded = expandedOff
			if on {
				c.pset.expanded = expandedOn
			}
		}
		c.say(fmt.Sprintf("Expanded display is %s.\n", c.expandedName()))
	case "format":
		switch value {
		case "aligned", "unaligned":
			c.pset.unaligned = value == "unaligned"
		default:
			c.logError(`\pset: allowed formats are aligned, unaligned`)
			return metaFailed
		}
		c.say(fmt.Sprintf("Output format is %s.\n", value))
	case "tuples_only", "t":
		if !c.toggle(&c.pset.tuplesOnly, value) {
			return metaFailed
		}
		c.say(fmt.Sprintf("Tuples only is %s.\n", onOff(c.pset.tuplesOnly)))
	case "fieldsep":
		if value != "" {
			c.pset.fieldSep = value
		}
		c.say(fmt.Sprintf("Field separator is \"%s\".\n", c.pset.fieldSep))
	case "null":
		c.pset.null = value
		c.say(fmt.Sprintf("Null display is \"%s\".\n", value))
	default:
		c.logError("\\pset: unknown option: %s", name)
		return metaFailed
	}
	return metaOK
}

// setOutput sends query output to file, or back to standard output for "".
func (c *cli) setOutput(file string) error {
	if c.outFile != nil {
		c.outFile.Close()
		c.outFile = nil
	}
	c.out = c.stdout
	if file == "" {
		return nil
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	c.outFile, c.out = f, f
	return nil
}

// include runs a file's commands (\i); relative to the current script's
// directory for \ir.
func (c *cli) include(cmd, name string, in *input) (metaStatus, int) {
	if name == "" {
		c.logError(`\%s: missing required argument`, cmd)
		return metaFailed, 0
	}
	if (cmd == "ir" || cmd == "include_relative") && in.name != "" && !filepath.IsAbs(name) {
		name = filepath.Join(filepath.Dir(in.name), name)
	}
	sub, closeSub, err := c.openInput(name)
	if err != nil {
		c.logError("%v", err)
		c.failures++
		return metaFailed, 0
	}
	defer closeSub()
	code, quit := c.mainLoop(sub)
	switch {
	case quit:
		return metaQuit, 0
	case code != 0:
		return metaExit, code
	}
	return metaOK, 0
}

// metaArgs splits a backslash command's arguments at blanks: 'single
// quotes' group and are removed (a doubled one is a quote), "double quotes"
// group and stay (they quote identifiers in patterns).
func metaArgs(s string) []string {
	var out []string
	var b strings.Builder
	in, started := byte(0), false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case in == '\'' && ch == '\'' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case in == '\'' && ch == '\'':
			in = 0
		case in == '"' && ch == '"':
			b.WriteByte(ch)
			in = 0
		case in != 0:
			b.WriteByte(ch)
		case ch == '\'':
			in, started = ch, true
		case ch == '"':
			b.WriteByte(ch)
			in, started = ch, true
		case ch == ' ' || ch == '\t':
			if started {
				out = append(out, b.String())
				b.Reset()
				started = false
			}
		default:
			b.WriteByte(ch)
			started = true
		}
	}
	if started {
		out = append(out, b.String())
	}
	return out
}
