// Command rusty-db-server runs the RustyDB server: the PostgreSQL wire
// protocol, the REST admin API and Prometheus metrics over one data directory.
// It only parses flags and configuration and wires the packages together.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"rustydb"
	"rustydb/api"
	"rustydb/asm"
	"rustydb/catalog"
	"rustydb/config"
	"rustydb/iouring"
	"rustydb/row"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("rusty-db-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "", "TOML configuration `file` (default: embedded defaults)")
	dataDir := fs.String("data-dir", "", "data `directory` (overrides [storage] data_dir)")
	host := fs.String("listen-host", "", "listen `address` (overrides [server] listen_host)")
	port := fs.Int("port", 0, "PostgreSQL protocol `port` (overrides [server] listen_port)")
	restPort := fs.Int("rest-port", 0, "REST API `port` (overrides [api] rest_port)")
	metricsPort := fs.Int("metrics-port", 0, "Prometheus metrics `port` (overrides [monitoring] prometheus_port)")
	logLevel := fs.String("log-level", "", "log `level`: debug, info, warn, error (overrides [logging] level)")
	adminPassword := fs.String("admin-password", "", "`password` of the admin user created in a new data directory (overrides $"+adminPasswordEnv+
		" and [security] admin_password; prefer the environment variable, which other users cannot see in ps)")
	mountOnly := fs.Bool("mount-only", false, "start with the database mounted but not open: only superusers connect, user tables stay closed until ALTER DATABASE OPEN")
	restrict := fs.Bool("restrict", false, "start in restricted mode: only superusers may connect until ALTER SYSTEM DISABLE RESTRICTED SESSION")
	validate := fs.Bool("validate", false, "check the configuration and exit (non-zero when invalid)")
	version := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *version {
		fmt.Fprintf(stdout, "rusty-db-server %s (PostgreSQL protocol %s)\n", rustydb.Version, rustydb.ServerVersion)
		return 0
	}

	cfg := config.Default()
	if *configFile != "" {
		var err error
		if cfg, err = config.Load(*configFile); err != nil {
			fmt.Fprintf(stderr, "rusty-db-server: invalid configuration:\n%v\n", err)
			return 1
		}
	}
	set := map[string]bool{}
	var fromFlags []string // the keys flags set, for v$parameter's source
	fs.Visit(func(f *flag.Flag) {
		set[f.Name] = true
		fromFlags = append(fromFlags, flagKeys[f.Name])
	})
	if set["data-dir"] {
		cfg.Storage.DataDir = *dataDir
	}
	if set["listen-host"] {
		cfg.Server.ListenHost = *host
	}
	if set["port"] {
		cfg.Server.ListenPort = *port
	}
	if set["rest-port"] {
		cfg.API.RestPort = *restPort
	}
	if set["metrics-port"] {
		cfg.Monitoring.PrometheusPort = *metricsPort
	}
	if set["log-level"] {
		cfg.Logging.Level = *logLevel
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "rusty-db-server: invalid configuration (after flags):\n%v\n", err)
		return 1
	}
	tlsConfig, err := cfg.TLSConfig()
	if err != nil {
		fmt.Fprintf(stderr, "rusty-db-server: invalid configuration:\n%v\n", err)
		return 1
	}
	if *validate {
		// The tokens file's lines are checked here; whether it can be read
		// at all is the start's business (it may not exist yet).
		var ve *config.ValidationError
		if _, err := config.ReadTokens(cfg.TokensFile()); errors.As(err, &ve) {
			fmt.Fprintf(stderr, "rusty-db-server: invalid REST API tokens file ([api] tokens_file):\n%v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "configuration OK (%s)\n", cfg.Source)
		return 0
	}
	password := cfg.Security.AdminPassword
	if env := os.Getenv(adminPasswordEnv); env != "" {
		password = env
	}
	if set["admin-password"] {
		password = *adminPassword
	}

	logger, level, closeLog, err := newLogger(cfg, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "rusty-db-server: %v\n", err)
		return 1
	}
	defer closeLog()
	params := config.NewParams(cfg, fromFlags...)
	applyGC := func(c *config.Config) {
		percent, limit := rustydb.ApplyGC(c)
		logger.Info("garbage collector", "gc_percent", percent, "gc_memory_limit", limit)
	}
	applyGC(params.Current())
	params.OnChange(func(c *config.Config) {
		_ = level.UnmarshalText([]byte(c.Logging.Level))
		applyGC(c)
	})
	err = serve(cfg, params, tlsConfig, password, startMode{mountOnly: *mountOnly, restrict: *restrict}, logger)
	if errors.Is(err, errAborted) {
		return 1
	}
	if err != nil {
		logger.Error(err.Error())
		fmt.Fprintf(stderr, "rusty-db-server: %v\n", err)
		return 1
	}
	return 0
}

