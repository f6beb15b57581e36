// Package config holds RustyDB's server configuration: the built-in defaults,
// loading a TOML file on top of them, and validating the result.
//
// The server binary calls [Load] for --config FILE (and for --validate, which
// only reports the error), or [Default] when no file is given. Command-line
// flags override the file; applying them is the caller's job, after Load and
// followed by another [Config.Validate].
//
// Load reports every problem it finds at once (syntax, unknown keys with
// "did you mean" hints, wrong types, out-of-range values) as a
// [*ValidationError], one "FILE:LINE: KEY: REASON" per line.
//
// Keys, types, defaults and allowed values:
//
//	[instance]
//	name                            string  "rustydb"
//	mode                            string  "dev"         dev | prod
//	[server]
//	listen_host                     string  "127.0.0.1"
//	listen_port                     int     5432          1..65535
//	max_connections                 int     100           1..100000
//	query_timeout_ms                int     0             >= 0; 0 = no timeout
//	[api]
//	enabled                         bool    true
//	rest_port                       int     8080          1..65535
//	tokens_file                     string  ""            "" = <data_dir>/api_tokens; see below
//	[storage]
//	data_dir                        string  "./data"      non-empty
//	page_size                       int     8192          only 8192
//	buffer_pool_pages               int     16384         16..100000000
//	segment_rows                    int     65536         64..16777216; rows per column segment
//	autovacuum                      bool    true          vacuum tables whose dead rows exceed 50 + 20%
//	[memory]
//	buffer_pool_size                size    ""            "" = buffer_pool_pages*page_size; else >= 128KiB
//	work_mem                        size    "512MB"       >= 64KB
//	gc_percent                      int     400           -1..10000; -1 = collect only near gc_memory_limit
//	gc_memory_limit                 size    ""            "" = 75% of the machine's memory; else >= 64MB
//	[wal]
//	sync_mode                       string  "local"       local | off
//	max_segment_mb                  int     64            1..1024
//	checkpoint_interval_ms          int     300000        1000..86400000
//	dir                             string  ""            "" = <data_dir>/wal
//	[performance]
//	max_parallel_workers            int     0             0..1024; 0 = number of CPUs
//	max_parallel_workers_per_query  int     0             0..1024; 0 = max_parallel_workers
//	simd_enabled                    bool    true
//	io_uring_enabled                bool    true
//	[security]
//	tls_cert_file                   string  ""            PEM file; set together with tls_key_file
//	tls_key_file                    string  ""            PEM file; set together with tls_cert_file
//	require_tls                     bool    false         true needs tls_cert_file
//	auth_method                     string  ""            "" | trust | scram-sha-256 | md5; trust only in dev mode
//	password_encryption             string  ""            "" | scram-sha-256 | md5
//	admin_user                      string  "rustydb"     a role name, not "public" or "pg_..."
//	admin_password                  string  ""
//	[logging]
//	level                           string  "info"        debug | info | warn | error
//	format                          string  "text"        text | json
//	output                          string  "stdout"      stdout | stderr | file path
//	max_size_mb                     int     100           0..1048576; 0 = never rotate the file
//	max_files                       int     5             1..1000 rotated files kept
//	slow_query_threshold_ms         int     1000          >= -1; -1 = off, 0 = every statement
//	[monitoring]
//	enabled                         bool    true
//	prometheus_port                 int     9090          1..65535
//
// A size is a string such as "64MB", "1 GiB" or "512kb" (see [ParseSize]);
// KB/MB/GB/TB are binary units, the same as KiB/MiB/GiB/TiB.
// Relative paths are relative to the server's working directory.
//
// Every key is also a server parameter (see [Params] in params.go): SHOW,
// ALTER SYSTEM SET and the REST API read and change them by name.
//
// Logging: a log file (output = a path) is rotated when a write would take
// it past max_size_mb: server.log becomes server.log.1, the older ones move
// up, and files beyond max_files are removed. A statement that runs at
// least slow_query_threshold_ms is logged at WARN (the slow-query log), as
// PostgreSQL's log_min_duration_statement does: -1 turns it off, 0 logs
// every statement.
//
// Security: with tls_cert_file and tls_key_file set the server accepts TLS
// (1.2 or later) from clients that ask for it. The files are loaded by
// [Config.TLSConfig], which the server calls at start and for --validate;
// Load and Validate only check the settings, so that a file naming paths of
// another machine still loads. require_tls refuses connections without TLS.
// auth_method "" means trust in dev mode and scram-sha-256 in prod mode
// ([Config.AuthMethod]); trust admits only connections from this machine,
// others must give a password. md5 uses md5 for roles whose password was
// stored with an md5 hash and SCRAM for the others, as PostgreSQL does.
// password_encryption says how CREATE and ALTER ROLE store passwords: ""
// means md5 when auth_method is md5, else scram-sha-256
// ([Config.PasswordEncryption]); a SCRAM verifier is always stored, md5
// adds the md5 hash. admin_user is the superuser the server creates in a
// data directory without roles, with the password from --admin-password,
// $RUSTYDB_ADMIN_PASSWORD or admin_password (in that order).
//
// REST API tokens: requests to the REST API carry "Authorization: Bearer
// TOKEN", except GET /api/v1/admin/health, /admin/version and
// /openapi.json, and except, in dev mode, requests from this machine.
// tokens_file names the file of the hashes of the tokens the API accepts
// (format in tokens.go, read with [ReadTokens]; --validate checks it too).
// When the file does not exist at start, the server creates it with one
// token, "admin", and writes that token once to admin_api_token in the data
// directory (mode 0600); the log says where, never the token. More tokens
// come from POST /api/v1/admin/tokens or from a hash added by hand.
package config

