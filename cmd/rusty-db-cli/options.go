package main

import (
	"fmt"
	"net/url"
	"strings"
)

// options are the command line, parsed as psql parses its own: short
// options may be grouped (-tA) and take their value attached or as the
// next argument (-p5432, -p 5432), long options take --name=value or
// --name value, and options may follow the positional arguments.
type options struct {
	host, port, user, dbname string
	// conninfo is a connection URI or keyword/value string given as the
	// first argument instead of a database name.
	conninfo string
	embedded string   // data directory opened without a server
	actions  []action // -c and -f, in order
	vars     map[string]string

	tuplesOnly, unaligned, expanded, quiet bool
	fieldSep                               *string
	askPassword, neverPassword             bool
	help, version                          bool
	extra                                  []string // ignored positional arguments
}

// action is one -c command string or -f file.
type action struct {
	file bool
	text string
}

type optSpec struct {
	short byte
	long  string
	arg   string // the value's name in --help; "" for a switch
	help  string
	set   func(o *options, v string)
}

// optSpecs lists the options; --help prints them in this order.
var optSpecs = []optSpec{
	{'c', "command", "COMMAND", "run only a single command (SQL or backslash command) and exit", func(o *options, v string) {
		o.actions = append(o.actions, action{text: v})
	}},
	{'d', "dbname", "DBNAME", "database name to connect to (default: rustydb)", func(o *options, v string) { o.dbname = v }},
	{'f', "file", "FILENAME", "execute commands from file, then exit", func(o *options, v string) {
		o.actions = append(o.actions, action{file: true, text: v})
	}},
	{'v', "set", "NAME=VALUE", "set variable NAME to VALUE (ON_ERROR_STOP=1, VERBOSITY=verbose)", setVar},
	{0, "variable", "NAME=VALUE", "same as --set", setVar},
	{'X', "no-psqlrc", "", "accepted for psql compatibility; no startup file is read", func(*options, string) {}},
	{'q', "quiet", "", "run quietly (no messages, only query output)", func(o *options, _ string) { o.quiet = true }},
	{'A', "no-align", "", "unaligned table output mode", func(o *options, _ string) { o.unaligned = true }},
	{'F', "field-separator", "STRING", "field separator for unaligned output (default: \"|\")", func(o *options, v string) { o.fieldSep = &v }},
	{'t', "tuples-only", "", "print rows only", func(o *options, _ string) { o.tuplesOnly = true }},
	{'x', "expanded", "", "turn on expanded table output", func(o *options, _ string) { o.expanded = true }},
	{'h', "host", "HOSTNAME", "database server host (default: $PGHOST, else localhost)", func(o *options, v string) { o.host = v }},
	{'p', "port", "PORT", "database server port (default: $PGPORT, else 5432)", func(o *options, v string) { o.port = v }},
	{'U', "username", "USERNAME", "database user name (default: $PGUSER, else rustydb)", func(o *options, v string) { o.user = v }},
	{'w', "no-password", "", "never prompt for password", func(o *options, _ string) { o.neverPassword = true }},
	{'W', "password", "", "force password prompt", func(o *options, _ string) { o.askPassword = true }},
	{'D', "embedded", "DATADIR", "open the data directory directly, with no server (refused while a server runs on it)", func(o *options, v string) { o.embedded = v }},
	{'V', "version", "", "output version information, then exit", func(o *options, _ string) { o.version = true }},
	{'?', "help", "", "show this help, then exit", func(o *options, _ string) { o.help = true }},
}

func setVar(o *options, v string) {
	name, value, _ := strings.Cut(v, "=")
	o.vars[name] = value
}

// parseArgs parses the command line.
func parseArgs(args []string) (*options, error) {
	o := &options{vars: map[string]string{}}
	var positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		// value returns the option's value: inline, else the next argument.
		value := func(inline string, hasInline bool, name string) (string, error) {
			if hasInline {
				return inline, nil
			}
			if i+1 >= len(args) {
				return "", fmt.Errorf("option requires an argument -- '%s'", name)
			}
			i++
			return args[i], nil
		}
		switch {
		case a == "--":
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "--"):
			name, inline, hasInline := strings.Cut(a[2:], "=")
			spec := findSpec(func(s optSpec) bool { return s.long == name })
			if spec == nil {
				return nil, fmt.Errorf("unrecognized option '%s'", a)
			}
			var v string
			if spec.arg != "" {
				var err error
				if v, err = value(inline, hasInline, name); err != nil {
					return nil, err
				}
			} else if hasInline {
				return nil, fmt.Errorf("option '--%s' doesn't allow an argument", name)
			}
			spec.set(o, v)
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				spec := findSpec(func(s optSpec) bool { return s.short == a[j] })
				if spec == nil {
					return nil, fmt.Errorf("invalid option -- '%c'", a[j])
				}
				if spec.arg == "" {
					spec.set(o, "")
					continue
				}
				v, err := value(a[j+1:], j+1 < len(a), string(a[j]))
				if err != nil {
					return nil, err
				}
				spec.set(o, v)
				break
			}
		default:
			positional = append(positional, a)
		}
	}
	// [DBNAME [USERNAME]], where DBNAME may be a connection string.
	for k, p := range positional {
		switch {
		case k == 0 && isConninfo(p):
			o.conninfo = p
		case k == 0 && o.dbname == "":
			o.dbname = p
		case k == 1 && o.user == "":
			o.user = p
		default:
			o.extra = append(o.extra, p)
		}
	}
	return o, nil
}

