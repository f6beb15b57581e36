package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParamTable(t *testing.T) {
	for _, p := range AllParams() {
		if _, ok := paramInfo[p.Key]; !ok || p.Description == "" {
			t.Errorf("%s has no entry in paramInfo", p.Key)
		}
		if got, ok := Lookup(p.Key); !ok || got != p {
			t.Errorf("Lookup(%q) = %v, %v", p.Key, got, ok)
		}
	}
	for key := range paramInfo {
		if _, ok := Lookup(key); !ok {
			t.Errorf("paramInfo has %s, which is no configuration key", key)
		}
	}
	f := func(name, wantKey, wantName, wantType string) {
		t.Helper()
		p, ok := Lookup(name)
		switch {
		case wantKey == "" && ok:
			t.Errorf("Lookup(%q) = %s, want none", name, p.Key)
		case wantKey == "":
		case !ok:
			t.Errorf("Lookup(%q) found nothing, want %s", name, wantKey)
		case p.Key != wantKey || p.Name != wantName || p.Type != wantType:
			t.Errorf("Lookup(%q) = %s %s %s, want %s %s %s", name, p.Key, p.Name, p.Type, wantKey, wantName, wantType)
		}
	}
	f("work_mem", "memory.work_mem", "work_mem", "size")
	f("MEMORY.Work_Mem", "memory.work_mem", "work_mem", "size")
	f("max_connections", "server.max_connections", "max_connections", "integer")
	f("simd_enabled", "performance.simd_enabled", "simd_enabled", "boolean")
	f("api.enabled", "api.enabled", "api.enabled", "boolean")
	f("monitoring.enabled", "monitoring.enabled", "monitoring.enabled", "boolean")
	f("enabled", "", "", "") // two sections have it
	f("level", "logging.level", "level", "string")
	f("search_path", "", "", "")
}

func TestCheckValue(t *testing.T) {
	f := func(name, value, wantErr string) {
		t.Helper()
		p, _ := Lookup(name)
		err := CheckValue(p, value)
		switch {
		case wantErr == "" && err != nil:
			t.Errorf("CheckValue(%s, %q) = %v", name, value, err)
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr) || !errors.Is(err, ErrInvalidValue)):
			t.Errorf("CheckValue(%s, %q) = %v, want %q", name, value, err, wantErr)
		}
	}
	f("work_mem", "128MB", "")
	f("work_mem", "1KB", `invalid value for parameter "work_mem": "1KB" is too small (minimum 64KiB)`)
	f("max_parallel_workers_per_query", "4", "")
	f("max_parallel_workers_per_query", "four", `"four" is not an integer`)
	f("max_parallel_workers_per_query", "2000", "2000 is out of range (0..1024)")
	f("simd_enabled", "off", "")
	f("simd_enabled", "maybe", `"maybe" is not a boolean`)
	f("level", "loud", `"loud" is not one of debug, info, warn, error`)
}

