package api

import (
	"context"
	"sync"

	"rustydb"
	"rustydb/sqlerr"
)

// Stopping the server, in the modes of rustydb.ShutdownMode. The server's
// main loop (cmd/rusty-db-server) calls Drain with the mode a signal, a
// SHUTDOWN statement or POST /api/v1/admin/shutdown asked for (again with a
// stronger mode to hurry a NORMAL shutdown), then Close, and then closes the
// DB (a checkpoint) or, after ABORT, exits without.
//
// From the moment Drain is first called, new connections are refused with
// 57P03 "the database system is shutting down"; the REST API keeps serving
// until Close, so that a NORMAL shutdown can be watched and hurried.

// liveConns counts the connection goroutines, so that a shutdown can wait
// for every session to have ended (and rolled back) before the checkpoint.
// A WaitGroup would not do: connections keep arriving (to be refused)
// while a shutdown waits.
type liveConns struct {
	mu   sync.Mutex
	n    int
	zero chan struct{} // closed when n drops to 0; nil when nobody waits
}

func (l *liveConns) add() {
	l.mu.Lock()
	l.n++
	l.mu.Unlock()
}

func (l *liveConns) done() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n--; l.n == 0 && l.zero != nil {
		close(l.zero)
		l.zero = nil
	}
}

// wait returns nil once no connection goroutine runs, or ctx's error.
func (l *liveConns) wait(ctx context.Context) error {
	l.mu.Lock()
	if l.n == 0 {
		l.mu.Unlock()
		return nil
	}
	if l.zero == nil {
		l.zero = make(chan struct{})
	}
	zero := l.zero
	l.mu.Unlock()
	select {
	case <-zero:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Drain stops the sessions as mode says: NORMAL waits for every client to
// disconnect, IMMEDIATE ends every session (its client gets 57P01 and its
// transaction rolls back) and waits for them to finish, ABORT returns at
// once. It returns ctx's error when ctx ends first.
func (s *Server) Drain(ctx context.Context, mode rustydb.ShutdownMode) error {
	s.stop.Store(true)
	switch mode {
	case rustydb.ShutdownAbort:
		return nil
	case rustydb.ShutdownImmediate:
		// as ALTER SYSTEM KILL SESSION does to each (see
		// rustydb.DB.TerminateSession and the hook accept sets)
		s.conns.mu.Lock()
		for id := range s.conns.conns {
			s.db.TerminateSession(id)
		}
		s.conns.mu.Unlock()
	}
	return s.live.wait(ctx)
}

// Close stops accepting connections and stops the HTTP servers, letting
// requests in progress (such as the one that asked for the shutdown) finish
// until ctx ends. It does not wait for client connections: Drain does.
func (s *Server) Close(ctx context.Context) {
	s.stop.Store(true)
	if s.pgLn != nil {
		s.pgLn.Close()
		s.wg.Wait() // the accept loop
	}
	for _, h := range s.https {
		_ = h.Shutdown(ctx)
	}
}

// Shutdown stops a server its embedder runs (tests, tools) the IMMEDIATE
// way: sessions end and roll back, listeners close. ctx bounds the wait.
func (s *Server) Shutdown(ctx context.Context) {
	if err := s.Drain(ctx, rustydb.ShutdownImmediate); err != nil {
		s.logger.Warn("shutdown timed out waiting for connections")
	}
	s.Close(ctx)
}

// RequestShutdown asks the server's owner to stop it in mode.
func (s *Server) RequestShutdown(mode rustydb.ShutdownMode) { s.db.RequestShutdown(mode) }

// errShuttingDown refuses a connection once a shutdown has begun.
func errShuttingDown() *sqlerr.Error {
	return sqlerr.New(sqlerr.CannotConnectNow, "the database system is shutting down")
}

// DeferShutdown keeps a SHUTDOWN request until ready has told the client
// the statement's outcome (see rustydb.ShutdownDeferrer).
func (w *wireWriter) DeferShutdown(mode rustydb.ShutdownMode) { *w.shutdown = mode }

func (w *collectWriter) DeferShutdown(mode rustydb.ShutdownMode) { w.c.pendingShutdown = mode }

// DeallocateAll is DISCARD ALL's DEALLOCATE ALL (rustydb.StatementDeallocator).
func (w *collectWriter) DeallocateAll() { w.c.deallocateAll() }
