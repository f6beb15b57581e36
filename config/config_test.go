package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	if c.Source != "embedded defaults" {
		t.Errorf("Source = %q", c.Source)
	}
	if got, want := c.BufferPoolBytes(), int64(16384*8192); got != want {
		t.Errorf("BufferPoolBytes() = %d, want %d", got, want)
	}
	if got, want := c.WALDir(), filepath.Join("data", "wal"); got != want {
		t.Errorf("WALDir() = %q, want %q", got, want)
	}
}

func TestLoadFull(t *testing.T) {
	path := filepath.Join("testdata", "full.toml")
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Instance: Instance{Name: "rustydb-prod-1", Mode: "prod"},
		Server:   Server{ListenHost: "0.0.0.0", ListenPort: 5433, MaxConnections: 500, QueryTimeoutMs: 30000},
		API:      API{Enabled: false, RestPort: 8081, TokensFile: "/etc/rustydb/api_tokens"},
		Storage:  Storage{DataDir: "/var/lib/rustydb", PageSize: 8192, BufferPoolPages: 4096, SegmentRows: 4096},
		Memory:   Memory{BufferPoolSize: "1GB", WorkMem: "128MB", GCPercent: 300, GCMemoryLimit: "8GB"},
		WAL:      WAL{SyncMode: "local", MaxSegmentMB: 128, CheckpointIntervalMs: 60000, Dir: "/var/lib/rustydb-wal"},
		Performance: Performance{
			MaxParallelWorkers: 16, MaxParallelWorkersPerQuery: 4, SIMDEnabled: false, IOUringEnabled: false,
		},
		Security: Security{
			TLSCertFile: "/etc/rustydb/server.crt", TLSKeyFile: "/etc/rustydb/server.key", RequireTLS: true,
			AuthMethod: "scram-sha-256", PasswordEncryption: "scram-sha-256", AdminUser: "dba",
		},
		Logging: Logging{Level: "warn", Format: "json", Output: "/var/log/rustydb/server.log",
			MaxSizeMB: 50, MaxFiles: 10, SlowQueryThresholdMs: 250},
		Monitoring: Monitoring{Enabled: true, PrometheusPort: 9187},
		Source:     path,
	}
	if *c != *want {
		t.Errorf("Load(%s) =\n%+v\nwant\n%+v", path, *c, *want)
	}
	if got := c.BufferPoolBytes(); got != 1<<30 {
		t.Errorf("BufferPoolBytes() = %d, want 1GiB", got)
	}
	if got := c.WALDir(); got != "/var/lib/rustydb-wal" {
		t.Errorf("WALDir() = %q", got)
	}
}