import (
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Config is the complete server configuration.
type Config struct {
	Instance    Instance    `toml:"instance"`
	Server      Server      `toml:"server"`
	API         API         `toml:"api"`
	Storage     Storage     `toml:"storage"`
	Memory      Memory      `toml:"memory"`
	WAL         WAL         `toml:"wal"`
	Performance Performance `toml:"performance"`
	Security    Security    `toml:"security"`
	Logging     Logging     `toml:"logging"`
	Monitoring  Monitoring  `toml:"monitoring"`
	// Source says where the configuration came from: "embedded defaults" or the file path.
	Source string `toml:"-"`
}

// Instance identifies this server.
type Instance struct {
	Name string `toml:"name"`
	Mode string `toml:"mode"`
}

// Server configures the PostgreSQL wire-protocol listener.
type Server struct {
	ListenHost     string `toml:"listen_host"`
	ListenPort     int    `toml:"listen_port"`
	MaxConnections int    `toml:"max_connections"`
	QueryTimeoutMs int    `toml:"query_timeout_ms"`
}

// API configures the REST API listener.
type API struct {
	Enabled    bool   `toml:"enabled"`
	RestPort   int    `toml:"rest_port"`
	TokensFile string `toml:"tokens_file"`
}

// Storage configures the on-disk data files.
type Storage struct {
	DataDir         string `toml:"data_dir"`
	PageSize        int    `toml:"page_size"`
	BufferPoolPages int    `toml:"buffer_pool_pages"`
	SegmentRows     int    `toml:"segment_rows"`
	Autovacuum      bool   `toml:"autovacuum"`
}

// Memory holds memory budgets as size strings; see [ParseSize].
type Memory struct {
	BufferPoolSize string `toml:"buffer_pool_size"`
	WorkMem        string `toml:"work_mem"`
	// The Go runtime's garbage collector (server only): a cycle starts when
	// the heap has grown by GCPercent since the last one, or nears
	// GCMemoryLimit.
	GCPercent     int    `toml:"gc_percent"`
	GCMemoryLimit string `toml:"gc_memory_limit"`
}

// WAL configures the write-ahead log.
type WAL struct {
	SyncMode             string `toml:"sync_mode"`
	MaxSegmentMB         int    `toml:"max_segment_mb"`
	CheckpointIntervalMs int    `toml:"checkpoint_interval_ms"`
	Dir                  string `toml:"dir"`
}

// Performance configures parallelism and optional fast paths.
type Performance struct {
	MaxParallelWorkers         int  `toml:"max_parallel_workers"`
	MaxParallelWorkersPerQuery int  `toml:"max_parallel_workers_per_query"`
	SIMDEnabled                bool `toml:"simd_enabled"`
	IOUringEnabled             bool `toml:"io_uring_enabled"`
}

// Security configures TLS and client authentication.
type Security struct {
	TLSCertFile        string `toml:"tls_cert_file"`
	TLSKeyFile         string `toml:"tls_key_file"`
	RequireTLS         bool   `toml:"require_tls"`
	AuthMethod         string `toml:"auth_method"`
	PasswordEncryption string `toml:"password_encryption"`
	AdminUser          string `toml:"admin_user"`
	AdminPassword      string `toml:"admin_password"`
}

// Logging configures the server log.
type Logging struct {
	Level                string `toml:"level"`
	Format               string `toml:"format"`
	Output               string `toml:"output"`
	MaxSizeMB            int    `toml:"max_size_mb"`
	MaxFiles             int    `toml:"max_files"`
	SlowQueryThresholdMs int    `toml:"slow_query_threshold_ms"`
}

// Monitoring configures the Prometheus metrics endpoint.
type Monitoring struct {
	Enabled        bool `toml:"enabled"`
	PrometheusPort int  `toml:"prometheus_port"`
}

// Default returns the built-in configuration.
func Default() *Config {
	return &Config{
		Instance: Instance{Name: "rustydb", Mode: "dev"},
		Server: Server{
			ListenHost:     "127.0.0.1",
			ListenPort:     5432,
			MaxConnections: 100,
		},
		API:     API{Enabled: true, RestPort: 8080},
		Storage: Storage{DataDir: "./data", PageSize: 8192, BufferPoolPages: 16384, SegmentRows: 65536, Autovacuum: true},
		Memory:  Memory{WorkMem: "512MB", GCPercent: 400},
		WAL: WAL{
			SyncMode:             "local",
			MaxSegmentMB:         64,
			CheckpointIntervalMs: 300000,
		},
		Performance: Performance{SIMDEnabled: true, IOUringEnabled: true},
		Security:    Security{AdminUser: "rustydb"},
		Logging: Logging{
			Level:                "info",
			Format:               "text",
			Output:               "stdout",
			MaxSizeMB:            100,
			MaxFiles:             5,
			SlowQueryThresholdMs: 1000,
		},
		Monitoring: Monitoring{Enabled: true, PrometheusPort: 9090},
		Source:     "embedded defaults",
	}
}

// Problem is one thing wrong with a configuration.
type Problem struct {
	File   string // empty when not from a file
	Line   int    // 1-based; 0 when unknown
	Key    string // e.g. "server.listen_port"; empty for syntax errors
	Reason string
}

// String formats p as "FILE:LINE: KEY: REASON", leaving out the parts that are unknown.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
	} else if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	b.WriteString(p.Reason)
	return b.String()
}