// adminPasswordEnv names the environment variable with the admin password.
const adminPasswordEnv = "RUSTYDB_ADMIN_PASSWORD"

// flagKeys are the configuration keys the flags override.
var flagKeys = map[string]string{"data-dir": "storage.data_dir", "listen-host": "server.listen_host",
	"port": "server.listen_port", "rest-port": "api.rest_port", "metrics-port": "monitoring.prometheus_port",
	"log-level": "logging.level", "admin-password": "security.admin_password"}

// startMode holds the start-up mode flags.
type startMode struct{ mountOnly, restrict bool }

// errAborted ends a server stopped by SHUTDOWN ABORT (or a second signal),
// which exits with status 1 without a checkpoint.
var errAborted = errors.New("shutdown abort")

// serve runs the server until a signal or a shutdown request stops it,
// with the configuration cfg, whose running values params holds.
// adminPassword is the password for the admin user of a new data
// directory, "" when none was given.
func serve(cfg *config.Config, params *config.Params, tlsConfig *tls.Config, adminPassword string, start startMode, log *slog.Logger) error {
	log.Info("RustyDB starting", "version", rustydb.Version, "server_version", rustydb.ServerVersion, "pid", os.Getpid())
	log.Info("configuration loaded", "source", cfg.Source, "mode", cfg.Instance.Mode, "instance", cfg.Instance.Name)
	dataDir, _ := filepath.Abs(cfg.Storage.DataDir)
	log.Info("buffer pool configured", "pages", cfg.Storage.BufferPoolPages, "page_size", cfg.Storage.PageSize,
		"bytes", cfg.BufferPoolBytes())
	if !cfg.Performance.SIMDEnabled {
		if err := asm.SetLevel(asm.Generic); err != nil {
			return err
		}
	}
	log.Info("SIMD kernels selected", "level", asm.Active().String(), "available", fmt.Sprint(asm.Available()),
		"simd_enabled", cfg.Performance.SIMDEnabled)

	ioEngine, why := iouring.New(cfg.Performance.IOUringEnabled)
	defer ioEngine.Close()
	log.Info("I/O engine selected", "engine", ioEngine.Name(), "reason", why)

	db, err := rustydb.OpenWith(rustydb.Options{
		Dir:                cfg.Storage.DataDir,
		WALDir:             cfg.WAL.Dir,
		SyncMode:           cfg.WAL.SyncMode,
		WALSegmentBytes:    int64(cfg.WAL.MaxSegmentMB) << 20,
		Params:             params,
		Logger:             log,
		IO:                 ioEngine,
		BufferPoolPages:    int(cfg.BufferPoolBytes() / row.PageSize),
		SegmentRows:        cfg.Storage.SegmentRows,
		PasswordEncryption: cfg.PasswordEncryption(),
		MountOnly:          start.mountOnly,
		Restricted:         start.restrict,
	})
	if err != nil {
		return fmt.Errorf("cannot open data directory %s: %v (choose another with --data-dir or [storage] data_dir)", dataDir, err)
	}
	rec := db.Recovery()
	log.Info("WAL initialized", "dir", cfg.WALDir(), "sync_mode", cfg.WAL.SyncMode, "segment_mb", cfg.WAL.MaxSegmentMB,
		"checkpoint_lsn", rec.CheckpointLSN, "replayed_transactions", rec.ReplayedTxns)
	if rec.TornTail != "" {
		log.Warn("WAL ended in a torn or corrupt record; recovery stopped there (only an unacknowledged commit can be lost)", "where", rec.TornTail)
	}
	log.Info("data directory ready", "path", dataDir, "tables", db.Stats().Tables)
	if err := ensureAdmin(db, cfg, adminPassword, log); err != nil {
		db.Close()
		return err
	}

	restPort, metricsPort := cfg.API.RestPort, cfg.Monitoring.PrometheusPort
	var tokens *api.TokenStore
	if !cfg.API.Enabled {
		restPort = 0
	} else if tokens, err = openTokens(cfg, log); err != nil {
		db.Close()
		return err
	}
	if !cfg.Monitoring.Enabled {
		metricsPort = 0
	}
	srv := api.NewServer(api.ServerOptions{
		DB:         db,
		Host:       cfg.Server.ListenHost,
		PG:         api.Listener{Port: cfg.Server.ListenPort, Flag: "--port", Key: "[server] listen_port"},
		REST:       api.Listener{Port: restPort, Flag: "--rest-port", Key: "[api] rest_port"},
		Metrics:    api.Listener{Port: metricsPort, Flag: "--metrics-port", Key: "[monitoring] prometheus_port"},
		Mode:       cfg.Instance.Mode,
		Logger:     log,
		AuthMethod: cfg.AuthMethod(),
		TLS:        tlsConfig,
		RequireTLS: cfg.Security.RequireTLS,
		Tokens:     tokens,
	})
	if err := srv.Start(); err != nil {
		db.Close()
		return err
	}
	log.Info("listening", "protocol", "postgresql", "addr", srv.Addr("PostgreSQL protocol"))
	if restPort != 0 {
		log.Info("listening", "protocol", "rest", "addr", srv.Addr("REST API"), "health", "/api/v1/admin/health")
	}
	if metricsPort != 0 {
		log.Info("listening", "protocol", "prometheus", "addr", srv.Addr("Prometheus metrics"), "path", "/metrics")
	}
	log.Info("client authentication", "method", cfg.AuthMethod(), "password_encryption", cfg.PasswordEncryption(),
		"tls", tlsConfig != nil, "require_tls", cfg.Security.RequireTLS)
	if start.mountOnly {
		log.Warn("database mounted but not open (--mount-only): only superusers may connect, and user tables stay closed until ALTER DATABASE OPEN")
	}
	if start.restrict {
		log.Warn("restricted mode (--restrict): only superusers may connect until ALTER SYSTEM DISABLE RESTRICTED SESSION")
	}
	requests := db.ShutdownRequests()
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	log.Info("RustyDB ready for connections")

	mode := stopSessions(srv, requests, sig, log)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv.Close(ctx)
	if mode == rustydb.ShutdownAbort {
		log.Warn("shutdown abort: exiting without a checkpoint; the next start recovers every commit from the WAL")
		return errAborted
	}
	go func() {
		<-sig
		log.Error("signal during the final checkpoint: exiting without it (the WAL keeps every commit)")
		os.Exit(1)
	}()
	began := time.Now()
	if err := db.Close(); err != nil {
		return fmt.Errorf("final checkpoint failed: %v", err)
	}
	log.Info("checkpoint complete; RustyDB stopped", "mode", string(mode), "checkpoint_ms", time.Since(began).Milliseconds())
	return nil
}