// TestLoadPartial checks that keys the file leaves out keep their defaults.
func TestLoadPartial(t *testing.T) {
	c, err := Load(writeFile(t, "[server]\nlisten_port = 6000\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Server.ListenPort = 6000
	want.Source = c.Source
	if *c != *want {
		t.Errorf("got %+v, want %+v", *c, *want)
	}
}

func TestLoadProblems(t *testing.T) {
	f := func(name, toml string, wantSubstrings ...string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, toml)
			c, err := Load(path)
			if len(wantSubstrings) == 0 {
				if err != nil {
					t.Fatalf("unexpected error:\n%v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Load() = %v, %v; want *ValidationError", c, err)
			}
			if c != nil {
				t.Errorf("Load() returned a config along with the error")
			}
			msg := strings.ReplaceAll(err.Error(), path, "FILE")
			for _, want := range wantSubstrings {
				if !strings.Contains(msg, want) {
					t.Errorf("error does not contain %q:\n%s", want, msg)
				}
			}
		})
	}

	f("empty file", "")
	f("comments only", "# nothing here\n")
	f("dotted and quoted keys", "server.listen_port = 5433\n[wal]\n\"dir\" = \"/w\"\n")

	f("unknown key with suggestion", "[server]\nlisten_prot = 5432\n",
		`FILE:2: server.listen_prot: unknown key (did you mean "listen_port"?)`)
	f("unknown key, wrong case", "[logging]\nLevel = \"info\"\n",
		`FILE:2: logging.Level: unknown key (did you mean "level"?)`)
	f("unknown key without suggestion", "[server]\nfoo_bar_baz = 1\n",
		"FILE:2: server.foo_bar_baz: unknown key")
	f("unknown section", "[replication]\nfactor = 3\n",
		"FILE:1: replication: unknown section")
	f("unknown array of tables", "[[users]]\nname = \"a\"\n",
		"FILE:1: users: unknown section")
	f("misspelt section", "[sever]\nlisten_port = 1\n",
		`FILE:1: sever: unknown section (did you mean "server"?)`)
	f("nested section", "[server.tls]\ncert = \"x\"\n",
		"FILE:1: server.tls: unknown section")
	f("key above every section", "listen_port = 5432\n",
		`FILE:1: listen_port: unknown key (did you mean "server.listen_port"?)`)
	f("section given as a value", "server = 5\n",
		"FILE:1: server: expected table, got integer")

	f("wrong type string for integer", "[server]\nlisten_port = \"abc\"\n",
		"FILE:2: server.listen_port: expected integer, got string")
	f("wrong type integer for bool", "[api]\nenabled = 1\n",
		"FILE:2: api.enabled: expected boolean, got integer")
	f("wrong type float", "[wal]\nmax_segment_mb = 64.5\n",
		"FILE:2: wal.max_segment_mb: expected integer, got float")
	f("wrong type array", "[logging]\nlevel = [\"info\"]\n",
		"FILE:2: logging.level: expected string, got array")
	f("wrong type table", "[server]\nlisten_port = { port = 1 }\n",
		"FILE:2: server.listen_port: expected integer, got table")
	f("wrong type integer for size", "[memory]\nwork_mem = 65536\n",
		"FILE:2: memory.work_mem: expected string, got integer")
	f("wrong type datetime", "[instance]\nname = 2024-01-01\n",
		"FILE:2: instance.name: expected string, got datetime")

	f("port out of range", "[server]\nlisten_port = 5432000\n",
		"FILE:2: server.listen_port: 5432000 is out of range (1..65535)")
	f("port zero", "[monitoring]\nprometheus_port = 0\n",
		"FILE:2: monitoring.prometheus_port: 0 is out of range (1..65535)")
	f("negative timeout", "[server]\nquery_timeout_ms = -1\n",
		"FILE:2: server.query_timeout_ms: -1 is out of range (must be >= 0)")
	f("page size", "[storage]\npage_size = 4096\n",
		"FILE:2: storage.page_size: 4096 is not supported (only 8192 is supported)")
	f("slow query log off", "[logging]\nslow_query_threshold_ms = -1\n")
	f("slow query threshold below -1", "[logging]\nslow_query_threshold_ms = -2\n",
		"FILE:2: logging.slow_query_threshold_ms: -2 is out of range (must be >= -1)")
	f("no log files kept", "[logging]\nmax_files = 0\n",
		"FILE:2: logging.max_files: 0 is out of range (1..1000)")
	f("negative log size", "[logging]\nmax_size_mb = -5\n",
		"FILE:2: logging.max_size_mb: -5 is out of range (0..1048576)")
	f("checkpoint too short", "[wal]\ncheckpoint_interval_ms = 10\n",
		"FILE:2: wal.checkpoint_interval_ms: 10 is out of range (1000..86400000)")
	f("empty data dir", "[storage]\ndata_dir = \"\"\n",
		"FILE:2: storage.data_dir: must not be empty")
	f("bad size", "[memory]\nwork_mem = \"lots\"\n",
		`FILE:2: memory.work_mem: invalid size "lots"`)
	f("size too small", "[memory]\nwork_mem = \"1KB\"\n",
		`FILE:2: memory.work_mem: "1KB" is too small (minimum 64KiB)`)
	f("buffer pool too small", "[memory]\nbuffer_pool_size = \"8KB\"\n",
		`FILE:2: memory.buffer_pool_size: "8KB" is too small (minimum 128KiB)`)
	f("tls cert without key", "[security]\ntls_cert_file = \"a.crt\"\n",
		"FILE:1: security.tls_key_file: must be set when tls_cert_file is set")

	f("tls key without cert", "[security]\ntls_key_file = \"a.key\"\n",
		"FILE:1: security.tls_cert_file: must be set when tls_key_file is set")
	f("inline table", "server = { listen_port = \"x\" }\n",
		"FILE:1: server.listen_port: expected integer, got string")
	f("array of tables", "[[server]]\nlisten_port = 1\n",
		"FILE:1: server: expected table, got array")
	f("problems without a line go last", "security.tls_cert_file = \"a.crt\"\n[wal]\nsync_mode = \"x\"\n",
		"FILE:3: wal.sync_mode: \"x\" is not one of local, off\n"+
			"FILE: security.tls_key_file: must be set when tls_cert_file is set")

	f("bad enum", "[wal]\nsync_mode = \"fast\"\n",
		`FILE:2: wal.sync_mode: "fast" is not one of local, off`)
	f("bad enum auth", "[security]\nauth_method = \"password\"\n",
		`FILE:2: security.auth_method: "password" is not one of trust, scram-sha-256, md5`)
	f("trust in prod", "[instance]\nmode = \"prod\"\n[security]\nauth_method = \"trust\"\n",
		`FILE:4: security.auth_method: "trust" is not allowed in prod mode (use scram-sha-256 or md5)`)
	f("bad enum password encryption", "[security]\npassword_encryption = \"sha1\"\n",
		`FILE:2: security.password_encryption: "sha1" is not one of scram-sha-256, md5`)
	f("require tls without cert", "[security]\nrequire_tls = true\n",
		"FILE:2: security.require_tls: needs tls_cert_file and tls_key_file")
	f("empty admin user", "[security]\nadmin_user = \"\"\n", "FILE:2: security.admin_user: must not be empty")
	f("reserved admin user", "[security]\nadmin_user = \"pg_admin\"\n",
		`FILE:2: security.admin_user: "pg_admin" is a reserved role name`)
	f("bad enum mode", "[instance]\nmode = \"production\"\n",
		`FILE:2: instance.mode: "production" is not one of dev, prod`)

	f("multiple problems in file order", `# several mistakes at once
[server]
listen_port = 70000
max_connections = "many"

[wal]
sync_mode = "fast"
max_segmnt_mb = 64

[colour]
x = 1
`,
		"FILE:3: server.listen_port: 70000 is out of range (1..65535)\n"+
			"FILE:4: server.max_connections: expected integer, got string\n"+
			"FILE:7: wal.sync_mode: \"fast\" is not one of local, off\n"+
			"FILE:8: wal.max_segmnt_mb: unknown key (did you mean \"max_segment_mb\"?)\n"+
			"FILE:10: colour: unknown section")

	f("syntax error", "[server]\nlisten_port = 5432\nlisten_host = 127.0.0.1\n",
		"FILE:3: ")
	f("syntax error unclosed header", "[server]\nlisten_port = 5432\n[api\nenabled = true\n",
		"FILE:3: expected '.' or ']' to end table name")
	f("syntax error duplicate key", "[server]\nlisten_port = 1\nlisten_port = 2\n",
		"FILE:3: ", "listen_port")
}