// ValidationError lists every problem found in a configuration.
type ValidationError struct {
	Problems []Problem
}

// Error returns one problem per line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Load reads the TOML file at path over the defaults and validates the result.
// A file that cannot be read gives a plain error wrapping the os error;
// anything wrong with its contents gives a *ValidationError listing all problems.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: cannot read config file: %w", err)
	}
	return loadText(path, string(data))
}

// loadText is Load of the contents text of the file at path.
func loadText(path, text string) (*Config, error) {
	var doc map[string]any
	if _, err := toml.Decode(text, &doc); err != nil {
		p := Problem{File: path, Reason: err.Error()}
		var pe toml.ParseError
		if errors.As(err, &pe) {
			p.Line, p.Reason = pe.Position.Line, pe.Message
			// The parser counts an offending newline as part of the next line,
			// but the mistake is on the line it ends.
			if at := pe.Position.Start; at < len(text) && text[at] == '\n' {
				p.Line--
			}
		}
		return nil, &ValidationError{Problems: []Problem{p}}
	}

	c := Default()
	c.Source = path
	problems := c.apply(doc)
	var ve *ValidationError
	if errors.As(c.Validate(), &ve) {
		problems = append(problems, ve.Problems...)
	}
	if len(problems) == 0 {
		return c, nil
	}

	lines := keyLines(text)
	for i := range problems {
		p := &problems[i]
		p.File = path
		// A problem with a key the file does not set (e.g. a missing TLS key)
		// points at the section header instead.
		if l, ok := lines[p.Key]; ok {
			p.Line = l
		} else if sec, _, ok := strings.Cut(p.Key, "."); ok {
			p.Line = lines[sec]
		}
	}
	// Report in file order; problems without a line go last.
	slices.SortStableFunc(problems, func(a, b Problem) int {
		return lineOrder(a.Line) - lineOrder(b.Line)
	})
	return nil, &ValidationError{Problems: problems}
}

