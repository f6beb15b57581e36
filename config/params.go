package config

// Server parameters: every key of the configuration file seen as a named
// setting that SHOW, ALTER SYSTEM SET, the v$parameter view and the REST API
// read and change while the server runs.
//
// A parameter's name is its bare key (work_mem, max_connections) unless two
// sections share the key, when it is section.key (api.enabled); section.key
// is accepted for every parameter. A dynamic parameter takes effect in the
// running server when it changes: its consumers read [Params.Current] when
// they need it, or subscribe with [Params.OnChange]. A static one is read
// once at start, so a change needs a restart and can only go to the file.
//
// [Params.Set] applies a change with a scope, as Oracle's ALTER SYSTEM does:
// MEMORY changes the running value, SPFILE rewrites the configuration file
// (only that key's line; see setKey), BOTH does both. Values are checked by
// the same rules as [Load]: a change to the file must leave a file that
// loads, and nothing changes when either part fails.

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/BurntSushi/toml"
)

// Param describes one configuration key as a server parameter.
type Param struct {
	Name        string `json:"name"` // what users type; see the package comment
	Key         string `json:"key"`  // section.key, as in the file
	Type        string `json:"type"` // integer, boolean, string or size
	Unit        string `json:"unit"` // ms, MB, pages, bytes or ""
	Dynamic     bool   `json:"is_dynamic"`
	Session     bool   `json:"is_session_modifiable"` // sessions may set their own value
	Description string `json:"description"`

	secret bool  // the value is a password: shown masked
	field  []int // index path of the field in Config
}

// paramInfo is what the struct tags do not say about each key.
var paramInfo = map[string]struct {
	unit             string
	dynamic, session bool
	secret           bool
	desc             string
}{
	"instance.name":                              {desc: "Name of this server, shown in logs and metrics"},
	"instance.mode":                              {desc: "dev or prod; prod refuses trust authentication and needs an admin password"},
	"server.listen_host":                         {desc: "Address of the PostgreSQL protocol listener"},
	"server.listen_port":                         {desc: "Port of the PostgreSQL protocol listener"},
	"server.max_connections":                     {dynamic: true, desc: "Most client connections at once; lowering it closes no open connection"},
	"server.query_timeout_ms":                    {unit: "ms", dynamic: true, session: true, desc: "Default statement_timeout: statements running longer are canceled; 0 = never"},
	"api.enabled":                                {desc: "Serve the REST API"},
	"api.rest_port":                              {desc: "Port of the REST API"},
	"api.tokens_file":                            {desc: "File of the hashes of the REST API's bearer tokens; empty = <data_dir>/api_tokens"},
	"storage.data_dir":                           {desc: "Directory holding the database files"},
	"storage.page_size":                          {unit: "bytes", desc: "Page size of the heap files; only 8192 is supported"},
	"storage.buffer_pool_pages":                  {unit: "pages", desc: "Buffer pool size in pages, unless buffer_pool_size is set"},
	"storage.segment_rows":                       {unit: "rows", desc: "Rows per column segment (and segment file)"},
	"storage.autovacuum":                         {dynamic: true, desc: "Vacuum a table in the background once its rows made dead since its last vacuum exceed 50 plus 20% of its rows"},
	"memory.buffer_pool_size":                    {desc: "Buffer pool size; overrides buffer_pool_pages when set"},
	"memory.gc_percent":                          {dynamic: true, desc: "Go garbage collection: a cycle starts when the heap has grown by this percentage since the last (GOGC); -1 = only near gc_memory_limit"},
	"memory.gc_memory_limit":                     {dynamic: true, desc: "Go garbage collection: the heap size near which cycles run however little it grew (GOMEMLIMIT); empty = 75% of the machine's memory"},
	"memory.work_mem":                            {dynamic: true, session: true, desc: "Memory a sort, hash aggregation or hash join may hold before it spills to temporary files in the data directory's tmp/"},
	"wal.sync_mode":                              {desc: "local fsyncs the WAL at commit; off does not"},
	"wal.max_segment_mb":                         {unit: "MB", desc: "Size of one WAL segment file"},
	"wal.checkpoint_interval_ms":                 {unit: "ms", dynamic: true, desc: "Time between periodic checkpoints"},
	"wal.dir":                                    {desc: "Directory of the WAL files; empty = <data_dir>/wal"},
	"performance.max_parallel_workers":           {dynamic: true, desc: "Parallel workers the server lends to all queries at once, beyond each operator's own; also a query's cap when max_parallel_workers_per_query is 0; 0 = number of CPUs"},
	"performance.max_parallel_workers_per_query": {dynamic: true, session: true, desc: "Workers one parallel aggregation may use; 0 = max_parallel_workers"},
	"performance.simd_enabled":                   {desc: "Use SIMD kernels where the CPU has them"},
	"performance.io_uring_enabled":               {desc: "Use io_uring for file I/O where the kernel supports it"},
	"security.tls_cert_file":                     {desc: "TLS certificate (PEM)"},
	"security.tls_key_file":                      {desc: "TLS private key (PEM)"},
	"security.require_tls":                       {desc: "Refuse connections without TLS"},
	"security.auth_method":                       {desc: "Client authentication: trust, scram-sha-256 or md5; empty = by mode"},
	"security.password_encryption":               {desc: "How CREATE and ALTER ROLE store passwords; empty = by auth_method"},
	"security.admin_user":                        {desc: "Superuser created at the first start of a data directory"},
	"security.admin_password":                    {secret: true, desc: "Password of admin_user, used at the first start only"},
	"logging.level":                              {dynamic: true, desc: "Least severe level logged: debug, info, warn or error"},
	"logging.format":                             {desc: "Log format: text or json"},
	"logging.output":                             {desc: "stdout, stderr or a file path"},
	"logging.max_size_mb":                        {unit: "MB", desc: "Rotate the log file when it would grow past this; 0 = never"},
	"logging.max_files":                          {desc: "Rotated log files kept"},
	"logging.slow_query_threshold_ms":            {unit: "ms", dynamic: true, desc: "Log statements running at least this long at WARN; -1 = off, 0 = all"},
	"monitoring.enabled":                         {desc: "Serve Prometheus metrics"},
	"monitoring.prometheus_port":                 {desc: "Port of the Prometheus metrics endpoint"},
}

