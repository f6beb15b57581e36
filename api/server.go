package api

import (
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"rustydb"
)

// Listener says where one of the server's protocols listens and which flag
// and configuration key change it, for start-up errors.
type Listener struct {
	Port int
	Flag string // e.g. "--port"
	Key  string // e.g. "[server] listen_port"
}

// ServerOptions configures a Server.
type ServerOptions struct {
	DB      *rustydb.DB
	Host    string
	PG      Listener
	REST    Listener // Port 0 disables the REST API
	Metrics Listener // Port 0 disables the metrics endpoint
	Mode    string
	Logger  *slog.Logger
	// AuthMethod is "trust" (also ""), "md5" or "scram-sha-256"; see
	// authenticate.
	AuthMethod string
	// TLS, when set, makes the server answer SSLRequest with 'S' and
	// upgrade the connection; RequireTLS refuses connections without it.
	TLS        *tls.Config
	RequireTLS bool
	// Tokens are the REST API's bearer tokens (see RESTOptions).
	Tokens *TokenStore
}

// Server serves the PostgreSQL protocol, the REST API and metrics for one DB.
type Server struct {
	opts    ServerOptions
	db      *rustydb.DB
	logger  *slog.Logger
	metrics *Metrics

	pgLn  net.Listener
	https []*http.Server
	conns connRegistry
	wg    sync.WaitGroup // the accept loop
	live  liveConns      // connection goroutines
	stop  atomic.Bool
	addrs map[string]string
	// mockSecret makes the salts of mock SCRAM verifiers, which differ
	// between servers but not between attempts (see auth.MockVerifier).
	mockSecret [32]byte
}

// NewServer creates a server; Start binds its ports.
func NewServer(opts ServerOptions) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Server{opts: opts, db: opts.DB, logger: opts.Logger, addrs: map[string]string{}}
	_, _ = rand.Read(s.mockSecret[:])
	s.metrics = NewMetrics(opts.DB.Stats)
	s.metrics.registry.MustRegister(newSessionStates(s.Sessions))
	s.conns = connRegistry{conns: map[uint32]*pgConn{}}
	return s
}

// Metrics returns the server's metrics.
func (s *Server) Metrics() *Metrics { return s.metrics }

// listen binds one port, turning "address in use" into a message that names
// the flag and key to change.
func (s *Server) listen(what string, l Listener) (net.Listener, error) {
	addr := net.JoinHostPort(s.opts.Host, strconv.Itoa(l.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("cannot listen for %s on %s: the port is already in use; choose another with %s or %s", what, addr, l.Flag, l.Key)
		}
		return nil, fmt.Errorf("cannot listen for %s on %s: %v (set the address with --listen-host / [server] listen_host and %s / %s)", what, addr, err, l.Flag, l.Key)
	}
	s.addrs[what] = ln.Addr().String()
	return ln, nil
}

// Start binds every enabled listener and begins serving. On error nothing
// is left listening.
func (s *Server) Start() error {
	pgLn, err := s.listen("PostgreSQL protocol", s.opts.PG)
	if err != nil {
		return err
	}
	var httpLns []net.Listener
	var handlers []http.Handler
	for _, h := range []struct {
		name string
		l    Listener
		h    func() http.Handler
	}{
		{"REST API", s.opts.REST, func() http.Handler {
			return NewREST(RESTOptions{Stats: s.db.Stats, Connections: s.ActiveConnections, Mode: s.opts.Mode, Logger: s.logger, Admin: s,
				Tokens: s.opts.Tokens, Params: s.db.Params()})
		}},
		{"Prometheus metrics", s.opts.Metrics, s.metrics.Handler},
	} {
		if h.l.Port == 0 {
			continue
		}
		ln, err := s.listen(h.name, h.l)
		if err != nil {
			pgLn.Close()
			for _, l := range httpLns {
				l.Close()
			}
			return err
		}
		httpLns = append(httpLns, ln)
		handlers = append(handlers, h.h())
	}
	s.pgLn = pgLn
	for i, ln := range httpLns {
		srv := &http.Server{Handler: handlers[i], ReadHeaderTimeout: 10 * time.Second}
		s.https = append(s.https, srv)
		go srv.Serve(ln)
	}
	s.wg.Add(1)
	go s.acceptPG()
	return nil
}

// Addr returns the bound address of a listener by its name ("PostgreSQL
// protocol", "REST API", "Prometheus metrics").
func (s *Server) Addr(what string) string { return s.addrs[what] }

func (s *Server) acceptPG() {
	defer s.wg.Done()
	for {
		nc, err := s.pgLn.Accept()
		if err != nil {
			if s.stop.Load() {
				return
			}
			s.logger.Warn("accept failed", "err", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		s.live.add()
		go func() {
			defer s.live.done()
			s.servePG(nc)
		}()
	}
}

func (s *Server) closing() bool { return s.stop.Load() }