// lineOrder sorts unknown lines (0) after every known one.
func lineOrder(line int) int {
	if line == 0 {
		return math.MaxInt32
	}
	return line
}

// section describes one [section] of Config, derived from the struct tags so
// that the known keys cannot drift from the struct.
type section struct {
	field int            // index of the section in Config
	keys  map[string]int // TOML key -> index of the field in the section struct
}

var sections = func() map[string]section {
	m := map[string]section{}
	t := reflect.TypeFor[Config]()
	for i := range t.NumField() {
		f := t.Field(i)
		name := f.Tag.Get("toml")
		if name == "-" {
			continue
		}
		s := section{field: i, keys: map[string]int{}}
		for j := range f.Type.NumField() {
			s.keys[f.Type.Field(j).Tag.Get("toml")] = j
		}
		m[name] = s
	}
	return m
}()

// apply copies the values of the decoded file into c, reporting unknown keys
// and values of the wrong type (which are left at their defaults, so that
// Validate can still check everything else).
func (c *Config) apply(doc map[string]any) []Problem {
	var problems []Problem
	root := reflect.ValueOf(c).Elem()
	for _, name := range slices.Sorted(maps.Keys(doc)) {
		s, ok := sections[name]
		if !ok {
			problems = append(problems, unknown("", name, doc[name]))
			continue
		}
		table, ok := doc[name].(map[string]any)
		if !ok {
			problems = append(problems, Problem{Key: name, Reason: "expected table, got " + tomlType(doc[name])})
			continue
		}
		for _, key := range slices.Sorted(maps.Keys(table)) {
			i, ok := s.keys[key]
			if !ok {
				problems = append(problems, unknown(name, key, table[key]))
				continue
			}
			dst := root.Field(s.field).Field(i)
			want := tomlTypeOf[dst.Kind()]
			if got := tomlType(table[key]); got != want {
				problems = append(problems, Problem{Key: name + "." + key, Reason: fmt.Sprintf("expected %s, got %s", want, got)})
				continue
			}
			dst.Set(reflect.ValueOf(table[key]).Convert(dst.Type()))
		}
	}
	return problems
}

// tomlTypeOf names the TOML type that each kind of Config field takes.
var tomlTypeOf = map[reflect.Kind]string{reflect.Int: "integer", reflect.Bool: "boolean", reflect.String: "string"}

// tomlType names the TOML type of a value decoded into an any.
func tomlType(v any) string {
	switch v.(type) {
	case int64:
		return "integer"
	case float64:
		return "float"
	case string:
		return "string"
	case bool:
		return "boolean"
	case map[string]any:
		return "table"
	case []any, []map[string]any:
		return "array"
	default: // time.Time is the only other type the decoder produces.
		return "datetime"
	}
}