// newTestParams returns the parameters of a server started with the
// configuration file text (none when text is "").
func newTestParams(t *testing.T, text string) (*Params, string) {
	t.Helper()
	if text == "" {
		return NewParams(Default()), ""
	}
	path := filepath.Join(t.TempDir(), "rustydb.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return NewParams(c, "server.listen_port"), path
}

const testFile = "# test server\n[server]\nmax_connections = 50 # small\n\n[logging]\nlevel = \"info\"\n"

func TestParamsSet(t *testing.T) {
	type want struct {
		err     error  // kind, or nil
		scope   Scope  // the scope applied
		running string // the running value after
		file    string // the file after; "" = unchanged
	}
	f := func(name, file, param, value string, scope Scope, w want) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			p, path := newTestParams(t, file)
			var notified *Config
			p.OnChange(func(c *Config) { notified = c })
			ch, err := p.Set(param, value, scope, "dba")
			if !errors.Is(err, w.err) || (err == nil) != (w.err == nil) {
				t.Fatalf("Set(%s, %q, %q) error = %v, want %v", param, value, scope, err, w.err)
			}
			if path != "" {
				got, _ := os.ReadFile(path)
				if want := w.file; want == "" && string(got) != file || want != "" && string(got) != want {
					t.Errorf("file after =\n%s", got)
				}
			}
			s, _ := p.Setting(param)
			if s.Value != w.running {
				t.Errorf("running value = %q, want %q", s.Value, w.running)
			}
			if err != nil {
				if len(p.History()) != 0 || notified != nil {
					t.Errorf("a failed change was recorded or notified")
				}
				return
			}
			if ch.Scope != w.scope || ch.User != "dba" || ch.Name != s.Name {
				t.Errorf("change = %+v, want scope %s", ch, w.scope)
			}
			if h := p.History(); len(h) != 1 || h[0] != ch {
				t.Errorf("history = %+v", h)
			}
			if memory := w.scope != ScopeSPFILE; memory != (notified != nil) || memory != s.Modified {
				t.Errorf("notified = %v, modified = %v for scope %s", notified != nil, s.Modified, w.scope)
			}
		})
	}
	withLevel := func(level string) string {
		return strings.Replace(testFile, `level = "info"`, `level = "`+level+`"`, 1)
	}
	f("memory", testFile, "level", "debug", ScopeMemory, want{scope: ScopeMemory, running: "debug"})
	f("spfile", testFile, "level", "debug", ScopeSPFILE, want{scope: ScopeSPFILE, running: "info", file: withLevel("debug")})
	f("both", testFile, "logging.level", "warn", ScopeBoth, want{scope: ScopeBoth, running: "warn", file: withLevel("warn")})
	f("default scope dynamic", testFile, "level", "error", ScopeDefault, want{scope: ScopeBoth, running: "error", file: withLevel("error")})
	f("default scope static", testFile, "buffer_pool_pages", "2048", ScopeDefault,
		want{scope: ScopeSPFILE, running: "16384", file: testFile + "\n[storage]\nbuffer_pool_pages = 2048\n"})
	f("default scope without file", "", "max_connections", "7", ScopeDefault, want{scope: ScopeMemory, running: "7"})
	f("keeps comment", testFile, "max_connections", "80", ScopeBoth,
		want{scope: ScopeBoth, running: "80", file: strings.Replace(testFile, "= 50", "= 80", 1)})
	f("string is quoted", testFile, "output", `C:\logs\"a".log`, ScopeSPFILE,
		want{scope: ScopeSPFILE, running: "stdout", file: strings.Replace(testFile, "level = \"info\"\n", "level = \"info\"\noutput = \"C:\\\\logs\\\\\\\"a\\\".log\"\n", 1)})

	f("static in memory", testFile, "buffer_pool_pages", "2048", ScopeMemory, want{err: ErrNeedsRestart, running: "16384"})
	f("static both", testFile, "listen_port", "1", ScopeBoth, want{err: ErrNeedsRestart, running: "5432"})
	f("unknown", testFile, "no_such_thing", "1", ScopeMemory, want{err: ErrUnknownParam})
	f("out of range", testFile, "max_connections", "0", ScopeBoth, want{err: ErrInvalidValue, running: "50"})
	f("not a number", testFile, "max_connections", "lots", ScopeSPFILE, want{err: ErrInvalidValue, running: "50"})
	f("bad enum", testFile, "level", "loud", ScopeMemory, want{err: ErrInvalidValue, running: "info"})
	f("rule across keys", testFile, "require_tls", "true", ScopeSPFILE, want{err: ErrInvalidValue, running: "false"})
	f("spfile without file", "", "level", "debug", ScopeSPFILE, want{err: ErrNoFile, running: "info"})
}

// TestParamsFileEditedBadly checks that a file edited since the start so
// that it no longer loads is left alone, with the reason.
func TestParamsFileEditedBadly(t *testing.T) {
	p, path := newTestParams(t, testFile)
	broken := testFile + "[wal]\nsync_mode = \"fast\"\n"
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := p.Set("level", "debug", ScopeBoth, "dba")
	if !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), `wal.sync_mode: "fast" is not one of local, off`) {
		t.Errorf("Set() error = %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != broken {
		t.Errorf("the file changed:\n%s", got)
	}
	if v := p.Current().Logging.Level; v != "info" {
		t.Errorf("running level = %q, want info", v)
	}
}

func TestParamsResetAndSources(t *testing.T) {
	p, path := newTestParams(t, testFile)
	if _, err := p.Set("max_connections", "70", ScopeMemory, "a"); err != nil {
		t.Fatal(err)
	}
	ch, err := p.Reset("max_connections", ScopeBoth, "b")
	if err != nil {
		t.Fatal(err)
	}
	if ch.OldValue != "70" || ch.NewValue != "100" {
		t.Errorf("reset change = %+v, want 70 -> 100", ch)
	}
	got, _ := os.ReadFile(path)
	if want := strings.Replace(testFile, "max_connections = 50 # small\n", "", 1); string(got) != want {
		t.Errorf("file after reset =\n%s\nwant\n%s", got, want)
	}
	if p.File() != path {
		t.Errorf("File() = %q, want %q", p.File(), path)
	}
	sources := map[string]string{}
	for _, s := range p.Settings() {
		sources[s.Name] = s.Source
	}
	for name, want := range map[string]string{"max_connections": "ALTER SYSTEM", "level": "configuration file",
		"listen_port": "command line", "work_mem": "default"} {
		if sources[name] != want {
			t.Errorf("source of %s = %q, want %q", name, sources[name], want)
		}
	}
	if h := p.History(); len(h) != 2 || h[0].User != "a" || h[1].User != "b" {
		t.Errorf("history = %+v", h)
	}
}

func TestParamsSecret(t *testing.T) {
	p, path := newTestParams(t, testFile)
	ch, err := p.Set("admin_password", "s3cret", ScopeSPFILE, "dba")
	if err != nil {
		t.Fatal(err)
	}
	if ch.NewValue != "********" || ch.OldValue != "" {
		t.Errorf("change shows the password: %+v", ch)
	}
	if got, _ := os.ReadFile(path); !strings.Contains(string(got), `admin_password = "s3cret"`) {
		t.Errorf("the file does not hold the password:\n%s", got)
	}
}