// params lists every parameter by name; byName also holds section.key.
var params, byName = func() ([]*Param, map[string]*Param) {
	count := map[string]int{}
	for _, s := range sections {
		for key := range s.keys {
			count[key]++
		}
	}
	var list []*Param
	names := map[string]*Param{}
	t := reflect.TypeFor[Config]()
	for _, sec := range slices.Sorted(maps.Keys(sections)) {
		s := sections[sec]
		for key, i := range s.keys {
			full := sec + "." + key
			info := paramInfo[full]
			p := &Param{Name: key, Key: full, Unit: info.unit, Dynamic: info.dynamic, Session: info.session,
				Description: info.desc, secret: info.secret, field: []int{s.field, i}}
			if count[key] > 1 {
				p.Name = full
			}
			switch f := t.FieldByIndex(p.field); {
			case sec == "memory" && f.Type.Kind() == reflect.String:
				p.Type = "size"
			default:
				p.Type = tomlTypeOf[f.Type.Kind()]
			}
			list = append(list, p)
			names[p.Name], names[full] = p, p
		}
	}
	slices.SortFunc(list, func(a, b *Param) int { return strings.Compare(a.Name, b.Name) })
	return list, names
}()

// AllParams returns every parameter, sorted by name.
func AllParams() []*Param { return params }

// Lookup finds a parameter by name or section.key, ignoring case.
func Lookup(name string) (*Param, bool) {
	p, ok := byName[strings.ToLower(strings.TrimSpace(name))]
	return p, ok
}

// Value returns p's value in c as text: integers in decimal, booleans as
// true or false, strings as they are; a secret shows as ******** when set.
func (c *Config) Value(p *Param) string {
	s := c.raw(p)
	if p.secret && s != "" {
		return "********"
	}
	return s
}

func (c *Config) raw(p *Param) string {
	v := reflect.ValueOf(c).Elem().FieldByIndex(p.field)
	switch v.Kind() {
	case reflect.Int:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	}
	return v.String()
}