// unknown reports key (in section sec, or at the top level when sec is "")
// with a suggestion when a known name is a near miss.
func unknown(sec, key string, v any) Problem {
	full := key
	if sec != "" {
		full = sec + "." + key
	}
	reason := "unknown key"
	switch v.(type) {
	case map[string]any, []map[string]any: // [table] or [[array of tables]]
		reason = "unknown section"
	}
	if s := suggest(sec, key); s != "" {
		reason += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return Problem{Key: full, Reason: reason}
}

// suggest returns the known name closest to key within edit distance 2, or "".
// Inside a section it looks at that section's keys; at the top level it looks
// at section names and also at every key, since a key written above the first
// header (or with its header misspelt) is a common mistake.
func suggest(sec, key string) string {
	var candidates []string
	if sec != "" {
		candidates = slices.Sorted(maps.Keys(sections[sec].keys))
	} else {
		for _, name := range slices.Sorted(maps.Keys(sections)) {
			candidates = append(candidates, name)
			for _, k := range slices.Sorted(maps.Keys(sections[name].keys)) {
				candidates = append(candidates, name+"."+k)
			}
		}
	}
	best, bestDist := "", 3
	for _, cand := range candidates {
		short := cand[strings.LastIndexByte(cand, '.')+1:]
		if d := editDistance(strings.ToLower(key), short); d < bestDist {
			best, bestDist = cand, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// keyLines maps "section" and "section.key" to the line where they first
// appear. The decoder does not expose positions, and config files are flat,
// so a line scanner is enough; keys it cannot place get line 0.
func keyLines(text string) map[string]int {
	lines := map[string]int{}
	sec := ""
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		var name string
		switch {
		case strings.HasPrefix(line, "["):
			head, _, _ := strings.Cut(line, "]")
			sec = normalizeKey(strings.TrimLeft(head, "["))
			name = sec
		case strings.Contains(line, "=") && !strings.HasPrefix(line, "#"):
			k, _, _ := strings.Cut(line, "=")
			name = normalizeKey(k)
			if sec != "" {
				name = sec + "." + name
			}
		default:
			continue
		}
		if _, ok := lines[name]; !ok {
			lines[name] = i + 1
		}
	}
	return lines
}

// normalizeKey turns ` server . "listen_port" ` into server.listen_port.
func normalizeKey(k string) string {
	parts := strings.Split(k, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}

// Validate checks ranges and allowed values, returning a *ValidationError
// listing every problem, or nil.
func (c *Config) Validate() error {
	var v validator

	v.oneOf("instance.mode", c.Instance.Mode, "dev", "prod")

	v.inRange("server.listen_port", c.Server.ListenPort, 1, 65535)
	v.inRange("server.max_connections", c.Server.MaxConnections, 1, 100000)
	v.atLeast("server.query_timeout_ms", c.Server.QueryTimeoutMs, 0)

	v.inRange("api.rest_port", c.API.RestPort, 1, 65535)
	if strings.HasSuffix(c.API.TokensFile, "/") {
		v.add("api.tokens_file", "%q names a directory; name the file", c.API.TokensFile)
	}

	v.nonEmpty("storage.data_dir", c.Storage.DataDir)
	if c.Storage.PageSize != 8192 {
		v.add("storage.page_size", "%d is not supported (only 8192 is supported)", c.Storage.PageSize)
	}
	v.inRange("storage.buffer_pool_pages", c.Storage.BufferPoolPages, 16, 100000000)
	v.inRange("storage.segment_rows", c.Storage.SegmentRows, 64, 1<<24)

	if c.Memory.BufferPoolSize != "" {
		// Same floor as buffer_pool_pages, so either way the pool has 16 pages.
		v.size("memory.buffer_pool_size", c.Memory.BufferPoolSize, "128KiB")
	}
	v.size("memory.work_mem", c.Memory.WorkMem, "64KiB")
	v.inRange("memory.gc_percent", c.Memory.GCPercent, -1, 10000)
	if c.Memory.GCMemoryLimit != "" {
		v.size("memory.gc_memory_limit", c.Memory.GCMemoryLimit, "64MiB")
	}

	v.oneOf("wal.sync_mode", c.WAL.SyncMode, "local", "off")
	v.inRange("wal.max_segment_mb", c.WAL.MaxSegmentMB, 1, 1024)
	v.inRange("wal.checkpoint_interval_ms", c.WAL.CheckpointIntervalMs, 1000, 86400000)

	v.inRange("performance.max_parallel_workers", c.Performance.MaxParallelWorkers, 0, 1024)
	v.inRange("performance.max_parallel_workers_per_query", c.Performance.MaxParallelWorkersPerQuery, 0, 1024)

	// TLS needs both halves of the key pair; one alone is a typo, not a choice.
	if c.Security.TLSCertFile != "" && c.Security.TLSKeyFile == "" {
		v.add("security.tls_key_file", "must be set when tls_cert_file is set")
	}
	if c.Security.TLSKeyFile != "" && c.Security.TLSCertFile == "" {
		v.add("security.tls_cert_file", "must be set when tls_key_file is set")
	}
	if c.Security.RequireTLS && c.Security.TLSCertFile == "" {
		v.add("security.require_tls", "needs tls_cert_file and tls_key_file")
	}
	if c.Security.AuthMethod != "" {
		v.oneOf("security.auth_method", c.Security.AuthMethod, "trust", "scram-sha-256", "md5")
	}
	if c.Security.AuthMethod == "trust" && c.Instance.Mode == "prod" {
		v.add("security.auth_method", `"trust" is not allowed in prod mode (use scram-sha-256 or md5)`)
	}
	if c.Security.PasswordEncryption != "" {
		v.oneOf("security.password_encryption", c.Security.PasswordEncryption, "scram-sha-256", "md5")
	}
	switch name := c.Security.AdminUser; {
	case name == "":
		v.add("security.admin_user", "must not be empty")
	case name == "public" || name == "none" || strings.HasPrefix(name, "pg_"):
		v.add("security.admin_user", "%q is a reserved role name", name)
	}

	v.oneOf("logging.level", c.Logging.Level, "debug", "info", "warn", "error")
	v.oneOf("logging.format", c.Logging.Format, "text", "json")
	if c.Logging.Output == "" {
		v.add("logging.output", "must not be empty (stdout, stderr or a file path)")
	}
	v.inRange("logging.max_size_mb", c.Logging.MaxSizeMB, 0, 1<<20)
	v.inRange("logging.max_files", c.Logging.MaxFiles, 1, 1000)
	v.atLeast("logging.slow_query_threshold_ms", c.Logging.SlowQueryThresholdMs, -1)

	v.inRange("monitoring.prometheus_port", c.Monitoring.PrometheusPort, 1, 65535)

	if len(v.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: v.problems}
}

// validator collects problems so that Validate reports all of them.
type validator struct {
	problems []Problem
}

func (v *validator) add(key, format string, args ...any) {
	v.problems = append(v.problems, Problem{Key: key, Reason: fmt.Sprintf(format, args...)})
}

func (v *validator) inRange(key string, n, lo, hi int) {
	if n < lo || n > hi {
		v.add(key, "%d is out of range (%d..%d)", n, lo, hi)
	}
}

func (v *validator) atLeast(key string, n, lo int) {
	if n < lo {
		v.add(key, "%d is out of range (must be >= %d)", n, lo)
	}
}

func (v *validator) oneOf(key, s string, allowed ...string) {
	if !slices.Contains(allowed, s) {
		v.add(key, "%q is not one of %s", s, strings.Join(allowed, ", "))
	}
}

func (v *validator) nonEmpty(key, s string) {
	if s == "" {
		v.add(key, "must not be empty")
	}
}

// size checks that s parses and is at least min, itself a size constant.
func (v *validator) size(key, s, min string) {
	n, err := ParseSize(s)
	lo, _ := ParseSize(min)
	switch {
	case err != nil:
		v.add(key, "%v", err)
	case n < lo:
		v.add(key, "%q is too small (minimum %s)", s, min)
	}
}

var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"kb": 1 << 10, "kib": 1 << 10,
	"mb": 1 << 20, "mib": 1 << 20,
	"gb": 1 << 30, "gib": 1 << 30,
	"tb": 1 << 40, "tib": 1 << 40,
}

// ParseSize parses a size such as "64MB", "1 GiB" or "4096" into bytes.
// Units are B, KB, MB, GB, TB and KiB, MiB, GiB, TiB, case-insensitive, with
// an optional space before them; KB and KiB both mean 1024, as in PostgreSQL.
// A plain integer is a number of bytes.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	digits := len(t) - len(strings.TrimLeft(t, "0123456789"))
	if digits == 0 {
		return 0, fmt.Errorf("invalid size %q: want a whole number with an optional unit, like 64MB or 512KiB", s)
	}
	unit, ok := sizeUnits[strings.ToLower(strings.TrimSpace(t[digits:]))]
	if !ok {
		return 0, fmt.Errorf("invalid size %q: unknown unit (use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)", s)
	}
	n, err := strconv.ParseInt(t[:digits], 10, 64)
	if err != nil || n > math.MaxInt64/unit {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	return n * unit, nil
}

// BufferPoolBytes returns the buffer pool size in bytes: memory.buffer_pool_size
// if set, else storage.buffer_pool_pages*storage.page_size. It expects a
// validated Config; an unparsable buffer_pool_size falls back to the pages.
func (c *Config) BufferPoolBytes() int64 {
	if c.Memory.BufferPoolSize != "" {
		if n, err := ParseSize(c.Memory.BufferPoolSize); err == nil {
			return n
		}
	}
	return int64(c.Storage.BufferPoolPages) * int64(c.Storage.PageSize)
}

// AuthMethod returns security.auth_method, resolving "" by the mode: trust
// in dev mode, scram-sha-256 in prod mode.
func (c *Config) AuthMethod() string {
	switch {
	case c.Security.AuthMethod != "":
		return c.Security.AuthMethod
	case c.Instance.Mode == "prod":
		return "scram-sha-256"
	}
	return "trust"
}

// PasswordEncryption returns security.password_encryption, resolving "" to
// md5 when the auth method is md5 and to scram-sha-256 otherwise.
func (c *Config) PasswordEncryption() string {
	switch {
	case c.Security.PasswordEncryption != "":
		return c.Security.PasswordEncryption
	case c.AuthMethod() == "md5":
		return "md5"
	}
	return "scram-sha-256"
}

// TLSConfig loads the certificate and key named by security.tls_cert_file
// and security.tls_key_file into a server TLS configuration (TLS 1.2 or
// later). It returns nil, nil when TLS is not configured, and a
// *ValidationError naming the key when a file cannot be read or the two do
// not form a key pair.
func (c *Config) TLSConfig() (*tls.Config, error) {
	if c.Security.TLSCertFile == "" {
		return nil, nil
	}
	var v validator
	cert, err1 := os.ReadFile(c.Security.TLSCertFile)
	if err1 != nil {
		v.add("security.tls_cert_file", "cannot read the certificate: %v", err1)
	}
	key, err2 := os.ReadFile(c.Security.TLSKeyFile)
	if err2 != nil {
		v.add("security.tls_key_file", "cannot read the private key: %v", err2)
	}
	if len(v.problems) == 0 {
		pair, err := tls.X509KeyPair(cert, key)
		if err == nil {
			return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
		}
		v.add("security.tls_key_file", "not a PEM certificate and matching private key with tls_cert_file: %v", err)
	}
	for i := range v.problems {
		if c.Source != Default().Source {
			v.problems[i].File = c.Source
		}
	}
	return nil, &ValidationError{Problems: v.problems}
}

// WALDir returns wal.dir, or <storage.data_dir>/wal when it is empty.
func (c *Config) WALDir() string {
	if c.WAL.Dir != "" {
		return c.WAL.Dir
	}
	return filepath.Join(c.Storage.DataDir, "wal")
}
