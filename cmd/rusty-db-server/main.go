// Command rusty-db-server runs the RustyDB server: the PostgreSQL wire
// protocol, the REST admin API and Prometheus metrics over one data directory.
// It only parses flags and configuration and wires the packages together.
package main

import (
	"context"
	"crypto/tls"
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
	params.OnChange(func(c *config.Config) { _ = level.UnmarshalText([]byte(c.Logging.Level)) })
	if err := serve(cfg, params, tlsConfig, password, logger); err != nil {
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

// serve runs the server until a signal stops it, with the configuration
// cfg, whose running values params holds. adminPassword is the password
// for the admin user of a new data directory, "" when none was given.
func serve(cfg *config.Config, params *config.Params, tlsConfig *tls.Config, adminPassword string, log *slog.Logger) error {
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
		PasswordEncryption: cfg.PasswordEncryption(),
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
	if !cfg.API.Enabled {
		restPort = 0
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
	log.Info("RustyDB ready for connections")

	sig := make(chan os.Signal, 2)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	s := <-sig
	log.Info("shutdown requested", "signal", s.String())
	go func() {
		<-sig
		log.Error("second signal: exiting immediately without a checkpoint (the WAL keeps every commit)")
		os.Exit(1)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv.Shutdown(ctx)
	start := time.Now()
	if err := db.Close(); err != nil {
		return fmt.Errorf("final checkpoint failed: %v", err)
	}
	log.Info("checkpoint complete; RustyDB stopped", "checkpoint_ms", time.Since(start).Milliseconds())
	return nil
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