// setText stores text as p's value in c, converted to the field's type;
// ranges are Validate's business.
func (c *Config) setText(p *Param, text string) error {
	v := reflect.ValueOf(c).Elem().FieldByIndex(p.field)
	switch v.Kind() {
	case reflect.Int:
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil {
			return fmt.Errorf("%q is not an integer", text)
		}
		v.SetInt(int64(n))
	case reflect.Bool:
		switch strings.ToLower(strings.TrimSpace(text)) {
		case "true", "on", "yes", "1":
			v.SetBool(true)
		case "false", "off", "no", "0":
			v.SetBool(false)
		default:
			return fmt.Errorf("%q is not a boolean (use true or false)", text)
		}
	default:
		v.SetString(text)
	}
	return nil
}

// tomlValue renders p's value in c as a TOML value.
func (c *Config) tomlValue(p *Param) string {
	if p.Type == "integer" || p.Type == "boolean" {
		return c.raw(p)
	}
	var b strings.Builder
	// The encoder quotes and escapes strings as TOML requires.
	_ = toml.NewEncoder(&b).Encode(map[string]string{"v": c.raw(p)})
	return strings.TrimSpace(strings.TrimPrefix(b.String(), "v = "))
}

// CheckValue reports whether text is a valid value of p on its own terms
// (type, range, allowed values), for a session's own value of a parameter.
func CheckValue(p *Param, text string) error {
	c := Default()
	if err := c.setText(p, text); err != nil {
		return invalid(p, err.Error())
	}
	return newProblems(p, Default(), c)
}

// Scope says where ALTER SYSTEM SET applies a change.
type Scope string

const (
	ScopeDefault Scope = ""       // BOTH for a dynamic parameter, else SPFILE; MEMORY without a file
	ScopeMemory  Scope = "MEMORY" // the running server only
	ScopeSPFILE  Scope = "SPFILE" // the configuration file only: effective at the next start
	ScopeBoth    Scope = "BOTH"
)

// ParseScope reads MEMORY, SPFILE or BOTH in any case; "" is ScopeDefault.
func ParseScope(s string) (Scope, error) {
	switch sc := Scope(strings.ToUpper(strings.TrimSpace(s))); sc {
	case ScopeDefault, ScopeMemory, ScopeSPFILE, ScopeBoth:
		return sc, nil
	}
	return "", fmt.Errorf("unknown scope %q (use MEMORY, SPFILE or BOTH)", s)
}

// The kinds of error Set returns, for errors.Is: each maps to a SQLSTATE
// and an HTTP status.
var (
	ErrUnknownParam = errors.New("unrecognized configuration parameter")
	ErrInvalidValue = errors.New("invalid parameter value")
	ErrNeedsRestart = errors.New("parameter cannot be changed without restarting the server")
	ErrNoFile       = errors.New("no configuration file")
	ErrFileIO       = errors.New("cannot read or write the configuration file")
)

// ParamError is an error of Set, with a message and hint for people.
type ParamError struct {
	Kind    error // one of the Err* values above
	Message string
	Hint    string // what to do instead, or ""
}

func (e *ParamError) Error() string { return e.Message }
func (e *ParamError) Unwrap() error { return e.Kind }

// unknownParam is the error for a name that is no parameter.
func unknownParam(name string) *ParamError {
	return &ParamError{Kind: ErrUnknownParam, Message: fmt.Sprintf("unrecognized configuration parameter %q", name)}
}

func invalid(p *Param, reason string) *ParamError {
	return &ParamError{Kind: ErrInvalidValue, Message: fmt.Sprintf("invalid value for parameter %q: %s", p.Name, reason)}
}

// newProblems returns an error listing what Validate finds wrong with p's
// value in next that it did not find in cur, or nil.
func newProblems(p *Param, cur, next *Config) error {
	var before, after *ValidationError
	errors.As(cur.Validate(), &before)
	if !errors.As(next.Validate(), &after) {
		return nil
	}
	var reasons []string
	for _, pr := range after.Problems {
		if before == nil || !slices.Contains(before.Problems, pr) {
			if pr.Key != p.Key {
				pr.Reason = pr.Key + ": " + pr.Reason // a rule that ties keys together
			}
			reasons = append(reasons, pr.Reason)
		}
	}
	if len(reasons) == 0 {
		return nil
	}
	return invalid(p, strings.Join(reasons, "; "))
}