func findSpec(match func(optSpec) bool) *optSpec {
	for i := range optSpecs {
		if match(optSpecs[i]) {
			return &optSpecs[i]
		}
	}
	return nil
}

// isConninfo reports whether s is a connection URI or keyword/value string
// rather than a database name.
func isConninfo(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") || strings.Contains(s, "=")
}

// Defaults where neither the command line, the connection string nor the
// PG* environment variables say: RustyDB listens on TCP only (pgconn's own
// default would be a Unix socket), its admin user and its one database are
// both called rustydb.
const (
	defaultHost = "localhost"
	defaultUser = "rustydb"
	defaultDB   = "rustydb"
)

// connString combines the connection string argument, the -h -p -U -d
// options (which win) and the defaults into one string for
// pgconn.ParseConfig, which adds the PG* environment variables.
func connString(o *options, getenv func(string) string) (string, error) {
	if strings.HasPrefix(o.conninfo, "postgres://") || strings.HasPrefix(o.conninfo, "postgresql://") {
		return connURI(o, getenv)
	}
	keys := conninfoKeys(o.conninfo)
	var b strings.Builder
	b.WriteString(o.conninfo)
	add := func(key, flag, env, def string) {
		v := flag
		if v == "" && !keys[key] && getenv(env) == "" {
			v = def
		}
		if v != "" {
			fmt.Fprintf(&b, " %s='%s'", key, strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v))
		}
	}
	add("host", o.host, "PGHOST", defaultHost)
	add("port", o.port, "PGPORT", "")
	add("user", o.user, "PGUSER", defaultUser)
	add("dbname", o.dbname, "PGDATABASE", defaultDB)
	return strings.TrimSpace(b.String()), nil
}

func connURI(o *options, getenv func(string) string) (string, error) {
	u, err := url.Parse(o.conninfo)
	if err != nil {
		return "", fmt.Errorf("invalid connection URI: %v", err)
	}
	q := u.Query()
	host, port := u.Hostname(), u.Port()
	if o.host != "" {
		host = o.host
	} else if host == "" && q.Get("host") == "" && getenv("PGHOST") == "" {
		host = defaultHost
	}
	if o.port != "" {
		port = o.port
	}
	u.Host = host
	if port != "" {
		u.Host = host + ":" + port
	}
	switch {
	case o.user != "":
		u.User = url.User(o.user)
	case u.User == nil && q.Get("user") == "" && getenv("PGUSER") == "":
		u.User = url.User(defaultUser)
	}
	switch {
	case o.dbname != "":
		u.Path = "/" + o.dbname
	case strings.Trim(u.Path, "/") == "" && q.Get("dbname") == "" && getenv("PGDATABASE") == "":
		u.Path = "/" + defaultDB
	}
	return u.String(), nil
}

// conninfoKeys returns the keywords a keyword/value connection string sets.
func conninfoKeys(s string) map[string]bool {
	keys := map[string]bool{}
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			break
		}
		keys[strings.TrimSpace(s[:eq])] = true
		s = strings.TrimLeft(s[eq+1:], " \t")
		if strings.HasPrefix(s, "'") { // a quoted value: skip to the closing quote
			i := 1
			for i < len(s) && s[i] != '\'' {
				if s[i] == '\\' {
					i++
				}
				i++
			}
			s = s[min(i+1, len(s)):]
		} else if sp := strings.IndexAny(s, " \t"); sp >= 0 {
			s = s[sp:]
		} else {
			s = ""
		}
	}
	return keys
}

// usage is the --help text.
func usage() string {
	var b strings.Builder
	b.WriteString(`rusty-db-cli is the interactive terminal of RustyDB, in the spirit of psql.

Usage:
  rusty-db-cli [OPTION]... [DBNAME [USERNAME]]
  rusty-db-cli [OPTION]... postgres://user@host:port/dbname
  rusty-db-cli --embedded DATADIR [OPTION]...

Options:
`)
	for _, s := range optSpecs {
		var left string
		switch {
		case s.short != 0 && s.arg != "":
			left = fmt.Sprintf("-%c, --%s=%s", s.short, s.long, s.arg)
		case s.short != 0:
			left = fmt.Sprintf("-%c, --%s", s.short, s.long)
		case s.arg != "":
			left = fmt.Sprintf("    --%s=%s", s.long, s.arg)
		default:
			left = "    --" + s.long
		}
		fmt.Fprintf(&b, "  %-30s %s\n", left, s.help)
	}
	b.WriteString(`
Without -c or -f, statements are read from standard input: interactively
with a prompt when it is a terminal, else as a script (for example a here-
document). Type \? inside for the backslash commands.
The environment variables PGHOST, PGPORT, PGUSER, PGDATABASE and PGPASSWORD
set the defaults of the connection.
`)
	return b.String()
}