// stopSessions waits for the first shutdown request and ends the sessions
// as it asks, returning the mode the shutdown ended in. Every way of
// stopping the server comes through here: SHUTDOWN and POST
// /api/v1/admin/shutdown (on requests), and SIGINT or SIGTERM, which ask
// for IMMEDIATE. While sessions end, a stronger request or another signal
// (NORMAL -> IMMEDIATE -> ABORT) hurries the shutdown.
func stopSessions(srv *api.Server, requests <-chan rustydb.ShutdownMode, sig <-chan os.Signal, log *slog.Logger) rustydb.ShutdownMode {
	var mode rustydb.ShutdownMode
	select {
	case s := <-sig:
		mode = rustydb.ShutdownImmediate
		log.Info("shutdown requested", "signal", s.String(), "mode", string(mode))
	case mode = <-requests:
		log.Info("shutdown requested", "mode", string(mode))
	}
	for {
		ctx, cancel := context.WithCancel(context.Background())
		if mode == rustydb.ShutdownImmediate {
			// Sessions are told to end; one stuck past this does not hold
			// the checkpoint back for ever.
			ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
		}
		done := make(chan error, 1)
		go func(m rustydb.ShutdownMode) { done <- srv.Drain(ctx, m) }(mode)
		next := mode
		for next == mode {
			select {
			case err := <-done:
				cancel()
				if err != nil {
					log.Warn("sessions did not end in time; stopping anyway", "mode", string(mode))
				}
				return mode
			case s := <-sig:
				next = rustydb.ShutdownAbort
				if mode == rustydb.ShutdownNormal {
					next = rustydb.ShutdownImmediate
				}
				log.Warn("another signal: hurrying the shutdown", "signal", s.String(), "mode", string(next))
			case m := <-requests:
				if m.Stronger(mode) {
					next = m
					log.Info("shutdown hurried", "mode", string(m))
				} else {
					log.Info("shutdown already in progress", "mode", string(mode), "requested", string(m))
				}
			}
		}
		cancel()
		<-done
		mode = next
	}
}