// Setting is a parameter with its values, as v$parameter and the REST API
// show it.
type Setting struct {
	*Param
	Value   string `json:"value"`
	Default string `json:"default_value"`
	// Modified says ALTER SYSTEM changed the running value since the start.
	Modified bool `json:"is_modified"`
	// Source is where the running value came from: default, configuration
	// file, command line or ALTER SYSTEM.
	Source string `json:"source"`
	// Scope says how far a change reaches: a session's own value
	// (session), the running server (system), or the next start (restart).
	Scope string `json:"scope"`
}

// Change is one successful ALTER SYSTEM SET or RESET.
type Change struct {
	Time     time.Time `json:"time"`
	Name     string    `json:"name"`
	OldValue string    `json:"old_value"`
	NewValue string    `json:"new_value"`
	Scope    Scope     `json:"scope"`
	User     string    `json:"user"`
}

// maxHistory bounds the change history, which lives in memory only.
const maxHistory = 1000

// Params holds the running server's parameters: the values in effect, the
// configuration file they came from and the changes made since the start.
// It is safe for concurrent use.
type Params struct {
	file    string // absolute path of the configuration file; "" on embedded defaults
	cur     atomic.Pointer[Config]
	start   *Config
	sources map[string]string // by key: where the value at start came from

	mu      sync.Mutex // serializes changes, and guards what follows
	history []Change
	watch   []func(*Config)
}

// NewParams makes the parameters of a server running with c, loaded from
// the file c.Source (unless it is the embedded defaults) and then changed
// by the command-line flags for the keys in commandLine (section.key).
func NewParams(c *Config, commandLine ...string) *Params {
	p := &Params{start: c, sources: map[string]string{}}
	inFile := map[string]int{}
	if c.Source != Default().Source {
		p.file, _ = filepath.Abs(c.Source)
		if data, err := os.ReadFile(p.file); err == nil {
			inFile = keyLines(string(data))
		}
	}
	for _, par := range params {
		switch _, set := inFile[par.Key]; {
		case slices.Contains(commandLine, par.Key):
			p.sources[par.Key] = "command line"
		case set:
			p.sources[par.Key] = "configuration file"
		default:
			p.sources[par.Key] = "default"
		}
	}
	clone := *c
	p.cur.Store(&clone)
	return p
}

// Current returns the values in effect. The caller must not modify them.
func (p *Params) Current() *Config { return p.cur.Load() }

// File returns the absolute path of the configuration file, or "" when the
// server runs on the embedded defaults.
func (p *Params) File() string { return p.file }

// OnChange registers fn to be called with the new values after every change
// of a running value. fn runs while Set holds its lock: it must be quick
// and must not call Set.
func (p *Params) OnChange(fn func(*Config)) {
	p.mu.Lock()
	p.watch = append(p.watch, fn)
	p.mu.Unlock()
}

// Settings returns every parameter with its values, sorted by name.
func (p *Params) Settings() []Setting {
	out := make([]Setting, len(params))
	for i, par := range params {
		out[i] = p.setting(par)
	}
	return out
}

// Setting returns one parameter with its values.
func (p *Params) Setting(name string) (Setting, error) {
	par, ok := Lookup(name)
	if !ok {
		return Setting{}, unknownParam(name)
	}
	return p.setting(par), nil
}

func (p *Params) setting(par *Param) Setting {
	cur := p.Current()
	s := Setting{Param: par, Value: cur.Value(par), Default: Default().Value(par), Source: p.sources[par.Key], Scope: "restart"}
	switch {
	case par.Session:
		s.Scope = "session"
	case par.Dynamic:
		s.Scope = "system"
	}
	if cur.raw(par) != p.start.raw(par) {
		s.Modified, s.Source = true, "ALTER SYSTEM"
	}
	return s
}

// History returns the changes made since the start, oldest first (at most
// the last 1000).
func (p *Params) History() []Change {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.history)
}

// Set changes parameter name to value in scope, for user (recorded in the
// history). It returns the change, or a *ParamError; on error nothing
// changed. ScopeDefault means BOTH for a dynamic parameter and SPFILE for a
// static one when there is a configuration file, else MEMORY.
func (p *Params) Set(name, value string, scope Scope, user string) (Change, error) {
	return p.change(name, &value, scope, user)
}