func TestLoadSyntaxErrorIsShort(t *testing.T) {
	_, err := Load(writeFile(t, "[server]\nlisten_port 5432\n"))
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 1 {
		t.Fatalf("Load() error = %v, want one problem", err)
	}
	p := ve.Problems[0]
	if p.Line != 2 || p.Key != "" || p.Reason == "" || strings.Contains(p.Reason, "\n") {
		t.Errorf("problem = %+v, want line 2, no key, a one-line reason", p)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.toml")
	_, err := Load(path)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load() error = %v, want fs.ErrNotExist", err)
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		t.Errorf("missing file reported as a validation error")
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
}

func TestValidateReportsAll(t *testing.T) {
	c := Default()
	c.Server.ListenPort = 0
	c.Logging.Level = "loud"
	c.Logging.Output = ""
	err := c.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate() = %v, want *ValidationError", err)
	}
	want := "server.listen_port: 0 is out of range (1..65535)\n" +
		`logging.level: "loud" is not one of debug, info, warn, error` + "\n" +
		"logging.output: must not be empty (stdout, stderr or a file path)"
	if err.Error() != want {
		t.Errorf("Validate() =\n%s\nwant\n%s", err, want)
	}
}

func TestProblemString(t *testing.T) {
	f := func(p Problem, want string) {
		t.Helper()
		if got := p.String(); got != want {
			t.Errorf("%+v.String() = %q, want %q", p, got, want)
		}
	}
	f(Problem{File: "a.toml", Line: 3, Key: "server.listen_port", Reason: "bad"}, "a.toml:3: server.listen_port: bad")
	f(Problem{File: "a.toml", Key: "server.listen_port", Reason: "bad"}, "a.toml: server.listen_port: bad")
	f(Problem{File: "a.toml", Line: 3, Reason: "syntax"}, "a.toml:3: syntax")
	f(Problem{Key: "server.listen_port", Reason: "bad"}, "server.listen_port: bad")
	f(Problem{Line: 3, Key: "server.listen_port", Reason: "bad"}, "line 3: server.listen_port: bad")
}

func TestParseSize(t *testing.T) {
	f := func(in string, want int64) {
		t.Helper()
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	f("0", 0)
	f("4096", 4096)
	f("100B", 100)
	f("64KB", 64<<10)
	f("64MB", 64<<20)
	f("1GB", 1<<30)
	f("2TB", 2<<40)
	f("512KiB", 512<<10)
	f("8MiB", 8<<20)
	f("3GiB", 3<<30)
	f("1TiB", 1<<40)
	f("64mb", 64<<20)
	f("1 GiB", 1<<30)
	f("  16 kb  ", 16<<10)
	f("8388607TiB", 8388607<<40)

	bad := func(in string) {
		t.Helper()
		if got, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, got)
		}
	}
	bad("")
	bad("MB")
	bad("-1MB")
	bad("1.5GB")
	bad("10 furlongs")
	bad("64M")
	bad("8388608TiB")
	bad("99999999999999999999")
}

func TestBufferPoolBytesAndWALDir(t *testing.T) {
	c := Default()
	c.Storage.BufferPoolPages = 16
	if got := c.BufferPoolBytes(); got != 16*8192 {
		t.Errorf("BufferPoolBytes() from pages = %d", got)
	}
	c.Memory.BufferPoolSize = "256MiB"
	if got := c.BufferPoolBytes(); got != 256<<20 {
		t.Errorf("BufferPoolBytes() from size = %d", got)
	}

	c.Storage.DataDir = "/srv/db"
	if got, want := c.WALDir(), filepath.Join("/srv/db", "wal"); got != want {
		t.Errorf("WALDir() = %q, want %q", got, want)
	}
	c.WAL.Dir = "/fast/wal"
	if got := c.WALDir(); got != "/fast/wal" {
		t.Errorf("WALDir() with wal.dir = %q", got)
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rustydb.toml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