// openTokens reads the REST API's tokens file. When there is none (a new
// data directory), it issues the administrator's first token into
// admin_api_token in the data directory, readable only by this user, and
// logs where it is, never the token.
func openTokens(cfg *config.Config, log *slog.Logger) (*api.TokenStore, error) {
	ts, created, err := api.OpenTokenStore(cfg.TokensFile())
	if err != nil {
		return nil, fmt.Errorf("cannot read the REST API tokens (set [api] tokens_file): %v", err)
	}
	if !created {
		log.Info("REST API tokens loaded", "file", ts.Path(), "tokens", len(ts.List()))
		return ts, nil
	}
	file, _ := filepath.Abs(filepath.Join(cfg.Storage.DataDir, "admin_api_token"))
	if err := ts.IssueFirst(file); err != nil {
		return nil, fmt.Errorf("cannot issue the first REST API token (set [api] tokens_file): %v", err)
	}
	log.Warn("issued the first REST API token: send it as Authorization: Bearer <token>; it is in this file, readable only by this user",
		"file", file, "tokens_file", ts.Path())
	return ts, nil
}

// ensureAdmin creates the admin user of a new data directory (see
// rustydb.DB.EnsureAdmin). Unless the server trusts local connections, some
// user must be able to log in with a password, else nobody could connect:
// a new directory needs the admin password.
func ensureAdmin(db *rustydb.DB, cfg *config.Config, password string, log *slog.Logger) error {
	admin := cfg.Security.AdminUser
	if cfg.AuthMethod() != "trust" && password == "" && !slices.ContainsFunc(db.Roles(), func(r *catalog.Role) bool {
		return r.Login && r.HasPassword()
	}) {
		return fmt.Errorf("%s mode with auth_method %s needs a password for the admin user %q: pass --admin-password or set %s",
			cfg.Instance.Mode, cfg.AuthMethod(), admin, adminPasswordEnv)
	}
	did, err := db.EnsureAdmin(admin, password)
	if err != nil {
		return fmt.Errorf("cannot create the admin user %q (set [security] admin_user): %v", admin, err)
	}
	switch {
	case did != "" && password == "":
		log.Warn(did+" without a password: only connections from this machine can log in (trust)", "user", admin)
	case did != "":
		log.Info(did, "user", admin)
	}
	return nil
}