// Reset returns parameter name to its default in scope: the running value
// becomes the built-in default, and the key is removed from the file.
func (p *Params) Reset(name string, scope Scope, user string) (Change, error) {
	return p.change(name, nil, scope, user)
}

// change is Set (value != nil) and Reset.
func (p *Params) change(name string, value *string, scope Scope, user string) (Change, error) {
	par, ok := Lookup(name)
	if !ok {
		return Change{}, unknownParam(name)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case scope != ScopeDefault:
	case p.file == "":
		scope = ScopeMemory
	case par.Dynamic:
		scope = ScopeBoth
	default:
		scope = ScopeSPFILE
	}
	memory, file := scope != ScopeSPFILE, scope != ScopeMemory
	if memory && !par.Dynamic {
		e := &ParamError{Kind: ErrNeedsRestart, Message: fmt.Sprintf("parameter %q cannot be changed without restarting the server", par.Name)}
		if p.file != "" {
			e.Hint = "Use SCOPE = SPFILE to change it in " + p.file + " for the next start."
		}
		return Change{}, e
	}
	if file && p.file == "" {
		return Change{}, &ParamError{Kind: ErrNoFile, Message: "the server runs on embedded defaults and has no configuration file to change",
			Hint: "Start the server with --config FILE to keep changes, or use SCOPE = MEMORY."}
	}
	cur := p.Current()
	ch := Change{Time: time.Now(), Name: par.Name, OldValue: cur.Value(par), Scope: scope, User: user}

	var next *Config
	if memory {
		n := *cur
		if err := n.assign(par, value); err != nil {
			return Change{}, err
		}
		if err := newProblems(par, cur, &n); err != nil {
			return Change{}, err
		}
		next, ch.NewValue = &n, n.Value(par)
	}
	if file {
		old, newValue, err := p.rewriteFile(par, value)
		if err != nil {
			return Change{}, err
		}
		if !memory {
			ch.OldValue, ch.NewValue = old, newValue
		}
	}
	if next != nil {
		p.cur.Store(next)
		for _, fn := range p.watch {
			fn(next)
		}
	}
	p.history = append(p.history, ch)
	if len(p.history) > maxHistory {
		p.history = slices.Delete(p.history, 0, len(p.history)-maxHistory)
	}
	return ch, nil
}

// assign sets par in c to value, or to its default when value is nil.
func (c *Config) assign(par *Param, value *string) error {
	text := Default().raw(par)
	if value != nil {
		text = *value
	}
	if err := c.setText(par, text); err != nil {
		return invalid(par, err.Error())
	}
	return nil
}

// rewriteFile changes par's line in the configuration file to value (nil
// removes it), after checking that the result loads. It returns the value
// the file gave before and gives now.
func (p *Params) rewriteFile(par *Param, value *string) (before, after string, err error) {
	data, err := os.ReadFile(p.file)
	if err != nil {
		return "", "", &ParamError{Kind: ErrFileIO, Message: fmt.Sprintf("cannot read the configuration file: %v", err)}
	}
	old, err := loadText(p.file, string(data))
	if err != nil {
		return "", "", invalid(par, "the configuration file does not load as it is; fix it first:\n"+err.Error())
	}
	var line *string
	if value != nil {
		n := *old
		if err := n.assign(par, value); err != nil {
			return "", "", err
		}
		v := n.tomlValue(par)
		line = &v
	}
	sec, key, _ := strings.Cut(par.Key, ".")
	text := setKey(string(data), sec, key, line)
	changed, err := loadText(p.file, text)
	if err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			reasons := make([]string, len(ve.Problems))
			for i, pr := range ve.Problems {
				reasons[i] = pr.Reason
				if pr.Key != par.Key {
					reasons[i] = pr.Key + ": " + pr.Reason
				}
			}
			return "", "", invalid(par, strings.Join(reasons, "; "))
		}
		return "", "", invalid(par, err.Error())
	}
	if err := writeFileAtomic(p.file, []byte(text)); err != nil {
		return "", "", &ParamError{Kind: ErrFileIO, Message: fmt.Sprintf("cannot write the configuration file: %v", err)}
	}
	return old.Value(par), changed.Value(par), nil
}
